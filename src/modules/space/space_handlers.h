/* space_handlers.h: the space module's routes and subcommand (module.c registers them). */
#ifndef PB_SPACE_HANDLERS_H
#define PB_SPACE_HANDLERS_H

#include "core/http/http.h"

void pb_space_routes(void (*add)(const struct pb_route *r));
int pb_cmd_import(int argc, char **argv);

#endif
