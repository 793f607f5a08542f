/* pg.c: the PostgreSQL driver behind struct pb_db_driver (libpq, synchronous calls).
 *
 * Statements are server-side prepared ("pbN") and executed with every parameter as text of
 * unknown type, results in text format: the server infers parameter types from the SQL, so the
 * same SQL and the same binds work as on SQLite. A result is fetched whole at the first step,
 * so a connection can run another query while the caller still reads rows of this one. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store/store_internal.h"

struct pg_conn {
    PGconn *c;
    unsigned next_id;
    unsigned gen; /* bumped by every reconnect: the server forgot our prepared statements */
    int tx;       /* we opened a transaction and have not ended it (survives a lost link) */
    /* Names to DEALLOCATE once the transaction is usable again (evicted inside a failed one). */
    char **dealloc;
    size_t ndealloc, dealloc_cap;
};

struct pg_stmt {
    char name[24];
    unsigned gen; /* generation it was prepared in; stale means prepare again */
    char *sql;    /* `?` rewritten to $n */
    int nparams;
    char **vals; /* nparams bound values as text, NULL for NULL */
    PGresult *res;
    PGresult *desc; /* columns, when asked before the first step */
    int row, nrows;
    int64_t changes;
};

#define PGC(db) ((struct pg_conn *)(db)->conn)
#define PST(st) ((struct pg_stmt *)(st)->h)

static int ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

/* At p (a '$'): length of a dollar-quote tag "$tag$" or "$$", or 0 if it is not one
 * ($1 and the like are parameters, not tags). */
static size_t dollar_tag(const char *p)
{
    size_t i = 1;
    if (p[1] == '$')
        return 2;
    if (!((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '_' ||
          (unsigned char)p[1] >= 0x80))
        return 0;
    while (p[i] && p[i] != '$' && ident_char((unsigned char)p[i]))
        i++;
    return p[i] == '$' ? i + 1 : 0;
}

char *pb_db_pg_placeholders(const char *sql, int *nparams)
{
    struct pb_buf b;
    const char *p = sql, *s;
    int n = 0;

    pb_buf_init(&b, 0);
    while (*p) {
        s = p;
        if (*p == '\'') {
            /* E'...' takes backslash escapes; a plain literal only doubles the quote. */
            int esc = p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
                      (p - 1 == sql || !ident_char((unsigned char)p[-2]));
            for (p++; *p; p++) {
                if (esc && *p == '\\' && p[1]) {
                    p++;
                } else if (*p == '\'') {
                    if (p[1] != '\'') {
                        p++;
                        break;
                    }
                    p++;
                }
            }
            pb_buf_add(&b, s, (size_t)(p - s));
        } else if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"') {
                    if (p[1] != '"') {
                        p++;
                        break;
                    }
                    p++;
                }
            }
            pb_buf_add(&b, s, (size_t)(p - s));
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            pb_buf_add(&b, s, (size_t)(p - s));
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 1; /* PostgreSQL block comments nest */
            for (p += 2; *p && depth; p++) {
                if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p++;
                } else if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    p++;
                }
            }
            pb_buf_add(&b, s, (size_t)(p - s));
        } else if (*p == '$' && (p == sql || !ident_char((unsigned char)p[-1])) && dollar_tag(p)) {
            size_t tl = dollar_tag(p);
            const char *end = NULL;
            for (const char *q = p + tl; *q; q++) {
                if (*q == '$' && !strncmp(q, p, tl)) {
                    end = q + tl;
                    break;
                }
            }
            p = end ? end : p + strlen(p);
            pb_buf_add(&b, s, (size_t)(p - s));
        } else if (*p == '?') {
            pb_buf_printf(&b, "$%d", ++n);
            p++;
        } else {
            /* A run of ordinary bytes, up to the next character that may start something. */
            while (*p && !strchr("'\"-/$?", *p))
                p++;
            if (p == s)
                p++;
            pb_buf_add(&b, s, (size_t)(p - s));
        }
    }
    *nparams = n;
    return pb_buf_detach(&b, NULL);
}

/* Remove needle from db->errmsg (a password libpq might echo back). */
static void scrub(struct pb_db *db, const char *needle)
{
    size_t nl;
    char *m;
    if (!needle || !*needle)
        return;
    nl = strlen(needle);
    while ((m = strstr(db->errmsg, needle))) {
        memset(m, '*', 3 < nl ? 3 : nl);
        memmove(m + (3 < nl ? 3 : nl), m + nl, strlen(m + nl) + 1);
    }
}

static void scrub_passwords(struct pb_db *db, const char *url)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    const char *auth = strstr(url, "://"), *end, *at, *colon;
    if (opts) {
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (!strcmp(o->keyword, "password") && o->val)
                scrub(db, o->val);
        PQconninfoFree(opts);
    }
    /* The raw, possibly percent-encoded, form as well. */
    if (!auth)
        return;
    auth += 3;
    end = auth + strcspn(auth, "/?");
    at = NULL;
    for (const char *q = auth; q < end; q++)
        if (*q == '@')
            at = q;
    if (!at)
        return;
    colon = memchr(auth, ':', (size_t)(at - auth));
    if (colon && at > colon + 1) {
        char *raw = pb_xstrndup(colon + 1, (size_t)(at - colon - 1));
        scrub(db, raw);
        free(raw);
    }
}

static void pg_set_msg(struct pb_db *db, const PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : "";
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(PGC(db)->c);
    pb_db_set_errmsg(db, "%s%s%s", state ? state : "", state ? ": " : "", msg);
}

/* Map a failed result. lost_rc: what a broken connection means here (PB_E_RETRY inside our
 * transaction, which was certainly not committed; PB_E_DB where the outcome is unknown). */
static int pg_fail(struct pb_db *db, const PGresult *res, int lost_rc)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    pg_set_msg(db, res);
    if (state) {
        if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
            return PB_E_RETRY;
        if (!strcmp(state, "23505") || !strcmp(state, "23503") || !strcmp(state, "23514"))
            return PB_E_CONFLICT;
        /* admin_shutdown, crash_shutdown, cannot_connect_now, connection_exception class */
        if (!strncmp(state, "57P0", 4) || !strncmp(state, "08", 2))
            return lost_rc;
    }
    if (PQstatus(PGC(db)->c) == CONNECTION_BAD)
        return lost_rc;
    return PB_E_DB;
}

static int pg_lost_rc(struct pb_db *db)
{
    return PGC(db)->tx ? PB_E_RETRY : PB_E_DB;
}

static void pg_notice(void *arg, const PGresult *res)
{
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    (void)arg;
    /* NOTICEs ("table does not exist, skipping") are chatter; WARNINGs deserve a log line. */
    if (sev && !strcmp(sev, "WARNING"))
        pb_db_log("server warning: %s", PQresultErrorMessage(res));
}

static int pg_session(struct pb_db *db)
{
    PGconn *c = PGC(db)->c;
    PGresult *res;
    int ok;
    if (PQsetClientEncoding(c, "UTF8")) {
        pg_set_msg(db, NULL);
        return PB_E_DB;
    }
    res = PQexec(c, "SET TimeZone TO 'UTC'; "
                    "SET default_transaction_isolation TO 'read committed'");
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        pg_set_msg(db, res);
    PQclear(res);
    return ok ? 0 : PB_E_DB;
}

static void pg_forget_dealloc(struct pg_conn *pc)
{
    for (size_t i = 0; i < pc->ndealloc; i++)
        free(pc->dealloc[i]);
    pc->ndealloc = 0;
}

static void pg_close(struct pb_db *db)
{
    struct pg_conn *pc = PGC(db);
    if (!pc)
        return;
    PQfinish(pc->c); /* the server rolls back an open transaction */
    pg_forget_dealloc(pc);
    free(pc->dealloc);
    free(pc);
    db->conn = NULL;
}

static int pg_open(struct pb_db *db, const char *url)
{
    struct pg_conn *pc = pb_xcalloc(1, sizeof *pc);
    db->conn = pc;
    pc->gen = 1;
    pc->c = PQconnectdb(url);
    if (!pc->c) {
        pb_db_set_errmsg(db, "out of memory in libpq");
        goto out_fail;
    }
    if (PQstatus(pc->c) != CONNECTION_OK) {
        pg_set_msg(db, NULL);
        scrub_passwords(db, url);
        goto out_fail;
    }
    PQsetNoticeReceiver(pc->c, pg_notice, NULL);
    if (pg_session(db) < 0)
        goto out_fail;
    return 0;
out_fail:
    pg_close(db);
    return PB_E_DB;
}

/* Reconnect after the server went away; 0 if the connection is usable again. */
static int pg_reconnect(struct pb_db *db)
{
    struct pg_conn *pc = PGC(db);
    PQreset(pc->c);
    pc->gen++;
    pc->tx = 0;
    pg_forget_dealloc(pc);
    if (PQstatus(pc->c) != CONNECTION_OK) {
        pg_set_msg(db, NULL);
        return PB_E_DB;
    }
    pb_db_log("reconnected to PostgreSQL");
    return pg_session(db);
}

/* Run one command that returns no rows. */
static int pg_command(struct pb_db *db, const char *sql, int lost_rc)
{
    PGresult *res = PQexec(PGC(db)->c, sql);
    int rc = 0;
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        rc = pg_fail(db, res, lost_rc);
    PQclear(res);
    return rc;
}

static int pg_exec_script(struct pb_db *db, const char *sql)
{
    return pg_command(db, sql, pg_lost_rc(db));
}

static int pg_in_tx(const struct pb_db *db)
{
    const struct pg_conn *pc = db->conn;
    PGTransactionStatusType ts = PQtransactionStatus(pc->c);
    if (ts == PQTRANS_UNKNOWN)
        return pc->tx;
    return ts != PQTRANS_IDLE;
}

static void pg_flush_dealloc(struct pb_db *db)
{
    struct pg_conn *pc = PGC(db);
    char sql[48];
    for (size_t i = 0; i < pc->ndealloc; i++) {
        PGresult *res;
        snprintf(sql, sizeof sql, "DEALLOCATE %s", pc->dealloc[i]);
        res = PQexec(pc->c, sql);
        PQclear(res);
    }
    pg_forget_dealloc(pc);
}

static int pg_begin(struct pb_db *db, int write)
{
    struct pg_conn *pc = PGC(db);
    int rc;
    (void)write; /* READ COMMITTED either way; writers lock rows with UPDATE ... RETURNING */
    if (PQstatus(pc->c) == CONNECTION_BAD) {
        rc = pg_reconnect(db);
        if (rc < 0)
            return rc;
        rc = pg_command(db, "BEGIN", PB_E_DB);
    } else {
        /* A server restart is only noticed by the next command: if BEGIN finds the link
         * dead, reconnect once and try again. */
        rc = pg_command(db, "BEGIN", PB_E_RETRY);
        if (rc == PB_E_RETRY && PQstatus(pc->c) == CONNECTION_BAD) {
            rc = pg_reconnect(db);
            if (rc == 0)
                rc = pg_command(db, "BEGIN", PB_E_DB);
        }
    }
    if (rc == 0)
        pc->tx = 1;
    return rc;
}

static int pg_commit(struct pb_db *db)
{
    struct pg_conn *pc = PGC(db);
    PGresult *res;
    int rc = 0;

    if (PQtransactionStatus(pc->c) == PQTRANS_INERROR) {
        /* COMMIT would "succeed" by rolling back: a statement failed and fn ignored it. */
        char first[PB_DB_ERRMSG_MAX - 64];
        pb_strlcpy(first, db->errmsg, sizeof first);
        pb_db_set_errmsg(db, "commit after a failed statement (last error: %s)", first);
        pg_command(db, "ROLLBACK", PB_E_DB);
        pc->tx = 0;
        pg_flush_dealloc(db);
        return PB_E_DB;
    }
    res = PQexec(pc->c, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        /* A broken link here leaves the outcome unknown: never report it as retryable. */
        rc = pg_fail(db, res, PB_E_DB);
        if (PQstatus(pc->c) == CONNECTION_BAD)
            pb_db_log("connection lost during COMMIT; outcome unknown");
    } else if (strcmp(PQcmdStatus(res), "COMMIT")) {
        pb_db_set_errmsg(db, "COMMIT answered %s", PQcmdStatus(res));
        rc = PB_E_DB;
    }
    PQclear(res);
    /* A failed COMMIT also ends the transaction; only a dead link leaves it unknown. */
    if (PQtransactionStatus(pc->c) != PQTRANS_INTRANS)
        pc->tx = 0;
    if (pc->ndealloc && PQtransactionStatus(pc->c) == PQTRANS_IDLE)
        pg_flush_dealloc(db);
    return rc;
}

static void pg_rollback(struct pb_db *db)
{
    struct pg_conn *pc = PGC(db);
    PGTransactionStatusType ts = PQtransactionStatus(pc->c);
    pc->tx = 0;
    if (ts == PQTRANS_UNKNOWN)
        return; /* link lost: the server has rolled back; the next begin reconnects */
    if (ts != PQTRANS_IDLE)
        pg_command(db, "ROLLBACK", PB_E_DB);
    if (pc->ndealloc && PQtransactionStatus(pc->c) == PQTRANS_IDLE)
        pg_flush_dealloc(db);
}

static int pg_do_prepare(struct pb_stmt *st)
{
    struct pg_conn *pc = PGC(st->db);
    struct pg_stmt *ps = PST(st);
    PGresult *res;
    int rc = 0;

    snprintf(ps->name, sizeof ps->name, "pb%u", ++pc->next_id);
    res = PQprepare(pc->c, ps->name, ps->sql, ps->nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(st->db, res, pg_lost_rc(st->db));
    else
        ps->gen = pc->gen;
    PQclear(res);
    PQclear(ps->desc);
    ps->desc = NULL;
    return rc;
}

static int pg_prepare(struct pb_stmt *st)
{
    struct pg_stmt *ps = pb_xcalloc(1, sizeof *ps);
    int rc;
    st->h = ps;
    ps->sql = pb_db_pg_placeholders(st->sql, &ps->nparams);
    if (ps->nparams)
        ps->vals = pb_xcalloc((size_t)ps->nparams, sizeof *ps->vals);
    ps->row = -1;
    rc = pg_do_prepare(st);
    if (rc < 0) {
        free(ps->vals);
        free(ps->sql);
        free(ps);
        st->h = NULL;
    }
    return rc;
}

static void pg_clear_binds(struct pg_stmt *ps)
{
    for (int i = 0; i < ps->nparams; i++) {
        free(ps->vals[i]);
        ps->vals[i] = NULL;
    }
}

static void pg_finalize(struct pb_stmt *st)
{
    struct pg_conn *pc = PGC(st->db);
    struct pg_stmt *ps = PST(st);
    if (!ps)
        return;
    /* Server-side statements die with the connection; while it lives, free them, now if the
     * transaction accepts commands, else after its rollback. */
    if (!st->db->closing && ps->gen == pc->gen && PQstatus(pc->c) == CONNECTION_OK) {
        PGTransactionStatusType ts = PQtransactionStatus(pc->c);
        if (ts == PQTRANS_INERROR) {
            if (pc->ndealloc == pc->dealloc_cap) {
                pc->dealloc_cap = pc->dealloc_cap ? pc->dealloc_cap * 2 : 16;
                pc->dealloc = pb_xrealloc(pc->dealloc, pc->dealloc_cap * sizeof *pc->dealloc);
            }
            pc->dealloc[pc->ndealloc++] = pb_xstrdup(ps->name);
        } else {
            char sql[48];
            PGresult *res;
            snprintf(sql, sizeof sql, "DEALLOCATE %s", ps->name);
            res = PQexec(pc->c, sql);
            PQclear(res);
        }
    }
    pg_clear_binds(ps);
    free(ps->vals);
    PQclear(ps->res);
    PQclear(ps->desc);
    free(ps->sql);
    free(ps);
    st->h = NULL;
}

static void pg_reset(struct pb_stmt *st)
{
    struct pg_stmt *ps = PST(st);
    pg_clear_binds(ps);
    PQclear(ps->res);
    ps->res = NULL;
    ps->row = -1;
    ps->nrows = 0;
    ps->changes = 0;
}

static int pg_bind(struct pb_stmt *st, int idx, char *val)
{
    struct pg_stmt *ps = PST(st);
    if (idx < 1 || idx > ps->nparams) {
        free(val);
        return PB_E_DB;
    }
    free(ps->vals[idx - 1]);
    ps->vals[idx - 1] = val;
    return 0;
}

static int pg_bind_int(struct pb_stmt *st, int idx, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    return pg_bind(st, idx, pb_xstrdup(buf));
}

static int pg_bind_text(struct pb_stmt *st, int idx, const char *s, size_t n)
{
    /* Text parameters end at a NUL; PostgreSQL text cannot hold one anyway. */
    return pg_bind(st, idx, pb_xstrndup(s, n));
}

static int pg_bind_null(struct pb_stmt *st, int idx)
{
    return pg_bind(st, idx, NULL);
}

static int pg_step(struct pb_stmt *st)
{
    struct pg_conn *pc = PGC(st->db);
    struct pg_stmt *ps = PST(st);

    if (!ps->res) {
        PGresult *res;
        ExecStatusType s;
        int rc;
        if (ps->gen != pc->gen) {
            rc = pg_do_prepare(st); /* prepared before a reconnect */
            if (rc < 0)
                return rc;
        }
        res = PQexecPrepared(pc->c, ps->name, ps->nparams, (const char *const *)ps->vals, NULL,
                             NULL, 0);
        s = PQresultStatus(res);
        if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
            rc = pg_fail(st->db, res, pg_lost_rc(st->db));
            PQclear(res);
            return rc;
        }
        ps->res = res;
        ps->nrows = PQntuples(res);
        ps->row = -1;
        {
            /* PQcmdTuples also counts the rows a SELECT returned; db.h means rows changed. */
            const char *tag = PQcmdStatus(res);
            int dml = !strncmp(tag, "INSERT ", 7) || !strncmp(tag, "UPDATE ", 7) ||
                      !strncmp(tag, "DELETE ", 7) || !strncmp(tag, "MERGE ", 6);
            ps->changes = dml ? strtoll(PQcmdTuples(res), NULL, 10) : 0;
        }
    }
    if (ps->row + 1 < ps->nrows) {
        ps->row++;
        return PB_ROW;
    }
    ps->row = ps->nrows;
    return PB_DONE;
}

static int64_t pg_changes(struct pb_stmt *st)
{
    return PST(st)->changes;
}

/* The result that describes the columns: the executed one, or a description fetched once. */
static const PGresult *pg_shape(struct pb_stmt *st)
{
    struct pg_stmt *ps = PST(st);
    if (ps->res)
        return ps->res;
    if (!ps->desc) {
        if (ps->gen != PGC(st->db)->gen && pg_do_prepare(st) < 0)
            return NULL;
        ps->desc = PQdescribePrepared(PGC(st->db)->c, ps->name);
        if (PQresultStatus(ps->desc) != PGRES_COMMAND_OK) {
            pg_set_msg(st->db, ps->desc);
            PQclear(ps->desc);
            ps->desc = NULL;
        }
    }
    return ps->desc;
}

static int pg_ncols(struct pb_stmt *st)
{
    const PGresult *r = pg_shape(st);
    return r ? PQnfields(r) : 0;
}

static const char *pg_col_name(struct pb_stmt *st, int col)
{
    const PGresult *r = pg_shape(st);
    return r && col >= 0 && col < PQnfields(r) ? PQfname(r, col) : NULL;
}

/* The current row's value, or NULL when there is no such row or column or it is NULL. */
static const char *pg_value(struct pb_stmt *st, int col)
{
    struct pg_stmt *ps = PST(st);
    if (!ps->res || ps->row < 0 || ps->row >= ps->nrows || col < 0 || col >= PQnfields(ps->res) ||
        PQgetisnull(ps->res, ps->row, col))
        return NULL;
    return PQgetvalue(ps->res, ps->row, col);
}

static int pg_col_null(struct pb_stmt *st, int col)
{
    return pg_value(st, col) == NULL;
}

static int64_t pg_col_int(struct pb_stmt *st, int col)
{
    const char *v = pg_value(st, col);
    if (!v)
        return 0;
    /* Comparisons come back as PostgreSQL booleans; SQLite gives 1/0 for the same SQL. */
    if (!strcmp(v, "t"))
        return 1;
    if (!strcmp(v, "f"))
        return 0;
    return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct pb_stmt *st, int col)
{
    return pg_value(st, col);
}

const struct pb_db_driver pb_db_pg_driver = {
    .open = pg_open,
    .close = pg_close,
    .exec_script = pg_exec_script,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_tx = pg_in_tx,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .changes = pg_changes,
    .ncols = pg_ncols,
    .col_name = pg_col_name,
    .col_null = pg_col_null,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
};
