/* csv.h: CSV for export and import (RFC 4180), and the encoding step of imports.
 *
 * Writer: appends to a struct pb_buf (check b->err once at the end). Cells that start with
 * = + - @ TAB or CR get a leading single quote so that a spreadsheet shows them as text
 * instead of running them as formulas (CSV injection); pb_csv_number writes program-made
 * numbers such as "-12.50" without that quote.
 *
 * Reader: a streaming parser over a memory buffer (the whole upload), yielding one row of
 * fields at a time. Quoted fields may hold separators, doubled quotes and line breaks;
 * rows end at CRLF, LF or a lone CR; a leading UTF-8 BOM is skipped; empty lines are
 * skipped (they hold no record); a bare quote inside an unquoted field is kept literally.
 * Limits on field size and fields per row turn hostile files into errors, not memory.
 *
 * Thread-safety: the writer functions touch only their buffer; a reader is single-threaded
 * state (one per import), and different readers are independent.
 */
#ifndef PB_CSV_H
#define PB_CSV_H

#include <stddef.h>

#include "core/util/pb.h"

/* ---- writer ---- */

/* EF BB BF: lets Excel open a UTF-8 CSV with Chinese text correctly. */
void pb_csv_bom(struct pb_buf *b);
/* One cell (NULL = empty): formula-guarded, quoted when it holds , " CR or LF. */
void pb_csv_field(struct pb_buf *b, const char *s);
void pb_csv_fieldn(struct pb_buf *b, const char *s, size_t n);
/* A numeric cell: written bare when s matches -?[0-9]+(\.[0-9]+)?, else as pb_csv_field. */
void pb_csv_number(struct pb_buf *b, const char *s);
void pb_csv_sep(struct pb_buf *b); /* "," */
void pb_csv_eol(struct pb_buf *b); /* "\r\n" */

/* ---- reader ---- */

enum pb_csv_rc {
    PB_CSV_E_QUOTE = -1,           /* unterminated quoted field, or text after its closing quote */
    PB_CSV_E_FIELD_TOO_LONG = -2,  /* a field longer than max_field bytes */
    PB_CSV_E_TOO_MANY_FIELDS = -3, /* a row with more than max_fields fields */
    PB_CSV_E_NUL = -4,             /* a NUL byte: not a text file */
};

#define PB_CSV_DEFAULT_MAX_FIELD 65536
#define PB_CSV_DEFAULT_MAX_FIELDS 1024

struct pb_csv_reader {
    /* After PB_ROW: the row's fields, NUL-terminated (with their byte lengths), owned by the
     * reader and valid until the next call or release. */
    const char **fields;
    size_t *lens;
    size_t nfields;
    /* 1-based number of the record just returned, or of the one that failed (the header is
     * row 1), and the physical line where it starts; use both in error messages. */
    size_t row;
    size_t line;
    /* private */
    const char *data;
    size_t len, pos, cur_line, max_field, max_fields, alloc_fields;
    size_t *offs;
    struct pb_buf buf;
    int failed;
};

/* data/len: the whole input, borrowed (must outlive the reader). max_field (bytes) and
 * max_fields: 0 selects the defaults above. */
void pb_csv_reader_init(struct pb_csv_reader *r, const char *data, size_t len, size_t max_field,
                        size_t max_fields);
/* PB_ROW with a row, PB_DONE at the end, or an enum pb_csv_rc (sticky: once a row fails,
 * every later call returns the same error, since the rest cannot be trusted). */
int pb_csv_reader_next(struct pb_csv_reader *r);
void pb_csv_reader_release(struct pb_csv_reader *r);
/* Static one-line descriptions of a reader error. */
const char *pb_csv_error_en(int rc);
const char *pb_csv_error_zh(int rc);

/* ---- encoding of imported files ---- */

/* Convert GB18030 (a superset of GBK and GB2312, what Chinese Excel saves as "CSV") to UTF-8,
 * appending to out. 0 ok; -1 invalid GB18030 (bad_offset, if not NULL, gets the byte offset);
 * -2 out's cap exceeded; PB_E_INTERNAL if iconv lacks GB18030. Thread-safe (own iconv_t). */
int pb_gb18030_to_utf8(const char *in, size_t n, struct pb_buf *out, size_t *bad_offset);
/* Import decoding: input that is valid UTF-8 is copied as is, otherwise it is converted
 * from GB18030; a leading BOM is dropped either way. *encoding (may be NULL) is set to the
 * static string "UTF-8" or "GB18030". Returns as pb_gb18030_to_utf8. */
int pb_text_to_utf8(const char *in, size_t n, struct pb_buf *out, const char **encoding,
                    size_t *bad_offset);

#endif
