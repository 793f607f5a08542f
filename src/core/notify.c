/* notify.c: writing to the notification outbox (notify.h). */
#include <string.h>

#include "core/notify.h"
#include "core/store/query.h"

int pb_notify_default_channel(struct pb_db *db, char out[16])
{
    int rc = pb_q_row(db,
                      "SELECT channel FROM notify_channel WHERE url <> '' ORDER BY CASE channel "
                      "WHEN 'sms' THEN 1 WHEN 'webhook' THEN 2 ELSE 3 END LIMIT 1",
                      NULL, "t", out, (size_t)16);
    if (rc <= 0)
        pb_strlcpy(out, "none", 16);
    return rc < 0 ? rc : 0;
}

int pb_notify_enqueue(struct pb_ctx *c, const struct pb_notice *n, int64_t *id_out,
                      struct pb_err *err)
{
    char channel[16];
    struct pb_stmt *st;
    int rc;
    if (n->channel && strcmp(n->channel, "auto"))
        pb_strlcpy(channel, n->channel, sizeof channel);
    else if ((rc = pb_notify_default_channel(c->db, channel)))
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "INSERT INTO notification_outbox (channel, kind, account_id, "
                            "recipient, body, status, created_at, next_attempt_at, booking_id) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, channel);
    pb_stmt_bind_text(st, 2, n->kind);
    if (n->account_id)
        pb_stmt_bind_int(st, 3, n->account_id);
    else
        pb_stmt_bind_null(st, 3);
    pb_stmt_bind_text(st, 4, n->recipient);
    pb_stmt_bind_text(st, 5, n->body);
    pb_stmt_bind_text(st, 6, strcmp(channel, "none") ? "pending" : "logged");
    pb_stmt_bind_int(st, 7, c->now_ms);
    pb_stmt_bind_int(st, 8, c->now_ms);
    if (n->booking_id)
        pb_stmt_bind_int(st, 9, n->booking_id);
    else
        pb_stmt_bind_null(st, 9);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW && id_out)
        *id_out = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return pb_err_set(err, rc < 0 ? rc : PB_E_DB, "写入通知失败", "could not queue the notice");
    return 0;
}

int pb_notify_topic(struct pb_ctx *c, const struct pb_notice *n, int *count, struct pb_err *err)
{
    struct pb_stmt *st;
    int64_t ids[256];
    char channels[256][16];
    int k = 0, rc;
    if (count)
        *count = 0;
    /* Collected first: the inserts below use the same connection. */
    if ((rc = pb_db_prepare(c->db,
                            "SELECT s.account_id, s.channel FROM notification_subscription s JOIN "
                            "account a ON a.id = s.account_id WHERE s.topic = ? AND a.disabled = 0 "
                            "ORDER BY s.account_id",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, n->kind);
    while (k < 256 && (rc = pb_stmt_step(st)) == PB_ROW) {
        ids[k] = pb_stmt_col_int(st, 0);
        pb_strlcpy(channels[k], pb_stmt_col_text(st, 1), sizeof channels[k]);
        k++;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < k; i++) {
        struct pb_notice one = *n;
        one.account_id = ids[i];
        one.channel = strcmp(channels[i], "auto") ? channels[i] : n->channel;
        if ((rc = pb_notify_enqueue(c, &one, NULL, err)))
            return rc;
    }
    if (count)
        *count = k;
    return 0;
}

int pb_notify_subscribe(struct pb_ctx *c, int64_t account_id, const char *topic,
                        const char *channel, struct pb_err *err)
{
    int rc;
    (void)err;
    if (!channel)
        return pb_q_exec(c->db, NULL,
                         "DELETE FROM notification_subscription WHERE account_id = ? AND topic = ?",
                         "it", account_id, topic);
    rc = pb_q_exec(c->db, NULL,
                   "INSERT INTO notification_subscription (account_id, topic, channel, created_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (account_id, topic) DO UPDATE SET channel = "
                   "excluded.channel",
                   "itti", account_id, topic, channel, c->now_ms);
    return rc;
}
