/* pb.c: errors, checked allocation, arena and capped buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/pb.h"

void pb_err_clear(struct pb_err *e)
{
    if (!e)
        return;
    e->rc = 0;
    e->nfields = 0;
    e->detail_zh[0] = 0;
    e->detail_en[0] = 0;
    e->retry_after = 0;
}

int pb_err_set(struct pb_err *e, int rc, const char *zh_fmt, const char *en_fmt, ...)
{
    va_list ap;
    if (!e)
        return rc;
    e->rc = rc;
    va_start(ap, en_fmt);
    vsnprintf(e->detail_zh, sizeof e->detail_zh, zh_fmt, ap);
    va_end(ap);
    va_start(ap, en_fmt);
    vsnprintf(e->detail_en, sizeof e->detail_en, en_fmt, ap);
    va_end(ap);
    return rc;
}

int pb_err_field(struct pb_err *e, int rc, const char *field, const char *code, const char *zh_fmt,
                 const char *en_fmt, ...)
{
    va_list ap;
    struct pb_fielderr *f;
    if (!e)
        return rc;
    if (!e->rc || e->rc == PB_E_INVALID)
        e->rc = rc; /* a 400 outranks a 422: report the malformed request first */
    if (e->nfields >= PB_ERR_MAX_FIELDS)
        return e->rc;
    f = &e->fields[e->nfields++];
    pb_strlcpy(f->field, field ? field : "", sizeof f->field);
    pb_strlcpy(f->code, code ? code : "", sizeof f->code);
    va_start(ap, en_fmt);
    vsnprintf(f->zh, sizeof f->zh, zh_fmt, ap);
    va_end(ap);
    va_start(ap, en_fmt);
    vsnprintf(f->en, sizeof f->en, en_fmt, ap);
    va_end(ap);
    return e->rc;
}

static const struct {
    int rc, http;
    const char *name;
} rc_table[] = {
    {PB_OK, 200, "ok"},
    {PB_E_BAD_REQUEST, 400, "bad_request"},
    {PB_E_INVALID, 422, "validation"},
    {PB_E_NOT_FOUND, 404, "not_found"},
    {PB_E_CONFLICT, 409, "conflict"},
    {PB_E_STALE, 412, "precondition_failed"},
    {PB_E_UNAUTH, 401, "unauthorized"},
    {PB_E_FORBIDDEN, 403, "forbidden"},
    {PB_E_THROTTLED, 429, "too_many_requests"},
    {PB_E_DB, 500, "storage"},
    {PB_E_BUSY, 503, "busy"},
    {PB_E_RETRY, 503, "busy"},
    {PB_E_TOO_LARGE, 413, "too_large"},
    {PB_E_INTERNAL, 500, "internal"},
    {PB_E_METHOD, 405, "method_not_allowed"},
    {PB_E_PRECONDITION, 428, "precondition_required"},
    {PB_E_IO, 500, "io"},
};

int pb_rc_http(int rc)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(rc_table); i++)
        if (rc_table[i].rc == rc)
            return rc_table[i].http;
    return 500;
}

const char *pb_rc_name(int rc)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(rc_table); i++)
        if (rc_table[i].rc == rc)
            return rc_table[i].name;
    return "internal";
}

static void oom(size_t n)
{
    fprintf(stderr, "parkbrain: out of memory allocating %zu bytes\n", n);
    abort();
}

void *pb_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *pb_xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        oom(n * sz);
    return p;
}

void *pb_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *pb_xstrdup(const char *s)
{
    return pb_xstrndup(s, strlen(s));
}

char *pb_xstrndup(const char *s, size_t n)
{
    char *p = pb_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* ---- arena ---- */

struct pb_arena_block {
    struct pb_arena_block *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
};

#define ARENA_BLOCK 8192

void pb_arena_init(struct pb_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void pb_arena_release(struct pb_arena *a)
{
    struct pb_arena_block *b = a->head, *n;
    while (b) {
        n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

void *pb_arena_alloc(struct pb_arena *a, size_t n)
{
    struct pb_arena_block *b = a->head;
    size_t need = (n + 15) & ~(size_t)15;
    void *p;
    if (need < n)
        oom(n);
    if (!b || b->size - b->used < need) {
        size_t sz = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
        struct pb_arena_block *nb = pb_xmalloc(sizeof *nb + sz);
        nb->used = 0;
        nb->size = sz;
        if (need > ARENA_BLOCK / 2 && b) {
            /* Big allocation: keep the current block at the head for small ones. */
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            a->total += sz;
            memset(nb->mem, 0, need);
            return nb->mem;
        }
        nb->next = b;
        a->head = b = nb;
        a->total += sz;
    }
    p = b->mem + b->used;
    b->used += need;
    memset(p, 0, need);
    return p;
}

char *pb_arena_strndup(struct pb_arena *a, const char *s, size_t n)
{
    char *p = pb_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *pb_arena_strdup(struct pb_arena *a, const char *s)
{
    return pb_arena_strndup(a, s, strlen(s));
}

char *pb_arena_printf(struct pb_arena *a, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;
    char *p;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return pb_arena_strdup(a, "");
    if ((size_t)n < sizeof small)
        return pb_arena_strndup(a, small, (size_t)n);
    p = pb_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- buffer ---- */

void pb_buf_init(struct pb_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = b->alloc = 0;
    b->cap = cap ? cap : (size_t)64 << 20;
    b->err = 0;
}

void pb_buf_release(struct pb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
    b->err = 0;
}

void pb_buf_reset(struct pb_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = 0;
}

static int buf_grow(struct pb_buf *b, size_t extra)
{
    size_t need;
    if (b->err)
        return -1;
    need = b->len + extra + 1;
    if (need < b->len || need - 1 > b->cap) {
        b->err = 1;
        return -1;
    }
    if (need > b->alloc) {
        size_t n = b->alloc ? b->alloc : 256;
        while (n < need)
            n *= 2;
        if (n > b->cap + 1)
            n = b->cap + 1;
        b->data = pb_xrealloc(b->data, n);
        b->alloc = n;
    }
    return 0;
}

void pb_buf_add(struct pb_buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void pb_buf_adds(struct pb_buf *b, const char *s)
{
    pb_buf_add(b, s, strlen(s));
}

void pb_buf_addc(struct pb_buf *b, char c)
{
    pb_buf_add(b, &c, 1);
}

void pb_buf_vprintf(struct pb_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    if (b->err)
        return;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || buf_grow(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void pb_buf_printf(struct pb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pb_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void pb_buf_json_strn(struct pb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, start = 0;
    pb_buf_addc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
            continue;
        pb_buf_add(b, s + start, i - start);
        start = i + 1;
        switch (ch) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            u[0] = '\\';
            u[1] = 'u';
            u[2] = '0';
            u[3] = '0';
            u[4] = hex[ch >> 4];
            u[5] = hex[ch & 15];
            pb_buf_add(b, u, 6);
            continue;
        }
        pb_buf_adds(b, esc);
    }
    pb_buf_add(b, s + start, n - start);
    pb_buf_addc(b, '"');
}

void pb_buf_json_str(struct pb_buf *b, const char *s)
{
    pb_buf_json_strn(b, s ? s : "", s ? strlen(s) : 0);
}

const char *pb_buf_cstr(struct pb_buf *b)
{
    return b->data ? b->data : "";
}

char *pb_buf_detach(struct pb_buf *b, size_t *len)
{
    char *p = b->data ? b->data : pb_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    b->err = 0;
    return p;
}

size_t pb_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return len;
}

int pb_parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v;
    if (!s || !*s)
        return -1;
    if (!((*s >= '0' && *s <= '9') || *s == '-'))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = (int64_t)v;
    return 0;
}
