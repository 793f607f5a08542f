/* idempotency.c: reserve, replay and store answers of keyed writes. */
#include <stdio.h>
#include <string.h>

#include "core/idempotency.h"
#include "core/resource/resource.h"
#include "core/store/db.h"

#define KEEP_MS ((int64_t)24 * 3600 * 1000)

int pb_idem_key_ok(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n < 1 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = key[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == ':' || ch == '-'))
            return 0;
    }
    return 1;
}

struct begin_args {
    struct pb_ctx *c;
    const char *key, *hash;
    enum pb_idem_state state;
    struct pb_idem_answer *ans;
};

static int begin_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct begin_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    (void)err;
    /* Forget keys past their day, a few at a time, as writes come. */
    if ((rc = pb_db_prepare(db, "DELETE FROM idempotency WHERE created_at < ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->now_ms - KEEP_MS);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO idempotency (account_id, idem_key, request_hash, status, "
                            "created_at) VALUES (?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->who->account_id);
    pb_stmt_bind_text(st, 2, a->key);
    pb_stmt_bind_text(st, 3, a->hash);
    pb_stmt_bind_int(st, 4, a->c->now_ms);
    rc = pb_stmt_step(st);
    if (rc >= 0 && pb_stmt_changes(st) == 1) {
        pb_stmt_done(st);
        a->state = PB_IDEM_NEW;
        return 0;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* The key exists: the same request (replay or in progress) or another one. */
    if ((rc = pb_db_prepare(db,
                            "SELECT request_hash, status, content_type, location, body, etag FROM "
                            "idempotency WHERE account_id = ? AND idem_key = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->who->account_id);
    pb_stmt_bind_text(st, 2, a->key);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        if (strcmp(pb_stmt_col_text(st, 0), a->hash)) {
            a->state = PB_IDEM_MISMATCH;
        } else if (pb_stmt_col_int(st, 1) == 0) {
            a->state = PB_IDEM_IN_PROGRESS;
        } else {
            a->state = PB_IDEM_REPLAY;
            a->ans->status = (int)pb_stmt_col_int(st, 1);
            pb_strlcpy(a->ans->content_type, pb_stmt_col_text(st, 2), sizeof a->ans->content_type);
            pb_strlcpy(a->ans->location, pb_stmt_col_text(st, 3), sizeof a->ans->location);
            a->ans->body = pb_xstrdup(pb_stmt_col_text(st, 4));
            pb_strlcpy(a->ans->etag, pb_stmt_col_text(st, 5), sizeof a->ans->etag);
        }
        rc = 0;
    } else if (rc == PB_DONE) {
        rc = PB_E_RETRY; /* removed between the two statements: try the reservation again */
    }
    pb_stmt_done(st);
    return rc;
}

int pb_idem_begin(struct pb_ctx *c, const char *key, const char *request_hash,
                  enum pb_idem_state *state, struct pb_idem_answer *ans, struct pb_err *err)
{
    struct begin_args a = {c, key, request_hash, PB_IDEM_NEW, ans};
    int rc;
    memset(ans, 0, sizeof *ans);
    rc = pb_db_tx(c->db, 1, begin_tx, &a, err);
    if (rc < 0)
        return rc;
    *state = a.state;
    return 0;
}

struct finish_args {
    struct pb_ctx *c;
    const char *key, *content_type, *location, *etag, *body;
    int status;
};

static int finish_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct finish_args *a = ctx;
    struct pb_stmt *st;
    int rc;
    (void)err;
    if (a->status >= 500) {
        if ((rc = pb_db_prepare(db,
                                "DELETE FROM idempotency WHERE account_id = ? AND idem_key = ? "
                                "AND status = 0",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->c->who->account_id);
        pb_stmt_bind_text(st, 2, a->key);
    } else {
        if ((rc =
                 pb_db_prepare(db,
                               "UPDATE idempotency SET status = ?, content_type = ?, location = ?, "
                               "etag = ?, body = ? WHERE account_id = ? AND idem_key = ?",
                               &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->status);
        pb_stmt_bind_text(st, 2, a->content_type ? a->content_type : "");
        pb_stmt_bind_text(st, 3, a->location ? a->location : "");
        pb_stmt_bind_text(st, 4, a->etag ? a->etag : "");
        pb_stmt_bind_text(st, 5, a->body ? a->body : "");
        pb_stmt_bind_int(st, 6, a->c->who->account_id);
        pb_stmt_bind_text(st, 7, a->key);
    }
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_idem_finish(struct pb_ctx *c, const char *key, int status, const char *content_type,
                   const char *location, const char *etag, const char *body, size_t len)
{
    struct finish_args a = {c, key, content_type, location, etag, NULL, status};
    struct pb_err err;
    char *copy = pb_xstrndup(body ? body : "", body ? len : 0);
    int rc;
    a.body = copy;
    pb_err_clear(&err);
    rc = pb_db_tx(c->db, 1, finish_tx, &a, &err);
    free(copy);
    return rc < 0 ? rc : 0;
}
