/* cmd_calendar.c: `parkbrain calendar workday-after DATE N | is-workday DATE | between A B`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/calendar.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: parkbrain calendar workday-after DATE N [--db URL]\n"
               "       parkbrain calendar is-workday DATE [--db URL]\n"
               "       parkbrain calendar between FROM TO [--db URL]\n\n"
               "The official working-day calendar (holidays and make-up working days). The "
               "database's calendar is used when the database exists (admins may have edited "
               "it), else the shipped data/holidays. Beyond the published years the answer "
               "falls back to plain weekends and says so on stderr.\n");
}

/* Load the calendar: from the configured database when it exists, else the shipped data. */
static int load(struct pb_cli *cli, struct pb_cal *cal)
{
    struct pb_db *db;
    struct pb_err err;
    int rc;
    pb_err_clear(&err);
    if (!strncmp(cli->cfg.db_url, "sqlite:", 7) && access(cli->cfg.db_url + 7, F_OK) != 0) {
        pb_cal_init(cal);
        return pb_cal_load_embedded(cal) ? 1 : 0;
    }
    if (pb_cli_open(cli, &db, 0))
        return 1;
    rc = pb_calendar_load(db, cal, &err);
    pb_db_close(db);
    if (rc) {
        /* A database from before migration 005 has no calendar yet: use the shipped one. */
        fprintf(stderr, "note: the database has no calendar (run `parkbrain migrate`); using the "
                        "shipped data\n");
        pb_cal_init(cal);
        return pb_cal_load_embedded(cal) ? 1 : 0;
    }
    return 0;
}

static int day_of(const char *s, int64_t *out)
{
    int y, m, d;
    if (pb_date_parse(s, &y, &m, &d)) {
        fprintf(stderr, "parkbrain: '%s' is not a date (YYYY-MM-DD)\n", s);
        return -1;
    }
    *out = pb_days_from_civil(y, m, d);
    return 0;
}

int pb_cmd_calendar(int argc, char **argv)
{
    static struct pb_cal cal; /* 80 KiB: not on the stack */
    struct pb_cli cli;
    int npos = 0, rc, published = 1;
    const char *pos[3] = {0};
    /* Positional arguments first, then the common flags. */
    while (npos < argc && npos < 3 && strncmp(argv[npos], "--", 2)) {
        pos[npos] = argv[npos];
        npos++;
    }
    if ((rc = pb_cli_parse(&cli, argc - npos, argv + npos, NULL)))
        return rc;
    if (cli.help || npos == 0) {
        usage(cli.help ? stdout : stderr);
        return cli.help ? 0 : 2;
    }
    if (!strcmp(pos[0], "workday-after") && npos == 3) {
        int64_t day, n;
        int y, m, d;
        char out[11];
        if (day_of(pos[1], &day) || pb_parse_i64(pos[2], &n) || n < 0 || n > 3660) {
            fprintf(stderr, "parkbrain: N must be 0..3660\n");
            return 2;
        }
        if (load(&cli, &cal))
            return 1;
        day = pb_cal_workday_after(&cal, day, (int)n, &published);
        pb_civil_from_days(day, &y, &m, &d);
        pb_date_format(y, m, d, out);
        printf("%s\n", out);
    } else if (!strcmp(pos[0], "is-workday") && npos == 2) {
        int64_t day;
        const char *name;
        if (day_of(pos[1], &day))
            return 2;
        if (load(&cli, &cal))
            return 1;
        rc = pb_cal_is_workday(&cal, day, &published, &name);
        printf("%s%s%s\n", rc ? "workday" : "day off", name ? " " : "", name ? name : "");
    } else if (!strcmp(pos[0], "between") && npos == 3) {
        int64_t a, b;
        if (day_of(pos[1], &a) || day_of(pos[2], &b))
            return 2;
        if (load(&cli, &cal))
            return 1;
        printf("%d\n", pb_cal_workdays_between(&cal, a, b, &published));
    } else {
        usage(stderr);
        return 2;
    }
    if (!published)
        fprintf(stderr, "note: outside the published years; plain weekends assumed\n");
    return 0;
}
