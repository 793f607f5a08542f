/* sqlite.c: the SQLite driver behind struct pb_db_driver. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_internal.h"

/* The connection: the handle plus the transaction statements, prepared once. */
struct lite_conn {
    sqlite3 *h;
    sqlite3_stmt *begin_r, *begin_w, *commit, *rollback;
};

struct lite_stmt {
    sqlite3_stmt *h;
    int64_t changes;
};

#define LITE(db) ((struct lite_conn *)(db)->conn)
#define LSTMT(st) ((struct lite_stmt *)(st)->h)

/* Busy and locked mean another connection holds what we need: the whole transaction must be
 * retried (a statement alone cannot be: SQLite may have rolled the transaction back). */
static int lite_rc(struct pb_db *db, int rc)
{
    int prim = rc & 0xff;
    sqlite3 *h = LITE(db)->h;
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    pb_db_set_errmsg(db, "%s (%d)", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc), rc);
    if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
        return PB_E_RETRY;
    if (prim == SQLITE_CONSTRAINT) {
        switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_ROWID:
        case SQLITE_CONSTRAINT_FOREIGNKEY:
        case SQLITE_CONSTRAINT_CHECK:
            return PB_E_CONFLICT;
        default:
            /* NOT NULL and the rest are our bugs, not the user's conflict (PostgreSQL's
             * 23502 is likewise PB_E_DB). */
            return PB_E_DB;
        }
    }
    return PB_E_DB;
}

static int lite_exec_stmt(struct pb_db *db, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    int out = lite_rc(db, rc);
    sqlite3_reset(s);
    return out;
}

static void lite_close(struct pb_db *db)
{
    struct lite_conn *c = LITE(db);
    if (!c)
        return;
    sqlite3_finalize(c->begin_r);
    sqlite3_finalize(c->begin_w);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_close_v2(c->h);
    free(c);
    db->conn = NULL;
}

static int lite_open(struct pb_db *db, const char *path)
{
    struct lite_conn *c = pb_xcalloc(1, sizeof *c);
    sqlite3_stmt *s = NULL;
    int rc;

    db->conn = c;
    if (!*path) {
        pb_db_set_errmsg(db, "empty SQLite path");
        goto out_fail;
    }
    /* NOMUTEX: a connection is used by one thread at a time (db.h), so SQLite's per-connection
     * mutex would only cost. Opening and closing stay thread-safe. */
    rc = sqlite3_open_v2(path, &c->h,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        pb_db_set_errmsg(db, "%s: %s", path, c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
        goto out_fail;
    }
    sqlite3_extended_result_codes(c->h, 1);
    /* The busy timeout first, so that switching to WAL waits for a concurrent opener. */
    sqlite3_busy_timeout(c->h, 5000);
    /* Switching a new file to WAL needs an exclusive lock, and SQLite may answer BUSY here
     * without calling the busy handler when several processes open the same new file at once
     * (seen as a flaky "cannot open" in test_migrate_concurrent): retry for up to 5 s. */
    for (int attempt = 0;; attempt++) {
        rc = sqlite3_prepare_v2(c->h, "PRAGMA journal_mode=WAL", -1, &s, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(s);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        sqlite3_finalize(s);
        s = NULL;
        if (attempt == 500)
            break;
        sqlite3_sleep(10);
    }
    if (rc != SQLITE_ROW) {
        pb_db_set_errmsg(db, "%s: %s", path, sqlite3_errmsg(c->h));
        sqlite3_finalize(s);
        goto out_fail;
    }
    {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        if (!mode)
            mode = "";
        /* Not an error (":memory:" reports "memory"), but durability assumptions change. */
        if (strcmp(mode, "wal") && strcmp(mode, "memory"))
            pb_db_log("%s: journal_mode is %s, not wal", path, mode);
    }
    sqlite3_finalize(s);
    rc = sqlite3_exec(c->h, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        pb_db_set_errmsg(db, "%s: %s", path, sqlite3_errmsg(c->h));
        goto out_fail;
    }
    if (sqlite3_prepare_v3(c->h, "BEGIN", -1, SQLITE_PREPARE_PERSISTENT, &c->begin_r, NULL) ||
        sqlite3_prepare_v3(c->h, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &c->begin_w,
                           NULL) ||
        sqlite3_prepare_v3(c->h, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &c->commit, NULL) ||
        sqlite3_prepare_v3(c->h, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &c->rollback, NULL)) {
        pb_db_set_errmsg(db, "%s: %s", path, sqlite3_errmsg(c->h));
        goto out_fail;
    }
    return 0;
out_fail:
    lite_close(db);
    return PB_E_DB;
}

static int lite_exec_script(struct pb_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(LITE(db)->h, sql, NULL, NULL, &msg);
    sqlite3_free(msg); /* sqlite3_errmsg still holds the same text */
    return lite_rc(db, rc);
}

static int lite_in_tx(const struct pb_db *db)
{
    return !sqlite3_get_autocommit(((const struct lite_conn *)db->conn)->h);
}

static int lite_begin(struct pb_db *db, int write)
{
    return lite_exec_stmt(db, write ? LITE(db)->begin_w : LITE(db)->begin_r);
}

static int lite_commit(struct pb_db *db)
{
    if (!lite_in_tx(db)) {
        pb_db_set_errmsg(db, "commit without a transaction");
        return PB_E_DB;
    }
    return lite_exec_stmt(db, LITE(db)->commit);
}

static void lite_rollback(struct pb_db *db)
{
    /* SQLite may already have rolled back by itself (some errors do that): then there is
     * nothing to end, and ROLLBACK would only fail. */
    if (lite_in_tx(db))
        lite_exec_stmt(db, LITE(db)->rollback);
}

static int lite_prepare(struct pb_stmt *st)
{
    struct lite_stmt *ls = pb_xcalloc(1, sizeof *ls);
    const char *tail = NULL;
    int rc =
        sqlite3_prepare_v3(LITE(st->db)->h, st->sql, -1, SQLITE_PREPARE_PERSISTENT, &ls->h, &tail);
    if (rc != SQLITE_OK) {
        rc = lite_rc(st->db, rc);
        free(ls);
        return rc;
    }
    if (!ls->h) {
        pb_db_set_errmsg(st->db, "empty statement");
        free(ls);
        return PB_E_DB;
    }
    while (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';')
        tail++;
    if (*tail) {
        /* SQLite would silently ignore the rest; PostgreSQL refuses it. Refuse here too. */
        pb_db_set_errmsg(st->db, "more than one statement in a prepared text");
        sqlite3_finalize(ls->h);
        free(ls);
        return PB_E_DB;
    }
    st->h = ls;
    return 0;
}

static void lite_finalize(struct pb_stmt *st)
{
    struct lite_stmt *ls = LSTMT(st);
    if (!ls)
        return;
    sqlite3_finalize(ls->h);
    free(ls);
    st->h = NULL;
}

static void lite_reset(struct pb_stmt *st)
{
    struct lite_stmt *ls = LSTMT(st);
    sqlite3_reset(ls->h);
    sqlite3_clear_bindings(ls->h);
    ls->changes = 0;
}

static int lite_bind_rc(struct pb_stmt *st, int rc)
{
    if (rc == SQLITE_OK)
        return 0;
    lite_rc(st->db, rc);
    return PB_E_DB;
}

static int lite_bind_int(struct pb_stmt *st, int idx, int64_t v)
{
    return lite_bind_rc(st, sqlite3_bind_int64(LSTMT(st)->h, idx, v));
}

static int lite_bind_text(struct pb_stmt *st, int idx, const char *s, size_t n)
{
    return lite_bind_rc(
        st, sqlite3_bind_text64(LSTMT(st)->h, idx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int lite_bind_null(struct pb_stmt *st, int idx)
{
    return lite_bind_rc(st, sqlite3_bind_null(LSTMT(st)->h, idx));
}

static int lite_step(struct pb_stmt *st)
{
    struct lite_stmt *ls = LSTMT(st);
    int rc = sqlite3_step(ls->h);
    if (rc == SQLITE_ROW)
        return PB_ROW;
    if (rc == SQLITE_DONE) {
        /* The connection's counter is only this statement's until the next one runs. */
        ls->changes = sqlite3_stmt_readonly(ls->h) ? 0 : sqlite3_changes64(LITE(st->db)->h);
        return PB_DONE;
    }
    return lite_rc(st->db, rc);
}

static int64_t lite_changes(struct pb_stmt *st)
{
    /* Only known once the statement finished: SQLite updates its counter at the end, also
     * for RETURNING statements (db.h: read after PB_DONE). */
    return LSTMT(st)->changes;
}

static int lite_ncols(struct pb_stmt *st)
{
    return sqlite3_column_count(LSTMT(st)->h);
}

static const char *lite_col_name(struct pb_stmt *st, int col)
{
    return sqlite3_column_name(LSTMT(st)->h, col);
}

static int lite_col_null(struct pb_stmt *st, int col)
{
    return sqlite3_column_type(LSTMT(st)->h, col) == SQLITE_NULL;
}

static int64_t lite_col_int(struct pb_stmt *st, int col)
{
    return sqlite3_column_int64(LSTMT(st)->h, col);
}

static const char *lite_col_text(struct pb_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(LSTMT(st)->h, col);
}

const struct pb_db_driver pb_db_sqlite_driver = {
    .open = lite_open,
    .close = lite_close,
    .exec_script = lite_exec_script,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .in_tx = lite_in_tx,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .reset = lite_reset,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .changes = lite_changes,
    .ncols = lite_ncols,
    .col_name = lite_col_name,
    .col_null = lite_col_null,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
};
