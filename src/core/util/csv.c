/* csv.c: RFC 4180 writer and reader, GB18030 → UTF-8 conversion. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/csv.h"
#include "core/util/pb.h"
#include "core/util/validate.h"

/* ---- writer ---- */

void pb_csv_bom(struct pb_buf *b)
{
    pb_buf_add(b, "\xEF\xBB\xBF", 3);
}

void pb_csv_fieldn(struct pb_buf *b, const char *s, size_t n)
{
    int guard, quote = 0;
    size_t i, start;
    if (!s)
        n = 0;
    guard = n > 0 && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    for (i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        if (guard)
            pb_buf_addc(b, '\'');
        pb_buf_add(b, s ? s : "", n);
        return;
    }
    pb_buf_addc(b, '"');
    if (guard)
        pb_buf_addc(b, '\'');
    for (i = 0, start = 0; i < n; i++) {
        if (s[i] == '"') {
            pb_buf_add(b, s + start, i + 1 - start); /* through the quote, then double it */
            pb_buf_addc(b, '"');
            start = i + 1;
        }
    }
    pb_buf_add(b, s + start, n - start);
    pb_buf_addc(b, '"');
}

void pb_csv_field(struct pb_buf *b, const char *s)
{
    pb_csv_fieldn(b, s, s ? strlen(s) : 0);
}

static int is_plain_number(const char *s)
{
    size_t i = 0, d;
    if (s[i] == '-')
        i++;
    for (d = i; s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i == d)
        return 0;
    if (s[i] == '.') {
        for (d = ++i; s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == d)
            return 0;
    }
    return s[i] == 0;
}

void pb_csv_number(struct pb_buf *b, const char *s)
{
    if (s && is_plain_number(s))
        pb_buf_adds(b, s);
    else
        pb_csv_field(b, s);
}

void pb_csv_sep(struct pb_buf *b)
{
    pb_buf_addc(b, ',');
}

void pb_csv_eol(struct pb_buf *b)
{
    pb_buf_add(b, "\r\n", 2);
}

/* ---- reader ---- */

void pb_csv_reader_init(struct pb_csv_reader *r, const char *data, size_t len, size_t max_field,
                        size_t max_fields)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->len = data ? len : 0;
    r->max_field = max_field ? max_field : PB_CSV_DEFAULT_MAX_FIELD;
    r->max_fields = max_fields ? max_fields : PB_CSV_DEFAULT_MAX_FIELDS;
    r->cur_line = 1;
    if (r->len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        r->pos = 3;
    /* Each field is bounded, so a row is too; the buffer cap only guards the arithmetic. */
    pb_buf_init(&r->buf, 0);
}

void pb_csv_reader_release(struct pb_csv_reader *r)
{
    pb_buf_release(&r->buf);
    free(r->offs);
    free(r->lens);
    free(r->fields);
    r->offs = NULL;
    r->lens = NULL;
    r->fields = NULL;
    r->nfields = r->alloc_fields = 0;
}

static int fail(struct pb_csv_reader *r, int rc)
{
    r->failed = rc;
    r->nfields = 0;
    return rc;
}

/* Append data[from, to) to the current field, enforcing max_field. */
static int field_add(struct pb_csv_reader *r, size_t field_start, size_t from, size_t to)
{
    if (to == from)
        return 0;
    if (memchr(r->data + from, 0, to - from))
        return PB_CSV_E_NUL;
    if (r->buf.len - field_start + (to - from) > r->max_field)
        return PB_CSV_E_FIELD_TOO_LONG;
    pb_buf_add(&r->buf, r->data + from, to - from);
    return r->buf.err ? PB_CSV_E_FIELD_TOO_LONG : 0;
}

/* Count the line breaks in data[from, to) (CRLF, LF and lone CR each count one). */
static size_t count_breaks(const char *p, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= to || p[i + 1] != '\n')))
            n++;
    return n;
}

int pb_csv_reader_next(struct pb_csv_reader *r)
{
    const char *p = r->data;
    size_t len = r->len, i, nf = 0;
    int rc;
    if (r->failed)
        return r->failed;
    r->nfields = 0;
    /* Skip empty lines. */
    while (r->pos < len && (p[r->pos] == '\n' || p[r->pos] == '\r')) {
        if (p[r->pos] == '\r' && r->pos + 1 < len && p[r->pos + 1] == '\n')
            r->pos++;
        r->pos++;
        r->cur_line++;
    }
    if (r->pos >= len)
        return PB_DONE;
    r->row++;
    r->line = r->cur_line;
    pb_buf_reset(&r->buf);
    i = r->pos;
    for (;;) {
        size_t fstart = r->buf.len;
        if (nf >= r->max_fields)
            return fail(r, PB_CSV_E_TOO_MANY_FIELDS);
        if (i < len && p[i] == '"') {
            i++;
            for (;;) {
                const char *q = i < len ? memchr(p + i, '"', len - i) : NULL;
                size_t qi;
                if (!q)
                    return fail(r, PB_CSV_E_QUOTE);
                qi = (size_t)(q - p);
                if ((rc = field_add(r, fstart, i, qi)))
                    return fail(r, rc);
                r->cur_line += count_breaks(p, i, qi);
                if (qi + 1 < len && p[qi + 1] == '"') {
                    if ((rc = field_add(r, fstart, qi, qi + 1)))
                        return fail(r, rc);
                    i = qi + 2;
                    continue;
                }
                i = qi + 1;
                break;
            }
            if (i < len && p[i] != ',' && p[i] != '\r' && p[i] != '\n')
                return fail(r, PB_CSV_E_QUOTE);
        } else {
            size_t s = i;
            while (i < len && p[i] != ',' && p[i] != '\r' && p[i] != '\n')
                i++;
            if ((rc = field_add(r, fstart, s, i)))
                return fail(r, rc);
        }
        /* Close the field: record its offset, NUL-terminate. */
        if (nf >= r->alloc_fields) {
            size_t na = r->alloc_fields ? r->alloc_fields * 2 : 16;
            if (na > r->max_fields)
                na = r->max_fields;
            r->offs = pb_xrealloc(r->offs, na * sizeof *r->offs);
            r->lens = pb_xrealloc(r->lens, na * sizeof *r->lens);
            r->fields = pb_xrealloc(r->fields, na * sizeof *r->fields);
            r->alloc_fields = na;
        }
        r->offs[nf] = fstart;
        r->lens[nf] = r->buf.len - fstart;
        nf++;
        pb_buf_addc(&r->buf, 0);
        if (r->buf.err)
            return fail(r, PB_CSV_E_FIELD_TOO_LONG);
        if (i < len && p[i] == ',') {
            i++;
            continue;
        }
        if (i < len) { /* line break */
            if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
                i++;
            i++;
            r->cur_line++;
        }
        break;
    }
    r->pos = i;
    for (size_t k = 0; k < nf; k++)
        r->fields[k] = r->buf.data + r->offs[k];
    r->nfields = nf;
    return PB_ROW;
}

const char *pb_csv_error_en(int rc)
{
    switch (rc) {
    case PB_CSV_E_QUOTE:
        return "unterminated quoted field or text after a closing quote";
    case PB_CSV_E_FIELD_TOO_LONG:
        return "field too long";
    case PB_CSV_E_TOO_MANY_FIELDS:
        return "too many fields in a row";
    case PB_CSV_E_NUL:
        return "NUL byte in the file (not a text file)";
    default:
        return "malformed CSV";
    }
}

const char *pb_csv_error_zh(int rc)
{
    switch (rc) {
    case PB_CSV_E_QUOTE:
        return "引号未闭合，或闭合引号后有多余字符";
    case PB_CSV_E_FIELD_TOO_LONG:
        return "单元格内容过长";
    case PB_CSV_E_TOO_MANY_FIELDS:
        return "一行中的列数过多";
    case PB_CSV_E_NUL:
        return "文件含有空字节，不是文本文件";
    default:
        return "CSV 格式错误";
    }
}

/* ---- encodings ---- */

int pb_gb18030_to_utf8(const char *in, size_t n, struct pb_buf *out, size_t *bad_offset)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    char *ip = (char *)in; /* iconv's prototype is not const-correct; it only reads */
    size_t ileft = n;
    char chunk[4096];
    int rc = 0;
    if (cd == (iconv_t)-1)
        return PB_E_INTERNAL;
    while (ileft > 0) {
        char *op = chunk;
        size_t oleft = sizeof chunk;
        size_t r = iconv(cd, &ip, &ileft, &op, &oleft);
        int e = errno;
        pb_buf_add(out, chunk, sizeof chunk - oleft);
        if (out->err) {
            rc = -2;
            goto out;
        }
        if (r == (size_t)-1 && e != E2BIG) {
            if (bad_offset)
                *bad_offset = (size_t)(ip - in);
            rc = -1;
            goto out;
        }
    }
    {
        char *op = chunk;
        size_t oleft = sizeof chunk;
        iconv(cd, NULL, NULL, &op, &oleft);
        pb_buf_add(out, chunk, sizeof chunk - oleft);
        if (out->err)
            rc = -2;
    }
out:
    iconv_close(cd);
    return rc;
}

int pb_text_to_utf8(const char *in, size_t n, struct pb_buf *out, const char **encoding,
                    size_t *bad_offset)
{
    size_t before = out->len;
    int rc;
    if (n >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3)) {
        in += 3;
        n -= 3;
    }
    if (pb_utf8_valid(in, n)) {
        if (encoding)
            *encoding = "UTF-8";
        pb_buf_add(out, in, n);
        return out->err ? -2 : 0;
    }
    if (encoding)
        *encoding = "GB18030";
    rc = pb_gb18030_to_utf8(in, n, out, bad_offset);
    /* GB18030 has its own BOM (84 31 95 33), which converts to U+FEFF: drop it too. */
    if (rc == 0 && out->len - before >= 3 && !memcmp(out->data + before, "\xEF\xBB\xBF", 3)) {
        memmove(out->data + before, out->data + before + 3, out->len - before - 3 + 1);
        out->len -= 3;
    }
    return rc;
}
