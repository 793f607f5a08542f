/* project_export.c: the monthly report as CSV or XLSX (issue 4). The XLSX has a sheet per table:
 * 汇总 (the key figures and the bulletin text), 分区域 (by region, with a total row) and 目标
 * (targets). Numbers are written as numbers so that staff can compute with them; the values are
 * the exact sums, divided by 100 only at the cell (two decimals always survive a double). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/util/csv.h"
#include "core/util/money.h"
#include "modules/projects/project_stats.h"

struct sumrow {
    const char *label;
    const char *unit;
    int64_t v;
    int scale; /* 0 count, 2 hundredths */
};

static int summary_rows(const struct pb_stats *s, struct sumrow *rows, char *labels, size_t lsz)
{
    int n = 0;
    char *inv = labels, *top = labels + lsz / 2;
    if (!s->ytd_published || s->mon == 1)
        snprintf(inv, lsz / 2, "%d月完成投资额", s->mon);
    else
        snprintf(inv, lsz / 2, "1—%d月累计完成投资额", s->mon);
    if (!s->ytd_published || s->mon == 1)
        snprintf(top, lsz / 2, "%d月新增封顶面积", s->mon);
    else
        snprintf(top, lsz / 2, "1—%d月累计新增封顶面积", s->mon);
    rows[n++] = (struct sumrow){"项目总数", "个", s->projects, 0};
    rows[n++] = (struct sumrow){"谋划项目", "个", s->stage[PB_STAGE_PLANNED], 0};
    rows[n++] = (struct sumrow){"开工项目", "个", s->stage[PB_STAGE_STARTED], 0};
    rows[n++] = (struct sumrow){"在建项目", "个", s->stage[PB_STAGE_BUILDING], 0};
    rows[n++] = (struct sumrow){"部分投用项目", "个", s->stage[PB_STAGE_PARTLY], 0};
    rows[n++] = (struct sumrow){"投用项目", "个", s->stage[PB_STAGE_IN_USE], 0};
    rows[n++] = (struct sumrow){"投用及部分投用项目", "个",
                                s->stage[PB_STAGE_PARTLY] + s->stage[PB_STAGE_IN_USE], 0};
    rows[n++] = (struct sumrow){"本月在建转投用或部分投用项目", "个",
                                s->trans[PB_STAGE_BUILDING][PB_STAGE_PARTLY] +
                                    s->trans[PB_STAGE_BUILDING][PB_STAGE_IN_USE],
                                0};
    rows[n++] = (struct sumrow){inv, "元", s->ytd_invest, 2};
    rows[n++] = (struct sumrow){top, "平方米", s->ytd_topped, 2};
    rows[n++] = (struct sumrow){"本月完成投资额", "元", s->m_invest, 2};
    rows[n++] = (struct sumrow){"本月新增封顶面积", "平方米", s->m_topped, 2};
    rows[n++] = (struct sumrow){"上年同期累计完成投资额", "元", s->ly_ytd_invest, 2};
    return n;
}

static void csv_num(struct pb_buf *b, int64_t v, int scale)
{
    char t[32];
    pb_dec_format(v, scale, t, sizeof t);
    pb_csv_number(b, t);
}

static void region_head(const char **h)
{
    static const char *const cols[] = {"区域代码",
                                       "区域",
                                       "项目数",
                                       "谋划",
                                       "开工",
                                       "在建",
                                       "部分投用",
                                       "投用",
                                       "在建转投用或部分投用",
                                       "累计完成投资额（元）",
                                       "累计新增封顶面积（平方米）"};
    for (int i = 0; i < 11; i++)
        h[i] = cols[i];
}

static void export_csv(const struct pb_stats *s, struct pb_buf *out)
{
    struct sumrow rows[16];
    char labels[256];
    const char *h[11];
    struct pb_buf b;
    int n = summary_rows(s, rows, labels, sizeof labels);
    int64_t tot[11] = {0};
    pb_csv_bom(out);
    pb_buf_init(&b, 0);
    pb_stats_bulletin(s, &b);
    pb_csv_field(out, "通报");
    pb_csv_sep(out);
    pb_csv_field(out, pb_buf_cstr(&b));
    pb_csv_eol(out);
    pb_buf_release(&b);
    pb_csv_eol(out);
    pb_csv_field(out, "指标");
    pb_csv_sep(out);
    pb_csv_field(out, "数值");
    pb_csv_sep(out);
    pb_csv_field(out, "单位");
    pb_csv_eol(out);
    for (int i = 0; i < n; i++) {
        pb_csv_field(out, rows[i].label);
        pb_csv_sep(out);
        csv_num(out, rows[i].v, rows[i].scale);
        pb_csv_sep(out);
        pb_csv_field(out, rows[i].unit);
        pb_csv_eol(out);
    }
    pb_csv_eol(out);
    region_head(h);
    for (int i = 0; i < 11; i++) {
        if (i)
            pb_csv_sep(out);
        pb_csv_field(out, h[i]);
    }
    pb_csv_eol(out);
    for (int r = 0; r < s->nregions; r++) {
        const struct pb_stats_region *g = &s->regions[r];
        int64_t v[11] = {
            0,           0,           g->projects, g->stage[1],   g->stage[2],  g->stage[3],
            g->stage[4], g->stage[5], g->to_use,   g->ytd_invest, g->ytd_topped};
        pb_csv_field(out, g->code);
        pb_csv_sep(out);
        pb_csv_field(out, g->name);
        for (int i = 2; i < 11; i++) {
            pb_csv_sep(out);
            csv_num(out, v[i], i >= 9 ? 2 : 0);
            tot[i] += v[i];
        }
        pb_csv_eol(out);
    }
    pb_csv_field(out, "");
    pb_csv_sep(out);
    pb_csv_field(out, "合计");
    for (int i = 2; i < 11; i++) {
        pb_csv_sep(out);
        csv_num(out, tot[i], i >= 9 ? 2 : 0);
    }
    pb_csv_eol(out);
}

static int export_xlsx(const struct pb_stats *s, struct pb_buf *out, struct pb_err *err)
{
    char path[64];
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *title, *wrap, *dec2, *intf, *totf, *totd;
    struct sumrow rows[16];
    char labels[256], t[160];
    const char *h[11];
    int n, fd, rc = 0;
    int64_t tot[11] = {0};
    FILE *f;
    struct pb_buf b;

    pb_strlcpy(path, "/tmp/parkbrain-report-XXXXXX", sizeof path);
    if ((fd = mkstemp(path)) < 0)
        return pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not create the export file");
    close(fd);
    if (!(wb = workbook_new(path))) {
        unlink(path);
        return pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not create the export file");
    }
    head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    title = workbook_add_format(wb);
    format_set_bold(title);
    format_set_font_size(title, 14);
    wrap = workbook_add_format(wb);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    dec2 = workbook_add_format(wb);
    format_set_num_format(dec2, "#,##0.00");
    intf = workbook_add_format(wb);
    format_set_num_format(intf, "0");
    totf = workbook_add_format(wb);
    format_set_bold(totf);
    format_set_num_format(totf, "0");
    format_set_top(totf, LXW_BORDER_THIN);
    totd = workbook_add_format(wb);
    format_set_bold(totd);
    format_set_num_format(totd, "#,##0.00");
    format_set_top(totd, LXW_BORDER_THIN);

    /* 汇总: the key figures first (a CSV conversion of the first sheet gives them), then the text.
     */
    ws = workbook_add_worksheet(wb, "汇总");
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 20, NULL);
    worksheet_set_column(ws, 2, 2, 10, NULL);
    worksheet_write_string(ws, 0, 0, "指标", head);
    worksheet_write_string(ws, 0, 1, "数值", head);
    worksheet_write_string(ws, 0, 2, "单位", head);
    n = summary_rows(s, rows, labels, sizeof labels);
    for (int i = 0; i < n; i++) {
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, rows[i].label, NULL);
        worksheet_write_number(ws, (lxw_row_t)(i + 1), 1,
                               rows[i].scale ? (double)rows[i].v / 100.0 : (double)rows[i].v,
                               rows[i].scale ? dec2 : intf);
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 2, rows[i].unit, NULL);
    }
    snprintf(t, sizeof t, "%s %s 标准化项目月报", s->scope_name, s->req.month);
    worksheet_write_string(ws, (lxw_row_t)(n + 2), 0, t, title);
    pb_buf_init(&b, 0);
    pb_stats_bulletin(s, &b);
    worksheet_merge_range(ws, (lxw_row_t)(n + 3), 0, (lxw_row_t)(n + 3), 2, pb_buf_cstr(&b), wrap);
    worksheet_set_row(ws, (lxw_row_t)(n + 3), 120, NULL);
    pb_buf_release(&b);

    /* 分区域: one row per region and a total row (as a formula with its value cached). */
    ws = workbook_add_worksheet(wb, "分区域");
    region_head(h);
    for (int i = 0; i < 11; i++) {
        worksheet_write_string(ws, 0, (lxw_col_t)i, h[i], head);
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i >= 8 ? 22 : 12, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (int r = 0; r < s->nregions; r++) {
        const struct pb_stats_region *g = &s->regions[r];
        int64_t v[11] = {
            0,           0,           g->projects, g->stage[1],   g->stage[2],  g->stage[3],
            g->stage[4], g->stage[5], g->to_use,   g->ytd_invest, g->ytd_topped};
        worksheet_write_string(ws, (lxw_row_t)(r + 1), 0, g->code, NULL);
        worksheet_write_string(ws, (lxw_row_t)(r + 1), 1, g->name, NULL);
        for (int i = 2; i < 11; i++) {
            worksheet_write_number(ws, (lxw_row_t)(r + 1), (lxw_col_t)i,
                                   i >= 9 ? (double)v[i] / 100.0 : (double)v[i],
                                   i >= 9 ? dec2 : intf);
            tot[i] += v[i];
        }
    }
    worksheet_write_string(ws, (lxw_row_t)(s->nregions + 1), 1, "合计", totf);
    for (int i = 2; i < 11; i++) {
        char formula[64], col = (char)('A' + i);
        snprintf(formula, sizeof formula, "=SUM(%c2:%c%d)", col, col, s->nregions + 1);
        worksheet_write_formula_num(ws, (lxw_row_t)(s->nregions + 1), (lxw_col_t)i, formula,
                                    i >= 9 ? totd : totf,
                                    i >= 9 ? (double)tot[i] / 100.0 : (double)tot[i]);
    }

    /* 目标: actual against target. */
    ws = workbook_add_worksheet(wb, "目标");
    {
        static const char *const th[] = {"指标", "全年目标", "实际（累计）", "完成率（%）"};
        for (int i = 0; i < 4; i++) {
            worksheet_write_string(ws, 0, (lxw_col_t)i, th[i], head);
            worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, i ? 18 : 22, NULL);
        }
        for (int i = 0; i < PB_STATS_NIND; i++) {
            const struct pb_stats_target *tg = &s->targets[i];
            int64_t bp;
            worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, tg->indicator, NULL);
            if (tg->has_target)
                worksheet_write_number(ws, (lxw_row_t)(i + 1), 1, (double)tg->target / 100.0, dec2);
            if (tg->has_actual)
                worksheet_write_number(ws, (lxw_row_t)(i + 1), 2, (double)tg->actual / 100.0, dec2);
            if (tg->has_target && tg->has_actual && tg->target > 0 &&
                !pb_percent_bp(tg->actual, tg->target, &bp))
                worksheet_write_number(ws, (lxw_row_t)(i + 1), 3, (double)bp / 100.0, dec2);
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR)
        rc = pb_err_set(err, PB_E_IO, "无法生成导出文件", "could not write the export file");
    if (!rc && (f = fopen(path, "rb"))) {
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            pb_buf_add(out, chunk, k);
        fclose(f);
    }
    unlink(path);
    return rc;
}

int pb_stats_export(struct pb_ctx *c, const struct pb_stats *s, int xlsx, struct pb_buf *out,
                    struct pb_err *err)
{
    size_t start = out->len;
    int rc = 0;
    (void)c;
    if (xlsx)
        rc = export_xlsx(s, out, err);
    else
        export_csv(s, out);
    if (!rc && out->err)
        rc = pb_err_set(err, PB_E_TOO_LARGE, "导出文件过大", "the export is too large");
    if (rc)
        out->len = start;
    return rc;
}
