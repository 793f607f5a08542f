/* http.h: the transport. Only src/http/ knows HTTP: a handler decodes the request, calls the
 * domain, and encodes the answer. */
#ifndef PB_HTTP_H
#define PB_HTTP_H

#include <jansson.h>

#include "core/account.h"
#include "core/resource/resource.h"
#include "core/util/config.h"
#include "core/util/pb.h"

struct MHD_Connection;

#define PB_REQ_MAX_SEGS 16
#define PB_REQ_MAX_HEADERS 16

struct pb_req {
    struct MHD_Connection *conn;
    struct pb_arena arena;
    const char *method;
    char *raw_url;    /* as received, path and query */
    const char *path; /* raw path, without the query */
    char *segs[PB_REQ_MAX_SEGS];
    int nsegs;
    struct pb_kv *query;
    size_t nquery;
    struct pb_buf body;
    int body_too_large;
    int calls;
    char request_id[72];
    int64_t start_ns;
    char client_addr[64];
    int lang_en;
    int tls;
    struct pb_principal who;
    int authed;
    const char *token;
    json_t *json; /* parsed body (routes that take one) */

    /* response */
    int status;
    struct pb_buf out;
    const char *content_type;
    struct {
        const char *k, *v;
    } headers[PB_REQ_MAX_HEADERS];
    int nheaders;
    int route;     /* index in the route table, -1 for none/static */
    int static_fd; /* >= 0: answer with this file */
    int64_t static_size;
    size_t resp_bytes;
};

/* Route flags. */
#define PB_RT_PUBLIC 1u      /* no session needed */
#define PB_RT_MUST_CHANGE 2u /* allowed while the password must be changed */
#define PB_RT_BODY 4u        /* takes a JSON body */
#define PB_RT_RAW 8u         /* not JSON (metrics, health) */
#define PB_RT_UPLOAD 16u     /* a raw file body: limit max_upload_kib instead of max_body_kib */

/* Generic resource operations (for OpenAPI). */
enum pb_rt_kind {
    PB_RK_OTHER = 0,
    PB_RK_LIST,
    PB_RK_GET,
    PB_RK_CREATE,
    PB_RK_PATCH,
    PB_RK_DELETE,
    PB_RK_EXPORT
};

struct pb_ctx;
struct pb_op;
typedef void (*pb_handler)(struct pb_req *rq, struct pb_ctx *c);

struct pb_route {
    const char *method;
    const char *pattern; /* "/api/v1/parks/{id}"; {id} matches a positive integer */
    pb_handler fn;
    unsigned flags;
    const char *op_id;
    const char *summary;
    const char *tag;
    enum pb_rt_kind kind;
    const struct pb_resource *res;
    const char *response_schema; /* component name or NULL (for docs) */
    const char *body_schema;
    const struct pb_op *op; /* an operation's route: fn is the operation handler */
};

/* Register the routes (call once before serving; also used by OpenAPI and tests). */
void pb_routes_init(void);
size_t pb_route_count(void);
const struct pb_route *pb_route_at(size_t i);

/* Response helpers. */
void pb_http_json(struct pb_req *rq, int status); /* rq->out holds JSON */
void pb_http_header(struct pb_req *rq, const char *k, const char *v);
void pb_http_problem(struct pb_req *rq, const struct pb_err *err);
void pb_http_error(struct pb_req *rq, int rc, const char *zh, const char *en);
/* Path parameter {id} as int64 (already validated by the router). */
int64_t pb_http_id(struct pb_req *rq, int seg);
const char *pb_http_query(struct pb_req *rq, const char *key);
const char *pb_http_req_header(struct pb_req *rq, const char *name);
/* Answer 400 (field = the parameter, code unknown_parameter) and return 1 when the query has a
 * parameter other than `lang` and the NULL-terminated `allowed` (NULL: none); 0 otherwise. */
int pb_http_only_params(struct pb_req *rq, const char *const *allowed);

/* The body limit in bytes for a request, known from its method and raw URL before the body
 * is read: max_upload_kib for PB_RT_UPLOAD routes, else max_body_kib. */
size_t pb_http_body_limit(const char *method, const char *raw_url);

/* Dispatch one complete request (after the body is read). Used by the server and fuzzers. */
void pb_http_dispatch(struct pb_req *rq, struct pb_ctx *c);

/* The generated OpenAPI document (JSON text, built once). */
const char *pb_openapi_json(void);

/* Metrics. */
void pb_metrics_observe(int route, int status, int64_t ns);
void pb_metrics_render(struct pb_buf *out);
void pb_metrics_db_connections(int delta);

/* Serve until SIGTERM/SIGINT. Returns the process exit status. */
int pb_http_serve(const struct pb_config *cfg);

/* Settings the handlers read (set by pb_http_serve). */
extern const struct pb_config *pb_http_cfg;

#endif
