/* lock.h: the offline verifier of temporary door codes (docs/door-codes.md).
 *
 * A self-contained library a lock controller can embed: no database, no allocation, no I/O,
 * no dependency on the rest of parkbrain (only <stdint.h>/<stddef.h>/<string.h>). It holds
 * SHA-1 (RFC 3174), HMAC-SHA-1 (RFC 2104), HOTP (RFC 4226: dynamic truncation, 8 digits) and
 * the stay-window scheme built on them:
 *
 *   code    = SS DDDDDDDD         10 digits: a 2-digit selector and an 8-digit HOTP value
 *   SS      = slot * 15 + (checkout_day mod 15)       slot 0..5 (the bed behind this door)
 *   counter = 0x01 << 56 | slot << 48 | checkin_day << 8 | nights
 *   DDDDDDDD = HOTP(lock key, counter)                 (oathtool --hotp -d 8 -c counter)
 *
 * Days are CST (UTC+8) calendar days since 1970-01-01; nights 1..PB_LOCK_MAX_NIGHTS. A code is
 * valid from checkin_day at the configured check-in time (e.g. 14:00) up to, not including,
 * checkout_day (= checkin_day + nights) at the configured check-out time (e.g. 12:00). At any
 * instant the lock recomputes at most PB_LOCK_MAX_NIGHTS candidates for the selector entered.
 *
 * Thread-safety: all functions are reentrant; struct pb_lock_cfg is read-only input.
 */
#ifndef PB_LOCK_H
#define PB_LOCK_H

#include <stddef.h>
#include <stdint.h>

#define PB_LOCK_KEY_MIN 20 /* bytes: 160 bits, RFC 4226's recommendation */
#define PB_LOCK_KEY_MAX 64
#define PB_LOCK_MAX_NIGHTS 14
#define PB_LOCK_MAX_SLOTS 6
#define PB_LOCK_CODE_LEN 10 /* digits */
#define PB_LOCK_SCHEME 1

struct pb_lock_cfg {
    unsigned char key[PB_LOCK_KEY_MAX];
    size_t key_len;
    int checkin_min;  /* minutes after CST midnight the stay starts, e.g. 14*60 */
    int checkout_min; /* minutes after CST midnight of the last day it ends, e.g. 12*60 */
};

/* ---- primitives ---- */
struct pb_lock_sha1 {
    uint32_t h[5];
    uint64_t len; /* bytes */
    unsigned char buf[64];
    size_t nbuf;
};
void pb_lock_sha1_init(struct pb_lock_sha1 *s);
void pb_lock_sha1_update(struct pb_lock_sha1 *s, const void *p, size_t n);
void pb_lock_sha1_final(struct pb_lock_sha1 *s, unsigned char out[20]);
void pb_lock_sha1(const void *p, size_t n, unsigned char out[20]);
void pb_lock_hmac_sha1(const void *key, size_t klen, const void *msg, size_t n,
                       unsigned char out[20]);
/* RFC 4226 HOTP value (not zero-padded) for `digits` 6..9. */
uint32_t pb_lock_hotp(const void *key, size_t klen, uint64_t counter, int digits);

/* ---- the stay scheme ---- */

/* The HOTP counter of a stay. */
uint64_t pb_lock_counter(int slot, int64_t checkin_day, int nights);
/* Write the 10-digit code of a stay into out (11 bytes). 0 ok, -1 bad slot/nights/key. */
int pb_lock_code(const struct pb_lock_cfg *cfg, int slot, int64_t checkin_day, int nights,
                 char out[PB_LOCK_CODE_LEN + 1]);
/* Validity window of a stay as Unix seconds UTC: [*from, *until). */
void pb_lock_window(const struct pb_lock_cfg *cfg, int64_t checkin_day, int nights, int64_t *from,
                    int64_t *until);
/* Offline verification at instant now (Unix seconds UTC): 1 valid, 0 not. On success the
 * matched stay is given through the optional outputs. Constant work per selector (it always
 * computes every candidate), comparisons in constant time. */
int pb_lock_verify(const struct pb_lock_cfg *cfg, const char *code, int64_t now, int *slot,
                   int64_t *checkin_day, int *nights);

/* Days since 1970-01-01 of a proleptic Gregorian date, and the CST day of an instant. */
int64_t pb_lock_days_from_civil(int y, int m, int d);
int64_t pb_lock_cst_day(int64_t unix_s);

/* Parse a key file: lines "key = HEX" (>= 40 hex digits), "check_in = HH:MM",
 * "check_out = HH:MM"; '#' comments. Defaults 14:00 / 12:00. 0 ok, -1 malformed. */
int pb_lock_cfg_parse(struct pb_lock_cfg *cfg, const char *text);

#endif
