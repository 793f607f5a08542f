/* building.c: buildings and units of a park, and the park-unit rows of the idle-space library.
 *
 * A building's region and a unit's park and region are derived from the parent (never taken
 * from the body), so a child can never sit in another county than its park. */
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/util/money.h"
#include "modules/space/space.h"

static const char *const building_kinds[] = {"standard_factory", "supporting", "rd", "amenity",
                                             NULL};
static const char *const building_kinds_zh[] = {"标准厂房", "配套用房（生活）", "研发用房",
                                                "公共服务（邻里中心）", NULL};
static const char *const building_kinds_en[] = {"Standard factory", "Supporting (living)", "R&D",
                                                "Amenity", NULL};

static const char *const unit_statuses[] = {"vacant",   "reserved",    "signed",
                                            "occupied", "unavailable", NULL};
static const char *const unit_statuses_zh[] = {"空置",   "预留",     "已签约",
                                               "已入驻", "不可招商", NULL};
static const char *const unit_statuses_en[] = {"Vacant",   "Reserved",    "Signed",
                                               "Occupied", "Unavailable", NULL};

/* Fire-hazard category of production a space allows (GB 50016): 戊 < 丁 < 丙 < 乙 < 甲. A
 * space allowing 乙 also allows 丙, 丁 and 戊. */
const char *const pb_hazard_classes[] = {"e", "d", "c", "b", "a", NULL};
static const char *const hazard_zh[] = {"戊类", "丁类", "丙类", "乙类", "甲类", NULL};
static const char *const hazard_en[] = {"Class E (戊)", "Class D (丁)", "Class C (丙)",
                                        "Class B (乙)", "Class A (甲)", NULL};

#define AREA_MAX ((int64_t)100000000 * 100)

/* ---- parents ---- */

int pb_space_park_visible(struct pb_ctx *c, int64_t park_id, const char *field, const char **region,
                          struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, ok = 0;
    const char *reg = NULL;
    if ((rc = pb_db_prepare(
             c->db, "SELECT region_code FROM park WHERE id = ? AND archived_at IS NULL", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, park_id);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        reg = pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0));
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (reg) {
        if (pb_principal_by_park(c->who))
            ok = pb_principal_park_ok(c->who, park_id);
        else
            ok = c->who->role != PB_ROLE_ENTERPRISE && pb_principal_region_ok(c->who, reg);
    }
    if (!ok)
        return pb_err_field(err, PB_E_NOT_FOUND, field, "not_found", "园区 %lld 不存在",
                            "park %lld not found", (long long)park_id);
    if (region)
        *region = reg;
    return 0;
}

static void set_text(struct pb_rec *rec, const char *field, const char *s)
{
    struct pb_val *v = (struct pb_val *)pb_rec_get(rec, field);
    v->is_null = s == NULL;
    v->s = s;
    v->i = 0;
}

static void set_int(struct pb_rec *rec, const char *field, int64_t i)
{
    struct pb_val *v = (struct pb_val *)pb_rec_get(rec, field);
    v->is_null = 0;
    v->s = NULL;
    v->i = i;
}

static int invalid(struct pb_err *err)
{
    return err->nfields ? pb_err_set(err, err->rc ? err->rc : PB_E_INVALID, "请检查标出的字段",
                                     "please check the marked fields")
                        : 0;
}

/* ---- buildings ---- */

static const struct pb_field building_fields[] = {
    {"park_id", PB_REF, .required = 1, .immutable = 1, .ref = "parks", .filter = PB_FILTER_EQ,
     .list = 1, .label_zh = "所属园区", .label_en = "Park"},
    {"region_code", PB_REGION, .scope = 1, .readonly = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region", .doc = "the park's region (derived)"},
    {"name", PB_TEXT, .required = 1, .max_len = 100, .search = 1, .sortable = 1, .list = 1,
     .filter = PB_FILTER_LIKE, .label_zh = "楼栋名称", .label_en = "Building name"},
    {"kind", PB_ENUM, .required = 1, .enums = building_kinds, .enum_zh = building_kinds_zh,
     .enum_en = building_kinds_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "楼栋类型",
     .label_en = "Kind"},
    {"floors", PB_INT, .min = 1, .max = 200, .list = 1, .label_zh = "层数", .label_en = "Floors"},
    {"floor_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1, .filter = PB_FILTER_RANGE,
     .label_zh = "建筑面积（平方米）", .label_en = "Floor area (m²)"},
    {"completed_on", PB_DATE, .list = 1, .filter = PB_FILTER_RANGE, .sortable = 1,
     .label_zh = "竣工日期", .label_en = "Completed on"},
    {"topped_out_on", PB_DATE, .list = 1, .filter = PB_FILTER_RANGE, .label_zh = "封顶日期",
     .label_en = "Topped out on"},
    {"description", PB_TEXT, .max_len = 2000, .label_zh = "说明", .label_en = "Description"},
};

static int building_derive(struct pb_ctx *c, struct pb_rec *rec, int creating, struct pb_err *err)
{
    const struct pb_val *park = pb_rec_get(rec, "park_id");
    const char *region;
    int rc;
    (void)creating;
    if ((rc = pb_space_park_visible(c, park->i, "park_id", &region, err)))
        return rc;
    set_text(rec, "region_code", region);
    return 0;
}

static int building_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                             struct pb_err *err)
{
    const struct pb_val *done = pb_rec_get(rec, "completed_on");
    const struct pb_val *top = pb_rec_get(rec, "topped_out_on");
    (void)c;
    (void)creating;
    if (!done->is_null && !top->is_null && strcmp(top->s, done->s) > 0)
        pb_err_field(err, PB_E_INVALID, "completed_on", "before_topped_out",
                     "竣工日期不能早于封顶日期", "completion cannot come before topping out");
    return invalid(err);
}

const struct pb_resource pb_res_buildings = {
    .name = "buildings",
    .table = "building",
    .label_zh = "楼栋",
    .label_en = "Building",
    .fields = building_fields,
    .nfields = PB_ARRAY_LEN(building_fields),
    .default_sort = "name",
    .policy = "buildings",
    .park_col = "park_id",
    .derive = building_derive,
    .validate = building_validate,
};

/* ---- units ---- */

#define SPEC_FIELDS(req_label)                                                                     \
    {"floor_load",                                                                                 \
     PB_AREA,                                                                                      \
     .min = 0,                                                                                     \
     .max = 100000,                                                                                \
     .list = 1,                                                                                    \
     .filter = PB_FILTER_RANGE,                                                                    \
     .label_zh = "楼面荷载（kN/㎡）",                                                              \
     .label_en = "Floor load (kN/m²)",                                                             \
     .doc = "kN/m², 2 decimals (the engine's exact 2-decimal type)"},                              \
        {"clear_height",                                                                           \
         PB_AREA,                                                                                  \
         .min = 0,                                                                                 \
         .max = 10000,                                                                             \
         .list = 1,                                                                                \
         .filter = PB_FILTER_RANGE,                                                                \
         .label_zh = "净高（米）",                                                                 \
         .label_en = "Clear height (m)",                                                           \
         .doc = "metres, 2 decimals"},                                                             \
        {"power_kva",                                                                              \
         PB_INT,                                                                                   \
         .min = 0,                                                                                 \
         .max = 10000000,                                                                          \
         .list = 1,                                                                                \
         .filter = PB_FILTER_RANGE,                                                                \
         .label_zh = "供电容量（kVA）",                                                            \
         .label_en = "Power capacity (kVA)"},                                                      \
        {"freight_lift_t",                                                                         \
         PB_AREA,                                                                                  \
         .min = 0,                                                                                 \
         .max = 100000,                                                                            \
         .list = 1,                                                                                \
         .label_zh = "货梯载重（吨）",                                                             \
         .label_en = "Freight lift (t)"},                                                          \
        {"crane",                                                                                  \
         PB_BOOL,                                                                                  \
         .filter = PB_FILTER_EQ,                                                                   \
         .list = 1,                                                                                \
         .label_zh = "行车",                                                                       \
         .label_en = "Crane"},                                                                     \
        {"ground_floor",         PB_BOOL,                                                          \
         .filter = PB_FILTER_EQ, .list = 1,                                                        \
         .label_zh = "首层",     .label_en = "Ground floor"},                                      \
        {"hazard_class",                                                                           \
         PB_ENUM,                                                                                  \
         .enums = pb_hazard_classes,                                                               \
         .enum_zh = hazard_zh,                                                                     \
         .enum_en = hazard_en,                                                                     \
         .filter = PB_FILTER_EQ,                                                                   \
         .list = 1,                                                                                \
         .label_zh = "允许火灾危险性类别",                                                         \
         .label_en = "Hazard class allowed"},                                                      \
    {                                                                                              \
        "wastewater", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "污水接管",          \
                               .label_en = "Wastewater connection"                                 \
    }

static const struct pb_field unit_fields[] = {
    {"building_id", PB_REF, .required = 1, .immutable = 1, .ref = "buildings",
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "所属楼栋", .label_en = "Building"},
    {"park_id", PB_REF, .readonly = 1, .ref = "parks", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所属园区", .label_en = "Park", .doc = "the building's park (derived)"},
    {"region_code", PB_REGION, .scope = 1, .readonly = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"floor", PB_INT, .required = 1, .min = -5, .max = 200, .filter = PB_FILTER_EQ, .sortable = 1,
     .list = 1, .label_zh = "楼层", .label_en = "Floor"},
    {"number", PB_TEXT, .required = 1, .max_len = 30, .search = 1, .sortable = 1, .list = 1,
     .label_zh = "单元号", .label_en = "Unit number"},
    {"area_m2", PB_AREA, .required = 1, .min = 1, .max = AREA_MAX, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "面积（平方米）", .label_en = "Area (m²)"},
    {"status", PB_ENUM, .required = 1, .enums = unit_statuses, .enum_zh = unit_statuses_zh,
     .enum_en = unit_statuses_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态",
     .label_en = "Status",
     .doc = "signed and occupied are set by leases; staff set vacant, reserved, unavailable"},
    {"rent_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000 * 100, .filter = PB_FILTER_RANGE,
     .list = 1, .label_zh = "挂牌租金（元/㎡·月）", .label_en = "Asking rent (yuan/m²/month)"},
    {"for_sale", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "可出售",
     .label_en = "For sale"},
    SPEC_FIELDS(0),
};

static int unit_derive(struct pb_ctx *c, struct pb_rec *rec, int creating, struct pb_err *err)
{
    const struct pb_val *b = pb_rec_get(rec, "building_id");
    struct pb_stmt *st;
    int64_t park_id = 0;
    int rc;
    (void)creating;
    if ((rc = pb_db_prepare(
             c->db, "SELECT park_id FROM building WHERE id = ? AND archived_at IS NULL", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, b->i);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        park_id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (park_id) {
        const char *region;
        struct pb_err tmp;
        pb_err_clear(&tmp);
        if (pb_space_park_visible(c, park_id, "building_id", &region, &tmp) == 0) {
            set_int(rec, "park_id", park_id);
            set_text(rec, "region_code", region);
            return 0;
        }
    }
    return pb_err_field(err, PB_E_NOT_FOUND, "building_id", "not_found", "楼栋 %lld 不存在",
                        "building %lld not found", (long long)b->i);
}

static int unit_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                         struct pb_err *err)
{
    const struct pb_val *status = pb_rec_get(rec, "status");
    const char *cur = NULL;
    if (!creating) {
        struct pb_stmt *st;
        int rc;
        if ((rc = pb_db_prepare(c->db, "SELECT status FROM unit WHERE id = ?", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, rec->fixed[PB_COL_ID].i);
        if (pb_stmt_step(st) == PB_ROW)
            cur = pb_arena_strdup(c->arena, pb_stmt_col_text(st, 0));
        pb_stmt_done(st);
    }
    /* signed and occupied follow the leases; a unit under a lease keeps its status. */
    if (!status->is_null && (!cur || strcmp(cur, status->s)) &&
        (!strcmp(status->s, "signed") || !strcmp(status->s, "occupied") ||
         (cur && (!strcmp(cur, "signed") || !strcmp(cur, "occupied")))))
        pb_err_field(err, PB_E_CONFLICT, "status", "lease_managed",
                     "「已签约」「已入驻」由租约决定，请通过签约、入驻或退租操作",
                     "signed and occupied follow the leases: sign, move in or end a lease");
    return invalid(err);
}

static int unit_after_write(struct pb_ctx *c, int64_t id, const char *action, struct pb_err *err)
{
    (void)action;
    return pb_space_sync_unit(c, id, err);
}

const struct pb_resource pb_res_units = {
    .name = "units",
    .table = "unit",
    .label_zh = "单元",
    .label_en = "Unit",
    .fields = unit_fields,
    .nfields = PB_ARRAY_LEN(unit_fields),
    .default_sort = "floor",
    .policy = "units",
    .park_col = "park_id",
    .derive = unit_derive,
    .validate = unit_validate,
    .after_write = unit_after_write,
};

/* ---- the library rows of park units ---- */

int pb_space_sync_unit(struct pb_ctx *c, int64_t unit_id, struct pb_err *err)
{
    static const char *const sel =
        "SELECT u.status, u.archived_at, u.region_code, u.park_id, u.area_m2, u.floor_load, "
        "u.clear_height, u.power_kva, u.freight_lift_t, u.crane, u.ground_floor, u.hazard_class, "
        "u.wastewater, u.rent_fen, p.name, b.name, u.number, p.address, p.lng, p.lat, "
        "p.operator_name FROM unit u JOIN building b ON b.id = u.building_id "
        "JOIN park p ON p.id = u.park_id WHERE u.id = ?";
    struct pb_stmt *st, *w;
    int rc, listed;
    char title[400];
    (void)err;
    if ((rc = pb_db_prepare(c->db, sel, &st)))
        return rc;
    pb_stmt_bind_int(st, 1, unit_id);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW) {
        pb_stmt_done(st);
        return rc < 0 ? rc : 0;
    }
    listed = !strcmp(pb_stmt_col_text(st, 0), "vacant") && pb_stmt_col_null(st, 1);
    if (!listed) {
        pb_stmt_done(st);
        if ((rc = pb_db_prepare(c->db,
                                "UPDATE space SET status = 'taken', version = version + 1, "
                                "updated_at = ? WHERE unit_id = ? AND status <> 'taken'",
                                &w)))
            return rc;
        pb_stmt_bind_int(w, 1, c->now_ms);
        pb_stmt_bind_int(w, 2, unit_id);
        rc = pb_stmt_step(w);
        pb_stmt_done(w);
        return rc < 0 ? rc : 0;
    }
    snprintf(title, sizeof title, "%s %s %s", pb_stmt_col_text(st, 14), pb_stmt_col_text(st, 15),
             pb_stmt_col_text(st, 16));
    rc = pb_db_prepare(
        c->db,
        "INSERT INTO space (region_code, title, owner_name, address, lng, lat, floor_m2, "
        "floor_load, clear_height, power_kva, freight_lift_t, crane, ground_floor, hazard_class, "
        "wastewater, rent_fen, source, status, park_id, unit_id, version, created_at, updated_at, "
        "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'park_unit', "
        "'available', ?, ?, 1, ?, ?, 0) ON CONFLICT (unit_id) DO UPDATE SET region_code = "
        "excluded.region_code, title = excluded.title, owner_name = excluded.owner_name, address "
        "= excluded.address, lng = excluded.lng, lat = excluded.lat, floor_m2 = excluded.floor_m2, "
        "floor_load = excluded.floor_load, clear_height = excluded.clear_height, power_kva = "
        "excluded.power_kva, freight_lift_t = excluded.freight_lift_t, crane = excluded.crane, "
        "ground_floor = excluded.ground_floor, hazard_class = excluded.hazard_class, wastewater = "
        "excluded.wastewater, rent_fen = excluded.rent_fen, status = 'available', park_id = "
        "excluded.park_id, archived_at = NULL, version = space.version + 1, updated_at = "
        "excluded.updated_at",
        &w);
    if (rc) {
        pb_stmt_done(st);
        return rc;
    }
    pb_stmt_bind_text(w, 1, pb_stmt_col_text(st, 2));
    pb_stmt_bind_text(w, 2, title);
    pb_stmt_bind_text(w, 3, pb_stmt_col_null(st, 20) ? NULL : pb_stmt_col_text(st, 20));
    pb_stmt_bind_text(w, 4, pb_stmt_col_null(st, 17) ? NULL : pb_stmt_col_text(st, 17));
    for (int k = 0; k < 2; k++)
        if (pb_stmt_col_null(st, 18 + k))
            pb_stmt_bind_null(w, 5 + k);
        else
            pb_stmt_bind_int(w, 5 + k, pb_stmt_col_int(st, 18 + k));
    /* area, load, height, power, lift, crane, ground, hazard, wastewater, rent */
    for (int k = 0; k < 10; k++) {
        int col = 4 + k;
        if (pb_stmt_col_null(st, col))
            pb_stmt_bind_null(w, 7 + k);
        else if (col == 11)
            pb_stmt_bind_text(w, 7 + k, pb_stmt_col_text(st, col));
        else
            pb_stmt_bind_int(w, 7 + k, pb_stmt_col_int(st, col));
    }
    pb_stmt_bind_int(w, 17, pb_stmt_col_int(st, 3));
    pb_stmt_bind_int(w, 18, unit_id);
    pb_stmt_bind_int(w, 19, c->now_ms);
    pb_stmt_bind_int(w, 20, c->now_ms);
    pb_stmt_done(st);
    rc = pb_stmt_step(w);
    pb_stmt_done(w);
    return rc < 0 ? rc : 0;
}

/* ---- production-to-living ratio ---- */

int pb_park_ratio_json(struct pb_ctx *c, int64_t park_id, struct pb_buf *out, struct pb_err *err)
{
    struct pb_stmt *st;
    int64_t prod = 0, living = 0, bp;
    char t[48];
    int rc;
    if ((rc = pb_space_park_visible(c, park_id, "park_id", NULL, err)))
        return pb_err_set(err, PB_E_NOT_FOUND, "园区不存在", "park not found");
    if ((rc = pb_db_prepare(c->db,
                            "SELECT kind, COALESCE(SUM(floor_m2), 0) FROM building WHERE park_id = "
                            "? AND archived_at IS NULL GROUP BY kind",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, park_id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *k = pb_stmt_col_text(st, 0);
        if (!strcmp(k, "supporting"))
            living += pb_stmt_col_int(st, 1);
        else if (!strcmp(k, "standard_factory") || !strcmp(k, "rd"))
            prod += pb_stmt_col_int(st, 1);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    pb_buf_printf(out, "{\"park_id\":%lld,\"production_m2\":", (long long)park_id);
    pb_dec_format(prod, 2, t, sizeof t);
    pb_buf_json_str(out, t);
    pb_buf_adds(out, ",\"living_m2\":");
    pb_dec_format(living, 2, t, sizeof t);
    pb_buf_json_str(out, t);
    pb_buf_adds(out, ",\"production_share\":");
    if (pb_percent_bp(prod, prod + living, &bp))
        pb_buf_adds(out, "null");
    else {
        pb_dec_format(bp, 2, t, sizeof t);
        pb_buf_adds(out, t);
    }
    pb_buf_adds(out, ",\"target_share\":70.00,\"target\":\"7:3\",\"meets_target\":");
    pb_buf_adds(out, pb_percent_bp(prod, prod + living, &bp) ? "null"
                     : bp >= 7000                            ? "true"
                                                             : "false");
    pb_buf_addc(out, '}');
    return 0;
}
