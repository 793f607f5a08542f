/* space.h: buildings and units, the enterprise register and its lifecycle, leases, rates, the
 * idle-space library, demands and matching, bulk import (issue 3; docs/space-and-rates.md).
 *
 * Every function takes a struct pb_ctx (who is asking, the database, the arena) and answers
 * 0 or a negative enum pb_rc with err filled in both languages. Outputs appended to a struct
 * pb_buf are JSON text. Thread-safety: as the ctx's connection (one thread at a time), except
 * the matching index, which is shared by all threads behind its own lock. */
#ifndef PB_SPACE_H
#define PB_SPACE_H

#include "core/resource/resource.h"

extern const struct pb_resource pb_res_buildings;
extern const struct pb_resource pb_res_units;
extern const struct pb_resource pb_res_enterprises;
extern const struct pb_resource pb_res_enterprise_figures;
extern const struct pb_resource pb_res_enterprise_honours;
extern const struct pb_resource pb_res_leases;
extern const struct pb_resource pb_res_spaces;
extern const struct pb_resource pb_res_demands;

/* Shared enum tables (units and spaces carry the same specs). */
extern const char *const pb_hazard_classes[];

/* ---- parents in the caller's scope (for derive/validate hooks) ---- */
/* The park's region if the park exists, is not archived and is in the caller's jurisdiction
 * (region, or park list for operators); else PB_E_NOT_FOUND with a field error on `field`.
 * *region points into the ctx arena. */
int pb_space_park_visible(struct pb_ctx *c, int64_t park_id, const char *field, const char **region,
                          struct pb_err *err);

/* ---- the idle-space library ---- */
/* Bring the library row of a park unit in line with the unit: a vacant unit is listed
 * (source park_unit, status available), any other state marks its row taken. Inside the
 * caller's write transaction. */
int pb_space_sync_unit(struct pb_ctx *c, int64_t unit_id, struct pb_err *err);

/* ---- enterprise lifecycle ---- */
/* Stages in order; "left" (退园) and "delisted" (退库) are the steps back. */
extern const char *const pb_enterprise_stages[];
/* May an enterprise at stage `from` (NULL: not yet signed) move to `to`? 1 or 0. */
int pb_enterprise_transition_ok(const char *from, const char *to);
/* Record a dated lifecycle event (audited, in its own write transaction). The date must be a
 * real date, not before the last event and not after today (CST). The updated enterprise is
 * appended to out (may be NULL). */
int pb_enterprise_event(struct pb_ctx *c, int64_t id, const char *stage, const char *date,
                        const char *note, struct pb_buf *out, struct pb_err *err);
/* Inside the caller's write transaction (a lease's moving in): record the `moved_in` event
 * on `date` when the enterprise is still at `signed` and the date is not before that step;
 * audited like any event, without a scope check of its own (the lease's was done). 1 when
 * recorded, 0 when not due, or a negative rc. */
int pb_enterprise_moved_in_by_lease(struct pb_ctx *c, int64_t id, int64_t lease_id,
                                    const char *date, struct pb_err *err);
/* {"items":[{"stage","label","date","from_stage","created_at"}…],"leases":[…]} */
int pb_enterprise_timeline(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* The full contact phone (audited as "unmask" with the stated reason). */
int pb_enterprise_unmask(struct pb_ctx *c, int64_t id, const char *reason, struct pb_buf *out,
                         struct pb_err *err);

/* ---- leases ---- */
/* Move in (units → occupied) or end (units → vacant, listed again) on a date. Audited. */
int pb_lease_move_in(struct pb_ctx *c, int64_t id, const char *date, struct pb_buf *out,
                     struct pb_err *err);
int pb_lease_end(struct pb_ctx *c, int64_t id, const char *date, struct pb_buf *out,
                 struct pb_err *err);

/* ---- rates ---- */
struct pb_rates {
    int64_t marketable, signed_, leasable, occupied; /* hundredths of m² */
    int64_t absorption_bp, occupancy_bp;             /* hundredths of a percent; -1 if n/a */
};
/* scope "city" (id ignored), "region" (a region code: its parks and those of zones rolling up
 * to it) or "park" (a park id); date YYYY-MM-DD (NULL: today, CST). Out-of-scope → 404. */
int pb_rates_compute(struct pb_ctx *c, const char *scope, const char *id, const char *date,
                     struct pb_rates *out, struct pb_err *err);
/* The JSON answer of GET /api/v1/rates, with vacant area by spec band. */
int pb_rates_json(struct pb_ctx *c, const char *scope, const char *id, const char *date,
                  struct pb_buf *out, struct pb_err *err);
/* A park's production-to-living ratio from its buildings (decorates parks' buildings list). */
int pb_park_ratio_json(struct pb_ctx *c, int64_t park_id, struct pb_buf *out, struct pb_err *err);

/* ---- matching ---- */
/* Score the library's available spaces against demand `id`: {"items":[{"space_id","score",
 * "meets":[…],"misses":[{"requirement","wanted","offered","shortfall"}]}…]}. */
int pb_match_demand(struct pb_ctx *c, int64_t demand_id, int limit, struct pb_buf *out,
                    struct pb_err *err);
/* The staff's steps on a demand's matches (src/domain/demand.c), each audited on the demand
 * and scope-checked (demand and space in the caller's jurisdiction, else 404):
 * shortlist {"space_id","note"?} → demand shortlisted; visit {"space_id","date","note"?} →
 * visiting; both append the step as JSON. A demand already leased or closed → 409. */
int pb_demand_shortlist(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                        struct pb_err *err);
int pb_demand_visit(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                    struct pb_err *err);
/* Turn a match into a lease: {"space_id" (a park unit's library entry) or "unit_ids", "note"?,
 * and the lease's fields}; enterprise_id defaults to the demand's. The lease is created by the
 * path of POST /api/v1/leases in the same transaction as the step; its record goes to out. */
int pb_demand_lease(struct pb_ctx *c, int64_t demand_id, json_t *body, struct pb_buf *out,
                    int64_t *lease_id, int64_t *version, struct pb_err *err);
/* {"demand_id","items":[{"id","space_id","kind","visit_on","note","lease_id","created_at"}]} */
int pb_demand_steps(struct pb_ctx *c, int64_t demand_id, struct pb_buf *out, struct pb_err *err);
/* ---- photos and documents of the library (src/domain/space_file.c) ---- */
/* Store an upload (JPEG, PNG or PDF by its first bytes; else 422 on `file`) under
 * <data_dir>/uploads/ with a random name and record it (audited as file_upload on the
 * space). The space must be in the caller's jurisdiction (404). Appends the file's JSON. */
int pb_space_file_add(struct pb_ctx *c, const char *data_dir, int64_t space_id, const char *name,
                      const void *data, size_t len, struct pb_buf *out, struct pb_err *err);
/* {"items":[{"id","space_id","name","content_type","size_bytes","sha256","url","created_at"}]} */
int pb_space_files(struct pb_ctx *c, int64_t space_id, struct pb_buf *out, struct pb_err *err);
struct pb_space_file {
    int fd; /* open for reading; the caller closes it (or hands it to the transport) */
    int64_t size;
    char name[640];
    char content_type[40];
};
/* Open a stored file of a space for download (scope-checked like the space). */
int pb_space_file_open(struct pb_ctx *c, const char *data_dir, int64_t space_id, int64_t file_id,
                       struct pb_space_file *f, struct pb_err *err);
/* Forget the in-memory index (tests that switch databases). */
void pb_match_reset(void);

/* ---- bulk import ---- */
struct pb_import_opts {
    int valid_only;     /* write the valid rows and skip the rest (else all or nothing) */
    const char *source; /* file name for the audit record */
    void (*progress)(void *ud, size_t done, size_t total); /* bytes read of total */
    void *ud;
};
struct pb_import_result {
    size_t rows, inserted, updated, rejected;
    int committed;
    const char *encoding;
};
/* Import CSV (UTF-8 or GB18030) of kind enterprises|units|leases|spaces. The report of
 * rejected rows ({"row","line","field","code","message"}) is appended to report as a JSON
 * array. Returns 0 when the file was committed (possibly with rows skipped in valid_only
 * mode), PB_E_INVALID when rows were rejected and nothing was written, or another rc. */
int pb_import_csv(struct pb_ctx *c, const char *kind, const char *data, size_t len,
                  const struct pb_import_opts *o, struct pb_buf *report,
                  struct pb_import_result *res, struct pb_err *err);

#endif
