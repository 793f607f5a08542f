/* module.c: walking the module table. */
#include <pthread.h>
#include <string.h>

#include "core/module.h"

#define MAX_MODULES 64

static const char *names[MAX_MODULES + 1];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_fill(void)
{
    size_t n = 0;
    for (size_t i = 0; pb_modules[i] && n < MAX_MODULES; i++)
        names[n++] = pb_modules[i]->name;
    names[n] = NULL;
}

const char *const *pb_module_names(void)
{
    pthread_once(&names_once, names_fill);
    return names;
}

void pb_modules_init(void)
{
    for (size_t i = 0; pb_modules[i]; i++) {
        const struct pb_module *m = pb_modules[i];
        for (size_t k = 0; m->resources && m->resources[k]; k++)
            pb_resource_register(m->resources[k]);
        if (m->init)
            m->init();
    }
}

void pb_modules_configure(const struct pb_config *cfg)
{
    for (size_t i = 0; pb_modules[i]; i++)
        if (pb_modules[i]->configure)
            pb_modules[i]->configure(cfg);
}

int pb_modules_migrate(struct pb_db *db, struct pb_err *err)
{
    return pb_db_migrate(db, pb_module_names(), err);
}

const struct pb_cli_cmd *pb_module_command(const char *name)
{
    for (size_t i = 0; pb_modules[i]; i++)
        for (const struct pb_cli_cmd *c = pb_modules[i]->commands; c && c->name; c++)
            if (!strcmp(c->name, name))
                return c;
    return NULL;
}

const struct pb_policy_rule *pb_module_policy(const char *policy)
{
    for (size_t i = 0; pb_modules[i]; i++)
        for (const struct pb_policy_rule *p = pb_modules[i]->policy; p && p->policy; p++)
            if (!strcmp(p->policy, policy))
                return p;
    return NULL;
}
