/* test_lock.c: the door-code library (src/lock/): SHA-1 against RFC 3174 / FIPS 180 vectors,
 * HMAC-SHA-1 against RFC 2202, HOTP against RFC 4226 Appendix D and 10,000 random cases against
 * `oathtool` (Debian), and the stay scheme: valid inside the stay, not one second before
 * check-in nor at check-out, not with another slot, key or day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "modules/apartments/lock/lock.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_sha1_vectors(void **state)
{
    static const struct {
        const char *msg;
        int repeat;
        const char *want;
    } v[] = {
        {"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
        {"0123456701234567012345670123456701234567012345670123456701234567", 10,
         "dea356a2cddd90c7a7ecedc5ebb563934f460452"},
        {"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct pb_lock_sha1 s;
        unsigned char out[20];
        char h[41];
        pb_lock_sha1_init(&s);
        for (int r = 0; r < v[i].repeat; r++)
            pb_lock_sha1_update(&s, v[i].msg, strlen(v[i].msg));
        pb_lock_sha1_final(&s, out);
        hex(out, 20, h);
        assert_string_equal(h, v[i].want);
    }
}

static void test_hmac_rfc2202(void **state)
{
    unsigned char key[80], out[20], data[50];
    char h[41];
    (void)state;
    memset(key, 0x0b, 20);
    pb_lock_hmac_sha1(key, 20, "Hi There", 8, out);
    hex(out, 20, h);
    assert_string_equal(h, "b617318655057264e28bc0b6fb378c8ef146be00");
    pb_lock_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, out);
    hex(out, 20, h);
    assert_string_equal(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    pb_lock_hmac_sha1(key, 20, data, 50, out);
    hex(out, 20, h);
    assert_string_equal(h, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
    memset(key, 0xaa, 80); /* a key longer than the block is hashed first */
    pb_lock_hmac_sha1(key, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54, out);
    hex(out, 20, h);
    assert_string_equal(h, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

static void test_hotp_rfc4226(void **state)
{
    /* Appendix D: secret "12345678901234567890", the 6-digit values and the truncated
     * 31-bit integers (whose last 8 digits are the 8-digit values). */
    static const uint32_t six[] = {755224, 287082, 359152, 969429, 338314,
                                   254676, 287922, 162583, 399871, 520489};
    static const uint32_t trunc[] = {1284755224, 1094287082, 137359152, 1726969429, 1640338314,
                                     868254676,  1918287922, 82162583,  673399871,  645520489};
    const char *k = "12345678901234567890";
    (void)state;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(pb_lock_hotp(k, 20, (uint64_t)i, 6), six[i]);
        assert_int_equal(pb_lock_hotp(k, 20, (uint64_t)i, 8), trunc[i] % 100000000u);
    }
}

/* 10,000 random cases: 200 random 20..32-byte keys, each with 50 consecutive counters from a
 * random 56-bit start (oathtool's -w prints the window in one run). */
static void test_hotp_vs_oathtool(void **state)
{
    int cases = 0;
    (void)state;
    if (system("command -v oathtool >/dev/null 2>&1") != 0) {
        fail_msg("oathtool is not installed (scripts/install-deps.sh installs it)");
    }
    for (int k = 0; k < 200; k++) {
        unsigned char key[32];
        size_t klen = 20 + pb_random_uniform(13);
        uint64_t start;
        char khex[65], cmd[256], line[64];
        FILE *p;
        pb_random_bytes(key, klen);
        pb_random_bytes(&start, sizeof start);
        start &= 0x00ffffffffffffffULL;
        hex(key, klen, khex);
        snprintf(cmd, sizeof cmd, "oathtool --hotp -d 8 -c %llu -w 49 %s",
                 (unsigned long long)start, khex);
        p = popen(cmd, "r");
        assert_non_null(p);
        for (int i = 0; i < 50; i++) {
            char mine[16];
            assert_non_null(fgets(line, sizeof line, p));
            line[strcspn(line, "\n")] = 0;
            snprintf(mine, sizeof mine, "%08u", pb_lock_hotp(key, klen, start + (uint64_t)i, 8));
            if (strcmp(mine, line))
                fail_msg("key %s counter %llu: ours %s, oathtool %s", khex,
                         (unsigned long long)(start + (uint64_t)i), mine, line);
            cases++;
        }
        assert_int_equal(pclose(p), 0);
    }
    assert_int_equal(cases, 10000);
}

static void cfg_rfc(struct pb_lock_cfg *cfg)
{
    assert_int_equal(pb_lock_cfg_parse(cfg, "# test lock\nkey = "
                                            "3132333435363738393031323334353637383930\n"
                                            "check_in = 14:00\ncheck_out = 12:00\n"),
                     0);
}

static int64_t cst(int y, int m, int d, int hh, int mm, int ss)
{
    return pb_cst_midnight_ms(y, m, d) / 1000 + hh * 3600 + mm * 60 + ss;
}

static void test_stay_window(void **state)
{
    struct pb_lock_cfg cfg;
    char code[11], other[11];
    int64_t day = pb_lock_days_from_civil(2026, 2, 10), d;
    int slot, n;
    (void)state;
    cfg_rfc(&cfg);
    assert_int_equal(day, pb_days_from_civil(2026, 2, 10));
    assert_int_equal(pb_lock_code(&cfg, 2, day, 5, code), 0);
    assert_int_equal(strlen(code), 10);
    /* selector: slot 2, checkout day mod 15 */
    assert_int_equal((code[0] - '0') * 10 + code[1] - '0', 2 * 15 + (int)((day + 5) % 15));
    /* the HOTP part is oathtool's value for the counter */
    {
        char cmd[200], line[32];
        FILE *p;
        snprintf(cmd, sizeof cmd,
                 "oathtool --hotp -d 8 -c %llu 3132333435363738393031323334353637383930",
                 (unsigned long long)pb_lock_counter(2, day, 5));
        p = popen(cmd, "r");
        assert_non_null(p);
        assert_non_null(fgets(line, sizeof line, p));
        pclose(p);
        assert_memory_equal(line, code + 2, 8);
    }
    /* inside the stay: from 14:00 on the 10th to 11:59:59 on the 15th */
    assert_true(pb_lock_verify(&cfg, code, cst(2026, 2, 10, 14, 0, 0), &slot, &d, &n));
    assert_int_equal(slot, 2);
    assert_int_equal(d, day);
    assert_int_equal(n, 5);
    assert_true(pb_lock_verify(&cfg, code, cst(2026, 2, 12, 3, 0, 0), NULL, NULL, NULL));
    assert_true(pb_lock_verify(&cfg, code, cst(2026, 2, 15, 11, 59, 59), NULL, NULL, NULL));
    /* one second before check-in, at check-out, and later */
    assert_false(pb_lock_verify(&cfg, code, cst(2026, 2, 10, 13, 59, 59), NULL, NULL, NULL));
    assert_false(pb_lock_verify(&cfg, code, cst(2026, 2, 15, 12, 0, 0), NULL, NULL, NULL));
    assert_false(pb_lock_verify(&cfg, code, cst(2026, 3, 1, 12, 0, 0), NULL, NULL, NULL));
    assert_false(pb_lock_verify(&cfg, code, cst(2026, 2, 1, 15, 0, 0), NULL, NULL, NULL));
    /* another slot's, stay's or key's code is another code */
    assert_int_equal(pb_lock_code(&cfg, 1, day, 5, other), 0);
    assert_string_not_equal(other, code);
    other[0] = code[0];
    other[1] = code[1];
    assert_false(pb_lock_verify(&cfg, other, cst(2026, 2, 11, 9, 0, 0), NULL, NULL, NULL));
    {
        struct pb_lock_cfg k2 = cfg;
        k2.key[0] ^= 1;
        assert_false(pb_lock_verify(&k2, code, cst(2026, 2, 11, 9, 0, 0), NULL, NULL, NULL));
    }
    /* a digit changed */
    memcpy(other, code, 11);
    other[9] = (char)(other[9] == '9' ? '0' : other[9] + 1);
    assert_false(pb_lock_verify(&cfg, other, cst(2026, 2, 11, 9, 0, 0), NULL, NULL, NULL));
    /* malformed input */
    assert_false(pb_lock_verify(&cfg, "12345", cst(2026, 2, 11, 9, 0, 0), NULL, NULL, NULL));
    assert_false(pb_lock_verify(&cfg,
                                "99"
                                "12345678",
                                cst(2026, 2, 11, 9, 0, 0), NULL, NULL, NULL));
    assert_false(pb_lock_verify(&cfg, NULL, 0, NULL, NULL, NULL));
    /* bad arguments give no code */
    assert_int_equal(pb_lock_code(&cfg, 6, day, 5, other), -1);
    assert_int_equal(pb_lock_code(&cfg, 0, day, 15, other), -1);
    assert_int_equal(pb_lock_code(&cfg, 0, day, 0, other), -1);
}

/* Every stay length and slot, around every boundary. */
static void test_stay_all_lengths(void **state)
{
    struct pb_lock_cfg cfg;
    (void)state;
    cfg_rfc(&cfg);
    for (int s = 0; s < PB_LOCK_MAX_SLOTS; s++)
        for (int n = 1; n <= PB_LOCK_MAX_NIGHTS; n++) {
            int64_t day = pb_lock_days_from_civil(2025, 9, 25) + s * 3 + n, from, until;
            char code[11];
            assert_int_equal(pb_lock_code(&cfg, s, day, n, code), 0);
            pb_lock_window(&cfg, day, n, &from, &until);
            assert_int_equal(until - from, n * 86400 - 2 * 3600);
            assert_false(pb_lock_verify(&cfg, code, from - 1, NULL, NULL, NULL));
            assert_true(pb_lock_verify(&cfg, code, from, NULL, NULL, NULL));
            assert_true(pb_lock_verify(&cfg, code, (from + until) / 2, NULL, NULL, NULL));
            assert_true(pb_lock_verify(&cfg, code, until - 1, NULL, NULL, NULL));
            assert_false(pb_lock_verify(&cfg, code, until, NULL, NULL, NULL));
        }
}

static void test_cfg_parse(void **state)
{
    struct pb_lock_cfg cfg;
    (void)state;
    assert_int_equal(pb_lock_cfg_parse(&cfg, "key = 0011"), -1); /* < 160 bits */
    assert_int_equal(pb_lock_cfg_parse(&cfg, "check_in = 14:00\n"), -1);
    assert_int_equal(pb_lock_cfg_parse(&cfg, "key = zz32333435363738393031323334353637383930"), -1);
    assert_int_equal(pb_lock_cfg_parse(&cfg, "key=3132333435363738393031323334353637383930\n"
                                             "check_out = 25:00\n"),
                     -1);
    assert_int_equal(pb_lock_cfg_parse(&cfg, "key=3132333435363738393031323334353637383930\r\n"
                                             "check_in=15:30\r\ncheck_out = 11:00\r\n"),
                     0);
    assert_int_equal(cfg.key_len, 20);
    assert_int_equal(cfg.checkin_min, 15 * 60 + 30);
    assert_int_equal(cfg.checkout_min, 11 * 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_vectors), cmocka_unit_test(test_hmac_rfc2202),
        cmocka_unit_test(test_hotp_rfc4226), cmocka_unit_test(test_hotp_vs_oathtool),
        cmocka_unit_test(test_stay_window),  cmocka_unit_test(test_stay_all_lengths),
        cmocka_unit_test(test_cfg_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
