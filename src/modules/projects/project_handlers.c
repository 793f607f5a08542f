/* project_handlers.c: routes of the standardization-projects module (issue 4): transitions,
 * monthly reports, the monthly statistics and bulletin, the late list, the calendar and the
 * dashboard. Decode, call the domain, encode. */
#include <stdio.h>
#include <string.h>

#include "core/http/handlers.h"
#include "modules/projects/project.h"
#include "modules/projects/project_handlers.h"
#include "modules/projects/project_stats.h"

/* Reject body members other than `allowed`; strings only. */
static int body_strings(struct pb_req *rq, const char *const *allowed, const char **vals,
                        struct pb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(rq->json, key, v)
    {
        int k = -1;
        for (int i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], key))
                k = i;
        if (k < 0) {
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
            continue;
        }
        if (json_is_null(v))
            continue;
        if (!json_is_string(v)) {
            /* Amounts are decimal strings so that they stay exact. */
            pb_err_field(err, PB_E_INVALID, key, "not_a_string", "「%s」应为字符串",
                         "%s must be a string", key);
            continue;
        }
        vals[k] = json_string_value(v);
    }
    if (!err->nfields)
        return 0;
    return err->rc == PB_E_BAD_REQUEST ? pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                                                    "the request has unknown fields")
                                       : pb_err_set(err, PB_E_INVALID, "请检查标出的字段",
                                                    "please check the marked fields");
}

static void done(struct pb_req *rq, int rc, struct pb_err *err, int status)
{
    if (rc) {
        rq->out.len = 0;
        pb_http_problem(rq, err);
        return;
    }
    pb_http_json(rq, status);
}

static void pb_h_project_transition(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"stage",         "date",   "evidence",
                                       "evidence_kind", "reason", NULL};
    const char *v[5] = {0};
    struct pb_transition_in in;
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if ((rc = body_strings(rq, keys, v, &err)) == 0) {
        in = (struct pb_transition_in){v[0], v[1], v[2], v[3], v[4]};
        rc = pb_project_transition(c, pb_http_id(rq, 3), &in, &rq->out, &err);
    }
    done(rq, rc, &err, 201);
}

static void pb_h_project_transitions(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    done(rq, pb_project_transitions(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void pb_h_project_transition_void(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"reason", NULL};
    const char *v[1] = {0};
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if ((rc = body_strings(rq, keys, v, &err)) == 0)
        rc = pb_project_transition_void(c, pb_http_id(rq, 3), pb_http_id(rq, 5), v[0], &rq->out,
                                        &err);
    done(rq, rc, &err, 200);
}

static void pb_h_report_put(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"invest_done_yuan",
                                       "topped_out_m2",
                                       "topped_out_supporting_m2",
                                       "completed_m2",
                                       "invest_cum_yuan",
                                       "stage",
                                       "problems",
                                       "note",
                                       NULL};
    const char *v[8] = {0};
    struct pb_report_in in;
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if ((rc = body_strings(rq, keys, v, &err)) == 0) {
        in = (struct pb_report_in){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
        rc = pb_report_put(c, pb_http_id(rq, 3), rq->segs[5], &in, &rq->out, &err);
    }
    done(rq, rc, &err, 200);
}

static void pb_h_report_get(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    done(rq, pb_report_get(c, pb_http_id(rq, 3), rq->segs[5], &rq->out, &err), &err, 200);
}

static void pb_h_report_list(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    done(rq, pb_report_list(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void pb_h_report_confirm(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    done(rq, pb_report_confirm(c, pb_http_id(rq, 3), rq->segs[5], &rq->out, &err), &err, 200);
}

static void pb_h_report_withdraw(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    done(rq, pb_report_withdraw(c, pb_http_id(rq, 3), rq->segs[5], &rq->out, &err), &err, 200);
}

/* month, scope, id, rollup, pilot, portfolio (and stall_months for the dashboard). */
static int stats_req(struct pb_req *rq, struct pb_stats_req *out, int dashboard, struct pb_err *err)
{
    const char *month = pb_http_query(rq, "month"), *scope = pb_http_query(rq, "scope"),
               *id = pb_http_query(rq, "id"), *rollup = pb_http_query(rq, "rollup"),
               *pilot = pb_http_query(rq, "pilot"), *pf = pb_http_query(rq, "portfolio"),
               *stall = pb_http_query(rq, "stall_months");
    memset(out, 0, sizeof *out);
    if (!month)
        pb_err_field(err, PB_E_INVALID, "month", "required", "请指定月份（YYYY-MM）",
                     "month (YYYY-MM) is required");
    else if (strlen(month) >= sizeof out->month || pb_month_parse(month, NULL, NULL))
        pb_err_field(err, PB_E_INVALID, "month", "invalid_month", "月份格式应为 YYYY-MM",
                     "the month must be YYYY-MM");
    else
        pb_strlcpy(out->month, month, sizeof out->month);
    pb_strlcpy(out->scope, scope ? scope : "city", sizeof out->scope);
    if (scope && strlen(scope) >= sizeof out->scope)
        pb_strlcpy(out->scope, "?", sizeof out->scope);
    if (id && strlen(id) >= sizeof out->id)
        pb_err_field(err, PB_E_INVALID, "id", "too_long", "id 过长", "id is too long");
    else if (id)
        pb_strlcpy(out->id, id, sizeof out->id);
    out->rollup = rollup && (!strcmp(rollup, "1") || !strcmp(rollup, "true"));
    out->pilot_only = pilot && (!strcmp(pilot, "1") || !strcmp(pilot, "true"));
    if (pf && strcmp(pf, "city") && strcmp(pf, "all"))
        pb_err_field(err, PB_E_INVALID, "portfolio", "invalid_choice", "portfolio 应为 city 或 all",
                     "portfolio must be city or all");
    out->all_portfolios = pf && !strcmp(pf, "all");
    if (dashboard && stall) {
        int64_t n = 0;
        if (pb_parse_i64(stall, &n) || n < 1 || n > 24)
            pb_err_field(err, PB_E_INVALID, "stall_months", "out_of_range",
                         "stall_months 应为 1 到 24", "stall_months must be 1 to 24");
        out->stall_months = (int)n;
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_INVALID, "查询参数有误", "the query parameters are invalid");
    return 0;
}

static void pb_h_reports_monthly(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"month", "scope",     "id",     "rollup",
                                          "pilot", "portfolio", "format", NULL};
    struct pb_stats_req sr;
    struct pb_err err;
    const char *fmt = pb_http_query(rq, "format");
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "xlsx") &&
        strcmp(fmt, "text"))
        pb_err_field(&err, PB_E_INVALID, "format", "invalid_choice",
                     "格式应为 json、csv、xlsx 或 text", "format must be json, csv, xlsx or text");
    if ((rc = stats_req(rq, &sr, 0, &err))) {
        done(rq, rc, &err, 200);
        return;
    }
    if (!fmt || !strcmp(fmt, "json")) {
        done(rq, pb_stats_monthly_json(c, &sr, &rq->out, &err), &err, 200);
        return;
    }
    {
        struct pb_stats *s = pb_arena_alloc(&rq->arena, sizeof *s);
        char disp[128];
        if ((rc = pb_stats_compute(c, &sr, s, &err))) {
            done(rq, rc, &err, 200);
            return;
        }
        if (!strcmp(fmt, "text")) {
            pb_stats_text(s, &rq->out);
            rq->status = 200;
            rq->content_type = "text/plain; charset=utf-8";
            return;
        }
        if ((rc = pb_stats_export(c, s, !strcmp(fmt, "xlsx"), &rq->out, &err))) {
            done(rq, rc, &err, 200);
            return;
        }
        snprintf(disp, sizeof disp, "attachment; filename=\"report-%s-%s.%s\"", sr.month, sr.scope,
                 fmt);
        pb_http_header(rq, "Content-Disposition", disp);
        rq->status = 200;
        rq->content_type =
            !strcmp(fmt, "csv")
                ? "text/csv; charset=utf-8"
                : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
}

static void pb_h_reports_late(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"month", "scope",     "id", "rollup",
                                          "pilot", "portfolio", NULL};
    struct pb_stats_req sr;
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if ((rc = stats_req(rq, &sr, 0, &err)) == 0)
        rc = pb_late_json(c, &sr, &rq->out, &err);
    done(rq, rc, &err, 200);
}

static void pb_h_reports_calendar(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"year", NULL};
    const char *y = pb_http_query(rq, "year");
    int64_t year = 0;
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (!pb_policy_allows(c->who->role, "reports", PB_ACT_READ)) {
        pb_err_set(&err, PB_E_FORBIDDEN, "您的角色无权查看", "your role may not read this");
        done(rq, PB_E_FORBIDDEN, &err, 200);
        return;
    }
    if (!y || pb_parse_i64(y, &year) || year < 2000 || year > 2100) {
        pb_err_field(&err, PB_E_INVALID, "year", "out_of_range", "年度应为 2000 到 2100",
                     "year must be 2000 to 2100");
        pb_err_set(&err, PB_E_INVALID, "查询参数有误", "the query parameters are invalid");
        done(rq, PB_E_INVALID, &err, 200);
        return;
    }
    pb_calendar_json((int)year, &rq->out);
    pb_http_json(rq, 200);
}

static void pb_h_dashboard(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"month", "scope",     "id",           "rollup",
                                          "pilot", "portfolio", "stall_months", NULL};
    struct pb_stats_req sr;
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if ((rc = stats_req(rq, &sr, 1, &err)) == 0)
        rc = pb_dashboard_json(c, &sr, &rq->out, &err);
    done(rq, rc, &err, 200);
}

void pb_projects_routes(void (*add)(const struct pb_route *r))
{
    /* Standardization projects (issue 4): stage transitions, monthly reports, statistics. */
    add(&(struct pb_route){"POST", "/api/v1/projects/{id}/transitions", pb_h_project_transition,
                           PB_RT_BODY, "create_project_transition",
                           "Record a dated stage transition (back-dating allowed)", "projects"});
    add(&(struct pb_route){"GET", "/api/v1/projects/{id}/transitions", pb_h_project_transitions, 0,
                           "list_project_transitions", "The project's stage history", "projects"});
    add(&(struct pb_route){"POST", "/api/v1/projects/{id}/transitions/{tid}/void",
                           pb_h_project_transition_void, PB_RT_BODY, "void_project_transition",
                           "Void a wrong transition (city staff, with a reason)", "projects"});
    add(&(struct pb_route){
        "GET", "/api/v1/projects/{id}/reports", pb_h_report_list, 0, "list_project_reports",
        "The project's current monthly reports with cumulative figures", "reports"});
    add(&(struct pb_route){"PUT", "/api/v1/projects/{id}/reports/{month}", pb_h_report_put,
                           PB_RT_BODY, "put_project_report",
                           "Submit the month's report (after confirmation: a new version)",
                           "reports"});
    add(&(struct pb_route){"GET", "/api/v1/projects/{id}/reports/{month}", pb_h_report_get, 0,
                           "get_project_report", "The month's current report and its versions",
                           "reports"});
    add(&(struct pb_route){"POST", "/api/v1/projects/{id}/reports/{month}/confirm",
                           pb_h_report_confirm, 0, "confirm_project_report",
                           "Confirm the current version (city staff)", "reports"});
    add(&(struct pb_route){"POST", "/api/v1/projects/{id}/reports/{month}/withdraw",
                           pb_h_report_withdraw, 0, "withdraw_project_report",
                           "Withdraw the submitted version before confirmation", "reports"});
    add(&(struct pb_route){"GET", "/api/v1/reports/monthly", pb_h_reports_monthly, 0,
                           "monthly_report",
                           "Rolling statistics and the bulletin for a month and scope (json, csv, "
                           "xlsx or text)",
                           "reports"});
    add(&(struct pb_route){"GET", "/api/v1/reports/late", pb_h_reports_late, 0, "late_reports",
                           "Projects late with the month's report", "reports"});
    add(&(struct pb_route){"GET", "/api/v1/reports/calendar", pb_h_reports_calendar, 0,
                           "report_calendar", "The reporting calendar (due dates) of a year",
                           "reports"});
    add(&(struct pb_route){"GET", "/api/v1/dashboard", pb_h_dashboard, 0, "dashboard",
                           "Dashboard aggregates (cached, invalidated on every write)", "reports"});
}
