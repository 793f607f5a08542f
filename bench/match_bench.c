/* match_bench.c: match one demand against N spaces (default 1,000,000); budget 50 ms.
 * Build and run: bench/matching.sh. The first match loads the index (reported apart); the
 * figures are the following matches, each refreshing the index from updated_at first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "modules/space/space.h"
#include "core/util/timeutil.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : "sqlite:/tmp/pb_match_bench.db";
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    struct pb_db *db;
    struct pb_err err = {0};
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    char sql[2048];
    double t[21], t0;
    json_t *body;
    int64_t d;
    pb_app_init();
    if (pb_db_open(url, &db, &err) || pb_cli_init_db(db, 1, NULL))
        return 1;
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %ld) "
             "INSERT INTO space (region_code, title, floor_m2, floor_load, clear_height, "
             "power_kva, rent_fen, crane, ground_floor, wastewater, hazard_class, source, status, "
             "version, created_at, updated_at) SELECT CASE i %% 3 WHEN 0 THEN '350582' WHEN 1 "
             "THEN '350583' ELSE '350504' END, 'space ' || i, 20000 + (i * 7919) %% 500000, "
             "300 + (i * 31) %% 1200, 400 + (i * 17) %% 800, (i * 13) %% 2000, 800 + (i * 11) "
             "%% 2500, i %% 2, i %% 3 = 0, i %% 4 = 0, 'c', 'idle_factory', CASE WHEN i %% 10 = 0 "
             "THEN 'taken' ELSE 'available' END, 1, %lld, %lld FROM s",
             n, (long long)(pb_now_ms() - 3600000), (long long)(pb_now_ms() - 3600000));
    t0 = now_ms();
    if (pb_db_exec_script(db, sql, &err)) {
        fprintf(stderr, "insert: %s\n", err.detail_en);
        return 1;
    }
    printf("inserted %ld spaces in %.0f ms\n", n, now_ms() - t0);
    body = json_loads("{\"title\":\"bench\",\"region_code\":\"350504\",\"area_min_m2\":\"800\","
                      "\"area_max_m2\":\"2000\",\"min_floor_load\":\"8\",\"min_clear_height\":\"6\","
                      "\"min_power_kva\":500,\"need_crane\":true,\"budget_rent_fen\":\"20\","
                      "\"preferred_regions\":\"350504,350582\",\"status\":\"open\"}",
                      0, NULL);
    if (pb_res_create(&c, &pb_res_demands, body, NULL, &d, NULL, &err)) {
        fprintf(stderr, "demand: %s\n", err.detail_en);
        return 1;
    }
    pb_buf_init(&out, 0);
    t0 = now_ms();
    if (pb_match_demand(&c, d, 10, &out, &err)) {
        fprintf(stderr, "match: %s\n", err.detail_en);
        return 1;
    }
    printf("first match (loads the index): %.0f ms\n", now_ms() - t0);
    for (int i = 0; i < 21; i++) {
        out.len = 0;
        c.now_ms = pb_now_ms();
        t0 = now_ms();
        pb_match_demand(&c, d, 10, &out, &err);
        t[i] = now_ms() - t0;
    }
    qsort(t, 21, sizeof t[0], cmp);
    printf("match 1 demand vs %ld spaces, limit 10, 21 runs: min %.1f ms, median %.1f ms, max "
           "%.1f ms\n",
           n, t[0], t[10], t[20]);
    printf("top: %.300s\n", pb_buf_cstr(&out));
    pb_db_close(db);
    return 0;
}
