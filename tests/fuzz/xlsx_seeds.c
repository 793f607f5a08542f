/* xlsx_seeds.c: writes the seed workbooks of fuzz_xlsx with libxlsxwriter (not a fuzz target:
 * scripts/fuzz.sh builds only fuzz_*.c).
 *   cc -o /tmp/xlsx_seeds tests/fuzz/xlsx_seeds.c -lxlsxwriter && /tmp/xlsx_seeds tests/fuzz/corpus/xlsx */
#include <stdio.h>

#include <xlsxwriter.h>

static void book(const char *dir, const char *name, int constant_memory, int rows, int dates)
{
    char path[512];
    lxw_workbook_options opt = {.constant_memory = (uint8_t)constant_memory};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *date;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    wb = workbook_new_opt(path, &opt);
    ws = workbook_add_worksheet(wb, "企业");
    date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
    worksheet_write_string(ws, 0, 0, "企业名称", NULL);
    worksheet_write_string(ws, 0, 1, "统一社会信用代码", NULL);
    worksheet_write_string(ws, 0, 2, "所在区域", NULL);
    worksheet_write_string(ws, 0, 3, "面积", NULL);
    if (dates)
        worksheet_write_string(ws, 0, 4, "签约日期", NULL);
    for (int r = 1; r <= rows; r++) {
        char n[64];
        lxw_datetime dt = {2020 + r % 6, 1 + r % 12, 1 + r % 28, 0, 0, 0};
        snprintf(n, sizeof n, "泉州测试企业%d,\"有限\"公司", r);
        worksheet_write_string(ws, (lxw_row_t)(r + (r > 2)), 0, n, NULL);
        worksheet_write_string(ws, (lxw_row_t)(r + (r > 2)), 1, "91350582MA2XXXXXXX", NULL);
        worksheet_write_number(ws, (lxw_row_t)(r + (r > 2)), 2, 350582, NULL);
        worksheet_write_number(ws, (lxw_row_t)(r + (r > 2)), 3, 1000.5 * r + 0.1, NULL);
        if (dates)
            worksheet_write_datetime(ws, (lxw_row_t)(r + (r > 2)), 4, &dt, date);
    }
    worksheet_write_boolean(ws, (lxw_row_t)(rows + 3), 5, 1, NULL);
    if (workbook_close(wb) != LXW_NO_ERROR)
        fprintf(stderr, "%s: failed\n", path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    book(dir, "shared.xlsx", 0, 3, 1);
    book(dir, "inline.xlsx", 1, 3, 1);
    book(dir, "plain.xlsx", 0, 1, 0);
    return 0;
}
