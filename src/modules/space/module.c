/* module.c: the space module's entry in the module table (src/modules/modules.c). */
#include "core/module.h"
#include "modules/space/space.h"
#include "modules/space/space_demo.h"
#include "modules/space/space_handlers.h"

static const struct pb_policy_rule policy[] = {
    /* Space and enterprises: operators work in their parks' buildings, units and leases; an
     * enterprise reads its own entry, leases and demands (the engine's enterprise_col). */
    {"buildings",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_ALL,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {"units",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_ALL,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {"enterprises",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_R | PB_E,
      [PB_ROLE_ENTERPRISE] = PB_R,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {"leases",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_ALL,
      [PB_ROLE_ENTERPRISE] = PB_R,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {"spaces",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_R | PB_E,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {"demands",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_ENTERPRISE] = PB_R,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {NULL},
};

static const struct pb_resource *const resources[] = {
    &pb_res_buildings,
    &pb_res_units,
    &pb_res_enterprises,
    &pb_res_enterprise_honours,
    &pb_res_enterprise_figures,
    &pb_res_leases,
    &pb_res_spaces,
    &pb_res_demands,
    NULL,
};

static const struct pb_cli_cmd commands[] = {
    {"import", pb_cmd_import, "import enterprises|units|leases|spaces from CSV or XLSX"},
    {NULL},
};

const struct pb_module pb_module_space = {
    .name = "space",
    .summary = "buildings, units, enterprises, leases, the idle-space library and matching",
    .resources = resources,
    .policy = policy,
    .routes = pb_space_routes,
    .demo = pb_space_demo,
    .commands = commands,
};
