/* space_demo.h: the space module's demo set (module.h's demo hook; space_demo.c). */
#ifndef PB_SPACE_DEMO_H
#define PB_SPACE_DEMO_H

#include "core/resource/resource.h"

/* Buildings, units, enterprises with their lifecycle, and leases in the demo parks, so that
 * the seeds' space figures come out of the rates and lists. Skipped when any lease exists. */
int pb_space_demo(struct pb_ctx *c, struct pb_err *err);

#endif
