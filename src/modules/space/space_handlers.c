/* space_handlers.c: the routes of the space-and-enterprises module beside the generic ones
 * (lifecycle events, timeline, unmask, lease steps, rates, matches, import uploads). */
#include <stdio.h>
#include <string.h>

#include "core/http/handlers.h"
#include "modules/space/space.h"

/* 400 for query parameters other than `allowed`. */
/* The body's string members (only these keys). NULL members stay NULL. */
static int body_strings(struct pb_req *rq, const char *const *keys, const char **vals)
{
    struct pb_err err;
    const char *key;
    json_t *v;
    pb_err_clear(&err);
    json_object_foreach(rq->json, key, v)
    {
        int k = -1;
        for (int i = 0; keys[i]; i++)
            if (!strcmp(keys[i], key))
                k = i;
        if (k < 0)
            pb_err_field(&err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                         "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
        else if (!json_is_string(v) && !json_is_null(v))
            pb_err_field(&err, PB_E_INVALID, key, "invalid_type", "「%s」应为字符串",
                         "%s must be a string", key);
        else
            vals[k] = json_is_string(v) ? json_string_value(v) : NULL;
    }
    if (err.nfields) {
        pb_err_set(&err, err.rc, "请求体有误", "the body is invalid");
        pb_http_problem(rq, &err);
        return 1;
    }
    return 0;
}

static void answer(struct pb_req *rq, int rc, struct pb_err *err, int status)
{
    if (rc) {
        rq->out.len = 0;
        pb_http_problem(rq, err);
        return;
    }
    pb_http_json(rq, status);
}

static void h_event(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"stage", "date", "note", NULL};
    const char *v[3] = {NULL, NULL, NULL};
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL) || body_strings(rq, keys, v))
        return;
    if (!v[0])
        pb_err_field(&err, PB_E_INVALID, "stage", "required", "「阶段」为必填项",
                     "stage is required");
    if (!v[1])
        pb_err_field(&err, PB_E_INVALID, "date", "required", "「日期」为必填项",
                     "date is required");
    if (v[2] && strlen(v[2]) > 2000)
        pb_err_field(&err, PB_E_INVALID, "note", "too_long", "备注过长", "the note is too long");
    if (err.nfields) {
        pb_err_set(&err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
        pb_http_problem(rq, &err);
        return;
    }
    answer(rq, pb_enterprise_event(c, pb_http_id(rq, 3), v[0], v[1], v[2], &rq->out, &err), &err,
           201);
}

static void h_timeline(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    answer(rq, pb_enterprise_timeline(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void h_unmask(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const keys[] = {"reason", NULL};
    const char *v[1] = {NULL};
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL) || body_strings(rq, keys, v))
        return;
    answer(rq, pb_enterprise_unmask(c, pb_http_id(rq, 3), v[0], &rq->out, &err), &err, 200);
}

static void lease_step(struct pb_req *rq, struct pb_ctx *c, int end)
{
    static const char *const keys[] = {"date", NULL};
    const char *v[1] = {NULL};
    struct pb_err err;
    int64_t id = pb_http_id(rq, 3);
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL) || body_strings(rq, keys, v))
        return;
    answer(rq,
           end ? pb_lease_end(c, id, v[0], &rq->out, &err)
               : pb_lease_move_in(c, id, v[0], &rq->out, &err),
           &err, 200);
}

static void h_move_in(struct pb_req *rq, struct pb_ctx *c)
{
    lease_step(rq, c, 0);
}

static void h_end(struct pb_req *rq, struct pb_ctx *c)
{
    lease_step(rq, c, 1);
}

static void h_rates(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"scope", "id", "date", NULL};
    struct pb_err err;
    const char *scope = pb_http_query(rq, "scope");
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    answer(rq,
           pb_rates_json(c, scope ? scope : "city", pb_http_query(rq, "id"),
                         pb_http_query(rq, "date"), &rq->out, &err),
           &err, 200);
}

static void h_ratio(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (!pb_policy_allows(c->who->role, "buildings", PB_ACT_READ)) {
        pb_http_error(rq, PB_E_FORBIDDEN, "您的角色无权执行此操作", "your role may not do this");
        return;
    }
    answer(rq, pb_park_ratio_json(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void h_matches(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"limit", NULL};
    struct pb_err err;
    const char *l = pb_http_query(rq, "limit");
    int64_t limit = 10;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (l && pb_parse_i64(l, &limit))
        limit = -1;
    answer(rq,
           pb_match_demand(c, pb_http_id(rq, 3), (int)(limit > 1000 ? -1 : limit), &rq->out, &err),
           &err, 200);
}

static void h_shortlist(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    answer(rq, pb_demand_shortlist(c, pb_http_id(rq, 3), rq->json, &rq->out, &err), &err, 201);
}

static void h_visit(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    answer(rq, pb_demand_visit(c, pb_http_id(rq, 3), rq->json, &rq->out, &err), &err, 201);
}

static void h_demand_lease(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t id = 0, version = 0;
    char loc[64], tag[48];
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (pb_demand_lease(c, pb_http_id(rq, 3), rq->json, &rq->out, &id, &version, &err)) {
        answer(rq, -1, &err, 0);
        return;
    }
    snprintf(loc, sizeof loc, "/api/v1/leases/%lld", (long long)id);
    pb_http_header(rq, "Location", loc);
    pb_res_etag(id, version, tag, sizeof tag);
    pb_http_header(rq, "ETag", tag);
    pb_http_json(rq, 201);
}

static void h_steps(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    answer(rq, pb_demand_steps(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void h_file_upload(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"name", NULL};
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (rq->body_too_large) {
        pb_http_error(rq, PB_E_TOO_LARGE, "文件过大", "the file is too large");
        return;
    }
    answer(rq,
           pb_space_file_add(c, pb_http_cfg->data_dir, pb_http_id(rq, 3), pb_http_query(rq, "name"),
                             rq->body.data ? rq->body.data : "", rq->body.len, &rq->out, &err),
           &err, 201);
}

static void h_files(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    answer(rq, pb_space_files(c, pb_http_id(rq, 3), &rq->out, &err), &err, 200);
}

static void h_file_get(struct pb_req *rq, struct pb_ctx *c)
{
    static const char hex[] = "0123456789ABCDEF";
    struct pb_err err;
    struct pb_space_file f;
    struct pb_buf disp;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, NULL))
        return;
    if (pb_space_file_open(c, pb_http_cfg->data_dir, pb_http_id(rq, 3), pb_http_id(rq, 5), &f,
                           &err)) {
        pb_http_problem(rq, &err);
        return;
    }
    /* RFC 6266/5987: the UTF-8 name percent-encoded; always an attachment, so a PDF never
     * renders inside the application's origin. */
    pb_buf_init(&disp, 4096);
    pb_buf_adds(&disp, "attachment; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)f.name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            pb_buf_addc(&disp, (char)*p);
        else
            pb_buf_printf(&disp, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
    }
    pb_http_header(rq, "Content-Disposition", pb_buf_cstr(&disp));
    pb_buf_release(&disp);
    rq->content_type = pb_arena_strdup(&rq->arena, f.content_type);
    rq->static_fd = f.fd;
    rq->static_size = f.size;
    rq->status = 200;
}

static void h_import(struct pb_req *rq, struct pb_ctx *c)
{
    static const char *const allowed[] = {"valid_only", NULL};
    struct pb_err err;
    struct pb_import_opts o = {0};
    struct pb_import_result res;
    struct pb_buf report;
    const char *vo = pb_http_query(rq, "valid_only");
    const char *kind = rq->segs[3];
    int rc;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, allowed))
        return;
    if (rq->body_too_large) {
        pb_http_error(rq, PB_E_TOO_LARGE, "文件过大", "the file is too large");
        return;
    }
    o.valid_only = vo && (!strcmp(vo, "1") || !strcmp(vo, "true"));
    o.source = "upload";
    pb_buf_init(&report, 0);
    rc = pb_import_csv(c, kind, rq->body.data ? rq->body.data : "", rq->body.len, &o, &report, &res,
                       &err);
    /* a report when the file was read (rows rejected); else (not UTF-8/GB18030 text, a
     * damaged XLSX) the problem with its reason */
    if (rc && (rc != PB_E_INVALID || !res.encoding)) {
        pb_buf_release(&report);
        pb_http_problem(rq, &err);
        return;
    }
    pb_buf_printf(&rq->out,
                  "{\"kind\":\"%s\",\"committed\":%s,\"encoding\":\"%s\",\"rows\":%zu,"
                  "\"inserted\":%zu,\"updated\":%zu,\"rejected\":%zu,\"errors\":",
                  kind, rc ? "false" : "true", res.encoding ? res.encoding : "", res.rows,
                  rc ? 0 : res.inserted, rc ? 0 : res.updated, res.rejected);
    pb_buf_add(&rq->out, report.data ? report.data : "[]", report.data ? report.len : 2);
    pb_buf_addc(&rq->out, '}');
    pb_buf_release(&report);
    pb_http_json(rq, rc ? 422 : 200);
}

void pb_space_routes(void (*add)(const struct pb_route *r))
{
    add(&(struct pb_route){"POST", "/api/v1/enterprises/{id}/events", h_event, PB_RT_BODY,
                           "enterprise_event", "Record a dated lifecycle step (audited)",
                           "enterprises"});
    add(&(struct pb_route){"GET", "/api/v1/enterprises/{id}/timeline", h_timeline, 0,
                           "enterprise_timeline", "Lifecycle events and leases", "enterprises"});
    add(&(struct pb_route){"POST", "/api/v1/enterprises/{id}/unmask", h_unmask, PB_RT_BODY,
                           "enterprise_unmask", "The full contact phone, with a reason (audited)",
                           "enterprises"});
    add(&(struct pb_route){"POST", "/api/v1/leases/{id}/move_in", h_move_in, PB_RT_BODY,
                           "lease_move_in", "Move in: units become occupied", "leases"});
    add(&(struct pb_route){"POST", "/api/v1/leases/{id}/end", h_end, PB_RT_BODY, "lease_end",
                           "End the lease: units are freed and listed again", "leases"});
    add(&(struct pb_route){"GET", "/api/v1/rates", h_rates, 0, "rates",
                           "Absorption and occupancy rates (city, region, park; any date)",
                           "units"});
    add(&(struct pb_route){"GET", "/api/v1/parks/{id}/ratio", h_ratio, 0, "park_ratio",
                           "Production-to-living floor area ratio from the buildings (7:3)",
                           "parks"});
    add(&(struct pb_route){"GET", "/api/v1/demands/{id}/matches", h_matches, 0, "demand_matches",
                           "Best-fitting spaces with their reasons", "demands"});
    add(&(struct pb_route){"POST", "/api/v1/demands/{id}/shortlist", h_shortlist, PB_RT_BODY,
                           "demand_shortlist", "Shortlist a space for the demand (audited)",
                           "demands"});
    add(&(struct pb_route){"POST", "/api/v1/demands/{id}/visits", h_visit, PB_RT_BODY,
                           "demand_visit", "Arrange a visit of a space (audited)", "demands"});
    add(&(struct pb_route){
        "POST", "/api/v1/demands/{id}/lease", h_demand_lease, PB_RT_BODY, "demand_lease",
        "Turn a match into a lease (the path of POST /api/v1/leases)", "demands"});
    add(&(struct pb_route){"GET", "/api/v1/demands/{id}/steps", h_steps, 0, "demand_steps",
                           "Shortlist, visits and leases of the demand", "demands"});
    add(&(struct pb_route){
        "POST", "/api/v1/spaces/{id}/files", h_file_upload, PB_RT_UPLOAD, "space_file_upload",
        "Upload a photo or document (raw body: JPEG, PNG or PDF; ?name=)", "spaces"});
    add(&(struct pb_route){"GET", "/api/v1/spaces/{id}/files", h_files, 0, "space_files",
                           "The space's photos and documents", "spaces"});
    add(&(struct pb_route){"GET", "/api/v1/spaces/{id}/files/{id}", h_file_get, PB_RT_RAW,
                           "space_file_get", "Download a photo or document", "spaces"});
    add(&(struct pb_route){"POST", "/api/v1/imports/enterprises", h_import, 0, "import_enterprises",
                           "Import a CSV (UTF-8 or GB18030) or an XLSX (first sheet)", "imports"});
    add(&(struct pb_route){"POST", "/api/v1/imports/units", h_import, 0, "import_units",
                           "Import a CSV (UTF-8 or GB18030) or an XLSX (first sheet)", "imports"});
    add(&(struct pb_route){"POST", "/api/v1/imports/leases", h_import, 0, "import_leases",
                           "Import a CSV (UTF-8 or GB18030) or an XLSX (first sheet)", "imports"});
    add(&(struct pb_route){"POST", "/api/v1/imports/spaces", h_import, 0, "import_spaces",
                           "Import a CSV (UTF-8 or GB18030) or an XLSX (first sheet)", "imports"});
}
