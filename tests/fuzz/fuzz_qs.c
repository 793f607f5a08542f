/* fuzz_qs.c: query-string and path-segment decoding, with their invariants and the
 * encode → decode round trip. */
#include <stdint.h>
#include <string.h>

#include "core/util/pb.h"
#include "core/util/qs.h"
#include "core/util/validate.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pb_arena a;
    struct pb_qs_pair *p;
    size_t n, ol;
    char *seg;
    int rc;
    const char *s = (const char *)data;

    pb_arena_init(&a);
    rc = pb_qs_parse(&a, s, size, &p, &n);
    CHECK(rc <= 0 && rc >= PB_QS_E_TOO_LONG);
    if (rc == PB_QS_OK) {
        CHECK(n <= PB_QS_MAX_PAIRS && (n == 0) == (p == NULL));
        for (size_t i = 0; i < n; i++) {
            CHECK(strlen(p[i].key) == p[i].klen && strlen(p[i].val) == p[i].vlen);
            CHECK(p[i].klen <= PB_QS_MAX_VALUE && p[i].vlen <= PB_QS_MAX_VALUE);
            CHECK(pb_utf8_valid(p[i].key, p[i].klen) && pb_utf8_valid(p[i].val, p[i].vlen));
        }
        if (n)
            CHECK(pb_qs_get(p, n, p[0].key) == p[0].val);
    } else {
        CHECK(p == NULL && n == 0);
    }

    rc = pb_url_decode_path_segment(&a, s, size, &seg, &ol);
    if (rc == PB_QS_OK)
        CHECK(strlen(seg) == ol && !memchr(seg, '/', ol) && pb_utf8_valid(seg, ol));

    /* whatever the bytes, encoding them as a value and parsing gives them back, as long as
     * they are a legal value (UTF-8, no NUL, within the limit) */
    if (size <= PB_QS_MAX_VALUE && pb_utf8_valid(s, size) && !memchr(s, 0, size)) {
        struct pb_buf b;
        pb_buf_init(&b, 0);
        pb_buf_adds(&b, "k=");
        pb_url_encode(&b, s, size);
        rc = pb_qs_parse(&a, b.data, b.len, &p, &n);
        CHECK(rc == PB_QS_OK && n == 1 && p[0].vlen == size && !memcmp(p[0].val, s, size));
        if (size > 0 && !memchr(s, '/', size) && !(size == 1 && s[0] == '.') &&
            !(size == 2 && s[0] == '.' && s[1] == '.')) {
            rc = pb_url_decode_path_segment(&a, b.data + 2, b.len - 2, &seg, &ol);
            CHECK(rc == PB_QS_OK && ol == size && !memcmp(seg, s, size));
        }
        pb_buf_release(&b);
    }
    pb_arena_release(&a);
    return 0;
}
