/* db.c: the portable half of the database API: URL dispatch, the per-connection statement
 * cache, fault injection, the transaction retry loop and the migrations runner. The drivers
 * (sqlite.c, pg.c) sit behind struct pb_db_driver. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/store/store_internal.h"

enum { ST_FRESH = 0, ST_RUNNING = 1, ST_FINISHED = 2 };

#define TX_MAX_ATTEMPTS 20
#define CORE_MIGRATIONS "src/core/migrations/"
#define MODULE_PREFIX "src/modules/"
#define MIGRATION_LOCK_KEY "727272"

void pb_db_set_errmsg(struct pb_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
}

void pb_db_log(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Driver messages end in a newline (libpq); one line per event keeps logs greppable. */
    if (n > 0) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        for (char *p = line; *p; p++)
            if (*p == '\n' || *p == '\r' || *p == '\t')
                *p = ' ';
    }
    fprintf(stderr, "parkbrain: db: %s\n", line);
}

/* ---- connections ---- */

int pb_db_open(const char *url, struct pb_db **out, struct pb_err *err)
{
    struct pb_db *db;
    const struct pb_db_driver *drv;
    enum pb_db_kind kind;
    const char *target;
    int rc;

    *out = NULL;
    if (!url)
        url = "";
    if (!strncmp(url, "sqlite:", 7)) {
        drv = &pb_db_sqlite_driver;
        kind = PB_DB_SQLITE;
        target = url + 7;
    } else if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11)) {
        drv = &pb_db_pg_driver;
        kind = PB_DB_PG;
        target = url;
    } else {
        return pb_err_set(err, PB_E_DB, "不支持的数据库地址（应为 sqlite:路径 或 postgresql://…）",
                          "Unsupported database URL (expected sqlite:PATH or postgresql://...)");
    }
    db = pb_xcalloc(1, sizeof *db);
    db->drv = drv;
    db->kind = kind;
    rc = drv->open(db, target);
    if (rc < 0) {
        /* The driver message can name hosts and users; it goes to the log, never to clients.
         * Drivers scrub passwords from it before it reaches errmsg. */
        pb_db_log("open failed: %s", db->errmsg);
        free(db);
        return pb_err_set(err, PB_E_DB, "无法打开数据库", "Cannot open the database");
    }
    *out = db;
    return 0;
}

static void cache_free_all(struct pb_db *db)
{
    for (size_t i = 0; i < PB_STMT_BUCKETS; i++) {
        struct pb_stmt *st = db->buckets[i], *next;
        for (; st; st = next) {
            next = st->next;
            db->drv->finalize(st);
            free(st->sql);
            free(st);
        }
        db->buckets[i] = NULL;
    }
    db->nstmts = 0;
}

void pb_db_close(struct pb_db *db)
{
    if (!db)
        return;
    db->closing = 1;
    cache_free_all(db);
    db->drv->close(db);
    free(db);
}

enum pb_db_kind pb_db_kind(const struct pb_db *db)
{
    return db->kind;
}

const char *pb_db_errmsg(struct pb_db *db)
{
    return db->errmsg;
}

int pb_db_stmt_count(const struct pb_db *db)
{
    return db->nstmts;
}

/* ---- statement cache ---- */

static uint32_t sql_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a: SQL texts are short and trusted */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static void cache_unlink(struct pb_db *db, struct pb_stmt *victim)
{
    struct pb_stmt **pp = &db->buckets[victim->hash & (PB_STMT_BUCKETS - 1)];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == victim) {
            *pp = victim->next;
            db->nstmts--;
            return;
        }
    }
}

/* Over capacity: finalize the least recently returned idle statement. A linear scan of at most
 * a few hundred entries is cheap next to the prepare that caused it, and only happens once a
 * workload has more distinct SQL texts than the cache holds. */
static void cache_evict(struct pb_db *db)
{
    while (db->nstmts > PB_STMT_CACHE_MAX) {
        struct pb_stmt *lru = NULL;
        for (size_t i = 0; i < PB_STMT_BUCKETS; i++)
            for (struct pb_stmt *st = db->buckets[i]; st; st = st->next)
                if (!st->in_use && (!lru || st->used_at < lru->used_at))
                    lru = st;
        if (!lru)
            return; /* everything is in use: the caller nests deeply; let it grow */
        cache_unlink(db, lru);
        db->drv->finalize(lru);
        free(lru->sql);
        free(lru);
    }
}

int pb_db_prepare(struct pb_db *db, const char *sql, struct pb_stmt **out)
{
    uint32_t h = sql_hash(sql);
    struct pb_stmt **bucket = &db->buckets[h & (PB_STMT_BUCKETS - 1)];
    struct pb_stmt *st;
    int rc;

    *out = NULL;
    for (st = *bucket; st; st = st->next) {
        if (st->hash == h && !st->in_use && !strcmp(st->sql, sql)) {
            st->in_use = 1;
            *out = st;
            return 0;
        }
    }
    /* Not cached, or every cached copy is in use (a nested query on the same text): a new
     * statement, which joins the cache when done. */
    st = pb_xcalloc(1, sizeof *st);
    st->db = db;
    st->sql = pb_xstrdup(sql);
    st->hash = h;
    rc = db->drv->prepare(st);
    if (rc < 0) {
        free(st->sql);
        free(st);
        return rc;
    }
    st->in_use = 1;
    st->next = *bucket;
    *bucket = st;
    db->nstmts++;
    cache_evict(db);
    *out = st;
    return 0;
}

void pb_stmt_done(struct pb_stmt *st)
{
    if (!st)
        return;
    st->db->drv->reset(st);
    st->state = ST_FRESH;
    st->final_rc = 0;
    st->bind_err = 0;
    st->in_use = 0;
    st->used_at = ++st->db->tick;
    if (st->db->nstmts > PB_STMT_CACHE_MAX)
        cache_evict(st->db);
}

/* ---- binding and reading ---- */

static void bind_check(struct pb_stmt *st, int idx, int rc)
{
    if (rc < 0 && !st->bind_err) {
        st->bind_err = 1;
        pb_db_set_errmsg(st->db, "cannot bind parameter %d", idx);
    }
}

void pb_stmt_bind_int(struct pb_stmt *st, int idx, int64_t v)
{
    bind_check(st, idx, st->db->drv->bind_int(st, idx, v));
}

void pb_stmt_bind_text(struct pb_stmt *st, int idx, const char *s)
{
    if (!s)
        pb_stmt_bind_null(st, idx);
    else
        bind_check(st, idx, st->db->drv->bind_text(st, idx, s, strlen(s)));
}

void pb_stmt_bind_textn(struct pb_stmt *st, int idx, const char *s, size_t n)
{
    if (!s)
        pb_stmt_bind_null(st, idx);
    else
        bind_check(st, idx, st->db->drv->bind_text(st, idx, s, n));
}

void pb_stmt_bind_null(struct pb_stmt *st, int idx)
{
    bind_check(st, idx, st->db->drv->bind_null(st, idx));
}

/* Fault injection: fault_left counts down the steps to the failing one (0 = disarmed);
 * fault_tripped makes every later step fail too (persistent mode). Global, any connection. */
static atomic_int fault_left;
static atomic_int fault_persistent;
static atomic_int fault_tripped;

void pb_db_fault_inject(int nth, int persistent)
{
    atomic_store(&fault_tripped, 0);
    atomic_store(&fault_persistent, nth > 0 && persistent);
    atomic_store(&fault_left, nth > 0 ? nth : 0);
}

static int fault_hit(void)
{
    int n;
    if (atomic_load_explicit(&fault_tripped, memory_order_relaxed))
        return 1;
    n = atomic_load_explicit(&fault_left, memory_order_relaxed);
    while (n > 0) {
        if (atomic_compare_exchange_weak(&fault_left, &n, n - 1)) {
            if (n != 1)
                return 0;
            if (atomic_load(&fault_persistent))
                atomic_store(&fault_tripped, 1);
            return 1;
        }
    }
    return 0;
}

int pb_stmt_step(struct pb_stmt *st)
{
    int rc;
    if (fault_hit()) {
        pb_db_set_errmsg(st->db, "injected fault");
        return PB_E_DB;
    }
    if (st->state == ST_FINISHED)
        return st->final_rc; /* never let a driver silently re-run a finished statement */
    if (st->bind_err) {
        st->state = ST_FINISHED;
        st->final_rc = PB_E_DB;
        return PB_E_DB;
    }
    rc = st->db->drv->step(st);
    if (rc == PB_ROW) {
        st->state = ST_RUNNING;
    } else {
        st->state = ST_FINISHED;
        st->final_rc = rc;
    }
    return rc;
}

int64_t pb_stmt_changes(struct pb_stmt *st)
{
    return st->db->drv->changes(st);
}

int pb_stmt_ncols(struct pb_stmt *st)
{
    return st->db->drv->ncols(st);
}

const char *pb_stmt_col_name(struct pb_stmt *st, int col)
{
    const char *s = st->db->drv->col_name(st, col);
    return s ? s : "";
}

int pb_stmt_col_null(struct pb_stmt *st, int col)
{
    return st->db->drv->col_null(st, col);
}

int64_t pb_stmt_col_int(struct pb_stmt *st, int col)
{
    return st->db->drv->col_int(st, col);
}

const char *pb_stmt_col_text(struct pb_stmt *st, int col)
{
    const char *s = st->db->drv->col_text(st, col);
    return s ? s : "";
}

int pb_db_query_int(struct pb_db *db, const char *sql, int64_t *out)
{
    struct pb_stmt *st;
    int rc;
    *out = 0;
    rc = pb_db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        *out = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_db_exec_script(struct pb_db *db, const char *sql, struct pb_err *err)
{
    int rc = db->drv->exec_script(db, sql);
    if (rc < 0)
        /* db.h promises the driver message here: scripts are literal migration text run by
         * an operator, so the message says which statement of ours is wrong. */
        pb_err_set(err, rc, "数据库脚本执行失败：%s", "Database script failed: %s", db->errmsg);
    return rc;
}

/* ---- transactions ---- */

int pb_db_begin(struct pb_db *db, int write)
{
    if (db->drv->in_tx(db)) {
        pb_db_set_errmsg(db, "begin inside an open transaction");
        return PB_E_DB;
    }
    return db->drv->begin(db, write);
}

int pb_db_commit(struct pb_db *db)
{
    return db->drv->commit(db);
}

void pb_db_rollback(struct pb_db *db)
{
    db->drv->rollback(db);
}

int pb_db_in_tx(const struct pb_db *db)
{
    return db->drv->in_tx(db);
}

/* xorshift64*, one state per thread: the back-off only needs to de-synchronise competing
 * writers, and rand() is neither thread-safe nor per-thread. */
static uint32_t backoff_rand(void)
{
    static _Thread_local uint64_t s;
    if (!s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&s;
        if (!s)
            s = 0x9e3779b97f4a7c15ull;
    }
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return (uint32_t)((s * 0x2545f4914f6cdd1dull) >> 32);
}

static void backoff_sleep(int attempt)
{
    unsigned ms = 1 + backoff_rand() % (unsigned)(10 * attempt);
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* The loop behind pb_db_tx. keep_detail: leave a PB_E_DB detail that fn wrote (migrations,
 * whose messages are for the operator) instead of replacing it with the generic one. */
static int tx_run(struct pb_db *db, int write, pb_tx_fn fn, void *ctx, struct pb_err *err,
                  int keep_detail)
{
    int rc;
    for (int attempt = 1;; attempt++) {
        rc = pb_db_begin(db, write);
        if (rc == 0) {
            rc = fn(db, ctx, err);
            if (rc >= 0) {
                int crc = pb_db_commit(db);
                if (crc < 0)
                    rc = crc;
            }
        }
        if (rc >= 0)
            return rc;
        if (rc == PB_E_DB) /* before the rollback, which may overwrite the message */
            pb_db_log("transaction failed: %s", db->errmsg);
        pb_db_rollback(db);
        if (rc != PB_E_RETRY)
            break;
        if (attempt >= TX_MAX_ATTEMPTS) {
            pb_db_log("transaction gave up after %d attempts: %s", attempt, db->errmsg);
            return pb_err_set(err, PB_E_BUSY, "数据库繁忙，请稍后重试",
                              "The database is busy; please retry");
        }
        pb_err_clear(err); /* whatever the failed attempt wrote is not the answer */
        backoff_sleep(attempt);
    }
    if (rc == PB_E_DB) {
        if (!(keep_detail && err && err->rc == PB_E_DB))
            pb_err_set(err, PB_E_DB, "数据库错误", "Database error");
    } else if (rc == PB_E_CONFLICT && err && !err->rc) {
        /* A constraint fired that fn did not anticipate: still a 409, with some words. */
        pb_err_set(err, PB_E_CONFLICT, "数据冲突（记录已存在或被引用）",
                   "Conflict: the record already exists or is referenced");
    }
    return rc;
}

int pb_db_tx(struct pb_db *db, int write, pb_tx_fn fn, void *ctx, struct pb_err *err)
{
    /* Called from inside a transaction: join it. Its begin, commit and retries belong to the
     * outermost pb_db_tx, which sees fn's result through the enclosing fn. */
    if (pb_db_in_tx(db))
        return fn(db, ctx, err);
    return tx_run(db, write, fn, ctx, err, 0);
}

/* ---- migrations ---- */

static int line_is(const char *p, size_t n, const char *tag)
{
    size_t tl = strlen(tag);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    return n == tl && !memcmp(p, tag, tl);
}

char *pb_db_dialect(enum pb_db_kind kind, const char *sql, const char **why)
{
    static const char pk_sqlite[] = "INTEGER PRIMARY KEY";
    static const char pk_pg[] = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    struct pb_buf b;
    const char *p = sql;
    int block = 0; /* 0 outside, else the kind the current block is for */

    *why = NULL;
    pb_buf_init(&b, 0);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        const char *next = eol ? eol + 1 : p + n;
        int tag = line_is(p, n, "-- @sqlite") ? PB_DB_SQLITE
                  : line_is(p, n, "-- @pg")   ? PB_DB_PG
                                              : 0;

        if (tag) {
            if (block) {
                *why = "nested dialect block";
                goto out_fail;
            }
            block = tag;
        } else if (line_is(p, n, "-- @end")) {
            if (!block) {
                *why = "-- @end without a block";
                goto out_fail;
            }
            block = 0;
        } else if (!block || block == (int)kind) {
            /* Keep the line, expanding @PK@. */
            const char *s = p, *end = p + n;
            while (s < end) {
                const char *m = memmem(s, (size_t)(end - s), "@PK@", 4);
                if (!m) {
                    pb_buf_add(&b, s, (size_t)(end - s));
                    break;
                }
                pb_buf_add(&b, s, (size_t)(m - s));
                pb_buf_adds(&b, kind == PB_DB_PG ? pk_pg : pk_sqlite);
                s = m + 4;
            }
            if (eol)
                pb_buf_addc(&b, '\n');
        }
        p = next;
    }
    if (block) {
        *why = "dialect block without -- @end";
        goto out_fail;
    }
    if (b.err) {
        *why = "migration too large";
        goto out_fail;
    }
    return pb_buf_detach(&b, NULL);
out_fail:
    pb_buf_release(&b);
    return NULL;
}

struct migration {
    char module[40];  /* "core" or the module folder's name */
    int order;        /* position of the module in the caller's list (core is 0) */
    int64_t number;   /* NNN, unique within the module */
    const char *file; /* "NNN_name.sql" inside the entry's name */
    size_t file_len;  /* without ".sql" */
    const struct pb_embedded *e;
};

static int migration_cmp(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;
    if (x->order != y->order)
        return (x->order > y->order) - (x->order < y->order);
    return (x->number > y->number) - (x->number < y->number);
}

/* Parse "src/core/migrations/NNN_name.sql" (module "core") or
 * "src/modules/<module>/migrations/NNN_name.sql"; 1 if it is a migration. */
static int migration_parse(const struct pb_embedded *e, struct migration *m)
{
    const char *s, *p, *mod;
    size_t len, modlen;
    int64_t v = 0;
    if (!strncmp(e->name, CORE_MIGRATIONS, strlen(CORE_MIGRATIONS))) {
        mod = "core";
        modlen = 4;
        s = e->name + strlen(CORE_MIGRATIONS);
    } else if (!strncmp(e->name, MODULE_PREFIX, strlen(MODULE_PREFIX))) {
        mod = e->name + strlen(MODULE_PREFIX);
        p = strchr(mod, '/');
        if (!p || strncmp(p, "/migrations/", 12))
            return 0;
        modlen = (size_t)(p - mod);
        s = p + 12;
    } else {
        return 0;
    }
    len = strlen(s);
    if (!modlen || modlen >= sizeof m->module || strchr(s, '/') || len < 5 ||
        strcmp(s + len - 4, ".sql"))
        return 0;
    for (p = s; *p >= '0' && *p <= '9'; p++) {
        if (v > 100000000)
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (p == s || *p != '_')
        return 0;
    memcpy(m->module, mod, modlen);
    m->module[modlen] = 0;
    m->number = v;
    m->file = s;
    m->file_len = len - 4;
    m->e = e;
    return 1;
}

/* Does the table exist? Looked up first: on PostgreSQL a query on a missing table would
 * abort the transaction. */
static int table_exists(struct pb_db *db, const char *name, int64_t *exists)
{
    struct pb_stmt *st;
    int rc = pb_db_prepare(db,
                           db->kind == PB_DB_PG
                               ? "SELECT count(*) FROM pg_catalog.pg_class c JOIN "
                                 "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
                                 "c.relname = ? AND n.nspname = current_schema()"
                               : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                 "name = ?",
                           &st);
    *exists = 0;
    if (rc < 0)
        return rc;
    pb_stmt_bind_text(st, 1, name);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        *exists = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_db_migrations_applied(struct pb_db *db, int64_t *out)
{
    int64_t exists = 0;
    int rc = table_exists(db, "schema_migration", &exists);
    *out = 0;
    if (rc < 0 || !exists)
        return rc;
    return pb_db_query_int(db, "SELECT count(*) FROM schema_migration", out);
}

struct migrate_ctx {
    const struct migration *m; /* NULL: only create the bookkeeping table */
    int applied;
};

/* Is the migration recorded in schema_migration? */
static int migration_applied(struct pb_db *db, const struct migration *m, int64_t *applied)
{
    struct pb_stmt *st;
    int rc = pb_db_prepare(
        db, "SELECT COUNT(*) FROM schema_migration WHERE module = ? AND number = ?", &st);
    *applied = 0;
    if (rc < 0)
        return rc;
    pb_stmt_bind_text(st, 1, m->module);
    pb_stmt_bind_int(st, 2, m->number);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        *applied = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* A database made before migrations lived in module folders records them by global name in
 * schema_version. A migration that took over such a file says so in a header line
 * "-- replaces: NNN_name[, NNN_name]"; when one of those is recorded, the objects exist
 * already and the migration is only recorded, never run again. 1 if so. */
static int replaced_legacy(struct pb_db *db, const struct migration *m, int *yes)
{
    const char *p = (const char *)m->e->data;
    int64_t legacy = 0;
    int rc;
    *yes = 0;
    rc = table_exists(db, "schema_version", &legacy);
    if (rc < 0 || !legacy)
        return rc;
    while (*p == '-') { /* the header: leading comment lines only */
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (n > 14 && !memcmp(p, "-- replaces: ", 13)) {
            const char *q = p + 13, *end = p + n;
            while (q < end) {
                const char *c = memchr(q, ',', (size_t)(end - q));
                size_t len = (size_t)((c ? c : end) - q);
                struct pb_stmt *st;
                while (len && q[len - 1] == ' ')
                    len--;
                rc = pb_db_prepare(db, "SELECT COUNT(*) FROM schema_version WHERE name = ?", &st);
                if (rc < 0)
                    return rc;
                pb_stmt_bind_textn(st, 1, q, len);
                rc = pb_stmt_step(st);
                if (rc == PB_ROW && pb_stmt_col_int(st, 0))
                    *yes = 1;
                pb_stmt_done(st);
                if (rc < 0)
                    return rc;
                if (*yes)
                    return 0;
                q = c ? c + 1 : end;
                while (q < end && *q == ' ')
                    q++;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

static int migrate_step(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct migrate_ctx *c = vctx;
    const struct migration *m = c->m;
    struct pb_stmt *st;
    int64_t have;
    int legacy;
    char *sql;
    const char *why;
    int rc;

    c->applied = 0;
    /* Serialise migrators: SQLite already holds the write lock (BEGIN IMMEDIATE); on
     * PostgreSQL a transaction-scoped advisory lock, released by commit or rollback. Re-read
     * the bookkeeping after taking it: another process may have just applied this one. */
    if (db->kind == PB_DB_PG) {
        rc = pb_db_prepare(db, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK_KEY ")", &st);
        if (rc < 0)
            return rc;
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    /* applied_at is Unix ms: BIGINT, as PostgreSQL's INTEGER is 32 bits. */
    rc = pb_db_exec_script(db,
                           "CREATE TABLE IF NOT EXISTS schema_migration (module TEXT NOT NULL, "
                           "number INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT "
                           "NULL, PRIMARY KEY (module, number))",
                           err);
    if (rc < 0 || !m)
        return rc;
    /* Applied is a matter of membership, not of the highest number: a module's migration
     * numbered below one already applied must still run. */
    rc = migration_applied(db, m, &have);
    if (rc < 0)
        return rc;
    if (have)
        return 0;
    rc = replaced_legacy(db, m, &legacy);
    if (rc < 0)
        return rc;
    if (!legacy) {
        sql = pb_db_dialect(db->kind, (const char *)m->e->data, &why);
        if (!sql)
            return pb_err_set(err, PB_E_DB, "迁移 %s/%.*s 格式错误：%s",
                              "Migration %s/%.*s is malformed: %s", m->module, (int)m->file_len,
                              m->file, why);
        rc = db->drv->exec_script(db, sql);
        free(sql);
        if (rc < 0) {
            if (rc == PB_E_RETRY)
                return rc;
            return pb_err_set(err, PB_E_DB, "迁移 %s/%.*s 失败：%s", "Migration %s/%.*s failed: %s",
                              m->module, (int)m->file_len, m->file, db->errmsg);
        }
    }
    rc = pb_db_prepare(db,
                       "INSERT INTO schema_migration (module, number, name, applied_at) "
                       "VALUES (?, ?, ?, ?)",
                       &st);
    if (rc < 0)
        return rc;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        pb_stmt_bind_text(st, 1, m->module);
        pb_stmt_bind_int(st, 2, m->number);
        pb_stmt_bind_textn(st, 3, m->file, m->file_len);
        pb_stmt_bind_int(st, 4, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    c->applied = !legacy;
    return 0;
}

int pb_db_migrate_from(struct pb_db *db, const struct pb_embedded *table,
                       const char *const *modules, struct pb_err *err)
{
    struct migration *ms = NULL;
    size_t n = 0, cap = 0;
    struct migrate_ctx c = {0};
    int64_t have = 0;
    int rc, applied = 0;

    for (const struct pb_embedded *e = table; e->name; e++) {
        struct migration m;
        if (!migration_parse(e, &m))
            continue;
        m.order = -1;
        if (!strcmp(m.module, "core"))
            m.order = 0;
        for (int k = 0; m.order < 0 && modules && modules[k]; k++)
            if (!strcmp(modules[k], m.module))
                m.order = k + 1;
        if (m.order < 0) {
            /* A module folder with migrations but no registration would leave its tables
             * half there: refuse loudly. */
            rc =
                pb_err_set(err, PB_E_INTERNAL, "迁移 %s 属于未注册的模块 %s",
                           "Migration %s belongs to the unregistered module %s", e->name, m.module);
            goto out;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            ms = pb_xrealloc(ms, cap * sizeof *ms);
        }
        ms[n++] = m;
    }
    if (n)
        qsort(ms, n, sizeof *ms, migration_cmp);
    for (size_t i = 0; i < n; i++) {
        /* Number 0 or a number twice within a module would be ambiguous: refuse loudly. */
        if (ms[i].number == 0 ||
            (i && ms[i].order == ms[i - 1].order && ms[i].number == ms[i - 1].number)) {
            rc = pb_err_set(err, PB_E_INTERNAL, "迁移编号 %s/%.*s 无效或重复",
                            "Migration number of %s/%.*s is zero or duplicated", ms[i].module,
                            (int)ms[i].file_len, ms[i].file);
            goto out;
        }
    }

    rc = tx_run(db, 1, migrate_step, &c, err, 1);
    if (rc < 0)
        goto out;
    /* Skip what is applied without taking the write lock; each transaction re-checks. */
    for (size_t i = 0; i < n; i++) {
        rc = migration_applied(db, &ms[i], &have);
        if (rc < 0) {
            pb_db_log("reading schema_migration failed: %s", db->errmsg);
            pb_err_set(err, rc, "数据库错误", "Database error");
            goto out;
        }
        if (have)
            continue;
        c.m = &ms[i];
        rc = tx_run(db, 1, migrate_step, &c, err, 1);
        if (rc < 0)
            goto out;
        applied += c.applied;
    }
    rc = applied;
out:
    free(ms);
    return rc;
}

int pb_db_migrate(struct pb_db *db, const char *const *modules, struct pb_err *err)
{
    return pb_db_migrate_from(db, pb_embedded, modules, err);
}
