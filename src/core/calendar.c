/* calendar.c: the working-day calendar in the database (calendar.h). */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/calendar.h"
#include "core/resource/resource.h"
#include "core/store/db.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

static int insert_entry(struct pb_db *db, const char *day, int year, const char *kind,
                        const char *name)
{
    struct pb_stmt *st;
    int rc =
        pb_db_prepare(db, "INSERT INTO holiday (day, year, kind, name) VALUES (?, ?, ?, ?)", &st);
    if (rc)
        return rc;
    pb_stmt_bind_text(st, 1, day);
    pb_stmt_bind_int(st, 2, year);
    pb_stmt_bind_text(st, 3, kind);
    pb_stmt_bind_text(st, 4, name);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int upsert_year(struct pb_db *db, int year, const char *source, int64_t now, int64_t by)
{
    struct pb_stmt *st;
    int rc = pb_db_prepare(db,
                           "INSERT INTO holiday_year (year, published, source, updated_at, "
                           "updated_by) VALUES (?, 1, ?, ?, ?) ON CONFLICT (year) DO UPDATE SET "
                           "published = 1, source = excluded.source, updated_at = "
                           "excluded.updated_at, updated_by = excluded.updated_by",
                           &st);
    if (rc)
        return rc;
    pb_stmt_bind_int(st, 1, year);
    pb_stmt_bind_text(st, 2, source);
    pb_stmt_bind_int(st, 3, now);
    pb_stmt_bind_int(st, 4, by);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_calendar_seed(struct pb_db *db, struct pb_err *err)
{
    int years[64], n = pb_cal_embedded_years(years, 64), rc;
    for (int i = 0; i < n; i++) {
        struct pb_stmt *st;
        int have = 0;
        const char *p;
        if ((rc = pb_db_prepare(db, "SELECT 1 FROM holiday_year WHERE year = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, years[i]);
        rc = pb_stmt_step(st);
        have = rc == PB_ROW;
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (have)
            continue;
        if ((rc = upsert_year(db, years[i], "data/holidays (reference.md §4)", pb_now_ms(), 0)))
            return pb_err_set(err, rc, "写入节假日失败", "could not store the holidays");
        /* Lines are "date<TAB>kind<TAB>name": parse them again here to keep one format. */
        p = pb_cal_embedded_tsv(years[i]);
        while (p && *p) {
            const char *eol = strchr(p, '\n');
            size_t len = eol ? (size_t)(eol - p) : strlen(p);
            char line[256], *kind, *name;
            if (len && p[0] != '#' && len < sizeof line) {
                memcpy(line, p, len);
                line[len] = 0;
                kind = strchr(line, '\t');
                if (kind) {
                    *kind++ = 0;
                    name = strchr(kind, '\t');
                    if (name)
                        *name++ = 0;
                    if ((rc = insert_entry(db, line, years[i], kind, name ? name : "")))
                        return pb_err_set(err, rc, "写入节假日失败",
                                          "could not store the holidays");
                }
            }
            p = eol ? eol + 1 : NULL;
        }
    }
    return 0;
}

int pb_calendar_load(struct pb_db *db, struct pb_cal *cal, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    pb_cal_init(cal);
    if ((rc = pb_db_prepare(db, "SELECT year, published FROM holiday_year", &st)))
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    while ((rc = pb_stmt_step(st)) == PB_ROW)
        pb_cal_set_published(cal, (int)pb_stmt_col_int(st, 0), (int)pb_stmt_col_int(st, 1));
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    if ((rc = pb_db_prepare(db, "SELECT day, kind, name, year FROM holiday ORDER BY day", &st)))
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int y, m, d, year = (int)pb_stmt_col_int(st, 3), pub = pb_cal_year_published(cal, year);
        if (pb_date_parse(pb_stmt_col_text(st, 0), &y, &m, &d) == 0)
            pb_cal_add(cal, pb_days_from_civil(y, m, d),
                       !strcmp(pb_stmt_col_text(st, 1), "workday") ? PB_CAL_WORKDAY
                                                                   : PB_CAL_HOLIDAY,
                       pb_stmt_col_text(st, 2));
        pb_cal_set_published(cal, year, pub); /* an unpublished year's rows stay inert */
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    return 0;
}

int pb_calendar_year_json(struct pb_ctx *c, int year, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, published = 0, first = 1, nwork = 0;
    char source[256] = "";
    int64_t updated = 0;
    if (year < PB_CAL_MIN_YEAR || year > PB_CAL_MAX_YEAR)
        return pb_err_field(err, PB_E_INVALID, "year", "out_of_range", "年份须在 1900–2200 之间",
                            "the year must be within 1900–2200");
    if ((rc = pb_db_prepare(
             c->db, "SELECT published, source, updated_at FROM holiday_year WHERE year = ?", &st)))
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    pb_stmt_bind_int(st, 1, year);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        published = (int)pb_stmt_col_int(st, 0);
        pb_strlcpy(source, pb_stmt_col_text(st, 1), sizeof source);
        updated = pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    pb_buf_printf(out, "{\"year\":%d,\"published\":%s,\"source\":", year,
                  published ? "true" : "false");
    pb_buf_json_str(out, source);
    if (updated) {
        char iso[32];
        pb_iso_utc(updated, iso);
        pb_buf_printf(out, ",\"updated_at\":\"%s\"", iso);
    }
    if (!published)
        pb_buf_adds(out, ",\"fallback\":\"weekends\"");
    pb_buf_adds(out, ",\"entries\":[");
    if (published) {
        if ((rc = pb_db_prepare(
                 c->db, "SELECT day, kind, name FROM holiday WHERE year = ? ORDER BY day", &st)))
            return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
        pb_stmt_bind_int(st, 1, year);
        while ((rc = pb_stmt_step(st)) == PB_ROW) {
            pb_buf_adds(out, first ? "{\"date\":" : ",{\"date\":");
            first = 0;
            pb_buf_json_str(out, pb_stmt_col_text(st, 0));
            pb_buf_adds(out, ",\"kind\":");
            pb_buf_json_str(out, pb_stmt_col_text(st, 1));
            pb_buf_adds(out, ",\"name\":");
            pb_buf_json_str(out, pb_stmt_col_text(st, 2));
            pb_buf_addc(out, '}');
        }
        pb_stmt_done(st);
        if (rc < 0)
            return pb_err_set(err, rc, "读取节假日失败", "could not read the holidays");
    }
    pb_buf_addc(out, ']');
    /* The count of working days lets the UI show the year at a glance. */
    {
        struct pb_cal *cal = pb_arena_alloc(c->arena, sizeof *cal);
        if ((rc = pb_calendar_load(c->db, cal, err)))
            return rc;
        nwork = pb_cal_workdays_between(cal, pb_days_from_civil(year, 1, 1) - 1,
                                        pb_days_from_civil(year, 12, 31), NULL);
    }
    pb_buf_printf(out, ",\"workdays\":%d}", nwork);
    return 0;
}

struct put_args {
    struct pb_ctx *c;
    int year;
    json_t *entries;
    const char *source;
};

static int put_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct put_args *a = ctx;
    struct pb_stmt *st;
    size_t i;
    json_t *e;
    int rc;
    char obj[8], changes[128];
    if ((rc = upsert_year(db, a->year, a->source, a->c->now_ms, a->c->who->account_id)))
        return rc;
    if ((rc = pb_db_prepare(db, "DELETE FROM holiday WHERE year = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->year);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    json_array_foreach(a->entries, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        if ((rc = insert_entry(db, json_string_value(json_object_get(e, "date")), a->year,
                               json_string_value(json_object_get(e, "kind")), name ? name : "")))
            return rc == PB_E_CONFLICT
                       ? pb_err_field(err, PB_E_INVALID, "entries", "duplicate_date",
                                      "同一日期出现了两次", "a date appears twice")
                       : rc;
    }
    snprintf(obj, sizeof obj, "%d", a->year);
    snprintf(changes, sizeof changes, "{\"entries\":%zu}", json_array_size(a->entries));
    return pb_audit_write(a->c,
                          &(struct pb_audit_rec){.action = "replace",
                                                 .resource = "calendar",
                                                 .object_id = obj,
                                                 .region_code = "",
                                                 .result = "ok",
                                                 .changes = changes},
                          err);
}

int pb_calendar_put_year(struct pb_ctx *c, int year, json_t *body, struct pb_err *err)
{
    struct put_args a = {c, year, NULL, "manual"};
    const char *key;
    json_t *v, *e;
    size_t i;
    if (c->who->role != PB_ROLE_ADMIN && c->who->role != PB_ROLE_SYSTEM)
        return pb_err_set(err, PB_E_FORBIDDEN, "只有平台管理员可以修改节假日安排",
                          "only platform administrators may edit the holiday calendar");
    if (year < PB_CAL_MIN_YEAR || year > PB_CAL_MAX_YEAR)
        return pb_err_field(err, PB_E_INVALID, "year", "out_of_range", "年份须在 1900–2200 之间",
                            "the year must be within 1900–2200");
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "entries") && strcmp(key, "source"))
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                          "the request has unknown fields");
    a.entries = json_object_get(body, "entries");
    if (json_is_string(json_object_get(body, "source")))
        a.source = json_string_value(json_object_get(body, "source"));
    if (strlen(a.source) > 200)
        pb_err_field(err, PB_E_INVALID, "source", "too_long", "来源过长", "source is too long");
    if (!json_is_array(a.entries) || json_array_size(a.entries) > 366)
        return pb_err_field(err, PB_E_INVALID, "entries", "required",
                            "entries 须为不超过 366 项的数组",
                            "entries must be an array of at most 366 items");
    json_array_foreach(a.entries, i, e)
    {
        char f[48];
        const char *date = json_string_value(json_object_get(e, "date"));
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *name = json_string_value(json_object_get(e, "name"));
        int y, m, d;
        if (!json_is_object(e) || json_object_size(e) > 3) {
            snprintf(f, sizeof f, "entries[%zu]", i);
            pb_err_field(err, PB_E_INVALID, f, "invalid", "每项应为 {date, kind, name}",
                         "each entry is {date, kind, name}");
            continue;
        }
        snprintf(f, sizeof f, "entries[%zu].date", i);
        if (!date || pb_date_parse(date, &y, &m, &d) || y != year)
            pb_err_field(err, PB_E_INVALID, f, "invalid_date", "日期无效或不在 %d 年内",
                         "not a date within %d", year);
        snprintf(f, sizeof f, "entries[%zu].kind", i);
        if (!kind || (strcmp(kind, "holiday") && strcmp(kind, "workday")))
            pb_err_field(err, PB_E_INVALID, f, "invalid_choice", "类型应为 holiday 或 workday",
                         "kind must be holiday or workday");
        else if (date && !pb_date_parse(date, &y, &m, &d) && !strcmp(kind, "workday") &&
                 pb_weekday_ymd(y, m, d) < 5)
            pb_err_field(err, PB_E_INVALID, f, "workday_not_weekend", "调休上班日应为周六或周日",
                         "a make-up working day falls on a weekend");
        snprintf(f, sizeof f, "entries[%zu].name", i);
        if (name && pb_utf8_len(name) > 40)
            pb_err_field(err, PB_E_INVALID, f, "too_long", "名称过长", "name is too long");
    }
    if (err->nfields)
        return pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields");
    return pb_db_tx(c->db, 1, put_tx, &a, err);
}
