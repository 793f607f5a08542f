/* audit_log.c: reading the audit log (audit_log.h). */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/audit_log.h"
#include "core/store/query.h"
#include "core/util/b64.h"
#include "core/util/timeutil.h"

/* ---- reading ---- */

#define AUDIT_COLS                                                                                 \
    "id, chain, seq, at, account_id, username, role, region_code, action, resource, object_id, "   \
    "result, changes, client_addr, request_id, hash"

/* ,"object_name": the name (or title) of the record the row is about, for a registered
 * resource with such a field; null otherwise (a login, a record since removed). The auditor
 * reads every region's records, so no scope applies here. */
static void object_name(struct pb_ctx *c, struct pb_buf *out, const char *resource,
                        const char *object_id)
{
    const struct pb_resource *r = resource[0] ? pb_resource_find(resource) : NULL;
    const char *col = NULL;
    char sql[160], name[256] = "";
    int64_t id;
    pb_buf_adds(out, ",\"object_name\":");
    if (r)
        col = pb_resource_field(r, "name")    ? "name"
              : pb_resource_field(r, "title") ? "title"
                                              : NULL;
    if (!col || pb_parse_i64(object_id, &id) || id <= 0) {
        pb_buf_adds(out, "null");
        return;
    }
    /* Identifiers from the resource descriptor only; the id is bound. */
    snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE id = ?", col, r->table);
    if (pb_q_row(c->db, sql, "i", "t", id, name, sizeof name) == 1)
        pb_buf_json_str(out, name);
    else
        pb_buf_adds(out, "null");
}

/* One audit row (selected with AUDIT_COLS) as a JSON object. */
static void put_audit_row(struct pb_ctx *c, struct pb_buf *out, struct pb_stmt *st)
{
    static const char *const cols[] = {"id",         "chain",       "seq",        "at",
                                       "account_id", "username",    "role",       "region_code",
                                       "action",     "resource",    "object_id",  "result",
                                       "changes",    "client_addr", "request_id", "hash"};
    char iso[32];
    pb_buf_addc(out, '{');
    for (int k = 0; k < 16; k++) {
        pb_buf_printf(out, "%s\"%s\":", k ? "," : "", cols[k]);
        if (k == 0 || k == 2 || k == 4) {
            pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, k));
        } else if (k == 3) {
            pb_iso_utc(pb_stmt_col_int(st, k), iso);
            pb_buf_json_str(out, iso);
        } else if (k == 12) {
            const char *ch = pb_stmt_col_text(st, k);
            /* Stored as JSON text written by the engine: embedded as an object. */
            if (ch[0] == '{')
                pb_buf_adds(out, ch);
            else
                pb_buf_adds(out, "null");
        } else {
            pb_buf_json_str(out, pb_stmt_col_text(st, k));
        }
    }
    object_name(c, out, pb_stmt_col_text(st, 9), pb_stmt_col_text(st, 10));
    pb_buf_addc(out, '}');
}

const char *const pb_audit_text_filters[] = {"action",      "resource", "object_id",  "username",
                                             "region_code", "result",   "request_id", NULL};

static void bind_all(struct pb_stmt *st, const struct pb_audit_query *q, int with_cursor,
                     int with_limit)
{
    int k = 1;
    for (int i = 0; pb_audit_text_filters[i]; i++)
        if (q->text[i])
            pb_stmt_bind_text(st, k++, q->text[i]);
    if (q->has_at_min)
        pb_stmt_bind_int(st, k++, q->at_min);
    if (q->has_at_max)
        pb_stmt_bind_int(st, k++, q->at_max);
    if (with_cursor && q->cursor > 0)
        pb_stmt_bind_int(st, k++, q->cursor);
    if (with_limit)
        pb_stmt_bind_int(st, k, q->limit + 1);
}

int pb_audit_list(struct pb_ctx *c, const struct pb_audit_query *q, struct pb_buf *out,
                  struct pb_err *err)
{
    struct pb_buf where;
    struct pb_buf sql;
    struct pb_stmt *st;
    int64_t total = 0, last = 0;
    int n = 0, rc;
    size_t start = out->len;

    /* Column names come from the filter table, values are bound. */
    pb_buf_init(&where, 1024);
    pb_buf_adds(&where, " FROM audit WHERE 1 = 1");
    for (int i = 0; pb_audit_text_filters[i]; i++)
        if (q->text[i])
            pb_buf_printf(&where, " AND %s = ?", pb_audit_text_filters[i]);
    if (q->has_at_min)
        pb_buf_adds(&where, " AND at >= ?");
    if (q->has_at_max)
        pb_buf_adds(&where, " AND at <= ?");
    pb_buf_init(&sql, 2048);
    pb_buf_printf(&sql, "SELECT COUNT(*)%s", pb_buf_cstr(&where));
    if ((rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st)) == 0) {
        bind_all(st, q, 0, 0);
        if (pb_stmt_step(st) == PB_ROW)
            total = pb_stmt_col_int(st, 0);
        pb_stmt_done(st);
    }
    sql.len = 0;
    pb_buf_printf(&sql, "SELECT " AUDIT_COLS "%s%s ORDER BY id DESC LIMIT ?", pb_buf_cstr(&where),
                  q->cursor > 0 ? " AND id < ?" : "");
    pb_buf_release(&where);
    rc = pb_db_prepare(c->db, pb_buf_cstr(&sql), &st);
    pb_buf_release(&sql);
    if (rc)
        return pb_err_set(err, PB_E_DB, "数据库错误", "database error");
    bind_all(st, q, 1, 1);
    pb_buf_adds(out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n == q->limit) {
            n++;
            break;
        }
        if (n)
            pb_buf_addc(out, ',');
        put_audit_row(c, out, st);
        last = pb_stmt_col_int(st, 0);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0) {
        out->len = start;
        return pb_err_set(err, PB_E_DB, "数据库错误", "database error");
    }
    pb_buf_adds(out, "],\"next_cursor\":");
    if (n > q->limit) {
        char t[24], enc[48];
        snprintf(t, sizeof t, "%lld", (long long)last);
        pb_b64url_encode(t, strlen(t), enc, sizeof enc);
        pb_buf_json_str(out, enc);
    } else {
        pb_buf_adds(out, "null");
    }
    pb_buf_printf(out, ",\"total\":%lld}", (long long)total);
    return 0;
}

int pb_audit_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    if (pb_db_prepare(c->db, "SELECT " AUDIT_COLS " FROM audit WHERE id = ?", &st))
        return pb_err_set(err, PB_E_DB, "数据库错误", "database error");
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        put_audit_row(c, out, st);
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return pb_err_set(err, rc < 0 ? PB_E_DB : PB_E_NOT_FOUND, "审计记录不存在",
                          "no such audit record");
    return 0;
}
