/* money.h: exact fixed-point decimals for money, area and coordinates, and their display.
 *
 * Values are int64 integers scaled by 10^scale: money in fen (scale 2), area in hundredths
 * of m² (scale 2), coordinates in millionths of a degree (scale 6). Floating point never
 * holds a value here except at the JSON boundary (pb_dec_from_double), where the double is
 * accepted only if it is exactly the nearest double to a decimal with `scale` digits.
 * Rounding for display is half away from zero ("half-up" on magnitudes), so -0.005 → -0.01.
 *
 * All functions are pure and thread-safe; outputs go to caller buffers (no allocation).
 * Text outputs are always NUL-terminated when n > 0; a buffer of 32 bytes always suffices.
 */
#ifndef PB_MONEY_H
#define PB_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define PB_SCALE_MONEY 2 /* fen */
#define PB_SCALE_AREA 2  /* hundredths of m² */
#define PB_SCALE_COORD 6 /* millionths of a degree */
#define PB_DEC_MAX_SCALE 9

enum pb_dec_rc {
    PB_DEC_OK = 0,
    PB_DEC_TOO_MANY_DECIMALS = -1, /* "at most %d decimals" */
    PB_DEC_JUNK = -2,              /* not -?[0-9]+(\.[0-9]+)? (also bad scale, NULL) */
    PB_DEC_OVERFLOW = -3,          /* does not fit int64 once scaled */
};

/* Parse a decimal string strictly: -?[0-9]+(\.[0-9]+)? with at most `scale` decimals
 * (0..PB_DEC_MAX_SCALE), scaled by 10^scale into *out. Rejected as junk: "", " 1", "1 ",
 * "+1", ".5", "5.", "1e3", "1,000", "0x10", "--1". "12.30" is fine; "1.234" at scale 2 is
 * PB_DEC_TOO_MANY_DECIMALS even when the extra digits are zeros. Leading zeros are allowed.
 * Returns enum pb_dec_rc; *out is written only on success. */
int pb_dec_parse(const char *s, int scale, int64_t *out);
/* Same on a counted (not NUL-terminated) string. */
int pb_dec_parsen(const char *s, size_t len, int scale, int64_t *out);

/* Format v/10^scale with exactly `scale` decimals: (123450, 2) → "1234.50",
 * (-5, 2) → "-0.05", (7, 0) → "7". Truncates (still terminated) when n is too small. */
void pb_dec_format(int64_t v, int scale, char *out, size_t n);

/* A JSON number to a scaled integer: 0 ok, -1 when d is not finite, |d| >= 9e13, d is not
 * the double nearest to some integer / 10^scale (e.g. 0.125 at scale 2, or 1e-9), or that
 * integer is ambiguous (a neighbour maps to the same double: |d| above ~3.5e13 at scale 2).
 * So a JSON literal with at most `scale` decimals passes exactly when the double still
 * identifies it, and nothing else passes. (Stricter than "within 1e-6 of an integer", which
 * wrongly rejects 1234567890.12 and wrongly accepts 0.1 + 1e-9.) */
int pb_dec_from_double(double d, int scale, int64_t *out);

/* ---- display (numbers only; the caller adds the unit in the reader's language) ---- */

/* fen → 亿元 with `decimals` (0..6) digits, rounded half-up: 689_949_999_999 → "68.99"
 * (decimals 2). */
void pb_fmt_yi(int64_t fen, int decimals, char *out, size_t n);
/* fen → 万元: 1_234_567_800 → "1234.57" (decimals 2). */
void pb_fmt_wan(int64_t fen, int decimals, char *out, size_t n);
/* hundredths of m² → 万平方米: 131_524_999 → "131.52" (decimals 2). */
void pb_fmt_wan_m2(int64_t hundredths_m2, int decimals, char *out, size_t n);
/* hundredths of m² → hundredths of 亩 (1 亩 = 2000/3 m²), rounded half-up:
 * round(h * 3 / 2000). 66_666_667 (666_666.67 m²) → 100_000 (1000.00 亩). Exact (128-bit). */
int64_t pb_mu_from_m2(int64_t hundredths_m2);
/* num/den as a percentage in hundredths of a percent (basis points of a percent), rounded
 * half-up and exact: (1, 3) → 3333 (33.33%), (2, 3) → 6667, (-1, 8) → -1250.
 * 0 ok, -1 when den is 0 or the result overflows int64. */
int pb_percent_bp(int64_t num, int64_t den, int64_t *out);
/* Round num/den to the nearest integer, halves away from zero (den != 0, |result| fits). */
int64_t pb_div_round(int64_t num, int64_t den);

#endif
