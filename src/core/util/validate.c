/* validate.c: USCC, org code, ID number, dates, phones, masks, UTF-8, identifiers. */
#include <string.h>

#include "core/util/pb.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---- USCC (GB 32100-2015) ---- */

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* The value of a USCC character (its index in the 31-character set), or -1. */
static int uscc_val(char c)
{
    if (!c)
        return -1;
    const char *p = strchr(uscc_chars, c);
    return p ? (int)(p - uscc_chars) : -1;
}

int pb_orgcode_check(const char *s, char *expected_check)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0, c9;
    char exp;
    if (!s || strnlen(s, 10) != 9)
        return -1;
    for (int i = 0; i < 8; i++) {
        char c = s[i];
        int v;
        if (is_digit(c))
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 55; /* GB 11714 letter values: A=10 .. Z=35, not the USCC table */
        else
            return -1;
        sum += v * w[i];
    }
    if (!is_digit(s[8]) && s[8] != 'X')
        return -1;
    c9 = 11 - sum % 11;
    exp = c9 == 10 ? 'X' : c9 == 11 ? '0' : (char)('0' + c9);
    if (expected_check)
        *expected_check = exp;
    return s[8] == exp ? 0 : -2;
}

int pb_uscc_check(const char *s, char *expected_check)
{
    int sum = 0;
    char exp, org[10];
    if (!s || strnlen(s, 19) != 18)
        return PB_USCC_BAD_FORMAT;
    for (int i = 0; i < 17; i++) {
        int v = uscc_val(s[i]);
        if (v < 0 || (i >= 2 && i < 8 && !is_digit(s[i])))
            return PB_USCC_BAD_FORMAT;
        sum += v * uscc_w[i];
    }
    /* Position 18 is judged as a check character: the standard's own bad example ends in Z,
     * and "should end in 3" helps the user more than "bad format". */
    if (!is_digit(s[17]) && !(s[17] >= 'A' && s[17] <= 'Z'))
        return PB_USCC_BAD_FORMAT;
    exp = uscc_chars[(31 - sum % 31) % 31];
    if (expected_check)
        *expected_check = exp;
    if (s[17] == exp)
        return PB_USCC_OK;
    if (uscc_val(s[17]) < 0) /* I O S V Z: never issued, so never a pilot code either */
        return PB_USCC_BAD_CHECK;
    /* Early Fujian pilot codes were issued with a bad check character (reference.md §1). */
    memcpy(org, s + 8, 9);
    org[9] = 0;
    if (s[2] == '3' && s[3] == '5' && !memcmp(s + 8, "M000", 4) && pb_orgcode_check(org, NULL) == 0)
        return PB_USCC_PILOT_WARNING;
    return PB_USCC_BAD_CHECK;
}

/* ---- ID number (GB 11643-1999) ---- */

char pb_idnum_check_char(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;
    if (!s)
        return 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(s[i]))
            return 0;
        sum += (s[i] - '0') * w[i];
    }
    return map[sum % 11];
}

static int digits_val(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int pb_idnum_check(const char *in, char out18[19], struct pb_idnum_info *info,
                   int64_t today_yyyymmdd)
{
    char buf[19];
    size_t len;
    int y, m, d;
    if (out18)
        out18[0] = 0;
    if (!in)
        return PB_IDNUM_BAD_FORMAT;
    len = strnlen(in, 19);
    if (len == 18) {
        for (int i = 0; i < 17; i++)
            if (!is_digit(in[i]))
                return PB_IDNUM_BAD_FORMAT;
        if (!is_digit(in[17]) && in[17] != 'X' && in[17] != 'x')
            return PB_IDNUM_BAD_FORMAT;
        memcpy(buf, in, 18);
        if (buf[17] == 'x')
            buf[17] = 'X';
    } else if (len == 15) {
        for (int i = 0; i < 15; i++)
            if (!is_digit(in[i]))
                return PB_IDNUM_BAD_FORMAT;
        memcpy(buf, in, 6);
        buf[6] = '1';
        buf[7] = '9';
        memcpy(buf + 8, in + 6, 9);
        buf[17] = pb_idnum_check_char(buf);
    } else {
        return PB_IDNUM_BAD_FORMAT;
    }
    buf[18] = 0;
    y = digits_val(buf + 6, 4);
    m = digits_val(buf + 10, 2);
    d = digits_val(buf + 12, 2);
    /* The standard's own example is born in 1880, so the floor is lower than for dates. */
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > pb_days_in_month(y, m))
        return PB_IDNUM_BAD_DATE;
    if (buf[17] != pb_idnum_check_char(buf))
        return PB_IDNUM_BAD_CHECK;
    if (today_yyyymmdd > 0 && (int64_t)y * 10000 + m * 100 + d > today_yyyymmdd)
        return PB_IDNUM_FUTURE;
    if (out18)
        memcpy(out18, buf, 19);
    if (info) {
        memset(info, 0, sizeof *info);
        info->year = y;
        info->month = m;
        info->day = d;
        pb_date_format(y, m, d, info->birth);
        info->male = (buf[16] - '0') % 2;
        memcpy(info->region, buf, 6);
        info->region[6] = 0;
    }
    return PB_IDNUM_OK;
}

/* ---- phones and masks ---- */

int pb_mobile_check(const char *s)
{
    if (!s || strnlen(s, 12) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
        return -1;
    for (int i = 2; i < 11; i++)
        if (!is_digit(s[i]))
            return -1;
    return 0;
}

/* Byte length of the UTF-8 sequence starting at p (valid input assumed). */
static size_t u8_seqlen(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Copy in to out keeping the first `head` and last `tail` code points and one '*' for each
 * one between; values of at most `all_below` code points (or invalid UTF-8) are all stars. */
static int mask_keep(const char *in, size_t head, size_t tail, size_t all_below, char *out,
                     size_t n)
{
    size_t len, chars, i, o = 0, ci;
    int valid;
    if (!out || n == 0)
        return -1;
    out[0] = 0;
    if (!in)
        return 0;
    len = strlen(in);
    valid = pb_utf8_valid(in, len);
    chars = valid ? pb_utf8_len(in) : len;
    if (chars <= all_below || !valid) {
        if (chars + 1 > n)
            return -1;
        memset(out, '*', chars);
        out[chars] = 0;
        return 0;
    }
    for (i = 0, ci = 0; i < len; ci++) {
        size_t sl = u8_seqlen((unsigned char)in[i]);
        int keep = ci < head || ci >= chars - tail;
        size_t add = keep ? sl : 1;
        if (o + add + 1 > n) {
            out[0] = 0;
            return -1;
        }
        if (keep)
            memcpy(out + o, in + i, sl);
        else
            out[o] = '*';
        o += add;
        i += sl;
    }
    out[o] = 0;
    return 0;
}

int pb_phone_mask(const char *in, char *out, size_t n)
{
    if (in && pb_mobile_check(in) == 0)
        return mask_keep(in, 3, 4, 0, out, n);
    return mask_keep(in, 3, 2, 6, out, n);
}

int pb_idnum_mask(const char *in, char *out, size_t n)
{
    return mask_keep(in, 6, 4, 10, out, n);
}

/* ---- text ---- */

int pb_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    if (!s)
        return n == 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates U+D800..DFFF */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
        }
        if (n - i - 1 < need)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += need + 1;
    }
    return 1;
}

size_t pb_utf8_len(const char *s)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

int pb_ident_ok(const char *s)
{
    size_t i;
    if (!s || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (i = 1; s[i]; i++) {
        char c = s[i];
        if (i >= 63 || !((c >= 'a' && c <= 'z') || is_digit(c) || c == '_'))
            return 0;
    }
    return 1;
}
