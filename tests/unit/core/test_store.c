/* test_store.c: the database API (src/store/) against one database: the URL in
 * PB_TEST_DB_URL (e.g. a cluster from scripts/pgtest.sh), else a fresh SQLite file in a
 * temporary directory. On PostgreSQL every connection works in a schema of its own, dropped
 * at the end, so runs never see each other's tables. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/module.h"
#include "core/store/db.h"
#include "core/store/store_internal.h"

static struct {
    char url[1024];
    char dir[256];   /* SQLite: the temporary directory */
    char schema[32]; /* PostgreSQL: this run's schema */
    enum pb_db_kind kind;
    char fresh[8][96]; /* PostgreSQL: extra schemas to drop */
    int nfresh;
} g;

/* ---- helpers ---- */

static struct pb_db *open_url(const char *url)
{
    struct pb_db *db = NULL;
    struct pb_err e = {0};
    int rc = pb_db_open(url, &db, &e);
    if (rc)
        fail_msg("open %s: %s", url, e.detail_en);
    return db;
}

/* A PostgreSQL connection whose search_path is `schema`. Set in the URL (libpq `options`), not
 * with SET, so that it survives the driver's reconnects as real configuration would. */
static struct pb_db *open_pg_schema(const char *schema)
{
    char url[1200];
    snprintf(url, sizeof url, "%s%coptions=-csearch_path%%3D%s", g.url,
             strchr(g.url, '?') ? '&' : '?', schema);
    return open_url(url);
}

/* A connection to the suite's database. */
static struct pb_db *topen(void)
{
    if (g.kind == PB_DB_PG)
        return open_pg_schema(g.schema);
    return open_url(g.url);
}

/* A connection to an empty database named `name` (created by fresh_create). */
static struct pb_db *topen_fresh(const char *name)
{
    char buf[1100];
    if (g.kind == PB_DB_SQLITE) {
        snprintf(buf, sizeof buf, "sqlite:%s/%s.db", g.dir, name);
        return open_url(buf);
    }
    snprintf(buf, sizeof buf, "%s_%s", g.schema, name);
    return open_pg_schema(buf);
}

static void fresh_create(const char *name)
{
    char buf[1100];
    if (g.kind == PB_DB_SQLITE) {
        const char *sfx[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(buf, sizeof buf, "%s/%s.db%s", g.dir, name, sfx[i]);
            unlink(buf);
        }
    } else {
        struct pb_db *db = open_url(g.url);
        struct pb_err e = {0};
        snprintf(buf, sizeof buf, "DROP SCHEMA IF EXISTS %s_%s CASCADE; CREATE SCHEMA %s_%s",
                 g.schema, name, g.schema, name);
        assert_int_equal(pb_db_exec_script(db, buf, &e), 0);
        pb_db_close(db);
        snprintf(g.fresh[g.nfresh++], sizeof g.fresh[0], "%s_%s", g.schema, name);
    }
}

static void exec_ok(struct pb_db *db, const char *sql)
{
    struct pb_err e = {0};
    int rc = pb_db_exec_script(db, sql, &e);
    if (rc)
        fail_msg("exec_script rc %d: %s", rc, pb_db_errmsg(db));
}

/* DDL in the migration dialect (@PK@, -- @sqlite / -- @pg blocks). */
static void exec_ddl(struct pb_db *db, const char *sql)
{
    const char *why;
    char *s = pb_db_dialect(pb_db_kind(db), sql, &why);
    assert_non_null(s);
    exec_ok(db, s);
    free(s);
}

static int64_t qint(struct pb_db *db, const char *sql)
{
    int64_t v = -1;
    int rc = pb_db_query_int(db, sql, &v);
    if (rc)
        fail_msg("query_int rc %d: %s", rc, pb_db_errmsg(db));
    return v;
}

/* Run sql with up to two int binds; return the step result (rows are skipped). */
static int run(struct pb_db *db, const char *sql, int nargs, ...)
{
    struct pb_stmt *st;
    va_list ap;
    int rc = pb_db_prepare(db, sql, &st);
    if (rc)
        return rc;
    va_start(ap, nargs);
    for (int i = 1; i <= nargs; i++)
        pb_stmt_bind_int(st, i, va_arg(ap, int64_t));
    va_end(ap);
    while ((rc = pb_stmt_step(st)) == PB_ROW)
        ;
    pb_stmt_done(st);
    return rc;
}

/* ---- setup ---- */

static int suite_setup(void **state)
{
    const char *env = getenv("PB_TEST_DB_URL");
    (void)state;
    if (env && *env) {
        pb_strlcpy(g.url, env, sizeof g.url);
    } else {
        char tmpl[] = "/tmp/pb_test_store.XXXXXX";
        if (!mkdtemp(tmpl))
            return -1;
        pb_strlcpy(g.dir, tmpl, sizeof g.dir);
        snprintf(g.url, sizeof g.url, "sqlite:%s/test.db", g.dir);
    }
    g.kind = strncmp(g.url, "sqlite:", 7) ? PB_DB_PG : PB_DB_SQLITE;
    if (g.kind == PB_DB_SQLITE && !g.dir[0]) {
        /* A SQLite URL from the environment: fresh databases go beside it. */
        char tmpl[] = "/tmp/pb_test_store.XXXXXX";
        if (!mkdtemp(tmpl))
            return -1;
        pb_strlcpy(g.dir, tmpl, sizeof g.dir);
    }
    if (g.kind == PB_DB_PG) {
        struct pb_db *db = NULL;
        struct pb_err e = {0};
        char sql[256];
        snprintf(g.schema, sizeof g.schema, "pbt_%ld", (long)getpid());
        if (pb_db_open(g.url, &db, &e)) {
            fprintf(stderr, "test_store: cannot open PB_TEST_DB_URL: %s\n", e.detail_en);
            return -1;
        }
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", g.schema,
                 g.schema);
        if (pb_db_exec_script(db, sql, &e)) {
            pb_db_close(db);
            return -1;
        }
        pb_db_close(db);
    }
    fprintf(stderr, "test_store: driver %s\n", g.kind == PB_DB_PG ? "postgresql" : "sqlite");
    return 0;
}

static int suite_teardown(void **state)
{
    (void)state;
    if (g.kind == PB_DB_PG) {
        struct pb_db *db = NULL;
        struct pb_err e = {0};
        char sql[256];
        if (pb_db_open(g.url, &db, &e) == 0) {
            snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", g.schema);
            pb_db_exec_script(db, sql, &e);
            for (int i = 0; i < g.nfresh; i++) {
                snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", g.fresh[i]);
                pb_db_exec_script(db, sql, &e);
            }
            pb_db_close(db);
        }
    }
    if (g.dir[0]) {
        DIR *d = opendir(g.dir);
        struct dirent *de;
        char path[512];
        while (d && (de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", g.dir, de->d_name);
            unlink(path);
        }
        if (d)
            closedir(d);
        rmdir(g.dir);
    }
    return 0;
}

/* ---- tests ---- */

static void test_open_close(void **state)
{
    struct pb_db *db = NULL;
    struct pb_err e = {0};
    (void)state;
    db = topen();
    assert_int_equal(pb_db_kind(db), g.kind);
    assert_false(pb_db_in_tx(db));
    pb_db_rollback(db); /* safe without a transaction */
    pb_db_close(db);
    pb_db_close(NULL);

    assert_int_equal(pb_db_open("mysql://x", &db, &e), PB_E_DB);
    assert_null(db);
    assert_int_equal(e.rc, PB_E_DB);
    pb_err_clear(&e);
    assert_int_equal(pb_db_open("sqlite:/nonexistent-dir/sub/x.db", &db, &e), PB_E_DB);
    assert_null(db);
    pb_err_clear(&e);
    /* Refused at once (port 1); the password must not reach the client's message. */
    assert_int_equal(pb_db_open("postgresql://u:s3cretpw@127.0.0.1:1/x?connect_timeout=2", &db, &e),
                     PB_E_DB);
    assert_null(strstr(e.detail_en, "s3cretpw"));
    assert_null(strstr(e.detail_zh, "s3cretpw"));
}

static void test_exec_script(void **state)
{
    struct pb_db *db = topen();
    struct pb_err e = {0};
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS es; CREATE TABLE es (a INTEGER NOT NULL, b TEXT); "
                "INSERT INTO es (a, b) VALUES (1, 'x'); INSERT INTO es (a, b) VALUES (2, 'y');");
    assert_int_equal(qint(db, "SELECT count(*) FROM es"), 2);
    assert_int_equal(qint(db, "SELECT sum(a) FROM es"), 3);
    assert_int_equal(pb_db_exec_script(db, "SELEKT nonsense", &e), PB_E_DB);
    assert_int_equal(e.rc, PB_E_DB);
    assert_true(pb_db_errmsg(db)[0] != 0);
    exec_ok(db, "DROP TABLE es");
    pb_db_close(db);
}

static void test_types(void **state)
{
    struct pb_db *db = topen();
    struct pb_stmt *st;
    static const char zh[] = "园区智慧大脑：福建省泉州市晋江市 ✓";
    (void)state;
    exec_ddl(db, "DROP TABLE IF EXISTS ty;\n"
                 "CREATE TABLE ty (id @PK@, n BIGINT, s TEXT, z TEXT);");
    assert_int_equal(pb_db_prepare(db, "INSERT INTO ty (n, s, z) VALUES (?, ?, ?)", &st), 0);
    pb_stmt_bind_int(st, 1, -1234567890123LL);
    pb_stmt_bind_text(st, 2, zh);
    pb_stmt_bind_null(st, 3);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 1);
    assert_int_equal(pb_stmt_step(st), PB_DONE); /* finished statements do not run again */
    pb_stmt_done(st);
    assert_int_equal(pb_db_prepare(db, "INSERT INTO ty (n, s, z) VALUES (?, ?, ?)", &st), 0);
    pb_stmt_bind_int(st, 1, INT64_MAX);
    pb_stmt_bind_textn(st, 2, "abcdef", 3);
    pb_stmt_bind_text(st, 3, NULL);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    pb_stmt_done(st);
    assert_int_equal(qint(db, "SELECT count(*) FROM ty"), 2);

    assert_int_equal(pb_db_prepare(db, "SELECT n, s, z FROM ty ORDER BY id", &st), 0);
    assert_int_equal(pb_stmt_ncols(st), 3); /* known before the first step */
    assert_string_equal(pb_stmt_col_name(st, 1), "s");
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_ncols(st), 3);
    assert_string_equal(pb_stmt_col_name(st, 0), "n");
    assert_int_equal(pb_stmt_col_int(st, 0), -1234567890123LL);
    assert_string_equal(pb_stmt_col_text(st, 0), "-1234567890123");
    assert_string_equal(pb_stmt_col_text(st, 1), zh);
    assert_true(pb_stmt_col_null(st, 2));
    assert_false(pb_stmt_col_null(st, 1));
    assert_string_equal(pb_stmt_col_text(st, 2), "");
    assert_int_equal(pb_stmt_col_int(st, 2), 0);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_col_int(st, 0), INT64_MAX);
    assert_string_equal(pb_stmt_col_text(st, 1), "abc");
    assert_true(pb_stmt_col_null(st, 2));
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 0);
    pb_stmt_done(st);

    /* Bound text compared in SQL, and a boolean expression read as 0/1 on both drivers. */
    assert_int_equal(pb_db_prepare(db, "SELECT count(*), max(n) > 0 FROM ty WHERE s = ?", &st), 0);
    pb_stmt_bind_text(st, 1, zh);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_col_int(st, 0), 1);
    assert_int_equal(pb_stmt_col_int(st, 1), 0);
    pb_stmt_done(st);

    /* A bad parameter index fails the step rather than running half-bound. */
    assert_int_equal(pb_db_prepare(db, "SELECT count(*) FROM ty WHERE n = ?", &st), 0);
    pb_stmt_bind_int(st, 2, 1);
    assert_int_equal(pb_stmt_step(st), PB_E_DB);
    pb_stmt_done(st);
    exec_ok(db, "DROP TABLE ty");
    pb_db_close(db);
}

static void test_placeholder_rewrite(void **state)
{
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"SELECT ?", "SELECT $1", 1},
        {"SELECT '?', ?", "SELECT '?', $1", 1},
        {"SELECT 'it''s ?', ? FROM t WHERE a = ?", "SELECT 'it''s ?', $1 FROM t WHERE a = $2", 2},
        {"SELECT \"we?ird\"\"?\" FROM t WHERE x=?", "SELECT \"we?ird\"\"?\" FROM t WHERE x=$1", 1},
        {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
        {"SELECT /* a? /* b? */ c? */ ?", "SELECT /* a? /* b? */ c? */ $1", 1},
        {"SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1},
        {"SELECT $$ ? $$, $q$ ?$ $q$, ?", "SELECT $$ ? $$, $q$ ?$ $q$, $1", 1},
        {"SELECT a$b, ?", "SELECT a$b, $1", 1},
        {"SELECT 'unterminated ?", "SELECT 'unterminated ?", 0},
        {"SELECT 6 - 2 / 2, ?", "SELECT 6 - 2 / 2, $1", 1},
        {"", "", 0},
    };
    (void)state;
    for (size_t i = 0; i < PB_ARRAY_LEN(cases); i++) {
        int n = -1;
        char *out = pb_db_pg_placeholders(cases[i].in, &n);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        free(out);
    }
}

static void test_placeholders_live(void **state)
{
    struct pb_db *db = topen();
    struct pb_stmt *st;
    (void)state;
    assert_int_equal(pb_db_prepare(db, "SELECT '?', ?, 'a''?' AS \"x?\" -- ?\n", &st), 0);
    pb_stmt_bind_int(st, 1, 7);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_string_equal(pb_stmt_col_text(st, 0), "?");
    assert_int_equal(pb_stmt_col_int(st, 1), 7);
    assert_string_equal(pb_stmt_col_text(st, 2), "a'?");
    assert_string_equal(pb_stmt_col_name(st, 2), "x?");
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    pb_stmt_done(st);
    pb_db_close(db);
}

static void test_returning_and_upsert(void **state)
{
    struct pb_db *db = topen();
    struct pb_stmt *st;
    int64_t id1, id2;
    (void)state;
    exec_ddl(db, "DROP TABLE IF EXISTS ru;\n"
                 "CREATE TABLE ru (id @PK@, code TEXT NOT NULL UNIQUE, v BIGINT NOT NULL);");
    assert_int_equal(
        pb_db_prepare(db, "INSERT INTO ru (code, v) VALUES (?, ?) RETURNING id, v", &st), 0);
    pb_stmt_bind_text(st, 1, "a");
    pb_stmt_bind_int(st, 2, 10);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    id1 = pb_stmt_col_int(st, 0);
    assert_true(id1 > 0);
    assert_int_equal(pb_stmt_col_int(st, 1), 10);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 1);
    pb_stmt_done(st);
    assert_int_equal(
        pb_db_prepare(db, "INSERT INTO ru (code, v) VALUES (?, ?) RETURNING id, v", &st), 0);
    pb_stmt_bind_text(st, 1, "b");
    pb_stmt_bind_int(st, 2, 20);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    id2 = pb_stmt_col_int(st, 0);
    assert_true(id2 > id1);
    pb_stmt_done(st);

    /* DO NOTHING: no row, no change. */
    assert_int_equal(pb_db_prepare(db,
                                   "INSERT INTO ru (code, v) VALUES (?, ?) "
                                   "ON CONFLICT (code) DO NOTHING",
                                   &st),
                     0);
    pb_stmt_bind_text(st, 1, "a");
    pb_stmt_bind_int(st, 2, 99);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 0);
    pb_stmt_done(st);
    assert_int_equal(qint(db, "SELECT v FROM ru WHERE code = 'a'"), 10);

    /* DO UPDATE with excluded, RETURNING the surviving id. */
    assert_int_equal(pb_db_prepare(db,
                                   "INSERT INTO ru (code, v) VALUES (?, ?) ON CONFLICT (code) "
                                   "DO UPDATE SET v = ru.v + excluded.v RETURNING id, v",
                                   &st),
                     0);
    pb_stmt_bind_text(st, 1, "a");
    pb_stmt_bind_int(st, 2, 5);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_col_int(st, 0), id1);
    assert_int_equal(pb_stmt_col_int(st, 1), 15);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 1);
    pb_stmt_done(st);

    /* UPDATE ... RETURNING over several rows, and the change count. */
    assert_int_equal(pb_db_prepare(db, "UPDATE ru SET v = v * 2 RETURNING code", &st), 0);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 2);
    pb_stmt_done(st);
    assert_int_equal(pb_db_prepare(db, "DELETE FROM ru WHERE v > ?", &st), 0);
    pb_stmt_bind_int(st, 1, 0);
    assert_int_equal(pb_stmt_step(st), PB_DONE);
    assert_int_equal(pb_stmt_changes(st), 2);
    pb_stmt_done(st);
    exec_ok(db, "DROP TABLE ru");
    pb_db_close(db);
}

static void test_constraints(void **state)
{
    struct pb_db *db = topen();
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS cc; DROP TABLE IF EXISTS cp;"
                "CREATE TABLE cp (id BIGINT PRIMARY KEY);"
                "CREATE TABLE cc (id BIGINT PRIMARY KEY, p BIGINT REFERENCES cp (id), "
                "q BIGINT NOT NULL CHECK (q >= 0));"
                "INSERT INTO cp (id) VALUES (1);");
    assert_int_equal(run(db, "INSERT INTO cc (id, p, q) VALUES (?, ?, ?)", 3, (int64_t)1,
                         (int64_t)1, (int64_t)0),
                     PB_DONE);
    /* unique (primary key), foreign key, check: a conflict for the client */
    assert_int_equal(run(db, "INSERT INTO cc (id, p, q) VALUES (?, ?, ?)", 3, (int64_t)1,
                         (int64_t)1, (int64_t)0),
                     PB_E_CONFLICT);
    assert_int_equal(run(db, "INSERT INTO cc (id, p, q) VALUES (?, ?, ?)", 3, (int64_t)2,
                         (int64_t)9, (int64_t)0),
                     PB_E_CONFLICT);
    assert_int_equal(run(db, "INSERT INTO cc (id, p, q) VALUES (?, ?, ?)", 3, (int64_t)3,
                         (int64_t)1, (int64_t)-1),
                     PB_E_CONFLICT);
    assert_int_equal(run(db, "DELETE FROM cp WHERE id = ?", 1, (int64_t)1), PB_E_CONFLICT);
    /* NOT NULL is our bug, not the client's conflict */
    assert_int_equal(run(db, "INSERT INTO cc (id, p, q) VALUES (4, 1, NULL)", 0), PB_E_DB);
    assert_int_equal(qint(db, "SELECT count(*) FROM cc"), 1);
    /* Syntax errors surface at prepare. */
    {
        struct pb_stmt *st = (struct pb_stmt *)1;
        assert_int_equal(pb_db_prepare(db, "SELEC 1", &st), PB_E_DB);
        assert_null(st);
    }
    exec_ok(db, "DROP TABLE cc; DROP TABLE cp");
    pb_db_close(db);
}

static void test_tx_commit_rollback(void **state)
{
    struct pb_db *db = topen();
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS tx; CREATE TABLE tx (a BIGINT)");
    assert_int_equal(pb_db_begin(db, 1), 0);
    assert_true(pb_db_in_tx(db));
    assert_int_equal(pb_db_begin(db, 1), PB_E_DB); /* no nesting */
    assert_true(pb_db_in_tx(db));
    assert_int_equal(run(db, "INSERT INTO tx (a) VALUES (?)", 1, (int64_t)1), PB_DONE);
    assert_int_equal(pb_db_commit(db), 0);
    assert_false(pb_db_in_tx(db));
    assert_int_equal(qint(db, "SELECT count(*) FROM tx"), 1);

    assert_int_equal(pb_db_begin(db, 1), 0);
    assert_int_equal(run(db, "INSERT INTO tx (a) VALUES (?)", 1, (int64_t)2), PB_DONE);
    assert_int_equal(qint(db, "SELECT count(*) FROM tx"), 2);
    pb_db_rollback(db);
    assert_false(pb_db_in_tx(db));
    assert_int_equal(qint(db, "SELECT count(*) FROM tx"), 1);
    pb_db_rollback(db);

    /* A read transaction. */
    assert_int_equal(pb_db_begin(db, 0), 0);
    assert_int_equal(qint(db, "SELECT count(*) FROM tx"), 1);
    assert_int_equal(pb_db_commit(db), 0);

    /* A failed statement inside a transaction: the caller rolls back and nothing stays. */
    exec_ok(db, "CREATE UNIQUE INDEX tx_a ON tx (a)");
    assert_int_equal(pb_db_begin(db, 1), 0);
    assert_int_equal(run(db, "INSERT INTO tx (a) VALUES (?)", 1, (int64_t)3), PB_DONE);
    assert_int_equal(run(db, "INSERT INTO tx (a) VALUES (?)", 1, (int64_t)1), PB_E_CONFLICT);
    pb_db_rollback(db);
    assert_int_equal(qint(db, "SELECT count(*) FROM tx"), 1);
    exec_ok(db, "DROP TABLE tx");
    pb_db_close(db);
}

struct retry_ctx {
    int calls, fail_first, ret;
};

static int tx_insert(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct retry_ctx *c = vctx;
    int rc;
    c->calls++;
    rc = run(db, "INSERT INTO rt (a) VALUES (?)", 1, (int64_t)c->calls);
    if (rc < 0)
        return rc;
    if (c->calls <= c->fail_first) {
        pb_err_set(err, PB_E_INVALID, "x", "partial state from a failed attempt");
        return PB_E_RETRY;
    }
    return c->ret;
}

static int tx_bad_sql(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct pb_stmt *st;
    (void)vctx;
    (void)err;
    return pb_db_prepare(db, "SELECT no_such_column FROM rt", &st);
}

static int tx_invalid(struct pb_db *db, void *vctx, struct pb_err *err)
{
    (void)db;
    (void)vctx;
    return pb_err_field(err, PB_E_INVALID, "name", "required", "必填", "required");
}

struct nest_ctx {
    int outer_calls, inner_calls;
};

static int tx_nest_inner(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct nest_ctx *c = vctx;
    (void)err;
    c->inner_calls++;
    assert_true(pb_db_in_tx(db));
    return run(db, "INSERT INTO rt (a) VALUES (?)", 1, (int64_t)100);
}

static int tx_nest_outer(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct nest_ctx *c = vctx;
    int rc;
    c->outer_calls++;
    rc = pb_db_tx(db, 1, tx_nest_inner, c, err); /* joins this transaction */
    if (rc < 0)
        return rc;
    assert_true(pb_db_in_tx(db));
    return c->outer_calls == 1 ? PB_E_RETRY : 0;
}

static void test_tx_retry(void **state)
{
    struct pb_db *db = topen();
    struct pb_err e = {0};
    struct retry_ctx c = {0, 2, 42};
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS rt; CREATE TABLE rt (a BIGINT)");
    /* Two retries, then success: fn ran 3 times, only the last attempt's row stays, and fn's
     * positive result comes back. */
    assert_int_equal(pb_db_tx(db, 1, tx_insert, &c, &e), 42);
    assert_int_equal(c.calls, 3);
    assert_int_equal(e.rc, 0);
    assert_int_equal(qint(db, "SELECT count(*) FROM rt"), 1);
    assert_int_equal(qint(db, "SELECT a FROM rt"), 3);
    assert_false(pb_db_in_tx(db));

    /* Always busy: 20 attempts, then PB_E_BUSY with the bilingual message. */
    c = (struct retry_ctx){0, 1000, 0};
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 1, tx_insert, &c, &e), PB_E_BUSY);
    assert_int_equal(c.calls, 20);
    assert_int_equal(e.rc, PB_E_BUSY);
    assert_string_equal(e.detail_zh, "数据库繁忙，请稍后重试");
    assert_string_equal(e.detail_en, "The database is busy; please retry");
    assert_int_equal(qint(db, "SELECT count(*) FROM rt"), 1);

    /* A storage error: generic words for the client, the driver's message for the log. */
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 0, tx_bad_sql, NULL, &e), PB_E_DB);
    assert_string_equal(e.detail_en, "Database error");
    assert_string_equal(e.detail_zh, "数据库错误");
    assert_null(strstr(e.detail_en, "no_such_column"));
    assert_non_null(strstr(pb_db_errmsg(db), "no_such_column"));
    assert_false(pb_db_in_tx(db));

    /* A nested pb_db_tx joins the outer transaction and is retried with it. */
    {
        struct nest_ctx n = {0, 0};
        pb_err_clear(&e);
        assert_int_equal(pb_db_tx(db, 1, tx_nest_outer, &n, &e), 0);
        assert_int_equal(n.outer_calls, 2);
        assert_int_equal(n.inner_calls, 2);
        assert_int_equal(qint(db, "SELECT count(*) FROM rt WHERE a = 100"), 1);
    }

    /* fn's own error passes through untouched. */
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 1, tx_invalid, NULL, &e), PB_E_INVALID);
    assert_int_equal(e.nfields, 1);
    assert_string_equal(e.fields[0].field, "name");
    assert_false(pb_db_in_tx(db));
    exec_ok(db, "DROP TABLE rt");
    pb_db_close(db);
}

static void test_nested_statements(void **state)
{
    struct pb_db *db = topen();
    struct pb_stmt *a, *b, *c;
    static const char q[] = "SELECT a FROM ns WHERE a >= ? ORDER BY a";
    int64_t sum = 0;
    int base;
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS ns; CREATE TABLE ns (a BIGINT);"
                "INSERT INTO ns (a) VALUES (1); INSERT INTO ns (a) VALUES (2);"
                "INSERT INTO ns (a) VALUES (3);");
    base = pb_db_stmt_count(db);
    assert_int_equal(pb_db_begin(db, 1), 0);
    assert_int_equal(pb_db_prepare(db, q, &a), 0);
    pb_stmt_bind_int(a, 1, 1);
    while (pb_stmt_step(a) == PB_ROW) {
        int64_t x = pb_stmt_col_int(a, 0);
        /* The same SQL while a is open: a second, independent statement. */
        assert_int_equal(pb_db_prepare(db, q, &b), 0);
        assert_ptr_not_equal(a, b);
        pb_stmt_bind_int(b, 1, x);
        while (pb_stmt_step(b) == PB_ROW) {
            sum += pb_stmt_col_int(b, 0);
            /* and a write in the middle of both reads */
            assert_int_equal(pb_db_prepare(db, "UPDATE ns SET a = a WHERE a = ?", &c), 0);
            pb_stmt_bind_int(c, 1, pb_stmt_col_int(b, 0));
            assert_int_equal(pb_stmt_step(c), PB_DONE);
            pb_stmt_done(c);
        }
        pb_stmt_done(b);
        assert_int_equal(pb_stmt_col_int(a, 0), x); /* a's row survived */
    }
    pb_stmt_done(a);
    assert_int_equal(pb_db_commit(db), 0);
    assert_int_equal(sum, (1 + 2 + 3) + (2 + 3) + 3);
    /* Both copies of q and the UPDATE are cached now; asking again reuses one. */
    assert_int_equal(pb_db_stmt_count(db), base + 3);
    assert_int_equal(pb_db_prepare(db, q, &a), 0);
    pb_stmt_done(a);
    assert_int_equal(pb_db_stmt_count(db), base + 3);
    exec_ok(db, "DROP TABLE ns");
    pb_db_close(db);
}

static void test_stmt_cache(void **state)
{
    struct pb_db *db = topen();
    struct pb_stmt *st, *first = NULL;
    char sql[128];
    int base;
    (void)state;
    base = pb_db_stmt_count(db);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(pb_db_prepare(db, "SELECT ? + 1", &st), 0);
        if (!first)
            first = st;
        assert_ptr_equal(st, first);
        pb_stmt_bind_int(st, 1, i);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_int_equal(pb_stmt_col_int(st, 0), i + 1);
        pb_stmt_done(st);
    }
    assert_int_equal(pb_db_stmt_count(db), base + 1);
    /* More distinct texts than the cache holds: it stays bounded and keeps working. */
    for (int i = 0; i < PB_STMT_CACHE_MAX + 100; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + ?", i);
        assert_int_equal(pb_db_prepare(db, sql, &st), 0);
        pb_stmt_bind_int(st, 1, 1);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_int_equal(pb_stmt_col_int(st, 0), i + 1);
        pb_stmt_done(st);
        assert_true(pb_db_stmt_count(db) <= PB_STMT_CACHE_MAX);
    }
    assert_int_equal(pb_db_stmt_count(db), PB_STMT_CACHE_MAX);
    /* The evicted ones were the oldest: the earliest text must be prepared afresh and work. */
    assert_int_equal(pb_db_prepare(db, "SELECT ? + 1", &st), 0);
    pb_stmt_bind_int(st, 1, 41);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    assert_int_equal(pb_stmt_col_int(st, 0), 42);
    pb_stmt_done(st);
    if (g.kind == PB_DB_PG) /* evicted statements were deallocated on the server */
        assert_true(qint(db, "SELECT count(*) FROM pg_prepared_statements") <=
                    PB_STMT_CACHE_MAX + 1);
    pb_db_close(db);
}

static void test_dialect(void **state)
{
    static const char src[] = "CREATE TABLE a (id @PK@, b TEXT);\n"
                              "-- @sqlite\n"
                              "CREATE INDEX lite ON a (b);\n"
                              "-- @end\n"
                              "  -- @pg  \r\n"
                              "CREATE INDEX pg ON a (b);\n"
                              "-- @end\n"
                              "-- @sqlite is not a tag here\n"
                              "SELECT '@PK@@PK@'";
    const char *why;
    char *s = pb_db_dialect(PB_DB_SQLITE, src, &why);
    (void)state;
    assert_non_null(s);
    assert_string_equal(s, "CREATE TABLE a (id INTEGER PRIMARY KEY, b TEXT);\n"
                           "CREATE INDEX lite ON a (b);\n"
                           "-- @sqlite is not a tag here\n"
                           "SELECT 'INTEGER PRIMARY KEYINTEGER PRIMARY KEY'");
    free(s);
    s = pb_db_dialect(PB_DB_PG, src, &why);
    assert_non_null(s);
    assert_string_equal(s,
                        "CREATE TABLE a (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                        "b TEXT);\n"
                        "CREATE INDEX pg ON a (b);\n"
                        "-- @sqlite is not a tag here\n"
                        "SELECT 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY'");
    free(s);
    assert_null(pb_db_dialect(PB_DB_PG, "-- @pg\nX;\n", &why));
    assert_non_null(why);
    assert_null(pb_db_dialect(PB_DB_PG, "-- @pg\n-- @sqlite\n-- @end\n-- @end\n", &why));
    assert_null(pb_db_dialect(PB_DB_SQLITE, "X;\n-- @end\n", &why));
}

#define MIG(n) "src/core/migrations/" n
#define MODMIG(m, n) "src/modules/" m "/migrations/" n
static const unsigned char mig1[] = "CREATE TABLE m_item (id @PK@, name TEXT NOT NULL);\n"
                                    "-- @sqlite\n"
                                    "CREATE TABLE m_only_sqlite (x INTEGER);\n"
                                    "-- @end\n"
                                    "-- @pg\n"
                                    "CREATE TABLE m_only_pg (x BIGINT);\n"
                                    "-- @end\n";
static const unsigned char mig2[] = "INSERT INTO m_item (name) VALUES ('一');\n"
                                    "INSERT INTO m_item (name) VALUES ('two?');\n";
static const unsigned char mig10[] = "ALTER TABLE m_item ADD COLUMN note TEXT;\n";
static const unsigned char mig_bad[] = "CREATE TABLE m_half (x INTEGER);\nSELEKT broken;\n";
static const unsigned char mig_zero[] = "SELECT 1;\n";
static const unsigned char notmig[] = "not sql at all";

static const struct pb_embedded mig_table[] = {
    {MIG("010_note.sql"), mig10, sizeof mig10 - 1}, {"data/regions.tsv", notmig, sizeof notmig - 1},
    {MIG("002_seed.sql"), mig2, sizeof mig2 - 1},   {MIG("README.md"), notmig, sizeof notmig - 1},
    {MIG("001_init.sql"), mig1, sizeof mig1 - 1},   {NULL, NULL, 0},
};
static const struct pb_embedded mig_table_bad[] = {
    {MIG("001_init.sql"), mig1, sizeof mig1 - 1},
    {MIG("002_seed.sql"), mig2, sizeof mig2 - 1},
    {MIG("010_note.sql"), mig10, sizeof mig10 - 1},
    {MIG("011_bad.sql"), mig_bad, sizeof mig_bad - 1},
    {NULL, NULL, 0},
};
/* Module migrations run after the core's, in the order of the module list, each module's by
 * number; a module folder that is not registered is refused. */
static const unsigned char mig_b1[] = "CREATE TABLE m_b (id INTEGER, a_id INTEGER REFERENCES m_a (id));\n";
static const unsigned char mig_a1[] = "CREATE TABLE m_a (id INTEGER PRIMARY KEY);\n";
static const unsigned char mig_a2[] = "INSERT INTO m_a (id) VALUES (7);\n";
static const struct pb_embedded mig_table_mod[] = {
    {MODMIG("beta", "001_b.sql"), mig_b1, sizeof mig_b1 - 1},
    {MODMIG("alpha", "002_seed.sql"), mig_a2, sizeof mig_a2 - 1},
    {MODMIG("alpha", "001_a.sql"), mig_a1, sizeof mig_a1 - 1},
    {MIG("001_init.sql"), mig1, sizeof mig1 - 1},
    {NULL, NULL, 0},
};
static const char *const mods_ab[] = {"alpha", "beta", NULL};
static const char *const mods_a[] = {"alpha", NULL};
/* A database of the old flat numbering: its schema_version names "005_old"; the module
 * migration that took that file over only records itself. */
static const unsigned char mig_legacy[] = "-- alpha/001_a: took over 005_old.\n"
                                          "-- replaces: 004_gone, 005_old\n"
                                          "CREATE TABLE m_legacy (x INTEGER);\n";
static const struct pb_embedded mig_table_legacy[] = {
    {MODMIG("alpha", "001_a.sql"), mig_legacy, sizeof mig_legacy - 1},
    {NULL, NULL, 0},
};
static const struct pb_embedded mig_table_zero[] = {
    {MIG("000_zero.sql"), mig_zero, sizeof mig_zero - 1},
    {NULL, NULL, 0},
};

static int64_t table_exists(struct pb_db *db, const char *name)
{
    struct pb_stmt *st;
    int64_t n = -1;
    assert_int_equal(pb_db_prepare(db,
                                   pb_db_kind(db) == PB_DB_PG
                                       ? "SELECT count(*) FROM information_schema.tables "
                                         "WHERE table_schema = current_schema() AND table_name = ?"
                                       : "SELECT count(*) FROM sqlite_master WHERE name = ?",
                                   &st),
                     0);
    pb_stmt_bind_text(st, 1, name);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    n = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return n;
}

static void test_migrate_custom(void **state)
{
    struct pb_db *db;
    struct pb_err e = {0};
    int64_t v = -1;
    (void)state;
    fresh_create("mig");
    db = topen_fresh("mig");
    assert_int_equal(pb_db_migrations_applied(db, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pb_db_migrate_from(db, mig_table, NULL, &e), 3);
    assert_int_equal(pb_db_migrate_from(db, mig_table, NULL, &e), 0);
    assert_int_equal(pb_db_migrations_applied(db, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration WHERE module = 'core'"), 3);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration WHERE name = '002_seed' "
                              "AND number = 2 AND applied_at > 1600000000000"),
                     1);
    /* @PK@ gives ids on both; the dialect blocks made one table each. */
    assert_int_equal(qint(db, "SELECT max(id) FROM m_item"), 2);
    assert_int_equal(run(db, "INSERT INTO m_item (name, note) VALUES ('三', 'n')", 0), PB_DONE);
    assert_int_equal(qint(db, "SELECT max(id) FROM m_item"), 3);
    assert_int_equal(table_exists(db, "m_only_sqlite"), g.kind == PB_DB_SQLITE);
    assert_int_equal(table_exists(db, "m_only_pg"), g.kind == PB_DB_PG);
    assert_false(pb_db_in_tx(db));

    /* A failing migration rolls back whole, keeps the version, and tells the operator why. */
    pb_err_clear(&e);
    assert_int_equal(pb_db_migrate_from(db, mig_table_bad, NULL, &e), PB_E_DB);
    assert_int_equal(e.rc, PB_E_DB);
    assert_non_null(strstr(e.detail_en, "011_bad"));
    assert_int_equal(pb_db_migrations_applied(db, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(table_exists(db, "m_half"), 0);
    assert_false(pb_db_in_tx(db));

    pb_err_clear(&e);
    assert_int_equal(pb_db_migrate_from(db, mig_table_zero, NULL, &e), PB_E_INTERNAL);
    assert_int_equal(e.rc, PB_E_INTERNAL);
    pb_db_close(db);
}

static void test_migrate_modules(void **state)
{
    struct pb_db *db;
    struct pb_err e = {0};
    (void)state;
    fresh_create("migm");
    db = topen_fresh("migm");
    /* beta's table references alpha's: alpha must run first although listed after. */
    assert_int_equal(pb_db_migrate_from(db, mig_table_mod, mods_ab, &e), 4);
    assert_int_equal(qint(db, "SELECT count(*) FROM m_a WHERE id = 7"), 1);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration WHERE module = 'alpha'"), 2);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration WHERE module = 'beta' AND "
                              "number = 1 AND name = '001_b'"),
                     1);
    assert_int_equal(pb_db_migrate_from(db, mig_table_mod, mods_ab, &e), 0);
    /* beta is not registered: refused before anything runs, naming the module. */
    pb_err_clear(&e);
    assert_int_equal(pb_db_migrate_from(db, mig_table_mod, mods_a, &e), PB_E_INTERNAL);
    assert_non_null(strstr(e.detail_en, "beta"));
    pb_db_close(db);
}

static void test_migrate_legacy(void **state)
{
    struct pb_db *db;
    struct pb_err e = {0};
    (void)state;
    /* An old database: recorded 005_old by name; its objects exist. */
    fresh_create("migl");
    db = topen_fresh("migl");
    assert_int_equal(run(db, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT "
                             "NOT NULL, applied_at BIGINT NOT NULL)",
                         0),
                     PB_DONE);
    assert_int_equal(
        run(db, "INSERT INTO schema_version (version, name, applied_at) VALUES (5, '005_old', 1)",
            0),
        PB_DONE);
    assert_int_equal(run(db, "CREATE TABLE m_legacy (x INTEGER)", 0), PB_DONE);
    assert_int_equal(run(db, "INSERT INTO m_legacy (x) VALUES (42)", 0), PB_DONE);
    /* Recorded, not run (running it would fail: the table exists), and nothing is lost. */
    assert_int_equal(pb_db_migrate_from(db, mig_table_legacy, mods_a, &e), 0);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration WHERE module = 'alpha' AND "
                              "number = 1"),
                     1);
    assert_int_equal(qint(db, "SELECT x FROM m_legacy"), 42);
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_version"), 1);
    pb_db_close(db);

    /* A new database has no schema_version: the same migration runs. */
    fresh_create("migl2");
    db = topen_fresh("migl2");
    assert_int_equal(pb_db_migrate_from(db, mig_table_legacy, mods_a, &e), 1);
    assert_int_equal(table_exists(db, "m_legacy"), 1);
    pb_db_close(db);
}

struct mig_thread {
    int rc;
};

static void *mig_worker(void *arg)
{
    struct mig_thread *t = arg;
    struct pb_db *db = topen_fresh("migc");
    struct pb_err e = {0};
    t->rc = pb_db_migrate_from(db, mig_table, NULL, &e);
    pb_db_close(db);
    return NULL;
}

static void test_migrate_concurrent(void **state)
{
    pthread_t th[3];
    struct mig_thread t[3];
    struct pb_db *db;
    int total = 0;
    (void)state;
    fresh_create("migc");
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&th[i], NULL, mig_worker, &t[i]), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_true(t[i].rc >= 0);
        total += t[i].rc;
    }
    assert_int_equal(total, 3);
    db = topen_fresh("migc");
    assert_int_equal(qint(db, "SELECT count(*) FROM schema_migration"), 3);
    assert_int_equal(qint(db, "SELECT count(*) FROM m_item"), 2);
    pb_db_close(db);
}

static void test_migrate_embedded(void **state)
{
    struct pb_db *db;
    struct pb_err e = {0};
    int64_t v = -1;
    int n = 0, rc;
    (void)state;
    /* Whatever the build embedded (the real migrations of the core and every registered
     * module): all apply once, then none. */
    for (const struct pb_embedded *x = pb_embedded; x->name; x++) {
        const char *f = x->name;
        size_t len = strlen(f);
        if (len > 4 && !strcmp(f + len - 4, ".sql") &&
            (!strncmp(f, MIG(""), strlen(MIG(""))) ||
             (!strncmp(f, "src/modules/", 12) && strstr(f, "/migrations/"))))
            n++;
    }
    fresh_create("emb");
    db = topen_fresh("emb");
    rc = pb_modules_migrate(db, &e);
    if (rc < 0)
        fail_msg("migrate: %s (%s)", e.detail_en, pb_db_errmsg(db));
    assert_int_equal(rc, n);
    assert_true(n >= 10);
    assert_int_equal(pb_modules_migrate(db, &e), 0);
    assert_int_equal(pb_db_migrations_applied(db, &v), 0);
    assert_int_equal(v, n);
    pb_db_close(db);
}

struct three_rows {
    int calls;
};

static int tx_three(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct three_rows *c = vctx;
    (void)err;
    c->calls++;
    for (int i = 1; i <= 3; i++) {
        int rc = run(db, "INSERT INTO fi (a) VALUES (?)", 1, (int64_t)i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void test_fault_injection(void **state)
{
    struct pb_db *db = topen();
    struct pb_err e = {0};
    struct three_rows c = {0};
    int64_t v;
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS fi; CREATE TABLE fi (a BIGINT)");
    pb_db_fault_inject(2, 0);
    assert_int_equal(pb_db_tx(db, 1, tx_three, &c, &e), PB_E_DB);
    assert_int_equal(c.calls, 1);
    assert_string_equal(e.detail_en, "Database error");
    assert_false(pb_db_in_tx(db));
    assert_int_equal(qint(db, "SELECT count(*) FROM fi"), 0); /* the first insert rolled back */
    /* One-shot: the next transaction is fine. */
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 1, tx_three, &c, &e), 0);
    assert_int_equal(qint(db, "SELECT count(*) FROM fi"), 3);

    /* Persistent: the Nth step and every later one fails, until disarmed. */
    pb_db_fault_inject(2, 1);
    assert_int_equal(pb_db_query_int(db, "SELECT count(*) FROM fi", &v), 0);
    assert_int_equal(pb_db_query_int(db, "SELECT count(*) FROM fi", &v), PB_E_DB);
    assert_int_equal(pb_db_query_int(db, "SELECT count(*) FROM fi", &v), PB_E_DB);
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 1, tx_three, &c, &e), PB_E_DB);
    pb_db_fault_inject(0, 0);
    assert_int_equal(qint(db, "SELECT count(*) FROM fi"), 3);
    exec_ok(db, "DROP TABLE fi");
    pb_db_close(db);
}

#define CONC_THREADS 4
#define CONC_TX 200

struct conc {
    int write; /* 0: deferred transactions, which on SQLite must upgrade and so retry */
    int ntx;
    int calls;
    int failures;
};

static int tx_incr(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct conc *c = vctx;
    struct pb_stmt *st;
    int rc;
    (void)err;
    c->calls++;
    if (!c->write) {
        /* Read first: on SQLite the transaction then holds a snapshot and must upgrade. */
        int64_t n;
        rc = pb_db_query_int(db, "SELECT n FROM counter WHERE id = 1", &n);
        if (rc < 0)
            return rc;
    }
    rc = pb_db_prepare(db, "UPDATE counter SET n = n + 1 WHERE id = ? RETURNING n", &st);
    if (rc < 0)
        return rc;
    pb_stmt_bind_int(st, 1, 1);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    return rc == PB_ROW ? 0 : PB_E_NOT_FOUND;
}

static void *conc_worker(void *arg)
{
    struct conc *c = arg;
    struct pb_db *db = topen();
    for (int i = 0; i < c->ntx; i++) {
        struct pb_err e = {0};
        if (pb_db_tx(db, c->write, tx_incr, c, &e) < 0)
            c->failures++;
    }
    pb_db_close(db);
    return NULL;
}

/* Threads on their own connections increment one row; returns the total fn calls. */
static int conc_run(struct pb_db *db, int write, int ntx, int64_t expect)
{
    pthread_t th[CONC_THREADS];
    struct conc c[CONC_THREADS];
    int calls = 0;
    memset(c, 0, sizeof c);
    for (int i = 0; i < CONC_THREADS; i++) {
        c[i].write = write;
        c[i].ntx = ntx;
        assert_int_equal(pthread_create(&th[i], NULL, conc_worker, &c[i]), 0);
    }
    for (int i = 0; i < CONC_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(c[i].failures, 0);
        calls += c[i].calls;
    }
    assert_int_equal(qint(db, "SELECT n FROM counter WHERE id = 1"), expect);
    assert_true(calls >= CONC_THREADS * ntx);
    return calls;
}

static void test_concurrency(void **state)
{
    struct pb_db *db = topen();
    int calls;
    (void)state;
    exec_ok(db, "DROP TABLE IF EXISTS counter; CREATE TABLE counter (id BIGINT PRIMARY KEY, "
                "n BIGINT NOT NULL); INSERT INTO counter (id, n) VALUES (1, 0)");
    conc_run(db, 1, CONC_TX, CONC_THREADS * CONC_TX);
    /* Deferred transactions that write: SQLite answers some with BUSY_SNAPSHOT, which the
     * retry loop absorbs; the count must still be exact. */
    calls = conc_run(db, 0, CONC_TX / 4, CONC_THREADS * CONC_TX + CONC_THREADS * (CONC_TX / 4));
    fprintf(stderr, "test_store: deferred writers: %d calls for %d transactions\n", calls,
            CONC_THREADS * (CONC_TX / 4));
    exec_ok(db, "DROP TABLE counter");
    pb_db_close(db);
}

static int tx_count(struct pb_db *db, void *vctx, struct pb_err *err)
{
    int64_t *n = vctx;
    (void)err;
    return pb_db_query_int(db, "SELECT count(*) FROM rc_t", n);
}

struct kill_ctx {
    struct pb_db *killer;
    int calls;
};

/* First attempt: have the server drop this very connection mid-transaction. */
static int tx_killed(struct pb_db *db, void *vctx, struct pb_err *err)
{
    struct kill_ctx *c = vctx;
    (void)err;
    if (c->calls++ == 0) {
        int64_t pid = qint(db, "SELECT pg_backend_pid()");
        assert_int_equal(run(c->killer, "SELECT pg_terminate_backend(?)", 1, pid), PB_DONE);
        usleep(100 * 1000);
    }
    return run(db, "INSERT INTO rc_t (a) VALUES (?)", 1, (int64_t)2);
}

/* PostgreSQL only: the server drops our connection; the next transaction reconnects and
 * re-prepares what the server forgot. */
static void test_pg_reconnect(void **state)
{
    struct pb_db *db, *killer;
    struct pb_err e = {0};
    int64_t pid, n = -1;
    (void)state;
    if (g.kind != PB_DB_PG)
        skip();
    db = topen();
    killer = topen();
    exec_ok(db,
            "DROP TABLE IF EXISTS rc_t; CREATE TABLE rc_t (a BIGINT); INSERT INTO rc_t VALUES (1)");
    assert_int_equal(pb_db_tx(db, 0, tx_count, &n, &e), 0); /* caches the statement */
    assert_int_equal(n, 1);
    pid = qint(db, "SELECT pg_backend_pid()");
    assert_int_equal(run(killer, "SELECT pg_terminate_backend(?)", 1, pid), PB_DONE);
    usleep(100 * 1000);
    n = -1;
    assert_int_equal(pb_db_tx(db, 0, tx_count, &n, &e), 0);
    assert_int_equal(n, 1);
    /* A new backend, with the URL's settings (search_path found rc_t). */
    assert_true(qint(db, "SELECT pg_backend_pid()") != pid);
    /* Lost inside a transaction: nothing was committed, so it is retried on a new link. */
    {
        struct kill_ctx k = {killer, 0};
        assert_int_equal(pb_db_tx(db, 1, tx_killed, &k, &e), PB_DONE);
        assert_int_equal(k.calls, 2);
        assert_int_equal(qint(db, "SELECT count(*) FROM rc_t WHERE a = 2"), 1);
    }
    exec_ok(killer, "DROP TABLE rc_t");
    pb_db_close(killer);
    pb_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_exec_script),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_placeholder_rewrite),
        cmocka_unit_test(test_placeholders_live),
        cmocka_unit_test(test_returning_and_upsert),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_tx_commit_rollback),
        cmocka_unit_test(test_tx_retry),
        cmocka_unit_test(test_nested_statements),
        cmocka_unit_test(test_stmt_cache),
        cmocka_unit_test(test_dialect),
        cmocka_unit_test(test_migrate_custom),
        cmocka_unit_test(test_migrate_concurrent),
        cmocka_unit_test(test_migrate_modules),
        cmocka_unit_test(test_migrate_legacy),
        cmocka_unit_test(test_migrate_embedded),
        cmocka_unit_test(test_fault_injection),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_pg_reconnect),
    };
    return cmocka_run_group_tests_name("store", tests, suite_setup, suite_teardown);
}
