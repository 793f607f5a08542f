/* project_stats.h: rolling statistics of the 四个一批 portfolio, the monthly bulletin, the
 * dashboard aggregates and the late-report list (issue 4; definitions in docs/projects.md).
 *
 * Statistics count confirmed report versions only (project_report.effective = 1) and the stage
 * of each project at month end from its transitions. Archived projects are left out entirely.
 * Results are cached in memory, keyed by the request and the data version (bumped in the same
 * transaction as every write to projects, transitions, reports and targets), so a cached answer
 * is never stale. The cache is process-wide and thread-safe. */
#ifndef PB_PROJECT_STATS_H
#define PB_PROJECT_STATS_H

#include "modules/projects/project.h"

#define PB_STATS_MAX_REGIONS 32
#define PB_STATS_NIND 7

struct pb_stats_req {
    char month[8];      /* YYYY-MM */
    char scope[8];      /* city | region | park */
    char id[24];        /* region code or park id ("" for city) */
    int rollup;         /* region: include the zones that roll up into it */
    int pilot_only;     /* pilot projects only */
    int all_portfolios; /* 0: the city's rolling portfolio (county_only = 0); 1: every project */
    int stall_months;   /* dashboard; 0 = pb_project_stall_months */
    int lists;          /* also compute the late and stalled lists (dashboard, late list) */
};

#define PB_STATS_MAX_LATE 500
#define PB_STATS_MAX_STALLED 100

/* One project of the late or stalled list. */
struct pb_stats_item {
    int64_t project_id, park_id;
    char region[16];
    char name[304];
    int status;    /* late: 0 missing, 1 submitted late; stalled: the stage */
    char date[11]; /* stalled: the stage's date */
};

struct pb_stats_region {
    char code[16];
    char name[64];
    int64_t projects, stage[PB_STAGE__COUNT], to_use;
    int64_t ytd_invest, ytd_topped, ly_ytd_invest;
    int64_t new_projects, newly_in_use;
    int64_t new_producing, new_output, new_in_statistics; /* enterprises (count; fen) */
    int has_target[PB_STATS_NIND];
    int64_t target[PB_STATS_NIND];
};

struct pb_stats_target {
    const char *indicator;
    int has_target, has_month_target, has_actual;
    int64_t target, month_target, actual; /* ×100 for counts; fen; hundredths of m² */
};

struct pb_stats {
    struct pb_stats_req req;
    int year, mon;
    char scope_name[128];
    int ytd_published;  /* 0 for January when January and February are published together */
    char ytd_months[8]; /* "1-2" */
    int64_t projects, stage[PB_STAGE__COUNT];
    int64_t trans[PB_STAGE__COUNT][PB_STAGE__COUNT]; /* stage at last month end → this month end */
    int64_t m_invest, m_topped, m_supporting, m_completed;
    int64_t ytd_invest, ytd_topped, ytd_supporting, ytd_completed;
    int64_t ly_ytd_invest, ly_ytd_topped, ly_ytd_completed, ly_stage[PB_STAGE__COUNT];
    int64_t cum_invest, plan_invest;
    int64_t new_projects, newly_in_use;
    /* enterprises of the scope (not of the projects): docs/projects.md, Targets */
    int64_t new_producing, new_output, new_in_statistics;
    /* by month of the year (index 0 = January .. mon-1) */
    int64_t by_month_stage[12][PB_STAGE__COUNT];
    int64_t by_month_invest[12], by_month_topped[12];
    int nregions;
    struct pb_stats_region regions[PB_STATS_MAX_REGIONS];
    struct pb_stats_target targets[PB_STATS_NIND];
    int64_t data_version;
    /* with req.lists: */
    char due_date[11];
    int overdue;
    int64_t owed, late_count, stalled_count;
    char stall_since[11];
    int nlate, nstalled;
    struct pb_stats_item late[PB_STATS_MAX_LATE];
    struct pb_stats_item stalled[PB_STATS_MAX_STALLED];
};

/* Validate a request (field errors on month/scope/id) and check the caller may see the scope
 * (404 otherwise). */
int pb_stats_check(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_err *err);
/* Compute the statistics (uncached). out is large: allocate it (e.g. in the arena). */
int pb_stats_compute(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_stats *out,
                     struct pb_err *err);
/* The bulletin paragraph (zh-CN, the programme's style) appended to out. */
void pb_stats_bulletin(const struct pb_stats *s, struct pb_buf *out);
/* The monthly report as JSON (contract names), cached. */
int pb_stats_monthly_json(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_buf *out,
                          struct pb_err *err);
/* The monthly report as CSV (UTF-8 with BOM) or XLSX (a sheet per table, bulletin text). */
int pb_stats_export(struct pb_ctx *c, const struct pb_stats *s, int xlsx, struct pb_buf *out,
                    struct pb_err *err);
/* The plain-text report (bulletin and tables) for the CLI. */
void pb_stats_text(const struct pb_stats *s, struct pb_buf *out);
/* The dashboard aggregates as JSON, cached. */
int pb_dashboard_json(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_buf *out,
                      struct pb_err *err);
/* Projects late with the month's report: {"month","due_date","items":[…]}, cached. */
int pb_late_json(struct pb_ctx *c, const struct pb_stats_req *rq, struct pb_buf *out,
                 struct pb_err *err);
/* The reporting calendar of a year: each month's due date. */
void pb_calendar_json(int year, struct pb_buf *out);
/* ---- the maintained stage counts (project_stage.c, decision 0034) ---- */
/* Months as integers: year * 12 + month - 1. This month (CST). */
int pb_stage_month_now(void);
/* The last month held, -1 when not built. */
int pb_stage_agg_horizon(struct pb_db *db, int *horizon);
/* Rebuild everything up to `horizon` (inside the caller's write transaction). */
int pb_stage_agg_rebuild(struct pb_db *db, int horizon);
/* Count project pid's current key and stage series in place of what was counted (inside the
 * caller's write transaction, after the change). Builds everything when not built yet or less
 * than a year is left before the horizon. */
int pb_stage_agg_sync(struct pb_db *db, int64_t pid);

/* Tests: 1 = compute the stage figures from the transitions even when the counts are built. */
extern int pb_stats_force_slow;

/* Forget every cached answer (tests). */
void pb_stats_cache_clear(void);

#endif
