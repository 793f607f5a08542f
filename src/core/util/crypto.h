/* crypto.h: the few primitives parkbrain needs, on libsodium: random bytes and tokens,
 * SHA-256 (one-shot and incremental, for the audit hash chain and hashed session tokens)
 * and constant-time comparison. Password hashing (argon2id) belongs to the account module.
 *
 * pb_crypto_init() runs sodium_init() once (thread-safe, idempotent) and aborts if libsodium
 * cannot initialise (no safe way to go on without a random source). Every function here
 * calls it, so explicit initialisation at startup is only needed to fail early.
 * All functions are thread-safe; struct pb_sha256 is per-caller state.
 */
#ifndef PB_CRYPTO_H
#define PB_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define PB_SHA256_LEN 32
#define PB_SHA256_HEX_LEN 64

void pb_crypto_init(void);

/* n cryptographically secure random bytes into buf. */
void pb_random_bytes(void *buf, size_t n);
/* Uniform integer in [0, upper) (upper >= 1), without modulo bias. */
uint32_t pb_random_uniform(uint32_t upper);
/* nbytes random bytes as unpadded base64url into out (outsz >= ceil(4*nbytes/3) + 1).
 * 0 ok, -1 out too small or nbytes > 1024. A session token is pb_random_token(32, ...). */
int pb_random_token(size_t nbytes, char *out, size_t outsz);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void pb_hex(const void *p, size_t n, char *out);

void pb_sha256(const void *p, size_t n, unsigned char out[PB_SHA256_LEN]);
void pb_sha256_hex(const void *p, size_t n, char out[PB_SHA256_HEX_LEN + 1]);

/* Incremental SHA-256: init, update any number of times, then one final. Opaque storage
 * so that callers need not include sodium.h. */
struct pb_sha256 {
    _Alignas(16) unsigned char opaque[128];
};
void pb_sha256_init(struct pb_sha256 *h);
void pb_sha256_update(struct pb_sha256 *h, const void *p, size_t n);
void pb_sha256_final(struct pb_sha256 *h, unsigned char out[PB_SHA256_LEN]);
void pb_sha256_final_hex(struct pb_sha256 *h, char out[PB_SHA256_HEX_LEN + 1]);

/* 1 if a and b (n bytes each) are equal, 0 otherwise, in time independent of the contents
 * (for comparing tokens, hashes and door codes). */
int pb_ct_equal(const void *a, const void *b, size_t n);

#endif
