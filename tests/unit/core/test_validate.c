/* test_validate.c: USCC, org code, ID numbers, dates, phones, masks, UTF-8, identifiers.
 * Vectors from shared/domain/reference.md §1 and §2 unless marked otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/util/pb.h"
#include "core/util/validate.h"

/* ---- USCC ---- */

static void test_uscc_valid(void **state)
{
    static const char *ok[] = {
        "91350582MA2XK7D87N", /* 9 工商 / 1 企业 / 晋江市 */
        "92350583MA31L5PQ36", /* 个体工商户 / 南安市 */
        "52350503MJD0012K23", /* 民政 / 民办非企业 / 丰泽区 */
        "91350100M000100Y43", /* the standard's worked example, corrected */
        "N2350582MJ01234568", /* letter first: python-stdnum wrongly rejects it */
    };
    char exp = 0;
    for (size_t i = 0; i < PB_ARRAY_LEN(ok); i++) {
        exp = 0;
        assert_int_equal(pb_uscc_check(ok[i], &exp), PB_USCC_OK);
        assert_int_equal(exp, ok[i][17]);
    }
    assert_int_equal(pb_uscc_check(ok[0], NULL), PB_USCC_OK);
}

static void test_uscc_bad_check(void **state)
{
    char exp = 0;
    /* Outside the pilot pattern: plain bad check, and the expected character is reported. */
    assert_int_equal(pb_uscc_check("91350582MA2XK7D870", &exp), PB_USCC_BAD_CHECK);
    assert_int_equal(exp, 'N');
    assert_int_equal(pb_uscc_check("92350583MA31L5PQ37", &exp), PB_USCC_BAD_CHECK);
    assert_int_equal(exp, '6');
    /* The standard's worked example: sum 1640, 1640 mod 31 = 28, check 3, but it ends in Z
     * (a letter never used, so not a pilot code either, though it is 35…M000…). */
    exp = 0;
    assert_int_equal(pb_uscc_check("91350100M000100Y4Z", &exp), PB_USCC_BAD_CHECK);
    assert_int_equal(exp, '3');
    assert_int_equal(pb_uscc_check("91350582MA2XK7D87I", &exp), PB_USCC_BAD_CHECK);
    assert_int_equal(exp, 'N');
    /* Non-Fujian region with M000: no pilot leniency. */
    assert_int_equal(pb_uscc_check("91440100M0001TGQXM", &exp), PB_USCC_BAD_CHECK);
}

static void test_uscc_pilot(void **state)
{
    char exp = 0;
    /* reference.md §1: early Fujian pilot code, computed check 1, org code passes GB 11714. */
    assert_int_equal(pb_uscc_check("91350100M0001TGQXM", &exp), PB_USCC_PILOT_WARNING);
    assert_int_equal(exp, '1');
    /* Two more published pilot codes (bluesky335/IDCheck): computed checks R and J. */
    assert_int_equal(pb_uscc_check("91350211M0000XUF46", &exp), PB_USCC_PILOT_WARNING);
    assert_int_equal(exp, 'R');
    assert_int_equal(pb_uscc_check("91350203M0001FUE2P", &exp), PB_USCC_PILOT_WARNING);
    assert_int_equal(exp, 'J');
    /* Same Fujian pilot shape with a wrong check from the code set: the rule cannot tell it
     * from a real pilot code, so it is a warning (never OK). 91350100M000100Y43 is valid. */
    assert_int_equal(pb_uscc_check("91350100M000100Y4M", &exp), PB_USCC_PILOT_WARNING);
    assert_int_equal(exp, '3');
    /* Same shape but the org-code check fails (last org char changed): hard reject. */
    assert_int_equal(pb_uscc_check("91350100M0001TGQ1M", &exp), PB_USCC_BAD_CHECK);
}

static void test_uscc_format(void **state)
{
    char exp = '?';
    static const char *bad[] = {
        "92O50583MA31L5PQ36",  /* letter O, region not digits */
        "52350503MJD0012K2",   /* 17 characters */
        "91350582MA2XK7D8IX",  /* letter I (in the body) */
        "91350582MA2XK7D87N0", /* 19 characters */
        "",
        "91350582ma2xk7d87n", /* lowercase */
        "9135058AMA2XK7D87N", /* letter in region */
        "91350582MA2XK7S87N", /* S never used */
        "91350582MA2XK7D87n", /* lowercase check character */
        "91350582MA2XK7D87-",
        "91350582MA2XK7D87 ",
        ("9\xE6\xB3\x89"
         "50582MA2XK7D87"),
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(bad); i++)
        assert_int_equal(pb_uscc_check(bad[i], &exp), PB_USCC_BAD_FORMAT);
    assert_int_equal(exp, '?'); /* untouched */
    assert_int_equal(pb_uscc_check(NULL, &exp), PB_USCC_BAD_FORMAT);
}

static void test_orgcode(void **state)
{
    char exp = 0;
    assert_int_equal(pb_orgcode_check("MA2XK7D87", &exp), 0);
    assert_int_equal(exp, '7');
    assert_int_equal(pb_orgcode_check("M0001TGQX", &exp), 0);
    assert_int_equal(exp, 'X');
    assert_int_equal(pb_orgcode_check("M000100Y4", NULL), 0);
    assert_int_equal(pb_orgcode_check("M000100Y5", &exp), -2);
    assert_int_equal(exp, '4');
    assert_int_equal(pb_orgcode_check("M000100Y", NULL), -1);
    assert_int_equal(pb_orgcode_check("m000100Y4", NULL), -1);
    assert_int_equal(pb_orgcode_check("M000100YA", NULL), -1);
}

/* ---- ID numbers ---- */

static void test_idnum_valid(void **state)
{
    char out[19];
    struct pb_idnum_info info;
    assert_int_equal(pb_idnum_check("350582199001019997", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(out, "350582199001019997");
    assert_string_equal(info.birth, "1990-01-01");
    assert_int_equal(info.male, 1);
    assert_string_equal(info.region, "350582");
    assert_int_equal(info.year, 1990);

    assert_int_equal(pb_idnum_check("35050220000229998X", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(info.birth, "2000-02-29");
    assert_int_equal(info.male, 0);
    /* lowercase x is normalised */
    assert_int_equal(pb_idnum_check("35050220000229998x", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(out, "35050220000229998X");

    assert_int_equal(pb_idnum_check("350521201012319976", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(info.birth, "2010-12-31");
    assert_int_equal(info.male, 1);
    assert_int_equal(pb_idnum_check("350503198506159960", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(info.birth, "1985-06-15");
    assert_int_equal(info.male, 0);
    /* The standard's own examples (checks X and 4; born 1949 and 1880). */
    assert_int_equal(pb_idnum_check("11010519491231002X", out, &info, 0), PB_IDNUM_OK);
    assert_int_equal(info.male, 0);
    assert_int_equal(pb_idnum_check("440524188001010014", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(info.birth, "1880-01-01");
    assert_int_equal(info.male, 1);
    /* NULL outputs are allowed */
    assert_int_equal(pb_idnum_check("350582199001019997", NULL, NULL, 0), PB_IDNUM_OK);
}

static void test_idnum_15(void **state)
{
    char out[19];
    struct pb_idnum_info info;
    assert_int_equal(pb_idnum_check("350582900101999", out, &info, 0), PB_IDNUM_OK);
    assert_string_equal(out, "350582199001019997");
    assert_string_equal(info.birth, "1990-01-01");
    assert_int_equal(info.male, 1);
    /* 15-digit with an impossible date */
    assert_int_equal(pb_idnum_check("350582900230999", out, NULL, 0), PB_IDNUM_BAD_DATE);
    assert_string_equal(out, "");
}

static void test_idnum_invalid(void **state)
{
    char out[19] = "junk";
    assert_int_equal(pb_idnum_check("350582199001019990", out, NULL, 0), PB_IDNUM_BAD_CHECK);
    assert_string_equal(out, "");
    /* check character right but 2001-02-29 does not exist (id-validator accepts it) */
    assert_int_equal(pb_idnum_check("350502200102299987", out, NULL, 0), PB_IDNUM_BAD_DATE);
    assert_int_equal(pb_idnum_check("35058219900101999", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check("3505821990010199970", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check("35058219900101999Y", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check("3505821990010199X7", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check("35058290010199X", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check("", out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    assert_int_equal(pb_idnum_check(NULL, out, NULL, 0), PB_IDNUM_BAD_FORMAT);
    /* month 13 and day 00, each with a correct check character */
    {
        char id[19] = "35058219901301999";
        id[17] = pb_idnum_check_char(id);
        id[18] = 0;
        assert_int_equal(pb_idnum_check(id, out, NULL, 0), PB_IDNUM_BAD_DATE);
        memcpy(id, "35058219900100999", 17);
        id[17] = pb_idnum_check_char(id);
        assert_int_equal(pb_idnum_check(id, out, NULL, 0), PB_IDNUM_BAD_DATE);
        /* 1900-02-29: 1900 is not a leap year */
        memcpy(id, "35058219000229999", 17);
        id[17] = pb_idnum_check_char(id);
        assert_int_equal(pb_idnum_check(id, out, NULL, 0), PB_IDNUM_BAD_DATE);
    }
}

static void test_idnum_future(void **state)
{
    char out[19];
    /* born 2010-12-31 */
    assert_int_equal(pb_idnum_check("350521201012319976", out, NULL, 20101230), PB_IDNUM_FUTURE);
    assert_int_equal(pb_idnum_check("350521201012319976", out, NULL, 20101231), PB_IDNUM_OK);
    assert_int_equal(pb_idnum_check("350521201012319976", out, NULL, 20261122), PB_IDNUM_OK);
}

static void test_idnum_check_char(void **state)
{
    assert_int_equal(pb_idnum_check_char("11010519491231002"), 'X');
    assert_int_equal(pb_idnum_check_char("44052418800101001"), '4');
    assert_int_equal(pb_idnum_check_char("35058219900101999"), '7');
    assert_int_equal(pb_idnum_check_char("3505821990010199"), 0);
    assert_int_equal(pb_idnum_check_char("3505821990010199a"), 0);
}

/* ---- dates ---- */

static void test_date_parse(void **state)
{
    int y = 0, m = 0, d = 0;
    assert_int_equal(pb_date_parse("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_int_equal(pb_date_parse("2000-02-29", &y, &m, &d), 0);
    assert_int_equal(pb_date_parse("1900-01-01", &y, &m, &d), 0);
    assert_int_equal(pb_date_parse("2200-12-31", &y, &m, &d), 0);
    assert_int_equal(pb_date_parse("2026-04-30", NULL, NULL, NULL), 0);

    y = 7;
    assert_int_equal(pb_date_parse("2023-02-29", &y, &m, &d), -1);
    assert_int_equal(y, 7);
    assert_int_equal(pb_date_parse("1900-02-29", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2100-02-29", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-04-31", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-13-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-00-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-01-00", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("1899-12-31", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2201-01-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-1-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026/01/01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-01-01 ", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse(" 2026-01-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("2026-01-01T00:00", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("+026-01-01", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse("", &y, &m, &d), -1);
    assert_int_equal(pb_date_parse(NULL, &y, &m, &d), -1);

    assert_true(pb_date_valid("2025-12-31"));
    assert_false(pb_date_valid("2025-11-31"));
}

/* ---- phones and masks ---- */

static void test_mobile(void **state)
{
    assert_int_equal(pb_mobile_check("13812345678"), 0);
    assert_int_equal(pb_mobile_check("19912345678"), 0);
    assert_int_equal(pb_mobile_check("12812345678"), -1);
    assert_int_equal(pb_mobile_check("23812345678"), -1);
    assert_int_equal(pb_mobile_check("1381234567"), -1);
    assert_int_equal(pb_mobile_check("138123456789"), -1);
    assert_int_equal(pb_mobile_check("1381234567a"), -1);
    assert_int_equal(pb_mobile_check("+8613812345678"), -1);
    assert_int_equal(pb_mobile_check(NULL), -1);
}

static void test_masks(void **state)
{
    char out[64];
    assert_int_equal(pb_phone_mask("13812345678", out, sizeof out), 0);
    assert_string_equal(out, "138****5678");
    assert_int_equal(pb_phone_mask("0595-22345678", out, sizeof out), 0);
    assert_string_equal(out, "059********78");
    assert_int_equal(pb_phone_mask("22345678", out, sizeof out), 0);
    assert_string_equal(out, "223***78");
    assert_int_equal(pb_phone_mask("123456", out, sizeof out), 0);
    assert_string_equal(out, "******");
    assert_int_equal(pb_phone_mask("", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(pb_phone_mask(NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
    /* multibyte characters are kept whole */
    assert_int_equal(pb_phone_mask("电话1234567", out, sizeof out), 0);
    assert_string_equal(out, "电话1****67");
    /* invalid UTF-8 is starred entirely */
    assert_int_equal(pb_phone_mask("1234567\xff", out, sizeof out), 0);
    assert_string_equal(out, "********");
    /* buffer too small */
    assert_int_equal(pb_phone_mask("13812345678", out, 11), -1);
    assert_string_equal(out, "");
    assert_int_equal(pb_phone_mask("13812345678", out, 12), 0);
    assert_string_equal(out, "138****5678");

    assert_int_equal(pb_idnum_mask("350582199001019997", out, sizeof out), 0);
    assert_string_equal(out, "350582********9997");
    assert_int_equal(pb_idnum_mask("350582900101999", out, sizeof out), 0);
    assert_string_equal(out, "350582*****1999");
    assert_int_equal(pb_idnum_mask("1234567890", out, sizeof out), 0);
    assert_string_equal(out, "**********");
    assert_int_equal(pb_idnum_mask("350582199001019997", out, 18), -1);
}

/* ---- UTF-8 and identifiers ---- */

static void test_utf8(void **state)
{
    static const struct {
        const char *s;
        size_t n;
        int ok;
    } v[] = {
        {"", 0, 1},
        {"abc", 3, 1},
        {"\xE6\xB3\x89\xE5\xB7\x9E", 6, 1}, /* 泉州 */
        {"\xC2\x80", 2, 1},                 /* U+0080 */
        {"\xDF\xBF", 2, 1},                 /* U+07FF */
        {"\xE0\xA0\x80", 3, 1},             /* U+0800 */
        {"\xED\x9F\xBF", 3, 1},             /* U+D7FF */
        {"\xEE\x80\x80", 3, 1},             /* U+E000 */
        {"\xEF\xBF\xBF", 3, 1},             /* U+FFFF */
        {"\xF0\x90\x80\x80", 4, 1},         /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 4, 1},         /* U+10FFFF */
        {"\xF0\x9F\x98\x80", 4, 1},         /* emoji */
        {"a\0b", 3, 1},                     /* U+0000 is well-formed */
        {"\xC0\xAF", 2, 0},                 /* overlong '/' */
        {"\xC1\xBF", 2, 0},                 /* overlong */
        {"\xE0\x80\xAF", 3, 0},             /* overlong */
        {"\xE0\x9F\xBF", 3, 0},             /* overlong U+07FF */
        {"\xF0\x80\x80\xAF", 4, 0},         /* overlong */
        {"\xF0\x8F\xBF\xBF", 4, 0},         /* overlong U+FFFF */
        {"\xED\xA0\x80", 3, 0},             /* surrogate U+D800 */
        {"\xED\xBF\xBF", 3, 0},             /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4, 0},         /* U+110000 */
        {"\xF5\x80\x80\x80", 4, 0},
        {"\xFF", 1, 0},
        {"\x80", 1, 0},         /* lone continuation */
        {"\xE6\xB3", 2, 0},     /* truncated */
        {"\xE6\x41\x89", 3, 0}, /* bad continuation */
        {"\xF0\x9F\x98", 3, 0}, /* truncated 4-byte */
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(v); i++) {
        if (pb_utf8_valid(v[i].s, v[i].n) != v[i].ok)
            fail_msg("utf8 vector %zu: expected %d", i, v[i].ok);
    }
    /* a valid sequence cut by n is invalid */
    assert_false(pb_utf8_valid("\xE6\xB3\x89", 2));

    assert_int_equal(pb_utf8_len(""), 0);
    assert_int_equal(pb_utf8_len("abc"), 3);
    assert_int_equal(pb_utf8_len("泉州市晋江"), 5);
    assert_int_equal(pb_utf8_len("a\xF0\x9F\x98\x80z"), 3);
    assert_int_equal(pb_utf8_len(NULL), 0);
}

static void test_ident(void **state)
{
    char long63[64], long64[65];
    memset(long63, 'a', 63);
    long63[63] = 0;
    memset(long64, 'a', 64);
    long64[64] = 0;
    assert_true(pb_ident_ok("park"));
    assert_true(pb_ident_ok("_x1"));
    assert_true(pb_ident_ok("region_code"));
    assert_true(pb_ident_ok("a"));
    assert_true(pb_ident_ok(long63));
    assert_false(pb_ident_ok(long64));
    assert_false(pb_ident_ok(""));
    assert_false(pb_ident_ok("1abc"));
    assert_false(pb_ident_ok("Park"));
    assert_false(pb_ident_ok("park-name"));
    assert_false(pb_ident_ok("park name"));
    assert_false(pb_ident_ok("park;drop"));
    assert_false(pb_ident_ok(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc_valid),   cmocka_unit_test(test_uscc_bad_check),
        cmocka_unit_test(test_uscc_pilot),   cmocka_unit_test(test_uscc_format),
        cmocka_unit_test(test_orgcode),      cmocka_unit_test(test_idnum_valid),
        cmocka_unit_test(test_idnum_15),     cmocka_unit_test(test_idnum_invalid),
        cmocka_unit_test(test_idnum_future), cmocka_unit_test(test_idnum_check_char),
        cmocka_unit_test(test_date_parse),   cmocka_unit_test(test_mobile),
        cmocka_unit_test(test_masks),        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_ident),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
