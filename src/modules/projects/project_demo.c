/* project_demo.c: the demo portfolio of standardization projects (issue 4).
 *
 * The city's 100 projects of the 2024 rolling portfolio, attached round-robin to the demo parks,
 * with a stage history and confirmed January and February 2024 reports that reproduce the seed:
 * at the end of February 10 planned, 5 started, 42 under construction and 43 (partly) in use, 7
 * of them moved from construction into use in February, 68.99亿元 invested and 131.52万平方米
 * topped out in 1—2月. Then Jinjiang's county list is filled up to its 194 projects
 * ("累计策划194个工业类项目"). Everything goes through the same domain functions as the API,
 * so the demo is validated and audited like real data. Deterministic: no randomness. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "modules/projects/project.h"
#include "modules/projects/project_demo.h"
#include "modules/projects/project_handlers.h"

#define JINJIANG "350582"
#define JINJIANG_TOTAL 194
#define INVEST_FEN ((int64_t)689900000000LL) /* 68.99亿元 */
#define TOPPED_H ((int64_t)131520000)        /* 131.52万平方米 in hundredths of m² */

/* Groups of the city portfolio: count, and the stage history. */
struct group {
    int count;
    const char *dates[4]; /* planned, started, building, then (partly_)in_use */
    const char *last;     /* the stage of dates[3] */
    int invests, tops;    /* reports carry investment / topped-out area */
};

static const struct group groups[] = {
    {10, {"2023-10-16", NULL, NULL, NULL}, NULL, 0, 0},
    {5, {"2023-05-10", "2024-01-10", NULL, NULL}, NULL, 1, 0},
    {42, {"2022-03-01", "2022-09-01", "2022-10-01", NULL}, NULL, 1, 1},
    {4, {"2022-02-01", "2022-06-01", "2022-07-01", "2024-02-20"}, "partly_in_use", 1, 1},
    {3, {"2022-02-01", "2022-06-01", "2022-07-01", "2024-02-26"}, "in_use", 1, 1},
    {16, {"2021-03-01", "2021-06-01", "2021-07-01", "2023-06-30"}, "partly_in_use", 0, 0},
    {20, {"2021-01-01", "2021-04-01", "2021-05-01", "2023-09-30"}, "in_use", 0, 0},
};

static int create_project(struct pb_ctx *c, const char *name, int64_t park, const char *region,
                          int county_only, int pilot, const char *kind, int64_t plan_yuan,
                          int64_t *id, struct pb_err *err)
{
    json_t *b = json_object();
    char t[32];
    int rc;
    json_object_set_new(b, "name", json_string(name));
    json_object_set_new(b, "park_id", json_integer(park));
    json_object_set_new(b, "region_code", json_string(region));
    json_object_set_new(b, "kind", json_string(kind));
    json_object_set_new(b, "county_only", json_boolean(county_only));
    json_object_set_new(b, "pilot", json_boolean(pilot));
    snprintf(t, sizeof t, "%lld", (long long)plan_yuan);
    json_object_set_new(b, "invest_plan_yuan", json_string(t));
    json_object_set_new(b, "plan_factory_m2", json_string("60000"));
    json_object_set_new(b, "plan_supporting_m2", json_string("20000"));
    json_object_set_new(b, "land_m2", json_string("40000"));
    json_object_set_new(b, "official", json_string("（演示）"));
    rc = pb_res_create(c, &pb_res_projects, b, NULL, id, NULL, err);
    json_decref(b);
    return rc;
}

static int history(struct pb_ctx *c, int64_t id, const struct group *g, struct pb_err *err)
{
    static const char *const stages[] = {"planned", "started", "building"};
    int rc;
    for (int k = 0; k < 4 && g->dates[k]; k++) {
        struct pb_transition_in in = {k < 3 ? stages[k] : g->last, g->dates[k],
                                      k == 0   ? "立项文件（演示）"
                                      : k == 1 ? "施工许可证（演示）"
                                               : "现场照片（演示）",
                                      k == 1   ? "permit"
                                      : k == 0 ? "document"
                                               : "photo",
                                      NULL};
        if ((rc = pb_project_transition(c, id, &in, NULL, err)))
            return rc;
    }
    return 0;
}

static int report(struct pb_ctx *c, int64_t id, const char *month, int64_t inv, int64_t top,
                  int64_t completed, struct pb_err *err)
{
    char a[32], b[32], s[32], d[32];
    struct pb_report_in in;
    int rc;
    pb_dec_format(inv, 2, a, sizeof a);
    pb_dec_format(top, 2, b, sizeof b);
    pb_dec_format(top / 4, 2, s, sizeof s);
    pb_dec_format(completed, 2, d, sizeof d);
    memset(&in, 0, sizeof in);
    in.invest_done_yuan = a;
    in.topped_out_m2 = b;
    in.topped_out_supporting_m2 = s;
    in.completed_m2 = d;
    if ((rc = pb_report_put(c, id, month, &in, NULL, err)))
        return rc;
    return pb_report_confirm(c, id, month, NULL, err);
}

/* The reporting window of the demo: the report for January is submitted between 1 and 8
 * February 2024 (09:30 CST) and confirmed two days later; February's between 1 and 8 March and
 * confirmed two days later, except every 25th project (from the 8th), which submits on 12 March,
 * after the due day (10 March), and is confirmed on the 14th: the late list of 2024-02 shows
 * them. The reports go through the domain (validated, audited at the time of loading); the
 * dates are then stamped on the rows, in one transaction that also bumps the data version. */
struct stamp_args {
    const int64_t *ids;
    int n;
};

#define DEMO_LATE(i) ((i) % 25 == 7)

static int64_t demo_at(int m, int d)
{
    return pb_cst_midnight_ms(2024, m, d) + (9 * 60 + 30) * 60 * 1000LL;
}

static int stamp_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct stamp_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    (void)err;
    for (int i = 0; i < a->n; i++)
        for (int m = 1; m <= 2; m++) {
            int d = 1 + i % 8, late = m == 2 && DEMO_LATE(i);
            int64_t sub = late ? demo_at(3, 12) : demo_at(m + 1, d);
            if ((rc = pb_db_prepare(db,
                                    "UPDATE project_report SET submitted_at = ?, confirmed_at = ? "
                                    "WHERE project_id = ? AND month = ?",
                                    &st)))
                return rc;
            pb_stmt_bind_int(st, 1, sub);
            pb_stmt_bind_int(st, 2, sub + 2 * PB_DAY_MS);
            pb_stmt_bind_int(st, 3, a->ids[i]);
            pb_stmt_bind_text(st, 4, m == 1 ? "2024-01" : "2024-02");
            rc = pb_stmt_step(st);
            pb_stmt_done(st);
            if (rc < 0)
                return rc;
        }
    return pb_project_data_bump(db, "");
}

int pb_project_demo_load(struct pb_ctx *c, const int64_t *parks, const char *const *park_regions,
                         const char *const *park_names, int nparks, struct pb_project_demo *res,
                         struct pb_err *err)
{
    int64_t ids[100];
    int gi[100];
    int n = 0, nj = 0, jparks[64], njparks = 0, rc;
    int invest_reports = 0, top_reports = 0, ir = 0, tr = 0;
    int64_t inv_left = INVEST_FEN, top_left = TOPPED_H;
    memset(res, 0, sizeof *res);
    if (nparks <= 0)
        return pb_err_set(err, PB_E_INVALID, "没有演示园区", "no demo parks");
    for (int p = 0; p < nparks && njparks < 64; p++)
        if (!strcmp(park_regions[p], JINJIANG))
            jparks[njparks++] = p;

    /* The city portfolio. */
    for (size_t g = 0; g < PB_ARRAY_LEN(groups); g++)
        for (int k = 0; k < groups[g].count; k++, n++) {
            int p = n % nparks;
            char name[256];
            snprintf(name, sizeof name, "%s标准化建设项目（演示%03d）", park_names[p], n + 1);
            if ((rc = create_project(c, name, parks[p], park_regions[p], 0, n % 10 == 0,
                                     n % 3 == 0 ? "revitalized" : "new_build",
                                     (int64_t)300000000 + (int64_t)(n % 8) * 100000000, &ids[n],
                                     err)))
                return rc;
            gi[n] = (int)g;
            if (!strcmp(park_regions[p], JINJIANG))
                nj++;
            if ((rc = history(c, ids[n], &groups[g], err)))
                return rc;
            invest_reports += groups[g].invests * 2;
            top_reports += groups[g].tops * 2;
        }
    res->city_projects = n;

    /* Reports for January and February: every project that owes one (not fully in use before),
     * amounts spread with a fixed pattern and the last one taking the exact remainder. */
    for (int m = 1; m <= 2; m++)
        for (int i = 0; i < n; i++) {
            const struct group *g = &groups[gi[i]];
            int64_t inv = 0, top = 0, comp = 0;
            if (g->last && !strcmp(g->last, "in_use") && strncmp(g->dates[3], "2024", 4) < 0)
                continue; /* fully in use before 2024: no report owed */
            if (g->invests) {
                ir++;
                /* Paired deviations (+d, -d) cancel, so the last report stays near the mean. */
                inv = ir == invest_reports
                          ? inv_left
                          : INVEST_FEN / invest_reports +
                                (ir % 2 ? 1 : -1) * (int64_t)((ir + 1) / 2 * 7919 % 1001) *
                                    (int64_t)1000000;
                inv_left -= inv;
            }
            if (g->tops) {
                tr++;
                top = tr == top_reports
                          ? top_left
                          : TOPPED_H / top_reports +
                                (tr % 2 ? 1 : -1) * (int64_t)((tr + 1) / 2 * 104729 % 1001) * 100;
                top_left -= top;
                /* Projects moving into use in February complete what they topped out. */
                if (m == 2 && g->dates[3])
                    comp = top;
            }
            if ((rc = report(c, ids[i], m == 1 ? "2024-01" : "2024-02", inv, top, comp, err)))
                return rc;
            res->reports++;
        }
    {
        struct stamp_args sa = {ids, n};
        if ((rc = pb_db_tx(c->db, 1, stamp_tx, &sa, err)) < 0)
            return rc;
    }

    /* Jinjiang's county list up to 194 projects, mostly built already. */
    for (int k = 0; njparks && nj + k < JINJIANG_TOTAL; k++) {
        int p = jparks[k % njparks];
        int64_t id;
        char name[256];
        static const struct group county[] = {
            {0, {"2021-05-01", "2021-09-01", "2021-10-01", "2023-03-31"}, "in_use", 0, 0},
            {0, {"2022-05-01", "2022-09-01", "2022-10-01", "2023-12-31"}, "partly_in_use", 0, 0},
            {0, {"2023-03-01", "2023-06-01", "2023-07-01", NULL}, NULL, 0, 0},
            {0, {"2023-11-01", NULL, NULL, NULL}, NULL, 0, 0},
        };
        const struct group *g = &county[k % 10 < 6 ? 0 : k % 10 < 8 ? 1 : k % 10 < 9 ? 2 : 3];
        snprintf(name, sizeof name, "%s县级标准化项目（演示J%03d）", park_names[p], k + 1);
        if ((rc = create_project(c, name, parks[p], JINJIANG, 1, 0, "new_build", 200000000, &id,
                                 err)))
            return rc;
        if ((rc = history(c, id, g, err)))
            return rc;
        res->jinjiang_county_projects++;
    }
    res->jinjiang_projects = nj + res->jinjiang_county_projects;
    return 0;
}

/* The demo project portfolio (issue 4), once: skipped when any project exists. */
int pb_projects_demo(struct pb_ctx *c, struct pb_err *err)
{
    struct pb_stmt *st;
    struct pb_project_demo res;
    struct pb_db *db = c->db;
    int64_t ids[64], existing = 0;
    char regions[64][16], names[64][128];
    const char *rp[64], *np[64];
    int n = 0, rc;
    pb_db_query_int(db, "SELECT COUNT(*) FROM project", &existing);
    if (existing) {
        printf("  Demo projects: %lld already there.\n", (long long)existing);
        return 0;
    }
    if (pb_db_prepare(db,
                      "SELECT id, region_code, name FROM park WHERE archived_at IS NULL ORDER "
                      "BY id",
                      &st))
        return pb_err_set(err, PB_E_DB, "数据库错误", "Database error");
    while (n < 64 && pb_stmt_step(st) == PB_ROW) {
        ids[n] = pb_stmt_col_int(st, 0);
        pb_strlcpy(regions[n], pb_stmt_col_text(st, 1), sizeof regions[n]);
        pb_strlcpy(names[n], pb_stmt_col_text(st, 2), sizeof names[n]);
        rp[n] = regions[n];
        np[n] = names[n];
        n++;
    }
    pb_stmt_done(st);
    if ((rc = pb_project_demo_load(c, ids, rp, np, n, &res, err)))
        return rc;
    printf("  Demo projects: %d in the city's rolling portfolio with %d confirmed reports "
           "(2024-01/02); Jinjiang %d in all.\n",
           res.city_projects, res.reports, res.jinjiang_projects);
    return 0;
}
