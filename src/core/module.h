/* module.h: the module table (architecture §2). A module is a folder under src/modules/ that
 * registers itself with one line in src/modules/modules.c; the core reaches its resources,
 * routes, policy rows, migrations, demo data, checks and subcommands only through this table,
 * and names no module itself (as nginx's module list or git's builtin table). */
#ifndef PB_MODULE_H
#define PB_MODULE_H

#include "core/ctx.h"
#include "core/resource/resource.h"
#include "core/util/config.h"

struct pb_route;
struct pb_op;

/* One row of the policy table: the actions (bit 1 << enum pb_action) each role may take on a
 * policy key. Scope is checked separately. */
#define PB_R (1u << PB_ACT_READ)
#define PB_C (1u << PB_ACT_CREATE)
#define PB_U (1u << PB_ACT_UPDATE)
#define PB_A (1u << PB_ACT_ARCHIVE)
#define PB_E (1u << PB_ACT_EXPORT)
#define PB_ALL (PB_R | PB_C | PB_U | PB_A | PB_E)
struct pb_policy_rule {
    const char *policy;
    unsigned allow[PB_ROLE__COUNT];
};

/* A subcommand a module adds to `parkbrain` (argv[0] is the subcommand's name). */
struct pb_cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

struct pb_module {
    const char *name;    /* the folder's name; also the migrations' module name */
    const char *summary; /* one line, for `parkbrain version` and docs */
    /* Record types, NULL-terminated; registered once per process, in module order. */
    const struct pb_resource *const *resources;
    /* Process verbs (operations.h), terminated by an entry with method NULL. */
    const struct pb_op *ops;
    /* Hand-written routes (uploads, downloads, streaming, verifiers): add each one. */
    void (*routes)(void (*add)(const struct pb_route *r));
    /* Policy rows for the module's policy keys, terminated by policy NULL. */
    const struct pb_policy_rule *policy;
    /* Load the module's demo set into a database the earlier modules' demos filled; prints
     * one line of what it loaded. Skips what is already there. 0 or an rc with err set. */
    int (*demo)(struct pb_ctx *c, struct pb_err *err);
    /* Integrity checks for `parkbrain check`: print problems to stdout, return their number
     * (0: all well) or a negative rc. */
    int (*check)(struct pb_ctx *c, struct pb_err *err);
    /* Subcommands, terminated by name NULL. */
    const struct pb_cli_cmd *commands;
    /* Anything else to set up once per process before serving (may be NULL). */
    void (*init)(void);
    /* Take the module's settings from the parsed configuration (may be NULL). */
    void (*configure)(const struct pb_config *cfg);
};

/* The registered modules, NULL-terminated, in dependency order (src/modules/modules.c). */
extern const struct pb_module *const pb_modules[];

/* The module names, NULL-terminated, in table order (for the migrator). Static storage. */
const char *const *pb_module_names(void);
/* Register every module's resources and run their init hooks; once per process. */
void pb_modules_init(void);
/* Hand the configuration to every module's configure hook. */
void pb_modules_configure(const struct pb_config *cfg);
/* Apply the core's and every module's pending migrations (pb_db_migrate in module order). */
int pb_modules_migrate(struct pb_db *db, struct pb_err *err);
/* A module's subcommand by name, or NULL. */
const struct pb_cli_cmd *pb_module_command(const char *name);
/* The policy row of a module's key, or NULL. */
const struct pb_policy_rule *pb_module_policy(const char *policy);

#endif
