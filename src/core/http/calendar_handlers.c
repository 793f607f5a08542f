/* calendar_handlers.c: the working-day calendar's routes (readable by every signed-in user;
 * a year's entries replaced by the admin, audited). */
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/http/handlers.h"
#include "core/util/log.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

void pb_h_calendar_year(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_calendar_year_json(c, (int)pb_http_id(rq, 3), &rq->out, &err)) {
        if (!err.detail_en[0])
            pb_err_set(&err, err.rc, "请检查年份", "please check the year");
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_json(rq, 200);
}

void pb_h_calendar_put(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int year = (int)pb_http_id(rq, 3);
    pb_err_clear(&err);
    if (pb_calendar_put_year(c, year, rq->json, &err)) {
        if (err.rc == PB_E_FORBIDDEN) {
            c->denied.set = 1;
            c->denied.resource = "calendar";
            snprintf(c->denied.object_id, sizeof c->denied.object_id, "%d", year);
            c->denied.action = "replace";
        }
        if (!err.detail_en[0])
            pb_err_set(&err, err.rc, "请检查标出的字段", "please check the marked fields");
        pb_http_problem(rq, &err);
        return;
    }
    pb_buf_reset(&rq->out);
    if (pb_calendar_year_json(c, year, &rq->out, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_json(rq, 200);
}

/* Query parameters: reject unknown ones like the rest of the API. */
static struct pb_cal *load_cal(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    struct pb_cal *cal = pb_arena_alloc(&rq->arena, sizeof *cal);
    pb_err_clear(&err);
    if (pb_calendar_load(c->db, cal, &err)) {
        pb_http_problem(rq, &err);
        return NULL;
    }
    return cal;
}

static int date_param(struct pb_req *rq, const char *key, int64_t *day, struct pb_err *err)
{
    const char *s = pb_http_query(rq, key);
    int y, m, d;
    if (!s || pb_date_parse(s, &y, &m, &d)) {
        pb_err_field(err, PB_E_INVALID, key, "invalid_date", "「%s」须为 YYYY-MM-DD 格式的日期",
                     "%s must be a date YYYY-MM-DD", key);
        return -1;
    }
    *day = pb_days_from_civil(y, m, d);
    return 0;
}

static void put_day(struct pb_buf *out, const char *key, int64_t day)
{
    int y, m, d;
    char s[11];
    pb_civil_from_days(day, &y, &m, &d);
    pb_date_format(y, m, d, s);
    pb_buf_printf(out, "\"%s\":\"%s\"", key, s);
}

void pb_h_calendar_workday_after(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"date", "n", NULL};
    struct pb_err err;
    struct pb_cal *cal;
    int64_t day, n = 3;
    int published;
    const char *ns = pb_http_query(rq, "n");
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    date_param(rq, "date", &day, &err);
    if (ns && (pb_parse_i64(ns, &n) || n < 0 || n > 3660))
        pb_err_field(&err, PB_E_INVALID, "n", "out_of_range", "n 须为 0 到 3660 的整数",
                     "n must be an integer 0..3660");
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "请检查查询参数", "please check the query parameters");
        pb_http_problem(rq, &err);
        return;
    }
    if (!(cal = load_cal(rq, c)))
        return;
    day = pb_cal_workday_after(cal, day, (int)n, &published);
    pb_buf_addc(&rq->out, '{');
    put_day(&rq->out, "date", day);
    pb_buf_printf(&rq->out, ",\"n\":%lld,\"published\":%s}", (long long)n,
                  published ? "true" : "false");
    pb_http_json(rq, 200);
}

void pb_h_calendar_is_workday(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"date", NULL};
    struct pb_err err;
    struct pb_cal *cal;
    int64_t day;
    int published, w;
    const char *name;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (date_param(rq, "date", &day, &err)) {
        pb_err_set(&err, PB_E_INVALID, "请检查查询参数", "please check the query parameters");
        pb_http_problem(rq, &err);
        return;
    }
    if (!(cal = load_cal(rq, c)))
        return;
    w = pb_cal_is_workday(cal, day, &published, &name);
    pb_buf_addc(&rq->out, '{');
    put_day(&rq->out, "date", day);
    pb_buf_printf(&rq->out, ",\"workday\":%s,\"published\":%s,\"name\":", w ? "true" : "false",
                  published ? "true" : "false");
    if (name)
        pb_buf_json_str(&rq->out, name);
    else
        pb_buf_adds(&rq->out, "null");
    pb_buf_addc(&rq->out, '}');
    pb_http_json(rq, 200);
}

void pb_h_calendar_between(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"from", "to", NULL};
    struct pb_err err;
    struct pb_cal *cal;
    int64_t a = 0, b = 0;
    int published, n;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    date_param(rq, "from", &a, &err);
    date_param(rq, "to", &b, &err);
    if (!err.nfields && (b - a > 3660 || b < a))
        pb_err_field(&err, PB_E_INVALID, "to", "out_of_range",
                     "结束日期须不早于开始日期，且相隔不超过 3660 天",
                     "to must not be before from, at most 3660 days later");
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "请检查查询参数", "please check the query parameters");
        pb_http_problem(rq, &err);
        return;
    }
    if (!(cal = load_cal(rq, c)))
        return;
    n = pb_cal_workdays_between(cal, a, b, &published);
    pb_buf_addc(&rq->out, '{');
    put_day(&rq->out, "from", a);
    pb_buf_addc(&rq->out, ',');
    put_day(&rq->out, "to", b);
    pb_buf_printf(&rq->out, ",\"workdays\":%d,\"published\":%s}", n, published ? "true" : "false");
    pb_http_json(rq, 200);
}

/* ---- talent apartments ---- */
