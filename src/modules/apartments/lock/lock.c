/* lock.c: SHA-1, HMAC-SHA-1, HOTP and the offline stay-window verifier (lock.h).
 *
 * SHA-1 is written here because libsodium has no SHA-1 and RFC 4226 (and `oathtool`, which the
 * tests compare against) use HMAC-SHA-1. SHA-1's collision weakness does not touch HMAC-SHA-1's
 * use as a PRF (RFC 6194 §3.2). */
#include <string.h>

#include "modules/apartments/lock/lock.h"

/* ---- SHA-1 (RFC 3174) ---- */

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct pb_lock_sha1 *s, const unsigned char *b)
{
    uint32_t w[80], a, bb, c, d, e, t;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = s->h[0];
    bb = s->h[1];
    c = s->h[2];
    d = s->h[3];
    e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (bb & c) | (~bb & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = bb ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (bb & c) | (bb & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = bb ^ c ^ d;
            k = 0xCA62C1D6;
        }
        t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(bb, 30);
        bb = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += bb;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

void pb_lock_sha1_init(struct pb_lock_sha1 *s)
{
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->nbuf = 0;
}

void pb_lock_sha1_update(struct pb_lock_sha1 *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    s->len += n;
    while (n) {
        size_t take = 64 - s->nbuf;
        if (take > n)
            take = n;
        memcpy(s->buf + s->nbuf, b, take);
        s->nbuf += take;
        b += take;
        n -= take;
        if (s->nbuf == 64) {
            sha1_block(s, s->buf);
            s->nbuf = 0;
        }
    }
}

void pb_lock_sha1_final(struct pb_lock_sha1 *s, unsigned char out[20])
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    pb_lock_sha1_update(s, &pad, 1);
    while (s->nbuf != 56)
        pb_lock_sha1_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    pb_lock_sha1_update(s, lenb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
    memset(s, 0, sizeof *s);
}

void pb_lock_sha1(const void *p, size_t n, unsigned char out[20])
{
    struct pb_lock_sha1 s;
    pb_lock_sha1_init(&s);
    pb_lock_sha1_update(&s, p, n);
    pb_lock_sha1_final(&s, out);
}

/* ---- HMAC-SHA-1 (RFC 2104) ---- */

void pb_lock_hmac_sha1(const void *key, size_t klen, const void *msg, size_t n,
                       unsigned char out[20])
{
    unsigned char k[64], ipad[64], opad[64], inner[20];
    struct pb_lock_sha1 s;
    memset(k, 0, sizeof k);
    if (klen > 64)
        pb_lock_sha1(key, klen, k);
    else if (klen)
        memcpy(k, key, klen);
    for (int i = 0; i < 64; i++) {
        ipad[i] = k[i] ^ 0x36;
        opad[i] = k[i] ^ 0x5c;
    }
    pb_lock_sha1_init(&s);
    pb_lock_sha1_update(&s, ipad, 64);
    pb_lock_sha1_update(&s, msg, n);
    pb_lock_sha1_final(&s, inner);
    pb_lock_sha1_init(&s);
    pb_lock_sha1_update(&s, opad, 64);
    pb_lock_sha1_update(&s, inner, 20);
    pb_lock_sha1_final(&s, out);
    memset(k, 0, sizeof k);
    memset(ipad, 0, sizeof ipad);
    memset(opad, 0, sizeof opad);
}

/* ---- HOTP (RFC 4226 §5.3) ---- */

uint32_t pb_lock_hotp(const void *key, size_t klen, uint64_t counter, int digits)
{
    static const uint32_t pow10[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};
    unsigned char msg[8], mac[20];
    uint32_t bin;
    int off;
    if (digits < 6 || digits > 9)
        digits = 8;
    for (int i = 0; i < 8; i++)
        msg[i] = (unsigned char)(counter >> (56 - 8 * i));
    pb_lock_hmac_sha1(key, klen, msg, 8, mac);
    off = mac[19] & 0x0f;
    bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
          (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    return bin % pow10[digits];
}

/* ---- the stay scheme ---- */

int64_t pb_lock_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil */
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#define CST_S (8 * 3600)

int64_t pb_lock_cst_day(int64_t unix_s)
{
    int64_t t = unix_s + CST_S;
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

uint64_t pb_lock_counter(int slot, int64_t checkin_day, int nights)
{
    return (uint64_t)PB_LOCK_SCHEME << 56 | (uint64_t)(slot & 0xff) << 48 |
           ((uint64_t)checkin_day & 0xffffffffffULL) << 8 | (uint64_t)(nights & 0xff);
}

static int64_t mod15(int64_t v)
{
    int64_t r = v % 15;
    return r < 0 ? r + 15 : r;
}

int pb_lock_code(const struct pb_lock_cfg *cfg, int slot, int64_t checkin_day, int nights,
                 char out[PB_LOCK_CODE_LEN + 1])
{
    uint32_t h;
    int sel;
    out[0] = 0;
    if (slot < 0 || slot >= PB_LOCK_MAX_SLOTS || nights < 1 || nights > PB_LOCK_MAX_NIGHTS ||
        cfg->key_len < PB_LOCK_KEY_MIN || cfg->key_len > PB_LOCK_KEY_MAX || checkin_day < 0)
        return -1;
    sel = slot * 15 + (int)mod15(checkin_day + nights);
    h = pb_lock_hotp(cfg->key, cfg->key_len, pb_lock_counter(slot, checkin_day, nights), 8);
    out[0] = (char)('0' + sel / 10);
    out[1] = (char)('0' + sel % 10);
    for (int i = 9; i >= 2; i--) {
        out[i] = (char)('0' + h % 10);
        h /= 10;
    }
    out[10] = 0;
    return 0;
}

void pb_lock_window(const struct pb_lock_cfg *cfg, int64_t checkin_day, int nights, int64_t *from,
                    int64_t *until)
{
    *from = checkin_day * 86400 - CST_S + (int64_t)cfg->checkin_min * 60;
    *until = (checkin_day + nights) * 86400 - CST_S + (int64_t)cfg->checkout_min * 60;
}

int pb_lock_verify(const struct pb_lock_cfg *cfg, const char *code, int64_t now, int *slot,
                   int64_t *checkin_day, int *nights)
{
    int sel, s, found = 0, fn = 0;
    int64_t today, e, fd = 0;
    uint32_t want = 0;
    if (!code || strlen(code) != PB_LOCK_CODE_LEN || cfg->key_len < PB_LOCK_KEY_MIN ||
        cfg->key_len > PB_LOCK_KEY_MAX)
        return 0;
    for (int i = 0; i < PB_LOCK_CODE_LEN; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    sel = (code[0] - '0') * 10 + (code[1] - '0');
    if (sel >= PB_LOCK_MAX_SLOTS * 15)
        return 0;
    s = sel / 15;
    for (int i = 2; i < PB_LOCK_CODE_LEN; i++)
        want = want * 10 + (uint32_t)(code[i] - '0');
    /* The checkout day e covering now lies in [today, today + MAX_NIGHTS]: 15 days, so its
     * residue mod 15 names it. */
    today = pb_lock_cst_day(now);
    e = today + mod15(sel % 15 - today);
    for (int n = 1; n <= PB_LOCK_MAX_NIGHTS; n++) {
        int64_t d = e - n, from, until;
        uint32_t h, diff;
        if (d < 0)
            continue;
        pb_lock_window(cfg, d, n, &from, &until);
        h = pb_lock_hotp(cfg->key, cfg->key_len, pb_lock_counter(s, d, n), 8);
        diff = h ^ want;
        /* every candidate is computed; the match is folded without an early exit */
        if ((diff == 0) & (now >= from) & (now < until) & !found) {
            found = 1;
            fd = d;
            fn = n;
        }
    }
    if (found) {
        if (slot)
            *slot = s;
        if (checkin_day)
            *checkin_day = fd;
        if (nights)
            *nights = fn;
    }
    return found;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_hhmm(const char *v, size_t n, int *out)
{
    int h, m;
    if (n != 5 || v[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (v[i] < '0' || v[i] > '9'))
            return -1;
    h = (v[0] - '0') * 10 + v[1] - '0';
    m = (v[3] - '0') * 10 + v[4] - '0';
    if (h > 23 || m > 59)
        return -1;
    *out = h * 60 + m;
    return 0;
}

int pb_lock_cfg_parse(struct pb_lock_cfg *cfg, const char *text)
{
    const char *p = text;
    int have_key = 0;
    memset(cfg, 0, sizeof *cfg);
    cfg->checkin_min = 14 * 60;
    cfg->checkout_min = 12 * 60;
    while (p && *p) {
        const char *eol = strchr(p, '\n'), *end, *eq, *k, *v;
        size_t kn, vn;
        end = eol ? eol : p + strlen(p);
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end || *p == '#')
            goto next;
        eq = memchr(p, '=', (size_t)(end - p));
        if (!eq)
            return -1;
        k = p;
        kn = (size_t)(eq - p);
        while (kn && (k[kn - 1] == ' ' || k[kn - 1] == '\t'))
            kn--;
        v = eq + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        vn = (size_t)(end - v);
        while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\r'))
            vn--;
        if (kn == 3 && !memcmp(k, "key", 3)) {
            if (vn % 2 || vn / 2 < PB_LOCK_KEY_MIN || vn / 2 > PB_LOCK_KEY_MAX)
                return -1;
            for (size_t i = 0; i < vn / 2; i++) {
                int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);
                if (hi < 0 || lo < 0)
                    return -1;
                cfg->key[i] = (unsigned char)(hi << 4 | lo);
            }
            cfg->key_len = vn / 2;
            have_key = 1;
        } else if (kn == 8 && !memcmp(k, "check_in", 8)) {
            if (parse_hhmm(v, vn, &cfg->checkin_min))
                return -1;
        } else if (kn == 9 && !memcmp(k, "check_out", 9)) {
            if (parse_hhmm(v, vn, &cfg->checkout_min))
                return -1;
        } else {
            return -1;
        }
    next:
        p = eol ? eol + 1 : NULL;
    }
    return have_key ? 0 : -1;
}
