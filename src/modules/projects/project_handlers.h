/* project_handlers.h: the projects module's routes and subcommand (module.c registers them). */
#ifndef PB_PROJECT_HANDLERS_H
#define PB_PROJECT_HANDLERS_H

#include "core/http/http.h"

void pb_projects_routes(void (*add)(const struct pb_route *r));
/* The demo portfolio over the parks already loaded (module.h's demo hook). */
int pb_projects_demo(struct pb_ctx *c, struct pb_err *err);
int pb_cmd_report(int argc, char **argv);

#endif
