/* timeutil.c: clock, proleptic Gregorian calendar arithmetic, CST and ISO 8601. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util/pb.h"
#include "core/util/timeutil.h"

/* ---- clock ---- */

static _Atomic int64_t fixed_now; /* 0 = real clock */
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void clock_env_init(void)
{
    const char *s = getenv("PARKBRAIN_FAKE_NOW");
    int64_t v;
    if (!s || !*s)
        return;
    if (pb_parse_i64(s, &v) == 0 && v > 0) {
        atomic_store(&fixed_now, v);
        return;
    }
    if (pb_iso_parse(s, &v) == 0 && v != 0) {
        atomic_store(&fixed_now, v);
        return;
    }
    fprintf(stderr, "parkbrain: PARKBRAIN_FAKE_NOW=%s is neither milliseconds nor an ISO time\n",
            s);
    abort();
}

int64_t pb_now_ms(void)
{
    struct timespec ts;
    int64_t f;
    pthread_once(&env_once, clock_env_init);
    f = atomic_load(&fixed_now);
    if (f)
        return f;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pb_clock_set(int64_t fixed_ms)
{
    pthread_once(&env_once, clock_env_init);
    atomic_store(&fixed_now, fixed_ms);
}

void pb_clock_advance(int64_t delta_ms)
{
    int64_t cur;
    pthread_once(&env_once, clock_env_init);
    cur = atomic_load(&fixed_now);
    while (cur && !atomic_compare_exchange_weak(&fixed_now, &cur, cur + delta_ms))
        ;
}

/* ---- calendar ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int pb_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int pb_days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && pb_is_leap(y) ? 29 : dm[m - 1];
}

int64_t pb_days_from_civil(int y_, int m, int d)
{
    int64_t y = (int64_t)y_ - (m <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void pb_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp, yy;
    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

int pb_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int pb_weekday_ymd(int y, int m, int d)
{
    return pb_weekday(pb_days_from_civil(y, m, d));
}

void pb_date_add_days(int *y, int *m, int *d, int64_t n)
{
    pb_civil_from_days(pb_days_from_civil(*y, *m, *d) + n, y, m, d);
}

int pb_date_parse(const char *s, int *y, int *m, int *d)
{
    int yy, mm, dd;
    if (!s || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mm = (s[5] - '0') * 10 + (s[6] - '0');
    dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (yy < 1900 || yy > 2200 || mm < 1 || mm > 12 || dd < 1 || dd > pb_days_in_month(yy, mm))
        return -1;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
    return 0;
}

int pb_date_valid(const char *s)
{
    return pb_date_parse(s, NULL, NULL, NULL) == 0;
}

void pb_date_format(int y, int m, int d, char out[11])
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    pb_strlcpy(out, tmp, 11);
}

int pb_date_str_add_days(const char *in, int64_t n, char out[11])
{
    int y, m, d;
    out[0] = 0;
    if (pb_date_parse(in, &y, &m, &d))
        return -1;
    if (n > 100000000 || n < -100000000)
        return -1;
    pb_date_add_days(&y, &m, &d, n);
    pb_date_format(y, m, d, out);
    return 0;
}

/* ---- CST ---- */

/* Split an instant into a day number and the milliseconds into that day, shifted by off_ms,
 * without overflowing near the int64 limits. */
static void split_ms(int64_t ms, int64_t off_ms, int64_t *days, int64_t *rem)
{
    int64_t dd = ms / PB_DAY_MS, r = ms % PB_DAY_MS;
    if (r < 0) {
        r += PB_DAY_MS;
        dd--;
    }
    r += off_ms; /* |off_ms| < one day */
    if (r >= PB_DAY_MS) {
        r -= PB_DAY_MS;
        dd++;
    } else if (r < 0) {
        r += PB_DAY_MS;
        dd--;
    }
    *days = dd;
    *rem = r;
}

void pb_cst_date(int64_t ms, int *y, int *m, int *d)
{
    int64_t days, rem;
    split_ms(ms, PB_CST_OFFSET_MS, &days, &rem);
    pb_civil_from_days(days, y, m, d);
}

int64_t pb_cst_midnight_ms(int y, int m, int d)
{
    return pb_days_from_civil(y, m, d) * PB_DAY_MS - PB_CST_OFFSET_MS;
}

int64_t pb_cst_today_ymd(void)
{
    int y, m, d;
    pb_cst_date(pb_now_ms(), &y, &m, &d);
    return (int64_t)y * 10000 + m * 100 + d;
}

void pb_cst_today(char out[11])
{
    int y, m, d;
    pb_cst_date(pb_now_ms(), &y, &m, &d);
    pb_date_format(y, m, d, out);
}

/* ---- ISO 8601 ---- */

static void fmt_instant(int64_t ms, int64_t off_ms, int millis, char out[32])
{
    int64_t days, rem;
    int y, m, d;
    char tmp[96];
    split_ms(ms, off_ms, &days, &rem);
    pb_civil_from_days(days, &y, &m, &d);
    if (millis)
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
                 (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
                 (int)(rem % 1000));
    else
        snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, d,
                 (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60));
    pb_strlcpy(out, tmp, 32);
}

void pb_iso_utc(int64_t ms, char out[32])
{
    fmt_instant(ms, 0, 1, out);
}

void pb_iso_cst(int64_t ms, char out[32])
{
    fmt_instant(ms, PB_CST_OFFSET_MS, 0, out);
}

/* Exactly n ASCII digits at s. */
static int num(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

/* "YYYY-MM-DD" at s (followed by anything): a real date, any 4-digit year. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (num(s, 4, y) || s[4] != '-' || num(s + 5, 2, m) || s[7] != '-' || num(s + 8, 2, d))
        return -1;
    return *m >= 1 && *m <= 12 && *d >= 1 && *d <= pb_days_in_month(*y, *m) ? 0 : -1;
}

int pb_iso_parse(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec = 0, frac_ms = 0, oh, om;
    int64_t off = PB_CST_OFFSET_MS, v;
    const char *p;
    if (!s || strnlen(s, 11) < 10 || parse_ymd(s, &y, &mo, &d) || y < 1899 || y > 2201)
        return -1;
    p = s + 10;
    if (*p == 0) {
        if (y < 1900 || y > 2200)
            return -1;
        *ms = pb_cst_midnight_ms(y, mo, d);
        return 0;
    }
    if (*p != 'T')
        return -1;
    p++;
    if (num(p, 2, &h) || p[2] != ':' || num(p + 3, 2, &mi) || h > 23 || mi > 59)
        return -1;
    p += 5;
    if (*p == ':') {
        if (num(p + 1, 2, &sec) || sec > 59)
            return -1;
        p += 3;
        if (*p == '.') {
            int nd = 0, scale = 100;
            p++;
            while (*p >= '0' && *p <= '9') {
                if (++nd > 9)
                    return -1;
                frac_ms += (*p - '0') * scale;
                scale /= 10;
                p++;
            }
            if (nd == 0)
                return -1;
        }
    }
    if (*p == 'Z') {
        off = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        if (num(p + 1, 2, &oh) || p[3] != ':' || num(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = ((int64_t)oh * 3600 + om * 60) * 1000;
        if (*p == '-')
            off = -off;
        p += 6;
    }
    if (*p)
        return -1;
    v = pb_days_from_civil(y, mo, d) * PB_DAY_MS + (int64_t)h * 3600000 + mi * 60000 + sec * 1000 +
        frac_ms - off;
    /* The range is on the instant: its CST date must be in 1900..2200. So every accepted
     * instant, written back by pb_iso_utc or pb_iso_cst, parses again. */
    if (v < pb_cst_midnight_ms(1900, 1, 1) || v >= pb_cst_midnight_ms(2201, 1, 1))
        return -1;
    *ms = v;
    return 0;
}
