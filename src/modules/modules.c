/* modules.c: the module table. Adding a module is a folder under src/modules/ and one line
 * here; the order is the dependency order (migrations, demo data and routes follow it). */
#include "core/module.h"

extern const struct pb_module pb_module_parks, pb_module_space, pb_module_apartments,
    pb_module_projects;

const struct pb_module *const pb_modules[] = {
    &pb_module_parks, &pb_module_space, &pb_module_apartments, &pb_module_projects, NULL,
};
