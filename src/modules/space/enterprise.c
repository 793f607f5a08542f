/* enterprise.c: the enterprise register, its honours and yearly figures, and the lifecycle
 * 签约 → 入驻 → 投产 → 达效 → 纳统 (with 退园 and 退库) as a dated, audited state machine. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/refdata.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/projects/project.h"
#include "modules/space/space.h"

const char *const pb_enterprise_stages[] = {"signed",        "moved_in", "producing", "at_capacity",
                                            "in_statistics", "left",     "delisted",  NULL};
static const char *const stages_zh[] = {"签约", "入驻", "投产", "达效",
                                        "纳统", "退园", "退库", NULL};
static const char *const stages_en[] = {"Signed",
                                        "Moved in",
                                        "In production",
                                        "At capacity",
                                        "In official statistics",
                                        "Left the park",
                                        "Removed from statistics",
                                        NULL};

static const char *const positions[] = {"upstream", "midstream", "downstream", NULL};
static const char *const positions_zh[] = {"上游", "中游", "下游", NULL};
static const char *const positions_en[] = {"Upstream", "Midstream", "Downstream", NULL};

static const char *const honours[] = {"srdi_province",
                                      "little_giant",
                                      "single_champion",
                                      "cn_private_500",
                                      "fj_private_100",
                                      "chain_leader",
                                      NULL};
static const char *const honours_zh[] = {"省级专精特新",
                                         "国家级专精特新“小巨人”",
                                         "制造业单项冠军",
                                         "中国民营企业500强",
                                         "福建省民营企业100强",
                                         "链主企业",
                                         NULL};
static const char *const honours_en[] = {"Provincial SRDI SME",
                                         "National little giant",
                                         "Manufacturing single champion",
                                         "China top-500 private enterprise",
                                         "Fujian top-100 private enterprise",
                                         "Chain-leading enterprise",
                                         NULL};

static int invalid(struct pb_err *err)
{
    return err->nfields ? pb_err_set(err, err->rc ? err->rc : PB_E_INVALID, "请检查标出的字段",
                                     "please check the marked fields")
                        : 0;
}

/* ---- the register ---- */

static const struct pb_field enterprise_fields[] = {
    {"name", PB_TEXT, .required = 1, .max_len = 100, .search = 1, .sortable = 1, .list = 1,
     .filter = PB_FILTER_LIKE, .label_zh = "企业名称", .label_en = "Name"},
    {"uscc", PB_TEXT, .required = 1, .max_len = 18, .immutable = 1, .search = 1, .list = 1,
     .filter = PB_FILTER_EQ, .label_zh = "统一社会信用代码", .label_en = "USCC",
     .doc = "GB 32100 check character verified; unique"},
    {"uscc_override", PB_BOOL, .list = 0, .label_zh = "人工确认试点代码",
     .label_en = "Manual override (early pilot code)",
     .doc = "accept an early Fujian pilot code (35…M000…) whose check character fails"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .sortable = 1,
     .list = 1, .label_zh = "所在区域", .label_en = "Region"},
    {"industry_code", PB_INDUSTRY, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所属行业（国民经济行业分类小类）", .label_en = "Industry (GB/T 4754 class)"},
    {"chain", PB_TEXT, .max_len = 50, .filter = PB_FILTER_EQ, .search = 1, .list = 1,
     .label_zh = "所属产业链", .label_en = "Industry chain"},
    {"chain_position", PB_ENUM, .enums = positions, .enum_zh = positions_zh,
     .enum_en = positions_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "链上位置",
     .label_en = "Chain position"},
    {"park_id", PB_REF, .ref = "parks", .filter = PB_FILTER_EQ, .list = 1, .label_zh = "所在园区",
     .label_en = "Park"},
    {"contact_name", PB_TEXT, .max_len = 50, .list = 1, .label_zh = "联系人",
     .label_en = "Contact"},
    {"contact_phone", PB_TEXT, .max_len = 20, .pii = 1, .list = 1, .label_zh = "联系电话",
     .label_en = "Contact phone", .doc = "masked (138****5678) in every answer and export"},
    {"above_scale", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "规上企业",
     .label_en = "Above designated size"},
    {"stage", PB_ENUM, .readonly = 1, .enums = pb_enterprise_stages, .enum_zh = stages_zh,
     .enum_en = stages_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "所处阶段",
     .label_en = "Stage", .doc = "set by POST /api/v1/enterprises/{id}/events"},
    {"stage_on", PB_DATE, .readonly = 1, .filter = PB_FILTER_RANGE, .list = 1,
     .label_zh = "阶段日期", .label_en = "Stage date"},
    {"address", PB_TEXT, .max_len = 200, .search = 1, .label_zh = "地址", .label_en = "Address"},
    {"description", PB_TEXT, .max_len = 2000, .label_zh = "简介", .label_en = "Description"},
};

static int enterprise_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                               struct pb_err *err)
{
    const struct pb_val *uscc = pb_rec_get(rec, "uscc");
    const struct pb_val *ov = pb_rec_get(rec, "uscc_override");
    const struct pb_val *ind = pb_rec_get(rec, "industry_code");
    const struct pb_val *park = pb_rec_get(rec, "park_id");
    const struct pb_val *phone = pb_rec_get(rec, "contact_phone");
    char want = 0;
    int rc;
    if (!uscc->is_null) {
        rc = pb_uscc_check(uscc->s, &want);
        if (rc == PB_USCC_BAD_FORMAT)
            pb_err_field(err, PB_E_INVALID, "uscc", "invalid_format",
                         "统一社会信用代码应为 18 位（数字和大写字母，不含 I、O、S、V、Z）",
                         "a USCC has 18 characters: digits and capitals without I, O, S, V, Z");
        else if (rc == PB_USCC_BAD_CHECK)
            pb_err_field(err, PB_E_INVALID, "uscc", "bad_check",
                         "统一社会信用代码校验位错误（应为 %c）",
                         "the USCC check character is wrong (should be %c)", want);
        else if (rc == PB_USCC_PILOT_WARNING && (ov->is_null || !ov->i))
            pb_err_field(err, PB_E_INVALID, "uscc", "pilot_override_required",
                         "校验位不符（应为 %c），疑为福建早期试点代码；核实无误后请勾选人工确认",
                         "the check character fails (should be %c); this looks like an early "
                         "Fujian pilot code: confirm it with uscc_override",
                         want);
    }
    if (!ind->is_null) {
        const struct pb_industry *in = pb_industry_find(ind->s);
        if (in && in->level != 4)
            pb_err_field(err, PB_E_INVALID, "industry_code", "not_class",
                         "请选择国民经济行业分类的小类（4 位代码）",
                         "choose a GB/T 4754 class (4-digit code)");
    }
    if (!phone->is_null && phone->s[0]) {
        int ok = pb_mobile_check(phone->s) == 0;
        if (!ok) { /* a landline: digits with an optional area-code dash, 7..13 digits */
            size_t digits = 0;
            ok = 1;
            for (const char *p = phone->s; *p; p++)
                if (*p >= '0' && *p <= '9')
                    digits++;
                else if (*p != '-')
                    ok = 0;
            ok = ok && digits >= 7 && digits <= 13;
        }
        if (!ok)
            pb_err_field(err, PB_E_INVALID, "contact_phone", "invalid_phone",
                         "请输入手机号（11 位）或座机号（如 0595-22222222）",
                         "enter a mobile (11 digits) or landline (e.g. 0595-22222222)");
    }
    if (!park->is_null) {
        const char *region;
        struct pb_err tmp;
        pb_err_clear(&tmp);
        if ((rc = pb_space_park_visible(c, park->i, "park_id", &region, &tmp))) {
            if (rc != PB_E_NOT_FOUND)
                return rc;
            pb_err_field(err, PB_E_NOT_FOUND, "park_id", "not_found", "园区 %lld 不存在",
                         "park %lld not found", (long long)park->i);
        }
    }
    if (!err->nfields && !uscc->is_null && !c->importing) {
        /* A friendly field error instead of the bare unique-key conflict. */
        struct pb_stmt *st;
        int dup = 0;
        if ((rc =
                 pb_db_prepare(c->db, "SELECT id FROM enterprise WHERE uscc = ? AND id <> ?", &st)))
            return rc;
        pb_stmt_bind_text(st, 1, uscc->s);
        pb_stmt_bind_int(st, 2, creating ? 0 : rec->fixed[PB_COL_ID].i);
        dup = pb_stmt_step(st) == PB_ROW;
        pb_stmt_done(st);
        if (dup)
            pb_err_field(err, PB_E_CONFLICT, "uscc", "duplicate", "该统一社会信用代码已登记",
                         "this USCC is already registered");
    }
    return invalid(err);
}

/* The project statistics count lifecycle events and yearly output by the enterprise's region and
 * park (docs/projects.md, Targets): a change to an enterprise that has a lifecycle (moving park or
 * region, archiving) bumps the statistics' data version so that no cached answer is stale. An
 * enterprise without events (a new one, most imported rows) counts nowhere yet: no bump, so a
 * bulk import does not pay for it. */
static int enterprise_after_write(struct pb_ctx *c, int64_t id, const char *action,
                                  struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16] = "";
    int rc, has_stage = 0;
    (void)err;
    if (!strcmp(action, "create"))
        return 0;
    if ((rc = pb_db_prepare(
             c->db, "SELECT region_code, stage IS NOT NULL FROM enterprise WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
        has_stage = (int)pb_stmt_col_int(st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    return has_stage ? pb_project_data_bump(c->db, region) : 0;
}

const struct pb_resource pb_res_enterprises = {
    .name = "enterprises",
    .table = "enterprise",
    .label_zh = "企业",
    .label_en = "Enterprise",
    .fields = enterprise_fields,
    .nfields = PB_ARRAY_LEN(enterprise_fields),
    .default_sort = "-updated_at",
    .policy = "enterprises",
    .park_col = "park_id",
    .enterprise_col = "id",
    .validate = enterprise_validate,
    .after_write = enterprise_after_write,
};

/* ---- children of an enterprise: honours and yearly figures ---- */

/* The enterprise's region if visible to the caller, else PB_E_NOT_FOUND on `field`. */
static int enterprise_visible(struct pb_ctx *c, int64_t id, const char *field, const char **region,
                              int64_t *park_id, struct pb_err *err)
{
    struct pb_stmt *st;
    const char *reg = NULL;
    int64_t park = 0;
    int rc, ok = 0;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT region_code, park_id FROM enterprise WHERE id = ? AND "
                            "archived_at IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        reg = pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0));
        park = pb_stmt_col_int(st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (reg) {
        if (c->who->role == PB_ROLE_ENTERPRISE)
            ok = c->who->enterprise_id == id;
        else if (pb_principal_by_park(c->who))
            ok = park && pb_principal_park_ok(c->who, park);
        else
            ok = pb_principal_region_ok(c->who, reg);
    }
    if (!ok)
        return pb_err_field(err, PB_E_NOT_FOUND, field, "not_found", "企业 %lld 不存在",
                            "enterprise %lld not found", (long long)id);
    if (region)
        *region = reg;
    if (park_id)
        *park_id = park;
    return 0;
}

static int child_derive(struct pb_ctx *c, struct pb_rec *rec, int creating, struct pb_err *err)
{
    const struct pb_val *e = pb_rec_get(rec, "enterprise_id");
    struct pb_val *reg = (struct pb_val *)pb_rec_get(rec, "region_code");
    const char *region;
    int rc;
    (void)creating;
    if ((rc = enterprise_visible(c, e->i, "enterprise_id", &region, NULL, err)))
        return rc;
    reg->is_null = 0;
    reg->s = region;
    return 0;
}

static const struct pb_field honour_fields[] = {
    {"enterprise_id", PB_REF, .required = 1, .immutable = 1, .ref = "enterprises",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "企业", .label_en = "Enterprise"},
    {"region_code", PB_REGION, .scope = 1, .readonly = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"honour", PB_ENUM, .required = 1, .enums = honours, .enum_zh = honours_zh,
     .enum_en = honours_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "荣誉",
     .label_en = "Honour"},
    {"year", PB_INT, .required = 1, .min = 1990, .max = 2100, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "年度", .label_en = "Year"},
};

const struct pb_resource pb_res_enterprise_honours = {
    .name = "enterprise_honours",
    .table = "enterprise_honour",
    .label_zh = "企业荣誉",
    .label_en = "Enterprise honour",
    .fields = honour_fields,
    .nfields = PB_ARRAY_LEN(honour_fields),
    .default_sort = "-year",
    .policy = "enterprises",
    .enterprise_col = "enterprise_id",
    .derive = child_derive,
};

#define MONEY_MAX ((int64_t)1000000000000 * 100)
static const struct pb_field figure_fields[] = {
    {"enterprise_id", PB_REF, .required = 1, .immutable = 1, .ref = "enterprises",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "企业", .label_en = "Enterprise"},
    {"region_code", PB_REGION, .scope = 1, .readonly = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"year", PB_INT, .required = 1, .min = 1990, .max = 2100, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "年度", .label_en = "Year"},
    {"output_fen", PB_MONEY, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "产值（元）",
     .label_en = "Output (yuan)"},
    {"revenue_fen", PB_MONEY, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "营业收入（元）",
     .label_en = "Revenue (yuan)"},
    {"tax_fen", PB_MONEY, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "税收（元）",
     .label_en = "Taxes paid (yuan)"},
    {"employees", PB_INT, .min = 0, .max = 10000000, .list = 1, .label_zh = "从业人员（人）",
     .label_en = "Employees"},
    {"rd_fen", PB_MONEY, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "研发投入（元）",
     .label_en = "R&D spending (yuan)"},
    {"energy_tce", PB_AREA, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "综合能耗（吨标煤）",
     .label_en = "Energy use (tce)", .doc = "tonnes of standard coal equivalent, 2 decimals"},
    {"land_m2", PB_AREA, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "用地面积（平方米）",
     .label_en = "Land used (m²)"},
};

/* Yearly output feeds the project statistics' new output value: bump their data version. */
static int figure_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    struct pb_stmt *st;
    char region[16] = "";
    int rc;
    (void)action;
    (void)err;
    if ((rc = pb_db_prepare(c->db, "SELECT region_code FROM enterprise_figure WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        pb_strlcpy(region, pb_stmt_col_text(st, 0), sizeof region);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    return pb_project_data_bump(c->db, region);
}

const struct pb_resource pb_res_enterprise_figures = {
    .name = "enterprise_figures",
    .table = "enterprise_figure",
    .label_zh = "企业年度数据",
    .label_en = "Enterprise yearly figures",
    .fields = figure_fields,
    .nfields = PB_ARRAY_LEN(figure_fields),
    .default_sort = "-year",
    .policy = "enterprises",
    .enterprise_col = "enterprise_id",
    .derive = child_derive,
    .after_write = figure_after_write,
};

/* ---- the lifecycle ---- */

static int stage_index(const char *s)
{
    for (int i = 0; s && pb_enterprise_stages[i]; i++)
        if (!strcmp(pb_enterprise_stages[i], s))
            return i;
    return -1;
}

int pb_enterprise_transition_ok(const char *from, const char *to)
{
    /* Forward one step at a time; 退园 from any stage in the park; 退库 only from 纳统, and
     * back into statistics from 退库; a firm that left may sign again. */
    static const char *const allowed[][3] = {
        /* from NULL */ {"signed", NULL, NULL},
        /* signed */ {"moved_in", "left", NULL},
        /* moved_in */ {"producing", "left", NULL},
        /* producing */ {"at_capacity", "left", NULL},
        /* at_capacity */ {"in_statistics", "left", NULL},
        /* in_statistics */ {"delisted", "left", NULL},
        /* left */ {"signed", NULL, NULL},
        /* delisted */ {"in_statistics", "left", NULL},
    };
    int f = from ? stage_index(from) : -1;
    int row = from ? (f < 0 ? -2 : f + 1) : 0;
    if (row < 0 || stage_index(to) < 0)
        return 0;
    /* rows: 0 NULL, then stage order signed..delisted: left is index 5, delisted 6 */
    for (int k = 0; k < 3 && allowed[row][k]; k++)
        if (!strcmp(allowed[row][k], to))
            return 1;
    return 0;
}

struct event_args {
    struct pb_ctx *c;
    int64_t id;
    const char *stage, *date, *note;
    struct pb_buf *out;
    int by_lease; /* recorded by a lease's moving in: the lease route checked the scope */
};

static int event_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct event_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct pb_stmt *st;
    const char *region, *cur = NULL, *last = NULL;
    char today[32], idtxt[24];
    struct pb_buf ch;
    int rc;
    if (a->by_lease) {
        if ((rc = pb_db_prepare(db, "SELECT region_code FROM enterprise WHERE id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->id);
        region = (rc = pb_stmt_step(st)) == PB_ROW
                     ? pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0))
                     : NULL;
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        if (!region)
            return pb_err_set(err, PB_E_NOT_FOUND, "企业不存在", "enterprise not found");
    } else if ((rc = enterprise_visible(c, a->id, "id", &region, NULL, err))) {
        return pb_err_set(err, PB_E_NOT_FOUND, "企业不存在", "enterprise not found");
    }
    /* Lock the row first (UPDATE) so that two concurrent events serialise on PostgreSQL. */
    if ((rc = pb_db_prepare(db,
                            "UPDATE enterprise SET version = version + 1, updated_at = ? WHERE id "
                            "= ? RETURNING stage, stage_on",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, a->id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        cur = pb_stmt_col_null(st, 0) ? NULL : pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0));
        last = pb_stmt_col_null(st, 1) ? NULL : pb_arena_strdup(c->arena, pb_stmt_col_text(st, 1));
        rc = pb_stmt_step(st);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (stage_index(a->stage) < 0)
        pb_err_field(err, PB_E_INVALID, "stage", "invalid_choice",
                     "阶段应为 signed、moved_in、producing、at_capacity、in_statistics、left 或 "
                     "delisted",
                     "stage must be signed, moved_in, producing, at_capacity, in_statistics, "
                     "left or delisted");
    else if (!pb_enterprise_transition_ok(cur, a->stage))
        pb_err_field(err, PB_E_CONFLICT, "stage", "transition_not_allowed",
                     "不能从「%s」变为「%s」", "cannot move from %s to %s",
                     cur ? stages_zh[stage_index(cur)] : "未签约", stages_zh[stage_index(a->stage)],
                     cur ? cur : "none", a->stage);
    pb_iso_cst(c->now_ms, today);
    today[10] = 0;
    if (!a->date || !pb_date_valid(a->date))
        pb_err_field(err, PB_E_INVALID, "date", "invalid_date", "日期应为有效日期，格式 YYYY-MM-DD",
                     "date must be a real date as YYYY-MM-DD");
    else if (last && strcmp(a->date, last) < 0)
        pb_err_field(err, PB_E_INVALID, "date", "before_last_event", "日期不能早于上一事件（%s）",
                     "the date cannot be before the last event (%s)", last);
    else if (strcmp(a->date, today) > 0)
        pb_err_field(err, PB_E_INVALID, "date", "in_future", "日期不能晚于今天",
                     "the date cannot be in the future");
    if (err->nfields)
        return pb_err_set(err, err->rc, "不能记录该事件", "this event cannot be recorded");
    if ((rc = pb_db_prepare(db, "UPDATE enterprise SET stage = ?, stage_on = ? WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->stage);
    pb_stmt_bind_text(st, 2, a->date);
    pb_stmt_bind_int(st, 3, a->id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db,
                            "INSERT INTO enterprise_event (enterprise_id, region_code, from_stage, "
                            "stage, event_on, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, "
                            "?, ?, ?)",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    pb_stmt_bind_text(st, 2, region);
    pb_stmt_bind_text(st, 3, cur);
    pb_stmt_bind_text(st, 4, a->stage);
    pb_stmt_bind_text(st, 5, a->date);
    pb_stmt_bind_text(st, 6, a->note);
    pb_stmt_bind_int(st, 7, c->now_ms);
    pb_stmt_bind_int(st, 8, c->who->account_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_init(&ch, 0);
    pb_buf_adds(&ch, "{\"stage\":[");
    if (cur)
        pb_buf_json_str(&ch, cur);
    else
        pb_buf_adds(&ch, "null");
    pb_buf_addc(&ch, ',');
    pb_buf_json_str(&ch, a->stage);
    pb_buf_adds(&ch, "],\"date\":");
    pb_buf_json_str(&ch, a->date);
    pb_buf_addc(&ch, '}');
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->id);
    rc = pb_audit_write(c,
                        &(struct pb_audit_rec){.action = "stage",
                                               .resource = "enterprises",
                                               .object_id = idtxt,
                                               .region_code = region,
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    /* 投产 and 纳统 events count in the project statistics' targets: a new data version. */
    return pb_project_data_bump(db, region);
}

int pb_enterprise_event(struct pb_ctx *c, int64_t id, const char *stage, const char *date,
                        const char *note, struct pb_buf *out, struct pb_err *err)
{
    struct event_args a = {c, id, stage, date, note, out};
    int rc;
    if (!pb_policy_allows(c->who->role, "enterprises", PB_ACT_UPDATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    rc = pb_db_tx(c->db, 1, event_tx, &a, err);
    if (rc < 0)
        return rc;
    if (out)
        return pb_res_get(c, &pb_res_enterprises, id, 0, out, NULL, err);
    return 0;
}

int pb_enterprise_moved_in_by_lease(struct pb_ctx *c, int64_t id, int64_t lease_id,
                                    const char *date, struct pb_err *err)
{
    struct pb_stmt *st;
    char note[64];
    int rc, due = 0;
    struct event_args a = {c, id, "moved_in", date, note, NULL, 1};
    if ((rc = pb_db_prepare(c->db,
                            "SELECT stage, stage_on FROM enterprise WHERE id = ? AND archived_at "
                            "IS NULL",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW)
        /* Only a firm still at 签约, and never backwards: a move-in dated before the signing
         * event leaves the register to the staff. */
        due = !pb_stmt_col_null(st, 0) && !strcmp(pb_stmt_col_text(st, 0), "signed") &&
              (pb_stmt_col_null(st, 1) || strcmp(date, pb_stmt_col_text(st, 1)) >= 0);
    pb_stmt_done(st);
    if (rc < 0 || !due)
        return rc < 0 ? rc : 0;
    snprintf(note, sizeof note, "租约 %lld 入驻 (lease %lld moved in)", (long long)lease_id,
             (long long)lease_id);
    rc = event_tx(c->db, &a, err);
    return rc < 0 ? rc : 1;
}

int pb_enterprise_timeline(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, n = 0;
    char iso[32];
    if (!pb_policy_allows(c->who->role, "enterprises", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if ((rc = enterprise_visible(c, id, "id", NULL, NULL, err)))
        return rc == PB_E_NOT_FOUND ? pb_err_set(err, rc, "企业不存在", "enterprise not found")
                                    : rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT from_stage, stage, event_on, note, created_at FROM "
                            "enterprise_event WHERE enterprise_id = ? ORDER BY id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    pb_buf_printf(out, "{\"enterprise_id\":%lld,\"items\":[", (long long)id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int si = stage_index(pb_stmt_col_text(st, 1));
        pb_buf_adds(out, n++ ? ",{\"stage\":" : "{\"stage\":");
        pb_buf_json_str(out, pb_stmt_col_text(st, 1));
        pb_buf_adds(out, ",\"label\":");
        pb_buf_json_str(out, si < 0 ? "" : c->lang_en ? stages_en[si] : stages_zh[si]);
        pb_buf_adds(out, ",\"from_stage\":");
        if (pb_stmt_col_null(st, 0))
            pb_buf_adds(out, "null");
        else
            pb_buf_json_str(out, pb_stmt_col_text(st, 0));
        pb_buf_adds(out, ",\"date\":");
        pb_buf_json_str(out, pb_stmt_col_text(st, 2));
        pb_buf_adds(out, ",\"note\":");
        if (pb_stmt_col_null(st, 3))
            pb_buf_adds(out, "null");
        else
            pb_buf_json_str(out, pb_stmt_col_text(st, 3));
        pb_iso_utc(pb_stmt_col_int(st, 4), iso);
        pb_buf_adds(out, ",\"recorded_at\":");
        pb_buf_json_str(out, iso);
        pb_buf_addc(out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_adds(out, "],\"leases\":[");
    if ((rc = pb_db_prepare(c->db,
                            "SELECT id, kind, unit_ids, signed_on, moved_in_on, ended_on, status "
                            "FROM lease WHERE enterprise_id = ? AND archived_at IS NULL ORDER BY "
                            "signed_on, id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    n = 0;
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        static const char *const k[] = {"kind",        "unit_ids", "signed_on",
                                        "moved_in_on", "ended_on", "status"};
        pb_buf_printf(out, "%s{\"id\":%lld", n++ ? "," : "", (long long)pb_stmt_col_int(st, 0));
        for (int i = 0; i < 6; i++) {
            pb_buf_printf(out, ",\"%s\":", k[i]);
            if (pb_stmt_col_null(st, i + 1))
                pb_buf_adds(out, "null");
            else
                pb_buf_json_str(out, pb_stmt_col_text(st, i + 1));
        }
        pb_buf_addc(out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_adds(out, "]}");
    return 0;
}

struct unmask_args {
    struct pb_ctx *c;
    int64_t id;
    const char *reason;
    struct pb_buf *out;
};

static int unmask_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct unmask_args *a = ctx;
    struct pb_stmt *st;
    const char *region, *phone = NULL;
    char idtxt[24];
    struct pb_buf ch;
    int rc;
    if ((rc = enterprise_visible(a->c, a->id, "id", &region, NULL, err)))
        return rc == PB_E_NOT_FOUND ? pb_err_set(err, rc, "企业不存在", "enterprise not found")
                                    : rc;
    if ((rc = pb_db_prepare(db, "SELECT contact_phone FROM enterprise WHERE id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->id);
    if (pb_stmt_step(st) == PB_ROW && !pb_stmt_col_null(st, 0))
        phone = pb_arena_strdup(a->c->arena, pb_stmt_col_text(st, 0));
    pb_stmt_done(st);
    pb_buf_init(&ch, 0);
    pb_buf_adds(&ch, "{\"field\":\"contact_phone\",\"reason\":");
    pb_buf_json_str(&ch, a->reason);
    pb_buf_addc(&ch, '}');
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->id);
    rc = pb_audit_write(a->c,
                        &(struct pb_audit_rec){.action = "unmask",
                                               .resource = "enterprises",
                                               .object_id = idtxt,
                                               .region_code = region,
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    pb_buf_adds(a->out, "{\"contact_phone\":");
    if (phone)
        pb_buf_json_str(a->out, phone);
    else
        pb_buf_adds(a->out, "null");
    pb_buf_addc(a->out, '}');
    return 0;
}

int pb_enterprise_unmask(struct pb_ctx *c, int64_t id, const char *reason, struct pb_buf *out,
                         struct pb_err *err)
{
    struct unmask_args a = {c, id, reason, out};
    int rc;
    /* Staff who may change the register may see the full number, with a reason. */
    if (!pb_policy_allows(c->who->role, "enterprises", PB_ACT_UPDATE))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if (!reason || pb_utf8_len(reason) < 2 || strlen(reason) > 400)
        return pb_err_field(err, PB_E_INVALID, "reason", "required", "请说明查看完整号码的理由",
                            "state why you need the full number");
    rc = pb_db_tx(c->db, 1, unmask_tx, &a, err);
    return rc < 0 ? rc : 0;
}
