/* cmd_admin.c: init, demo, migrate, check, version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/module.h"

static void common_help(void)
{
    printf(
        "\nCommon flags: --db URL (sqlite:PATH or postgresql://...), --data DIR, --config FILE.\n");
}

int pb_cmd_init(int argc, char **argv)
{
    static const char *const bools[] = {"no_admin", NULL};
    struct pb_cli_flags fl = {.own_bool = bools};
    struct pb_cli cli;
    struct pb_db *db;
    int rc;
    if ((rc = pb_cli_parse(&cli, argc, argv, &fl)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain init [--db URL] [--no-admin]\n\nCreate the schema and the "
               "reference data "
               "(regions, GB/T 4754-2017 industries). On a database without accounts, also create "
               "the user "
               "'admin' and print its one-time password (unless --no-admin).\n");
        common_help();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    rc = pb_cli_init_db(db, fl.bools[0], NULL);
    pb_db_close(db);
    if (!rc)
        printf("initialised %s\n",
               !strncmp(cli.cfg.db_url, "sqlite:", 7) ? cli.cfg.db_url : "the database");
    return rc;
}

int pb_cmd_demo(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    int rc;
    if ((rc = pb_cli_parse(&cli, argc, argv, NULL)))
        return rc;
    if (cli.help) {
        printf(
            "usage: parkbrain demo [--db URL]\n\nInitialise the database if needed, then load the "
            "demo set: "
            "the parks named in the programme's articles and one user of each role (their one-time "
            "passwords are printed once). Running it again adds only what is missing.\n");
        common_help();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    rc = pb_cli_init_db(db, 0, NULL);
    if (!rc)
        rc = pb_cli_load_demo(db);
    pb_db_close(db);
    return rc;
}

int pb_cmd_migrate(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    struct pb_err err;
    int rc, n;
    int64_t v = 0;
    if ((rc = pb_cli_parse(&cli, argc, argv, NULL)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain migrate [--db URL]\n\nApply the numbered migrations the database "
               "does not have "
               "yet (each in its own transaction), and refresh the reference data.\n");
        common_help();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 0))
        return 1;
    pb_err_clear(&err);
    n = pb_modules_migrate(db, &err);
    if (n < 0) {
        fprintf(stderr, "parkbrain: migration failed: %s\n", err.detail_en);
        pb_db_close(db);
        return 1;
    }
    rc = pb_cli_init_db(db, 1, NULL);
    pb_db_migrations_applied(db, &v);
    printf("applied %d migration(s); %lld recorded\n", n, (long long)v);
    pb_db_close(db);
    return rc;
}

int pb_cmd_check(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    int rc, bad = 0;
    int64_t bad_id = 0, n = 0;
    char why[256];
    if ((rc = pb_cli_parse(&cli, argc, argv, NULL)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain check [--db URL]\n\nVerify the database: SQLite's integrity_check "
               "and foreign "
               "keys, and every audit chain (sequence, links and hashes). Exits 0 when all is "
               "intact, 1 with "
               "the first bad record otherwise.\n");
        common_help();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 0))
        return 1;
    if (pb_db_kind(db) == PB_DB_SQLITE) {
        struct pb_stmt *st;
        if (pb_db_prepare(db, "PRAGMA integrity_check", &st) == 0) {
            while (pb_stmt_step(st) == PB_ROW) {
                const char *r = pb_stmt_col_text(st, 0);
                if (strcmp(r, "ok")) {
                    printf("integrity_check: %s\n", r);
                    bad = 1;
                }
            }
            pb_stmt_done(st);
        } else {
            bad = 1;
        }
        if (pb_db_prepare(db, "PRAGMA foreign_key_check", &st) == 0) {
            if (pb_stmt_step(st) == PB_ROW) {
                printf("foreign_key_check: table %s row %lld breaks a foreign key\n",
                       pb_stmt_col_text(st, 0), (long long)pb_stmt_col_int(st, 1));
                bad = 1;
            }
            pb_stmt_done(st);
        }
        if (!bad)
            printf("integrity_check: ok\n");
    }
    rc = pb_audit_verify(db, &bad_id, why, sizeof why, &n);
    if (rc == PB_E_INVALID) {
        printf("audit: BROKEN at record %lld: %s\n", (long long)bad_id, why);
        bad = 1;
    } else if (rc) {
        printf("audit: cannot be read (%s)\n", pb_db_errmsg(db));
        bad = 1;
    } else {
        printf("audit: %lld record(s), every chain intact\n", (long long)n);
    }
    pb_db_close(db);
    return bad ? 1 : 0;
}

int pb_cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("parkbrain %s\n", PB_VERSION);
    return 0;
}
