/* park.c: the park register, the first resource. */
#include <stdio.h>
#include <string.h>

#include "core/refdata.h"
#include "core/resource/resource.h"
#include "core/util/money.h"
#include "modules/parks/park.h"

static const char *const park_kinds[] = {"new_build", "revitalized", NULL};
static const char *const park_kinds_zh[] = {"新建", "盘活", NULL};
static const char *const park_kinds_en[] = {"New build",
                                            "Revitalised (idle or low-efficiency land)", NULL};
static const char *const park_statuses[] = {"planning", "building", "operating", "closed", NULL};
static const char *const park_statuses_zh[] = {"谋划中", "建设中", "运营中", "已关闭", NULL};
static const char *const park_statuses_en[] = {"Planning", "Under construction", "Operating",
                                               "Closed", NULL};

/* Areas are hundredths of m²: the cap is 100 km² of land, 100 million m² of floor. */
#define AREA_MAX_LAND ((int64_t)100000000 * 100)
#define AREA_MAX_FLOOR ((int64_t)100000000 * 100)

static const struct pb_field park_fields[] = {
    {"name", PB_TEXT, .required = 1, .max_len = 100, .filter = PB_FILTER_LIKE, .sortable = 1,
     .search = 1, .list = 1, .label_zh = "园区名称", .label_en = "Park name"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .sortable = 1,
     .list = 1, .label_zh = "所在区域", .label_en = "Region",
     .doc = "county-level division or functional zone (not the city itself)"},
    {"kind", PB_ENUM, .enums = park_kinds, .enum_zh = park_kinds_zh, .enum_en = park_kinds_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "建设类型", .label_en = "Kind"},
    {"leading_industry_code", PB_INDUSTRY, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "主导产业（国民经济行业分类）", .label_en = "Leading industry (GB/T 4754)"},
    {"industry_label", PB_TEXT, .max_len = 50, .search = 1, .list = 1, .label_zh = "主导产业",
     .label_en = "Industry label"},
    {"land_m2", PB_AREA, .min = 0, .max = AREA_MAX_LAND, .filter = PB_FILTER_RANGE, .sortable = 1,
     .list = 1, .label_zh = "用地面积（平方米）", .label_en = "Land area (m²)"},
    {"planned_floor_m2", PB_AREA, .min = 0, .max = AREA_MAX_FLOOR, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "规划建筑面积（平方米）",
     .label_en = "Planned floor area (m²)"},
    {"built_floor_m2", PB_AREA, .min = 0, .max = AREA_MAX_FLOOR, .filter = PB_FILTER_RANGE,
     .sortable = 1, .list = 1, .label_zh = "已建建筑面积（平方米）",
     .label_en = "Built floor area (m²)"},
    {"production_floor_m2", PB_AREA, .min = 0, .max = AREA_MAX_FLOOR, .list = 1,
     .label_zh = "生产用房面积（平方米）", .label_en = "Production floor area (m²)"},
    {"living_floor_m2", PB_AREA, .min = 0, .max = AREA_MAX_FLOOR, .list = 1,
     .label_zh = "配套用房面积（平方米）", .label_en = "Supporting (living) floor area (m²)"},
    {"operator_name", PB_TEXT, .max_len = 100, .search = 1, .list = 1, .label_zh = "运营主体",
     .label_en = "Operator"},
    {"address", PB_TEXT, .max_len = 200, .search = 1, .label_zh = "地址", .label_en = "Address"},
    {"lng", PB_COORD_LNG, .label_zh = "经度", .label_en = "Longitude"},
    {"lat", PB_COORD_LAT, .label_zh = "纬度", .label_en = "Latitude"},
    {"status", PB_ENUM, .enums = park_statuses, .enum_zh = park_statuses_zh,
     .enum_en = park_statuses_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态",
     .label_en = "Status"},
    {"opened_on", PB_DATE, .filter = PB_FILTER_RANGE, .sortable = 1, .list = 1,
     .label_zh = "投用日期", .label_en = "Opened on"},
    {"policy_guide", PB_TEXT, .max_len = 20000, .label_zh = "一园一策",
     .label_en = "Park policy guide"},
    {"pilot", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "试点园区",
     .label_en = "Pilot park"},
    {"description", PB_TEXT, .max_len = 2000, .search = 1, .label_zh = "简介",
     .label_en = "Description"},
};

static const struct pb_field park_computed[] = {
    {"land_mu", PB_AREA, .readonly = 1, .label_zh = "用地面积（亩）", .label_en = "Land area (mu)",
     .doc = "land_m2 in mu (1 mu = 2000/3 m²), 2 decimals, rounded half up"},
    {"production_share", PB_AREA, .readonly = 1, .label_zh = "生产用房占比（%）",
     .label_en = "Production share (%)",
     .doc = "production / (production + supporting) floor area in percent, 2 decimals; target "
            "70.00 (7:3)"},
};

static int park_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                         struct pb_err *err)
{
    const struct pb_val *region = pb_rec_get(rec, "region_code");
    const struct pb_val *planned = pb_rec_get(rec, "planned_floor_m2");
    const struct pb_val *built = pb_rec_get(rec, "built_floor_m2");
    const struct pb_val *lng = pb_rec_get(rec, "lng");
    const struct pb_val *lat = pb_rec_get(rec, "lat");
    const struct pb_region *reg = region->is_null ? NULL : pb_region_find(region->s);
    (void)creating;
    if (reg && !strcmp(reg->kind, "city"))
        pb_err_field(err, PB_E_INVALID, "region_code", "not_county",
                     "园区须属于县（市、区）或功能区，不能直接属于泉州市",
                     "a park belongs to a county-level division or a zone, not to the city itself");
    if (!planned->is_null && !built->is_null && built->i > planned->i * 2)
        pb_err_field(err, PB_E_INVALID, "built_floor_m2", "exceeds_plan",
                     "已建建筑面积超过规划建筑面积的两倍，请核实",
                     "built floor area is more than twice the planned area; please check");
    if (lng->is_null != lat->is_null)
        pb_err_field(err, PB_E_INVALID, lng->is_null ? "lng" : "lat", "coordinate_pair",
                     "经度和纬度须同时填写", "longitude and latitude go together");
    (void)c;
    return err->nfields
               ? pb_err_set(err, PB_E_INVALID, "请检查标出的字段", "please check the marked fields")
               : 0;
}

static void park_decorate(struct pb_ctx *c, const struct pb_rec *rec, struct pb_buf *out)
{
    const struct pb_val *land = pb_rec_get(rec, "land_m2");
    const struct pb_val *prod = pb_rec_get(rec, "production_floor_m2");
    const struct pb_val *living = pb_rec_get(rec, "living_floor_m2");
    char t[48];
    (void)c;
    pb_buf_adds(out, ",\"land_mu\":");
    if (land->is_null) {
        pb_buf_adds(out, "null");
    } else {
        pb_dec_format(pb_mu_from_m2(land->i), 2, t, sizeof t);
        pb_buf_json_str(out, t);
    }
    pb_buf_adds(out, ",\"production_share\":");
    {
        int64_t bp;
        if (prod->is_null || living->is_null || pb_percent_bp(prod->i, prod->i + living->i, &bp)) {
            pb_buf_adds(out, "null");
        } else {
            pb_dec_format(bp, 2, t, sizeof t);
            pb_buf_json_str(out, t);
        }
    }
}

const struct pb_resource pb_res_parks = {
    .name = "parks",
    .table = "park",
    .label_zh = "园区",
    .label_en = "Park",
    .fields = park_fields,
    .nfields = PB_ARRAY_LEN(park_fields),
    .default_sort = "-updated_at",
    .policy = "parks",
    .park_col = "id",
    .validate = park_validate,
    .decorate = park_decorate,
    .computed = park_computed,
    .ncomputed = PB_ARRAY_LEN(park_computed),
};
