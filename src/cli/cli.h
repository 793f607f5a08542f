/* cli.h: shared pieces of the subcommands. */
#ifndef PB_CLI_H
#define PB_CLI_H

#include "core/resource/resource.h"
#include "core/store/db.h"
#include "core/util/config.h"

#define PB_VERSION "0.1.0"

/* Parsed command line: config settings plus the subcommand's own flags. */
struct pb_cli {
    struct pb_config cfg;
    int argc;
    char **argv; /* remaining arguments after the subcommand */
    int help;
};

/* Parse `--key value` / `--key=value` flags: config keys go into cfg; names listed in `own`
 * (NULL-terminated, without dashes) are returned through vals (a repeated flag appends, up to
 * 32 values each, in own_vals[i][0..own_n[i]-1]); boolean flags are listed in `own_bool`.
 * Returns 0, or 2 after printing the problem. */
struct pb_cli_flags {
    const char *const *own;      /* flags taking a value */
    const char *const *own_bool; /* flags without a value */
    const char *vals[16][32];
    int nvals[16];
    int bools[16];
};
int pb_cli_parse(struct pb_cli *cli, int argc, char **argv, struct pb_cli_flags *fl);
const char *pb_cli_val(const struct pb_cli_flags *fl, const char *name);

/* Open the configured database (migrating it when migrate=1). Prints errors. */
int pb_cli_open(struct pb_cli *cli, struct pb_db **db, int migrate);
/* A context for the system principal. */
void pb_cli_ctx(struct pb_ctx *c, struct pb_db *db, struct pb_arena *a);

/* Load reference data and register resources: once per process. */
void pb_app_init(void);

/* Initialise a database: migrations, reference data, and the first admin unless no_admin.
 * Prints the admin's one-time password when it creates one. */
int pb_cli_init_db(struct pb_db *db, int no_admin, int *created_admin);
/* Load the demo set (parks and users), printing the demo users' one-time passwords. */
int pb_cli_load_demo(struct pb_db *db);

int pb_cmd_serve(int argc, char **argv);
int pb_cmd_init(int argc, char **argv);
int pb_cmd_demo(int argc, char **argv);
int pb_cmd_migrate(int argc, char **argv);
int pb_cmd_user(int argc, char **argv);
int pb_cmd_check(int argc, char **argv);
int pb_cmd_version(int argc, char **argv);
int pb_cmd_calendar(int argc, char **argv);

#endif
