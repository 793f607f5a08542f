/* op.h: declarative operations, the process verbs beside the resources (architecture §2).
 *
 * A record type is a resource table; a process verb (a stage transition, a confirmation, a
 * booking, a payout) is one entry of an operation table:
 *
 *     static const struct pb_field transition_in[] = {
 *         {"stage", PB_ENUM, .required = 1, .enums = stages},
 *         {"date", PB_DATE, .required = 1},
 *         ...
 *     };
 *     const struct pb_op project_ops[] = {
 *         {"POST", "/api/v1/projects/{id}/transitions", "create_project_transition",
 *          "Record a dated stage transition", "projects", .policy = "projects",
 *          .act = PB_ACT_UPDATE, PB_OP_FIELDS(transition_in), .run = transition_run,
 *          .flags = PB_OP_WRITE, .audit_as = "transition", .status = 201},
 *         {NULL},
 *     };
 *
 * One runner does, around every operation: decoding and validation of the body (the engine's
 * field types, zh/en field errors; unknown members refused) and of the query parameters, the
 * policy check (403, audited as a denial), the transaction with retry, the audit record in the
 * same transaction, the data-version bump, and the answer; the HTTP layer adds error mapping
 * (problem+json) and Idempotency-Key. The routes and their OpenAPI entries come from the same
 * table. The run function does only the domain work: load in scope (404 outside it), check the
 * rules, write, describe the change for the audit record and write the answer.
 */
#ifndef PB_OP_H
#define PB_OP_H

#include "core/resource/resource.h"

/* Flags of an operation. */
#define PB_OP_WRITE 1u       /* run inside a write transaction (else a read transaction) */
#define PB_OP_PUBLIC 2u      /* no session needed (the caller may be anonymous) */
#define PB_OP_MUST_CHANGE 4u /* allowed while the caller must still change the password */
#define PB_OP_IF_MATCH 8u    /* the caller must send If-Match (428 without); in->if_match */
#define PB_OP_NO_TX 16u      /* run opens its own transactions (long passes, batches) */

struct pb_op;

/* The decoded request. Values are in the ctx arena (or static). */
struct pb_op_in {
    const struct pb_op *op;
    const struct pb_val *v;     /* one per op->fields: stored form; is_null when absent */
    const unsigned char *given; /* one per op->fields: the body had the member (even null) */
    int64_t id, id2;            /* path parameters {id} and {tid}; 0 when absent */
    const char *month;          /* path parameter {month} (YYYY-MM shape), or NULL */
    const char *if_match;       /* the If-Match header, or NULL */
    const struct pb_kv *query;  /* the query parameters (already checked against op->params) */
    size_t nquery;
    json_t *body; /* the body as parsed, for members of no field type (arrays); may be NULL */
};

/* The value of an input field, or NULL when the body did not give it (or gave null). */
const struct pb_val *pb_op_arg(const struct pb_op_in *in, const char *name);
/* Text of a field (NULL when absent), or its integer (dflt when absent). */
const char *pb_op_text(const struct pb_op_in *in, const char *name);
int64_t pb_op_int(const struct pb_op_in *in, const char *name, int64_t dflt);
/* A query parameter, or NULL. */
const char *pb_op_query(const struct pb_op_in *in, const char *key);

/* What run gives back. body is the JSON answer (run appends to it; reset on a retry). The
 * audit record is written by the runner when op->audit_as is set, unless run sets no_audit
 * (nothing changed): set object_id, region_code and changes through pb_op_audit(). */
struct pb_op_out {
    struct pb_buf *body;
    int status; /* 0: op->status, or 200 */
    int no_audit;
    const char *audit_resource; /* NULL: op->tag */
    char object_id[24];
    char region_code[16];
    struct pb_buf *changes; /* JSON text of the change (before → after), may stay empty */
    const char *location;   /* a Location header for a 201, or NULL */
};
/* Name the audited object: id (0: none), its region (the audit chain key), and changes as a
 * printf format (JSON text; use pb_buf_json_str for strings from input). */
void pb_op_audit(struct pb_op_out *out, int64_t object_id, const char *region_code,
                 const char *changes_fmt, ...) __attribute__((format(printf, 4, 5)));

struct pb_op {
    const char *method;  /* "POST", "PUT", "GET", "DELETE" */
    const char *pattern; /* "/api/v1/projects/{id}/transitions/{tid}/void"; {id} {tid} {month} */
    const char *op_id;   /* OpenAPI operationId, unique */
    const char *summary;
    const char *tag;
    /* Policy key and action (the policy table decides which roles may); NULL policy: any
     * signed-in caller (or anyone, with PB_OP_PUBLIC). The record's scope is run's to check. */
    const char *policy;
    enum pb_action act;
    /* The JSON body's members (NULL, 0: the operation takes no body). */
    const struct pb_field *fields;
    size_t nfields;
    /* Query parameters accepted besides `lang` (NULL-terminated; NULL: none). */
    const char *const *params;
    /* The domain work. Inside the transaction unless PB_OP_NO_TX; may run again on a retry, so
     * no side effects outside the database. 0 or a negative rc with err set. */
    int (*run)(struct pb_ctx *c, const struct pb_op_in *in, struct pb_op_out *out,
               struct pb_err *err);
    unsigned flags;
    const char *audit_as; /* the audit action ("transition", "confirm"); NULL: not audited */
    /* After a successful write, in the same transaction: bump the data version that cached
     * statistics check (per region). NULL: none. */
    int (*bump)(struct pb_ctx *c, const char *region_code, struct pb_err *err);
    int status;                  /* success status: 0 means 200 */
    const char *response_schema; /* OpenAPI component name of the answer, or NULL */
    const char *doc;             /* a longer description for OpenAPI, or NULL */
};
#define PB_OP_FIELDS(a) .fields = (a), .nfields = PB_ARRAY_LEN(a)

/* Run one operation for a decoded request: policy, input conversion (body members into in->v
 * by op->fields), the transaction with retry, run, the audit record and the bump. `body` is
 * the JSON object (NULL: no body). On success out->body holds the answer; on error it is
 * emptied and err describes the problem (field errors bilingual). */
int pb_op_exec(struct pb_ctx *c, const struct pb_op *op, struct pb_op_in *in, json_t *body,
               struct pb_op_out *out, struct pb_err *err);

/* OpenAPI request-body schema of an operation (new reference), or NULL when it takes none. */
json_t *pb_op_schema(const struct pb_op *op);

#endif
