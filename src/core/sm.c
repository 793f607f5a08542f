/* sm.c: the state-machine helper (sm.h). SQL identifiers come from the descriptor only. */
#include <stdio.h>
#include <string.h>

#include "core/sm.h"
#include "core/store/query.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

int pb_sm_state_index(const struct pb_sm *m, const char *state)
{
    for (int i = 0; state && m->states[i].name; i++)
        if (!strcmp(m->states[i].name, state))
            return i;
    return -1;
}

const char *pb_sm_label(const struct pb_sm *m, const char *state, int en)
{
    int i = pb_sm_state_index(m, state);
    if (i < 0)
        return state && state[0] ? state : (en ? "none" : "无");
    return en ? m->states[i].label_en : m->states[i].label_zh;
}

const struct pb_sm_edge *pb_sm_edge_find(const struct pb_sm *m, const char *from, const char *to)
{
    int none = !from || !from[0];
    for (const struct pb_sm_edge *e = m->edges; e->to; e++) {
        if (strcmp(e->to, to))
            continue;
        if (none ? !e->from : (e->from && (!strcmp(e->from, "*") || !strcmp(e->from, from))))
            return e;
    }
    return NULL;
}

/* " AND voided_at IS NULL" for voidable machines. */
static const char *live(const struct pb_sm *m)
{
    return m->voidable ? " AND voided_at IS NULL" : "";
}

int pb_sm_state_at(struct pb_db *db, const struct pb_sm *m, int64_t subject, const char *date,
                   char out[32])
{
    char sql[512];
    int rc;
    out[0] = 0;
    if (date)
        snprintf(sql, sizeof sql,
                 "SELECT %s FROM %s WHERE %s = ? AND %s <= ?%s ORDER BY %s DESC, id DESC LIMIT 1",
                 m->state_col, m->table, m->subject_col, m->date_col, live(m), m->date_col);
    else
        snprintf(sql, sizeof sql,
                 "SELECT %s FROM %s WHERE %s = ?%s ORDER BY %s DESC, id DESC LIMIT 1", m->state_col,
                 m->table, m->subject_col, live(m), m->date_col);
    rc = date ? pb_q_row(db, sql, "it", "t", subject, date, out, (size_t)32)
              : pb_q_row(db, sql, "i", "t", subject, out, (size_t)32);
    return rc < 0 ? rc : 0;
}

/* The first live transition after (date, id): its state and whether it has a reason. */
static int next_after(struct pb_db *db, const struct pb_sm *m, int64_t subject, const char *date,
                      int64_t after_id, int64_t skip_id, char state[32], int *has_reason)
{
    char sql[640], reason[8] = "";
    int rc;
    state[0] = 0;
    *has_reason = 0;
    snprintf(sql, sizeof sql,
             "SELECT %s, %s FROM %s WHERE %s = ? AND (%s > ? OR (%s = ? AND id > ?)) AND id <> ?%s "
             "ORDER BY %s, id LIMIT 1",
             m->state_col, m->reason_col ? m->reason_col : "''", m->table, m->subject_col,
             m->date_col, m->date_col, live(m), m->date_col);
    rc = pb_q_row(db, sql, "ittii", "tt", subject, date, date, after_id, skip_id, state, (size_t)32,
                  reason, sizeof reason);
    *has_reason = reason[0] != 0;
    return rc < 0 ? rc : 0;
}

static int invalid(struct pb_err *err)
{
    return pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
}

int pb_sm_move(struct pb_ctx *c, const struct pb_sm *m, int64_t subject,
               const struct pb_sm_move *mv, int64_t *id_out, struct pb_err *err)
{
    char today[32], date[11], prev[32], next[32], sql[768];
    const struct pb_sm_edge *e;
    int rc, next_reason;
    const char *reason = mv->reason ? mv->reason : "";

    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    pb_strlcpy(date, mv->date ? mv->date : today, sizeof date);
    if (pb_sm_state_index(m, mv->to) < 0)
        return pb_err_field(err, PB_E_INVALID, m->state_col, "invalid_choice",
                            "「%s」不是有效的状态", "%s is not a valid state",
                            mv->to && strlen(mv->to) < 32 ? mv->to : "?");
    if (!pb_date_valid(date))
        pb_err_field(err, PB_E_INVALID, "date", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "date must be YYYY-MM-DD");
    else if (!m->future_ok && strcmp(date, today) > 0)
        pb_err_field(err, PB_E_INVALID, "date", "future_date", "日期不能晚于今天",
                     "the date cannot be in the future");
    if (m->evidence_required && (!mv->evidence || !mv->evidence[0]))
        pb_err_field(err, PB_E_INVALID, "evidence", "required", "须提供佐证（文号、照片或文件）",
                     "evidence is required (document number, photo or file)");
    if (err->nfields)
        return invalid(err);

    if ((rc = pb_sm_state_at(c->db, m, subject, date, prev)))
        return rc;
    e = pb_sm_edge_find(m, prev, mv->to);
    if (prev[0] && !strcmp(prev, mv->to))
        pb_err_field(err, PB_E_INVALID, m->state_col, "no_change", "该日期已处于「%s」%.0s",
                     "%.0salready %s on that date", pb_sm_label(m, prev, 0),
                     pb_sm_label(m, prev, 1));
    else if (!e)
        pb_err_field(err, PB_E_INVALID, m->state_col, "transition_not_allowed",
                     "不能从「%s」转为「%s」%.0s%.0s", "%.0s%.0scannot go from %s to %s",
                     pb_sm_label(m, prev, 0), pb_sm_label(m, mv->to, 0), pb_sm_label(m, prev, 1),
                     pb_sm_label(m, mv->to, 1));
    else if (e->needs_reason && !reason[0])
        pb_err_field(err, PB_E_INVALID, "reason", "reason_required", "转为「%s」须说明原因%.0s",
                     "%.0sentering %s needs a reason", pb_sm_label(m, mv->to, 0),
                     pb_sm_label(m, mv->to, 1));
    if (!err->nfields && e && e->guard && (rc = e->guard(c, subject, mv, err)) < 0 && !err->nfields)
        return rc;
    /* Back-dated: the step after it must still be allowed. */
    if (!err->nfields) {
        if ((rc = next_after(c->db, m, subject, date, INT64_MAX, 0, next, &next_reason)))
            return rc;
        if (next[0]) {
            const struct pb_sm_edge *ne = pb_sm_edge_find(m, mv->to, next);
            if (!ne || !strcmp(next, mv->to) || (ne->needs_reason && !next_reason))
                pb_err_field(err, PB_E_INVALID, "date", "breaks_history",
                             "补录后，之后进入「%s」的记录将不再成立%.0s",
                             "%.0safter this, the later step into %s would no longer be allowed",
                             pb_sm_label(m, next, 0), pb_sm_label(m, next, 1));
        }
    }
    if (err->nfields)
        return invalid(err);

    /* Columns in order: subject, region, state, date, [from], [evidence], [reason], created. */
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (%s, region_code, %s, %s%s%s%s%s%s%s, created_at, created_by) "
             "VALUES (?, ?, ?, ?%s%s%s, ?, ?) RETURNING id",
             m->table, m->subject_col, m->state_col, m->date_col, m->from_col ? ", " : "",
             m->from_col ? m->from_col : "", m->evidence_col ? ", " : "",
             m->evidence_col ? m->evidence_col : "", m->reason_col ? ", " : "",
             m->reason_col ? m->reason_col : "", m->from_col ? ", ?" : "",
             m->evidence_col ? ", ?" : "", m->reason_col ? ", ?" : "");
    {
        struct pb_stmt *st;
        int idx = 5;
        if ((rc = pb_db_prepare(c->db, sql, &st)))
            return rc;
        pb_stmt_bind_int(st, 1, subject);
        pb_stmt_bind_text(st, 2, mv->region_code ? mv->region_code : "");
        pb_stmt_bind_text(st, 3, mv->to);
        pb_stmt_bind_text(st, 4, date);
        if (m->from_col) {
            if (prev[0])
                pb_stmt_bind_text(st, idx++, prev);
            else
                pb_stmt_bind_null(st, idx++);
        }
        if (m->evidence_col)
            pb_stmt_bind_text(st, idx++, mv->evidence ? mv->evidence : "");
        if (m->reason_col)
            pb_stmt_bind_text(st, idx++, reason);
        pb_stmt_bind_int(st, idx++, c->now_ms);
        pb_stmt_bind_int(st, idx, c->who->account_id);
        rc = pb_stmt_step(st);
        if (rc == PB_ROW && id_out)
            *id_out = pb_stmt_col_int(st, 0);
        pb_stmt_done(st);
        if (rc != PB_ROW)
            return rc < 0 ? rc : PB_E_DB;
    }
    return 0;
}

int pb_sm_void(struct pb_ctx *c, const struct pb_sm *m, int64_t subject, int64_t transition_id,
               const char *reason, struct pb_err *err)
{
    char sql[512], state[32] = "", date[16] = "", prev[32], next[32];
    int64_t voided = 0;
    int rc, next_reason;
    if (!m->voidable)
        return pb_err_set(err, PB_E_BAD_REQUEST, "此类记录不可作废",
                          "these records cannot be voided");
    if (!reason || !reason[0])
        return pb_err_field(err, PB_E_INVALID, "reason", "required", "作废须说明原因",
                            "voiding needs a reason");
    snprintf(sql, sizeof sql,
             "SELECT %s, %s, voided_at IS NOT NULL FROM %s WHERE id = ? AND %s = ?", m->state_col,
             m->date_col, m->table, m->subject_col);
    rc = pb_q_row(c->db, sql, "ii", "tti", transition_id, subject, state, sizeof state, date,
                  sizeof date, &voided);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pb_err_set(err, PB_E_NOT_FOUND, "记录不存在", "record not found");
    if (voided)
        return pb_err_set(err, PB_E_CONFLICT, "该记录已作废", "the record is already voided");
    /* Without it, the step after it must still be allowed from the state before it. */
    snprintf(sql, sizeof sql,
             "SELECT %s FROM %s WHERE %s = ? AND (%s < ? OR (%s = ? AND id < ?)) AND "
             "voided_at IS NULL ORDER BY %s DESC, id DESC LIMIT 1",
             m->state_col, m->table, m->subject_col, m->date_col, m->date_col, m->date_col);
    prev[0] = 0;
    if ((rc = pb_q_row(c->db, sql, "itti", "t", subject, date, date, transition_id, prev,
                       sizeof prev)) < 0)
        return rc;
    if ((rc =
             next_after(c->db, m, subject, date, transition_id, transition_id, next, &next_reason)))
        return rc;
    if (next[0]) {
        const struct pb_sm_edge *ne = pb_sm_edge_find(m, prev, next);
        if (!ne || (prev[0] && !strcmp(prev, next)) || (ne->needs_reason && !next_reason))
            return pb_err_field(err, PB_E_CONFLICT, "id", "breaks_history",
                                "作废后，之后进入「%s」的记录将不再成立%.0s",
                                "%.0swithout it, the later step into %s would not be allowed",
                                pb_sm_label(m, next, 0), pb_sm_label(m, next, 1));
    }
    snprintf(sql, sizeof sql,
             "UPDATE %s SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ? AND "
             "voided_at IS NULL",
             m->table);
    return pb_q_exec(c->db, NULL, sql, "iiti", c->now_ms, c->who->account_id, reason,
                     transition_id);
}

int pb_sm_history(struct pb_ctx *c, const struct pb_sm *m, int64_t subject, struct pb_buf *out,
                  struct pb_err *err)
{
    char sql[768], cols[16];
    int rc;
    size_t k = 0;
    (void)err;
    /* Column letters follow the SELECT below. */
    cols[k++] = 'i';
    cols[k++] = 't';
    if (m->from_col)
        cols[k++] = 't';
    cols[k++] = 't';
    if (m->evidence_col)
        cols[k++] = 't';
    if (m->reason_col)
        cols[k++] = 't';
    cols[k++] = 'T';
    cols[k++] = 'i';
    if (m->voidable) {
        cols[k++] = 'b';
        cols[k++] = 'T';
        cols[k++] = 'i';
        cols[k++] = 't';
    }
    cols[k] = 0;
    snprintf(sql, sizeof sql,
             "SELECT id, %s AS %s%s%s%s, %s AS date%s%s%s%s%s%s, created_at, created_by%s FROM %s "
             "WHERE %s = ? ORDER BY %s, id",
             m->state_col, m->state_col, m->from_col ? ", " : "", m->from_col ? m->from_col : "",
             "", m->date_col, m->evidence_col ? ", " : "", m->evidence_col ? m->evidence_col : "",
             m->evidence_col ? " AS evidence" : "", m->reason_col ? ", " : "",
             m->reason_col ? m->reason_col : "", m->reason_col ? " AS reason" : "",
             m->voidable ? ", voided_at IS NOT NULL AS voided, voided_at, voided_by, void_reason"
                         : "",
             m->table, m->subject_col, m->date_col);
    rc = pb_q_json(c->db, out, 1, cols, NULL, sql, "i", subject);
    return rc;
}
