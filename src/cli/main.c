/* main.c: the parkbrain command, a git-style table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/module.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", pb_cmd_serve, "serve the API and the web UI"},
    {"init", pb_cmd_init, "create the schema and reference data, and the first admin"},
    {"demo", pb_cmd_demo, "load the demo data (parks of the seeds, one user per role)"},
    {"migrate", pb_cmd_migrate, "apply database migrations"},
    {"user", pb_cmd_user, "user add | passwd | list"},
    {"check", pb_cmd_check, "verify the audit chain and the database's integrity"},
    {"calendar", pb_cmd_calendar, "the working-day calendar: workday-after | is-workday | between"},
    {"version", pb_cmd_version, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "parkbrain %s: 园区智慧大脑, the industrial-park platform\n\nusage: parkbrain "
            "<command> [flags]\n\n",
            PB_VERSION);
    for (size_t i = 0; i < PB_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
    for (size_t i = 0; pb_modules[i]; i++)
        for (const struct pb_cli_cmd *c = pb_modules[i]->commands; c && c->name; c++)
            fprintf(f, "  %-8s %s\n", c->name, c->help);
    fprintf(f, "\nEach command takes --help. Common flags: --db URL, --data DIR, --config FILE.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version"))
        return pb_cmd_version(0, NULL);
    for (size_t i = 0; i < PB_ARRAY_LEN(commands); i++)
        if (!strcmp(argv[1], commands[i].name)) {
            pb_app_init();
            return commands[i].fn(argc - 2, argv + 2);
        }
    {
        const struct pb_cli_cmd *mc = pb_module_command(argv[1]);
        if (mc) {
            pb_app_init();
            return mc->fn(argc - 2, argv + 2);
        }
    }
    fprintf(stderr, "parkbrain: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
