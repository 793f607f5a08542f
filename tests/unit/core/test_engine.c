/* test_engine.c: the generic resource engine (src/resource/) through the park resource:
 * create/get/patch/archive with validation, list filters, sort and cursor paging, the
 * jurisdiction (region, park and role scope), the audit record of every write, and CSV/XLSX
 * export. Runs on PB_TEST_DB_URL (SQLite or PostgreSQL), else a temporary SQLite file. Every
 * test makes its own parks, with names no other test uses, and filters by them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "modules/parks/park.h"
#include "core/util/b64.h"
#include "core/util/csv.h"
#include "core/util/qs.h"

static struct pb_principal P_city, P_r582, P_r583, P_viewer, P_auditor;

/* ---- helpers ---- */

static int setup(void **state)
{
    (void)state;
    if (tu_setup("engine"))
        return -1;
    tu_principal(&P_city, PB_ROLE_CITY, "city_u", 101);
    P_city.all_regions = 1;
    tu_principal(&P_r582, PB_ROLE_REGION, "jinjiang_u", 102);
    tu_principal_add_region(&P_r582, "350582");
    tu_principal(&P_r583, PB_ROLE_REGION, "nanan_u", 103);
    tu_principal_add_region(&P_r583, "350583");
    tu_principal(&P_viewer, PB_ROLE_VIEWER, "viewer_u", 105);
    P_viewer.all_regions = 1;
    tu_principal(&P_auditor, PB_ROLE_AUDITOR, "auditor_u", 106);
    P_auditor.all_regions = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown();
}

/* One request's worth of context. */
struct req {
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    struct pb_buf out;
};

static void req_begin(struct req *r, const struct pb_principal *who)
{
    pb_arena_init(&r->a);
    tu_ctx(&r->c, tu.db, &r->a, who);
    pb_err_clear(&r->e);
    pb_buf_init(&r->out, 0);
}

static void req_end(struct req *r)
{
    pb_buf_release(&r->out);
    pb_arena_release(&r->a);
}

/* A fresh request for the same principal (clears error, output and denial). */
static void req_reset(struct req *r)
{
    const struct pb_principal *who = r->c.who;
    req_end(r);
    req_begin(r, who);
}

static int create_text(struct req *r, const char *text, int64_t *id)
{
    json_t *b = tu_json(text);
    int rc;
    pb_err_clear(&r->e);
    r->out.len = 0;
    rc = pb_res_create(&r->c, &pb_res_parks, b, &r->out, id, NULL, &r->e);
    json_decref(b);
    return rc;
}

static int create_json(struct req *r, json_t *b, int64_t *id)
{
    int rc;
    pb_err_clear(&r->e);
    r->out.len = 0;
    rc = pb_res_create(&r->c, &pb_res_parks, b, &r->out, id, NULL, &r->e);
    json_decref(b);
    return rc;
}

static int64_t audit_n(const char *action, int64_t id)
{
    char t[24];
    snprintf(t, sizeof t, "%lld", (long long)id);
    return tu_qint(tu.db, "SELECT COUNT(*) FROM audit WHERE resource = 'parks' AND action = ? AND object_id = ?",
                   action, t, NULL);
}

/* Create as the city office; the test fails unless it works. */
static int64_t mk(const char *text)
{
    struct req r;
    int64_t id = 0;
    req_begin(&r, &P_city);
    TU_OK(create_text(&r, text, &id), &r.e);
    assert_true(id > 0);
    req_end(&r);
    /* every create leaves exactly one audit record */
    assert_int_equal(audit_n("create", id), 1);
    return id;
}

static int patch_text(struct req *r, int64_t id, const char *text, const char *if_match, int64_t *version)
{
    json_t *b = tu_json(text);
    int rc;
    pb_err_clear(&r->e);
    r->out.len = 0;
    rc = pb_res_patch(&r->c, &pb_res_parks, id, b, if_match, &r->out, version, &r->e);
    json_decref(b);
    return rc;
}

/* GET as JSON (NULL when not found; rc in *rc). */
static json_t *get_park(struct req *r, int64_t id, int include_archived, int64_t *version, int *rcp)
{
    int rc;
    pb_err_clear(&r->e);
    r->out.len = 0;
    rc = pb_res_get(&r->c, &pb_res_parks, id, include_archived, &r->out, version, &r->e);
    if (rcp)
        *rcp = rc;
    return rc ? NULL : tu_json(pb_buf_cstr(&r->out));
}

static json_t *get_ok(int64_t id, int include_archived, int64_t *version)
{
    struct req r;
    int rc;
    json_t *j;
    req_begin(&r, &P_city);
    j = get_park(&r, id, include_archived, version, &rc);
    if (!j) {
        tu_dump_err(&r.e);
        fail_msg("get %lld: rc %d", (long long)id, rc);
    }
    req_end(&r);
    return j;
}

static void append(char *dst, size_t n, const char *s)
{
    size_t l = strlen(dst);
    pb_strlcpy(dst + l, s, n - l);
}

static void etag(int64_t id, int64_t version, char *buf)
{
    pb_res_etag(id, version, buf, 48);
}


static int64_t audit_total(void)
{
    return tu_qint(tu.db, "SELECT COUNT(*) FROM audit", NULL);
}

/* The `changes` of the newest audit record (action, park id), parsed. */
static json_t *audit_changes(const char *action, int64_t id)
{
    char t[24], buf[8192];
    snprintf(t, sizeof t, "%lld", (long long)id);
    tu_qtext(tu.db, buf, sizeof buf,
             "SELECT changes FROM audit WHERE resource = 'parks' AND action = ? AND object_id = ? "
             "ORDER BY id DESC LIMIT 1", action, t, NULL);
    return tu_json(buf);
}

/* Check the one audit record of a write: chain/region, who, result. */
static void audit_check_one(const char *action, int64_t id, const char *region, const char *username,
                            const char *role)
{
    char t[24];
    snprintf(t, sizeof t, "%lld", (long long)id);
    assert_int_equal(audit_n(action, id), 1);
    assert_int_equal(tu_qint(tu.db,
                             "SELECT COUNT(*) FROM audit WHERE resource = 'parks' AND action = ? AND "
                             "object_id = ? AND region_code = ? AND chain = ? AND username = ? AND "
                             "role = ? AND result = 'ok' AND request_id = 'unit-test'",
                             action, t, region, region, username, role, NULL),
                     1);
}

static int64_t park_rows_named(const char *name)
{
    return tu_qint(tu.db, "SELECT COUNT(*) FROM park WHERE name = ?", name, NULL);
}

/* Parse a query string into a list request (strings live in r->a). */
static int parse_qs(struct req *r, const char *qs, struct pb_list_req *lr)
{
    static const char *const extra[] = {"format", NULL};
    struct pb_qs_pair *p;
    struct pb_kv *kv;
    size_t n;
    int rc = pb_qs_parse(&r->a, qs, strlen(qs), &p, &n);
    if (rc)
        fail_msg("pb_qs_parse(%s) rc %d", qs, rc);
    kv = pb_arena_alloc(&r->a, sizeof *kv * (n + 1));
    for (size_t i = 0; i < n; i++) {
        kv[i].key = p[i].key;
        kv[i].value = p[i].val;
    }
    pb_err_clear(&r->e);
    return pb_list_parse(&pb_res_parks, kv, n, extra, lr, &r->e);
}

#define MAXIDS 64
struct page {
    int64_t ids[MAXIDS];
    int n;
    int64_t total;
    char cursor[4096];
    char regions[MAXIDS][16];
};

/* List with a query string; rc of parse or list. */
static int list_qs(struct req *r, const char *qs, struct page *pg)
{
    struct pb_list_req lr;
    json_t *j, *items, *it;
    size_t i;
    int rc;
    memset(pg, 0, sizeof *pg);
    if ((rc = parse_qs(r, qs, &lr)))
        return rc;
    r->out.len = 0;
    if ((rc = pb_res_list(&r->c, &pb_res_parks, &lr, &r->out, &r->e)))
        return rc;
    j = tu_json(pb_buf_cstr(&r->out));
    items = json_object_get(j, "items");
    assert_true(json_is_array(items));
    json_array_foreach(items, i, it) {
        assert_true(pg->n < MAXIDS);
        pg->ids[pg->n] = json_integer_value(json_object_get(it, "id"));
        pb_strlcpy(pg->regions[pg->n], tu_jstr(it, "region_code") ? tu_jstr(it, "region_code") : "",
                   sizeof pg->regions[0]);
        pg->n++;
    }
    assert_true(json_is_integer(json_object_get(j, "total")));
    pg->total = json_integer_value(json_object_get(j, "total"));
    if (json_is_string(json_object_get(j, "next_cursor")))
        pb_strlcpy(pg->cursor, tu_jstr(j, "next_cursor"), sizeof pg->cursor);
    else
        assert_true(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    return 0;
}

/* List as `who`; the test fails unless it works. */
static void list_ok(const struct pb_principal *who, const char *qs, struct page *pg)
{
    struct req r;
    req_begin(&r, who);
    TU_OK(list_qs(&r, qs, pg), &r.e);
    req_end(&r);
}

/* Assert the page holds exactly these ids, in this order. */
static void expect_ids(const struct page *pg, const int64_t *want, int n)
{
    int ok = pg->n == n;
    for (int i = 0; ok && i < n; i++)
        ok = pg->ids[i] == want[i];
    if (!ok) {
        fprintf(stderr, "    got:");
        for (int i = 0; i < pg->n; i++)
            fprintf(stderr, " %lld", (long long)pg->ids[i]);
        fprintf(stderr, "\n    expected:");
        for (int i = 0; i < n; i++)
            fprintf(stderr, " %lld", (long long)want[i]);
        fprintf(stderr, "\n");
        fail_msg("list ids differ");
    }
}

/* Same, in any order. */
static void expect_id_set(const struct page *pg, const int64_t *want, int n)
{
    int64_t a[MAXIDS], b[MAXIDS];
    assert_int_equal(pg->n, n);
    memcpy(a, pg->ids, sizeof(int64_t) * (size_t)n);
    memcpy(b, want, sizeof(int64_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++) {
            if (a[k] < a[i]) {
                int64_t t = a[i];
                a[i] = a[k];
                a[k] = t;
            }
            if (b[k] < b[i]) {
                int64_t t = b[i];
                b[i] = b[k];
                b[k] = t;
            }
        }
    for (int i = 0; i < n; i++)
        if (a[i] != b[i])
            fail_msg("list id sets differ at %d: %lld vs %lld", i, (long long)a[i], (long long)b[i]);
}

/* Walk every page with `limit`, collecting ids. */
static int walk(const struct pb_principal *who, const char *qs, int limit, int64_t *ids, int64_t *total)
{
    char q[8192];
    struct page pg;
    int n = 0, pages = 0;
    char cursor[4096] = "";
    for (;;) {
        if (cursor[0])
            snprintf(q, sizeof q, "%s&limit=%d&cursor=%s", qs, limit, cursor);
        else
            snprintf(q, sizeof q, "%s&limit=%d", qs, limit);
        list_ok(who, q, &pg);
        assert_true(pg.n <= limit);
        if (pg.cursor[0])
            assert_int_equal(pg.n, limit);
        for (int i = 0; i < pg.n; i++) {
            assert_true(n < MAXIDS);
            ids[n++] = pg.ids[i];
        }
        if (total)
            *total = pg.total;
        if (!pg.cursor[0])
            break;
        pb_strlcpy(cursor, pg.cursor, sizeof cursor);
        assert_true(++pages < 50);
    }
    return n;
}

/* ---- create and read back ---- */

static void test_create_read_back(void **state)
{
    struct req r;
    json_t *j, *g, *ch;
    int64_t id = 0, version = 0;
    int64_t before = audit_total();
    char tag[48];
    (void)state;
    req_begin(&r, &P_city);
    TU_OK(create_text(&r,
                      "{\"name\":\"晋江回读园\",\"region_code\":\"350582\",\"kind\":\"new_build\","
                      "\"leading_industry_code\":\"1713\",\"industry_label\":\"纺织服装\","
                      "\"land_m2\":\"66666.67\",\"planned_floor_m2\":\"120000.00\","
                      "\"built_floor_m2\":\"80000.5\",\"production_floor_m2\":7000,"
                      "\"living_floor_m2\":\"3000\",\"operator_name\":\"晋江运营公司\","
                      "\"address\":\"晋江市世纪大道1号\",\"lng\":\"118.552\",\"lat\":\"24.781000\","
                      "\"status\":\"operating\",\"opened_on\":\"2019-06-30\","
                      "\"policy_guide\":\"一园一策：鼓励\\n纺织\",\"pilot\":true,\"description\":\"测试\"}",
                      &id),
          &r.e);
    assert_true(id > 0);
    j = tu_json(pb_buf_cstr(&r.out));
    g = get_ok(id, 0, &version);
    /* the create answer is the stored record */
    assert_true(json_equal(j, g));
    assert_int_equal(version, 1);
    assert_int_equal(json_integer_value(json_object_get(g, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(g, "version")), 1);
    TU_JSTR_EQ(g, "name", "晋江回读园");
    TU_JSTR_EQ(g, "region_code", "350582");
    TU_JSTR_EQ(g, "kind", "new_build");
    TU_JSTR_EQ(g, "leading_industry_code", "1713");
    TU_JSTR_EQ(g, "industry_label", "纺织服装");
    TU_JSTR_EQ(g, "land_m2", "66666.67");
    TU_JSTR_EQ(g, "land_mu", "100.00");
    TU_JSTR_EQ(g, "planned_floor_m2", "120000.00");
    TU_JSTR_EQ(g, "built_floor_m2", "80000.50");
    TU_JSTR_EQ(g, "production_floor_m2", "7000.00");
    TU_JSTR_EQ(g, "living_floor_m2", "3000.00");
    TU_JSTR_EQ(g, "production_share", "70.00");
    TU_JSTR_EQ(g, "operator_name", "晋江运营公司");
    TU_JSTR_EQ(g, "address", "晋江市世纪大道1号");
    TU_JSTR_EQ(g, "lng", "118.552000");
    TU_JSTR_EQ(g, "lat", "24.781000");
    TU_JSTR_EQ(g, "status", "operating");
    TU_JSTR_EQ(g, "opened_on", "2019-06-30");
    TU_JSTR_EQ(g, "policy_guide", "一园一策：鼓励\n纺织");
    TU_JSTR_EQ(g, "description", "测试");
    assert_true(json_is_true(json_object_get(g, "pilot")));
    assert_true(json_is_null(json_object_get(g, "archived_at")));
    assert_non_null(tu_jstr(g, "created_at"));
    assert_int_equal(strlen(tu_jstr(g, "created_at")), 24); /* 2026-11-22T02:13:46.123Z */
    assert_int_equal(tu_jstr(g, "created_at")[23], 'Z');
    assert_string_equal(tu_jstr(g, "created_at"), tu_jstr(g, "updated_at"));
    /* stored forms: hundredths of m², micro-degrees, the creator */
    {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)id);
        assert_int_equal(tu_qint(tu.db, "SELECT land_m2 FROM park WHERE id = ?", t, NULL), 6666667);
        assert_int_equal(tu_qint(tu.db, "SELECT lng FROM park WHERE id = ?", t, NULL), 118552000);
        assert_int_equal(tu_qint(tu.db, "SELECT created_by FROM park WHERE id = ?", t, NULL), 101);
    }
    etag(id, 1, tag);
    {
        char want[48];
        snprintf(want, sizeof want, "\"%lld-1\"", (long long)id);
        assert_string_equal(tag, want);
    }
    /* exactly one audit record, in the park's region chain, with the values set */
    assert_int_equal(audit_total(), before + 1);
    audit_check_one("create", id, "350582", "city_u", "city");
    ch = audit_changes("create", id);
    TU_JSTR_EQ(ch, "name", "晋江回读园");
    TU_JSTR_EQ(ch, "land_m2", "66666.67");
    TU_JSTR_EQ(ch, "kind", "new_build");
    assert_true(json_is_true(json_object_get(ch, "pilot")));
    assert_null(json_object_get(ch, "id"));
    json_decref(ch);
    json_decref(j);
    json_decref(g);
    req_end(&r);
}

static void test_create_computed(void **state)
{
    json_t *g;
    int64_t id;
    (void)state;
    /* JSON numbers: a real with an exact 2-decimal value, an integer */
    id = mk("{\"name\":\"计算CP-实数\",\"region_code\":\"350583\",\"land_m2\":12.5,\"planned_floor_m2\":100,"
            "\"production_floor_m2\":\"0\",\"living_floor_m2\":\"0\"}");
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "land_m2", "12.50");
    TU_JSTR_EQ(g, "planned_floor_m2", "100.00");
    TU_JSTR_EQ(g, "land_mu", "0.02"); /* 1250 * 3 / 2000 = 1.875 → 2 hundredths */
    /* 0 / (0 + 0): no share */
    assert_true(json_is_null(json_object_get(g, "production_share")));
    assert_true(json_is_false(json_object_get(g, "pilot"))); /* BOOL defaults to false */
    assert_true(json_is_null(json_object_get(g, "kind")));
    json_decref(g);

    id = mk("{\"name\":\"计算CP-一亩\",\"region_code\":\"350583\",\"land_m2\":\"666.67\","
            "\"production_floor_m2\":\"1\",\"living_floor_m2\":\"2\"}");
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "land_mu", "1.00");
    TU_JSTR_EQ(g, "production_share", "33.33");
    json_decref(g);

    /* a leap day is a real date */
    id = mk("{\"name\":\"计算CP-闰日\",\"region_code\":\"QZ-KFQ\",\"opened_on\":\"2024-02-29\"}");
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "opened_on", "2024-02-29");
    TU_JSTR_EQ(g, "region_code", "QZ-KFQ");
    assert_true(json_is_null(json_object_get(g, "land_m2")));
    assert_true(json_is_null(json_object_get(g, "land_mu")));
    json_decref(g);
}

/* A create that must fail with rc and a field error (field, code) and write nothing. */
static void refuse(const char *body, int rc, const char *field, const char *code)
{
    struct req r;
    int64_t parks = tu_qint(tu.db, "SELECT COUNT(*) FROM park", NULL);
    int64_t audits = audit_total();
    int64_t id = -7;
    req_begin(&r, &P_city);
    TU_EXPECT(create_text(&r, body, &id), rc, &r.e, field, code);
    assert_int_equal(r.e.rc, rc);
    assert_int_equal(r.out.len, 0);
    assert_int_equal(id, -7);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM park", NULL), parks);
    assert_int_equal(audit_total(), audits);
    req_end(&r);
}

static void test_create_validation(void **state)
{
    (void)state;
    refuse("{\"region_code\":\"350582\"}", PB_E_INVALID, "name", "required");
    refuse("{\"name\":\"\",\"region_code\":\"350582\"}", PB_E_INVALID, "name", "required");
    refuse("{\"name\":null,\"region_code\":\"350582\"}", PB_E_INVALID, "name", "required");
    refuse("{\"name\":\"校验VA-无区\"}", PB_E_INVALID, "region_code", "required");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"colour\":\"red\"}", PB_E_BAD_REQUEST,
           "colour", "unknown_field");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"id\":5}", PB_E_BAD_REQUEST, "id", "read_only");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"version\":1}", PB_E_BAD_REQUEST, "version",
           "read_only");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_mu\":\"1.00\"}", PB_E_BAD_REQUEST,
           "land_mu", "read_only");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"production_share\":\"70.00\"}",
           PB_E_BAD_REQUEST, "production_share", "read_only");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"created_at\":\"2020-01-01\"}",
           PB_E_BAD_REQUEST, "created_at", "read_only");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"archived_at\":null}", PB_E_BAD_REQUEST,
           "archived_at", "read_only");
    /* a 400 outranks 422s in the same body */
    refuse("{\"region_code\":\"350599\",\"colour\":1}", PB_E_BAD_REQUEST, "colour", "unknown_field");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350599\"}", PB_E_INVALID, "region_code", "unknown_region");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350500\"}", PB_E_INVALID, "region_code", "not_county");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":\"1.234\"}", PB_E_INVALID, "land_m2",
           "too_precise");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":1.234}", PB_E_INVALID, "land_m2",
           "too_precise");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":\"1,000\"}", PB_E_INVALID, "land_m2",
           "invalid_number");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":\"-1\"}", PB_E_INVALID, "land_m2",
           "out_of_range");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":\"100000000.01\"}", PB_E_INVALID,
           "land_m2", "out_of_range");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":9223372036854775807}", PB_E_INVALID,
           "land_m2", NULL);
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":1e300}", PB_E_INVALID, "land_m2", NULL);
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"land_m2\":true}", PB_E_INVALID, "land_m2",
           "invalid_type");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"kind\":\"factory\"}", PB_E_INVALID, "kind",
           "invalid_choice");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"kind\":\"New_Build\"}", PB_E_INVALID, "kind",
           "invalid_choice");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"opened_on\":\"2023-02-29\"}", PB_E_INVALID,
           "opened_on", "invalid_date");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"opened_on\":\"2023-2-28\"}", PB_E_INVALID,
           "opened_on", "invalid_date");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"lng\":\"118.5\"}", PB_E_INVALID, "lat",
           "coordinate_pair");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"lat\":\"24.5\"}", PB_E_INVALID, "lng",
           "coordinate_pair");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"lng\":\"180.000001\",\"lat\":\"24.5\"}",
           PB_E_INVALID, "lng", "out_of_range");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"lng\":\"118.1234567\",\"lat\":\"24.5\"}",
           PB_E_INVALID, "lng", "too_precise");
    refuse("{\"name\":\" 校验VA-1\",\"region_code\":\"350582\"}", PB_E_INVALID, "name", "whitespace");
    refuse("{\"name\":\"校验VA\\u0001\",\"region_code\":\"350582\"}", PB_E_INVALID, "name", "control_char");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"pilot\":\"yes\"}", PB_E_INVALID, "pilot",
           "invalid_bool");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"pilot\":1}", PB_E_INVALID, "pilot",
           "invalid_type");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"leading_industry_code\":\"9999\"}", PB_E_INVALID,
           "leading_industry_code", "unknown_industry");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":\"350582\",\"planned_floor_m2\":\"100\","
           "\"built_floor_m2\":\"200.01\"}",
           PB_E_INVALID, "built_floor_m2", "exceeds_plan");
    refuse("{\"name\":[\"校验VA-1\"],\"region_code\":\"350582\"}", PB_E_INVALID, "name", "invalid_type");
    refuse("{\"name\":\"校验VA-1\",\"region_code\":350582}", PB_E_INVALID, "region_code", "invalid_type");
    /* several problems at once are all reported */
    {
        struct req r;
        req_begin(&r, &P_city);
        TU_EXPECT(create_text(&r, "{\"region_code\":\"350582\",\"kind\":\"x\",\"opened_on\":\"2023-13-01\"}", NULL),
                  PB_E_INVALID, &r.e, "name", "required");
        assert_true(tu_has_field(&r.e, "kind", "invalid_choice"));
        assert_true(tu_has_field(&r.e, "opened_on", "invalid_date"));
        /* a body that is not an object */
        {
            json_t *arr = json_array();
            pb_err_clear(&r.e);
            TU_EXPECT(pb_res_create(&r.c, &pb_res_parks, arr, NULL, NULL, NULL, &r.e), PB_E_BAD_REQUEST, &r.e,
                      NULL, NULL);
            json_decref(arr);
        }
        req_end(&r);
    }
}

static void test_create_text_length_counts_characters(void **state)
{
    char name[1024];
    struct req r;
    int64_t id = 0;
    json_t *g;
    (void)state;
    /* 100 Chinese characters (300 bytes) are fine for max_len 100 */
    pb_strlcpy(name, "长", sizeof name);
    for (int i = 1; i < 100; i++)
        append(name, sizeof name, "园");
    assert_int_equal(strlen(name), 300);
    req_begin(&r, &P_city);
    TU_OK(create_json(&r, json_pack("{s:s,s:s}", "name", name, "region_code", "350582"), &id), &r.e);
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "name", name);
    json_decref(g);
    /* 101 refused */
    append(name, sizeof name, "园");
    TU_EXPECT(create_json(&r, json_pack("{s:s,s:s}", "name", name, "region_code", "350582"), &id), PB_E_INVALID,
              &r.e, "name", "too_long");
    assert_int_equal(park_rows_named(name), 0);
    /* 4-byte characters count once: 50 emoji in industry_label (max 50) */
    name[0] = 0;
    for (int i = 0; i < 50; i++)
        append(name, sizeof name, "\xF0\x9F\x8F\xAD"); /* U+1F3ED factory */
    TU_OK(create_json(&r, json_pack("{s:s,s:s,s:s}", "name", "长度LN-表情", "region_code", "350582",
                                    "industry_label", name),
                      &id),
          &r.e);
    append(name, sizeof name, "a");
    TU_EXPECT(create_json(&r, json_pack("{s:s,s:s,s:s}", "name", "长度LN-表情2", "region_code", "350582",
                                        "industry_label", name),
                          &id),
              PB_E_INVALID, &r.e, "industry_label", "too_long");
    req_end(&r);
}

static void test_create_out_of_scope(void **state)
{
    struct req r;
    int64_t id = 0, audits = audit_total();
    json_t *g;
    (void)state;
    req_begin(&r, &P_r582);
    TU_EXPECT(create_text(&r, "{\"name\":\"越权OS-南安\",\"region_code\":\"350583\"}", &id), PB_E_BAD_REQUEST, &r.e,
              "region_code", "out_of_scope");
    assert_int_equal(park_rows_named("越权OS-南安"), 0);
    assert_int_equal(audit_total(), audits);
    /* a zone of another county, and the city itself, are outside too */
    TU_EXPECT(create_text(&r, "{\"name\":\"越权OS-开发区\",\"region_code\":\"QZ-KFQ\"}", &id), PB_E_BAD_REQUEST,
              &r.e, "region_code", "out_of_scope");
    TU_EXPECT(create_text(&r, "{\"name\":\"越权OS-全市\",\"region_code\":\"350500\"}", &id), PB_E_BAD_REQUEST,
              &r.e, "region_code", "out_of_scope");
    assert_int_equal(park_rows_named("越权OS-开发区") + park_rows_named("越权OS-全市"), 0);
    assert_int_equal(audit_total(), audits);
    /* its own county works, audited as the county user */
    TU_OK(create_text(&r, "{\"name\":\"越权OS-晋江\",\"region_code\":\"350582\"}", &id), &r.e);
    audit_check_one("create", id, "350582", "jinjiang_u", "region");
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "region_code", "350582");
    json_decref(g);
    req_end(&r);
    /* viewers, auditors and operators may not create at all */
    {
        const struct pb_principal *who[] = {&P_viewer, &P_auditor};
        for (size_t i = 0; i < 2; i++) {
            req_begin(&r, who[i]);
            TU_EXPECT(create_text(&r, "{\"name\":\"越权OS-查看\",\"region_code\":\"350582\"}", &id), PB_E_FORBIDDEN,
                      &r.e, NULL, NULL);
            assert_int_equal(r.c.denied.set, 1);
            assert_string_equal(r.c.denied.action, "create");
            assert_string_equal(r.c.denied.resource, "parks");
            req_end(&r);
        }
        assert_int_equal(park_rows_named("越权OS-查看"), 0);
    }
}

/* ---- list ---- */

static int64_t LF[8]; /* the 7 parks of the list tests (1-based) */

static void make_list_rows(void)
{
    if (LF[1])
        return;
    LF[1] = mk("{\"name\":\"筛选LF-Alpha\",\"region_code\":\"350582\",\"kind\":\"new_build\",\"land_m2\":\"100.00\",\"opened_on\":\"2020-05-01\","
               "\"pilot\":true,\"operator_name\":\"AcmeOps Ltd\"}");
    LF[2] = mk("{\"name\":\"筛选LF-Beta\",\"region_code\":\"350582\",\"kind\":\"revitalized\",\"land_m2\":\"250.50\","
               "\"pilot\":false}");
    LF[3] = mk("{\"name\":\"筛选LF-Gamma\",\"region_code\":\"350583\",\"kind\":\"new_build\",\"pilot\":true}");
    LF[4] = mk("{\"name\":\"筛选LF-Delta 50%off\",\"region_code\":\"350583\",\"kind\":\"revitalized\",\"opened_on\":\"2019-01-01\","
               "\"land_m2\":\"999.99\"}");
    LF[5] = mk("{\"name\":\"筛选LF-Delta 50xoff\",\"region_code\":\"350582\",\"kind\":\"new_build\","
               "\"land_m2\":\"1000.00\"}");
    LF[6] = mk("{\"name\":\"筛选LF-a_b\",\"region_code\":\"350582\",\"land_m2\":\"5.00\",\"opened_on\":\"2020-05-01\"}");
    LF[7] = mk("{\"name\":\"筛选LF-axb\",\"region_code\":\"350583\",\"description\":\"our ACMEOPS partner\"}");
}

#define IDS(...) ((const int64_t[]){__VA_ARGS__}), (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

static void test_list_filters(void **state)
{
    struct page pg;
    struct req r;
    (void)state;
    make_list_rows();
    list_ok(&P_city, "name=筛选LF", &pg);
    expect_id_set(&pg, IDS(LF[1], LF[2], LF[3], LF[4], LF[5], LF[6], LF[7]));
    assert_int_equal(pg.total, 7);
    list_ok(&P_city, "name=%E7%AD%9B%E9%80%89LF&region_code=350582", &pg); /* percent-encoded 筛选 */
    expect_id_set(&pg, IDS(LF[1], LF[2], LF[5], LF[6]));
    assert_int_equal(pg.total, 4);
    for (int i = 0; i < pg.n; i++)
        assert_string_equal(pg.regions[i], "350582");
    list_ok(&P_city, "name=筛选LF&kind=new_build", &pg);
    expect_id_set(&pg, IDS(LF[1], LF[3], LF[5]));
    assert_int_equal(pg.total, 3);
    list_ok(&P_city, "name=筛选LF&pilot=true", &pg);
    expect_id_set(&pg, IDS(LF[1], LF[3]));
    list_ok(&P_city, "name=筛选LF&pilot=0", &pg);
    expect_id_set(&pg, IDS(LF[2], LF[4], LF[5], LF[6], LF[7]));
    list_ok(&P_city, "name=筛选LF&land_m2_min=250.5&land_m2_max=999.99", &pg);
    expect_id_set(&pg, IDS(LF[2], LF[4]));
    assert_int_equal(pg.total, 2);
    list_ok(&P_city, "name=筛选LF&land_m2_min=100", &pg);
    expect_id_set(&pg, IDS(LF[1], LF[2], LF[4], LF[5]));
    list_ok(&P_city, "name=筛选LF&land_m2_max=5", &pg);
    expect_id_set(&pg, IDS(LF[6]));
    /* name is a substring filter, case-insensitive for ASCII */
    list_ok(&P_city, "name=lf-ALPHA", &pg);
    expect_id_set(&pg, IDS(LF[1]));
    list_ok(&P_city, "name=筛选LF-delta", &pg);
    expect_id_set(&pg, IDS(LF[4], LF[5]));
    /* q searches name, operator_name, description... case-insensitively */
    list_ok(&P_city, "q=acmeops", &pg);
    expect_id_set(&pg, IDS(LF[1], LF[7]));
    assert_int_equal(pg.total, 2);
    list_ok(&P_city, "q=AcMeOpS&region_code=350583", &pg);
    expect_id_set(&pg, IDS(LF[7]));
    /* LIKE metacharacters in q and in a like filter are literal */
    list_ok(&P_city, "q=50%25off", &pg);
    expect_id_set(&pg, IDS(LF[4]));
    list_ok(&P_city, "q=LF-a_b", &pg);
    expect_id_set(&pg, IDS(LF[6]));
    list_ok(&P_city, "name=LF-a_b", &pg);
    expect_id_set(&pg, IDS(LF[6]));
    list_ok(&P_city, "q=%25LF-a%25", &pg); /* "%LF-a%": no park holds a literal % there */
    assert_int_equal(pg.n, 0);
    assert_int_equal(pg.total, 0);
    list_ok(&P_city, "q=LF-a%5Cb", &pg); /* a backslash is literal too */
    assert_int_equal(pg.n, 0);
    /* filters combine with AND */
    list_ok(&P_city, "name=筛选LF&kind=new_build&pilot=true&region_code=350583", &pg);
    expect_id_set(&pg, IDS(LF[3]));
    /* filter values are validated like field values */
    req_begin(&r, &P_city);
    TU_EXPECT(list_qs(&r, "name=筛选LF&land_m2_min=1.234", &pg), PB_E_INVALID, &r.e, "land_m2_min", "too_precise");
    req_reset(&r);
    TU_EXPECT(list_qs(&r, "name=筛选LF&kind=factory", &pg), PB_E_INVALID, &r.e, "kind", "invalid_choice");
    req_reset(&r);
    TU_EXPECT(list_qs(&r, "region_code=350599", &pg), PB_E_INVALID, &r.e, "region_code", "unknown_region");
    req_reset(&r);
    TU_EXPECT(list_qs(&r, "pilot=maybe", &pg), PB_E_INVALID, &r.e, "pilot", "invalid_bool");
    req_reset(&r);
    TU_EXPECT(list_qs(&r, "opened_on_min=2023-02-29", &pg), PB_E_INVALID, &r.e, "opened_on_min", "invalid_date");
    req_end(&r);
}

/* Names of the list rows, sorted as bytes: what both databases must agree on. */
static void test_list_sort(void **state)
{
    struct page pg;
    (void)state;
    make_list_rows();
    /* "Alpha" < "Beta" < "Delta 50%off" < "Delta 50xoff" < "Gamma" < "a_b" < "axb" (bytes) */
    list_ok(&P_city, "name=筛选LF&sort=name", &pg);
    expect_ids(&pg, IDS(LF[1], LF[2], LF[4], LF[5], LF[3], LF[6], LF[7]));
    list_ok(&P_city, "name=筛选LF&sort=-name", &pg);
    expect_ids(&pg, IDS(LF[7], LF[6], LF[3], LF[5], LF[4], LF[2], LF[1]));
    /* land_m2 descending: values, then the NULLs last (3 and 7, by id descending) */
    list_ok(&P_city, "name=筛选LF&sort=-land_m2", &pg);
    expect_ids(&pg, IDS(LF[5], LF[4], LF[2], LF[1], LF[6], LF[7], LF[3]));
    /* ascending: the NULLs first (by id ascending) */
    list_ok(&P_city, "name=筛选LF&sort=land_m2", &pg);
    expect_ids(&pg, IDS(LF[3], LF[7], LF[6], LF[1], LF[2], LF[4], LF[5]));
    /* two keys */
    list_ok(&P_city, "name=筛选LF&sort=region_code,-land_m2", &pg);
    expect_ids(&pg, IDS(LF[5], LF[2], LF[1], LF[6], LF[4], LF[7], LF[3]));
    /* a nullable text key: NULLs first ascending, last descending; ties by id */
    list_ok(&P_city, "name=筛选LF&sort=opened_on", &pg);
    expect_ids(&pg, IDS(LF[2], LF[3], LF[5], LF[7], LF[4], LF[1], LF[6]));
    list_ok(&P_city, "name=筛选LF&sort=-opened_on", &pg);
    expect_ids(&pg, IDS(LF[6], LF[1], LF[4], LF[7], LF[5], LF[3], LF[2]));
    list_ok(&P_city, "name=筛选LF&sort=-opened_on,name", &pg);
    expect_ids(&pg, IDS(LF[1], LF[6], LF[4], LF[2], LF[5], LF[3], LF[7]));
    list_ok(&P_city, "name=筛选LF&sort=id", &pg);
    expect_ids(&pg, IDS(LF[1], LF[2], LF[3], LF[4], LF[5], LF[6], LF[7]));
    list_ok(&P_city, "name=筛选LF&sort=-id", &pg);
    expect_ids(&pg, IDS(LF[7], LF[6], LF[5], LF[4], LF[3], LF[2], LF[1]));
}

static void check_walk(const char *qs, const int64_t *want, int n)
{
    int64_t ids[MAXIDS], total = -1;
    int got;
    for (int limit = 1; limit <= 3; limit++) {
        got = walk(&P_city, qs, limit, ids, &total);
        if (got != n)
            fail_msg("%s limit %d: %d ids, expected %d", qs, limit, got, n);
        for (int i = 0; i < n; i++)
            if (ids[i] != want[i])
                fail_msg("%s limit %d: position %d is %lld, expected %lld", qs, limit, i, (long long)ids[i],
                         (long long)want[i]);
        assert_int_equal(total, n);
    }
}

static void test_list_paging(void **state)
{
    struct page pg, all;
    int64_t ids[MAXIDS], total = 0;
    struct req r;
    char q[8192];
    (void)state;
    make_list_rows();
    /* limit 2 over 7 rows: 4 pages, every id once, in order, total 7 on every page */
    {
        int n = walk(&P_city, "name=筛选LF&sort=-land_m2", 2, ids, &total);
        const int64_t want[] = {LF[5], LF[4], LF[2], LF[1], LF[6], LF[7], LF[3]};
        assert_int_equal(n, 7);
        assert_int_equal(total, 7);
        for (int i = 0; i < 7; i++)
            assert_int_equal(ids[i], want[i]);
    }
    check_walk("name=筛选LF&sort=land_m2", IDS(LF[3], LF[7], LF[6], LF[1], LF[2], LF[4], LF[5]));
    check_walk("name=筛选LF&sort=name", IDS(LF[1], LF[2], LF[4], LF[5], LF[3], LF[6], LF[7]));
    check_walk("name=筛选LF&sort=-name", IDS(LF[7], LF[6], LF[3], LF[5], LF[4], LF[2], LF[1]));
    check_walk("name=筛选LF&sort=region_code,-land_m2", IDS(LF[5], LF[2], LF[1], LF[6], LF[4], LF[7], LF[3]));
    check_walk("name=筛选LF&sort=opened_on", IDS(LF[2], LF[3], LF[5], LF[7], LF[4], LF[1], LF[6]));
    check_walk("name=筛选LF&sort=-opened_on", IDS(LF[6], LF[1], LF[4], LF[7], LF[5], LF[3], LF[2]));
    check_walk("name=筛选LF&sort=-opened_on,name", IDS(LF[1], LF[6], LF[4], LF[2], LF[5], LF[3], LF[7]));
    list_ok(&P_city, "name=筛选LF&sort=-created_at&limit=500", &all);
    assert_int_equal(all.n, 7);
    check_walk("name=筛选LF&sort=-created_at", all.ids, all.n);
    /* a page exactly as long as what is left ends the walk: no cursor to an empty page */
    list_ok(&P_city, "name=筛选LF&limit=7", &pg);
    assert_int_equal(pg.n, 7);
    assert_int_equal(pg.cursor[0], 0);
    /* the default order (-updated_at) pages like the full list */
    list_ok(&P_city, "name=筛选LF&limit=500", &all);
    assert_int_equal(all.n, 7);
    assert_int_equal(all.cursor[0], 0);
    check_walk("name=筛选LF", all.ids, all.n);
    /* filters keep applying on later pages */
    check_walk("name=筛选LF&region_code=350582&sort=name", IDS(LF[1], LF[2], LF[5], LF[6]));

    /* a cursor of one sort used with another, or garbage, is a 400 on `cursor` */
    list_ok(&P_city, "name=筛选LF&sort=name&limit=2", &pg);
    assert_true(pg.cursor[0] != 0);
    req_begin(&r, &P_city);
    snprintf(q, sizeof q, "name=筛选LF&sort=-land_m2&limit=2&cursor=%s", pg.cursor);
    TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", "invalid_cursor");
    req_reset(&r);
    snprintf(q, sizeof q, "name=筛选LF&limit=2&cursor=%s", pg.cursor); /* default sort */
    TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", "invalid_cursor");
    req_reset(&r);
    /* same key types, other direction or other key: still another sort */
    snprintf(q, sizeof q, "name=筛选LF&sort=-name&limit=2&cursor=%s", pg.cursor);
    TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", "invalid_cursor");
    req_reset(&r);
    snprintf(q, sizeof q, "name=筛选LF&sort=opened_on&limit=2&cursor=%s", pg.cursor);
    TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", "invalid_cursor");
    req_reset(&r);
    {
        struct page p2;
        list_ok(&P_city, "name=筛选LF&sort=land_m2&limit=2", &p2);
        assert_true(p2.cursor[0] != 0);
        snprintf(q, sizeof q, "name=筛选LF&sort=planned_floor_m2&limit=2&cursor=%s", p2.cursor);
        TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", "invalid_cursor");
        req_reset(&r);
        snprintf(q, sizeof q, "name=筛选LF&sort=land_m2&q=x&limit=2&cursor=%s", p2.cursor); /* filters may change */
        TU_OK(list_qs(&r, q, &all), &r.e);
        req_reset(&r);
    }
    TU_EXPECT(list_qs(&r, "name=筛选LF&sort=name&cursor=garbage!!", &all), PB_E_BAD_REQUEST, &r.e, "cursor", NULL);
    req_reset(&r);
    TU_EXPECT(list_qs(&r, "name=筛选LF&sort=name&cursor=Zm9v", &all), PB_E_BAD_REQUEST, &r.e, "cursor", NULL);
    req_reset(&r);
    {
        /* well-formed JSON of the right spec but wrong value types */
        const char *raw[] = {"[\"name\",5,1]", "[\"name\",\"x\"]", "[\"name\",\"x\",\"1\"]", "{\"a\":1}",
                             "[\"name\",\"x\",1,2]", "[\"-land_m2\",\"x\",1]"};
        for (size_t i = 0; i < PB_ARRAY_LEN(raw); i++) {
            char enc[256];
            assert_int_equal(pb_b64url_encode(raw[i], strlen(raw[i]), enc, sizeof enc), 0);
            snprintf(q, sizeof q, "name=筛选LF&sort=%s&cursor=%s", i == 5 ? "-land_m2" : "name", enc);
            req_reset(&r);
            TU_EXPECT(list_qs(&r, q, &all), PB_E_BAD_REQUEST, &r.e, "cursor", NULL);
        }
        /* a forged but well-typed cursor is just a position */
        {
            const char *ok = "[\"name\",\"筛选LF-Delta 50xoff\",0]";
            char enc[256];
            assert_int_equal(pb_b64url_encode(ok, strlen(ok), enc, sizeof enc), 0);
            snprintf(q, sizeof q, "name=筛选LF&sort=name&cursor=%s", enc);
            req_reset(&r);
            TU_OK(list_qs(&r, q, &all), &r.e);
            expect_ids(&all, IDS(LF[5], LF[3], LF[6], LF[7]));
            assert_int_equal(all.total, 7);
        }
    }
    req_end(&r);
}

static void test_list_parse(void **state)
{
    struct req r;
    struct pb_list_req lr;
    (void)state;
    req_begin(&r, &P_city);
    TU_EXPECT(parse_qs(&r, "colour=red", &lr), PB_E_BAD_REQUEST, &r.e, "colour", "unknown_parameter");
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "name=x&colour=red&limit=5", &lr), PB_E_BAD_REQUEST, &r.e, "colour", "unknown_parameter");
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "name_min=a", &lr), PB_E_BAD_REQUEST, &r.e, "name_min", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "address=x", &lr), PB_E_BAD_REQUEST, &r.e, "address", NULL); /* not filterable */
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "id=1", &lr), PB_E_BAD_REQUEST, &r.e, "id", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "limit=0", &lr), PB_E_INVALID, &r.e, "limit", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "limit=501", &lr), PB_E_INVALID, &r.e, "limit", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "limit=-1", &lr), PB_E_INVALID, &r.e, "limit", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "limit=ten", &lr), PB_E_INVALID, &r.e, "limit", NULL);
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "sort=kind", &lr), PB_E_INVALID, &r.e, "sort", "invalid_sort");
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "sort=nothing", &lr), PB_E_INVALID, &r.e, "sort", "invalid_sort");
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "sort=name,-land_m2,id,created_at", &lr), PB_E_INVALID, &r.e, "sort", "invalid_sort");
    req_reset(&r);
    TU_EXPECT(parse_qs(&r, "include_archived=2", &lr), PB_E_INVALID, &r.e, "include_archived", NULL);
    req_reset(&r);
    /* a 400 wins over a 422 */
    TU_EXPECT(parse_qs(&r, "limit=0&colour=red", &lr), PB_E_BAD_REQUEST, &r.e, "colour", NULL);
    assert_true(tu_has_field(&r.e, "limit", NULL));
    req_reset(&r);
    /* what is accepted */
    TU_OK(parse_qs(&r, "limit=500&sort=-land_m2,name&q=abc&include_archived=1&lang=en&format=csv&kind=new_build"
                       "&land_m2_min=1&opened_on_max=2024-01-01&cursor=",
                   &lr),
          &r.e);
    assert_int_equal(lr.limit, 500);
    assert_int_equal(lr.nsort, 2);
    assert_string_equal(lr.sort[0].f->name, "land_m2");
    assert_int_equal(lr.sort[0].desc, 1);
    assert_string_equal(lr.sort[1].f->name, "name");
    assert_int_equal(lr.sort[1].desc, 0);
    assert_string_equal(lr.q, "abc");
    assert_int_equal(lr.include_archived, 1);
    assert_int_equal(lr.nfilters, 3);
    assert_null(lr.cursor);
    req_reset(&r);
    TU_OK(parse_qs(&r, "", &lr), &r.e);
    assert_int_equal(lr.limit, 50);
    assert_int_equal(lr.nsort, 0);
    assert_int_equal(lr.nfilters, 0);
    req_reset(&r);
    TU_OK(parse_qs(&r, "limit=1", &lr), &r.e);
    assert_int_equal(lr.limit, 1);
    req_end(&r);
}

/* Text limits of list parameters are in characters, as their messages say ("不能超过 100 个字符")
 * and as field max_len is: a park's full Chinese name (up to 100 characters) can be searched. */
static void test_list_parse_limits_count_characters(void **state)
{
    struct req r;
    struct pb_list_req lr;
    struct page pq, pn;
    struct pb_err eq, en;
    char qs[2048], name[512];
    int64_t id;
    int rc_q, rc_name;
    (void)state;
    req_begin(&r, &P_city);
    /* 100 ASCII characters are fine, 101 too long */
    pb_strlcpy(qs, "q=", sizeof qs);
    for (int i = 0; i < 100; i++)
        append(qs, sizeof qs, "a");
    TU_OK(parse_qs(&r, qs, &lr), &r.e);
    req_reset(&r);
    append(qs, sizeof qs, "a");
    TU_EXPECT(parse_qs(&r, qs, &lr), PB_E_INVALID, &r.e, "q", "too_long");
    req_reset(&r);
    /* 40 Chinese characters (120 bytes): a plausible park name, well within 100 characters */
    pb_strlcpy(name, "泉州", sizeof name);
    for (int i = 2; i < 40; i++)
        append(name, sizeof name, "园");
    id = mk(pb_arena_printf(&r.a, "{\"name\":\"%s\",\"region_code\":\"350581\"}", name));
    snprintf(qs, sizeof qs, "q=%s", name);
    rc_q = list_qs(&r, qs, &pq);
    eq = r.e;
    req_reset(&r);
    snprintf(qs, sizeof qs, "name=%s", name);
    rc_name = list_qs(&r, qs, &pn);
    en = r.e;
    req_end(&r);
    if (rc_q)
        tu_dump_err(&eq);
    if (rc_name)
        tu_dump_err(&en);
    assert_int_equal(rc_q, 0);
    expect_ids(&pq, IDS(id));
    assert_int_equal(rc_name, 0);
    expect_ids(&pn, IDS(id));
}

/* Search finds what is stored, written exactly as stored, on both databases: non-ASCII letters
 * that have a lower case (fullwidth Latin, Roman numerals, accented Latin) are common in
 * Chinese park names ("ＡＢＣ产业园Ⅱ期"). Case-folding beyond ASCII is not promised, but the
 * exact text must match. */
static void test_search_non_ascii_exact_text(void **state)
{
    static const char *const queries[] = {"q=ＡＢＣ", "q=Ⅱ期", "q=Élan", "name=ＡＢＣ产业园Ⅱ期", "q=ＡＢＣ产业园Ⅱ期-Élan"};
    int64_t id;
    struct page pg;
    (void)state;
    id = mk("{\"name\":\"跨库CI-ＡＢＣ产业园Ⅱ期-Élan\",\"region_code\":\"350524\"}");
    for (size_t i = 0; i < PB_ARRAY_LEN(queries); i++) {
        list_ok(&P_city, queries[i], &pg);
        if (pg.n != 1 || pg.ids[0] != id)
            fail_msg("%s on %s: %d rows, expected park %lld", queries[i],
                     tu.kind == PB_DB_PG ? "postgresql" : "sqlite", pg.n, (long long)id);
    }
    /* ASCII stays case-insensitive next to them */
    list_ok(&P_city, "q=%C3%89LAN", &pg); /* ÉLAN: only the ASCII part differs in case */
    expect_ids(&pg, IDS(id));
}

/* ---- scope ---- */

static void test_scope(void **state)
{
    int64_t a, b, c, missing;
    struct page pg;
    struct req r;
    struct pb_principal op, op_none;
    json_t *g;
    int rc;
    char t[24];
    (void)state;
    a = mk("{\"name\":\"范围SC-晋江1\",\"region_code\":\"350582\"}");
    b = mk("{\"name\":\"范围SC-南安1\",\"region_code\":\"350583\"}");
    c = mk("{\"name\":\"范围SC-晋江2\",\"region_code\":\"350582\"}");
    missing = c + 100000;

    /* a county user sees its county only */
    list_ok(&P_r582, "name=范围SC", &pg);
    expect_id_set(&pg, IDS(a, c));
    assert_int_equal(pg.total, 2);
    for (int i = 0; i < pg.n; i++)
        assert_string_equal(pg.regions[i], "350582");
    list_ok(&P_r582, "name=范围SC&region_code=350583", &pg);
    assert_int_equal(pg.n, 0);
    assert_int_equal(pg.total, 0);
    list_ok(&P_r582, "q=南安1", &pg);
    assert_int_equal(pg.n, 0);
    list_ok(&P_r583, "name=范围SC", &pg);
    expect_id_set(&pg, IDS(b));
    /* city-wide roles see everything */
    list_ok(&P_city, "name=范围SC", &pg);
    expect_id_set(&pg, IDS(a, b, c));
    list_ok(&P_viewer, "name=范围SC", &pg);
    expect_id_set(&pg, IDS(a, b, c));

    /* another county's record answers 404, marked as a denial with its id */
    req_begin(&r, &P_r582);
    g = get_park(&r, b, 0, NULL, &rc);
    assert_null(g);
    assert_int_equal(rc, PB_E_NOT_FOUND);
    assert_int_equal(r.c.denied.set, 1);
    snprintf(t, sizeof t, "%lld", (long long)b);
    assert_string_equal(r.c.denied.object_id, t);
    assert_string_equal(r.c.denied.region_code, "350583");
    assert_string_equal(r.c.denied.action, "read");
    assert_string_equal(r.c.denied.resource, "parks");
    assert_int_equal(r.out.len, 0);
    req_reset(&r);
    g = get_park(&r, b, 1, NULL, &rc); /* include_archived does not widen the scope */
    assert_null(g);
    assert_int_equal(rc, PB_E_NOT_FOUND);
    req_reset(&r);
    /* a record that does not exist is a plain 404, not a denial */
    g = get_park(&r, missing, 0, NULL, &rc);
    assert_null(g);
    assert_int_equal(rc, PB_E_NOT_FOUND);
    assert_int_equal(r.c.denied.set, 0);
    req_reset(&r);
    g = get_park(&r, a, 0, NULL, &rc);
    assert_non_null(g);
    assert_int_equal(r.c.denied.set, 0);
    json_decref(g);
    req_reset(&r);
    /* nor may it change or archive it */
    {
        char tag[48];
        etag(b, 1, tag);
        TU_EXPECT(patch_text(&r, b, "{\"name\":\"范围SC-改\"}", tag, NULL), PB_E_NOT_FOUND, &r.e, NULL, NULL);
        assert_int_equal(r.c.denied.set, 1);
        assert_string_equal(r.c.denied.object_id, t);
        assert_string_equal(r.c.denied.action, "update");
        req_reset(&r);
        pb_err_clear(&r.e);
        assert_int_equal(pb_res_archive(&r.c, &pb_res_parks, b, NULL, &r.e), PB_E_NOT_FOUND);
        assert_int_equal(r.c.denied.set, 1);
        assert_string_equal(r.c.denied.action, "archive");
        req_reset(&r);
        /* nor move its own record into another county */
        etag(a, 1, tag);
        TU_EXPECT(patch_text(&r, a, "{\"region_code\":\"350583\"}", tag, NULL), PB_E_BAD_REQUEST, &r.e,
                  "region_code", "out_of_scope");
        assert_int_equal(audit_n("update", a) + audit_n("update", b) + audit_n("archive", b), 0);
        g = get_ok(b, 0, NULL);
        TU_JSTR_EQ(g, "name", "范围SC-南安1");
        assert_int_equal(json_integer_value(json_object_get(g, "version")), 1);
        json_decref(g);
        g = get_ok(a, 0, NULL);
        TU_JSTR_EQ(g, "region_code", "350582");
        json_decref(g);
    }
    req_end(&r);

    /* an operator sees its park only, may update it, not create or archive */
    tu_principal(&op, PB_ROLE_OPERATOR, "operator_u", 104);
    op.parks[op.nparks++] = a;
    list_ok(&op, "name=范围SC", &pg);
    expect_ids(&pg, IDS(a));
    assert_int_equal(pg.total, 1);
    list_ok(&op, "", &pg);
    expect_ids(&pg, IDS(a));
    req_begin(&r, &op);
    g = get_park(&r, c, 0, NULL, &rc); /* same county, other park */
    assert_null(g);
    assert_int_equal(rc, PB_E_NOT_FOUND);
    assert_int_equal(r.c.denied.set, 1);
    req_reset(&r);
    {
        char tag[48];
        int64_t v = 0;
        etag(a, 1, tag);
        TU_OK(patch_text(&r, a, "{\"operator_name\":\"晋江运营\"}", tag, &v), &r.e);
        assert_int_equal(v, 2);
        audit_check_one("update", a, "350582", "operator_u", "operator");
        req_reset(&r);
        TU_EXPECT(create_text(&r, "{\"name\":\"范围SC-运营建\",\"region_code\":\"350582\"}", NULL), PB_E_FORBIDDEN,
                  &r.e, NULL, NULL);
        req_reset(&r);
        assert_int_equal(pb_res_archive(&r.c, &pb_res_parks, a, NULL, &r.e), PB_E_FORBIDDEN);
        assert_int_equal(r.c.denied.set, 1);
        assert_int_equal(audit_n("archive", a), 0);
    }
    req_end(&r);
    tu_principal(&op_none, PB_ROLE_OPERATOR, "operator_none", 107);
    list_ok(&op_none, "name=范围SC", &pg);
    assert_int_equal(pg.n, 0);
    assert_int_equal(pg.total, 0);

    /* an auditor may not read parks at all; a viewer reads but does not write */
    req_begin(&r, &P_auditor);
    TU_EXPECT(list_qs(&r, "name=范围SC", &pg), PB_E_FORBIDDEN, &r.e, NULL, NULL);
    assert_int_equal(r.c.denied.set, 1);
    assert_string_equal(r.c.denied.action, "list");
    assert_int_equal(r.out.len, 0);
    req_reset(&r);
    g = get_park(&r, a, 0, NULL, &rc);
    assert_null(g);
    assert_int_equal(rc, PB_E_FORBIDDEN);
    req_end(&r);
    req_begin(&r, &P_viewer);
    {
        char tag[48];
        etag(c, 1, tag);
        TU_EXPECT(patch_text(&r, c, "{\"name\":\"范围SC-查看改\"}", tag, NULL), PB_E_FORBIDDEN, &r.e, NULL, NULL);
        req_reset(&r);
        assert_int_equal(pb_res_archive(&r.c, &pb_res_parks, c, tag, &r.e), PB_E_FORBIDDEN);
    }
    req_end(&r);
    assert_int_equal(audit_n("update", c) + audit_n("archive", c), 0);
}

/* An operator may update its park (policy R|U|E). A PATCH that repeats the park's current
 * region (what a form sends back) moves nothing, so it is not "a region outside the caller's
 * jurisdiction"; the operator's real changes in it must go through. */
static void test_operator_patch_unchanged_region(void **state)
{
    struct req r;
    struct pb_principal op;
    int64_t id, v = 0;
    char tag[48];
    int rc;
    json_t *g;
    (void)state;
    id = mk("{\"name\":\"运营OP-1\",\"region_code\":\"350582\",\"kind\":\"new_build\"}");
    tu_principal(&op, PB_ROLE_OPERATOR, "operator_op", 108);
    op.parks[op.nparks++] = id;
    req_begin(&r, &op);
    etag(id, 1, tag);
    rc = patch_text(&r, id, "{\"name\":\"运营OP-1\",\"region_code\":\"350582\",\"operator_name\":\"新运营方\"}",
                    tag, &v);
    if (rc)
        tu_dump_err(&r.e);
    req_end(&r);
    assert_int_equal(rc, 0);
    assert_int_equal(v, 2);
    g = get_ok(id, 0, NULL);
    TU_JSTR_EQ(g, "operator_name", "新运营方");
    TU_JSTR_EQ(g, "region_code", "350582");
    json_decref(g);
    /* moving it elsewhere stays refused */
    req_begin(&r, &op);
    etag(id, 2, tag);
    TU_EXPECT(patch_text(&r, id, "{\"region_code\":\"350583\"}", tag, &v), PB_E_BAD_REQUEST, &r.e, "region_code",
              "out_of_scope");
    req_end(&r);
}

/* ---- patch ---- */

static void test_patch(void **state)
{
    struct req r;
    int64_t id, v = 0, audits;
    char tag[48];
    json_t *g, *ch, *want;
    (void)state;
    id = mk("{\"name\":\"补丁PT-1\",\"region_code\":\"350582\",\"land_m2\":\"66666.67\",\"kind\":\"new_build\"}");
    req_begin(&r, &P_city);
    etag(id, 1, tag);
    TU_OK(patch_text(&r, id, "{\"land_m2\":\"70000\",\"status\":\"building\"}", tag, &v), &r.e);
    assert_int_equal(v, 2);
    g = tu_json(pb_buf_cstr(&r.out));
    assert_int_equal(json_integer_value(json_object_get(g, "version")), 2);
    TU_JSTR_EQ(g, "land_m2", "70000.00");
    TU_JSTR_EQ(g, "land_mu", "105.00");
    TU_JSTR_EQ(g, "status", "building");
    TU_JSTR_EQ(g, "name", "补丁PT-1"); /* untouched */
    TU_JSTR_EQ(g, "kind", "new_build");
    json_decref(g);
    g = get_ok(id, 0, &v);
    assert_int_equal(v, 2);
    TU_JSTR_EQ(g, "land_m2", "70000.00");
    assert_true(strcmp(tu_jstr(g, "created_at"), "") != 0);
    json_decref(g);
    audit_check_one("update", id, "350582", "city_u", "city");
    ch = audit_changes("update", id);
    want = tu_json("{\"land_m2\":[\"66666.67\",\"70000.00\"],\"status\":[null,\"building\"]}");
    if (!json_equal(ch, want)) {
        char *s = json_dumps(ch, 0);
        fail_msg("changes: %s", s);
    }
    json_decref(ch);
    json_decref(want);

    /* stale ETag: 412, nothing changes */
    audits = audit_total();
    TU_EXPECT(patch_text(&r, id, "{\"land_m2\":\"1\"}", tag, &v), PB_E_STALE, &r.e, NULL, NULL);
    TU_EXPECT(patch_text(&r, id, "{\"land_m2\":\"1\"}", "\"999999-2\"", &v), PB_E_STALE, &r.e, NULL, NULL);
    TU_EXPECT(patch_text(&r, id, "{\"land_m2\":\"1\"}", "garbage", &v), PB_E_STALE, &r.e, NULL, NULL);
    /* no If-Match: 428 */
    TU_EXPECT(patch_text(&r, id, "{\"land_m2\":\"1\"}", NULL, &v), PB_E_PRECONDITION, &r.e, NULL, NULL);
    TU_EXPECT(patch_text(&r, id, "{\"land_m2\":\"1\"}", "", &v), PB_E_PRECONDITION, &r.e, NULL, NULL);
    assert_int_equal(audit_total(), audits);
    g = get_ok(id, 0, &v);
    assert_int_equal(v, 2);
    TU_JSTR_EQ(g, "land_m2", "70000.00");
    json_decref(g);

    /* a patch that changes nothing: same version, no audit record */
    etag(id, 2, tag);
    TU_OK(patch_text(&r, id, "{\"land_m2\":70000,\"name\":\"补丁PT-1\",\"status\":\"building\"}", tag, &v), &r.e);
    assert_int_equal(v, 2);
    g = tu_json(pb_buf_cstr(&r.out));
    assert_int_equal(json_integer_value(json_object_get(g, "version")), 2);
    json_decref(g);
    TU_OK(patch_text(&r, id, "{}", tag, &v), &r.e);
    assert_int_equal(v, 2);
    assert_int_equal(audit_total(), audits);
    assert_int_equal(audit_n("update", id), 1);

    /* invalid patches */
    TU_EXPECT(patch_text(&r, id, "{\"name\":null}", tag, &v), PB_E_INVALID, &r.e, "name", "required");
    TU_EXPECT(patch_text(&r, id, "{\"name\":\"\"}", tag, &v), PB_E_INVALID, &r.e, "name", "required");
    TU_EXPECT(patch_text(&r, id, "{\"region_code\":null}", tag, &v), PB_E_INVALID, &r.e, "region_code", "required");
    TU_EXPECT(patch_text(&r, id, "{\"lng\":\"118.5\"}", tag, &v), PB_E_INVALID, &r.e, "lat", "coordinate_pair");
    TU_EXPECT(patch_text(&r, id, "{\"region_code\":\"350500\"}", tag, &v), PB_E_INVALID, &r.e, "region_code",
              "not_county");
    TU_EXPECT(patch_text(&r, id, "{\"version\":3}", tag, &v), PB_E_BAD_REQUEST, &r.e, "version", "read_only");
    TU_EXPECT(patch_text(&r, id, "{\"colour\":3}", tag, &v), PB_E_BAD_REQUEST, &r.e, "colour", "unknown_field");
    TU_EXPECT(patch_text(&r, id + 100000, "{\"name\":\"x\"}", tag, &v), PB_E_NOT_FOUND, &r.e, NULL, NULL);
    assert_int_equal(audit_total(), audits);

    /* clearing a value, and a second change: version 3, one more audit record */
    TU_OK(patch_text(&r, id, "{\"kind\":null,\"pilot\":true}", tag, &v), &r.e);
    assert_int_equal(v, 3);
    assert_int_equal(audit_n("update", id), 2);
    ch = audit_changes("update", id);
    want = tu_json("{\"kind\":[\"new_build\",null],\"pilot\":[false,true]}");
    if (!json_equal(ch, want)) {
        char *s = json_dumps(ch, 0);
        fail_msg("changes: %s", s);
    }
    json_decref(ch);
    json_decref(want);

    /* "*" matches any version; a move between counties is recorded in the new county's chain */
    TU_OK(patch_text(&r, id, "{\"region_code\":\"350583\"}", "*", &v), &r.e);
    assert_int_equal(v, 4);
    assert_int_equal(audit_n("update", id), 3);
    ch = audit_changes("update", id);
    want = tu_json("{\"region_code\":[\"350582\",\"350583\"]}");
    assert_true(json_equal(ch, want));
    json_decref(ch);
    json_decref(want);
    {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)id);
        assert_int_equal(tu_qint(tu.db,
                                 "SELECT COUNT(*) FROM audit WHERE resource = 'parks' AND action = 'update' "
                                 "AND object_id = ? AND chain = '350583' AND region_code = '350583'",
                                 t, NULL),
                         1);
    }
    g = get_ok(id, 0, &v);
    TU_JSTR_EQ(g, "region_code", "350583");
    assert_int_equal(v, 4);
    json_decref(g);
    req_end(&r);
}

/* ---- archive ---- */

static void test_archive(void **state)
{
    struct req r;
    int64_t id, other, v = 0;
    json_t *g, *ch;
    struct page pg;
    char tag[48];
    int rc;
    (void)state;
    id = mk("{\"name\":\"归档AR-1\",\"region_code\":\"350582\"}");
    other = mk("{\"name\":\"归档AR-2\",\"region_code\":\"350582\"}");
    list_ok(&P_city, "name=归档AR", &pg);
    expect_id_set(&pg, IDS(id, other));

    req_begin(&r, &P_city);
    TU_OK(pb_res_archive(&r.c, &pb_res_parks, id, NULL, &r.e), &r.e);
    audit_check_one("archive", id, "350582", "city_u", "city");
    ch = audit_changes("archive", id);
    assert_true(json_is_array(json_object_get(ch, "archived_at")));
    assert_true(json_is_null(json_array_get(json_object_get(ch, "archived_at"), 0)));
    assert_true(json_is_string(json_array_get(json_object_get(ch, "archived_at"), 1)));
    json_decref(ch);
    /* gone from get and list, still there with include_archived */
    g = get_park(&r, id, 0, NULL, &rc);
    assert_null(g);
    assert_int_equal(rc, PB_E_NOT_FOUND);
    assert_int_equal(r.c.denied.set, 0);
    g = get_park(&r, id, 1, &v, &rc);
    assert_non_null(g);
    assert_int_equal(v, 2);
    assert_true(json_is_string(json_object_get(g, "archived_at")));
    assert_int_equal(strlen(tu_jstr(g, "archived_at")), 24);
    TU_JSTR_EQ(g, "name", "归档AR-1");
    json_decref(g);
    list_ok(&P_city, "name=归档AR", &pg);
    expect_ids(&pg, IDS(other));
    assert_int_equal(pg.total, 1);
    list_ok(&P_city, "name=归档AR&include_archived=1", &pg);
    expect_id_set(&pg, IDS(id, other));
    assert_int_equal(pg.total, 2);
    list_ok(&P_city, "name=归档AR&include_archived=false", &pg);
    expect_ids(&pg, IDS(other));
    /* archived records cannot be archived again or changed */
    req_reset(&r);
    assert_int_equal(pb_res_archive(&r.c, &pb_res_parks, id, NULL, &r.e), PB_E_NOT_FOUND);
    etag(id, 2, tag);
    TU_EXPECT(patch_text(&r, id, "{\"name\":\"归档AR-复活\"}", tag, NULL), PB_E_NOT_FOUND, &r.e, NULL, NULL);
    assert_int_equal(audit_n("archive", id), 1);
    assert_int_equal(audit_n("update", id), 0);
    /* If-Match on archive is checked when given */
    req_reset(&r);
    etag(other, 7, tag);
    assert_int_equal(pb_res_archive(&r.c, &pb_res_parks, other, tag, &r.e), PB_E_STALE);
    assert_int_equal(audit_n("archive", other), 0);
    req_reset(&r);
    etag(other, 1, tag);
    TU_OK(pb_res_archive(&r.c, &pb_res_parks, other, tag, &r.e), &r.e);
    assert_int_equal(audit_n("archive", other), 1);
    list_ok(&P_city, "name=归档AR", &pg);
    assert_int_equal(pg.n, 0);
    assert_int_equal(pg.total, 0);
    req_end(&r);
}

/* ---- export ---- */

struct csv_doc {
    int nrows;               /* data rows */
    char header[32][96];
    int ncols;
    char cells[16][32][128]; /* first 16 data rows */
};

static void parse_csv(const struct pb_buf *b, struct csv_doc *d)
{
    struct pb_csv_reader rd;
    int rc, row = 0;
    memset(d, 0, sizeof *d);
    assert_true(b->len >= 3);
    assert_memory_equal(b->data, "\xEF\xBB\xBF", 3);
    pb_csv_reader_init(&rd, b->data, b->len, 0, 0);
    while ((rc = pb_csv_reader_next(&rd)) == PB_ROW) {
        if (row == 0) {
            d->ncols = (int)rd.nfields;
            for (size_t i = 0; i < rd.nfields && i < 32; i++)
                pb_strlcpy(d->header[i], rd.fields[i], sizeof d->header[0]);
        } else {
            assert_int_equal((int)rd.nfields, d->ncols);
            if (row <= 16)
                for (size_t i = 0; i < rd.nfields && i < 32; i++)
                    pb_strlcpy(d->cells[row - 1][i], rd.fields[i], sizeof d->cells[0][0]);
        }
        row++;
    }
    assert_int_equal(rc, PB_DONE);
    pb_csv_reader_release(&rd);
    d->nrows = row - 1;
}

static int csv_has_cell(const struct csv_doc *d, int col, const char *text)
{
    for (int r = 0; r < d->nrows && r < 16; r++)
        if (!strcmp(d->cells[r][col], text))
            return 1;
    return 0;
}

static int export_qs(struct req *r, const char *qs, enum pb_export_fmt fmt)
{
    struct pb_list_req lr;
    int rc;
    if ((rc = parse_qs(r, qs, &lr)))
        return rc;
    r->out.len = 0;
    return pb_res_export(&r->c, &pb_res_parks, &lr, fmt, &r->out, &r->e);
}

static int64_t export_audits(void)
{
    return tu_qint(tu.db, "SELECT COUNT(*) FROM audit WHERE action = 'export' AND resource = 'parks'", NULL);
}

static void test_export_csv(void **state)
{
    static const char *const header[] = {"编号", "园区名称", "所在区域", "建设类型", "主导产业（国民经济行业分类）",
                                         "主导产业", "用地面积（平方米）", "规划建筑面积（平方米）",
                                         "已建建筑面积（平方米）", "生产用房面积（平方米）",
                                         "配套用房面积（平方米）", "运营主体", "状态", "投用日期", "试点园区",
                                         "更新时间"};
    struct req r;
    struct csv_doc *d = malloc(sizeof *d);
    int64_t a, b, c, arch, exports;
    char t[24], changes[256];
    (void)state;
    a = mk("{\"name\":\"导出EX-晋江新\",\"region_code\":\"350582\",\"kind\":\"new_build\",\"land_m2\":\"1234.5\","
           "\"pilot\":true,\"status\":\"operating\",\"leading_industry_code\":\"1713\"}");
    b = mk("{\"name\":\"导出EX-晋江旧\",\"region_code\":\"350582\",\"kind\":\"revitalized\"}");
    c = mk("{\"name\":\"导出EX-南安\",\"region_code\":\"350583\",\"kind\":\"new_build\"}");
    arch = mk("{\"name\":\"导出EX-归档\",\"region_code\":\"350582\"}");
    req_begin(&r, &P_city);
    TU_OK(pb_res_archive(&r.c, &pb_res_parks, arch, NULL, &r.e), &r.e);
    req_reset(&r);

    exports = export_audits();
    TU_OK(export_qs(&r, "name=导出EX&sort=id", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_int_equal(d->ncols, (int)PB_ARRAY_LEN(header));
    for (size_t i = 0; i < PB_ARRAY_LEN(header); i++)
        assert_string_equal(d->header[i], header[i]);
    assert_int_equal(d->nrows, 3); /* the archived one is not there */
    snprintf(t, sizeof t, "%lld", (long long)a);
    assert_string_equal(d->cells[0][0], t);
    assert_string_equal(d->cells[0][1], "导出EX-晋江新");
    assert_string_equal(d->cells[0][2], "晋江市");
    assert_string_equal(d->cells[0][3], "新建");
    assert_string_equal(d->cells[0][4], "1713 棉印染精加工");
    assert_string_equal(d->cells[0][6], "1234.50");
    assert_string_equal(d->cells[0][12], "运营中");
    assert_string_equal(d->cells[0][14], "是");
    assert_string_equal(d->cells[1][3], "盘活");
    assert_string_equal(d->cells[1][14], "否");
    assert_string_equal(d->cells[2][2], "南安市");
    assert_true(csv_has_cell(d, 1, "导出EX-南安"));
    assert_false(csv_has_cell(d, 1, "导出EX-归档"));
    /* each export is audited with its row count */
    assert_int_equal(export_audits(), exports + 1);
    tu_qtext(tu.db, changes, sizeof changes,
             "SELECT changes FROM audit WHERE action = 'export' AND resource = 'parks' ORDER BY id DESC LIMIT 1",
             NULL);
    assert_string_equal(changes, "{\"format\":\"csv\",\"rows\":3}");
    req_end(&r);

    /* a county user's export holds its county only */
    req_begin(&r, &P_r582);
    TU_OK(export_qs(&r, "name=导出EX", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_int_equal(d->nrows, 2);
    assert_true(csv_has_cell(d, 1, "导出EX-晋江新"));
    assert_true(csv_has_cell(d, 1, "导出EX-晋江旧"));
    {
        char *text = pb_arena_strndup(&r.a, r.out.data, r.out.len);
        assert_null(strstr(text, "南安"));
        assert_null(strstr(text, "350583"));
    }
    /* even when it asks for the other county by filter */
    req_reset(&r);
    TU_OK(export_qs(&r, "region_code=350583", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_int_equal(d->nrows, 0);
    req_end(&r);
    /* include_archived and filters apply */
    req_begin(&r, &P_city);
    TU_OK(export_qs(&r, "name=导出EX&include_archived=1&kind=new_build", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_int_equal(d->nrows, 2);
    (void)b;
    (void)c;
    /* a cell that a spreadsheet would run as a formula is defused */
    req_reset(&r);
    mk("{\"name\":\"=导出EX-公式\",\"region_code\":\"350582\"}");
    TU_OK(export_qs(&r, "name=导出EX-公式", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_int_equal(d->nrows, 1);
    assert_string_equal(d->cells[0][1], "'=导出EX-公式");
    req_end(&r);
    /* English headers */
    req_begin(&r, &P_city);
    r.c.lang_en = 1;
    TU_OK(export_qs(&r, "name=导出EX-晋江新", PB_EXPORT_CSV), &r.e);
    parse_csv(&r.out, d);
    assert_string_equal(d->header[1], "Park name");
    assert_string_equal(d->cells[0][3], "New build");
    req_end(&r);
    free(d);
}

static void test_export_xlsx(void **state)
{
    struct req r;
    int64_t exports;
    char changes[256];
    (void)state;
    mk("{\"name\":\"表格XL-1\",\"region_code\":\"350582\",\"land_m2\":\"10.5\",\"lng\":\"118.1\",\"lat\":\"24.9\"}");
    mk("{\"name\":\"表格XL-2\",\"region_code\":\"350583\",\"kind\":\"revitalized\"}");
    exports = export_audits();
    req_begin(&r, &P_viewer);
    TU_OK(export_qs(&r, "name=表格XL", PB_EXPORT_XLSX), &r.e);
    assert_true(r.out.len > 1000);
    assert_memory_equal(r.out.data, "PK", 2);
    assert_int_equal(export_audits(), exports + 1);
    tu_qtext(tu.db, changes, sizeof changes,
             "SELECT changes FROM audit WHERE action = 'export' AND resource = 'parks' ORDER BY id DESC LIMIT 1",
             NULL);
    assert_string_equal(changes, "{\"format\":\"xlsx\",\"rows\":2}");
    req_end(&r);
    /* an empty result is still a workbook */
    req_begin(&r, &P_r582);
    TU_OK(export_qs(&r, "name=表格XL-无此园", PB_EXPORT_XLSX), &r.e);
    assert_true(r.out.len > 1000);
    assert_memory_equal(r.out.data, "PK", 2);
    req_end(&r);
    /* roles without export */
    req_begin(&r, &P_auditor);
    TU_EXPECT(export_qs(&r, "name=表格XL", PB_EXPORT_XLSX), PB_E_FORBIDDEN, &r.e, NULL, NULL);
    assert_int_equal(r.out.len, 0);
    assert_int_equal(r.c.denied.set, 1);
    assert_string_equal(r.c.denied.action, "export");
    req_end(&r);
    assert_int_equal(export_audits(), exports + 2);
}

/* The system principal (CLI) may do everything and is audited as "system". */
static void test_system_principal(void **state)
{
    struct req r;
    int64_t id = 0, v = 0;
    char tag[48];
    (void)state;
    req_begin(&r, &pb_principal_system);
    TU_OK(create_text(&r, "{\"name\":\"系统SY-1\",\"region_code\":\"350505\"}", &id), &r.e);
    audit_check_one("create", id, "350505", "system", "system");
    etag(id, 1, tag);
    TU_OK(patch_text(&r, id, "{\"name\":\"系统SY-2\"}", tag, &v), &r.e);
    assert_int_equal(v, 2);
    audit_check_one("update", id, "350505", "system", "system");
    req_reset(&r);
    TU_OK(pb_res_archive(&r.c, &pb_res_parks, id, NULL, &r.e), &r.e);
    audit_check_one("archive", id, "350505", "system", "system");
    req_end(&r);
    {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)id);
        assert_int_equal(tu_qint(tu.db, "SELECT created_by FROM park WHERE id = ?", t, NULL), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_read_back),
        cmocka_unit_test(test_create_computed),
        cmocka_unit_test(test_create_validation),
        cmocka_unit_test(test_create_text_length_counts_characters),
        cmocka_unit_test(test_create_out_of_scope),
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_list_sort),
        cmocka_unit_test(test_list_paging),
        cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_list_parse_limits_count_characters),
        cmocka_unit_test(test_search_non_ascii_exact_text),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_operator_patch_unchanged_region),
        cmocka_unit_test(test_archive),
        cmocka_unit_test(test_export_csv),
        cmocka_unit_test(test_export_xlsx),
        cmocka_unit_test(test_system_principal),
    };
    return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
