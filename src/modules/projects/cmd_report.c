/* cmd_report.c: `parkbrain report monthly --month YYYY-MM [--scope city|region|park] [--id ID]
 * [--rollup] [--pilot] [--portfolio city|all] [--format json|xlsx|csv|text] [--out FILE]`:
 * the monthly statistics and bulletin of the standardization projects (issue 4), computed by the
 * same code as GET /api/v1/reports/monthly, as the system user.
 * `parkbrain report rebuild`: rebuild the maintained stage counts (decision 0034) from the
 * transitions, e.g. after rows were loaded with SQL outside the application. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "modules/projects/project_stats.h"

static void usage(void)
{
    printf(
        "usage: parkbrain report monthly --month YYYY-MM [--scope city|region|park] [--id ID]\n"
        "                                [--rollup] [--pilot] [--portfolio city|all]\n"
        "                                [--format json|xlsx|csv|text] [--out FILE]\n\n"
        "The rolling statistics of the 四个一批 portfolio for a month and the bulletin text.\n"
        "--id is the region code (scope region) or the park id (scope park). xlsx is written\n"
        "to --out (default report-YYYY-MM.xlsx); the other formats go to stdout unless --out.\n\n"
        "       parkbrain report rebuild [--db URL]\n"
        "Rebuild the maintained stage counts of the statistics from the transitions (after\n"
        "loading rows with SQL outside parkbrain; the application keeps them up to date).\n");
}

static int rebuild_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    (void)ctx;
    (void)err;
    return pb_stage_agg_rebuild(db, (pb_stage_month_now() / 12 + 2) * 12 + 11);
}

static int cmd_rebuild(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_cli_flags fl;
    struct pb_db *db;
    struct pb_err err;
    int rc;
    memset(&fl, 0, sizeof fl);
    if ((rc = pb_cli_parse(&cli, argc, argv, &fl)))
        return rc;
    if (cli.help) {
        usage();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    pb_err_clear(&err);
    rc = pb_db_tx(db, 1, rebuild_tx, NULL, &err);
    if (rc < 0 || rc > 0)
        fprintf(stderr, "parkbrain: rebuild failed: %s\n", err.detail_en);
    else
        fprintf(stderr, "parkbrain: stage counts rebuilt\n");
    pb_db_close(db);
    return rc ? 1 : 0;
}

int pb_cmd_report(int argc, char **argv)
{
    static const char *const own[] = {"month", "scope", "id", "portfolio", "format", "out", NULL};
    static const char *const own_bool[] = {"rollup", "pilot", NULL};
    struct pb_cli cli;
    struct pb_cli_flags fl;
    struct pb_db *db;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_stats_req rq;
    struct pb_buf out;
    const char *month, *scope, *id, *pf, *fmt, *path;
    int rc;
    if (argc >= 1 && !strcmp(argv[0], "rebuild"))
        return cmd_rebuild(argc - 1, argv + 1);
    if (argc < 1 || strcmp(argv[0], "monthly")) {
        usage();
        return argc < 1 || strcmp(argv[0], "--help") ? 2 : 0;
    }
    memset(&fl, 0, sizeof fl);
    fl.own = own;
    fl.own_bool = own_bool;
    if ((rc = pb_cli_parse(&cli, argc - 1, argv + 1, &fl)))
        return rc;
    if (cli.help) {
        usage();
        return 0;
    }
    month = pb_cli_val(&fl, "month");
    scope = pb_cli_val(&fl, "scope");
    id = pb_cli_val(&fl, "id");
    pf = pb_cli_val(&fl, "portfolio");
    fmt = pb_cli_val(&fl, "format");
    path = pb_cli_val(&fl, "out");
    if (!fmt)
        fmt = "text";
    if (!month ||
        (strcmp(fmt, "json") && strcmp(fmt, "xlsx") && strcmp(fmt, "csv") && strcmp(fmt, "text"))) {
        usage();
        return 2;
    }
    memset(&rq, 0, sizeof rq);
    pb_strlcpy(rq.month, month, sizeof rq.month);
    pb_strlcpy(rq.scope, scope ? scope : "city", sizeof rq.scope);
    if (id)
        pb_strlcpy(rq.id, id, sizeof rq.id);
    rq.rollup = fl.bools[0];
    rq.pilot_only = fl.bools[1];
    rq.all_portfolios = pf && !strcmp(pf, "all");
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    pb_err_clear(&err);
    pb_buf_init(&out, 0);
    if (!strcmp(fmt, "json")) {
        rc = pb_stats_monthly_json(&c, &rq, &out, &err);
        pb_buf_addc(&out, '\n');
    } else {
        struct pb_stats *s = pb_arena_alloc(&a, sizeof *s);
        rc = pb_stats_compute(&c, &rq, s, &err);
        if (!rc && !strcmp(fmt, "text"))
            pb_stats_text(s, &out);
        else if (!rc)
            rc = pb_stats_export(&c, s, !strcmp(fmt, "xlsx"), &out, &err);
    }
    if (rc) {
        fprintf(stderr, "parkbrain: %s", err.detail_en);
        for (int k = 0; k < err.nfields; k++)
            fprintf(stderr, " [%s: %s]", err.fields[k].field, err.fields[k].en);
        fprintf(stderr, "\n");
        rc = 1;
    } else {
        char def[64];
        FILE *f = stdout;
        if (!path && !strcmp(fmt, "xlsx")) {
            snprintf(def, sizeof def, "report-%s.xlsx", rq.month);
            path = def;
        }
        if (path && !(f = fopen(path, "wb"))) {
            fprintf(stderr, "parkbrain: cannot write %s\n", path);
            rc = 1;
        } else {
            if (fwrite(out.data ? out.data : "", 1, out.len, f) != out.len)
                rc = 1;
            if (f != stdout && fclose(f))
                rc = 1;
            if (path && !rc)
                fprintf(stderr, "parkbrain: wrote %s\n", path);
        }
    }
    pb_buf_release(&out);
    pb_arena_release(&a);
    pb_db_close(db);
    return rc;
}
