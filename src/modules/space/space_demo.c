/* space_demo.c: the demo's space and enterprises (issue 9), built through the module's own
 * create, lease and lifecycle paths on top of the demo parks.
 *
 * The seeds quote totals, not records: 晋江's 14 综合产业园区 with 463 enterprises signed on
 * 121万㎡ at a 去化率 of 95.19% (seed 001), 永佳's 37 enterprises, 芯智造's first 7 projects
 * producing and 15 signed, 德化古洋's 27 enterprises all producing, 泉州建筑服务产业园's 182
 * enterprises, 泉州开发区智能产业园 at 100% occupancy. The records here are generated so that
 * those totals come out of the rates and lists exactly: every signed unit's area is drawn
 * deterministically and the last one of a park takes the remainder, so a park's signed area is
 * its figure to the hundredth of a m². The enterprises the seeds name (博璋智能, 五恒科技,
 * 新时达机器人, 良颀, 北方华创, 苏州福能纺织科技 …) are among them with their real names;
 * the others get composed names. Every USCC carries real GB 11714 and GB 32100 check
 * characters. The same binary loads the same records, in one transaction. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/store/query.h"
#include "core/util/money.h"
#include "core/util/validate.h"
#include "modules/parks/park.h"
#include "modules/space/space.h"
#include "modules/space/space_demo.h"

/* A small deterministic generator (splitmix64): the demo must be the same on every run. */
static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int64_t rng_between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* What a park gets. Areas in whole m². */
struct park_plan {
    const char *park;     /* the demo park's name (parks.json) */
    int leases;           /* enterprises signed in, one lease each */
    int64_t signed_m2;    /* their units' total area */
    int64_t vacant_m2;    /* marketable area nobody has signed */
    int moved_in;         /* how many of them have moved in (the rest only signed) */
    int producing;        /* how many of those are producing */
    int buildings;        /* standard factories the units are spread over */
    int living_pct;       /* supporting floor area as a share of the factories' (7:3 → 43) */
    const char *industry; /* GB/T 4754 code of its tenants */
    const char *signed_from, *signed_to; /* the signing window (YYYY-MM-DD) */
};

/* 晋江's 14 parks add up to the seed's 463 enterprises, 1,210,000 m² signed and 61,142 m²
 * vacant: 1,210,000 / 1,271,142 = 95.1900…% (去化率 95.19%). */
static const struct park_plan plans[] = {
    {"晋江永佳智能装备产业园", 37, 98000, 6000, 33, 30, 6, 43, "3491", "2022-09-01", "2024-06-30"},
    {"芯智造产业园", 22, 66000, 3000, 7, 7, 4, 40, "3562", "2023-11-01", "2024-09-30"},
    {"绿色高端面料整理微工业园", 34, 92000, 4200, 30, 26, 5, 43, "1713", "2022-03-01",
     "2024-03-31"},
    {"金井绿色新材料产业园", 34, 90000, 4600, 28, 24, 5, 30, "2651", "2022-06-01", "2024-08-31"},
    {"新智造产业园", 34, 88000, 4400, 27, 22, 5, 43, "3484", "2022-10-01", "2024-10-31"},
    {"国际工业设计园", 34, 62000, 3600, 31, 0, 3, 43, "7491", "2022-05-01", "2024-05-31"},
    {"晋江五里智能制造产业园", 34, 96000, 4800, 29, 25, 5, 43, "3421", "2022-04-01", "2024-09-30"},
    {"晋江安海医疗健康产业园", 34, 86000, 4300, 26, 21, 5, 25, "3581", "2022-07-01", "2024-10-31"},
    {"晋江深沪新能源产业园", 33, 94000, 4500, 25, 20, 5, 43, "3841", "2022-08-01", "2024-10-31"},
    {"晋江池店鞋服智造产业园", 33, 88000, 4342, 30, 27, 5, 43, "1952", "2022-02-01", "2024-04-30"},
    {"晋江磁灶陶瓷新材料产业园", 33, 90000, 4500, 28, 25, 5, 20, "3071", "2022-03-01",
     "2024-06-30"},
    {"晋江东石电池配套产业园", 33, 92000, 4600, 24, 19, 5, 43, "3841", "2022-09-01", "2024-10-31"},
    {"晋江内坑食品产业园", 34, 84000, 4200, 31, 28, 5, 43, "1419", "2022-01-01", "2024-03-31"},
    {"晋江英林服装智造产业园", 34, 84000, 4100, 30, 27, 5, 43, "1811", "2022-02-01", "2024-05-31"},
    /* Elsewhere: 德化古洋's 27, all producing (seed 002); the 建筑服务产业园's 182 (seed
     * 004); 泉州开发区智能产业园 fully occupied (seed 000). */
    {"德化古洋工业园区", 27, 54000, 2600, 27, 27, 4, 43, "3074", "2021-05-01", "2023-09-30"},
    {"泉州市建筑服务产业园", 182, 45500, 1800, 182, 0, 6, 0, "4790", "2020-03-01", "2021-08-31"},
    {"泉州开发区智能产业园", 24, 60000, 0, 24, 24, 4, 43, "3922", "2023-12-01", "2024-11-30"},
    {"泉州开发区科技园", 18, 36000, 2400, 16, 14, 3, 43, "6513", "2020-04-01", "2024-06-30"},
};

/* The seeds' own enterprises, placed first in their parks' lists. */
static const struct {
    const char *park, *name, *industry, *chain, *position, *stage;
    int above_scale;
} named[] = {
    {"晋江永佳智能装备产业园", "福建博璋智能科技有限责任公司", "3491", "智能装备", "midstream",
     "producing", 1},
    {"晋江永佳智能装备产业园", "晋江五恒科技有限公司", "3493", "智能装备", "upstream", "producing",
     0},
    {"晋江永佳智能装备产业园", "新时达机器人(晋江)有限公司", "3491", "智能装备", "midstream",
     "producing", 1},
    /* seed 000: 赫步 moved into the 智能产业园 in 2024-11, beside 开普勒蔚蓝动力; 云享智能 and
     * 超维医疗 are in the 科技园. */
    {"泉州开发区智能产业园", "开普勒蔚蓝动力(泉州)科技有限公司", "3922", "智能装备", "midstream",
     "producing", 0},
    {"泉州开发区智能产业园", "赫步智能科技(福建)有限公司", "3484", "智能装备", "midstream",
     "producing", 0},
    {"泉州开发区科技园", "云享智能科技(泉州)有限公司", "6513", "人工智能", "upstream", "producing",
     0},
    {"泉州开发区科技园", "泉州超维医疗科技有限公司", "3581", "医疗健康", "downstream", "producing",
     1},
    {"芯智造产业园", "良颀科技(晋江)有限公司", "3562", "集成电路", "midstream", "producing", 1},
    {"芯智造产业园", "北方华创(晋江)半导体装备有限公司", "3562", "集成电路", "midstream",
     "producing", 1},
    {"芯智造产业园", "国维集成电路(晋江)有限公司", "3973", "集成电路", "midstream", "producing", 0},
    {"绿色高端面料整理微工业园", "苏州福能纺织科技有限公司晋江分公司", "1713", "纺织鞋服",
     "midstream", "producing", 0},
};

static const char *const name_head[] = {"福建", "晋江", "泉州", "闽南", "海峡", "东南"};
static const char *const name_mid[] = {
    "恒昌", "鑫源", "宏达", "锦程", "华泰", "永盛", "协力", "嘉禾", "润丰", "盛世", "卓越",
    "汇通", "明辉", "瑞祥", "天工", "金帆", "立信", "博远", "启航", "同创", "安捷", "科宇",
    "中鼎", "华信", "伟业", "长青", "新维", "精工", "海辰", "源泰", "正邦", "佳联"};
static const char *const name_trade[] = {
    "精密机械", "智能装备", "新材料",   "电子科技", "自动化",   "环保科技", "实业",     "包装制品",
    "纺织科技", "鞋材",     "五金制品", "光电科技", "医疗器械", "食品",     "建筑工程", "工程咨询"};
static const char *const building_word[] = {"标准厂房", "智造厂房", "研发厂房"};

/* An 18-character USCC for the region with real check characters: "91" (an enterprise of
 * the market regulator), the region code, an organisation code drawn from n, then the check. */
static void make_uscc(const char *region, uint64_t n, char out[19])
{
    static const char digits[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    char org[10], check = '0';
    const char *r = (region[0] >= '0' && region[0] <= '9') ? region : "350500";
    for (int i = 7; i >= 0; i--) {
        org[i] = digits[n % 10];
        n /= 10;
    }
    org[8] = '0';
    org[9] = 0;
    pb_orgcode_check(org, &check);
    org[8] = check;
    snprintf(out, 19, "91%.6s%s0", r, org);
    pb_uscc_check(out, &check);
    out[17] = check;
}

static const char *body_text(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int create(struct pb_ctx *c, const struct pb_resource *r, json_t *body, int64_t *id,
                  struct pb_err *err)
{
    int rc = pb_res_create(c, r, body, NULL, id, NULL, err);
    json_decref(body);
    return rc;
}

/* A date between two dates, deterministic. */
static void date_between(const char *from, const char *to, char out[11])
{
    int y, m, d, y2, m2, d2;
    int64_t a, b;
    pb_date_parse(from, &y, &m, &d);
    pb_date_parse(to, &y2, &m2, &d2);
    a = pb_days_from_civil(y, m, d);
    b = pb_days_from_civil(y2, m2, d2);
    pb_date_str_add_days(from, (int)rng_between(0, b - a), out);
}

struct demo_totals {
    int parks, buildings, units, enterprises, leases;
};

/* Split total (hundredths) into n parts between 0.6 and 1.4 of the mean; exact sum. */
static void split_area(int64_t total, int n, int64_t *parts)
{
    int64_t weights = 0, sum = 0;
    for (int i = 0; i < n; i++)
        weights += (parts[i] = rng_between(60, 140));
    for (int i = 0; i < n; i++) {
        parts[i] = i == n - 1 ? total - sum : total * parts[i] / weights;
        sum += parts[i];
    }
}

static int park_demo(struct pb_ctx *c, const struct park_plan *p, int *seq, struct demo_totals *t,
                     struct pb_err *err)
{
    int64_t park_id = pb_park_id_by_name(c->db, p->park);
    const char *region = NULL;
    int nunits_vacant = p->vacant_m2 ? (int)(p->vacant_m2 / 1500) + 1 : 0;
    int nunits = p->leases + nunits_vacant;
    int64_t *area = pb_arena_alloc(c->arena, sizeof *area * (size_t)(nunits + 1));
    int64_t *unit_ids = pb_arena_alloc(c->arena, sizeof *unit_ids * (size_t)(nunits + 1));
    int64_t bld[16], factory_m2 = 0, living_id = 0;
    char a[32], date[11];
    int rc, per_building;

    if (!park_id)
        return pb_err_set(err, PB_E_NOT_FOUND, "演示园区 %s 不存在", "demo park %s missing",
                          p->park);
    if ((rc = pb_space_park_visible(c, park_id, "park_id", &region, err)))
        return rc;
    split_area(p->signed_m2 * 100, p->leases, area);
    if (nunits_vacant)
        split_area(p->vacant_m2 * 100, nunits_vacant, area + p->leases);
    for (int i = 0; i < nunits; i++)
        factory_m2 += area[i];
    per_building = (nunits + p->buildings - 1) / p->buildings;
    for (int b = 0; b < p->buildings; b++) {
        int64_t m2 = 0;
        char name[64];
        for (int i = b * per_building; i < nunits && i < (b + 1) * per_building; i++)
            m2 += area[i];
        snprintf(name, sizeof name, "%d号%s", b + 1, building_word[b % 3]);
        pb_dec_format(m2, 2, a, sizeof a);
        /* completed a year or two before the first signing */
        pb_date_str_add_days(p->signed_from, -rng_between(200, 700), date);
        if ((rc = create(c, &pb_res_buildings,
                         json_pack("{s:I,s:s,s:s,s:i,s:s,s:s}", "park_id", (json_int_t)park_id,
                                   "name", name, "kind", "standard_factory", "floors",
                                   (int)rng_between(4, 6), "floor_m2", a, "completed_on", date),
                         &bld[b], err)))
            return rc;
        t->buildings++;
    }
    if (p->living_pct) {
        pb_dec_format(factory_m2 * p->living_pct / 100, 2, a, sizeof a);
        if ((rc = create(c, &pb_res_buildings,
                         json_pack("{s:I,s:s,s:s,s:i,s:s}", "park_id", (json_int_t)park_id, "name",
                                   "人才公寓及配套楼", "kind", "supporting", "floors", 12,
                                   "floor_m2", a),
                         &living_id, err)))
            return rc;
        t->buildings++;
    }
    /* Units: the signed ones first, then the vacant ones, floor by floor. */
    for (int i = 0; i < nunits; i++) {
        int b = i / per_building, k = i % per_building, floor = 1 + k / 4;
        char number[16];
        snprintf(number, sizeof number, "%d%02d", floor, k % 4 + 1);
        pb_dec_format(area[i], 2, a, sizeof a);
        if ((rc =
                 create(c, &pb_res_units,
                        json_pack("{s:I,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b}", "building_id",
                                  (json_int_t)bld[b], "floor", floor, "number", number, "area_m2",
                                  a, "status", "vacant", "rent_fen", floor == 1 ? "22.00" : "16.50",
                                  "floor_load", floor == 1 ? "12.00" : (b % 2 ? "8.00" : "6.50"),
                                  "clear_height", floor == 1 ? "9.00" : "5.40", "power_kva",
                                  floor == 1 ? 630 : 250, "ground_floor", floor == 1),
                        &unit_ids[i], err)))
            return rc;
        t->units++;
    }
    /* Enterprises and their leases. */
    for (int i = 0; i < p->leases; i++) {
        const char *name = NULL, *industry = p->industry, *chain = NULL, *position = NULL;
        int above = 0, producing = i < p->producing;
        char composed[128], uscc[19], ids[24], until[11];
        int64_t ent = 0, lease = 0;
        for (size_t k = 0, seen = 0; k < PB_ARRAY_LEN(named); k++)
            if (!strcmp(named[k].park, p->park) && seen++ == (size_t)i) {
                name = named[k].name;
                industry = named[k].industry;
                chain = named[k].chain;
                position = named[k].position;
                above = named[k].above_scale;
            }
        if (!name) {
            /* 182 firms of the 建筑服务产业园 are building-trade firms. */
            const char *trade = !strcmp(p->industry, "4790") ? name_trade[14 + (*seq % 2)]
                                                             : name_trade[rng_between(0, 13)];
            snprintf(composed, sizeof composed, "%s%s%s%s有限公司",
                     name_head[*seq % PB_ARRAY_LEN(name_head)],
                     name_mid[(*seq / 6) % PB_ARRAY_LEN(name_mid)],
                     name_mid[(*seq / 192 + *seq * 7) % PB_ARRAY_LEN(name_mid)], trade);
            name = composed;
            above = rng_between(0, 4) == 0;
        }
        (*seq)++;
        make_uscc(region, 35000000ull + (uint64_t)*seq * 7919ull, uscc);
        {
            json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:I,s:b}", "name", name, "uscc", uscc,
                                     "region_code", region, "industry_code", industry, "park_id",
                                     (json_int_t)park_id, "above_scale", above);
            if (chain)
                json_object_set_new(body, "chain", json_string(chain));
            if (position)
                json_object_set_new(body, "chain_position", json_string(position));
            if ((rc = create(c, &pb_res_enterprises, body, &ent, err)))
                return rc;
        }
        t->enterprises++;
        date_between(p->signed_from, p->signed_to, date);
        if ((rc = pb_enterprise_event(c, ent, "signed", date, "入园签约", NULL, err)))
            return rc;
        snprintf(ids, sizeof ids, "%lld", (long long)unit_ids[i]);
        pb_date_str_add_days(date, 8 * 365 + 2, until); /* eight-year terms */
        if ((rc = create(c, &pb_res_leases,
                         json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "enterprise_id", (json_int_t)ent,
                                   "unit_ids", ids, "kind", "lease", "signed_on", date, "start_on",
                                   date, "end_on", until),
                         &lease, err)))
            return rc;
        t->leases++;
        if (i < p->moved_in) {
            char in[11];
            pb_date_str_add_days(date, (int)rng_between(20, 90), in);
            if ((rc = pb_lease_move_in(c, lease, in, NULL, err)))
                return rc;
            if (producing) {
                char prod[11];
                pb_date_str_add_days(in, (int)rng_between(30, 120), prod);
                if ((rc = pb_enterprise_event(c, ent, "producing", prod, "投产", NULL, err)))
                    return rc;
            }
        }
    }
    t->parks++;
    (void)body_text;
    return 0;
}

/* Yearly figures of every demo enterprise for 2023 and 2024; 泉州开发区智能产业园's 2024 taxes
 * add up to 4236万元 (seed 000: "2024年，泉州开发区智能产业园总体创税4200多万元"). */
static int figures_demo(struct pb_ctx *c, struct pb_err *err)
{
    struct firm {
        int64_t id, park;
        int above;
    } * f;
    struct pb_stmt *st;
    int64_t kfq_park = pb_park_id_by_name(c->db, "泉州开发区智能产业园"), n = 0, nkfq = 0, k;
    int64_t *parts;
    int rc;
    if ((rc = pb_q_int(c->db, &n, 0, "SELECT COUNT(*) FROM enterprise", NULL)))
        return rc;
    f = pb_arena_alloc(c->arena, sizeof *f * (size_t)(n + 1));
    parts = pb_arena_alloc(c->arena, sizeof *parts * (size_t)(n + 1));
    if ((rc = pb_db_prepare(c->db, "SELECT id, park_id, above_scale FROM enterprise ORDER BY id",
                            &st)))
        return rc;
    for (k = 0; k < n && (rc = pb_stmt_step(st)) == PB_ROW; k++) {
        f[k].id = pb_stmt_col_int(st, 0);
        f[k].park = pb_stmt_col_int(st, 1);
        f[k].above = (int)pb_stmt_col_int(st, 2);
        nkfq += f[k].park == kfq_park;
    }
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    split_area((int64_t)42360000 * 100, (int)nkfq, parts);
    for (int64_t i = 0, j = 0; i < k; i++) {
        for (int year = 2023; year <= 2024; year++) {
            /* A firm above designated size has 20 million yuan or more of revenue; the
             * 智能产业园's 2024 taxes are its share of the seed's total. */
            int64_t revenue = f[i].above ? rng_between(2500, 30000) : rng_between(300, 1900);
            int64_t tax = revenue * rng_between(25, 60) * 1000;
            char rev[32], out[32], taxt[32];
            if (f[i].park == kfq_park && year == 2024)
                tax = parts[j++];
            pb_dec_format(revenue * 1000000, 2, rev, sizeof rev);
            pb_dec_format(revenue * rng_between(105, 125) * 10000, 2, out, sizeof out);
            pb_dec_format(tax, 2, taxt, sizeof taxt);
            if ((rc = create(c, &pb_res_enterprise_figures,
                             json_pack("{s:I,s:i,s:s,s:s,s:s,s:i}", "enterprise_id",
                                       (json_int_t)f[i].id, "year", year, "revenue_fen", rev,
                                       "output_fen", out, "tax_fen", taxt, "employees",
                                       (int)(revenue / 20 + rng_between(8, 40))),
                             NULL, err)))
                return rc;
        }
    }
    return 0;
}

/* The idle and low-efficiency space library beyond the parks' vacant units (which list
 * themselves): old factories, low-efficiency land and vacated units across the counties, each
 * with the engineering specifications a demand is matched on. */
static const struct {
    const char *region, *town, *owner;
    double lng, lat;
} space_places[] = {
    {"350582", "晋江市池店镇", "晋江市华联鞋业有限公司", 118.5516, 24.8145},
    {"350582", "晋江市磁灶镇", "福建磁灶建材有限公司", 118.4692, 24.8520},
    {"350582", "晋江市安海镇", "晋江安海纺织有限公司", 118.4670, 24.7190},
    {"350583", "南安市水头镇", "南安水头石材有限公司", 118.4233, 24.7012},
    {"350583", "南安市官桥镇", "南安官桥五金厂", 118.4508, 24.7960},
    {"350581", "石狮市灵秀镇", "石狮灵秀服装有限公司", 118.6690, 24.7440},
    {"350521", "惠安县东岭镇", "惠安东岭食品有限公司", 118.8420, 25.0560},
    {"350524", "安溪县城厢镇", "安溪城厢藤铁工艺厂", 118.1910, 25.0600},
    {"350525", "永春县桃城镇", "永春香业有限公司", 118.2940, 25.3210},
    {"350526", "德化县浔中镇", "德化浔中陶瓷有限公司", 118.2410, 25.4920},
    {"QZ-KFQ", "泉州开发区清濛园区", "泉州清濛电子有限公司", 118.6230, 24.8660},
    {"QZ-TSQ", "台商投资区洛阳镇", "泉州台商区洛阳包装厂", 118.6900, 24.9560},
    {"350502", "鲤城区江南街道", "泉州江南机械厂", 118.5650, 24.8750},
    {"350503", "丰泽区城东街道", "泉州城东印刷有限公司", 118.6380, 24.9260},
    {"350504", "洛江区万安街道", "洛江万安鞋材有限公司", 118.6700, 24.9400},
    {"350505", "泉港区山腰街道", "泉港山腰化工有限公司", 118.9160, 25.1260},
};

static int spaces_demo(struct pb_ctx *c, int *nspaces, struct pb_err *err)
{
    static const char *const sources[] = {"idle_factory", "low_efficiency_land", "vacated_unit"};
    static const char *const hazards[] = {"e", "d", "c", "d", "e", "b"};
    int rc;
    for (size_t i = 0; i < PB_ARRAY_LEN(space_places) * 2; i++) {
        size_t k = i % PB_ARRAY_LEN(space_places);
        const char *source = sources[i % 3];
        char title[160], address[200], floor_m2[32], land[32], load[16], height[16], rent[16];
        char from[11], lng[24], lat[24];
        int64_t floor = rng_between(30, 260) * 1000; /* 3,000..26,000 m² in hundredths ×10 */
        json_t *body;
        snprintf(title, sizeof title, "%s%s%s", space_places[k].town,
                 !strcmp(source, "idle_factory")          ? "闲置厂房"
                 : !strcmp(source, "low_efficiency_land") ? "低效工业用地"
                                                          : "腾退厂房",
                 i < PB_ARRAY_LEN(space_places) ? "（一期）" : "（二期）");
        snprintf(address, sizeof address, "%s工业区%d号", space_places[k].town, (int)(i + 3));
        pb_dec_format(floor * 10, 2, floor_m2, sizeof floor_m2);
        pb_dec_format(floor * 10 * 10 / 18, 2, land, sizeof land); /* plot ratio 1.8 */
        pb_dec_format(rng_between(5, 15) * 100, 2, load, sizeof load);
        pb_dec_format(rng_between(45, 120) * 10, 2, height, sizeof height);
        pb_dec_format(rng_between(9, 22) * 100, 2, rent, sizeof rent);
        pb_date_str_add_days("2025-01-01", rng_between(0, 500), from);
        snprintf(lng, sizeof lng, "%.6f", space_places[k].lng + (double)(i / 16) * 0.004);
        snprintf(lat, sizeof lat, "%.6f", space_places[k].lat + (double)(i / 16) * 0.003);
        body = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:s,s:b,s:s,s:s,s:s,"
            "s:s}",
            "title", title, "region_code", space_places[k].region, "owner_name",
            space_places[k].owner, "address", address, "lng", lng, "lat", lat, "floor_m2", floor_m2,
            "floor_load", load, "clear_height", height, "power_kva", (int)rng_between(2, 25) * 100,
            "crane", rng_between(0, 2) == 0, "ground_floor", rng_between(0, 1), "hazard_class",
            hazards[i % PB_ARRAY_LEN(hazards)], "wastewater", rng_between(0, 3) == 0,
            "available_from", from, "rent_fen", rent, "source", source, "status", "available");
        if (strcmp(source, "vacated_unit"))
            json_object_set_new(body, "land_m2", json_string(land));
        if ((rc = create(c, &pb_res_spaces, body, NULL, err)))
            return rc;
        (*nspaces)++;
    }
    return 0;
}

/* Ten demands of firms expanding or arriving; the last wants a floor load no space offers,
 * so its matches show the shortfall. */
static const struct {
    const char *title, *region, *applicant, *kind, *industry, *area_min, *area_max, *load, *height;
    int power, crane, ground;
    const char *rent, *note;
} demands[] = {
    {"博璋智能扩产：鞋机机器人第二车间", "350582", "福建博璋智能科技有限责任公司", "expansion",
     "3491", "3000", "8000", "8.00", "6.00", 400, 0, 1, "20.00", "新签4条制鞋机器人生产线订单"},
    {"芯片封测配套项目落地", "350582", "国维集成电路(晋江)有限公司", "expansion", "3973", "2000",
     "6000", "6.00", "5.00", 630, 0, 0, "22.00", NULL},
    {"新能源电池模组项目", "350582", NULL, "newcomer", "3841", "5000", "15000", "10.00", "8.00",
     1000, 1, 1, "18.00", "前置招商+定制建设意向"},
    {"纺织面料后整理扩能", "350582", "苏州福能纺织科技有限公司晋江分公司", "expansion", "1713",
     "4000", "10000", "8.00", "6.00", 800, 0, 1, "16.00", "需污水接管"},
    {"智能装备研发中心", "QZ-KFQ", "赫步智能科技(福建)有限公司", "expansion", "3484", "1500",
     "4000", "5.00", "4.50", 250, 0, 0, "25.00", NULL},
    {"医疗器械洁净车间", "QZ-KFQ", "泉州超维医疗科技有限公司", "expansion", "3581", "2000", "5000",
     "6.00", "5.00", 400, 0, 0, "24.00", NULL},
    {"陶瓷新材料中试线", "350526", NULL, "newcomer", "3074", "3000", "9000", "8.00", "7.00", 630, 1,
     1, "12.00", NULL},
    {"跨境电商仓储分拨", "350583", NULL, "newcomer", "5990", "6000", "20000", "6.00", "9.00", 250,
     0, 1, "15.00", NULL},
    {"食品产业链下游配套", "350521", NULL, "newcomer", "1419", "2000", "8000", "5.00", "5.00", 400,
     0, 1, "14.00", "南王龙头带动的下游项目"},
    {"重型装备总装车间", "350582", NULL, "newcomer", "3421", "4000", "12000", "20.00", "12.00",
     2000, 1, 1, "20.00", "楼面荷载要求高"},
};

static int demands_demo(struct pb_ctx *c, int *ndemands, struct pb_err *err)
{
    int rc;
    for (size_t i = 0; i < PB_ARRAY_LEN(demands); i++) {
        json_t *body =
            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:b,s:b,s:s,s:s}", "title",
                      demands[i].title, "region_code", demands[i].region, "kind", demands[i].kind,
                      "industry_code", demands[i].industry, "area_min_m2", demands[i].area_min,
                      "area_max_m2", demands[i].area_max, "min_floor_load", demands[i].load,
                      "min_clear_height", demands[i].height, "min_power_kva", demands[i].power,
                      "need_crane", demands[i].crane, "need_ground_floor", demands[i].ground,
                      "budget_rent_fen", demands[i].rent, "status", "open");
        if (demands[i].applicant) {
            int64_t ent = 0;
            if (pb_q_row(c->db, "SELECT id FROM enterprise WHERE name = ?", "t", "i",
                         demands[i].applicant, &ent) == 1)
                json_object_set_new(body, "enterprise_id", json_integer(ent));
            json_object_set_new(body, "applicant_name", json_string(demands[i].applicant));
        }
        if (demands[i].note)
            json_object_set_new(body, "note", json_string(demands[i].note));
        if ((rc = create(c, &pb_res_demands, body, NULL, err)))
            return rc;
        (*ndemands)++;
    }
    return 0;
}

static int demo_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct pb_ctx *c = ctx;
    struct demo_totals t = {0};
    int seq = 0, rc;
    (void)db;
    rng_state = 20240227; /* any fixed seed: the demo is the same on every run */
    int nspaces = 0, ndemands = 0;
    for (size_t i = 0; i < PB_ARRAY_LEN(plans); i++)
        if ((rc = park_demo(c, &plans[i], &seq, &t, err)))
            return rc;
    if ((rc = figures_demo(c, err)) || (rc = spaces_demo(c, &nspaces, err)) ||
        (rc = demands_demo(c, &ndemands, err)))
        return rc;
    printf("  Demo space: %d parks with %d buildings, %d units, %d enterprises and %d leases; "
           "%d spaces and %d demands in the library.\n",
           t.parks, t.buildings, t.units, t.enterprises, t.leases, nspaces, ndemands);
    return 0;
}

int pb_space_demo(struct pb_ctx *c, struct pb_err *err)
{
    int64_t existing = 0;
    pb_db_query_int(c->db, "SELECT COUNT(*) FROM lease", &existing);
    if (existing) {
        printf("  Demo space: %lld leases already there.\n", (long long)existing);
        return 0;
    }
    /* One transaction: one fsync instead of thousands, and all or nothing. */
    return pb_db_tx(c->db, 1, demo_tx, c, err);
}
