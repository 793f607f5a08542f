/* apartment_flow.c: the talent-apartment process (apartment.h): applicants, applications and
 * review, bookings under the working-day rule, check-in, door codes, check-out, the board,
 * statistics, notifications, no-shows and the purge. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/calendar.h"
#include "core/store/db.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "core/util/workday.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_internal.h"
#include "modules/apartments/lock/lock.h"

static const char *const categories[] = {"graduate", "technician_grad", "skill_cert", "pro_title",
                                         NULL};
static const char *const purposes[] = {"job_seeking", "startup", NULL};

/* ---- small helpers ---- */

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static int only_keys(json_t *body, const char *const *allowed, struct pb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        (void)v;
        if (!in_list(key, allowed))
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
    }
    return err->nfields ? pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                                     "the request has unknown fields")
                        : 0;
}

/* A string member: NULL (with a field error when required) if absent or not a string. */
static const char *str_of(json_t *body, const char *key, size_t max_chars, int required,
                          struct pb_err *err)
{
    json_t *v = json_object_get(body, key);
    const char *s;
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (required)
            pb_err_field(err, PB_E_INVALID, key, "required", "「%s」为必填项", "%s is required",
                         key);
        return NULL;
    }
    if (!json_is_string(v)) {
        pb_err_field(err, PB_E_INVALID, key, "type", "「%s」应为文本", "%s must be text", key);
        return NULL;
    }
    s = json_string_value(v);
    if (pb_utf8_len(s) > max_chars) {
        pb_err_field(err, PB_E_INVALID, key, "too_long", "「%s」过长（最多 %zu 字）",
                     "%s is too long (at most %zu characters)", key, max_chars);
        return NULL;
    }
    return s;
}

static int64_t int_of(json_t *body, const char *key, int required, struct pb_err *err)
{
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v)) {
        if (required)
            pb_err_field(err, PB_E_INVALID, key, "required", "「%s」为必填项", "%s is required",
                         key);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        pb_err_field(err, PB_E_INVALID, key, "type", "「%s」应为正整数编号",
                     "%s must be a positive integer id", key);
        return 0;
    }
    return json_integer_value(v);
}

static int64_t day_of(const char *s)
{
    int y, m, d;
    if (!s || pb_date_parse(s, &y, &m, &d))
        return INT64_MIN;
    return pb_days_from_civil(y, m, d);
}

static void day_str(int64_t day, char out[11])
{
    int y, m, d;
    pb_civil_from_days(day, &y, &m, &d);
    pb_date_format(y, m, d, out);
}

static int64_t today_of(struct pb_ctx *c)
{
    int y, m, d;
    pb_cst_date(c->now_ms, &y, &m, &d);
    return pb_days_from_civil(y, m, d);
}

static void put_time(struct pb_buf *out, const char *key, struct pb_stmt *st, int col)
{
    pb_buf_printf(out, ",\"%s\":", key);
    if (pb_stmt_col_null(st, col)) {
        pb_buf_adds(out, "null");
    } else {
        char iso[32];
        pb_iso_utc(pb_stmt_col_int(st, col), iso);
        pb_buf_json_str(out, iso);
    }
}

static void put_text(struct pb_buf *out, const char *key, struct pb_stmt *st, int col)
{
    pb_buf_printf(out, ",\"%s\":", key);
    if (pb_stmt_col_null(st, col))
        pb_buf_adds(out, "null");
    else
        pb_buf_json_str(out, pb_stmt_col_text(st, col));
}

static void put_masked(struct pb_buf *out, const char *key, struct pb_stmt *st, int col, int is_id)
{
    char m[64];
    pb_buf_printf(out, ",\"%s\":", key);
    if (pb_stmt_col_null(st, col)) {
        pb_buf_adds(out, "null");
        return;
    }
    if (is_id)
        pb_idnum_mask(pb_stmt_col_text(st, col), m, sizeof m);
    else
        pb_phone_mask(pb_stmt_col_text(st, col), m, sizeof m);
    pb_buf_json_str(out, m);
}

/* Region scope in SQL: "(? = 1 OR col IN (32 placeholders))", bound by bind_scope. */
#define Q8 "?,?,?,?,?,?,?,?"
#define SCOPE(col) "(? = 1 OR " col " IN (" Q8 "," Q8 "," Q8 "," Q8 "))"
static int bind_scope(struct pb_stmt *st, int idx, const struct pb_principal *p)
{
    pb_stmt_bind_int(st, idx++, p->all_regions ? 1 : 0);
    for (int i = 0; i < PB_SCOPE_MAX; i++)
        pb_stmt_bind_text(st, idx++, i < p->nregions ? p->regions[i] : NULL);
    return idx;
}

static int forbid_unless_staff(struct pb_ctx *c, struct pb_err *err)
{
    if (pb_apt_is_staff(c->who))
        return 0;
    return pb_err_set(err, PB_E_FORBIDDEN, "无权执行此操作", "you may not do this");
}

static int db_fail(struct pb_err *err, int rc)
{
    if (rc == PB_E_RETRY)
        return rc;
    if (!err->detail_en[0] && err->nfields)
        pb_err_set(err, err->rc ? err->rc : rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
    else if (!err->detail_en[0])
        pb_err_set(err, rc, "数据库错误", "database error");
    return rc;
}

/* Insert one outbox message. The body never carries ID numbers or door codes. With no channel
 * configured the message is kept as "logged" (the transport logs a line without personal
 * data). */
int pb_apt_outbox_add(struct pb_ctx *c, const struct pb_apt_settings *s, const char *kind,
                      int64_t account_id, const char *recipient, const char *body,
                      int64_t booking_id)
{
    struct pb_stmt *st;
    const char *channel = s->sms_url[0]       ? "sms"
                          : s->webhook_url[0] ? "webhook"
                          : s->email_url[0]   ? "email"
                                              : "none";
    int rc = pb_db_prepare(c->db,
                           "INSERT INTO notification_outbox (channel, kind, account_id, "
                           "recipient, body, status, created_at, next_attempt_at, booking_id) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc)
        return rc;
    pb_stmt_bind_text(st, 1, channel);
    pb_stmt_bind_text(st, 2, kind);
    pb_stmt_bind_int(st, 3, account_id);
    pb_stmt_bind_text(st, 4, recipient);
    pb_stmt_bind_text(st, 5, body);
    pb_stmt_bind_text(st, 6, strcmp(channel, "none") ? "pending" : "logged");
    pb_stmt_bind_int(st, 7, c->now_ms);
    pb_stmt_bind_int(st, 8, c->now_ms);
    if (booking_id)
        pb_stmt_bind_int(st, 9, booking_id);
    else
        pb_stmt_bind_null(st, 9);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int notify(struct pb_ctx *c, const struct pb_apt_settings *s, const char *kind,
                  int64_t account_id, const char *recipient, const char *body)
{
    return pb_apt_outbox_add(c, s, kind, account_id, recipient, body, 0);
}

static int audit(struct pb_ctx *c, const char *action, const char *resource, int64_t id,
                 const char *region, const char *changes, struct pb_err *err)
{
    char obj[24];
    snprintf(obj, sizeof obj, "%lld", (long long)id);
    return pb_audit_write(c,
                          &(struct pb_audit_rec){.action = action,
                                                 .resource = resource,
                                                 .object_id = id ? obj : "",
                                                 .region_code = region ? region : "",
                                                 .result = "ok",
                                                 .changes = changes ? changes : ""},
                          err);
}

/* ---- throttles (in memory, per process) ---- */

struct throttle_slot {
    char key[72];
    int64_t window_start;
    int count;
};
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;
static struct throttle_slot throttle_tab[512];

/* Count one event for key; return the seconds to wait when more than `max` happened within
 * window_ms, else 0. Only_count=0 checks without counting. */
static int throttle(const char *key, int max, int64_t window_ms, int64_t now, int count)
{
    unsigned h = 2166136261u;
    int wait = 0;
    struct throttle_slot *s;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    pthread_mutex_lock(&throttle_mu);
    s = &throttle_tab[h % PB_ARRAY_LEN(throttle_tab)];
    if (strcmp(s->key, key) || now - s->window_start >= window_ms) {
        pb_strlcpy(s->key, key, sizeof s->key);
        s->window_start = now;
        s->count = 0;
    }
    if (s->count >= max)
        wait = (int)((s->window_start + window_ms - now) / 1000) + 1;
    else if (count)
        s->count++;
    pthread_mutex_unlock(&throttle_mu);
    return wait;
}

void pb_apt_throttle_reset(void)
{
    pthread_mutex_lock(&throttle_mu);
    memset(throttle_tab, 0, sizeof throttle_tab);
    pthread_mutex_unlock(&throttle_mu);
}

/* ---- registration ---- */

struct reg_args {
    struct pb_ctx *c;
    int64_t id;
    const char *phone;
};

static int reg_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct reg_args *a = ctx;
    struct pb_stmt *st;
    int rc = pb_db_prepare(
        db, "INSERT INTO applicant (account_id, phone, created_at) VALUES (?, ?, ?)", &st);
    (void)err;
    if (rc)
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    pb_stmt_bind_text(st, 2, a->phone);
    pb_stmt_bind_int(st, 3, a->c->now_ms);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_apt_register(struct pb_ctx *c, json_t *body, int64_t *id, struct pb_err *err)
{
    static const char *const keys[] = {"username", "password", "phone", NULL};
    const char *u, *p, *ph;
    char tkey[80];
    int wait, rc;
    struct reg_args a = {c, 0, NULL};
    if (only_keys(body, keys, err))
        return err->rc;
    /* Self-registration is public: 10 accounts per address per hour is plenty for a family
     * sharing a connection and stops a script filling the table. */
    snprintf(tkey, sizeof tkey, "reg:%s", c->client_addr ? c->client_addr : "");
    if ((wait = throttle(tkey, 10, 3600 * 1000LL, c->now_ms, 0)) > 0) {
        err->retry_after = wait;
        return pb_err_set(err, PB_E_THROTTLED, "注册过于频繁，请稍后再试",
                          "too many registrations from this address; try again later");
    }
    u = str_of(body, "username", 32, 1, err);
    p = str_of(body, "password", PB_PASSWORD_MAX, 1, err);
    ph = str_of(body, "phone", 11, 1, err);
    if (ph && pb_mobile_check(ph))
        pb_err_field(err, PB_E_INVALID, "phone", "invalid_phone", "请输入 11 位手机号码",
                     "enter an 11-digit mainland mobile number");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    throttle(tkey, 10, 3600 * 1000LL, c->now_ms, 1);
    if ((rc = pb_account_create(c, u, "", PB_ROLE_APPLICANT, NULL, 0, NULL, 0, p, 0, &a.id, err)))
        return rc;
    a.phone = ph;
    if ((rc = pb_db_tx(c->db, 1, reg_tx, &a, err)) < 0)
        return db_fail(err, rc);
    *id = a.id;
    return 0;
}

/* ---- applications ---- */

#define APP_COLS                                                                                   \
    "id, account_id, apartment_id, region_code, name, id_number, male, phone, category, "          \
    "cert_numbers, purpose, intended_check_in, intended_check_out, status, review_reason, "        \
    "reviewed_at, created_at, updated_at, purged_at, version"

static void put_application(struct pb_buf *out, struct pb_stmt *st)
{
    pb_buf_printf(out, "{\"id\":%lld,\"account_id\":%lld,\"apartment_id\":%lld",
                  (long long)pb_stmt_col_int(st, 0), (long long)pb_stmt_col_int(st, 1),
                  (long long)pb_stmt_col_int(st, 2));
    put_text(out, "region_code", st, 3);
    put_text(out, "name", st, 4);
    put_masked(out, "id_number", st, 5, 1);
    pb_buf_printf(out, ",\"gender\":\"%s\"", pb_stmt_col_int(st, 6) ? "male" : "female");
    put_masked(out, "phone", st, 7, 0);
    put_text(out, "category", st, 8);
    put_text(out, "cert_numbers", st, 9);
    put_text(out, "purpose", st, 10);
    put_text(out, "intended_check_in", st, 11);
    put_text(out, "intended_check_out", st, 12);
    put_text(out, "status", st, 13);
    put_text(out, "review_reason", st, 14);
    put_time(out, "reviewed_at", st, 15);
    put_time(out, "created_at", st, 16);
    put_time(out, "updated_at", st, 17);
    pb_buf_printf(out, ",\"purged\":%s,\"version\":%lld}",
                  pb_stmt_col_null(st, 18) ? "false" : "true", (long long)pb_stmt_col_int(st, 19));
}

struct app_args {
    struct pb_ctx *c;
    json_t *body;
    const char *name, *phone, *category, *certs, *purpose, *ci, *co;
    char id18[19];
    int male;
    int64_t apartment_id, id;
    struct pb_buf *out;
    const char *decision, *reason, *field;
    struct pb_apt_settings set;
};

static int app_create_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct app_args *a = ctx;
    struct pb_stmt *st;
    char secret[65], pkey[65], region[16] = "", msg[160];
    int rc, status_ok = 0;
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = pb_db_prepare(
             db,
             "SELECT region_code, COALESCE(status, 'available') FROM apartment WHERE id = ? AND "
             "archived_at IS NULL",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->apartment_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        status_ok = !strcmp(pb_stmt_col_text(st, 1), "available");
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0])
        return pb_err_field(err, PB_E_INVALID, "apartment_id", "not_found", "所选公寓不存在",
                            "no such apartment");
    if (!status_ok)
        return pb_err_field(err, PB_E_INVALID, "apartment_id", "out_of_service", "所选公寓暂停服务",
                            "this apartment is out of service");
    /* One open application per account: a pending one is reviewed before another. */
    if ((rc = pb_db_prepare(db,
                            "SELECT COUNT(*) FROM apartment_application WHERE account_id = ? AND "
                            "status = 'pending'",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->who->account_id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW && pb_stmt_col_int(st, 0) > 0)
        rc = PB_E_CONFLICT;
    pb_stmt_done(st);
    if (rc == PB_E_CONFLICT)
        return pb_err_field(err, PB_E_CONFLICT, "application", "pending_exists",
                            "您已有一份待审核的申请，请等待审核结果",
                            "you already have an application awaiting review");
    if (rc < 0)
        return rc;
    if ((rc = pb_apt_secret(db, secret, err)))
        return rc;
    pb_apt_keyed_hash(secret, "person", a->id18, pkey);
    if ((rc = pb_db_prepare(
             db,
             "INSERT INTO apartment_application (account_id, apartment_id, region_code, name, "
             "id_number, person_key, male, phone, category, cert_numbers, purpose, "
             "intended_check_in, intended_check_out, status, created_at, updated_at) VALUES "
             "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING " APP_COLS,
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->who->account_id);
    pb_stmt_bind_int(st, 2, a->apartment_id);
    pb_stmt_bind_text(st, 3, region);
    pb_stmt_bind_text(st, 4, a->name);
    pb_stmt_bind_text(st, 5, a->id18);
    pb_stmt_bind_text(st, 6, pkey);
    pb_stmt_bind_int(st, 7, a->male);
    pb_stmt_bind_text(st, 8, a->phone);
    pb_stmt_bind_text(st, 9, a->category);
    pb_stmt_bind_text(st, 10, a->certs);
    pb_stmt_bind_text(st, 11, a->purpose);
    pb_stmt_bind_text(st, 12, a->ci);
    pb_stmt_bind_text(st, 13, a->co);
    pb_stmt_bind_int(st, 14, a->c->now_ms);
    pb_stmt_bind_int(st, 15, a->c->now_ms);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        a->id = pb_stmt_col_int(st, 0);
        pb_buf_reset(a->out);
        put_application(a->out, st);
    }
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_INTERNAL;
    /* The audit names the category, never the ID number or the phone. */
    snprintf(msg, sizeof msg, "{\"category\":\"%s\",\"apartment_id\":%lld}", a->category,
             (long long)a->apartment_id);
    if ((rc = audit(a->c, "create", "apartment_applications", a->id, region, msg, err)))
        return rc;
    snprintf(msg, sizeof msg, "您的人才公寓申请（编号 %lld）已提交，请等待审核。",
             (long long)a->id);
    return notify(a->c, &a->set, "application_received", a->c->who->account_id, a->phone, msg);
}

int pb_apt_application_create(struct pb_ctx *c, json_t *body, struct pb_buf *out, int64_t *id,
                              struct pb_err *err)
{
    static const char *const keys[] = {"apartment_id",
                                       "name",
                                       "id_number",
                                       "phone",
                                       "category",
                                       "cert_numbers",
                                       "purpose",
                                       "intended_check_in",
                                       "intended_check_out",
                                       NULL};
    struct app_args a;
    struct pb_idnum_info info;
    const char *idn;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.out = out;
    if (c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "请使用申请人账号提交申请",
                          "applications are made with an applicant account");
    if (only_keys(body, keys, err))
        return err->rc;
    a.apartment_id = int_of(body, "apartment_id", 1, err);
    a.name = str_of(body, "name", 50, 1, err);
    idn = str_of(body, "id_number", 18, 1, err);
    a.phone = str_of(body, "phone", 11, 1, err);
    a.category = str_of(body, "category", 20, 1, err);
    a.certs = str_of(body, "cert_numbers", 500, 1, err);
    a.purpose = str_of(body, "purpose", 20, 1, err);
    a.ci = str_of(body, "intended_check_in", 10, 0, err);
    a.co = str_of(body, "intended_check_out", 10, 0, err);
    if (idn) {
        switch (pb_idnum_check(idn, a.id18, &info, pb_cst_today_ymd())) {
        case PB_IDNUM_OK:
            a.male = info.male;
            break;
        case PB_IDNUM_BAD_DATE:
            pb_err_field(err, PB_E_INVALID, "id_number", "bad_date", "身份证号码中的出生日期不存在",
                         "the birth date in the ID number does "
                         "not exist");
            break;
        case PB_IDNUM_BAD_CHECK:
            pb_err_field(err, PB_E_INVALID, "id_number", "bad_check",
                         "身份证号码校验位不正确，请核对",
                         "the ID number's check character is "
                         "wrong; please check it");
            break;
        case PB_IDNUM_FUTURE:
            pb_err_field(err, PB_E_INVALID, "id_number", "future_birth",
                         "身份证号码中的出生日期晚于今天", "the birth date is in the future");
            break;
        default:
            pb_err_field(err, PB_E_INVALID, "id_number", "format",
                         "身份证号码应为 18 位（最后一位可为 X）",
                         "an ID number has 18 characters (the last may be X)");
        }
    }
    if (a.phone && pb_mobile_check(a.phone))
        pb_err_field(err, PB_E_INVALID, "phone", "invalid_phone", "请输入 11 位手机号码",
                     "enter an 11-digit mainland mobile number");
    if (a.category && !in_list(a.category, categories))
        pb_err_field(err, PB_E_INVALID, "category", "invalid_choice",
                     "人才类别应为 graduate、technician_grad、skill_cert 或 pro_title",
                     "category must be graduate, technician_grad, skill_cert or pro_title");
    if (a.purpose && !in_list(a.purpose, purposes))
        pb_err_field(err, PB_E_INVALID, "purpose", "invalid_choice",
                     "目的应为 job_seeking（求职）或 startup（创业）",
                     "purpose must be job_seeking or startup");
    if (a.ci && day_of(a.ci) == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "intended_check_in", "invalid_date",
                     "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD");
    if (a.co && day_of(a.co) == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "intended_check_out", "invalid_date",
                     "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD");
    if (a.ci && a.co && day_of(a.ci) != INT64_MIN && day_of(a.co) != INT64_MIN &&
        day_of(a.co) <= day_of(a.ci))
        pb_err_field(err, PB_E_INVALID, "intended_check_out", "before_check_in",
                     "退房日期须晚于入住日期", "check-out must be after check-in");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    rc = pb_db_tx(c->db, 1, app_create_tx, &a, err);
    memset(a.id18, 0, sizeof a.id18);
    if (rc < 0)
        return db_fail(err, rc);
    *id = a.id;
    return 0;
}

int pb_apt_applications_list(struct pb_ctx *c, const char *status, struct pb_buf *out,
                             struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0, idx;
    static const char *const sts[] = {"pending", "approved", "rejected", "withdrawn", NULL};
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (status && !in_list(status, sts))
        return pb_err_field(err, PB_E_INVALID, "status", "invalid_choice",
                            "状态应为 pending、approved、rejected 或 withdrawn",
                            "status must be pending, approved, rejected or withdrawn");
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT " APP_COLS " FROM apartment_application WHERE (CAST(? AS TEXT) IS NULL "
             "OR status = ?) AND " SCOPE("region_code") " ORDER BY id DESC LIMIT 500",
             &st)))
        return db_fail(err, rc);
    pb_stmt_bind_text(st, 1, status);
    pb_stmt_bind_text(st, 2, status);
    idx = bind_scope(st, 3, c->who);
    (void)idx;
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_application(out, st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    pb_buf_printf(out, "],\"total\":%d}", n);
    return 0;
}

/* Load one application the caller may see (staff in scope, or its applicant). */
static int app_visible(struct pb_ctx *c, int64_t id, struct pb_stmt **out_st, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(c->db, "SELECT " APP_COLS " FROM apartment_application WHERE id = ?",
                            &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW ||
        (pb_apt_is_staff(c->who) ? !pb_principal_region_ok(c->who, pb_stmt_col_text(st, 3))
                                 : pb_stmt_col_int(st, 1) != c->who->account_id)) {
        pb_stmt_done(st);
        if (rc < 0)
            return db_fail(err, rc);
        return pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
    }
    *out_st = st;
    return 0;
}

int pb_apt_application_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st = NULL;
    int rc;
    if ((rc = app_visible(c, id, &st, err)))
        return rc;
    put_application(out, st);
    pb_stmt_done(st);
    return 0;
}

static int review_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct app_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    int64_t account = 0;
    char region[16] = "", phone[32] = "", status[16] = "", msg[400];
    const char *next = !strcmp(a->decision, "approve") ? "approved" : "rejected";
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, status, account_id, phone FROM "
                            "apartment_application WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        pb_strlcpy(status, pb_stmt_col_text(st, 1), sizeof status);
        account = pb_stmt_col_int(st, 2);
        pb_strlcpy(phone, pb_stmt_col_text(st, 3), sizeof phone);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0] || !pb_principal_region_ok(a->c->who, region))
        return pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
    if (strcmp(status, "pending"))
        return pb_err_field(err, PB_E_CONFLICT, "status", "not_pending",
                            "该申请已审核（当前状态：%s）",
                            "the application was already reviewed "
                            "(status %s)",
                            status, status);
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_application SET status = ?, review_reason = ?, "
                            "reviewed_by = ?, reviewed_at = ?, updated_at = ?, version = version "
                            "+ 1 WHERE id = ? AND status = 'pending' RETURNING " APP_COLS,
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, next);
    pb_stmt_bind_text(st, 2, a->reason);
    pb_stmt_bind_int(st, 3, a->c->who->account_id);
    pb_stmt_bind_int(st, 4, a->c->now_ms);
    pb_stmt_bind_int(st, 5, a->c->now_ms);
    pb_stmt_bind_int(st, 6, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_reset(a->out);
        put_application(a->out, st);
    }
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_CONFLICT;
    {
        struct pb_buf ch;
        pb_buf_init(&ch, 4096);
        pb_buf_printf(&ch, "{\"status\":[\"pending\",\"%s\"],\"reason\":", next);
        pb_buf_json_str(&ch, a->reason ? a->reason : "");
        pb_buf_addc(&ch, '}');
        rc = audit(a->c, "review", "apartment_applications", a->id, region, pb_buf_cstr(&ch), err);
        pb_buf_release(&ch);
        if (rc)
            return rc;
    }
    if (!strcmp(next, "approved"))
        snprintf(msg, sizeof msg,
                 "您的人才公寓申请（编号 %lld）已通过审核，请登录选择床位并预订（须提前 %d "
                 "个工作日）。",
                 (long long)a->id, a->set.min_workdays);
    else
        snprintf(msg, sizeof msg, "您的人才公寓申请（编号 %lld）未通过审核。原因：%.200s",
                 (long long)a->id, a->reason ? a->reason : "");
    return notify(a->c, &a->set,
                  !strcmp(next, "approved") ? "application_approved" : "application_rejected",
                  account, phone, msg);
}

int pb_apt_review(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                  struct pb_err *err)
{
    static const char *const keys[] = {"decision", "reason", NULL};
    struct app_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (only_keys(body, keys, err))
        return err->rc;
    a.decision = str_of(body, "decision", 10, 1, err);
    a.reason = str_of(body, "reason", 500, 0, err);
    if (a.decision && strcmp(a.decision, "approve") && strcmp(a.decision, "reject"))
        pb_err_field(err, PB_E_INVALID, "decision", "invalid_choice",
                     "审核结果应为 approve 或 reject", "decision must be approve or reject");
    if (a.decision && !strcmp(a.decision, "reject") && !a.reason)
        pb_err_field(err, PB_E_INVALID, "reason", "required", "不予通过时须说明原因",
                     "a rejection needs a reason");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    rc = pb_db_tx(c->db, 1, review_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

/* The applicant withdraws an application still awaiting review. */
static int withdraw_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct app_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    int64_t account = 0;
    char region[16] = "", status[16] = "";
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, status, account_id FROM apartment_application "
                            "WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        pb_strlcpy(status, pb_stmt_col_text(st, 1), sizeof status);
        account = pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0] || account != a->c->who->account_id)
        return pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
    if (strcmp(status, "pending"))
        return pb_err_field(
            err, PB_E_CONFLICT, "status", "not_pending", "只能撤回尚未审核的申请（当前状态：%s）",
            "only an application awaiting review can be withdrawn (status %s)", status, status);
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_application SET status = 'withdrawn', updated_at = "
                            "?, version = version + 1 WHERE id = ? AND status = 'pending' "
                            "RETURNING " APP_COLS,
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms);
    pb_stmt_bind_int(st, 2, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_reset(a->out);
        put_application(a->out, st);
    }
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_CONFLICT;
    return audit(a->c, "withdraw", "apartment_applications", a->id, region,
                 "{\"status\":[\"pending\",\"withdrawn\"]}", err);
}

int pb_apt_withdraw(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct app_args a;
    int rc;
    if (c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有申请人本人可以撤回申请",
                          "only the applicant may withdraw an application");
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, withdraw_tx, &a, err);
    if (rc < 0 && !err->detail_en[0] && err->nfields)
        pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
    return rc < 0 ? db_fail(err, rc) : 0;
}

static int unmask_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct app_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    char region[16] = "";
    struct pb_buf ch;
    if ((rc =
             pb_db_prepare(db,
                           !strcmp(a->field, "phone")
                               ? "SELECT region_code, phone FROM apartment_application WHERE id = ?"
                               : "SELECT region_code, id_number FROM apartment_application WHERE "
                                 "id = ?",
                           &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW &&
        pb_principal_region_ok(a->c->who, pb_stmt_col_text(st, 0))) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        pb_buf_reset(a->out);
        pb_buf_printf(a->out, "{\"id\":%lld,\"field\":\"%s\",\"value\":", (long long)a->id,
                      a->field);
        if (pb_stmt_col_null(st, 1))
            pb_buf_adds(a->out, "null");
        else
            pb_buf_json_str(a->out, pb_stmt_col_text(st, 1));
        pb_buf_addc(a->out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "申请不存在", "no such application");
    pb_buf_init(&ch, 4096);
    pb_buf_printf(&ch, "{\"field\":\"%s\",\"reason\":", a->field);
    pb_buf_json_str(&ch, a->reason);
    pb_buf_addc(&ch, '}');
    rc = audit(a->c, "unmask", "apartment_applications", a->id, region, pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    return rc;
}

int pb_apt_unmask(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                  struct pb_err *err)
{
    static const char *const keys[] = {"field", "reason", NULL};
    struct app_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (only_keys(body, keys, err))
        return err->rc;
    a.field = str_of(body, "field", 20, 1, err);
    a.reason = str_of(body, "reason", 200, 1, err);
    if (a.field && strcmp(a.field, "id_number") && strcmp(a.field, "phone"))
        pb_err_field(err, PB_E_INVALID, "field", "invalid_choice", "只能查看 id_number 或 phone",
                     "field must be id_number or phone");
    if (a.reason && pb_utf8_len(a.reason) < 4)
        pb_err_field(err, PB_E_INVALID, "reason", "too_short", "请写明查看完整号码的理由",
                     "state why the full number is needed");
    if (err->nfields)
        return pb_err_set(err, err->rc, "查看完整号码须说明理由",
                          "the full number needs a stated reason");
    rc = pb_db_tx(c->db, 1, unmask_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

/* ---- bookings ---- */

#define BOOK_COLS                                                                                  \
    "b.id, b.application_id, b.account_id, b.bed_id, b.room_id, b.apartment_id, b.region_code, "   \
    "b.check_in, b.check_out, b.nights, b.status, b.agreement_version, b.agreement_accepted_at, "  \
    "b.checked_in_at, b.checked_out_at, b.code_hash, b.code_shown_at, b.code_revoked_at, "         \
    "b.created_at, b.version, a.name, a.id_number, r.number, bd.label, bd.slot, r.lock_key"
#define BOOK_FROM                                                                                  \
    " FROM apartment_booking b JOIN apartment_application a ON a.id = b.application_id JOIN "      \
    "apartment_room r ON r.id = b.room_id JOIN apartment_bed bd ON bd.id = b.bed_id"

/* Booking JSON. Staff and the applicant see the same members; the door code is never one of
 * them (only whether it was issued, shown or revoked). */
static void put_booking(struct pb_buf *out, struct pb_stmt *st)
{
    pb_buf_printf(out,
                  "{\"id\":%lld,\"application_id\":%lld,\"account_id\":%lld,\"bed_id\":%lld,"
                  "\"room_id\":%lld,\"apartment_id\":%lld",
                  (long long)pb_stmt_col_int(st, 0), (long long)pb_stmt_col_int(st, 1),
                  (long long)pb_stmt_col_int(st, 2), (long long)pb_stmt_col_int(st, 3),
                  (long long)pb_stmt_col_int(st, 4), (long long)pb_stmt_col_int(st, 5));
    put_text(out, "region_code", st, 6);
    put_text(out, "check_in", st, 7);
    put_text(out, "check_out", st, 8);
    pb_buf_printf(out, ",\"nights\":%lld", (long long)pb_stmt_col_int(st, 9));
    put_text(out, "status", st, 10);
    put_text(out, "agreement_version", st, 11);
    put_time(out, "agreement_accepted_at", st, 12);
    put_time(out, "checked_in_at", st, 13);
    put_time(out, "checked_out_at", st, 14);
    pb_buf_printf(out, ",\"door_code_issued\":%s", pb_stmt_col_null(st, 15) ? "false" : "true");
    put_time(out, "door_code_shown_at", st, 16);
    put_time(out, "door_code_revoked_at", st, 17);
    put_time(out, "created_at", st, 18);
    pb_buf_printf(out, ",\"version\":%lld", (long long)pb_stmt_col_int(st, 19));
    put_text(out, "name", st, 20);
    put_masked(out, "id_number", st, 21, 1);
    put_text(out, "room_number", st, 22);
    put_text(out, "bed_label", st, 23);
    pb_buf_addc(out, '}');
}

struct book_args {
    struct pb_ctx *c;
    int64_t id, bed_id, ci_day, co_day;
    const char *ci, *co, *id_number, *agreement;
    struct pb_buf *out;
    struct pb_apt_settings set;
    char *earliest;
    int nights;
    int id_mismatch; /* check-in: the ID did not match (audited after the rollback) */
    char region[16];
    int64_t n; /* released / purged counts */
};

/* No-shows: a booking not checked in by the end of its check-in day frees its bed the next
 * day. Runs inside the caller's write transaction; one audit record per booking. */
static int release_no_shows(struct pb_ctx *c, int64_t *count, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    int64_t ids[64];
    char regions[64][16], today[11];
    day_str(today_of(c), today);
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, region_code FROM apartment_booking WHERE status = 'booked' "
                            "AND check_in < ? ORDER BY id LIMIT 64",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, today);
    while ((rc = pb_stmt_step(st)) == PB_ROW && n < 64) {
        ids[n] = pb_stmt_col_int(st, 0);
        pb_strlcpy(regions[n], pb_stmt_col_text(st, 1), sizeof regions[n]);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if ((rc = pb_db_prepare(c->db,
                                "UPDATE apartment_booking SET status = 'no_show', updated_at = ?, "
                                "version = version + 1 WHERE id = ? AND status = 'booked'",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, c->now_ms);
        pb_stmt_bind_int(st, 2, ids[i]);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if ((rc =
                 pb_db_prepare(c->db, "DELETE FROM apartment_bed_night WHERE booking_id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, ids[i]);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        {
            /* The release is the system's doing, whoever's request triggered it. */
            const struct pb_principal *who = c->who;
            c->who = &pb_principal_system;
            rc = audit(c, "no_show", "apartment_bookings", ids[i], regions[i],
                       "{\"status\":[\"booked\",\"no_show\"]}", err);
            c->who = who;
            if (rc)
                return rc;
        }
    }
    if (count)
        *count += n;
    return 0;
}

static int booking_create_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    struct pb_cal *cal;
    int rc, pub, male = 0, slot = 0;
    int64_t app_id = 0, app_apartment = 0, room_id = 0, apartment_id = 0, earliest, used = 0;
    char pkey[65] = "", region[16] = "", phone[32] = "", gender[16] = "", bstatus[24] = "",
         rstatus[24] = "", astatus[24] = "", from[11], msg[300];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = release_no_shows(c, NULL, err)))
        return rc;
    /* Rule: only an approved applicant books. */
    if ((rc = pb_db_prepare(db,
                            "SELECT id, person_key, male, apartment_id, phone FROM "
                            "apartment_application WHERE account_id = ? AND status = 'approved' "
                            "AND purged_at IS NULL ORDER BY id DESC LIMIT 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->who->account_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        app_id = pb_stmt_col_int(st, 0);
        pb_strlcpy(pkey, pb_stmt_col_text(st, 1), sizeof pkey);
        male = (int)pb_stmt_col_int(st, 2);
        app_apartment = pb_stmt_col_int(st, 3);
        pb_strlcpy(phone, pb_stmt_col_text(st, 4), sizeof phone);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!app_id)
        return pb_err_field(err, PB_E_INVALID, "application", "not_approved",
                            "您还没有通过审核的申请，审核通过后才能预订",
                            "you have no approved application; book once it is approved");
    /* Rule: at least N working days ahead (the booking day not counted). */
    cal = pb_arena_alloc(c->arena, sizeof *cal);
    if ((rc = pb_calendar_load(db, cal, err)))
        return rc;
    earliest = pb_cal_workday_after(cal, today_of(c), a->set.min_workdays, &pub);
    if (a->ci_day < earliest) {
        char e[11];
        day_str(earliest, e);
        if (a->earliest)
            pb_strlcpy(a->earliest, e, 11);
        pb_err_field(err, PB_E_INVALID, "check_in", "too_early",
                     "须提前至少 %d 个工作日预约（预约当天不计），最早可入住日期为 %s",
                     "bookings are made at least %d working days ahead (the booking day not "
                     "counted): the earliest check-in date is %s",
                     a->set.min_workdays, e);
        return pb_err_set(err, PB_E_INVALID, "最早可入住日期为 %s",
                          "the earliest check-in date is %s", e);
    }
    /* Rule: the bed exists, is in service, in the apartment applied for, and fits the room's
     * gender rule. */
    if ((rc = pb_db_prepare(db,
                            "SELECT bd.slot, COALESCE(bd.status, 'available'), r.id, "
                            "COALESCE(r.status, 'available'), COALESCE(r.gender_rule, 'any'), "
                            "a.id, COALESCE(a.status, 'available'), bd.region_code FROM "
                            "apartment_bed bd JOIN apartment_room r "
                            "ON r.id = bd.room_id JOIN apartment a ON a.id = r.apartment_id WHERE "
                            "bd.id = ? AND bd.archived_at IS NULL AND r.archived_at IS NULL AND "
                            "a.archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->bed_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        slot = (int)pb_stmt_col_int(st, 0);
        pb_strlcpy(bstatus, pb_stmt_col_text(st, 1), sizeof bstatus);
        room_id = pb_stmt_col_int(st, 2);
        pb_strlcpy(rstatus, pb_stmt_col_text(st, 3), sizeof rstatus);
        pb_strlcpy(gender, pb_stmt_col_text(st, 4), sizeof gender);
        apartment_id = pb_stmt_col_int(st, 5);
        pb_strlcpy(astatus, pb_stmt_col_text(st, 6), sizeof astatus);
        pb_strlcpy(region, pb_stmt_col_text(st, 7), sizeof region);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!room_id)
        return pb_err_field(err, PB_E_INVALID, "bed_id", "not_found", "床位不存在", "no such bed");
    if (apartment_id != app_apartment)
        return pb_err_field(err, PB_E_INVALID, "bed_id", "other_apartment",
                            "只能预订所申请公寓的床位",
                            "book a bed of the apartment you applied for");
    if (strcmp(bstatus, "available") || strcmp(rstatus, "available") ||
        strcmp(astatus, "available"))
        return pb_err_field(err, PB_E_INVALID, "bed_id", "out_of_service",
                            "该床位暂停使用，请选择其他床位",
                            "this bed is out of service; choose another");
    if ((!strcmp(gender, "male") && !male) || (!strcmp(gender, "female") && male))
        return pb_err_field(err, PB_E_INVALID, "bed_id", "gender_rule", "该房间仅限%s入住",
                            "this room is for %s only", !strcmp(gender, "male") ? "男性" : "女性",
                            !strcmp(gender, "male") ? "men" : "women");
    /* Rule: one active booking per person (the unique index holds it under concurrency). */
    if ((rc = pb_db_prepare(db,
                            "SELECT id FROM apartment_booking WHERE person_key = ? AND status IN "
                            "('booked', 'checked_in')",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, pkey);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        long long other = (long long)pb_stmt_col_int(st, 0);
        pb_stmt_done(st);
        return pb_err_field(err, PB_E_CONFLICT, "booking", "active_booking",
                            "每人同一时间只能有一个有效预订（预订 %lld 尚未结束）",
                            "one active booking per person (booking %lld is still open)", other,
                            other);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* Rule: at most max_nights nights per person within period_days. */
    day_str(a->ci_day - a->set.period_days, from);
    if ((rc = pb_db_prepare(db,
                            "SELECT COALESCE(SUM(nights), 0) FROM apartment_booking WHERE "
                            "person_key = ? AND status IN ('booked', 'checked_in', "
                            "'checked_out') AND check_in > ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, pkey);
    pb_stmt_bind_text(st, 2, from);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        used = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (used + a->nights > a->set.max_nights) {
        long long left = a->set.max_nights - used < 0 ? 0 : a->set.max_nights - used;
        return pb_err_field(err, PB_E_INVALID, "check_out", "nights_exceeded",
                            "每人在 %d 天内累计最多入住 %d 晚：已用 %lld 晚，本次最多还可预订 "
                            "%lld 晚",
                            "at most %d nights per person within %d days: %lld used, at most "
                            "%lld left",
                            a->set.period_days, a->set.max_nights, (long long)used, left,
                            a->set.max_nights, a->set.period_days, (long long)used, left);
    }
    (void)slot;
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO apartment_booking (application_id, account_id, "
                            "person_key, bed_id, room_id, apartment_id, region_code, check_in, "
                            "check_out, nights, status, created_at, updated_at) VALUES (?, ?, ?, "
                            "?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, app_id);
    pb_stmt_bind_int(st, 2, c->who->account_id);
    pb_stmt_bind_text(st, 3, pkey);
    pb_stmt_bind_int(st, 4, a->bed_id);
    pb_stmt_bind_int(st, 5, room_id);
    pb_stmt_bind_int(st, 6, apartment_id);
    pb_stmt_bind_text(st, 7, region);
    pb_stmt_bind_text(st, 8, a->ci);
    pb_stmt_bind_text(st, 9, a->co);
    pb_stmt_bind_int(st, 10, a->nights);
    pb_stmt_bind_int(st, 11, c->now_ms);
    pb_stmt_bind_int(st, 12, c->now_ms);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        a->id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc == PB_E_CONFLICT)
        return pb_err_field(err, PB_E_CONFLICT, "booking", "active_booking",
                            "每人同一时间只能有一个有效预订", "one active booking per person");
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_INTERNAL;
    /* Rule: no double-booked bed. One row per bed-night; the primary key refuses the second
     * booking of a night whatever the interleaving, on both databases. */
    for (int64_t d = a->ci_day; d < a->co_day; d++) {
        char night[11];
        day_str(d, night);
        if ((rc = pb_db_prepare(db,
                                "INSERT INTO apartment_bed_night (bed_id, night, booking_id) "
                                "VALUES (?, ?, ?)",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->bed_id);
        pb_stmt_bind_text(st, 2, night);
        pb_stmt_bind_int(st, 3, a->id);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc == PB_E_CONFLICT)
            return pb_err_field(err, PB_E_CONFLICT, "bed_id", "bed_taken",
                                "该床位在 %s 已被预订，请选择其他床位或日期",
                                "this bed is already booked on the night of %s; choose another "
                                "bed or dates",
                                night, night);
        if (rc < 0)
            return rc;
    }
    snprintf(msg, sizeof msg, "{\"bed_id\":%lld,\"check_in\":\"%s\",\"check_out\":\"%s\"}",
             (long long)a->bed_id, a->ci, a->co);
    if ((rc = audit(c, "create", "apartment_bookings", a->id, region, msg, err)))
        return rc;
    snprintf(msg, sizeof msg,
             "预订成功（编号 %lld）：%s 入住，%s 退房。入住当天请携带本人身份证原件到服务台办理"
             "入住登记，仅限本人入住。",
             (long long)a->id, a->ci, a->co);
    if ((rc = pb_apt_outbox_add(c, &a->set, "booking_confirmed", c->who->account_id, phone, msg,
                                a->id)))
        return rc;
    if ((rc = pb_db_prepare(db, "SELECT " BOOK_COLS BOOK_FROM " WHERE b.id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_reset(a->out);
        put_booking(a->out, st);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_apt_booking_create(struct pb_ctx *c, json_t *body, struct pb_buf *out, int64_t *id,
                          char earliest[11], struct pb_err *err)
{
    static const char *const keys[] = {"bed_id", "check_in", "check_out", NULL};
    struct book_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.out = out;
    a.earliest = earliest;
    if (earliest)
        earliest[0] = 0;
    if (c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "请使用申请人本人的账号预订",
                          "bookings are made by the applicant's own account");
    /* Only the applicant stays: a booking has no guest list to fill (an unknown member such as
     * "guests" is refused as any unknown member is). */
    if (only_keys(body, keys, err)) {
        if (json_object_get(body, "guests") || json_object_get(body, "persons"))
            pb_err_set(err, PB_E_BAD_REQUEST, "人才公寓仅限申请人本人入住，不能添加同住人",
                       "only the applicant may stay: a booking is for one person");
        return err->rc;
    }
    a.bed_id = int_of(body, "bed_id", 1, err);
    a.ci = str_of(body, "check_in", 10, 1, err);
    a.co = str_of(body, "check_out", 10, 1, err);
    a.ci_day = day_of(a.ci);
    a.co_day = day_of(a.co);
    if (a.ci && a.ci_day == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "check_in", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "a date is YYYY-MM-DD");
    if (a.co && a.co_day == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "check_out", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "a date is YYYY-MM-DD");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    if (a.co_day <= a.ci_day)
        return pb_err_field(err, PB_E_INVALID, "check_out", "before_check_in",
                            "退房日期须晚于入住日期", "check-out must be after check-in");
    if (a.co_day - a.ci_day > PB_LOCK_MAX_NIGHTS)
        return pb_err_field(err, PB_E_INVALID, "check_out", "nights_exceeded",
                            "单次最多入住 %d 晚（15 天）", "at most %d nights (15 days) per stay",
                            PB_LOCK_MAX_NIGHTS, PB_LOCK_MAX_NIGHTS);
    a.nights = (int)(a.co_day - a.ci_day);
    rc = pb_db_tx(c->db, 1, booking_create_tx, &a, err);
    if (rc < 0) {
        if (!err->detail_en[0] && err->nfields)
            pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
        return db_fail(err, rc);
    }
    *id = a.id;
    return 0;
}

/* Load a booking for an action: staff in scope, or (own=1 allowed) its applicant. Returns the
 * statement positioned on the row (caller calls pb_stmt_done). */
static int booking_load(struct pb_ctx *c, int64_t id, int applicant_ok, struct pb_stmt **out,
                        struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, ok;
    if ((rc = pb_db_prepare(c->db, "SELECT " BOOK_COLS BOOK_FROM " WHERE b.id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW) {
        pb_stmt_done(st);
        return rc < 0 ? rc : pb_err_set(err, PB_E_NOT_FOUND, "预订不存在", "no such booking");
    }
    ok = pb_apt_is_staff(c->who) ? pb_principal_region_ok(c->who, pb_stmt_col_text(st, 6))
                                 : applicant_ok && c->who->role == PB_ROLE_APPLICANT &&
                                       pb_stmt_col_int(st, 2) == c->who->account_id;
    if (!ok) {
        pb_stmt_done(st);
        return pb_err_set(err, PB_E_NOT_FOUND, "预订不存在", "no such booking");
    }
    *out = st;
    return 0;
}

static int booking_reload(struct book_args *a)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(a->c->db, "SELECT " BOOK_COLS BOOK_FROM " WHERE b.id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_reset(a->out);
        put_booking(a->out, st);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_apt_booking_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = booking_load(c, id, 1, &st, err)))
        return db_fail(err, rc);
    put_booking(out, st);
    pb_stmt_done(st);
    return 0;
}

static int cancel_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    int64_t ci;
    char status[24];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = booking_load(a->c, a->id, 1, &st, err)))
        return rc;
    pb_strlcpy(status, pb_stmt_col_text(st, 10), sizeof status);
    pb_strlcpy(a->region, pb_stmt_col_text(st, 6), sizeof a->region);
    ci = day_of(pb_stmt_col_text(st, 7));
    pb_stmt_done(st);
    if (strcmp(status, "booked"))
        return pb_err_field(err, PB_E_CONFLICT, "status", "not_cancellable",
                            "只能取消尚未入住的预订（当前状态：%s）",
                            "only a booking not yet checked in can be cancelled (status %s)",
                            status, status);
    {
        int y, m, d;
        pb_civil_from_days(ci, &y, &m, &d);
        if (a->c->now_ms >= pb_cst_midnight_ms(y, m, d) + (int64_t)a->set.checkin_min * 60000)
            return pb_err_field(err, PB_E_CONFLICT, "status", "after_check_in_time",
                                "入住时间已到，不能再取消；请到服务台办理",
                                "the check-in time has passed; ask the desk");
    }
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_booking SET status = 'cancelled', updated_at = ?, "
                            "version = version + 1 WHERE id = ? AND status = 'booked'",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db, "DELETE FROM apartment_bed_night WHERE booking_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = audit(a->c, "cancel", "apartment_bookings", a->id, a->region,
                    "{\"status\":[\"booked\",\"cancelled\"]}", err)))
        return rc;
    return booking_reload(a);
}

int pb_apt_booking_cancel(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, cancel_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

int pb_apt_bookings_list(struct pb_ctx *c, const char *date, const char *status, struct pb_buf *out,
                         struct pb_err *err)
{
    static const char *const sts[] = {"booked",    "checked_in", "checked_out",
                                      "cancelled", "no_show",    NULL};
    struct pb_stmt *st;
    int rc, n = 0;
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (date && day_of(date) == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "date", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "a date is YYYY-MM-DD");
    if (status && !in_list(status, sts))
        pb_err_field(err, PB_E_INVALID, "status", "invalid_choice", "状态无效", "unknown status");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查查询参数", "please check the query parameters");
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT " BOOK_COLS BOOK_FROM
             " WHERE (CAST(? AS TEXT) IS NULL OR b.check_in = ?) AND (CAST(? AS TEXT) "
             "IS NULL OR b.status = ?) AND " SCOPE(
                 "b.region_code") " ORDER BY b.check_in DESC, b.id "
                                  "DESC LIMIT 500",
             &st)))
        return db_fail(err, rc);
    pb_stmt_bind_text(st, 1, date);
    pb_stmt_bind_text(st, 2, date);
    pb_stmt_bind_text(st, 3, status);
    pb_stmt_bind_text(st, 4, status);
    bind_scope(st, 5, c->who);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_booking(out, st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    pb_buf_printf(out, "],\"total\":%d}", n);
    return 0;
}

int pb_apt_mine(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    if (c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "仅申请人可用", "for applicants only");
    if ((rc = pb_db_prepare(c->db,
                            "SELECT " APP_COLS " FROM apartment_application WHERE account_id = ? "
                            "ORDER BY id DESC LIMIT 50",
                            &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, c->who->account_id);
    pb_buf_adds(out, "{\"applications\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_application(out, st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    n = 0;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT " BOOK_COLS BOOK_FROM
                            " WHERE b.account_id = ? ORDER BY b.id DESC LIMIT 50",
                            &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, c->who->account_id);
    pb_buf_adds(out, "],\"bookings\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        put_booking(out, st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    pb_buf_adds(out, "]}");
    return 0;
}

/* ---- check-in, door codes, check-out ---- */

static int lock_cfg_of(const char *key_hex, const struct pb_apt_settings *s,
                       struct pb_lock_cfg *cfg)
{
    char text[200];
    snprintf(text, sizeof text, "key = %s\n", key_hex);
    if (pb_lock_cfg_parse(cfg, text))
        return -1;
    memset(text, 0, sizeof text);
    cfg->checkin_min = s->checkin_min;
    cfg->checkout_min = s->checkout_min;
    return 0;
}

static int checkin_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    struct pb_lock_cfg cfg;
    int rc, slot, ok;
    int64_t ci, co, account;
    char status[24], id_stored[24], key[140], code[PB_LOCK_CODE_LEN + 1], secret[65], hash[65],
        hv[48], phone[32] = "";
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = booking_load(c, a->id, 0, &st, err)))
        return rc;
    pb_strlcpy(status, pb_stmt_col_text(st, 10), sizeof status);
    pb_strlcpy(a->region, pb_stmt_col_text(st, 6), sizeof a->region);
    ci = day_of(pb_stmt_col_text(st, 7));
    co = day_of(pb_stmt_col_text(st, 8));
    account = pb_stmt_col_int(st, 2);
    pb_strlcpy(id_stored, pb_stmt_col_text(st, 21), sizeof id_stored);
    slot = (int)pb_stmt_col_int(st, 24);
    pb_strlcpy(key, pb_stmt_col_text(st, 25), sizeof key);
    pb_stmt_done(st);
    if (strcmp(status, "booked"))
        return pb_err_field(err, PB_E_CONFLICT, "status", "not_booked",
                            "该预订不能办理入住（当前状态：%s）",
                            "this booking cannot be checked in (status %s)", status, status);
    if (today_of(c) != ci) {
        char d[11];
        day_str(ci, d);
        return pb_err_field(err, PB_E_INVALID, "check_in", "not_today",
                            "该预订的入住日期是 %s，只能在当天办理入住",
                            "this booking checks in on %s, and only on that day", d, d);
    }
    if (strcmp(a->agreement, a->set.agreement))
        return pb_err_field(err, PB_E_INVALID, "agreement_version", "agreement_mismatch",
                            "请先阅读并同意现行入住公约（版本 %s）",
                            "the applicant must accept the current residence agreement "
                            "(version %s)",
                            a->set.agreement, a->set.agreement);
    /* The ID from the original card must be the approved applicant's. */
    {
        char id18[19];
        ok = pb_idnum_check(a->id_number, id18, NULL, 0) == PB_IDNUM_OK &&
             strlen(id_stored) == 18 && pb_ct_equal(id18, id_stored, 18);
        memset(id18, 0, sizeof id18);
    }
    if (!ok) {
        a->id_mismatch = 1;
        return pb_err_field(err, PB_E_INVALID, "id_number", "id_mismatch",
                            "身份证号码与申请人不符，不能办理入住（仅限申请人本人入住）",
                            "the ID number does not match the applicant: only the applicant "
                            "may stay");
    }
    if (lock_cfg_of(key, &a->set, &cfg) || pb_lock_code(&cfg, slot, ci, (int)(co - ci), code)) {
        memset(&cfg, 0, sizeof cfg);
        return pb_err_set(err, PB_E_INTERNAL, "门锁未配置，无法生成门禁密码",
                          "the room's lock is not set up; no door code can be issued");
    }
    memset(&cfg, 0, sizeof cfg);
    memset(key, 0, sizeof key);
    if ((rc = pb_apt_secret(db, secret, err)))
        return rc;
    snprintf(hv, sizeof hv, "%lld:%s", (long long)a->id, code);
    pb_apt_keyed_hash(secret, "door-code", hv, hash);
    memset(hv, 0, sizeof hv);
    memset(code, 0, sizeof code);
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_booking SET status = 'checked_in', "
                            "agreement_version = ?, agreement_accepted_at = ?, checked_in_at = ?, "
                            "code_hash = ?, updated_at = ?, version = version + 1 WHERE id = ? AND "
                            "status = 'booked'",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->agreement);
    pb_stmt_bind_int(st, 2, c->now_ms);
    pb_stmt_bind_int(st, 3, c->now_ms);
    pb_stmt_bind_text(st, 4, hash);
    pb_stmt_bind_int(st, 5, c->now_ms);
    pb_stmt_bind_int(st, 6, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    {
        char ch[160];
        snprintf(ch, sizeof ch,
                 "{\"status\":[\"booked\",\"checked_in\"],\"agreement_version\":\"%s\","
                 "\"door_code\":\"issued\"}",
                 a->set.agreement);
        if ((rc = audit(c, "check_in", "apartment_bookings", a->id, a->region, ch, err)))
            return rc;
    }
    if ((rc = pb_db_prepare(db, "SELECT phone FROM applicant WHERE account_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, account);
    if (pb_stmt_step(st) == PB_ROW)
        pb_strlcpy(phone, pb_stmt_col_text(st, 0), sizeof phone);
    pb_stmt_done(st);
    {
        char msg[300];
        snprintf(msg, sizeof msg,
                 "入住登记已完成（预订 %lld）。请登录人才公寓页面，在“我的预订”中查看临时门禁"
                 "密码（仅显示一次，请勿告知他人）。",
                 (long long)a->id);
        if ((rc = pb_apt_outbox_add(c, &a->set, "door_code_ready", account, phone, msg, a->id)))
            return rc;
    }
    return booking_reload(a);
}

int pb_apt_check_in(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                    struct pb_err *err)
{
    static const char *const keys[] = {"id_number", "agreement_version", NULL};
    struct book_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (only_keys(body, keys, err))
        return err->rc;
    a.id_number = str_of(body, "id_number", 18, 1, err);
    a.agreement = str_of(body, "agreement_version", 30, 1, err);
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    rc = pb_db_tx(c->db, 1, checkin_tx, &a, err);
    if (rc < 0 && a.id_mismatch) {
        /* The refusal is recorded even though the transaction rolled back. */
        struct pb_err e2;
        char obj[24];
        pb_err_clear(&e2);
        snprintf(obj, sizeof obj, "%lld", (long long)id);
        pb_audit_write_tx(c,
                          &(struct pb_audit_rec){.action = "check_in",
                                                 .resource = "apartment_bookings",
                                                 .object_id = obj,
                                                 .region_code = a.region,
                                                 .result = "failed",
                                                 .changes = "{\"reason\":\"id_mismatch\"}"},
                          &e2);
    }
    if (rc < 0 && !err->detail_en[0] && err->nfields)
        pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
    return rc < 0 ? db_fail(err, rc) : 0;
}

static int code_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    struct pb_lock_cfg cfg;
    int rc, slot, shown, revoked;
    int64_t ci, co, from, until;
    char status[24], key[140], code[PB_LOCK_CODE_LEN + 1], secret[65], hash[65], stored[65], hv[48],
        room[32], bed[32], t1[32], t2[32];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = booking_load(c, a->id, 1, &st, err)))
        return rc;
    if (c->who->role != PB_ROLE_APPLICANT) {
        /* Staff never see a door code, whatever their role. */
        pb_stmt_done(st);
        return pb_err_set(err, PB_E_FORBIDDEN, "门禁密码只向申请人本人显示",
                          "the door code is shown to the applicant only");
    }
    pb_strlcpy(status, pb_stmt_col_text(st, 10), sizeof status);
    pb_strlcpy(a->region, pb_stmt_col_text(st, 6), sizeof a->region);
    ci = day_of(pb_stmt_col_text(st, 7));
    co = day_of(pb_stmt_col_text(st, 8));
    pb_strlcpy(stored, pb_stmt_col_text(st, 15), sizeof stored);
    shown = !pb_stmt_col_null(st, 16);
    revoked = !pb_stmt_col_null(st, 17);
    pb_strlcpy(room, pb_stmt_col_text(st, 22), sizeof room);
    pb_strlcpy(bed, pb_stmt_col_text(st, 23), sizeof bed);
    slot = (int)pb_stmt_col_int(st, 24);
    pb_strlcpy(key, pb_stmt_col_text(st, 25), sizeof key);
    pb_stmt_done(st);
    if (strcmp(status, "checked_in") || revoked || !stored[0])
        return pb_err_field(err, PB_E_CONFLICT, "status", "no_code", "该预订当前没有有效的门禁密码",
                            "this booking has no valid door code");
    if (shown)
        return pb_err_field(err, PB_E_CONFLICT, "door_code", "already_shown",
                            "门禁密码只显示一次，已于此前显示；如遗失请到服务台",
                            "the door code is shown once and already was; ask the desk if lost");
    if (lock_cfg_of(key, &a->set, &cfg) || pb_lock_code(&cfg, slot, ci, (int)(co - ci), code))
        return pb_err_set(err, PB_E_INTERNAL, "门锁未配置", "the room's lock is not set up");
    pb_lock_window(&cfg, ci, (int)(co - ci), &from, &until);
    memset(&cfg, 0, sizeof cfg);
    memset(key, 0, sizeof key);
    if ((rc = pb_apt_secret(db, secret, err)))
        return rc;
    snprintf(hv, sizeof hv, "%lld:%s", (long long)a->id, code);
    pb_apt_keyed_hash(secret, "door-code", hv, hash);
    memset(hv, 0, sizeof hv);
    if (!pb_ct_equal(hash, stored, 64)) {
        /* the lock key changed since check-in: the desk must check in again */
        memset(code, 0, sizeof code);
        return pb_err_set(err, PB_E_CONFLICT, "门锁密钥已更换，请到服务台重新办理",
                          "the lock key changed since check-in; ask the desk");
    }
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_booking SET code_shown_at = ? WHERE id = ? AND "
                            "code_shown_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    if (rc == PB_DONE && pb_stmt_changes(st) != 1)
        rc = PB_E_CONFLICT;
    pb_stmt_done(st);
    if (rc < 0) {
        memset(code, 0, sizeof code);
        return rc == PB_E_CONFLICT
                   ? pb_err_field(err, PB_E_CONFLICT, "door_code", "already_shown",
                                  "门禁密码只显示一次", "the door code is shown once")
                   : rc;
    }
    if ((rc = audit(c, "door_code_shown", "apartment_bookings", a->id, a->region, "", err))) {
        memset(code, 0, sizeof code);
        return rc;
    }
    pb_iso_cst(from * 1000, t1);
    pb_iso_cst(until * 1000, t2);
    pb_buf_reset(a->out);
    pb_buf_printf(a->out,
                  "{\"booking_id\":%lld,\"code\":\"%s\",\"valid_from\":\"%s\","
                  "\"valid_until\":\"%s\",\"room_number\":",
                  (long long)a->id, code, t1, t2);
    pb_buf_json_str(a->out, room);
    pb_buf_adds(a->out, ",\"bed_label\":");
    pb_buf_json_str(a->out, bed);
    pb_buf_adds(a->out, ",\"shown_once\":true}");
    memset(code, 0, sizeof code);
    return 0;
}

int pb_apt_door_code(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, code_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

static int checkout_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    int rc, early;
    int64_t ci, co, until_ms, today = today_of(c), used;
    char status[24], t[32], ch[200], todays[11];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = booking_load(c, a->id, 1, &st, err)))
        return rc;
    pb_strlcpy(status, pb_stmt_col_text(st, 10), sizeof status);
    pb_strlcpy(a->region, pb_stmt_col_text(st, 6), sizeof a->region);
    ci = day_of(pb_stmt_col_text(st, 7));
    co = day_of(pb_stmt_col_text(st, 8));
    pb_stmt_done(st);
    if (strcmp(status, "checked_in"))
        return pb_err_field(err, PB_E_CONFLICT, "status", "not_checked_in",
                            "该预订未在住，不能退房（当前状态：%s）",
                            "this booking is not checked in (status %s)", status, status);
    {
        int y, m, d;
        pb_civil_from_days(co, &y, &m, &d);
        until_ms = pb_cst_midnight_ms(y, m, d) + (int64_t)a->set.checkout_min * 60000;
    }
    early = c->now_ms < until_ms;
    used = early ? (today - ci < 0 ? 0 : today - ci) : co - ci;
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_booking SET status = 'checked_out', checked_out_at "
                            "= ?, code_revoked_at = ?, nights = ?, updated_at = ?, version = "
                            "version + 1 WHERE id = ? AND status = 'checked_in'",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, c->now_ms);
    pb_stmt_bind_int(st, 3, used);
    pb_stmt_bind_int(st, 4, c->now_ms);
    pb_stmt_bind_int(st, 5, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* The nights not slept are free again for others. */
    day_str(today, todays);
    if ((rc = pb_db_prepare(
             db, "DELETE FROM apartment_bed_night WHERE booking_id = ? AND night >= ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    pb_stmt_bind_text(st, 2, todays);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    snprintf(ch, sizeof ch,
             "{\"status\":[\"checked_in\",\"checked_out\"],\"early\":%s,\"nights\":%lld,"
             "\"door_code\":\"revoked\"}",
             early ? "true" : "false", (long long)used);
    if ((rc = audit(c, "check_out", "apartment_bookings", a->id, a->region, ch, err)))
        return rc;
    if ((rc = booking_reload(a)))
        return rc;
    /* Append the residual offline window: the lock, offline, honours the code until the
     * booked check-out time unless it is told otherwise. */
    if (a->out->len && a->out->data[a->out->len - 1] == '}')
        a->out->len--;
    pb_buf_printf(a->out, ",\"early\":%s", early ? "true" : "false");
    if (early) {
        pb_iso_cst(until_ms, t);
        pb_buf_printf(a->out,
                      ",\"offline_window\":{\"until\":\"%s\",\"seconds\":%lld,\"note_zh\":", t,
                      (long long)((until_ms - c->now_ms) / 1000));
        pb_buf_json_str(a->out, "服务器已立即作废该门禁密码；门锁离线验证，在其得知作废前，"
                                "该密码在门锁上最迟有效至上述时间，请收回房间或更换门锁密钥");
        pb_buf_adds(a->out, ",\"note_en\":");
        pb_buf_json_str(a->out, "The server revoked the code at once; a lock verifying offline "
                                "still accepts it until the time above unless told otherwise: "
                                "secure the room or re-key the lock");
        pb_buf_addc(a->out, '}');
    } else {
        pb_buf_adds(a->out, ",\"offline_window\":null");
    }
    pb_buf_addc(a->out, '}');
    return 0;
}

int pb_apt_check_out(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, checkout_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

#define DOOR_MAX_FAILS 10
#define DOOR_WINDOW_MS (24 * 3600 * 1000LL)

int pb_apt_verify_code(struct pb_ctx *c, json_t *body, struct pb_buf *out, struct pb_err *err)
{
    static const char *const keys[] = {"room_id", "code", NULL};
    struct pb_apt_settings set;
    struct pb_lock_cfg cfg;
    struct pb_stmt *st;
    char tkey[48], key[140] = "", region[16] = "", secret[65], hv[48], hash[65], ci[11];
    const char *code;
    int64_t room_id;
    int rc, slot, nights, valid = 0, wait;
    int64_t day;
    if (forbid_unless_staff(c, err))
        return err->rc;
    if (only_keys(body, keys, err))
        return err->rc;
    room_id = int_of(body, "room_id", 1, err);
    code = str_of(body, "code", 10, 1, err);
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    /* At most 10 wrong codes per door per 24 hours through the server, on top of the lock's own
     * 10 (docs/door-codes.md): 20 guesses a day keep a month's chance below 1 in 10,000. */
    snprintf(tkey, sizeof tkey, "door:%lld", (long long)room_id);
    if ((wait = throttle(tkey, DOOR_MAX_FAILS, DOOR_WINDOW_MS, c->now_ms, 0)) > 0) {
        err->retry_after = wait;
        return pb_err_set(err, PB_E_THROTTLED, "错误次数过多，请稍后再试",
                          "too many wrong codes for this door; try again later");
    }
    if ((rc = pb_apt_settings_load(c->db, &set, err)))
        return rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT lock_key, region_code FROM apartment_room WHERE id = ? AND "
                            "archived_at IS NULL",
                            &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, room_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(key, pb_stmt_col_text(st, 0), sizeof key);
        pb_strlcpy(region, pb_stmt_col_text(st, 1), sizeof region);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    if (!region[0] || !pb_principal_region_ok(c->who, region))
        return pb_err_set(err, PB_E_NOT_FOUND, "房间不存在", "no such room");
    if (!lock_cfg_of(key, &set, &cfg) &&
        pb_lock_verify(&cfg, code, c->now_ms / 1000, &slot, &day, &nights)) {
        /* The lock would open; the server also knows about revocations. */
        day_str(day, ci);
        if ((rc = pb_db_prepare(c->db,
                                "SELECT b.id, b.code_hash FROM apartment_booking b JOIN "
                                "apartment_bed bd ON bd.id = b.bed_id WHERE b.room_id = ? AND "
                                "bd.slot = ? AND b.check_in = ? AND b.status = 'checked_in' AND "
                                "b.code_revoked_at IS NULL",
                                &st)))
            return db_fail(err, rc);
        pb_stmt_bind_int(st, 1, room_id);
        pb_stmt_bind_int(st, 2, slot);
        pb_stmt_bind_text(st, 3, ci);
        /* the secret exists once any code was issued; read it without creating it */
        secret[0] = 0;
        while ((rc = pb_stmt_step(st)) == PB_ROW && !valid) {
            struct pb_stmt *s2;
            if (!secret[0] && pb_db_prepare(c->db,
                                            "SELECT value FROM apartment_setting WHERE key = "
                                            "'secret'",
                                            &s2) == 0) {
                if (pb_stmt_step(s2) == PB_ROW)
                    pb_strlcpy(secret, pb_stmt_col_text(s2, 0), sizeof secret);
                pb_stmt_done(s2);
            }
            snprintf(hv, sizeof hv, "%lld:%s", (long long)pb_stmt_col_int(st, 0), code);
            pb_apt_keyed_hash(secret, "door-code", hv, hash);
            valid = strlen(pb_stmt_col_text(st, 1)) == 64 &&
                    pb_ct_equal(hash, pb_stmt_col_text(st, 1), 64);
        }
        pb_stmt_done(st);
        memset(hv, 0, sizeof hv);
    }
    memset(&cfg, 0, sizeof cfg);
    memset(key, 0, sizeof key);
    if (!valid)
        throttle(tkey, DOOR_MAX_FAILS, DOOR_WINDOW_MS, c->now_ms, 1);
    pb_buf_printf(out, "{\"room_id\":%lld,\"valid\":%s}", (long long)room_id,
                  valid ? "true" : "false");
    return 0;
}

static int provision_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    char key[140] = "", region[16] = "";
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT lock_key, region_code FROM apartment_room WHERE id = ? AND "
                            "archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(key, pb_stmt_col_text(st, 0), sizeof key);
        pb_strlcpy(region, pb_stmt_col_text(st, 1), sizeof region);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "房间不存在", "no such room");
    if ((rc = audit(a->c, "lock_provision", "apartment_rooms", a->id, region,
                    "{\"lock_key\":\"exported\"}", err)))
        return rc;
    pb_buf_reset(a->out);
    pb_buf_printf(a->out,
                  "# parkbrain door lock, room %lld (docs/door-codes.md)\nkey = %s\n"
                  "check_in = %02d:%02d\ncheck_out = %02d:%02d\n",
                  (long long)a->id, key, a->set.checkin_min / 60, a->set.checkin_min % 60,
                  a->set.checkout_min / 60, a->set.checkout_min % 60);
    memset(key, 0, sizeof key);
    return 0;
}

int pb_apt_lock_provision(struct pb_ctx *c, int64_t room_id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以导出门锁密钥",
                          "only platform administrators may provision locks");
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = room_id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, provision_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

/* ---- lock management: re-key a room, re-issue a guest's code ---- */

static int rekey_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_stmt *st;
    unsigned char raw[32];
    char hex[65], region[16] = "", ch[120];
    int rc, n = 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code FROM apartment_room WHERE id = ? AND archived_at "
                            "IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!region[0])
        return pb_err_set(err, PB_E_NOT_FOUND, "房间不存在", "no such room");
    pb_random_bytes(raw, sizeof raw);
    pb_hex(raw, sizeof raw, hex);
    memset(raw, 0, sizeof raw);
    if ((rc = pb_db_prepare(db, "UPDATE apartment_room SET lock_key = ? WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, hex);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    memset(hex, 0, sizeof hex);
    if (rc < 0)
        return rc;
    /* The guests in house of this door need their codes re-issued (the desk does it). */
    pb_buf_reset(a->out);
    pb_buf_printf(a->out, "{\"room_id\":%lld,\"bookings_to_reissue\":[", (long long)a->id);
    if ((rc = pb_db_prepare(db,
                            "SELECT id FROM apartment_booking WHERE room_id = ? AND status = "
                            "'checked_in' AND code_revoked_at IS NULL ORDER BY id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    while ((rc = pb_stmt_step(st)) == PB_ROW)
        pb_buf_printf(a->out, "%s%lld", n++ ? "," : "", (long long)pb_stmt_col_int(st, 0));
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_adds(a->out, "],");
    {
        char iso[32];
        pb_iso_utc(a->c->now_ms, iso);
        pb_buf_printf(a->out, "\"rekeyed_at\":\"%s\"}", iso);
    }
    snprintf(ch, sizeof ch, "{\"lock_key\":\"replaced\",\"bookings_to_reissue\":%d}", n);
    return audit(a->c, "lock_rekey", "apartment_rooms", a->id, region, ch, err);
}

int pb_apt_lock_rekey(struct pb_ctx *c, int64_t room_id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以更换门锁密钥",
                          "only platform administrators may re-key locks");
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = room_id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, rekey_tx, &a, err);
    return rc < 0 ? db_fail(err, rc) : 0;
}

static int reissue_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    struct pb_lock_cfg cfg;
    int rc, slot, revoked;
    int64_t ci, co, account;
    char status[24], key[140], code[PB_LOCK_CODE_LEN + 1], secret[65], hash[65], hv[48],
        phone[32] = "", msg[300];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    if ((rc = booking_load(c, a->id, 0, &st, err)))
        return rc;
    pb_strlcpy(status, pb_stmt_col_text(st, 10), sizeof status);
    pb_strlcpy(a->region, pb_stmt_col_text(st, 6), sizeof a->region);
    ci = day_of(pb_stmt_col_text(st, 7));
    co = day_of(pb_stmt_col_text(st, 8));
    account = pb_stmt_col_int(st, 2);
    revoked = !pb_stmt_col_null(st, 17);
    slot = (int)pb_stmt_col_int(st, 24);
    pb_strlcpy(key, pb_stmt_col_text(st, 25), sizeof key);
    pb_stmt_done(st);
    if (strcmp(status, "checked_in") || revoked) {
        memset(key, 0, sizeof key);
        return pb_err_field(err, PB_E_CONFLICT, "status", "not_checked_in",
                            "只能为在住的入住人重新发放门禁密码（当前状态：%s）",
                            "a door code is re-issued only to a guest in house (status %s)", status,
                            status);
    }
    if (lock_cfg_of(key, &a->set, &cfg) || pb_lock_code(&cfg, slot, ci, (int)(co - ci), code)) {
        memset(&cfg, 0, sizeof cfg);
        memset(key, 0, sizeof key);
        return pb_err_set(err, PB_E_INTERNAL, "门锁未配置，无法生成门禁密码",
                          "the room's lock is not set up; no door code can be issued");
    }
    memset(&cfg, 0, sizeof cfg);
    memset(key, 0, sizeof key);
    if ((rc = pb_apt_secret(db, secret, err)))
        return rc;
    snprintf(hv, sizeof hv, "%lld:%s", (long long)a->id, code);
    pb_apt_keyed_hash(secret, "door-code", hv, hash);
    memset(hv, 0, sizeof hv);
    memset(code, 0, sizeof code);
    /* The applicant may see it once more; the old hash (old key) no longer verifies. */
    if ((rc = pb_db_prepare(db,
                            "UPDATE apartment_booking SET code_hash = ?, code_shown_at = NULL, "
                            "updated_at = ?, version = version + 1 WHERE id = ? AND status = "
                            "'checked_in'",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, hash);
    pb_stmt_bind_int(st, 2, c->now_ms);
    pb_stmt_bind_int(st, 3, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = audit(c, "door_code_reissue", "apartment_bookings", a->id, a->region,
                    "{\"door_code\":\"reissued\"}", err)))
        return rc;
    if ((rc = pb_db_prepare(db, "SELECT phone FROM applicant WHERE account_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, account);
    if (pb_stmt_step(st) == PB_ROW && !pb_stmt_col_null(st, 0))
        pb_strlcpy(phone, pb_stmt_col_text(st, 0), sizeof phone);
    pb_stmt_done(st);
    snprintf(msg, sizeof msg,
             "您的临时门禁密码已重新发放（预订 %lld）。请登录人才公寓页面，在“我的预订”中查看"
             "（仅显示一次，请勿告知他人）；原密码已停用。",
             (long long)a->id);
    if ((rc = pb_apt_outbox_add(c, &a->set, "door_code_ready", account, phone, msg, a->id)))
        return rc;
    return booking_reload(a);
}

int pb_apt_reissue_code(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct book_args a;
    int rc;
    if (forbid_unless_staff(c, err))
        return err->rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.id = id;
    a.out = out;
    rc = pb_db_tx(c->db, 1, reissue_tx, &a, err);
    if (rc < 0 && !err->detail_en[0] && err->nfields)
        pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
    return rc < 0 ? db_fail(err, rc) : 0;
}

/* ---- board, statistics, outbox ---- */

#define BOARD_MAX_BEDS 400
#define BOARD_MAX_DAYS 31

int pb_apt_board(struct pb_ctx *c, int64_t apartment_id, const char *from, int days,
                 struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, nbeds = 0, staff = pb_apt_is_staff(c->who);
    int64_t start = from ? day_of(from) : today_of(c);
    char region[16] = "", f[11], t[11];
    struct bed {
        int64_t id;
        char cell[BOARD_MAX_DAYS]; /* 0 free, 'b' booked, 'o' occupied, 'x' out of service */
        int64_t booking[BOARD_MAX_DAYS];
    } * beds;
    if (!staff && c->who->role != PB_ROLE_APPLICANT)
        return pb_err_set(err, PB_E_FORBIDDEN, "无权查看", "you may not see this");
    if (start == INT64_MIN)
        pb_err_field(err, PB_E_INVALID, "from", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "a date is YYYY-MM-DD");
    if (days < 1 || days > BOARD_MAX_DAYS)
        pb_err_field(err, PB_E_INVALID, "days", "out_of_range", "天数须为 1 到 31",
                     "days must be 1..31");
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查查询参数", "please check the query parameters");
    if ((rc = pb_db_prepare(
             c->db, "SELECT region_code FROM apartment WHERE id = ? AND archived_at IS NULL", &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, apartment_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    if (!region[0] || (staff && !pb_principal_region_ok(c->who, region)))
        return pb_err_set(err, PB_E_NOT_FOUND, "公寓不存在", "no such apartment");
    beds = pb_arena_alloc(c->arena, sizeof *beds * BOARD_MAX_BEDS);
    day_str(start, f);
    day_str(start + days, t);
    pb_buf_printf(out, "{\"apartment_id\":%lld,\"from\":\"%s\",\"days\":[", (long long)apartment_id,
                  f);
    for (int i = 0; i < days; i++) {
        char d[11];
        day_str(start + i, d);
        pb_buf_printf(out, "%s\"%s\"", i ? "," : "", d);
    }
    pb_buf_adds(out, "],\"beds\":[");
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT bd.id, bd.label, r.id, r.number, COALESCE(r.gender_rule, 'any'), "
             "COALESCE(bd.status, 'available'), COALESCE(r.status, 'available') FROM apartment_bed "
             "bd JOIN apartment_room r ON r.id = "
             "bd.room_id WHERE r.apartment_id = ? AND bd.archived_at IS NULL AND "
             "r.archived_at IS NULL ORDER BY r.number, bd.label",
             &st)))
        return db_fail(err, rc);
    pb_stmt_bind_int(st, 1, apartment_id);
    /* First pass: the beds (kept in the arena while the nights are read). */
    {
        struct pb_buf heads;
        pb_buf_init(&heads, 0);
        while ((rc = pb_stmt_step(st)) == PB_ROW && nbeds < BOARD_MAX_BEDS) {
            struct bed *b = &beds[nbeds++];
            int oos = strcmp(pb_stmt_col_text(st, 5), "available") ||
                      strcmp(pb_stmt_col_text(st, 6), "available");
            b->id = pb_stmt_col_int(st, 0);
            memset(b->cell, oos ? 'x' : 0, sizeof b->cell);
            pb_buf_printf(&heads, "%s{\"bed_id\":%lld,\"label\":", nbeds > 1 ? "\x1e" : "",
                          (long long)b->id);
            pb_buf_json_str(&heads, pb_stmt_col_text(st, 1));
            pb_buf_printf(&heads,
                          ",\"room_id\":%lld,\"room_number\":", (long long)pb_stmt_col_int(st, 2));
            pb_buf_json_str(&heads, pb_stmt_col_text(st, 3));
            pb_buf_adds(&heads, ",\"gender_rule\":");
            pb_buf_json_str(&heads, pb_stmt_col_text(st, 4));
        }
        pb_stmt_done(st);
        if (rc < 0) {
            pb_buf_release(&heads);
            return db_fail(err, rc);
        }
        if ((rc = pb_db_prepare(c->db,
                                "SELECT bn.bed_id, bn.night, b.id, b.status FROM "
                                "apartment_bed_night bn JOIN apartment_booking b ON b.id = "
                                "bn.booking_id WHERE b.apartment_id = ? AND bn.night >= ? AND "
                                "bn.night < ?",
                                &st))) {
            pb_buf_release(&heads);
            return db_fail(err, rc);
        }
        pb_stmt_bind_int(st, 1, apartment_id);
        pb_stmt_bind_text(st, 2, f);
        pb_stmt_bind_text(st, 3, t);
        while ((rc = pb_stmt_step(st)) == PB_ROW) {
            int64_t bid = pb_stmt_col_int(st, 0), d = day_of(pb_stmt_col_text(st, 1)) - start;
            for (int i = 0; i < nbeds; i++)
                if (beds[i].id == bid && d >= 0 && d < days && beds[i].cell[d] != 'x') {
                    beds[i].cell[d] = strcmp(pb_stmt_col_text(st, 3), "booked") ? 'o' : 'b';
                    beds[i].booking[d] = pb_stmt_col_int(st, 2);
                }
        }
        pb_stmt_done(st);
        if (rc < 0) {
            pb_buf_release(&heads);
            return db_fail(err, rc);
        }
        /* Second pass: emit each bed's head and its cells. */
        {
            const char *p = pb_buf_cstr(&heads);
            for (int i = 0; i < nbeds; i++) {
                const char *e = strchr(p, '\x1e');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (i)
                    pb_buf_addc(out, ',');
                pb_buf_add(out, p, n);
                pb_buf_adds(out, ",\"nights\":[");
                for (int d = 0; d < days; d++) {
                    char cl = beds[i].cell[d];
                    pb_buf_printf(out, "%s\"%s\"", d ? "," : "",
                                  cl == 'x'   ? "out_of_service"
                                  : cl == 'b' ? "booked"
                                  : cl == 'o' ? "occupied"
                                              : "free");
                }
                pb_buf_addc(out, ']');
                if (staff) {
                    /* the desk sees which booking holds a night; applicants do not */
                    pb_buf_adds(out, ",\"bookings\":[");
                    for (int d = 0; d < days; d++) {
                        if (beds[i].booking[d])
                            pb_buf_printf(out, "%s%lld", d ? "," : "",
                                          (long long)beds[i].booking[d]);
                        else
                            pb_buf_adds(out, d ? ",null" : "null");
                    }
                    pb_buf_addc(out, ']');
                }
                pb_buf_addc(out, '}');
                p = e ? e + 1 : p + n;
            }
        }
        pb_buf_release(&heads);
    }
    pb_buf_adds(out, "]}");
    return 0;
}

int pb_apt_stats(struct pb_ctx *c, const char *from, const char *to, struct pb_buf *out,
                 struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    int64_t a = from ? day_of(from) : today_of(c) - 30, b = to ? day_of(to) : today_of(c);
    char f[11], t[11];
    int64_t stays = 0, nights = 0;
    if (!pb_apt_is_staff(c->who) && c->who->role != PB_ROLE_VIEWER)
        return pb_err_set(err, PB_E_FORBIDDEN, "无权查看统计", "you may not see the statistics");
    if (a == INT64_MIN || b == INT64_MIN || b < a || b - a > 3660)
        return pb_err_field(err, PB_E_INVALID, "from", "invalid_range",
                            "请给出有效的起止日期（YYYY-MM-DD，最多 3660 天）",
                            "give a valid from/to range (YYYY-MM-DD, at most 3660 days)");
    day_str(a, f);
    day_str(b, t);
    pb_buf_printf(out, "{\"from\":\"%s\",\"to\":\"%s\",\"occupied_beds_per_night\":[", f, t);
    if ((rc =
             pb_db_prepare(c->db,
                           "SELECT bn.night, COUNT(*) FROM apartment_bed_night bn JOIN "
                           "apartment_booking b ON b.id = bn.booking_id WHERE bn.night >= ? AND "
                           "bn.night <= ? AND b.status IN ('checked_in', 'checked_out') AND " SCOPE(
                               "b.region_code") " GROUP BY bn.night ORDER BY bn.night",
                           &st)))
        return db_fail(err, rc);
    pb_stmt_bind_text(st, 1, f);
    pb_stmt_bind_text(st, 2, t);
    bind_scope(st, 3, c->who);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_printf(out, "%s{\"night\":", n++ ? "," : "");
        pb_buf_json_str(out, pb_stmt_col_text(st, 0));
        pb_buf_printf(out, ",\"beds\":%lld}", (long long)pb_stmt_col_int(st, 1));
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    n = 0;
    pb_buf_adds(out, "],\"applications\":[");
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT category, status, COUNT(*) FROM apartment_application WHERE " SCOPE(
                 "region_code") " AND created_at >= ? AND created_at < ? GROUP BY "
                                "category, status ORDER BY category, status",
             &st)))
        return db_fail(err, rc);
    {
        int y, m, d, idx = bind_scope(st, 1, c->who);
        pb_civil_from_days(a, &y, &m, &d);
        pb_stmt_bind_int(st, idx++, pb_cst_midnight_ms(y, m, d));
        pb_civil_from_days(b + 1, &y, &m, &d);
        pb_stmt_bind_int(st, idx, pb_cst_midnight_ms(y, m, d));
    }
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_printf(out, "%s{\"category\":", n++ ? "," : "");
        pb_buf_json_str(out, pb_stmt_col_text(st, 0));
        pb_buf_adds(out, ",\"status\":");
        pb_buf_json_str(out, pb_stmt_col_text(st, 1));
        pb_buf_printf(out, ",\"count\":%lld}", (long long)pb_stmt_col_int(st, 2));
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT COUNT(*), COALESCE(SUM(nights), 0) FROM apartment_booking WHERE "
             "status = 'checked_out' AND check_in >= ? AND check_in <= ? AND " SCOPE("region_code"),
             &st)))
        return db_fail(err, rc);
    pb_stmt_bind_text(st, 1, f);
    pb_stmt_bind_text(st, 2, t);
    bind_scope(st, 3, c->who);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        stays = pb_stmt_col_int(st, 0);
        nights = pb_stmt_col_int(st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    /* Average nights as an exact 2-decimal string, rounded half up (no floating point). */
    pb_buf_printf(out, "],\"finished_stays\":%lld,\"nights_slept\":%lld,\"average_stay_nights\":",
                  (long long)stays, (long long)nights);
    if (stays) {
        int64_t x100 = (nights * 200 + stays) / (2 * stays);
        pb_buf_printf(out, "\"%lld.%02lld\"}", (long long)(x100 / 100), (long long)(x100 % 100));
    } else {
        pb_buf_adds(out, "null}");
    }
    return 0;
}

int pb_apt_outbox(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以查看消息队列",
                          "only platform administrators may read the outbox");
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, channel, kind, account_id, recipient, body, status, "
                            "created_at, sent_at, attempts, last_error, next_attempt_at, "
                            "booking_id FROM notification_outbox ORDER BY id DESC LIMIT 200",
                            &st)))
        return db_fail(err, rc);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_printf(out, "%s{\"id\":%lld", n++ ? "," : "", (long long)pb_stmt_col_int(st, 0));
        put_text(out, "channel", st, 1);
        put_text(out, "kind", st, 2);
        pb_buf_printf(out, ",\"account_id\":%lld", (long long)pb_stmt_col_int(st, 3));
        put_masked(out, "recipient", st, 4, 0);
        put_text(out, "body", st, 5);
        put_text(out, "status", st, 6);
        put_time(out, "created_at", st, 7);
        put_time(out, "sent_at", st, 8);
        pb_buf_printf(out, ",\"attempts\":%lld", (long long)pb_stmt_col_int(st, 9));
        put_text(out, "last_error", st, 10);
        if (!strcmp(pb_stmt_col_text(st, 6), "pending"))
            put_time(out, "next_attempt_at", st, 11);
        else
            pb_buf_adds(out, ",\"next_attempt_at\":null");
        if (pb_stmt_col_null(st, 12))
            pb_buf_adds(out, ",\"booking_id\":null");
        else
            pb_buf_printf(out, ",\"booking_id\":%lld", (long long)pb_stmt_col_int(st, 12));
        pb_buf_addc(out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0)
        return db_fail(err, rc);
    pb_buf_printf(out, "],\"total\":%d}", n);
    return 0;
}

/* ---- maintenance ---- */

static int no_show_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    (void)db;
    a->n = 0;
    return release_no_shows(a->c, &a->n, err);
}

int pb_apt_release_no_shows(struct pb_ctx *c, int64_t *n, struct pb_err *err)
{
    struct book_args a;
    int rc;
    if (!pb_apt_is_staff(c->who))
        return pb_err_set(err, PB_E_FORBIDDEN, "无权执行此操作", "you may not do this");
    memset(&a, 0, sizeof a);
    a.c = c;
    rc = pb_db_tx(c->db, 1, no_show_tx, &a, err);
    if (rc < 0)
        return db_fail(err, rc);
    *n = a.n;
    return 0;
}

static int purge_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct book_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    int64_t cutoff;
    char ch[128];
    if ((rc = pb_apt_settings_load(db, &a->set, err)))
        return rc;
    cutoff = a->c->now_ms - (int64_t)a->set.purge_days * PB_DAY_MS;
    /* Finished: no open booking, and nothing about it changed since the cutoff. The person
     * key (a keyed hash) stays, so the nights-per-period rule still holds after the purge. */
    if ((rc = pb_db_prepare(
             db,
             "UPDATE apartment_application SET name = NULL, id_number = NULL, phone = NULL, "
             "cert_numbers = '', purged_at = ? WHERE purged_at IS NULL AND status <> 'pending' "
             "AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM apartment_booking b WHERE "
             "b.application_id = apartment_application.id AND (b.status IN ('booked', "
             "'checked_in') OR b.updated_at >= ?))",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms);
    pb_stmt_bind_int(st, 2, cutoff);
    pb_stmt_bind_int(st, 3, cutoff);
    rc = pb_stmt_step(st);
    a->n = rc == PB_DONE ? pb_stmt_changes(st) : 0;
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* An applicant whose every application is purged loses the phone number too. */
    if ((rc = pb_db_prepare(db,
                            "UPDATE applicant SET phone = NULL, purged_at = ? WHERE purged_at IS "
                            "NULL AND EXISTS (SELECT 1 FROM apartment_application x WHERE "
                            "x.account_id = applicant.account_id) AND NOT EXISTS (SELECT 1 FROM "
                            "apartment_application x WHERE x.account_id = applicant.account_id "
                            "AND x.purged_at IS NULL)",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(
             db, "UPDATE notification_outbox SET recipient = NULL WHERE created_at < ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, cutoff);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    snprintf(ch, sizeof ch, "{\"applications\":%lld,\"after_days\":%d}", (long long)a->n,
             a->set.purge_days);
    return audit(a->c, "purge", "apartment_applications", 0, "", ch, err);
}

int pb_apt_purge(struct pb_ctx *c, int64_t *n, struct pb_err *err)
{
    struct book_args a;
    int rc;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以清除个人信息",
                          "only platform administrators may purge personal data");
    memset(&a, 0, sizeof a);
    a.c = c;
    rc = pb_db_tx(c->db, 1, purge_tx, &a, err);
    if (rc < 0)
        return db_fail(err, rc);
    /* The certificate files go once the transaction that purged their rows committed. */
    pb_apt_cert_remove_purged(c);
    *n = a.n;
    return 0;
}
