/* match.c: the idle and low-efficiency space library (闲置低效厂房资源库), space demands, and
 * matching a demand against every available space (招商租赁平台).
 *
 * Matching reads an in-memory columnar index of the library: one array per attribute, so the
 * hard filters (available, area within a wide window) run as a tight loop over a million rows,
 * and only the survivors are scored. The index is brought up to date before each match by
 * reading the rows whose updated_at is at or after the last seen stamp (minus a safety window
 * for transactions that committed late), so writes by any process, the CLI import included,
 * are seen without a restart. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/refdata.h"
#include "core/util/money.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/space/space.h"

static const char *const sources[] = {"idle_factory", "low_efficiency_land", "vacated_unit",
                                      "park_unit", NULL};
static const char *const sources_zh[] = {"闲置厂房", "低效用地", "腾退厂房", "园区空置单元", NULL};
static const char *const sources_en[] = {"Idle factory", "Low-efficiency land", "Vacated unit",
                                         "Vacant park unit", NULL};
static const char *const space_statuses[] = {"available", "reserved", "taken", "withdrawn", NULL};
static const char *const space_statuses_zh[] = {"可招商", "洽谈中", "已去化", "已撤回", NULL};
static const char *const space_statuses_en[] = {"Available", "Under negotiation", "Taken",
                                                "Withdrawn", NULL};
static const char *const hz_zh[] = {"戊类", "丁类", "丙类", "乙类", "甲类", NULL};
static const char *const hz_en[] = {"Class E (戊)", "Class D (丁)", "Class C (丙)",
                                    "Class B (乙)", "Class A (甲)", NULL};

#define AREA_MAX ((int64_t)100000000 * 100)

static const struct pb_field space_fields[] = {
    {"title", PB_TEXT, .required = 1, .max_len = 200, .search = 1, .sortable = 1, .list = 1,
     .label_zh = "名称", .label_en = "Title"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "所在区域", .label_en = "Region"},
    {"owner_name", PB_TEXT, .max_len = 100, .search = 1, .list = 1, .label_zh = "权属人",
     .label_en = "Owner"},
    {"address", PB_TEXT, .max_len = 200, .search = 1, .list = 1, .label_zh = "地址",
     .label_en = "Address"},
    {"lng", PB_COORD_LNG, .list = 1, .label_zh = "经度", .label_en = "Longitude"},
    {"lat", PB_COORD_LAT, .list = 1, .label_zh = "纬度", .label_en = "Latitude"},
    {"land_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1, .filter = PB_FILTER_RANGE,
     .label_zh = "土地面积（平方米）", .label_en = "Land area (m²)"},
    {"floor_m2", PB_AREA, .min = 0, .max = AREA_MAX, .list = 1, .filter = PB_FILTER_RANGE,
     .sortable = 1, .label_zh = "建筑面积（平方米）", .label_en = "Floor area (m²)"},
    {"floor_load", PB_AREA, .min = 0, .max = 100000, .list = 1, .filter = PB_FILTER_RANGE,
     .label_zh = "楼面荷载（kN/㎡）", .label_en = "Floor load (kN/m²)"},
    {"clear_height", PB_AREA, .min = 0, .max = 10000, .list = 1, .filter = PB_FILTER_RANGE,
     .label_zh = "净高（米）", .label_en = "Clear height (m)"},
    {"power_kva", PB_INT, .min = 0, .max = 10000000, .list = 1, .filter = PB_FILTER_RANGE,
     .label_zh = "供电容量（kVA）", .label_en = "Power capacity (kVA)"},
    {"freight_lift_t", PB_AREA, .min = 0, .max = 100000, .list = 1, .label_zh = "货梯载重（吨）",
     .label_en = "Freight lift (t)"},
    {"crane", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "行车", .label_en = "Crane"},
    {"ground_floor", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "首层",
     .label_en = "Ground floor"},
    {"hazard_class", PB_ENUM, .enums = pb_hazard_classes, .enum_zh = hz_zh, .enum_en = hz_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "允许火灾危险性类别",
     .label_en = "Hazard class allowed"},
    {"wastewater", PB_BOOL, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "污水接管",
     .label_en = "Wastewater connection"},
    {"available_from", PB_DATE, .filter = PB_FILTER_RANGE, .sortable = 1, .list = 1,
     .label_zh = "可用日期", .label_en = "Available from"},
    {"rent_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000 * 100, .filter = PB_FILTER_RANGE,
     .list = 1, .label_zh = "租金（元/㎡·月）", .label_en = "Asking rent (yuan/m²/month)"},
    {"price_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000000000 * 100, .list = 1,
     .label_zh = "售价（元）", .label_en = "Asking price (yuan)"},
    {"source", PB_ENUM, .required = 1, .enums = sources, .enum_zh = sources_zh,
     .enum_en = sources_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "来源",
     .label_en = "Source"},
    {"status", PB_ENUM, .required = 1, .enums = space_statuses, .enum_zh = space_statuses_zh,
     .enum_en = space_statuses_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态",
     .label_en = "Status"},
    {"park_id", PB_REF, .readonly = 1, .ref = "parks", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "园区", .label_en = "Park", .doc = "set for park units (listed automatically)"},
    {"unit_id", PB_REF, .readonly = 1, .ref = "units", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "园区单元", .label_en = "Park unit"},
    {"description", PB_TEXT, .max_len = 2000, .search = 1, .label_zh = "说明",
     .label_en = "Description"},
};

static int space_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                          struct pb_err *err)
{
    const struct pb_val *src = pb_rec_get(rec, "source");
    const struct pb_val *unit = pb_rec_get(rec, "unit_id");
    const struct pb_val *lng = pb_rec_get(rec, "lng"), *lat = pb_rec_get(rec, "lat");
    (void)c;
    if (!unit->is_null && !creating)
        pb_err_field(err, PB_E_CONFLICT, "unit_id", "unit_managed",
                     "园区单元的房源随单元状态自动更新，请修改单元",
                     "a park unit's listing follows the unit: edit the unit");
    else if (!strcmp(src->s, "park_unit"))
        pb_err_field(err, PB_E_INVALID, "source", "unit_managed",
                     "园区空置单元自动进入资源库，无需手工登记",
                     "vacant park units are listed automatically");
    if (lng->is_null != lat->is_null)
        pb_err_field(err, PB_E_INVALID, lng->is_null ? "lng" : "lat", "coordinate_pair",
                     "经度和纬度须同时填写", "longitude and latitude go together");
    return err->nfields
               ? pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields")
               : 0;
}

const struct pb_resource pb_res_spaces = {
    .name = "spaces",
    .table = "space",
    .label_zh = "闲置低效厂房资源",
    .label_en = "Idle and low-efficiency space",
    .fields = space_fields,
    .nfields = PB_ARRAY_LEN(space_fields),
    .default_sort = "-updated_at",
    .policy = "spaces",
    .park_col = "park_id",
    .validate = space_validate,
};

/* ---- demands ---- */

static const char *const demand_kinds[] = {"expansion", "newcomer", NULL};
static const char *const demand_kinds_zh[] = {"增资扩产", "新引进", NULL};
static const char *const demand_kinds_en[] = {"Expansion of an existing firm", "Newcomer", NULL};
static const char *const demand_statuses[] = {"open",   "shortlisted", "visiting",
                                              "leased", "closed",      NULL};
static const char *const demand_statuses_zh[] = {"待匹配", "已入围", "已安排看房",
                                                 "已签约", "已关闭", NULL};
static const char *const demand_statuses_en[] = {"Open",   "Shortlisted", "Visit arranged",
                                                 "Leased", "Closed",      NULL};

static const struct pb_field demand_fields[] = {
    {"title", PB_TEXT, .required = 1, .max_len = 200, .search = 1, .list = 1,
     .label_zh = "需求名称", .label_en = "Title"},
    {"region_code", PB_REGION, .required = 1, .scope = 1, .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "受理区域", .label_en = "Region (handled by)"},
    {"enterprise_id", PB_REF, .ref = "enterprises", .filter = PB_FILTER_EQ, .list = 1,
     .label_zh = "企业", .label_en = "Enterprise"},
    {"applicant_name", PB_TEXT, .max_len = 100, .search = 1, .list = 1, .label_zh = "需求方名称",
     .label_en = "Applicant"},
    {"kind", PB_ENUM, .enums = demand_kinds, .enum_zh = demand_kinds_zh, .enum_en = demand_kinds_en,
     .filter = PB_FILTER_EQ, .list = 1, .label_zh = "类型", .label_en = "Kind"},
    {"industry_code", PB_INDUSTRY, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "行业",
     .label_en = "Industry (GB/T 4754)"},
    {"chain", PB_TEXT, .max_len = 50, .list = 1, .label_zh = "产业链", .label_en = "Chain"},
    {"area_min_m2", PB_AREA, .required = 1, .min = 1, .max = AREA_MAX, .list = 1,
     .label_zh = "最小面积（平方米）", .label_en = "Minimum area (m²)"},
    {"area_max_m2", PB_AREA, .min = 1, .max = AREA_MAX, .list = 1, .label_zh = "最大面积（平方米）",
     .label_en = "Maximum area (m²)"},
    {"min_floor_load", PB_AREA, .min = 0, .max = 100000, .list = 1,
     .label_zh = "最低楼面荷载（kN/㎡）", .label_en = "Minimum floor load (kN/m²)"},
    {"min_clear_height", PB_AREA, .min = 0, .max = 10000, .list = 1, .label_zh = "最低净高（米）",
     .label_en = "Minimum clear height (m)"},
    {"min_power_kva", PB_INT, .min = 0, .max = 10000000, .list = 1,
     .label_zh = "最低供电容量（kVA）", .label_en = "Minimum power (kVA)"},
    {"min_freight_lift_t", PB_AREA, .min = 0, .max = 100000, .list = 1,
     .label_zh = "最低货梯载重（吨）", .label_en = "Minimum freight lift (t)"},
    {"need_crane", PB_BOOL, .list = 1, .label_zh = "需要行车", .label_en = "Needs a crane"},
    {"need_ground_floor", PB_BOOL, .list = 1, .label_zh = "需要首层",
     .label_en = "Needs the ground floor"},
    {"hazard_class", PB_ENUM, .enums = pb_hazard_classes, .enum_zh = hz_zh, .enum_en = hz_en,
     .list = 1, .label_zh = "生产火灾危险性类别", .label_en = "Hazard class of the production"},
    {"need_wastewater", PB_BOOL, .list = 1, .label_zh = "需要污水接管",
     .label_en = "Needs wastewater connection"},
    {"preferred_regions", PB_TEXT, .max_len = 200, .list = 1, .label_zh = "意向区域",
     .label_en = "Preferred regions", .doc = "region codes, comma-separated"},
    {"budget_rent_fen", PB_MONEY, .min = 0, .max = (int64_t)1000000 * 100, .list = 1,
     .label_zh = "租金预算（元/㎡·月）", .label_en = "Rent budget (yuan/m²/month)"},
    {"move_in_by", PB_DATE, .list = 1, .label_zh = "期望入驻日期", .label_en = "Move in by"},
    {"status", PB_ENUM, .required = 1, .enums = demand_statuses, .enum_zh = demand_statuses_zh,
     .enum_en = demand_statuses_en, .filter = PB_FILTER_EQ, .list = 1, .label_zh = "状态",
     .label_en = "Status"},
    {"note", PB_TEXT, .max_len = 2000, .label_zh = "备注", .label_en = "Note"},
};

static int demand_validate(struct pb_ctx *c, const struct pb_rec *rec, int creating,
                           struct pb_err *err)
{
    const struct pb_val *lo = pb_rec_get(rec, "area_min_m2"), *hi = pb_rec_get(rec, "area_max_m2");
    const struct pb_val *pref = pb_rec_get(rec, "preferred_regions");
    (void)c;
    (void)creating;
    if (!hi->is_null && hi->i < lo->i)
        pb_err_field(err, PB_E_INVALID, "area_max_m2", "below_min", "最大面积不能小于最小面积",
                     "the maximum area cannot be below the minimum");
    if (!pref->is_null) {
        char buf[256], *save = NULL, *tok;
        pb_strlcpy(buf, pref->s, sizeof buf);
        for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
            if (!pb_region_find(tok)) {
                pb_err_field(err, PB_E_INVALID, "preferred_regions", "unknown_region",
                             "行政区划代码 %s 不存在", "region code %s does not exist",
                             strlen(tok) < 24 ? tok : "?");
                break;
            }
    }
    return err->nfields
               ? pb_err_set(err, err->rc, "请检查标出的字段", "please check the marked fields")
               : 0;
}

const struct pb_resource pb_res_demands = {
    .name = "demands",
    .table = "demand",
    .label_zh = "用房需求",
    .label_en = "Space demand",
    .fields = demand_fields,
    .nfields = PB_ARRAY_LEN(demand_fields),
    .default_sort = "-updated_at",
    .policy = "demands",
    .enterprise_col = "enterprise_id",
    .validate = demand_validate,
};

/* ---- the index ---- */

#define NOVAL INT64_MIN

struct park_info {
    int64_t id;
    char industry[8];
    char chains[512]; /* ",chain1,chain2," of the enterprises in the park */
};

static struct {
    pthread_rwlock_t lock;
    pthread_mutex_t refresh;
    size_t n, cap;
    int64_t *id, *area, *load, *height, *power, *lift, *rent, *park;
    int32_t *avail;   /* available_from as YYYYMMDD, 0 = now */
    uint8_t *flags;   /* 1 available, 2 crane, 4 ground floor, 8 wastewater */
    int8_t *hazard;   /* index in pb_hazard_classes, -1 none */
    uint16_t *region; /* index in the region table */
    /* open addressing id → slot + 1 */
    size_t hcap;
    uint32_t *hslot;
    int64_t watermark;
    int64_t refreshed_at; /* clock of the last refresh: the next reads rows stamped after it */
    int64_t full_at;
    struct park_info *parks;
    size_t nparks;
    int64_t parks_at;
    int loaded;
} ix = {.lock = PTHREAD_RWLOCK_INITIALIZER, .refresh = PTHREAD_MUTEX_INITIALIZER};

void pb_match_reset(void)
{
    pthread_rwlock_wrlock(&ix.lock);
    free(ix.id);
    free(ix.area);
    free(ix.load);
    free(ix.height);
    free(ix.power);
    free(ix.lift);
    free(ix.rent);
    free(ix.park);
    free(ix.avail);
    free(ix.flags);
    free(ix.hazard);
    free(ix.region);
    free(ix.hslot);
    free(ix.parks);
    memset(&ix.n, 0, sizeof ix - offsetof(__typeof__(ix), n));
    pthread_rwlock_unlock(&ix.lock);
}

static uint64_t hash64(int64_t k)
{
    uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
    return x ^ (x >> 29);
}

static void rehash(size_t cap)
{
    free(ix.hslot);
    ix.hcap = cap;
    ix.hslot = pb_xcalloc(cap, sizeof(uint32_t));
    for (size_t i = 0; i < ix.n; i++) {
        size_t h = hash64(ix.id[i]) & (cap - 1);
        while (ix.hslot[h])
            h = (h + 1) & (cap - 1);
        ix.hslot[h] = (uint32_t)i + 1;
    }
}

static size_t slot_of(int64_t id)
{
    size_t h;
    if (!ix.hcap)
        return SIZE_MAX;
    h = hash64(id) & (ix.hcap - 1);
    while (ix.hslot[h]) {
        if (ix.id[ix.hslot[h] - 1] == id)
            return ix.hslot[h] - 1;
        h = (h + 1) & (ix.hcap - 1);
    }
    return SIZE_MAX;
}

static void grow(void)
{
    size_t cap = ix.cap ? ix.cap * 2 : 4096;
#define G(a) a = pb_xrealloc(a, cap * sizeof(*a))
    G(ix.id);
    G(ix.area);
    G(ix.load);
    G(ix.height);
    G(ix.power);
    G(ix.lift);
    G(ix.rent);
    G(ix.park);
    G(ix.avail);
    G(ix.flags);
    G(ix.hazard);
    G(ix.region);
#undef G
    ix.cap = cap;
}

static int region_index(const char *code)
{
    for (size_t i = 0; i < pb_region_count(); i++)
        if (!strcmp(pb_region_at(i)->code, code))
            return (int)i;
    return 0;
}

static int hazard_index(const char *s)
{
    for (int i = 0; s && pb_hazard_classes[i]; i++)
        if (!strcmp(pb_hazard_classes[i], s))
            return i;
    return -1;
}

static int64_t col_or(struct pb_stmt *st, int col)
{
    return pb_stmt_col_null(st, col) ? NOVAL : pb_stmt_col_int(st, col);
}

/* Read the rows changed since the watermark into the index (under the write lock). */
static int refresh(struct pb_db *db, int64_t now_ms)
{
    struct pb_stmt *st;
    int rc;
    int64_t maxu = ix.watermark;
    const char *last_region = NULL;
    int last_ri = 0;
    if ((rc = pb_db_prepare(db,
                            "SELECT id, floor_m2, floor_load, clear_height, power_kva, "
                            "freight_lift_t, rent_fen, park_id, available_from, status, crane, "
                            "ground_floor, wastewater, hazard_class, region_code, archived_at, "
                            "updated_at FROM space WHERE updated_at >= ?",
                            &st)))
        return rc;
    /* Rows of transactions that committed after a later stamp was seen: look 5 s back (a
     * write transaction that stays open longer than that may be missed until its rows change
     * again; docs/decisions/0043). Re-reading a row is harmless (upsert by id). */
    if (ix.loaded && now_ms - ix.full_at > 600000)
        ix.loaded = 0; /* a full re-read every 10 minutes catches anything the window missed */
    if (!ix.loaded)
        ix.full_at = now_ms;
    pb_stmt_bind_int(st, 1, ix.loaded ? ix.refreshed_at - 5000 : INT64_MIN);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        int64_t id = pb_stmt_col_int(st, 0);
        size_t s = slot_of(id);
        const char *av = pb_stmt_col_text(st, 8);
        const char *region = pb_stmt_col_text(st, 14);
        if (s == SIZE_MAX) {
            if (ix.n == ix.cap)
                grow();
            s = ix.n++;
            ix.id[s] = id;
            if (ix.n * 2 > ix.hcap)
                rehash(ix.hcap ? ix.hcap * 2 : 8192);
            else {
                size_t h = hash64(id) & (ix.hcap - 1);
                while (ix.hslot[h])
                    h = (h + 1) & (ix.hcap - 1);
                ix.hslot[h] = (uint32_t)s + 1;
            }
        }
        ix.area[s] = col_or(st, 1);
        ix.load[s] = col_or(st, 2);
        ix.height[s] = col_or(st, 3);
        ix.power[s] = col_or(st, 4);
        ix.lift[s] = col_or(st, 5);
        ix.rent[s] = col_or(st, 6);
        ix.park[s] = pb_stmt_col_null(st, 7) ? 0 : pb_stmt_col_int(st, 7);
        ix.avail[s] =
            strlen(av) == 10
                ? (int32_t)((av[0] - '0') * 10000000 + (av[1] - '0') * 1000000 +
                            (av[2] - '0') * 100000 + (av[3] - '0') * 10000 + (av[5] - '0') * 1000 +
                            (av[6] - '0') * 100 + (av[8] - '0') * 10 + (av[9] - '0'))
                : 0;
        ix.flags[s] =
            (uint8_t)((!strcmp(pb_stmt_col_text(st, 9), "available") && pb_stmt_col_null(st, 15))
                          ? 1
                          : 0);
        ix.flags[s] |= (uint8_t)(pb_stmt_col_int(st, 10) ? 2 : 0);
        ix.flags[s] |= (uint8_t)(pb_stmt_col_int(st, 11) ? 4 : 0);
        ix.flags[s] |= (uint8_t)(pb_stmt_col_int(st, 12) ? 8 : 0);
        ix.hazard[s] =
            (int8_t)hazard_index(pb_stmt_col_null(st, 13) ? NULL : pb_stmt_col_text(st, 13));
        if (!last_region || strcmp(last_region, region)) {
            last_ri = region_index(region);
            last_region = pb_region_at((size_t)last_ri)->code;
        }
        ix.region[s] = (uint16_t)last_ri;
        if (pb_stmt_col_int(st, 16) > maxu)
            maxu = pb_stmt_col_int(st, 16);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    ix.watermark = maxu;
    ix.refreshed_at = now_ms;
    ix.loaded = 1;
    /* Parks: leading industry and the chains of their enterprises; refreshed every 10 s. */
    if (now_ms - ix.parks_at > 10000 || !ix.parks) {
        size_t n = 0, cap = 64;
        struct pb_stmt *pst;
        struct park_info *p = pb_xcalloc(cap, sizeof *p);
        if ((rc = pb_db_prepare(db,
                                "SELECT id, COALESCE(leading_industry_code, '') FROM park WHERE "
                                "archived_at IS NULL ORDER BY id",
                                &pst))) {
            free(p);
            return rc;
        }
        while ((rc = pb_stmt_step(pst)) == PB_ROW) {
            if (n == cap)
                p = pb_xrealloc(p, (cap *= 2) * sizeof *p);
            memset(&p[n], 0, sizeof p[n]);
            p[n].id = pb_stmt_col_int(pst, 0);
            pb_strlcpy(p[n].industry, pb_stmt_col_text(pst, 1), sizeof p[n].industry);
            pb_strlcpy(p[n].chains, ",", sizeof p[n].chains);
            n++;
        }
        pb_stmt_done(pst);
        if (rc >= 0 && (rc = pb_db_prepare(db,
                                           "SELECT DISTINCT park_id, chain FROM enterprise WHERE "
                                           "park_id IS NOT NULL AND chain IS NOT NULL AND "
                                           "archived_at IS NULL",
                                           &pst)) == 0) {
            while ((rc = pb_stmt_step(pst)) == PB_ROW) {
                int64_t pid = pb_stmt_col_int(pst, 0);
                for (size_t k = 0; k < n; k++)
                    if (p[k].id == pid) {
                        size_t l = strlen(p[k].chains);
                        snprintf(p[k].chains + l, sizeof p[k].chains - l, "%s,",
                                 pb_stmt_col_text(pst, 1));
                    }
            }
            pb_stmt_done(pst);
        }
        if (rc < 0) {
            free(p);
            return rc;
        }
        free(ix.parks);
        ix.parks = p;
        ix.nparks = n;
        ix.parks_at = now_ms;
    }
    return 0;
}

/* ---- scoring ---- */

struct demand {
    int64_t id, area_min, area_max, load, height, power, lift, budget;
    int crane, ground, wastewater, hazard;
    int32_t move_by;
    char industry[8], chain[64];
    int nregions;
    uint16_t regions[32];
};

enum {
    W_AREA = 30,
    W_LOAD = 10,
    W_HEIGHT = 10,
    W_POWER = 10,
    W_LIFT = 5,
    W_BOOL = 5,
    W_HAZARD = 10,
    W_RENT = 10,
    W_DATE = 5,
    W_REGION = 10,
    B_INDUSTRY = 10,
    B_INDUSTRY_DIV = 6,
    B_CHAIN = 8
};

/* Partial credit for a numeric minimum: full when met, else proportional to what is offered. */
static int64_t min_credit(int64_t want, int64_t got, int w, int64_t *possible)
{
    if (want == NOVAL || want <= 0)
        return 0;
    *possible += w * 100;
    if (got == NOVAL)
        return 0;
    if (got >= want)
        return w * 100;
    return w * 100 * got / want;
}

/* Score in hundredths of a point (0..10000 for the requirements, plus the park bonus). */
static int64_t score_slot(const struct demand *d, size_t s, const int *bonus)
{
    int64_t earned = 0, possible = 0, a = ix.area[s];
    possible += W_AREA * 100;
    if (a != NOVAL) {
        if (a >= d->area_min && (d->area_max == NOVAL || a <= d->area_max))
            earned += W_AREA * 100;
        else if (a < d->area_min)
            earned += W_AREA * 100 * a / d->area_min;
        else /* too big: half credit falling with the excess */
            earned += W_AREA * 50 * d->area_max / a;
    }
    earned += min_credit(d->load, ix.load[s], W_LOAD, &possible);
    earned += min_credit(d->height, ix.height[s], W_HEIGHT, &possible);
    earned += min_credit(d->power, ix.power[s], W_POWER, &possible);
    earned += min_credit(d->lift, ix.lift[s], W_LIFT, &possible);
    if (d->crane) {
        possible += W_BOOL * 100;
        earned += (ix.flags[s] & 2) ? W_BOOL * 100 : 0;
    }
    if (d->ground) {
        possible += W_BOOL * 100;
        earned += (ix.flags[s] & 4) ? W_BOOL * 100 : 0;
    }
    if (d->wastewater) {
        possible += W_BOOL * 100;
        earned += (ix.flags[s] & 8) ? W_BOOL * 100 : 0;
    }
    if (d->hazard >= 0) {
        possible += W_HAZARD * 100;
        earned += ix.hazard[s] >= d->hazard ? W_HAZARD * 100 : 0;
    }
    if (d->budget != NOVAL) {
        possible += W_RENT * 100;
        if (ix.rent[s] != NOVAL && ix.rent[s] <= d->budget)
            earned += W_RENT * 100;
        else if (ix.rent[s] != NOVAL && ix.rent[s] > 0)
            earned += W_RENT * 100 * d->budget / ix.rent[s];
    }
    if (d->move_by) {
        possible += W_DATE * 100;
        earned += ix.avail[s] <= d->move_by ? W_DATE * 100 : 0;
    }
    if (d->nregions) {
        possible += W_REGION * 100;
        for (int k = 0; k < d->nregions; k++)
            if (d->regions[k] == ix.region[s]) {
                earned += W_REGION * 100;
                break;
            }
    }
    return earned * 10000 / possible + (bonus ? bonus[0] * 100 : 0);
}

static int park_slot(int64_t park_id)
{
    size_t lo = 0, hi = ix.nparks;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ix.parks[mid].id < park_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix.nparks && ix.parks[lo].id == park_id ? (int)lo : -1;
}

static int park_bonus(const struct demand *d, int ps, int *industry, int *chain)
{
    const struct park_info *p;
    *industry = *chain = 0;
    if (ps < 0)
        return 0;
    p = &ix.parks[ps];
    if (d->industry[0] && p->industry[0]) {
        if (!strcmp(d->industry, p->industry))
            *industry = B_INDUSTRY;
        else if (!strncmp(d->industry, p->industry, 2))
            *industry = B_INDUSTRY_DIV;
    }
    if (d->chain[0]) {
        char pat[80];
        snprintf(pat, sizeof pat, ",%s,", d->chain);
        if (strstr(p->chains, pat))
            *chain = B_CHAIN;
    }
    return *industry + *chain;
}

struct hit {
    int64_t score, rent, id;
    size_t slot;
};

static int better(const struct hit *a, const struct hit *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    if (a->rent != b->rent)
        return a->rent < b->rent;
    return a->id < b->id;
}

static void fmt2(int64_t v, char *t, size_t n)
{
    if (v == NOVAL)
        pb_strlcpy(t, "", n);
    else
        pb_dec_format(v, 2, t, n);
}

/* meets/misses of one space, JSON. */
static void explain(const struct demand *d, size_t s, int ind, int chain, struct pb_buf *out)
{
    struct pb_buf meets, misses;
    char w[48], o[48], sh[48];
    pb_buf_init(&meets, 0);
    pb_buf_init(&misses, 0);
#define MEET(name) pb_buf_printf(&meets, "%s\"%s\"", meets.len ? "," : "", name)
#define MISS(name, want, got, shortfall)                                                           \
    do {                                                                                           \
        pb_buf_printf(&misses, "%s{\"requirement\":\"%s\",\"wanted\":", misses.len ? "," : "",     \
                      name);                                                                       \
        pb_buf_json_str(&misses, want);                                                            \
        pb_buf_adds(&misses, ",\"offered\":");                                                     \
        if ((got)[0])                                                                              \
            pb_buf_json_str(&misses, got);                                                         \
        else                                                                                       \
            pb_buf_adds(&misses, "null");                                                          \
        pb_buf_adds(&misses, ",\"shortfall\":");                                                   \
        if ((shortfall)[0])                                                                        \
            pb_buf_json_str(&misses, shortfall);                                                   \
        else                                                                                       \
            pb_buf_adds(&misses, "null");                                                          \
        pb_buf_addc(&misses, '}');                                                                 \
    } while (0)
    {
        int64_t a = ix.area[s];
        char range[100], lo[48], hi[48];
        fmt2(d->area_min, lo, sizeof lo);
        fmt2(d->area_max, hi, sizeof hi);
        snprintf(range, sizeof range, "%s-%s", lo, d->area_max == NOVAL ? "" : hi);
        fmt2(a, o, sizeof o);
        if (a != NOVAL && a >= d->area_min && (d->area_max == NOVAL || a <= d->area_max))
            MEET("area_m2");
        else {
            if (a == NOVAL)
                sh[0] = 0;
            else if (a < d->area_min)
                fmt2(d->area_min - a, sh, sizeof sh);
            else
                fmt2(d->area_max - a, sh, sizeof sh); /* negative: too big */
            MISS("area_m2", range, o, sh);
        }
    }
    {
        static const char *const names[] = {"floor_load", "clear_height", "power_kva",
                                            "freight_lift_t"};
        const int64_t want[] = {d->load, d->height, d->power, d->lift};
        const int64_t got[] = {ix.load[s], ix.height[s], ix.power[s], ix.lift[s]};
        for (int k = 0; k < 4; k++) {
            int scale = k == 2 ? 0 : 2;
            if (want[k] == NOVAL || want[k] <= 0)
                continue;
            if (got[k] != NOVAL && got[k] >= want[k]) {
                MEET(names[k]);
                continue;
            }
            pb_dec_format(want[k], scale, w, sizeof w);
            if (got[k] == NOVAL) {
                o[0] = 0;
                pb_dec_format(want[k], scale, sh, sizeof sh);
            } else {
                pb_dec_format(got[k], scale, o, sizeof o);
                pb_dec_format(want[k] - got[k], scale, sh, sizeof sh);
            }
            MISS(names[k], w, o, sh);
        }
    }
    if (d->crane) {
        if (ix.flags[s] & 2)
            MEET("crane");
        else
            MISS("crane", "true", "false", "");
    }
    if (d->ground) {
        if (ix.flags[s] & 4)
            MEET("ground_floor");
        else
            MISS("ground_floor", "true", "false", "");
    }
    if (d->wastewater) {
        if (ix.flags[s] & 8)
            MEET("wastewater");
        else
            MISS("wastewater", "true", "false", "");
    }
    if (d->hazard >= 0) {
        if (ix.hazard[s] >= d->hazard)
            MEET("hazard_class");
        else
            MISS("hazard_class", pb_hazard_classes[d->hazard],
                 ix.hazard[s] >= 0 ? pb_hazard_classes[(int)ix.hazard[s]] : "", "");
    }
    if (d->budget != NOVAL) {
        if (ix.rent[s] != NOVAL && ix.rent[s] <= d->budget)
            MEET("rent");
        else {
            fmt2(d->budget, w, sizeof w);
            fmt2(ix.rent[s], o, sizeof o);
            if (ix.rent[s] != NOVAL)
                fmt2(ix.rent[s] - d->budget, sh, sizeof sh);
            else
                sh[0] = 0;
            MISS("rent", w, o, sh);
        }
    }
    if (d->move_by) {
        if (ix.avail[s] <= d->move_by)
            MEET("move_in_by");
        else {
            snprintf(w, sizeof w, "%04d-%02d-%02d", d->move_by / 10000, d->move_by / 100 % 100,
                     d->move_by % 100);
            snprintf(o, sizeof o, "%04d-%02d-%02d", ix.avail[s] / 10000, ix.avail[s] / 100 % 100,
                     ix.avail[s] % 100);
            MISS("move_in_by", w, o, "");
        }
    }
    if (d->nregions) {
        int ok = 0;
        for (int k = 0; k < d->nregions; k++)
            ok |= d->regions[k] == ix.region[s];
        if (ok)
            MEET("region");
        else {
            struct pb_buf wl;
            pb_buf_init(&wl, 0);
            for (int k = 0; k < d->nregions; k++)
                pb_buf_printf(&wl, "%s%s", k ? "," : "", pb_region_at(d->regions[k])->code);
            MISS("region", pb_buf_cstr(&wl), pb_region_at(ix.region[s])->code, "");
            pb_buf_release(&wl);
        }
    }
    if (ind)
        MEET(ind == B_INDUSTRY ? "park_industry" : "park_industry_division");
    if (chain)
        MEET("park_chain");
#undef MEET
#undef MISS
    pb_buf_adds(out, ",\"meets\":[");
    pb_buf_add(out, meets.data ? meets.data : "", meets.len);
    pb_buf_adds(out, "],\"misses\":[");
    pb_buf_add(out, misses.data ? misses.data : "", misses.len);
    pb_buf_addc(out, ']');
    pb_buf_release(&meets);
    pb_buf_release(&misses);
}

static int load_demand(struct pb_ctx *c, int64_t id, struct demand *d, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc, found = 0;
    const char *pref = NULL;
    char prefbuf[256] = "";
    memset(d, 0, sizeof *d);
    d->id = id;
    if ((rc = pb_db_prepare(
             c->db,
             "SELECT region_code, area_min_m2, area_max_m2, min_floor_load, min_clear_height, "
             "min_power_kva, min_freight_lift_t, budget_rent_fen, need_crane, need_ground_floor, "
             "need_wastewater, hazard_class, move_in_by, industry_code, chain, preferred_regions, "
             "enterprise_id FROM demand WHERE id = ? AND archived_at IS NULL",
             &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    if ((rc = pb_stmt_step(st)) == PB_ROW) {
        const char *reg = pb_stmt_col_text(st, 0);
        if (c->who->role == PB_ROLE_ENTERPRISE)
            found = !pb_stmt_col_null(st, 16) && pb_stmt_col_int(st, 16) == c->who->enterprise_id;
        else
            found = !pb_principal_by_park(c->who) && pb_principal_region_ok(c->who, reg);
        d->area_min = col_or(st, 1);
        d->area_max = col_or(st, 2);
        d->load = col_or(st, 3);
        d->height = col_or(st, 4);
        d->power = col_or(st, 5);
        d->lift = col_or(st, 6);
        d->budget = col_or(st, 7);
        d->crane = (int)pb_stmt_col_int(st, 8);
        d->ground = (int)pb_stmt_col_int(st, 9);
        d->wastewater = (int)pb_stmt_col_int(st, 10);
        d->hazard = hazard_index(pb_stmt_col_null(st, 11) ? NULL : pb_stmt_col_text(st, 11));
        if (!pb_stmt_col_null(st, 12)) {
            int y, m, dd;
            if (!pb_date_parse(pb_stmt_col_text(st, 12), &y, &m, &dd))
                d->move_by = y * 10000 + m * 100 + dd;
        }
        pb_strlcpy(d->industry, pb_stmt_col_text(st, 13), sizeof d->industry);
        pb_strlcpy(d->chain, pb_stmt_col_text(st, 14), sizeof d->chain);
        if (!pb_stmt_col_null(st, 15)) {
            pb_strlcpy(prefbuf, pb_stmt_col_text(st, 15), sizeof prefbuf);
            pref = prefbuf;
        }
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!found)
        return pb_err_set(err, PB_E_NOT_FOUND, "用房需求不存在", "demand not found");
    if (pref) {
        char *save = NULL, *tok;
        for (tok = strtok_r(prefbuf, ", ", &save); tok && d->nregions < 32;
             tok = strtok_r(NULL, ", ", &save))
            if (pb_region_find(tok))
                d->regions[d->nregions++] = (uint16_t)region_index(tok);
    }
    return 0;
}

/* `,"space":{…}`: what a list of matches shows of each space without fetching it (title,
 * region, park/building/unit, area, rent, price, source). Reads the database (the space is in
 * the index, hence in the library; its scope was checked through the demand's). */
static int space_summary(struct pb_ctx *c, int64_t id, struct pb_buf *out)
{
    struct pb_stmt *st;
    char t[48];
    int rc;
    if ((rc = pb_db_prepare(c->db,
                            "SELECT s.title, s.region_code, r.name, r.name_en, s.park_id, p.name, "
                            "b.name, u.number, u.floor, s.floor_m2, s.rent_fen, s.price_fen, "
                            "s.source, s.status, s.address FROM space s "
                            "LEFT JOIN region r ON r.code = s.region_code "
                            "LEFT JOIN park p ON p.id = s.park_id "
                            "LEFT JOIN unit u ON u.id = s.unit_id "
                            "LEFT JOIN building b ON b.id = u.building_id WHERE s.id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW) {
        pb_stmt_done(st);
        return rc < 0 ? rc : 0;
    }
#define SUM_TEXT(key, col)                                                                         \
    do {                                                                                           \
        pb_buf_adds(out, ",\"" key "\":");                                                         \
        if (pb_stmt_col_null(st, col))                                                             \
            pb_buf_adds(out, "null");                                                              \
        else                                                                                       \
            pb_buf_json_str(out, pb_stmt_col_text(st, col));                                       \
    } while (0)
#define SUM_DEC(key, col)                                                                          \
    do {                                                                                           \
        pb_buf_adds(out, ",\"" key "\":");                                                         \
        if (pb_stmt_col_null(st, col)) {                                                           \
            pb_buf_adds(out, "null");                                                              \
        } else {                                                                                   \
            pb_dec_format(pb_stmt_col_int(st, col), 2, t, sizeof t);                               \
            pb_buf_json_str(out, t);                                                               \
        }                                                                                          \
    } while (0)
    pb_buf_adds(out, ",\"space\":{\"title\":");
    pb_buf_json_str(out, pb_stmt_col_text(st, 0));
    SUM_TEXT("region_code", 1);
    SUM_TEXT("region_name", c->lang_en ? 3 : 2);
    if (pb_stmt_col_null(st, 4))
        pb_buf_adds(out, ",\"park_id\":null");
    else
        pb_buf_printf(out, ",\"park_id\":%lld", (long long)pb_stmt_col_int(st, 4));
    SUM_TEXT("park_name", 5);
    SUM_TEXT("building_name", 6);
    SUM_TEXT("unit_number", 7);
    if (pb_stmt_col_null(st, 8))
        pb_buf_adds(out, ",\"floor\":null");
    else
        pb_buf_printf(out, ",\"floor\":%lld", (long long)pb_stmt_col_int(st, 8));
    SUM_DEC("floor_m2", 9);
    SUM_DEC("rent_fen", 10);
    SUM_DEC("price_fen", 11);
    SUM_TEXT("source", 12);
    SUM_TEXT("status", 13);
    SUM_TEXT("address", 14);
#undef SUM_TEXT
#undef SUM_DEC
    pb_buf_addc(out, '}');
    pb_stmt_done(st);
    return 0;
}

int pb_match_demand(struct pb_ctx *c, int64_t demand_id, int limit, struct pb_buf *out,
                    struct pb_err *err)
{
    struct demand d;
    struct hit top[100];
    int ntop = 0, rc;
    int *bonus;
    unsigned char *in_scope;
    if (!pb_policy_allows(c->who->role, "demands", PB_ACT_READ))
        return pb_err_set(err, PB_E_FORBIDDEN, "您的角色无权执行此操作",
                          "your role may not do this");
    if (limit < 1 || limit > 100)
        return pb_err_field(err, PB_E_INVALID, "limit", "out_of_range", "limit 应为 1 到 100",
                            "limit must be from 1 to 100");
    if ((rc = load_demand(c, demand_id, &d, err)))
        return rc;
    pthread_mutex_lock(&ix.refresh);
    pthread_rwlock_wrlock(&ix.lock);
    rc = refresh(c->db, c->now_ms);
    pthread_rwlock_unlock(&ix.lock);
    pthread_mutex_unlock(&ix.refresh);
    if (rc)
        return rc;
    /* Only spaces in the caller's jurisdiction are offered: a county office matches its
     * county's demands against its county's space (reliability.md: no byte of another county's
     * data in any answer); city-wide roles and enterprises see the whole library. */
    {
        size_t nr = pb_region_count();
        in_scope = pb_xcalloc(nr + 1, 1);
        for (size_t k = 0; k < nr; k++)
            in_scope[k] = (unsigned char)pb_principal_region_ok(c->who, pb_region_at(k)->code);
    }
    pthread_rwlock_rdlock(&ix.lock);
    bonus = pb_xcalloc(ix.nparks + 1, sizeof(int));
    for (size_t p = 0; p < ix.nparks; p++) {
        int a, b;
        bonus[p] = park_bonus(&d, (int)p, &a, &b);
    }
    {
        /* Hard filters: listed as available, and an area within half the minimum and twice the
         * maximum; everything else is scored, so near misses show with their shortfall. */
        const int64_t lo = d.area_min / 2;
        const int64_t hi = d.area_max == NOVAL ? INT64_MAX : d.area_max * 2;
        int64_t floor_score = -1;
        int64_t last_park = -1;
        int last_ps = -1;
        for (size_t s = 0; s < ix.n; s++) {
            struct hit h;
            int ps;
            if (!(ix.flags[s] & 1) || ix.area[s] == NOVAL || ix.area[s] < lo || ix.area[s] > hi)
                continue;
            if (!in_scope[ix.region[s]])
                continue;
            if (ix.park[s] != last_park) {
                last_park = ix.park[s];
                last_ps = ix.park[s] ? park_slot(ix.park[s]) : -1;
            }
            ps = last_ps;
            h.score = score_slot(&d, s, ps >= 0 ? &bonus[ps] : NULL);
            if (ntop == limit && h.score < floor_score)
                continue;
            h.rent = ix.rent[s] == NOVAL ? INT64_MAX : ix.rent[s];
            h.id = ix.id[s];
            h.slot = s;
            if (ntop < limit) {
                int i = ntop++;
                while (i > 0 && better(&h, &top[i - 1])) {
                    top[i] = top[i - 1];
                    i--;
                }
                top[i] = h;
            } else if (better(&h, &top[ntop - 1])) {
                int i = ntop - 1;
                while (i > 0 && better(&h, &top[i - 1])) {
                    top[i] = top[i - 1];
                    i--;
                }
                top[i] = h;
            }
            if (ntop == limit)
                floor_score = top[ntop - 1].score;
        }
    }
    pb_buf_printf(out, "{\"demand_id\":%lld,\"items\":[", (long long)demand_id);
    for (int i = 0; i < ntop; i++) {
        char t[32];
        int ind = 0, ch = 0;
        int ps = ix.park[top[i].slot] ? park_slot(ix.park[top[i].slot]) : -1;
        park_bonus(&d, ps, &ind, &ch);
        pb_dec_format(top[i].score, 2, t, sizeof t);
        pb_buf_printf(out, "%s{\"space_id\":%lld,\"score\":%s", i ? "," : "", (long long)top[i].id,
                      t);
        explain(&d, top[i].slot, ind, ch, out);
        if ((rc = space_summary(c, top[i].id, out)))
            break;
        pb_buf_addc(out, '}');
    }
    pb_buf_adds(out, "]}");
    free(bonus);
    free(in_scope);
    pthread_rwlock_unlock(&ix.lock);
    return rc;
}
