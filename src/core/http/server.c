/* server.c: libmicrohttpd glue: limits, request ids, security headers, static files, the
 * access log, graceful shutdown, and one database connection per worker thread. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/account.h"
#include "core/http/http.h"
#include "core/store/db.h"
#include "core/util/crypto.h"
#include "core/util/log.h"
#include "core/util/qs.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

const struct pb_config *pb_http_cfg;

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'";

/* ---- per-thread database connections ---- */

static _Thread_local struct pb_db *tl_db;
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pb_db *conns[512];
static int nconns;

static struct pb_db *thread_db(void)
{
    struct pb_err err;
    if (tl_db)
        return tl_db;
    pb_err_clear(&err);
    if (pb_db_open(pb_http_cfg->db_url, &tl_db, &err)) {
        pb_log_error("cannot open the database: %s", err.detail_en);
        tl_db = NULL;
        return NULL;
    }
    pthread_mutex_lock(&conns_mu);
    if (nconns < (int)PB_ARRAY_LEN(conns))
        conns[nconns++] = tl_db;
    pthread_mutex_unlock(&conns_mu);
    pb_metrics_db_connections(1);
    return tl_db;
}

static void close_all_dbs(void)
{
    pthread_mutex_lock(&conns_mu);
    for (int i = 0; i < nconns; i++)
        pb_db_close(conns[i]);
    nconns = 0;
    pthread_mutex_unlock(&conns_mu);
}

/* ---- request lifecycle ---- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Requests begun and not yet completed (for the graceful stop). */
static int active_requests;

/* Called by MHD with the raw URI before anything else: this is where a request begins. */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct pb_req *rq = pb_xcalloc(1, sizeof *rq);
    (void)cls;
    pb_arena_init(&rq->arena);
    pb_buf_init(&rq->body, (size_t)pb_http_cfg->max_body_kib * 1024);
    pb_buf_init(&rq->out, (size_t)256 << 20);
    rq->conn = conn;
    rq->raw_url = pb_arena_strdup(&rq->arena, uri ? uri : "/");
    rq->start_ns = mono_ns();
    rq->route = -1;
    rq->static_fd = -1;
    __atomic_add_fetch(&active_requests, 1, __ATOMIC_SEQ_CST);
    return rq;
}

static void request_free(struct pb_req *rq)
{
    if (rq->json)
        json_decref(rq->json);
    if (rq->static_fd >= 0)
        close(rq->static_fd);
    pb_buf_release(&rq->body);
    pb_buf_release(&rq->out);
    pb_arena_release(&rq->arena);
    free(rq);
}

static int id_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
}

static void set_request_id(struct pb_req *rq)
{
    const char *given = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given) {
        size_t n = strlen(given), i;
        for (i = 0; i < n && id_char_ok(given[i]); i++)
            ;
        if (n >= 1 && n <= 64 && i == n) {
            pb_strlcpy(rq->request_id, given, sizeof rq->request_id);
            return;
        }
    }
    {
        unsigned char raw[12];
        pb_random_bytes(raw, sizeof raw);
        pb_hex(raw, sizeof raw, rq->request_id);
    }
}

static void set_client_addr(struct pb_req *rq)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    rq->client_addr[0] = 0;
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, rq->client_addr,
                      sizeof rq->client_addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, rq->client_addr,
                      sizeof rq->client_addr);
    }
    /* Behind a local TLS proxy the peer is the proxy: trust its X-Forwarded-For (last hop). */
    if (pb_http_cfg->trust_proxy) {
        const char *xff = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-Forwarded-For");
        const char *proto =
            MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
        if (xff) {
            const char *last = strrchr(xff, ',');
            last = last ? last + 1 : xff;
            while (*last == ' ')
                last++;
            if (strlen(last) < sizeof rq->client_addr &&
                strspn(last, "0123456789abcdefABCDEF.:") == strlen(last))
                pb_strlcpy(rq->client_addr, last, sizeof rq->client_addr);
        }
        if (proto && !strcmp(proto, "https"))
            rq->tls = 1;
    }
}

static void set_lang(struct pb_req *rq)
{
    const char *lang = pb_http_query(rq, "lang");
    const char *al = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Accept-Language");
    if (lang)
        rq->lang_en = !strncmp(lang, "en", 2);
    else if (al)
        rq->lang_en = !strncmp(al, "en", 2);
}

/* Split the raw path into decoded segments; 0 ok, -1 malformed. */
static int split_path(struct pb_req *rq)
{
    char *q = strchr(rq->raw_url, '?');
    const char *p;
    size_t qlen = 0;
    if (q) {
        *q = 0;
        qlen = strlen(q + 1);
    }
    rq->path = rq->raw_url;
    p = rq->path;
    if (*p != '/')
        return -1;
    while (*p) {
        const char *s = ++p, *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *seg;
        if (n == 0 && !e)
            break; /* trailing slash */
        if (rq->nsegs == PB_REQ_MAX_SEGS)
            return -1;
        if (pb_url_decode_path_segment(&rq->arena, s, n, &seg, NULL) != 0)
            return -1;
        rq->segs[rq->nsegs++] = seg;
        p = s + n;
    }
    if (q) {
        struct pb_qs_pair *pairs;
        size_t np;
        if (pb_qs_parse(&rq->arena, q + 1, qlen, &pairs, &np) != 0)
            return -2;
        rq->query = pb_arena_alloc(&rq->arena, sizeof(struct pb_kv) * (np + 1));
        for (size_t i = 0; i < np; i++) {
            rq->query[i].key = pairs[i].key;
            rq->query[i].value = pairs[i].val;
        }
        rq->nquery = np;
    }
    return 0;
}

/* ---- static files (the built web UI) ---- */

static const char *content_type_of(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < PB_ARRAY_LEN(types); i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static int open_static(struct pb_req *rq, const char *rel)
{
    char path[1024];
    struct stat st;
    int fd;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", pb_http_cfg->web_dir, rel) >= sizeof path)
        return -1;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    rq->static_fd = fd;
    rq->static_size = st.st_size;
    rq->content_type = content_type_of(rel);
    return 0;
}

static void serve_static(struct pb_req *rq)
{
    struct pb_buf rel;
    int has_ext = 0;
    if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        pb_http_header(rq, "Allow", "GET, HEAD");
        pb_http_error(rq, PB_E_METHOD, "不支持该请求方法", "method not allowed");
        return;
    }
    pb_buf_init(&rel, 1024);
    for (int i = 0; i < rq->nsegs; i++) {
        const char *s = rq->segs[i];
        /* No dot-files, no "..", no separators smuggled inside a segment. */
        if (s[0] == '.' || strchr(s, '/') || strchr(s, '\\') || !*s) {
            pb_buf_release(&rel);
            pb_http_error(rq, PB_E_NOT_FOUND, "页面不存在", "not found");
            return;
        }
        if (i)
            pb_buf_addc(&rel, '/');
        pb_buf_adds(&rel, s);
        if (i == rq->nsegs - 1 && strchr(s, '.'))
            has_ext = 1;
    }
    if (rel.len && !rel.err && open_static(rq, pb_buf_cstr(&rel)) == 0) {
        if (rq->nsegs >= 2 && !strcmp(rq->segs[0], "assets"))
            pb_http_header(rq, "Cache-Control", "public, max-age=31536000, immutable");
        else
            pb_http_header(rq, "Cache-Control", "no-cache");
        rq->status = 200;
    } else if (!has_ext && open_static(rq, "index.html") == 0) {
        /* A route of the single-page app: index.html, which the app routes itself. */
        pb_http_header(rq, "Cache-Control", "no-cache");
        rq->status = 200;
    } else {
        rq->status = 404;
        rq->content_type = "text/plain; charset=utf-8";
        pb_buf_adds(&rq->out, "404 not found\n");
    }
    pb_buf_release(&rel);
}

/* ---- answering ---- */

static int is_api_path(const struct pb_req *rq)
{
    if (rq->nsegs >= 1 && !strcmp(rq->segs[0], "api"))
        return 1;
    if (rq->nsegs == 1 && (!strcmp(rq->segs[0], "healthz") || !strcmp(rq->segs[0], "readyz") ||
                           !strcmp(rq->segs[0], "metrics")))
        return 1;
    return 0;
}

static enum MHD_Result queue(struct pb_req *rq)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int api = is_api_path(rq);
    if (!rq->status)
        rq->status = 500;
    if (rq->out.err) {
        rq->out.len = 0;
        pb_http_error(rq, PB_E_TOO_LARGE, "结果过大", "the response is too large");
    }
    if (rq->static_fd >= 0) {
        resp = MHD_create_response_from_fd64((uint64_t)rq->static_size, rq->static_fd);
        rq->static_fd = -1; /* MHD owns it now */
        rq->resp_bytes = (size_t)rq->static_size;
    } else {
        resp = MHD_create_response_from_buffer(
            rq->out.len, rq->out.data ? rq->out.data : (void *)"", MHD_RESPMEM_MUST_COPY);
        rq->resp_bytes = rq->out.len;
    }
    if (!resp)
        return MHD_NO;
    if (rq->content_type && rq->status != 204)
        MHD_add_response_header(resp, "Content-Type", rq->content_type);
    MHD_add_response_header(resp, "X-Request-Id", rq->request_id);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (rq->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (api)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < rq->nheaders; i++)
        MHD_add_response_header(resp, rq->headers[i].k, rq->headers[i].v);
    ret = MHD_queue_response(rq->conn, (unsigned int)rq->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void handle(struct pb_req *rq)
{
    struct pb_ctx c;
    int sp;
    memset(&c, 0, sizeof c);
    set_request_id(rq);
    set_client_addr(rq);
    sp = split_path(rq);
    set_lang(rq);
    if (sp == -1) {
        pb_http_error(rq, PB_E_NOT_FOUND, "页面不存在", "not found");
        return;
    }
    if (!is_api_path(rq)) {
        if (sp)
            pb_http_error(rq, PB_E_BAD_REQUEST, "查询字符串无效", "invalid query string");
        else
            serve_static(rq);
        return;
    }
    if (sp) {
        pb_http_error(rq, PB_E_BAD_REQUEST, "查询字符串无效（编码错误或参数过多）",
                      "invalid query string (bad encoding or too many parameters)");
        return;
    }
    c.db = thread_db();
    c.arena = &rq->arena;
    c.who = &pb_principal_anonymous;
    c.client_addr = rq->client_addr;
    c.request_id = rq->request_id;
    c.lang_en = rq->lang_en;
    c.now_ms = pb_now_ms();
    if (!c.db && !(rq->nsegs == 1 && !strcmp(rq->segs[0], "healthz"))) {
        if (rq->nsegs == 1 && !strcmp(rq->segs[0], "readyz")) {
            rq->status = 503;
            rq->content_type = "text/plain; charset=utf-8";
            pb_buf_adds(&rq->out, "database unavailable\n");
            return;
        }
        pb_http_error(rq, PB_E_BUSY, "数据库暂不可用", "the database is unavailable");
        return;
    }
    pb_http_dispatch(rq, &c);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct pb_req *rq = *con_cls;
    (void)cls;
    (void)url;
    (void)version;
    if (!rq)
        return MHD_NO;
    rq->conn = conn;
    if (rq->calls++ == 0) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        size_t limit = pb_http_body_limit(method, rq->raw_url);
        int64_t n;
        rq->method = method;
        /* File uploads have their own, larger cap (nothing is read yet: re-cap the buffer). */
        if (limit != (size_t)pb_http_cfg->max_body_kib * 1024) {
            pb_buf_release(&rq->body);
            pb_buf_init(&rq->body, limit);
        }
        /* Refuse an oversized body before reading it. */
        if (cl && (pb_parse_i64(cl, &n) || n < 0 || (uint64_t)n > (uint64_t)limit)) {
            /* Answer before reading a byte of it; the connection closes after (trap 1), which
             * is what an oversized upload deserves. */
            rq->body_too_large = 1;
            set_request_id(rq);
            pb_http_error(rq, PB_E_TOO_LARGE, "请求体过大", "the request body is too large");
            return queue(rq);
        }
        /* Trap 1: queueing on the very first call forces Connection: close. */
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body_too_large) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        pb_buf_add(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        if (rq->body.err) {
            /* Over the limit (a chunked body says no length up front): answer now rather than
             * reading on; MHD closes the connection after the response. */
            rq->body_too_large = 1;
            set_request_id(rq);
            pb_http_error(rq, PB_E_TOO_LARGE, "请求体过大", "the request body is too large");
            return queue(rq);
        }
        if (mono_ns() - rq->start_ns > (int64_t)pb_http_cfg->request_timeout_s * 2 * 1000000000LL)
            return MHD_NO; /* a trickling client past twice the timeout: drop it */
        return MHD_YES;
    }
    if (rq->body_too_large)
        return MHD_YES; /* the 413 is queued already; MHD discards the rest */
    handle(rq);
    return queue(rq);
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct pb_req *rq = *con_cls;
    int64_t ns;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!rq)
        return;
    ns = mono_ns() - rq->start_ns;
    pb_metrics_observe(rq->route, rq->status, ns);
    if (pb_http_cfg->access_log && rq->method)
        pb_log_access("%s %s %d %zu %.1fms %s", rq->method, rq->path ? rq->path : "-", rq->status,
                      rq->resp_bytes, (double)ns / 1e6, rq->request_id[0] ? rq->request_id : "-");
    request_free(rq);
    *con_cls = NULL;
    __atomic_sub_fetch(&active_requests, 1, __ATOMIC_SEQ_CST);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct pb_buf b;
    char chunk[4096];
    size_t n;
    if (!f)
        return NULL;
    pb_buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        pb_buf_add(&b, chunk, n);
    fclose(f);
    if (b.err) {
        pb_buf_release(&b);
        return NULL;
    }
    return pb_buf_detach(&b, NULL);
}

static int parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    int64_t port;
    memset(sa, 0, sizeof *sa);
    if (!colon || (size_t)(colon - s) >= sizeof host || pb_parse_i64(colon + 1, &port) ||
        port < 0 || port > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        pb_strlcpy(host, "127.0.0.1", sizeof host);
    return inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) == 1 ? 0 : -1;
}

int pb_http_serve(const struct pb_config *cfg)
{
    struct MHD_Daemon *d;
    struct sockaddr_in sa;
    sigset_t set;
    int sig = 0;
    unsigned int threads;
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    char *cert = NULL, *key = NULL;
    const union MHD_DaemonInfo *di;

    pb_http_cfg = cfg;
    pb_session_idle_ms = (int64_t)cfg->session_idle_s * 1000;
    pb_session_absolute_ms = (int64_t)cfg->session_absolute_s * 1000;
    pb_login_max_fail_account = cfg->login_max_fail_account;
    pb_login_max_fail_addr = cfg->login_max_fail_addr;
    pb_login_window_ms = (int64_t)cfg->login_window_s * 1000;
    pb_routes_init();
    (void)pb_openapi_json();
    if (parse_listen(cfg->listen_addr, &sa)) {
        pb_log_error("bad listen address %s (expected ADDR:PORT)", cfg->listen_addr);
        return 2;
    }
    threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (cfg->tls_cert[0] || cfg->tls_key[0]) {
        cert = read_file(cfg->tls_cert);
        key = read_file(cfg->tls_key);
        if (!cert || !key) {
            pb_log_error("cannot read the TLS certificate or key");
            free(cert);
            free(key);
            return 2;
        }
        flags |= MHD_USE_TLS;
    }

    /* Trap 2: block the signals before MHD starts its threads, then wait for them here. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                         (unsigned int)(cfg->max_connections / 2 + 1),
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->request_timeout_s,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header_kib * 1024,
                         MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                         completed_cb, NULL, cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
                         cert, MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
    if (!d) {
        pb_log_error("cannot listen on %s (in use, or not permitted)", cfg->listen_addr);
        free(cert);
        free(key);
        return 2;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    pb_log_info("parkbrain serving on %s://%s (port %u), %u threads, database %s",
                cert ? "https" : "http", cfg->listen_addr, di ? di->port : 0, threads,
                !strncmp(cfg->db_url, "sqlite:", 7) ? cfg->db_url : "postgresql");
    fflush(stdout);

    while (sigwait(&set, &sig) != 0)
        ;
    pb_log_info("signal %d: finishing in-flight requests", sig);
    /* Stop accepting, let requests in flight finish (up to 10 s), then stop. */
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 100 && __atomic_load_n(&active_requests, __ATOMIC_SEQ_CST) > 0; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    close_all_dbs();
    free(cert);
    free(key);
    pb_log_info("stopped");
    return 0;
}
