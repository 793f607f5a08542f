/* qs.c: query-string and path-segment decoding. */
#include <string.h>

#include "core/util/pb.h"
#include "core/util/qs.h"
#include "core/util/validate.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s[0..len) into dst (len + 1 bytes), NUL-terminated; *dlen = decoded length.
 * Returns 0 or PB_QS_E_ESCAPE / PB_QS_E_UTF8. */
static int decode(const char *s, size_t len, int plus_space, char *dst, size_t *dlen)
{
    size_t i, o = 0;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int h, l;
            if (len - i < 3)
                return PB_QS_E_ESCAPE;
            h = hexval(s[i + 1]);
            l = hexval(s[i + 2]);
            if (h < 0 || l < 0)
                return PB_QS_E_ESCAPE;
            c = (char)(h << 4 | l);
            i += 2;
            if (c == 0)
                return PB_QS_E_ESCAPE;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == 0) {
            return PB_QS_E_ESCAPE;
        }
        dst[o++] = c;
    }
    dst[o] = 0;
    *dlen = o;
    return pb_utf8_valid(dst, o) ? 0 : PB_QS_E_UTF8;
}

/* Decode one key or value into the arena, enforcing the length limit. */
static int decode_part(struct pb_arena *a, const char *s, size_t len, const char **out,
                       size_t *olen)
{
    char *d;
    int rc;
    /* Each decoded byte takes at most 3 input bytes: beyond this, the limit is surely
     * exceeded, and refusing early keeps a hostile query from sizing the arena. */
    if (len > 3 * (size_t)PB_QS_MAX_VALUE)
        return PB_QS_E_TOO_LONG;
    d = pb_arena_alloc(a, len + 1);
    if ((rc = decode(s, len, 1, d, olen)))
        return rc;
    if (*olen > PB_QS_MAX_VALUE)
        return PB_QS_E_TOO_LONG;
    *out = d;
    return 0;
}

int pb_qs_parse(struct pb_arena *a, const char *qs, size_t len, struct pb_qs_pair **out, size_t *n)
{
    size_t segs = 0, np = 0, i = 0;
    struct pb_qs_pair *pairs;
    int rc;
    *out = NULL;
    *n = 0;
    if (!qs || len == 0)
        return PB_QS_OK;
    for (size_t k = 0; k <= len; k++)
        if (k == len || qs[k] == '&')
            segs++;
    pairs = pb_arena_alloc(a, (segs < PB_QS_MAX_PAIRS ? segs : PB_QS_MAX_PAIRS) * sizeof *pairs);
    while (i <= len) {
        const char *seg = qs + i, *amp, *eq;
        size_t slen, klen;
        amp = i < len ? memchr(seg, '&', len - i) : NULL;
        slen = amp ? (size_t)(amp - seg) : len - i;
        i += slen + 1;
        if (slen == 0)
            continue;
        if (np >= PB_QS_MAX_PAIRS)
            return PB_QS_E_TOO_MANY;
        eq = memchr(seg, '=', slen);
        klen = eq ? (size_t)(eq - seg) : slen;
        if ((rc = decode_part(a, seg, klen, &pairs[np].key, &pairs[np].klen)))
            return rc;
        if (eq)
            rc = decode_part(a, eq + 1, slen - klen - 1, &pairs[np].val, &pairs[np].vlen);
        else
            rc = decode_part(a, "", 0, &pairs[np].val, &pairs[np].vlen);
        if (rc)
            return rc;
        np++;
    }
    *out = np ? pairs : NULL;
    *n = np;
    return PB_QS_OK;
}

const char *pb_qs_get(const struct pb_qs_pair *pairs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(pairs[i].key, key))
            return pairs[i].val;
    return NULL;
}

int pb_url_decode_path_segment(struct pb_arena *a, const char *s, size_t len, char **out,
                               size_t *outlen)
{
    char *d;
    size_t dl;
    int rc;
    *out = NULL;
    if (outlen)
        *outlen = 0;
    if (!s || len == 0)
        return PB_QS_E_SEGMENT;
    d = pb_arena_alloc(a, len + 1);
    if ((rc = decode(s, len, 0, d, &dl)))
        return rc;
    if (memchr(d, '/', dl) || !strcmp(d, ".") || !strcmp(d, ".."))
        return PB_QS_E_SEGMENT;
    *out = d;
    if (outlen)
        *outlen = dl;
    return PB_QS_OK;
}

void pb_url_encode(struct pb_buf *b, const char *s, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    size_t i, start = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            continue;
        pb_buf_add(b, s + start, i - start);
        esc[0] = '%';
        esc[1] = hx[c >> 4];
        esc[2] = hx[c & 15];
        pb_buf_add(b, esc, 3);
        start = i + 1;
    }
    pb_buf_add(b, s + start, n - start);
}
