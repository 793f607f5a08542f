/* project_stage.c: the maintained stage counts of the 四个一批 statistics (decision 0034).
 *
 * project_stage_agg holds, per month up to a horizon and per key (region, park, portfolio flag,
 * pilot flag), how many projects have each triple of stages (at the end of the month, at the end
 * of the month before, at the end of the year before), with their planned investment. Each
 * project's contribution is known from its series of month-end stages, stored as last counted in
 * project_stage_key: a write recomputes the project's series and key and applies the difference,
 * month by month, in the write's own transaction. Months are integers y * 12 + m - 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/timeutil.h"
#include "modules/projects/project_stats.h"

#define MAX_CP 64 /* change points of one project's series (4..10 in practice) */

struct series {
    int n;
    int mi[MAX_CP];
    unsigned char st[MAX_CP];
};

struct skey {
    char region[16];
    int64_t park_id, plan;
    int county_only, pilot, counted;
};

static int month_index(const char *date)
{
    char ym[8];
    int y = 0, m = 0;
    pb_strlcpy(ym, date, sizeof ym); /* the first 7 characters of a date */
    if (pb_month_parse(ym, &y, &m))
        return -1;
    return y * 12 + m - 1;
}

/* Add a transition (in date order) to a series: the month-end stage from its month on. */
static void series_add(struct series *s, int mi, int stage)
{
    if (s->n && s->mi[s->n - 1] == mi) {
        s->st[s->n - 1] = (unsigned char)stage;
    } else if (s->n < MAX_CP) {
        s->mi[s->n] = mi;
        s->st[s->n] = (unsigned char)stage;
        s->n++;
    } else {
        s->st[s->n - 1] = (unsigned char)stage; /* never in practice; stays exact at the end */
    }
}

static int stage_at(const struct series *s, int mi)
{
    int st = 0;
    for (int i = 0; i < s->n && s->mi[i] <= mi; i++)
        st = s->st[i];
    return st;
}

static void triple(const struct series *s, int mi, int t[3])
{
    t[0] = stage_at(s, mi);
    t[1] = stage_at(s, mi - 1);
    t[2] = stage_at(s, mi - mi % 12 - 1);
}

static void series_format(const struct series *s, char *out, size_t n)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < s->n && len + 16 < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%d:%d", i ? "," : "", s->mi[i], s->st[i]);
}

static void series_parse(const char *p, struct series *s)
{
    memset(s, 0, sizeof *s);
    while (p && *p && s->n < MAX_CP) {
        char *e;
        long mi = strtol(p, &e, 10), st;
        if (*e != ':')
            break;
        st = strtol(e + 1, &e, 10);
        s->mi[s->n] = (int)mi;
        s->st[s->n] = (unsigned char)st;
        s->n++;
        p = *e == ',' ? e + 1 : NULL;
    }
}

int pb_stage_month_now(void)
{
    char today[11];
    pb_cst_today(today);
    return month_index(today);
}

/* lock: 0 none, 1 shared (PostgreSQL FOR SHARE), 2 exclusive (FOR UPDATE). SQLite has one writer
 * at a time, so it needs neither. */
static int horizon_locked(struct pb_db *db, int lock, int *horizon)
{
    struct pb_stmt *st;
    int rc;
    const char *sql = "SELECT horizon FROM project_stage_meta WHERE id = 1";
    if (pb_db_kind(db) == PB_DB_PG && lock)
        sql = lock == 1 ? "SELECT horizon FROM project_stage_meta WHERE id = 1 FOR SHARE"
                        : "SELECT horizon FROM project_stage_meta WHERE id = 1 FOR UPDATE";
    *horizon = -1;
    if ((rc = pb_db_prepare(db, sql, &st)))
        return rc;
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        *horizon = (int)pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_stage_agg_horizon(struct pb_db *db, int *horizon)
{
    struct pb_stmt *st;
    int rc;
    *horizon = -1;
    if ((rc = pb_db_prepare(db, "SELECT horizon FROM project_stage_meta WHERE id = 1", &st)))
        return rc;
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        *horizon = (int)pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int agg_put(struct pb_db *db, int mi, const struct skey *k, const int t[3], int64_t n,
                   int64_t plan)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(
             db,
             "INSERT INTO project_stage_agg (month, region_code, park_id, county_only, pilot, "
             "now_stage, prev_stage, ye_stage, n, plan_invest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "?) ON CONFLICT (month, region_code, park_id, county_only, pilot, now_stage, "
             "prev_stage, ye_stage) DO UPDATE SET n = project_stage_agg.n + excluded.n, "
             "plan_invest = project_stage_agg.plan_invest + excluded.plan_invest",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, mi);
    pb_stmt_bind_text(st, 2, k->region);
    pb_stmt_bind_int(st, 3, k->park_id);
    pb_stmt_bind_int(st, 4, k->county_only);
    pb_stmt_bind_int(st, 5, k->pilot);
    pb_stmt_bind_int(st, 6, t[0]);
    pb_stmt_bind_int(st, 7, t[1]);
    pb_stmt_bind_int(st, 8, t[2]);
    pb_stmt_bind_int(st, 9, n);
    pb_stmt_bind_int(st, 10, plan);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* The project's key and series now (found = 0 when the project does not exist). */
static int project_now(struct pb_db *db, int64_t pid, struct skey *k, struct series *s, int *found)
{
    struct pb_stmt *st;
    int rc;
    memset(k, 0, sizeof *k);
    memset(s, 0, sizeof *s);
    *found = 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, park_id, county_only, pilot, "
                            "COALESCE(invest_plan_yuan, 0), archived_at IS NULL FROM project WHERE "
                            "id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        *found = 1;
        pb_strlcpy(k->region, pb_stmt_col_text(st, 0), sizeof k->region);
        k->park_id = pb_stmt_col_int(st, 1);
        k->county_only = (int)pb_stmt_col_int(st, 2);
        k->pilot = (int)pb_stmt_col_int(st, 3);
        k->plan = pb_stmt_col_int(st, 4);
        k->counted = (int)pb_stmt_col_int(st, 5);
    }
    pb_stmt_done(st);
    if (rc < 0 || !*found)
        return rc < 0 ? rc : 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT on_date, stage FROM project_transition WHERE project_id = ? "
                            "AND voided_at IS NULL ORDER BY on_date, id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int mi = month_index(pb_stmt_col_text(st, 0)),
            stage = pb_stage_parse(pb_stmt_col_text(st, 1));
        if (mi >= 0 && stage > 0)
            series_add(s, mi, stage);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- the full build ---- */

static int exec1(struct pb_db *db, const char *sql)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(db, sql, &st)))
        return rc;
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

struct combo {
    struct skey k;
    int t[3];
    size_t next;       /* hash chain, (size_t)-1 at the end */
    int64_t *n, *plan; /* by month - base */
};

#define NBUCKET 4096

struct build {
    int base, horizon, nm;
    struct combo *c;
    size_t nc, cap;
    size_t bucket[NBUCKET];
};

static unsigned combo_hash(const struct skey *k, const int t[3])
{
    unsigned h = 2166136261u;
    for (const char *p = k->region; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ (unsigned)k->park_id) * 16777619u;
    h = (h ^ (unsigned)(k->county_only * 2 + k->pilot)) * 16777619u;
    h = (h ^ (unsigned)(t[0] * 36 + t[1] * 6 + t[2])) * 16777619u;
    return h % NBUCKET;
}

static int combo_eq(const struct combo *c, const struct skey *k, const int t[3])
{
    return c->k.park_id == k->park_id && c->k.county_only == k->county_only &&
           c->k.pilot == k->pilot && c->t[0] == t[0] && c->t[1] == t[1] && c->t[2] == t[2] &&
           !strcmp(c->k.region, k->region);
}

static size_t combo_find(struct build *b, const struct skey *k, const int t[3])
{
    unsigned h = combo_hash(k, t);
    for (size_t i = b->bucket[h]; i != (size_t)-1; i = b->c[i].next)
        if (combo_eq(&b->c[i], k, t))
            return i;
    if (b->nc == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->c = pb_xrealloc(b->c, b->cap * sizeof *b->c);
    }
    memset(&b->c[b->nc], 0, sizeof b->c[0]);
    b->c[b->nc].k = *k;
    memcpy(b->c[b->nc].t, t, sizeof b->c[0].t);
    b->c[b->nc].n = pb_xcalloc((size_t)b->nm, sizeof(int64_t));
    b->c[b->nc].plan = pb_xcalloc((size_t)b->nm, sizeof(int64_t));
    b->c[b->nc].next = b->bucket[h];
    b->bucket[h] = b->nc;
    return b->nc++;
}

static int key_put(struct pb_db *db, int64_t pid, const struct skey *k, const struct series *s)
{
    struct pb_stmt *st;
    char ser[MAX_CP * 16];
    int rc;
    series_format(s, ser, sizeof ser);
    if ((rc = pb_db_prepare(
             db,
             "INSERT INTO project_stage_key (project_id, region_code, park_id, county_only, pilot, "
             "plan_invest, counted, series) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
             "(project_id) DO UPDATE SET region_code = excluded.region_code, park_id = "
             "excluded.park_id, county_only = excluded.county_only, pilot = excluded.pilot, "
             "plan_invest = excluded.plan_invest, counted = excluded.counted, series = "
             "excluded.series",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    pb_stmt_bind_text(st, 2, k->region);
    pb_stmt_bind_int(st, 3, k->park_id);
    pb_stmt_bind_int(st, 4, k->county_only);
    pb_stmt_bind_int(st, 5, k->pilot);
    pb_stmt_bind_int(st, 6, k->plan);
    pb_stmt_bind_int(st, 7, k->counted);
    pb_stmt_bind_text(st, 8, ser);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static void build_add(struct build *b, const struct skey *k, const struct series *s)
{
    size_t ci = (size_t)-1;
    int last[3] = {-1, -1, -1};
    if (!k->counted || !s->n)
        return;
    for (int mi = s->mi[0] < b->base ? b->base : s->mi[0]; mi <= b->horizon; mi++) {
        int t[3];
        triple(s, mi, t);
        if (ci == (size_t)-1 || memcmp(t, last, sizeof t)) {
            ci = combo_find(b, k, t);
            memcpy(last, t, sizeof t);
        }
        b->c[ci].n[mi - b->base]++;
        b->c[ci].plan[mi - b->base] += k->plan;
    }
}

int pb_stage_agg_rebuild(struct pb_db *db, int horizon)
{
    struct build b;
    struct pb_stmt *st, *tr;
    struct skey *keys = NULL;
    struct series *ser = NULL;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc, r2, min_mi = horizon;
    memset(&b, 0, sizeof b);
    /* Every project with its key, and its series from the transitions (merged by id). */
    if ((rc = pb_db_prepare(db,
                            "SELECT id, region_code, park_id, county_only, pilot, "
                            "COALESCE(invest_plan_yuan, 0), archived_at IS NULL FROM project ORDER "
                            "BY id",
                            &st)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT project_id, on_date, stage FROM project_transition WHERE "
                            "voided_at IS NULL ORDER BY project_id, on_date, id",
                            &tr))) {
        pb_stmt_done(st);
        return rc;
    }
    r2 = pb_stmt_step(tr);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int64_t pid = pb_stmt_col_int(st, 0);
        struct skey *k;
        struct series *s;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            ids = pb_xrealloc(ids, cap * sizeof *ids);
            keys = pb_xrealloc(keys, cap * sizeof *keys);
            ser = pb_xrealloc(ser, cap * sizeof *ser);
        }
        ids[n] = pid;
        k = &keys[n];
        s = &ser[n];
        n++;
        memset(k, 0, sizeof *k);
        memset(s, 0, sizeof *s);
        pb_strlcpy(k->region, pb_stmt_col_text(st, 1), sizeof k->region);
        k->park_id = pb_stmt_col_int(st, 2);
        k->county_only = (int)pb_stmt_col_int(st, 3);
        k->pilot = (int)pb_stmt_col_int(st, 4);
        k->plan = pb_stmt_col_int(st, 5);
        k->counted = (int)pb_stmt_col_int(st, 6);
        while (r2 == PB_ROW && pb_stmt_col_int(tr, 0) < pid)
            r2 = pb_stmt_step(tr);
        while (r2 == PB_ROW && pb_stmt_col_int(tr, 0) == pid) {
            int mi = month_index(pb_stmt_col_text(tr, 1)),
                stage = pb_stage_parse(pb_stmt_col_text(tr, 2));
            if (mi >= 0 && stage > 0)
                series_add(s, mi, stage);
            r2 = pb_stmt_step(tr);
        }
        if (s->n && k->counted && s->mi[0] < min_mi)
            min_mi = s->mi[0];
    }
    pb_stmt_done(tr);
    pb_stmt_done(st);
    if (rc < 0 || r2 < 0) {
        rc = rc < 0 ? rc : r2;
        goto out;
    }
    rc = 0;
    for (int i = 0; i < NBUCKET; i++)
        b.bucket[i] = (size_t)-1;
    b.base = min_mi;
    b.horizon = horizon;
    b.nm = horizon - b.base + 1 > 0 ? horizon - b.base + 1 : 1;
    for (size_t i = 0; i < n; i++)
        build_add(&b, &keys[i], &ser[i]);
    if ((rc = exec1(db, "DELETE FROM project_stage_agg")) ||
        (rc = exec1(db, "DELETE FROM project_stage_key")))
        goto out;
    for (size_t i = 0; i < b.nc && !rc; i++)
        for (int m = 0; m < b.nm; m++)
            if (b.c[i].n[m] &&
                (rc = agg_put(db, b.base + m, &b.c[i].k, b.c[i].t, b.c[i].n[m], b.c[i].plan[m])))
                break;
    for (size_t i = 0; i < n && !rc; i++)
        rc = key_put(db, ids[i], &keys[i], &ser[i]);
    if (rc)
        goto out;
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO project_stage_meta (id, horizon) VALUES (1, ?) ON "
                            "CONFLICT (id) DO UPDATE SET horizon = excluded.horizon",
                            &st)))
        goto out;
    pb_stmt_bind_int(st, 1, horizon);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    rc = rc < 0 ? rc : pb_project_data_bump(db, "");
out:
    for (size_t i = 0; i < b.nc; i++) {
        free(b.c[i].n);
        free(b.c[i].plan);
    }
    free(b.c);
    free(ids);
    free(keys);
    free(ser);
    return rc;
}

/* The horizon for a build today: December of the year after next. */
static int horizon_for(int now_mi)
{
    return (now_mi / 12 + 2) * 12 + 11;
}

int pb_stage_agg_sync(struct pb_db *db, int64_t pid)
{
    /* (a month index below 0 cannot happen: today is a valid date) */
    struct pb_stmt *st;
    struct skey ok, nk;
    struct series os, ns;
    int rc, horizon, found = 0, had = 0, now_mi = pb_stage_month_now(), lo, hi;
    /* Concurrent writers (PostgreSQL): differences take the meta row shared, a build takes it
     * exclusive, so a build never interleaves with a difference and two builds never run at
     * once (the second finds the horizon fresh after the wait and applies its difference). */
    if ((rc = horizon_locked(db, 1, &horizon)))
        return rc;
    if (horizon < now_mi + 12) {
        if ((rc = exec1(db, "INSERT INTO project_stage_meta (id, horizon) VALUES (1, -1) ON "
                            "CONFLICT (id) DO NOTHING")) ||
            (rc = horizon_locked(db, 2, &horizon)))
            return rc;
        /* Not built, or less than a year left: build it all (which counts this change too). */
        if (horizon < now_mi + 12)
            return pb_stage_agg_rebuild(db, horizon_for(now_mi));
    }
    memset(&ok, 0, sizeof ok);
    memset(&os, 0, sizeof os);
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, park_id, county_only, pilot, plan_invest, "
                            "counted, series FROM project_stage_key WHERE project_id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        had = 1;
        pb_strlcpy(ok.region, pb_stmt_col_text(st, 0), sizeof ok.region);
        ok.park_id = pb_stmt_col_int(st, 1);
        ok.county_only = (int)pb_stmt_col_int(st, 2);
        ok.pilot = (int)pb_stmt_col_int(st, 3);
        ok.plan = pb_stmt_col_int(st, 4);
        ok.counted = (int)pb_stmt_col_int(st, 5);
        series_parse(pb_stmt_col_text(st, 6), &os);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = project_now(db, pid, &nk, &ns, &found)))
        return rc;
    if (!found)
        return 0;
    if (!had)
        ok.counted = 0;
    lo = os.n && ok.counted ? os.mi[0] : horizon + 1;
    if (ns.n && nk.counted && ns.mi[0] < lo)
        lo = ns.mi[0];
    hi = horizon;
    {
        int same_key = ok.counted == nk.counted && ok.park_id == nk.park_id &&
                       ok.county_only == nk.county_only && ok.pilot == nk.pilot &&
                       ok.plan == nk.plan && !strcmp(ok.region, nk.region);
        for (int mi = lo; mi <= hi; mi++) {
            int to[3], tn[3];
            int co = ok.counted && os.n, cn = nk.counted && ns.n;
            triple(&os, mi, to);
            triple(&ns, mi, tn);
            co = co && to[0];
            cn = cn && tn[0];
            if (same_key && co == cn && !memcmp(to, tn, sizeof to))
                continue;
            if (co && (rc = agg_put(db, mi, &ok, to, -1, -ok.plan)))
                return rc;
            if (cn && (rc = agg_put(db, mi, &nk, tn, 1, nk.plan)))
                return rc;
        }
    }
    return key_put(db, pid, &nk, &ns);
}
