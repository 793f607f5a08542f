/* export.c: any list, with its filters and the caller's scope, as CSV or XLSX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/audit.h"
#include "core/refdata.h"
#include "core/resource/internal.h"
#include "core/util/csv.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

const char *pb_res_display(struct pb_ctx *c, const struct pb_field *f, const struct pb_val *v)
{
    char t[48];
    if (v->is_null)
        return "";
    switch (f->type) {
    case PB_ENUM:
        for (int i = 0; f->enums[i]; i++)
            if (!strcmp(f->enums[i], v->s)) {
                const char *const *labels = c->lang_en ? f->enum_en : f->enum_zh;
                return labels ? labels[i] : f->enums[i];
            }
        return v->s;
    case PB_REGION: {
        const struct pb_region *r = pb_region_find(v->s);
        return r ? (c->lang_en ? r->name_en : r->name) : v->s;
    }
    case PB_INDUSTRY: {
        const struct pb_industry *ind = pb_industry_find(v->s);
        return ind ? pb_arena_printf(c->arena, "%s %s", ind->code, ind->name) : v->s;
    }
    case PB_BOOL:
        return v->i ? (c->lang_en ? "yes" : "是") : (c->lang_en ? "no" : "否");
    case PB_MONEY:
    case PB_AREA:
        pb_dec_format(v->i, 2, t, sizeof t);
        return pb_arena_strdup(c->arena, t);
    case PB_COORD_LNG:
    case PB_COORD_LAT:
        pb_dec_format(v->i, 6, t, sizeof t);
        return pb_arena_strdup(c->arena, t);
    case PB_TIME:
        pb_iso_cst(v->i, t);
        return pb_arena_strdup(c->arena, t);
    case PB_INT:
    case PB_REF:
        return pb_arena_printf(c->arena, "%lld", (long long)v->i);
    default:
        return v->s ? v->s : "";
    }
}

static const char *flabel(struct pb_ctx *c, const struct pb_field *f)
{
    const char *l = c->lang_en ? f->label_en : f->label_zh;
    return l ? l : f->name;
}

struct export_args {
    struct pb_ctx *c;
    const struct pb_resource *r;
    const struct pb_list_req *lr;
    enum pb_export_fmt fmt;
    struct pb_buf *out;
    int64_t rows;
    char path[64];
};

/* Columns of an export: id, then the list fields, then updated_at. */
static int export_rows(struct export_args *a, struct pb_err *err,
                       void (*emit)(void *ud, int64_t row, int col, const struct pb_field *f,
                                    const struct pb_val *v, const char *text),
                       void *ud)
{
    struct pb_ctx *c = a->c;
    const struct pb_resource *r = a->r;
    struct pb_sqlb q;
    struct pb_stmt *st;
    struct pb_rec rec;
    int rc, col;
    int64_t row = 0;

    /* header */
    col = 0;
    emit(ud, 0, col++, NULL, NULL, flabel(c, &pb_fixed_fields[PB_COL_ID]));
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].list)
            emit(ud, 0, col++, NULL, NULL, flabel(c, &r->fields[i]));
    emit(ud, 0, col++, NULL, NULL, flabel(c, &pb_fixed_fields[PB_COL_UPDATED]));

    pb_sqlb_init(&q);
    pb_buf_adds(&q.sql, "SELECT ");
    pb_res_columns(r, &q.sql);
    pb_buf_printf(&q.sql, " FROM %s", r->table);
    if ((rc = pb_res_where(c, r, a->lr, &q, 0, err))) {
        pb_sqlb_release(&q);
        return rc;
    }
    pb_res_order(r, a->lr, &q);
    pb_buf_adds(&q.sql, " LIMIT ");
    pb_sqlb_int(&q, PB_EXPORT_MAX + 1);
    rc = pb_sqlb_prepare(c->db, &q, &st);
    pb_sqlb_release(&q);
    if (rc)
        return rc;
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        struct pb_arena rowarena, *saved = c->arena;
        if (++row > PB_EXPORT_MAX) {
            pb_stmt_done(st);
            return pb_err_set(err, PB_E_TOO_LARGE, "导出超过 %d 行，请缩小筛选范围",
                              "the export exceeds %d rows; narrow the filters", PB_EXPORT_MAX);
        }
        /* Per-row arena keeps a 200k-row export in bounded memory. */
        pb_arena_init(&rowarena);
        c->arena = &rowarena;
        pb_res_read_row(c, r, st, &rec);
        col = 0;
        emit(ud, row, col++, &pb_fixed_fields[PB_COL_ID], &rec.fixed[PB_COL_ID],
             pb_res_display(c, &pb_fixed_fields[PB_COL_ID], &rec.fixed[PB_COL_ID]));
        for (size_t i = 0; i < r->nfields; i++)
            if (r->fields[i].list) {
                const struct pb_field *f = &r->fields[i];
                const char *text = pb_res_display(c, f, &rec.v[i]);
                if (f->pii && !rec.v[i].is_null) {
                    /* Masked like listings (138****5678), never the full value. */
                    char *m = pb_arena_alloc(c->arena, 256);
                    pb_phone_mask(rec.v[i].s ? rec.v[i].s : "", m, 256);
                    text = m;
                }
                emit(ud, row, col++, f, &rec.v[i], text);
            }
        emit(ud, row, col++, &pb_fixed_fields[PB_COL_UPDATED], &rec.fixed[PB_COL_UPDATED],
             pb_res_display(c, &pb_fixed_fields[PB_COL_UPDATED], &rec.fixed[PB_COL_UPDATED]));
        c->arena = saved;
        pb_arena_release(&rowarena);
    }
    pb_stmt_done(st);
    a->rows = row;
    return rc < 0 ? rc : 0;
}

static void csv_emit(void *ud, int64_t row, int col, const struct pb_field *f,
                     const struct pb_val *v, const char *text)
{
    struct pb_buf *b = ud;
    (void)row;
    (void)f;
    (void)v;
    if (col == 0 && row > 0)
        pb_csv_eol(b);
    else if (col > 0)
        pb_csv_sep(b);
    pb_csv_field(b, text);
}

struct xlsx_state {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *dec2, *dec6;
};

static void xlsx_emit(void *ud, int64_t row, int col, const struct pb_field *f,
                      const struct pb_val *v, const char *text)
{
    struct xlsx_state *x = ud;
    if (row > 1048575)
        return;
    if (!f) {
        worksheet_write_string(x->ws, (lxw_row_t)row, (lxw_col_t)col, text, x->head);
        worksheet_set_column(x->ws, (lxw_col_t)col, (lxw_col_t)col, 16, NULL);
        return;
    }
    if (v && !v->is_null && !f->pii) {
        /* Amounts as numbers so staff can sum them; the stored value stays exact. */
        if (f->type == PB_MONEY || f->type == PB_AREA) {
            worksheet_write_number(x->ws, (lxw_row_t)row, (lxw_col_t)col, (double)v->i / 100.0,
                                   x->dec2);
            return;
        }
        if (f->type == PB_COORD_LNG || f->type == PB_COORD_LAT) {
            worksheet_write_number(x->ws, (lxw_row_t)row, (lxw_col_t)col, (double)v->i / 1e6,
                                   x->dec6);
            return;
        }
        if (f->type == PB_INT && f != &pb_fixed_fields[PB_COL_ID]) {
            worksheet_write_number(x->ws, (lxw_row_t)row, (lxw_col_t)col, (double)v->i, NULL);
            return;
        }
    }
    if (text && *text)
        worksheet_write_string(x->ws, (lxw_row_t)row, (lxw_col_t)col, text, NULL);
}

static int export_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct export_args *a = ctx;
    size_t start = a->out->len;
    int rc;
    (void)db;
    if (a->fmt == PB_EXPORT_CSV) {
        pb_csv_bom(a->out);
        rc = export_rows(a, err, csv_emit, a->out);
        pb_csv_eol(a->out);
        if (!rc && a->out->err)
            rc = pb_err_set(err, PB_E_TOO_LARGE, "导出文件过大，请缩小筛选范围",
                            "the export is too large; narrow the filters");
    } else {
        struct xlsx_state x;
        lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)"/tmp"};
        int fd;
        FILE *f;
        pb_strlcpy(a->path, "/tmp/parkbrain-export-XXXXXX", sizeof a->path);
        fd = mkstemp(a->path);
        if (fd < 0)
            return pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not create the export file");
        close(fd);
        x.wb = workbook_new_opt(a->path, &opt);
        if (!x.wb) {
            unlink(a->path);
            return pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not create the export file");
        }
        x.ws = workbook_add_worksheet(x.wb, a->c->lang_en ? a->r->label_en : a->r->label_zh);
        x.head = workbook_add_format(x.wb);
        format_set_bold(x.head);
        format_set_bg_color(x.head, 0xDDEBF7);
        x.dec2 = workbook_add_format(x.wb);
        format_set_num_format(x.dec2, "#,##0.00");
        x.dec6 = workbook_add_format(x.wb);
        format_set_num_format(x.dec6, "0.000000");
        worksheet_freeze_panes(x.ws, 1, 0);
        rc = export_rows(a, err, xlsx_emit, &x);
        if (workbook_close(x.wb) != LXW_NO_ERROR && !rc)
            rc = pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not write the export file");
        if (!rc && (f = fopen(a->path, "rb"))) {
            char chunk[65536];
            size_t n;
            while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                pb_buf_add(a->out, chunk, n);
            fclose(f);
            if (a->out->err)
                rc = pb_err_set(err, PB_E_TOO_LARGE, "导出文件过大，请缩小筛选范围",
                                "the export is too large; narrow the filters");
        }
        unlink(a->path);
    }
    if (rc)
        a->out->len = start;
    return rc;
}

struct export_audit_args {
    struct export_args *a;
    const char *changes;
};

int pb_res_export(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                  enum pb_export_fmt fmt, struct pb_buf *out, struct pb_err *err)
{
    struct export_args a = {c, r, lr, fmt, out, 0, ""};
    char changes[96];
    int rc;
    if (!pb_policy_allows(c->who->role, r->policy ? r->policy : r->name, PB_ACT_EXPORT)) {
        c->denied.set = 1;
        c->denied.resource = r->name;
        c->denied.object_id[0] = 0;
        c->denied.region_code[0] = 0;
        c->denied.action = "export";
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权导出", "your role may not export");
    }
    rc = pb_db_tx(c->db, 0, export_tx, &a, err);
    if (rc < 0)
        return rc;
    /* Exports carry data out of the system: each one is audited. */
    snprintf(changes, sizeof changes, "{\"format\":\"%s\",\"rows\":%lld}",
             fmt == PB_EXPORT_CSV ? "csv" : "xlsx", (long long)a.rows);
    rc = pb_audit_write_tx(
        c,
        &(struct pb_audit_rec){
            .action = "export", .resource = r->name, .result = "ok", .changes = changes},
        err);
    return rc < 0 ? rc : 0;
}
