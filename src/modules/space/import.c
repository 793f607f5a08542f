/* import.c: bulk import of enterprises, units, leases and spaces from CSV (UTF-8 or GB18030).
 *
 * Headers may be field names or the field labels (zh-CN or en), so a sheet exported from the
 * UI imports back. Enterprises upsert by USCC and units by (building, unit number) through the
 * engine's batch path (one prepared upsert, one audit record per file); leases and spaces have
 * no natural key and go through the API's own create path row by row. The whole file is one
 * transaction: all or nothing, unless valid_only asks to skip the rejected rows. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/util/csv.h"
#include "core/util/xlsx.h"
#include "modules/space/space.h"

static void report_row(struct pb_buf *rep, size_t *nrej, size_t row, size_t line,
                       const struct pb_err *e, int en)
{
    const char *field = e->nfields ? e->fields[0].field : "";
    const char *code = e->nfields ? e->fields[0].code : pb_rc_name(e->rc);
    const char *msg =
        e->nfields ? (en ? e->fields[0].en : e->fields[0].zh) : (en ? e->detail_en : e->detail_zh);
    pb_buf_printf(rep, "%s{\"row\":%zu,\"line\":%zu,\"field\":", (*nrej)++ ? "," : "", row, line);
    pb_buf_json_str(rep, field);
    pb_buf_adds(rep, ",\"code\":");
    pb_buf_json_str(rep, code);
    pb_buf_adds(rep, ",\"message\":");
    pb_buf_json_str(rep, msg && *msg ? msg : "?");
    pb_buf_addc(rep, '}');
}

/* Header cell → field name (by name or by label). NULL if unknown. */
static const char *map_header(const struct pb_resource *r, const char *h)
{
    static const char *const pseudo[] = {"park_name", "building_name", "enterprise_uscc", NULL};
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_field *f = &r->fields[i];
        if (!strcmp(f->name, h) || (f->label_zh && !strcmp(f->label_zh, h)) ||
            (f->label_en && !strcmp(f->label_en, h)))
            return f->name;
    }
    for (int i = 0; pseudo[i]; i++)
        if (!strcmp(pseudo[i], h))
            return pseudo[i];
    if (!strcmp(h, "园区名称"))
        return "park_name";
    if (!strcmp(h, "楼栋名称"))
        return "building_name";
    return NULL;
}

struct import_args {
    struct pb_ctx *c;
    const struct pb_resource *r;
    const char *kind;
    const char *data;
    size_t len;
    const struct pb_import_opts *o;
    struct pb_buf *report;
    struct pb_import_result *res;
    size_t report_start;
    char last_key[400], last_id[24]; /* the last building resolved */
};

/* Resolve park_name + building_name → building_id (cached: files list a building's units
 * together). */
static int resolve_building(struct import_args *a, const char *park, const char *building,
                            char *out, size_t n, struct pb_err *err)
{
    struct pb_ctx *c = a->c;
    char *last_key = a->last_key, *last_id = a->last_id;
    char key[400];
    struct pb_stmt *st;
    int rc;
    snprintf(key, sizeof key, "%s\x1f%s", park, building);
    if (!strcmp(key, last_key)) {
        pb_strlcpy(out, last_id, n);
        return 0;
    }
    if ((rc = pb_db_prepare(c->db,
                            "SELECT b.id FROM building b JOIN park p ON p.id = b.park_id WHERE "
                            "p.name = ? AND b.name = ? AND b.archived_at IS NULL AND p.archived_at "
                            "IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, park);
    pb_stmt_bind_text(st, 2, building);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        snprintf(out, n, "%lld", (long long)pb_stmt_col_int(st, 0));
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc != PB_ROW)
        return pb_err_field(err, PB_E_NOT_FOUND, "building_name", "not_found",
                            "园区「%s」中没有楼栋「%s」", "park %s has no building %s",
                            strlen(park) < 60 ? park : "?", strlen(building) < 60 ? building : "?");
    pb_strlcpy(last_key, key, sizeof a->last_key);
    pb_strlcpy(last_id, out, sizeof a->last_id);
    return 0;
}

static int resolve_enterprise(struct pb_ctx *c, const char *uscc, char *out, size_t n,
                              struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(
             c->db, "SELECT id FROM enterprise WHERE uscc = ? AND archived_at IS NULL", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, uscc);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        snprintf(out, n, "%lld", (long long)pb_stmt_col_int(st, 0));
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc != PB_ROW)
        return pb_err_field(err, PB_E_NOT_FOUND, "enterprise_uscc", "not_found",
                            "统一社会信用代码 %s 的企业不存在", "no enterprise with USCC %s",
                            strlen(uscc) < 24 ? uscc : "?");
    return 0;
}

static int import_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct import_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_csv_reader rd;
    struct pb_res_batch batch;
    static const char *const ent_key[] = {"uscc", NULL};
    static const char *const unit_key[] = {"building_id", "number", NULL};
    int use_batch = !strcmp(a->kind, "enterprises") || !strcmp(a->kind, "units");
    const char **hdr = NULL; /* the header mapped to field (or pseudo-column) names */
    const char **names = NULL;
    const char **vals = NULL;
    size_t ncols = 0, nrej = 0;
    int rc, crc = PB_DONE, failed = 0, fatal = 0;
    struct pb_arena rowa, *saved = c->arena;
    (void)db;
    a->last_key[0] = 0;

    a->report->len = a->report_start;
    memset(a->res, 0, sizeof *a->res - sizeof a->res->encoding);
    pb_res_batch_init(&batch, c, a->r, !strcmp(a->kind, "enterprises") ? ent_key : unit_key);
    pb_csv_reader_init(&rd, a->data, a->len, 0, 256);
    while ((crc = pb_csv_reader_next(&rd)) == PB_ROW) {
        struct pb_err e;
        size_t n = 0;
        char bid[24], eid[24];
        const char *park_name = NULL, *building_name = NULL, *uscc = NULL;
        if (!hdr) {
            /* the header */
            ncols = rd.nfields;
            hdr = pb_arena_alloc(c->arena, sizeof(char *) * (ncols + 2));
            names = pb_arena_alloc(c->arena, sizeof(char *) * (ncols + 2));
            vals = pb_arena_alloc(c->arena, sizeof(char *) * (ncols + 2));
            for (size_t k = 0; k < ncols; k++) {
                const char *m = map_header(a->r, rd.fields[k]);
                if (!m) {
                    pb_err_clear(&e);
                    pb_err_field(&e, PB_E_BAD_REQUEST, "header", "unknown_column", "未知的列「%s」",
                                 "unknown column %s",
                                 strlen(rd.fields[k]) < 60 ? rd.fields[k] : "?");
                    report_row(a->report, &nrej, rd.row, rd.line, &e, c->lang_en);
                    fatal = 1;
                }
                hdr[k] = m;
            }
            if (fatal)
                break;
            continue;
        }
        a->res->rows++;
        pb_err_clear(&e);
        /* Each row's conversions live in a row arena: a million rows must not pile up. */
        pb_arena_init(&rowa);
        c->arena = &rowa;
        for (size_t k = 0; k < ncols; k++) {
            const char *v = k < rd.nfields ? rd.fields[k] : "";
            if (!strcmp(hdr[k], "park_name"))
                park_name = v;
            else if (!strcmp(hdr[k], "building_name"))
                building_name = v;
            else if (!strcmp(hdr[k], "enterprise_uscc"))
                uscc = v;
            else {
                names[n] = hdr[k];
                vals[n++] = v;
            }
        }
        rc = 0;
        if (rd.nfields != ncols) {
            pb_err_field(&e, PB_E_INVALID, "row", "column_count", "该行有 %zu 列，表头有 %zu 列",
                         "the row has %zu columns, the header %zu", rd.nfields, ncols);
            rc = PB_E_INVALID;
        } else if (park_name && building_name) {
            rc = resolve_building(a, park_name, building_name, bid, sizeof bid, &e);
            if (!rc) {
                names[n] = "building_id";
                vals[n++] = bid;
            }
        }
        if (!rc && uscc) {
            rc = resolve_enterprise(c, uscc, eid, sizeof eid, &e);
            if (!rc) {
                names[n] = "enterprise_id";
                vals[n++] = eid;
            }
        }
        if (!rc) {
            if (use_batch) {
                int ins = 0;
                rc = pb_res_batch_row(&batch, names, vals, n, NULL, &ins, &e);
            } else {
                json_t *body = json_object();
                for (size_t k = 0; k < n; k++)
                    if (vals[k][0])
                        json_object_set_new(body, names[k], json_string(vals[k]));
                rc = pb_res_create(c, a->r, body, NULL, NULL, NULL, &e);
                json_decref(body);
                if (!rc)
                    a->res->inserted++;
            }
        }
        c->arena = saved;
        pb_arena_release(&rowa);
        if (rc) {
            if (rc == PB_E_RETRY || rc == PB_E_DB || rc == PB_E_BUSY) {
                failed = rc;
                break;
            }
            report_row(a->report, &nrej, rd.row, rd.line, &e, c->lang_en);
            a->res->rejected++;
        }
        if (a->o && a->o->progress && (a->res->rows & 8191) == 0)
            a->o->progress(a->o->ud, rd.pos, a->len);
    }
    if (crc < 0 && !failed && !fatal) {
        struct pb_err e;
        pb_err_clear(&e);
        pb_err_set(&e, PB_E_INVALID, "%s", "%s", pb_csv_error_zh(crc), pb_csv_error_en(crc));
        report_row(a->report, &nrej, rd.row, rd.line, &e, c->lang_en);
        fatal = 1;
    }
    pb_csv_reader_release(&rd);
    if (a->o && a->o->progress)
        a->o->progress(a->o->ud, a->len, a->len);
    if (failed) {
        pb_res_batch_release(&batch);
        return failed;
    }
    a->res->inserted += batch.inserted;
    a->res->updated += batch.updated;
    if (fatal || (nrej && !(a->o && a->o->valid_only))) {
        pb_res_batch_release(&batch);
        return pb_err_set(err, PB_E_INVALID, "有 %zu 行未通过校验，未导入任何数据",
                          "%zu rows were rejected; nothing was imported", nrej);
    }
    rc = pb_res_batch_finish(&batch, a->o && a->o->source ? a->o->source : "", err);
    pb_res_batch_release(&batch);
    return rc;
}

int pb_import_csv(struct pb_ctx *c, const char *kind, const char *data, size_t len,
                  const struct pb_import_opts *o, struct pb_buf *report,
                  struct pb_import_result *res, struct pb_err *err)
{
    struct import_args a;
    struct pb_buf utf8;
    size_t bad = 0;
    const char *enc = NULL;
    int rc;
    memset(res, 0, sizeof *res);
    memset(&a, 0, sizeof a);
    a.r = !strcmp(kind, "enterprises") ? &pb_res_enterprises
          : !strcmp(kind, "units")     ? &pb_res_units
          : !strcmp(kind, "leases")    ? &pb_res_leases
          : !strcmp(kind, "spaces")    ? &pb_res_spaces
                                       : NULL;
    if (!a.r)
        return pb_err_field(err, PB_E_NOT_FOUND, "kind", "unknown_kind",
                            "可导入 enterprises、units、leases、spaces",
                            "importable: enterprises, units, leases, spaces");
    if (!pb_policy_allows(c->who->role, a.r->policy, PB_ACT_CREATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if (pb_xlsx_sniff(data, len)) {
        /* XLSX: its first sheet becomes CSV text (UTF-8), which then takes the CSV path. */
        char en[160], zh[160];
        pb_buf_init(&utf8, (size_t)1 << 30);
        if (pb_xlsx_to_csv(data, len, NULL, &utf8, en, sizeof en, zh, sizeof zh)) {
            pb_buf_release(&utf8);
            /* both formats take both reasons; each prints its own (%.0s skips the other) */
            pb_err_set(err, PB_E_INVALID, "无法读取 XLSX 文件：%s%.0s",
                       "%.0scannot read the XLSX file: %s", zh, en);
            return pb_err_field(err, PB_E_INVALID, "file", "invalid_xlsx",
                                "无法读取 XLSX 文件：%s%.0s", "%.0scannot read the XLSX file: %s",
                                zh, en);
        }
        enc = "xlsx";
    } else {
        /* GB18030 → UTF-8 grows text by at most half again; the default 64 MiB cap is too
         * small for a million rows. */
        pb_buf_init(&utf8, len * 2 + 64);
        rc = pb_text_to_utf8(data, len, &utf8, &enc, &bad);
        if (rc) {
            pb_buf_release(&utf8);
            return pb_err_set(err, PB_E_INVALID,
                              "文件既不是 UTF-8 也不是 GB18030 编码（第 %zu 字节）",
                              "the file is neither UTF-8 nor GB18030 (byte %zu)", bad);
        }
    }
    res->encoding = enc;
    a.c = c;
    a.kind = kind;
    a.data = utf8.data ? utf8.data : "";
    a.len = utf8.len;
    a.o = o;
    a.report = report;
    a.res = res;
    pb_buf_addc(report, '[');
    a.report_start = report->len;
    rc = pb_db_tx(c->db, 1, import_tx, &a, err);
    pb_buf_addc(report, ']');
    pb_buf_release(&utf8);
    res->committed = rc >= 0;
    if (rc >= 0) {
        res->rows = a.res->rows;
        return 0;
    }
    return rc;
}
