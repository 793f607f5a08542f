/* idempotency.h: Idempotency-Key for writes (architecture §4: writes that move money or issue
 * codes accept one; parkbrain accepts it on every write).
 *
 * The key is reserved in a transaction of its own before the write runs, so two requests with
 * the same key never both execute: the second waits for nothing and is told the first is in
 * progress (409) or, once it finished, gets the first answer replayed. A key reused with a
 * different request (method, path, query or body) is refused. Keys are per account and kept for
 * 24 hours. If the process dies between the write's commit and storing its answer, the key
 * stays reserved: a retry is refused as in progress, never executed twice. */
#ifndef PB_IDEMPOTENCY_H
#define PB_IDEMPOTENCY_H

#include "core/util/pb.h"

struct pb_ctx;

enum pb_idem_state { PB_IDEM_NEW = 0, PB_IDEM_REPLAY, PB_IDEM_MISMATCH, PB_IDEM_IN_PROGRESS };

struct pb_idem_answer {
    int status;
    char content_type[96];
    char location[256];
    char etag[64];
    char *body; /* heap, caller frees; NULL when none */
};

/* Is this a well-formed key (1–128 characters of [A-Za-z0-9_.:-])? */
int pb_idem_key_ok(const char *key);
/* Reserve (account, key) for a request whose hash is request_hash (64 hex). Returns 0 with
 * *state; for PB_IDEM_REPLAY, *ans holds the stored answer. */
int pb_idem_begin(struct pb_ctx *c, const char *key, const char *request_hash,
                  enum pb_idem_state *state, struct pb_idem_answer *ans, struct pb_err *err);
/* Store the answer of a reserved key (status < 500), or release the reservation (status >= 500:
 * the write rolled back, so a retry may run it again). */
int pb_idem_finish(struct pb_ctx *c, const char *key, int status, const char *content_type,
                   const char *location, const char *etag, const char *body, size_t len);

#endif
