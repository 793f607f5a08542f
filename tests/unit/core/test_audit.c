/* test_audit.c: the hash-chained audit log (src/domain/audit.c): chains per region written
 * inside transactions, verification, the append-only triggers, detection of every kind of
 * tampering, and concurrent writers. Runs on PB_TEST_DB_URL (SQLite or PostgreSQL), else a
 * temporary SQLite file. Each case works on a fresh database (SQLite: a new file; PostgreSQL: a
 * new schema in the one database given), so a tampered log never leaks into another case. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "core/util/crypto.h"

#define NREC 50
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char *const chains[3] = {"350582", "350583", "global"};

static struct pb_principal P_clerk;

static int setup(void **state)
{
    (void)state;
    tu_principal(&P_clerk, PB_ROLE_REGION, "clerk_u", 42);
    tu_principal_add_region(&P_clerk, "350582");
    tu_principal_add_region(&P_clerk, "350583");
    return tu_setup("audit");
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown();
}

/* ---- writing ---- */

struct wargs {
    struct pb_ctx *c;
    int first, n; /* record numbers first..first+n-1 */
    int fail;     /* return an error after writing (the transaction rolls back) */
};

static void rec_for(int i, struct pb_audit_rec *r, char *oid, char *changes)
{
    const char *chain = chains[i % 3];
    snprintf(oid, 24, "%d", 1000 + i);
    snprintf(changes, 64, "{\"n\":%d,\"name\":\"园区%d\"}", i, i);
    memset(r, 0, sizeof *r);
    r->action = i % 4 ? "update" : "create";
    r->resource = "parks";
    r->object_id = oid;
    /* "global" is the chain of records without a region: given as "" or NULL */
    r->region_code = !strcmp(chain, "global") ? (i % 2 ? "" : NULL) : chain;
    r->result = "ok";
    r->changes = changes;
    r->username = i % 5 == 0 ? "attempted_name" : NULL;
}

static int write_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct wargs *a = ctx;
    int rc;
    (void)db;
    for (int i = a->first; i < a->first + a->n; i++) {
        struct pb_audit_rec r;
        char oid[24], changes[64];
        rec_for(i, &r, oid, changes);
        a->c->now_ms = 1790000000000LL + i;
        if ((rc = pb_audit_write(a->c, &r, err)))
            return rc;
    }
    return a->fail ? pb_err_set(err, PB_E_INVALID, "x", "x") : 0;
}

/* Write records first..first+n-1 in transactions of 5. */
static void write_records(struct pb_db *db, int first, int n)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    pb_arena_init(&a);
    tu_ctx(&c, db, &a, &P_clerk);
    for (int i = first; i < first + n; i += 5) {
        struct wargs w = {&c, i, i + 5 <= first + n ? 5 : first + n - i, 0};
        pb_err_clear(&e);
        TU_OK(pb_db_tx(db, 1, write_tx, &w, &e), &e);
    }
    pb_arena_release(&a);
}

/* ---- reading ---- */

struct arow {
    int64_t id, seq, at, account_id;
    char chain[16], username[64], role[16], region[16], action[16], resource[16], object_id[24], result[16],
        changes[128], client_addr[32], request_id[32], prev_hash[65], hash[65];
};

static int load_rows(struct pb_db *db, struct arow *rows, int max)
{
    struct pb_stmt *st;
    int n = 0, rc;
    assert_int_equal(pb_db_prepare(db,
                                   "SELECT id, chain, seq, at, account_id, username, role, region_code, action, "
                                   "resource, object_id, result, changes, client_addr, request_id, prev_hash, hash "
                                   "FROM audit ORDER BY id",
                                   &st),
                     0);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        struct arow *r = &rows[n];
        assert_true(n < max);
        memset(r, 0, sizeof *r);
        r->id = pb_stmt_col_int(st, 0);
        pb_strlcpy(r->chain, pb_stmt_col_text(st, 1), sizeof r->chain);
        r->seq = pb_stmt_col_int(st, 2);
        r->at = pb_stmt_col_int(st, 3);
        r->account_id = pb_stmt_col_int(st, 4);
        pb_strlcpy(r->username, pb_stmt_col_text(st, 5), sizeof r->username);
        pb_strlcpy(r->role, pb_stmt_col_text(st, 6), sizeof r->role);
        pb_strlcpy(r->region, pb_stmt_col_text(st, 7), sizeof r->region);
        pb_strlcpy(r->action, pb_stmt_col_text(st, 8), sizeof r->action);
        pb_strlcpy(r->resource, pb_stmt_col_text(st, 9), sizeof r->resource);
        pb_strlcpy(r->object_id, pb_stmt_col_text(st, 10), sizeof r->object_id);
        pb_strlcpy(r->result, pb_stmt_col_text(st, 11), sizeof r->result);
        pb_strlcpy(r->changes, pb_stmt_col_text(st, 12), sizeof r->changes);
        pb_strlcpy(r->client_addr, pb_stmt_col_text(st, 13), sizeof r->client_addr);
        pb_strlcpy(r->request_id, pb_stmt_col_text(st, 14), sizeof r->request_id);
        pb_strlcpy(r->prev_hash, pb_stmt_col_text(st, 15), sizeof r->prev_hash);
        pb_strlcpy(r->hash, pb_stmt_col_text(st, 16), sizeof r->hash);
        n++;
    }
    pb_stmt_done(st);
    assert_int_equal(rc, PB_DONE);
    return n;
}

static const struct arow *find(const struct arow *rows, int n, const char *chain, int64_t seq)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(rows[i].chain, chain) && rows[i].seq == seq)
            return &rows[i];
    fail_msg("no record %s/%lld", chain, (long long)seq);
    return NULL;
}

static int64_t chain_len(const struct arow *rows, int n, const char *chain)
{
    int64_t k = 0;
    for (int i = 0; i < n; i++)
        k += !strcmp(rows[i].chain, chain);
    return k;
}

/* The record hash as the documentation defines it: SHA-256 over the length-prefixed fields,
 * starting with the previous hash. Recomputed independently so a change of format shows. */
static void canon(struct pb_buf *b, const char *s)
{
    pb_buf_printf(b, "%zu:%s;", strlen(s), s);
}

static void row_hash(const struct arow *r, const char *prev, char out[65])
{
    struct pb_buf b;
    char t[32];
    pb_buf_init(&b, 0);
    canon(&b, prev);
    canon(&b, r->chain);
    snprintf(t, sizeof t, "%lld", (long long)r->seq);
    canon(&b, t);
    snprintf(t, sizeof t, "%lld", (long long)r->at);
    canon(&b, t);
    snprintf(t, sizeof t, "%lld", (long long)r->account_id);
    canon(&b, t);
    canon(&b, r->username);
    canon(&b, r->role);
    canon(&b, r->region);
    canon(&b, r->action);
    canon(&b, r->resource);
    canon(&b, r->object_id);
    canon(&b, r->result);
    canon(&b, r->changes);
    canon(&b, r->client_addr);
    canon(&b, r->request_id);
    pb_sha256_hex(b.data, b.len, out);
    pb_buf_release(&b);
}

static int verify(struct pb_db *db, int64_t *bad, char *why, int64_t *n)
{
    *bad = -1;
    *n = -1;
    return pb_audit_verify(db, bad, why, 256, n);
}

static void verify_ok(struct pb_db *db, int64_t want_n)
{
    int64_t bad, n;
    char why[256];
    int rc = verify(db, &bad, why, &n);
    if (rc)
        fail_msg("verify rc %d bad %lld: %s", rc, (long long)bad, why);
    assert_int_equal(bad, 0);
    assert_int_equal(n, want_n);
    assert_string_equal(why, "");
}

/* Run one statement with an int and a text parameter; returns the step result. */
static int run2(struct pb_db *db, const char *sql, const char *text, int64_t id)
{
    struct pb_stmt *st;
    int rc = pb_db_prepare(db, sql, &st);
    if (rc)
        return rc;
    if (text) {
        pb_stmt_bind_text(st, 1, text);
        pb_stmt_bind_int(st, 2, id);
    } else {
        pb_stmt_bind_int(st, 1, id);
    }
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc;
}

static void drop_triggers(struct pb_db *db)
{
    if (pb_db_kind(db) == PB_DB_SQLITE)
        tu_exec_ok(db, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
    else
        tu_exec_ok(db, "DROP TRIGGER audit_no_update ON audit");
}

static void exec_fmt(struct pb_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void exec_fmt(struct pb_db *db, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    tu_exec_ok(db, sql);
}

/* A fresh database holding the NREC records, verified, with the triggers dropped. */
static struct pb_db *tamper_db(const char *tag, struct arow *rows, int *n)
{
    struct pb_db *db = tu_fresh_db(tag, NULL);
    assert_int_equal(tu_qint(db, "SELECT COUNT(*) FROM audit", NULL), 0);
    write_records(db, 0, NREC);
    *n = load_rows(db, rows, NREC);
    assert_int_equal(*n, NREC);
    verify_ok(db, NREC);
    drop_triggers(db);
    return db;
}

static int mentions(const char *why, const char *part)
{
    return !part || strstr(why, part) != NULL;
}

#define EXPECT_BAD(db, want_bad, why_part)                                                                     \
    do {                                                                                                       \
        int64_t bad_, n_;                                                                                      \
        char why_[256];                                                                                        \
        int rc_ = verify((db), &bad_, why_, &n_);                                                              \
        if (rc_ != PB_E_INVALID || bad_ != (want_bad) || !mentions(why_, (why_part)))                          \
            fail_msg("verify: rc %d bad %lld (expected %lld) why \"%s\" (expected to mention \"%s\")", rc_,   \
                     (long long)bad_, (long long)(want_bad), why_, (why_part) ? (why_part) : "");              \
    } while (0)

/* ---- tests ---- */

static void test_write_and_verify(void **state)
{
    struct pb_db *db = tu_fresh_db("wv", NULL);
    struct arow rows[NREC];
    int n;
    char h[65];
    (void)state;
    verify_ok(db, 0); /* an empty log is intact */
    write_records(db, 0, NREC);
    verify_ok(db, NREC);
    n = load_rows(db, rows, NREC);
    assert_int_equal(n, NREC);
    /* interleaved: 17 + 17 + 16 */
    assert_int_equal(chain_len(rows, n, "350582"), 17);
    assert_int_equal(chain_len(rows, n, "350583"), 17);
    assert_int_equal(chain_len(rows, n, "global"), 16);
    for (int k = 0; k < 3; k++) {
        int64_t len = chain_len(rows, n, chains[k]);
        const char *prev = GENESIS;
        char head[65];
        char seqtxt[24];
        for (int64_t s = 1; s <= len; s++) {
            const struct arow *r = find(rows, n, chains[k], s);
            assert_string_equal(r->prev_hash, prev);
            assert_int_equal(strlen(r->hash), 64);
            assert_int_equal(strspn(r->hash, "0123456789abcdef"), 64);
            row_hash(r, prev, h);
            assert_string_equal(h, r->hash);
            prev = r->hash;
        }
        snprintf(seqtxt, sizeof seqtxt, "%lld", (long long)len);
        assert_int_equal(tu_qint(db, "SELECT COUNT(*) FROM audit_chain WHERE chain = ? AND seq = ?", chains[k],
                                 seqtxt, NULL),
                         1);
        tu_qtext(db, head, sizeof head, "SELECT head_hash FROM audit_chain WHERE chain = ?", chains[k], NULL);
        assert_string_equal(head, prev);
    }
    /* the stored fields */
    for (int i = 0; i < n; i++) {
        const struct arow *r = &rows[i];
        int k = i; /* written in order, so record number i has the i-th id */
        char oid[24], changes[64];
        struct pb_audit_rec want;
        rec_for(k, &want, oid, changes);
        assert_string_equal(r->chain, chains[k % 3]);
        assert_string_equal(r->region, want.region_code ? want.region_code : "");
        assert_string_equal(r->action, want.action);
        assert_string_equal(r->resource, "parks");
        assert_string_equal(r->object_id, oid);
        assert_string_equal(r->changes, changes);
        assert_string_equal(r->result, "ok");
        assert_int_equal(r->at, 1790000000000LL + k);
        assert_int_equal(r->account_id, 42);
        assert_string_equal(r->username, want.username ? want.username : "clerk_u");
        assert_string_equal(r->role, "region");
        assert_string_equal(r->client_addr, "127.0.0.1");
        assert_string_equal(r->request_id, "unit-test");
    }
    pb_db_close(db);
}

static void test_rollback_leaves_no_trace(void **state)
{
    struct pb_db *db = tu_fresh_db("rb", NULL);
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    struct wargs w;
    (void)state;
    write_records(db, 0, 9);
    pb_arena_init(&a);
    tu_ctx(&c, db, &a, &P_clerk);
    w = (struct wargs){&c, 9, 5, 1};
    pb_err_clear(&e);
    assert_int_equal(pb_db_tx(db, 1, write_tx, &w, &e), PB_E_INVALID);
    assert_int_equal(tu_qint(db, "SELECT COUNT(*) FROM audit", NULL), 9);
    assert_int_equal(tu_qint(db, "SELECT SUM(seq) FROM audit_chain", NULL), 9);
    verify_ok(db, 9);
    /* later writes continue the chains without a gap */
    write_records(db, 9, 6);
    verify_ok(db, 15);
    assert_int_equal(tu_qint(db, "SELECT MAX(seq) FROM audit WHERE chain = '350582'", NULL), 5);
    /* a record in a transaction of its own */
    pb_err_clear(&e);
    TU_OK(pb_audit_write_tx(&c, &(struct pb_audit_rec){.action = "denied", .resource = "parks", .object_id = "7",
                                                        .region_code = "350583", .result = "denied"},
                            &e),
          &e);
    verify_ok(db, 16);
    assert_int_equal(tu_qint(db, "SELECT seq FROM audit WHERE action = 'denied'", NULL), 6);
    pb_arena_release(&a);
    pb_db_close(db);
}

static void test_append_only(void **state)
{
    struct pb_db *db = tu_fresh_db("ao", NULL);
    struct arow before[NREC], after[NREC];
    int n;
    (void)state;
    write_records(db, 0, 12);
    n = load_rows(db, before, NREC);
    assert_int_equal(n, 12);
    /* the triggers refuse changes and deletions, whole-table or one row */
    assert_true(tu_exec(db, "UPDATE audit SET changes = 'x'") < 0);
    assert_true(tu_exec(db, "UPDATE audit SET username = 'mallory' WHERE id = 3") < 0);
    assert_true(tu_exec(db, "DELETE FROM audit") < 0);
    assert_true(tu_exec(db, "DELETE FROM audit WHERE id = 3") < 0);
    assert_true(run2(db, "UPDATE audit SET changes = ? WHERE id = ?", "{}", before[2].id) < 0);
    assert_true(run2(db, "DELETE FROM audit WHERE id = ?", NULL, before[2].id) < 0);
    if (pb_db_kind(db) == PB_DB_PG)
        assert_true(tu_exec(db, "TRUNCATE audit") < 0);
    /* nothing changed */
    assert_int_equal(load_rows(db, after, NREC), n);
    assert_memory_equal(before, after, sizeof(struct arow) * (size_t)n);
    verify_ok(db, 12);
    pb_db_close(db);
}

/* One field of one record edited: that record is the bad one. */
static void test_tamper_edit_fields(void **state)
{
    static const struct {
        const char *col, *value;
    } edits[] = {
        {"username", "'mallory'"}, {"action", "'read'"},      {"at", "at + 1"},         {"object_id", "'9999'"},
        {"result", "'denied'"},    {"role", "'admin'"},       {"account_id", "0"},      {"region_code", "'350581'"},
        {"resource", "'audit'"},   {"client_addr", "'1.2.3.4'"}, {"request_id", "'r2'"},
    };
    (void)state;
    for (size_t i = 0; i < PB_ARRAY_LEN(edits); i++) {
        struct arow rows[NREC];
        int n;
        struct pb_db *db = tamper_db("ed", rows, &n);
        const struct arow *x = find(rows, n, "350583", 8);
        exec_fmt(db, "UPDATE audit SET %s = %s WHERE id = %lld", edits[i].col, edits[i].value, (long long)x->id);
        if (tu_qint(db, "SELECT COUNT(*) FROM audit", NULL) != NREC)
            fail_msg("edit of %s lost a record", edits[i].col);
        EXPECT_BAD(db, x->id, "edited");
        pb_db_close(db);
    }
}

static void test_tamper_changes_one_byte(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    char changed[128];
    const struct arow *x;
    (void)state;
    db = tamper_db("cb", rows, &n);
    x = find(rows, n, "350582", 9);
    pb_strlcpy(changed, x->changes, sizeof changed);
    /* {"n":24,... → {"n":25,... */
    assert_true(changed[6] >= '0' && changed[6] <= '8');
    changed[6]++;
    assert_int_equal(strlen(changed), strlen(x->changes));
    assert_int_equal(run2(db, "UPDATE audit SET changes = ? WHERE id = ?", changed, x->id), PB_DONE);
    EXPECT_BAD(db, x->id, "edited");
    /* on PostgreSQL there is one database to work in: put it back and it verifies again */
    assert_int_equal(run2(db, "UPDATE audit SET changes = ? WHERE id = ?", x->changes, x->id), PB_DONE);
    verify_ok(db, NREC);
    /* a stray space in the JSON is as bad as a changed value */
    pb_strlcpy(changed, x->changes, sizeof changed);
    changed[strlen(changed) - 1] = ' ';
    assert_int_equal(run2(db, "UPDATE audit SET changes = ? WHERE id = ?", changed, x->id), PB_DONE);
    EXPECT_BAD(db, x->id, "edited");
    pb_db_close(db);
}

static void test_tamper_seq(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    const struct arow *x, *next;
    (void)state;
    /* a middle record renumbered to 0 sorts first in its chain: it is the bad one */
    db = tamper_db("sq", rows, &n);
    x = find(rows, n, "global", 6);
    exec_fmt(db, "UPDATE audit SET seq = 0 WHERE id = %lld", (long long)x->id);
    EXPECT_BAD(db, x->id, "sequence");
    pb_db_close(db);
    /* renumbered past the end: the record after the gap is where the chain breaks */
    db = tamper_db("sq", rows, &n);
    x = find(rows, n, "global", 6);
    next = find(rows, n, "global", 7);
    exec_fmt(db, "UPDATE audit SET seq = 1000 WHERE id = %lld", (long long)x->id);
    EXPECT_BAD(db, next->id, "sequence");
    pb_db_close(db);
    /* two records swapped by seq (their hashes no longer follow) */
    db = tamper_db("sq", rows, &n);
    x = find(rows, n, "350582", 3);
    next = find(rows, n, "350582", 4);
    exec_fmt(db, "UPDATE audit SET seq = -4 WHERE id = %lld", (long long)next->id);
    exec_fmt(db, "UPDATE audit SET seq = 4 WHERE id = %lld", (long long)x->id);
    exec_fmt(db, "UPDATE audit SET seq = 3 WHERE id = %lld", (long long)next->id);
    EXPECT_BAD(db, next->id, NULL);
    pb_db_close(db);
}

static void test_tamper_delete(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    const struct arow *x;
    int64_t bad, cnt;
    char why[256];
    (void)state;
    /* a middle record: the chain breaks at the one after it */
    db = tamper_db("dm", rows, &n);
    x = find(rows, n, "350583", 10);
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    EXPECT_BAD(db, find(rows, n, "350583", 11)->id, "sequence");
    pb_db_close(db);
    /* the first record of a chain */
    db = tamper_db("df", rows, &n);
    x = find(rows, n, "350582", 1);
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    EXPECT_BAD(db, find(rows, n, "350582", 2)->id, "sequence");
    pb_db_close(db);
    /* the last record of the last chain: only the head knows */
    db = tamper_db("dl", rows, &n);
    x = find(rows, n, "global", chain_len(rows, n, "global"));
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "head"));
    assert_non_null(strstr(why, "global"));
    pb_db_close(db);
    /* the last record of a chain that is not the last one */
    db = tamper_db("dl", rows, &n);
    x = find(rows, n, "350582", chain_len(rows, n, "350582"));
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "head"));
    assert_non_null(strstr(why, "350582"));
    pb_db_close(db);
    /* a whole chain */
    db = tamper_db("dc", rows, &n);
    tu_exec_ok(db, "DELETE FROM audit WHERE chain = '350583'");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "350583"));
    pb_db_close(db);
    /* everything */
    db = tamper_db("da", rows, &n);
    tu_exec_ok(db, "DELETE FROM audit");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    pb_db_close(db);
}

static void test_tamper_links(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    const struct arow *x, *y;
    char h[65];
    (void)state;
    /* prev_hash of two neighbours swapped: the first of them no longer links */
    db = tamper_db("sw", rows, &n);
    x = find(rows, n, "350582", 5);
    y = find(rows, n, "350582", 6);
    assert_int_equal(run2(db, "UPDATE audit SET prev_hash = ? WHERE id = ?", y->prev_hash, x->id), PB_DONE);
    assert_int_equal(run2(db, "UPDATE audit SET prev_hash = ? WHERE id = ?", x->prev_hash, y->id), PB_DONE);
    EXPECT_BAD(db, x->id, "previous hash");
    pb_db_close(db);
    /* an edited record whose own hash was recomputed: the next record's link gives it away */
    db = tamper_db("rh", rows, &n);
    x = find(rows, n, "350583", 4);
    y = find(rows, n, "350583", 5);
    {
        struct arow forged = *x;
        pb_strlcpy(forged.changes, "{\"n\":0}", sizeof forged.changes);
        row_hash(&forged, x->prev_hash, h);
        assert_int_equal(run2(db, "UPDATE audit SET changes = ? WHERE id = ?", forged.changes, x->id), PB_DONE);
        assert_int_equal(run2(db, "UPDATE audit SET hash = ? WHERE id = ?", h, x->id), PB_DONE);
    }
    EXPECT_BAD(db, y->id, "previous hash");
    pb_db_close(db);
    /* a stored hash replaced */
    db = tamper_db("hh", rows, &n);
    x = find(rows, n, "global", 2);
    assert_int_equal(run2(db, "UPDATE audit SET hash = ? WHERE id = ?", GENESIS, x->id), PB_DONE);
    EXPECT_BAD(db, x->id, NULL);
    pb_db_close(db);
}

/* Records added behind the writer's back (INSERT is not refused by the triggers). */
static void test_tamper_insert(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    const struct arow *last;
    struct arow forged;
    char h[65], sql[2048];
    int64_t bad, cnt;
    char why[256];
    (void)state;
    db = tu_fresh_db("in", NULL);
    write_records(db, 0, NREC);
    n = load_rows(db, rows, NREC);
    /* a well-formed next record with a correct hash, but the chain head not moved */
    last = find(rows, n, "350582", chain_len(rows, n, "350582"));
    forged = *last;
    forged.seq++;
    pb_strlcpy(forged.action, "archive", sizeof forged.action);
    row_hash(&forged, last->hash, h);
    snprintf(sql, sizeof sql,
             "INSERT INTO audit (chain, seq, at, account_id, username, role, region_code, action, resource, "
             "object_id, result, changes, client_addr, request_id, prev_hash, hash) VALUES ('%s', %lld, %lld, "
             "%lld, '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s', '%s')",
             forged.chain, (long long)forged.seq, (long long)forged.at, (long long)forged.account_id,
             forged.username, forged.role, forged.region, forged.action, forged.resource, forged.object_id,
             forged.result, forged.changes, forged.client_addr, forged.request_id, last->hash, h);
    tu_exec_ok(db, sql);
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "head"));
    pb_db_close(db);
    /* a record with a made-up hash in the middle of nowhere */
    db = tu_fresh_db("in", NULL);
    write_records(db, 0, 6);
    tu_exec_ok(db, "INSERT INTO audit (chain, seq, at, action, result, prev_hash, hash) VALUES "
                   "('350582', 3, 1, 'create', 'ok', 'x', 'y')");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_true(bad > 0);
    pb_db_close(db);
}

/* The chain heads themselves. */
static void test_tamper_head(void **state)
{
    struct arow rows[NREC];
    int n;
    struct pb_db *db;
    int64_t bad, cnt;
    char why[256];
    (void)state;
    db = tamper_db("hd", rows, &n);
    tu_exec_ok(db, "UPDATE audit_chain SET head_hash = '" GENESIS "' WHERE chain = '350583'");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "350583"));
    pb_db_close(db);
    db = tamper_db("hd", rows, &n);
    tu_exec_ok(db, "UPDATE audit_chain SET seq = seq + 1 WHERE chain = 'global'");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    assert_non_null(strstr(why, "global"));
    pb_db_close(db);
    db = tamper_db("hd", rows, &n);
    tu_exec_ok(db, "DELETE FROM audit_chain WHERE chain = '350582'");
    assert_int_equal(verify(db, &bad, why, &cnt), PB_E_INVALID);
    pb_db_close(db);
}

/* audit.h: "*bad_id the first bad record (0 when the damage is in a chain head)". When the
 * records are intact and only the head disagrees (the last records were removed, or the head
 * was edited), no record is bad: the id must be 0, not an intact record's. */
static void test_tamper_head_and_cut_end(void **state)
{
    struct arow rows[NREC];
    int n, rc[3];
    int64_t bad[3], cnt, del[2];
    char why[3][256];
    struct pb_db *db;
    const struct arow *x;
    (void)state;
    db = tamper_db("hz", rows, &n);
    x = find(rows, n, "global", chain_len(rows, n, "global"));
    del[0] = x->id;
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    rc[0] = verify(db, &bad[0], why[0], &cnt);
    pb_db_close(db);
    db = tamper_db("hz", rows, &n);
    x = find(rows, n, "350582", chain_len(rows, n, "350582"));
    del[1] = x->id;
    exec_fmt(db, "DELETE FROM audit WHERE id = %lld", (long long)x->id);
    rc[1] = verify(db, &bad[1], why[1], &cnt);
    pb_db_close(db);
    db = tamper_db("hz", rows, &n);
    tu_exec_ok(db, "UPDATE audit_chain SET head_hash = '" GENESIS "' WHERE chain = '350583'");
    rc[2] = verify(db, &bad[2], why[2], &cnt);
    pb_db_close(db);
    /* Records cut off the end: check names the last intact record (the one before the
     * deleted); an altered head: no record is bad, the head is (bad_id 0). audit.h says so. */
    for (int i = 0; i < 2; i++) {
        if (rc[i] != PB_E_INVALID || bad[i] == 0 || bad[i] == del[i] || !strstr(why[i], "removed"))
            fail_msg("case %d: verify rc %d bad_id %lld (expected the last intact record, not %lld) why \"%s\"",
                     i, rc[i], (long long)bad[i], (long long)del[i], why[i]);
    }
    if (rc[2] != PB_E_INVALID || bad[2] != 0 || !strstr(why[2], "head"))
        fail_msg("case 2: verify rc %d bad_id %lld (expected 0: no record is bad, the head is) why \"%s\"",
                 rc[2], (long long)bad[2], why[2]);
}

/* ---- concurrency ---- */

#define NTHREADS 4
#define PER_THREAD 50

struct thread_arg {
    char url[TU_URL_MAX];
    int t;
    int failures;
};

struct one_args {
    struct pb_ctx *c;
    struct pb_audit_rec *r;
};

static int one_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct one_args *a = ctx;
    (void)db;
    return pb_audit_write(a->c, a->r, err);
}

static void *writer(void *p)
{
    struct thread_arg *ta = p;
    struct pb_db *db = NULL;
    struct pb_err e;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_principal who;
    pb_err_clear(&e);
    if (pb_db_open(ta->url, &db, &e)) {
        ta->failures = PER_THREAD;
        return NULL;
    }
    tu_principal(&who, PB_ROLE_CITY, "writer", 100 + ta->t);
    who.all_regions = 1;
    pb_arena_init(&a);
    for (int i = 0; i < PER_THREAD; i++) {
        char oid[24];
        struct pb_audit_rec r = {.action = "update", .resource = "parks", .object_id = oid,
                                 .region_code = chains[(ta->t + i) % 3], .result = "ok", .changes = "{}"};
        struct one_args oa = {&c, &r};
        if (!strcmp(r.region_code, "global"))
            r.region_code = "";
        snprintf(oid, sizeof oid, "%d-%d", ta->t, i);
        memset(&c, 0, sizeof c);
        c.db = db;
        c.arena = &a;
        c.who = &who;
        c.client_addr = "thread";
        c.request_id = oid;
        c.now_ms = pb_now_ms();
        pb_err_clear(&e);
        if (pb_db_tx(db, 1, one_tx, &oa, &e))
            ta->failures++;
    }
    pb_arena_release(&a);
    pb_db_close(db);
    return NULL;
}

static void test_concurrent_writers(void **state)
{
    pthread_t th[NTHREADS];
    struct thread_arg ta[NTHREADS];
    char url[TU_URL_MAX];
    struct pb_db *db = tu_fresh_db("cc", url);
    struct arow *rows = malloc(sizeof(struct arow) * NTHREADS * PER_THREAD);
    int n;
    (void)state;
    for (int t = 0; t < NTHREADS; t++) {
        memset(&ta[t], 0, sizeof ta[t]);
        pb_strlcpy(ta[t].url, url, sizeof ta[t].url);
        ta[t].t = t;
        assert_int_equal(pthread_create(&th[t], NULL, writer, &ta[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(ta[t].failures, 0);
    }
    verify_ok(db, NTHREADS * PER_THREAD);
    n = load_rows(db, rows, NTHREADS * PER_THREAD);
    assert_int_equal(n, NTHREADS * PER_THREAD);
    /* every chain numbered 1..len without gaps or repeats, and its head at len */
    {
        int64_t total = 0;
        for (int k = 0; k < 3; k++) {
            int64_t len = chain_len(rows, n, chains[k]);
            char lentxt[24];
            for (int64_t s = 1; s <= len; s++)
                (void)find(rows, n, chains[k], s);
            snprintf(lentxt, sizeof lentxt, "%lld", (long long)len);
            assert_int_equal(tu_qint(db, "SELECT seq FROM audit_chain WHERE chain = ?", chains[k], NULL), len);
            assert_int_equal(tu_qint(db, "SELECT MAX(seq) FROM audit WHERE chain = ?", chains[k], NULL), len);
            (void)lentxt;
            total += len;
        }
        assert_int_equal(total, NTHREADS * PER_THREAD);
        /* each thread's 50 records are all there */
        for (int t = 0; t < NTHREADS; t++) {
            char acct[24];
            snprintf(acct, sizeof acct, "%d", 100 + t);
            assert_int_equal(tu_qint(db, "SELECT COUNT(*) FROM audit WHERE account_id = ?", acct, NULL), PER_THREAD);
        }
    }
    free(rows);
    pb_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_and_verify),
        cmocka_unit_test(test_rollback_leaves_no_trace),
        cmocka_unit_test(test_append_only),
        cmocka_unit_test(test_tamper_edit_fields),
        cmocka_unit_test(test_tamper_changes_one_byte),
        cmocka_unit_test(test_tamper_seq),
        cmocka_unit_test(test_tamper_delete),
        cmocka_unit_test(test_tamper_links),
        cmocka_unit_test(test_tamper_insert),
        cmocka_unit_test(test_tamper_head),
        cmocka_unit_test(test_tamper_head_and_cut_end),
        cmocka_unit_test(test_concurrent_writers),
    };
    return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}
