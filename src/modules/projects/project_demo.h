/* project_demo.h: the demo portfolio of standardization projects (see project_demo.c). */
#ifndef PB_PROJECT_DEMO_H
#define PB_PROJECT_DEMO_H

#include "core/resource/resource.h"

struct pb_project_demo {
    int city_projects, reports, jinjiang_county_projects, jinjiang_projects;
};

/* Create the demo projects, their transitions and confirmed reports through the domain
 * functions (validated and audited), attached to the given parks (ids, region codes, names).
 * Each step is its own transaction; on failure err names the step's problem. */
int pb_project_demo_load(struct pb_ctx *c, const int64_t *parks, const char *const *park_regions,
                         const char *const *park_names, int nparks, struct pb_project_demo *res,
                         struct pb_err *err);

#endif
