/* timeutil.h: instants, civil dates and the injectable clock.
 *
 * Instants are int64 Unix milliseconds UTC. Civil dates and times are China Standard Time
 * (UTC+8, no daylight saving) whatever the server's TZ: nothing here reads TZ or calls
 * localtime(). Dates use the proleptic Gregorian calendar; day numbers count days since
 * 1970-01-01 (negative before). Algorithms after Howard Hinnant's "chrono-compatible
 * low-level date algorithms", written for this project.
 *
 * Thread-safety: every function is reentrant. The clock override is an atomic.
 */
#ifndef PB_TIMEUTIL_H
#define PB_TIMEUTIL_H

#include <stdint.h>

#define PB_CST_OFFSET_MS (8LL * 3600 * 1000)
#define PB_DAY_MS (86400LL * 1000)

/* ---- clock ---- */

/* Current time in ms UTC: the real clock, or the fixed value set by pb_clock_set.
 * On first use the environment variable PARKBRAIN_FAKE_NOW (integer ms, or any form
 * pb_iso_parse accepts) fixes the clock; a malformed value aborts with a message,
 * since a silently real clock would make a test run meaningless. */
int64_t pb_now_ms(void);
/* Fix the clock at fixed_ms (0 = back to the real clock). Overrides PARKBRAIN_FAKE_NOW. */
void pb_clock_set(int64_t fixed_ms);
/* Move a fixed clock forward by delta_ms (tests of expiry); no effect on the real clock. */
void pb_clock_advance(int64_t delta_ms);

/* ---- calendar ---- */

int pb_is_leap(int y);
/* 28..31; 0 when m is not 1..12. */
int pb_days_in_month(int y, int m);
/* Days since 1970-01-01 of y-m-d (no validation: m 1..12, d 1..31 expected). */
int64_t pb_days_from_civil(int y, int m, int d);
void pb_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 0 = Monday .. 6 = Sunday. */
int pb_weekday(int64_t days);
int pb_weekday_ymd(int y, int m, int d);
/* Add n days (may be negative) to *y-*m-*d in place. */
void pb_date_add_days(int *y, int *m, int *d, int64_t n);
/* "YYYY-MM-DD" (years 0..9999; others are truncated to fit out[11]). */
/* Strict "YYYY-MM-DD": exactly 10 characters, a real date, years 1900..2200.
 * y/m/d may be NULL. 0 ok, -1 otherwise (outputs untouched). */
int pb_date_parse(const char *s, int *y, int *m, int *d);
/* Predicate form of pb_date_parse: 1 valid, 0 not. */
int pb_date_valid(const char *s);
void pb_date_format(int y, int m, int d, char out[11]);
/* Parse a date string (pb_date_parse rules), add n days, format. 0 ok, -1 bad input. */
int pb_date_str_add_days(const char *in, int64_t n, char out[11]);

/* ---- China Standard Time ---- */

/* The CST calendar date of instant ms. */
void pb_cst_date(int64_t ms, int *y, int *m, int *d);
/* The instant (ms UTC) of 00:00 CST on y-m-d (years within ±100000, else it overflows). */
int64_t pb_cst_midnight_ms(int y, int m, int d);
/* Today's CST date as the integer YYYYMMDD (for pb_idnum_check) and as "YYYY-MM-DD". */
int64_t pb_cst_today_ymd(void);
void pb_cst_today(char out[11]);

/* ---- ISO 8601 / RFC 3339 ---- */

/* "2026-11-22T02:13:46.123Z" (always millis, always Z). */
void pb_iso_utc(int64_t ms, char out[32]);
/* "2026-11-22T10:13:46+08:00" (seconds precision, CST). */
void pb_iso_cst(int64_t ms, char out[32]);
/* Parse into ms UTC. Accepted forms (real dates, uppercase T/Z; the instant's CST date must
 * be in 1900..2200, so "1899-12-31T20:00:00Z" is fine and "1900-01-01T00:00:00Z" is not):
 *   YYYY-MM-DD                           00:00 CST of that date
 *   YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]       followed by Z, or +HH:MM / -HH:MM; with no zone
 *                                        at all the time is CST (the HTML datetime-local
 *                                        form). Fractions below a millisecond are dropped.
 * 0 ok, -1 malformed. */
int pb_iso_parse(const char *s, int64_t *ms);

#endif
