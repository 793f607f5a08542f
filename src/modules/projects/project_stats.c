/* project_stats.c: rolling statistics, the bulletin, the dashboard and the late list.
 * Definitions: docs/projects.md. Every figure is an exact integer sum (fen, hundredths of m²,
 * counts); rounding happens only when the bulletin prints 亿元/万元/万平方米. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/refdata.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/projects/project_stats.h"

#define CITY_CODE "350500"

int pb_stats_force_slow;
#define NPOINTS 24 /* month ends from January of last year to this month */

static const char *const ind_names[PB_STATS_NIND] = {
    "new_projects",  "projects_in_use", "invest_done",      "topped_out",
    "new_producing", "new_output",      "new_in_statistics"};

static int ind_index(const char *s)
{
    for (int i = 0; i < PB_STATS_NIND; i++)
        if (!strcmp(ind_names[i], s))
            return i;
    return -1;
}

/* ---- the cache ---- */

#define CACHE_MAX 256
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char key[160];
    int64_t version;
    char *json;
    size_t len;
} cache[CACHE_MAX];
static int cache_n;
static int64_t cache_version = -1;

void pb_stats_cache_clear(void)
{
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < cache_n; i++)
        free(cache[i].json);
    cache_n = 0;
    cache_version = -1;
    pthread_mutex_unlock(&cache_mu);
}

/* Copy a cached answer into out: 1 hit, 0 miss. A new data version empties the cache. */
static int cache_get(const char *key, int64_t version, struct pb_buf *out)
{
    int hit = 0;
    pthread_mutex_lock(&cache_mu);
    if (version != cache_version) {
        for (int i = 0; i < cache_n; i++)
            free(cache[i].json);
        cache_n = 0;
        cache_version = version;
    }
    for (int i = 0; i < cache_n; i++)
        if (!strcmp(cache[i].key, key)) {
            pb_buf_add(out, cache[i].json, cache[i].len);
            hit = 1;
            break;
        }
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

static void cache_put(const char *key, int64_t version, const char *json, size_t len)
{
    pthread_mutex_lock(&cache_mu);
    if (version == cache_version) {
        int slot;
        if (cache_n < CACHE_MAX) {
            slot = cache_n++;
        } else {
            /* Full: replace an arbitrary entry (the keys are few in practice). */
            slot = (int)(pb_now_ms() % CACHE_MAX);
            free(cache[slot].json);
        }
        pb_strlcpy(cache[slot].key, key, sizeof cache[slot].key);
        cache[slot].version = version;
        cache[slot].json = pb_xstrndup(json, len);
        cache[slot].len = len;
    }
    pthread_mutex_unlock(&cache_mu);
}

static void cache_key(const char *kind, const struct pb_stats_req *rq, const char *extra, char *out,
                      size_t n)
{
    snprintf(out, n, "%s|%s|%s|%s|%d%d%d|%d|%s", kind, rq->month, rq->scope, rq->id, rq->rollup,
             rq->pilot_only, rq->all_portfolios, rq->stall_months, extra ? extra : "");
}

/* ---- request checks ---- */

static int64_t park_region(struct pb_db *db, int64_t park_id, char region[16], char *name,
                           size_t namelen, int *rc_out)
{
    struct pb_stmt *st;
    int rc;
    int64_t found = 0;
    region[0] = 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, name FROM park WHERE id = ? AND archived_at IS "
                            "NULL",
                            &st))) {
        *rc_out = rc;
        return 0;
    }
    pb_stmt_bind_int(st, 1, park_id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        found = 1;
        pb_strlcpy(region, pb_stmt_col_text(st, 0), 16);
        if (name)
            pb_strlcpy(name, pb_stmt_col_text(st, 1), namelen);
    }
    pb_stmt_done(st);
    *rc_out = rc < 0 ? rc : 0;
    return found;
}

int pb_stats_check(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_err *err)
{
    const struct pb_principal *p = c->who;
    int y, m;
    if (!pb_policy_allows(p->role, "reports", PB_ACT_READ)) {
        c->denied.set = 1;
        c->denied.resource = "reports";
        c->denied.object_id[0] = 0;
        c->denied.region_code[0] = 0;
        c->denied.action = "statistics";
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权查看统计",
                          "your role may not read the statistics");
    }
    if (pb_month_parse(rq->month, &y, &m))
        pb_err_field(err, PB_E_INVALID, "month", "invalid_month", "月份格式应为 YYYY-MM",
                     "the month must be YYYY-MM");
    if (strcmp(rq->scope, "city") && strcmp(rq->scope, "region") && strcmp(rq->scope, "park"))
        pb_err_field(err, PB_E_INVALID, "scope", "invalid_choice", "范围应为 city、region 或 park",
                     "scope must be city, region or park");
    else if (!strcmp(rq->scope, "city") && rq->id[0])
        pb_err_field(err, PB_E_INVALID, "id", "not_allowed", "全市范围不需要 id",
                     "the city scope takes no id");
    else if (strcmp(rq->scope, "city") && !rq->id[0])
        pb_err_field(err, PB_E_INVALID, "id", "required", "请指定区域代码或园区编号",
                     "give the region code or park id");
    if (err->nfields)
        return pb_err_set(err, PB_E_INVALID, "查询参数有误", "the query parameters are invalid");
    if (!strcmp(rq->scope, "city")) {
        if (!p->all_regions)
            return pb_err_set(err, PB_E_NOT_FOUND, "无权查看全市统计", "no such scope");
    } else if (!strcmp(rq->scope, "region")) {
        const struct pb_region *r = pb_region_find(rq->id);
        if (!r || !strcmp(r->kind, "city")) {
            pb_err_field(err, PB_E_INVALID, "id", "unknown_region", "区域代码不存在",
                         "no such region");
            return pb_err_set(err, PB_E_INVALID, "查询参数有误",
                              "the query parameters are invalid");
        }
        if (pb_principal_by_park(p) || !pb_principal_region_ok(p, rq->id))
            return pb_err_set(err, PB_E_NOT_FOUND, "区域不存在或不在管辖范围内",
                              "no such region in your jurisdiction");
    } else {
        int64_t pid = 0;
        char reg[16];
        int rc = 0;
        if (pb_parse_i64(rq->id, &pid) || pid < 1) {
            pb_err_field(err, PB_E_INVALID, "id", "invalid_integer", "园区编号应为正整数",
                         "the park id is a positive integer");
            return pb_err_set(err, PB_E_INVALID, "查询参数有误",
                              "the query parameters are invalid");
        }
        if (!park_region(c->db, pid, reg, NULL, 0, &rc)) {
            if (rc)
                return rc;
            return pb_err_set(err, PB_E_NOT_FOUND, "园区不存在", "no such park");
        }
        if (pb_principal_by_park(p) ? !pb_principal_park_ok(p, pid)
                                    : !pb_principal_region_ok(p, reg))
            return pb_err_set(err, PB_E_NOT_FOUND, "园区不存在", "no such park");
    }
    return 0;
}

/* ---- the project filter shared by the queries ---- */

struct pfilter {
    char sql[640];
    const char *texts[PB_STATS_MAX_REGIONS];
    int ntexts;
    int64_t park;
};

/* The filter on projects (alias p) or, with agg = 1, on the aggregate (alias a), which holds
 * counted (not archived) projects only. */
static void filter_build_as(const struct pb_stats *s, struct pfilter *f, int agg)
{
    struct pb_buf b;
    const char *x = agg ? "a" : "p";
    memset(f, 0, sizeof *f);
    pb_buf_init(&b, sizeof f->sql - 1);
    pb_buf_adds(&b, agg ? "1 = 1" : "p.archived_at IS NULL");
    if (!s->req.all_portfolios)
        pb_buf_printf(&b, " AND %s.county_only = 0", x);
    if (s->req.pilot_only)
        pb_buf_printf(&b, " AND %s.pilot = 1", x);
    if (!strcmp(s->req.scope, "region")) {
        pb_buf_printf(&b, " AND %s.region_code IN (", x);
        for (int i = 0; i < s->nregions; i++) {
            f->texts[f->ntexts++] = s->regions[i].code;
            pb_buf_adds(&b, i ? ", ?" : "?");
        }
        pb_buf_addc(&b, ')');
    } else if (!strcmp(s->req.scope, "park")) {
        pb_parse_i64(s->req.id, &f->park);
        pb_buf_printf(&b, " AND %s.park_id = ?", x);
    }
    pb_strlcpy(f->sql, pb_buf_cstr(&b), sizeof f->sql);
    pb_buf_release(&b);
}

static void filter_build(const struct pb_stats *s, struct pfilter *f)
{
    filter_build_as(s, f, 0);
}

/* Bind the filter's values starting at parameter `idx`; returns the next index. */
static int filter_bind(const struct pfilter *f, struct pb_stmt *st, int idx)
{
    for (int i = 0; i < f->ntexts; i++)
        pb_stmt_bind_text(st, idx++, f->texts[i]);
    if (f->park)
        pb_stmt_bind_int(st, idx++, f->park);
    return idx;
}

/* ---- computing ---- */

struct proj_row {
    int64_t id;
    int region;
    int64_t plan_invest;
    unsigned char st[NPOINTS];
    char last[11]; /* date of the last transition on or before the month end */
};

static void point_month(const struct pb_stats *s, int k, int *y, int *m)
{
    *y = s->year - 1 + k / 12;
    *m = k % 12 + 1;
}

static void point_end(const struct pb_stats *s, int k, char out[11])
{
    int y, m;
    point_month(s, k, &y, &m);
    pb_date_format(y, m, pb_days_in_month(y, m), out);
}

static int region_index(const struct pb_stats *s, const char *code)
{
    for (int i = 0; i < s->nregions; i++)
        if (!strcmp(s->regions[i].code, code))
            return i;
    return -1;
}

static void add_region(struct pb_stats *s, const struct pb_region *r)
{
    if (s->nregions >= PB_STATS_MAX_REGIONS)
        return;
    pb_strlcpy(s->regions[s->nregions].code, r->code, sizeof s->regions[0].code);
    pb_strlcpy(s->regions[s->nregions].name, r->name, sizeof s->regions[0].name);
    s->nregions++;
}

static int setup_scope(struct pb_ctx *c, struct pb_stats *s)
{
    if (!strcmp(s->req.scope, "city")) {
        const struct pb_region *city = pb_region_find(CITY_CODE);
        pb_strlcpy(s->scope_name, city ? city->name : "泉州市", sizeof s->scope_name);
        for (size_t i = 0; i < pb_region_count(); i++)
            if (strcmp(pb_region_at(i)->kind, "city"))
                add_region(s, pb_region_at(i));
    } else if (!strcmp(s->req.scope, "region")) {
        const struct pb_region *r = pb_region_find(s->req.id);
        if (!r)
            return PB_E_NOT_FOUND;
        pb_strlcpy(s->scope_name, r->name, sizeof s->scope_name);
        add_region(s, r);
        if (s->req.rollup)
            for (size_t i = 0; i < pb_region_count(); i++) {
                const struct pb_region *z = pb_region_at(i);
                if (strcmp(z->code, r->code) && !strcmp(z->rollup_code, r->code))
                    add_region(s, z);
            }
    } else {
        int64_t pid = 0;
        char reg[16];
        int rc = 0;
        const struct pb_region *r;
        pb_parse_i64(s->req.id, &pid);
        if (!park_region(c->db, pid, reg, s->scope_name, sizeof s->scope_name, &rc))
            return rc ? rc : PB_E_NOT_FOUND;
        if ((r = pb_region_find(reg)))
            add_region(s, r);
    }
    return 0;
}

struct compute_args {
    struct pb_ctx *c;
    struct pb_stats *s;
};

static int load_projects(struct pb_ctx *c, struct pb_stats *s, const struct pfilter *f,
                         struct proj_row **rows_out, size_t *n_out)
{
    struct pb_stmt *st;
    struct pb_buf sql;
    struct proj_row *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    char end[11];
    point_end(s, 11 + s->mon, end);

    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT p.id, p.region_code, COALESCE(p.invest_plan_yuan, 0) FROM project p "
                  "WHERE %s ORDER BY p.id",
                  f->sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    filter_bind(f, st, 1);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            rows = pb_xrealloc(rows, cap * sizeof *rows);
        }
        memset(&rows[n], 0, sizeof rows[n]);
        rows[n].id = pb_stmt_col_int(st, 0);
        rows[n].region = region_index(s, pb_stmt_col_text(st, 1));
        rows[n].plan_invest = pb_stmt_col_int(st, 2);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }

    /* Transitions in project order: the stage at each month end is the last one on or before. */
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT t.project_id, t.on_date, t.stage FROM project_transition t JOIN project "
                  "p ON p.id = t.project_id WHERE %s AND t.on_date <= ? AND t.voided_at IS NULL "
                  "ORDER BY t.project_id, "
                  "t.on_date, t.id",
                  f->sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc) {
        free(rows);
        return rc;
    }
    pb_stmt_bind_text(st, filter_bind(f, st, 1), end);
    {
        char ends[NPOINTS][11];
        int npoints = 12 + s->mon;
        size_t j = 0;
        for (int k = 0; k < npoints; k++)
            point_end(s, k, ends[k]);
        while ((rc = pb_stmt_step(st)) == PB_ROW) {
            int64_t pid = pb_stmt_col_int(st, 0);
            const char *date = pb_stmt_col_text(st, 1);
            int stage = pb_stage_parse(pb_stmt_col_text(st, 2));
            while (j < n && rows[j].id < pid)
                j++;
            if (j == n || rows[j].id != pid || stage < 0)
                continue;
            /* Rows come in date order, so each later row overwrites the month ends it reaches. */
            for (int k = 0; k < npoints; k++)
                if (strcmp(date, ends[k]) <= 0)
                    rows[j].st[k] = (unsigned char)stage;
            pb_strlcpy(rows[j].last, date, sizeof rows[j].last);
        }
    }
    pb_stmt_done(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *rows_out = rows;
    *n_out = n;
    return 0;
}

/* The stage figures from the maintained counts (decision 0034): the rows of this month, the months
 * of the year before it and the same month last year. Same results as the per-project loop in
 * compute_tx (the unit tests compare them). */
static int load_stage_agg(struct pb_ctx *c, struct pb_stats *s)
{
    struct pfilter af;
    struct pb_stmt *st;
    struct pb_buf sql;
    int rc, K = s->year * 12 + s->mon - 1, Y0 = s->year * 12, LY = K - 12;
    filter_build_as(s, &af, 1);
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT a.month, a.region_code, a.now_stage, a.prev_stage, a.ye_stage, "
                  "SUM(a.n), SUM(a.plan_invest) FROM project_stage_agg a WHERE ((a.month >= ? AND "
                  "a.month <= ?) OR a.month = ?) AND %s GROUP BY a.month, a.region_code, "
                  "a.now_stage, a.prev_stage, a.ye_stage",
                  af.sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    pb_stmt_bind_int(st, 1, Y0);
    pb_stmt_bind_int(st, 2, K);
    pb_stmt_bind_int(st, 3, LY);
    filter_bind(&af, st, 4);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int mi = (int)pb_stmt_col_int(st, 0), ri = region_index(s, pb_stmt_col_text(st, 1));
        int now = (int)pb_stmt_col_int(st, 2), prev = (int)pb_stmt_col_int(st, 3),
            ye = (int)pb_stmt_col_int(st, 4);
        int64_t n = pb_stmt_col_int(st, 5), plan = pb_stmt_col_int(st, 6);
        struct pb_stats_region *reg = ri >= 0 ? &s->regions[ri] : NULL;
        int in_use_now = now == PB_STAGE_PARTLY || now == PB_STAGE_IN_USE;
        int in_use_ye = ye == PB_STAGE_PARTLY || ye == PB_STAGE_IN_USE;
        if (now <= 0 || now >= PB_STAGE__COUNT || prev < 0 || prev >= PB_STAGE__COUNT || ye < 0 ||
            ye >= PB_STAGE__COUNT || !n)
            continue;
        if (mi == LY) {
            s->ly_stage[now] += n;
            continue;
        }
        s->by_month_stage[mi - Y0][now] += n;
        if (mi != K)
            continue;
        s->projects += n;
        s->stage[now] += n;
        s->plan_invest += plan;
        if (now != prev)
            s->trans[prev][now] += n;
        if (!ye)
            s->new_projects += n;
        if (in_use_now && !in_use_ye)
            s->newly_in_use += n;
        if (reg) {
            reg->projects += n;
            reg->stage[now] += n;
            if (prev == PB_STAGE_BUILDING && in_use_now)
                reg->to_use += n;
            if (!ye)
                reg->new_projects += n;
            if (in_use_now && !in_use_ye)
                reg->newly_in_use += n;
        }
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* The last transition of a project on or before `date`: its stage and date. */
static int last_on_or_before(struct pb_db *db, int64_t pid, const char *date, int *stage,
                             char out[11])
{
    struct pb_stmt *st;
    int rc;
    *stage = PB_STAGE_NONE;
    out[0] = 0;
    if ((rc =
             pb_db_prepare(db,
                           "SELECT stage, on_date FROM project_transition WHERE project_id = ? AND "
                           "on_date <= ? AND voided_at IS NULL ORDER BY on_date DESC, id DESC "
                           "LIMIT 1",
                           &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    pb_stmt_bind_text(st, 2, date);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        *stage = pb_stage_parse(pb_stmt_col_text(st, 0));
        pb_strlcpy(out, pb_stmt_col_text(st, 1), 11);
    }
    pb_stmt_done(st);
    if (*stage < 0)
        *stage = PB_STAGE_NONE;
    return rc < 0 ? rc : 0;
}

/* The rows the late and stalled lists need (the stage at the end of this month and the last, and
 * the date of the last transition by this month end), from each project's current stage and its
 * date (project.stage, stage_date, kept by every transition and void): only the projects whose
 * latest transition comes after the end of last month need a look at their transitions. */
static int load_list_rows(struct pb_ctx *c, struct pb_stats *s, const struct pfilter *f,
                          struct proj_row **rows_out, size_t *n_out)
{
    struct pb_stmt *st;
    struct pb_buf sql;
    struct proj_row *rows = NULL;
    size_t n = 0, cap = 0, *redo = NULL, nredo = 0;
    int rc, K = 11 + s->mon, P = K - 1;
    char endK[11], endP[11];
    point_end(s, K, endK);
    point_end(s, P, endP);
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT p.id, p.region_code, p.stage, p.stage_date FROM project p WHERE %s "
                  "AND p.stage IS NOT NULL ORDER BY p.id",
                  f->sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    filter_bind(f, st, 1);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *date = pb_stmt_col_null(st, 3) ? "" : pb_stmt_col_text(st, 3);
        int stage = pb_stage_parse(pb_stmt_col_text(st, 2));
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            rows = pb_xrealloc(rows, cap * sizeof *rows);
            redo = pb_xrealloc(redo, cap * sizeof *redo);
        }
        memset(&rows[n], 0, sizeof rows[n]);
        rows[n].id = pb_stmt_col_int(st, 0);
        rows[n].region = region_index(s, pb_stmt_col_text(st, 1));
        if (stage > 0 && date[0] && strcmp(date, endP) <= 0) {
            rows[n].st[K] = rows[n].st[P] = (unsigned char)stage;
            pb_strlcpy(rows[n].last, date, sizeof rows[n].last);
        } else {
            redo[nredo++] = n;
        }
        n++;
    }
    pb_stmt_done(st);
    for (size_t i = 0; i < nredo && rc >= 0; i++) {
        struct proj_row *r = &rows[redo[i]];
        int sk, sp;
        char d[11];
        if ((rc = last_on_or_before(c->db, r->id, endK, &sk, r->last)) ||
            (rc = last_on_or_before(c->db, r->id, endP, &sp, d)))
            break;
        r->st[K] = (unsigned char)sk;
        r->st[P] = (unsigned char)sp;
    }
    free(redo);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *rows_out = rows;
    *n_out = n;
    return 0;
}

static int load_sums(struct pb_ctx *c, struct pb_stats *s)
{
    struct pfilter af, *f = &af;
    struct pb_stmt *st;
    struct pb_buf sql;
    char from[16], to[8];
    int rc;
    filter_build_as(s, &af, 1);
    snprintf(from, sizeof from, "%04d-01", s->year - 1);
    pb_strlcpy(to, s->req.month, sizeof to);
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT a.month, a.region_code, SUM(a.invest_done), SUM(a.topped_out), "
                  "SUM(a.topped_supporting), SUM(a.completed) FROM project_month_agg a WHERE "
                  "a.month >= ? AND a.month <= ? AND %s GROUP BY a.month, a.region_code",
                  f->sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    pb_stmt_bind_text(st, 1, from);
    pb_stmt_bind_text(st, 2, to);
    filter_bind(f, st, 3);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int y, m, ri = region_index(s, pb_stmt_col_text(st, 1));
        int64_t inv = pb_stmt_col_int(st, 2), top = pb_stmt_col_int(st, 3),
                sup = pb_stmt_col_int(st, 4), comp = pb_stmt_col_int(st, 5);
        if (pb_month_parse(pb_stmt_col_text(st, 0), &y, &m))
            continue;
        if (y == s->year) {
            s->ytd_invest += inv;
            s->ytd_topped += top;
            s->ytd_supporting += sup;
            s->ytd_completed += comp;
            s->by_month_invest[m - 1] += inv;
            s->by_month_topped[m - 1] += top;
            if (m == s->mon) {
                s->m_invest += inv;
                s->m_topped += top;
                s->m_supporting += sup;
                s->m_completed += comp;
            }
            if (ri >= 0) {
                s->regions[ri].ytd_invest += inv;
                s->regions[ri].ytd_topped += top;
            }
        } else if (y == s->year - 1 && m <= s->mon) {
            s->ly_ytd_invest += inv;
            s->ly_ytd_topped += top;
            s->ly_ytd_completed += comp;
            if (ri >= 0)
                s->regions[ri].ly_ytd_invest += inv;
        }
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;

    /* Investment since the start, against the planned totals. */
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT COALESCE(SUM(a.invest_done), 0) FROM project_month_agg a WHERE a.month "
                  "<= ? AND %s",
                  f->sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    pb_stmt_bind_text(st, 1, to);
    filter_bind(f, st, 2);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        s->cum_invest = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int load_targets(struct pb_ctx *c, struct pb_stats *s)
{
    struct pb_stmt *st;
    int rc;
    const char *scope_code = !strcmp(s->req.scope, "city")     ? CITY_CODE
                             : !strcmp(s->req.scope, "region") ? s->req.id
                                                               : NULL;
    /* A pilot-only request compares with the pilot targets, any other with the others. */
    if ((rc = pb_db_prepare(c->db,
                            "SELECT region_code, indicator, month, value FROM project_target WHERE "
                            "year = ? AND pilot = ? AND archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, s->year);
    pb_stmt_bind_int(st, 2, s->req.pilot_only ? 1 : 0);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *reg = pb_stmt_col_text(st, 0);
        int ind = ind_index(pb_stmt_col_text(st, 1));
        int month = (int)pb_stmt_col_int(st, 2);
        int64_t v = pb_stmt_col_int(st, 3);
        int ri;
        if (ind < 0)
            continue;
        if (scope_code && !strcmp(reg, scope_code)) {
            if (month == 0) {
                s->targets[ind].has_target = 1;
                s->targets[ind].target = v;
            } else if (month == s->mon) {
                s->targets[ind].has_month_target = 1;
                s->targets[ind].month_target = v;
            }
        }
        if (month == 0 && (ri = region_index(s, reg)) >= 0 && strcmp(s->req.scope, "park")) {
            s->regions[ri].has_target[ind] = 1;
            s->regions[ri].target[ind] = v;
        }
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- the enterprise indicators (docs/projects.md, Targets) ---- */

/* The filter on enterprises (alias e) for the scope: its regions or its park. Enterprises are not
 * tied to projects, so the portfolio and pilot filters do not apply (pilot: no actual). */
static void efilter_build(const struct pb_stats *s, struct pfilter *f)
{
    struct pb_buf b;
    memset(f, 0, sizeof *f);
    pb_buf_init(&b, sizeof f->sql - 1);
    pb_buf_adds(&b, "e.archived_at IS NULL");
    if (!strcmp(s->req.scope, "region")) {
        pb_buf_adds(&b, " AND e.region_code IN (");
        for (int i = 0; i < s->nregions; i++) {
            f->texts[f->ntexts++] = s->regions[i].code;
            pb_buf_adds(&b, i ? ", ?" : "?");
        }
        pb_buf_addc(&b, ')');
    } else if (!strcmp(s->req.scope, "park")) {
        pb_parse_i64(s->req.id, &f->park);
        pb_buf_adds(&b, " AND e.park_id = ?");
    }
    pb_strlcpy(f->sql, pb_buf_cstr(&b), sizeof f->sql);
    pb_buf_release(&b);
}

/* New enterprises in production (a `producing` event from 1 January to the end of the month),
 * enterprises newly in statistics (an `in_statistics` event in that period), each counted once
 * per enterprise; the new output value: the year's output (enterprise_figure.output_fen of the
 * year) of the enterprises newly in production. By the enterprise's current region and park. */
static int load_enterprises(struct pb_ctx *c, struct pb_stats *s)
{
    struct pfilter f;
    struct pb_stmt *st;
    struct pb_buf sql;
    char from[11], to[11];
    int rc;
    efilter_build(s, &f);
    pb_date_format(s->year, 1, 1, from);
    pb_date_format(s->year, s->mon, pb_days_in_month(s->year, s->mon), to);
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT e.region_code, v.stage, COUNT(DISTINCT v.enterprise_id) FROM "
                  "enterprise_event v JOIN enterprise e ON e.id = v.enterprise_id WHERE v.stage "
                  "IN ('producing', 'in_statistics') AND v.event_on >= ? AND v.event_on <= ? AND "
                  "%s GROUP BY e.region_code, v.stage",
                  f.sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    pb_stmt_bind_text(st, 1, from);
    pb_stmt_bind_text(st, 2, to);
    filter_bind(&f, st, 3);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int ri = region_index(s, pb_stmt_col_text(st, 0));
        int prod = !strcmp(pb_stmt_col_text(st, 1), "producing");
        int64_t n = pb_stmt_col_int(st, 2);
        if (prod)
            s->new_producing += n;
        else
            s->new_in_statistics += n;
        if (ri >= 0) {
            if (prod)
                s->regions[ri].new_producing += n;
            else
                s->regions[ri].new_in_statistics += n;
        }
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_init(&sql, 4096);
    pb_buf_printf(&sql,
                  "SELECT e.region_code, COALESCE(SUM(g.output_fen), 0) FROM enterprise e JOIN "
                  "enterprise_figure g ON g.enterprise_id = e.id AND g.year = ? AND g.archived_at "
                  "IS NULL WHERE %s AND EXISTS (SELECT 1 FROM enterprise_event v WHERE "
                  "v.enterprise_id = e.id AND v.stage = 'producing' AND v.event_on >= ? AND "
                  "v.event_on <= ?) GROUP BY e.region_code",
                  f.sql);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return rc;
    pb_stmt_bind_int(st, 1, s->year);
    {
        int idx = filter_bind(&f, st, 2);
        pb_stmt_bind_text(st, idx, from);
        pb_stmt_bind_text(st, idx + 1, to);
    }
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int ri = region_index(s, pb_stmt_col_text(st, 0));
        int64_t v = pb_stmt_col_int(st, 1);
        s->new_output += v;
        if (ri >= 0)
            s->regions[ri].new_output += v;
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- the late and stalled lists (from the per-project stages) ---- */

static void due_date(int y, int m, char out[11])
{
    int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
    pb_date_format(ny, nm, pb_report_due_day, out);
}

/* Ids (ascending) from a one-column query with text parameters. Caller frees *out. */
static int id_column(struct pb_db *db, const char *sql, const char *const *params, int nparams,
                     int64_t **out, int64_t **second, size_t *n_out)
{
    struct pb_stmt *st;
    size_t n = 0, cap = 0;
    int64_t *ids = NULL, *sec = NULL;
    int rc;
    if ((rc = pb_db_prepare(db, sql, &st)))
        return rc;
    for (int i = 0; i < nparams; i++)
        pb_stmt_bind_text(st, i + 1, params[i]);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = pb_xrealloc(ids, cap * sizeof *ids);
            if (second)
                sec = pb_xrealloc(sec, cap * sizeof *sec);
        }
        ids[n] = pb_stmt_col_int(st, 0);
        if (second)
            sec[n] = pb_stmt_col_int(st, 1);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0) {
        free(ids);
        free(sec);
        return rc;
    }
    *out = ids;
    if (second)
        *second = sec;
    *n_out = n;
    return 0;
}

static int id_cmp(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

struct stall_cand {
    size_t row;
    const char *last;
    int64_t id;
};

static int stall_cmp(const void *x, const void *y)
{
    const struct stall_cand *a = x, *b = y;
    int c = strcmp(a->last, b->last);
    return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

static int fill_item(struct pb_db *db, struct pb_stats_item *it)
{
    struct pb_stmt *st;
    int rc;
    if ((rc =
             pb_db_prepare(db, "SELECT name, region_code, park_id FROM project WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, it->project_id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(it->name, pb_stmt_col_text(st, 0), sizeof it->name);
        pb_strlcpy(it->region, pb_stmt_col_text(st, 1), sizeof it->region);
        it->park_id = pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Late: a project owes the month's report when it has a stage at month end and was not fully in
 * use at the end of the month before; it is late with no report after the due day, or a first
 * submission after it. Stalled: a stage before full use at month end, no transition within the
 * last N months, and no confirmed investment in them. */
static int compute_lists(struct pb_ctx *c, struct pb_stats *s, const struct proj_row *rows,
                         size_t n)
{
    int K = 11 + s->mon, P = K - 1, N = s->req.stall_months, y = s->year, m = s->mon, dy, dm, dd,
        rc;
    int64_t due_ms, *sub_ids = NULL, *sub_at = NULL, *inv_ids = NULL;
    size_t nsub = 0, ninv = 0, a = 0, b = 0, ncand = 0;
    char from_month[16];
    struct stall_cand *cand = NULL;

    due_date(y, m, s->due_date);
    pb_date_parse(s->due_date, &dy, &dm, &dd);
    due_ms = pb_cst_midnight_ms(dy, dm, dd) + PB_DAY_MS; /* the whole due day counts */
    s->overdue = c->now_ms >= due_ms;
    m -= N - 1;
    while (m < 1) {
        m += 12;
        y--;
    }
    pb_date_format(y, m, 1, s->stall_since);
    snprintf(from_month, sizeof from_month, "%04d-%02d", y, m);
    {
        const char *p1[] = {s->req.month};
        const char *p2[] = {from_month, s->req.month};
        if ((rc = id_column(c->db,
                            "SELECT project_id, MIN(submitted_at) FROM project_report WHERE month "
                            "= ? AND withdrawn_at IS NULL GROUP BY project_id ORDER BY "
                            "project_id",
                            p1, 1, &sub_ids, &sub_at, &nsub)))
            return rc;
        /* Read in index order (month, project) and sort and deduplicate here: SQLite's DISTINCT
         * … ORDER BY over the window sorted in a temporary b-tree, 7× slower (decision 0034). */
        if ((rc = id_column(c->db,
                            "SELECT project_id FROM project_report WHERE effective = 1 AND month "
                            ">= ? AND month <= ? AND invest_done > 0",
                            p2, 2, &inv_ids, NULL, &ninv))) {
            free(sub_ids);
            free(sub_at);
            return rc;
        }
        if (ninv) {
            size_t u = 1;
            qsort(inv_ids, ninv, sizeof *inv_ids, id_cmp);
            for (size_t i = 1; i < ninv; i++)
                if (inv_ids[i] != inv_ids[u - 1])
                    inv_ids[u++] = inv_ids[i];
            ninv = u;
        }
    }
    cand = pb_xmalloc((n ? n : 1) * sizeof *cand);
    for (size_t i = 0; i < n; i++) {
        const struct proj_row *r = &rows[i];
        int now = r->st[K];
        while (a < nsub && sub_ids[a] < r->id)
            a++;
        while (b < ninv && inv_ids[b] < r->id)
            b++;
        if (!now)
            continue;
        if (r->st[P] != PB_STAGE_IN_USE) {
            int has = a < nsub && sub_ids[a] == r->id;
            int late = has ? sub_at[a] >= due_ms : s->overdue;
            s->owed++;
            if (late) {
                s->late_count++;
                if (s->nlate < PB_STATS_MAX_LATE) {
                    struct pb_stats_item *it = &s->late[s->nlate++];
                    memset(it, 0, sizeof *it);
                    it->project_id = r->id;
                    it->status = has;
                }
            }
        }
        if (now != PB_STAGE_IN_USE && strcmp(r->last, s->stall_since) < 0 &&
            !(b < ninv && inv_ids[b] == r->id))
            cand[ncand++] = (struct stall_cand){i, r->last, r->id};
    }
    /* The longest-stalled first. */
    qsort(cand, ncand, sizeof *cand, stall_cmp);
    s->stalled_count = (int64_t)ncand;
    for (size_t i = 0; i < ncand && s->nstalled < PB_STATS_MAX_STALLED; i++) {
        struct pb_stats_item *it = &s->stalled[s->nstalled++];
        memset(it, 0, sizeof *it);
        it->project_id = cand[i].id;
        it->status = rows[cand[i].row].st[K];
        pb_strlcpy(it->date, cand[i].last, sizeof it->date);
    }
    free(cand);
    free(sub_ids);
    free(sub_at);
    free(inv_ids);
    for (int i = 0; i < s->nlate; i++)
        if ((rc = fill_item(c->db, &s->late[i])))
            return rc;
    for (int i = 0; i < s->nstalled; i++)
        if ((rc = fill_item(c->db, &s->stalled[i])))
            return rc;
    return 0;
}

static int compute_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct compute_args *a = ctx;
    struct pb_stats *s = a->s;
    struct pb_stats_req req = s->req;
    struct pfilter f;
    struct proj_row *rows = NULL;
    size_t n = 0;
    int rc, K, P, LY, YE;
    (void)err;
    memset(s, 0, sizeof *s);
    s->req = req;
    pb_month_parse(req.month, &s->year, &s->mon);
    if ((rc = pb_project_data_version(db, &s->data_version)))
        return rc;
    if ((rc = setup_scope(a->c, s)))
        return rc == PB_E_NOT_FOUND ? pb_err_set(err, rc, "范围不存在", "no such scope") : rc;
    s->ytd_published = !(pb_report_jan_feb && s->mon == 1);
    if (s->mon == 1)
        pb_strlcpy(s->ytd_months, "1", sizeof s->ytd_months);
    else
        snprintf(s->ytd_months, sizeof s->ytd_months, "1-%d", s->mon);
    for (int i = 0; i < PB_STATS_NIND; i++)
        s->targets[i].indicator = ind_names[i];
    /* The stage figures from the maintained counts when they reach this month; otherwise (not
     * built yet, or beyond the horizon) from the transitions, project by project. */
    {
        int horizon = -1;
        if (!pb_stats_force_slow && (rc = pb_stage_agg_horizon(db, &horizon)))
            return rc;
        if (!pb_stats_force_slow && horizon >= s->year * 12 + s->mon - 1) {
            if ((rc = load_stage_agg(a->c, s)))
                return rc;
            if (req.lists) {
                filter_build(s, &f);
                if ((rc = load_list_rows(a->c, s, &f, &rows, &n)))
                    return rc;
                rc = compute_lists(a->c, s, rows, n);
                free(rows);
                if (rc)
                    return rc;
            }
            goto sums;
        }
    }
    filter_build(s, &f);
    if ((rc = load_projects(a->c, s, &f, &rows, &n)))
        return rc;
    K = 11 + s->mon; /* this month end */
    P = K - 1;       /* last month end */
    LY = s->mon - 1; /* the same month last year */
    YE = 11;         /* the end of last year */
    for (size_t i = 0; i < n; i++) {
        const struct proj_row *r = &rows[i];
        struct pb_stats_region *reg = r->region >= 0 ? &s->regions[r->region] : NULL;
        int now = r->st[K], prev = r->st[P];
        int in_use_now = now == PB_STAGE_PARTLY || now == PB_STAGE_IN_USE;
        int in_use_ye = r->st[YE] == PB_STAGE_PARTLY || r->st[YE] == PB_STAGE_IN_USE;
        for (int m = 0; m < s->mon; m++)
            if (r->st[12 + m])
                s->by_month_stage[m][r->st[12 + m]]++;
        if (r->st[LY])
            s->ly_stage[r->st[LY]]++;
        if (!now)
            continue;
        s->projects++;
        s->stage[now]++;
        s->plan_invest += r->plan_invest;
        if (now != prev)
            s->trans[prev][now]++;
        if (!r->st[YE])
            s->new_projects++;
        if (in_use_now && !in_use_ye)
            s->newly_in_use++;
        if (reg) {
            reg->projects++;
            reg->stage[now]++;
            if (prev == PB_STAGE_BUILDING && in_use_now)
                reg->to_use++;
            if (!r->st[YE])
                reg->new_projects++;
            if (in_use_now && !in_use_ye)
                reg->newly_in_use++;
        }
    }
    if (req.lists && (rc = compute_lists(a->c, s, rows, n))) {
        free(rows);
        return rc;
    }
    free(rows);
sums:
    if ((rc = load_sums(a->c, s)))
        return rc;
    if ((rc = load_targets(a->c, s)))
        return rc;
    s->targets[0].has_actual = s->targets[1].has_actual = s->targets[2].has_actual =
        s->targets[3].has_actual = 1;
    s->targets[0].actual = s->new_projects * 100;
    s->targets[1].actual = s->newly_in_use * 100;
    s->targets[2].actual = s->ytd_invest;
    s->targets[3].actual = s->ytd_topped;
    /* The enterprise indicators count the scope's enterprises; pilot projects have no
     * enterprises of their own, so a pilot-only request has no actual for them. */
    if (!req.pilot_only) {
        if ((rc = load_enterprises(a->c, s)))
            return rc;
        s->targets[4].has_actual = s->targets[5].has_actual = s->targets[6].has_actual = 1;
        s->targets[4].actual = s->new_producing * 100;
        s->targets[5].actual = s->new_output;
        s->targets[6].actual = s->new_in_statistics * 100;
    }
    return 0;
}

int pb_stats_compute(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_stats *out,
                     struct pb_err *err)
{
    struct compute_args a = {c, out};
    int rc;
    if ((rc = pb_stats_check(c, rq, err)))
        return rc;
    out->req = *rq;
    if (!out->req.stall_months)
        out->req.stall_months = pb_project_stall_months;
    rc = pb_db_tx(c->db, 0, compute_tx, &a, err);
    return rc < 0 ? rc : 0;
}

/* ---- display helpers ---- */

static int64_t to_use(const struct pb_stats *s)
{
    return s->trans[PB_STAGE_BUILDING][PB_STAGE_PARTLY] +
           s->trans[PB_STAGE_BUILDING][PB_STAGE_IN_USE];
}

/* Money as bulletins print it: 亿元 with two decimals from 1 亿元 up, else 万元. */
static void fmt_money(int64_t fen, char *out, size_t n)
{
    char t[32];
    if (fen >= (int64_t)10000000000LL || fen <= -(int64_t)10000000000LL) {
        pb_fmt_yi(fen, 2, t, sizeof t);
        snprintf(out, n, "%s亿元", t);
    } else {
        pb_fmt_wan(fen, 2, t, sizeof t);
        snprintf(out, n, "%s万元", t);
    }
}

/* Areas: 万平方米 with two decimals from 1 万 m² up, else whole square metres. */
static void fmt_area(int64_t h, char *out, size_t n)
{
    char t[32];
    if (h >= 1000000 || h <= -1000000) {
        pb_fmt_wan_m2(h, 2, t, sizeof t);
        snprintf(out, n, "%s万平方米", t);
    } else {
        snprintf(out, n, "%lld平方米", (long long)pb_div_round(h, 100));
    }
}

/* Growth against last year with one decimal, as bulletins give it; "" without a base. */
static void fmt_growth(int64_t now, int64_t ly, char *out, size_t n)
{
    int64_t bp;
    char t[32];
    out[0] = 0;
    if (ly <= 0 || pb_percent_bp(now - ly, ly, &bp))
        return;
    bp = pb_div_round(bp, 10);
    if (bp == 0) {
        snprintf(out, n, "，与上年同期持平");
        return;
    }
    pb_dec_format(bp < 0 ? -bp : bp, 1, t, sizeof t);
    snprintf(out, n, "，同比%s%s%%", bp > 0 ? "增长" : "下降", t);
}

void pb_stats_bulletin(const struct pb_stats *s, struct pb_buf *out)
{
    char inv[48], top[48], g[48];
    int m = s->mon;
    const char *pilot = s->req.pilot_only ? "试点" : "";
    if (!strcmp(s->req.scope, "city") && !s->req.all_portfolios)
        pb_buf_printf(out,
                      "纳入市工业（产业）园区标准化建设%d年专项行动“四个一批”滚动管理的%s项目有%"
                      "lld个",
                      s->year, pilot, (long long)s->projects);
    else if (!s->req.all_portfolios)
        pb_buf_printf(out, "%s纳入“四个一批”滚动管理的%s项目有%lld个", s->scope_name, pilot,
                      (long long)s->projects);
    else
        pb_buf_printf(out, "%s园区标准化%s项目共%lld个", s->scope_name, pilot,
                      (long long)s->projects);
    if (to_use(s))
        pb_buf_printf(out, "，%d月份新增在建转投用或部分投用项目%lld个", m, (long long)to_use(s));
    pb_buf_printf(
        out,
        "，截至%d月底，谋划项目%lld个、开工项目%lld个、在建项目%lld个、投用及部分投用项目%"
        "lld个。",
        m, (long long)s->stage[PB_STAGE_PLANNED], (long long)s->stage[PB_STAGE_STARTED],
        (long long)s->stage[PB_STAGE_BUILDING],
        (long long)(s->stage[PB_STAGE_PARTLY] + s->stage[PB_STAGE_IN_USE]));
    if (!s->ytd_published) {
        pb_buf_adds(out, "1月份完成投资额和新增封顶面积并入1月—2月累计发布。");
        return;
    }
    fmt_money(s->ytd_invest, inv, sizeof inv);
    fmt_area(s->ytd_topped, top, sizeof top);
    fmt_growth(s->ytd_invest, s->ly_ytd_invest, g, sizeof g);
    if (m == 1)
        pb_buf_printf(out, "1月份完成投资额%s%s；1月份新增封顶的标准厂房及配套用房%s。", inv, g,
                      top);
    else
        pb_buf_printf(out,
                      "1月—%d月累计完成投资额%s%s；1月—%d月累计新增封顶的标准厂房及配套用房%s。", m,
                      inv, g, m, top);
}

/* ---- JSON ---- */

static void jdec(struct pb_buf *out, const char *key, int64_t v, int first)
{
    char t[32];
    pb_dec_format(v, 2, t, sizeof t);
    pb_buf_printf(out, "%s\"%s\":\"%s\"", first ? "" : ",", key, t);
}

static void jpct(struct pb_buf *out, const char *key, int64_t num, int64_t den)
{
    int64_t bp;
    char t[32];
    pb_buf_printf(out, ",\"%s\":", key);
    if (den <= 0 || pb_percent_bp(num, den, &bp)) {
        pb_buf_adds(out, "null");
        return;
    }
    pb_dec_format(bp, 2, t, sizeof t);
    pb_buf_printf(out, "\"%s\"", t);
}

static void put_stage_counts(struct pb_buf *out, const int64_t *st)
{
    pb_buf_printf(out,
                  "{\"planned\":%lld,\"started\":%lld,\"building\":%lld,\"partly_in_use\":%lld,"
                  "\"in_use\":%lld,\"in_use_or_partly\":%lld}",
                  (long long)st[1], (long long)st[2], (long long)st[3], (long long)st[4],
                  (long long)st[5], (long long)(st[4] + st[5]));
}

/* A target value in its unit: counts are stored ×100. */
static void put_target_val(struct pb_buf *out, const char *key, int ind, int has, int64_t v)
{
    char t[32];
    pb_buf_printf(out, ",\"%s\":", key);
    if (!has) {
        pb_buf_adds(out, "null");
        return;
    }
    if (ind == 0 || ind == 1 || ind == 4 || ind == 6)
        pb_buf_printf(out, "%lld", (long long)(v / 100));
    else {
        pb_dec_format(v, 2, t, sizeof t);
        pb_buf_printf(out, "\"%s\"", t);
    }
}

static void put_targets(const struct pb_stats *s, struct pb_buf *out)
{
    int remaining = 12 - s->mon;
    pb_buf_adds(out, "[");
    for (int i = 0; i < PB_STATS_NIND; i++) {
        const struct pb_stats_target *t = &s->targets[i];
        int nbehind = 0;
        pb_buf_printf(out, "%s{\"indicator\":\"%s\"", i ? "," : "", t->indicator);
        put_target_val(out, "target", i, t->has_target, t->target);
        put_target_val(out, "target_to_month", i, t->has_month_target, t->month_target);
        put_target_val(out, "actual", i, t->has_actual, t->actual);
        if (t->has_target && t->has_actual)
            jpct(out, "pct", t->actual, t->target);
        else
            pb_buf_adds(out, ",\"pct\":null");
        /* The pace needed: what is left, spread over the remaining months. */
        {
            /* Counts are stored ×100: round them to whole units, not the hundredths (which the
             * display would then truncate). */
            int64_t unit = (i == 0 || i == 1 || i == 4 || i == 6) ? 100 : 1;
            put_target_val(out, "pace_needed_per_month", i,
                           t->has_target && t->has_actual && remaining > 0,
                           remaining > 0 && t->target > t->actual
                               ? pb_div_round(t->target - t->actual, remaining * unit) * unit
                               : 0);
        }
        pb_buf_adds(out, ",\"regions_behind\":[");
        /* Behind: the share of the yearly target done is below the share of the year gone. */
        for (int r = 0; r < s->nregions && t->has_actual; r++) {
            const struct pb_stats_region *g = &s->regions[r];
            int64_t actual = i == 0   ? g->new_projects * 100
                             : i == 1 ? g->newly_in_use * 100
                             : i == 2 ? g->ytd_invest
                             : i == 3 ? g->ytd_topped
                             : i == 4 ? g->new_producing * 100
                             : i == 5 ? g->new_output
                                      : g->new_in_statistics * 100;
            if (!g->has_target[i] || g->target[i] <= 0)
                continue;
            if (actual * 12 < g->target[i] * s->mon) {
                pb_buf_printf(out, "%s{\"region_code\":\"%s\",\"name\":", nbehind++ ? "," : "",
                              g->code);
                pb_buf_json_str(out, g->name);
                jpct(out, "pct", actual, g->target[i]);
                pb_buf_addc(out, '}');
            }
        }
        pb_buf_adds(out, "]}");
    }
    pb_buf_adds(out, "]");
}

/* The enterprise indicators' actuals: null for a pilot-only request (no enterprises of their
 * own). */
static void put_enterprises(const struct pb_stats *s, struct pb_buf *out)
{
    if (s->req.pilot_only) {
        pb_buf_adds(out, "null");
        return;
    }
    pb_buf_printf(out,
                  "{\"from\":\"%04d-01-01\",\"to\":\"%04d-%02d-%02d\",\"new_producing\":%lld,"
                  "\"new_in_statistics\":%lld",
                  s->year, s->year, s->mon, pb_days_in_month(s->year, s->mon),
                  (long long)s->new_producing, (long long)s->new_in_statistics);
    jdec(out, "new_output_yuan", s->new_output, 0);
    pb_buf_printf(out, ",\"output_year\":%d}", s->year);
}

static void stats_json(const struct pb_stats *s, struct pb_buf *out)
{
    int first = 1;
    char g[48];
    pb_buf_adds(out, "{\"month\":");
    pb_buf_json_str(out, s->req.month);
    pb_buf_printf(out, ",\"scope\":\"%s\",\"id\":", s->req.scope);
    if (s->req.id[0])
        pb_buf_json_str(out, s->req.id);
    else
        pb_buf_adds(out, "null");
    pb_buf_adds(out, ",\"scope_name\":");
    pb_buf_json_str(out, s->scope_name);
    pb_buf_printf(out,
                  ",\"portfolio\":\"%s\",\"pilot_only\":%s,\"rollup\":%s,\"projects\":%lld,"
                  "\"stage_counts\":",
                  s->req.all_portfolios ? "all" : "city", s->req.pilot_only ? "true" : "false",
                  s->req.rollup ? "true" : "false", (long long)s->projects);
    put_stage_counts(out, s->stage);
    pb_buf_printf(out, ",\"transitions_in_month\":{\"building_to_in_use\":%lld",
                  (long long)to_use(s));
    for (int f = 0; f < PB_STAGE__COUNT; f++)
        for (int t = 1; t < PB_STAGE__COUNT; t++) {
            if (!s->trans[f][t])
                continue;
            if (f == PB_STAGE_BUILDING && t == PB_STAGE_IN_USE)
                pb_buf_printf(out, ",\"building_to_fully_in_use\":%lld", (long long)s->trans[f][t]);
            else
                pb_buf_printf(out, ",\"%s_to_%s\":%lld", pb_stage_name(f), pb_stage_name(t),
                              (long long)s->trans[f][t]);
        }
    pb_buf_adds(out, "},\"month_figures\":{");
    jdec(out, "invest_done_yuan", s->m_invest, first);
    jdec(out, "topped_out_m2", s->m_topped, 0);
    jdec(out, "topped_out_supporting_m2", s->m_supporting, 0);
    jdec(out, "completed_m2", s->m_completed, 0);
    pb_buf_printf(out, "},\"ytd\":{\"months\":\"%s\",\"from\":\"%04d-01\",\"to\":", s->ytd_months,
                  s->year);
    pb_buf_json_str(out, s->req.month);
    pb_buf_printf(out, ",\"published\":%s", s->ytd_published ? "true" : "false");
    jdec(out, "invest_done_yuan", s->ytd_invest, 0);
    jdec(out, "topped_out_m2", s->ytd_topped, 0);
    jdec(out, "topped_out_supporting_m2", s->ytd_supporting, 0);
    jdec(out, "completed_m2", s->ytd_completed, 0);
    {
        char t[32];
        pb_fmt_yi(s->ytd_invest, 2, t, sizeof t);
        pb_buf_printf(out, ",\"invest_done_yi\":\"%s\"", t);
        pb_fmt_wan_m2(s->ytd_topped, 2, t, sizeof t);
        pb_buf_printf(out, ",\"topped_out_wan_m2\":\"%s\"", t);
    }
    pb_buf_printf(out, ",\"new_projects\":%lld,\"newly_in_use\":%lld}", (long long)s->new_projects,
                  (long long)s->newly_in_use);
    pb_buf_adds(out, ",\"enterprises\":");
    put_enterprises(s, out);
    pb_buf_adds(out, ",\"invest_vs_plan\":{");
    jdec(out, "invest_plan_yuan", s->plan_invest, 1);
    jdec(out, "invest_cum_yuan", s->cum_invest, 0);
    jpct(out, "pct", s->cum_invest, s->plan_invest);
    pb_buf_printf(out, "},\"yoy\":{\"month\":\"%04d-%02d\"", s->year - 1, s->mon);
    jdec(out, "ytd_invest_done_yuan", s->ly_ytd_invest, 0);
    jdec(out, "ytd_topped_out_m2", s->ly_ytd_topped, 0);
    jdec(out, "ytd_completed_m2", s->ly_ytd_completed, 0);
    pb_buf_adds(out, ",\"stage_counts\":");
    put_stage_counts(out, s->ly_stage);
    jpct(out, "invest_growth_pct", s->ytd_invest - s->ly_ytd_invest, s->ly_ytd_invest);
    jpct(out, "topped_out_growth_pct", s->ytd_topped - s->ly_ytd_topped, s->ly_ytd_topped);
    fmt_growth(s->ytd_invest, s->ly_ytd_invest, g, sizeof g);
    pb_buf_adds(out, "},\"targets\":");
    put_targets(s, out);
    pb_buf_adds(out, ",\"regions\":[");
    for (int i = 0; i < s->nregions; i++) {
        const struct pb_stats_region *r = &s->regions[i];
        pb_buf_printf(out, "%s{\"region_code\":\"%s\",\"name\":", i ? "," : "", r->code);
        pb_buf_json_str(out, r->name);
        pb_buf_printf(out, ",\"projects\":%lld,\"stage_counts\":", (long long)r->projects);
        put_stage_counts(out, r->stage);
        pb_buf_printf(out, ",\"building_to_in_use\":%lld", (long long)r->to_use);
        jdec(out, "ytd_invest_done_yuan", r->ytd_invest, 0);
        jdec(out, "ytd_topped_out_m2", r->ytd_topped, 0);
        pb_buf_addc(out, '}');
    }
    pb_buf_adds(out, "],\"bulletin\":");
    {
        struct pb_buf b;
        pb_buf_init(&b, 0);
        pb_stats_bulletin(s, &b);
        pb_buf_json_str(out, pb_buf_cstr(&b));
        pb_buf_release(&b);
    }
    pb_buf_printf(out, ",\"data_version\":%lld}", (long long)s->data_version);
}

int pb_stats_monthly_json(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_buf *out,
                          struct pb_err *err)
{
    struct pb_stats *s;
    char key[160];
    int64_t version = 0;
    int rc;
    if ((rc = pb_stats_check(c, rq, err)))
        return rc;
    if ((rc = pb_project_data_version(c->db, &version)))
        return pb_err_set(err, rc, "数据库错误", "database error");
    cache_key("monthly", rq, NULL, key, sizeof key);
    if (cache_get(key, version, out))
        return 0;
    s = pb_xcalloc(1, sizeof *s);
    if ((rc = pb_stats_compute(c, rq, s, err)) == 0) {
        size_t start = out->len;
        stats_json(s, out);
        cache_put(key, s->data_version, out->data + start, out->len - start);
    }
    free(s);
    return rc;
}

/* ---- text ---- */

void pb_stats_text(const struct pb_stats *s, struct pb_buf *out)
{
    char a[32], b[32];
    pb_buf_printf(out, "%s %s 标准化项目月报（%s）\n\n", s->scope_name, s->req.month,
                  s->req.all_portfolios ? "全部项目" : "“四个一批”滚动管理");
    pb_stats_bulletin(s, out);
    pb_buf_adds(out, "\n\n");
    pb_buf_printf(out, "%-14s %6s %6s %6s %6s %8s %6s %14s %14s\n", "region", "total", "plan",
                  "start", "build", "partly", "in_use", "ytd_invest", "ytd_topped_m2");
    for (int i = 0; i < s->nregions; i++) {
        const struct pb_stats_region *r = &s->regions[i];
        pb_dec_format(r->ytd_invest, 2, a, sizeof a);
        pb_dec_format(r->ytd_topped, 2, b, sizeof b);
        pb_buf_printf(out, "%-14s %6lld %6lld %6lld %6lld %8lld %6lld %14s %14s\n", r->code,
                      (long long)r->projects, (long long)r->stage[1], (long long)r->stage[2],
                      (long long)r->stage[3], (long long)r->stage[4], (long long)r->stage[5], a, b);
    }
    pb_dec_format(s->ytd_invest, 2, a, sizeof a);
    pb_dec_format(s->ytd_topped, 2, b, sizeof b);
    pb_buf_printf(out, "%-14s %6lld %6lld %6lld %6lld %8lld %6lld %14s %14s\n", "total",
                  (long long)s->projects, (long long)s->stage[1], (long long)s->stage[2],
                  (long long)s->stage[3], (long long)s->stage[4], (long long)s->stage[5], a, b);
}

/* ---- the reporting calendar and the late list ---- */

void pb_calendar_json(int year, struct pb_buf *out)
{
    pb_buf_printf(out, "{\"year\":%d,\"due_day\":%d,\"jan_feb_combined\":%s,\"months\":[", year,
                  pb_report_due_day, pb_report_jan_feb ? "true" : "false");
    for (int m = 1; m <= 12; m++) {
        char d[11];
        due_date(year, m, d);
        pb_buf_printf(out, "%s{\"month\":\"%04d-%02d\",\"due_date\":\"%s\"}", m > 1 ? "," : "",
                      year, m, d);
    }
    pb_buf_adds(out, "]}");
}

static void late_render(const struct pb_stats *s, int limit, struct pb_buf *out)
{
    pb_buf_printf(out, "{\"month\":\"%s\",\"due_date\":\"%s\",\"overdue\":%s,\"items\":[",
                  s->req.month, s->due_date, s->overdue ? "true" : "false");
    for (int i = 0; i < s->nlate && i < limit; i++) {
        const struct pb_stats_item *it = &s->late[i];
        pb_buf_printf(out, "%s{\"project_id\":%lld,\"name\":", i ? "," : "",
                      (long long)it->project_id);
        pb_buf_json_str(out, it->name);
        pb_buf_printf(out, ",\"region_code\":\"%s\",\"park_id\":%lld,\"status\":\"%s\"}",
                      it->region, (long long)it->park_id,
                      it->status ? "submitted_late" : "missing");
    }
    pb_buf_printf(out, "],\"count\":%lld,\"owed\":%lld}", (long long)s->late_count,
                  (long long)s->owed);
}

static void stalled_render(const struct pb_stats *s, struct pb_buf *out)
{
    pb_buf_printf(out, "{\"months\":%d,\"since\":\"%s\",\"items\":[", s->req.stall_months,
                  s->stall_since);
    for (int i = 0; i < s->nstalled; i++) {
        const struct pb_stats_item *it = &s->stalled[i];
        pb_buf_printf(out, "%s{\"project_id\":%lld,\"name\":", i ? "," : "",
                      (long long)it->project_id);
        pb_buf_json_str(out, it->name);
        pb_buf_printf(out, ",\"region_code\":\"%s\",\"stage\":\"%s\",\"stage_since\":\"%s\"}",
                      it->region, pb_stage_name(it->status), it->date);
    }
    pb_buf_printf(out, "],\"count\":%lld}", (long long)s->stalled_count);
}

int pb_late_json(struct pb_ctx *c, const struct pb_stats_req *rq0, struct pb_buf *out,
                 struct pb_err *err)
{
    struct pb_stats *s;
    struct pb_stats_req rq = *rq0;
    char key[160], today[32];
    int64_t version = 0;
    int rc;
    rq.lists = 1;
    if (!rq.stall_months)
        rq.stall_months = pb_project_stall_months;
    if ((rc = pb_stats_check(c, &rq, err)))
        return rc;
    if ((rc = pb_project_data_version(c->db, &version)))
        return pb_err_set(err, rc, "数据库错误", "database error");
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    cache_key("late", &rq, today, key, sizeof key);
    if (cache_get(key, version, out))
        return 0;
    s = pb_xcalloc(1, sizeof *s);
    if (!(rc = pb_stats_compute(c, &rq, s, err))) {
        size_t start = out->len;
        late_render(s, PB_STATS_MAX_LATE, out);
        cache_put(key, s->data_version, out->data + start, out->len - start);
    }
    free(s);
    return rc;
}

/* ---- the dashboard ---- */

struct rank {
    int idx;
    int has_pct;
    int64_t pct_bp;
    int64_t ytd;
};

static int rank_cmp(const void *x, const void *y)
{
    const struct rank *a = x, *b = y;
    if (a->has_pct != b->has_pct)
        return b->has_pct - a->has_pct;
    if (a->has_pct && a->pct_bp != b->pct_bp)
        return a->pct_bp < b->pct_bp ? 1 : -1;
    if (a->ytd != b->ytd)
        return a->ytd < b->ytd ? 1 : -1;
    return a->idx - b->idx;
}

static void dashboard_body(struct pb_stats *s, struct pb_buf *out)
{
    const struct pb_stats_target *ti = &s->targets[2], *tt = &s->targets[3];
    struct rank rk[PB_STATS_MAX_REGIONS];
    int64_t cum_inv = 0, cum_top = 0;
    pb_buf_adds(out, "{\"month\":");
    pb_buf_json_str(out, s->req.month);
    pb_buf_printf(out, ",\"year\":%d,\"scope\":\"%s\",\"id\":", s->year, s->req.scope);
    if (s->req.id[0])
        pb_buf_json_str(out, s->req.id);
    else
        pb_buf_adds(out, "null");
    pb_buf_adds(out, ",\"scope_name\":");
    pb_buf_json_str(out, s->scope_name);
    pb_buf_printf(out, ",\"projects\":%lld,\"stage_counts\":", (long long)s->projects);
    put_stage_counts(out, s->stage);
    pb_buf_printf(out, ",\"building_to_in_use\":%lld,\"batches_by_month\":[", (long long)to_use(s));
    for (int m = 0; m < s->mon; m++) {
        const int64_t *st = s->by_month_stage[m];
        pb_buf_printf(out,
                      "%s{\"month\":\"%04d-%02d\",\"planned\":%lld,\"started\":%lld,\"building\":%"
                      "lld,\"partly_in_use\":%lld,\"in_use\":%lld}",
                      m ? "," : "", s->year, m + 1, (long long)st[1], (long long)st[2],
                      (long long)st[3], (long long)st[4], (long long)st[5]);
    }
    pb_buf_adds(out, "],\"investment\":{");
    jdec(out, "ytd_invest_done_yuan", s->ytd_invest, 1);
    pb_buf_adds(out, ",\"target_yuan\":");
    if (ti->has_target) {
        char t[32];
        pb_dec_format(ti->target, 2, t, sizeof t);
        pb_buf_printf(out, "\"%s\"", t);
    } else {
        pb_buf_adds(out, "null");
    }
    jpct(out, "pct", s->ytd_invest, ti->has_target ? ti->target : 0);
    pb_buf_adds(out, ",\"by_month\":[");
    for (int m = 0; m < s->mon; m++) {
        cum_inv += s->by_month_invest[m];
        pb_buf_printf(out, "%s{\"month\":\"%04d-%02d\"", m ? "," : "", s->year, m + 1);
        jdec(out, "invest_done_yuan", s->by_month_invest[m], 0);
        jdec(out, "ytd_invest_done_yuan", cum_inv, 0);
        pb_buf_addc(out, '}');
    }
    pb_buf_adds(out, "]},\"topped_out\":{");
    jdec(out, "ytd_topped_out_m2", s->ytd_topped, 1);
    pb_buf_adds(out, ",\"target_m2\":");
    if (tt->has_target) {
        char t[32];
        pb_dec_format(tt->target, 2, t, sizeof t);
        pb_buf_printf(out, "\"%s\"", t);
    } else {
        pb_buf_adds(out, "null");
    }
    jpct(out, "pct", s->ytd_topped, tt->has_target ? tt->target : 0);
    pb_buf_adds(out, ",\"by_month\":[");
    for (int m = 0; m < s->mon; m++) {
        cum_top += s->by_month_topped[m];
        pb_buf_printf(out, "%s{\"month\":\"%04d-%02d\"", m ? "," : "", s->year, m + 1);
        jdec(out, "topped_out_m2", s->by_month_topped[m], 0);
        jdec(out, "ytd_topped_out_m2", cum_top, 0);
        pb_buf_addc(out, '}');
    }
    pb_buf_adds(out, "]},\"in_use_by_region\":[");
    for (int i = 0; i < s->nregions; i++) {
        const struct pb_stats_region *r = &s->regions[i];
        pb_buf_printf(out, "%s{\"region_code\":\"%s\",\"name\":", i ? "," : "", r->code);
        pb_buf_json_str(out, r->name);
        pb_buf_printf(out, ",\"in_use\":%lld,\"partly_in_use\":%lld,\"projects\":%lld}",
                      (long long)r->stage[5], (long long)r->stage[4], (long long)r->projects);
    }
    /* Ranking: investment done against the region's yearly target; regions without a target
     * follow, by investment done. */
    for (int i = 0; i < s->nregions; i++) {
        const struct pb_stats_region *r = &s->regions[i];
        rk[i].idx = i;
        rk[i].ytd = r->ytd_invest;
        rk[i].has_pct = r->has_target[2] && r->target[2] > 0 &&
                        !pb_percent_bp(r->ytd_invest, r->target[2], &rk[i].pct_bp);
    }
    qsort(rk, (size_t)s->nregions, sizeof rk[0], rank_cmp);
    pb_buf_adds(out, "],\"ranking\":[");
    for (int i = 0; i < s->nregions; i++) {
        const struct pb_stats_region *r = &s->regions[rk[i].idx];
        pb_buf_printf(out, "%s{\"rank\":%d,\"region_code\":\"%s\",\"name\":", i ? "," : "", i + 1,
                      r->code);
        pb_buf_json_str(out, r->name);
        pb_buf_printf(out, ",\"projects\":%lld", (long long)r->projects);
        jdec(out, "ytd_invest_done_yuan", r->ytd_invest, 0);
        pb_buf_adds(out, ",\"target_yuan\":");
        if (r->has_target[2]) {
            char t[32];
            pb_dec_format(r->target[2], 2, t, sizeof t);
            pb_buf_printf(out, "\"%s\"", t);
        } else {
            pb_buf_adds(out, "null");
        }
        jpct(out, "pct", r->ytd_invest, r->has_target[2] ? r->target[2] : 0);
        jpct(out, "in_use_share_pct", r->stage[4] + r->stage[5], r->projects);
        pb_buf_addc(out, '}');
    }
    pb_buf_adds(out, "],\"targets\":");
    put_targets(s, out);
    pb_buf_adds(out, ",\"enterprises\":");
    put_enterprises(s, out);
}

int pb_dashboard_json(struct pb_ctx *c, const struct pb_stats_req *rq0, struct pb_buf *out,
                      struct pb_err *err)
{
    struct pb_stats *s;
    struct pb_stats_req rq = *rq0;
    char key[160], today[32];
    int64_t version = 0;
    int rc;
    rq.lists = 1;
    if (!rq.stall_months)
        rq.stall_months = pb_project_stall_months;
    if ((rc = pb_stats_check(c, &rq, err)))
        return rc;
    if ((rc = pb_project_data_version(c->db, &version)))
        return pb_err_set(err, rc, "数据库错误", "database error");
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    cache_key("dashboard", &rq, today, key, sizeof key);
    if (cache_get(key, version, out))
        return 0;
    s = pb_xcalloc(1, sizeof *s);
    if ((rc = pb_stats_compute(c, &rq, s, err)) == 0) {
        size_t start = out->len;
        dashboard_body(s, out);
        pb_buf_adds(out, ",\"late_reports\":");
        late_render(s, 100, out);
        pb_buf_adds(out, ",\"stalled\":");
        stalled_render(s, out);
        pb_buf_printf(out, ",\"data_version\":%lld}", (long long)s->data_version);
        cache_put(key, s->data_version, out->data + start, out->len - start);
    }
    free(s);
    return rc;
}
