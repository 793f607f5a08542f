/* openapi.c: the OpenAPI 3.1 document, generated once from the route table and the resource
 * descriptors, so it is complete for every route by construction. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/http/http.h"
#include "core/resource/op.h"
#include "core/util/pb.h"

static char *doc;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static json_t *ref(const char *kind, const char *name)
{
    char t[160];
    snprintf(t, sizeof t, "#/components/%s/%s", kind, name);
    return json_pack("{s:s}", "$ref", t);
}

static json_t *json_content(json_t *schema)
{
    return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

static json_t *param(const char *name, const char *in, const char *type, const char *desc,
                     int required)
{
    return json_pack("{s:s,s:s,s:b,s:s,s:{s:s}}", "name", name, "in", in, "required", required,
                     "description", desc, "schema", "type", type);
}

static void add_problem_responses(json_t *responses, const char *const *codes)
{
    for (int i = 0; codes[i]; i++)
        json_object_set_new(responses, codes[i], ref("responses", "Problem"));
}

static json_t *simple_object(const char *const *props, const char *const *types)
{
    json_t *p = json_object();
    for (int i = 0; props[i]; i++)
        json_object_set_new(p, props[i], json_pack("{s:s}", "type", types[i]));
    return json_pack("{s:s,s:o}", "type", "object", "properties", p);
}

static void build(void)
{
    json_t *root, *paths, *schemas, *responses;
    static const char *const err_common[] = {"400", "401", "403", "429", "default", NULL};
    static const char *const err_item[] = {"400", "401", "403", "404", "default", NULL};
    static const char *const err_write[] = {"400", "401", "403", "404",     "409", "412",
                                            "413", "422", "428", "default", NULL};
    static const char *const err_public[] = {"400", "422", "429", "default", NULL};

    pb_routes_init();
    root = json_object();
    json_object_set_new(root, "openapi", json_string("3.1.0"));
    json_object_set_new(
        root, "info",
        json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "title", "parkbrain (园区智慧大脑) API", "version",
                  "1.0.0", "description",
                  "The HTTP API of parkbrain. Errors are RFC 9457 problem+json; messages follow "
                  "Accept-Language (zh-CN default, en). Money and areas are exact decimal strings.",
                  "license", "name", "Proprietary", "identifier", "LicenseRef-parkbrain"));
    json_object_set_new(root, "servers", json_pack("[{s:s}]", "url", "http://127.0.0.1:8080"));
    json_object_set_new(root, "security", json_pack("[{s:[]},{s:[]}]", "bearerAuth", "cookieAuth"));
    json_object_set_new(root, "tags", json_array());

    schemas = json_object();
    json_object_set_new(schemas, "Problem",
                        json_pack("{s:s,s:[s,s,s],s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:"
                                  "s,s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}}}}",
                                  "type", "object", "required", "type", "title", "status",
                                  "properties", "type", "type", "string", "title", "type", "string",
                                  "status", "type", "integer", "detail", "type", "string",
                                  "request_id", "type", "string", "errors", "type", "array",
                                  "items", "type", "object", "properties", "field", "type",
                                  "string", "code", "type", "string", "message", "type", "string"));
    {
        static const char *const p[] = {"id",          "username",   "display_name",
                                        "role",        "role_label", "must_change_password",
                                        "all_regions", NULL};
        static const char *const t[] = {"integer", "string",  "string", "string",
                                        "string",  "boolean", "boolean"};
        json_t *u = simple_object(p, t);
        json_object_set_new(json_object_get(u, "properties"), "regions",
                            json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "string"));
        json_object_set_new(
            json_object_get(u, "properties"), "parks",
            json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "integer"));
        json_object_set_new(schemas, "User", u);
    }
    json_object_set_new(schemas, "Session",
                        json_pack("{s:s,s:{s:{s:s},s:o}}", "type", "object", "properties", "token",
                                  "type", "string", "user", ref("schemas", "User")));
    json_object_set_new(schemas, "Login",
                        json_pack("{s:s,s:[s,s],s:b,s:{s:{s:s,s:i},s:{s:s,s:i}}}", "type", "object",
                                  "required", "username", "password", "additionalProperties", 0,
                                  "properties", "username", "type", "string", "maxLength", 64,
                                  "password", "type", "string", "maxLength", 512));
    json_object_set_new(schemas, "PasswordChange",
                        json_pack("{s:s,s:[s,s],s:b,s:{s:{s:s},s:{s:s,s:i}}}", "type", "object",
                                  "required", "current_password", "new_password",
                                  "additionalProperties", 0, "properties", "current_password",
                                  "type", "string", "new_password", "type", "string", "minLength",
                                  PB_PASSWORD_MIN));
    {
        static const char *const p[] = {"code", "name", "name_en", "kind", "rollup_code", NULL};
        static const char *const t[] = {"string", "string", "string", "string", "string"};
        json_t *r = simple_object(p, t);
        json_object_set_new(json_object_get(r, "properties"), "parent_code",
                            json_pack("{s:[s,s]}", "type", "string", "null"));
        json_object_set_new(json_object_get(r, "properties"), "sort",
                            json_pack("{s:s}", "type", "integer"));
        json_object_set_new(schemas, "Region", r);
    }
    {
        static const char *const p[] = {"code", "level", "section", "name", NULL};
        static const char *const t[] = {"string", "integer", "string", "string"};
        json_object_set_new(schemas, "Industry", simple_object(p, t));
    }
    {
        static const char *const p[] = {"id",          "chain",      "seq",       "at",
                                        "account_id",  "username",   "role",      "region_code",
                                        "action",      "resource",   "object_id", "result",
                                        "client_addr", "request_id", "hash",      NULL};
        static const char *const t[] = {"integer", "string", "integer", "string", "integer",
                                        "string",  "string", "string",  "string", "string",
                                        "string",  "string", "string",  "string", "string"};
        json_t *a = simple_object(p, t);
        json_object_set_new(json_object_get(a, "properties"), "changes",
                            json_pack("{s:[s,s]}", "type", "object", "null"));
        json_object_set_new(json_object_get(a, "properties"), "object_name",
                            json_pack("{s:[s,s]}", "type", "string", "null"));
        json_object_set_new(schemas, "AuditRecord", a);
    }
    json_object_set_new(schemas, "Meta",
                        json_pack("{s:s,s:{s:{s:s}}}", "type", "object", "properties", "resources",
                                  "type", "object"));
    for (size_t i = 0; i < pb_resource_count(); i++) {
        const struct pb_resource *r = pb_resource_at(i);
        char n[96];
        snprintf(n, sizeof n, "%s_record", r->name);
        json_object_set_new(schemas, n, pb_res_schema(r, 0));
        snprintf(n, sizeof n, "%s_create", r->name);
        json_object_set_new(schemas, n, pb_res_schema(r, 1));
        snprintf(n, sizeof n, "%s_patch", r->name);
        json_object_set_new(schemas, n, pb_res_schema(r, 2));
    }

    responses = json_object();
    json_object_set_new(responses, "Problem",
                        json_pack("{s:s,s:{s:{s:o}}}", "description",
                                  "An error (RFC 9457 problem details)", "content",
                                  "application/problem+json", "schema", ref("schemas", "Problem")));

    paths = json_object();
    for (size_t i = 0; i < pb_route_count(); i++) {
        const struct pb_route *rt = pb_route_at(i);
        json_t *item = json_object_get(paths, rt->pattern), *op = json_object(),
               *params = json_array();
        json_t *resps = json_object();
        char lower[8];
        size_t k;
        if (!item) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        for (k = 0; rt->method[k] && k < sizeof lower - 1; k++)
            lower[k] = (char)(rt->method[k] + 32);
        lower[k] = 0;
        json_object_set_new(op, "operationId", json_string(rt->op_id));
        json_object_set_new(op, "summary", json_string(rt->summary));
        json_object_set_new(op, "tags", json_pack("[s]", rt->tag));
        if (rt->flags & PB_RT_PUBLIC)
            json_object_set_new(op, "security", json_array());
        if (strstr(rt->pattern, "{id}"))
            json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:i}}", "name", "id", "in",
                                                    "path", "required", 1, "schema", "type",
                                                    "integer", "minimum", 1));
        if (strstr(rt->pattern, "{tid}"))
            json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:i}}", "name", "tid",
                                                    "in", "path", "required", 1, "schema", "type",
                                                    "integer", "minimum", 1));
        if (strstr(rt->pattern, "{month}"))
            json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:s}}", "name", "month",
                                                    "in", "path", "required", 1, "schema", "type",
                                                    "string", "pattern", "^[0-9]{4}-[0-9]{2}$"));
        if (rt->res) {
            const struct pb_resource *r = rt->res;
            char n[96];
            switch (rt->kind) {
            case PB_RK_LIST:
            case PB_RK_EXPORT:
                json_array_append_new(params, param("q", "query", "string", "substring search", 0));
                json_array_append_new(params, param("sort", "query", "string",
                                                    "comma-separated fields, - for descending", 0));
                json_array_append_new(params, param("include_archived", "query", "string",
                                                    "1 to include archived records", 0));
                if (rt->kind == PB_RK_LIST) {
                    json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:i,s:i}}", "name",
                                                            "limit", "in", "query", "required", 0,
                                                            "schema", "type", "integer", "minimum",
                                                            1, "maximum", 500));
                    json_array_append_new(params, param("cursor", "query", "string",
                                                        "next_cursor of the previous page", 0));
                } else {
                    json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:[s,s]}}", "name",
                                                            "format", "in", "query", "required", 0,
                                                            "schema", "type", "string", "enum",
                                                            "csv", "xlsx"));
                }
                for (size_t f = 0; f < r->nfields; f++) {
                    const struct pb_field *fd = &r->fields[f];
                    char pn[80];
                    if (fd->filter == PB_FILTER_NONE)
                        continue;
                    json_array_append_new(
                        params,
                        param(fd->name, "query", "string",
                              fd->filter == PB_FILTER_LIKE ? "substring filter" : "exact filter",
                              0));
                    if (fd->filter == PB_FILTER_RANGE) {
                        snprintf(pn, sizeof pn, "%s_min", fd->name);
                        json_array_append_new(
                            params, param(pn, "query", "string", "lower bound (inclusive)", 0));
                        snprintf(pn, sizeof pn, "%s_max", fd->name);
                        json_array_append_new(
                            params, param(pn, "query", "string", "upper bound (inclusive)", 0));
                    }
                }
                for (const struct pb_subfilter *sf = r->subfilters; sf && sf->name; sf++)
                    json_array_append_new(params, param(sf->name, "query", "integer",
                                                        "records that include this id", 0));
                if (rt->kind == PB_RK_LIST) {
                    snprintf(n, sizeof n, "%s_record", r->name);
                    json_object_set_new(
                        resps, "200",
                        json_pack(
                            "{s:s,s:o}", "description", "A page of records", "content",
                            json_content(json_pack(
                                "{s:s,s:[s,s,s],s:{s:{s:s,s:o},s:{s:[s,s]},s:{s:s}}}", "type",
                                "object", "required", "items", "next_cursor", "total", "properties",
                                "items", "type", "array", "items", ref("schemas", n), "next_cursor",
                                "type", "string", "null", "total", "type", "integer"))));
                } else {
                    json_object_set_new(
                        resps, "200",
                        json_pack(
                            "{s:s,s:{s:{s:{s:s,s:s}},s:{s:{s:s,s:s}}}}", "description", "The file",
                            "content", "text/csv", "schema", "type", "string", "format", "binary",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            "schema", "type", "string", "format", "binary"));
                }
                add_problem_responses(resps, err_common);
                break;
            case PB_RK_GET:
                json_array_append_new(params, param("include_archived", "query", "string",
                                                    "1 to read an archived record", 0));
                snprintf(n, sizeof n, "%s_record", r->name);
                json_object_set_new(resps, "200",
                                    json_pack("{s:s,s:o,s:{s:{s:s,s:{s:s}}}}", "description",
                                              "The record", "content",
                                              json_content(ref("schemas", n)), "headers", "ETag",
                                              "description", "version tag for If-Match", "schema",
                                              "type", "string"));
                add_problem_responses(resps, err_item);
                break;
            case PB_RK_CREATE:
                snprintf(n, sizeof n, "%s_create", r->name);
                json_object_set_new(op, "requestBody",
                                    json_pack("{s:b,s:o}", "required", 1, "content",
                                              json_content(ref("schemas", n))));
                snprintf(n, sizeof n, "%s_record", r->name);
                json_object_set_new(resps, "201",
                                    json_pack("{s:s,s:o}", "description", "Created", "content",
                                              json_content(ref("schemas", n))));
                add_problem_responses(resps, err_write);
                break;
            case PB_RK_PATCH:
                json_array_append_new(
                    params, param("If-Match", "header", "string", "the ETag from GET", 1));
                snprintf(n, sizeof n, "%s_patch", r->name);
                json_object_set_new(op, "requestBody",
                                    json_pack("{s:b,s:o}", "required", 1, "content",
                                              json_content(ref("schemas", n))));
                snprintf(n, sizeof n, "%s_record", r->name);
                json_object_set_new(resps, "200",
                                    json_pack("{s:s,s:o}", "description", "Updated", "content",
                                              json_content(ref("schemas", n))));
                add_problem_responses(resps, err_write);
                break;
            case PB_RK_DELETE:
                json_array_append_new(
                    params, param("If-Match", "header", "string", "optional ETag check", 0));
                json_object_set_new(resps, "204", json_pack("{s:s}", "description", "Archived"));
                add_problem_responses(resps, err_item);
                break;
            default:
                break;
            }
        } else if (rt->op) {
            const struct pb_op *o = rt->op;
            json_t *body = pb_op_schema(o);
            char st[8];
            if (o->doc)
                json_object_set_new(op, "description", json_string(o->doc));
            if (body)
                json_object_set_new(
                    op, "requestBody",
                    json_pack("{s:b,s:o}", "required", 1, "content", json_content(body)));
            for (int j = 0; o->params && o->params[j]; j++)
                json_array_append_new(params, param(o->params[j], "query", "string", "", 0));
            if (o->flags & PB_OP_IF_MATCH)
                json_array_append_new(
                    params, param("If-Match", "header", "string", "the ETag from GET", 1));
            snprintf(st, sizeof st, "%d", o->status ? o->status : 200);
            if (o->status == 204)
                json_object_set_new(resps, st, json_pack("{s:s}", "description", "Done"));
            else
                json_object_set_new(
                    resps, st,
                    json_pack("{s:s,s:o}", "description", o->summary, "content",
                              json_content(o->response_schema
                                               ? ref("schemas", o->response_schema)
                                               : json_pack("{s:s}", "type", "object"))));
            add_problem_responses(resps, (o->flags & PB_OP_WRITE) ? err_write : err_item);
        } else if (!strcmp(rt->op_id, "login")) {
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b,s:o}", "required", 1, "content",
                                          json_content(ref("schemas", "Login"))));
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:o}", "description",
                                          "Logged in; also sets the pb_session cookie", "content",
                                          json_content(ref("schemas", "Session"))));
            json_object_set_new(resps, "401", ref("responses", "Problem"));
            add_problem_responses(resps, err_public);
        } else if (!strcmp(rt->op_id, "change_password")) {
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b,s:o}", "required", 1, "content",
                                          json_content(ref("schemas", "PasswordChange"))));
            json_object_set_new(resps, "204", json_pack("{s:s}", "description", "Changed"));
            add_problem_responses(resps, err_common);
            json_object_set_new(resps, "422", ref("responses", "Problem"));
        } else if (!strcmp(rt->op_id, "logout")) {
            json_object_set_new(resps, "204", json_pack("{s:s}", "description", "Logged out"));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "me")) {
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:o}", "description", "The current user", "content",
                                          json_content(ref("schemas", "User"))));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "list_regions")) {
            json_object_set_new(
                resps, "200",
                json_pack("{s:s,s:o}", "description", "All regions", "content",
                          json_content(json_pack("{s:s,s:{s:{s:s,s:o}}}", "type", "object",
                                                 "properties", "items", "type", "array", "items",
                                                 ref("schemas", "Region")))));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "list_industries")) {
            json_array_append_new(
                params, param("q", "query", "string", "code prefix or name substring", 0));
            json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s,s:i,s:i}}", "name",
                                                    "level", "in", "query", "required", 0, "schema",
                                                    "type", "integer", "minimum", 1, "maximum", 4));
            json_array_append_new(params,
                                  json_pack("{s:s,s:s,s:b,s:{s:s,s:i,s:i}}", "name", "limit", "in",
                                            "query", "required", 0, "schema", "type", "integer",
                                            "minimum", 1, "maximum", 2000));
            json_object_set_new(
                resps, "200",
                json_pack("{s:s,s:o}", "description", "Matching industries", "content",
                          json_content(json_pack("{s:s,s:{s:{s:s,s:o}}}", "type", "object",
                                                 "properties", "items", "type", "array", "items",
                                                 ref("schemas", "Industry")))));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "list_audit")) {
            static const char *const f[] = {"action",      "resource", "object_id",  "username",
                                            "region_code", "result",   "request_id", "at_min",
                                            "at_max",      "cursor",   NULL};
            for (int j = 0; f[j]; j++)
                json_array_append_new(params, param(f[j], "query", "string", "filter", 0));
            json_array_append_new(params,
                                  json_pack("{s:s,s:s,s:b,s:{s:s,s:i,s:i}}", "name", "limit", "in",
                                            "query", "required", 0, "schema", "type", "integer",
                                            "minimum", 1, "maximum", 500));
            json_object_set_new(
                resps, "200",
                json_pack("{s:s,s:o}", "description", "Audit records, newest first", "content",
                          json_content(json_pack("{s:s,s:{s:{s:s,s:o},s:{s:[s,s]}}}", "type",
                                                 "object", "properties", "items", "type", "array",
                                                 "items", ref("schemas", "AuditRecord"),
                                                 "next_cursor", "type", "string", "null"))));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "get_audit")) {
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:o}", "description", "The record", "content",
                                          json_content(ref("schemas", "AuditRecord"))));
            add_problem_responses(resps, err_item);
        } else if (!strcmp(rt->op_id, "meta")) {
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:o}", "description", "Field descriptors",
                                          "content", json_content(ref("schemas", "Meta"))));
            add_problem_responses(resps, err_common);
        } else if (!strcmp(rt->op_id, "openapi")) {
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:o}", "description", "This document", "content",
                                          json_content(json_pack("{s:s}", "type", "object"))));
        } else {
            json_object_set_new(resps, "200",
                                json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", "OK", "content",
                                          "text/plain", "schema", "type", "string"));
            if (!strcmp(rt->op_id, "readyz"))
                json_object_set_new(resps, "503",
                                    json_pack("{s:s,s:{s:{s:{s:s}}}}", "description",
                                              "Database unavailable", "content", "text/plain",
                                              "schema", "type", "string"));
        }
        if (json_array_size(params))
            json_object_set_new(op, "parameters", params);
        else
            json_decref(params);
        json_object_set_new(op, "responses", resps);
        json_object_set_new(item, lower, op);
    }
    json_object_set_new(root, "paths", paths);
    json_object_set_new(root, "components",
                        json_pack("{s:o,s:o,s:{s:{s:s,s:s},s:{s:s,s:s,s:s}}}", "schemas", schemas,
                                  "responses", responses, "securitySchemes", "bearerAuth", "type",
                                  "http", "scheme", "bearer", "cookieAuth", "type", "apiKey", "in",
                                  "cookie", "name", "pb_session"));
    {
        json_t *tags = json_object_get(root, "tags");
        static const char *const t[] = {"operations", "session", "reference", "audit", NULL};
        for (int i = 0; t[i]; i++)
            json_array_append_new(tags, json_pack("{s:s,s:s}", "name", t[i], "description", t[i]));
        for (size_t i = 0; i < pb_resource_count(); i++)
            json_array_append_new(tags, json_pack("{s:s,s:s}", "name", pb_resource_at(i)->name,
                                                  "description", pb_resource_at(i)->label_en));
    }
    doc = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
    json_decref(root);
}

const char *pb_openapi_json(void)
{
    pthread_once(&once, build);
    return doc ? doc : "{}";
}
