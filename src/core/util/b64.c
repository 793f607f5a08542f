/* b64.c: base64 / base64url (RFC 4648 §4, §5). */
#include <stdint.h>
#include <string.h>

#include "core/util/b64.h"
#include "core/util/pb.h"

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t pb_b64url_encoded_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t pb_b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

size_t pb_b64url_decoded_max(size_t len)
{
    return len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
}

static int encode(const char *alpha, int pad, const unsigned char *in, size_t n, char *out,
                  size_t outsz)
{
    size_t need = pad ? pb_b64_encoded_len(n) : pb_b64url_encoded_len(n), o = 0, i = 0;
    if (!out || outsz == 0)
        return -1;
    if (n > (SIZE_MAX - 4) / 4 * 3 || need + 1 > outsz) {
        out[0] = 0;
        return -1;
    }
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
    out[o] = 0;
    return 0;
}

int pb_b64url_encode(const void *in, size_t n, char *out, size_t outsz)
{
    return encode(url_alpha, 0, in, n, out, outsz);
}

int pb_b64_encode(const void *in, size_t n, char *out, size_t outsz)
{
    return encode(std_alpha, 1, in, n, out, outsz);
}

static int url_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int pb_b64url_decode(const char *in, size_t len, void *outv, size_t outsz, size_t *outlen)
{
    unsigned char *out = outv;
    size_t o = 0, i = 0, rem = len % 4;
    uint32_t v;
    int a, b, c, d;
    if (outlen)
        *outlen = 0;
    if (!in || rem == 1)
        return -1;
    for (size_t k = 0; k < len; k++)
        if (url_val((unsigned char)in[k]) < 0)
            return -1;
    if (pb_b64url_decoded_max(len) > outsz)
        return -2;
    for (; i + 4 <= len; i += 4) {
        a = url_val((unsigned char)in[i]);
        b = url_val((unsigned char)in[i + 1]);
        c = url_val((unsigned char)in[i + 2]);
        d = url_val((unsigned char)in[i + 3]);
        v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (rem == 2) {
        a = url_val((unsigned char)in[i]);
        b = url_val((unsigned char)in[i + 1]);
        if (b & 15) /* the 4 unused bits must be zero */
            return -1;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
    } else if (rem == 3) {
        a = url_val((unsigned char)in[i]);
        b = url_val((unsigned char)in[i + 1]);
        c = url_val((unsigned char)in[i + 2]);
        if (c & 3) /* the 2 unused bits must be zero */
            return -1;
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        out[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
    }
    if (outlen)
        *outlen = o;
    return 0;
}
