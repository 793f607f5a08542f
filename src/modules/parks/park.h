/* park.h: the park register (园区). */
#ifndef PB_PARK_H
#define PB_PARK_H

#include <stdint.h>

struct pb_resource;
struct pb_db;
struct pb_ctx;
struct pb_err;
extern const struct pb_resource pb_res_parks;

/* The live park of this name, or 0. */
int64_t pb_park_id_by_name(struct pb_db *db, const char *name);
/* The demo parks (module.h's demo hook). */
int pb_parks_demo(struct pb_ctx *c, struct pb_err *err);

#endif
