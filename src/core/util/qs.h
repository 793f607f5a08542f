/* qs.h: URL query strings and path segments (RFC 3986, with the HTML form rule '+' = space
 * in queries).
 *
 * pb_qs_parse splits "a=1&b=%E6%B3%89&a=2" into pairs in input order, keeping duplicates
 * (filters like ?status=a&status=b need them). Empty segments ("a=1&&b") are skipped;
 * a segment without '=' has the value "". Keys and values are percent-decoded, must be
 * valid UTF-8 and must not contain NUL (%00), so they are safe as C strings.
 * All memory (array and strings) comes from the caller's arena and lives as long as it.
 * Thread-safety: reentrant; the arena must not be shared between threads.
 */
#ifndef PB_QS_H
#define PB_QS_H

#include <stddef.h>

#include "core/util/pb.h"

#define PB_QS_MAX_PAIRS 64
#define PB_QS_MAX_VALUE 4096 /* decoded bytes, for keys and values alike */

enum pb_qs_rc {
    PB_QS_OK = 0,
    PB_QS_E_ESCAPE = -1,   /* '%' not followed by two hex digits, or %00 */
    PB_QS_E_UTF8 = -2,     /* decoded bytes are not valid UTF-8 */
    PB_QS_E_TOO_MANY = -3, /* more than PB_QS_MAX_PAIRS pairs */
    PB_QS_E_TOO_LONG = -4, /* a key or value longer than PB_QS_MAX_VALUE decoded bytes */
    PB_QS_E_SEGMENT = -5,  /* path segment decodes to "", ".", ".." or contains '/' */
};

struct pb_qs_pair {
    const char *key; /* NUL-terminated, decoded */
    const char *val;
    size_t klen, vlen;
};

/* Parse qs[0..len) (the text after '?', without the '?'; qs may be NULL when len is 0).
 * On success *out is an arena array of *n pairs (NULL, 0 for an empty query).
 * Returns enum pb_qs_rc; on error *out = NULL, *n = 0. */
int pb_qs_parse(struct pb_arena *a, const char *qs, size_t len, struct pb_qs_pair **out, size_t *n);
/* Value of the first pair named key, or NULL. */
const char *pb_qs_get(const struct pb_qs_pair *pairs, size_t n, const char *key);

/* Decode one path segment (between slashes): percent escapes only ('+' stays '+'), result
 * NUL-terminated in the arena. Rejects what would let a decoded segment act as a different
 * path: a '/' (from %2F), "." and "..", and the empty segment; also NUL and invalid UTF-8.
 * Returns enum pb_qs_rc; on error *out = NULL. outlen may be NULL. */
int pb_url_decode_path_segment(struct pb_arena *a, const char *s, size_t len, char **out,
                               size_t *outlen);

/* Append s[0..n) percent-encoded: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX, so the
 * result is safe in a query value and in a path segment. */
void pb_url_encode(struct pb_buf *b, const char *s, size_t n);

#endif
