/* engine.c: the generic resource engine: list, get, create, patch, archive.
 *
 * SQL text is assembled only from descriptor identifiers (table and field names, which are
 * compile-time constants checked by pb_ident_ok at registration); every value is bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/refdata.h"
#include "core/resource/internal.h"
#include "core/util/b64.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

/* ---- registry ---- */

#define MAX_RESOURCES 64
static const struct pb_resource *registry[MAX_RESOURCES];
static size_t nregistry;

void pb_resource_register(const struct pb_resource *r)
{
    for (size_t i = 0; i < nregistry; i++)
        if (registry[i] == r)
            return;
    if (nregistry == MAX_RESOURCES || !pb_ident_ok(r->table)) {
        fprintf(stderr, "parkbrain: bad resource registration %s\n", r->name);
        abort();
    }
    for (size_t i = 0; i < r->nfields; i++)
        if (!pb_ident_ok(r->fields[i].name)) {
            fprintf(stderr, "parkbrain: bad field name in %s\n", r->name);
            abort();
        }
    registry[nregistry++] = r;
}

const struct pb_resource *pb_resource_find(const char *name)
{
    for (size_t i = 0; i < nregistry; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

size_t pb_resource_count(void)
{
    return nregistry;
}
const struct pb_resource *pb_resource_at(size_t i)
{
    return i < nregistry ? registry[i] : NULL;
}

const struct pb_field *pb_resource_field(const struct pb_resource *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name))
            return &r->fields[i];
    return NULL;
}

const struct pb_field pb_fixed_fields[PB_NCOLS_FIXED] = {
    [PB_COL_ID] = {"id", PB_INT, .readonly = 1, .sortable = 1, .label_zh = "编号",
                   .label_en = "ID"},
    [PB_COL_REGION] = {"region_code", PB_REGION, .readonly = 1, .label_zh = "行政区划",
                       .label_en = "Region"},
    [PB_COL_VERSION] = {"version", PB_INT, .readonly = 1, .label_zh = "版本",
                        .label_en = "Version"},
    [PB_COL_CREATED] = {"created_at", PB_TIME, .readonly = 1, .sortable = 1, .label_zh = "创建时间",
                        .label_en = "Created"},
    [PB_COL_UPDATED] = {"updated_at", PB_TIME, .readonly = 1, .sortable = 1, .label_zh = "更新时间",
                        .label_en = "Updated"},
    [PB_COL_BY] = {"created_by", PB_INT, .readonly = 1, .label_zh = "创建人",
                   .label_en = "Created by"},
    [PB_COL_ARCHIVED] = {"archived_at", PB_TIME, .readonly = 1, .label_zh = "归档时间",
                         .label_en = "Archived"},
};

static const struct pb_field *fixed_by_name(const char *name)
{
    for (int i = 0; i < PB_NCOLS_FIXED; i++)
        if (!strcmp(pb_fixed_fields[i].name, name))
            return &pb_fixed_fields[i];
    return NULL;
}

int pb_res_scope_index(const struct pb_resource *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].scope)
            return (int)i;
    return -1;
}

const struct pb_val *pb_rec_get(const struct pb_rec *rec, const char *field)
{
    for (size_t i = 0; i < rec->r->nfields; i++)
        if (!strcmp(rec->r->fields[i].name, field))
            return &rec->v[i];
    return NULL;
}

/* ---- SQL builder ---- */

void pb_sqlb_init(struct pb_sqlb *q)
{
    memset(q, 0, sizeof *q);
    pb_buf_init(&q->sql, 1 << 16);
}

void pb_sqlb_release(struct pb_sqlb *q)
{
    pb_buf_release(&q->sql);
}

static void sqlb_bind(struct pb_sqlb *q, int kind, int64_t i, const char *s)
{
    if (q->nbinds == (int)PB_ARRAY_LEN(q->binds)) {
        q->overflow = 1;
        return;
    }
    q->binds[q->nbinds].kind = kind;
    q->binds[q->nbinds].i = i;
    q->binds[q->nbinds].s = s;
    q->nbinds++;
    pb_buf_addc(&q->sql, '?');
}

void pb_sqlb_int(struct pb_sqlb *q, int64_t v)
{
    sqlb_bind(q, 1, v, NULL);
}
void pb_sqlb_text(struct pb_sqlb *q, const char *s)
{
    sqlb_bind(q, s ? 2 : 0, 0, s);
}

void pb_sqlb_val(struct pb_sqlb *q, const struct pb_val *v)
{
    if (v->is_null)
        sqlb_bind(q, 0, 0, NULL);
    else if (v->s)
        sqlb_bind(q, 2, 0, v->s);
    else
        sqlb_bind(q, 1, v->i, NULL);
}

int pb_sqlb_prepare(struct pb_db *db, struct pb_sqlb *q, struct pb_stmt **out)
{
    int rc;
    if (q->overflow || q->sql.err)
        return PB_E_INTERNAL;
    if ((rc = pb_db_prepare(db, pb_buf_cstr(&q->sql), out)))
        return rc;
    for (int i = 0; i < q->nbinds; i++) {
        if (q->binds[i].kind == 0)
            pb_stmt_bind_null(*out, i + 1);
        else if (q->binds[i].kind == 1)
            pb_stmt_bind_int(*out, i + 1, q->binds[i].i);
        else
            pb_stmt_bind_text(*out, i + 1, q->binds[i].s);
    }
    return 0;
}

static int is_int_type(enum pb_ftype t)
{
    return t == PB_INT || t == PB_BOOL || t == PB_MONEY || t == PB_AREA || t == PB_COORD_LNG ||
           t == PB_COORD_LAT || t == PB_REF || t == PB_TIME;
}

/* ---- rows ---- */

void pb_res_columns(const struct pb_resource *r, struct pb_buf *out)
{
    pb_buf_adds(out, "id, region_code, version, created_at, updated_at, created_by, archived_at");
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->fields[i].scope)
            continue;
        pb_buf_adds(out, ", ");
        pb_buf_adds(out, r->fields[i].name);
    }
}

static void read_val(struct pb_ctx *c, const struct pb_field *f, struct pb_stmt *st, int col,
                     struct pb_val *v)
{
    memset(v, 0, sizeof *v);
    if (pb_stmt_col_null(st, col)) {
        v->is_null = 1;
        return;
    }
    if (is_int_type(f->type))
        v->i = pb_stmt_col_int(st, col);
    else
        v->s = pb_arena_strdup(c->arena, pb_stmt_col_text(st, col));
}

void pb_res_read_row(struct pb_ctx *c, const struct pb_resource *r, struct pb_stmt *st,
                     struct pb_rec *rec)
{
    int col = PB_NCOLS_FIXED, scope = pb_res_scope_index(r);
    rec->r = r;
    for (int i = 0; i < PB_NCOLS_FIXED; i++)
        read_val(c, &pb_fixed_fields[i], st, i, &rec->fixed[i]);
    rec->v = pb_arena_alloc(c->arena, sizeof(struct pb_val) * (r->nfields ? r->nfields : 1));
    for (size_t i = 0; i < r->nfields; i++) {
        if ((int)i == scope) {
            rec->v[i] = rec->fixed[PB_COL_REGION];
            continue;
        }
        read_val(c, &r->fields[i], st, col++, &rec->v[i]);
    }
}

/* ---- JSON output ---- */

void pb_res_put_val(struct pb_buf *out, const struct pb_field *f, const struct pb_val *v)
{
    char t[48];
    if (v->is_null) {
        pb_buf_adds(out, "null");
        return;
    }
    switch (f->type) {
    case PB_INT:
    case PB_REF:
        pb_buf_printf(out, "%lld", (long long)v->i);
        break;
    case PB_BOOL:
        pb_buf_adds(out, v->i ? "true" : "false");
        break;
    case PB_MONEY:
    case PB_AREA:
        pb_dec_format(v->i, 2, t, sizeof t);
        pb_buf_json_str(out, t);
        break;
    case PB_COORD_LNG:
    case PB_COORD_LAT:
        pb_dec_format(v->i, 6, t, sizeof t);
        pb_buf_json_str(out, t);
        break;
    case PB_TIME:
        pb_iso_utc(v->i, t);
        pb_buf_json_str(out, t);
        break;
    default:
        pb_buf_json_str(out, v->s ? v->s : "");
    }
}

void pb_field_put_json(struct pb_buf *out, const struct pb_field *f, const struct pb_val *v)
{
    pb_res_put_val(out, f, v);
}

void pb_res_put_rec(struct pb_ctx *c, const struct pb_rec *rec, struct pb_buf *out)
{
    const struct pb_resource *r = rec->r;
    pb_buf_printf(out, "{\"id\":%lld,\"region_code\":", (long long)rec->fixed[PB_COL_ID].i);
    pb_res_put_val(out, &pb_fixed_fields[PB_COL_REGION], &rec->fixed[PB_COL_REGION]);
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->fields[i].scope)
            continue;
        pb_buf_printf(out, ",\"%s\":", r->fields[i].name);
        if (r->fields[i].pii && !rec->v[i].is_null && rec->v[i].s) {
            /* Personal data leaves the server masked; the full value needs the audited
             * unmask route of its domain (reliability.md, Access). */
            char m[256];
            pb_phone_mask(rec->v[i].s, m, sizeof m);
            pb_buf_json_str(out, m);
            continue;
        }
        pb_res_put_val(out, &r->fields[i], &rec->v[i]);
    }
    if (r->decorate)
        r->decorate(c, rec, out);
    pb_buf_printf(out,
                  ",\"version\":%lld,\"created_at\":", (long long)rec->fixed[PB_COL_VERSION].i);
    pb_res_put_val(out, &pb_fixed_fields[PB_COL_CREATED], &rec->fixed[PB_COL_CREATED]);
    pb_buf_adds(out, ",\"updated_at\":");
    pb_res_put_val(out, &pb_fixed_fields[PB_COL_UPDATED], &rec->fixed[PB_COL_UPDATED]);
    pb_buf_adds(out, ",\"archived_at\":");
    pb_res_put_val(out, &pb_fixed_fields[PB_COL_ARCHIVED], &rec->fixed[PB_COL_ARCHIVED]);
    pb_buf_addc(out, '}');
}

static const char *label(struct pb_ctx *c, const struct pb_field *f)
{
    const char *l = c->lang_en ? f->label_en : f->label_zh;
    return l ? l : f->name;
}

/* ---- input conversion ---- */

static int trailing_ws(const char *s)
{
    size_t n = strlen(s);
    return n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}

/* Convert text (from a JSON string or a query parameter) into the stored form. `name` is the
 * field name reported in errors (a filter may be "land_m2_min"). */
static int conv_text(struct pb_ctx *c, const struct pb_field *f, const char *name, const char *s,
                     struct pb_val *out, struct pb_err *err)
{
    const char *L = label(c, f);
    int rc;
    memset(out, 0, sizeof *out);
    switch (f->type) {
    case PB_TEXT: {
        size_t max = f->max_len ? (size_t)f->max_len : 200, n;
        if (!pb_utf8_valid(s, strlen(s)))
            return pb_err_field(err, PB_E_INVALID, name, "invalid_utf8", "「%s」含有无效字符",
                                "%s contains invalid characters", L);
        for (const char *p = s; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
                return pb_err_field(err, PB_E_INVALID, name, "control_char", "「%s」含有控制字符",
                                    "%s contains control characters", L);
        n = pb_utf8_len(s);
        if (n > max)
            return pb_err_field(err, PB_E_INVALID, name, "too_long", "「%s」不能超过 %zu 个字符",
                                "%s must be at most %zu characters", L, max);
        if (f->required && n == 0)
            return pb_err_field(err, PB_E_INVALID, name, "required", "「%s」为必填项",
                                "%s is required", L);
        if (trailing_ws(s) && max <= 200)
            return pb_err_field(err, PB_E_INVALID, name, "whitespace", "「%s」首尾不能有空格",
                                "%s must not start or end with spaces", L);
        out->s = pb_arena_strdup(c->arena, s);
        return 0;
    }
    case PB_ENUM:
        for (int i = 0; f->enums[i]; i++)
            if (!strcmp(f->enums[i], s)) {
                out->s = f->enums[i];
                return 0;
            }
        {
            struct pb_buf opts;
            pb_buf_init(&opts, 512);
            for (int i = 0; f->enums[i]; i++)
                pb_buf_printf(&opts, "%s%s", i ? ", " : "", f->enums[i]);
            rc = pb_err_field(err, PB_E_INVALID, name, "invalid_choice", "「%s」应为以下之一：%s",
                              "%s must be one of: %s", L, pb_buf_cstr(&opts));
            pb_buf_release(&opts);
            return rc;
        }
    case PB_DATE:
        if (!pb_date_valid(s))
            return pb_err_field(err, PB_E_INVALID, name, "invalid_date",
                                "「%s」应为有效日期，格式 YYYY-MM-DD",
                                "%s must be a real date as YYYY-MM-DD", L);
        out->s = pb_arena_strdup(c->arena, s);
        return 0;
    case PB_REGION:
        if (!pb_region_find(s))
            return pb_err_field(err, PB_E_INVALID, name, "unknown_region", "行政区划代码 %s 不存在",
                                "region code %s does not exist", strlen(s) < 24 ? s : "?");
        out->s = pb_region_find(s)->code;
        return 0;
    case PB_INDUSTRY:
        if (!pb_industry_find(s))
            return pb_err_field(
                err, PB_E_INVALID, name, "unknown_industry", "行业代码 %s 不在 GB/T 4754-2017 中",
                "industry code %s is not in GB/T 4754-2017", strlen(s) < 16 ? s : "?");
        out->s = pb_industry_find(s)->code;
        return 0;
    case PB_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "1"))
            out->i = 1;
        else if (!strcmp(s, "false") || !strcmp(s, "0"))
            out->i = 0;
        else
            return pb_err_field(err, PB_E_INVALID, name, "invalid_bool", "「%s」应为 true 或 false",
                                "%s must be true or false", L);
        return 0;
    case PB_INT:
    case PB_REF:
        if (pb_parse_i64(s, &out->i))
            return pb_err_field(err, PB_E_INVALID, name, "invalid_integer", "「%s」应为整数",
                                "%s must be a whole number", L);
        break;
    case PB_MONEY:
    case PB_AREA:
    case PB_COORD_LNG:
    case PB_COORD_LAT: {
        int scale = (f->type == PB_MONEY || f->type == PB_AREA) ? 2 : 6;
        rc = pb_dec_parse(s, scale, &out->i);
        if (rc == -1)
            return pb_err_field(err, PB_E_INVALID, name, "too_precise", "「%s」最多 %d 位小数",
                                "%s allows at most %d decimals", L, scale);
        if (rc)
            return pb_err_field(err, PB_E_INVALID, name, "invalid_number", "「%s」应为数字，如 %s",
                                "%s must be a number such as %s", L,
                                scale == 2 ? "1234.56" : "118.675676");
        break;
    }
    case PB_TIME:
        if (pb_iso_parse(s, &out->i))
            return pb_err_field(err, PB_E_INVALID, name, "invalid_time", "「%s」应为 ISO-8601 时间",
                                "%s must be an ISO-8601 time", L);
        return 0;
    }
    /* Numeric ranges. */
    if (f->type == PB_COORD_LNG && (out->i < -180000000 || out->i > 180000000))
        return pb_err_field(err, PB_E_INVALID, name, "out_of_range", "「%s」应在 -180 到 180 之间",
                            "%s must be between -180 and 180", L);
    if (f->type == PB_COORD_LAT && (out->i < -90000000 || out->i > 90000000))
        return pb_err_field(err, PB_E_INVALID, name, "out_of_range", "「%s」应在 -90 到 90 之间",
                            "%s must be between -90 and 90", L);
    if ((f->min || f->max) && (out->i < f->min || out->i > f->max)) {
        char lo[48], hi[48];
        if (f->type == PB_MONEY || f->type == PB_AREA) {
            pb_dec_format(f->min, 2, lo, sizeof lo);
            pb_dec_format(f->max, 2, hi, sizeof hi);
        } else {
            snprintf(lo, sizeof lo, "%lld", (long long)f->min);
            snprintf(hi, sizeof hi, "%lld", (long long)f->max);
        }
        return pb_err_field(err, PB_E_INVALID, name, "out_of_range", "「%s」应在 %s 到 %s 之间",
                            "%s must be between %s and %s", L, lo, hi);
    }
    return 0;
}

int pb_field_from_text(struct pb_ctx *c, const struct pb_field *f, const char *name, const char *s,
                       struct pb_val *out, struct pb_err *err)
{
    return conv_text(c, f, name, s, out, err);
}

static int conv_json(struct pb_ctx *c, const struct pb_field *f, json_t *j, struct pb_val *out,
                     struct pb_err *err)
{
    const char *L = label(c, f);
    char t[64];
    memset(out, 0, sizeof *out);
    if (json_is_null(j)) {
        if (f->required)
            return pb_err_field(err, PB_E_INVALID, f->name, "required", "「%s」为必填项",
                                "%s is required", L);
        out->is_null = 1;
        return 0;
    }
    if (json_is_string(j))
        return conv_text(c, f, f->name, json_string_value(j), out, err);
    if (json_is_boolean(j) && f->type == PB_BOOL) {
        out->i = json_is_true(j);
        return 0;
    }
    if (json_is_integer(j) &&
        (f->type == PB_INT || f->type == PB_REF || f->type == PB_MONEY || f->type == PB_AREA ||
         f->type == PB_COORD_LNG || f->type == PB_COORD_LAT)) {
        snprintf(t, sizeof t, "%lld", (long long)json_integer_value(j));
        return conv_text(c, f, f->name, t, out, err);
    }
    if (json_is_real(j) && (f->type == PB_MONEY || f->type == PB_AREA || f->type == PB_COORD_LNG ||
                            f->type == PB_COORD_LAT)) {
        int scale = (f->type == PB_MONEY || f->type == PB_AREA) ? 2 : 6;
        int64_t v;
        if (pb_dec_from_double(json_real_value(j), scale, &v))
            return pb_err_field(err, PB_E_INVALID, f->name, "too_precise", "「%s」最多 %d 位小数",
                                "%s allows at most %d decimals", L, scale);
        pb_dec_format(v, scale, t, sizeof t);
        return conv_text(c, f, f->name, t, out, err);
    }
    return pb_err_field(err, PB_E_INVALID, f->name, "invalid_type", "「%s」的类型不正确",
                        "%s has the wrong type", L);
}

int pb_field_from_json(struct pb_ctx *c, const struct pb_field *f, json_t *j, struct pb_val *out,
                       struct pb_err *err)
{
    return conv_json(c, f, j, out, err);
}

/* Check the body's keys: unknown → 400 unknown_field; engine-owned/read-only/immutable → 400
 * read_only. */
static int check_keys(struct pb_ctx *c, const struct pb_resource *r, json_t *body, int patching,
                      struct pb_err *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(body))
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求体应为 JSON 对象",
                          "the body must be a JSON object");
    json_object_foreach(body, key, v)
    {
        const struct pb_field *f = pb_resource_field(r, key);
        (void)v;
        if (!f) {
            int computed = 0;
            for (size_t i = 0; i < r->ncomputed; i++)
                if (!strcmp(r->computed[i].name, key))
                    computed = 1;
            if (fixed_by_name(key) || computed)
                pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "read_only",
                             "字段 %s 为只读", "field %s is read-only",
                             strlen(key) < 60 ? key : "?");
            else
                pb_err_field(err, PB_E_BAD_REQUEST, strlen(key) < 60 ? key : "?", "unknown_field",
                             "未知字段 %s", "unknown field %s", strlen(key) < 60 ? key : "?");
            continue;
        }
        if (f->readonly || (patching && f->immutable))
            pb_err_field(err, PB_E_BAD_REQUEST, key, "read_only", "字段 %s 为只读",
                         "field %s is read-only", key);
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_BAD_REQUEST, "请求含有未知或只读字段",
                          "the request has unknown or read-only fields");
    return 0;
}

/* ---- list parsing ---- */

int pb_list_parse(const struct pb_resource *r, const struct pb_kv *kv, size_t nkv,
                  const char *const *extra_ok, struct pb_list_req *out, struct pb_err *err)
{
    memset(out, 0, sizeof *out);
    out->limit = 50;
    for (size_t i = 0; i < nkv; i++) {
        const char *k = kv[i].key, *v = kv[i].value;
        const struct pb_field *f;
        int handled = 0;
        for (int j = 0; extra_ok && extra_ok[j]; j++)
            if (!strcmp(extra_ok[j], k))
                handled = 1;
        if (handled || !strcmp(k, "lang"))
            continue;
        if (!strcmp(k, "q")) {
            if (pb_utf8_len(v) > 100)
                pb_err_field(err, PB_E_INVALID, "q", "too_long", "搜索词不能超过 100 个字符",
                             "the search text must be at most 100 characters");
            out->q = v[0] ? v : NULL;
            continue;
        }
        if (!strcmp(k, "limit")) {
            int64_t n;
            if (pb_parse_i64(v, &n) || n < 1 || n > 500)
                pb_err_field(err, PB_E_INVALID, "limit", "out_of_range", "每页条数应为 1 到 500",
                             "limit must be from 1 to 500");
            else
                out->limit = (int)n;
            continue;
        }
        if (!strcmp(k, "cursor")) {
            out->cursor = v[0] ? v : NULL;
            continue;
        }
        if (!strcmp(k, "include_archived")) {
            if (!strcmp(v, "1") || !strcmp(v, "true"))
                out->include_archived = 1;
            else if (strcmp(v, "0") && strcmp(v, "false"))
                pb_err_field(err, PB_E_INVALID, "include_archived", "invalid_bool",
                             "include_archived 应为 1 或 0", "include_archived must be 1 or 0");
            continue;
        }
        if (!strcmp(k, "sort")) {
            char buf[128];
            char *save = NULL, *tok;
            if (strlen(v) >= sizeof buf) {
                pb_err_field(err, PB_E_INVALID, "sort", "invalid_sort", "排序参数过长",
                             "sort is too long");
                continue;
            }
            pb_strlcpy(buf, v, sizeof buf);
            out->nsort = 0;
            for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                int desc = tok[0] == '-';
                const char *name = desc ? tok + 1 : tok;
                const struct pb_field *sf = pb_resource_field(r, name);
                if (!sf)
                    sf = fixed_by_name(name);
                if (!sf || !sf->sortable || out->nsort == PB_LIST_MAX_SORT) {
                    pb_err_field(err, PB_E_INVALID, "sort", "invalid_sort", "不能按 %s 排序",
                                 "cannot sort by %s", strlen(name) < 40 ? name : "?");
                    break;
                }
                out->sort[out->nsort].f = sf;
                out->sort[out->nsort].desc = desc;
                out->nsort++;
            }
            continue;
        }
        for (const struct pb_subfilter *sf = r->subfilters; sf && sf->name && !handled; sf++) {
            if (strcmp(sf->name, k))
                continue;
            handled = 1;
            if (!v[0])
                break; /* an empty filter is no filter */
            if (pb_parse_i64(v, &out->subs[out->nsubs].value) || out->nsubs == 4)
                pb_err_field(err, PB_E_INVALID, sf->name, "invalid_int", "%s 应为整数",
                             "%s must be an integer", sf->name);
            else
                out->subs[out->nsubs++].sf = sf;
        }
        if (handled)
            continue;
        f = pb_resource_field(r, k);
        if (f && f->filter != PB_FILTER_NONE && !v[0])
            continue; /* an empty filter is no filter (a cleared form field) */
        if (f && f->filter != PB_FILTER_NONE) {
            if (out->nfilters == PB_LIST_MAX_FILTERS) {
                pb_err_field(err, PB_E_BAD_REQUEST, k, "too_many", "筛选条件过多",
                             "too many filters");
                continue;
            }
            if (f->filter == PB_FILTER_LIKE) {
                if (pb_utf8_len(v) > 100)
                    pb_err_field(err, PB_E_INVALID, k, "too_long", "筛选词过长",
                                 "filter text too long");
                out->filters[out->nfilters].f = f;
                out->filters[out->nfilters].op = 1;
                out->filters[out->nfilters].value = v;
                out->nfilters++;
                continue;
            }
            out->filters[out->nfilters].f = f;
            out->filters[out->nfilters].op = 0;
            out->filters[out->nfilters].value = v;
            out->nfilters++;
            continue;
        }
        {
            size_t kl = strlen(k);
            int op = -1;
            char base[64];
            if (kl > 4 && kl < sizeof base + 4 && !strcmp(k + kl - 4, "_min"))
                op = 2;
            else if (kl > 4 && kl < sizeof base + 4 && !strcmp(k + kl - 4, "_max"))
                op = 3;
            if (op > 0) {
                pb_strlcpy(base, k, kl - 3 < sizeof base ? kl - 3 : sizeof base);
                f = pb_resource_field(r, base);
                if (f && f->filter == PB_FILTER_RANGE && out->nfilters < PB_LIST_MAX_FILTERS) {
                    out->filters[out->nfilters].f = f;
                    out->filters[out->nfilters].op = op;
                    out->filters[out->nfilters].value = v;
                    out->nfilters++;
                    continue;
                }
            }
        }
        pb_err_field(err, PB_E_BAD_REQUEST, strlen(k) < 60 ? k : "?", "unknown_parameter",
                     "未知查询参数 %s", "unknown query parameter %s", strlen(k) < 60 ? k : "?");
    }
    if (err->nfields && !err->detail_en[0]) {
        if (err->rc == PB_E_BAD_REQUEST)
            pb_err_set(err, PB_E_BAD_REQUEST, "查询参数有误", "the query has unknown parameters");
        else
            pb_err_set(err, PB_E_INVALID, "查询参数有误", "the query parameters are invalid");
    }
    return err->nfields ? err->rc : 0;
}

/* ---- WHERE / ORDER BY ---- */

static void scope_clause(struct pb_ctx *c, const struct pb_resource *r, struct pb_sqlb *q)
{
    const struct pb_principal *p = c->who;
    if (p->role == PB_ROLE_ENTERPRISE) {
        /* An enterprise sees its own records only, whatever their region. */
        if (!r->enterprise_col || p->enterprise_id <= 0) {
            pb_buf_adds(&q->sql, " AND 1 = 0");
            return;
        }
        pb_buf_printf(&q->sql, " AND %s = ", r->enterprise_col);
        pb_sqlb_int(q, p->enterprise_id);
        return;
    }
    if (pb_principal_by_park(p)) {
        if (!r->park_col || p->nparks == 0) {
            pb_buf_adds(&q->sql, " AND 1 = 0");
            return;
        }
        pb_buf_printf(&q->sql, " AND %s IN (", r->park_col);
        for (int i = 0; i < p->nparks; i++) {
            if (i)
                pb_buf_adds(&q->sql, ", ");
            pb_sqlb_int(q, p->parks[i]);
        }
        pb_buf_addc(&q->sql, ')');
        return;
    }
    if (p->all_regions)
        return;
    if (p->nregions == 0) {
        pb_buf_adds(&q->sql, " AND 1 = 0");
        return;
    }
    pb_buf_adds(&q->sql, " AND region_code IN (");
    for (int i = 0; i < p->nregions; i++) {
        if (i)
            pb_buf_adds(&q->sql, ", ");
        pb_sqlb_text(q, p->regions[i]);
    }
    pb_buf_addc(&q->sql, ')');
}

/* Lower-case ASCII and escape LIKE metacharacters; wrap in %. */
static const char *like_pattern(struct pb_ctx *c, const char *s)
{
    size_t n = strlen(s);
    char *p = pb_arena_alloc(c->arena, n * 2 + 3), *o = p;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%' || ch == '_' || ch == '\\')
            *o++ = '\\';
        *o++ = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
    *o++ = '%';
    *o = 0;
    return p;
}

/* The expression a sort key orders by: nullable columns are coalesced so that both databases
 * order NULLs alike and the cursor can compare them. */
static void sort_expr(const struct pb_field *f, struct pb_buf *out)
{
    if (f->required || f->readonly)
        pb_buf_adds(out, f->scope ? "region_code" : f->name);
    else if (is_int_type(f->type))
        pb_buf_printf(out, "COALESCE(%s, -9223372036854775807)", f->name);
    else
        pb_buf_printf(out, "COALESCE(%s, '')", f->name);
}

static void effective_sort(const struct pb_resource *r, const struct pb_list_req *lr,
                           const struct pb_field **keys, int *desc, int *n)
{
    *n = 0;
    if (lr->nsort) {
        for (int i = 0; i < lr->nsort; i++) {
            keys[*n] = lr->sort[i].f;
            desc[(*n)++] = lr->sort[i].desc;
        }
        return;
    }
    /* default_sort: "-updated_at" style, a single key */
    {
        const char *ds = r->default_sort ? r->default_sort : "-updated_at";
        int d = ds[0] == '-';
        const struct pb_field *f = pb_resource_field(r, d ? ds + 1 : ds);
        if (!f)
            f = fixed_by_name(d ? ds + 1 : ds);
        if (f) {
            keys[0] = f;
            desc[0] = d;
            *n = 1;
        }
    }
}

static void sort_spec_text(const struct pb_field **keys, const int *desc, int n, struct pb_buf *out)
{
    for (int i = 0; i < n; i++)
        pb_buf_printf(out, "%s%s%s", i ? "," : "", desc[i] ? "-" : "", keys[i]->name);
}

void pb_res_order(const struct pb_resource *r, const struct pb_list_req *lr, struct pb_sqlb *q)
{
    const struct pb_field *keys[PB_LIST_MAX_SORT + 1];
    int desc[PB_LIST_MAX_SORT + 1], n;
    effective_sort(r, lr, keys, desc, &n);
    pb_buf_adds(&q->sql, " ORDER BY ");
    for (int i = 0; i < n; i++) {
        sort_expr(keys[i], &q->sql);
        pb_buf_adds(&q->sql, desc[i] ? " DESC, " : " ASC, ");
    }
    pb_buf_adds(&q->sql, n && desc[n - 1] ? "id DESC" : "id ASC");
}

/* Cursor: base64url of a JSON array [sort_spec, v1, …, vn, id]. */
static int cursor_clause(struct pb_ctx *c, const struct pb_resource *r,
                         const struct pb_list_req *lr, struct pb_sqlb *q, struct pb_err *err)
{
    const struct pb_field *keys[PB_LIST_MAX_SORT + 1];
    int desc[PB_LIST_MAX_SORT + 1], n;
    unsigned char raw[2048];
    size_t rawlen = 0;
    json_t *arr = NULL;
    json_error_t jerr;
    struct pb_buf spec;
    struct pb_val vals[PB_LIST_MAX_SORT];
    int64_t id;
    int ok = 0;

    effective_sort(r, lr, keys, desc, &n);
    pb_buf_init(&spec, 512);
    sort_spec_text(keys, desc, n, &spec);
    if (strlen(lr->cursor) < 2048 &&
        pb_b64url_decode(lr->cursor, strlen(lr->cursor), raw, sizeof raw - 1, &rawlen) == 0) {
        raw[rawlen] = 0;
        arr = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, &jerr);
    }
    if (arr && json_is_array(arr) && json_array_size(arr) == (size_t)n + 2 &&
        json_is_string(json_array_get(arr, 0)) &&
        !strcmp(json_string_value(json_array_get(arr, 0)), pb_buf_cstr(&spec)) &&
        json_is_integer(json_array_get(arr, (size_t)n + 1))) {
        ok = 1;
        id = json_integer_value(json_array_get(arr, (size_t)n + 1));
        for (int i = 0; i < n && ok; i++) {
            json_t *v = json_array_get(arr, (size_t)i + 1);
            memset(&vals[i], 0, sizeof vals[i]);
            if (is_int_type(keys[i]->type) && json_is_integer(v))
                vals[i].i = json_integer_value(v);
            else if (!is_int_type(keys[i]->type) && json_is_string(v))
                vals[i].s = pb_arena_strdup(c->arena, json_string_value(v));
            else
                ok = 0;
        }
    }
    pb_buf_release(&spec);
    if (!ok) {
        json_decref(arr);
        return pb_err_field(err, PB_E_BAD_REQUEST, "cursor", "invalid_cursor",
                            "分页游标无效或与排序不符",
                            "the cursor is invalid or does not match the sort");
    }
    json_decref(arr);
    /* (k1 > v1) OR (k1 = v1 AND k2 > v2) OR … OR (k1 = v1 AND … AND id > last_id) */
    pb_buf_adds(&q->sql, " AND (");
    for (int i = 0; i <= n; i++) {
        if (i)
            pb_buf_adds(&q->sql, " OR ");
        pb_buf_addc(&q->sql, '(');
        for (int j = 0; j < i; j++) {
            sort_expr(keys[j], &q->sql);
            pb_buf_adds(&q->sql, " = ");
            pb_sqlb_val(q, &vals[j]);
            pb_buf_adds(&q->sql, " AND ");
        }
        if (i < n) {
            sort_expr(keys[i], &q->sql);
            pb_buf_adds(&q->sql, desc[i] ? " < " : " > ");
            pb_sqlb_val(q, &vals[i]);
        } else {
            pb_buf_adds(&q->sql, n && desc[n - 1] ? "id < " : "id > ");
            pb_sqlb_int(q, id);
        }
        pb_buf_addc(&q->sql, ')');
    }
    pb_buf_addc(&q->sql, ')');
    return 0;
}

static void make_cursor(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                        const struct pb_rec *rec, struct pb_buf *out)
{
    const struct pb_field *keys[PB_LIST_MAX_SORT + 1];
    int desc[PB_LIST_MAX_SORT + 1], n;
    struct pb_buf spec, js;
    char enc[4096];
    effective_sort(r, lr, keys, desc, &n);
    pb_buf_init(&spec, 512);
    pb_buf_init(&js, 2048);
    sort_spec_text(keys, desc, n, &spec);
    pb_buf_addc(&js, '[');
    pb_buf_json_str(&js, pb_buf_cstr(&spec));
    for (int i = 0; i < n; i++) {
        const struct pb_val *v = NULL;
        const struct pb_field *f = keys[i];
        for (int k = 0; k < PB_NCOLS_FIXED; k++)
            if (f == &pb_fixed_fields[k])
                v = &rec->fixed[k];
        if (!v)
            v = pb_rec_get(rec, f->name);
        pb_buf_addc(&js, ',');
        if (is_int_type(f->type))
            pb_buf_printf(&js, "%lld", (long long)(v->is_null ? -9223372036854775807LL : v->i));
        else
            pb_buf_json_str(&js, v->is_null || !v->s ? "" : v->s);
    }
    pb_buf_printf(&js, ",%lld]", (long long)rec->fixed[PB_COL_ID].i);
    if (!js.err && pb_b64url_encode(js.data, js.len, enc, sizeof enc) == 0)
        pb_buf_json_str(out, enc);
    else
        pb_buf_adds(out, "null");
    pb_buf_release(&spec);
    pb_buf_release(&js);
    (void)c;
}

int pb_res_where(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                 struct pb_sqlb *q, int with_cursor, struct pb_err *err)
{
    pb_buf_adds(&q->sql, " WHERE 1 = 1");
    if (!lr->include_archived)
        pb_buf_adds(&q->sql, " AND archived_at IS NULL");
    scope_clause(c, r, q);
    for (int i = 0; i < lr->nfilters; i++) {
        const struct pb_field *f = lr->filters[i].f;
        const char *col = f->scope ? "region_code" : f->name;
        struct pb_val v;
        char ename[80];
        if (lr->filters[i].op == 1) {
            pb_buf_printf(&q->sql, " AND LOWER(%s) LIKE LOWER(", col);
            pb_sqlb_text(q, like_pattern(c, lr->filters[i].value));
            pb_buf_addc(&q->sql, ')');
            pb_buf_adds(&q->sql, " ESCAPE '\\'");
            continue;
        }
        snprintf(ename, sizeof ename, "%s%s", f->name,
                 lr->filters[i].op == 2   ? "_min"
                 : lr->filters[i].op == 3 ? "_max"
                                          : "");
        if (conv_text(c, f, ename, lr->filters[i].value, &v, err))
            continue;
        pb_buf_printf(&q->sql, " AND %s %s ", col,
                      lr->filters[i].op == 2   ? ">="
                      : lr->filters[i].op == 3 ? "<="
                                               : "=");
        pb_sqlb_val(q, &v);
    }
    for (int i = 0; i < lr->nsubs; i++) {
        const char *sql = lr->subs[i].sf->sql, *qm = strchr(sql, '?');
        pb_buf_adds(&q->sql, " AND ");
        pb_buf_add(&q->sql, sql, (size_t)(qm - sql));
        pb_sqlb_int(q, lr->subs[i].value);
        pb_buf_adds(&q->sql, qm + 1);
    }
    if (err->nfields)
        return pb_err_set(err, PB_E_INVALID, "筛选条件有误", "a filter value is invalid");
    if (lr->q) {
        int first = 1;
        const char *pat = like_pattern(c, lr->q);
        for (size_t i = 0; i < r->nfields; i++) {
            if (!r->fields[i].search)
                continue;
            pb_buf_adds(&q->sql, first ? " AND (" : " OR ");
            /* Both sides through the database's LOWER: SQLite folds ASCII only, PostgreSQL
             * folds more (e.g. fullwidth letters); folding the pattern in C would disagree. */
            pb_buf_printf(&q->sql, "LOWER(%s) LIKE LOWER(", r->fields[i].name);
            pb_sqlb_text(q, pat);
            pb_buf_addc(&q->sql, ')');
            pb_buf_adds(&q->sql, " ESCAPE '\\'");
            first = 0;
        }
        if (!first)
            pb_buf_addc(&q->sql, ')');
    }
    if (with_cursor && lr->cursor)
        return cursor_clause(c, r, lr, q, err);
    return 0;
}

/* ---- denial bookkeeping ---- */

static void mark_denied(struct pb_ctx *c, const struct pb_resource *r, int64_t id,
                        const char *region, const char *action)
{
    c->denied.set = 1;
    c->denied.resource = r->name;
    snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)id);
    pb_strlcpy(c->denied.region_code, region ? region : "", sizeof c->denied.region_code);
    c->denied.action = action;
}

static int policy_check(struct pb_ctx *c, const struct pb_resource *r, enum pb_action act,
                        const char *action, struct pb_err *err)
{
    if (pb_policy_allows(c->who->role, r->policy ? r->policy : r->name, act))
        return 0;
    mark_denied(c, r, 0, "", action);
    c->denied.object_id[0] = 0;
    return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作", "your role may not do this");
}

static int rec_in_scope(struct pb_ctx *c, const struct pb_resource *r, const struct pb_rec *rec)
{
    const struct pb_principal *p = c->who;
    if (p->role == PB_ROLE_ENTERPRISE) {
        const struct pb_val *ev;
        if (!r->enterprise_col || p->enterprise_id <= 0)
            return 0;
        ev = !strcmp(r->enterprise_col, "id") ? &rec->fixed[PB_COL_ID]
                                              : pb_rec_get(rec, r->enterprise_col);
        return ev && !ev->is_null && ev->i == p->enterprise_id;
    }
    if (pb_principal_by_park(p)) {
        const struct pb_val *pv;
        if (!r->park_col)
            return 0;
        pv = !strcmp(r->park_col, "id") ? &rec->fixed[PB_COL_ID] : pb_rec_get(rec, r->park_col);
        return pv && !pv->is_null && pb_principal_park_ok(p, pv->i);
    }
    return pb_principal_region_ok(p, rec->fixed[PB_COL_REGION].s);
}

/* ---- list ---- */

struct list_args {
    struct pb_ctx *c;
    const struct pb_resource *r;
    const struct pb_list_req *lr;
    struct pb_buf *out;
};

static int list_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_sqlb q;
    struct pb_stmt *st;
    struct pb_rec rec;
    int64_t total = 0;
    int rc, n = 0, more = 0;
    size_t start = a->out->len;

    /* total */
    pb_sqlb_init(&q);
    pb_buf_printf(&q.sql, "SELECT COUNT(*) FROM %s", a->r->table);
    if ((rc = pb_res_where(c, a->r, a->lr, &q, 0, err)))
        goto out;
    if ((rc = pb_sqlb_prepare(db, &q, &st)))
        goto out;
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        total = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        goto out;
    pb_sqlb_release(&q);

    pb_sqlb_init(&q);
    pb_buf_adds(&q.sql, "SELECT ");
    pb_res_columns(a->r, &q.sql);
    pb_buf_printf(&q.sql, " FROM %s", a->r->table);
    if ((rc = pb_res_where(c, a->r, a->lr, &q, 1, err)))
        goto out;
    pb_res_order(a->r, a->lr, &q);
    pb_buf_adds(&q.sql, " LIMIT ");
    pb_sqlb_int(&q, a->lr->limit + 1);
    if ((rc = pb_sqlb_prepare(db, &q, &st)))
        goto out;
    a->out->len = start;
    pb_buf_adds(a->out, "{\"items\":[");
    memset(&rec, 0, sizeof rec);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n == a->lr->limit) {
            more = 1;
            break;
        }
        pb_res_read_row(c, a->r, st, &rec);
        if (n)
            pb_buf_addc(a->out, ',');
        pb_res_put_rec(c, &rec, a->out);
        n++;
    }
    pb_stmt_done(st);
    if (rc < 0)
        goto out;
    pb_buf_adds(a->out, "],\"next_cursor\":");
    if (more)
        make_cursor(c, a->r, a->lr, &rec, a->out);
    else
        pb_buf_adds(a->out, "null");
    pb_buf_printf(a->out, ",\"total\":%lld}", (long long)total);
    rc = a->out->err ? pb_err_set(err, PB_E_TOO_LARGE, "结果过大", "the result is too large") : 0;
out:
    pb_sqlb_release(&q);
    return rc;
}

int pb_res_list(struct pb_ctx *c, const struct pb_resource *r, const struct pb_list_req *lr,
                struct pb_buf *out, struct pb_err *err)
{
    struct list_args a = {c, r, lr, out};
    int rc;
    if ((rc = policy_check(c, r, PB_ACT_READ, "list", err)))
        return rc;
    rc = pb_db_tx(c->db, 0, list_tx, &a, err);
    return rc < 0 ? rc : 0;
}

/* ---- get ---- */

/* Load one row by id into rec: 0, PB_E_NOT_FOUND (absent), or a db error. */
static int load_row(struct pb_ctx *c, const struct pb_resource *r, int64_t id, struct pb_rec *rec)
{
    struct pb_sqlb q;
    struct pb_stmt *st;
    int rc;
    pb_sqlb_init(&q);
    pb_buf_adds(&q.sql, "SELECT ");
    pb_res_columns(r, &q.sql);
    pb_buf_printf(&q.sql, " FROM %s WHERE id = ", r->table);
    pb_sqlb_int(&q, id);
    rc = pb_sqlb_prepare(c->db, &q, &st);
    pb_sqlb_release(&q);
    if (rc)
        return rc;
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        pb_res_read_row(c, r, st, rec);
    pb_stmt_done(st);
    return rc == PB_ROW ? 0 : rc == PB_DONE ? PB_E_NOT_FOUND : rc;
}

static int not_found(struct pb_ctx *c, const struct pb_resource *r, struct pb_err *err)
{
    return pb_err_set(err, PB_E_NOT_FOUND, "%s不存在%.0s", "%.0s%s not found",
                      r->label_zh ? r->label_zh : "记录", r->label_en ? r->label_en : "record");
}

/* Load a row the caller may see: absent, archived and out-of-scope rows all answer 404; the
 * out-of-scope case is marked for the denial audit. */
static int load_visible(struct pb_ctx *c, const struct pb_resource *r, int64_t id,
                        int include_archived, const char *action, struct pb_rec *rec,
                        struct pb_err *err)
{
    int rc = load_row(c, r, id, rec);
    if (rc == PB_E_NOT_FOUND)
        return not_found(c, r, err);
    if (rc)
        return rc;
    if (!rec_in_scope(c, r, rec)) {
        mark_denied(c, r, id, rec->fixed[PB_COL_REGION].s, action);
        return not_found(c, r, err);
    }
    if (!rec->fixed[PB_COL_ARCHIVED].is_null && !include_archived)
        return not_found(c, r, err);
    return 0;
}

struct get_args {
    struct pb_ctx *c;
    const struct pb_resource *r;
    int64_t id;
    int include_archived;
    struct pb_buf *out;
    int64_t version;
};

static int get_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct get_args *a = ctx;
    struct pb_rec rec;
    int rc;
    (void)db;
    if ((rc = load_visible(a->c, a->r, a->id, a->include_archived, "read", &rec, err)))
        return rc;
    a->version = rec.fixed[PB_COL_VERSION].i;
    pb_res_put_rec(a->c, &rec, a->out);
    return 0;
}

int pb_res_get(struct pb_ctx *c, const struct pb_resource *r, int64_t id, int include_archived,
               struct pb_buf *out, int64_t *version, struct pb_err *err)
{
    struct get_args a = {c, r, id, include_archived, out, 0};
    int rc;
    if ((rc = policy_check(c, r, PB_ACT_READ, "read", err)))
        return rc;
    rc = pb_db_tx(c->db, 0, get_tx, &a, err);
    if (rc < 0)
        return rc;
    if (version)
        *version = a.version;
    return 0;
}

void pb_res_etag(int64_t id, int64_t version, char *buf, size_t n)
{
    snprintf(buf, n, "\"%lld-%lld\"", (long long)id, (long long)version);
}

/* ---- create ---- */

static void changes_val(struct pb_buf *b, const struct pb_field *f, const struct pb_val *v)
{
    if (f->pii && !v->is_null)
        pb_buf_json_str(b, "***");
    else
        pb_res_put_val(b, f, v);
}

struct write_args {
    struct pb_ctx *c;
    const struct pb_resource *r;
    struct pb_val *vals;  /* one per field */
    unsigned char *given; /* which fields the body set */
    int64_t id;
    const char *if_match;
    struct pb_buf *out;
    int64_t version;
};

static int finish_write(struct write_args *a, const char *action, const char *region,
                        const char *changes, struct pb_err *err)
{
    char idtxt[24];
    int rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->id);
    if ((rc = pb_audit_write(a->c,
                             &(struct pb_audit_rec){.action = action,
                                                    .resource = a->r->name,
                                                    .object_id = idtxt,
                                                    .region_code = region,
                                                    .result = "ok",
                                                    .changes = changes},
                             err)))
        return rc;
    if (a->r->after_write && (rc = a->r->after_write(a->c, a->id, action, err)))
        return rc;
    if (a->out) {
        struct pb_rec rec;
        if ((rc = load_row(a->c, a->r, a->id, &rec)))
            return rc == PB_E_NOT_FOUND ? PB_E_INTERNAL : rc;
        a->version = rec.fixed[PB_COL_VERSION].i;
        pb_res_put_rec(a->c, &rec, a->out);
    }
    return 0;
}

/* After a derive hook: the derived region (and park, for operators) must be the caller's. */
static int derived_scope_ok(struct pb_ctx *c, const struct pb_resource *r, const struct pb_rec *rec,
                            struct pb_err *err)
{
    int scope = pb_res_scope_index(r);
    const struct pb_principal *p = c->who;
    if (scope < 0 || rec->v[scope].is_null)
        return 0;
    if (pb_principal_by_park(p)) {
        const struct pb_val *pv =
            r->park_col && strcmp(r->park_col, "id") ? pb_rec_get(rec, r->park_col) : NULL;
        if (pv && !pv->is_null && pb_principal_park_ok(p, pv->i))
            return 0;
    } else if (p->role != PB_ROLE_ENTERPRISE && pb_principal_region_ok(p, rec->v[scope].s)) {
        return 0;
    }
    return not_found(c, r, err);
}

static int create_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct write_args *a = ctx;
    struct pb_ctx *c = a->c;
    const struct pb_resource *r = a->r;
    struct pb_sqlb q;
    struct pb_stmt *st;
    struct pb_rec rec;
    struct pb_buf ch;
    int scope = pb_res_scope_index(r), rc;
    const char *region;

    memset(&rec, 0, sizeof rec);
    rec.r = r;
    rec.v = a->vals;
    if (r->derive) {
        if ((rc = r->derive(c, &rec, 1, err)))
            return rc;
        if ((rc = derived_scope_ok(c, r, &rec, err)))
            return rc;
    }
    region = scope >= 0 ? a->vals[scope].s : NULL;
    rec.fixed[PB_COL_REGION].s = region;
    rec.fixed[PB_COL_REGION].is_null = region == NULL;
    if (r->validate && (rc = r->validate(c, &rec, 1, err)))
        return rc;

    pb_sqlb_init(&q);
    pb_buf_printf(&q.sql,
                  "INSERT INTO %s (region_code, version, created_at, updated_at, created_by",
                  r->table);
    /* A field the body left out and no hook set is not named at all, so that the column's SQL
     * DEFAULT applies (an explicit NULL would override it). */
#define INSERTED(i) ((int)(i) != scope && (a->given[i] || !a->vals[i].is_null))
    for (size_t i = 0; i < r->nfields; i++)
        if (INSERTED(i))
            pb_buf_printf(&q.sql, ", %s", r->fields[i].name);
    pb_buf_adds(&q.sql, ") VALUES (");
    pb_sqlb_text(&q, region);
    pb_buf_adds(&q.sql, ", 1, ");
    pb_sqlb_int(&q, c->now_ms);
    pb_buf_adds(&q.sql, ", ");
    pb_sqlb_int(&q, c->now_ms);
    pb_buf_adds(&q.sql, ", ");
    pb_sqlb_int(&q, c->who->account_id);
    for (size_t i = 0; i < r->nfields; i++)
        if (INSERTED(i)) {
            pb_buf_adds(&q.sql, ", ");
            pb_sqlb_val(&q, &a->vals[i]);
        }
#undef INSERTED
    pb_buf_adds(&q.sql, ") RETURNING id");
    rc = pb_sqlb_prepare(db, &q, &st);
    pb_sqlb_release(&q);
    if (rc)
        return rc;
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        a->id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc == PB_E_CONFLICT)
        return pb_err_set(err, PB_E_CONFLICT, "与已有记录冲突",
                          "conflicts with an existing record");
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_DB;

    pb_buf_init(&ch, 0);
    pb_buf_addc(&ch, '{');
    for (size_t i = 0, first = 1; i < r->nfields; i++) {
        if (a->vals[i].is_null)
            continue;
        pb_buf_printf(&ch, "%s\"%s\":", first ? "" : ",", r->fields[i].name);
        changes_val(&ch, &r->fields[i], &a->vals[i]);
        first = 0;
    }
    pb_buf_addc(&ch, '}');
    rc = finish_write(a, "create", region, pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    return rc;
}

/* Convert the body into a->vals (fields not given stay NULL/untouched). */
static int convert_body(struct pb_ctx *c, const struct pb_resource *r, json_t *body,
                        struct pb_val *vals, unsigned char *given, int creating, struct pb_err *err)
{
    int scope = pb_res_scope_index(r);
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_field *f = &r->fields[i];
        json_t *j = json_object_get(body, f->name);
        if (!j) {
            if (creating) {
                vals[i].is_null = 1;
                if (f->required)
                    pb_err_field(err, PB_E_INVALID, f->name, "required", "「%s」为必填项",
                                 "%s is required", label(c, f));
                else if (f->type == PB_BOOL) {
                    vals[i].is_null = 0;
                    vals[i].i = 0;
                }
            }
            continue;
        }
        given[i] = 1;
        if (conv_json(c, f, j, &vals[i], err))
            continue;
        /* Park-scoped principals (operators) have no region list: whether their record may
         * stay in its region is decided against the stored row in patch_tx. */
        if ((int)i == scope && !vals[i].is_null && !pb_principal_by_park(c->who) &&
            !pb_principal_region_ok(c->who, vals[i].s))
            pb_err_field(err, PB_E_BAD_REQUEST, f->name, "out_of_scope",
                         "行政区划 %s 不在您的管辖范围内", "region %s is outside your jurisdiction",
                         vals[i].s);
        if (f->type == PB_BOOL && vals[i].is_null) {
            vals[i].is_null = 0;
            vals[i].i = 0;
        }
    }
    if (err->nfields)
        return err->rc == PB_E_BAD_REQUEST ? pb_err_set(err, PB_E_BAD_REQUEST, "请求含有不允许的值",
                                                        "the request has values you may not set")
                                           : pb_err_set(err, PB_E_INVALID, "请检查标出的字段",
                                                        "please check the marked fields");
    return 0;
}

int pb_res_create(struct pb_ctx *c, const struct pb_resource *r, json_t *body, struct pb_buf *out,
                  int64_t *id_out, int64_t *version, struct pb_err *err)
{
    struct write_args a;
    int rc;
    if ((rc = policy_check(c, r, PB_ACT_CREATE, "create", err)))
        return rc;
    if ((rc = check_keys(c, r, body, 0, err)))
        return rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.r = r;
    a.vals = pb_arena_alloc(c->arena, sizeof(struct pb_val) * (r->nfields + 1));
    a.given = pb_arena_alloc(c->arena, r->nfields + 1);
    a.out = out;
    if ((rc = convert_body(c, r, body, a.vals, a.given, 1, err)))
        return rc;
    {
        size_t start = out ? out->len : 0;
        rc = pb_db_tx(c->db, 1, create_tx, &a, err);
        if (rc < 0) {
            if (out)
                out->len = start;
            return rc;
        }
    }
    if (id_out)
        *id_out = a.id;
    if (version)
        *version = a.version;
    return 0;
}

/* ---- patch ---- */

static int same_val(const struct pb_val *x, const struct pb_val *y)
{
    if (x->is_null || y->is_null)
        return x->is_null == y->is_null;
    if (x->s || y->s)
        return x->s && y->s && !strcmp(x->s, y->s);
    return x->i == y->i;
}

static int etag_matches(const char *if_match, int64_t id, int64_t version)
{
    char tag[48];
    const char *p = if_match;
    pb_res_etag(id, version, tag, sizeof tag);
    if (!strcmp(p, "*"))
        return 1;
    if (!strncmp(p, "W/", 2))
        p += 2;
    return !strcmp(p, tag);
}

static int patch_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct write_args *a = ctx;
    struct pb_ctx *c = a->c;
    const struct pb_resource *r = a->r;
    struct pb_rec cur, merged;
    struct pb_sqlb q;
    struct pb_stmt *st;
    struct pb_buf ch;
    int scope = pb_res_scope_index(r), rc, nchanged = 0;
    const char *old_region;

    if ((rc = load_visible(c, r, a->id, 0, "update", &cur, err)))
        return rc;
    if (!etag_matches(a->if_match, a->id, cur.fixed[PB_COL_VERSION].i))
        return pb_err_set(err, PB_E_STALE, "该记录已被他人修改，请刷新后重试",
                          "the record was changed by someone else; reload and try again");
    old_region = cur.fixed[PB_COL_REGION].s;
    merged = cur;
    merged.v = pb_arena_alloc(c->arena, sizeof(struct pb_val) * (r->nfields + 1));
    for (size_t i = 0; i < r->nfields; i++)
        merged.v[i] = a->given[i] ? a->vals[i] : cur.v[i];
    if (scope >= 0) {
        merged.fixed[PB_COL_REGION] = merged.v[scope];
        if (merged.v[scope].is_null)
            return pb_err_field(err, PB_E_INVALID, r->fields[scope].name, "required",
                                "「%s」为必填项", "%s is required", label(c, &r->fields[scope]));
        /* An operator may keep its park's region but not move it elsewhere. */
        if (pb_principal_by_park(c->who) && strcmp(merged.v[scope].s, old_region ? old_region : ""))
            return pb_err_field(err, PB_E_BAD_REQUEST, r->fields[scope].name, "out_of_scope",
                                "行政区划 %s 不在您的管辖范围内",
                                "region %s is outside your jurisdiction", merged.v[scope].s);
    }
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].required && merged.v[i].is_null)
            pb_err_field(err, PB_E_INVALID, r->fields[i].name, "required", "「%s」为必填项",
                         "%s is required", label(c, &r->fields[i]));
    if (err->nfields)
        return pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
    if (r->derive) {
        if ((rc = r->derive(c, &merged, 0, err)))
            return rc;
        if ((rc = derived_scope_ok(c, r, &merged, err)))
            return rc;
        if (scope >= 0)
            merged.fixed[PB_COL_REGION] = merged.v[scope];
    }
    if (r->validate && (rc = r->validate(c, &merged, 0, err)))
        return rc;

    pb_buf_init(&ch, 0);
    pb_buf_addc(&ch, '{');
    pb_sqlb_init(&q);
    pb_buf_printf(&q.sql, "UPDATE %s SET version = version + 1, updated_at = ", r->table);
    pb_sqlb_int(&q, c->now_ms);
    for (size_t i = 0; i < r->nfields; i++) {
        /* Given fields and those a derive hook changed; the rest equal cur. */
        if (same_val(&cur.v[i], &merged.v[i]))
            continue;
        pb_buf_printf(&q.sql, ", %s = ", (int)i == scope ? "region_code" : r->fields[i].name);
        pb_sqlb_val(&q, &merged.v[i]);
        pb_buf_printf(&ch, "%s\"%s\":[", nchanged ? "," : "", r->fields[i].name);
        changes_val(&ch, &r->fields[i], &cur.v[i]);
        pb_buf_addc(&ch, ',');
        changes_val(&ch, &r->fields[i], &merged.v[i]);
        pb_buf_addc(&ch, ']');
        nchanged++;
    }
    pb_buf_addc(&ch, '}');
    if (!nchanged) {
        /* Nothing changes: answer with the record as it is; no write, no audit. */
        pb_sqlb_release(&q);
        pb_buf_release(&ch);
        a->version = cur.fixed[PB_COL_VERSION].i;
        if (a->out)
            pb_res_put_rec(c, &cur, a->out);
        return 0;
    }
    pb_buf_adds(&q.sql, " WHERE id = ");
    pb_sqlb_int(&q, a->id);
    pb_buf_adds(&q.sql, " AND version = ");
    pb_sqlb_int(&q, cur.fixed[PB_COL_VERSION].i);
    rc = pb_sqlb_prepare(db, &q, &st);
    pb_sqlb_release(&q);
    if (rc) {
        pb_buf_release(&ch);
        return rc;
    }
    rc = pb_stmt_step(st);
    if (rc >= 0 && pb_stmt_changes(st) != 1)
        rc = PB_E_STALE;
    pb_stmt_done(st);
    if (rc == PB_E_STALE) {
        pb_buf_release(&ch);
        return pb_err_set(err, PB_E_STALE, "该记录已被他人修改，请刷新后重试",
                          "the record was changed by someone else; reload and try again");
    }
    if (rc == PB_E_CONFLICT) {
        pb_buf_release(&ch);
        return pb_err_set(err, PB_E_CONFLICT, "与已有记录冲突",
                          "conflicts with an existing record");
    }
    if (rc < 0) {
        pb_buf_release(&ch);
        return rc;
    }
    /* A move between regions is recorded in the new region's chain, naming the old one. */
    (void)old_region;
    rc = finish_write(a, "update", merged.fixed[PB_COL_REGION].s, pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    return rc;
}

int pb_res_patch(struct pb_ctx *c, const struct pb_resource *r, int64_t id, json_t *body,
                 const char *if_match, struct pb_buf *out, int64_t *version, struct pb_err *err)
{
    struct write_args a;
    int rc;
    if ((rc = policy_check(c, r, PB_ACT_UPDATE, "update", err)))
        return rc;
    if ((rc = check_keys(c, r, body, 1, err)))
        return rc;
    if (!if_match || !*if_match)
        return pb_err_set(err, PB_E_PRECONDITION, "修改需要 If-Match 请求头（取自 ETag）",
                          "an If-Match header (the record's ETag) is required");
    memset(&a, 0, sizeof a);
    a.c = c;
    a.r = r;
    a.id = id;
    a.if_match = if_match;
    a.vals = pb_arena_alloc(c->arena, sizeof(struct pb_val) * (r->nfields + 1));
    a.given = pb_arena_alloc(c->arena, r->nfields + 1);
    a.out = out;
    if ((rc = convert_body(c, r, body, a.vals, a.given, 0, err)))
        return rc;
    {
        size_t start = out ? out->len : 0;
        rc = pb_db_tx(c->db, 1, patch_tx, &a, err);
        if (rc < 0) {
            if (out)
                out->len = start;
            return rc;
        }
    }
    if (version)
        *version = a.version;
    return 0;
}

/* ---- archive ---- */

static int archive_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct write_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_rec cur;
    struct pb_stmt *st;
    struct pb_sqlb q;
    char changes[160], iso[32];
    int rc;
    if ((rc = load_visible(c, a->r, a->id, 0, "archive", &cur, err)))
        return rc;
    if (a->if_match && *a->if_match &&
        !etag_matches(a->if_match, a->id, cur.fixed[PB_COL_VERSION].i))
        return pb_err_set(err, PB_E_STALE, "该记录已被他人修改，请刷新后重试",
                          "the record was changed by someone else; reload and try again");
    pb_sqlb_init(&q);
    pb_buf_printf(&q.sql, "UPDATE %s SET version = version + 1, archived_at = ", a->r->table);
    pb_sqlb_int(&q, c->now_ms);
    pb_buf_adds(&q.sql, ", updated_at = ");
    pb_sqlb_int(&q, c->now_ms);
    pb_buf_adds(&q.sql, " WHERE id = ");
    pb_sqlb_int(&q, a->id);
    pb_buf_adds(&q.sql, " AND archived_at IS NULL");
    rc = pb_sqlb_prepare(db, &q, &st);
    pb_sqlb_release(&q);
    if (rc)
        return rc;
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_iso_utc(c->now_ms, iso);
    snprintf(changes, sizeof changes, "{\"archived_at\":[null,\"%s\"]}", iso);
    a->out = NULL;
    return finish_write(a, "archive", cur.fixed[PB_COL_REGION].s, changes, err);
}

int pb_res_archive(struct pb_ctx *c, const struct pb_resource *r, int64_t id, const char *if_match,
                   struct pb_err *err)
{
    struct write_args a;
    int rc;
    if ((rc = policy_check(c, r, PB_ACT_ARCHIVE, "archive", err)))
        return rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.r = r;
    a.id = id;
    a.if_match = if_match;
    rc = pb_db_tx(c->db, 1, archive_tx, &a, err);
    return rc < 0 ? rc : 0;
}

/* ---- batch writes (bulk import) ---- */

void pb_res_batch_init(struct pb_res_batch *b, struct pb_ctx *c, const struct pb_resource *r,
                       const char *const *key)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->r = r;
    b->key = key;
    pb_buf_init(&b->sql, 1 << 16);
    pb_buf_init(&b->ids, 0);
    b->vals = pb_xcalloc(r->nfields + 1, sizeof(struct pb_val));
    b->given = pb_xcalloc(r->nfields + 1, 1);
}

void pb_res_batch_release(struct pb_res_batch *b)
{
    pb_buf_release(&b->sql);
    pb_buf_release(&b->ids);
    free(b->vals);
    free(b->given);
    b->vals = NULL;
    b->given = NULL;
}

static int is_key(const struct pb_res_batch *b, const char *name)
{
    for (int i = 0; b->key && b->key[i]; i++)
        if (!strcmp(b->key[i], name))
            return 1;
    return 0;
}

/* The upsert for this batch's column set (the file's header), built once. Inserts give every
 * column; an update sets the given columns and the derived scope/park columns only, so that a
 * file with fewer columns never wipes the others, and only where the stored row has the same
 * region (no import overwrites another jurisdiction's record). */
static void batch_sql(struct pb_res_batch *b)
{
    const struct pb_resource *r = b->r;
    int scope = pb_res_scope_index(r);
    struct pb_buf *q = &b->sql;
    pb_buf_printf(q, "INSERT INTO %s (region_code, version, created_at, updated_at, created_by",
                  r->table);
    for (size_t i = 0; i < r->nfields; i++)
        if ((int)i != scope)
            pb_buf_printf(q, ", %s", r->fields[i].name);
    pb_buf_adds(q, ") VALUES (?, 1, ?, ?, ?");
    for (size_t i = 0; i < r->nfields; i++)
        if ((int)i != scope)
            pb_buf_adds(q, ", ?");
    pb_buf_adds(q, ") ON CONFLICT (");
    for (int i = 0; b->key[i]; i++)
        pb_buf_printf(q, "%s%s", i ? ", " : "", b->key[i]);
    pb_buf_printf(q,
                  ") DO UPDATE SET version = %s.version + 1, updated_at = excluded.updated_at, "
                  "archived_at = NULL",
                  r->table);
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_field *f = &r->fields[i];
        int derived = f->readonly && r->park_col && !strcmp(r->park_col, f->name);
        if ((int)i == scope || is_key(b, f->name) || !(b->given[i] || derived))
            continue;
        pb_buf_printf(q, ", %s = excluded.%s", f->name, f->name);
    }
    pb_buf_printf(q, " WHERE %s.region_code = excluded.region_code RETURNING id, version",
                  r->table);
}

static void batch_note_id(struct pb_res_batch *b, int64_t id)
{
    if (b->run_hi && id == b->run_hi + 1) {
        b->run_hi = id;
        return;
    }
    if (b->run_hi) {
        if (b->run_lo == b->run_hi)
            pb_buf_printf(&b->ids, "%s%lld", b->ids.len ? "," : "", (long long)b->run_lo);
        else
            pb_buf_printf(&b->ids, "%s%lld-%lld", b->ids.len ? "," : "", (long long)b->run_lo,
                          (long long)b->run_hi);
    }
    b->run_lo = b->run_hi = id;
}

int pb_res_batch_row(struct pb_res_batch *b, const char *const *names, const char *const *values,
                     size_t n, int64_t *id_out, int *inserted, struct pb_err *err)
{
    struct pb_ctx *c = b->c;
    const struct pb_resource *r = b->r;
    int scope = pb_res_scope_index(r), rc, col;
    struct pb_rec rec;
    struct pb_stmt *st;
    int64_t id, version;

    if (!pb_policy_allows(c->who->role, r->policy ? r->policy : r->name, PB_ACT_CREATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    memset(b->vals, 0, sizeof(struct pb_val) * r->nfields);
    memset(b->given, 0, r->nfields);
    for (size_t i = 0; i < r->nfields; i++)
        b->vals[i].is_null = 1;
    for (size_t k = 0; k < n; k++) {
        const struct pb_field *f = pb_resource_field(r, names[k]);
        size_t i;
        if (!f || f->readonly) {
            pb_err_field(err, PB_E_BAD_REQUEST, strlen(names[k]) < 60 ? names[k] : "?",
                         f ? "read_only" : "unknown_field", "未知或只读的列 %s",
                         "unknown or read-only column %s", strlen(names[k]) < 60 ? names[k] : "?");
            continue;
        }
        i = (size_t)(f - r->fields);
        b->given[i] = 1;
        if (!values[k] || !values[k][0]) {
            if (f->required)
                pb_err_field(err, PB_E_INVALID, f->name, "required", "「%s」为必填项",
                             "%s is required", label(c, f));
            continue;
        }
        if (conv_text(c, f, f->name, values[k], &b->vals[i], err))
            continue;
        if ((int)i == scope && !pb_principal_region_ok(c->who, b->vals[i].s))
            pb_err_field(err, PB_E_NOT_FOUND, f->name, "out_of_scope",
                         "行政区划 %s 不在您的管辖范围内", "region %s is outside your jurisdiction",
                         b->vals[i].s);
    }
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_field *f = &r->fields[i];
        if (b->given[i] || f->readonly)
            continue;
        if (f->required)
            pb_err_field(err, PB_E_INVALID, f->name, "required", "「%s」为必填项", "%s is required",
                         label(c, f));
        else if (f->type == PB_BOOL) {
            b->vals[i].is_null = 0;
            b->vals[i].i = 0;
        }
    }
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].type == PB_BOOL && b->vals[i].is_null && b->given[i]) {
            b->vals[i].is_null = 0;
            b->vals[i].i = 0;
        }
    if (err->nfields)
        return err->rc ? err->rc : PB_E_INVALID;

    memset(&rec, 0, sizeof rec);
    rec.r = r;
    rec.v = b->vals;
    if (r->derive) {
        if ((rc = r->derive(c, &rec, 1, err)))
            return rc;
        if ((rc = derived_scope_ok(c, r, &rec, err)))
            return rc;
    }
    if (scope >= 0) {
        rec.fixed[PB_COL_REGION] = b->vals[scope];
        if (b->vals[scope].is_null)
            return pb_err_field(err, PB_E_INVALID, r->fields[scope].name, "required",
                                "「%s」为必填项", "%s is required", label(c, &r->fields[scope]));
    }
    c->importing = 1;
    rc = r->validate ? r->validate(c, &rec, 1, err) : 0;
    c->importing = 0;
    if (rc)
        return rc;
    if (!b->sql.len)
        batch_sql(b);
    if ((rc = pb_db_prepare(c->db, pb_buf_cstr(&b->sql), &st)))
        return rc;
    pb_stmt_bind_text(st, 1, scope >= 0 ? b->vals[scope].s : NULL);
    pb_stmt_bind_int(st, 2, c->now_ms);
    pb_stmt_bind_int(st, 3, c->now_ms);
    pb_stmt_bind_int(st, 4, c->who->account_id);
    col = 5;
    for (size_t i = 0; i < r->nfields; i++) {
        const struct pb_val *v = &b->vals[i];
        if ((int)i == scope)
            continue;
        if (v->is_null)
            pb_stmt_bind_null(st, col++);
        else if (v->s)
            pb_stmt_bind_text(st, col++, v->s);
        else
            pb_stmt_bind_int(st, col++, v->i);
    }
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        id = pb_stmt_col_int(st, 0);
        version = pb_stmt_col_int(st, 1);
    }
    /* Finish the statement (SQLite applies a RETURNING upsert only when it completes). */
    if (rc == PB_ROW) {
        int rc2 = pb_stmt_step(st);
        if (rc2 < 0)
            rc = rc2;
    }
    pb_stmt_done(st);
    if (rc == PB_DONE)
        return pb_err_field(err, PB_E_NOT_FOUND, b->key[0], "out_of_scope",
                            "该记录已存在于您管辖范围以外，不能导入",
                            "this record exists outside your jurisdiction and cannot be imported");
    if (rc == PB_E_CONFLICT)
        return pb_err_set(err, PB_E_CONFLICT, "与已有记录冲突",
                          "conflicts with an existing record");
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_DB;
    if (r->after_write && (rc = r->after_write(c, id, "import", err)))
        return rc;
    if (version == 1)
        b->inserted++;
    else
        b->updated++;
    batch_note_id(b, id);
    if (id_out)
        *id_out = id;
    if (inserted)
        *inserted = version == 1;
    return 0;
}

int pb_res_batch_finish(struct pb_res_batch *b, const char *note, struct pb_err *err)
{
    struct pb_buf ch;
    int rc;
    if (!b->inserted && !b->updated)
        return 0;
    batch_note_id(b, 0); /* flush the last run */
    pb_buf_init(&ch, 0);
    pb_buf_adds(&ch, "{\"source\":");
    pb_buf_json_str(&ch, note ? note : "");
    pb_buf_printf(&ch, ",\"inserted\":%zu,\"updated\":%zu,\"ids\":", b->inserted, b->updated);
    pb_buf_json_str(&ch, pb_buf_cstr(&b->ids));
    pb_buf_addc(&ch, '}');
    rc = pb_audit_write(b->c,
                        &(struct pb_audit_rec){.action = "import",
                                               .resource = b->r->name,
                                               .object_id = "",
                                               .region_code = "",
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    return rc;
}
