/* test_util.c: pb.c's arena and buffer, money, time, base64, crypto, CSV and query strings.
 * Known vectors: RFC 4648 §10 (base64), FIPS 180-2 (SHA-256), Python's datetime (dates). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/b64.h"
#include "core/util/crypto.h"
#include "core/util/csv.h"
#include "core/util/money.h"
#include "core/util/pb.h"
#include "core/util/qs.h"
#include "core/util/timeutil.h"

/* ---- arena ---- */

static void test_arena(void **state)
{
    struct pb_arena a;
    char *s, *p, *big, *after;
    pb_arena_init(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
    for (int i = 1; i < 100; i++) {
        unsigned char *q = pb_arena_alloc(&a, (size_t)i);
        assert_int_equal((uintptr_t)q % 16, 0);
        for (int k = 0; k < i; k++)
            assert_int_equal(q[k], 0);
        memset(q, 0xAB, (size_t)i);
    }
    s = pb_arena_strdup(&a, "泉州");
    assert_string_equal(s, "泉州");
    s = pb_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(s, "abc");
    p = pb_arena_printf(&a, "%s-%d", "park", 42);
    assert_string_equal(p, "park-42");
    /* longer than the 256-byte fast path */
    p = pb_arena_printf(&a, "%0300d", 7);
    assert_int_equal(strlen(p), 300);
    assert_int_equal(p[299], '7');
    assert_int_equal(p[0], '0');
    /* a big allocation does not strand the current block */
    big = pb_arena_alloc(&a, 100000);
    memset(big, 1, 100000);
    after = pb_arena_strdup(&a, "small");
    assert_string_equal(after, "small");
    assert_string_equal(s, "abc");
    assert_true(a.total >= 100000);
    pb_arena_release(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
    /* reusable after release */
    s = pb_arena_strdup(&a, "again");
    assert_string_equal(s, "again");
    pb_arena_release(&a);
}

/* ---- buffer ---- */

static void test_buf_basic(void **state)
{
    struct pb_buf b;
    char *d;
    size_t len = 99;
    pb_buf_init(&b, 0);
    assert_int_equal(b.cap, (size_t)64 << 20);
    assert_string_equal(pb_buf_cstr(&b), "");
    pb_buf_adds(&b, "abc");
    pb_buf_addc(&b, '-');
    pb_buf_add(&b, "xyz", 2);
    pb_buf_printf(&b, "%d/%s", 12, "泉");
    assert_string_equal(pb_buf_cstr(&b), "abc-xy12/泉");
    assert_int_equal(b.len, strlen("abc-xy12/泉"));
    assert_int_equal(b.err, 0);
    /* growth well past the first allocation */
    for (int i = 0; i < 1000; i++)
        pb_buf_adds(&b, "0123456789");
    assert_int_equal(b.len, 12 + 10000);
    assert_int_equal(b.data[b.len], 0);
    pb_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(pb_buf_cstr(&b), "");
    pb_buf_adds(&b, "kept");
    d = pb_buf_detach(&b, &len);
    assert_string_equal(d, "kept");
    assert_int_equal(len, 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(d);
    d = pb_buf_detach(&b, &len); /* empty buffer still yields a string */
    assert_string_equal(d, "");
    assert_int_equal(len, 0);
    free(d);
    pb_buf_release(&b);
}

static void test_buf_cap(void **state)
{
    struct pb_buf b;
    pb_buf_init(&b, 10);
    pb_buf_adds(&b, "12345");
    pb_buf_adds(&b, "67890"); /* exactly at the cap: allowed */
    assert_int_equal(b.err, 0);
    assert_string_equal(pb_buf_cstr(&b), "1234567890");
    pb_buf_addc(&b, 'x'); /* one over */
    assert_int_equal(b.err, 1);
    assert_int_equal(b.len, 10);
    /* sticky: later appends, even small ones, are no-ops */
    pb_buf_reset(&b);
    assert_int_equal(b.err, 0);
    pb_buf_adds(&b, "abcdefgh");
    pb_buf_printf(&b, "%s", "ijk"); /* 11 > 10 */
    assert_int_equal(b.err, 1);
    pb_buf_adds(&b, "");
    pb_buf_addc(&b, 'z');
    assert_int_equal(b.err, 1);
    assert_string_equal(pb_buf_cstr(&b), "abcdefgh");
    pb_buf_release(&b);
}

static void test_buf_json(void **state)
{
    struct pb_buf b;
    pb_buf_init(&b, 0);
    pb_buf_json_str(&b, "a\"b\\c\n\r\t\x01\x1f\x7f/泉");
    assert_string_equal(pb_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\\u007f/泉\"");
    pb_buf_reset(&b);
    pb_buf_json_str(&b, NULL);
    assert_string_equal(pb_buf_cstr(&b), "\"\"");
    pb_buf_reset(&b);
    pb_buf_json_strn(&b, "x\0y", 3); /* embedded NUL is escaped, not a terminator */
    assert_string_equal(pb_buf_cstr(&b), "\"x\\u0000y\"");
    pb_buf_release(&b);
}

static void test_strlcpy_parse(void **state)
{
    char d[5];
    int64_t v = 0;
    assert_int_equal(pb_strlcpy(d, "abc", sizeof d), 3);
    assert_string_equal(d, "abc");
    assert_int_equal(pb_strlcpy(d, "abcdefg", sizeof d), 7);
    assert_string_equal(d, "abcd");
    assert_int_equal(pb_parse_i64("-9223372036854775808", &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(pb_parse_i64("9223372036854775808", &v), -1);
    assert_int_equal(pb_parse_i64("12x", &v), -1);
    assert_int_equal(pb_parse_i64(" 12", &v), -1);
    assert_int_equal(pb_parse_i64("", &v), -1);
}

/* ---- money ---- */

static void test_dec_parse(void **state)
{
    int64_t v = 0;
    assert_int_equal(pb_dec_parse("1234.5", 2, &v), PB_DEC_OK);
    assert_int_equal(v, 123450);
    assert_int_equal(pb_dec_parse("-1234.5", 2, &v), PB_DEC_OK);
    assert_int_equal(v, -123450);
    assert_int_equal(pb_dec_parse("12", 2, &v), 0);
    assert_int_equal(v, 1200);
    assert_int_equal(pb_dec_parse("12.30", 2, &v), 0);
    assert_int_equal(v, 1230);
    assert_int_equal(pb_dec_parse("0.01", 2, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(pb_dec_parse("-0.05", 2, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(pb_dec_parse("-0", 2, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pb_dec_parse("007", 0, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(pb_dec_parse("118.589421", 6, &v), 0);
    assert_int_equal(v, 118589421);
    assert_int_equal(pb_dec_parse("24.9", 6, &v), 0);
    assert_int_equal(v, 24900000);
    /* limits */
    assert_int_equal(pb_dec_parse("92233720368547758.07", 2, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(pb_dec_parse("-92233720368547758.08", 2, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(pb_dec_parse("92233720368547758.08", 2, &v), PB_DEC_OVERFLOW);
    assert_int_equal(pb_dec_parse("92233720368547758", 3, &v), PB_DEC_OVERFLOW);
    assert_int_equal(pb_dec_parse("99999999999999999999", 0, &v), PB_DEC_OVERFLOW);
    /* too many decimals: distinct code */
    v = 42;
    assert_int_equal(pb_dec_parse("1.234", 2, &v), PB_DEC_TOO_MANY_DECIMALS);
    assert_int_equal(pb_dec_parse("1.230", 2, &v), PB_DEC_TOO_MANY_DECIMALS);
    assert_int_equal(pb_dec_parse("1.5", 0, &v), PB_DEC_TOO_MANY_DECIMALS);
    assert_int_equal(v, 42); /* untouched on error */
    /* junk */
    static const char *junk[] = {"",     "-",   ".",     ".5",   "5.",  "+1", " 1",   "1 ",
                                 "1e3",  "1E3", "1,000", "0x10", "--1", "1-", "1..2", "1.2.3",
                                 "１２", "NaN", "inf",   "1.5x", "-.5", "\t1"};
    for (size_t i = 0; i < PB_ARRAY_LEN(junk); i++)
        if (pb_dec_parse(junk[i], 2, &v) != PB_DEC_JUNK)
            fail_msg("'%s' should be junk", junk[i]);
    /* junk outranks too many decimals */
    assert_int_equal(pb_dec_parse("1.234x", 2, &v), PB_DEC_JUNK);
    assert_int_equal(pb_dec_parse(NULL, 2, &v), PB_DEC_JUNK);
    assert_int_equal(pb_dec_parse("1", -1, &v), PB_DEC_JUNK);
    assert_int_equal(pb_dec_parse("1", 10, &v), PB_DEC_JUNK);
    /* counted form stops at len */
    assert_int_equal(pb_dec_parsen("12.34junk", 5, 2, &v), 0);
    assert_int_equal(v, 1234);
}

static void test_dec_format(void **state)
{
    char out[32];
    pb_dec_format(123450, 2, out, sizeof out);
    assert_string_equal(out, "1234.50");
    pb_dec_format(-5, 2, out, sizeof out);
    assert_string_equal(out, "-0.05");
    pb_dec_format(0, 2, out, sizeof out);
    assert_string_equal(out, "0.00");
    pb_dec_format(7, 0, out, sizeof out);
    assert_string_equal(out, "7");
    pb_dec_format(-120, 0, out, sizeof out);
    assert_string_equal(out, "-120");
    pb_dec_format(118589421, 6, out, sizeof out);
    assert_string_equal(out, "118.589421");
    pb_dec_format(INT64_MAX, 2, out, sizeof out);
    assert_string_equal(out, "92233720368547758.07");
    pb_dec_format(INT64_MIN, 2, out, sizeof out);
    assert_string_equal(out, "-92233720368547758.08");
    pb_dec_format(123450, 2, out, 5); /* truncated but terminated */
    assert_string_equal(out, "1234");
    /* round trip */
    for (int64_t x = -100005; x <= 100005; x += 7) {
        int64_t y = 0;
        pb_dec_format(x, 2, out, sizeof out);
        assert_int_equal(pb_dec_parse(out, 2, &y), 0);
        assert_int_equal(x, y);
    }
}

static void test_dec_from_double(void **state)
{
    int64_t v = 0;
    assert_int_equal(pb_dec_from_double(1.15, 2, &v), 0); /* 114.99999999999999 * */
    assert_int_equal(v, 115);
    assert_int_equal(pb_dec_from_double(0.1, 2, &v), 0);
    assert_int_equal(v, 10);
    assert_int_equal(pb_dec_from_double(-0.05, 2, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(pb_dec_from_double(-0.0, 2, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(pb_dec_from_double(1234567890.12, 2, &v), 0); /* 12 亿 with fen */
    assert_int_equal(v, 123456789012);
    assert_int_equal(pb_dec_from_double(12345678901234.56, 2, &v), 0); /* 12 万亿 */
    assert_int_equal(v, 1234567890123456);
    /* 89999999999999.99 and .98 are the same double: ambiguous, refused */
    assert_int_equal(pb_dec_from_double(89999999999999.99, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(118.589421, 6, &v), 0);
    assert_int_equal(v, 118589421);
    assert_int_equal(pb_dec_from_double(42, 0, &v), 0);
    assert_int_equal(v, 42);
    v = 7;
    assert_int_equal(pb_dec_from_double(0.125, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(1.001, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(0.1 + 1e-9, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(1e-9, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(9e13, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(-9e13, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(1.0 / 0.0, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(0.0 / 0.0, 2, &v), -1);
    assert_int_equal(pb_dec_from_double(0.5, 0, &v), -1);
    assert_int_equal(v, 7);
}

static void test_display(void **state)
{
    char out[32];
    int64_t v = 0;
    /* 6,899,499,999.99 元 = 68.9949999999 亿 */
    pb_fmt_yi(689949999999, 2, out, sizeof out);
    assert_string_equal(out, "68.99");
    pb_fmt_yi(689950000000, 2, out, sizeof out); /* exactly half: up */
    assert_string_equal(out, "69.00");
    pb_fmt_yi(-689950000000, 2, out, sizeof out); /* symmetric */
    assert_string_equal(out, "-69.00");
    pb_fmt_yi(0, 2, out, sizeof out);
    assert_string_equal(out, "0.00");
    pb_fmt_yi(10000000000, 0, out, sizeof out);
    assert_string_equal(out, "1");
    pb_fmt_yi(INT64_MAX, 2, out, sizeof out);
    assert_string_equal(out, "922337203.69");
    pb_fmt_wan(1234567800, 2, out, sizeof out); /* 12,345,678 元 */
    assert_string_equal(out, "1234.57");
    pb_fmt_wan(1234565000, 2, out, sizeof out);
    assert_string_equal(out, "1234.57");
    pb_fmt_wan(1234564999, 2, out, sizeof out);
    assert_string_equal(out, "1234.56");
    pb_fmt_wan(100, 4, out, sizeof out); /* 1 元 = 0.0001 万元 */
    assert_string_equal(out, "0.0001");
    pb_fmt_wan_m2(131524999, 2, out, sizeof out); /* 1,315,249.99 m² */
    assert_string_equal(out, "131.52");
    pb_fmt_wan_m2(131525000, 2, out, sizeof out);
    assert_string_equal(out, "131.53");
    pb_fmt_wan_m2(131525000, 9, out, sizeof out); /* decimals clamp to 6 */
    assert_string_equal(out, "131.525000");

    /* 亩 = m² × 3 / 2000 */
    assert_int_equal(pb_mu_from_m2(66666667), 100000); /* 666,666.67 m² → 1000.00 亩 */
    assert_int_equal(pb_mu_from_m2(200000), 300);      /* 2000 m² → 3.00 亩 */
    assert_int_equal(pb_mu_from_m2(66667), 100);       /* 666.67 m² → 1.00 亩 */
    assert_int_equal(pb_mu_from_m2(1000000), 1500);    /* 1 hm² = 15 亩 */
    assert_int_equal(pb_mu_from_m2(333), 0);           /* 0.4995 → 0 */
    assert_int_equal(pb_mu_from_m2(334), 1);           /* 0.501 → 1 */
    assert_int_equal(pb_mu_from_m2(-334), -1);
    assert_int_equal(pb_mu_from_m2(0), 0);
    assert_true(pb_mu_from_m2(INT64_MAX) == 13835058055282164); /* no overflow */

    assert_int_equal(pb_percent_bp(1, 3, &v), 0);
    assert_int_equal(v, 3333);
    assert_int_equal(pb_percent_bp(2, 3, &v), 0);
    assert_int_equal(v, 6667);
    assert_int_equal(pb_percent_bp(-1, 8, &v), 0);
    assert_int_equal(v, -1250);
    assert_int_equal(pb_percent_bp(1, 20000, &v), 0); /* 0.005% → 0.01% */
    assert_int_equal(v, 1);
    assert_int_equal(pb_percent_bp(-1, 20000, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(pb_percent_bp(5, -10, &v), 0);
    assert_int_equal(v, -5000);
    assert_int_equal(pb_percent_bp(INT64_MAX, INT64_MAX, &v), 0);
    assert_int_equal(v, 10000);
    assert_int_equal(pb_percent_bp(INT64_MAX, 1, &v), -1);
    v = 9;
    assert_int_equal(pb_percent_bp(1, 0, &v), -1);
    assert_int_equal(v, 9);

    assert_int_equal(pb_div_round(5, 2), 3);
    assert_int_equal(pb_div_round(-5, 2), -3);
    assert_int_equal(pb_div_round(7, 3), 2);
    assert_int_equal(pb_div_round(1, 0), 0);
}

/* ---- time ---- */

static void test_clock_env(void **state)
{
    /* main() set PARKBRAIN_FAKE_NOW before any time call */
    assert_true(pb_now_ms() == 1795313626123LL);
    assert_true(pb_cst_today_ymd() == 20261122);
    char d[11];
    pb_cst_today(d);
    assert_string_equal(d, "2026-11-22");
}

static void test_clock(void **state)
{
    int64_t real;
    pb_clock_set(1000);
    assert_true(pb_now_ms() == 1000);
    pb_clock_advance(500);
    assert_true(pb_now_ms() == 1500);
    pb_clock_set(0);
    real = pb_now_ms();
    assert_true(real > 1735689600000LL); /* after 2025-01-01 */
    pb_clock_advance(1000000);           /* no effect on the real clock */
    assert_true(pb_now_ms() - real < 60000);
    pb_clock_set(1795313626123LL);
}

static void test_calendar(void **state)
{
    static const struct {
        int y, m, d;
        int64_t days;
        int wd;
    } v[] = {
        {1970, 1, 1, 0, 3},    {2026, 11, 22, 20779, 6}, {2000, 3, 1, 11017, 2},
        {1969, 12, 31, -1, 2}, {1900, 1, 1, -25567, 0},  {2200, 12, 31, 84370, 2},
        {1, 1, 1, -719162, 0}, {2024, 2, 29, 19782, 3},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(v); i++) {
        int y, m, d;
        assert_true(pb_days_from_civil(v[i].y, v[i].m, v[i].d) == v[i].days);
        pb_civil_from_days(v[i].days, &y, &m, &d);
        assert_int_equal(y, v[i].y);
        assert_int_equal(m, v[i].m);
        assert_int_equal(d, v[i].d);
        assert_int_equal(pb_weekday(v[i].days), v[i].wd);
        assert_int_equal(pb_weekday_ymd(v[i].y, v[i].m, v[i].d), v[i].wd);
    }
    /* every day from 1800 to 2400 round-trips and advances by one */
    {
        int64_t start = pb_days_from_civil(1800, 1, 1), end = pb_days_from_civil(2400, 12, 31);
        int py = 1799, pm = 12, pd = 31;
        for (int64_t z = start; z <= end; z++) {
            int y, m, d;
            pb_civil_from_days(z, &y, &m, &d);
            assert_true(pb_days_from_civil(y, m, d) == z);
            assert_true(d >= 1 && d <= pb_days_in_month(y, m));
            if (d == 1)
                assert_true(pd == pb_days_in_month(py, pm));
            else
                assert_int_equal(d, pd + 1);
            py = y;
            pm = m;
            pd = d;
        }
    }
    assert_int_equal(pb_days_in_month(2024, 2), 29);
    assert_int_equal(pb_days_in_month(2023, 2), 28);
    assert_int_equal(pb_days_in_month(1900, 2), 28);
    assert_int_equal(pb_days_in_month(2000, 2), 29);
    assert_int_equal(pb_days_in_month(2026, 4), 30);
    assert_int_equal(pb_days_in_month(2026, 12), 31);
    assert_int_equal(pb_days_in_month(2026, 13), 0);
    assert_true(pb_is_leap(2024) && !pb_is_leap(2100) && pb_is_leap(2000));
}

static void test_date_arith(void **state)
{
    int y = 2024, m = 2, d = 28;
    char out[11];
    pb_date_add_days(&y, &m, &d, 1);
    assert_true(y == 2024 && m == 2 && d == 29);
    pb_date_add_days(&y, &m, &d, 1);
    assert_true(y == 2024 && m == 3 && d == 1);
    pb_date_add_days(&y, &m, &d, -366);
    assert_true(y == 2023 && m == 3 && d == 1);
    pb_date_format(2026, 1, 5, out);
    assert_string_equal(out, "2026-01-05");
    assert_int_equal(pb_date_str_add_days("2025-12-31", 1, out), 0);
    assert_string_equal(out, "2026-01-01");
    assert_int_equal(pb_date_str_add_days("2026-03-01", -1, out), 0);
    assert_string_equal(out, "2026-02-28");
    assert_int_equal(pb_date_str_add_days("2026-02-30", 1, out), -1);
    assert_string_equal(out, "");
}

static void test_cst(void **state)
{
    int y, m, d;
    /* 2026-11-22T02:13:46.123Z is 10:13 CST the same day */
    pb_cst_date(1795313626123LL, &y, &m, &d);
    assert_true(y == 2026 && m == 11 && d == 22);
    /* 15:59:59.999Z is still the same CST day, 16:00Z is the next */
    pb_cst_date(1795276800000LL - 1 + 86400000LL, &y, &m, &d); /* 2026-11-22T15:59:59.999Z */
    assert_true(y == 2026 && m == 11 && d == 22);
    pb_cst_date(1795276800000LL + 86400000LL, &y, &m, &d); /* 2026-11-22T16:00Z */
    assert_true(y == 2026 && m == 11 && d == 23);
    assert_true(pb_cst_midnight_ms(2026, 11, 22) == 1795276800000LL);
    pb_cst_date(pb_cst_midnight_ms(2026, 11, 22), &y, &m, &d);
    assert_true(y == 2026 && m == 11 && d == 22);
    /* before 1970 */
    pb_cst_date(-1, &y, &m, &d);
    assert_true(y == 1970 && m == 1 && d == 1); /* 07:59:59.999 CST */
    pb_cst_date(-8 * 3600 * 1000LL - 1, &y, &m, &d);
    assert_true(y == 1969 && m == 12 && d == 31);
    /* extremes do not overflow */
    pb_cst_date(INT64_MAX, &y, &m, &d);
    pb_cst_date(INT64_MIN, &y, &m, &d);
}

static void test_iso(void **state)
{
    char out[32];
    int64_t ms = 0;
    pb_iso_utc(1795313626123LL, out);
    assert_string_equal(out, "2026-11-22T02:13:46.123Z");
    pb_iso_utc(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    pb_iso_utc(-304707111001LL, out);
    assert_string_equal(out, "1960-05-06T07:08:08.999Z");
    pb_iso_cst(1795313626123LL, out);
    assert_string_equal(out, "2026-11-22T10:13:46+08:00");
    pb_iso_utc(INT64_MIN, out); /* must not overflow the buffer */
    assert_true(strlen(out) < 32);
    pb_iso_utc(INT64_MAX, out);
    assert_true(strlen(out) < 32);

    assert_int_equal(pb_iso_parse("2026-11-22T02:13:46.123Z", &ms), 0);
    assert_true(ms == 1795313626123LL);
    assert_int_equal(pb_iso_parse("2026-11-22T02:13:46Z", &ms), 0);
    assert_true(ms == 1795313626000LL);
    assert_int_equal(pb_iso_parse("2026-11-22T10:13:46.123+08:00", &ms), 0);
    assert_true(ms == 1795313626123LL);
    assert_int_equal(pb_iso_parse("2026-11-21T21:13:46.123-05:00", &ms), 0);
    assert_true(ms == 1795313626123LL);
    assert_int_equal(pb_iso_parse("2026-11-22T10:13:46.123456789+08:00", &ms), 0);
    assert_true(ms == 1795313626123LL);
    assert_int_equal(pb_iso_parse("2026-11-22T02:13:46.1Z", &ms), 0);
    assert_true(ms == 1795313626100LL);
    /* no zone: CST (datetime-local) */
    assert_int_equal(pb_iso_parse("2026-11-22T10:13:46", &ms), 0);
    assert_true(ms == 1795313626000LL);
    assert_int_equal(pb_iso_parse("2026-11-22T10:13", &ms), 0);
    assert_true(ms == 1795313580000LL);
    /* bare date: 00:00 CST */
    assert_int_equal(pb_iso_parse("2026-11-22", &ms), 0);
    assert_true(ms == 1795276800000LL);
    /* range: the instant's CST date is within 1900..2200, whatever the written date */
    assert_int_equal(pb_iso_parse("1900-01-01", &ms), 0);
    pb_iso_utc(ms, out);
    assert_string_equal(out, "1899-12-31T16:00:00.000Z");
    assert_int_equal(pb_iso_parse(out, &ms), 0);
    assert_int_equal(pb_iso_parse("1899-12-31T15:59:59.999Z", &ms), -1);
    assert_int_equal(pb_iso_parse("2200-12-31T15:59:59.999Z", &ms), 0);
    pb_iso_cst(ms, out);
    assert_string_equal(out, "2200-12-31T23:59:59+08:00");
    assert_int_equal(pb_iso_parse(out, &ms), 0);
    assert_int_equal(pb_iso_parse("2200-12-31T16:00:00Z", &ms), -1);
    assert_int_equal(pb_iso_parse("2201-01-01", &ms), -1);
    assert_int_equal(pb_iso_parse("1899-12-31", &ms), -1);
    /* round trip */
    pb_iso_utc(1795313626123LL, out);
    assert_int_equal(pb_iso_parse(out, &ms), 0);
    assert_true(ms == 1795313626123LL);

    ms = 5;
    static const char *bad[] = {
        "",
        "2026-11-22T",
        "2026-11-22 10:13:46Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T10:60:00Z",
        "2026-11-22T10:13:60Z",
        "2026-11-22T10:13:46.Z",
        "2026-11-22T10:13:46.1234567890Z",
        "2026-11-22T10:13:46+0800",
        "2026-11-22T10:13:46+08",
        "2026-11-22T10:13:46Zjunk",
        "2026-11-22T10:13:46z",
        "2026-02-30T10:13:46Z",
        "1899-12-31T10:13:46Z",
        "2026-11-22T1:13:46Z",
        "2026-11-22T10:13:46+24:00",
        "20261122T101346Z",
        "2026-11-22X",
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(bad); i++)
        if (pb_iso_parse(bad[i], &ms) != -1)
            fail_msg("'%s' should be rejected", bad[i]);
    assert_int_equal(pb_iso_parse(NULL, &ms), -1);
    assert_true(ms == 5);
}

/* ---- base64 ---- */

static void test_b64(void **state)
{
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    static const char *url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char out[64];
    unsigned char dec[64];
    size_t dl = 99;
    for (size_t i = 0; i < PB_ARRAY_LEN(in); i++) {
        assert_int_equal(pb_b64_encode(in[i], strlen(in[i]), out, sizeof out), 0);
        assert_string_equal(out, std[i]);
        assert_int_equal(strlen(out), pb_b64_encoded_len(strlen(in[i])));
        assert_int_equal(pb_b64url_encode(in[i], strlen(in[i]), out, sizeof out), 0);
        assert_string_equal(out, url[i]);
        assert_int_equal(strlen(out), pb_b64url_encoded_len(strlen(in[i])));
        assert_int_equal(pb_b64url_decode(url[i], strlen(url[i]), dec, sizeof dec, &dl), 0);
        assert_int_equal(dl, strlen(in[i]));
        assert_memory_equal(dec, in[i], dl);
    }
    /* the alphabets differ in 62 and 63 */
    assert_int_equal(pb_b64url_encode("\xfb\xff", 2, out, sizeof out), 0);
    assert_string_equal(out, "-_8");
    assert_int_equal(pb_b64_encode("\xfb\xff", 2, out, sizeof out), 0);
    assert_string_equal(out, "+/8=");
    assert_int_equal(pb_b64url_decode("-_8", 3, dec, sizeof dec, &dl), 0);
    assert_int_equal(dl, 2);
    assert_memory_equal(dec, "\xfb\xff", 2);
    /* strictness */
    assert_int_equal(pb_b64url_decode("Zh", 2, dec, sizeof dec, &dl), -1);   /* bits left */
    assert_int_equal(pb_b64url_decode("Zm9", 3, dec, sizeof dec, &dl), -1);  /* bits left */
    assert_int_equal(pb_b64url_decode("Z", 1, dec, sizeof dec, &dl), -1);    /* 4k+1 */
    assert_int_equal(pb_b64url_decode("Zg==", 4, dec, sizeof dec, &dl), -1); /* padding */
    assert_int_equal(pb_b64url_decode("+/8", 3, dec, sizeof dec, &dl), -1);  /* std chars */
    assert_int_equal(pb_b64url_decode("Zm 9v", 5, dec, sizeof dec, &dl), -1);
    assert_int_equal(pb_b64url_decode("Zm9v\n", 5, dec, sizeof dec, &dl), -1);
    assert_int_equal(pb_b64url_decode("Zm\0v", 4, dec, sizeof dec, &dl), -1);
    assert_int_equal(dl, 0);
    /* sizes */
    assert_int_equal(pb_b64url_decode("Zm9vYmFy", 8, dec, 5, &dl), -2);
    assert_int_equal(pb_b64url_decode("Zm9vYmFy", 8, dec, 6, &dl), 0);
    assert_int_equal(pb_b64url_encode("foo", 3, out, 4), -1);
    assert_string_equal(out, "");
    assert_int_equal(pb_b64url_encode("foo", 3, out, 5), 0);
    assert_int_equal(pb_b64url_decoded_max(43), 32);
    /* every byte value round-trips */
    {
        unsigned char all[256], back[256];
        char enc[400];
        for (int i = 0; i < 256; i++)
            all[i] = (unsigned char)i;
        for (size_t n = 0; n <= 256; n += 1) {
            assert_int_equal(pb_b64url_encode(all, n, enc, sizeof enc), 0);
            assert_int_equal(pb_b64url_decode(enc, strlen(enc), back, sizeof back, &dl), 0);
            assert_int_equal(dl, n);
            assert_memory_equal(back, all, n);
        }
    }
}

/* ---- crypto ---- */

static void test_crypto(void **state)
{
    char hex[65];
    unsigned char raw[32], a[32], b[32];
    struct pb_sha256 h;
    char tok[64];
    pb_crypto_init();
    pb_crypto_init(); /* idempotent */
    pb_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    pb_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    pb_sha256("abc", 3, raw);
    assert_int_equal(raw[0], 0xba);
    assert_int_equal(raw[31], 0xad);
    /* incremental, split anywhere, equals one-shot */
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t cut = 0; cut <= strlen(m); cut += 5) {
        pb_sha256_init(&h);
        pb_sha256_update(&h, m, cut);
        pb_sha256_update(&h, m + cut, strlen(m) - cut);
        pb_sha256_final_hex(&h, hex);
        assert_string_equal(hex,
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    pb_sha256_init(&h);
    pb_sha256_update(&h, "ab", 2);
    pb_sha256_update(&h, "c", 1);
    pb_sha256_final(&h, a);
    assert_memory_equal(a, raw, 32);

    assert_true(pb_ct_equal("same", "same", 4));
    assert_false(pb_ct_equal("same", "sama", 4));
    assert_true(pb_ct_equal("x", "y", 0));

    pb_random_bytes(a, sizeof a);
    pb_random_bytes(b, sizeof b);
    assert_false(pb_ct_equal(a, b, sizeof a)); /* 2^-256 chance of a false failure */
    for (int i = 0; i < 1000; i++)
        assert_true(pb_random_uniform(10) < 10);
    assert_int_equal(pb_random_uniform(1), 0);
    assert_int_equal(pb_random_token(32, tok, sizeof tok), 0);
    assert_int_equal(strlen(tok), 43);
    for (size_t i = 0; i < 43; i++)
        assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                           tok[i]) != NULL);
    assert_int_equal(pb_random_token(32, tok, 43), -1);
    assert_int_equal(pb_random_token(2000, tok, sizeof tok), -1);
    pb_hex("\x00\x7f\xff", 3, hex);
    assert_string_equal(hex, "007fff");
}

/* ---- CSV ---- */

static void test_csv_writer(void **state)
{
    struct pb_buf b;
    pb_buf_init(&b, 0);
    pb_csv_bom(&b);
    pb_csv_field(&b, "plain");
    pb_csv_sep(&b);
    pb_csv_field(&b, "a,b");
    pb_csv_sep(&b);
    pb_csv_field(&b, "say \"hi\"");
    pb_csv_sep(&b);
    pb_csv_field(&b, "=1+2");
    pb_csv_sep(&b);
    pb_csv_field(&b, "-5");
    pb_csv_sep(&b);
    pb_csv_number(&b, "-5.25");
    pb_csv_sep(&b);
    pb_csv_number(&b, "=HYPERLINK(\"x\")");
    pb_csv_sep(&b);
    pb_csv_field(&b, "@SUM(A1)");
    pb_csv_sep(&b);
    pb_csv_field(&b, "+86");
    pb_csv_sep(&b);
    pb_csv_field(&b, "\tx");
    pb_csv_sep(&b);
    pb_csv_field(&b, "=a,b");
    pb_csv_sep(&b);
    pb_csv_field(&b, "line1\nline2");
    pb_csv_sep(&b);
    pb_csv_field(&b, NULL);
    pb_csv_sep(&b);
    pb_csv_field(&b, "泉州");
    pb_csv_eol(&b);
    assert_int_equal(b.err, 0);
    assert_string_equal(
        pb_buf_cstr(&b),
        "\xEF\xBB\xBF"
        "plain,\"a,b\",\"say \"\"hi\"\"\",'=1+2,'-5,-5.25,\"'=HYPERLINK(\"\"x\"\")\","
        "'@SUM(A1),'+86,'\tx,\"'=a,b\",\"line1\nline2\",,泉州\r\n");
    pb_buf_release(&b);
}

static void expect_row(struct pb_csv_reader *r, size_t row, size_t line, size_t n, ...)
{
    va_list ap;
    assert_int_equal(pb_csv_reader_next(r), PB_ROW);
    assert_int_equal(r->row, row);
    assert_int_equal(r->line, line);
    assert_int_equal(r->nfields, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(r->fields[i], want);
        assert_int_equal(r->lens[i], strlen(want));
    }
    va_end(ap);
}

static void test_csv_reader(void **state)
{
    struct pb_csv_reader r;
    const char *in = "\xEF\xBB\xBFname,code\r\n"
                     "\"泉州, 晋江\",\"a \"\"q\"\" b\"\r\n"
                     "\"multi\nline\",x\n"
                     "\r\n"
                     "last,\n";
    pb_csv_reader_init(&r, in, strlen(in), 0, 0);
    expect_row(&r, 1, 1, 2, "name", "code");
    expect_row(&r, 2, 2, 2, "泉州, 晋江", "a \"q\" b");
    expect_row(&r, 3, 3, 2, "multi\nline", "x");
    expect_row(&r, 4, 6, 2, "last", "");
    assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
    assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
    pb_csv_reader_release(&r);

    /* no final line break, lone CR, empty quoted field, bare quote kept */
    in = "a\rb,\"\",c\"d\r\n\"e\"";
    pb_csv_reader_init(&r, in, strlen(in), 0, 0);
    expect_row(&r, 1, 1, 1, "a");
    expect_row(&r, 2, 2, 3, "b", "", "c\"d");
    expect_row(&r, 3, 3, 1, "e");
    assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
    pb_csv_reader_release(&r);

    /* empty input and BOM only */
    pb_csv_reader_init(&r, "", 0, 0, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
    pb_csv_reader_release(&r);
    pb_csv_reader_init(&r, "\xEF\xBB\xBF\r\n", 5, 0, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
    pb_csv_reader_release(&r);

    /* the writer's output reads back to the same cells (guard quote included) */
    {
        struct pb_buf b;
        pb_buf_init(&b, 0);
        pb_csv_field(&b, "x,\"y\"\r\nz");
        pb_csv_sep(&b);
        pb_csv_field(&b, "=1");
        pb_csv_eol(&b);
        pb_csv_reader_init(&r, b.data, b.len, 0, 0);
        expect_row(&r, 1, 1, 2, "x,\"y\"\r\nz", "'=1");
        assert_int_equal(pb_csv_reader_next(&r), PB_DONE);
        pb_csv_reader_release(&r);
        pb_buf_release(&b);
    }
}

static void test_csv_reader_errors(void **state)
{
    struct pb_csv_reader r;
    const char *in;

    in = "ok,1\nbad,\"x\n";
    pb_csv_reader_init(&r, in, strlen(in), 0, 0);
    expect_row(&r, 1, 1, 2, "ok", "1");
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_QUOTE);
    assert_int_equal(r.row, 2);
    assert_int_equal(r.line, 2);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_QUOTE); /* sticky */
    pb_csv_reader_release(&r);

    in = "\"a\"x,b\n";
    pb_csv_reader_init(&r, in, strlen(in), 0, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_QUOTE);
    assert_int_equal(r.row, 1);
    pb_csv_reader_release(&r);

    in = "abcde,abcdef\n";
    pb_csv_reader_init(&r, in, strlen(in), 5, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_FIELD_TOO_LONG);
    pb_csv_reader_release(&r);
    in = "\"ab\"\"cd\"\n"; /* 5 bytes decoded: fits max 5 */
    pb_csv_reader_init(&r, in, strlen(in), 5, 0);
    expect_row(&r, 1, 1, 1, "ab\"cd");
    pb_csv_reader_release(&r);
    in = "\"ab\"\"cde\"\n";
    pb_csv_reader_init(&r, in, strlen(in), 5, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_FIELD_TOO_LONG);
    pb_csv_reader_release(&r);

    in = "a,b,c\na,b,c,d\n";
    pb_csv_reader_init(&r, in, strlen(in), 0, 3);
    expect_row(&r, 1, 1, 3, "a", "b", "c");
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_TOO_MANY_FIELDS);
    assert_int_equal(r.row, 2);
    pb_csv_reader_release(&r);
    in = "a,b,c,\n"; /* trailing comma is a fourth (empty) field */
    pb_csv_reader_init(&r, in, strlen(in), 0, 3);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_TOO_MANY_FIELDS);
    pb_csv_reader_release(&r);

    pb_csv_reader_init(&r, "a\0b\n", 4, 0, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_NUL);
    pb_csv_reader_release(&r);
    pb_csv_reader_init(&r, "\"a\0b\"\n", 6, 0, 0);
    assert_int_equal(pb_csv_reader_next(&r), PB_CSV_E_NUL);
    pb_csv_reader_release(&r);

    assert_string_equal(pb_csv_error_en(PB_CSV_E_TOO_MANY_FIELDS), "too many fields in a row");
    assert_string_equal(pb_csv_error_zh(PB_CSV_E_FIELD_TOO_LONG), "单元格内容过长");
}

static void test_encoding(void **state)
{
    struct pb_buf out;
    const char *enc = NULL;
    size_t bad = 0;
    pb_buf_init(&out, 0);
    /* 泉州市 in GB18030, and the 4-byte form of U+1F600 */
    assert_int_equal(
        pb_text_to_utf8("\xc8\xaa\xd6\xdd\xca\xd0,\x94\x39\xfc\x36\r\n", 13, &out, &enc, &bad), 0);
    assert_string_equal(enc, "GB18030");
    assert_string_equal(pb_buf_cstr(&out), "泉州市,\xF0\x9F\x98\x80\r\n");
    pb_buf_reset(&out);
    /* GB18030 BOM is dropped */
    assert_int_equal(pb_text_to_utf8("\x84\x31\x95\x33\xc8\xaa", 6, &out, &enc, &bad), 0);
    assert_string_equal(pb_buf_cstr(&out), "泉");
    pb_buf_reset(&out);
    /* valid UTF-8 passes through, BOM dropped */
    assert_int_equal(pb_text_to_utf8("\xEF\xBB\xBF泉州", 9, &out, &enc, &bad), 0);
    assert_string_equal(enc, "UTF-8");
    assert_string_equal(pb_buf_cstr(&out), "泉州");
    pb_buf_reset(&out);
    /* truncated GB18030 sequence */
    assert_int_equal(pb_text_to_utf8("ab\xc8\xaa\x81", 5, &out, &enc, &bad), -1);
    assert_int_equal(bad, 4);
    pb_buf_reset(&out);
    assert_int_equal(pb_gb18030_to_utf8("\xc8\xaa", 2, &out, NULL), 0);
    assert_string_equal(pb_buf_cstr(&out), "泉");
    pb_buf_release(&out);
    /* output cap */
    pb_buf_init(&out, 2);
    assert_int_equal(pb_gb18030_to_utf8("\xc8\xaa", 2, &out, NULL), -2);
    pb_buf_release(&out);
}

/* ---- query strings ---- */

static void test_qs(void **state)
{
    struct pb_arena a;
    struct pb_qs_pair *p = NULL;
    size_t n = 99;
    const char *q = "a=1&b=%E6%B3%89%e5%b7%9e&a=2&c&&d=x+y%2Bz&=e&sort=-updated_at";
    pb_arena_init(&a);
    assert_int_equal(pb_qs_parse(&a, q, strlen(q), &p, &n), PB_QS_OK);
    assert_int_equal(n, 7);
    assert_string_equal(p[0].key, "a");
    assert_string_equal(p[0].val, "1");
    assert_string_equal(p[1].key, "b");
    assert_string_equal(p[1].val, "泉州");
    assert_int_equal(p[1].vlen, 6);
    assert_string_equal(p[2].key, "a");
    assert_string_equal(p[2].val, "2");
    assert_string_equal(p[3].key, "c");
    assert_string_equal(p[3].val, "");
    assert_string_equal(p[4].key, "d");
    assert_string_equal(p[4].val, "x y+z");
    assert_string_equal(p[5].key, "");
    assert_string_equal(p[5].val, "e");
    assert_string_equal(p[6].val, "-updated_at");
    assert_string_equal(pb_qs_get(p, n, "a"), "1");
    assert_string_equal(pb_qs_get(p, n, "d"), "x y+z");
    assert_null(pb_qs_get(p, n, "zz"));

    /* the length bounds the parse, not a NUL */
    assert_int_equal(pb_qs_parse(&a, "k=v&x=y", 3, &p, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].val, "v");
    assert_int_equal(pb_qs_parse(&a, "", 0, &p, &n), 0);
    assert_int_equal(n, 0);
    assert_null(p);
    assert_int_equal(pb_qs_parse(&a, NULL, 0, &p, &n), 0);
    assert_int_equal(pb_qs_parse(&a, "&&&", 3, &p, &n), 0);
    assert_int_equal(n, 0);

    static const struct {
        const char *q;
        int rc;
    } bad[] = {
        {"a=%zz", PB_QS_E_ESCAPE},  {"a=%4", PB_QS_E_ESCAPE},      {"a=%", PB_QS_E_ESCAPE},
        {"a=%00", PB_QS_E_ESCAPE},  {"%g1=b", PB_QS_E_ESCAPE},     {"a=%ff", PB_QS_E_UTF8},
        {"a=%C0%AF", PB_QS_E_UTF8}, {"a=%ED%A0%80", PB_QS_E_UTF8}, {"a=\xE6\xB3", PB_QS_E_UTF8},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(bad); i++) {
        p = (void *)1;
        n = 5;
        if (pb_qs_parse(&a, bad[i].q, strlen(bad[i].q), &p, &n) != bad[i].rc)
            fail_msg("'%s' should give %d", bad[i].q, bad[i].rc);
        assert_null(p);
        assert_int_equal(n, 0);
    }
    /* raw (unescaped) UTF-8 is accepted */
    assert_int_equal(pb_qs_parse(&a, "q=泉州", strlen("q=泉州"), &p, &n), 0);
    assert_string_equal(p[0].val, "泉州");
    pb_arena_release(&a);
}

static void test_qs_limits(void **state)
{
    struct pb_arena a;
    struct pb_qs_pair *p;
    size_t n;
    struct pb_buf b;
    pb_arena_init(&a);
    pb_buf_init(&b, 0);
    for (int i = 0; i < 64; i++)
        pb_buf_printf(&b, "%sk%d=%d", i ? "&" : "", i, i);
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), 0);
    assert_int_equal(n, 64);
    assert_string_equal(p[63].key, "k63");
    assert_string_equal(p[63].val, "63");
    pb_buf_adds(&b, "&&"); /* empty segments do not count */
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), 0);
    pb_buf_adds(&b, "k64=64");
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), PB_QS_E_TOO_MANY);

    pb_buf_reset(&b);
    pb_buf_adds(&b, "v=");
    for (int i = 0; i < 4096; i++)
        pb_buf_addc(&b, 'x');
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), 0);
    assert_int_equal(p[0].vlen, 4096);
    pb_buf_addc(&b, 'x');
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), PB_QS_E_TOO_LONG);
    /* the limit is on decoded bytes: 4096 escapes (12288 input bytes) are fine */
    pb_buf_reset(&b);
    pb_buf_adds(&b, "v=");
    for (int i = 0; i < 4096; i++)
        pb_buf_adds(&b, "%41");
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), 0);
    assert_int_equal(p[0].vlen, 4096);
    assert_int_equal(p[0].val[4095], 'A');
    pb_buf_adds(&b, "%41");
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), PB_QS_E_TOO_LONG);
    /* keys too */
    pb_buf_reset(&b);
    for (int i = 0; i < 4097; i++)
        pb_buf_addc(&b, 'k');
    pb_buf_adds(&b, "=1");
    assert_int_equal(pb_qs_parse(&a, b.data, b.len, &p, &n), PB_QS_E_TOO_LONG);
    pb_buf_release(&b);
    pb_arena_release(&a);
}

static void test_path_segment(void **state)
{
    struct pb_arena a;
    char *out = (char *)1;
    size_t ol = 0;
    pb_arena_init(&a);
    assert_int_equal(pb_url_decode_path_segment(&a, "abc%20d+e", 9, &out, &ol), 0);
    assert_string_equal(out, "abc d+e");
    assert_int_equal(ol, 7);
    assert_int_equal(pb_url_decode_path_segment(&a, "%E6%B3%89", 9, &out, NULL), 0);
    assert_string_equal(out, "泉");
    assert_int_equal(pb_url_decode_path_segment(&a, "...", 3, &out, NULL), 0);
    assert_string_equal(out, "...");
    assert_int_equal(pb_url_decode_path_segment(&a, "a%2Fb", 5, &out, NULL), PB_QS_E_SEGMENT);
    assert_null(out);
    assert_int_equal(pb_url_decode_path_segment(&a, "..", 2, &out, NULL), PB_QS_E_SEGMENT);
    assert_int_equal(pb_url_decode_path_segment(&a, "%2E%2e", 6, &out, NULL), PB_QS_E_SEGMENT);
    assert_int_equal(pb_url_decode_path_segment(&a, ".", 1, &out, NULL), PB_QS_E_SEGMENT);
    assert_int_equal(pb_url_decode_path_segment(&a, "", 0, &out, NULL), PB_QS_E_SEGMENT);
    assert_int_equal(pb_url_decode_path_segment(&a, "a%00", 4, &out, NULL), PB_QS_E_ESCAPE);
    assert_int_equal(pb_url_decode_path_segment(&a, "a%2", 3, &out, NULL), PB_QS_E_ESCAPE);
    assert_int_equal(pb_url_decode_path_segment(&a, "%C0%AE", 6, &out, NULL), PB_QS_E_UTF8);

    {
        struct pb_buf b;
        pb_buf_init(&b, 0);
        pb_url_encode(&b, "泉 a/b~-._?&=+%", strlen("泉 a/b~-._?&=+%"));
        assert_string_equal(pb_buf_cstr(&b), "%E6%B3%89%20a%2Fb~-._%3F%26%3D%2B%25");
        /* encode then decode is the identity */
        assert_int_equal(pb_url_decode_path_segment(&a, b.data, b.len, &out, NULL),
                         PB_QS_E_SEGMENT); /* contains '/' */
        pb_buf_reset(&b);
        pb_url_encode(&b, "泉州 x+y", strlen("泉州 x+y"));
        assert_int_equal(pb_url_decode_path_segment(&a, b.data, b.len, &out, NULL), 0);
        assert_string_equal(out, "泉州 x+y");
        pb_buf_release(&b);
    }
    pb_arena_release(&a);
}

int main(void)
{
    /* Before any clock call: the first use reads the variable. */
    setenv("PARKBRAIN_FAKE_NOW", "2026-11-22T02:13:46.123Z", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_env),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_buf_basic),
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_buf_json),
        cmocka_unit_test(test_strlcpy_parse),
        cmocka_unit_test(test_dec_parse),
        cmocka_unit_test(test_dec_format),
        cmocka_unit_test(test_dec_from_double),
        cmocka_unit_test(test_display),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_date_arith),
        cmocka_unit_test(test_cst),
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_crypto),
        cmocka_unit_test(test_csv_writer),
        cmocka_unit_test(test_csv_reader),
        cmocka_unit_test(test_csv_reader_errors),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_qs),
        cmocka_unit_test(test_qs_limits),
        cmocka_unit_test(test_path_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
