/* module.c: the parks module's entry in the module table (src/modules/modules.c). */
#include "core/module.h"
#include "modules/parks/park.h"

static const struct pb_policy_rule policy[] = {
    /* Columns by role; a role not named may do nothing. The system role (CLI, demo loader)
     * may do everything and is not listed (pb_policy_allows). */
    {"parks",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_R | PB_U | PB_E,
      [PB_ROLE_ENTERPRISE] = PB_R,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {NULL},
};

static const struct pb_resource *const resources[] = {
    &pb_res_parks,
    NULL,
};

const struct pb_module pb_module_parks = {
    .name = "parks",
    .summary = "the park register: land, floor areas, operators",
    .resources = resources,
    .policy = policy,
    .demo = pb_parks_demo,
};
