/* project.h: standardization projects and the 四个一批 rolling management (issue 4).
 *
 * Projects are a resource (pb_res_projects); their stage follows from dated, audited transitions;
 * monthly reports carry the month's investment and floor areas, are submitted by the region and
 * confirmed by the city, and corrections after confirmation become new versions. Statistics
 * (project_stats.c) count confirmed reports only. The rules and definitions are in
 * docs/projects.md.
 *
 * All functions run their own transaction on c->db (one connection, one thread), check the
 * policy table ("projects", "reports", "targets") and the caller's scope (404 outside it), and
 * write one audit record per change in the same transaction. Errors: PB_E_NOT_FOUND,
 * PB_E_FORBIDDEN, PB_E_INVALID (field errors naming the rule in `code`), PB_E_CONFLICT,
 * PB_E_DB/PB_E_BUSY.
 */
#ifndef PB_PROJECT_H
#define PB_PROJECT_H

#include "core/resource/resource.h"

enum pb_stage {
    PB_STAGE_NONE = 0, /* no transition yet */
    PB_STAGE_PLANNED,
    PB_STAGE_STARTED,
    PB_STAGE_BUILDING,
    PB_STAGE_PARTLY,
    PB_STAGE_IN_USE,
    PB_STAGE__COUNT
};
/* "planned" … "in_use"; "none" for PB_STAGE_NONE. */
const char *pb_stage_name(int s);
const char *pb_stage_label(int s, int en);
/* PB_STAGE_PLANNED.. or -1 when unknown. */
int pb_stage_parse(const char *s);
/* Is from → to an ordinary step (no reason needed)? none→planned, each next stage, and
 * building→in_use (partial use is optional). */
int pb_stage_step_ok(int from, int to);

extern const struct pb_resource pb_res_projects;
extern const struct pb_resource pb_res_targets;

/* Settings (from config at start; tests may change them). */
extern int pb_report_due_day;       /* a month's report is due on this day of the next month */
extern int pb_report_jan_feb;       /* 1: January and February are published together (1—2月) */
extern int pb_project_stall_months; /* dashboard: no change and no investment for N months */

/* ---- transitions ---- */
struct pb_transition_in {
    const char *stage, *date, *evidence, *evidence_kind, *reason;
};
/* Record a transition; appends the stored transition as JSON to out (may be NULL). */
int pb_project_transition(struct pb_ctx *c, int64_t project_id, const struct pb_transition_in *in,
                          struct pb_buf *out, struct pb_err *err);
/* {"items":[…]} in date order, each with the stage before it and whether it skipped/went back. */
int pb_project_transitions(struct pb_ctx *c, int64_t project_id, struct pb_buf *out,
                           struct pb_err *err);
/* Void a wrong transition (city staff; reason required; audited). It stays in the record
 * (GET …/transitions → `voided`) and every stage derivation ignores it. Refused when the step
 * around it would become irregular without a reason (void the later one first) or a monthly
 * report would lose its stage or disagree with it. Appends the voided row to out. */
int pb_project_transition_void(struct pb_ctx *c, int64_t project_id, int64_t transition_id,
                               const char *reason, struct pb_buf *out, struct pb_err *err);
/* Stage of a project on date (YYYY-MM-DD) from its transitions (no scope check: internal). */
int pb_project_stage_at(struct pb_db *db, int64_t project_id, const char *date, int *stage);

/* ---- monthly reports ---- */
struct pb_report_in {
    const char *invest_done_yuan;         /* this month, decimal yuan (required) */
    const char *topped_out_m2;            /* newly topped out this month (required) */
    const char *topped_out_supporting_m2; /* of which supporting space (optional) */
    const char *completed_m2;             /* floor area completed this month (required) */
    const char *invest_cum_yuan;          /* optional check: cumulative since the start */
    const char *stage;                    /* optional check: stage at month end */
    const char *problems, *note;
};
/* Submit (or, before confirmation, replace) the report of project/month (YYYY-MM). After
 * confirmation a PUT creates the next version. Appends the stored report to out. */
int pb_report_put(struct pb_ctx *c, int64_t project_id, const char *month,
                  const struct pb_report_in *in, struct pb_buf *out, struct pb_err *err);
/* City confirms the current version: it becomes the one statistics count. */
int pb_report_confirm(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                      struct pb_err *err);
/* Withdraw the submitted current version before confirmation (who may submit, in scope): it
 * stays in the history as 'withdrawn'; a confirmed earlier version is current again. 409 when the
 * current version is confirmed, 404 without a report. Appends the withdrawn version to out. */
int pb_report_withdraw(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                       struct pb_err *err);
/* One month's current report with its history of versions. */
int pb_report_get(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                  struct pb_err *err);
/* All current reports of a project, by month, with running cumulative figures. */
int pb_report_list(struct pb_ctx *c, int64_t project_id, struct pb_buf *out, struct pb_err *err);

/* Bump the data version of a region (inside the caller's write transaction). */
int pb_project_data_bump(struct pb_db *db, const char *region_code);
/* Sum of the data versions (the cache key of statistics). */
int pb_project_data_version(struct pb_db *db, int64_t *out);

/* "YYYY-MM" with month 1..12, years 1900..2200: 0 ok and *y, *m, else -1. */
int pb_month_parse(const char *s, int *y, int *m);

#endif
