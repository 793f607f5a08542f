/* handlers.c: decode, call the domain, encode. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/audit_log.h"
#include "core/http/handlers.h"
#include "core/resource/op.h"
#include "core/refdata.h"
#include "core/store/db.h"
#include "core/util/b64.h"
#include "core/util/timeutil.h"

/* ---- operations ---- */

void pb_h_healthz(struct pb_req *rq, struct pb_ctx *c)
{
    (void)c;
    pb_buf_adds(&rq->out, "ok\n");
    rq->status = 200;
    rq->content_type = "text/plain; charset=utf-8";
}

void pb_h_readyz(struct pb_req *rq, struct pb_ctx *c)
{
    int64_t v = 0;
    int rc = c->db ? pb_db_query_int(c->db, "SELECT 1", &v) : PB_E_DB;
    rq->content_type = "text/plain; charset=utf-8";
    if (rc || v != 1) {
        pb_buf_adds(&rq->out, "database unavailable\n");
        rq->status = 503;
        return;
    }
    pb_buf_adds(&rq->out, "ready\n");
    rq->status = 200;
}

void pb_h_metrics(struct pb_req *rq, struct pb_ctx *c)
{
    (void)c;
    pb_metrics_render(&rq->out);
    rq->status = 200;
    rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

void pb_h_openapi(struct pb_req *rq, struct pb_ctx *c)
{
    (void)c;
    pb_buf_adds(&rq->out, pb_openapi_json());
    pb_http_json(rq, 200);
}

/* ---- session ---- */

static int only_keys(json_t *body, const char *const *allowed, struct pb_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        int ok = 0;
        (void)v;
        for (int i = 0; allowed[i]; i++)
            if (!strcmp(allowed[i], key))
                ok = 1;
        if (!ok)
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知字段",
                          "the request has unknown fields");
    return 0;
}

static const char *str_field(json_t *body, const char *key, size_t max, struct pb_err *err)
{
    json_t *v = json_object_get(body, key);
    if (!v || !json_is_string(v) || json_string_length(v) == 0) {
        pb_err_field(err, PB_E_INVALID, key, "required", "「%s」为必填项", "%s is required", key);
        return NULL;
    }
    if (json_string_length(v) > max) {
        pb_err_field(err, PB_E_INVALID, key, "too_long", "「%s」过长", "%s is too long", key);
        return NULL;
    }
    return json_string_value(v);
}

static void put_user(struct pb_req *rq, struct pb_ctx *c, const struct pb_principal *p)
{
    char display[256];
    pb_account_display_name(c->db, p->account_id, display, sizeof display);
    pb_buf_printf(&rq->out, "{\"id\":%lld,\"username\":", (long long)p->account_id);
    pb_buf_json_str(&rq->out, p->username);
    pb_buf_adds(&rq->out, ",\"display_name\":");
    pb_buf_json_str(&rq->out, display);
    pb_buf_printf(&rq->out, ",\"role\":\"%s\",\"role_label\":", pb_role_name(p->role));
    pb_buf_json_str(&rq->out, pb_role_label(p->role, rq->lang_en));
    pb_buf_printf(&rq->out, ",\"must_change_password\":%s,\"all_regions\":%s,\"regions\":[",
                  p->must_change_password ? "true" : "false", p->all_regions ? "true" : "false");
    for (int i = 0; i < p->nregions; i++) {
        if (i)
            pb_buf_addc(&rq->out, ',');
        pb_buf_json_str(&rq->out, p->regions[i]);
    }
    pb_buf_adds(&rq->out, "],\"parks\":[");
    for (int i = 0; i < p->nparks; i++)
        pb_buf_printf(&rq->out, "%s%lld", i ? "," : "", (long long)p->parks[i]);
    pb_buf_adds(&rq->out, "]}");
}

void pb_h_login(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"username", "password", NULL};
    struct pb_err err;
    struct pb_login_result res;
    const char *u, *p;
    char cookie[256];
    pb_err_clear(&err);
    if (only_keys(rq->json, keys, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    u = str_field(rq->json, "username", 64, &err);
    p = str_field(rq->json, "password", PB_PASSWORD_MAX * 4, &err);
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "请输入用户名和密码", "enter the user name and password");
        pb_http_problem(rq, &err);
        return;
    }
    if (pb_session_login(c, u, p, &res, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    snprintf(cookie, sizeof cookie,
             "pb_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", res.token,
             (long long)(pb_session_absolute_ms / 1000), rq->tls ? "; Secure" : "");
    pb_http_header(rq, "Set-Cookie", cookie);
    pb_buf_adds(&rq->out, "{\"token\":");
    pb_buf_json_str(&rq->out, res.token);
    pb_buf_adds(&rq->out, ",\"user\":");
    put_user(rq, c, &res.who);
    pb_buf_addc(&rq->out, '}');
    pb_http_json(rq, 200);
}

void pb_h_logout(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_session_logout(c, rq->token, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_header(rq, "Set-Cookie", "pb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    rq->status = 204;
}

void pb_h_me(struct pb_req *rq, struct pb_ctx *c)
{
    put_user(rq, c, &rq->who);
    pb_http_json(rq, 200);
}

void pb_h_password(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"current_password", "new_password", NULL};
    struct pb_err err;
    const char *cur, *next;
    pb_err_clear(&err);
    if (only_keys(rq->json, keys, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    cur = str_field(rq->json, "current_password", PB_PASSWORD_MAX * 4, &err);
    next = str_field(rq->json, "new_password", PB_PASSWORD_MAX * 4, &err);
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
        pb_http_problem(rq, &err);
        return;
    }
    if (pb_session_change_password(c, rq->token, cur, next, &err)) {
        if (err.nfields && !err.detail_en[0])
            pb_err_set(&err, err.rc, "请检查标出的字段", "please check the marked fields");
        pb_http_problem(rq, &err);
        return;
    }
    rq->status = 204;
}

/* ---- reference data ---- */

void pb_h_meta(struct pb_req *rq, struct pb_ctx *c)
{
    if (pb_http_only_params(rq, NULL))
        return;
    pb_res_meta(c, &rq->out);
    pb_http_json(rq, 200);
}

void pb_h_regions(struct pb_req *rq, struct pb_ctx *c)
{
    (void)c;
    if (pb_http_only_params(rq, NULL))
        return;
    pb_buf_adds(&rq->out, "{\"items\":[");
    for (size_t i = 0; i < pb_region_count(); i++) {
        const struct pb_region *r = pb_region_at(i);
        pb_buf_adds(&rq->out, i ? ",{\"code\":" : "{\"code\":");
        pb_buf_json_str(&rq->out, r->code);
        pb_buf_adds(&rq->out, ",\"name\":");
        pb_buf_json_str(&rq->out, r->name);
        pb_buf_adds(&rq->out, ",\"name_en\":");
        pb_buf_json_str(&rq->out, r->name_en);
        pb_buf_adds(&rq->out, ",\"kind\":");
        pb_buf_json_str(&rq->out, r->kind);
        pb_buf_adds(&rq->out, ",\"parent_code\":");
        if (r->parent_code[0])
            pb_buf_json_str(&rq->out, r->parent_code);
        else
            pb_buf_adds(&rq->out, "null");
        pb_buf_adds(&rq->out, ",\"rollup_code\":");
        pb_buf_json_str(&rq->out, r->rollup_code);
        pb_buf_printf(&rq->out, ",\"sort\":%d}", r->sort);
    }
    pb_buf_adds(&rq->out, "]}");
    pb_http_json(rq, 200);
}

void pb_h_industries(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"q", "level", "limit", NULL};
    const char *q = pb_http_query(rq, "q"), *lv = pb_http_query(rq, "level"),
               *lim = pb_http_query(rq, "limit");
    int64_t level = 0, limit = 50;
    int n = 0;
    struct pb_err err;
    (void)c;
    if (pb_http_only_params(rq, allowed))
        return;
    pb_err_clear(&err);
    if (lv && (pb_parse_i64(lv, &level) || level < 1 || level > 4))
        pb_err_field(&err, PB_E_INVALID, "level", "out_of_range", "层级应为 1 到 4",
                     "level must be 1 to 4");
    if (lim && (pb_parse_i64(lim, &limit) || limit < 1 || limit > 2000))
        pb_err_field(&err, PB_E_INVALID, "limit", "out_of_range", "条数应为 1 到 2000",
                     "limit must be 1 to 2000");
    if (q && strlen(q) > 50)
        pb_err_field(&err, PB_E_INVALID, "q", "too_long", "搜索词过长",
                     "the search text is too long");
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "查询参数有误", "the query parameters are invalid");
        pb_http_problem(rq, &err);
        return;
    }
    pb_buf_adds(&rq->out, "{\"items\":[");
    for (size_t i = 0; i < pb_industry_count() && n < limit; i++) {
        const struct pb_industry *ind = pb_industry_at(i);
        if (level && ind->level != level)
            continue;
        if (q && *q && strncmp(ind->code, q, strlen(q)) && !strstr(ind->name, q))
            continue;
        pb_buf_adds(&rq->out, n ? ",{\"code\":" : "{\"code\":");
        pb_buf_json_str(&rq->out, ind->code);
        pb_buf_printf(&rq->out, ",\"level\":%d,\"section\":", ind->level);
        pb_buf_json_str(&rq->out, ind->section);
        pb_buf_adds(&rq->out, ",\"name\":");
        pb_buf_json_str(&rq->out, ind->name);
        pb_buf_addc(&rq->out, '}');
        n++;
    }
    pb_buf_adds(&rq->out, "]}");
    pb_http_json(rq, 200);
}

/* ---- audit ---- */

static int audit_allowed(struct pb_req *rq, struct pb_ctx *c)
{
    if (pb_policy_allows(c->who->role, "audit", PB_ACT_READ))
        return 1;
    c->denied.set = 1;
    c->denied.resource = "audit";
    c->denied.action = "read";
    pb_http_error(rq, PB_E_FORBIDDEN, "您的角色无权查看审计日志",
                  "your role may not read the audit log");
    return 0;
}

void pb_h_audit_get(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (!audit_allowed(rq, c) || pb_http_only_params(rq, NULL))
        return;
    if (pb_audit_get(c, pb_http_id(rq, 3), &rq->out, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_json(rq, 200);
}

void pb_h_audit(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"action",      "resource", "object_id",  "username",
                                          "region_code", "result",   "request_id", "at_min",
                                          "at_max",      "limit",    "cursor",     NULL};
    struct pb_audit_query q;
    struct pb_err err;
    const char *s;
    unsigned char raw[32];
    size_t rawlen;

    pb_err_clear(&err);
    memset(&q, 0, sizeof q);
    q.limit = 50;
    if (!audit_allowed(rq, c))
        return;
    if (pb_http_only_params(rq, allowed))
        return;
    for (int i = 0; pb_audit_text_filters[i]; i++)
        if ((s = pb_http_query(rq, pb_audit_text_filters[i]))) {
            if (strlen(s) > 100)
                pb_err_field(&err, PB_E_INVALID, pb_audit_text_filters[i], "too_long", "筛选词过长",
                             "filter text too long");
            else
                q.text[i] = s;
        }
    if ((s = pb_http_query(rq, "at_min"))) {
        q.has_at_min = 1;
        if (pb_iso_parse(s, &q.at_min))
            pb_err_field(&err, PB_E_INVALID, "at_min", "invalid_time", "时间格式应为 ISO-8601",
                         "must be an ISO-8601 time");
    }
    if ((s = pb_http_query(rq, "at_max"))) {
        q.has_at_max = 1;
        if (pb_iso_parse(s, &q.at_max))
            pb_err_field(&err, PB_E_INVALID, "at_max", "invalid_time", "时间格式应为 ISO-8601",
                         "must be an ISO-8601 time");
    }
    if ((s = pb_http_query(rq, "limit")) &&
        (pb_parse_i64(s, &q.limit) || q.limit < 1 || q.limit > 500))
        pb_err_field(&err, PB_E_INVALID, "limit", "out_of_range", "每页条数应为 1 到 500",
                     "limit must be from 1 to 500");
    if ((s = pb_http_query(rq, "cursor"))) {
        if (strlen(s) > 40 || pb_b64url_decode(s, strlen(s), raw, sizeof raw - 1, &rawlen)) {
            pb_err_field(&err, PB_E_BAD_REQUEST, "cursor", "invalid_cursor", "分页游标无效",
                         "invalid cursor");
        } else {
            raw[rawlen] = 0;
            if (pb_parse_i64((const char *)raw, &q.cursor) || q.cursor < 1)
                pb_err_field(&err, PB_E_BAD_REQUEST, "cursor", "invalid_cursor", "分页游标无效",
                             "invalid cursor");
        }
    }
    if (err.nfields) {
        pb_err_set(&err, err.rc, "查询参数有误", "the query parameters are invalid");
        pb_http_problem(rq, &err);
        return;
    }
    if (pb_audit_list(c, &q, &rq->out, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_json(rq, 200);
}

/* ---- generic resources ---- */

static const struct pb_resource *res_of(struct pb_req *rq)
{
    return pb_route_at((size_t)rq->route)->res;
}

static void set_etag(struct pb_req *rq, int64_t id, int64_t version)
{
    char tag[48];
    pb_res_etag(id, version, tag, sizeof tag);
    pb_http_header(rq, "ETag", tag);
}

void pb_h_res_list(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_list_req lr;
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    pb_err_clear(&err);
    if (pb_list_parse(r, rq->query, rq->nquery, NULL, &lr, &err) ||
        pb_res_list(c, r, &lr, &rq->out, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    pb_http_json(rq, 200);
}

void pb_h_res_export(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const extra[] = {"format", NULL};
    struct pb_list_req lr;
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    const char *fmt = pb_http_query(rq, "format");
    enum pb_export_fmt f = PB_EXPORT_XLSX;
    char disp[256], stamp[16], iso[32];
    pb_err_clear(&err);
    if (fmt && !strcmp(fmt, "csv"))
        f = PB_EXPORT_CSV;
    else if (fmt && strcmp(fmt, "xlsx"))
        pb_err_field(&err, PB_E_INVALID, "format", "invalid_choice", "格式应为 csv 或 xlsx",
                     "format must be csv or xlsx");
    if (err.nfields || pb_list_parse(r, rq->query, rq->nquery, extra, &lr, &err) ||
        pb_res_export(c, r, &lr, f, &rq->out, &err)) {
        if (!err.detail_en[0])
            pb_err_set(&err, err.rc, "查询参数有误", "the query parameters are invalid");
        pb_http_problem(rq, &err);
        return;
    }
    pb_iso_cst(c->now_ms, iso);
    snprintf(stamp, sizeof stamp, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
    snprintf(disp, sizeof disp, "attachment; filename=\"%s-%s.%s\"", r->name, stamp,
             f == PB_EXPORT_CSV ? "csv" : "xlsx");
    pb_http_header(rq, "Content-Disposition", disp);
    rq->status = 200;
    rq->content_type = f == PB_EXPORT_CSV
                           ? "text/csv; charset=utf-8"
                           : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

void pb_h_res_create(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    int64_t id = 0, version = 0;
    char loc[128];
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (pb_res_create(c, r, rq->json, &rq->out, &id, &version, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    snprintf(loc, sizeof loc, "/api/v1/%s/%lld", r->name, (long long)id);
    pb_http_header(rq, "Location", loc);
    set_etag(rq, id, version);
    pb_http_json(rq, 201);
}

void pb_h_res_get(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"include_archived", NULL};
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    const char *ia = pb_http_query(rq, "include_archived");
    int64_t id = pb_http_id(rq, 3), version = 0;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (pb_res_get(c, r, id, ia && (!strcmp(ia, "1") || !strcmp(ia, "true")), &rq->out, &version,
                   &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    set_etag(rq, id, version);
    pb_http_json(rq, 200);
}

void pb_h_res_patch(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    int64_t id = pb_http_id(rq, 3), version = 0;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (pb_res_patch(c, r, id, rq->json, pb_http_req_header(rq, "If-Match"), &rq->out, &version,
                     &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    set_etag(rq, id, version);
    pb_http_json(rq, 200);
}

void pb_h_res_delete(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    const struct pb_resource *r = res_of(rq);
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (pb_res_archive(c, r, pb_http_id(rq, 3), pb_http_req_header(rq, "If-Match"), &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    rq->status = 204;
}

/* ---- operations (op.h) ---- */

void pb_h_op(struct pb_req *rq, struct pb_ctx *c)
{
    const struct pb_route *rt = pb_route_at((size_t)rq->route);
    const struct pb_op *op = rt->op;
    struct pb_op_in in;
    struct pb_op_out out;
    struct pb_err err;
    char pat[160], *save = NULL, *tok;
    int i = 0, status;

    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    pb_err_clear(&err);
    /* Path parameters by their place in the pattern (the router checked their shape). */
    pb_strlcpy(pat, op->pattern, sizeof pat);
    for (tok = strtok_r(pat, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++) {
        if (!strcmp(tok, "{id}"))
            in.id = pb_http_id(rq, i);
        else if (!strcmp(tok, "{tid}"))
            in.id2 = pb_http_id(rq, i);
        else if (!strcmp(tok, "{month}"))
            in.month = rq->segs[i];
    }
    in.query = rq->query;
    in.nquery = rq->nquery;
    in.if_match = pb_http_req_header(rq, "If-Match");
    out.body = &rq->out;
    if (pb_op_exec(c, op, &in, rq->json, &out, &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    status = out.status ? out.status : op->status ? op->status : 200;
    if (out.location)
        pb_http_header(rq, "Location", out.location);
    if (status == 204)
        rq->out.len = 0;
    pb_http_json(rq, status);
}
