/* test_xlsx.c: the XLSX reader (src/util/xlsx.c): workbooks written by libxlsxwriter (shared
 * strings, and inline strings in its constant-memory mode), and hand-made zips for the odd and
 * hostile cases (DOCTYPE, rows out of order, too many columns, a missing shared string, a
 * zip bomb, truncation, Excel's _xHHHH_ escapes, phonetic runs, the 1904 date system). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>
#include <zlib.h>

#include "core/util/pb.h"
#include "core/util/xlsx.h"

/* ---- a tiny zip writer (stored or deflated entries) ---- */

struct zw {
    struct pb_buf out, cd;
    int n;
};

static void put16(struct pb_buf *b, unsigned v)
{
    unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    pb_buf_add(b, c, 2);
}
static void put32(struct pb_buf *b, unsigned long v)
{
    put16(b, (unsigned)(v & 0xFFFF));
    put16(b, (unsigned)(v >> 16));
}

/* deflate 1: raw deflate; usize_override: a declared size that differs from the real one. */
static void zw_add(struct zw *z, const char *name, const void *data, size_t len, int deflate_,
                   long usize_override)
{
    unsigned long crc = crc32(0L, data, (uInt)len);
    unsigned char *comp = NULL;
    size_t clen = len;
    size_t off = z->out.len;
    if (deflate_) {
        z_stream s;
        memset(&s, 0, sizeof s);
        assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
        comp = malloc(deflateBound(&s, len) + 16);
        s.next_in = (unsigned char *)(uintptr_t)data;
        s.avail_in = (uInt)len;
        s.next_out = comp;
        s.avail_out = (uInt)deflateBound(&s, len) + 16;
        assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
        clen = s.total_out;
        deflateEnd(&s);
    }
    put32(&z->out, 0x04034b50);
    put16(&z->out, 20);
    put16(&z->out, 0);
    put16(&z->out, deflate_ ? 8 : 0);
    put32(&z->out, 0);
    put32(&z->out, crc);
    put32(&z->out, clen);
    put32(&z->out, usize_override >= 0 ? (unsigned long)usize_override : len);
    put16(&z->out, (unsigned)strlen(name));
    put16(&z->out, 0);
    pb_buf_adds(&z->out, name);
    pb_buf_add(&z->out, deflate_ ? (const void *)comp : data, clen);
    put32(&z->cd, 0x02014b50);
    put16(&z->cd, 20);
    put16(&z->cd, 20);
    put16(&z->cd, 0);
    put16(&z->cd, deflate_ ? 8 : 0);
    put32(&z->cd, 0);
    put32(&z->cd, crc);
    put32(&z->cd, clen);
    put32(&z->cd, usize_override >= 0 ? (unsigned long)usize_override : len);
    put16(&z->cd, (unsigned)strlen(name));
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put16(&z->cd, 0);
    put32(&z->cd, 0);
    put32(&z->cd, off);
    pb_buf_adds(&z->cd, name);
    z->n++;
    free(comp);
}

static void zw_finish(struct zw *z)
{
    size_t cdoff = z->out.len;
    pb_buf_add(&z->out, z->cd.data, z->cd.len);
    put32(&z->out, 0x06054b50);
    put16(&z->out, 0);
    put16(&z->out, 0);
    put16(&z->out, (unsigned)z->n);
    put16(&z->out, (unsigned)z->n);
    put32(&z->out, z->cd.len);
    put32(&z->out, cdoff);
    put16(&z->out, 0);
}

/* A workbook of one hand-written sheet (and shared strings when given). */
static void make_zip(struct zw *z, const char *sheet, const char *sst)
{
    memset(z, 0, sizeof *z);
    pb_buf_init(&z->out, 0);
    pb_buf_init(&z->cd, 0);
    zw_add(z, "xl/worksheets/sheet1.xml", sheet, strlen(sheet), 1, -1);
    if (sst)
        zw_add(z, "xl/sharedStrings.xml", sst, strlen(sst), 0, -1);
    zw_finish(z);
}

static void zw_release(struct zw *z)
{
    pb_buf_release(&z->out);
    pb_buf_release(&z->cd);
}

#define SHEET(rows)                                                                                \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet "                   \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" rows         \
    "</sheetData></worksheet>"

/* Convert; returns the CSV (static) or NULL with the reason in why. */
static char why[200], why_zh[200];
static const char *conv(const void *d, size_t n, const struct pb_xlsx_limits *lim)
{
    static struct pb_buf out;
    pb_buf_release(&out);
    pb_buf_init(&out, 0);
    if (pb_xlsx_to_csv(d, n, lim, &out, why, sizeof why, why_zh, sizeof why_zh))
        return NULL;
    return pb_buf_cstr(&out);
}

static const char *conv_zip(const char *sheet, const char *sst)
{
    struct zw z;
    static char keep[4096];
    const char *r;
    make_zip(&z, sheet, sst);
    r = conv(z.out.data, z.out.len, NULL);
    pb_strlcpy(keep, r ? r : "", sizeof keep);
    zw_release(&z);
    return r ? keep : NULL;
}

/* ---- libxlsxwriter workbooks ---- */

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *d;
    long len;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    d = malloc((size_t)len + 1);
    assert_int_equal(fread(d, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return d;
}

static char *written_book(int constant_memory, size_t *n)
{
    char path[] = "/tmp/pb_xlsx_test_XXXXXX";
    int fd = mkstemp(path);
    lxw_workbook_options opt = {.constant_memory = (uint8_t)constant_memory};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *date;
    lxw_datetime dt = {2025, 3, 15, 0, 0, 0};
    char *d;
    assert_true(fd >= 0);
    close(fd);
    wb = workbook_new_opt(path, &opt);
    ws = workbook_add_worksheet(wb, "企业");
    date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    worksheet_write_string(ws, 0, 0, "企业名称", NULL);
    worksheet_write_string(ws, 0, 1, "面积", NULL);
    worksheet_write_string(ws, 0, 2, "签约日期", NULL);
    worksheet_write_string(ws, 0, 3, "备注", NULL);
    worksheet_write_string(ws, 1, 0, "泉州超维医疗科技有限公司", NULL);
    worksheet_write_number(ws, 1, 1, 1000.5, NULL);
    worksheet_write_datetime(ws, 1, 2, &dt, date);
    worksheet_write_string(ws, 1, 3, "甲,乙 \"丙\"", NULL);
    /* row 3 left empty; row 4: a gap in the middle, a float with binary noise, a boolean */
    worksheet_write_string(ws, 3, 0, "A&B <公司>", NULL);
    worksheet_write_number(ws, 3, 1, 0.1 + 0.2, NULL);
    worksheet_write_boolean(ws, 3, 3, 1, NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    d = read_file(path, n);
    unlink(path);
    return d;
}

static void test_libxlsxwriter_books(void **state)
{
    (void)state;
    for (int cm = 0; cm <= 1; cm++) {
        size_t n;
        char *d = written_book(cm, &n);
        const char *csv;
        assert_true(pb_xlsx_sniff(d, n));
        csv = conv(d, n, NULL);
        if (!csv)
            fail_msg("constant_memory=%d: %s", cm, why);
        assert_string_equal(csv, "企业名称,面积,签约日期,备注\r\n"
                                 "泉州超维医疗科技有限公司,1000.5,2025-03-15,\"甲,乙 \"\"丙\"\"\"\r\n"
                                 "\r\n"
                                 "A&B <公司>,0.3,,true\r\n");
        free(d);
    }
}

static void test_cells(void **state)
{
    const char *r;
    (void)state;
    /* shared strings with rich runs and a phonetic run; inline strings; formula strings;
     * Excel's _x000D_ escape; character references; columns without r; trailing empties are
     * padded to the header's width */
    r = conv_zip(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
                       "<c r=\"C1\" t=\"s\"><v>2</v></c></row>"
                       "<row r=\"2\"><c t=\"inlineStr\"><is><t>晋江&#x5E02;</t></is></c>"
                       "<c t=\"str\"><f>A1</f><v>a_x000D_b</v></c></row>"),
                 "<sst><si><r><t>名</t></r><r><rPr/><t xml:space=\"preserve\">称 </t></r>"
                 "<rPh><t>めい</t></rPh></si><si><t>&lt;x&gt;&amp;</t></si><si/></sst>");
    assert_non_null(r);
    assert_string_equal(r, "名称 ,<x>&\r\n晋江市,\"a\rb\"\r\n");
    /* a numeric cell without r after a gap, and a prefix on the element names */
    r = conv_zip("<x:worksheet xmlns:x=\"m\"><x:sheetData><x:row><x:c r=\"B1\"><x:v>7</x:v></x:c>"
                 "</x:row></x:sheetData></x:worksheet>",
                 NULL);
    assert_non_null(r);
    assert_string_equal(r, ",7\r\n");
    /* a big number keeps its digits; float noise goes */
    r = conv_zip(SHEET("<row><c><v>13912345678</v></c><c><v>1.0000000000000002</v></c>"
                       "<c><v>1E+3</v></c></row>"),
                 NULL);
    assert_string_equal(r, "13912345678,1,1000\r\n");
}

static void test_dates_1904(void **state)
{
    struct zw z;
    const char *wbk = "<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"S\" sheetId=\"1\" "
                      "r:id=\"rId7\"/></sheets></workbook>";
    const char *rels = "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/x.xml\"/>"
                       "<Relationship Id=\"rId7\" Target=\"/xl/worksheets/data.xml\"/></Relationships>";
    const char *styles = "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
                         "<numFmt numFmtId=\"165\" formatCode=\"[Red]0.00\"/></numFmts>"
                         "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
                         "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
                         "<xf numFmtId=\"14\"/></cellXfs></styleSheet>";
    const char *sheet = SHEET("<row><c s=\"1\"><v>0.5</v></c><c s=\"1\"><v>44999</v></c>"
                              "<c s=\"2\"><v>44999</v></c><c s=\"0\"><v>44999</v></c>"
                              "<c s=\"3\"><v>1</v></c></row>");
    const char *r;
    (void)state;
    memset(&z, 0, sizeof z);
    pb_buf_init(&z.out, 0);
    pb_buf_init(&z.cd, 0);
    zw_add(&z, "xl/workbook.xml", wbk, strlen(wbk), 0, -1);
    zw_add(&z, "xl/_rels/workbook.xml.rels", rels, strlen(rels), 1, -1);
    zw_add(&z, "xl/styles.xml", styles, strlen(styles), 1, -1);
    zw_add(&z, "xl/worksheets/data.xml", sheet, strlen(sheet), 1, -1);
    zw_finish(&z);
    r = conv(z.out.data, z.out.len, NULL);
    if (!r)
        fail_msg("%s", why);
    /* 1904 system: serial 44999 = 2027-03-15, 1 = 1904-01-02; 0.5 is no date */
    assert_string_equal(r, "0.5,2027-03-15,44999,44999,1904-01-02\r\n");
    zw_release(&z);
    /* the 1900 system (no workbook.xml): serial 45000 = 2023-03-15, 61 = 1900-03-01 */
    memset(&z, 0, sizeof z);
    pb_buf_init(&z.out, 0);
    pb_buf_init(&z.cd, 0);
    zw_add(&z, "xl/styles.xml", styles, strlen(styles), 1, -1);
    sheet = SHEET("<row><c s=\"3\"><v>45000</v></c><c s=\"3\"><v>61</v></c></row>");
    zw_add(&z, "xl/worksheets/sheet1.xml", sheet, strlen(sheet), 1, -1);
    zw_finish(&z);
    r = conv(z.out.data, z.out.len, NULL);
    assert_non_null(r);
    assert_string_equal(r, "2023-03-15,1900-03-01\r\n");
    zw_release(&z);
}

static void test_hostile(void **state)
{
    struct zw z;
    struct pb_xlsx_limits lim = pb_xlsx_default_limits;
    char *zeros;
    (void)state;
    assert_null(conv_zip("<!DOCTYPE x [<!ENTITY a \"b\">]>" SHEET("<row><c><v>1</v></c></row>"), NULL));
    assert_non_null(strstr(why, "DOCTYPE"));
    assert_null(conv_zip(SHEET("<row r=\"2\"/><row r=\"1\"/>"), NULL));
    assert_non_null(strstr(why, "rows"));
    assert_null(conv_zip(SHEET("<row><c r=\"B1\"/><c r=\"A1\"/></row>"), NULL));
    assert_null(conv_zip(SHEET("<row><c r=\"AMK1\"><v>1</v></c></row>"), NULL)); /* col 1025 */
    assert_non_null(strstr(why, "columns"));
    assert_null(conv_zip(SHEET("<row><c t=\"s\"><v>3</v></c></row>"), "<sst><si><t>a</t></si></sst>"));
    assert_non_null(strstr(why, "shared string"));
    assert_null(conv_zip(SHEET("<row><c><v>1</v></c></row"), NULL));
    /* text that is not UTF-8 (GBK bytes) is refused, not passed on */
    assert_null(conv_zip(SHEET("<row><c t=\"inlineStr\"><is><t>\xc4\xcf\xb0\xb2</t></is></c></row>"), NULL));
    assert_non_null(strstr(why, "UTF-8"));
    assert_null(conv_zip(SHEET("<row r=\"1048577\"/>"), NULL));
    /* an entry that inflates 4000:1 (2 MiB of zeros) is refused before inflating */
    zeros = calloc(1, 2 << 20);
    memset(&z, 0, sizeof z);
    pb_buf_init(&z.out, 0);
    pb_buf_init(&z.cd, 0);
    zw_add(&z, "xl/worksheets/sheet1.xml", zeros, 2 << 20, 1, -1);
    zw_finish(&z);
    assert_null(conv(z.out.data, z.out.len, NULL));
    assert_non_null(strstr(why, "zip bomb"));
    /* and one over the size cap */
    lim.max_entry = 1000;
    assert_null(conv(z.out.data, z.out.len, &lim));
    assert_non_null(strstr(why, "too large"));
    zw_release(&z);
    free(zeros);
    /* a declared size smaller than the data: corrupt, not an overflow */
    {
        const char *sheet = SHEET("<row><c><v>1</v></c></row>");
        memset(&z, 0, sizeof z);
        pb_buf_init(&z.out, 0);
        pb_buf_init(&z.cd, 0);
        zw_add(&z, "xl/worksheets/sheet1.xml", sheet, strlen(sheet), 1, 10);
        zw_finish(&z);
        assert_null(conv(z.out.data, z.out.len, NULL));
        assert_non_null(strstr(why, "corrupt"));
        /* every truncation of a valid file fails cleanly */
        zw_release(&z);
        make_zip(&z, sheet, NULL);
        for (size_t n = 0; n < z.out.len; n++)
            assert_null(conv(z.out.data, n, NULL));
        /* a flipped byte in the data: the CRC or the inflater notices */
        z.out.data[30 + 24 + 6] ^= 0x55; /* past the local header and its name */
        assert_null(conv(z.out.data, z.out.len, NULL));
        zw_release(&z);
    }
    /* not a zip at all; a zip without a sheet */
    assert_null(conv("PK\x03\x04 hello", 10, NULL));
    memset(&z, 0, sizeof z);
    pb_buf_init(&z.out, 0);
    pb_buf_init(&z.cd, 0);
    zw_add(&z, "hello.txt", "hi", 2, 0, -1);
    zw_finish(&z);
    assert_null(conv(z.out.data, z.out.len, NULL));
    assert_non_null(strstr(why, "no worksheet"));
    assert_non_null(strstr(why_zh, "没有工作表"));
    zw_release(&z);
    /* the cell cap */
    lim = pb_xlsx_default_limits;
    lim.max_cells = 3;
    {
        const char *sheet = SHEET("<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>");
        make_zip(&z, sheet, NULL);
        assert_null(conv(z.out.data, z.out.len, &lim));
        assert_non_null(strstr(why, "too many cells"));
        zw_release(&z);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libxlsxwriter_books),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_dates_1904),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}
