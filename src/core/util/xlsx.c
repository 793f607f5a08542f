/* xlsx.c: the first worksheet of an XLSX workbook → CSV text (see xlsx.h).
 *
 * Three layers, each distrustful of its input: the zip directory (every offset and size
 * checked against the buffer before use, zip64 and encryption refused), inflating one entry
 * (bounded by its declared size, which must fit the caps, then checked against the CRC), and
 * an XML scanner that knows just enough XML for SpreadsheetML: tags with attributes, text,
 * comments, CDATA and processing instructions skipped or read, any DOCTYPE refused. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/util/validate.h"
#include "core/util/xlsx.h"

const struct pb_xlsx_limits pb_xlsx_default_limits = {
    .max_entry = (size_t)256 << 20,
    .max_ratio = 1000,
    .max_cells = 50000000,
    .max_cols = 1024,
    .max_rows = 1048576,
    .max_entries = 10000,
};

struct fail {
    char *en, *zh;
    size_t nen, nzh;
};

static int failf(struct fail *f, const char *en, const char *zh)
{
    if (f->en && f->nen)
        snprintf(f->en, f->nen, "%s", en);
    if (f->zh && f->nzh)
        snprintf(f->zh, f->nzh, "%s", zh);
    return -1;
}

/* ---- zip ---- */

static uint32_t rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd32(const unsigned char *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

struct zip {
    const unsigned char *d;
    size_t len, cd_off, cd_end, n;
};

int pb_xlsx_sniff(const void *data, size_t len)
{
    return len >= 4 && !memcmp(data, "PK\x03\x04", 4);
}

static int zip_open(struct zip *z, const unsigned char *d, size_t len,
                    const struct pb_xlsx_limits *lim, struct fail *f)
{
    size_t i, stop;
    memset(z, 0, sizeof *z);
    if (len < 22)
        return failf(f, "not an XLSX file (too short for a zip)", "不是 XLSX 文件（过短）");
    stop = len - 22 > 65535 ? len - 22 - 65535 : 0;
    for (i = len - 22;; i--) {
        if (rd32(d + i) == 0x06054b50 && i + 22 + rd16(d + i + 20) <= len)
            break;
        if (i == stop)
            return failf(f, "not an XLSX file (no zip directory)",
                         "不是 XLSX 文件（找不到 zip 目录）");
    }
    if (rd16(d + i + 4) || rd16(d + i + 6))
        return failf(f, "multi-part zip files are not supported", "不支持分卷 zip 文件");
    z->n = rd16(d + i + 10);
    z->cd_off = rd32(d + i + 16);
    if (z->n == 0xFFFF || rd32(d + i + 16) == 0xFFFFFFFFu || rd32(d + i + 12) == 0xFFFFFFFFu)
        return failf(f, "zip64 files are not supported", "不支持 zip64 文件");
    if (z->n > lim->max_entries)
        return failf(f, "the zip has too many entries", "zip 文件中的条目过多");
    if (z->cd_off > i || rd32(d + i + 12) > i - z->cd_off)
        return failf(f, "corrupt zip directory", "zip 目录已损坏");
    z->cd_end = z->cd_off + rd32(d + i + 12);
    z->d = d;
    z->len = len;
    return 0;
}

/* Find `name` in the central directory: 1 found (fields set), 0 absent, -1 corrupt. */
static int zip_find(const struct zip *z, const char *name, uint32_t *method, uint32_t *crc,
                    size_t *csize, size_t *usize, size_t *loff, uint32_t *flags, struct fail *f)
{
    size_t p = z->cd_off, nl = strlen(name);
    for (size_t k = 0; k < z->n; k++) {
        size_t nlen, rec;
        if (z->cd_end - p < 46 || rd32(z->d + p) != 0x02014b50)
            return failf(f, "corrupt zip directory", "zip 目录已损坏");
        nlen = rd16(z->d + p + 28);
        rec = 46 + nlen + rd16(z->d + p + 30) + rd16(z->d + p + 32);
        if (z->cd_end - p < rec)
            return failf(f, "corrupt zip directory", "zip 目录已损坏");
        if (nlen == nl && !memcmp(z->d + p + 46, name, nl)) {
            *flags = rd16(z->d + p + 8);
            *method = rd16(z->d + p + 10);
            *crc = rd32(z->d + p + 16);
            *csize = rd32(z->d + p + 20);
            *usize = rd32(z->d + p + 24);
            *loff = rd32(z->d + p + 42);
            return 1;
        }
        p += rec;
    }
    return 0;
}

/* Inflate entry `name` into a new NUL-terminated heap buffer. 1 read, 0 absent, -1 error. */
static int zip_read(const struct zip *z, const char *name, const struct pb_xlsx_limits *lim,
                    char **out, size_t *n, struct fail *f)
{
    uint32_t method = 0, crc = 0, flags = 0;
    size_t csize = 0, usize = 0, loff = 0, data;
    char *buf;
    int rc = zip_find(z, name, &method, &crc, &csize, &usize, &loff, &flags, f);
    *out = NULL;
    *n = 0;
    if (rc <= 0)
        return rc;
    if (flags & 1)
        return failf(f, "encrypted workbooks are not supported", "不支持加密的工作簿");
    if (loff > z->len || z->len - loff < 30 || rd32(z->d + loff) != 0x04034b50)
        return failf(f, "corrupt zip entry", "zip 条目已损坏");
    data = 30 + (size_t)rd16(z->d + loff + 26) + rd16(z->d + loff + 28);
    if (z->len - loff < data || z->len - loff - data < csize)
        return failf(f, "corrupt zip entry (truncated)", "zip 条目已损坏（不完整）");
    data += loff;
    if (usize > lim->max_entry)
        return failf(f, "a part of the workbook is too large", "工作簿的某一部分过大");
    if (usize > ((size_t)1 << 20) && usize / (csize ? csize : 1) > lim->max_ratio)
        return failf(f, "a part of the workbook is compressed suspiciously well (zip bomb?)",
                     "工作簿的某一部分压缩比异常（疑似 zip 炸弹）");
    buf = pb_xmalloc(usize + 1);
    if (method == 0) {
        if (csize != usize) {
            free(buf);
            return failf(f, "corrupt zip entry (sizes)", "zip 条目已损坏（大小不符）");
        }
        memcpy(buf, z->d + data, usize);
    } else if (method == 8) {
        z_stream s;
        int zr;
        memset(&s, 0, sizeof s);
        if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
            free(buf);
            return failf(f, "cannot inflate", "无法解压");
        }
        s.next_in = (unsigned char *)(uintptr_t)(z->d + data);
        s.avail_in = (uInt)csize;
        s.next_out = (unsigned char *)buf;
        s.avail_out = (uInt)usize;
        zr = inflate(&s, Z_FINISH);
        inflateEnd(&s);
        if (zr != Z_STREAM_END || s.total_out != usize) {
            free(buf);
            return failf(f, "corrupt zip entry (deflate data)", "zip 条目已损坏（压缩数据有误）");
        }
    } else {
        free(buf);
        return failf(f, "unsupported zip compression method", "不支持的 zip 压缩方式");
    }
    if (!lim->skip_crc && crc32(0L, (const unsigned char *)buf, (uInt)usize) != crc) {
        free(buf);
        return failf(f, "corrupt zip entry (CRC)", "zip 条目已损坏（校验不符）");
    }
    if (memchr(buf, 0, usize) || !pb_utf8_valid(buf, usize)) {
        free(buf);
        return failf(f, "a part of the workbook is not UTF-8 XML",
                     "工作簿的某一部分不是 UTF-8 XML");
    }
    buf[usize] = 0;
    *out = buf;
    *n = usize;
    return 1;
}

/* ---- XML scanner ---- */

struct xml {
    const char *p, *end;
};

enum { X_END = 0, X_OPEN, X_CLOSE, X_TEXT, X_CDATA };

struct tok {
    const char *name; /* local name (prefix stripped) */
    size_t nlen;
    const char *attrs;
    size_t alen;
    int self; /* <x/> */
    const char *text;
    size_t tlen;
};

static const char *find(const char *p, const char *end, const char *s)
{
    size_t n = strlen(s);
    while ((size_t)(end - p) >= n) {
        const char *q = memchr(p, s[0], (size_t)(end - p) - n + 1);
        if (!q)
            return NULL;
        if (!memcmp(q, s, n))
            return q;
        p = q + 1;
    }
    return NULL;
}

static void local_name(const char *s, size_t n, const char **ln, size_t *lnn)
{
    const char *c = memchr(s, ':', n);
    if (c) {
        *ln = c + 1;
        *lnn = n - (size_t)(c + 1 - s);
    } else {
        *ln = s;
        *lnn = n;
    }
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Next token: X_OPEN / X_CLOSE / X_TEXT / X_CDATA, X_END, or -1 (malformed). */
static int xml_next(struct xml *x, struct tok *t, struct fail *f)
{
    for (;;) {
        const char *p = x->p, *q;
        if (p >= x->end)
            return X_END;
        if (*p != '<') {
            q = memchr(p, '<', (size_t)(x->end - p));
            if (!q)
                q = x->end;
            t->text = p;
            t->tlen = (size_t)(q - p);
            x->p = q;
            return X_TEXT;
        }
        if (x->end - p >= 4 && !memcmp(p, "<!--", 4)) {
            q = find(p + 4, x->end, "-->");
            if (!q)
                return failf(f, "malformed XML (comment)", "XML 格式有误（注释）");
            x->p = q + 3;
            continue;
        }
        if (x->end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
            q = find(p + 9, x->end, "]]>");
            if (!q)
                return failf(f, "malformed XML (CDATA)", "XML 格式有误（CDATA）");
            t->text = p + 9;
            t->tlen = (size_t)(q - p - 9);
            x->p = q + 3;
            return X_CDATA;
        }
        if (x->end - p >= 2 && p[1] == '?') {
            q = find(p + 2, x->end, "?>");
            if (!q)
                return failf(f, "malformed XML (declaration)", "XML 格式有误（声明）");
            x->p = q + 2;
            continue;
        }
        if (x->end - p >= 2 && p[1] == '!')
            return failf(f, "XML with a DOCTYPE is not accepted", "不接受带 DOCTYPE 的 XML");
        {
            int close = x->end - p >= 2 && p[1] == '/';
            const char *n = p + 1 + close, *ne;
            char quote = 0;
            for (q = n; q < x->end; q++) {
                if (quote) {
                    if (*q == quote)
                        quote = 0;
                } else if (*q == '"' || *q == '\'') {
                    quote = *q;
                } else if (*q == '>') {
                    break;
                } else if (*q == '<') {
                    return failf(f, "malformed XML ('<' inside a tag)",
                                 "XML 格式有误（标签内有 <）");
                }
            }
            if (q >= x->end)
                return failf(f, "malformed XML (unterminated tag)", "XML 格式有误（标签未结束）");
            for (ne = n; ne < q && !is_ws(*ne) && *ne != '/'; ne++)
                ;
            if (ne == n)
                return failf(f, "malformed XML (empty tag name)", "XML 格式有误（标签名为空）");
            local_name(n, (size_t)(ne - n), &t->name, &t->nlen);
            t->self = !close && q > ne && q[-1] == '/';
            t->attrs = ne;
            t->alen = (size_t)(q - ne) - (size_t)t->self;
            x->p = q + 1;
            return close ? X_CLOSE : X_OPEN;
        }
    }
}

static int is(const struct tok *t, const char *name)
{
    return t->nlen == strlen(name) && !memcmp(t->name, name, t->nlen);
}

/* Attribute by local name: 1 with its raw (undecoded) value in v and vn, else 0. */
static int attr(const struct tok *t, const char *name, const char **v, size_t *vn)
{
    const char *p = t->attrs, *end = t->attrs + t->alen;
    size_t want = strlen(name);
    while (p < end) {
        const char *n, *ne, *ln, *q;
        size_t lnn;
        char quote;
        while (p < end && is_ws(*p))
            p++;
        n = p;
        while (p < end && *p != '=' && !is_ws(*p))
            p++;
        ne = p;
        while (p < end && is_ws(*p))
            p++;
        if (p >= end || *p != '=')
            return 0;
        p++;
        while (p < end && is_ws(*p))
            p++;
        if (p >= end || (*p != '"' && *p != '\''))
            return 0;
        quote = *p++;
        q = memchr(p, quote, (size_t)(end - p));
        if (!q)
            return 0;
        local_name(n, (size_t)(ne - n), &ln, &lnn);
        if (lnn == want && !memcmp(ln, name, want)) {
            *v = p;
            *vn = (size_t)(q - p);
            return 1;
        }
        p = q + 1;
    }
    return 0;
}

static void put_utf8(struct pb_buf *b, unsigned long cp)
{
    char u[4];
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        pb_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        pb_buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        pb_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        pb_buf_add(b, u, 4);
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Append XML text with the predefined entities and character references decoded, and (ooxml:
 * strings) the _xHHHH_ escapes Excel writes for control characters. Unknown entities stay
 * literal. */
static void xml_text(struct pb_buf *b, const char *s, size_t n, int ooxml)
{
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '&') {
            const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
            size_t el = semi ? (size_t)(semi - (s + i)) + 1 : 0;
            static const struct {
                const char *e;
                char c;
            } ents[] = {
                {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}};
            int done = 0;
            for (size_t k = 0; semi && k < PB_ARRAY_LEN(ents) && !done; k++)
                if (el == strlen(ents[k].e) && !memcmp(s + i, ents[k].e, el)) {
                    pb_buf_addc(b, ents[k].c);
                    done = 1;
                }
            if (!done && semi && el > 3 && s[i + 1] == '#') {
                unsigned long cp = 0;
                int hex = s[i + 2] == 'x' || s[i + 2] == 'X', ok = 1;
                for (size_t k = i + 2 + (size_t)hex; k < i + el - 1; k++) {
                    int v = hex ? hexval(s[k]) : (s[k] >= '0' && s[k] <= '9' ? s[k] - '0' : -1);
                    if (v < 0) {
                        ok = 0;
                        break;
                    }
                    cp = cp * (hex ? 16 : 10) + (unsigned long)v;
                }
                if (ok && i + 2 + (size_t)hex < i + el - 1) {
                    put_utf8(b, cp);
                    done = 1;
                }
            }
            if (done) {
                i += el;
                continue;
            }
        } else if (ooxml && c == '_' && n - i >= 7 && s[i + 1] == 'x' && s[i + 6] == '_') {
            int h0 = hexval(s[i + 2]), h1 = hexval(s[i + 3]), h2 = hexval(s[i + 4]),
                h3 = hexval(s[i + 5]);
            if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
                put_utf8(b, (unsigned long)(h0 << 12 | h1 << 8 | h2 << 4 | h3));
                i += 7;
                continue;
            }
        }
        pb_buf_addc(b, c);
        i++;
    }
}

/* ---- workbook parts ---- */

struct sst {
    struct pb_buf pool;
    size_t *off, *len, n, alloc;
};

static int read_sst(const char *xmls, size_t n, const struct pb_xlsx_limits *lim, struct sst *s,
                    struct fail *f)
{
    struct xml x = {xmls, xmls + n};
    struct tok t;
    int k, in_si = 0, in_t = 0, rph = 0;
    size_t start = 0;
    while ((k = xml_next(&x, &t, f)) > 0) {
        if (k == X_OPEN && is(&t, "si")) {
            in_si = 1;
            start = s->pool.len;
        } else if (k == X_OPEN && is(&t, "rPh") && !t.self) {
            rph = 1;
        } else if (k == X_CLOSE && is(&t, "rPh")) {
            rph = 0;
        } else if (k == X_OPEN && is(&t, "t") && !t.self) {
            in_t = in_si && !rph;
        } else if (k == X_CLOSE && is(&t, "t")) {
            in_t = 0;
        } else if ((k == X_TEXT || k == X_CDATA) && in_t) {
            if (k == X_TEXT)
                xml_text(&s->pool, t.text, t.tlen, 1);
            else
                pb_buf_add(&s->pool, t.text, t.tlen);
        }
        if ((k == X_OPEN && is(&t, "si") && t.self) || (k == X_CLOSE && is(&t, "si"))) {
            if (s->n == lim->max_cells)
                return failf(f, "too many shared strings", "共享字符串过多");
            if (s->n == s->alloc) {
                s->alloc = s->alloc ? s->alloc * 2 : 256;
                s->off = pb_xrealloc(s->off, s->alloc * sizeof *s->off);
                s->len = pb_xrealloc(s->len, s->alloc * sizeof *s->len);
            }
            s->off[s->n] = start;
            s->len[s->n] = s->pool.len - start;
            s->n++;
            in_si = in_t = rph = 0;
        }
    }
    if (s->pool.err)
        return failf(f, "the shared strings are too large", "共享字符串过大");
    return k < 0 ? -1 : 0;
}

static int builtin_date(long id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || id == 36 ||
           (id >= 50 && id <= 58);
}

/* A custom number format shows a date when it has y or d outside quotes, brackets and
 * backslash escapes. */
static int code_is_date(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            const char *q = memchr(s + i + 1, '"', n - i - 1);
            if (!q)
                return 0;
            i = (size_t)(q - s);
        } else if (c == '[') {
            const char *q = memchr(s + i + 1, ']', n - i - 1);
            if (!q)
                return 0;
            i = (size_t)(q - s);
        } else if (c == '\\') {
            i++;
        } else if (c == 'y' || c == 'Y' || c == 'd' || c == 'D') {
            return 1;
        }
    }
    return 0;
}

static long parse_long(const char *s, size_t n, long dflt)
{
    long v = 0;
    if (!n || n > 9)
        return dflt;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return dflt;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

struct styles {
    unsigned char *is_date; /* per cellXfs index */
    size_t n;
    long *custom; /* custom date format ids */
    size_t ncustom;
};

static int read_styles(const char *xmls, size_t n, struct styles *st, struct fail *f)
{
    struct xml x = {xmls, xmls + n};
    struct tok t;
    int k, in_xfs = 0;
    size_t alloc = 0, calloc_ = 0;
    while ((k = xml_next(&x, &t, f)) > 0) {
        const char *v;
        size_t vn;
        if (k == X_OPEN && is(&t, "numFmt") && attr(&t, "numFmtId", &v, &vn)) {
            long id = parse_long(v, vn, -1);
            const char *code;
            size_t cn;
            if (id >= 0 && attr(&t, "formatCode", &code, &cn) && code_is_date(code, cn)) {
                if (st->ncustom == 4096)
                    return failf(f, "too many number formats", "数字格式过多");
                if (st->ncustom == calloc_) {
                    calloc_ = calloc_ ? calloc_ * 2 : 16;
                    st->custom = pb_xrealloc(st->custom, calloc_ * sizeof *st->custom);
                }
                st->custom[st->ncustom++] = id;
            }
        } else if (k == X_OPEN && is(&t, "cellXfs") && !t.self) {
            in_xfs = 1;
        } else if (k == X_CLOSE && is(&t, "cellXfs")) {
            in_xfs = 0;
        } else if (k == X_OPEN && in_xfs && is(&t, "xf")) {
            long id = attr(&t, "numFmtId", &v, &vn) ? parse_long(v, vn, 0) : 0;
            int d = builtin_date(id);
            for (size_t i = 0; i < st->ncustom && !d; i++)
                d = st->custom[i] == id;
            if (st->n == 65536)
                return failf(f, "too many cell styles", "单元格样式过多");
            if (st->n == alloc) {
                alloc = alloc ? alloc * 2 : 64;
                st->is_date = pb_xrealloc(st->is_date, alloc);
            }
            st->is_date[st->n++] = (unsigned char)d;
        }
    }
    return k < 0 ? -1 : 0;
}

/* ---- cells ---- */

struct sheet {
    const struct pb_xlsx_limits *lim;
    const struct sst *sst;
    const struct styles *st;
    int date1904;
    struct pb_buf *out;
    struct pb_buf cells; /* this row's cell texts, back to back */
    size_t *coff, *clen, *ccol, ncells, calloc_;
    size_t line;  /* the CSV line the next record starts on */
    size_t width; /* the header's width (0 before it) */
    size_t written;
};

/* Days since 1970-01-01 → civil date (Howard Hinnant's algorithm). */
static void civil(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A date-styled serial number → YYYY-MM-DD; 0 when it is no plausible date. */
static int serial_date(double v, int date1904, char *buf, size_t n)
{
    long days;
    int y, m, d;
    if (!(v >= 1 && v < 2958466))
        return 0;
    days = (long)floor(v);
    if (date1904) {
        days += -24107; /* 1904-01-01 is day -24107 since 1970 */
    } else {
        if (days > 60)
            days -= 1;  /* Excel's 1900-02-29 */
        days += -25568; /* serial 1 = 1900-01-01 = day -25567 */
    }
    civil(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
    return 1;
}

/* Excel's number text, with binary float noise beyond 15 significant digits rounded away. */
static void put_number(struct pb_buf *b, const char *s, size_t n)
{
    char tmp[64], out[64];
    size_t digits = 0, i;
    int plain = n > 0 && n < sizeof tmp;
    for (i = 0; i < n && plain; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (!(s[i] == '.' || (s[i] == '-' && i == 0)))
            plain = 0;
    }
    if (plain && digits <= 15) {
        pb_buf_add(b, s, n);
        return;
    }
    if (n == 0 || n >= sizeof tmp) {
        pb_buf_add(b, s, n);
        return;
    }
    memcpy(tmp, s, n);
    tmp[n] = 0;
    {
        char *e;
        double v = strtod(tmp, &e);
        if (*e || !isfinite(v)) {
            pb_buf_add(b, s, n);
            return;
        }
        if (fabs(v) >= 1e15 && fabs(v) < 1e21)
            snprintf(out, sizeof out, "%.0f", v);
        else
            snprintf(out, sizeof out, "%.15g", v);
        pb_buf_adds(b, out);
    }
}

static int parse_num(const char *s, size_t n, double *v)
{
    char tmp[64], *e;
    if (!n || n >= sizeof tmp)
        return 0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    *v = strtod(tmp, &e);
    return !*e && isfinite(*v);
}

static void csv_cell(struct pb_buf *out, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        pb_buf_add(out, s, n);
        return;
    }
    pb_buf_addc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            pb_buf_addc(out, '"');
        pb_buf_addc(out, s[i]);
    }
    pb_buf_addc(out, '"');
}

static size_t line_breaks(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
            k++;
    return k;
}

static int emit_row(struct sheet *sh, size_t rownum, struct fail *f)
{
    size_t last = 0, width, col = 1, k = 0;
    for (size_t i = 0; i < sh->ncells; i++)
        if (sh->clen[i])
            last = sh->ccol[i];
    if (!last) {
        sh->ncells = 0;
        pb_buf_reset(&sh->cells);
        return 0; /* an empty row is no record */
    }
    if (!sh->width)
        sh->width = last;
    width = last > sh->width ? last : sh->width;
    if (width > sh->lim->max_cells - sh->written)
        return failf(f, "the sheet has too many cells", "工作表单元格过多");
    sh->written += width;
    while (sh->line < rownum) {
        pb_buf_adds(sh->out, "\r\n");
        sh->line++;
    }
    for (col = 1; col <= width; col++) {
        if (col > 1)
            pb_buf_addc(sh->out, ',');
        while (k < sh->ncells && sh->ccol[k] < col)
            k++;
        if (k < sh->ncells && sh->ccol[k] == col) {
            const char *s = sh->cells.data + sh->coff[k];
            csv_cell(sh->out, s, sh->clen[k]);
            sh->line += line_breaks(s, sh->clen[k]);
        }
    }
    pb_buf_adds(sh->out, "\r\n");
    sh->line++;
    sh->ncells = 0;
    pb_buf_reset(&sh->cells);
    return sh->out->err ? failf(f, "the sheet is too large", "工作表过大") : 0;
}

/* Column number of a cell reference such as "AB12" (1-based), 0 when malformed. */
static size_t ref_col(const char *s, size_t n)
{
    size_t c = 0, i = 0;
    for (; i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')); i++) {
        c = c * 26 + (size_t)((s[i] | 0x20) - 'a' + 1);
        if (c > 100000)
            return 0;
    }
    return i ? c : 0;
}

static int read_sheet(const char *xmls, size_t n, struct sheet *sh, struct fail *f)
{
    struct xml x = {xmls, xmls + n};
    struct tok t;
    int k, in_data = 0, in_c = 0, in_v = 0, in_is = 0, in_t = 0, rph = 0;
    size_t row = 0, col = 0, vstart = 0;
    const char *type = "n";
    size_t tlen_ = 1;
    long style = 0;
    struct pb_buf val;
    pb_buf_init(&val, sh->lim->max_entry);
    while ((k = xml_next(&x, &t, f)) > 0) {
        const char *v;
        size_t vn;
        if (k == X_OPEN && is(&t, "sheetData")) {
            in_data = !t.self;
            continue;
        }
        if (k == X_CLOSE && is(&t, "sheetData")) {
            in_data = 0;
            continue;
        }
        if (!in_data)
            continue;
        if (k == X_OPEN && is(&t, "row")) {
            size_t r = attr(&t, "r", &v, &vn) ? (size_t)parse_long(v, vn, 0) : row + 1;
            if (r <= row || r > sh->lim->max_rows) {
                pb_buf_release(&val);
                return failf(f, "the sheet's rows are out of order or beyond the last row",
                             "工作表的行序号有误或超出范围");
            }
            row = r;
            col = 0;
            if (t.self && emit_row(sh, row, f) < 0) {
                pb_buf_release(&val);
                return -1;
            }
        } else if (k == X_CLOSE && is(&t, "row")) {
            if (emit_row(sh, row, f) < 0) {
                pb_buf_release(&val);
                return -1;
            }
        } else if (k == X_OPEN && is(&t, "c")) {
            size_t c = attr(&t, "r", &v, &vn) ? ref_col(v, vn) : col + 1;
            if (!row) {
                pb_buf_release(&val);
                return failf(f, "a cell outside a row", "单元格不在行内");
            }
            if (c <= col || c > sh->lim->max_cols) {
                pb_buf_release(&val);
                return failf(f, "the sheet's columns are out of order or too many (at most 1024)",
                             "工作表的列序号有误或列数过多（至多 1024 列）");
            }
            col = c;
            type = "n";
            tlen_ = 1;
            if (attr(&t, "t", &v, &vn)) {
                type = v;
                tlen_ = vn;
            }
            style = attr(&t, "s", &v, &vn) ? parse_long(v, vn, 0) : 0;
            pb_buf_reset(&val);
            in_c = !t.self;
            in_v = in_is = in_t = rph = 0;
            if (t.self)
                goto cell_done;
        } else if (in_c && k == X_OPEN && is(&t, "v") && !t.self) {
            in_v = 1;
            vstart = val.len;
        } else if (in_c && k == X_CLOSE && is(&t, "v")) {
            in_v = 0;
        } else if (in_c && k == X_OPEN && is(&t, "is") && !t.self) {
            in_is = 1;
        } else if (in_c && k == X_CLOSE && is(&t, "is")) {
            in_is = 0;
        } else if (in_c && in_is && k == X_OPEN && is(&t, "rPh") && !t.self) {
            rph = 1;
        } else if (in_c && in_is && k == X_CLOSE && is(&t, "rPh")) {
            rph = 0;
        } else if (in_c && in_is && k == X_OPEN && is(&t, "t") && !t.self) {
            in_t = !rph;
        } else if (in_c && k == X_CLOSE && is(&t, "t")) {
            in_t = 0;
        } else if (in_c && (k == X_TEXT || k == X_CDATA) && (in_v || in_t)) {
            if (k == X_TEXT)
                xml_text(&val, t.text, t.tlen, in_t || (tlen_ == 3 && !memcmp(type, "str", 3)));
            else
                pb_buf_add(&val, t.text, t.tlen);
        } else if (in_c && k == X_CLOSE && is(&t, "c")) {
            in_c = 0;
            goto cell_done;
        }
        continue;
    cell_done : {
        /* the cell's text from val (its <v> or inline string) by type */
        const char *s = val.data ? val.data : "";
        size_t sn = val.len;
        size_t start = sh->cells.len;
        (void)vstart;
        if (val.err) {
            pb_buf_release(&val);
            return failf(f, "a cell is too large", "单元格过大");
        }
        if (tlen_ == 1 && type[0] == 's') {
            long idx = parse_long(s, sn, -1);
            if (sn && (idx < 0 || (size_t)idx >= sh->sst->n)) {
                pb_buf_release(&val);
                return failf(f, "a cell refers to a missing shared string",
                             "单元格引用的共享字符串不存在");
            }
            if (sn && sh->sst->len[idx]) /* (an all-empty pool has no data) */
                pb_buf_add(&sh->cells, sh->sst->pool.data + sh->sst->off[idx], sh->sst->len[idx]);
        } else if (tlen_ == 1 && type[0] == 'b') {
            if (sn)
                pb_buf_adds(&sh->cells, sn == 1 && s[0] == '1' ? "true" : "false");
        } else if (tlen_ == 1 && type[0] == 'd') {
            pb_buf_add(&sh->cells, s, sn >= 10 ? 10 : sn);
        } else if (tlen_ == 1 && type[0] == 'n') {
            double d;
            char day[16];
            if (sn && style >= 0 && (size_t)style < sh->st->n && sh->st->is_date[style] &&
                parse_num(s, sn, &d) && serial_date(d, sh->date1904, day, sizeof day))
                pb_buf_adds(&sh->cells, day);
            else if (sn)
                put_number(&sh->cells, s, sn);
        } else {
            pb_buf_add(&sh->cells, s, sn); /* str, inlineStr, e */
        }
        if (sh->cells.err) {
            pb_buf_release(&val);
            return failf(f, "the row is too large", "行过大");
        }
        if (sh->ncells == sh->calloc_) {
            sh->calloc_ = sh->calloc_ ? sh->calloc_ * 2 : 32;
            sh->coff = pb_xrealloc(sh->coff, sh->calloc_ * sizeof *sh->coff);
            sh->clen = pb_xrealloc(sh->clen, sh->calloc_ * sizeof *sh->clen);
            sh->ccol = pb_xrealloc(sh->ccol, sh->calloc_ * sizeof *sh->ccol);
        }
        sh->coff[sh->ncells] = start;
        sh->clen[sh->ncells] = sh->cells.len - start;
        sh->ccol[sh->ncells] = col;
        sh->ncells++;
    }
    }
    pb_buf_release(&val);
    if (k < 0)
        return -1;
    if (sh->ncells && emit_row(sh, row, f) < 0)
        return -1;
    return 0;
}

/* The first sheet's part name, from xl/workbook.xml and xl/_rels/workbook.xml.rels; also the
 * date system. Falls back to xl/worksheets/sheet1.xml. */
static int first_sheet(const struct zip *z, const struct pb_xlsx_limits *lim, char *path,
                       size_t npath, int *date1904, struct fail *f)
{
    char *wb = NULL, *rels = NULL, rid[64] = "";
    size_t wn, rn;
    int rc;
    struct xml x;
    struct tok t;
    int k;
    snprintf(path, npath, "xl/worksheets/sheet1.xml");
    *date1904 = 0;
    if ((rc = zip_read(z, "xl/workbook.xml", lim, &wb, &wn, f)) <= 0)
        return rc;
    x.p = wb;
    x.end = wb + wn;
    while ((k = xml_next(&x, &t, f)) > 0) {
        const char *v;
        size_t vn;
        if (k == X_OPEN && is(&t, "workbookPr") && attr(&t, "date1904", &v, &vn))
            *date1904 = (vn == 1 && v[0] == '1') || (vn == 4 && !memcmp(v, "true", 4));
        if (k == X_OPEN && is(&t, "sheet") && !rid[0] && attr(&t, "id", &v, &vn) &&
            vn < sizeof rid) {
            memcpy(rid, v, vn);
            rid[vn] = 0;
        }
    }
    free(wb);
    if (k < 0)
        return -1;
    if (!rid[0])
        return 0;
    if ((rc = zip_read(z, "xl/_rels/workbook.xml.rels", lim, &rels, &rn, f)) <= 0)
        return rc;
    x.p = rels;
    x.end = rels + rn;
    while ((k = xml_next(&x, &t, f)) > 0) {
        const char *v, *tg;
        size_t vn, tn;
        if (k == X_OPEN && is(&t, "Relationship") && attr(&t, "Id", &v, &vn) && vn == strlen(rid) &&
            !memcmp(v, rid, vn) && attr(&t, "Target", &tg, &tn) && tn && tn < npath - 4) {
            if (tg[0] == '/')
                snprintf(path, npath, "%.*s", (int)tn - 1, tg + 1);
            else
                snprintf(path, npath, "xl/%.*s", (int)tn, tg);
            break;
        }
    }
    free(rels);
    return k < 0 ? -1 : 0;
}

int pb_xlsx_to_csv(const void *data, size_t len, const struct pb_xlsx_limits *lim,
                   struct pb_buf *out, char *why, size_t nwhy, char *why_zh, size_t nwhy_zh)
{
    struct fail f = {why, why_zh, nwhy, nwhy_zh};
    struct zip z;
    struct sst sst;
    struct styles st;
    struct sheet sh;
    char path[300], *part = NULL;
    size_t pn;
    int date1904 = 0, rc;
    if (!lim)
        lim = &pb_xlsx_default_limits;
    if (why && nwhy)
        why[0] = 0;
    if (why_zh && nwhy_zh)
        why_zh[0] = 0;
    if (zip_open(&z, data, len, lim, &f))
        return -1;
    memset(&sst, 0, sizeof sst);
    memset(&st, 0, sizeof st);
    memset(&sh, 0, sizeof sh);
    pb_buf_init(&sst.pool, lim->max_entry);
    pb_buf_init(&sh.cells, lim->max_entry);
    rc = first_sheet(&z, lim, path, sizeof path, &date1904, &f);
    if (rc >= 0 && (rc = zip_read(&z, "xl/sharedStrings.xml", lim, &part, &pn, &f)) > 0) {
        rc = read_sst(part, pn, lim, &sst, &f);
        free(part);
        part = NULL;
    }
    if (rc >= 0 && (rc = zip_read(&z, "xl/styles.xml", lim, &part, &pn, &f)) > 0) {
        rc = read_styles(part, pn, &st, &f);
        free(part);
        part = NULL;
    }
    if (rc >= 0) {
        rc = zip_read(&z, path, lim, &part, &pn, &f);
        if (rc == 0)
            rc = failf(&f, "the workbook has no worksheet", "工作簿中没有工作表");
    }
    if (rc > 0) {
        sh.lim = lim;
        sh.sst = &sst;
        sh.st = &st;
        sh.date1904 = date1904;
        sh.out = out;
        sh.line = 1;
        rc = read_sheet(part, pn, &sh, &f);
        if (rc == 0 && out->err)
            rc = failf(&f, "the sheet is too large", "工作表过大");
    }
    free(part);
    pb_buf_release(&sst.pool);
    free(sst.off);
    free(sst.len);
    free(st.is_date);
    free(st.custom);
    pb_buf_release(&sh.cells);
    free(sh.coff);
    free(sh.clen);
    free(sh.ccol);
    return rc < 0 ? -1 : 0;
}
