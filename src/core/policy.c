/* policy.c: roles, principals and the one policy table: role × policy key → allowed actions.
 * The core keeps its own keys here; each module adds its keys' rows in its module table. */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "core/module.h"

static const struct {
    const char *name, *zh, *en;
} roles[PB_ROLE__COUNT] = {
    [PB_ROLE_NONE] = {"anonymous", "匿名", "anonymous"},
    [PB_ROLE_ADMIN] = {"admin", "平台管理员", "Platform administrator"},
    [PB_ROLE_CITY] = {"city", "市园区办", "City park office"},
    [PB_ROLE_REGION] = {"region", "县区园区办", "County park office"},
    [PB_ROLE_OPERATOR] = {"operator", "园区运营方", "Park operator"},
    [PB_ROLE_ENTERPRISE] = {"enterprise", "企业", "Enterprise"},
    [PB_ROLE_VIEWER] = {"viewer", "领导查看", "Viewer"},
    [PB_ROLE_AUDITOR] = {"auditor", "审计员", "Auditor"},
    [PB_ROLE_APARTMENT_DESK] = {"apartment_desk", "人才公寓前台", "Apartment front desk"},
    [PB_ROLE_APPLICANT] = {"applicant", "人才公寓申请人", "Talent-apartment applicant"},
    [PB_ROLE_SYSTEM] = {"system", "系统", "system"},
};

const char *pb_role_name(enum pb_role r)
{
    return r < PB_ROLE__COUNT ? roles[r].name : "anonymous";
}

const char *pb_role_label(enum pb_role r, int en)
{
    return r < PB_ROLE__COUNT ? (en ? roles[r].en : roles[r].zh) : "";
}

enum pb_role pb_role_parse(const char *s)
{
    for (int i = PB_ROLE_ADMIN; i < PB_ROLE_SYSTEM; i++)
        if (s && !strcmp(roles[i].name, s))
            return (enum pb_role)i;
    return PB_ROLE_NONE;
}

const struct pb_principal pb_principal_system = {
    .account_id = 0, .username = "system", .role = PB_ROLE_SYSTEM, .all_regions = 1};
const struct pb_principal pb_principal_anonymous = {.role = PB_ROLE_NONE};

/* ---- the policy table: role × policy key → allowed actions (bit per action) ---- */

static const struct pb_policy_rule policy[] = {
    /* The core's own keys; each module lists its keys in its module table (module.h). The
     * system role (CLI, demo loader) may do everything and is not listed (pb_policy_allows). */
    {"audit", {[PB_ROLE_ADMIN] = PB_R | PB_E, [PB_ROLE_AUDITOR] = PB_R | PB_E}},
    {"accounts", {[PB_ROLE_ADMIN] = PB_R | PB_C | PB_U | PB_A}},
};

static const struct pb_policy_rule *policy_rule(const char *pol)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(policy); i++)
        if (!strcmp(policy[i].policy, pol))
            return &policy[i];
    return pb_module_policy(pol);
}

int pb_policy_allows(enum pb_role role, const char *pol, enum pb_action act)
{
    const struct pb_policy_rule *rule;
    if (role >= PB_ROLE__COUNT)
        return 0;
    if (role == PB_ROLE_SYSTEM)
        return 1;
    rule = policy_rule(pol);
    return rule ? (rule->allow[role] >> act) & 1 : 0;
}

static void policy_dump_rule(struct pb_buf *out, const struct pb_policy_rule *rule, int first)
{
    static const char *acts[] = {"", "read", "create", "update", "archive", "export"};
    pb_buf_printf(out, "%s\"%s\":{", first ? "" : ",", rule->policy);
    for (int r = PB_ROLE_ADMIN; r < PB_ROLE_SYSTEM; r++) {
        int none = 1;
        pb_buf_printf(out, "%s\"%s\":[", r > PB_ROLE_ADMIN ? "," : "", roles[r].name);
        for (int a = PB_ACT_READ; a <= PB_ACT_EXPORT; a++)
            if ((rule->allow[r] >> a) & 1) {
                pb_buf_printf(out, "%s\"%s\"", none ? "" : ",", acts[a]);
                none = 0;
            }
        pb_buf_addc(out, ']');
    }
    pb_buf_addc(out, '}');
}

void pb_policy_dump(struct pb_buf *out)
{
    int first = 1;
    pb_buf_addc(out, '{');
    for (size_t i = 0; i < PB_ARRAY_LEN(policy); i++, first = 0)
        policy_dump_rule(out, &policy[i], first);
    for (size_t i = 0; pb_modules[i]; i++)
        for (const struct pb_policy_rule *p = pb_modules[i]->policy; p && p->policy; p++, first = 0)
            policy_dump_rule(out, p, first);
    pb_buf_addc(out, '}');
}

int pb_principal_region_ok(const struct pb_principal *p, const char *region_code)
{
    if (p->all_regions)
        return 1;
    for (int i = 0; i < p->nregions; i++)
        if (region_code && !strcmp(p->regions[i], region_code))
            return 1;
    return 0;
}

int pb_principal_park_ok(const struct pb_principal *p, int64_t park_id)
{
    for (int i = 0; i < p->nparks; i++)
        if (p->parks[i] == park_id)
            return 1;
    return 0;
}

int pb_principal_by_park(const struct pb_principal *p)
{
    return p->role == PB_ROLE_OPERATOR;
}
