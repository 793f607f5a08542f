/* test_apartment.c: the talent-apartment service against one database (PB_TEST_DB_URL, else a
 * fresh SQLite file): applications with ID-number checks, review, every booking rule broken
 * once with its message, 20 concurrent bookings of the last free bed (exactly one wins),
 * check-in with the ID check and the agreement, the door code shown once to the applicant only
 * and never to staff, server-side verification inside the stay and not after an early
 * check-out (while the lock, offline, still accepts it until the booked end: the residual
 * window), no-shows, unmasking, the purge, statistics and the outbox. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/lock/lock.h"
#include "core/store/db.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

static struct {
    char url[1200];
    char dir[64];
    char files[64]; /* the data directory for uploaded files */
    struct pb_db *db;
    int64_t apt, apt2, room, room_f, bed_a, bed_b, bed_f, bed_oos, last_room, last_bed;
    int seq;
} g;

static int64_t T(const char *iso)
{
    int64_t ms;
    if (pb_iso_parse(iso, &ms))
        fail_msg("bad time %s", iso);
    return ms;
}

static void ctx_as(struct pb_ctx *c, struct pb_arena *a, struct pb_db *db,
                   const struct pb_principal *who, int64_t now)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    c->arena = a;
    c->who = who;
    c->client_addr = "test";
    c->request_id = "test";
    c->now_ms = now;
    pb_clock_set(now);
}

/* A fresh valid ID number: region 350503, birth 1995-05-05, sequence 1xx (odd = male). */
static void make_id(char out[19], int male)
{
    char first17[32];
    int s = 100 + 2 * (g.seq++) + (male ? 1 : 0);
    snprintf(first17, sizeof first17, "35050319950505%03d", s % 1000);
    memcpy(out, first17, 17);
    out[17] = pb_idnum_check_char(first17);
    out[18] = 0;
}

/* An applicant account (inserted directly: the tests need many and argon2id is slow). */
static int64_t new_applicant(struct pb_principal *p)
{
    char name[48];
    struct pb_stmt *st;
    int64_t id;
    snprintf(name, sizeof name, "appl%d", g.seq++);
    assert_int_equal(pb_db_prepare(g.db,
                                   "INSERT INTO account (username, role, password_hash, "
                                   "must_change_password, created_at, updated_at) VALUES (?, "
                                   "'applicant', 'x', 0, 0, 0) RETURNING id",
                                   &st),
                     0);
    pb_stmt_bind_text(st, 1, name);
    assert_int_equal(pb_stmt_step(st), PB_ROW);
    id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    memset(p, 0, sizeof *p);
    p->account_id = id;
    p->role = PB_ROLE_APPLICANT;
    pb_strlcpy(p->username, name, sizeof p->username);
    return id;
}

static json_t *J(const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    json_t *j;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    j = json_loads(buf, 0, NULL);
    if (!j)
        fail_msg("bad json %s", buf);
    return j;
}

static int apply(struct pb_ctx *c, int64_t apt, const char *idn, struct pb_err *err, int64_t *id)
{
    struct pb_buf out;
    json_t *b = J("{\"apartment_id\":%lld,\"name\":\"测试\",\"id_number\":\"%s\",\"phone\":"
                  "\"13812345678\",\"category\":\"graduate\",\"cert_numbers\":\"GD-2025-001\","
                  "\"purpose\":\"job_seeking\"}",
                  (long long)apt, idn);
    int rc;
    pb_buf_init(&out, 0);
    pb_err_clear(err);
    rc = pb_apt_application_create(c, b, &out, id, err);
    json_decref(b);
    pb_buf_release(&out);
    return rc;
}

static void approve(int64_t app, int64_t now)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_buf out;
    json_t *b = J("{\"decision\":\"approve\"}");
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, &pb_principal_system, now);
    pb_buf_init(&out, 0);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_review(&c, app, b, &out, &err), 0);
    json_decref(b);
    pb_buf_release(&out);
    pb_arena_release(&a);
}

/* An approved applicant of the main apartment. */
static void approved_applicant(struct pb_principal *p, int male, char idn[19], int64_t now)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    int64_t app;
    new_applicant(p);
    make_id(idn, male);
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, p, now);
    assert_int_equal(apply(&c, g.apt, idn, &err, &app), 0);
    pb_arena_release(&a);
    approve(app, now);
}

static int book(const struct pb_principal *p, int64_t bed, const char *ci, const char *co,
                int64_t now, struct pb_err *err, int64_t *id, char earliest[11])
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    json_t *b =
        J("{\"bed_id\":%lld,\"check_in\":\"%s\",\"check_out\":\"%s\"}", (long long)bed, ci, co);
    int rc;
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, p, now);
    pb_buf_init(&out, 0);
    pb_err_clear(err);
    rc = pb_apt_booking_create(&c, b, &out, id, earliest, err);
    json_decref(b);
    pb_buf_release(&out);
    pb_arena_release(&a);
    return rc;
}

static int64_t create_res(const struct pb_resource *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_buf out;
    int64_t id = 0, v;
    json_t *b;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    b = json_loads(buf, 0, NULL);
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-01T09:00:00+08:00"));
    pb_buf_init(&out, 0);
    pb_err_clear(&err);
    if (pb_res_create(&c, r, b, &out, &id, &v, &err))
        fail_msg("create %s: %s %s", r->name, err.detail_en, err.nfields ? err.fields[0].en : "");
    json_decref(b);
    pb_buf_release(&out);
    pb_arena_release(&a);
    return id;
}

static int setup(void **state)
{
    const char *url = getenv("PB_TEST_DB_URL");
    struct pb_err err;
    (void)state;
    pb_app_init();
    if (url && *url) {
        pb_strlcpy(g.url, url, sizeof g.url);
    } else {
        pb_strlcpy(g.dir, "/tmp/pbapt.XXXXXX", sizeof g.dir);
        if (!mkdtemp(g.dir))
            return -1;
        snprintf(g.url, sizeof g.url, "sqlite:%s/apt.db", g.dir);
    }
    pb_strlcpy(g.files, "/tmp/pbaptf.XXXXXX", sizeof g.files);
    if (!mkdtemp(g.files))
        return -1;
    pb_apt_set_data_dir(g.files);
    pb_err_clear(&err);
    if (pb_db_open(g.url, &g.db, &err) || pb_cli_init_db(g.db, 1, NULL))
        return -1;
    g.apt = create_res(&pb_res_apartments,
                       "{\"name\":\"丰泽人才驿站\",\"region_code\":\"350503\",\"status\":"
                       "\"available\"}");
    g.apt2 = create_res(&pb_res_apartments,
                        "{\"name\":\"东海公寓\",\"region_code\":\"350503\",\"status\":"
                        "\"available\"}");
    g.room = create_res(&pb_res_apartment_rooms,
                        "{\"apartment_id\":%lld,\"region_code\":\"350503\",\"number\":\"301\","
                        "\"gender_rule\":\"male\",\"status\":\"available\"}",
                        (long long)g.apt);
    g.bed_a = create_res(&pb_res_apartment_beds,
                         "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"A\","
                         "\"slot\":0,\"status\":\"available\"}",
                         (long long)g.room);
    g.bed_b = create_res(&pb_res_apartment_beds,
                         "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"B\","
                         "\"slot\":1,\"status\":\"available\"}",
                         (long long)g.room);
    g.bed_oos = create_res(&pb_res_apartment_beds,
                           "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"C\","
                           "\"slot\":2,\"status\":\"out_of_service\"}",
                           (long long)g.room);
    g.room_f = create_res(&pb_res_apartment_rooms,
                          "{\"apartment_id\":%lld,\"region_code\":\"350503\",\"number\":\"302\","
                          "\"gender_rule\":\"female\",\"status\":\"available\"}",
                          (long long)g.apt);
    g.bed_f = create_res(&pb_res_apartment_beds,
                         "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"A\","
                         "\"slot\":0,\"status\":\"available\"}",
                         (long long)g.room_f);
    g.last_room = create_res(&pb_res_apartment_rooms,
                             "{\"apartment_id\":%lld,\"region_code\":\"350503\",\"number\":"
                             "\"401\",\"gender_rule\":\"any\",\"status\":\"available\"}",
                             (long long)g.apt);
    g.last_bed = create_res(&pb_res_apartment_beds,
                            "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"A\","
                            "\"slot\":0,\"status\":\"available\"}",
                            (long long)g.last_room);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pb_db_close(g.db);
    pb_clock_set(0);
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", g.files);
        if (system(cmd) != 0)
            return -1;
    }
    if (g.dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", g.dir);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

/* ---- applications ---- */

static void test_application_id_numbers(void **state)
{
    static const char *const bad[][2] = {
        {"350582199001019990", "bad_check"},
        {"350502200102299987", "bad_date"}, /* 2001-02-29 does not exist */
        {"35058219900101999", "format"},
    };
    struct pb_principal p;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_buf out;
    int64_t id;
    (void)state;
    new_applicant(&p);
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, &p, T("2026-03-02T09:00:00+08:00"));
    for (size_t i = 0; i < PB_ARRAY_LEN(bad); i++) {
        assert_int_equal(apply(&c, g.apt, bad[i][0], &err, &id), PB_E_INVALID);
        assert_string_equal(err.fields[0].field, "id_number");
        assert_string_equal(err.fields[0].code, bad[i][1]);
    }
    /* The reference's valid examples; lowercase x accepted and stored as X. */
    assert_int_equal(apply(&c, g.apt, "35050220000229998x", &err, &id), 0);
    {
        struct pb_stmt *st;
        assert_int_equal(pb_db_prepare(g.db,
                                       "SELECT id_number, male FROM apartment_application WHERE "
                                       "id = ?",
                                       &st),
                         0);
        pb_stmt_bind_int(st, 1, id);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        assert_string_equal(pb_stmt_col_text(st, 0), "35050220000229998X");
        assert_int_equal(pb_stmt_col_int(st, 1), 0);
        pb_stmt_done(st);
    }
    /* One pending application at a time. */
    assert_int_equal(apply(&c, g.apt, "350582199001019997", &err, &id), PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "pending_exists");
    /* Staff lists mask the ID and the phone. */
    pb_err_clear(&err);
    pb_buf_init(&out, 0);
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-02T09:00:00+08:00"));
    assert_int_equal(pb_apt_applications_list(&c, "pending", &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"350502********998X\""));
    assert_non_null(strstr(pb_buf_cstr(&out), "\"138****5678\""));
    assert_null(strstr(pb_buf_cstr(&out), "35050220000229998X"));
    /* A rejection needs a reason. */
    {
        json_t *b = J("{\"decision\":\"reject\"}");
        pb_err_clear(&err);
        assert_int_equal(pb_apt_review(&c, id, b, &out, &err), PB_E_INVALID);
        assert_string_equal(err.fields[0].field, "reason");
        json_decref(b);
        b = J("{\"decision\":\"reject\",\"reason\":\"证书编号无法核实\"}");
        pb_err_clear(&err);
        assert_int_equal(pb_apt_review(&c, id, b, &out, &err), 0);
        json_decref(b);
    }
    /* Unmasking needs a reason and leaves an audit record. */
    {
        json_t *b = J("{\"field\":\"id_number\"}");
        int64_t n = 0;
        pb_err_clear(&err);
        assert_int_equal(pb_apt_unmask(&c, id, b, &out, &err), PB_E_INVALID);
        json_decref(b);
        b = J("{\"field\":\"id_number\",\"reason\":\"核对公安系统记录\"}");
        pb_err_clear(&err);
        pb_buf_reset(&out);
        assert_int_equal(pb_apt_unmask(&c, id, b, &out, &err), 0);
        assert_non_null(strstr(pb_buf_cstr(&out), "35050220000229998X"));
        json_decref(b);
        assert_int_equal(pb_db_query_int(g.db,
                                         "SELECT COUNT(*) FROM audit WHERE action = 'unmask' AND "
                                         "changes LIKE '%核对公安系统记录%'",
                                         &n),
                         0);
        assert_int_equal(n, 1);
    }
    pb_buf_release(&out);
    pb_arena_release(&a);
}

/* Self-registration is throttled per client address. */
static void test_register_throttled(void **state)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    int64_t id = 0;
    (void)state;
    pb_apt_throttle_reset();
    pb_arena_init(&a);
    ctx_as(&c, &a, g.db, &pb_principal_anonymous, T("2026-03-01T09:00:00+08:00"));
    c.client_addr = "203.0.113.7";
    {
        json_t *b = J("{\"username\":\"reg0\",\"password\":\"Applicant-Pass-9\","
                      "\"phone\":\"1381234567\"}");
        pb_err_clear(&err);
        assert_int_equal(pb_apt_register(&c, b, &id, &err), PB_E_INVALID);
        assert_string_equal(err.fields[0].field, "phone");
        json_decref(b);
    }
    for (int i = 0; i < 10; i++) {
        /* a too-short password fails after the attempt was counted, and costs no hashing */
        json_t *b = J("{\"username\":\"reg%d\",\"password\":\"short\",\"phone\":"
                      "\"13812345678\"}",
                      i);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_register(&c, b, &id, &err), PB_E_INVALID);
        json_decref(b);
    }
    {
        json_t *b = J("{\"username\":\"reg11\",\"password\":\"Applicant-Pass-9\","
                      "\"phone\":\"13812345678\"}");
        pb_err_clear(&err);
        assert_int_equal(pb_apt_register(&c, b, &id, &err), PB_E_THROTTLED);
        assert_true(err.retry_after > 0);
        json_decref(b);
    }
    /* another address is not affected */
    c.client_addr = "203.0.113.8";
    {
        json_t *b = J("{\"username\":\"reg12\",\"password\":\"Applicant-Pass-9\","
                      "\"phone\":\"13812345678\"}");
        pb_err_clear(&err);
        assert_int_equal(pb_apt_register(&c, b, &id, &err), 0);
        assert_true(id > 0);
        json_decref(b);
    }
    pb_apt_throttle_reset();
    pb_arena_release(&a);
}

/* ---- booking rules, each broken once ---- */

static void test_booking_rules(void **state)
{
    const int64_t now = T("2026-03-02T09:00:00+08:00"); /* a Monday */
    struct pb_principal p, q, w, none;
    struct pb_err err;
    char idn[19], earliest[11];
    int64_t id, id2;
    (void)state;
    /* Not approved yet: no booking. */
    new_applicant(&none);
    assert_int_equal(book(&none, g.bed_a, "2026-03-10", "2026-03-12", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "application");
    assert_non_null(strstr(err.fields[0].zh, "审核通过后才能预订"));

    approved_applicant(&p, 1, idn, now);
    /* At least 3 working days ahead: Monday 03-02 → Thursday 03-05. */
    assert_int_equal(book(&p, g.bed_a, "2026-03-04", "2026-03-06", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "check_in");
    assert_string_equal(err.fields[0].code, "too_early");
    assert_string_equal(earliest, "2026-03-05");
    assert_non_null(strstr(err.fields[0].zh, "2026-03-05"));
    assert_non_null(strstr(err.fields[0].en, "earliest check-in date is 2026-03-05"));
    /* More than 14 nights in one stay. */
    assert_int_equal(book(&p, g.bed_a, "2026-03-05", "2026-03-20", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "check_out");
    assert_string_equal(err.fields[0].code, "nights_exceeded");
    /* Check-out not after check-in. */
    assert_int_equal(book(&p, g.bed_a, "2026-03-05", "2026-03-05", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "before_check_in");
    /* Out of service. */
    assert_int_equal(book(&p, g.bed_oos, "2026-03-05", "2026-03-07", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "out_of_service");
    /* The room's gender rule. */
    assert_int_equal(book(&p, g.bed_f, "2026-03-05", "2026-03-07", now, &err, &id, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "gender_rule");
    assert_non_null(strstr(err.fields[0].zh, "仅限女性"));
    /* One person per booking: there is no way to add a guest. */
    {
        struct pb_arena a;
        struct pb_ctx c;
        struct pb_buf out;
        json_t *b = J("{\"bed_id\":%lld,\"check_in\":\"2026-03-05\",\"check_out\":"
                      "\"2026-03-07\",\"guests\":[\"李四\"]}",
                      (long long)g.bed_a);
        pb_arena_init(&a);
        ctx_as(&c, &a, g.db, &p, now);
        pb_buf_init(&out, 0);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_booking_create(&c, b, &out, &id, earliest, &err), PB_E_BAD_REQUEST);
        assert_non_null(strstr(err.detail_zh, "仅限申请人本人入住"));
        json_decref(b);
        pb_buf_release(&out);
        pb_arena_release(&a);
    }
    /* A good booking. */
    assert_int_equal(book(&p, g.bed_a, "2026-03-05", "2026-03-15", now, &err, &id, earliest), 0);
    /* One active booking per person. */
    assert_int_equal(book(&p, g.bed_b, "2026-03-20", "2026-03-22", now, &err, &id2, earliest),
                     PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "active_booking");
    /* No double-booked bed: another person, an overlapping night. */
    approved_applicant(&q, 1, idn, now);
    assert_int_equal(book(&q, g.bed_a, "2026-03-14", "2026-03-16", now, &err, &id2, earliest),
                     PB_E_CONFLICT);
    assert_string_equal(err.fields[0].field, "bed_id");
    assert_string_equal(err.fields[0].code, "bed_taken");
    assert_non_null(strstr(err.fields[0].zh, "2026-03-14"));
    /* ... but the check-out day's night is free. */
    assert_int_equal(book(&q, g.bed_a, "2026-03-15", "2026-03-16", now, &err, &id2, earliest), 0);

    /* Cancellation by the applicant before check-in; not by another applicant. */
    {
        struct pb_arena a;
        struct pb_ctx c;
        struct pb_buf out;
        pb_arena_init(&a);
        pb_buf_init(&out, 0);
        ctx_as(&c, &a, g.db, &p, now);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_booking_cancel(&c, id2, &out, &err), PB_E_NOT_FOUND);
        ctx_as(&c, &a, g.db, &q, T("2026-03-15T14:00:00+08:00"));
        pb_err_clear(&err);
        assert_int_equal(pb_apt_booking_cancel(&c, id2, &out, &err), PB_E_CONFLICT);
        assert_string_equal(err.fields[0].code, "after_check_in_time");
        ctx_as(&c, &a, g.db, &q, T("2026-03-15T13:59:00+08:00"));
        pb_err_clear(&err);
        assert_int_equal(pb_apt_booking_cancel(&c, id2, &out, &err), 0);
        assert_non_null(strstr(pb_buf_cstr(&out), "\"status\":\"cancelled\""));
        pb_buf_release(&out);
        pb_arena_release(&a);
    }

    /* 14 nights per person per period: p has 10 booked; after check-out, 5 more is too many. */
    {
        struct pb_arena a;
        struct pb_ctx c;
        struct pb_buf out;
        json_t *b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2025-03\"}", "");
        json_decref(b);
        pb_arena_init(&a);
        pb_buf_init(&out, 0);
        /* check in on 03-05 and out on the booked day */
        {
            struct pb_stmt *st;
            char pid[19] = "";
            assert_int_equal(pb_db_prepare(g.db,
                                           "SELECT a.id_number FROM apartment_booking b JOIN "
                                           "apartment_application a ON a.id = b.application_id "
                                           "WHERE b.id = ?",
                                           &st),
                             0);
            pb_stmt_bind_int(st, 1, id);
            assert_int_equal(pb_stmt_step(st), PB_ROW);
            pb_strlcpy(pid, pb_stmt_col_text(st, 0), sizeof pid);
            pb_stmt_done(st);
            b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2025-03\"}", pid);
        }
        ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-05T15:00:00+08:00"));
        pb_err_clear(&err);
        assert_int_equal(pb_apt_check_in(&c, id, b, &out, &err), 0);
        json_decref(b);
        ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-15T11:00:00+08:00"));
        pb_err_clear(&err);
        pb_buf_reset(&out);
        assert_int_equal(pb_apt_check_out(&c, id, &out, &err), 0);
        assert_non_null(strstr(pb_buf_cstr(&out), "\"nights\":10"));
        pb_buf_release(&out);
        pb_arena_release(&a);
    }
    assert_int_equal(book(&p, g.bed_b, "2026-03-20", "2026-03-25", T("2026-03-16T09:00:00+08:00"),
                          &err, &id2, earliest),
                     PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "check_out");
    assert_string_equal(err.fields[0].code, "nights_exceeded");
    assert_non_null(strstr(err.fields[0].zh, "已用 10 晚，本次最多还可预订 4 晚"));
    assert_int_equal(book(&p, g.bed_b, "2026-03-20", "2026-03-24", T("2026-03-16T09:00:00+08:00"),
                          &err, &id2, earliest),
                     0);
    /* The application was for another apartment's bed? Refused too. */
    {
        int64_t room2 = create_res(&pb_res_apartment_rooms,
                                   "{\"apartment_id\":%lld,\"region_code\":\"350503\","
                                   "\"number\":\"101\",\"status\":\"available\"}",
                                   (long long)g.apt2);
        int64_t bed2 = create_res(&pb_res_apartment_beds,
                                  "{\"room_id\":%lld,\"region_code\":\"350503\",\"label\":\"A\","
                                  "\"slot\":0,\"status\":\"available\"}",
                                  (long long)room2);
        struct pb_principal r;
        approved_applicant(&r, 0, idn, now);
        assert_int_equal(book(&r, bed2, "2026-03-10", "2026-03-12", now, &err, &id2, earliest),
                         PB_E_INVALID);
        assert_string_equal(err.fields[0].code, "other_apartment");
    }
    /* No-show: w books 03-10..03-12 and never comes; on 03-11 the bed is free again. */
    approved_applicant(&w, 1, idn, now);
    assert_int_equal(book(&w, g.bed_b, "2026-03-10", "2026-03-12", now, &err, &id2, earliest), 0);
    {
        struct pb_arena a;
        struct pb_ctx c;
        int64_t n = 0;
        pb_arena_init(&a);
        ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-10T23:00:00+08:00"));
        pb_err_clear(&err);
        assert_int_equal(pb_apt_release_no_shows(&c, &n, &err), 0);
        assert_int_equal(n, 0); /* still its day */
        ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-03-11T00:30:00+08:00"));
        assert_int_equal(pb_apt_release_no_shows(&c, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_int_equal(pb_db_query_int(g.db,
                                         "SELECT COUNT(*) FROM apartment_booking WHERE status = "
                                         "'no_show'",
                                         &n),
                         0);
        assert_int_equal(n, 1);
        pb_arena_release(&a);
    }
}

/* ---- concurrency: 20 people, the last free bed ---- */

struct racer {
    struct pb_principal p;
    int rc;
    int code_taken;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct pb_db *db = NULL;
    struct pb_err err;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    int64_t id;
    char earliest[11];
    json_t *b = J("{\"bed_id\":%lld,\"check_in\":\"2026-04-20\",\"check_out\":\"2026-04-23\"}",
                  (long long)g.last_bed);
    pb_err_clear(&err);
    if (pb_db_open(g.url, &db, &err)) {
        r->rc = -999;
        json_decref(b);
        return NULL;
    }
    pb_arena_init(&a);
    memset(&c, 0, sizeof c);
    c.db = db;
    c.arena = &a;
    c.who = &r->p;
    c.client_addr = "race";
    c.request_id = "race";
    c.now_ms = T("2026-04-13T09:00:00+08:00");
    pb_buf_init(&out, 0);
    r->rc = pb_apt_booking_create(&c, b, &out, &id, earliest, &err);
    r->code_taken =
        r->rc == PB_E_CONFLICT && err.nfields && !strcmp(err.fields[0].code, "bed_taken");
    pb_buf_release(&out);
    pb_arena_release(&a);
    json_decref(b);
    pb_db_close(db);
    return NULL;
}

static void test_concurrent_last_bed(void **state)
{
    struct racer r[20];
    pthread_t th[20];
    char idn[19];
    int won = 0, taken = 0;
    int64_t n = 0;
    (void)state;
    for (int i = 0; i < 20; i++)
        approved_applicant(&r[i].p, 1, idn, T("2026-04-13T09:00:00+08:00"));
    for (int i = 0; i < 20; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    for (int i = 0; i < 20; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 20; i++) {
        won += r[i].rc == 0;
        taken += r[i].code_taken;
        if (r[i].rc && !r[i].code_taken)
            fail_msg("racer %d: rc %d", i, r[i].rc);
    }
    assert_int_equal(won, 1);
    assert_int_equal(taken, 19);
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM apartment_booking WHERE check_in = "
                                     "'2026-04-20' AND status = 'booked'",
                                     &n),
                     0);
    assert_int_equal(n, 1);
}

/* ---- check-in, the door code, early check-out ---- */

static void test_check_in_and_door_code(void **state)
{
    const int64_t now = T("2026-05-11T09:00:00+08:00"); /* Monday after 劳动节 */
    struct pb_principal p;
    struct pb_err err;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    char idn[19], other[19], earliest[11], code[16] = "";
    int64_t id, n;
    json_t *b;
    (void)state;
    approved_applicant(&p, 1, idn, now);
    make_id(other, 1);
    assert_int_equal(book(&p, g.bed_b, "2026-05-14", "2026-05-18", now, &err, &id, earliest), 0);
    pb_arena_init(&a);
    pb_buf_init(&out, 0);
    /* Not before the day. */
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-05-13T15:00:00+08:00"));
    b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2025-03\"}", idn);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_check_in(&c, id, b, &out, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "not_today");
    json_decref(b);
    /* A wrong ID number: refused, and the refusal audited. */
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-05-14T15:00:00+08:00"));
    b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2025-03\"}", other);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_check_in(&c, id, b, &out, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].field, "id_number");
    assert_string_equal(err.fields[0].code, "id_mismatch");
    json_decref(b);
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM audit WHERE action = 'check_in' AND "
                                     "result = 'failed'",
                                     &n),
                     0);
    assert_int_equal(n, 1);
    /* The agreement must be the current version. */
    b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2019-01\"}", idn);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_check_in(&c, id, b, &out, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "agreement_mismatch");
    json_decref(b);
    /* The right ID (lowercase x would be normalised; this one ends in a digit). */
    b = J("{\"id_number\":\"%s\",\"agreement_version\":\"2025-03\"}", idn);
    pb_err_clear(&err);
    pb_buf_reset(&out);
    assert_int_equal(pb_apt_check_in(&c, id, b, &out, &err), 0);
    json_decref(b);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"door_code_issued\":true"));
    assert_non_null(strstr(pb_buf_cstr(&out), "\"agreement_accepted_at\":\"2026-05-14T07:00"));
    /* Staff never get the code. */
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_door_code(&c, id, &out, &err), PB_E_FORBIDDEN);
    /* The applicant, once. */
    ctx_as(&c, &a, g.db, &p, T("2026-05-14T15:05:00+08:00"));
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_door_code(&c, id, &out, &err), 0);
    {
        const char *s = strstr(pb_buf_cstr(&out), "\"code\":\"");
        assert_non_null(s);
        memcpy(code, s + 8, 10);
        code[10] = 0;
        assert_non_null(strstr(pb_buf_cstr(&out), "\"valid_until\":\"2026-05-18T12:00:00+08:00\""));
    }
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_door_code(&c, id, &out, &err), PB_E_CONFLICT);
    assert_string_equal(err.fields[0].code, "already_shown");
    /* The code is nowhere in the database in clear, nor in the audit log. */
    {
        struct pb_stmt *st;
        const char *tables[] = {"SELECT code_hash FROM apartment_booking",
                                "SELECT changes FROM audit",
                                "SELECT body FROM notification_outbox"};
        for (size_t t = 0; t < 3; t++) {
            assert_int_equal(pb_db_prepare(g.db, tables[t], &st), 0);
            while (pb_stmt_step(st) == PB_ROW)
                assert_null(strstr(pb_stmt_col_text(st, 0), code));
            pb_stmt_done(st);
        }
    }
    /* Server-side verification inside the stay; a wrong code is not. */
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-05-16T20:00:00+08:00"));
    pb_apt_throttle_reset();
    b = J("{\"room_id\":%lld,\"code\":\"%s\"}", (long long)g.room, code);
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_verify_code(&c, b, &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"valid\":true"));
    json_decref(b);
    /* The lock key file verifies the same code offline. */
    {
        struct pb_lock_cfg cfg;
        pb_buf_reset(&out);
        assert_int_equal(pb_apt_lock_provision(&c, g.room, &out, &err), 0);
        assert_int_equal(pb_lock_cfg_parse(&cfg, pb_buf_cstr(&out)), 0);
        assert_true(
            pb_lock_verify(&cfg, code, T("2026-05-14T14:00:00+08:00") / 1000, NULL, NULL, NULL));
        assert_false(
            pb_lock_verify(&cfg, code, T("2026-05-14T13:59:59+08:00") / 1000, NULL, NULL, NULL));
        assert_false(
            pb_lock_verify(&cfg, code, T("2026-05-18T12:00:00+08:00") / 1000, NULL, NULL, NULL));
        /* Early check-out: invalid on the server at once; the lock, offline, until the booked
         * end, which the answer states. */
        pb_buf_reset(&out);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_check_out(&c, id, &out, &err), 0);
        assert_non_null(strstr(pb_buf_cstr(&out), "\"early\":true"));
        assert_non_null(strstr(pb_buf_cstr(&out),
                               "\"offline_window\":{\"until\":\"2026-05-18T12:00:00+08:00\""));
        b = J("{\"room_id\":%lld,\"code\":\"%s\"}", (long long)g.room, code);
        pb_buf_reset(&out);
        assert_int_equal(pb_apt_verify_code(&c, b, &out, &err), 0);
        assert_non_null(strstr(pb_buf_cstr(&out), "\"valid\":false"));
        json_decref(b);
        assert_true(
            pb_lock_verify(&cfg, code, T("2026-05-16T20:01:00+08:00") / 1000, NULL, NULL, NULL));
    }
    /* Throttled: after 10 wrong codes in a day the door answers 429. */
    pb_apt_throttle_reset();
    for (int i = 0; i < 10; i++) {
        b = J("{\"room_id\":%lld,\"code\":\"00%08d\"}", (long long)g.room, i);
        pb_buf_reset(&out);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_verify_code(&c, b, &out, &err), 0);
        json_decref(b);
    }
    b = J("{\"room_id\":%lld,\"code\":\"0012345678\"}", (long long)g.room);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_verify_code(&c, b, &out, &err), PB_E_THROTTLED);
    assert_true(err.retry_after > 0);
    json_decref(b);
    /* Only admins export lock keys. */
    {
        struct pb_principal desk = {
            .account_id = 999, .role = PB_ROLE_APARTMENT_DESK, .all_regions = 1};
        ctx_as(&c, &a, g.db, &desk, T("2026-05-16T20:00:00+08:00"));
        pb_err_clear(&err);
        assert_int_equal(pb_apt_lock_provision(&c, g.room, &out, &err), PB_E_FORBIDDEN);
    }
    pb_buf_release(&out);
    pb_arena_release(&a);
}

/* ---- statistics, outbox, purge ---- */

static void test_stats_outbox_purge(void **state)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    struct pb_err err;
    int64_t n = 0, before = 0;
    (void)state;
    pb_arena_init(&a);
    pb_buf_init(&out, 0);
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-05-20T09:00:00+08:00"));
    pb_err_clear(&err);
    assert_int_equal(pb_apt_stats(&c, "2026-03-01", "2026-05-31", &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "{\"night\":\"2026-03-05\",\"beds\":1}"));
    assert_non_null(strstr(pb_buf_cstr(&out), "\"category\":\"graduate\""));
    assert_non_null(strstr(pb_buf_cstr(&out), "\"finished_stays\":2"));
    assert_non_null(strstr(pb_buf_cstr(&out), "\"average_stay_nights\":\"6.00\"")); /* 10, 2 */
    /* With no channel configured the messages wait in the outbox as "logged". */
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM notification_outbox WHERE channel = "
                                     "'none' AND status = 'logged' AND kind = "
                                     "'door_code_ready'",
                                     &n),
                     0);
    assert_true(n >= 2);
    /* The purge: nothing is old enough on 05-20; 181 days after, the finished ones go. */
    pb_err_clear(&err);
    assert_int_equal(pb_apt_purge(&c, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM apartment_application WHERE id_number "
                                     "IS NOT NULL",
                                     &before),
                     0);
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-11-20T09:00:00+08:00"));
    pb_err_clear(&err);
    assert_int_equal(pb_apt_purge(&c, &n, &err), 0);
    assert_true(n >= 3);
    {
        int64_t left = 0;
        assert_int_equal(pb_db_query_int(g.db,
                                         "SELECT COUNT(*) FROM apartment_application WHERE "
                                         "id_number IS NOT NULL",
                                         &left),
                         0);
        assert_int_equal(left, before - n);
    }
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM audit WHERE action = 'purge' AND "
                                     "resource = 'apartment_applications'",
                                     &n),
                     0);
    assert_int_equal(n, 2);
    pb_buf_release(&out);
    pb_arena_release(&a);
}

/* ---- certificates (runs last: it purges everything old) ---- */

static void test_certificates(void **state)
{
    static const char png[] = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                              "hgGAWjR9awAAAABJRU5ErkJggg==";
    struct pb_principal p;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_buf out;
    char idn[19], path[600];
    const char *ct = NULL;
    int64_t app, cert, n = 0;
    json_t *b;
    (void)state;
    new_applicant(&p);
    make_id(idn, 0);
    pb_arena_init(&a);
    pb_buf_init(&out, 0);
    ctx_as(&c, &a, g.db, &p, T("2026-06-01T09:00:00+08:00"));
    assert_int_equal(apply(&c, g.apt, idn, &err, &app), 0);
    /* a PNG is accepted whatever its name; the type comes from the bytes */
    b = J("{\"filename\":\"毕业证.pdf\",\"data\":\"%s\"}", png);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_cert_upload(&c, app, b, &out, &cert, &err), 0);
    json_decref(b);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"content_type\":\"image/png\""));
    /* a GIF is not */
    b = J("{\"filename\":\"x.gif\",\"data\":\"R0lGODlhAQABAAAAACw=\"}");
    pb_err_clear(&err);
    assert_int_equal(pb_apt_cert_upload(&c, app, b, &out, &n, &err), PB_E_INVALID);
    assert_string_equal(err.fields[0].code, "unsupported_type");
    json_decref(b);
    /* too large */
    {
        size_t big = PB_APT_CERT_MAX / 3 * 4 + 64;
        char *data = malloc(big + 64);
        memset(data, 'A', big);
        data[big] = 0;
        b = json_pack("{s:s,s:s}", "filename", "big.pdf", "data", data);
        free(data);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_cert_upload(&c, app, b, &out, &n, &err), PB_E_TOO_LARGE);
        json_decref(b);
    }
    /* staff read it, and that is audited */
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2026-06-01T10:00:00+08:00"));
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_cert_get(&c, cert, &out, &ct, &err), 0);
    assert_string_equal(ct, "image/png");
    assert_int_equal(out.len, 70);
    assert_int_equal(pb_db_query_int(g.db,
                                     "SELECT COUNT(*) FROM audit WHERE action = "
                                     "'certificate_view'",
                                     &n),
                     0);
    assert_int_equal(n, 1);
    /* another applicant cannot */
    {
        struct pb_principal other;
        new_applicant(&other);
        ctx_as(&c, &a, g.db, &other, T("2026-06-01T10:00:00+08:00"));
        pb_buf_reset(&out);
        pb_err_clear(&err);
        assert_int_equal(pb_apt_cert_get(&c, cert, &out, &ct, &err), PB_E_NOT_FOUND);
    }
    /* the purge removes the file */
    {
        struct pb_stmt *st;
        assert_int_equal(
            pb_db_prepare(g.db, "SELECT path FROM apartment_certificate WHERE id = ?", &st), 0);
        pb_stmt_bind_int(st, 1, cert);
        assert_int_equal(pb_stmt_step(st), PB_ROW);
        snprintf(path, sizeof path, "%s/%s", g.files, pb_stmt_col_text(st, 0));
        pb_stmt_done(st);
        assert_int_equal(access(path, F_OK), 0);
    }
    approve(app, T("2026-06-02T09:00:00+08:00"));
    ctx_as(&c, &a, g.db, &pb_principal_system, T("2027-06-01T09:00:00+08:00"));
    pb_err_clear(&err);
    assert_int_equal(pb_apt_purge(&c, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(access(path, F_OK), -1);
    pb_buf_reset(&out);
    pb_err_clear(&err);
    assert_int_equal(pb_apt_cert_get(&c, cert, &out, &ct, &err), PB_E_NOT_FOUND);
    pb_buf_release(&out);
    pb_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_application_id_numbers), cmocka_unit_test(test_register_throttled),
        cmocka_unit_test(test_booking_rules),          cmocka_unit_test(test_concurrent_last_bed),
        cmocka_unit_test(test_check_in_and_door_code), cmocka_unit_test(test_stats_outbox_purge),
        cmocka_unit_test(test_certificates),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
