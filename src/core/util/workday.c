/* workday.c: the working-day calendar (workday.h). */
#include <string.h>

#include "core/util/embedded.h"
#include "core/util/pb.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "core/util/workday.h"

void pb_cal_init(struct pb_cal *cal)
{
    memset(cal, 0, sizeof *cal);
}

static int year_of(int64_t day)
{
    int y, m, d;
    pb_civil_from_days(day, &y, &m, &d);
    return y;
}

void pb_cal_set_published(struct pb_cal *cal, int year, int published)
{
    if (year >= PB_CAL_MIN_YEAR && year <= PB_CAL_MAX_YEAR)
        cal->published[year - PB_CAL_MIN_YEAR] = published ? 1 : 0;
}

int pb_cal_year_published(const struct pb_cal *cal, int year)
{
    return year >= PB_CAL_MIN_YEAR && year <= PB_CAL_MAX_YEAR &&
           cal->published[year - PB_CAL_MIN_YEAR];
}

/* Index of the first entry with e.day >= day. */
static int lower_bound(const struct pb_cal *cal, int64_t day)
{
    int lo = 0, hi = cal->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cal->e[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int pb_cal_add(struct pb_cal *cal, int64_t day, int kind, const char *name)
{
    int y = year_of(day), i;
    if (y < PB_CAL_MIN_YEAR || y > PB_CAL_MAX_YEAR ||
        (kind != PB_CAL_HOLIDAY && kind != PB_CAL_WORKDAY))
        return -1;
    i = lower_bound(cal, day);
    if (i < cal->n && cal->e[i].day == day) {
        cal->e[i].kind = kind;
        pb_strlcpy(cal->e[i].name, name ? name : "", sizeof cal->e[i].name);
        pb_cal_set_published(cal, y, 1);
        return 0;
    }
    if (cal->n >= PB_CAL_MAX_ENTRIES)
        return -1;
    memmove(&cal->e[i + 1], &cal->e[i], (size_t)(cal->n - i) * sizeof cal->e[0]);
    cal->e[i].day = day;
    cal->e[i].kind = kind;
    pb_strlcpy(cal->e[i].name, name ? name : "", sizeof cal->e[i].name);
    cal->n++;
    pb_cal_set_published(cal, y, 1);
    return 0;
}

int pb_cal_parse_tsv(struct pb_cal *cal, int year, const char *text, int *bad_line)
{
    const char *p = text;
    int line = 0;
    pb_cal_set_published(cal, year, 1);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char buf[256], *f1, *f2;
        int y, m, d, kind;
        line++;
        if (len && p[len - 1] == '\r')
            len--;
        if (len == 0 || p[0] == '#')
            goto next;
        if (len >= sizeof buf)
            goto bad;
        memcpy(buf, p, len);
        buf[len] = 0;
        f1 = strchr(buf, '\t');
        if (!f1)
            goto bad;
        *f1++ = 0;
        f2 = strchr(f1, '\t');
        if (f2)
            *f2++ = 0;
        if (pb_date_parse(buf, &y, &m, &d) || y != year)
            goto bad;
        if (!strcmp(f1, "holiday"))
            kind = PB_CAL_HOLIDAY;
        else if (!strcmp(f1, "workday"))
            kind = PB_CAL_WORKDAY;
        else
            goto bad;
        if (kind == PB_CAL_WORKDAY && pb_weekday_ymd(y, m, d) < 5)
            goto bad;
        if (pb_cal_add(cal, pb_days_from_civil(y, m, d), kind, f2 ? f2 : ""))
            goto bad;
    next:
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
bad:
    if (bad_line)
        *bad_line = line;
    return -1;
}

int pb_cal_is_workday(const struct pb_cal *cal, int64_t day, int *published, const char **name)
{
    int pub = pb_cal_year_published(cal, year_of(day));
    int wd = pb_weekday(day);
    if (published)
        *published = pub;
    if (name)
        *name = NULL;
    if (pub) {
        int i = lower_bound(cal, day);
        if (i < cal->n && cal->e[i].day == day) {
            if (name)
                *name = cal->e[i].name;
            return cal->e[i].kind == PB_CAL_WORKDAY;
        }
    }
    return wd < 5;
}

int64_t pb_cal_workday_after(const struct pb_cal *cal, int64_t day, int n, int *published)
{
    int all = 1, p;
    if (n > 3660)
        n = 3660;
    while (n > 0) {
        day++;
        if (pb_cal_is_workday(cal, day, &p, NULL))
            n--;
        all &= p;
    }
    if (published)
        *published = all;
    return day;
}

int pb_cal_workdays_between(const struct pb_cal *cal, int64_t from, int64_t to, int *published)
{
    int all = 1, p, count = 0;
    for (int64_t d = from + 1; d <= to; d++) {
        count += pb_cal_is_workday(cal, d, &p, NULL);
        all &= p;
    }
    if (published)
        *published = all;
    return count;
}

int pb_cal_workday_after_str(const struct pb_cal *cal, const char *date, int n, char out[11],
                             int *published)
{
    int y, m, d;
    int64_t r;
    if (pb_date_parse(date, &y, &m, &d) || n < 0)
        return -1;
    r = pb_cal_workday_after(cal, pb_days_from_civil(y, m, d), n, published);
    pb_civil_from_days(r, &y, &m, &d);
    pb_date_format(y, m, d, out);
    return 0;
}

/* ---- the shipped data ---- */

#define EMBED_PREFIX "data/holidays/"

int pb_cal_embedded_years(int *years, int max)
{
    int n = 0;
    for (const struct pb_embedded *e = pb_embedded; e->name; e++) {
        const char *s = e->name;
        int64_t y;
        char num[5];
        if (strncmp(s, EMBED_PREFIX, strlen(EMBED_PREFIX)))
            continue;
        s += strlen(EMBED_PREFIX);
        if (strlen(s) != 8 || strcmp(s + 4, ".tsv"))
            continue;
        memcpy(num, s, 4);
        num[4] = 0;
        if (pb_parse_i64(num, &y) || n >= max)
            continue;
        /* insertion sort: a handful of years */
        int i = n++;
        while (i > 0 && years[i - 1] > (int)y) {
            years[i] = years[i - 1];
            i--;
        }
        years[i] = (int)y;
    }
    return n;
}

const char *pb_cal_embedded_tsv(int year)
{
    char path[64];
    const struct pb_embedded *e;
    snprintf(path, sizeof path, EMBED_PREFIX "%04d.tsv", year);
    e = pb_embedded_find(path);
    return e ? (const char *)e->data : NULL;
}

int pb_cal_load_embedded(struct pb_cal *cal)
{
    int years[64], n = pb_cal_embedded_years(years, 64), bad;
    for (int i = 0; i < n; i++)
        if (pb_cal_parse_tsv(cal, years[i], pb_cal_embedded_tsv(years[i]), &bad))
            return -1;
    return 0;
}
