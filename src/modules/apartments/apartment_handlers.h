/* apartment_handlers.h: the talent-apartment routes and subcommands (module.c registers them). */
#ifndef PB_APARTMENT_HANDLERS_H
#define PB_APARTMENT_HANDLERS_H

#include "core/http/http.h"

/* Register the apartment routes through the router's add(). */
void pb_apartment_routes_add(void (*add)(const struct pb_route *r));
int pb_cmd_lock(int argc, char **argv);
int pb_cmd_apartment(int argc, char **argv);

#endif
