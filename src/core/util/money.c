/* money.c: fixed-point decimal parsing, formatting and display rounding. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util/money.h"
#include "core/util/pb.h"

static const int64_t pow10_i[] = {1,       10,       100,       1000,       10000,        100000,
                                  1000000, 10000000, 100000000, 1000000000, 10000000000LL};
static const double pow10_d[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

int pb_dec_parsen(const char *s, size_t len, int scale, int64_t *out)
{
    size_t i = 0, int_start, frac_start = 0, frac = 0;
    int neg = 0;
    uint64_t mag = 0, limit;
    if (!s || scale < 0 || scale > PB_DEC_MAX_SCALE)
        return PB_DEC_JUNK;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == int_start)
        return PB_DEC_JUNK;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        frac = i - frac_start;
        if (frac == 0)
            return PB_DEC_JUNK;
    }
    if (i != len)
        return PB_DEC_JUNK;
    if (frac > (size_t)scale)
        return PB_DEC_TOO_MANY_DECIMALS;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (i = int_start; i < len; i++) {
        unsigned dig;
        if (s[i] == '.')
            continue;
        dig = (unsigned)(s[i] - '0');
        if (mag > (limit - dig) / 10)
            return PB_DEC_OVERFLOW;
        mag = mag * 10 + dig;
    }
    for (size_t k = frac; k < (size_t)scale; k++) {
        if (mag > limit / 10)
            return PB_DEC_OVERFLOW;
        mag *= 10;
    }
    if (neg)
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        *out = (int64_t)mag;
    return PB_DEC_OK;
}

int pb_dec_parse(const char *s, int scale, int64_t *out)
{
    if (!s)
        return PB_DEC_JUNK;
    return pb_dec_parsen(s, strlen(s), scale, out);
}

void pb_dec_format(int64_t v, int scale, char *out, size_t n)
{
    char tmp[48];
    size_t o = sizeof tmp;
    uint64_t mag = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    int digits = 0;
    if (!out || n == 0)
        return;
    if (scale < 0)
        scale = 0;
    if (scale > 18)
        scale = 18;
    tmp[--o] = 0;
    do {
        if (digits == scale && scale > 0)
            tmp[--o] = '.';
        tmp[--o] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
    } while (mag || digits <= scale);
    if (v < 0)
        tmp[--o] = '-';
    pb_strlcpy(out, tmp + o, n);
}

int pb_dec_from_double(double d, int scale, int64_t *out)
{
    double x, p;
    long long r;
    if (scale < 0 || scale > PB_DEC_MAX_SCALE || !isfinite(d) || fabs(d) >= 9e13)
        return -1;
    p = pow10_d[scale];
    x = d * p;
    if (fabs(x) >= 9007199254740992.0) /* 2^53: beyond it integers are not all doubles */
        return -1;
    r = llround(x);
    /* r and p are exact doubles, so r / p is the double nearest to the decimal r/10^scale,
     * which is what strtod gave for a literal with at most `scale` decimals. */
    if ((double)r / p != d)
        return -1;
    /* Above about 3.5e13 at scale 2, neighbouring decimals share one double: refuse to
     * guess which the client wrote. */
    if ((double)(r - 1) / p == d || (double)(r + 1) / p == d)
        return -1;
    *out = (int64_t)r;
    return 0;
}

/* num/den rounded half away from zero, in 128 bits; den != 0. */
static __int128 div_round128(__int128 num, __int128 den)
{
    int neg = (num < 0) != (den < 0);
    __int128 a = num < 0 ? -num : num, b = den < 0 ? -den : den;
    __int128 q = (2 * a + b) / (2 * b);
    return neg ? -q : q;
}

static int64_t clamp64(__int128 v)
{
    if (v > INT64_MAX)
        return INT64_MAX;
    if (v < INT64_MIN)
        return INT64_MIN;
    return (int64_t)v;
}

int64_t pb_div_round(int64_t num, int64_t den)
{
    if (den == 0)
        return 0;
    return clamp64(div_round128(num, den));
}

/* Display v / 10^div_pow with `decimals` digits (0..6, decimals <= div_pow). */
static void fmt_scaled(int64_t v, int div_pow, int decimals, char *out, size_t n)
{
    int64_t q;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (decimals > div_pow)
        decimals = div_pow;
    q = (int64_t)div_round128(v, pow10_i[div_pow - decimals]);
    pb_dec_format(q, decimals, out, n);
}

void pb_fmt_yi(int64_t fen, int decimals, char *out, size_t n)
{
    fmt_scaled(fen, 10, decimals, out, n); /* 1 亿元 = 10^8 元 = 10^10 fen */
}

void pb_fmt_wan(int64_t fen, int decimals, char *out, size_t n)
{
    fmt_scaled(fen, 6, decimals, out, n); /* 1 万元 = 10^6 fen */
}

void pb_fmt_wan_m2(int64_t hundredths_m2, int decimals, char *out, size_t n)
{
    fmt_scaled(hundredths_m2, 6, decimals, out, n);
}

int64_t pb_mu_from_m2(int64_t hundredths_m2)
{
    return (int64_t)div_round128((__int128)hundredths_m2 * 3, 2000);
}

int pb_percent_bp(int64_t num, int64_t den, int64_t *out)
{
    __int128 q;
    if (den == 0)
        return -1;
    q = div_round128((__int128)num * 10000, den);
    if (q > INT64_MAX || q < INT64_MIN)
        return -1;
    *out = (int64_t)q;
    return 0;
}
