/* crypto.c: libsodium wrappers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/util/b64.h"
#include "core/util/crypto.h"
#include "core/util/pb.h"

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct pb_sha256 *)0)->opaque),
               "struct pb_sha256 too small for crypto_hash_sha256_state");

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "parkbrain: libsodium failed to initialise\n");
        abort();
    }
}

void pb_crypto_init(void)
{
    pthread_once(&init_once, do_init);
}

void pb_random_bytes(void *buf, size_t n)
{
    pb_crypto_init();
    randombytes_buf(buf, n);
}

uint32_t pb_random_uniform(uint32_t upper)
{
    pb_crypto_init();
    return upper <= 1 ? 0 : randombytes_uniform(upper);
}

int pb_random_token(size_t nbytes, char *out, size_t outsz)
{
    unsigned char raw[1024];
    int rc;
    if (nbytes > sizeof raw || !out || outsz < pb_b64url_encoded_len(nbytes) + 1) {
        if (out && outsz)
            out[0] = 0;
        return -1;
    }
    pb_random_bytes(raw, nbytes);
    rc = pb_b64url_encode(raw, nbytes, out, outsz);
    sodium_memzero(raw, nbytes);
    return rc;
}

void pb_hex(const void *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[s[i] >> 4];
        out[2 * i + 1] = hx[s[i] & 15];
    }
    out[2 * n] = 0;
}

void pb_sha256(const void *p, size_t n, unsigned char out[PB_SHA256_LEN])
{
    pb_crypto_init();
    crypto_hash_sha256(out, p, n);
}

void pb_sha256_hex(const void *p, size_t n, char out[PB_SHA256_HEX_LEN + 1])
{
    unsigned char h[PB_SHA256_LEN];
    pb_sha256(p, n, h);
    pb_hex(h, sizeof h, out);
}

/* The state lives in the caller's opaque bytes; copying in and out (104 bytes) keeps the
 * access within C's aliasing rules. */
void pb_sha256_init(struct pb_sha256 *h)
{
    crypto_hash_sha256_state st;
    pb_crypto_init();
    crypto_hash_sha256_init(&st);
    memcpy(h->opaque, &st, sizeof st);
}

void pb_sha256_update(struct pb_sha256 *h, const void *p, size_t n)
{
    crypto_hash_sha256_state st;
    memcpy(&st, h->opaque, sizeof st);
    crypto_hash_sha256_update(&st, p, n);
    memcpy(h->opaque, &st, sizeof st);
}

void pb_sha256_final(struct pb_sha256 *h, unsigned char out[PB_SHA256_LEN])
{
    crypto_hash_sha256_state st;
    memcpy(&st, h->opaque, sizeof st);
    crypto_hash_sha256_final(&st, out);
    sodium_memzero(h->opaque, sizeof h->opaque);
}

void pb_sha256_final_hex(struct pb_sha256 *h, char out[PB_SHA256_HEX_LEN + 1])
{
    unsigned char d[PB_SHA256_LEN];
    pb_sha256_final(h, d);
    pb_hex(d, sizeof d, out);
}

int pb_ct_equal(const void *a, const void *b, size_t n)
{
    pb_crypto_init();
    return sodium_memcmp(a, b, n) == 0;
}
