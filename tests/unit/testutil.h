/* testutil.h: shared helpers of the database-backed suites (test_engine, test_account,
 * test_audit). Include it once, after <cmocka.h>.
 *
 * The database: PB_TEST_DB_URL ("sqlite:PATH" or a PostgreSQL URL), else a SQLite file in a
 * mkdtemp directory. On PostgreSQL the suite works in a schema of its own (tu_<suite>_<pid>,
 * set through the URL's `options`, so it survives reconnects), dropped at the end: a rerun on
 * the same database starts clean. tu_fresh_db() gives further empty databases (SQLite: a new
 * file in a temporary directory; PostgreSQL: a new schema), migrated and seeded. */
#ifndef PB_TESTUTIL_H
#define PB_TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/account.h"
#include "core/audit.h"
#include "core/resource/resource.h"
#include "core/store/db.h"
#include "core/util/pb.h"
#include "core/util/timeutil.h"

#define TU_MAX_FRESH 64
#define TU_URL_MAX 1400

static struct {
    char url[1024];  /* as given (PostgreSQL: without the schema option) */
    char suite[32];
    char dir[256];   /* SQLite fresh databases (and the default main file) live here */
    char schema[48]; /* PostgreSQL: this run's schema */
    enum pb_db_kind kind;
    char fresh[TU_MAX_FRESH][160]; /* PostgreSQL schemas to drop at the end */
    int nfresh;
    int nseq; /* unique names for fresh databases */
    struct pb_db *db; /* the suite's main connection (migrated, reference data seeded) */
} tu;

static inline struct pb_db *tu_open_url(const char *url)
{
    struct pb_db *db = NULL;
    struct pb_err e;
    pb_err_clear(&e);
    if (pb_db_open(url, &db, &e))
        fail_msg("pb_db_open(%s): %s", url, e.detail_en);
    return db;
}

static inline void tu_pg_url(const char *schema, char *out, size_t n)
{
    snprintf(out, n, "%s%coptions=-csearch_path%%3D%s", tu.url, strchr(tu.url, '?') ? '&' : '?',
             schema);
}

/* A new connection to the suite's main database (e.g. for a thread). */
static inline struct pb_db *tu_connect(void)
{
    char url[TU_URL_MAX];
    if (tu.kind == PB_DB_PG) {
        tu_pg_url(tu.schema, url, sizeof url);
        return tu_open_url(url);
    }
    return tu_open_url(tu.url);
}

static inline int tu_exec(struct pb_db *db, const char *sql)
{
    struct pb_err e;
    pb_err_clear(&e);
    return pb_db_exec_script(db, sql, &e);
}

static inline void tu_exec_ok(struct pb_db *db, const char *sql)
{
    int rc = tu_exec(db, sql);
    if (rc)
        fail_msg("exec rc %d (%s): %s", rc, sql, pb_db_errmsg(db));
}

static inline void tu_init_db(struct pb_db *db)
{
    if (pb_cli_init_db(db, 1, NULL))
        fail_msg("pb_cli_init_db failed: %s", pb_db_errmsg(db));
}

/* The temporary directory, made on first need (so a run that aborts leaves nothing behind
 * unless it used one). */
static inline const char *tu_tmpdir(void)
{
    if (!tu.dir[0]) {
        char tmpl[128];
        snprintf(tmpl, sizeof tmpl, "/tmp/pb_%s.XXXXXX", tu.suite);
        if (!mkdtemp(tmpl))
            fail_msg("mkdtemp %s failed", tmpl);
        pb_strlcpy(tu.dir, tmpl, sizeof tu.dir);
    }
    return tu.dir;
}

/* A fresh, migrated and seeded database; *url_out (optional, >= TU_URL_MAX bytes) gets its URL so
 * that more connections can be opened to it. */
static inline struct pb_db *tu_fresh_db(const char *tag, char *url_out)
{
    char url[TU_URL_MAX], name[64];
    struct pb_db *db;
    snprintf(name, sizeof name, "%.40s_%d", tag, ++tu.nseq);
    if (tu.kind == PB_DB_SQLITE) {
        snprintf(url, sizeof url, "sqlite:%s/%s.db", tu_tmpdir(), name);
    } else {
        char sql[400];
        if (tu.nfresh >= TU_MAX_FRESH)
            fail_msg("too many fresh databases");
        snprintf(tu.fresh[tu.nfresh], sizeof tu.fresh[0], "%s_%s", tu.schema, name);
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s",
                 tu.fresh[tu.nfresh], tu.fresh[tu.nfresh]);
        tu_exec_ok(tu.db, sql);
        tu_pg_url(tu.fresh[tu.nfresh], url, sizeof url);
        tu.nfresh++;
    }
    db = tu_open_url(url);
    tu_init_db(db);
    if (url_out)
        memcpy(url_out, url, strlen(url) + 1);
    return db;
}

/* Suite setup: find the database, create the schema and reference data (pb_cli_init_db). */
static inline int tu_setup(const char *suite)
{
    const char *env = getenv("PB_TEST_DB_URL");
    struct pb_err e;
    pb_err_clear(&e);
    pb_app_init();
    pb_strlcpy(tu.suite, suite, sizeof tu.suite);
    if (env && *env) {
        pb_strlcpy(tu.url, env, sizeof tu.url);
    } else {
        char tmpl[128];
        snprintf(tmpl, sizeof tmpl, "/tmp/pb_%s.XXXXXX", suite);
        if (!mkdtemp(tmpl))
            return -1;
        pb_strlcpy(tu.dir, tmpl, sizeof tu.dir);
        snprintf(tu.url, sizeof tu.url, "sqlite:%s/main.db", tu.dir);
    }
    tu.kind = strncmp(tu.url, "sqlite:", 7) ? PB_DB_PG : PB_DB_SQLITE;
    if (tu.kind == PB_DB_PG) {
        struct pb_db *db = NULL;
        char sql[256], url[TU_URL_MAX];
        snprintf(tu.schema, sizeof tu.schema, "tu_%s_%ld", suite, (long)getpid());
        if (pb_db_open(tu.url, &db, &e)) {
            fprintf(stderr, "%s: cannot open PB_TEST_DB_URL: %s\n", suite, e.detail_en);
            return -1;
        }
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", tu.schema,
                 tu.schema);
        if (pb_db_exec_script(db, sql, &e)) {
            fprintf(stderr, "%s: cannot create schema: %s\n", suite, pb_db_errmsg(db));
            pb_db_close(db);
            return -1;
        }
        pb_db_close(db);
        tu_pg_url(tu.schema, url, sizeof url);
        if (pb_db_open(url, &tu.db, &e))
            return -1;
    } else if (pb_db_open(tu.url, &tu.db, &e)) {
        fprintf(stderr, "%s: cannot open %s: %s\n", suite, tu.url, e.detail_en);
        return -1;
    }
    if (pb_cli_init_db(tu.db, 1, NULL)) {
        fprintf(stderr, "%s: init failed: %s\n", suite, pb_db_errmsg(tu.db));
        return -1;
    }
    fprintf(stderr, "%s: driver %s\n", suite, tu.kind == PB_DB_PG ? "postgresql" : "sqlite");
    return 0;
}

static inline int tu_teardown(void)
{
    if (tu.db)
        pb_db_close(tu.db);
    tu.db = NULL;
    if (tu.kind == PB_DB_PG && !getenv("PB_TEST_KEEP")) {
        struct pb_db *db = NULL;
        struct pb_err e;
        char sql[256];
        pb_err_clear(&e);
        if (pb_db_open(tu.url, &db, &e) == 0) {
            snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", tu.schema);
            pb_db_exec_script(db, sql, &e);
            for (int i = 0; i < tu.nfresh; i++) {
                snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", tu.fresh[i]);
                pb_db_exec_script(db, sql, &e);
            }
            pb_db_close(db);
        }
    }
    if (tu.dir[0] && !getenv("PB_TEST_KEEP")) {
        DIR *d = opendir(tu.dir);
        struct dirent *de;
        char path[512];
        while (d && (de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", tu.dir, de->d_name);
            unlink(path);
        }
        if (d)
            closedir(d);
        rmdir(tu.dir);
    }
    return 0;
}

/* ---- queries ---- */

/* Run `sql` with text parameters (NULL-terminated list) and return the first column of the
 * first row as an integer (-1 when there is no row). */
static inline int64_t tu_qint(struct pb_db *db, const char *sql, ...)
{
    struct pb_stmt *st;
    va_list ap;
    const char *s;
    int64_t v = -1;
    int rc, i = 1;
    if ((rc = pb_db_prepare(db, sql, &st)))
        fail_msg("prepare rc %d (%s): %s", rc, sql, pb_db_errmsg(db));
    va_start(ap, sql);
    while ((s = va_arg(ap, const char *)) != NULL)
        pb_stmt_bind_text(st, i++, s);
    va_end(ap);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        v = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        fail_msg("step rc %d (%s): %s", rc, sql, pb_db_errmsg(db));
    return v;
}

/* Same, returning the first column as text (copied into out; "" when there is no row). */
static inline void tu_qtext(struct pb_db *db, char *out, size_t n, const char *sql, ...)
{
    struct pb_stmt *st;
    va_list ap;
    const char *s;
    int rc, i = 1;
    out[0] = 0;
    if ((rc = pb_db_prepare(db, sql, &st)))
        fail_msg("prepare rc %d (%s): %s", rc, sql, pb_db_errmsg(db));
    va_start(ap, sql);
    while ((s = va_arg(ap, const char *)) != NULL)
        pb_stmt_bind_text(st, i++, s);
    va_end(ap);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        pb_strlcpy(out, pb_stmt_col_text(st, 0), n);
    pb_stmt_done(st);
    if (rc < 0)
        fail_msg("step rc %d (%s): %s", rc, sql, pb_db_errmsg(db));
}

/* ---- contexts and errors ---- */

static inline void tu_ctx(struct pb_ctx *c, struct pb_db *db, struct pb_arena *a,
                   const struct pb_principal *who)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    c->arena = a;
    c->who = who;
    c->client_addr = "127.0.0.1";
    c->request_id = "unit-test";
    c->now_ms = pb_now_ms();
}

/* Does err carry a field error (field, code)? code NULL: any code. */
static inline int tu_has_field(const struct pb_err *e, const char *field, const char *code)
{
    for (int i = 0; i < e->nfields; i++)
        if (!strcmp(e->fields[i].field, field) && (!code || !strcmp(e->fields[i].code, code)))
            return 1;
    return 0;
}

static inline void tu_dump_err(const struct pb_err *e)
{
    fprintf(stderr, "    err rc %d (%s) detail: %s\n", e->rc, pb_rc_name(e->rc), e->detail_en);
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "      field %s code %s: %s\n", e->fields[i].field, e->fields[i].code,
                e->fields[i].en);
}

/* Assert a call's result: rc, and (when field is non-NULL) a field error with that code. */
#define TU_EXPECT(expr, want_rc, e, field, code)                                                   \
    do {                                                                                           \
        int tu_rc_ = (expr);                                                                       \
        if (tu_rc_ != (want_rc) || ((field) && !tu_has_field((e), (field), (code)))) {             \
            tu_dump_err(e);                                                                        \
            fail_msg("%s: rc %d (%s), expected %d (%s) field %s code %s", #expr, tu_rc_,           \
                     pb_rc_name(tu_rc_), (int)(want_rc), pb_rc_name(want_rc),                      \
                     (field) ? (const char *)(field) : "-", (code) ? (const char *)(code) : "-");  \
        }                                                                                          \
    } while (0)

#define TU_OK(expr, e)                                                                             \
    do {                                                                                           \
        int tu_rc_ = (expr);                                                                       \
        if (tu_rc_ != 0) {                                                                         \
            tu_dump_err(e);                                                                        \
            fail_msg("%s: rc %d (%s)", #expr, tu_rc_, pb_rc_name(tu_rc_));                        \
        }                                                                                          \
    } while (0)

/* ---- JSON ---- */

static inline json_t *tu_json(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        fail_msg("bad JSON (%s): %.300s", je.text, text);
    return j;
}

static inline const char *tu_jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

#define TU_JSTR_EQ(obj, key, want)                                                                 \
    do {                                                                                           \
        const char *tu_s_ = tu_jstr((obj), (key));                                                 \
        if (!tu_s_ || strcmp(tu_s_, (want)))                                                       \
            fail_msg("member %s: got %s, expected \"%s\"", (key), tu_s_ ? tu_s_ : "(not a string)", \
                     (want));                                                                      \
    } while (0)

/* ---- principals ---- */

static inline void tu_principal(struct pb_principal *p, enum pb_role role, const char *username,
                         int64_t account_id)
{
    memset(p, 0, sizeof *p);
    p->role = role;
    p->account_id = account_id;
    pb_strlcpy(p->username, username, sizeof p->username);
}

static inline void tu_principal_add_region(struct pb_principal *p, const char *code)
{
    pb_strlcpy(p->regions[p->nregions++], code, sizeof p->regions[0]);
}

#endif
