/* audit.h: the append-only, hash-chained audit log (architecture §5).
 *
 * One record per change, login, logout, denial, export and unmasking, written by the caller
 * inside the same transaction as the change it records. Records are chained per chain key
 * (the region code of the object, the shard key, or "global"), so writes of different counties
 * do not serialize on one lock: hash = SHA-256(prev_hash || canonical(record)). */
#ifndef PB_AUDIT_H
#define PB_AUDIT_H

#include "core/util/pb.h"

struct pb_ctx;
struct pb_db;

struct pb_audit_rec {
    const char *action;      /* create, update, archive, login, login_failed, logout, denied,
                                export, password_change, account_create, ... */
    const char *resource;    /* "parks", "session", "accounts", ... */
    const char *object_id;   /* "" when none */
    const char *region_code; /* the object's region: also the chain key ("" → "global") */
    const char *result;      /* "ok", "denied", "failed" */
    const char *changes;     /* JSON text (before → after), "" when none */
    const char *username;    /* NULL: the caller's; set for failed logins (attempted name) */
};

/* Append one record using c->who, c->client_addr, c->request_id, c->now_ms. Must be called
 * inside a write transaction on c->db. Returns 0, PB_E_RETRY or PB_E_DB. */
int pb_audit_write(struct pb_ctx *c, const struct pb_audit_rec *rec, struct pb_err *err);
/* Same, in a transaction of its own (for denials and failures whose main transaction rolled
 * back). */
int pb_audit_write_tx(struct pb_ctx *c, const struct pb_audit_rec *rec, struct pb_err *err);

/* Verify every chain: contiguous seq from 1, prev_hash links, recomputed hashes, heads equal to
 * the last record. Returns 0 when intact; otherwise PB_E_INVALID with *bad_id the first bad
 * record (the last intact one when records were cut off the end; 0 when the chain head itself
 * was altered) and a message in `why`. */
int pb_audit_verify(struct pb_db *db, int64_t *bad_id, char *why, size_t whylen, int64_t *nrecords);

#endif
