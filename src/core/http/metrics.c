/* metrics.c: Prometheus text exposition of request counts and latency by route and status, and
 * the database connection pool. One mutex: the critical sections are a few additions. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/http/http.h"

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                0.25,  0.5,    1,     2.5,  5,     10};
#define NB (sizeof bounds / sizeof bounds[0])

struct series {
    int route, status;
    uint64_t count;
    double sum;
    uint64_t buckets[NB];
};

static struct series table[1024];
static int nseries;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int db_conns;

void pb_metrics_observe(int route, int status, int64_t ns)
{
    double s = (double)ns / 1e9;
    struct series *x = NULL;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nseries; i++)
        if (table[i].route == route && table[i].status == status) {
            x = &table[i];
            break;
        }
    if (!x && nseries < (int)(sizeof table / sizeof table[0])) {
        x = &table[nseries++];
        memset(x, 0, sizeof *x);
        x->route = route;
        x->status = status;
    }
    if (x) {
        x->count++;
        x->sum += s;
        for (size_t b = 0; b < NB; b++)
            if (s <= bounds[b])
                x->buckets[b]++;
    }
    pthread_mutex_unlock(&mu);
}

void pb_metrics_db_connections(int delta)
{
    __atomic_add_fetch(&db_conns, delta, __ATOMIC_SEQ_CST);
}

static const char *route_label(int route)
{
    const struct pb_route *r = route >= 0 ? pb_route_at((size_t)route) : NULL;
    return r ? r->pattern : "static";
}

static const char *method_label(int route)
{
    const struct pb_route *r = route >= 0 ? pb_route_at((size_t)route) : NULL;
    return r ? r->method : "GET";
}

void pb_metrics_render(struct pb_buf *out)
{
    pthread_mutex_lock(&mu);
    pb_buf_adds(out, "# HELP parkbrain_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE parkbrain_http_requests_total counter\n");
    for (int i = 0; i < nseries; i++)
        pb_buf_printf(
            out, "parkbrain_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
            method_label(table[i].route), route_label(table[i].route), table[i].status,
            (unsigned long long)table[i].count);
    pb_buf_adds(out, "# HELP parkbrain_http_request_duration_seconds Time from request start to "
                     "response completion.\n"
                     "# TYPE parkbrain_http_request_duration_seconds histogram\n");
    for (int i = 0; i < nseries; i++) {
        const char *m = method_label(table[i].route), *r = route_label(table[i].route);
        for (size_t b = 0; b < NB; b++)
            pb_buf_printf(out,
                          "parkbrain_http_request_duration_seconds_bucket{method=\"%s\",route=\"%"
                          "s\",status=\"%d\",le=\"%g\"} %llu\n",
                          m, r, table[i].status, bounds[b],
                          (unsigned long long)table[i].buckets[b]);
        pb_buf_printf(out,
                      "parkbrain_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                      "status=\"%d\",le=\"+Inf\"} %llu\n",
                      m, r, table[i].status, (unsigned long long)table[i].count);
        pb_buf_printf(out,
                      "parkbrain_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\","
                      "status=\"%d\"} %.6f\n",
                      m, r, table[i].status, table[i].sum);
        pb_buf_printf(out,
                      "parkbrain_http_request_duration_seconds_count{method=\"%s\",route=\"%s\","
                      "status=\"%d\"} %llu\n",
                      m, r, table[i].status, (unsigned long long)table[i].count);
    }
    pthread_mutex_unlock(&mu);
    pb_buf_printf(
        out,
        "# HELP parkbrain_db_connections Open database connections (one per worker thread).\n"
        "# TYPE parkbrain_db_connections gauge\nparkbrain_db_connections %d\n",
        __atomic_load_n(&db_conns, __ATOMIC_SEQ_CST));
}
