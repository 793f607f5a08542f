/* query.h: one statement with bound arguments in one call, rows mapped to variables or JSON.
 *
 * The prepare / bind / step / done ladder, written once. Arguments are given by a format of
 * one letter each, consumed in order from the variadic list:
 *   i  int64_t            t  const char * (NULL binds NULL)
 *   I  int64_t, bound as NULL when 0 (optional references)
 *
 * Results of pb_q_row are written through pointers, by a second format:
 *   i  int64_t *          t  char *buf, size_t cap (text copied, truncated; "" for NULL)
 *   n  int *: 1 when the column is NULL (for the column just read; no column consumed)
 *
 * pb_q_json writes rows as JSON objects keyed by the SELECT's column names (alias them) and
 * typed by a column format of one letter per column:
 *   i integer   t text   b boolean (0/1 → false/true)   m money (fen → "12.34")
 *   a area (hundredths of m² → "12.34")   T instant (Unix ms → ISO-8601 UTC)   j JSON text
 * NULL is null whatever the letter.
 *
 * SQL text must be a literal (never built from input): every value is an argument. */
#ifndef PB_QUERY_H
#define PB_QUERY_H

#include "core/store/db.h"

/* Run a statement that returns no rows. *changes (may be NULL) gets the rows changed.
 * 0 or a negative rc (PB_E_RETRY, PB_E_CONFLICT, PB_E_DB). */
int pb_q_exec(struct pb_db *db, int64_t *changes, const char *sql, const char *args, ...);
/* Read the first row into the outputs: 1 a row, 0 none (outputs untouched), or a negative rc. */
int pb_q_row(struct pb_db *db, const char *sql, const char *args, const char *outs, ...);
/* The first column of the first row as an integer (dflt when no row or NULL). 0 or rc. */
int pb_q_int(struct pb_db *db, int64_t *out, int64_t dflt, const char *sql, const char *args, ...);
/* Append every row as a JSON object to out: as an array "[...]" when array=1, else only the
 * first row's object (or "null" when none). *nrows (may be NULL) gets the count. 0 or rc. */
int pb_q_json(struct pb_db *db, struct pb_buf *out, int array, const char *cols, size_t *nrows,
              const char *sql, const char *args, ...);

#endif
