/* validate.h: validators for identifiers the programme handles: the Unified Social Credit
 * Code (GB 32100-2015) with the organisation code check (GB 11714-1997), the resident ID
 * number (GB 11643-1999), strict dates, mobile numbers, masking of personal data, UTF-8
 * and SQL-safe identifiers. Algorithms and test vectors: shared/domain/reference.md §1, §2.
 *
 * Conventions: functions named *_check return 0 when valid and a negative code (positive for
 * a warning) otherwise; functions named *_valid / *_ok are predicates returning 1 or 0.
 * No function allocates; outputs go to caller-supplied buffers. All functions are reentrant
 * and thread-safe. NULL input is treated as invalid.
 */
#ifndef PB_VALIDATE_H
#define PB_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/timeutil.h"

/* ---- Unified Social Credit Code ---- */

enum pb_uscc_rc {
    PB_USCC_OK = 0,
    /* Bad GB 32100 check, but an early Fujian pilot code: region part starting "35",
     * positions 9..12 "M000", and the org-code part (9..17) passing GB 11714. The caller
     * may accept it only with a manual override. */
    PB_USCC_PILOT_WARNING = 1,
    /* Not 18 characters of ^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-Z]$.
     * Lowercase is rejected: codes are printed in uppercase; normalise before if wanted. */
    PB_USCC_BAD_FORMAT = -1,
    /* The 18th character is not the GB 32100 check character. This includes an 18th
     * character outside the code set (I O S V Z): the standard's own bad example
     * 91350100M000100Y4Z is reported as "check should be 3", not as a format error. */
    PB_USCC_BAD_CHECK = -2,
};

/* Check a USCC. expected_check (may be NULL) receives the computed check character whenever
 * the format is valid (so messages can say "should end in 3"); it is left alone on
 * PB_USCC_BAD_FORMAT. Returns enum pb_uscc_rc. */
int pb_uscc_check(const char *s, char *expected_check);
/* GB 11714 organisation code check: s has 9 characters [0-9A-Z]{8}[0-9X]. 0 ok, -1 bad
 * format, -2 bad check. expected_check (may be NULL) as above. */
int pb_orgcode_check(const char *s, char *expected_check);

/* ---- Resident identity card number ---- */

enum pb_idnum_rc {
    PB_IDNUM_OK = 0,
    PB_IDNUM_BAD_FORMAT = -1, /* not 18 chars [0-9]{17}[0-9Xx], nor 15 digits */
    PB_IDNUM_BAD_DATE = -2,   /* birth date does not exist (e.g. 2001-02-29), or year < 1800 */
    PB_IDNUM_BAD_CHECK = -3,  /* ISO 7064 MOD 11-2 check character wrong (18-digit only) */
    PB_IDNUM_FUTURE = -4,     /* birth date after today_yyyymmdd */
};

struct pb_idnum_info {
    char birth[11]; /* "YYYY-MM-DD" */
    int year, month, day;
    int male;       /* 1 male (odd sequence code), 0 female */
    char region[7]; /* first 6 digits: the registering county at the time (may be abolished) */
};

/* Check an ID number. 18-char numbers: date and MOD 11-2 check; lowercase x is accepted.
 * 15-digit (1989) numbers: date 19YYMMDD, converted to 18 chars with the check computed.
 * out18 (may be NULL) receives the normalised 18-char number (uppercase X) on success, and
 * "" on error. info (may be NULL) is filled on success. today_yyyymmdd (e.g. 20261122, see
 * pb_cst_today_ymd) rejects future births; 0 skips that test. Returns enum pb_idnum_rc. */
int pb_idnum_check(const char *in, char out18[19], struct pb_idnum_info *info,
                   int64_t today_yyyymmdd);
/* The MOD 11-2 check character ('0'..'9' or 'X') of 17 digits; 0 if not 17 digits. */
char pb_idnum_check_char(const char *first17);

/* Dates (pb_date_parse, pb_date_valid) are in timeutil.h, which this header includes. */

/* ---- phones and masking ---- */

/* Mainland mobile: exactly 11 ASCII digits, "1[3-9]..." . 0 ok, -1 otherwise. */
int pb_mobile_check(const char *s);
/* Mask for listings and exports. 11-digit mobiles: "138****5678". Anything else keeps
 * its first 3 and last 2 characters and stars the rest (one star per character);
 * values of 6 characters or fewer are starred entirely. Characters are UTF-8 code points;
 * invalid UTF-8 is starred entirely. out receives "" for NULL input.
 * 0 ok, -1 when out (n bytes) is too small (out is then "" if n > 0). */
int pb_phone_mask(const char *in, char *out, size_t n);
/* ID numbers: first 6 and last 4 kept, "350582********9997"; values of 10 characters or
 * fewer are starred entirely. Same rules and return codes as pb_phone_mask. */
int pb_idnum_mask(const char *in, char *out, size_t n);

/* ---- text ---- */

/* 1 if s[0..n) is well-formed UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequence); 0 otherwise. U+0000 is well-formed. */
int pb_utf8_valid(const char *s, size_t n);
/* Number of code points in a NUL-terminated UTF-8 string (for max_len checks counted in
 * characters). On invalid input every byte that is not a continuation byte counts one. */
size_t pb_utf8_len(const char *s);
/* 1 if s matches [a-z_][a-z0-9_]{0,62} (names safe to splice into SQL and URLs), else 0. */
int pb_ident_ok(const char *s);

#endif
