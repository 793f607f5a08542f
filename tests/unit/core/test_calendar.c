/* test_calendar.c: the working-day calendar. The shipped 2024–2026 data against the tables of
 * shared/domain/reference.md §4 (encoded here independently, as ranges), the "at least 3
 * working days ahead" rule around every holiday of 2025 and 2026 (hand-computed answers), the
 * plain-weekend fallback beyond 2026, and the database copy (seeded, loaded, replaced by an
 * admin with an audit record, never overwritten by a later seed). The database is the URL in
 * PB_TEST_DB_URL, else a fresh SQLite file. */
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
#include "core/calendar.h"
#include "core/store/db.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "core/util/workday.h"

static struct pb_cal cal;

static int64_t D(const char *s)
{
    int y, m, d;
    if (pb_date_parse(s, &y, &m, &d))
        fail_msg("bad date %s", s);
    return pb_days_from_civil(y, m, d);
}

static const char *S(int64_t day)
{
    static char buf[8][11];
    static int i;
    int y, m, d;
    i = (i + 1) % 8;
    pb_civil_from_days(day, &y, &m, &d);
    pb_date_format(y, m, d, buf[i]);
    return buf[i];
}

/* reference.md §4, as ranges "from..to" off and single make-up working days. */
static const struct {
    const char *from, *to;
} off[] = {
    {"2024-01-01", "2024-01-01"}, {"2024-02-10", "2024-02-17"}, {"2024-04-04", "2024-04-06"},
    {"2024-05-01", "2024-05-05"}, {"2024-06-10", "2024-06-10"}, {"2024-09-15", "2024-09-17"},
    {"2024-10-01", "2024-10-07"}, {"2025-01-01", "2025-01-01"}, {"2025-01-28", "2025-02-04"},
    {"2025-04-04", "2025-04-06"}, {"2025-05-01", "2025-05-05"}, {"2025-05-31", "2025-06-02"},
    {"2025-10-01", "2025-10-08"}, {"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"},
    {"2026-04-04", "2026-04-06"}, {"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"},
    {"2026-09-25", "2026-09-27"}, {"2026-10-01", "2026-10-07"},
};
static const char *const makeup[] = {
    "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
    "2024-09-14", "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08",
    "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04", "2026-02-14",
    "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

static int ref_workday(int64_t day)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(makeup); i++)
        if (D(makeup[i]) == day)
            return 1;
    for (size_t i = 0; i < PB_ARRAY_LEN(off); i++)
        if (day >= D(off[i].from) && day <= D(off[i].to))
            return 0;
    return pb_weekday(day) < 5;
}

static void check_against_reference(const struct pb_cal *c)
{
    int nmakeup = 0, noff = 0;
    for (int64_t d = D("2024-01-01"); d <= D("2026-12-31"); d++) {
        int pub = 0;
        const char *name;
        int w = pb_cal_is_workday(c, d, &pub, &name);
        if (w != ref_workday(d))
            fail_msg("%s: calendar says %s, reference.md says %s", S(d), w ? "work" : "off",
                     w ? "off" : "work");
        assert_int_equal(pub, 1);
        if (w && pb_weekday(d) >= 5)
            nmakeup++;
        if (!w && pb_weekday(d) < 5)
            noff++;
    }
    assert_int_equal(nmakeup, (int)PB_ARRAY_LEN(makeup));
    /* weekdays off: 2024 has 12 (1+5+2+3+1+2+... as published), 2025 and 2026 as counted */
    assert_true(noff > 40);
}

static void test_data_vs_reference(void **state)
{
    (void)state;
    check_against_reference(&cal);
    /* statutory-day counts per the revised rules (13 from 2025): spot-check names */
    {
        const char *name;
        pb_cal_is_workday(&cal, D("2025-01-28"), NULL, &name);
        assert_string_equal(name, "春节");
        pb_cal_is_workday(&cal, D("2026-10-10"), NULL, &name);
        assert_string_equal(name, "国庆节调休上班");
        pb_cal_is_workday(&cal, D("2025-03-03"), NULL, &name);
        assert_null(name);
    }
}

/* The booking day and the earliest check-in (3rd working day after, booking day not counted),
 * computed by hand from reference.md §4: docs/calendar.md shows the same examples. */
static const struct {
    const char *booked, *earliest;
} rule[] = {
    /* 2025 元旦 (01-01, Wed) */
    {"2024-12-31", "2025-01-06"},
    {"2025-01-01", "2025-01-06"},
    /* 2025 春节 01-28..02-04; make-up 01-26 (Sun), 02-08 (Sat) */
    {"2025-01-24", "2025-02-05"},
    {"2025-01-25", "2025-02-05"},
    {"2025-01-26", "2025-02-06"},
    {"2025-01-27", "2025-02-07"},
    {"2025-02-04", "2025-02-07"},
    {"2025-02-05", "2025-02-08"},
    /* 2025 清明 04-04..04-06 */
    {"2025-04-02", "2025-04-08"},
    {"2025-04-03", "2025-04-09"},
    /* 2025 劳动节 05-01..05-05; make-up 04-27 (Sun) */
    {"2025-04-25", "2025-04-29"},
    {"2025-04-29", "2025-05-07"},
    {"2025-04-30", "2025-05-08"},
    /* 2025 端午 05-31..06-02 */
    {"2025-05-29", "2025-06-04"},
    /* 2025 国庆+中秋 10-01..10-08; make-up 09-28 (Sun), 10-11 (Sat) */
    {"2025-09-26", "2025-09-30"},
    {"2025-09-29", "2025-10-10"},
    {"2025-09-30", "2025-10-11"},
    {"2025-10-05", "2025-10-11"},
    /* 2026 元旦 01-01..01-03; make-up 01-04 (Sun) */
    {"2025-12-30", "2026-01-05"},
    {"2025-12-31", "2026-01-06"},
    /* 2026 春节 02-15..02-23; make-up 02-14 (Sat), 02-28 (Sat) */
    {"2026-02-12", "2026-02-24"},
    {"2026-02-13", "2026-02-25"},
    {"2026-02-14", "2026-02-26"},
    {"2026-02-20", "2026-02-26"},
    {"2026-02-25", "2026-02-28"},
    /* 2026 清明 04-04..04-06 */
    {"2026-04-02", "2026-04-08"},
    /* 2026 劳动节 05-01..05-05; make-up 05-09 (Sat) */
    {"2026-04-29", "2026-05-07"},
    {"2026-05-06", "2026-05-09"},
    /* 2026 端午 06-19..06-21 */
    {"2026-06-17", "2026-06-23"},
    /* 2026 中秋 09-25..09-27 */
    {"2026-09-23", "2026-09-29"},
    /* 2026 国庆 10-01..10-07; make-up 09-20 (Sun), 10-10 (Sat) */
    {"2026-09-18", "2026-09-22"},
    {"2026-09-29", "2026-10-09"},
    {"2026-09-30", "2026-10-10"},
};

static void test_three_workdays_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < PB_ARRAY_LEN(rule); i++) {
        int pub = 0;
        int64_t got = pb_cal_workday_after(&cal, D(rule[i].booked), 3, &pub);
        if (got != D(rule[i].earliest))
            fail_msg("booked %s: earliest %s, expected %s", rule[i].booked, S(got),
                     rule[i].earliest);
        assert_int_equal(pub, 1);
    }
    /* Every day of 2025 and 2026: the answer is a working day, exactly 3 working days after
     * the booking day, and the day before it is not yet 3 working days after. */
    for (int64_t b = D("2025-01-01"); b <= D("2026-12-20"); b++) {
        int64_t r = pb_cal_workday_after(&cal, b, 3, NULL);
        assert_true(pb_cal_is_workday(&cal, r, NULL, NULL));
        assert_int_equal(pb_cal_workdays_between(&cal, b, r, NULL), 3);
        assert_int_equal(pb_cal_workdays_between(&cal, b, r - 1, NULL), 2);
    }
}

static void test_fallback_beyond_2026(void **state)
{
    int pub = 1;
    const char *name = "x";
    char out[11];
    (void)state;
    assert_false(pb_cal_year_published(&cal, 2027));
    /* 2027-01-01 is a Friday: without a notice it is a plain working day */
    assert_true(pb_cal_is_workday(&cal, D("2027-01-01"), &pub, &name));
    assert_int_equal(pub, 0);
    assert_null(name);
    assert_false(pb_cal_is_workday(&cal, D("2027-01-02"), NULL, NULL));
    assert_int_equal(pb_cal_workday_after_str(&cal, "2026-12-31", 3, out, &pub), 0);
    assert_string_equal(out, "2027-01-05");
    assert_int_equal(pub, 0); /* it looked into an unpublished year */
    assert_int_equal(pb_cal_workday_after_str(&cal, "2027-01-01", 3, out, &pub), 0);
    assert_string_equal(out, "2027-01-06");
    assert_int_equal(pub, 0);
    assert_int_equal(pb_cal_workday_after_str(&cal, "2026-12-20", 3, out, &pub), 0);
    assert_int_equal(pub, 1);
    assert_int_equal(pb_cal_workday_after_str(&cal, "2026-13-01", 3, out, &pub), -1);
    /* 2023 is not shipped either */
    assert_false(pb_cal_year_published(&cal, 2023));
}

static void test_tsv_parse_errors(void **state)
{
    static struct pb_cal c2;
    int line = 0;
    (void)state;
    pb_cal_init(&c2);
    assert_int_equal(pb_cal_parse_tsv(&c2, 2027, "# c\n2027-01-01\tholiday\t元旦\n", &line), 0);
    assert_int_equal(pb_cal_parse_tsv(&c2, 2027, "2026-01-01\tholiday\tx\n", &line), -1);
    assert_int_equal(line, 1);
    /* a make-up working day on a Wednesday is a transcription error */
    assert_int_equal(pb_cal_parse_tsv(&c2, 2027, "\n2027-01-06\tworkday\tx\n", &line), -1);
    assert_int_equal(line, 2);
    assert_int_equal(pb_cal_parse_tsv(&c2, 2027, "2027-02-30\tholiday\tx\n", &line), -1);
    assert_int_equal(pb_cal_parse_tsv(&c2, 2027, "2027-02-03\tfeast\tx\n", &line), -1);
}

/* ---- the database copy ---- */

static struct pb_db *open_db(char *dir)
{
    const char *url = getenv("PB_TEST_DB_URL");
    char buf[1200];
    struct pb_db *db = NULL;
    struct pb_err err = {0};
    if (!url || !*url) {
        snprintf(buf, sizeof buf, "sqlite:%s/cal.db", dir);
        url = buf;
    }
    if (pb_db_open(url, &db, &err))
        fail_msg("open: %s", err.detail_en);
    if (pb_cli_init_db(db, 1, NULL))
        fail_msg("init failed");
    return db;
}

static void test_database_calendar(void **state)
{
    char dir[] = "/tmp/pbcal.XXXXXX";
    static struct pb_cal dbcal;
    struct pb_db *db;
    struct pb_err err;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_buf out;
    int64_t n = 0;
    json_t *body;
    (void)state;
    assert_non_null(mkdtemp(dir));
    pb_app_init();
    db = open_db(dir);
    pb_err_clear(&err);
    assert_int_equal(pb_calendar_load(db, &dbcal, &err), 0);
    check_against_reference(&dbcal);
    assert_int_equal(pb_db_query_int(db, "SELECT COUNT(*) FROM holiday_year", &n), 0);
    assert_true(n >= 3);

    /* An admin publishes 2027 (an invented entry: the notice is not out yet). */
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    body = json_loads("{\"source\":\"test\",\"entries\":[{\"date\":\"2027-01-01\",\"kind\":"
                      "\"holiday\",\"name\":\"元旦\"},{\"date\":\"2027-01-09\",\"kind\":"
                      "\"workday\",\"name\":\"test\"}]}",
                      0, NULL);
    assert_int_equal(pb_calendar_put_year(&c, 2027, body, &err), 0);
    json_decref(body);
    assert_int_equal(pb_calendar_load(db, &dbcal, &err), 0);
    assert_true(pb_cal_year_published(&dbcal, 2027));
    assert_false(pb_cal_is_workday(&dbcal, D("2027-01-01"), NULL, NULL));
    assert_true(pb_cal_is_workday(&dbcal, D("2027-01-09"), NULL, NULL));
    assert_int_equal(pb_db_query_int(db,
                                     "SELECT COUNT(*) FROM audit WHERE resource = 'calendar' AND "
                                     "action = 'replace' AND object_id = '2027'",
                                     &n),
                     0);
    assert_int_equal(n, 1);

    /* Invalid bodies write nothing: a Wednesday make-up day, a date of another year. */
    pb_err_clear(&err);
    body = json_loads("{\"entries\":[{\"date\":\"2027-01-06\",\"kind\":\"workday\"},"
                      "{\"date\":\"2028-01-01\",\"kind\":\"holiday\"}]}",
                      0, NULL);
    assert_int_equal(pb_calendar_put_year(&c, 2027, body, &err), PB_E_INVALID);
    assert_int_equal(err.nfields, 2);
    assert_string_equal(err.fields[0].field, "entries[0].kind");
    assert_string_equal(err.fields[1].field, "entries[1].date");
    json_decref(body);

    /* An edited shipped year survives a later seed (init runs it at every start). */
    pb_err_clear(&err);
    body = json_loads("{\"entries\":[]}", 0, NULL);
    assert_int_equal(pb_calendar_put_year(&c, 2026, body, &err), 0);
    json_decref(body);
    assert_int_equal(pb_cli_init_db(db, 1, NULL), 0);
    assert_int_equal(pb_calendar_load(db, &dbcal, &err), 0);
    assert_true(pb_cal_is_workday(&dbcal, D("2026-10-01"), NULL, NULL));

    /* The year as JSON */
    pb_buf_init(&out, 0);
    assert_int_equal(pb_calendar_year_json(&c, 2025, &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"published\":true"));
    assert_non_null(strstr(pb_buf_cstr(&out), "{\"date\":\"2025-01-26\",\"kind\":\"workday\""));
    pb_buf_reset(&out);
    assert_int_equal(pb_calendar_year_json(&c, 2030, &out, &err), 0);
    assert_non_null(strstr(pb_buf_cstr(&out), "\"published\":false"));
    pb_buf_release(&out);

    /* Only admins may replace a year. */
    {
        struct pb_principal desk = {.account_id = 7, .role = PB_ROLE_APARTMENT_DESK};
        c.who = &desk;
        pb_err_clear(&err);
        body = json_loads("{\"entries\":[]}", 0, NULL);
        assert_int_equal(pb_calendar_put_year(&c, 2025, body, &err), PB_E_FORBIDDEN);
        json_decref(body);
    }
    pb_arena_release(&a);
    pb_db_close(db);
    if (!getenv("PB_TEST_DB_URL") || !*getenv("PB_TEST_DB_URL")) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
    }
}

static int setup(void **state)
{
    (void)state;
    pb_cal_init(&cal);
    return pb_cal_load_embedded(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_vs_reference),    cmocka_unit_test(test_three_workdays_rule),
        cmocka_unit_test(test_fallback_beyond_2026), cmocka_unit_test(test_tsv_parse_errors),
        cmocka_unit_test(test_database_calendar),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
