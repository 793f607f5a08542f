/* internal.h: pieces of the resource engine shared by its files (engine, export, schema). */
#ifndef PB_RESOURCE_INTERNAL_H
#define PB_RESOURCE_INTERNAL_H

#include "core/resource/resource.h"

/* SQL under construction with its bound values (all from descriptors or bound). */
struct pb_sqlb {
    struct pb_buf sql;
    struct {
        int kind; /* 0 null, 1 int, 2 text */
        int64_t i;
        const char *s;
    } binds[96];
    int nbinds;
    int overflow;
};
void pb_sqlb_init(struct pb_sqlb *q);
void pb_sqlb_release(struct pb_sqlb *q);
void pb_sqlb_int(struct pb_sqlb *q, int64_t v);
void pb_sqlb_text(struct pb_sqlb *q, const char *s);
void pb_sqlb_val(struct pb_sqlb *q, const struct pb_val *v);
/* Prepare the SQL and bind everything. */
int pb_sqlb_prepare(struct pb_db *db, struct pb_sqlb *q, struct pb_stmt **out);

/* Index of the declared scope field, or -1. */
int pb_res_scope_index(const struct pb_resource *r);
/* SELECT column list for a resource (fixed columns, then declared fields). */
void pb_res_columns(const struct pb_resource *r, struct pb_buf *out);
/* Read a row selected with pb_res_columns into rec (text copied into the arena). */
void pb_res_read_row(struct pb_ctx *c, const struct pb_resource *r, struct pb_stmt *st,
                     struct pb_rec *rec);
/* WHERE clause (starting with " WHERE ") for scope, archive state, filters and q; the cursor
 * condition too when with_cursor. Returns 0 or an error (bad cursor). */
int pb_res_where(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                 struct pb_sqlb *q, int with_cursor, struct pb_err *err);
/* ORDER BY clause for the request. */
void pb_res_order(const struct pb_resource *r, const struct pb_list_req *lr, struct pb_sqlb *q);

/* Append a value as JSON in its API form. */
void pb_res_put_val(struct pb_buf *out, const struct pb_field *f, const struct pb_val *v);
/* Append the whole record as a JSON object (with computed members). */
void pb_res_put_rec(struct pb_ctx *c, const struct pb_rec *rec, struct pb_buf *out);
/* Human-readable value for exports (enum labels, region names, yes/no). */
const char *pb_res_display(struct pb_ctx *c, const struct pb_field *f, const struct pb_val *v);
/* Type name for meta/OpenAPI. */
const char *pb_ftype_name(enum pb_ftype t);
/* Fields of the fixed columns, for sorting and schemas. */
extern const struct pb_field pb_fixed_fields[PB_NCOLS_FIXED];

#endif
