/* cmd_apartment.c: `parkbrain apartment purge | no-shows`: the talent-apartment maintenance a
 * cron job runs (both audited as the system user). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "modules/apartments/apartment.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: parkbrain apartment purge [--db URL]\n"
               "       parkbrain apartment no-shows [--db URL]\n"
               "       parkbrain apartment notify [--db URL]\n\n"
               "purge: erase the personal data (name, ID number, phone, certificate numbers) of "
               "stays finished more than purge_after_days ago (setting, default 180); audited.\n"
               "no-shows: release the beds of bookings not checked in by the end of their "
               "check-in day; audited. Both are safe to run from cron every night.\n"
               "notify: one dispatcher pass: write the reminders due (the day before check-in, "
               "the check-out day) and deliver the pending notifications through the configured "
               "channels, retrying failures with back-off. Run it from cron every minute (one at "
               "a time, e.g. under flock).\n");
}

int pb_cmd_apartment(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    const char *sub = argc > 0 ? argv[0] : "";
    int64_t n = 0;
    int rc;
    if (argc < 1 || !strncmp(sub, "-", 1)) {
        usage(argc && !strcmp(sub, "--help") ? stdout : stderr);
        return argc && !strcmp(sub, "--help") ? 0 : 2;
    }
    if ((rc = pb_cli_parse(&cli, argc - 1, argv + 1, NULL)))
        return rc;
    if (cli.help) {
        usage(stdout);
        return 0;
    }
    if (strcmp(sub, "purge") && strcmp(sub, "no-shows") && strcmp(sub, "notify")) {
        usage(stderr);
        return 2;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    pb_err_clear(&err);
    if (!strcmp(sub, "notify")) {
        struct pb_apt_notify_stats ns;
        rc = pb_apt_notify_pass(&c, &ns, &err);
        pb_arena_release(&a);
        pb_db_close(db);
        if (rc) {
            fprintf(stderr, "parkbrain: %s\n", err.detail_en);
            return 1;
        }
        printf("reminders: %lld, sent: %lld, retrying: %lld, failed: %lld\n",
               (long long)ns.reminders, (long long)ns.sent, (long long)ns.retrying,
               (long long)ns.failed);
        return 0;
    }
    rc = !strcmp(sub, "purge") ? pb_apt_purge(&c, &n, &err) : pb_apt_release_no_shows(&c, &n, &err);
    pb_arena_release(&a);
    pb_db_close(db);
    if (rc) {
        fprintf(stderr, "parkbrain: %s\n", err.detail_en);
        return 1;
    }
    printf("%s: %lld\n", !strcmp(sub, "purge") ? "applications purged" : "no-shows released",
           (long long)n);
    return 0;
}
