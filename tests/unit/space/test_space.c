/* test_space.c: the space-and-enterprises module (issue 3) against one database: the URL in
 * PB_TEST_DB_URL (a fresh PostgreSQL database from scripts/test.sh), else a fresh SQLite file.
 * USCC examples and a property test, the lifecycle state machine, rates at today and a past
 * date across two parks and two regions, leases (overlap, freeing, scope), matching with a
 * known answer, and CSV import (GB18030, rejected rows, upsert). */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xlsxwriter.h>

#include "cli/cli.h"
#include "modules/parks/park.h"
#include "modules/space/space.h"
#include "core/store/db.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

static struct {
    struct pb_db *db;
    struct pb_arena arena;
    struct pb_ctx sys;
    char dir[64];
    int64_t park_a, park_b, bld_a, bld_b;
    int64_t u[6]; /* u[1..5] */
    int64_t ent1, ent2, ent3;
} g;

static struct pb_principal jinjiang = {.account_id = 77,
                                       .username = "jj",
                                       .role = PB_ROLE_REGION,
                                       .nregions = 1,
                                       .regions = {"350582"}};

static void ctx_for(struct pb_ctx *c, const struct pb_principal *p)
{
    *c = g.sys;
    c->who = p;
}

/* ---- helpers ---- */

static const char *const CH = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* GB 32100 check character, written here from reference.md §1 (independent of src/). */
static char uscc_check(const char *body17)
{
    int w = 1, s = 0;
    for (int i = 0; i < 17; i++) {
        s += (int)(strchr(CH, body17[i]) - CH) * w;
        w = w * 3 % 31;
    }
    return CH[(31 - s % 31) % 31];
}

static void make_uscc(char out[19], const char *region6, int n)
{
    char body[18];
    snprintf(body, sizeof body, "91%.6sMA%07d", region6, n);
    memcpy(out, body, 17);
    out[17] = uscc_check(body);
    out[18] = 0;
}

static int64_t create(struct pb_ctx *c, const struct pb_resource *r, const char *json,
                      struct pb_err *err)
{
    json_error_t je;
    json_t *body = json_loads(json, 0, &je);
    int64_t id = 0;
    int rc;
    if (!body)
        fail_msg("bad test JSON %s: %s", json, je.text);
    pb_err_clear(err);
    rc = pb_res_create(c, r, body, NULL, &id, NULL, err);
    json_decref(body);
    return rc ? rc : id;
}

static int64_t must_create(struct pb_ctx *c, const struct pb_resource *r, const char *json)
{
    struct pb_err err;
    int64_t id = create(c, r, json, &err);
    if (id <= 0)
        fail_msg("create %s %s: %s [%s %s]", r->name, json, err.detail_en,
                 err.nfields ? err.fields[0].field : "", err.nfields ? err.fields[0].en : "");
    return id;
}

static int64_t qint(const char *sql, int64_t arg)
{
    struct pb_stmt *st;
    int64_t v = -1;
    assert_int_equal(pb_db_prepare(g.db, sql, &st), 0);
    pb_stmt_bind_int(st, 1, arg);
    if (pb_stmt_step(st) == PB_ROW)
        v = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return v;
}

static const char *qtext(const char *sql, int64_t arg)
{
    static char buf[256];
    struct pb_stmt *st;
    buf[0] = 0;
    assert_int_equal(pb_db_prepare(g.db, sql, &st), 0);
    pb_stmt_bind_int(st, 1, arg);
    if (pb_stmt_step(st) == PB_ROW)
        pb_strlcpy(buf, pb_stmt_col_text(st, 0), sizeof buf);
    pb_stmt_done(st);
    return buf;
}

/* ---- setup ---- */

static int setup(void **state)
{
    const char *url = getenv("PB_TEST_DB_URL");
    char buf[512];
    struct pb_err err = {0};
    (void)state;
    pb_app_init();
    if (!url || !*url) {
        char tmpl[] = "/tmp/pb_test_space.XXXXXX";
        if (!mkdtemp(tmpl))
            return -1;
        pb_strlcpy(g.dir, tmpl, sizeof g.dir);
        snprintf(buf, sizeof buf, "sqlite:%s/t.db", g.dir);
        url = buf;
    }
    if (pb_db_open(url, &g.db, &err)) {
        fprintf(stderr, "test_space: cannot open %s: %s\n", url, err.detail_en);
        return -1;
    }
    if (pb_cli_init_db(g.db, 1, NULL))
        return -1;
    pb_arena_init(&g.arena);
    pb_cli_ctx(&g.sys, g.db, &g.arena);
    /* A fixed clock: 2026-11-22 CST. */
    g.sys.now_ms = pb_cst_midnight_ms(2026, 11, 22) + 10 * 3600 * 1000;
    pb_match_reset();
    fprintf(stderr, "test_space: %s\n", strncmp(url, "sqlite:", 7) ? "postgresql" : "sqlite");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pb_db_close(g.db);
    pb_arena_release(&g.arena);
    if (g.dir[0]) {
        char p[128];
        const char *sfx[] = {"t.db", "t.db-wal", "t.db-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s/%s", g.dir, sfx[i]);
            unlink(p);
        }
        rmdir(g.dir);
    }
    return 0;
}

/* ---- USCC ---- */

static void test_uscc_examples(void **state)
{
    static const char *const valid[] = {"91350582MA2XK7D87N", "92350583MA31L5PQ36",
                                        "52350503MJD0012K23", "91350100M000100Y43"};
    static const char *const invalid[] = {"91350100M000100Y4Z", "91350582MA2XK7D870",
                                          "92O50583MA31L5PQ36", "52350503MJD0012K2",
                                          "91350582MA2XK7D8IX"};
    struct pb_err err;
    char json[256];
    (void)state;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pb_uscc_check(valid[i], NULL), PB_USCC_OK);
    for (size_t i = 0; i < 5; i++)
        assert_true(pb_uscc_check(invalid[i], NULL) < 0);
    /* Through the register: the failing code is refused on field uscc. */
    snprintf(json, sizeof json,
             "{\"name\":\"坏码企业\",\"uscc\":\"91350100M000100Y4Z\",\"region_code\":\"350582\"}");
    assert_int_equal(create(&g.sys, &pb_res_enterprises, json, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "uscc");
    /* The early pilot code: refused without the override, accepted with it. */
    snprintf(json, sizeof json,
             "{\"name\":\"试点企业\",\"uscc\":\"91350100M0001TGQXM\",\"region_code\":\"350582\"}");
    assert_int_equal(create(&g.sys, &pb_res_enterprises, json, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "pilot_override_required");
    snprintf(json, sizeof json,
             "{\"name\":\"试点企业\",\"uscc\":\"91350100M0001TGQXM\",\"uscc_override\":true,"
             "\"region_code\":\"350582\"}");
    assert_true(create(&g.sys, &pb_res_enterprises, json, &err) > 0);
    /* Unique. */
    assert_int_equal(create(&g.sys, &pb_res_enterprises, json, &err), PB_E_CONFLICT);
    assert_string_equal(err.fields[0].field, "uscc");
}

static void test_uscc_property(void **state)
{
    (void)state;
    srand(4242);
    for (int n = 0; n < 20000; n++) {
        char code[19], body[18];
        body[0] = CH[rand() % 31];
        body[1] = CH[rand() % 31];
        for (int i = 2; i < 8; i++)
            body[i] = (char)('0' + rand() % 10);
        for (int i = 8; i < 17; i++)
            body[i] = CH[rand() % 31];
        body[17] = 0;
        memcpy(code, body, 17);
        code[17] = uscc_check(body);
        code[18] = 0;
        assert_int_equal(pb_uscc_check(code, NULL), PB_USCC_OK);
        /* every other check character fails (or is a pilot warning, never OK) */
        {
            char wrong = CH[((strchr(CH, code[17]) - CH) + 1 + rand() % 30) % 31];
            code[17] = wrong;
            assert_true(pb_uscc_check(code, NULL) != PB_USCC_OK);
        }
    }
}

/* ---- lifecycle ---- */

static void test_lifecycle_table(void **state)
{
    static const char *const from[] = {NULL,          "signed",        "moved_in", "producing",
                                       "at_capacity", "in_statistics", "left",     "delisted"};
    static const char *const allowed[][2] = {{"signed", NULL},          {"moved_in", "left"},
                                             {"producing", "left"},     {"at_capacity", "left"},
                                             {"in_statistics", "left"}, {"delisted", "left"},
                                             {"signed", NULL},          {"in_statistics", "left"}};
    (void)state;
    for (size_t f = 0; f < 8; f++)
        for (int t = 0; pb_enterprise_stages[t]; t++) {
            const char *to = pb_enterprise_stages[t];
            int want = (allowed[f][0] && !strcmp(allowed[f][0], to)) ||
                       (allowed[f][1] && !strcmp(allowed[f][1], to));
            if (pb_enterprise_transition_ok(from[f], to) != want)
                fail_msg("%s -> %s: expected %d", from[f] ? from[f] : "none", to, want);
        }
    assert_false(pb_enterprise_transition_ok("bogus", "signed"));
    assert_false(pb_enterprise_transition_ok(NULL, "bogus"));
}

static void test_lifecycle_events(void **state)
{
    struct pb_err err;
    char uscc[19], json[256];
    int64_t id;
    (void)state;
    make_uscc(uscc, "350582", 1);
    snprintf(json, sizeof json,
             "{\"name\":\"晋江智造\",\"uscc\":\"%s\",\"region_code\":\"350582\"}", uscc);
    id = must_create(&g.sys, &pb_res_enterprises, json);
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "moved_in", "2025-01-01", NULL, NULL, &err),
                     PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "transition_not_allowed");
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "signed", "2025-01-10", NULL, NULL, &err), 0);
    pb_err_clear(&err);
    /* dates never go backwards */
    assert_int_equal(pb_enterprise_event(&g.sys, id, "moved_in", "2025-01-09", NULL, NULL, &err),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "before_last_event");
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "moved_in", "2027-01-01", NULL, NULL, &err),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "in_future");
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "moved_in", "2025-01-10", NULL, NULL, &err),
                     0);
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "producing", "2025-03-01", NULL, NULL, &err),
                     0);
    pb_err_clear(&err);
    assert_int_equal(
        pb_enterprise_event(&g.sys, id, "in_statistics", "2025-04-01", NULL, NULL, &err),
        PB_E_CONFLICT);
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "at_capacity", "2025-06-01", NULL, NULL, &err),
                     0);
    pb_err_clear(&err);
    assert_int_equal(
        pb_enterprise_event(&g.sys, id, "in_statistics", "2025-12-01", NULL, NULL, &err), 0);
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, id, "delisted", "2026-03-01", NULL, NULL, &err),
                     0);
    assert_string_equal(qtext("SELECT stage FROM enterprise WHERE id = ?", id), "delisted");
    assert_int_equal(qint("SELECT COUNT(*) FROM enterprise_event WHERE enterprise_id = ?", id), 6);
    /* each event is audited */
    {
        char idtxt[24];
        struct pb_stmt *st;
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
        assert_int_equal(pb_db_prepare(g.db,
                                       "SELECT COUNT(*) FROM audit WHERE action = 'stage' AND "
                                       "object_id = ?",
                                       &st),
                         0);
        pb_stmt_bind_text(st, 1, idtxt);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_int_equal(pb_stmt_col_int(st, 0), 6);
        pb_stmt_done(st);
    }
}

/* ---- the fixture: two parks in two regions ---- */

static void fixture(void)
{
    char json[512], uscc[19];
    if (g.park_a)
        return;
    g.park_a = must_create(&g.sys, &pb_res_parks,
                           "{\"name\":\"晋江智能装备园\",\"region_code\":\"350582\","
                           "\"leading_industry_code\":\"3421\"}");
    g.park_b =
        must_create(&g.sys, &pb_res_parks, "{\"name\":\"南安光电园\",\"region_code\":\"350583\"}");
    snprintf(json, sizeof json,
             "{\"park_id\":%lld,\"name\":\"1号厂房\",\"kind\":\"standard_factory\","
             "\"floor_m2\":\"7000\",\"completed_on\":\"2024-01-01\"}",
             (long long)g.park_a);
    g.bld_a = must_create(&g.sys, &pb_res_buildings, json);
    snprintf(json, sizeof json,
             "{\"park_id\":%lld,\"name\":\"宿舍\",\"kind\":\"supporting\",\"floor_m2\":\"3000\"}",
             (long long)g.park_a);
    must_create(&g.sys, &pb_res_buildings, json);
    snprintf(json, sizeof json,
             "{\"park_id\":%lld,\"name\":\"A栋\",\"kind\":\"standard_factory\","
             "\"completed_on\":\"2024-01-01\"}",
             (long long)g.park_b);
    g.bld_b = must_create(&g.sys, &pb_res_buildings, json);
    {
        static const struct {
            int b;
            const char *num, *area, *status, *extra;
        } units[] = {{0, "", "", "", ""},
                     {0, "101", "1000", "vacant", ",\"floor_load\":\"10\""},
                     {0, "102", "500", "vacant", ",\"for_sale\":true"},
                     {0, "103", "500", "vacant", ""},
                     {1, "101", "2000", "vacant", ""},
                     {1, "102", "1000", "vacant", ""}};
        for (int i = 1; i <= 5; i++) {
            snprintf(json, sizeof json,
                     "{\"building_id\":%lld,\"floor\":1,\"number\":\"%s\",\"area_m2\":\"%s\","
                     "\"status\":\"%s\"%s}",
                     (long long)(units[i].b ? g.bld_b : g.bld_a), units[i].num, units[i].area,
                     units[i].status, units[i].extra);
            g.u[i] = must_create(&g.sys, &pb_res_units, json);
        }
        /* an unavailable unit is not marketable */
        snprintf(json, sizeof json,
                 "{\"building_id\":%lld,\"floor\":2,\"number\":\"201\",\"area_m2\":\"300\","
                 "\"status\":\"unavailable\"}",
                 (long long)g.bld_a);
        must_create(&g.sys, &pb_res_units, json);
    }
    make_uscc(uscc, "350582", 11);
    snprintf(json, sizeof json,
             "{\"name\":\"赫步智能\",\"uscc\":\"%s\",\"region_code\":\"350582\","
             "\"contact_phone\":\"13812345678\",\"park_id\":%lld,\"chain\":\"智能装备\"}",
             uscc, (long long)g.park_a);
    g.ent1 = must_create(&g.sys, &pb_res_enterprises, json);
    make_uscc(uscc, "350582", 12);
    snprintf(json, sizeof json,
             "{\"name\":\"晋江买方\",\"uscc\":\"%s\",\"region_code\":\"350582\"}", uscc);
    g.ent2 = must_create(&g.sys, &pb_res_enterprises, json);
    make_uscc(uscc, "350583", 13);
    snprintf(json, sizeof json,
             "{\"name\":\"南安光电\",\"uscc\":\"%s\",\"region_code\":\"350583\"}", uscc);
    g.ent3 = must_create(&g.sys, &pb_res_enterprises, json);
}

static int64_t lease(struct pb_ctx *c, int64_t ent, const char *units, const char *kind,
                     const char *signed_on, const char *end_on, struct pb_err *err)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"enterprise_id\":%lld,\"unit_ids\":\"%s\",\"kind\":\"%s\",\"signed_on\":\"%s\""
             "%s%s%s,\"rent_fen\":\"18.50\"}",
             (long long)ent, units, kind, signed_on, end_on ? ",\"end_on\":\"" : "",
             end_on ? end_on : "", end_on ? "\"" : "");
    return create(c, &pb_res_leases, json, err);
}

static void test_leases(void **state)
{
    struct pb_err err;
    char ids[32];
    int64_t l1, l2, l4;
    (void)state;
    fixture();
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[1]);
    l1 = lease(&g.sys, g.ent1, ids, "lease", "2025-01-10", "2030-01-09", &err);
    assert_true(l1 > 0);
    assert_string_equal(qtext("SELECT status FROM unit WHERE id = ?", g.u[1]), "signed");
    /* overlap refused */
    assert_int_equal(lease(&g.sys, g.ent2, ids, "lease", "2026-01-01", "2027-01-01", &err),
                     PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "overlap");
    pb_err_clear(&err);
    assert_int_equal(pb_lease_move_in(&g.sys, l1, "2025-03-01", NULL, &err), 0);
    assert_string_equal(qtext("SELECT status FROM unit WHERE id = ?", g.u[1]), "occupied");
    /* a sale where the park sells; a unit not for sale cannot be sold */
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[3]);
    assert_int_equal(lease(&g.sys, g.ent2, ids, "sale", "2025-06-01", NULL, &err), PB_E_INVALID);
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[2]);
    l2 = lease(&g.sys, g.ent2, ids, "sale", "2025-06-01", NULL, &err);
    assert_true(l2 > 0);
    pb_err_clear(&err);
    assert_int_equal(pb_lease_move_in(&g.sys, l2, "2025-07-01", NULL, &err), 0);
    /* Nan'an: signed, moved in, ended → the unit is free and listed again */
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[4]);
    l4 = lease(&g.sys, g.ent3, ids, "lease", "2025-02-01", "2028-01-31", &err);
    assert_true(l4 > 0);
    assert_string_equal(qtext("SELECT status FROM space WHERE unit_id = ?", g.u[4]), "taken");
    pb_err_clear(&err);
    assert_int_equal(pb_lease_move_in(&g.sys, l4, "2025-04-01", NULL, &err), 0);
    pb_err_clear(&err);
    assert_int_equal(pb_lease_end(&g.sys, l4, "2025-03-01", NULL, &err), PB_E_INVALID);
    pb_err_clear(&err);
    assert_int_equal(pb_lease_end(&g.sys, l4, "2026-01-31", NULL, &err), 0);
    assert_string_equal(qtext("SELECT status FROM unit WHERE id = ?", g.u[4]), "vacant");
    assert_string_equal(qtext("SELECT status FROM space WHERE unit_id = ?", g.u[4]), "available");
    /* after the end a new lease of the unit is fine */
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[4]);
    /* scope: a Jinjiang user cannot lease a Nan'an unit (404, nothing written) */
    {
        struct pb_ctx jj;
        int64_t before = qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0);
        ctx_for(&jj, &jinjiang);
        assert_int_equal(lease(&jj, g.ent1, ids, "lease", "2026-02-01", "2027-01-31", &err),
                         PB_E_NOT_FOUND);
        assert_int_equal(qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0), before);
        assert_string_equal(qtext("SELECT status FROM unit WHERE id = ?", g.u[4]), "vacant");
    }
}

static void check_rates(const char *scope, const char *id, const char *date, int64_t mk, int64_t sg,
                        int64_t oc, int64_t abs_bp, int64_t occ_bp)
{
    struct pb_rates r;
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_rates_compute(&g.sys, scope, id, date, &r, &err))
        fail_msg("rates %s %s %s: %s", scope, id ? id : "", date, err.detail_en);
    if (r.marketable != mk * 100 || r.signed_ != sg * 100 || r.occupied != oc * 100 ||
        r.absorption_bp != abs_bp || r.occupancy_bp != occ_bp)
        fail_msg("rates %s %s %s: got %lld %lld %lld %lld %lld", scope, id ? id : "", date,
                 (long long)r.marketable, (long long)r.signed_, (long long)r.occupied,
                 (long long)r.absorption_bp, (long long)r.occupancy_bp);
}

static void test_rates(void **state)
{
    char pa[24], pb[24];
    (void)state;
    fixture();
    if (!qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0))
        test_leases(state);
    snprintf(pa, sizeof pa, "%lld", (long long)g.park_a);
    snprintf(pb, sizeof pb, "%lld", (long long)g.park_b);
    /* Today (2026-06-30): A 1500 of 2000 signed (lease u1 + sale u2) and occupied; B none. */
    check_rates("park", pa, "2026-06-30", 2000, 1500, 1500, 7500, 7500);
    check_rates("park", pb, "2026-06-30", 3000, 0, 0, 0, 0);
    check_rates("region", "350582", "2026-06-30", 2000, 1500, 1500, 7500, 7500);
    check_rates("city", NULL, "2026-06-30", 5000, 1500, 1500, 3000, 3000);
    /* The past (2025-05-01): A has u1 only; B's lease was live then: 2000 of 3000 = 66.67. */
    check_rates("park", pa, "2025-05-01", 2000, 1000, 1000, 5000, 5000);
    check_rates("park", pb, "2025-05-01", 3000, 2000, 2000, 6667, 6667);
    check_rates("region", "350583", "2025-05-01", 3000, 2000, 2000, 6667, 6667);
    check_rates("city", NULL, "2025-05-01", 5000, 3000, 3000, 6000, 6000);
    /* 2025-02-15: B signed but not yet moved in: absorption 66.67, occupancy 0; A u1 signed,
     * not moved in (moved in 2025-03-01). */
    check_rates("city", NULL, "2025-02-15", 5000, 3000, 0, 6000, 0);
    /* Before the buildings were completed nothing is marketable: rates are null (-1). */
    check_rates("park", pa, "2023-06-30", 0, 0, 0, -1, -1);
    /* A Jinjiang user cannot read Nan'an's or the city's rates. */
    {
        struct pb_ctx jj;
        struct pb_rates r;
        struct pb_err err;
        ctx_for(&jj, &jinjiang);
        pb_err_clear(&err);
        assert_int_equal(pb_rates_compute(&jj, "park", pb, "2026-06-30", &r, &err), PB_E_NOT_FOUND);
        pb_err_clear(&err);
        assert_int_equal(pb_rates_compute(&jj, "city", NULL, "2026-06-30", &r, &err),
                         PB_E_NOT_FOUND);
        pb_err_clear(&err);
        assert_int_equal(pb_rates_compute(&jj, "region", "350582", "2026-06-30", &r, &err), 0);
    }
}

static void test_matching(void **state)
{
    struct pb_buf out;
    struct pb_err err;
    int64_t s_good, s_weak, d;
    json_t *j, *items, *first, *second, *miss;
    json_error_t je;
    (void)state;
    fixture();
    s_good =
        must_create(&g.sys, &pb_res_spaces,
                    "{\"title\":\"洛江闲置厂房A\",\"region_code\":\"350504\","
                    "\"floor_m2\":\"1000\",\"floor_load\":\"10\",\"clear_height\":\"8\","
                    "\"rent_fen\":\"15\",\"source\":\"idle_factory\",\"status\":\"available\"}");
    s_weak =
        must_create(&g.sys, &pb_res_spaces,
                    "{\"title\":\"洛江闲置厂房B\",\"region_code\":\"350504\","
                    "\"floor_m2\":\"1000\",\"floor_load\":\"5\",\"clear_height\":\"8\","
                    "\"rent_fen\":\"12\",\"source\":\"idle_factory\",\"status\":\"available\"}");
    must_create(&g.sys, &pb_res_spaces,
                "{\"title\":\"已租出\",\"region_code\":\"350504\",\"floor_m2\":\"1000\","
                "\"floor_load\":\"20\",\"clear_height\":\"9\",\"source\":\"idle_factory\","
                "\"status\":\"taken\"}");
    d = must_create(&g.sys, &pb_res_demands,
                    "{\"title\":\"增资扩产\",\"region_code\":\"350504\",\"area_min_m2\":\"900\","
                    "\"area_max_m2\":\"1100\",\"min_floor_load\":\"8\",\"min_clear_height\":\"6\","
                    "\"preferred_regions\":\"350504\",\"status\":\"open\"}");
    pb_buf_init(&out, 0);
    pb_err_clear(&err);
    assert_int_equal(pb_match_demand(&g.sys, d, 2, &out, &err), 0);
    j = json_loads(pb_buf_cstr(&out), 0, &je);
    assert_non_null(j);
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 2);
    first = json_array_get(items, 0);
    second = json_array_get(items, 1);
    assert_int_equal(json_integer_value(json_object_get(first, "space_id")), s_good);
    assert_int_equal(json_array_size(json_object_get(first, "misses")), 0);
    assert_int_equal(json_integer_value(json_object_get(second, "space_id")), s_weak);
    miss = json_array_get(json_object_get(second, "misses"), 0);
    assert_string_equal(json_string_value(json_object_get(miss, "requirement")), "floor_load");
    assert_string_equal(json_string_value(json_object_get(miss, "wanted")), "8.00");
    assert_string_equal(json_string_value(json_object_get(miss, "offered")), "5.00");
    assert_string_equal(json_string_value(json_object_get(miss, "shortfall")), "3.00");
    json_decref(j);
    /* A write is seen by the next match (the index refreshes from updated_at). */
    {
        json_t *patch = json_pack("{s:s}", "status", "withdrawn");
        char tag[48];
        pb_res_etag(s_good, 1, tag, sizeof tag);
        pb_err_clear(&err);
        assert_int_equal(pb_res_patch(&g.sys, &pb_res_spaces, s_good, patch, tag, NULL, NULL, &err),
                         0);
        json_decref(patch);
        g.sys.now_ms += 1000;
        out.len = 0;
        assert_int_equal(pb_match_demand(&g.sys, d, 1, &out, &err), 0);
        j = json_loads(pb_buf_cstr(&out), 0, &je);
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(json_object_get(j, "items"), 0), "space_id")),
                         s_weak);
        json_decref(j);
    }
    pb_buf_release(&out);
}

/* ---- import ---- */

static char *to_gb18030(const char *utf8, size_t *outlen)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    size_t inl = strlen(utf8), outl = inl * 2 + 16;
    char *out = malloc(outl), *o = out, *in = (char *)utf8;
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &inl, &o, &outl) != (size_t)-1);
    iconv_close(cd);
    *outlen = (size_t)(o - out);
    return out;
}

static void test_import(void **state)
{
    struct pb_buf csv, rep;
    struct pb_import_result res;
    struct pb_import_opts o = {.source = "test.csv"};
    struct pb_err err;
    char uscc[19];
    char *gb;
    size_t gblen;
    int64_t before;
    (void)state;
    pb_buf_init(&csv, 0);
    pb_buf_init(&rep, 0);
    pb_buf_adds(&csv, "企业名称,统一社会信用代码,所在区域,所属产业链\r\n");
    for (int i = 0; i < 5; i++) {
        make_uscc(uscc, "350582", 100 + i);
        pb_buf_printf(&csv, "泉州超维医疗科技有限公司%d,%s,350582,医疗器械\r\n", i, uscc);
    }
    gb = to_gb18030(pb_buf_cstr(&csv), &gblen);
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", gb, gblen, &o, &rep, &res, &err), 0);
    free(gb);
    assert_string_equal(res.encoding, "GB18030");
    assert_int_equal(res.inserted, 5);
    make_uscc(uscc, "350582", 102);
    {
        struct pb_stmt *st;
        assert_int_equal(
            pb_db_prepare(g.db, "SELECT name, chain FROM enterprise WHERE uscc = ?", &st), 0);
        pb_stmt_bind_text(st, 1, uscc);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_string_equal(pb_stmt_col_text(st, 0), "泉州超维医疗科技有限公司2");
        assert_string_equal(pb_stmt_col_text(st, 1), "医疗器械");
        pb_stmt_done(st);
    }
    /* Re-import upserts: same codes, new names → 5 updated, none inserted. */
    csv.len = 0;
    rep.len = 0;
    pb_buf_adds(&csv, "name,uscc,region_code\n");
    for (int i = 0; i < 5; i++) {
        make_uscc(uscc, "350582", 100 + i);
        pb_buf_printf(&csv, "超维二期%d,%s,350582\n", i, uscc);
    }
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", csv.data, csv.len, &o, &rep, &res, &err),
                     0);
    assert_int_equal(res.inserted, 0);
    assert_int_equal(res.updated, 5);
    make_uscc(uscc, "350582", 104);
    {
        struct pb_stmt *st;
        assert_int_equal(
            pb_db_prepare(g.db, "SELECT name, chain FROM enterprise WHERE uscc = ?", &st), 0);
        pb_stmt_bind_text(st, 1, uscc);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_string_equal(pb_stmt_col_text(st, 0), "超维二期4");
        assert_string_equal(pb_stmt_col_text(st, 1), "医疗器械"); /* not in the file: kept */
        pb_stmt_done(st);
    }
    /* Three bad rows (2: bad check character, 4: unknown region, 6: no name): exactly those
     * are reported, and nothing is written. */
    before = qint("SELECT COUNT(*) FROM enterprise WHERE id > ?", 0);
    csv.len = 0;
    rep.len = 0;
    pb_buf_adds(&csv, "name,uscc,region_code\n");
    for (int i = 0; i < 6; i++) {
        make_uscc(uscc, "350583", 200 + i);
        if (i == 0)
            uscc[17] = uscc[17] == '0' ? '1' : '0';
        pb_buf_printf(&csv, "%s,%s,%s\n", i == 4 ? "" : "南安新企", uscc,
                      i == 2 ? "350599" : "350583");
    }
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", csv.data, csv.len, &o, &rep, &res, &err),
                     PB_E_INVALID);
    assert_int_equal(res.rejected, 3);
    assert_int_equal(qint("SELECT COUNT(*) FROM enterprise WHERE id > ?", 0), before);
    {
        json_error_t je;
        json_t *r = json_loads(pb_buf_cstr(&rep), 0, &je);
        static const int rows[] = {2, 4, 6};
        static const char *const fields[] = {"uscc", "region_code", "name"};
        assert_non_null(r);
        assert_int_equal(json_array_size(r), 3);
        for (int i = 0; i < 3; i++) {
            json_t *x = json_array_get(r, (size_t)i);
            assert_int_equal(json_integer_value(json_object_get(x, "row")), rows[i]);
            assert_string_equal(json_string_value(json_object_get(x, "field")), fields[i]);
        }
        json_decref(r);
    }
    /* valid_only writes the other three */
    o.valid_only = 1;
    rep.len = 0;
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", csv.data, csv.len, &o, &rep, &res, &err),
                     0);
    assert_int_equal(res.inserted, 3);
    assert_int_equal(res.rejected, 3);
    /* A Jinjiang user cannot import a Nan'an row. */
    {
        struct pb_ctx jj;
        ctx_for(&jj, &jinjiang);
        o.valid_only = 0;
        csv.len = 0;
        rep.len = 0;
        make_uscc(uscc, "350583", 300);
        pb_buf_printf(&csv, "name,uscc,region_code\n南安企业,%s,350583\n", uscc);
        before = qint("SELECT COUNT(*) FROM enterprise WHERE id > ?", 0);
        pb_err_clear(&err);
        assert_int_equal(pb_import_csv(&jj, "enterprises", csv.data, csv.len, &o, &rep, &res, &err),
                         PB_E_INVALID);
        assert_int_equal(qint("SELECT COUNT(*) FROM enterprise WHERE id > ?", 0), before);
    }
    pb_buf_release(&csv);
    pb_buf_release(&rep);
}

/* XLSX goes through the CSV path: the first sheet's rows, dates as YYYY-MM-DD, a rejected
 * row reported with its sheet row as the line (an empty sheet row in between). */
static void test_import_xlsx(void **state)
{
    char path[] = "/tmp/pb_import_xlsx_XXXXXX", uscc[19];
    int fd = mkstemp(path);
    lxw_workbook *wb;
    lxw_worksheet *ws;
    struct pb_buf rep;
    struct pb_import_result res;
    struct pb_import_opts o = {.source = "e.xlsx"};
    struct pb_err err;
    char *data;
    long len;
    FILE *f;
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    wb = workbook_new(path);
    ws = workbook_add_worksheet(wb, NULL);
    worksheet_write_string(ws, 0, 0, "企业名称", NULL);
    worksheet_write_string(ws, 0, 1, "统一社会信用代码", NULL);
    worksheet_write_string(ws, 0, 2, "所在区域", NULL);
    make_uscc(uscc, "350582", 700);
    worksheet_write_string(ws, 1, 0, "表格导入企业甲", NULL);
    worksheet_write_string(ws, 1, 1, uscc, NULL);
    worksheet_write_number(ws, 1, 2, 350582, NULL); /* a region typed as a number */
    make_uscc(uscc, "350582", 701);
    uscc[17] = uscc[17] == '0' ? '1' : '0';
    worksheet_write_string(ws, 3, 0, "表格导入企业乙", NULL);
    worksheet_write_string(ws, 3, 1, uscc, NULL);
    worksheet_write_string(ws, 3, 2, "350582", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)len);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    unlink(path);
    pb_buf_init(&rep, 0);
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", data, (size_t)len, &o, &rep, &res, &err),
                     PB_E_INVALID);
    assert_string_equal(res.encoding, "xlsx");
    assert_int_equal(res.rejected, 1);
    {
        json_error_t je;
        json_t *r = json_loads(pb_buf_cstr(&rep), 0, &je), *x;
        assert_non_null(r);
        assert_int_equal(json_array_size(r), 1);
        x = json_array_get(r, 0);
        assert_int_equal(json_integer_value(json_object_get(x, "row")), 3);
        assert_int_equal(json_integer_value(json_object_get(x, "line")), 4);
        assert_string_equal(json_string_value(json_object_get(x, "field")), "uscc");
        json_decref(r);
    }
    o.valid_only = 1;
    rep.len = 0;
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", data, (size_t)len, &o, &rep, &res, &err),
                     0);
    assert_int_equal(res.inserted, 1);
    make_uscc(uscc, "350582", 700);
    {
        struct pb_stmt *st;
        assert_int_equal(
            pb_db_prepare(g.db, "SELECT name, region_code FROM enterprise WHERE uscc = ?", &st), 0);
        pb_stmt_bind_text(st, 1, uscc);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_string_equal(pb_stmt_col_text(st, 0), "表格导入企业甲");
        assert_string_equal(pb_stmt_col_text(st, 1), "350582");
        pb_stmt_done(st);
    }
    /* a damaged (truncated) workbook is refused on `file` */
    rep.len = 0;
    pb_err_clear(&err);
    assert_int_equal(pb_import_csv(&g.sys, "enterprises", data, (size_t)len - 10, &o, &rep, &res, &err),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "file");
    assert_string_equal(err.fields[0].code, "invalid_xlsx");
    free(data);
    pb_buf_release(&rep);
}

static void test_masking(void **state)
{
    struct pb_buf out;
    struct pb_err err;
    (void)state;
    fixture();
    pb_buf_init(&out, 0);
    pb_err_clear(&err);
    assert_int_equal(pb_res_get(&g.sys, &pb_res_enterprises, g.ent1, 0, &out, NULL, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "138****5678"));
    assert_null(strstr(pb_buf_cstr(&out), "13812345678"));
    out.len = 0;
    assert_int_equal(pb_enterprise_unmask(&g.sys, g.ent1, "回访企业", &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "13812345678"));
    pb_buf_release(&out);
}

/* ---- staff steps on a demand's matches: shortlist, visit, lease ---- */

static json_t *jbody(const char *json)
{
    json_error_t je;
    json_t *b = json_loads(json, 0, &je);
    if (!b)
        fail_msg("bad test JSON %s: %s", json, je.text);
    return b;
}

static int step(struct pb_ctx *c, const char *kind, int64_t demand, const char *json,
                struct pb_err *err)
{
    json_t *b = jbody(json);
    struct pb_buf out;
    int rc;
    pb_buf_init(&out, 0);
    pb_err_clear(err);
    if (!strcmp(kind, "shortlist"))
        rc = pb_demand_shortlist(c, demand, b, &out, err);
    else if (!strcmp(kind, "visit"))
        rc = pb_demand_visit(c, demand, b, &out, err);
    else
        rc = pb_demand_lease(c, demand, b, &out, NULL, NULL, err);
    json_decref(b);
    pb_buf_release(&out);
    return rc;
}

static void test_demand_steps(void **state)
{
    struct pb_err err;
    struct pb_ctx jj;
    char json[256], idtxt[24];
    int64_t d, d_nan, space_a, space_b, before;
    (void)state;
    fixture();
    ctx_for(&jj, &jinjiang);
    space_a = qint("SELECT id FROM space WHERE unit_id = ?", g.u[3]); /* 晋江, vacant */
    space_b = qint("SELECT id FROM space WHERE unit_id = ?", g.u[5]); /* 南安, vacant */
    assert_true(space_a > 0 && space_b > 0);
    snprintf(json, sizeof json,
             "{\"title\":\"扩产用房\",\"region_code\":\"350582\",\"enterprise_id\":%lld,"
             "\"area_min_m2\":\"400\",\"status\":\"open\"}",
             (long long)g.ent2);
    d = must_create(&g.sys, &pb_res_demands, json);
    d_nan =
        must_create(&g.sys, &pb_res_demands,
                    "{\"title\":\"南安需求\",\"region_code\":\"350583\",\"area_min_m2\":\"400\","
                    "\"status\":\"open\"}");
    /* shortlist: once per space; the demand becomes shortlisted */
    snprintf(json, sizeof json, "{\"space_id\":%lld,\"note\":\"荷载合适\"}", (long long)space_a);
    assert_int_equal(step(&jj, "shortlist", d, json, &err), 0);
    assert_string_equal(qtext("SELECT status FROM demand WHERE id = ?", d), "shortlisted");
    assert_int_equal(step(&jj, "shortlist", d, json, &err), PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "already_shortlisted");
    /* scope: a 晋江 user cannot act on a 南安 demand, nor shortlist a 南安 space */
    assert_int_equal(step(&jj, "shortlist", d_nan, json, &err), PB_E_NOT_FOUND);
    snprintf(json, sizeof json, "{\"space_id\":%lld}", (long long)space_b);
    assert_int_equal(step(&jj, "shortlist", d, json, &err), PB_E_NOT_FOUND);
    assert_string_equal(err.fields[0].field, "space_id");
    /* a visit needs a real date */
    snprintf(json, sizeof json, "{\"space_id\":%lld,\"date\":\"2026-11-31\"}", (long long)space_a);
    assert_int_equal(step(&jj, "visit", d, json, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "date");
    snprintf(json, sizeof json, "{\"space_id\":%lld,\"date\":\"2026-11-25\",\"note\":\"上午十点\"}",
             (long long)space_a);
    assert_int_equal(step(&jj, "visit", d, json, &err), 0);
    assert_string_equal(qtext("SELECT status FROM demand WHERE id = ?", d), "visiting");
    /* the lease goes through the leases' own path: a 南安 unit is refused, nothing written */
    before = qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0);
    snprintf(json, sizeof json,
             "{\"unit_ids\":\"%lld\",\"signed_on\":\"2026-11-01\",\"end_on\":\"2029-10-31\"}",
             (long long)g.u[5]);
    assert_int_equal(step(&jj, "lease", d, json, &err), PB_E_NOT_FOUND);
    assert_int_equal(qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0), before);
    assert_int_equal(qint("SELECT COUNT(*) FROM demand_step WHERE demand_id = ?", d), 2);
    snprintf(json, sizeof json,
             "{\"space_id\":%lld,\"signed_on\":\"2026-11-01\",\"end_on\":\"2029-10-31\","
             "\"rent_fen\":\"16.00\",\"note\":\"签约\"}",
             (long long)space_a);
    assert_int_equal(step(&jj, "lease", d, json, &err), 0);
    assert_int_equal(qint("SELECT COUNT(*) FROM lease WHERE id > ?", 0), before + 1);
    assert_string_equal(qtext("SELECT status FROM unit WHERE id = ?", g.u[3]), "signed");
    assert_string_equal(qtext("SELECT status FROM space WHERE unit_id = ?", g.u[3]), "taken");
    assert_string_equal(qtext("SELECT status FROM demand WHERE id = ?", d), "leased");
    assert_int_equal(
        qint("SELECT enterprise_id FROM lease WHERE id = (SELECT MAX(lease_id) FROM demand_step "
             "WHERE demand_id = ?)",
             d),
        g.ent2);
    /* a leased demand takes no more steps */
    snprintf(json, sizeof json, "{\"space_id\":%lld}", (long long)space_a);
    assert_int_equal(step(&jj, "shortlist", d, json, &err), PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "demand_closed");
    /* every step is audited on the demand */
    {
        struct pb_stmt *st;
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)d);
        assert_int_equal(
            pb_db_prepare(g.db,
                          "SELECT COUNT(*) FROM audit WHERE resource = 'demands' AND "
                          "action IN ('shortlist', 'visit', 'lease') AND object_id = ?",
                          &st),
            0);
        pb_stmt_bind_text(st, 1, idtxt);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_int_equal(pb_stmt_col_int(st, 0), 3);
        pb_stmt_done(st);
    }
}

/* ---- moving in is the enterprise's 入驻 when it is still at 签约 ---- */

static void test_move_in_event(void **state)
{
    struct pb_err err;
    char uscc[19], json[256], ids[24];
    int64_t ent, l, l2;
    (void)state;
    fixture();
    make_uscc(uscc, "350583", 14);
    snprintf(json, sizeof json,
             "{\"name\":\"南安新签\",\"uscc\":\"%s\",\"region_code\":\"350583\"}", uscc);
    ent = must_create(&g.sys, &pb_res_enterprises, json);
    pb_err_clear(&err);
    assert_int_equal(pb_enterprise_event(&g.sys, ent, "signed", "2026-02-01", NULL, NULL, &err), 0);
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[4]); /* free again since 2026-01-31 */
    l = lease(&g.sys, ent, ids, "lease", "2026-02-01", "2027-01-31", &err);
    assert_true(l > 0);
    pb_err_clear(&err);
    assert_int_equal(pb_lease_move_in(&g.sys, l, "2026-03-01", NULL, &err), 0);
    assert_string_equal(qtext("SELECT stage FROM enterprise WHERE id = ?", ent), "moved_in");
    assert_string_equal(qtext("SELECT stage_on FROM enterprise WHERE id = ?", ent), "2026-03-01");
    assert_int_equal(qint("SELECT COUNT(*) FROM enterprise_event WHERE enterprise_id = ?", ent), 2);
    {
        char idtxt[24];
        struct pb_stmt *st;
        snprintf(idtxt, sizeof idtxt, "%lld", (long long)ent);
        assert_int_equal(pb_db_prepare(g.db,
                                       "SELECT COUNT(*) FROM audit WHERE action = 'stage' AND "
                                       "resource = 'enterprises' AND object_id = ?",
                                       &st),
                         0);
        pb_stmt_bind_text(st, 1, idtxt);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_int_equal(pb_stmt_col_int(st, 0), 2);
        pb_stmt_done(st);
    }
    /* A firm not at 签约 (here: never signed in the register) is left to the staff. */
    snprintf(ids, sizeof ids, "%lld", (long long)g.u[5]);
    l2 = lease(&g.sys, g.ent3, ids, "lease", "2026-02-01", "2027-01-31", &err);
    assert_true(l2 > 0);
    pb_err_clear(&err);
    assert_int_equal(pb_lease_move_in(&g.sys, l2, "2026-03-01", NULL, &err), 0);
    assert_int_equal(qint("SELECT COUNT(*) FROM enterprise_event WHERE enterprise_id = ?", g.ent3),
                     0);
    assert_int_equal(qint("SELECT COUNT(*) FROM enterprise WHERE id = ? AND stage IS NULL", g.ent3),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uscc_examples),   cmocka_unit_test(test_uscc_property),
        cmocka_unit_test(test_lifecycle_table), cmocka_unit_test(test_lifecycle_events),
        cmocka_unit_test(test_leases),          cmocka_unit_test(test_rates),
        cmocka_unit_test(test_matching),        cmocka_unit_test(test_import),
        cmocka_unit_test(test_import_xlsx),
        cmocka_unit_test(test_masking),         cmocka_unit_test(test_demand_steps),
        cmocka_unit_test(test_move_in_event),
    };
    return cmocka_run_group_tests_name("space", tests, setup, teardown);
}
