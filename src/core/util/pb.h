/* pb.h: what every parkbrain module shares: return codes, the error struct,
 * allocation that aborts on out-of-memory, and the banned-function poison. */
#ifndef PB_H
#define PB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* The standard headers that define the banned names come first, so banned.h (included at
 * the end) poisons only calls written after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Return codes: 0 ok, negative error. pb_rc_http() maps them to HTTP statuses. */
enum pb_rc {
    PB_OK = 0,
    PB_E_BAD_REQUEST = -1,   /* 400: malformed body, unknown or read-only field */
    PB_E_INVALID = -2,       /* 422: a field's value is not acceptable */
    PB_E_NOT_FOUND = -3,     /* 404: absent or outside the caller's jurisdiction */
    PB_E_CONFLICT = -4,      /* 409: unique key or state conflict */
    PB_E_STALE = -5,         /* 412: If-Match does not match */
    PB_E_UNAUTH = -6,        /* 401: no valid session */
    PB_E_FORBIDDEN = -7,     /* 403: role may not do this at all */
    PB_E_THROTTLED = -8,     /* 429 */
    PB_E_DB = -9,            /* 500: storage failure */
    PB_E_BUSY = -10,         /* 503: try again */
    PB_E_RETRY = -11,        /* internal: transaction must be retried */
    PB_E_TOO_LARGE = -12,    /* 413 */
    PB_E_INTERNAL = -13,     /* 500 */
    PB_E_METHOD = -14,       /* 405 */
    PB_E_PRECONDITION = -15, /* 428: If-Match required */
    PB_E_IO = -16,           /* file or system call failed */
};

/* Domain row count / step results (positive so they never clash with errors). */
#define PB_ROW 100
#define PB_DONE 101

#define PB_ERR_MAX_FIELDS 16
#define PB_ERR_MSG 192

/* One field-level problem, with the message already rendered in both languages. */
struct pb_fielderr {
    char field[64];
    char code[32];
    char zh[PB_ERR_MSG];
    char en[PB_ERR_MSG];
};

/* Filled by any function that can fail; rc mirrors the return value. detail_* are
 * one-sentence summaries for the problem+json `detail`; never SQL, paths or traces. */
struct pb_err {
    int rc;
    int nfields;
    struct pb_fielderr fields[PB_ERR_MAX_FIELDS];
    char detail_zh[PB_ERR_MSG];
    char detail_en[PB_ERR_MSG];
    int retry_after; /* seconds, for PB_E_THROTTLED */
};

void pb_err_clear(struct pb_err *e);
/* Set rc and the detail line in both languages (printf formats, same arguments). Returns rc. */
int pb_err_set(struct pb_err *e, int rc, const char *zh_fmt, const char *en_fmt, ...);
/* Append a field error; sets rc to `rc` if not yet set. Returns rc. zh/en are printf formats
 * with the same arguments. Extra fields beyond PB_ERR_MAX_FIELDS are dropped. */
int pb_err_field(struct pb_err *e, int rc, const char *field, const char *code, const char *zh_fmt,
                 const char *en_fmt, ...);
int pb_rc_http(int rc);
const char *pb_rc_name(int rc);

/* Allocation: abort with a message on out-of-memory, so callers have no OOM branches. */
void *pb_xmalloc(size_t n);
void *pb_xcalloc(size_t n, size_t sz);
void *pb_xrealloc(void *p, size_t n);
char *pb_xstrdup(const char *s);
char *pb_xstrndup(const char *s, size_t n);

/* Arena: bump allocator for one request or one command; freed as a whole. Not thread-safe;
 * one arena per thread of work. */
struct pb_arena_block;
struct pb_arena {
    struct pb_arena_block *head;
    size_t total;
};
void pb_arena_init(struct pb_arena *a);
void pb_arena_release(struct pb_arena *a);
void *pb_arena_alloc(struct pb_arena *a, size_t n); /* 16-byte aligned, zeroed */
char *pb_arena_strdup(struct pb_arena *a, const char *s);
char *pb_arena_strndup(struct pb_arena *a, const char *s, size_t n);
char *pb_arena_printf(struct pb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Growable buffer with a cap and a sticky error: append freely, check `err` once.
 * Owns its memory (heap); pb_buf_release frees it. `cap` 0 means 64 MiB. */
struct pb_buf {
    char *data;
    size_t len, alloc, cap;
    int err; /* nonzero once an append exceeded cap; later appends are no-ops */
};
void pb_buf_init(struct pb_buf *b, size_t cap);
void pb_buf_release(struct pb_buf *b);
void pb_buf_reset(struct pb_buf *b);
void pb_buf_add(struct pb_buf *b, const void *p, size_t n);
void pb_buf_adds(struct pb_buf *b, const char *s);
void pb_buf_addc(struct pb_buf *b, char c);
void pb_buf_printf(struct pb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pb_buf_vprintf(struct pb_buf *b, const char *fmt, va_list ap);
/* Append s as a JSON string literal (with quotes), escaping as RFC 8259 requires. */
void pb_buf_json_str(struct pb_buf *b, const char *s);
void pb_buf_json_strn(struct pb_buf *b, const char *s, size_t n);
/* NUL-terminated view of the contents (always valid, even when empty). */
const char *pb_buf_cstr(struct pb_buf *b);
/* Hand the heap memory to the caller (NUL-terminated); the buffer becomes empty. */
char *pb_buf_detach(struct pb_buf *b, size_t *len);

/* Bounded copy that always terminates; returns strlen(src) (truncation if >= n). */
size_t pb_strlcpy(char *dst, const char *src, size_t n);
/* Decimal integer parse of the whole string; 0 ok, -1 on junk or overflow. */
int pb_parse_i64(const char *s, int64_t *out);

#define PB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include "core/util/banned.h"

#endif
