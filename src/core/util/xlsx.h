/* xlsx.h: a small reader of the first worksheet of an XLSX (Office Open XML) workbook, for
 * bulk imports, turning it into the CSV text the import path already reads.
 *
 * It is a parser of untrusted input: the zip central directory is read with every offset and
 * size checked against the buffer, only the few entries it needs are inflated (stored or
 * deflate, through zlib), each within a size cap and a compression-ratio cap and checked
 * against its CRC-32, and the XML is read by a purpose-built scanner (no DTDs, no external
 * entities; only the five predefined entities and character references) with caps on cells,
 * columns and rows. Anything outside those bounds is an error with a reason, never memory.
 *
 * What it reads: xl/workbook.xml and its rels to find the first sheet (else
 * xl/worksheets/sheet1.xml), xl/sharedStrings.xml (shared strings, rich text runs joined,
 * phonetic runs left out), xl/styles.xml (which cell styles are dates), and the sheet's cells:
 * shared strings, inline strings, formula strings, booleans (true/false), numbers (float noise
 * beyond 15 significant digits rounded away), dates (date-styled numbers → YYYY-MM-DD,
 * 1900 and 1904 date systems). Formulas give their cached value.
 *
 * The CSV: UTF-8, CRLF, one record per non-empty sheet row, fields quoted when they hold
 * , " CR or LF, rows padded to the width of the first row (the header); empty lines stand
 * for skipped or empty sheet rows so that a record's line number is its sheet row (while no
 * cell holds a line break).
 *
 * Thread-safety: none needed; no global state. */
#ifndef PB_XLSX_H
#define PB_XLSX_H

#include <stddef.h>

#include "core/util/pb.h"

struct pb_xlsx_limits {
    size_t max_entry;   /* bytes of one inflated entry */
    unsigned max_ratio; /* inflated / compressed, for entries over 1 MiB inflated */
    size_t max_cells;   /* cells written, padding included */
    size_t max_cols;    /* highest column (1-based) */
    size_t max_rows;    /* highest row number */
    size_t max_entries; /* entries in the central directory */
    int skip_crc;       /* fuzzing only: mutated stored XML must reach the scanner */
};
/* 256 MiB, 1000:1, 50,000,000 cells, 1024 columns, 1,048,576 rows, 10,000 entries. */
extern const struct pb_xlsx_limits pb_xlsx_default_limits;

/* Does the buffer start like a zip file (PK\3\4)? */
int pb_xlsx_sniff(const void *data, size_t len);

/* Convert the first worksheet to CSV appended to out. lim NULL: the defaults. 0 on success;
 * -1 with a one-line English reason in why (and a Chinese one in why_zh, either may be NULL). */
int pb_xlsx_to_csv(const void *data, size_t len, const struct pb_xlsx_limits *lim,
                   struct pb_buf *out, char *why, size_t nwhy, char *why_zh, size_t nwhy_zh);

#endif
