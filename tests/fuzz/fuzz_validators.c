/* fuzz_validators.c: every validator and parser of src/util on the same input, with
 * round-trip properties checked (a violated property traps, so libFuzzer reports it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/b64.h"
#include "core/util/csv.h"
#include "core/util/money.h"
#include "core/util/pb.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

static void fuzz_ids(const char *s)
{
    char exp, out18[19], mask[256];
    struct pb_idnum_info info;
    int rc = pb_uscc_check(s, &exp);
    CHECK(rc >= PB_USCC_BAD_CHECK && rc <= PB_USCC_PILOT_WARNING);
    if (rc == PB_USCC_OK || rc == PB_USCC_BAD_CHECK || rc == PB_USCC_PILOT_WARNING)
        CHECK(strlen(s) == 18 && (rc != PB_USCC_OK || exp == s[17]));
    pb_orgcode_check(s, &exp);
    rc = pb_idnum_check(s, out18, &info, 20261122);
    if (rc == PB_IDNUM_OK) {
        char again[19];
        CHECK(strlen(out18) == 18);
        CHECK(pb_idnum_check(out18, again, NULL, 0) == PB_IDNUM_OK);
        CHECK(!strcmp(out18, again));
        CHECK(pb_date_valid(info.birth) || info.year < 1900);
    } else {
        CHECK(out18[0] == 0);
    }
    pb_mobile_check(s);
    if (pb_phone_mask(s, mask, sizeof mask) == 0)
        CHECK(pb_utf8_valid(mask, strlen(mask)));
    if (pb_idnum_mask(s, mask, sizeof mask) == 0)
        CHECK(pb_utf8_valid(mask, strlen(mask)));
    pb_ident_ok(s);
}

static void fuzz_dates(const char *s)
{
    int y, m, d;
    int64_t ms, ms2;
    char buf[32], day[11];
    if (pb_date_parse(s, &y, &m, &d) == 0) {
        pb_date_format(y, m, d, day);
        CHECK(!strcmp(day, s));
        CHECK(pb_date_str_add_days(s, 0, day) == 0 && !strcmp(day, s));
    }
    if (pb_iso_parse(s, &ms) == 0) {
        pb_iso_utc(ms, buf);
        CHECK(pb_iso_parse(buf, &ms2) == 0 && ms == ms2);
        pb_iso_cst(ms, buf);
        CHECK(pb_iso_parse(buf, &ms2) == 0 && ms2 == ms - ((ms % 1000) + 1000) % 1000);
        pb_cst_date(ms, &y, &m, &d);
    }
}

static void fuzz_money(const char *s, const uint8_t *data, size_t size)
{
    static const int scales[] = {0, 2, 6};
    char out[48];
    for (size_t i = 0; i < 3; i++) {
        int64_t v, w;
        int rc = pb_dec_parse(s, scales[i], &v);
        CHECK(rc <= 0 && rc >= PB_DEC_OVERFLOW);
        if (rc)
            continue;
        pb_dec_format(v, scales[i], out, sizeof out);
        CHECK(pb_dec_parse(out, scales[i], &w) == 0 && v == w);
        pb_fmt_yi(v, 2, out, sizeof out);
        pb_fmt_wan(v, 2, out, sizeof out);
        pb_fmt_wan_m2(v, 2, out, sizeof out);
        pb_mu_from_m2(v);
        pb_percent_bp(v, (int64_t)size - 7, &w);
    }
    if (size >= sizeof(double)) {
        double dv;
        int64_t v;
        memcpy(&dv, data, sizeof dv);
        for (size_t i = 0; i < 3; i++)
            if (pb_dec_from_double(dv, scales[i], &v) == 0) {
                double p = scales[i] == 0 ? 1 : scales[i] == 2 ? 100 : 1e6;
                CHECK((double)v / p == dv);
            }
    }
}

static void fuzz_b64(const uint8_t *data, size_t size)
{
    unsigned char dec[4096];
    char enc[6000];
    size_t dl;
    if (size > 4096)
        return;
    if (pb_b64url_decode((const char *)data, size, dec, sizeof dec, &dl) == 0) {
        /* strict decoding: exactly one spelling per byte string */
        CHECK(pb_b64url_encode(dec, dl, enc, sizeof enc) == 0);
        CHECK(strlen(enc) == size && !memcmp(enc, data, size));
    }
    CHECK(pb_b64url_encode(data, size, enc, sizeof enc) == 0);
    CHECK(pb_b64url_decode(enc, strlen(enc), dec, sizeof dec, &dl) == 0);
    CHECK(dl == size && !memcmp(dec, data, size));
    CHECK(pb_b64_encode(data, size, enc, sizeof enc) == 0);
    CHECK(strlen(enc) == pb_b64_encoded_len(size));
}

static void fuzz_csv(const uint8_t *data, size_t size)
{
    struct pb_csv_reader r;
    struct pb_buf b;
    int rc;
    size_t rows = 0;
    pb_csv_reader_init(&r, (const char *)data, size, 64, 8);
    while ((rc = pb_csv_reader_next(&r)) == PB_ROW) {
        rows++;
        CHECK(r.row == rows && r.nfields >= 1 && r.nfields <= 8);
        for (size_t i = 0; i < r.nfields; i++)
            CHECK(r.lens[i] <= 64 && strlen(r.fields[i]) == r.lens[i]);
    }
    CHECK(rc == PB_DONE || (rc < 0 && rc >= PB_CSV_E_NUL));
    pb_csv_reader_release(&r);

    /* one written cell reads back as itself (plus the formula guard) */
    if (size > 0 && !memchr(data, 0, size) && size < 4096) {
        int guard = strchr("=+-@\t\r", data[0]) != NULL;
        pb_buf_init(&b, 0);
        pb_csv_bom(&b); /* as exports do; else a cell starting with U+FEFF would lose it */
        pb_csv_fieldn(&b, (const char *)data, size);
        pb_csv_eol(&b);
        pb_csv_reader_init(&r, b.data, b.len, 0, 0);
        rc = pb_csv_reader_next(&r);
        CHECK(rc == PB_ROW && r.nfields == 1);
        CHECK(r.lens[0] == size + (size_t)guard);
        CHECK(!guard || r.fields[0][0] == '\'');
        CHECK(!memcmp(r.fields[0] + guard, data, size));
        CHECK(pb_csv_reader_next(&r) == PB_DONE);
        pb_csv_reader_release(&r);
        pb_buf_release(&b);
    }

    /* decoding to UTF-8 yields UTF-8 */
    pb_buf_init(&b, 1 << 20);
    if (pb_text_to_utf8((const char *)data, size, &b, NULL, NULL) == 0)
        CHECK(pb_utf8_valid(b.data ? b.data : "", b.len));
    pb_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;

    fuzz_ids(s);
    fuzz_dates(s);
    fuzz_money(s, data, size);
    {
        int ok = pb_utf8_valid((const char *)data, size);
        size_t n = pb_utf8_len(s);
        CHECK(n <= size);
        if (ok && !memchr(data, 0, size)) {
            /* in valid UTF-8, code points = bytes that are not continuation bytes */
            size_t cp = 0;
            for (size_t i = 0; i < size; i++)
                cp += (data[i] & 0xC0) != 0x80;
            CHECK(cp == n);
        }
    }
    fuzz_b64(data, size);
    fuzz_csv(data, size);
    free(s);
    return 0;
}
