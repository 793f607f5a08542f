/* query.c: one-call statements (query.h). */
#include <stdarg.h>
#include <string.h>

#include "core/store/query.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"

static void bind_args(struct pb_stmt *st, const char *args, va_list *ap)
{
    int idx = 1;
    for (const char *f = args ? args : ""; *f; f++, idx++) {
        switch (*f) {
        case 'i':
            pb_stmt_bind_int(st, idx, va_arg(*ap, int64_t));
            break;
        case 'I': {
            int64_t v = va_arg(*ap, int64_t);
            if (v)
                pb_stmt_bind_int(st, idx, v);
            else
                pb_stmt_bind_null(st, idx);
            break;
        }
        case 't':
            pb_stmt_bind_text(st, idx, va_arg(*ap, const char *));
            break;
        default:
            /* A format typo is a programming error found by the first test that runs it. */
            pb_stmt_bind_null(st, idx);
            break;
        }
    }
}

int pb_q_exec(struct pb_db *db, int64_t *changes, const char *sql, const char *args, ...)
{
    struct pb_stmt *st;
    va_list ap;
    int rc = pb_db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    va_start(ap, args);
    bind_args(st, args, &ap);
    va_end(ap);
    while ((rc = pb_stmt_step(st)) == PB_ROW)
        ; /* RETURNING rows nobody asked for */
    if (rc == PB_DONE && changes)
        *changes = pb_stmt_changes(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_q_row(struct pb_db *db, const char *sql, const char *args, const char *outs, ...)
{
    struct pb_stmt *st;
    va_list ap;
    int rc = pb_db_prepare(db, sql, &st), col = 0;
    if (rc < 0)
        return rc;
    va_start(ap, outs);
    bind_args(st, args, &ap);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        for (const char *f = outs ? outs : ""; *f; f++) {
            if (*f == 'i') {
                *va_arg(ap, int64_t *) = pb_stmt_col_int(st, col++);
            } else if (*f == 't') {
                char *buf = va_arg(ap, char *);
                size_t cap = va_arg(ap, size_t);
                pb_strlcpy(buf, pb_stmt_col_text(st, col++), cap);
            } else if (*f == 'n') {
                *va_arg(ap, int *) = col > 0 && pb_stmt_col_null(st, col - 1);
            }
        }
    }
    va_end(ap);
    pb_stmt_done(st);
    return rc == PB_ROW ? 1 : rc == PB_DONE ? 0 : rc;
}

int pb_q_int(struct pb_db *db, int64_t *out, int64_t dflt, const char *sql, const char *args, ...)
{
    struct pb_stmt *st;
    va_list ap;
    int rc = pb_db_prepare(db, sql, &st);
    *out = dflt;
    if (rc < 0)
        return rc;
    va_start(ap, args);
    bind_args(st, args, &ap);
    va_end(ap);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW && !pb_stmt_col_null(st, 0))
        *out = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static void put_col(struct pb_buf *out, struct pb_stmt *st, int col, char kind)
{
    char t[48];
    if (pb_stmt_col_null(st, col)) {
        pb_buf_adds(out, "null");
        return;
    }
    switch (kind) {
    case 'i':
        pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, col));
        break;
    case 'b':
        pb_buf_adds(out, pb_stmt_col_int(st, col) ? "true" : "false");
        break;
    case 'm':
    case 'a':
        pb_dec_format(pb_stmt_col_int(st, col), 2, t, sizeof t);
        pb_buf_json_str(out, t);
        break;
    case 'T':
        pb_iso_utc(pb_stmt_col_int(st, col), t);
        pb_buf_json_str(out, t);
        break;
    case 'j':
        pb_buf_adds(out, pb_stmt_col_text(st, col));
        break;
    default:
        pb_buf_json_str(out, pb_stmt_col_text(st, col));
        break;
    }
}

int pb_q_json(struct pb_db *db, struct pb_buf *out, int array, const char *cols, size_t *nrows,
              const char *sql, const char *args, ...)
{
    struct pb_stmt *st;
    va_list ap;
    size_t n = 0, ncols = strlen(cols);
    int rc = pb_db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    va_start(ap, args);
    bind_args(st, args, &ap);
    va_end(ap);
    if (array)
        pb_buf_addc(out, '[');
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(out, ',');
        pb_buf_addc(out, '{');
        for (size_t k = 0; k < ncols && (int)k < pb_stmt_ncols(st); k++) {
            if (k)
                pb_buf_addc(out, ',');
            pb_buf_json_str(out, pb_stmt_col_name(st, (int)k));
            pb_buf_addc(out, ':');
            put_col(out, st, (int)k, cols[k]);
        }
        pb_buf_addc(out, '}');
        if (!array)
            break;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (array)
        pb_buf_addc(out, ']');
    else if (!n)
        pb_buf_adds(out, "null");
    if (nrows)
        *nrows = n;
    return 0;
}
