/* resource.h: the generic resource engine (architecture §3).
 *
 * A record type is declared once as a table of fields; from it the engine gives list (filters,
 * q search, sort, cursor paging, total), get, create, PATCH with If-Match, archive, validation
 * with zh-CN/en messages, the jurisdiction check, the audit record in the same transaction,
 * CSV/XLSX export and the OpenAPI schema. SQL is built only from descriptor identifiers; every
 * value is bound.
 *
 * Every resource table has these engine-owned columns (read-only through the API):
 *   id INTEGER primary key, region_code TEXT (the scope/shard key), version INTEGER,
 *   created_at, updated_at INTEGER (Unix ms), created_by INTEGER, archived_at INTEGER NULL.
 */
#ifndef PB_RESOURCE_H
#define PB_RESOURCE_H

#include <jansson.h>
#include "core/ctx.h"
#include "core/store/db.h"
#include "core/util/pb.h"

enum pb_ftype {
    PB_TEXT = 1,  /* UTF-8 text, max_len in characters */
    PB_INT,       /* int64, min/max */
    PB_BOOL,      /* 0/1 in the database, true/false in JSON */
    PB_ENUM,      /* one of .enums (identifiers); labels in .enum_zh/.enum_en */
    PB_DATE,      /* YYYY-MM-DD, a real calendar date */
    PB_MONEY,     /* integer fen in the database; "123.45" (yuan, exact) in JSON */
    PB_AREA,      /* integer hundredths of m² in the database; "123.45" (m²) in JSON */
    PB_COORD_LNG, /* integer micro-degrees; "118.675676" in JSON, -180..180 */
    PB_COORD_LAT, /* integer micro-degrees; -90..90 */
    PB_REGION,    /* a code in the region table */
    PB_INDUSTRY,  /* a GB/T 4754-2017 code in the industry table */
    PB_REF,       /* id of a row of another resource (.ref names it), checked in scope */
    PB_TIME,      /* Unix ms instant, ISO-8601 UTC string in JSON; engine-maintained only */
};

enum pb_filter { PB_FILTER_NONE = 0, PB_FILTER_EQ, PB_FILTER_LIKE, PB_FILTER_RANGE };

struct pb_field {
    const char *name; /* JSON key and column name: [a-z_][a-z0-9_]* */
    enum pb_ftype type;
    unsigned required : 1;
    unsigned readonly : 1; /* never accepted in a body (computed or engine-owned) */
    unsigned sortable : 1;
    unsigned search : 1;    /* included in the `q` search */
    unsigned scope : 1;     /* this is the region scope column (region_code) */
    unsigned immutable : 1; /* settable on create, not by PATCH */
    unsigned pii : 1;       /* masked in lists and exports */
    unsigned list : 1;      /* included in list items and exports (all fields are in get) */
    enum pb_filter filter;
    int max_len;              /* PB_TEXT: characters; 0 = 200 */
    int64_t min, max;         /* PB_INT/MONEY/AREA (in stored units); both 0 = no bound */
    const char *const *enums; /* PB_ENUM: NULL-terminated identifiers */
    const char *const *enum_zh;
    const char *const *enum_en;
    const char *ref; /* PB_REF: resource name */
    const char *label_zh, *label_en;
    const char *doc; /* one line for OpenAPI */
};

struct pb_resource;

/* One stored value. Text is owned by the ctx arena (or static). */
struct pb_val {
    int is_null;
    int64_t i;
    const char *s;
};

/* A record: engine-owned columns first, then one value per declared field (same order as
 * r->fields). */
enum {
    PB_COL_ID,
    PB_COL_REGION,
    PB_COL_VERSION,
    PB_COL_CREATED,
    PB_COL_UPDATED,
    PB_COL_BY,
    PB_COL_ARCHIVED,
    PB_NCOLS_FIXED
};
struct pb_rec {
    const struct pb_resource *r;
    struct pb_val fixed[PB_NCOLS_FIXED];
    struct pb_val *v; /* r->nfields values */
};
/* Value of a declared field by name (NULL if the resource has no such field). */
const struct pb_val *pb_rec_get(const struct pb_rec *rec, const char *field);

/* Extra hooks a domain file may give. All run inside the write transaction. */
struct pb_resource {
    const char *name;  /* URL segment and audit resource name, e.g. "parks" */
    const char *table; /* SQL table, e.g. "park" */
    const char *label_zh, *label_en;
    const struct pb_field *fields;
    size_t nfields;
    const char *default_sort; /* e.g. "-updated_at" */
    /* Policy key for account.h's pb_policy_allows(), e.g. "parks". */
    const char *policy;
    /* Column that holds the park id for operator scope ("id" for parks, "park_id" for
     * buildings); NULL if operators have no access by park. */
    const char *park_col;
    /* Column that holds the enterprise id for the enterprise role ("id" for enterprises,
     * "enterprise_id" for leases); NULL: the enterprise role sees none of these records. */
    const char *enterprise_col;
    /* Derived fields, before validate, on create and patch: set read-only values computed from
     * other rows (a child's region_code from its parent park, a unit's park_id from its
     * building) in rec->v. Look parents up in the caller's scope and answer PB_E_NOT_FOUND for
     * one outside it (existence does not leak). The engine then checks the resulting scope
     * region (and park, for operators) like a given one. */
    int (*derive)(struct pb_ctx *c, struct pb_rec *rec, int creating, struct pb_err *err);
    /* Cross-field rules on the merged record (create: body; patch: stored + changes). Add field
     * errors to err and return PB_E_INVALID, or 0. */
    int (*validate)(struct pb_ctx *c, const struct pb_rec *rec, int creating, struct pb_err *err);
    /* Append computed read-only members to an outgoing JSON object: each as `,"key":value`.
     * Their names and types are listed in `computed` for OpenAPI and meta. */
    void (*decorate)(struct pb_ctx *c, const struct pb_rec *rec, struct pb_buf *out);
    const struct pb_field *computed;
    size_t ncomputed;
    /* After a successful write, inside the transaction (e.g. invalidate cached aggregates). */
    int (*after_write)(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err);
    /* Filters on other tables: `name=<integer>` adds " AND <sql>" with the value bound to the
     * sql's one `?`, e.g. leases' unit_id: "id IN (SELECT lease_id FROM lease_unit WHERE
     * unit_id = ?)". NULL-name terminated; NULL: none. */
    const struct pb_subfilter {
        const char *name, *sql;
    } * subfilters;
};

/* Convert one input value into its stored form with the engine's rules and zh/en field errors
 * (the same as a resource body's): from JSON (null allowed unless required), or from text (a
 * query parameter; `name` is the field reported). Text is copied into c->arena. 0 or
 * PB_E_INVALID with a field error added. */
int pb_field_from_json(struct pb_ctx *c, const struct pb_field *f, json_t *j, struct pb_val *out,
                       struct pb_err *err);
int pb_field_from_text(struct pb_ctx *c, const struct pb_field *f, const char *name, const char *s,
                       struct pb_val *out, struct pb_err *err);
/* Append a stored value in its API JSON form (money and areas as exact decimal strings). */
void pb_field_put_json(struct pb_buf *out, const struct pb_field *f, const struct pb_val *v);

/* Registry of all resources (for OpenAPI, export and the policy matrix). */
void pb_resource_register(const struct pb_resource *r);
const struct pb_resource *pb_resource_find(const char *name);
size_t pb_resource_count(void);
const struct pb_resource *pb_resource_at(size_t i);
const struct pb_field *pb_resource_field(const struct pb_resource *r, const char *name);

/* A parsed list request. Built from a query string by pb_list_parse(). */
#define PB_LIST_MAX_FILTERS 24
#define PB_LIST_MAX_SORT 3
struct pb_list_req {
    struct {
        const struct pb_field *f;
        int op;            /* 0 eq, 1 like, 2 gte, 3 lte */
        const char *value; /* raw text; converted to stored form when bound */
        int64_t ivalue;
        int is_int;
    } filters[PB_LIST_MAX_FILTERS];
    int nfilters;
    struct {
        const struct pb_subfilter *sf;
        int64_t value;
    } subs[4]; /* r->subfilters given */
    int nsubs;
    const char *q;
    struct {
        const struct pb_field *f; /* NULL means id */
        int desc;
    } sort[PB_LIST_MAX_SORT];
    int nsort;
    int limit; /* 1..500, default 50; exports ignore it (cap PB_EXPORT_MAX) */
    const char *cursor;
    int include_archived;
};
#define PB_EXPORT_MAX 200000

/* One query parameter. The HTTP layer passes all of them; unknown keys are rejected (400). */
struct pb_kv {
    const char *key, *value;
};

/* Parse list parameters: filters by declared fields, q, sort, limit, cursor,
 * include_archived, plus `extra_ok` keys the caller handles itself (e.g. "format").
 * Returns 0 or PB_E_BAD_REQUEST / PB_E_INVALID with field errors. Strings point into kv. */
int pb_list_parse(const struct pb_resource *r, const struct pb_kv *kv, size_t nkv,
                  const char *const *extra_ok, struct pb_list_req *out, struct pb_err *err);

/* List: writes {"items":[...],"next_cursor":...,"total":N} to out. Scope-filtered. */
int pb_res_list(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                struct pb_buf *out, struct pb_err *err);
/* Get one record as JSON text appended to out; *version gives the ETag. 404 when
 * absent, archived (unless include_archived) or out of scope. */
int pb_res_get(struct pb_ctx *c, const struct pb_resource *r, int64_t id, int include_archived,
               struct pb_buf *out, int64_t *version, struct pb_err *err);
/* Create from a JSON object body; the stored record is appended to out. */
int pb_res_create(struct pb_ctx *c, const struct pb_resource *r, json_t *body, struct pb_buf *out,
                  int64_t *id_out, int64_t *version, struct pb_err *err);
/* Partial update. if_match is the client's ETag (required: NULL gives PB_E_PRECONDITION). */
int pb_res_patch(struct pb_ctx *c, const struct pb_resource *r, int64_t id, json_t *body,
                 const char *if_match, struct pb_buf *out, int64_t *version, struct pb_err *err);
/* Archive (soft delete). if_match optional. */
int pb_res_archive(struct pb_ctx *c, const struct pb_resource *r, int64_t id, const char *if_match,
                   struct pb_err *err);

/* Export the list (same filters and scope, no paging) as CSV (UTF-8 with BOM) or XLSX into
 * out. Headers are the field labels in the request language. */
enum pb_export_fmt { PB_EXPORT_CSV = 1, PB_EXPORT_XLSX = 2 };
int pb_res_export(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                  enum pb_export_fmt fmt, struct pb_buf *out, struct pb_err *err);

/* Batch writes for bulk import: the same conversion, scope check, derive and validate hooks
 * as the API's create, then INSERT … ON CONFLICT (key) DO UPDATE (an upsert) with one
 * statement prepared once, and ONE audit record per batch (action "import") listing the
 * affected ids as ranges, written by pb_res_batch_finish. after_write runs per row.
 * The caller owns the transaction: begin, rows, finish, commit (all or nothing), or skip the
 * rows that fail when it asked for valid rows only. A row whose key exists in a record
 * outside the caller's scope is refused (PB_E_NOT_FOUND), never overwritten. */
struct pb_res_batch {
    struct pb_ctx *c;
    const struct pb_resource *r;
    const char *const *key; /* NULL-terminated field names of the unique key */
    struct pb_buf sql;
    struct pb_buf ids; /* "1-5,9" ranges of affected ids */
    int64_t run_lo, run_hi;
    size_t inserted, updated;
    struct pb_val *vals;
    unsigned char *given;
};
void pb_res_batch_init(struct pb_res_batch *b, struct pb_ctx *c, const struct pb_resource *r,
                       const char *const *key);
/* One row of (field name, text value) pairs: names must be declared, writable fields (else
 * PB_E_BAD_REQUEST naming the column); an empty value is NULL. Must run inside a write
 * transaction. *id_out and *inserted (1 new, 0 updated) on success. */
int pb_res_batch_row(struct pb_res_batch *b, const char *const *names, const char *const *values,
                     size_t n, int64_t *id_out, int *inserted, struct pb_err *err);
/* Write the batch's audit record (when a row was written) inside the same transaction. */
int pb_res_batch_finish(struct pb_res_batch *b, const char *note, struct pb_err *err);
void pb_res_batch_release(struct pb_res_batch *b);

/* ETag text for a record: "\"<id>-<version>\"" into buf (>= 48 bytes). */
void pb_res_etag(int64_t id, int64_t version, char *buf, size_t n);

/* Field descriptors of every registered resource for the UI (GET /api/v1/meta), labels in the
 * request language. */
void pb_res_meta(struct pb_ctx *c, struct pb_buf *out);

/* OpenAPI 3.1 component schema for a resource (new reference): Record, Create, Patch. */
json_t *pb_res_schema(const struct pb_resource *r, int variant /* 0 rec, 1 create, 2 patch */);

/* OpenAPI schema of an object with these members (new reference; no other members). */
json_t *pb_fields_schema(const struct pb_field *fields, size_t n);

#endif
