/* workday.h: the official working-day calendar (reference.md §4) as a pure data structure.
 *
 * A calendar is the list of exceptions to "Monday–Friday work, weekends off" for the years the
 * State Council has published: holidays (放假) and make-up working days (调休上班). A date in a
 * year that is not published falls back to plain weekends, and every answer says whether it
 * rested on published data, so callers can tell the user.
 *
 * No allocation, no database: the domain loads a struct pb_cal from the `holiday` table (or
 * the embedded data/holidays/YYYY.tsv) and asks it questions. Dates are day numbers (days since
 * 1970-01-01, timeutil.h) or "YYYY-MM-DD" text. Reentrant; a filled calendar is read-only and
 * may be shared between threads.
 */
#ifndef PB_WORKDAY_H
#define PB_WORKDAY_H

#include <stdint.h>

#define PB_CAL_MAX_ENTRIES 1024
#define PB_CAL_MIN_YEAR 1900
#define PB_CAL_MAX_YEAR 2200
#define PB_CAL_NAME_MAX 64

enum pb_cal_kind { PB_CAL_HOLIDAY = 1, PB_CAL_WORKDAY = 2 };

struct pb_cal_entry {
    int64_t day; /* days since 1970-01-01 */
    int kind;    /* enum pb_cal_kind */
    char name[PB_CAL_NAME_MAX];
};

struct pb_cal {
    int n; /* entries, sorted by day, one per day */
    struct pb_cal_entry e[PB_CAL_MAX_ENTRIES];
    unsigned char published[PB_CAL_MAX_YEAR - PB_CAL_MIN_YEAR + 1];
};

void pb_cal_init(struct pb_cal *cal);
/* Add one entry (kept sorted; a second entry for the same day replaces the first). Marks its
 * year published. 0 ok, -1 full or date out of range. */
int pb_cal_add(struct pb_cal *cal, int64_t day, int kind, const char *name);
/* Mark a year published even if it has no entries (a year with none is still official). */
void pb_cal_set_published(struct pb_cal *cal, int year, int published);
int pb_cal_year_published(const struct pb_cal *cal, int year);

/* Parse one year's TSV ("date<TAB>kind<TAB>name" lines; # comments and blank lines skipped;
 * kind is "holiday" or "workday"; every date must lie in `year`; a make-up working day must
 * fall on a weekend). Adds the entries and marks the year published. 0 ok; -1 with the 1-based
 * line number in *bad_line. */
int pb_cal_parse_tsv(struct pb_cal *cal, int year, const char *text, int *bad_line);

/* Is day a working day? *published (may be NULL) is set to 1 when the day's year is published,
 * 0 when the answer is the plain-weekend fallback. The name of the holiday or make-up day, if
 * any, goes to *name (may be NULL; NULL when none). */
int pb_cal_is_workday(const struct pb_cal *cal, int64_t day, int *published, const char **name);
/* The nth working day after `day` (day itself not counted), n >= 1. *published is 1 only if
 * every day looked at lies in a published year. n is capped at 3660. */
int64_t pb_cal_workday_after(const struct pb_cal *cal, int64_t day, int n, int *published);
/* Working days d with from < d <= to (0 when to <= from); *published as above. */
int pb_cal_workdays_between(const struct pb_cal *cal, int64_t from, int64_t to, int *published);

/* Text forms: 0 ok, -1 bad date. out receives "YYYY-MM-DD". */
int pb_cal_workday_after_str(const struct pb_cal *cal, const char *date, int n, char out[11],
                             int *published);

/* Fill cal from the embedded data/holidays/YYYY.tsv files. 0 ok, -1 if one is broken. */
int pb_cal_load_embedded(struct pb_cal *cal);
/* The years shipped in data/holidays/ (ascending) into years[max]; returns how many. */
int pb_cal_embedded_years(int *years, int max);
/* The embedded TSV text of a year, or NULL. */
const char *pb_cal_embedded_tsv(int year);

#endif
