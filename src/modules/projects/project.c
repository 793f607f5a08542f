/* project.c: the project register, stage transitions and monthly reports (issue 4).
 * Rules and definitions: docs/projects.md. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/refdata.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/projects/project.h"
#include "modules/projects/project_stats.h"

int pb_report_due_day = 10;
int pb_report_jan_feb = 1;
int pb_project_stall_months = 3;

/* ---- stages ---- */

static const char *const stage_ids[] = {"planned",       "started", "building",
                                        "partly_in_use", "in_use",  NULL};
static const char *const stage_zh[] = {"谋划", "开工", "在建", "部分投用", "投用", NULL};
static const char *const stage_en[] = {"Planned",       "Started", "Under construction",
                                       "Partly in use", "In use",  NULL};

const char *pb_stage_name(int s)
{
    return s > PB_STAGE_NONE && s < PB_STAGE__COUNT ? stage_ids[s - 1] : "none";
}

const char *pb_stage_label(int s, int en)
{
    if (s <= PB_STAGE_NONE || s >= PB_STAGE__COUNT)
        return en ? "No stage" : "未入库";
    return en ? stage_en[s - 1] : stage_zh[s - 1];
}

int pb_stage_parse(const char *s)
{
    for (int i = 0; s && stage_ids[i]; i++)
        if (!strcmp(stage_ids[i], s))
            return i + 1;
    return -1;
}

int pb_stage_step_ok(int from, int to)
{
    if (to == from + 1)
        return 1;
    /* Partial use is optional: a project may go straight from construction into full use. */
    return from == PB_STAGE_BUILDING && to == PB_STAGE_IN_USE;
}

int pb_month_parse(const char *s, int *y, int *m)
{
    int yy, mm;
    if (!s || strlen(s) != 7 || s[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return -1;
    yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mm = (s[5] - '0') * 10 + (s[6] - '0');
    if (yy < 1900 || yy > 2200 || mm < 1 || mm > 12)
        return -1;
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    return 0;
}

/* ---- data version ---- */

int pb_project_data_bump(struct pb_db *db, const char *region_code)
{
    struct pb_stmt *st;
    int rc;
    if ((rc =
             pb_db_prepare(db,
                           "INSERT INTO project_data_version (region_code, v) VALUES (?, 1) "
                           "ON CONFLICT (region_code) DO UPDATE SET v = project_data_version.v + 1",
                           &st)))
        return rc;
    pb_stmt_bind_text(st, 1, region_code ? region_code : "");
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

int pb_project_data_version(struct pb_db *db, int64_t *out)
{
    return pb_db_query_int(db, "SELECT COALESCE(SUM(v), 0) FROM project_data_version", out);
}

/* ---- the monthly aggregate ---- */

struct agg_key {
    char region[16];
    int64_t park_id;
    int county_only, pilot;
};

/* Add sign × the amounts to the aggregate row of (month, key), inside the caller's write tx. */
static int agg_add(struct pb_db *db, const char *month, const struct agg_key *k, int sign,
                   int64_t inv, int64_t top, int64_t sup, int64_t comp)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(
             db,
             "INSERT INTO project_month_agg (month, region_code, park_id, county_only, pilot, "
             "invest_done, topped_out, topped_supporting, completed) VALUES (?, ?, ?, ?, ?, ?, ?, "
             "?, ?) ON CONFLICT (month, region_code, park_id, county_only, pilot) DO UPDATE SET "
             "invest_done = project_month_agg.invest_done + excluded.invest_done, topped_out = "
             "project_month_agg.topped_out + excluded.topped_out, topped_supporting = "
             "project_month_agg.topped_supporting + excluded.topped_supporting, completed = "
             "project_month_agg.completed + excluded.completed",
             &st)))
        return rc;
    pb_stmt_bind_text(st, 1, month);
    pb_stmt_bind_text(st, 2, k->region);
    pb_stmt_bind_int(st, 3, k->park_id);
    pb_stmt_bind_int(st, 4, k->county_only);
    pb_stmt_bind_int(st, 5, k->pilot);
    pb_stmt_bind_int(st, 6, sign * inv);
    pb_stmt_bind_int(st, 7, sign * top);
    pb_stmt_bind_int(st, 8, sign * sup);
    pb_stmt_bind_int(st, 9, sign * comp);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* Move a project's effective reports to its current key (after create, update or archive):
 * subtract them where they were counted, store the new key on the rows, add them again unless
 * the project is archived. */
static int agg_resync(struct pb_db *db, int64_t project_id)
{
    struct pb_stmt *st;
    struct agg_key nk;
    int rc, archived = 0, found = 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, park_id, county_only, pilot, archived_at IS NOT "
                            "NULL FROM project WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, project_id);
    memset(&nk, 0, sizeof nk);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        found = 1;
        pb_strlcpy(nk.region, pb_stmt_col_text(st, 0), sizeof nk.region);
        nk.park_id = pb_stmt_col_int(st, 1);
        nk.county_only = (int)pb_stmt_col_int(st, 2);
        nk.pilot = (int)pb_stmt_col_int(st, 3);
        archived = (int)pb_stmt_col_int(st, 4);
    }
    pb_stmt_done(st);
    if (rc < 0 || !found)
        return rc < 0 ? rc : 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT month, region_code, park_id, county_only, pilot, counted, "
                            "invest_done, topped_out, topped_supporting, completed FROM "
                            "project_report WHERE project_id = ? AND effective = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, project_id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        struct agg_key ok;
        char month[8];
        int64_t v[4];
        int counted = (int)pb_stmt_col_int(st, 5), r2;
        pb_strlcpy(month, pb_stmt_col_text(st, 0), sizeof month);
        pb_strlcpy(ok.region, pb_stmt_col_text(st, 1), sizeof ok.region);
        ok.park_id = pb_stmt_col_int(st, 2);
        ok.county_only = (int)pb_stmt_col_int(st, 3);
        ok.pilot = (int)pb_stmt_col_int(st, 4);
        for (int i = 0; i < 4; i++)
            v[i] = pb_stmt_col_int(st, 6 + i);
        if (counted == !archived && !strcmp(ok.region, nk.region) && ok.park_id == nk.park_id &&
            ok.county_only == nk.county_only && ok.pilot == nk.pilot)
            continue;
        if (counted && (r2 = agg_add(db, month, &ok, -1, v[0], v[1], v[2], v[3]))) {
            rc = r2;
            break;
        }
        if (!archived && (r2 = agg_add(db, month, &nk, 1, v[0], v[1], v[2], v[3]))) {
            rc = r2;
            break;
        }
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_report SET region_code = ?, park_id = ?, county_only = "
                            "?, pilot = ?, counted = ? WHERE project_id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, nk.region);
    pb_stmt_bind_int(st, 2, nk.park_id);
    pb_stmt_bind_int(st, 3, nk.county_only);
    pb_stmt_bind_int(st, 4, nk.pilot);
    pb_stmt_bind_int(st, 5, !archived);
    pb_stmt_bind_int(st, 6, project_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- the project resource ---- */

static const char *const kinds[] = {"new_build", "revitalized", "expansion", NULL};
static const char *const kinds_zh[] = {"新建", "盘活闲置低效用地", "扩建", NULL};
static const char *const kinds_en[] = {"New build", "Revitalisation of idle or low-efficiency land",
                                       "Expansion", NULL};

#define AREA_MAX ((int64_t)100000000 * 100)
#define MONEY_MAX ((int64_t)100000000000000LL) /* 1 万亿元 in fen */

static const struct pb_field project_fields[] = {
    {"name", PB_TEXT, .required = 1, .max_len = 100, .filter = PB_FILTER_LIKE, .sortable = 1,
     .search = 1, .list = 1, .label_zh = "项目名称", .label_en = "Project name"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .sortable = 1,
     .list = 1, .label_zh = "所在区域", .label_en = "Region",
     .doc = "must equal the park's region"},
    {"park_id", PB_REF, .required = 1, .ref = "parks", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所属园区", .label_en = "Park"},
    {"kind", PB_ENUM, .enums = kinds, .enum_zh = kinds_zh, .enum_en = kinds_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "建设类型", .label_en = "Kind"},
    {"county_only", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "仅县级项目（不纳入市级“四个一批”滚动管理）",
     .label_en = "County list only (not in the city's rolling portfolio)"},
    {"pilot", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "试点项目",
     .label_en = "Pilot project"},
    {"owner", PB_TEXT, .max_len = 100, .search = 1, .list = 1, .label_zh = "业主（开发主体）",
     .label_en = "Owner / developer"},
    {"invest_plan_yuan", PB_MONEY, .min = 0, .max = MONEY_MAX, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "计划总投资（元）",
     .label_en = "Planned total investment (yuan)"},
    {"land_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1, .label_zh = "用地面积（平方米）",
     .label_en = "Land area (m²)"},
    {"plan_factory_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1,
     .label_zh = "规划标准厂房建筑面积（平方米）",
     .label_en = "Planned standard factory floor area (m²)"},
    {"plan_supporting_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1,
     .label_zh = "规划配套用房建筑面积（平方米）",
     .label_en = "Planned supporting floor area (m²)"},
    {"plan_start", PB_DATE, .filter = PB_FILTER_RANGE, .sortable = 1, .list = 1,
     .label_zh = "计划开工日期", .label_en = "Planned start"},
    {"plan_finish", PB_DATE, .filter = PB_FILTER_RANGE, .sortable = 1, .list = 1,
     .label_zh = "计划竣工日期", .label_en = "Planned completion"},
    {"official", PB_TEXT, .max_len = 50, .search = 1, .list = 1, .label_zh = "责任领导",
     .label_en = "Responsible official"},
    {"description", PB_TEXT, .max_len = 2000, .search = 1, .label_zh = "项目简介",
     .label_en = "Description"},
    {"stage", PB_ENUM, .readonly = 1, .enums = stage_ids, .enum_zh = stage_zh, .enum_en = stage_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "当前阶段", .label_en = "Current stage",
     .doc = "from the transitions (POST /api/v1/projects/{id}/transitions); null before the "
            "first"},
    {"stage_date", PB_DATE, .readonly = 1, .filter = PB_FILTER_RANGE, .list = 1,
     .label_zh = "进入当前阶段日期", .label_en = "Stage since"},
};

/* Is the park there, visible to the caller, and in the same region as the project? */
static int project_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                            struct pb_err *err)
{
    const struct pb_val *park = pb_rec_get(rec, "park_id");
    const struct pb_val *region = pb_rec_get(rec, "region_code");
    const struct pb_val *ps = pb_rec_get(rec, "plan_start");
    const struct pb_val *pf = pb_rec_get(rec, "plan_finish");
    const struct pb_region *reg = region->is_null ? NULL : pb_region_find(region->s);
    (void)creating;
    if (reg && !strcmp(reg->kind, "city"))
        pb_err_field(err, PB_E_INVALID, "region_code", "not_county",
                     "项目须属于县（市、区）或功能区", "a project belongs to a county or a zone");
    if (!park->is_null) {
        struct pb_stmt *st;
        int rc, found = 0;
        char preg[16] = "";
        if ((rc = pb_db_prepare(
                 c->db, "SELECT region_code FROM park WHERE id = ? AND archived_at IS NULL", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, park->i);
        rc = pb_stmt_step(st);
        if (rc == PB_ROW) {
            found = 1;
            pb_strlcpy(preg, pb_stmt_col_text(st, 0), sizeof preg);
        }
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        /* A park outside the caller's jurisdiction answers exactly like an absent one. */
        if (!found || !pb_principal_region_ok(c->who, preg))
            pb_err_field(err, PB_E_INVALID, "park_id", "not_found", "园区不存在", "no such park");
        else if (!region->is_null && strcmp(preg, region->s))
            pb_err_field(err, PB_E_INVALID, "region_code", "region_mismatch",
                         "项目所在区域须与所属园区一致", "the project's region must be its park's");
    }
    if (!ps->is_null && !pf->is_null && strcmp(pf->s, ps->s) < 0)
        pb_err_field(err, PB_E_INVALID, "plan_finish", "before_start",
                     "计划竣工日期不能早于计划开工日期", "planned completion is before the start");
    return err->nfields
               ? pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields")
               : 0;
}

static int region_of(struct pb_db *db, const char *table, int64_t id, char out[16])
{
    struct pb_stmt *st;
    int rc;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT region_code FROM %s WHERE id = ?", table);
    if ((rc = pb_db_prepare(db, sql, &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    out[0] = 0;
    if (rc == PB_ROW)
        pb_strlcpy(out, pb_stmt_col_text(st, 0), 16);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static int project_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    char reg[16];
    int rc;
    (void)action;
    (void)err;
    if ((rc = region_of(c->db, "project", id, reg)))
        return rc;
    if ((rc = agg_resync(c->db, id)))
        return rc;
    if ((rc = pb_stage_agg_sync(c->db, id)))
        return rc;
    return pb_project_data_bump(c->db, reg);
}

const struct pb_resource pb_res_projects = {
    .name = "projects",
    .table = "project",
    .label_zh = "标准化项目",
    .label_en = "Standardization project",
    .fields = project_fields,
    .nfields = PB_ARRAY_LEN(project_fields),
    .default_sort = "-updated_at",
    .policy = "projects",
    .park_col = "park_id",
    .validate = project_validate,
    .after_write = project_after_write,
};

/* ---- the target resource ---- */

static const char *const indicators[] = {
    "new_projects",  "projects_in_use", "invest_done",       "topped_out",
    "new_producing", "new_output",      "new_in_statistics", NULL};
static const char *const indicators_zh[] = {"新增项目（个）",     "新增投用及部分投用项目（个）",
                                            "完成投资额（元）",   "新增封顶面积（平方米）",
                                            "新增投产企业（家）", "新增产值（元）",
                                            "新增纳统企业（家）", NULL};
static const char *const indicators_en[] = {"New projects",
                                            "Projects newly (partly) in use",
                                            "Investment completed (yuan)",
                                            "Floor area topped out (m²)",
                                            "New enterprises in production",
                                            "New output value (yuan)",
                                            "Enterprises newly in statistics",
                                            NULL};

static const struct pb_field target_fields[] = {
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "范围（全市或区域）", .label_en = "Scope (the city or a region)",
     .doc = "350500 for the whole city"},
    {"indicator", PB_ENUM, .required = 1, .enums = indicators, .enum_zh = indicators_zh,
     .enum_en = indicators_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "指标",
     .label_en = "Indicator"},
    {"year", PB_INT, .required = 1, .min = 2000, .max = 2100, .filter = PB_FILTER_EQ, .sortable = 1,
     .list = 1, .label_zh = "年度", .label_en = "Year"},
    {"month", PB_INT, .min = 0, .max = 12, .filter = PB_FILTER_EQ, .sortable = 1, .list = 1,
     .label_zh = "月份（0 为全年）", .label_en = "Month (0 = the whole year)",
     .doc = "0 or absent: the yearly target; 1..12: the cumulative target to that month"},
    {"value", PB_MONEY, .required = 1, .min = 0, .max = MONEY_MAX, .list = 1, .label_zh = "目标值",
     .label_en = "Target value", .doc = "yuan for money, m² for areas, a whole number for counts"},
    {"note", PB_TEXT, .max_len = 500, .list = 1, .label_zh = "说明", .label_en = "Note"},
    {"pilot", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "试点项目目标",
     .label_en = "Target of the pilot projects",
     .doc = "compared by the statistics with pilot=1 (project indicators only)"},
};

static int indicator_is_enterprise(const char *ind)
{
    return ind && (!strcmp(ind, "new_producing") || !strcmp(ind, "new_output") ||
                   !strcmp(ind, "new_in_statistics"));
}

static int indicator_is_count(const char *ind)
{
    return ind && (!strcmp(ind, "new_projects") || !strcmp(ind, "projects_in_use") ||
                   !strcmp(ind, "new_producing") || !strcmp(ind, "new_in_statistics"));
}

static int target_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                           struct pb_err *err)
{
    const struct pb_val *ind = pb_rec_get(rec, "indicator");
    const struct pb_val *val = pb_rec_get(rec, "value");
    const struct pb_val *year = pb_rec_get(rec, "year");
    const struct pb_val *month = pb_rec_get(rec, "month");
    const struct pb_val *region = pb_rec_get(rec, "region_code");
    const struct pb_val *pilot = pb_rec_get(rec, "pilot");
    int is_pilot = !pilot->is_null && pilot->i;
    struct pb_stmt *st;
    int rc;
    /* Enterprises are not linked to pilot projects: such a target could never be compared. */
    if (is_pilot && !ind->is_null && indicator_is_enterprise(ind->s))
        pb_err_field(err, PB_E_INVALID, "pilot", "not_for_enterprises",
                     "企业类指标不区分试点项目，不能设为试点目标",
                     "enterprise indicators are not counted for pilot projects; a pilot target "
                     "can only be a project indicator");
    if (!ind->is_null && indicator_is_count(ind->s) && !val->is_null && val->i % 100)
        pb_err_field(err, PB_E_INVALID, "value", "whole_number", "该指标的目标值须为整数",
                     "this indicator's target is a whole number");
    if (ind->is_null || year->is_null || region->is_null)
        goto out;
    /* One target per scope, indicator, year and month. */
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT id FROM project_target WHERE region_code = ? AND indicator = ? "
             "AND year = ? AND COALESCE(month, 0) = ? AND pilot = ? AND archived_at IS NULL AND "
             "id <> ?",
             &st)))
        return rc;
    pb_stmt_bind_text(st, 1, region->s);
    pb_stmt_bind_text(st, 2, ind->s);
    pb_stmt_bind_int(st, 3, year->i);
    pb_stmt_bind_int(st, 4, month->is_null ? 0 : month->i);
    pb_stmt_bind_int(st, 5, is_pilot);
    pb_stmt_bind_int(st, 6, creating ? 0 : rec->fixed[PB_COL_ID].i);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc == PB_ROW)
        pb_err_field(err, PB_E_INVALID, "indicator", "duplicate",
                     "该范围、指标、年度和月份已有目标", "this scope already has that target");
out:
    return err->nfields
               ? pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields")
               : 0;
}

static int target_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    char reg[16];
    int rc;
    (void)action;
    (void)err;
    if ((rc = region_of(c->db, "project_target", id, reg)))
        return rc;
    return pb_project_data_bump(c->db, reg);
}

const struct pb_resource pb_res_targets = {
    .name = "targets",
    .table = "project_target",
    .label_zh = "目标任务",
    .label_en = "Target",
    .fields = target_fields,
    .nfields = PB_ARRAY_LEN(target_fields),
    .default_sort = "-updated_at",
    .policy = "targets",
    .validate = target_validate,
    .after_write = target_after_write,
};

/* ---- shared: load a project the caller may reach ---- */

struct proj {
    int64_t id;
    char region[16];
    int64_t park_id;
    int county_only, pilot;
    char kind[24];
    int64_t plan_invest, plan_factory, plan_supporting;
    int has_plan_invest, has_plan_area, has_plan_supporting;
};

/* A change to a project or its reports: one audit record in its region's chain, and a new data
 * version so that cached statistics of that region are recomputed. Inside the write's
 * transaction. */
static int project_change(struct pb_ctx *c, struct pb_db *db, const struct proj *p,
                          const char *action, const char *resource, const char *changes,
                          struct pb_err *err)
{
    char idtxt[24];
    int rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)p->id);
    rc = pb_audit_write(c,
                        &(struct pb_audit_rec){.action = action,
                                               .resource = resource,
                                               .object_id = idtxt,
                                               .region_code = p->region,
                                               .result = "ok",
                                               .changes = changes},
                        err);
    return rc ? rc : pb_project_data_bump(db, p->region);
}

static void denied(struct pb_ctx *c, int64_t id, const char *region, const char *resource,
                   const char *action)
{
    c->denied.set = 1;
    c->denied.resource = resource;
    snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld", (long long)id);
    pb_strlcpy(c->denied.region_code, region ? region : "", sizeof c->denied.region_code);
    c->denied.action = action;
}

static int policy(struct pb_ctx *c, const char *pol, enum pb_action act, const char *action,
                  struct pb_err *err)
{
    if (pb_policy_allows(c->who->role, pol, act))
        return 0;
    c->denied.set = 1;
    c->denied.resource = pol;
    c->denied.object_id[0] = 0;
    c->denied.region_code[0] = 0;
    c->denied.action = action;
    return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作", "your role may not do this");
}

static int proj_load(struct pb_ctx *c, int64_t id, const char *action, struct proj *p,
                     struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, in_scope;
    int64_t park_id = 0;
    memset(p, 0, sizeof *p);
    if ((rc =
             pb_db_prepare(c->db,
                           "SELECT id, region_code, park_id, COALESCE(kind, ''), invest_plan_yuan, "
                           "plan_factory_m2, plan_supporting_m2, county_only, pilot FROM project "
                           "WHERE id = ? AND archived_at IS NULL",
                           &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        p->id = pb_stmt_col_int(st, 0);
        pb_strlcpy(p->region, pb_stmt_col_text(st, 1), sizeof p->region);
        park_id = pb_stmt_col_int(st, 2);
        pb_strlcpy(p->kind, pb_stmt_col_text(st, 3), sizeof p->kind);
        p->has_plan_invest = !pb_stmt_col_null(st, 4);
        p->plan_invest = pb_stmt_col_int(st, 4);
        p->has_plan_area = !pb_stmt_col_null(st, 5) || !pb_stmt_col_null(st, 6);
        p->plan_factory = pb_stmt_col_int(st, 5);
        p->has_plan_supporting = !pb_stmt_col_null(st, 6);
        p->plan_supporting = pb_stmt_col_int(st, 6);
        p->park_id = park_id;
        p->county_only = (int)pb_stmt_col_int(st, 7);
        p->pilot = (int)pb_stmt_col_int(st, 8);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (rc != PB_ROW)
        return pb_err_set(err, PB_E_NOT_FOUND, "标准化项目不存在", "project not found");
    in_scope = pb_principal_by_park(c->who) ? pb_principal_park_ok(c->who, park_id)
                                            : pb_principal_region_ok(c->who, p->region);
    if (!in_scope) {
        denied(c, id, p->region, "projects", action);
        return pb_err_set(err, PB_E_NOT_FOUND, "标准化项目不存在", "project not found");
    }
    return 0;
}

/* A field error whose message names one or two stages, each in the message's language. */
static void fe2(struct pb_err *err, const char *field, const char *code, const char *zh_fmt,
                const char *en_fmt, int s1, int s2)
{
    char zh[PB_ERR_MSG], en[PB_ERR_MSG];
    /* The formats are this file's literals, chosen above; never input. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(zh, sizeof zh, zh_fmt, pb_stage_label(s1, 0), pb_stage_label(s2, 0));
    snprintf(en, sizeof en, en_fmt, pb_stage_label(s1, 1), pb_stage_label(s2, 1));
#pragma GCC diagnostic pop
    /* The same argument list serves both formats: each skips the other language's text. */
    pb_err_field(err, PB_E_INVALID, field, code, "%s%.0s", "%.0s%s", zh, en);
}

static int invalid(struct pb_err *err)
{
    return pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields");
}

static void put_time(struct pb_buf *out, const char *key, struct pb_stmt *st, int col)
{
    char iso[32];
    pb_buf_printf(out, ",\"%s\":", key);
    if (pb_stmt_col_null(st, col)) {
        pb_buf_adds(out, "null");
        return;
    }
    pb_iso_utc(pb_stmt_col_int(st, col), iso);
    pb_buf_json_str(out, iso);
}

static void put_dec(struct pb_buf *out, const char *key, int64_t v)
{
    char t[32];
    pb_dec_format(v, 2, t, sizeof t);
    pb_buf_printf(out, ",\"%s\":", key);
    pb_buf_json_str(out, t);
}

/* ---- transitions ---- */

int pb_project_stage_at(struct pb_db *db, int64_t project_id, const char *date, int *stage)
{
    struct pb_stmt *st;
    int rc;
    *stage = PB_STAGE_NONE;
    if ((rc = pb_db_prepare(db,
                            "SELECT stage FROM project_transition WHERE project_id = ? AND on_date "
                            "<= ? AND voided_at IS NULL ORDER BY on_date DESC, id DESC LIMIT 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, project_id);
    pb_stmt_bind_text(st, 2, date);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        *stage = pb_stage_parse(pb_stmt_col_text(st, 0));
    pb_stmt_done(st);
    if (*stage < 0)
        *stage = PB_STAGE_NONE;
    return rc < 0 ? rc : 0;
}

/* The project's current stage is the latest (not voided) transition's. */
static int project_stage_sync(struct pb_db *db, int64_t pid, int64_t now_ms)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(
             db,
             "UPDATE project SET stage = (SELECT stage FROM project_transition WHERE project_id = "
             "? AND voided_at IS NULL ORDER BY on_date DESC, id DESC LIMIT 1), stage_date = "
             "(SELECT on_date FROM project_transition WHERE project_id = ? AND voided_at IS NULL "
             "ORDER BY on_date DESC, id DESC LIMIT 1), version = version + 1, updated_at = ? "
             "WHERE id = ?",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    pb_stmt_bind_int(st, 2, pid);
    pb_stmt_bind_int(st, 3, now_ms);
    pb_stmt_bind_int(st, 4, pid);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

struct trans_args {
    struct pb_ctx *c;
    int64_t project_id;
    const struct pb_transition_in *in;
    int stage;
    const char *kind;
    struct pb_buf *out;
};

static int trans_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct trans_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct proj p;
    struct pb_stmt *st;
    int rc, prev = PB_STAGE_NONE, next = PB_STAGE_NONE, next_has_reason = 0;
    int64_t tid = 0;
    const char *reason = a->in->reason ? a->in->reason : "";
    struct pb_buf ch;

    if ((rc = proj_load(c, a->project_id, "transition", &p, err)))
        return rc;
    if ((rc = pb_project_stage_at(db, p.id, a->in->date, &prev)))
        return rc;
    /* The first later transition: inserting before it must not make its step irregular. */
    if ((rc = pb_db_prepare(db,
                            "SELECT stage, reason FROM project_transition WHERE project_id = ? AND "
                            "on_date > ? AND voided_at IS NULL ORDER BY on_date, id LIMIT 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->in->date);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        next = pb_stage_parse(pb_stmt_col_text(st, 0));
        next_has_reason = pb_stmt_col_text(st, 1)[0] != 0;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;

    if (a->stage == prev)
        fe2(err, "stage", "no_change", "项目在该日期已处于「%s」阶段",
            "the project is already %s on that date", prev, prev);
    else if (!pb_stage_step_ok(prev, a->stage) && !reason[0])
        fe2(err, "reason", a->stage < prev ? "reason_required_back" : "reason_required_skip",
            a->stage < prev ? "从「%s」退回「%s」须说明原因" : "从「%s」跳到「%s」须说明原因",
            a->stage < prev ? "going back from %s to %s needs a reason"
                            : "skipping from %s to %s needs a reason",
            prev, a->stage);
    if (next > PB_STAGE_NONE) {
        if (next == a->stage)
            fe2(err, "date", "duplicates_next", "之后已有进入「%s」的记录",
                "a later transition already enters %s", next, next);
        else if (!pb_stage_step_ok(a->stage, next) && !next_has_reason)
            fe2(err, "date", "breaks_history",
                "补录后，之后进入「%s」的记录将成为跳过或退回且无原因",
                "after this, the later step into %s would skip or go back without a reason", next,
                next);
    }
    if (err->nfields)
        return invalid(err);

    if ((rc = pb_db_prepare(db,
                            "INSERT INTO project_transition (project_id, region_code, stage, "
                            "on_date, evidence, evidence_kind, reason, created_at, created_by) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, p.region);
    pb_stmt_bind_text(st, 3, pb_stage_name(a->stage));
    pb_stmt_bind_text(st, 4, a->in->date);
    pb_stmt_bind_text(st, 5, a->in->evidence);
    pb_stmt_bind_text(st, 6, a->kind);
    pb_stmt_bind_text(st, 7, reason);
    pb_stmt_bind_int(st, 8, c->now_ms);
    pb_stmt_bind_int(st, 9, c->who->account_id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        tid = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_DB;
    if ((rc = project_stage_sync(db, p.id, c->now_ms)))
        return rc;
    if ((rc = pb_stage_agg_sync(db, p.id)))
        return rc;

    pb_buf_init(&ch, 0);
    pb_buf_printf(&ch, "{\"transition_id\":%lld,\"from\":\"%s\",\"stage\":\"%s\",\"date\":",
                  (long long)tid, pb_stage_name(prev), pb_stage_name(a->stage));
    pb_buf_json_str(&ch, a->in->date);
    pb_buf_adds(&ch, ",\"evidence\":");
    pb_buf_json_str(&ch, a->in->evidence);
    pb_buf_adds(&ch, ",\"reason\":");
    pb_buf_json_str(&ch, reason);
    pb_buf_addc(&ch, '}');
    rc = project_change(c, db, &p, "transition", "projects", pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    if (a->out) {
        char iso[32];
        pb_iso_utc(c->now_ms, iso);
        pb_buf_printf(a->out, "{\"id\":%lld,\"project_id\":%lld,\"stage\":\"%s\",\"from_stage\":",
                      (long long)tid, (long long)p.id, pb_stage_name(a->stage));
        if (prev)
            pb_buf_printf(a->out, "\"%s\"", pb_stage_name(prev));
        else
            pb_buf_adds(a->out, "null");
        pb_buf_adds(a->out, ",\"date\":");
        pb_buf_json_str(a->out, a->in->date);
        pb_buf_adds(a->out, ",\"evidence\":");
        pb_buf_json_str(a->out, a->in->evidence);
        pb_buf_adds(a->out, ",\"evidence_kind\":");
        pb_buf_json_str(a->out, a->kind);
        pb_buf_adds(a->out, ",\"reason\":");
        pb_buf_json_str(a->out, reason);
        pb_buf_printf(a->out, ",\"irregular\":%s,\"created_at\":",
                      pb_stage_step_ok(prev, a->stage) ? "false" : "true");
        pb_buf_json_str(a->out, iso);
        pb_buf_addc(a->out, '}');
    }
    return 0;
}

static const char *const evidence_kinds[] = {"permit", "photo", "document", "other", NULL};

static int text_ok(const char *s, size_t max_chars)
{
    size_t n = 0;
    if (!pb_utf8_valid(s, strlen(s)))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n <= max_chars;
}

int pb_project_transition(struct pb_ctx *c, int64_t project_id, const struct pb_transition_in *in,
                          struct pb_buf *out, struct pb_err *err)
{
    struct trans_args a = {c, project_id, in, 0, "document", out};
    char today[11];
    int rc, ok_kind = 0;
    size_t start = out ? out->len : 0;
    if ((rc = policy(c, "projects", PB_ACT_UPDATE, "transition", err)))
        return rc;
    a.stage = pb_stage_parse(in->stage);
    if (!in->stage)
        pb_err_field(err, PB_E_INVALID, "stage", "required", "「阶段」为必填项",
                     "stage is required");
    else if (a.stage < 0)
        pb_err_field(err, PB_E_INVALID, "stage", "invalid_choice",
                     "阶段应为 planned、started、building、partly_in_use 或 in_use",
                     "stage must be planned, started, building, partly_in_use or in_use");
    pb_cst_today(today);
    if (!in->date)
        pb_err_field(err, PB_E_INVALID, "date", "required", "「日期」为必填项", "date is required");
    else if (!pb_date_valid(in->date))
        pb_err_field(err, PB_E_INVALID, "date", "invalid_date", "日期格式应为 YYYY-MM-DD",
                     "date must be YYYY-MM-DD");
    else if (strcmp(in->date, today) > 0)
        pb_err_field(err, PB_E_INVALID, "date", "future_date", "日期不能晚于今天",
                     "the date cannot be in the future");
    if (!in->evidence || !in->evidence[0])
        pb_err_field(err, PB_E_INVALID, "evidence", "required",
                     "须提供佐证（许可证号、照片或文件）",
                     "evidence is required (permit number, photo or document)");
    else if (!text_ok(in->evidence, 500))
        pb_err_field(err, PB_E_INVALID, "evidence", "too_long", "佐证说明过长（至多500字）",
                     "evidence is too long (500 characters at most)");
    if (in->reason && !text_ok(in->reason, 500))
        pb_err_field(err, PB_E_INVALID, "reason", "too_long", "原因过长（至多500字）",
                     "the reason is too long (500 characters at most)");
    if (in->evidence_kind) {
        for (int i = 0; evidence_kinds[i]; i++)
            if (!strcmp(evidence_kinds[i], in->evidence_kind)) {
                ok_kind = 1;
                a.kind = evidence_kinds[i];
            }
        if (!ok_kind)
            pb_err_field(err, PB_E_INVALID, "evidence_kind", "invalid_choice",
                         "佐证类型应为 permit、photo、document 或 other",
                         "evidence_kind must be permit, photo, document or other");
    }
    if (err->nfields)
        return invalid(err);
    rc = pb_db_tx(c->db, 1, trans_tx, &a, err);
    if (rc < 0 && out)
        out->len = start;
    return rc < 0 ? rc : 0;
}

struct list_args {
    struct pb_ctx *c;
    int64_t project_id;
    const char *month;
    struct pb_buf *out;
};

/* ---- voiding a wrong transition ---- */

#define TRANS_COLS                                                                                 \
    "id, project_id, stage, on_date, evidence, evidence_kind, reason, created_at, created_by, "    \
    "voided_at, voided_by, void_reason"

static void put_voided_row(struct pb_buf *out, struct pb_stmt *st)
{
    pb_buf_printf(out,
                  "{\"id\":%lld,\"project_id\":%lld,\"stage\":", (long long)pb_stmt_col_int(st, 0),
                  (long long)pb_stmt_col_int(st, 1));
    pb_buf_json_str(out, pb_stmt_col_text(st, 2));
    pb_buf_adds(out, ",\"date\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 3));
    pb_buf_adds(out, ",\"evidence\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 4));
    pb_buf_adds(out, ",\"evidence_kind\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 5));
    pb_buf_adds(out, ",\"reason\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 6));
    put_time(out, "created_at", st, 7);
    pb_buf_printf(out, ",\"created_by\":%lld,\"voided\":%s", (long long)pb_stmt_col_int(st, 8),
                  pb_stmt_col_null(st, 9) ? "false" : "true");
    put_time(out, "voided_at", st, 9);
    pb_buf_adds(out, ",\"voided_by\":");
    if (pb_stmt_col_null(st, 10))
        pb_buf_adds(out, "null");
    else
        pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, 10));
    pb_buf_adds(out, ",\"void_reason\":");
    if (pb_stmt_col_null(st, 11))
        pb_buf_adds(out, "null");
    else
        pb_buf_json_str(out, pb_stmt_col_text(st, 11));
    pb_buf_addc(out, '}');
}

struct void_args {
    struct pb_ctx *c;
    int64_t project_id, transition_id;
    const char *reason;
    struct pb_buf *out;
};

static int void_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct void_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct proj p;
    struct pb_stmt *st;
    char stage[24] = "", date[11] = "", w[16];
    int rc, voided = 0, found = 0, prev = PB_STAGE_NONE, next = PB_STAGE_NONE, next_reason = 0;
    int64_t next_id = 0;
    struct pb_buf ch;

    if ((rc = proj_load(c, a->project_id, "transition_void", &p, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT stage, on_date, voided_at IS NOT NULL FROM project_transition "
                            "WHERE id = ? AND project_id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->transition_id);
    pb_stmt_bind_int(st, 2, p.id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        found = 1;
        pb_strlcpy(stage, pb_stmt_col_text(st, 0), sizeof stage);
        pb_strlcpy(date, pb_stmt_col_text(st, 1), sizeof date);
        voided = (int)pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!found)
        return pb_err_set(err, PB_E_NOT_FOUND, "阶段记录不存在", "no such transition");
    if (voided) {
        pb_err_field(err, PB_E_CONFLICT, "transition", "already_voided", "该阶段记录已作废",
                     "this transition is already void");
        return pb_err_set(err, PB_E_CONFLICT, "该阶段记录已作废",
                          "this transition is already void");
    }
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_transition SET voided_at = ?, voided_by = ?, "
                            "void_reason = ? WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, c->who->account_id);
    pb_stmt_bind_text(st, 3, a->reason);
    pb_stmt_bind_int(st, 4, a->transition_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;

    /* Without it, the step from the stage before into the next transition must still be regular
     * (or have its reason), as when a transition is back-dated in between. */
    {
        struct pb_stmt *q;
        if ((rc = pb_db_prepare(db,
                                "SELECT id, stage, reason FROM project_transition WHERE project_id "
                                "= ? AND voided_at IS NULL AND (on_date > ? OR (on_date = ? AND id "
                                "> ?)) ORDER BY on_date, id LIMIT 1",
                                &q)))
            return rc;
        pb_stmt_bind_int(q, 1, p.id);
        pb_stmt_bind_text(q, 2, date);
        pb_stmt_bind_text(q, 3, date);
        pb_stmt_bind_int(q, 4, a->transition_id);
        if ((rc = pb_stmt_step(q)) == PB_ROW) {
            next_id = pb_stmt_col_int(q, 0);
            next = pb_stage_parse(pb_stmt_col_text(q, 1));
            next_reason = pb_stmt_col_text(q, 2)[0] != 0;
        }
        pb_stmt_done(q);
        if (rc < 0)
            return rc;
        if ((rc = pb_db_prepare(db,
                                "SELECT stage FROM project_transition WHERE project_id = ? AND "
                                "voided_at IS NULL AND (on_date < ? OR (on_date = ? AND id < ?)) "
                                "ORDER BY on_date DESC, id DESC LIMIT 1",
                                &q)))
            return rc;
        pb_stmt_bind_int(q, 1, p.id);
        pb_stmt_bind_text(q, 2, date);
        pb_stmt_bind_text(q, 3, date);
        pb_stmt_bind_int(q, 4, a->transition_id);
        if ((rc = pb_stmt_step(q)) == PB_ROW)
            prev = pb_stage_parse(pb_stmt_col_text(q, 0));
        pb_stmt_done(q);
        if (rc < 0)
            return rc;
        if (prev < 0)
            prev = PB_STAGE_NONE;
    }
    if (next_id && (next == prev || (!pb_stage_step_ok(prev, next) && !next_reason))) {
        snprintf(w, sizeof w, "%lld", (long long)next_id);
        pb_err_field(
            err, PB_E_INVALID, "transition", "breaks_history",
            "作废后，之后的阶段记录（编号 %s）将成为重复、跳过或退回且无原因；请先作废之后的记录",
            "without it, the later transition %s would repeat, skip or go back without a "
            "reason; void the later one first",
            w, w);
        return invalid(err);
    }
    /* The monthly reports already given must keep a stage their amounts agree with. */
    if ((rc =
             pb_db_prepare(db,
                           "SELECT month, invest_done + topped_out + completed FROM project_report "
                           "WHERE project_id = ? AND is_current = 1 ORDER BY month",
                           &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        char month[8], end[11];
        int y, m, s2 = PB_STAGE_NONE, r2;
        int64_t amounts = pb_stmt_col_int(st, 1);
        pb_strlcpy(month, pb_stmt_col_text(st, 0), sizeof month);
        if (pb_month_parse(month, &y, &m))
            continue;
        pb_date_format(y, m, pb_days_in_month(y, m), end);
        if ((r2 = pb_project_stage_at(db, p.id, end, &s2))) {
            rc = r2;
            break;
        }
        if (s2 == PB_STAGE_NONE)
            pb_err_field(err, PB_E_INVALID, "transition", "report_without_stage",
                         "作废后，%s 的月报所在月份将没有阶段",
                         "without it, the report of %s would "
                         "have no stage at month end",
                         month, month);
        else if (s2 == PB_STAGE_PLANNED && amounts > 0)
            pb_err_field(err, PB_E_INVALID, "transition", "planned_no_investment",
                         "作废后，%s 月末为谋划阶段，但该月月报有投资或面积",
                         "without it, the project is planned at the end of %s, whose report has "
                         "investment or area",
                         month, month);
        if (err->nfields)
            break;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (err->nfields)
        return invalid(err);
    if ((rc = project_stage_sync(db, p.id, c->now_ms)))
        return rc;
    if ((rc = pb_stage_agg_sync(db, p.id)))
        return rc;
    pb_buf_init(&ch, 0);
    pb_buf_printf(&ch, "{\"transition_id\":%lld,\"stage\":", (long long)a->transition_id);
    pb_buf_json_str(&ch, stage);
    pb_buf_adds(&ch, ",\"date\":");
    pb_buf_json_str(&ch, date);
    pb_buf_adds(&ch, ",\"void_reason\":");
    pb_buf_json_str(&ch, a->reason);
    pb_buf_addc(&ch, '}');
    rc = project_change(c, db, &p, "transition_void", "projects", pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    if (a->out) {
        if ((rc = pb_db_prepare(db, "SELECT " TRANS_COLS " FROM project_transition WHERE id = ?",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->transition_id);
        if ((rc = pb_stmt_step(st)) == PB_ROW)
            put_voided_row(a->out, st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int pb_project_transition_void(struct pb_ctx *c, int64_t project_id, int64_t transition_id,
                               const char *reason, struct pb_buf *out, struct pb_err *err)
{
    struct void_args a = {c, project_id, transition_id, reason, out};
    int rc;
    size_t start = out ? out->len : 0;
    /* A correction of the record by the city, like a confirmation: the reports/update right. */
    if ((rc = policy(c, "reports", PB_ACT_UPDATE, "transition_void", err)))
        return rc;
    if (!reason || !reason[0])
        pb_err_field(err, PB_E_INVALID, "reason", "required", "作废须说明原因",
                     "voiding needs a reason");
    else if (!text_ok(reason, 500))
        pb_err_field(err, PB_E_INVALID, "reason", "too_long", "原因过长（至多500字）",
                     "the reason is too long (500 characters at most)");
    if (err->nfields)
        return invalid(err);
    rc = pb_db_tx(c->db, 1, void_tx, &a, err);
    if (rc < 0 && out)
        out->len = start;
    return rc < 0 ? rc : 0;
}

static int trans_list_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct proj p;
    struct pb_stmt *st;
    int rc, prev = PB_STAGE_NONE, n = 0;
    size_t start = a->out->len;
    if ((rc = proj_load(a->c, a->project_id, "read", &p, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT id, stage, on_date, evidence, evidence_kind, reason, "
                            "created_at, created_by FROM project_transition WHERE project_id = ? "
                            "AND voided_at IS NULL ORDER BY on_date, id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_buf_adds(a->out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int s = pb_stage_parse(pb_stmt_col_text(st, 1));
        pb_buf_printf(a->out, "%s{\"id\":%lld,\"stage\":\"%s\",\"from_stage\":", n++ ? "," : "",
                      (long long)pb_stmt_col_int(st, 0), pb_stage_name(s));
        if (prev)
            pb_buf_printf(a->out, "\"%s\"", pb_stage_name(prev));
        else
            pb_buf_adds(a->out, "null");
        pb_buf_adds(a->out, ",\"date\":");
        pb_buf_json_str(a->out, pb_stmt_col_text(st, 2));
        pb_buf_adds(a->out, ",\"evidence\":");
        pb_buf_json_str(a->out, pb_stmt_col_text(st, 3));
        pb_buf_adds(a->out, ",\"evidence_kind\":");
        pb_buf_json_str(a->out, pb_stmt_col_text(st, 4));
        pb_buf_adds(a->out, ",\"reason\":");
        pb_buf_json_str(a->out, pb_stmt_col_text(st, 5));
        pb_buf_printf(a->out, ",\"irregular\":%s", pb_stage_step_ok(prev, s) ? "false" : "true");
        put_time(a->out, "created_at", st, 6);
        pb_buf_printf(a->out, ",\"created_by\":%lld}", (long long)pb_stmt_col_int(st, 7));
        prev = s;
    }
    pb_stmt_done(st);
    if (rc < 0) {
        a->out->len = start;
        return rc;
    }
    pb_buf_addc(a->out, ']');
    pb_buf_printf(a->out, ",\"stage\":%s%s%s", prev ? "\"" : "",
                  prev ? pb_stage_name(prev) : "null", prev ? "\"" : "");
    /* Voided transitions apart: they are history of the record, not of the project. */
    if ((rc = pb_db_prepare(db,
                            "SELECT " TRANS_COLS " FROM project_transition WHERE project_id = ? "
                            "AND voided_at IS NOT NULL ORDER BY voided_at, id",
                            &st))) {
        a->out->len = start;
        return rc;
    }
    pb_stmt_bind_int(st, 1, p.id);
    pb_buf_adds(a->out, ",\"voided\":[");
    n = 0;
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(a->out, ',');
        put_voided_row(a->out, st);
    }
    pb_stmt_done(st);
    if (rc < 0) {
        a->out->len = start;
        return rc;
    }
    pb_buf_adds(a->out, "]}");
    return 0;
}

int pb_project_transitions(struct pb_ctx *c, int64_t project_id, struct pb_buf *out,
                           struct pb_err *err)
{
    struct list_args a = {c, project_id, NULL, out};
    int rc;
    if ((rc = policy(c, "projects", PB_ACT_READ, "read", err)))
        return rc;
    rc = pb_db_tx(c->db, 0, trans_list_tx, &a, err);
    return rc < 0 ? rc : 0;
}

/* ---- monthly reports ---- */

struct rep_vals {
    int64_t invest, topped, supporting, completed, invest_cum;
    int has_supporting, has_cum, stage;
};

struct put_args {
    struct pb_ctx *c;
    int64_t project_id;
    const char *month;
    int y, m;
    const struct pb_report_in *in;
    struct rep_vals v;
    struct pb_buf *out;
};

#define REPORT_COLS                                                                                \
    "id, project_id, month, rev, status, is_current, effective, invest_done, topped_out, "         \
    "topped_supporting, completed, stage, problems, note, submitted_at, submitted_by, "            \
    "confirmed_at, confirmed_by, withdrawn_at, withdrawn_by"

static void put_report_row(struct pb_buf *out, struct pb_stmt *st)
{
    pb_buf_printf(out,
                  "{\"id\":%lld,\"project_id\":%lld,\"month\":", (long long)pb_stmt_col_int(st, 0),
                  (long long)pb_stmt_col_int(st, 1));
    pb_buf_json_str(out, pb_stmt_col_text(st, 2));
    pb_buf_printf(out, ",\"rev\":%lld,\"status\":", (long long)pb_stmt_col_int(st, 3));
    /* A version withdrawn before confirmation keeps its stored status 'submitted'. */
    pb_buf_json_str(out, pb_stmt_col_null(st, 18) ? pb_stmt_col_text(st, 4) : "withdrawn");
    pb_buf_printf(out, ",\"current\":%s,\"effective\":%s",
                  pb_stmt_col_int(st, 5) ? "true" : "false",
                  pb_stmt_col_int(st, 6) ? "true" : "false");
    put_dec(out, "invest_done_yuan", pb_stmt_col_int(st, 7));
    put_dec(out, "topped_out_m2", pb_stmt_col_int(st, 8));
    put_dec(out, "topped_out_supporting_m2", pb_stmt_col_int(st, 9));
    put_dec(out, "completed_m2", pb_stmt_col_int(st, 10));
    pb_buf_adds(out, ",\"stage\":");
    if (pb_stmt_col_null(st, 11))
        pb_buf_adds(out, "null");
    else
        pb_buf_json_str(out, pb_stmt_col_text(st, 11));
    pb_buf_adds(out, ",\"problems\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 12));
    pb_buf_adds(out, ",\"note\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 13));
    put_time(out, "submitted_at", st, 14);
    pb_buf_printf(out, ",\"submitted_by\":%lld", (long long)pb_stmt_col_int(st, 15));
    put_time(out, "confirmed_at", st, 16);
    pb_buf_adds(out, ",\"confirmed_by\":");
    if (pb_stmt_col_null(st, 17))
        pb_buf_adds(out, "null");
    else
        pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, 17));
    put_time(out, "withdrawn_at", st, 18);
    pb_buf_adds(out, ",\"withdrawn_by\":");
    if (pb_stmt_col_null(st, 19))
        pb_buf_adds(out, "null");
    else
        pb_buf_printf(out, "%lld", (long long)pb_stmt_col_int(st, 19));
    pb_buf_addc(out, '}');
}

/* Append the current report of (project, month) to out: 0, PB_E_NOT_FOUND or a db error. */
static int put_current(struct pb_db *db, int64_t pid, const char *month, struct pb_buf *out)
{
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT " REPORT_COLS " FROM project_report WHERE project_id = ? AND "
                            "month = ? AND is_current = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, pid);
    pb_stmt_bind_text(st, 2, month);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        put_report_row(out, st);
    pb_stmt_done(st);
    return rc == PB_ROW ? 0 : rc == PB_DONE ? PB_E_NOT_FOUND : rc;
}

/* Sums of the current versions of the other months (before this month, and all). */
struct sums {
    int64_t invest_before, topped_all, supporting_all, completed_all;
};

static int other_months(struct pb_db *db, int64_t pid, const char *month, struct sums *s)
{
    struct pb_stmt *st;
    int rc;
    memset(s, 0, sizeof *s);
    if ((rc = pb_db_prepare(
             db,
             "SELECT COALESCE(SUM(CASE WHEN month < ? THEN invest_done ELSE 0 END), 0), "
             "COALESCE(SUM(topped_out), 0), COALESCE(SUM(topped_supporting), 0), "
             "COALESCE(SUM(completed), 0) FROM project_report WHERE project_id = ? AND "
             "is_current = 1 AND month <> ?",
             &st)))
        return rc;
    pb_stmt_bind_text(st, 1, month);
    pb_stmt_bind_int(st, 2, pid);
    pb_stmt_bind_text(st, 3, month);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        s->invest_before = pb_stmt_col_int(st, 0);
        s->topped_all = pb_stmt_col_int(st, 1);
        s->supporting_all = pb_stmt_col_int(st, 2);
        s->completed_all = pb_stmt_col_int(st, 3);
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

static void month_end(int y, int m, char out[11])
{
    pb_date_format(y, m, pb_days_in_month(y, m), out);
}

static int put_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct put_args *a = ctx;
    struct pb_ctx *c = a->c;
    const struct rep_vals *v = &a->v;
    struct proj p;
    struct sums s;
    struct pb_stmt *st;
    char end[11], w[32], w2[32];
    int rc, stage, rev = 0, cur_status_confirmed = 0;
    int64_t cur_id = 0;
    const char *problems = a->in->problems ? a->in->problems : "";
    const char *note = a->in->note ? a->in->note : "";
    struct pb_buf ch;

    if ((rc = proj_load(c, a->project_id, "report", &p, err)))
        return rc;
    month_end(a->y, a->m, end);
    if ((rc = pb_project_stage_at(db, p.id, end, &stage)))
        return rc;
    if ((rc = other_months(db, p.id, a->month, &s)))
        return rc;

    /* Each rule names itself in `code` and the field it concerns. */
    if (stage == PB_STAGE_NONE)
        pb_err_field(err, PB_E_INVALID, "month", "no_stage",
                     "该项目在该月底尚无阶段记录，请先登记阶段（通常为谋划）",
                     "the project has no stage at the end of that month; record a transition "
                     "first (normally planned)");
    if (v->stage > 0 && v->stage != stage)
        fe2(err, "stage", "stage_mismatch", "填报的月末阶段「%s」与阶段记录「%s」不符",
            "the stage given (%s) differs from the recorded stage at month end (%s)", v->stage,
            stage);
    if (stage == PB_STAGE_PLANNED) {
        if (v->invest > 0)
            pb_err_field(err, PB_E_INVALID, "invest_done_yuan", "planned_no_investment",
                         "谋划阶段的项目不应有完成投资额",
                         "a project still in planning has no investment");
        if (v->topped > 0)
            pb_err_field(err, PB_E_INVALID, "topped_out_m2", "planned_no_construction",
                         "谋划阶段的项目不应有封顶面积",
                         "a project still in planning has no topped-out area");
        if (v->completed > 0)
            pb_err_field(err, PB_E_INVALID, "completed_m2", "planned_no_construction",
                         "谋划阶段的项目不应有竣工面积",
                         "a project still in planning has no completed area");
    }
    if (v->has_cum) {
        int64_t expect = s.invest_before + v->invest;
        pb_dec_format(s.invest_before, 2, w, sizeof w);
        pb_dec_format(expect, 2, w2, sizeof w2);
        if (v->invest_cum < s.invest_before)
            pb_err_field(err, PB_E_INVALID, "invest_cum_yuan", "cumulative_falls",
                         "累计完成投资额不能低于上月累计（%s元）",
                         "the cumulative investment cannot fall below last month's (%s yuan)", w,
                         w);
        else if (v->invest_cum != expect)
            pb_err_field(err, PB_E_INVALID, "invest_cum_yuan", "cumulative_mismatch",
                         "累计完成投资额应为此前累计加本月，即 %s 元",
                         "the cumulative investment must be the earlier total plus this month: "
                         "%s yuan",
                         w2, w2);
    }
    if (p.has_plan_area && s.topped_all + v->topped > p.plan_factory + p.plan_supporting) {
        pb_dec_format(p.plan_factory + p.plan_supporting, 2, w, sizeof w);
        pb_err_field(err, PB_E_INVALID, "topped_out_m2", "topped_out_exceeds_plan",
                     "累计封顶面积超过规划建筑面积（%s平方米）",
                     "the cumulative topped-out area exceeds the planned floor area (%s m²)", w, w);
    }
    if (v->supporting > v->topped)
        pb_err_field(err, PB_E_INVALID, "topped_out_supporting_m2", "supporting_exceeds_total",
                     "其中配套用房面积不能大于封顶面积",
                     "the supporting part cannot exceed the topped-out area");
    else if (p.has_plan_supporting && s.supporting_all + v->supporting > p.plan_supporting)
        pb_err_field(err, PB_E_INVALID, "topped_out_supporting_m2", "supporting_exceeds_plan",
                     "累计封顶的配套用房面积超过规划配套用房面积",
                     "the cumulative supporting area topped out exceeds its planned area");
    /* Revitalisation projects refit existing buildings: nothing is topped out before completion. */
    if (strcmp(p.kind, "revitalized") && s.completed_all + v->completed > s.topped_all + v->topped)
        pb_err_field(err, PB_E_INVALID, "completed_m2", "completed_exceeds_topped_out",
                     "累计竣工面积不能超过累计封顶面积",
                     "the cumulative completed area cannot exceed the cumulative topped-out area");
    if (p.has_plan_invest && p.plan_invest > 0 && s.invest_before + v->invest > 2 * p.plan_invest) {
        pb_dec_format(p.plan_invest, 2, w, sizeof w);
        pb_err_field(err, PB_E_INVALID, "invest_done_yuan", "invest_exceeds_plan",
                     "累计完成投资额超过计划总投资（%s元）的两倍，请核实",
                     "the cumulative investment is more than twice the planned total (%s yuan)", w,
                     w);
    }
    if (err->nfields)
        return invalid(err);

    /* The current version: replaced in place before confirmation, superseded after. */
    if ((rc = pb_db_prepare(db,
                            "SELECT id, rev, status FROM project_report WHERE project_id = ? AND "
                            "month = ? AND is_current = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        cur_id = pb_stmt_col_int(st, 0);
        rev = (int)pb_stmt_col_int(st, 1);
        cur_status_confirmed = !strcmp(pb_stmt_col_text(st, 2), "confirmed");
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_init(&ch, 0);
    if (cur_id && !cur_status_confirmed) {
        if ((rc = pb_db_prepare(db,
                                "UPDATE project_report SET invest_done = ?, topped_out = ?, "
                                "topped_supporting = ?, completed = ?, stage = ?, problems = ?, "
                                "note = ?, submitted_at = ?, submitted_by = ? WHERE id = ?",
                                &st)))
            goto out;
        pb_stmt_bind_int(st, 10, cur_id);
    } else {
        if (cur_id) {
            struct pb_stmt *u;
            if ((rc = pb_db_prepare(db, "UPDATE project_report SET is_current = 0 WHERE id = ?",
                                    &u)))
                goto out;
            pb_stmt_bind_int(u, 1, cur_id);
            rc = pb_stmt_step(u);
            pb_stmt_done(u);
            if (rc < 0)
                goto out;
        }
        {
            /* The next number after every version, withdrawn ones included. */
            struct pb_stmt *q;
            if ((rc = pb_db_prepare(db,
                                    "SELECT COALESCE(MAX(rev), 0) FROM project_report WHERE "
                                    "project_id = ? AND month = ?",
                                    &q)))
                goto out;
            pb_stmt_bind_int(q, 1, p.id);
            pb_stmt_bind_text(q, 2, a->month);
            if ((rc = pb_stmt_step(q)) == PB_ROW)
                rev = (int)pb_stmt_col_int(q, 0);
            pb_stmt_done(q);
            if (rc < 0)
                goto out;
        }
        rev++;
        if ((rc = pb_db_prepare(db,
                                "INSERT INTO project_report (invest_done, topped_out, "
                                "topped_supporting, completed, stage, problems, note, "
                                "submitted_at, submitted_by, project_id, region_code, month, rev, "
                                "status, is_current, effective) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                                "?, ?, ?, ?, ?, 'submitted', 1, 0)",
                                &st)))
            goto out;
        pb_stmt_bind_int(st, 10, p.id);
        pb_stmt_bind_text(st, 11, p.region);
        pb_stmt_bind_text(st, 12, a->month);
        pb_stmt_bind_int(st, 13, rev);
    }
    pb_stmt_bind_int(st, 1, v->invest);
    pb_stmt_bind_int(st, 2, v->topped);
    pb_stmt_bind_int(st, 3, v->supporting);
    pb_stmt_bind_int(st, 4, v->completed);
    pb_stmt_bind_text(st, 5, pb_stage_name(stage));
    pb_stmt_bind_text(st, 6, problems);
    pb_stmt_bind_text(st, 7, note);
    pb_stmt_bind_int(st, 8, c->now_ms);
    pb_stmt_bind_int(st, 9, c->who->account_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        goto out;

    pb_buf_adds(&ch, "{\"month\":");
    pb_buf_json_str(&ch, a->month);
    pb_buf_printf(&ch, ",\"rev\":%d", rev);
    put_dec(&ch, "invest_done_yuan", v->invest);
    put_dec(&ch, "topped_out_m2", v->topped);
    put_dec(&ch, "topped_out_supporting_m2", v->supporting);
    put_dec(&ch, "completed_m2", v->completed);
    pb_buf_addc(&ch, '}');
    rc = project_change(c, db, &p,
                        cur_id && !cur_status_confirmed ? "report_replace" : "report_submit",
                        "reports", pb_buf_cstr(&ch), err);
    if (rc)
        goto out;
    if (a->out)
        rc = put_current(db, p.id, a->month, a->out);
out:
    pb_buf_release(&ch);
    return rc;
}

static void parse_amount(const char *name, const char *s, int required, int64_t *out, int *has,
                         struct pb_err *err)
{
    int rc;
    if (has)
        *has = 0;
    *out = 0;
    if (!s) {
        if (required)
            pb_err_field(err, PB_E_INVALID, name, "required", "「%s」为必填项", "%s is required",
                         name, name);
        return;
    }
    rc = pb_dec_parse(s, 2, out);
    if (rc == PB_DEC_TOO_MANY_DECIMALS)
        pb_err_field(err, PB_E_INVALID, name, "too_many_decimals", "「%s」至多两位小数",
                     "%s has at most 2 decimals", name, name);
    else if (rc)
        pb_err_field(err, PB_E_INVALID, name, "invalid_decimal", "「%s」应为十进制数字字符串",
                     "%s must be a decimal string", name, name);
    else if (*out < 0)
        /* A negative month would make the cumulative figure fall. */
        pb_err_field(err, PB_E_INVALID, name, "cumulative_falls",
                     "「%s」不能为负数：累计值不能下降",
                     "%s cannot be negative: cumulative values never fall", name, name);
    else if (*out > MONEY_MAX)
        pb_err_field(err, PB_E_INVALID, name, "too_large", "「%s」过大", "%s is too large", name,
                     name);
    else if (has)
        *has = 1;
}

int pb_report_put(struct pb_ctx *c, int64_t project_id, const char *month,
                  const struct pb_report_in *in, struct pb_buf *out, struct pb_err *err)
{
    struct put_args a;
    char today[11];
    int rc;
    size_t start = out ? out->len : 0;
    if ((rc = policy(c, "reports", PB_ACT_CREATE, "report", err)))
        return rc;
    memset(&a, 0, sizeof a);
    a.c = c;
    a.project_id = project_id;
    a.month = month;
    a.in = in;
    a.out = out;
    pb_cst_today(today);
    if (pb_month_parse(month, &a.y, &a.m))
        pb_err_field(err, PB_E_INVALID, "month", "invalid_month", "月份格式应为 YYYY-MM",
                     "the month must be YYYY-MM");
    else if (strncmp(month, today, 7) > 0)
        pb_err_field(err, PB_E_INVALID, "month", "future_month", "不能填报未来月份",
                     "a report cannot be for a future month");
    parse_amount("invest_done_yuan", in->invest_done_yuan, 1, &a.v.invest, NULL, err);
    parse_amount("topped_out_m2", in->topped_out_m2, 1, &a.v.topped, NULL, err);
    parse_amount("topped_out_supporting_m2", in->topped_out_supporting_m2, 0, &a.v.supporting,
                 &a.v.has_supporting, err);
    parse_amount("completed_m2", in->completed_m2, 1, &a.v.completed, NULL, err);
    parse_amount("invest_cum_yuan", in->invest_cum_yuan, 0, &a.v.invest_cum, &a.v.has_cum, err);
    if (in->stage && (a.v.stage = pb_stage_parse(in->stage)) < 0)
        pb_err_field(err, PB_E_INVALID, "stage", "invalid_choice",
                     "阶段应为 planned、started、building、partly_in_use 或 in_use",
                     "stage must be planned, started, building, partly_in_use or in_use");
    if (in->problems && !text_ok(in->problems, 2000))
        pb_err_field(err, PB_E_INVALID, "problems", "too_long", "问题说明过长（至多2000字）",
                     "problems: 2000 characters at most");
    if (in->note && !text_ok(in->note, 500))
        pb_err_field(err, PB_E_INVALID, "note", "too_long", "备注过长（至多500字）",
                     "note: 500 characters at most");
    if (err->nfields)
        return invalid(err);
    rc = pb_db_tx(c->db, 1, put_tx, &a, err);
    if (rc < 0 && out)
        out->len = start;
    return rc < 0 ? rc : 0;
}

static int confirm_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct proj p;
    struct pb_stmt *st;
    int rc, rev = 0;
    int64_t cur_id = 0;
    char status[16] = "";
    if ((rc = proj_load(c, a->project_id, "confirm", &p, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT id, rev, status FROM project_report WHERE project_id = ? AND "
                            "month = ? AND is_current = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        cur_id = pb_stmt_col_int(st, 0);
        rev = (int)pb_stmt_col_int(st, 1);
        pb_strlcpy(status, pb_stmt_col_text(st, 2), sizeof status);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!cur_id)
        return pb_err_set(err, PB_E_NOT_FOUND, "该月报表尚未填报", "no report for that month");
    if (strcmp(status, "submitted"))
        return pb_err_set(err, PB_E_CONFLICT, "该版本已确认", "this version is already confirmed");
    /* The aggregate: take out the version that counted so far, then add the confirmed one. */
    if ((rc =
             pb_db_prepare(db,
                           "SELECT region_code, park_id, county_only, pilot, counted, invest_done, "
                           "topped_out, topped_supporting, completed FROM project_report WHERE "
                           "project_id = ? AND month = ? AND effective = 1",
                           &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW && pb_stmt_col_int(st, 4)) {
        struct agg_key ok;
        int64_t v[4];
        pb_strlcpy(ok.region, pb_stmt_col_text(st, 0), sizeof ok.region);
        ok.park_id = pb_stmt_col_int(st, 1);
        ok.county_only = (int)pb_stmt_col_int(st, 2);
        ok.pilot = (int)pb_stmt_col_int(st, 3);
        for (int i = 0; i < 4; i++)
            v[i] = pb_stmt_col_int(st, 5 + i);
        pb_stmt_done(st);
        if ((rc = agg_add(db, a->month, &ok, -1, v[0], v[1], v[2], v[3])))
            return rc;
    } else {
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_report SET effective = 0, status = 'superseded' WHERE "
                            "project_id = ? AND month = ? AND effective = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_report SET status = 'confirmed', effective = 1, "
                            "confirmed_at = ?, confirmed_by = ?, region_code = ?, park_id = ?, "
                            "county_only = ?, pilot = ?, counted = 1 WHERE id = ? RETURNING "
                            "invest_done, topped_out, topped_supporting, completed",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, c->who->account_id);
    pb_stmt_bind_text(st, 3, p.region);
    pb_stmt_bind_int(st, 4, p.park_id);
    pb_stmt_bind_int(st, 5, p.county_only);
    pb_stmt_bind_int(st, 6, p.pilot);
    pb_stmt_bind_int(st, 7, cur_id);
    rc = pb_stmt_step(st);
    {
        int64_t v[4] = {0, 0, 0, 0};
        struct agg_key nk;
        if (rc == PB_ROW)
            for (int i = 0; i < 4; i++)
                v[i] = pb_stmt_col_int(st, i);
        if (rc == PB_ROW)
            rc = pb_stmt_step(st); /* finish the statement (SQLite counts changes then) */
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        pb_strlcpy(nk.region, p.region, sizeof nk.region);
        nk.park_id = p.park_id;
        nk.county_only = p.county_only;
        nk.pilot = p.pilot;
        if ((rc = agg_add(db, a->month, &nk, 1, v[0], v[1], v[2], v[3])))
            return rc;
    }
    {
        char changes[96];
        snprintf(changes, sizeof changes, "{\"month\":\"%.7s\",\"rev\":%d}", a->month, rev);
        if ((rc = project_change(c, db, &p, "report_confirm", "reports", changes, err)))
            return rc;
    }
    return a->out ? put_current(db, p.id, a->month, a->out) : 0;
}

/* The shape of every report-of-a-month operation: the role may do `act`, the month is well
 * formed, then `fn` runs in a transaction (write or read); a failure leaves `out` as it was. */
static int month_op(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                    enum pb_action act, const char *what, int write, pb_tx_fn fn,
                    struct pb_err *err)
{
    struct list_args a = {c, project_id, month, out};
    int rc;
    size_t start = out ? out->len : 0;
    if ((rc = policy(c, "reports", act, what, err)))
        return rc;
    if (pb_month_parse(month, NULL, NULL)) {
        pb_err_field(err, PB_E_INVALID, "month", "invalid_month", "月份格式应为 YYYY-MM",
                     "the month must be YYYY-MM");
        return invalid(err);
    }
    rc = pb_db_tx(c->db, write, fn, &a, err);
    if (rc < 0 && out)
        out->len = start;
    return rc < 0 ? rc : 0;
}

int pb_report_confirm(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                      struct pb_err *err)
{
    return month_op(c, project_id, month, out, PB_ACT_UPDATE, "confirm", 1, confirm_tx, err);
}

/* Withdraw the submitted current version before confirmation: it stays in the history as
 * 'withdrawn' and is never current again; a confirmed earlier version becomes current again. */
static int withdraw_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct pb_ctx *c = a->c;
    struct proj p;
    struct pb_stmt *st;
    int rc, rev = 0;
    int64_t cur_id = 0, v[4] = {0, 0, 0, 0};
    char status[16] = "";
    struct pb_buf ch;
    if ((rc = proj_load(c, a->project_id, "report_withdraw", &p, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT id, rev, status, invest_done, topped_out, topped_supporting, "
                            "completed FROM project_report WHERE project_id = ? AND month = ? AND "
                            "is_current = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        cur_id = pb_stmt_col_int(st, 0);
        rev = (int)pb_stmt_col_int(st, 1);
        pb_strlcpy(status, pb_stmt_col_text(st, 2), sizeof status);
        for (int i = 0; i < 4; i++)
            v[i] = pb_stmt_col_int(st, 3 + i);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!cur_id)
        return pb_err_set(err, PB_E_NOT_FOUND, "该月报表尚未填报", "no report for that month");
    if (strcmp(status, "submitted")) {
        pb_err_field(err, PB_E_CONFLICT, "month", "already_confirmed",
                     "该版本已确认，不能撤回；如需更正请提交新版本",
                     "this version is confirmed and cannot be withdrawn; submit a correction");
        return pb_err_set(err, PB_E_CONFLICT, "该版本已确认，不能撤回",
                          "this version is already confirmed");
    }
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_report SET is_current = 0, withdrawn_at = ?, "
                            "withdrawn_by = ? WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, c->now_ms);
    pb_stmt_bind_int(st, 2, c->who->account_id);
    pb_stmt_bind_int(st, 3, cur_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* The confirmed version (a correction was pending) is current again. */
    if ((rc = pb_db_prepare(db,
                            "UPDATE project_report SET is_current = 1 WHERE project_id = ? AND "
                            "month = ? AND effective = 1",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_init(&ch, 0);
    pb_buf_adds(&ch, "{\"month\":");
    pb_buf_json_str(&ch, a->month);
    pb_buf_printf(&ch, ",\"rev\":%d", rev);
    put_dec(&ch, "invest_done_yuan", v[0]);
    put_dec(&ch, "topped_out_m2", v[1]);
    put_dec(&ch, "topped_out_supporting_m2", v[2]);
    put_dec(&ch, "completed_m2", v[3]);
    pb_buf_addc(&ch, '}');
    rc = project_change(c, db, &p, "report_withdraw", "reports", pb_buf_cstr(&ch), err);
    pb_buf_release(&ch);
    if (rc)
        return rc;
    if (a->out) {
        if ((rc =
                 pb_db_prepare(db, "SELECT " REPORT_COLS " FROM project_report WHERE id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, cur_id);
        if ((rc = pb_stmt_step(st)) == PB_ROW)
            put_report_row(a->out, st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int pb_report_withdraw(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                       struct pb_err *err)
{
    /* Whoever may submit may withdraw, within their scope. */
    return month_op(c, project_id, month, out, PB_ACT_CREATE, "report_withdraw", 1, withdraw_tx,
                    err);
}

static int get_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct proj p;
    struct pb_stmt *st;
    int rc, n = 0;
    size_t start = a->out->len;
    if ((rc = proj_load(a->c, a->project_id, "read", &p, err)))
        return rc;
    rc = put_current(db, p.id, a->month, a->out);
    if (rc == PB_E_NOT_FOUND)
        return pb_err_set(err, PB_E_NOT_FOUND, "该月报表尚未填报", "no report for that month");
    if (rc)
        return rc;
    a->out->len--; /* reopen the object to add its history */
    if ((rc = pb_db_prepare(db,
                            "SELECT " REPORT_COLS " FROM project_report WHERE project_id = ? AND "
                            "month = ? ORDER BY rev DESC",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_stmt_bind_text(st, 2, a->month);
    pb_buf_adds(a->out, ",\"history\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(a->out, ',');
        put_report_row(a->out, st);
    }
    pb_stmt_done(st);
    if (rc < 0) {
        a->out->len = start;
        return rc;
    }
    pb_buf_adds(a->out, "]}");
    return 0;
}

int pb_report_get(struct pb_ctx *c, int64_t project_id, const char *month, struct pb_buf *out,
                  struct pb_err *err)
{
    return month_op(c, project_id, month, out, PB_ACT_READ, "read", 0, get_tx, err);
}

static int replist_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct list_args *a = ctx;
    struct proj p;
    struct pb_stmt *st;
    int rc, n = 0;
    int64_t cum_inv = 0, cum_top = 0, cum_comp = 0;
    size_t start = a->out->len;
    if ((rc = proj_load(a->c, a->project_id, "read", &p, err)))
        return rc;
    if ((rc = pb_db_prepare(db,
                            "SELECT " REPORT_COLS " FROM project_report WHERE project_id = ? AND "
                            "is_current = 1 ORDER BY month",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, p.id);
    pb_buf_adds(a->out, "{\"items\":[");
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (n++)
            pb_buf_addc(a->out, ',');
        put_report_row(a->out, st);
        cum_inv += pb_stmt_col_int(st, 7);
        cum_top += pb_stmt_col_int(st, 8);
        cum_comp += pb_stmt_col_int(st, 10);
        a->out->len--;
        put_dec(a->out, "invest_cum_yuan", cum_inv);
        put_dec(a->out, "topped_out_cum_m2", cum_top);
        put_dec(a->out, "completed_cum_m2", cum_comp);
        pb_buf_addc(a->out, '}');
    }
    pb_stmt_done(st);
    if (rc < 0) {
        a->out->len = start;
        return rc;
    }
    pb_buf_adds(a->out, "]}");
    return 0;
}

int pb_report_list(struct pb_ctx *c, int64_t project_id, struct pb_buf *out, struct pb_err *err)
{
    struct list_args a = {c, project_id, NULL, out};
    int rc;
    if ((rc = policy(c, "reports", PB_ACT_READ, "read", err)))
        return rc;
    rc = pb_db_tx(c->db, 0, replist_tx, &a, err);
    return rc < 0 ? rc : 0;
}
