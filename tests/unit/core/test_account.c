/* test_account.c: roles and the policy table, password rules and hashing, accounts and their
 * scopes, sessions (login, resolve, logout, idle and absolute expiry, password change) and
 * login throttling (src/domain/account.c). Runs on PB_TEST_DB_URL (SQLite or PostgreSQL), else
 * a temporary SQLite file. Argon2id costs ~165 ms per hash or verify, so the suite does fewer
 * than 40 of them; every test makes its own accounts with names no other test uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include "core/util/crypto.h"

#define T0 1790000000000LL /* 2026-09-21, a fixed clock for the session tests */

static int64_t saved_idle, saved_abs, saved_window;
static int saved_fail_account, saved_fail_addr;

static int setup(void **state)
{
    (void)state;
    saved_idle = pb_session_idle_ms;
    saved_abs = pb_session_absolute_ms;
    saved_window = pb_login_window_ms;
    saved_fail_account = pb_login_max_fail_account;
    saved_fail_addr = pb_login_max_fail_addr;
    return tu_setup("account");
}

static int teardown(void **state)
{
    (void)state;
    return tu_teardown();
}

/* Each test starts from the default settings, the real clock and no throttling state. */
static int test_setup(void **state)
{
    (void)state;
    pb_session_idle_ms = saved_idle;
    pb_session_absolute_ms = saved_abs;
    pb_login_window_ms = saved_window;
    pb_login_max_fail_account = saved_fail_account;
    pb_login_max_fail_addr = saved_fail_addr;
    pb_clock_set(0);
    pb_throttle_reset();
    return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, test_setup, test_setup)

struct sys {
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
};

static void sys_begin(struct sys *s)
{
    pb_arena_init(&s->a);
    tu_ctx(&s->c, tu.db, &s->a, &pb_principal_system);
    pb_err_clear(&s->e);
}

static void sys_end(struct sys *s)
{
    pb_arena_release(&s->a);
}

static int64_t create_user(const char *username, enum pb_role role, const char *const *regions, int nregions,
                           const char *password, int must_change)
{
    struct sys s;
    int64_t id = 0;
    sys_begin(&s);
    TU_OK(pb_account_create(&s.c, username, "测试用户", role, regions, nregions, NULL, 0, password, must_change,
                            &id, &s.e),
          &s.e);
    assert_true(id > 0);
    sys_end(&s);
    return id;
}

/* Insert an account without hashing (for tests that only load it). */
static int64_t insert_account(const char *username, const char *role)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO account (username, display_name, role, password_hash, must_change_password, "
             "created_at, updated_at) VALUES ('%s', '', '%s', 'x', 0, 1, 1)",
             username, role);
    tu_exec_ok(tu.db, sql);
    return tu_qint(tu.db, "SELECT id FROM account WHERE username = ?", username, NULL);
}

static void insert_scope(int64_t account, const char *region, int64_t park)
{
    char sql[256];
    if (region)
        snprintf(sql, sizeof sql, "INSERT INTO account_scope (account_id, region_code) VALUES (%lld, '%s')",
                 (long long)account, region);
    else
        snprintf(sql, sizeof sql, "INSERT INTO account_scope (account_id, park_id) VALUES (%lld, %lld)",
                 (long long)account, (long long)park);
    tu_exec_ok(tu.db, sql);
}

/* A session made directly (no argon2 cost), as a login at the current clock would make it. */
static void insert_session(int64_t account_id, char token[PB_TOKEN_LEN + 1])
{
    char th[65], sql[512];
    int64_t now = pb_now_ms();
    assert_int_equal(pb_random_token(32, token, PB_TOKEN_LEN + 1), 0);
    assert_int_equal(strlen(token), PB_TOKEN_LEN);
    pb_sha256_hex(token, strlen(token), th);
    snprintf(sql, sizeof sql,
             "INSERT INTO session (token_hash, account_id, created_at, last_seen_at, expires_at, client_addr) "
             "VALUES ('%s', %lld, %lld, %lld, %lld, 'test')",
             th, (long long)account_id, (long long)now, (long long)now, (long long)(now + pb_session_absolute_ms));
    tu_exec_ok(tu.db, sql);
}

/* A login from `addr` at the current (possibly fixed) clock. */
static int login(const char *username, const char *password, const char *addr, struct pb_login_result *out,
                 struct pb_err *e)
{
    struct pb_arena a;
    struct pb_ctx c;
    int rc;
    pb_arena_init(&a);
    tu_ctx(&c, tu.db, &a, &pb_principal_anonymous);
    c.client_addr = addr;
    pb_err_clear(e);
    rc = pb_session_login(&c, username, password, out, e);
    pb_arena_release(&a);
    return rc;
}

static void login_ok(const char *username, const char *password, struct pb_login_result *out)
{
    struct pb_err e;
    TU_OK(login(username, password, "10.1.1.1", out, &e), &e);
}

static int64_t audit_rows(const char *action, const char *username, const char *object_id, const char *result)
{
    return tu_qint(tu.db,
                   "SELECT COUNT(*) FROM audit WHERE action = ? AND username = ? AND object_id = ? AND result = ?",
                   action, username, object_id, result, NULL);
}

static const char *idtxt(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)id);
    return buf;
}

/* ---- passwords ---- */

static void test_password_check(void **state)
{
    struct pb_err e;
    char longpw[200];
    (void)state;
#define PW(user, pw, want_rc, code)                                                                                \
    do {                                                                                                           \
        pb_err_clear(&e);                                                                                          \
        TU_EXPECT(pb_password_check(user, pw, NULL, &e), want_rc, &e, (want_rc) ? "password" : NULL, code);        \
    } while (0)
    PW("zhangsan", "Ab1-xyz", PB_E_INVALID, "too_short");
    PW("zhangsan", "Ab1-xyzuv", PB_E_INVALID, "too_short"); /* 9 */
    PW("zhangsan", "Ab1-xyzuvw", 0, NULL);                  /* 10 */
    PW("zhangsan", "", PB_E_INVALID, "too_short");
    /* length is in characters: 9 Chinese characters are 27 bytes but too short */
    PW("zhangsan", "园区大脑园区大脑1", PB_E_INVALID, "too_short");
    PW("zhangsan", "园区大脑园区大脑园1", 0, NULL);
    PW("zhangsan", "园区大脑园区大脑园区", PB_E_INVALID, "too_simple"); /* one class: symbols */
    PW("zhangsan", "abcdefghijkl", PB_E_INVALID, "too_simple");
    PW("zhangsan", "ABCDEFGHIJKL", PB_E_INVALID, "too_simple");
    PW("zhangsan", "123456789012", PB_E_INVALID, "too_simple");
    PW("zhangsan", "!@#$%^&*()_+", PB_E_INVALID, "too_simple");
    PW("zhangsan", "abcdefghijk1", 0, NULL);
    PW("zhangsan", "Park-Brain-2026", 0, NULL);
    /* not containing the user name, in any case */
    PW("zhangsan", "my-zhangsan-99", PB_E_INVALID, "contains_username");
    PW("zhangsan", "XXZhangSan123", PB_E_INVALID, "contains_username");
    PW("ZhangSan", "xxzhangsan123", PB_E_INVALID, "contains_username");
    PW("li", "li-Password-1", 0, NULL); /* names under 3 characters are not checked */
    /* too long */
    memset(longpw, 'a', 129);
    longpw[0] = 'A';
    longpw[129] = 0;
    PW("zhangsan", longpw, PB_E_INVALID, "too_long");
    longpw[128] = 0;
    PW("zhangsan", longpw, 0, NULL);
    /* invalid UTF-8 */
    PW("zhangsan", "Abcdefghij\xff", PB_E_INVALID, "invalid_utf8");
    /* the field name can be chosen */
    pb_err_clear(&e);
    TU_EXPECT(pb_password_check("u1", "short", "new_password", &e), PB_E_INVALID, &e, "new_password", "too_short");
#undef PW
}

static void test_password_hash_verify(void **state)
{
    char h[128];
    (void)state;
    assert_int_equal(pb_password_hash("Park-Brain-2026", h), 0);
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_null(strstr(h, "Park-Brain-2026"));
    assert_int_equal(pb_password_verify(h, "Park-Brain-2026"), 1);
    assert_int_equal(pb_password_verify(h, "park-brain-2026"), 0);
    assert_int_equal(pb_password_verify("not a hash", "Park-Brain-2026"), 0);
    {
        char r1[32], r2[32];
        struct pb_err e;
        pb_password_random(r1);
        pb_password_random(r2);
        assert_int_equal(strlen(r1), 16);
        assert_string_not_equal(r1, r2);
        pb_err_clear(&e);
        TU_OK(pb_password_check("someone", r1, NULL, &e), &e);
        assert_null(strpbrk(r1, "0O1lI"));
    }
}

/* ---- accounts ---- */

static void test_account_create_validation(void **state)
{
    struct sys s;
    int64_t id = -1, before;
    const char *bad_regions[] = {"350599"};
    const char *regions[] = {"350582"};
    char buf[24], changes[512];
    (void)state;
    sys_begin(&s);
    before = tu_qint(tu.db, "SELECT COUNT(*) FROM account", NULL);
#define BAD(user, role, regs, nregs, pw, want_rc, field, code)                                                      \
    do {                                                                                                            \
        pb_err_clear(&s.e);                                                                                         \
        TU_EXPECT(pb_account_create(&s.c, user, "", role, regs, nregs, NULL, 0, pw, 1, &id, &s.e), want_rc, &s.e,   \
                  field, code);                                                                                     \
    } while (0)
    BAD("Ab", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username", "format");
    BAD("ab", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username", "format");
    BAD("1abc", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username", "format");
    BAD("Zhang", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username", "format");
    BAD("zhang san", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username", "format");
    BAD("abcdefghijklmnopqrstuvwxyz0123456", PB_ROLE_CITY, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "username",
        "format"); /* 33 */
    BAD("acc_norole", PB_ROLE_NONE, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "role", "unknown_role");
    BAD("acc_system", PB_ROLE_SYSTEM, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "role", "unknown_role");
    BAD("acc_noregion", PB_ROLE_REGION, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "regions", "required");
    BAD("acc_badregion", PB_ROLE_REGION, bad_regions, 1, "Park-Brain-2026", PB_E_INVALID, "regions",
        "unknown_region");
    BAD("acc_nopark", PB_ROLE_OPERATOR, NULL, 0, "Park-Brain-2026", PB_E_INVALID, "parks", "required");
    BAD("acc_weak", PB_ROLE_CITY, NULL, 0, "short", PB_E_INVALID, "password", "too_short");
    BAD("acc_weak", PB_ROLE_CITY, NULL, 0, "acc_weak-2026", PB_E_INVALID, "password", "contains_username");
    assert_int_equal(id, -1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM account", NULL), before);

    /* a good one, audited with its scope */
    pb_err_clear(&s.e);
    TU_OK(pb_account_create(&s.c, "acc_jinjiang", "晋江园区办", PB_ROLE_REGION, regions, 1, NULL, 0,
                            "Park-Brain-2026", 1, &id, &s.e),
          &s.e);
    assert_true(id > 0);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM account WHERE username = 'acc_jinjiang' AND role = 'region' "
                                    "AND must_change_password = 1 AND disabled = 0",
                             NULL),
                     1);
    assert_int_equal(audit_rows("create", "system", idtxt(id, buf), "ok"), 1);
    tu_qtext(tu.db, changes, sizeof changes,
             "SELECT changes FROM audit WHERE action = 'create' AND resource = 'accounts' AND object_id = ?", buf,
             NULL);
    {
        json_t *j = tu_json(changes), *want = tu_json("{\"username\":\"acc_jinjiang\",\"role\":\"region\","
                                                      "\"regions\":[\"350582\"],\"parks\":[]}");
        assert_true(json_equal(j, want));
        assert_null(strstr(changes, "Park-Brain")); /* never the password */
        json_decref(j);
        json_decref(want);
    }
    /* the stored hash is argon2id, never the password */
    tu_qtext(tu.db, changes, sizeof changes, "SELECT password_hash FROM account WHERE id = ?", buf, NULL);
    assert_int_equal(strncmp(changes, "$argon2id$", 10), 0);
    /* the same name again: 409 on username */
    BAD("acc_jinjiang", PB_ROLE_CITY, NULL, 0, "Other-Pass-2026", PB_E_CONFLICT, "username", "taken");
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM account WHERE username = 'acc_jinjiang'", NULL), 1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM account", NULL), before + 1);
#undef BAD
    sys_end(&s);
}

static void test_account_load_scopes(void **state)
{
    struct pb_principal p;
    const char *regions[] = {"350583", "350582"};
    int64_t id;
    (void)state;
    /* through pb_account_create: a county user with two counties */
    id = create_user("load_region2", PB_ROLE_REGION, regions, 2, "Park-Brain-2026", 0);
    TU_OK(pb_account_load(tu.db, id, &p), &(struct pb_err){0});
    assert_int_equal(p.account_id, id);
    assert_string_equal(p.username, "load_region2");
    assert_int_equal(p.role, PB_ROLE_REGION);
    assert_int_equal(p.all_regions, 0);
    assert_int_equal(p.nregions, 2);
    assert_string_equal(p.regions[0], "350582");
    assert_string_equal(p.regions[1], "350583");
    assert_int_equal(p.nparks, 0);
    assert_int_equal(p.must_change_password, 0);
    assert_true(pb_principal_region_ok(&p, "350582"));
    assert_true(pb_principal_region_ok(&p, "350583"));
    assert_false(pb_principal_region_ok(&p, "350581"));
    assert_false(pb_principal_region_ok(&p, NULL));
    assert_false(pb_principal_by_park(&p));

    /* city: every region */
    id = insert_account("load_city", "city");
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.role, PB_ROLE_CITY);
    assert_int_equal(p.all_regions, 1);
    assert_int_equal(p.nregions, 0);
    assert_true(pb_principal_region_ok(&p, "350581"));

    /* a county user scoped to the city (350500) gets every region */
    id = insert_account("load_region_city", "region");
    insert_scope(id, "350500", 0);
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.role, PB_ROLE_REGION);
    assert_int_equal(p.all_regions, 1);
    assert_true(pb_principal_region_ok(&p, "350583"));

    /* viewers and auditors are city-wide; operators go by park */
    id = insert_account("load_viewer", "viewer");
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.all_regions, 1);
    id = insert_account("load_auditor", "auditor");
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.role, PB_ROLE_AUDITOR);
    assert_int_equal(p.all_regions, 1);
    id = insert_account("load_operator", "operator");
    insert_scope(id, NULL, 9);
    insert_scope(id, NULL, 7);
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.all_regions, 0);
    assert_int_equal(p.nregions, 0);
    assert_int_equal(p.nparks, 2);
    assert_int_equal(p.parks[0], 7);
    assert_int_equal(p.parks[1], 9);
    assert_true(pb_principal_by_park(&p));
    assert_true(pb_principal_park_ok(&p, 9));
    assert_false(pb_principal_park_ok(&p, 8));

    /* absent, disabled or with an unknown role: not found */
    assert_int_equal(pb_account_load(tu.db, 987654321, &p), PB_E_NOT_FOUND);
    tu_exec_ok(tu.db, "UPDATE account SET disabled = 1 WHERE username = 'load_viewer'");
    assert_int_equal(pb_account_load(tu.db, tu_qint(tu.db, "SELECT id FROM account WHERE username = 'load_viewer'",
                                                    NULL),
                                     &p),
                     PB_E_NOT_FOUND);
    id = insert_account("load_badrole", "overlord");
    assert_int_equal(pb_account_load(tu.db, id, &p), PB_E_NOT_FOUND);
    id = insert_account("load_sysrole", "system"); /* "system" is not a role an account can hold */
    assert_int_equal(pb_account_load(tu.db, id, &p), PB_E_NOT_FOUND);
}

/* ---- sessions ---- */

static int is_b64url(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
              *s == '_'))
            return 0;
    return 1;
}

static void test_login(void **state)
{
    struct pb_login_result res, res2;
    struct pb_err e, e2;
    struct pb_principal p;
    int64_t id;
    char buf[24], th[65];
    (void)state;
    id = create_user("login_ok", PB_ROLE_CITY, NULL, 0, "Login-Pass-2026", 1);
    login_ok("login_ok", "Login-Pass-2026", &res);
    assert_int_equal(strlen(res.token), PB_TOKEN_LEN);
    assert_int_equal(PB_TOKEN_LEN, 43);
    assert_true(is_b64url(res.token));
    assert_int_equal(res.who.account_id, id);
    assert_string_equal(res.who.username, "login_ok");
    assert_int_equal(res.who.role, PB_ROLE_CITY);
    assert_int_equal(res.who.must_change_password, 1);
    assert_int_equal(res.who.all_regions, 1);
    assert_int_equal(audit_rows("login", "login_ok", idtxt(id, buf), "ok"), 1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM audit WHERE action = 'login' AND username = 'login_ok' "
                                    "AND resource = 'session' AND client_addr = '10.1.1.1'",
                             NULL),
                     1);
    /* only the token's SHA-256 is stored */
    pb_sha256_hex(res.token, strlen(res.token), th);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE token_hash = ? AND account_id = ?", th, buf,
                             NULL),
                     1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE token_hash = ?", res.token, NULL), 0);
    assert_int_equal(pb_session_resolve(tu.db, res.token, pb_now_ms(), &p), 0);
    assert_int_equal(p.account_id, id);

    /* wrong password: 401, audited under the attempted name */
    TU_EXPECT(login("login_ok", "Wrong-Pass-2026", "10.1.1.1", &res2, &e), PB_E_UNAUTH, &e, NULL, NULL);
    assert_int_equal(res2.token[0], 0);
    assert_int_equal(res2.who.account_id, 0);
    assert_int_equal(audit_rows("login_failed", "login_ok", buf, "failed"), 1);
    /* unknown user: the same answer, audited with the name tried */
    TU_EXPECT(login("login_nobody", "Login-Pass-2026", "10.1.1.1", &res2, &e2), PB_E_UNAUTH, &e2, NULL, NULL);
    assert_string_equal(e.detail_en, e2.detail_en);
    assert_string_equal(e.detail_zh, e2.detail_zh);
    assert_int_equal(audit_rows("login_failed", "login_nobody", "", "failed"), 1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE account_id = ?", buf, NULL), 1);
    /* a disabled account cannot log in, even with its password, and its sessions stop working */
    tu_exec_ok(tu.db, "UPDATE account SET disabled = 1 WHERE username = 'login_ok'");
    TU_EXPECT(login("login_ok", "Login-Pass-2026", "10.1.1.1", &res2, &e), PB_E_UNAUTH, &e, NULL, NULL);
    assert_int_equal(res2.token[0], 0);
    assert_int_equal(pb_session_resolve(tu.db, res.token, pb_now_ms(), &p), PB_E_UNAUTH);
}

static void test_throttle(void **state)
{
    struct pb_login_result res;
    struct pb_err e;
    int64_t a_id;
    char buf[24];
    (void)state;
    pb_clock_set(T0);
    pb_login_max_fail_account = 3;
    pb_login_max_fail_addr = 3;
    pb_throttle_reset();
    a_id = create_user("thr_alice", PB_ROLE_CITY, NULL, 0, "Alice-Pass-2026", 0);
    create_user("thr_bob", PB_ROLE_CITY, NULL, 0, "Bob-Pass-2026", 0);
    for (int i = 0; i < 3; i++) {
        TU_EXPECT(login("thr_alice", "Wrong-Pass-2026", "10.9.9.9", &res, &e), PB_E_UNAUTH, &e, NULL, NULL);
        pb_clock_advance(1000);
    }
    /* locked: even the right password, from another address, is refused with Retry-After */
    TU_EXPECT(login("thr_alice", "Alice-Pass-2026", "10.8.8.8", &res, &e), PB_E_THROTTLED, &e, NULL, NULL);
    assert_true(e.retry_after > 0);
    assert_true(e.retry_after <= 30);
    assert_int_equal(res.token[0], 0);
    assert_int_equal(audit_rows("login_throttled", "thr_alice", "", "denied"), 1);
    assert_int_equal(audit_rows("login", "thr_alice", idtxt(a_id, buf), "ok"), 0);
    /* the failing address is throttled for every name; another user elsewhere is not */
    TU_EXPECT(login("thr_bob", "Bob-Pass-2026", "10.9.9.9", &res, &e), PB_E_THROTTLED, &e, NULL, NULL);
    assert_true(e.retry_after > 30);
    TU_OK(login("thr_bob", "Bob-Pass-2026", "10.8.8.8", &res, &e), &e);
    assert_int_equal(strlen(res.token), PB_TOKEN_LEN);

    /* after the lock: a further failure locks for twice as long */
    pb_clock_advance(31000);
    TU_EXPECT(login("thr_alice", "Wrong-Pass-2026", "10.8.8.8", &res, &e), PB_E_UNAUTH, &e, NULL, NULL);
    TU_EXPECT(login("thr_alice", "Alice-Pass-2026", "10.8.8.8", &res, &e), PB_E_THROTTLED, &e, NULL, NULL);
    assert_true(e.retry_after > 30);
    assert_true(e.retry_after <= 60);
    pb_clock_advance(61000);
    TU_OK(login("thr_alice", "Alice-Pass-2026", "10.8.8.8", &res, &e), &e);
    assert_int_equal(res.who.account_id, a_id);
    assert_int_equal(audit_rows("login", "thr_alice", buf, "ok"), 1);
    assert_int_equal(audit_rows("login_failed", "thr_alice", buf, "failed"), 4);
}

/* The throttle keys accounts by name whatever its length (pb_session_login takes any string;
 * only the HTTP layer caps it at 64 bytes): a long name is throttled like a short one. */
static void test_throttle_long_username(void **state)
{
    struct pb_login_result res;
    struct pb_err e;
    char name[301];
    (void)state;
    pb_clock_set(T0);
    pb_login_max_fail_account = 1;
    pb_throttle_reset();
    memset(name, 'n', 300);
    name[300] = 0;
    TU_EXPECT(login(name, "Wrong-Pass-2026", "10.7.7.1", &res, &e), PB_E_UNAUTH, &e, NULL, NULL);
    pb_clock_advance(1000);
    TU_EXPECT(login(name, "Wrong-Pass-2026", "10.7.7.2", &res, &e), PB_E_THROTTLED, &e, NULL, NULL);
    assert_true(e.retry_after > 0);
}

static void test_resolve_logout(void **state)
{
    struct pb_login_result r1, r2;
    struct pb_principal p;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    int64_t id;
    char buf[24], bad[PB_TOKEN_LEN + 2];
    (void)state;
    id = create_user("sess_user", PB_ROLE_VIEWER, NULL, 0, "Sess-Pass-2026", 0);
    login_ok("sess_user", "Sess-Pass-2026", &r1);
    insert_session(id, r2.token); /* a second session, e.g. another browser */
    assert_string_not_equal(r1.token, r2.token);
    assert_int_equal(pb_session_resolve(tu.db, r1.token, pb_now_ms(), &p), 0);
    assert_int_equal(p.account_id, id);
    assert_string_equal(p.username, "sess_user");
    assert_int_equal(p.role, PB_ROLE_VIEWER);
    /* unknown, malformed and absent tokens */
    pb_strlcpy(bad, r1.token, sizeof bad);
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    assert_int_equal(pb_session_resolve(tu.db, bad, pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(pb_session_resolve(tu.db, "short", pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(pb_session_resolve(tu.db, "", pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(pb_session_resolve(tu.db, NULL, pb_now_ms(), &p), PB_E_UNAUTH);
    pb_strlcpy(bad, r1.token, sizeof bad);
    bad[PB_TOKEN_LEN] = 'x';
    bad[PB_TOKEN_LEN + 1] = 0;
    assert_int_equal(pb_session_resolve(tu.db, bad, pb_now_ms(), &p), PB_E_UNAUTH);

    /* logout ends this session only */
    pb_arena_init(&a);
    tu_ctx(&c, tu.db, &a, &r1.who);
    pb_err_clear(&e);
    TU_OK(pb_session_logout(&c, r1.token, &e), &e);
    pb_arena_release(&a);
    assert_int_equal(pb_session_resolve(tu.db, r1.token, pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(pb_session_resolve(tu.db, r2.token, pb_now_ms(), &p), 0);
    assert_int_equal(audit_rows("logout", "sess_user", idtxt(id, buf), "ok"), 1);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE account_id = ?", buf, NULL), 1);
}

static void test_session_expiry(void **state)
{
    struct pb_login_result r1, r2;
    struct pb_principal p;
    (void)state;
    pb_clock_set(T0);
    pb_session_idle_ms = 60000;
    pb_session_absolute_ms = 100000;
    create_user("idle_user", PB_ROLE_CITY, NULL, 0, "Idle-Pass-2026", 0);
    login_ok("idle_user", "Idle-Pass-2026", &r1);
    /* use slides the idle expiry */
    pb_clock_advance(30000);
    assert_int_equal(pb_session_resolve(tu.db, r1.token, pb_now_ms(), &p), 0);
    pb_clock_advance(55000); /* 85 s after login, 55 s after last use */
    assert_int_equal(pb_session_resolve(tu.db, r1.token, pb_now_ms(), &p), 0);
    assert_string_equal(p.username, "idle_user");
    /* idle longer than pb_session_idle_ms: gone */
    pb_clock_advance(60001);
    assert_int_equal(pb_session_resolve(tu.db, r1.token, pb_now_ms(), &p), PB_E_UNAUTH);
    /* and it stays gone even if asked about at an earlier time */
    assert_int_equal(pb_session_resolve(tu.db, r1.token, T0 + 1000, &p), PB_E_UNAUTH);

    /* the absolute limit ends a session however busy it is */
    pb_session_idle_ms = 60000;
    login_ok("idle_user", "Idle-Pass-2026", &r2);
    pb_clock_advance(45000);
    assert_int_equal(pb_session_resolve(tu.db, r2.token, pb_now_ms(), &p), 0);
    pb_clock_advance(45000);
    assert_int_equal(pb_session_resolve(tu.db, r2.token, pb_now_ms(), &p), 0);
    pb_clock_advance(10000); /* exactly at expires_at: still valid */
    assert_int_equal(pb_session_resolve(tu.db, r2.token, pb_now_ms(), &p), 0);
    pb_clock_advance(1); /* 100.001 s after login, 10.001 s after last use */
    assert_int_equal(pb_session_resolve(tu.db, r2.token, pb_now_ms(), &p), PB_E_UNAUTH);
}

static void test_change_password(void **state)
{
    struct pb_login_result ra, rb, rc2;
    struct pb_principal p;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    int64_t id;
    char buf[24];
    (void)state;
    id = create_user("chpw_user", PB_ROLE_CITY, NULL, 0, "First-Pass-2026", 1);
    login_ok("chpw_user", "First-Pass-2026", &ra);
    login_ok("chpw_user", "First-Pass-2026", &rb);
    assert_int_equal(ra.who.must_change_password, 1);
    pb_arena_init(&a);
    tu_ctx(&c, tu.db, &a, &ra.who);
    /* wrong current password */
    pb_err_clear(&e);
    TU_EXPECT(pb_session_change_password(&c, ra.token, "Wrong-Pass-2026", "Second-Pass-2026", &e), PB_E_INVALID, &e,
              "current_password", "wrong");
    assert_false(tu_has_field(&e, "new_password", NULL));
    /* the new one equal to the current one */
    pb_err_clear(&e);
    TU_EXPECT(pb_session_change_password(&c, ra.token, "First-Pass-2026", "First-Pass-2026", &e), PB_E_INVALID, &e,
              "new_password", "unchanged");
    assert_false(tu_has_field(&e, "current_password", NULL));
    /* the new one breaking the rules */
    pb_err_clear(&e);
    TU_EXPECT(pb_session_change_password(&c, ra.token, "First-Pass-2026", "chpw_user-2026", &e), PB_E_INVALID, &e,
              "new_password", "contains_username");
    assert_int_equal(audit_rows("password_change", "chpw_user", idtxt(id, buf), "ok"), 0);
    assert_int_equal(pb_session_resolve(tu.db, rb.token, pb_now_ms(), &p), 0);
    assert_int_equal(p.must_change_password, 1);
    /* success */
    pb_err_clear(&e);
    TU_OK(pb_session_change_password(&c, ra.token, "First-Pass-2026", "Second-Pass-2026", &e), &e);
    pb_arena_release(&a);
    assert_int_equal(audit_rows("password_change", "chpw_user", buf, "ok"), 1);
    /* this session goes on, without the must-change flag; the other one is over */
    assert_int_equal(pb_session_resolve(tu.db, ra.token, pb_now_ms(), &p), 0);
    assert_int_equal(p.must_change_password, 0);
    assert_int_equal(pb_session_resolve(tu.db, rb.token, pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE account_id = ?", buf, NULL), 1);
    /* the old password no longer works, the new one does */
    TU_EXPECT(login("chpw_user", "First-Pass-2026", "10.1.1.2", &rc2, &e), PB_E_UNAUTH, &e, NULL, NULL);
    login_ok("chpw_user", "Second-Pass-2026", &rc2);
    assert_int_equal(rc2.who.must_change_password, 0);
}

static void test_set_password(void **state)
{
    struct { char token[PB_TOKEN_LEN + 1]; } r;
    struct pb_principal p;
    struct sys s;
    int64_t id;
    char buf[24];
    (void)state;
    id = create_user("setpw_user", PB_ROLE_CITY, NULL, 0, "Setpw-Pass-2026", 0);
    insert_session(id, r.token);
    sys_begin(&s);
    /* rules apply, and nothing is hashed or changed when they fail */
    TU_EXPECT(pb_account_set_password(&s.c, "setpw_user", "short", 1, &s.e), PB_E_INVALID, &s.e, "password",
              "too_short");
    assert_int_equal(pb_session_resolve(tu.db, r.token, pb_now_ms(), &p), 0);
    pb_err_clear(&s.e);
    TU_OK(pb_account_set_password(&s.c, "setpw_user", "Reset-Pass-2026", 1, &s.e), &s.e);
    sys_end(&s);
    /* every session of the account ends; the account must change the password again */
    assert_int_equal(pb_session_resolve(tu.db, r.token, pb_now_ms(), &p), PB_E_UNAUTH);
    assert_int_equal(tu_qint(tu.db, "SELECT COUNT(*) FROM session WHERE account_id = ?", idtxt(id, buf), NULL), 0);
    assert_int_equal(pb_account_load(tu.db, id, &p), 0);
    assert_int_equal(p.must_change_password, 1);
    assert_int_equal(audit_rows("password_set", "system", buf, "ok"), 1);
}

/* ---- the policy table ---- */

static void test_policy(void **state)
{
    struct pb_buf b;
    json_t *j;
    static const char *const acts[] = {"", "read", "create", "update", "archive", "export"};
    (void)state;
    /* auditors read the audit log, not parks */
    assert_false(pb_policy_allows(PB_ROLE_AUDITOR, "parks", PB_ACT_READ));
    assert_false(pb_policy_allows(PB_ROLE_AUDITOR, "parks", PB_ACT_EXPORT));
    assert_true(pb_policy_allows(PB_ROLE_AUDITOR, "audit", PB_ACT_READ));
    assert_true(pb_policy_allows(PB_ROLE_AUDITOR, "audit", PB_ACT_EXPORT));
    assert_false(pb_policy_allows(PB_ROLE_AUDITOR, "audit", PB_ACT_UPDATE));
    assert_false(pb_policy_allows(PB_ROLE_AUDITOR, "audit", PB_ACT_ARCHIVE));
    /* viewers read and export parks, nothing else */
    assert_true(pb_policy_allows(PB_ROLE_VIEWER, "parks", PB_ACT_READ));
    assert_true(pb_policy_allows(PB_ROLE_VIEWER, "parks", PB_ACT_EXPORT));
    assert_false(pb_policy_allows(PB_ROLE_VIEWER, "parks", PB_ACT_CREATE));
    assert_false(pb_policy_allows(PB_ROLE_VIEWER, "parks", PB_ACT_UPDATE));
    assert_false(pb_policy_allows(PB_ROLE_VIEWER, "parks", PB_ACT_ARCHIVE));
    assert_false(pb_policy_allows(PB_ROLE_VIEWER, "audit", PB_ACT_READ));
    /* operators update their parks, never create or archive */
    assert_true(pb_policy_allows(PB_ROLE_OPERATOR, "parks", PB_ACT_READ));
    assert_true(pb_policy_allows(PB_ROLE_OPERATOR, "parks", PB_ACT_UPDATE));
    assert_false(pb_policy_allows(PB_ROLE_OPERATOR, "parks", PB_ACT_CREATE));
    assert_false(pb_policy_allows(PB_ROLE_OPERATOR, "parks", PB_ACT_ARCHIVE));
    /* county and city offices do everything to parks; only admin manages accounts */
    for (int act = PB_ACT_READ; act <= PB_ACT_EXPORT; act++) {
        assert_true(pb_policy_allows(PB_ROLE_REGION, "parks", (enum pb_action)act));
        assert_true(pb_policy_allows(PB_ROLE_CITY, "parks", (enum pb_action)act));
        assert_true(pb_policy_allows(PB_ROLE_SYSTEM, "parks", (enum pb_action)act));
        assert_false(pb_policy_allows(PB_ROLE_NONE, "parks", (enum pb_action)act));
    }
    assert_true(pb_policy_allows(PB_ROLE_ADMIN, "accounts", PB_ACT_CREATE));
    assert_false(pb_policy_allows(PB_ROLE_CITY, "accounts", PB_ACT_READ));
    assert_false(pb_policy_allows(PB_ROLE_REGION, "audit", PB_ACT_READ));
    /* unknown keys and roles allow nothing */
    assert_false(pb_policy_allows(PB_ROLE_ADMIN, "nonexistent", PB_ACT_READ));
    assert_false(pb_policy_allows(PB_ROLE__COUNT, "parks", PB_ACT_READ));
    assert_false(pb_policy_allows((enum pb_role)99, "parks", PB_ACT_READ));
    /* the dump says the same as the function, for every role and action */
    pb_buf_init(&b, 0);
    pb_policy_dump(&b);
    j = tu_json(pb_buf_cstr(&b));
    pb_buf_release(&b);
    {
        const char *pol;
        json_t *roles;
        int npol = 0;
        json_object_foreach(j, pol, roles) {
            npol++;
            for (int role = PB_ROLE_ADMIN; role < PB_ROLE_SYSTEM; role++) {
                json_t *list = json_object_get(roles, pb_role_name((enum pb_role)role));
                assert_true(json_is_array(list));
                for (int act = PB_ACT_READ; act <= PB_ACT_EXPORT; act++) {
                    int listed = 0;
                    size_t i;
                    json_t *v;
                    json_array_foreach(list, i, v) if (!strcmp(json_string_value(v), acts[act])) listed = 1;
                    if (listed != pb_policy_allows((enum pb_role)role, pol, (enum pb_action)act))
                        fail_msg("dump and pb_policy_allows differ: %s %s %s", pol,
                                 pb_role_name((enum pb_role)role), acts[act]);
                }
            }
        }
        assert_true(npol >= 3);
    }
    json_decref(j);
    /* role names round-trip; "system" and unknown names do not parse */
    for (int role = PB_ROLE_ADMIN; role < PB_ROLE_SYSTEM; role++)
        assert_int_equal(pb_role_parse(pb_role_name((enum pb_role)role)), role);
    assert_int_equal(pb_role_parse("system"), PB_ROLE_NONE);
    assert_int_equal(pb_role_parse("Admin"), PB_ROLE_NONE);
    assert_int_equal(pb_role_parse(NULL), PB_ROLE_NONE);
    assert_string_equal(pb_role_label(PB_ROLE_REGION, 0), "县区园区办");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_password_check),
        TEST(test_password_hash_verify),
        TEST(test_account_create_validation),
        TEST(test_account_load_scopes),
        TEST(test_login),
        TEST(test_throttle),
        TEST(test_resolve_logout),
        TEST(test_session_expiry),
        TEST(test_change_password),
        TEST(test_set_password),
        TEST(test_policy),
        /* last: under ASan the bug it shows (a stack over-read) aborts the run */
        TEST(test_throttle_long_username),
    };
    return cmocka_run_group_tests_name("account", tests, setup, teardown);
}
