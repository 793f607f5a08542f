/* audit_log.h: reading the audit log (the auditor's page). Above the resource engine, which
 * writes records through audit.h: an answer names each object beside its id. */
#ifndef PB_AUDIT_LOG_H
#define PB_AUDIT_LOG_H

#include "core/resource/resource.h"

/* Reading the log (the auditor's page): text filters by exact value, a time range, newest
 * first with a cursor (the last id seen) and the total under the same filters. */
extern const char *const pb_audit_text_filters[]; /* action, resource, object_id, username,
                                                     region_code, result, request_id; NULL */
struct pb_audit_query {
    const char *text[8]; /* by pb_audit_text_filters' index; NULL: no filter */
    int has_at_min, has_at_max;
    int64_t at_min, at_max; /* Unix ms, inclusive */
    int64_t limit;          /* 1..500 */
    int64_t cursor;         /* 0: from the newest */
};
/* {"items":[...],"next_cursor":...,"total":N} appended to out. 0 or rc with err. */
int pb_audit_list(struct pb_ctx *c, const struct pb_audit_query *q, struct pb_buf *out,
                  struct pb_err *err);
/* One record as JSON; PB_E_NOT_FOUND when absent. */
int pb_audit_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);

#endif
