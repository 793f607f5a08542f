/* module.c: the projects module's entry in the module table (src/modules/modules.c). */
#include "core/module.h"
#include "modules/projects/project.h"
#include "modules/projects/project_handlers.h"
#include "modules/projects/project_stats.h"

static const struct pb_policy_rule policy[] = {
    /* Standardization projects (issue 4). Operators read their parks' projects. */
    {"projects",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_OPERATOR] = PB_R | PB_E,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    /* Monthly reports: create = submit (region or city staff), update = confirm (city only). */
    {"reports",
     {[PB_ROLE_ADMIN] = PB_R | PB_C | PB_U | PB_E,
      [PB_ROLE_CITY] = PB_R | PB_C | PB_U | PB_E,
      [PB_ROLE_REGION] = PB_R | PB_C | PB_E,
      [PB_ROLE_OPERATOR] = PB_R,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    /* Targets are set by the city; regions and viewers read them. */
    {"targets",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_R | PB_E,
      [PB_ROLE_VIEWER] = PB_R | PB_E}},
    {NULL},
};

static void configure(const struct pb_config *cfg)
{
    pb_report_due_day = cfg->report_due_day;
    pb_report_jan_feb = cfg->report_jan_feb;
    pb_project_stall_months = cfg->stall_months;
}

static const struct pb_resource *const resources[] = {
    &pb_res_projects,
    &pb_res_targets,
    NULL,
};

static const struct pb_cli_cmd commands[] = {
    {"report", pb_cmd_report, "report monthly: the projects' monthly statistics and bulletin"},
    {NULL},
};

const struct pb_module pb_module_projects = {
    .name = "projects",
    .summary =
        "the 四个一批 project portfolio: stages, monthly reports, statistics, bulletin, targets",
    .resources = resources,
    .policy = policy,
    .configure = configure,
    .routes = pb_projects_routes,
    .demo = pb_projects_demo,
    .commands = commands,
};
