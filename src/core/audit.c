/* audit.c: append-only, hash-chained audit records. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/ctx.h"
#include "core/store/db.h"
#include "core/util/b64.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* Canonical form: every field length-prefixed, so no two different records share a text. */
static void canon_add(struct pb_buf *b, const char *s)
{
    pb_buf_printf(b, "%zu:", strlen(s));
    pb_buf_adds(b, s);
    pb_buf_addc(b, ';');
}

static void canon_int(struct pb_buf *b, int64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)v);
    canon_add(b, t);
}

struct audit_row {
    const char *chain;
    int64_t seq, at, account_id;
    const char *username, *role, *region_code, *action, *resource, *object_id, *result, *changes,
        *client_addr, *request_id, *prev_hash;
};

static void audit_hash(const struct audit_row *a, char out[65])
{
    struct pb_buf b;
    pb_buf_init(&b, 0);
    canon_add(&b, a->prev_hash);
    canon_add(&b, a->chain);
    canon_int(&b, a->seq);
    canon_int(&b, a->at);
    canon_int(&b, a->account_id);
    canon_add(&b, a->username);
    canon_add(&b, a->role);
    canon_add(&b, a->region_code);
    canon_add(&b, a->action);
    canon_add(&b, a->resource);
    canon_add(&b, a->object_id);
    canon_add(&b, a->result);
    canon_add(&b, a->changes);
    canon_add(&b, a->client_addr);
    canon_add(&b, a->request_id);
    pb_sha256_hex(b.data, b.len, out);
    pb_buf_release(&b);
}

static int step_done(struct pb_stmt *st)
{
    int rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc == PB_DONE || rc == PB_ROW ? 0 : rc;
}

int pb_audit_write(struct pb_ctx *c, const struct pb_audit_rec *rec, struct pb_err *err)
{
    struct pb_stmt *st;
    struct audit_row a;
    char prev[65], hash[65];
    int rc;

    memset(&a, 0, sizeof a);
    a.chain = rec->region_code && rec->region_code[0] ? rec->region_code : "global";
    a.at = c->now_ms;
    a.account_id = c->who->account_id;
    a.username = rec->username ? rec->username : c->who->username;
    a.role = pb_role_name(c->who->role);
    a.region_code = rec->region_code ? rec->region_code : "";
    a.action = rec->action;
    a.resource = rec->resource ? rec->resource : "";
    a.object_id = rec->object_id ? rec->object_id : "";
    a.result = rec->result ? rec->result : "ok";
    a.changes = rec->changes ? rec->changes : "";
    a.client_addr = c->client_addr ? c->client_addr : "";
    a.request_id = c->request_id ? c->request_id : "";

    if ((rc = pb_db_prepare(c->db,
                            "INSERT INTO audit_chain (chain, seq, head_hash) VALUES (?, 0, ?) "
                            "ON CONFLICT (chain) DO NOTHING",
                            &st)))
        goto fail;
    pb_stmt_bind_text(st, 1, a.chain);
    pb_stmt_bind_text(st, 2, genesis);
    if ((rc = step_done(st)))
        goto fail;

    /* The UPDATE locks the chain head until commit (PostgreSQL row lock; SQLite holds the
     * database write lock since BEGIN IMMEDIATE), so appends to one chain are serial. */
    if ((rc = pb_db_prepare(c->db,
                            "UPDATE audit_chain SET seq = seq + 1 WHERE chain = ? "
                            "RETURNING seq, head_hash",
                            &st)))
        goto fail;
    pb_stmt_bind_text(st, 1, a.chain);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW) {
        pb_stmt_done(st);
        rc = rc < 0 ? rc : PB_E_DB;
        goto fail;
    }
    a.seq = pb_stmt_col_int(st, 0);
    pb_strlcpy(prev, pb_stmt_col_text(st, 1), sizeof prev);
    pb_stmt_done(st);
    a.prev_hash = prev;
    audit_hash(&a, hash);

    if ((rc = pb_db_prepare(c->db,
                            "INSERT INTO audit (chain, seq, at, account_id, username, role, "
                            "region_code, action, resource, object_id, result, changes, "
                            "client_addr, request_id, prev_hash, hash) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            &st)))
        goto fail;
    pb_stmt_bind_text(st, 1, a.chain);
    pb_stmt_bind_int(st, 2, a.seq);
    pb_stmt_bind_int(st, 3, a.at);
    pb_stmt_bind_int(st, 4, a.account_id);
    pb_stmt_bind_text(st, 5, a.username);
    pb_stmt_bind_text(st, 6, a.role);
    pb_stmt_bind_text(st, 7, a.region_code);
    pb_stmt_bind_text(st, 8, a.action);
    pb_stmt_bind_text(st, 9, a.resource);
    pb_stmt_bind_text(st, 10, a.object_id);
    pb_stmt_bind_text(st, 11, a.result);
    pb_stmt_bind_text(st, 12, a.changes);
    pb_stmt_bind_text(st, 13, a.client_addr);
    pb_stmt_bind_text(st, 14, a.request_id);
    pb_stmt_bind_text(st, 15, a.prev_hash);
    pb_stmt_bind_text(st, 16, hash);
    if ((rc = step_done(st)))
        goto fail;

    if ((rc = pb_db_prepare(c->db, "UPDATE audit_chain SET head_hash = ? WHERE chain = ?", &st)))
        goto fail;
    pb_stmt_bind_text(st, 1, hash);
    pb_stmt_bind_text(st, 2, a.chain);
    if ((rc = step_done(st)))
        goto fail;
    return 0;
fail:
    if (rc == PB_E_RETRY)
        return rc;
    return pb_err_set(err, PB_E_DB, "审计记录写入失败", "could not write the audit record");
}

static int audit_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    void **args = ctx;
    (void)db;
    return pb_audit_write(args[0], args[1], err);
}

int pb_audit_write_tx(struct pb_ctx *c, const struct pb_audit_rec *rec, struct pb_err *err)
{
    void *args[2] = {c, (void *)rec};
    return pb_db_tx(c->db, 1, audit_tx, args, err);
}

/* Compare a chain's head with its last record (seq last_seq, hash last_hash, id last_id).
 * Records cut off the end name the last intact record; a head that was edited or fell behind
 * names no record (bad_id 0): the damage is in the head itself. */
static int check_head(struct pb_db *db, const char *chain, int64_t last_seq, const char *last_hash,
                      int64_t last_id, int64_t *bad_id, char *why, size_t whylen)
{
    struct pb_stmt *hs;
    int64_t head_seq;
    int rc = 0;
    if (pb_db_prepare(db, "SELECT seq, head_hash FROM audit_chain WHERE chain = ?", &hs))
        return PB_E_DB;
    pb_stmt_bind_text(hs, 1, chain);
    if (pb_stmt_step(hs) != PB_ROW) {
        snprintf(why, whylen, "chain %s: records exist but the chain head is gone", chain);
        *bad_id = 0;
        rc = PB_E_INVALID;
    } else if ((head_seq = pb_stmt_col_int(hs, 0)) > last_seq) {
        snprintf(why, whylen,
                 "chain %s: %lld record(s) after record %lld were removed (the head says %lld)",
                 chain, (long long)(head_seq - last_seq), (long long)last_id, (long long)head_seq);
        *bad_id = last_id;
        rc = PB_E_INVALID;
    } else if (head_seq < last_seq || strcmp(pb_stmt_col_text(hs, 1), last_hash)) {
        snprintf(why, whylen,
                 "chain %s: the chain head was altered (it does not match record %lld)", chain,
                 (long long)last_id);
        *bad_id = 0;
        rc = PB_E_INVALID;
    }
    pb_stmt_done(hs);
    return rc;
}

int pb_audit_verify(struct pb_db *db, int64_t *bad_id, char *why, size_t whylen, int64_t *nrecords)
{
    struct pb_stmt *st, *hs;
    char chain[64] = "", prev[65] = "", hash[65];
    int64_t expect_seq = 1, n = 0, last_id = 0;
    int rc, result = 0;

    *bad_id = 0;
    why[0] = 0;
    if (pb_db_prepare(db,
                      "SELECT id, chain, seq, at, account_id, username, role, region_code, "
                      "action, resource, object_id, result, changes, client_addr, request_id, "
                      "prev_hash, hash FROM audit ORDER BY chain, seq",
                      &st))
        return PB_E_DB;
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        struct audit_row a;
        int64_t id = pb_stmt_col_int(st, 0);
        n++;
        a.chain = pb_stmt_col_text(st, 1);
        if (strcmp(a.chain, chain)) {
            if (chain[0]) {
                /* chain finished: compare its head */
                result = check_head(db, chain, expect_seq - 1, prev, last_id, bad_id, why, whylen);
                if (result)
                    break;
            }
            pb_strlcpy(chain, a.chain, sizeof chain);
            pb_strlcpy(prev, genesis, sizeof prev);
            expect_seq = 1;
        }
        a.seq = pb_stmt_col_int(st, 2);
        a.at = pb_stmt_col_int(st, 3);
        a.account_id = pb_stmt_col_int(st, 4);
        a.username = pb_stmt_col_text(st, 5);
        a.role = pb_stmt_col_text(st, 6);
        a.region_code = pb_stmt_col_text(st, 7);
        a.action = pb_stmt_col_text(st, 8);
        a.resource = pb_stmt_col_text(st, 9);
        a.object_id = pb_stmt_col_text(st, 10);
        a.result = pb_stmt_col_text(st, 11);
        a.changes = pb_stmt_col_text(st, 12);
        a.client_addr = pb_stmt_col_text(st, 13);
        a.request_id = pb_stmt_col_text(st, 14);
        a.prev_hash = pb_stmt_col_text(st, 15);
        if (a.seq != expect_seq) {
            snprintf(why, whylen,
                     "record %lld: sequence %lld in chain %s, expected %lld (a record is missing "
                     "or moved)",
                     (long long)id, (long long)a.seq, chain, (long long)expect_seq);
            *bad_id = id;
            result = PB_E_INVALID;
            break;
        }
        if (strcmp(a.prev_hash, prev)) {
            snprintf(why, whylen, "record %lld: previous hash does not link to record before it",
                     (long long)id);
            *bad_id = id;
            result = PB_E_INVALID;
            break;
        }
        audit_hash(&a, hash);
        if (strcmp(hash, pb_stmt_col_text(st, 16))) {
            snprintf(why, whylen, "record %lld: content does not match its hash (edited)",
                     (long long)id);
            *bad_id = id;
            result = PB_E_INVALID;
            break;
        }
        pb_strlcpy(prev, hash, sizeof prev);
        expect_seq++;
        last_id = id;
    }
    pb_stmt_done(st);
    if (rc < 0 && !result)
        return PB_E_DB;
    if (!result && chain[0])
        result = check_head(db, chain, expect_seq - 1, prev, last_id, bad_id, why, whylen);
    /* A chain head with no records at all means the whole chain was removed. */
    if (!result) {
        if (pb_db_prepare(db,
                          "SELECT h.chain FROM audit_chain h WHERE h.seq > 0 AND NOT EXISTS "
                          "(SELECT 1 FROM audit a WHERE a.chain = h.chain)",
                          &hs))
            return PB_E_DB;
        if (pb_stmt_step(hs) == PB_ROW) {
            snprintf(why, whylen, "chain %s: head exists but its records are gone",
                     pb_stmt_col_text(hs, 0));
            result = PB_E_INVALID;
        }
        pb_stmt_done(hs);
    }
    if (nrecords)
        *nrecords = n;
    return result;
}
