/* module.c: the apartments module's entry in the module table (src/modules/modules.c). */
#include "core/module.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_handlers.h"

static const struct pb_policy_rule policy[] = {
    /* Talent apartments: the desk keeps room and bed status; applicants reach beds only through
     * the availability board and their own routes. */
    {"apartments",
     {[PB_ROLE_ADMIN] = PB_ALL,
      [PB_ROLE_CITY] = PB_ALL,
      [PB_ROLE_REGION] = PB_ALL,
      [PB_ROLE_VIEWER] = PB_R | PB_E,
      [PB_ROLE_APARTMENT_DESK] = PB_R | PB_U | PB_E}},
    {NULL},
};

static void configure(const struct pb_config *cfg)
{
    pb_apt_set_data_dir(cfg->data_dir); /* where uploaded certificates live */
}

static const struct pb_resource *const resources[] = {
    &pb_res_apartments,
    &pb_res_apartment_rooms,
    &pb_res_apartment_beds,
    NULL,
};

static const struct pb_cli_cmd commands[] = {
    {"lock", pb_cmd_lock, "door codes offline: verify | code | hotp (what a lock embeds)"},
    {"apartment", pb_cmd_apartment, "talent apartments: purge | no-shows | notify"},
    {NULL},
};

const struct pb_module pb_module_apartments = {
    .name = "apartments",
    .summary = "free talent-apartment stays: applications, bookings, check-in, door codes",
    .resources = resources,
    .policy = policy,
    .configure = configure,
    .routes = pb_apartment_routes_add,
    .commands = commands,
};
