/* apartment.c: the talent-apartment records (buildings, rooms, beds) on the resource engine,
 * the service's settings and shared helpers. The process (applications, bookings, check-in,
 * door codes) is in apartment_flow.c. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/notify_transport.h"
#include "core/store/db.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_internal.h"

static const char *const statuses[] = {"available", "out_of_service", NULL};
static const char *const statuses_zh[] = {"可用", "停用", NULL};
static const char *const statuses_en[] = {"Available", "Out of service", NULL};
static const char *const gender_rules[] = {"any", "male", "female", NULL};
static const char *const gender_rules_zh[] = {"不限", "仅限男性", "仅限女性", NULL};
static const char *const gender_rules_en[] = {"Any", "Men only", "Women only", NULL};

static const struct pb_field apartment_fields[] = {
    {"name", PB_TEXT, .required = 1, .max_len = 100, .filter = PB_FILTER_LIKE, .sortable = 1,
     .search = 1, .list = 1, .label_zh = "公寓名称", .label_en = "Apartment"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"address", PB_TEXT, .max_len = 200, .search = 1, .list = 1, .label_zh = "地址",
     .label_en = "Address"},
    {"desk_phone", PB_TEXT, .max_len = 40, .list = 1, .label_zh = "服务台电话",
     .label_en = "Desk phone", .doc = "the service desk's public number, e.g. 28355001"},
    {"description", PB_TEXT, .max_len = 2000, .label_zh = "简介", .label_en = "Description"},
    {"status", PB_ENUM, .enums = statuses, .enum_zh = statuses_zh, .enum_en = statuses_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态", .label_en = "Status"},
};

const struct pb_resource pb_res_apartments = {
    .name = "apartments",
    .table = "apartment",
    .label_zh = "人才公寓",
    .label_en = "Talent apartment",
    .fields = apartment_fields,
    .nfields = PB_ARRAY_LEN(apartment_fields),
    .default_sort = "name",
    .policy = "apartments",
};

/* The parent's region must be the child's: the scope of a room is its building's. */
static int parent_region_ok(struct pb_ctx *c, const char *sql, const struct pb_val *parent,
                            const struct pb_val *region, const char *field, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, same = 0;
    if (parent->is_null || region->is_null)
        return 0;
    if ((rc = pb_db_prepare(c->db, sql, &st)))
        return rc;
    pb_stmt_bind_int(st, 1, parent->i);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        same = !strcmp(pb_stmt_col_text(st, 0), region->s);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!same)
        pb_err_field(err, PB_E_INVALID, field, "region_mismatch", "所在区域须与上级一致",
                     "the region must be the parent's region");
    return 0;
}

static int room_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                         struct pb_err *err)
{
    int rc = parent_region_ok(c, "SELECT region_code FROM apartment WHERE id = ?",
                              pb_rec_get(rec, "apartment_id"), pb_rec_get(rec, "region_code"),
                              "region_code", err);
    (void)creating;
    if (rc < 0)
        return rc;
    return err->nfields
               ? pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields")
               : 0;
}

/* A new room gets its lock's key: 256 random bits, never returned by the engine (not a
 * declared field). */
static int room_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    unsigned char key[32];
    char hex[65];
    struct pb_stmt *st;
    int rc;
    (void)err;
    if (strcmp(action, "create"))
        return 0;
    pb_random_bytes(key, sizeof key);
    pb_hex(key, sizeof key, hex);
    if ((rc = pb_db_prepare(
             c->db, "UPDATE apartment_room SET lock_key = ? WHERE id = ? AND lock_key = ''", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, hex);
    pb_stmt_bind_int(st, 2, id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    memset(key, 0, sizeof key);
    memset(hex, 0, sizeof hex);
    return rc < 0 ? rc : 0;
}

static const struct pb_field room_fields[] = {
    {"apartment_id", PB_REF, .required = 1, .immutable = 1, .ref = "apartments",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "公寓", .label_en = "Apartment"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region", .doc = "the building's region"},
    {"number", PB_TEXT, .required = 1, .max_len = 20, .filter = PB_FILTER_EQ, .sortable = 1,
     .search = 1, .list = 1, .label_zh = "房号", .label_en = "Room number"},
    {"floor", PB_INT, .min = -5, .max = 200, .list = 1, .label_zh = "楼层", .label_en = "Floor"},
    {"gender_rule", PB_ENUM, .enums = gender_rules, .enum_zh = gender_rules_zh,
     .enum_en = gender_rules_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "性别限制",
     .label_en = "Gender rule"},
    {"amenities", PB_TEXT, .max_len = 500, .list = 1, .label_zh = "配套设施",
     .label_en = "Amenities", .doc = "comma-separated, e.g. 空调,热水器,独立卫浴,书桌"},
    {"photos", PB_TEXT, .max_len = 2000, .label_zh = "照片", .label_en = "Photos",
     .doc = "photo URLs, one per line"},
    {"status", PB_ENUM, .enums = statuses, .enum_zh = statuses_zh, .enum_en = statuses_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态", .label_en = "Status"},
};

const struct pb_resource pb_res_apartment_rooms = {
    .name = "apartment_rooms",
    .table = "apartment_room",
    .label_zh = "房间",
    .label_en = "Room",
    .fields = room_fields,
    .nfields = PB_ARRAY_LEN(room_fields),
    .default_sort = "number",
    .policy = "apartments",
    .validate = room_validate,
    .after_write = room_after_write,
};

static int bed_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                        struct pb_err *err)
{
    int rc = parent_region_ok(c, "SELECT region_code FROM apartment_room WHERE id = ?",
                              pb_rec_get(rec, "room_id"), pb_rec_get(rec, "region_code"),
                              "region_code", err);
    (void)creating;
    if (rc < 0)
        return rc;
    return err->nfields
               ? pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields")
               : 0;
}

static const struct pb_field bed_fields[] = {
    {"room_id", PB_REF, .required = 1, .immutable = 1, .ref = "apartment_rooms",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "房间", .label_en = "Room"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region", .doc = "the room's region"},
    {"label", PB_TEXT, .required = 1, .max_len = 20, .sortable = 1, .list = 1, .label_zh = "床位",
     .label_en = "Bed", .doc = "e.g. A, B; a single room has one bed"},
    {"slot", PB_INT, .required = 1, .immutable = 1, .min = 0, .max = 5, .list = 1,
     .label_zh = "门锁槽位", .label_en = "Lock slot",
     .doc = "0..5, unique in the room: part of the bed's door codes (docs/door-codes.md)"},
    {"status", PB_ENUM, .enums = statuses, .enum_zh = statuses_zh, .enum_en = statuses_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态", .label_en = "Status"},
};

const struct pb_resource pb_res_apartment_beds = {
    .name = "apartment_beds",
    .table = "apartment_bed",
    .label_zh = "床位",
    .label_en = "Bed",
    .fields = bed_fields,
    .nfields = PB_ARRAY_LEN(bed_fields),
    .default_sort = "label",
    .policy = "apartments",
    .validate = bed_validate,
};

/* ---- settings ---- */

static const struct {
    const char *key;
    int is_int;
    int64_t min, max;
} setting_keys[] = {
    {"max_nights", 1, 1, 14},         {"nights_period_days", 1, 1, 3660},
    {"min_workdays_ahead", 1, 0, 30}, {"check_in_time", 0, 0, 0},
    {"check_out_time", 0, 0, 0},      {"purge_after_days", 1, 1, 3660},
    {"agreement_version", 0, 0, 0},   {"notify_sms_url", 0, 0, 0},
    {"notify_webhook_url", 0, 0, 0},  {"notify_email_url", 0, 0, 0},
};

static int hhmm(const char *s, int *out)
{
    if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
        s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    *out = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
    return *out < 24 * 60 ? 0 : -1;
}

int pb_apt_settings_load(struct pb_db *db, struct pb_apt_settings *s, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    memset(s, 0, sizeof *s);
    s->max_nights = 14;
    s->period_days = 365;
    s->min_workdays = 3;
    s->checkin_min = 14 * 60;
    s->checkout_min = 12 * 60;
    s->purge_days = 180;
    pb_strlcpy(s->agreement, "2025-03", sizeof s->agreement);
    if ((rc = pb_db_prepare(db, "SELECT key, value FROM apartment_setting", &st)))
        return pb_err_set(err, rc, "读取公寓设置失败", "could not read the apartment settings");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *k = pb_stmt_col_text(st, 0), *v = pb_stmt_col_text(st, 1);
        int64_t n = 0;
        int has = pb_parse_i64(v, &n) == 0;
        if (!strcmp(k, "max_nights") && has && n >= 1 && n <= 14)
            s->max_nights = (int)n;
        else if (!strcmp(k, "nights_period_days") && has && n >= 1)
            s->period_days = (int)n;
        else if (!strcmp(k, "min_workdays_ahead") && has && n >= 0 && n <= 30)
            s->min_workdays = (int)n;
        else if (!strcmp(k, "purge_after_days") && has && n >= 1)
            s->purge_days = (int)n;
        else if (!strcmp(k, "check_in_time"))
            hhmm(v, &s->checkin_min);
        else if (!strcmp(k, "check_out_time"))
            hhmm(v, &s->checkout_min);
        else if (!strcmp(k, "agreement_version"))
            pb_strlcpy(s->agreement, v, sizeof s->agreement);
        else if (!strcmp(k, "notify_sms_url"))
            pb_strlcpy(s->sms_url, v, sizeof s->sms_url);
        else if (!strcmp(k, "notify_webhook_url"))
            pb_strlcpy(s->webhook_url, v, sizeof s->webhook_url);
        else if (!strcmp(k, "notify_email_url"))
            pb_strlcpy(s->email_url, v, sizeof s->email_url);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取公寓设置失败", "could not read the apartment settings");
    return 0;
}

int pb_apt_settings_json(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, first = 1;
    int staff = pb_apt_is_staff(c->who);
    if ((rc = pb_db_prepare(c->db, "SELECT key, value FROM apartment_setting ORDER BY key", &st)))
        return pb_err_set(err, rc, "读取公寓设置失败", "could not read the apartment settings");
    pb_buf_addc(out, '{');
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *k = pb_stmt_col_text(st, 0);
        int known = 0;
        for (size_t i = 0; i < PB_ARRAY_LEN(setting_keys); i++)
            known |= !strcmp(setting_keys[i].key, k);
        /* the secret is never shown; channel URLs (they may hold tokens) only to staff */
        if (!known || (!staff && !strncmp(k, "notify_", 7)))
            continue;
        pb_buf_adds(out, first ? "" : ",");
        first = 0;
        pb_buf_json_str(out, k);
        pb_buf_addc(out, ':');
        pb_buf_json_str(out, pb_stmt_col_text(st, 1));
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取公寓设置失败", "could not read the apartment settings");
    /* The current agreement's text: what the desk shows and the guest accepts. */
    pb_buf_adds(out, first ? "\"agreement\":" : ",\"agreement\":");
    if ((rc = pb_apt_agreement_current_json(c->db, out, err)))
        return rc;
    pb_buf_addc(out, '}');
    return 0;
}

struct put_args {
    struct pb_ctx *c;
    json_t *body;
};

static int settings_put_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct put_args *a = ctx;
    const char *k;
    json_t *v;
    struct pb_buf ch;
    int rc = 0, first = 1;
    pb_buf_init(&ch, 8192);
    pb_buf_addc(&ch, '{');
    json_object_foreach(a->body, k, v)
    {
        struct pb_stmt *st;
        if (!strcmp(k, "agreement_version")) {
            int exists = 0;
            if ((rc = pb_apt_agreement_exists(db, json_string_value(v), &exists)))
                break;
            if (!exists) {
                rc = pb_err_field(err, PB_E_INVALID, k, "unknown_version",
                                  "没有版本为 %s 的入住协议，请先发布其文本",
                                  "there is no residence agreement of version %s: publish its "
                                  "text first",
                                  json_string_value(v), json_string_value(v));
                break;
            }
        }
        if ((rc = pb_db_prepare(db, "UPDATE apartment_setting SET value = ? WHERE key = ?", &st)))
            break;
        pb_stmt_bind_text(st, 1, json_string_value(v));
        pb_stmt_bind_text(st, 2, k);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            break;
        rc = 0;
        pb_buf_adds(&ch, first ? "" : ",");
        first = 0;
        pb_buf_json_str(&ch, k);
        pb_buf_addc(&ch, ':');
        /* channel URLs may carry tokens: the audit says that they changed, not to what */
        pb_buf_json_str(&ch, strncmp(k, "notify_", 7) ? json_string_value(v) : "(changed)");
    }
    pb_buf_addc(&ch, '}');
    if (!rc)
        rc = pb_audit_write(a->c,
                            &(struct pb_audit_rec){.action = "update",
                                                   .resource = "apartment_settings",
                                                   .object_id = "",
                                                   .region_code = "",
                                                   .result = "ok",
                                                   .changes = pb_buf_cstr(&ch)},
                            err);
    pb_buf_release(&ch);
    return rc;
}

int pb_apt_settings_put(struct pb_ctx *c, json_t *body, struct pb_err *err)
{
    const char *k;
    json_t *v;
    struct put_args a = {c, body};
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以修改公寓设置",
                          "only platform administrators may change the apartment settings");
    json_object_foreach(body, k, v)
    {
        int found = -1;
        const char *s = json_string_value(v);
        for (size_t i = 0; i < PB_ARRAY_LEN(setting_keys); i++)
            if (!strcmp(setting_keys[i].key, k))
                found = (int)i;
        if (found < 0) {
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(k) < 60 ? k : "?", "unknown_field",
                         "未知设置项 %s", "unknown setting %s", strlen(k) < 60 ? k : "?");
            continue;
        }
        if (!s || strlen(s) > 250) {
            pb_err_field(err, PB_E_INVALID, k, "invalid", "设置值须为不超过 250 字的文本",
                         "a setting is text of at most 250 characters");
            continue;
        }
        if (setting_keys[found].is_int) {
            int64_t n;
            if (pb_parse_i64(s, &n) || n < setting_keys[found].min || n > setting_keys[found].max)
                pb_err_field(err, PB_E_INVALID, k, "out_of_range", "须为 %lld 到 %lld 的整数",
                             "must be an integer %lld..%lld", (long long)setting_keys[found].min,
                             (long long)setting_keys[found].max);
        } else if (!strcmp(k, "check_in_time") || !strcmp(k, "check_out_time")) {
            int m;
            if (hhmm(s, &m))
                pb_err_field(err, PB_E_INVALID, k, "invalid_time", "时间格式应为 HH:MM",
                             "a time is HH:MM");
        } else if (!strncmp(k, "notify_", 7) && *s) {
            struct pb_notify_url u;
            int email = !strcmp(k, "notify_email_url");
            if (pb_notify_url_parse(s, &u) || (email != (u.kind == PB_NOTIFY_SMTP)) ||
                (!strcmp(k, "notify_sms_url") && u.kind == PB_NOTIFY_WEBHOOK) ||
                (!strcmp(k, "notify_webhook_url") && u.kind == PB_NOTIFY_SMS))
                pb_err_field(err, PB_E_INVALID, k, "invalid_url",
                             email ? "邮件通道须为 smtp://主机:端口?from=发件地址&to=收件地址"
                                     "（TLS 由本地中继完成），或留空"
                                   : "通道须为 sms+http:// 或 webhook+http:// 地址（TLS 由本地"
                                     "中继完成），或留空",
                             email ? "the email channel is smtp://host:port?from=…&to=… (a local "
                                     "relay does TLS), or empty"
                                   : "a channel is an sms+http:// or webhook+http:// URL (a local "
                                     "relay does TLS), or empty");
        } else if (!strcmp(k, "agreement_version") && (!*s || strlen(s) > 30)) {
            pb_err_field(err, PB_E_INVALID, k, "invalid", "版本号须为 1–30 个字符",
                         "a version is 1–30 characters");
        }
    }
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的设置项", "please check the marked settings");
    return pb_db_tx(c->db, 1, settings_put_tx, &a, err);
}

/* ---- the public directory ---- */

/* Beds in service: the bed, its room and its building available and not archived. */
#define BED_IN_SERVICE                                                                             \
    "FROM apartment_bed bd JOIN apartment_room r ON r.id = bd.room_id WHERE r.apartment_id = "     \
    "a.id AND bd.archived_at IS NULL AND r.archived_at IS NULL AND COALESCE(bd.status, "           \
    "'available') = 'available' AND COALESCE(r.status, 'available') = 'available' AND "            \
    "COALESCE(a.status, 'available') = 'available'"

int pb_apt_directory(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0, y, m, d;
    char today[11];
    pb_cst_date(c->now_ms, &y, &m, &d);
    pb_date_format(y, m, d, today);
    if ((rc = pb_db_prepare(c->db,
                            "SELECT a.id, a.name, a.address, a.desk_phone, COALESCE(a.status, "
                            "'available'), a.region_code, (SELECT COUNT(*) " BED_IN_SERVICE
                            "), (SELECT COUNT(*) " BED_IN_SERVICE
                            " AND NOT EXISTS (SELECT 1 FROM apartment_bed_night bn WHERE "
                            "bn.bed_id = bd.id AND bn.night = ?)) FROM apartment a WHERE "
                            "a.archived_at IS NULL ORDER BY a.name, a.id LIMIT 200",
                            &st)))
        return pb_err_set(err, rc, "读取公寓列表失败", "could not read the apartments");
    pb_stmt_bind_text(st, 1, today);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_buf_printf(out, "%s{\"id\":%lld,\"name\":", n++ ? "," : "",
                      (long long)pb_stmt_col_int(st, 0));
        pb_buf_json_str(out, pb_stmt_col_text(st, 1));
        for (int i = 2; i <= 5; i++) {
            static const char *const keys[] = {"",           "",       "address",
                                               "desk_phone", "status", "region_code"};
            pb_buf_printf(out, ",\"%s\":", keys[i]);
            if (pb_stmt_col_null(st, i))
                pb_buf_adds(out, "null");
            else
                pb_buf_json_str(out, pb_stmt_col_text(st, i));
        }
        pb_buf_printf(out, ",\"beds_available\":%lld,\"beds_free_tonight\":%lld}",
                      (long long)pb_stmt_col_int(st, 6), (long long)pb_stmt_col_int(st, 7));
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取公寓列表失败", "could not read the apartments");
    pb_buf_printf(out, "],\"total\":%d,\"date\":\"%s\"}", n, today);
    return 0;
}

/* ---- shared helpers (apartment_internal.h) ---- */

int pb_apt_is_staff(const struct pb_principal *p)
{
    return p->role == PB_ROLE_ADMIN || p->role == PB_ROLE_CITY || p->role == PB_ROLE_REGION ||
           p->role == PB_ROLE_APARTMENT_DESK || p->role == PB_ROLE_SYSTEM;
}

int pb_apt_secret(struct pb_db *db, char out[65], struct pb_err *err)
{
    struct pb_stmt *st;
    unsigned char raw[32];
    char hex[65];
    int rc;
    pb_random_bytes(raw, sizeof raw);
    pb_hex(raw, sizeof raw, hex);
    /* First use creates it; concurrent first uses agree on the row that won. */
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO apartment_setting (key, value) VALUES ('secret', ?) "
                            "ON CONFLICT (key) DO NOTHING",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, hex);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    memset(hex, 0, sizeof hex);
    memset(raw, 0, sizeof raw);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db, "SELECT value FROM apartment_setting WHERE key = 'secret'", &st)))
        return rc;
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        pb_strlcpy(out, pb_stmt_col_text(st, 0), 65);
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : pb_err_set(err, PB_E_INTERNAL, "内部错误", "internal error");
    return 0;
}

void pb_apt_keyed_hash(const char *secret, const char *purpose, const char *value, char out[65])
{
    struct pb_sha256 h;
    pb_sha256_init(&h);
    pb_sha256_update(&h, purpose, strlen(purpose) + 1);
    pb_sha256_update(&h, secret, strlen(secret) + 1);
    pb_sha256_update(&h, value, strlen(value));
    pb_sha256_final_hex(&h, out);
}
