/* apartment_notify.c: the notification dispatcher (apartment.h pb_apt_notify_pass): the
 * scheduled reminders (the day before check-in, the check-out day) and the delivery of pending
 * outbox rows through the configured channel, with retries and back-off. Run by `parkbrain
 * apartment notify` from cron (docs/configuration.md "Notifications"). Logs carry the message
 * id, channel and error, never a phone number, an address or the text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/notify_transport.h"
#include "core/store/db.h"
#include "core/util/log.h"
#include "core/util/timeutil.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_internal.h"

#define NOTIFY_BATCH 50
#define NOTIFY_TIMEOUT_MS 10000
#define NOTIFY_LEASE_MS (5 * 60 * 1000LL) /* a claimed row is not tried again meanwhile */

/* The wait after the n-th failed attempt: 5 min, 10, 20, 40, 80, then 2 h; after
 * PB_APT_NOTIFY_MAX_ATTEMPTS the row is failed. */
int64_t pb_apt_notify_backoff_ms(int attempts)
{
    int64_t ms = 5 * 60 * 1000LL;
    for (int i = 1; i < attempts && ms < 2 * 3600 * 1000LL; i++)
        ms *= 2;
    return ms > 2 * 3600 * 1000LL ? 2 * 3600 * 1000LL : ms;
}

/* ---- reminders ---- */

struct rem_args {
    struct pb_ctx *c;
    struct pb_apt_settings set;
    int64_t n;
};

static int remind_kind(struct rem_args *a, const char *kind, const char *sql, const char *day)
{
    struct pb_stmt *st;
    int rc, n = 0;
    int64_t ids[NOTIFY_BATCH], accounts[NOTIFY_BATCH];
    char phones[NOTIFY_BATCH][32], dates[NOTIFY_BATCH][11];
    if ((rc = pb_db_prepare(a->c->db, sql, &st)))
        return rc;
    pb_stmt_bind_text(st, 1, day);
    pb_stmt_bind_text(st, 2, kind);
    while ((rc = pb_stmt_step(st)) == PB_ROW && n < NOTIFY_BATCH) {
        ids[n] = pb_stmt_col_int(st, 0);
        accounts[n] = pb_stmt_col_int(st, 1);
        pb_strlcpy(phones[n], pb_stmt_col_null(st, 2) ? "" : pb_stmt_col_text(st, 2),
                   sizeof phones[n]);
        pb_strlcpy(dates[n], pb_stmt_col_text(st, 3), sizeof dates[n]);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        char msg[640];
        if (!strcmp(kind, "reminder_check_in"))
            snprintf(msg, sizeof msg,
                     "提醒：您预订的人才公寓（预订 %lld）明天（%.10s）入住，%02d:%02d 起请携带本人"
                     "身份证原件到服务台办理入住；如不能入住请提前取消。",
                     (long long)ids[i], dates[i], a->set.checkin_min / 60, a->set.checkin_min % 60);
        else
            snprintf(
                msg, sizeof msg,
                "提醒：您的人才公寓入住（预订 %lld）今天（%.10s）%02d:%02d 前退房，届时门禁密码"
                "失效，请到服务台或在线办理退房。",
                (long long)ids[i], dates[i], a->set.checkout_min / 60, a->set.checkout_min % 60);
        if ((rc = pb_apt_outbox_add(a->c, &a->set, kind, accounts[i], phones[i], msg, ids[i])))
            return rc;
        a->n++;
    }
    return 0;
}

static int remind_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct rem_args *a = ctx;
    int rc, y, m, d;
    char today[11], tomorrow[11];
    a->n = 0;
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    pb_cst_date(a->c->now_ms, &y, &m, &d);
    pb_date_format(y, m, d, today);
    pb_civil_from_days(pb_days_from_civil(y, m, d) + 1, &y, &m, &d);
    pb_date_format(y, m, d, tomorrow);
    /* one reminder of a kind per booking: NOT EXISTS here, the unique index under races */
    if ((rc = remind_kind(a, "reminder_check_in",
                          "SELECT b.id, b.account_id, p.phone, b.check_in FROM apartment_booking "
                          "b LEFT JOIN applicant p ON p.account_id = b.account_id WHERE b.status "
                          "= 'booked' AND b.check_in = ? AND NOT EXISTS (SELECT 1 FROM "
                          "notification_outbox o WHERE o.kind = ? AND o.booking_id = b.id) "
                          "ORDER BY b.id",
                          tomorrow)))
        return rc;
    return remind_kind(a, "reminder_check_out",
                       "SELECT b.id, b.account_id, p.phone, b.check_out FROM apartment_booking b "
                       "LEFT JOIN applicant p ON p.account_id = b.account_id WHERE b.status = "
                       "'checked_in' AND b.check_out = ? AND NOT EXISTS (SELECT 1 FROM "
                       "notification_outbox o WHERE o.kind = ? AND o.booking_id = b.id) ORDER "
                       "BY b.id",
                       today);
}

/* ---- delivery ---- */

struct due_row {
    int64_t id;
    int attempts;
    char channel[16], kind[32], recipient[32];
    char body[1024];
};

struct claim_args {
    struct pb_ctx *c;
    int64_t id;
    int claimed;
};

static int claim_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct claim_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    (void)err;
    if ((rc = pb_db_prepare(db,
                            "UPDATE notification_outbox SET next_attempt_at = ? WHERE id = ? AND "
                            "status = 'pending' AND next_attempt_at <= ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms + NOTIFY_LEASE_MS);
    pb_stmt_bind_int(st, 2, a->id);
    pb_stmt_bind_int(st, 3, a->c->now_ms);
    rc = pb_stmt_step(st);
    a->claimed = rc == PB_DONE && pb_stmt_changes(st) == 1;
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

struct result_args {
    struct pb_ctx *c;
    const struct due_row *row;
    const char *error; /* NULL: sent */
    int failed_for_good;
};

static int result_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct result_args *a = ctx;
    struct pb_stmt *st;
    int rc, attempts = a->row->attempts + 1;
    (void)err;
    a->failed_for_good = a->error && attempts >= PB_APT_NOTIFY_MAX_ATTEMPTS;
    if ((rc = pb_db_prepare(db,
                            "UPDATE notification_outbox SET status = ?, attempts = ?, last_error "
                            "= ?, sent_at = ?, next_attempt_at = ? WHERE id = ? AND status = "
                            "'pending'",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, !a->error ? "sent" : a->failed_for_good ? "failed" : "pending");
    pb_stmt_bind_int(st, 2, attempts);
    pb_stmt_bind_text(st, 3, a->error);
    if (a->error)
        pb_stmt_bind_null(st, 4);
    else
        pb_stmt_bind_int(st, 4, a->c->now_ms);
    pb_stmt_bind_int(st, 5, a->c->now_ms + (a->error ? pb_apt_notify_backoff_ms(attempts) : 0));
    pb_stmt_bind_int(st, 6, a->row->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static const char *subject_of(const char *kind)
{
    if (!strncmp(kind, "reminder_", 9))
        return "人才公寓入住提醒";
    if (!strncmp(kind, "application_", 12))
        return "人才公寓申请审核结果";
    return "人才公寓通知";
}

/* Deliver one row; 0 or -1 with err. */
static int deliver(const struct pb_apt_settings *set, const struct due_row *r, char *err,
                   size_t errlen)
{
    struct pb_notify_url u;
    const char *url = !strcmp(r->channel, "sms")       ? set->sms_url
                      : !strcmp(r->channel, "webhook") ? set->webhook_url
                      : !strcmp(r->channel, "email")   ? set->email_url
                                                       : "";
    json_t *doc;
    char *txt;
    int rc;
    if (!url[0]) {
        snprintf(err, errlen, "the %s channel is no longer configured", r->channel);
        return -1;
    }
    if (pb_notify_url_parse(url, &u) ||
        (!strcmp(r->channel, "email") ? u.kind != PB_NOTIFY_SMTP : u.kind == PB_NOTIFY_SMTP) ||
        (!strcmp(r->channel, "sms") && u.kind == PB_NOTIFY_WEBHOOK) ||
        (!strcmp(r->channel, "webhook") && u.kind == PB_NOTIFY_SMS)) {
        snprintf(err, errlen, "the %s channel URL is not usable (https/smtps need a local relay)",
                 r->channel);
        return -1;
    }
    if (u.kind == PB_NOTIFY_SMTP)
        return pb_notify_smtp_send(&u, u.to, subject_of(r->kind), r->body, NOTIFY_TIMEOUT_MS, err,
                                   errlen);
    if (!strcmp(r->channel, "sms")) {
        if (!r->recipient[0]) {
            snprintf(err, errlen, "no phone number (purged or never given)");
            return -1;
        }
        doc = json_pack("{s:s, s:s, s:s}", "phone", r->recipient, "text", r->body, "kind", r->kind);
    } else {
        /* WeCom / DingTalk group robots: {"msgtype":"text","text":{"content":…}}; the group is
         * the desk's, so the message names no recipient */
        char content[1100];
        snprintf(content, sizeof content, "【人才公寓】%s", r->body);
        doc = json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text", "content", content);
    }
    txt = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!txt) {
        snprintf(err, errlen, "could not encode the message");
        return -1;
    }
    rc = pb_notify_http_post(&u, txt, NOTIFY_TIMEOUT_MS, err, errlen);
    free(txt);
    return rc;
}

int pb_apt_notify_pass(struct pb_ctx *c, struct pb_apt_notify_stats *out, struct pb_err *err)
{
    struct rem_args ra = {.c = c};
    struct pb_apt_settings set;
    struct pb_stmt *st;
    struct due_row *rows;
    int rc, n = 0;
    memset(out, 0, sizeof *out);
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "无权发送通知", "you may not send notifications");
    if ((rc = pb_db_tx(c->db, 1, remind_tx, &ra, err)) < 0)
        return rc;
    out->reminders = ra.n;
    if ((rc = pb_apt_settings_load(c->db, &set, err)))
        return rc;
    rows = pb_arena_alloc(c->arena, sizeof *rows * NOTIFY_BATCH);
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, attempts, channel, kind, recipient, body FROM "
                            "notification_outbox WHERE status = 'pending' AND next_attempt_at <= "
                            "? ORDER BY id LIMIT 50",
                            &st)))
        return pb_err_set(err, rc, "读取消息队列失败", "could not read the outbox");
    pb_stmt_bind_int(st, 1, c->now_ms);
    while ((rc = pb_stmt_step(st)) == PB_ROW && n < NOTIFY_BATCH) {
        struct due_row *r = &rows[n++];
        r->id = pb_stmt_col_int(st, 0);
        r->attempts = (int)pb_stmt_col_int(st, 1);
        pb_strlcpy(r->channel, pb_stmt_col_text(st, 2), sizeof r->channel);
        pb_strlcpy(r->kind, pb_stmt_col_text(st, 3), sizeof r->kind);
        pb_strlcpy(r->recipient, pb_stmt_col_null(st, 4) ? "" : pb_stmt_col_text(st, 4),
                   sizeof r->recipient);
        pb_strlcpy(r->body, pb_stmt_col_text(st, 5), sizeof r->body);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取消息队列失败", "could not read the outbox");
    for (int i = 0; i < n; i++) {
        struct claim_args ca = {c, rows[i].id, 0};
        struct result_args res = {c, &rows[i], NULL, 0};
        char e[200];
        if ((rc = pb_db_tx(c->db, 1, claim_tx, &ca, err)) < 0)
            return rc;
        if (!ca.claimed)
            continue; /* another dispatcher has it */
        e[0] = 0;
        if (deliver(&set, &rows[i], e, sizeof e))
            res.error = e[0] ? e : "failed";
        if ((rc = pb_db_tx(c->db, 1, result_tx, &res, err)) < 0)
            return rc;
        if (!res.error) {
            out->sent++;
            pb_log_info("notify: message %lld (%s, %s) sent", (long long)rows[i].id,
                        rows[i].channel, rows[i].kind);
        } else if (res.failed_for_good) {
            out->failed++;
            pb_log_warn("notify: message %lld (%s, %s) failed for good after %d attempts: %s",
                        (long long)rows[i].id, rows[i].channel, rows[i].kind, rows[i].attempts + 1,
                        res.error);
        } else {
            out->retrying++;
            pb_log_warn("notify: message %lld (%s, %s) attempt %d failed, will retry: %s",
                        (long long)rows[i].id, rows[i].channel, rows[i].kind, rows[i].attempts + 1,
                        res.error);
        }
    }
    return 0;
}
