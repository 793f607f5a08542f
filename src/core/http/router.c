/* router.c: the route table, matching, authentication, and problem+json errors. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "core/audit.h"
#include "core/http/handlers.h"
#include "core/http/http.h"
#include "core/idempotency.h"
#include "core/module.h"
#include "core/resource/op.h"
#include "core/util/crypto.h"
#include "core/util/log.h"
#include "core/util/qs.h"
#include "core/util/timeutil.h"

#define MAX_ROUTES 512
static struct pb_route routes[MAX_ROUTES];
static size_t nroutes;

static void add(const struct pb_route *r)
{
    if (nroutes == MAX_ROUTES) {
        /* A programming error, found at the first start: never drop a route silently. */
        fprintf(stderr, "parkbrain: route table full at %s %s\n", r->method, r->pattern);
        abort();
    }
    routes[nroutes++] = *r;
}

size_t pb_route_count(void)
{
    return nroutes;
}
const struct pb_route *pb_route_at(size_t i)
{
    return i < nroutes ? &routes[i] : NULL;
}

/* Generic routes for one resource: list, export, create, get, patch, archive. */
static void add_resource(const struct pb_resource *r)
{
    char path[128];
    /* The strings live as long as the process: routes are built once at start. */
#define P(fmt) pb_xstrdup((snprintf(path, sizeof path, fmt, r->name), path))
#define O(fmt) pb_xstrdup((snprintf(path, sizeof path, fmt, r->name), path))
    add(&(struct pb_route){"GET", P("/api/v1/%s"), pb_h_res_list, 0, O("list_%s"), "List", r->name,
                           PB_RK_LIST, r});
    add(&(struct pb_route){"GET", P("/api/v1/%s/export"), pb_h_res_export, PB_RT_RAW,
                           O("export_%s"), "Export the filtered list as CSV or XLSX", r->name,
                           PB_RK_EXPORT, r});
    add(&(struct pb_route){"POST", P("/api/v1/%s"), pb_h_res_create, PB_RT_BODY, O("create_%s"),
                           "Create", r->name, PB_RK_CREATE, r});
    add(&(struct pb_route){"GET", P("/api/v1/%s/{id}"), pb_h_res_get, 0, O("get_%s"), "Get one",
                           r->name, PB_RK_GET, r});
    add(&(struct pb_route){"PATCH", P("/api/v1/%s/{id}"), pb_h_res_patch, PB_RT_BODY,
                           O("update_%s"), "Update (If-Match required)", r->name, PB_RK_PATCH, r});
    add(&(struct pb_route){"DELETE", P("/api/v1/%s/{id}"), pb_h_res_delete, 0, O("archive_%s"),
                           "Archive (soft delete)", r->name, PB_RK_DELETE, r});
#undef P
#undef O
}

/* An operation's route: everything the router and OpenAPI need comes from the table. */
static void add_op(const struct pb_op *op)
{
    unsigned flags = 0;
    if (op->nfields)
        flags |= PB_RT_BODY;
    if (op->flags & PB_OP_PUBLIC)
        flags |= PB_RT_PUBLIC;
    if (op->flags & PB_OP_MUST_CHANGE)
        flags |= PB_RT_MUST_CHANGE;
    add(&(struct pb_route){op->method, op->pattern, pb_h_op, flags, op->op_id, op->summary, op->tag,
                           PB_RK_OTHER, NULL, op->response_schema, NULL, op});
}

void pb_routes_init(void)
{
    if (nroutes)
        return;
    add(&(struct pb_route){"GET", "/healthz", pb_h_healthz, PB_RT_PUBLIC | PB_RT_RAW, "healthz",
                           "Liveness", "operations"});
    add(&(struct pb_route){"GET", "/readyz", pb_h_readyz, PB_RT_PUBLIC | PB_RT_RAW, "readyz",
                           "Readiness (the database answers)", "operations"});
    add(&(struct pb_route){"GET", "/metrics", pb_h_metrics, PB_RT_PUBLIC | PB_RT_RAW, "metrics",
                           "Prometheus metrics", "operations"});
    add(&(struct pb_route){"GET", "/api/openapi.json", pb_h_openapi, PB_RT_PUBLIC, "openapi",
                           "This OpenAPI document", "operations"});
    add(&(struct pb_route){"POST", "/api/v1/session", pb_h_login, PB_RT_PUBLIC | PB_RT_BODY,
                           "login", "Log in", "session", PB_RK_OTHER, NULL, "Session", "Login"});
    add(&(struct pb_route){"DELETE", "/api/v1/session", pb_h_logout, PB_RT_MUST_CHANGE, "logout",
                           "Log out", "session"});
    add(&(struct pb_route){"GET", "/api/v1/me", pb_h_me, PB_RT_MUST_CHANGE, "me",
                           "The current user", "session", PB_RK_OTHER, NULL, "User"});
    add(&(struct pb_route){"POST", "/api/v1/me/password", pb_h_password,
                           PB_RT_MUST_CHANGE | PB_RT_BODY, "change_password",
                           "Change one's own password", "session", PB_RK_OTHER, NULL, NULL,
                           "PasswordChange"});
    add(&(struct pb_route){"GET", "/api/v1/meta", pb_h_meta, 0, "meta",
                           "Field descriptors of every resource, in the request language",
                           "reference"});
    add(&(struct pb_route){"GET", "/api/v1/regions", pb_h_regions, 0, "list_regions",
                           "Regions: Quanzhou, its county-level divisions and functional zones",
                           "reference"});
    add(&(struct pb_route){"GET", "/api/v1/industries", pb_h_industries, 0, "list_industries",
                           "GB/T 4754-2017 industry codes (search by code prefix or name)",
                           "reference"});
    add(&(struct pb_route){"GET", "/api/v1/audit", pb_h_audit, 0, "list_audit",
                           "Audit records (auditor and admin)", "audit"});
    add(&(struct pb_route){"GET", "/api/v1/audit/{id}", pb_h_audit_get, 0, "get_audit",
                           "One audit record (auditor and admin)", "audit"});
    /* The working-day calendar (issue 5): readable by every signed-in user. */
    add(&(struct pb_route){"GET", "/api/v1/calendar/workday-after", pb_h_calendar_workday_after, 0,
                           "calendar_workday_after",
                           "The Nth working day after a date (that day not counted)", "calendar"});
    add(&(struct pb_route){"GET", "/api/v1/calendar/is-workday", pb_h_calendar_is_workday, 0,
                           "calendar_is_workday", "Is a date a working day?", "calendar"});
    add(&(struct pb_route){"GET", "/api/v1/calendar/between", pb_h_calendar_between, 0,
                           "calendar_between", "Working days d with from < d <= to", "calendar"});
    add(&(struct pb_route){"GET", "/api/v1/calendar/{id}", pb_h_calendar_year, 0, "calendar_year",
                           "A year's holidays and make-up working days", "calendar"});
    add(&(struct pb_route){"PUT", "/api/v1/calendar/{id}", pb_h_calendar_put, PB_RT_BODY,
                           "calendar_replace_year", "Replace a year's entries (admin; audited)",
                           "calendar"});
    /* Each module's operations and own routes, in module order, then the generic routes of
     * every resource. */
    for (size_t i = 0; pb_modules[i]; i++) {
        for (const struct pb_op *op = pb_modules[i]->ops; op && op->method; op++)
            add_op(op);
        if (pb_modules[i]->routes)
            pb_modules[i]->routes(add);
    }
    for (size_t i = 0; i < pb_resource_count(); i++)
        add_resource(pb_resource_at(i));
}

/* ---- matching ---- */

static int seg_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || s[0] == '0')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* YYYY-MM (the domain checks the range). */
static int seg_is_month(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-')
        return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

/* Does the pattern match the request's segments? */
static int pattern_match(const char *pattern, struct pb_req *rq)
{
    char buf[160];
    char *save = NULL, *tok;
    int i = 0;
    pb_strlcpy(buf, pattern, sizeof buf);
    for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save), i++) {
        if (i >= rq->nsegs)
            return 0;
        if (!strcmp(tok, "{id}") || !strcmp(tok, "{tid}")) { /* {tid}: a second id */
            if (!seg_is_id(rq->segs[i]))
                return 0;
        } else if (!strcmp(tok, "{month}")) {
            if (!seg_is_month(rq->segs[i]))
                return 0;
        } else if (strcmp(tok, rq->segs[i])) {
            return 0;
        }
    }
    return i == rq->nsegs;
}

/* pattern_match on the raw path (up to '?'), for routes whose fixed segments are plain ASCII. */
static int pattern_match_raw(const char *pattern, const char *path)
{
    const char *p = pattern, *u = path;
    while (*p == '/' && *u == '/') {
        size_t pn = strcspn(++p, "/"), un = strcspn(++u, "/?");
        if ((pn == 4 && !strncmp(p, "{id}", 4)) || (pn == 5 && !strncmp(p, "{tid}", 5))) {
            if (!un || un > 18 || strspn(u, "0123456789") < un || *u == '0')
                return 0;
        } else if (pn != un || strncmp(p, u, pn)) {
            return 0;
        }
        p += pn;
        u += un;
    }
    return !*p && (!*u || *u == '?');
}

size_t pb_http_body_limit(const char *method, const char *raw_url)
{
    for (size_t i = 0; method && raw_url && i < nroutes; i++)
        if ((routes[i].flags & PB_RT_UPLOAD) && !strcmp(routes[i].method, method) &&
            pattern_match_raw(routes[i].pattern, raw_url))
            return (size_t)pb_http_cfg->max_upload_kib * 1024;
    return (size_t)pb_http_cfg->max_body_kib * 1024;
}

int64_t pb_http_id(struct pb_req *rq, int seg)
{
    int64_t v = 0;
    if (seg < rq->nsegs)
        pb_parse_i64(rq->segs[seg], &v);
    return v;
}

const char *pb_http_query(struct pb_req *rq, const char *key)
{
    for (size_t i = 0; i < rq->nquery; i++)
        if (!strcmp(rq->query[i].key, key))
            return rq->query[i].value;
    return NULL;
}

const char *pb_http_req_header(struct pb_req *rq, const char *name)
{
    return rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name) : NULL;
}

/* ---- responses ---- */

void pb_http_header(struct pb_req *rq, const char *k, const char *v)
{
    if (rq->nheaders < PB_REQ_MAX_HEADERS) {
        rq->headers[rq->nheaders].k = k;
        rq->headers[rq->nheaders].v = pb_arena_strdup(&rq->arena, v);
        rq->nheaders++;
    }
}

void pb_http_json(struct pb_req *rq, int status)
{
    rq->status = status;
    rq->content_type = "application/json; charset=utf-8";
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

void pb_http_problem(struct pb_req *rq, const struct pb_err *err)
{
    int status = pb_rc_http(err->rc);
    const char *detail = rq->lang_en ? err->detail_en : err->detail_zh;
    rq->out.len = 0;
    if (status >= 500 && status != 503) {
        /* Never a driver message, SQL or path: only the request id to quote. */
        detail = rq->lang_en ? "Internal error; quote the request id to the administrator"
                             : "系统内部错误，请将请求编号告知管理员";
    }
    if (!detail || !*detail)
        detail = rq->lang_en ? status_title(status) : "请求未能完成";
    pb_buf_printf(&rq->out,
                  "{\"type\":\"https://parkbrain.invalid/problems/"
                  "%s\",\"title\":\"%s\",\"status\":%d,\"detail\":",
                  pb_rc_name(err->rc), status_title(status), status);
    pb_buf_json_str(&rq->out, detail);
    pb_buf_adds(&rq->out, ",\"request_id\":");
    pb_buf_json_str(&rq->out, rq->request_id);
    if (err->nfields) {
        pb_buf_adds(&rq->out, ",\"errors\":[");
        for (int i = 0; i < err->nfields; i++) {
            const struct pb_fielderr *f = &err->fields[i];
            pb_buf_adds(&rq->out, i ? ",{\"field\":" : "{\"field\":");
            pb_buf_json_str(&rq->out, f->field);
            pb_buf_adds(&rq->out, ",\"code\":");
            pb_buf_json_str(&rq->out, f->code);
            pb_buf_adds(&rq->out, ",\"message\":");
            pb_buf_json_str(&rq->out, rq->lang_en ? f->en : f->zh);
            pb_buf_addc(&rq->out, '}');
        }
        pb_buf_addc(&rq->out, ']');
    }
    pb_buf_addc(&rq->out, '}');
    rq->status = status;
    rq->content_type = "application/problem+json; charset=utf-8";
    if (err->rc == PB_E_THROTTLED && err->retry_after > 0) {
        char t[16];
        snprintf(t, sizeof t, "%d", err->retry_after);
        pb_http_header(rq, "Retry-After", t);
    }
}

void pb_http_error(struct pb_req *rq, int rc, const char *zh, const char *en)
{
    struct pb_err e;
    pb_err_clear(&e);
    /* Both renditions take the same arguments: the English one skips the Chinese text. */
    pb_err_set(&e, rc, "%s%.0s", "%.0s%s", zh, en);
    pb_http_problem(rq, &e);
}

int pb_http_only_params(struct pb_req *rq, const char *const *allowed)
{
    struct pb_err err;
    pb_err_clear(&err);
    for (size_t i = 0; i < rq->nquery; i++) {
        int ok = !strcmp(rq->query[i].key, "lang");
        for (int j = 0; allowed && allowed[j]; j++)
            if (!strcmp(allowed[j], rq->query[i].key))
                ok = 1;
        if (!ok)
            pb_err_field(&err, PB_E_BAD_REQUEST,
                         strlen(rq->query[i].key) < 60 ? rq->query[i].key : "?",
                         "unknown_parameter", "未知查询参数 %s", "unknown query parameter %s",
                         strlen(rq->query[i].key) < 60 ? rq->query[i].key : "?");
    }
    if (err.nfields) {
        pb_err_set(&err, PB_E_BAD_REQUEST, "查询参数有误", "the query has unknown parameters");
        pb_http_problem(rq, &err);
        return 1;
    }
    return 0;
}

/* ---- authentication ---- */

static const char *token_of(struct pb_req *rq)
{
    const char *auth = pb_http_req_header(rq, "Authorization");
    const char *cookie;
    if (auth && !strncasecmp(auth, "Bearer ", 7))
        return auth + 7;
    cookie = rq->conn ? MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "pb_session") : NULL;
    return cookie;
}

static void write_denial(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err e;
    char changes[96];
    pb_err_clear(&e);
    snprintf(changes, sizeof changes, "{\"attempted\":\"%s\"}",
             c->denied.action ? c->denied.action : "");
    pb_audit_write_tx(c,
                      &(struct pb_audit_rec){.action = "denied",
                                             .resource = c->denied.resource,
                                             .object_id = c->denied.object_id,
                                             .region_code = c->denied.region_code,
                                             .result = "denied",
                                             .changes = changes},
                      &e);
    (void)rq;
}

/* ---- Idempotency-Key ---- */

/* SHA-256 over what makes two requests the same: method, route path, query and body. */
static void request_hash(struct pb_req *rq, char out[65])
{
    struct pb_sha256 h;
    pb_sha256_init(&h);
    pb_sha256_update(&h, rq->method, strlen(rq->method));
    pb_sha256_update(&h, "\n", 1);
    pb_sha256_update(&h, rq->path, strlen(rq->path));
    for (size_t i = 0; i < rq->nquery; i++) {
        pb_sha256_update(&h, i ? "&" : "?", 1);
        pb_sha256_update(&h, rq->query[i].key, strlen(rq->query[i].key) + 1);
        pb_sha256_update(&h, rq->query[i].value, strlen(rq->query[i].value) + 1);
    }
    pb_sha256_update(&h, "\n", 1);
    if (rq->body.len)
        pb_sha256_update(&h, rq->body.data, rq->body.len);
    pb_sha256_final_hex(&h, out);
}

/* Reserve the key; answer here (replay, mismatch, in progress) and return 1, or 0 to run. */
static int keyed_write(struct pb_req *rq, struct pb_ctx *c, const struct pb_route *match,
                       const char *key)
{
    struct pb_idem_answer ans;
    enum pb_idem_state state;
    struct pb_err e;
    char hash[65];
    (void)match;
    pb_err_clear(&e);
    request_hash(rq, hash);
    if (pb_idem_begin(c, key, hash, &state, &ans, &e)) {
        pb_http_problem(rq, &e);
        return 1;
    }
    switch (state) {
    case PB_IDEM_NEW:
        return 0;
    case PB_IDEM_REPLAY:
        rq->status = ans.status;
        rq->content_type =
            ans.content_type[0] ? pb_arena_strdup(&rq->arena, ans.content_type) : NULL;
        pb_buf_adds(&rq->out, ans.body ? ans.body : "");
        if (ans.location[0])
            pb_http_header(rq, "Location", ans.location);
        if (ans.etag[0])
            pb_http_header(rq, "ETag", ans.etag);
        pb_http_header(rq, "Idempotent-Replayed", "true");
        free(ans.body);
        return 1;
    case PB_IDEM_MISMATCH:
        pb_err_field(&e, PB_E_INVALID, "Idempotency-Key", "key_reused",
                     "该 Idempotency-Key 已用于另一个请求",
                     "this Idempotency-Key was used for another request");
        pb_err_set(&e, PB_E_INVALID, "Idempotency-Key 重复使用", "Idempotency-Key reused");
        pb_http_problem(rq, &e);
        return 1;
    case PB_IDEM_IN_PROGRESS:
        pb_http_error(rq, PB_E_CONFLICT, "相同 Idempotency-Key 的请求正在处理",
                      "a request with this Idempotency-Key is in progress");
        return 1;
    }
    return 0;
}

static void keyed_finish(struct pb_req *rq, struct pb_ctx *c, const char *key)
{
    const char *location = NULL, *etag = NULL;
    for (int i = 0; i < rq->nheaders; i++) {
        if (!strcmp(rq->headers[i].k, "Location"))
            location = rq->headers[i].v;
        else if (!strcmp(rq->headers[i].k, "ETag"))
            etag = rq->headers[i].v;
    }
    pb_idem_finish(c, key, rq->status ? rq->status : 500, rq->content_type, location, etag,
                   rq->out.data, rq->out.len);
}

void pb_http_dispatch(struct pb_req *rq, struct pb_ctx *c)
{
    const char *idem_key = NULL;
    const struct pb_route *match = NULL;
    int path_matched = 0;
    const char *method = !strcmp(rq->method, "HEAD") ? "GET" : rq->method;
    char allow[96] = "";

    for (size_t i = 0; i < nroutes; i++) {
        if (!pattern_match(routes[i].pattern, rq))
            continue;
        path_matched = 1;
        if (!strstr(allow, routes[i].method)) {
            if (allow[0])
                pb_strlcpy(allow + strlen(allow), ", ", sizeof allow - strlen(allow));
            pb_strlcpy(allow + strlen(allow), routes[i].method, sizeof allow - strlen(allow));
        }
        if (!strcmp(routes[i].method, method) && !match) {
            match = &routes[i];
            rq->route = (int)i;
        }
    }
    if (!match) {
        if (path_matched) {
            pb_http_header(rq, "Allow", allow);
            pb_http_error(rq, PB_E_METHOD, "不支持该请求方法", "method not allowed");
        } else {
            pb_http_error(rq, PB_E_NOT_FOUND, "接口不存在", "no such route");
        }
        return;
    }
    if (!(match->flags & PB_RT_PUBLIC)) {
        const char *token = token_of(rq);
        int rc = token ? pb_session_resolve(c->db, token, c->now_ms, &rq->who) : PB_E_UNAUTH;
        if (rc) {
            if (rc == PB_E_UNAUTH)
                pb_http_error(rq, PB_E_UNAUTH, "请先登录或重新登录", "please log in");
            else
                pb_http_error(rq, rc, "系统繁忙", "service unavailable");
            return;
        }
        rq->authed = 1;
        rq->token = token;
        c->who = &rq->who;
        if (rq->who.must_change_password && !(match->flags & PB_RT_MUST_CHANGE)) {
            struct pb_err e;
            pb_err_clear(&e);
            pb_err_field(&e, PB_E_FORBIDDEN, "password", "password_change_required",
                         "首次登录须先修改密码", "you must change your password first");
            pb_err_set(&e, PB_E_FORBIDDEN, "首次登录须先修改密码",
                       "you must change your password first");
            pb_http_problem(rq, &e);
            return;
        }
    }
    /* Keys are per account: reads and public routes (login) need none and ignore one. */
    if ((idem_key = pb_http_req_header(rq, "Idempotency-Key")) &&
        (!strcmp(method, "GET") || !rq->authed))
        idem_key = NULL;
    if (idem_key && !pb_idem_key_ok(idem_key)) {
        struct pb_err e;
        pb_err_clear(&e);
        pb_err_field(&e, PB_E_BAD_REQUEST, "Idempotency-Key", "invalid_key",
                     "Idempotency-Key 应为 1–128 个字母、数字或 _ . : -",
                     "Idempotency-Key must be 1–128 letters, digits or _ . : -");
        pb_err_set(&e, PB_E_BAD_REQUEST, "Idempotency-Key 无效", "invalid Idempotency-Key");
        pb_http_problem(rq, &e);
        return;
    }
    if (match->flags & PB_RT_BODY) {
        const char *ct = pb_http_req_header(rq, "Content-Type");
        json_error_t jerr;
        if (rq->body_too_large) {
            pb_http_error(rq, PB_E_TOO_LARGE, "请求体过大", "the request body is too large");
            return;
        }
        if (!ct || strncasecmp(ct, "application/json", 16)) {
            struct pb_err e;
            pb_err_clear(&e);
            pb_err_set(&e, PB_E_BAD_REQUEST, "请求体须为 application/json",
                       "the body must be application/json");
            pb_http_problem(rq, &e);
            rq->status = 415;
            return;
        }
        rq->json = json_loadb(rq->body.data ? rq->body.data : "", rq->body.len,
                              JSON_REJECT_DUPLICATES, &jerr);
        if (!rq->json) {
            struct pb_err e;
            pb_err_clear(&e);
            pb_err_set(&e, PB_E_BAD_REQUEST, "请求体不是有效的 JSON（第 %d 行第 %d 列）",
                       "the body is not valid JSON (line %d, column %d)", jerr.line, jerr.column);
            pb_http_problem(rq, &e);
            return;
        }
        if (!json_is_object(rq->json)) {
            pb_http_error(rq, PB_E_BAD_REQUEST, "请求体应为 JSON 对象",
                          "the body must be a JSON object");
            return;
        }
    }
    if (idem_key && keyed_write(rq, c, match, idem_key))
        return;
    match->fn(rq, c);
    if (c->denied.set)
        write_denial(rq, c);
    if (idem_key)
        keyed_finish(rq, c, idem_key);
}
