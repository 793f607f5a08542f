/* sm.h: the one state-machine helper: states, allowed transitions with guards, dated and
 * evidenced transitions kept as history, the state at any date, and void with a reason.
 *
 * A module declares its machine as data and keeps the history in a table of its own whose
 * column names the descriptor gives (all SQL identifiers come from here, never from input):
 *
 *     static const struct pb_sm_state lead_states[] = {
 *         {"lead", "线索", "lead"}, {"contacted", "接洽", "contacted"}, ..., {NULL}};
 *     static const struct pb_sm_edge lead_edges[] = {
 *         {NULL, "lead"}, {"lead", "contacted"}, {"contacted", "negotiating"},
 *         {"negotiating", "signed", .guard = signed_guard}, {"*", "lost", .needs_reason = 1},
 *         {NULL, NULL}};
 *     const struct pb_sm investment_sm = {"investment", lead_states, lead_edges,
 *         .table = "investment_transition", .subject_col = "investment_id",
 *         .state_col = "stage", .from_col = "from_stage", .date_col = "on_date",
 *         .evidence_col = "evidence", .reason_col = "reason", .voidable = 1};
 *
 * The history table has, besides the named columns: id (@PK@), region_code, created_at,
 * created_by, and (voidable) voided_at, voided_by, void_reason.
 *
 * Dates are civil dates (YYYY-MM-DD, China Standard Time). A transition may be back-dated: the
 * edge is checked from the state on that date, and the next later transition must still be
 * allowed after it. All functions run inside the caller's transaction (an operation's run). */
#ifndef PB_SM_H
#define PB_SM_H

#include "core/resource/resource.h"

struct pb_sm_move;

struct pb_sm_state {
    const char *name; /* identifier stored in the history */
    const char *label_zh, *label_en;
};

struct pb_sm_edge {
    const char *from; /* NULL: the first transition (no state yet); "*": any state */
    const char *to;   /* NULL terminates the table */
    unsigned needs_reason : 1;
    /* Extra rule (may be NULL): add field errors and return PB_E_INVALID, or 0. */
    int (*guard)(struct pb_ctx *c, int64_t subject, const struct pb_sm_move *mv,
                 struct pb_err *err);
};

struct pb_sm {
    const char *name; /* for messages, e.g. "investment" */
    const struct pb_sm_state *states;
    const struct pb_sm_edge *edges;
    const char *table;        /* the history table */
    const char *subject_col;  /* the subject's id column */
    const char *state_col;    /* the state entered; also the input field named in errors */
    const char *from_col;     /* the state left, or NULL when not stored */
    const char *date_col;     /* the civil date of the transition */
    const char *evidence_col; /* or NULL */
    const char *reason_col;   /* or NULL */
    unsigned evidence_required : 1;
    unsigned voidable : 1;  /* voided_at, voided_by, void_reason columns */
    unsigned future_ok : 1; /* planned dates allowed (default: not after today) */
};

/* One requested transition (input, validated by the operation's fields for shape). */
struct pb_sm_move {
    const char *to;
    const char *date; /* NULL: today (CST) */
    const char *evidence;
    const char *reason;
    const char *region_code; /* the subject's region (kept on the history row) */
};

/* The state's index in m->states, or -1. */
int pb_sm_state_index(const struct pb_sm *m, const char *state);
/* The state's label in the language, or the name itself. */
const char *pb_sm_label(const struct pb_sm *m, const char *state, int en);
/* The edge from `from` ("" or NULL: none yet) to `to`, or NULL when not allowed. */
const struct pb_sm_edge *pb_sm_edge_find(const struct pb_sm *m, const char *from, const char *to);

/* The state on a date (inclusive; NULL: the latest) from the non-voided history; "" when the
 * subject had none then. 0 or rc. */
int pb_sm_state_at(struct pb_db *db, const struct pb_sm *m, int64_t subject, const char *date,
                   char out[32]);
/* Record a transition after checking: `to` is a state, the date is real (and not in the
 * future unless future_ok), the edge is allowed from the state on that date, its reason and
 * guard, the evidence when required, and that a later transition stays allowed. Field errors
 * name state_col, "date", "evidence" and "reason"; PB_E_INVALID. *id_out gets the new row. */
int pb_sm_move(struct pb_ctx *c, const struct pb_sm *m, int64_t subject,
               const struct pb_sm_move *mv, int64_t *id_out, struct pb_err *err);
/* Void a wrong transition with a reason (voidable machines): the history keeps it, marked; a
 * later transition must stay allowed without it. PB_E_NOT_FOUND for another subject's row,
 * PB_E_CONFLICT when already voided. */
int pb_sm_void(struct pb_ctx *c, const struct pb_sm *m, int64_t subject, int64_t transition_id,
               const char *reason, struct pb_err *err);
/* The history as a JSON array, oldest first: {"id", state_col, from_col?, "date", "evidence"?,
 * "reason"?, "created_at", "created_by", "voided"...}. */
int pb_sm_history(struct pb_ctx *c, const struct pb_sm *m, int64_t subject, struct pb_buf *out,
                  struct pb_err *err);

#endif
