/* ctx.h: who is asking and from where: roles, the principal, the policy table and the request
 * context every layer below the transport receives. Built by the HTTP layer (or the CLI, as
 * the system user). Depends only on util and the store API. */
#ifndef PB_CTX_H
#define PB_CTX_H

#include "core/store/db.h"
#include "core/util/pb.h"

enum pb_role {
    PB_ROLE_NONE = 0, /* anonymous */
    PB_ROLE_ADMIN,
    PB_ROLE_CITY,
    PB_ROLE_REGION,
    PB_ROLE_OPERATOR,
    PB_ROLE_ENTERPRISE,
    PB_ROLE_VIEWER,
    PB_ROLE_AUDITOR,
    PB_ROLE_APARTMENT_DESK,
    PB_ROLE_APPLICANT, /* a talent-apartment applicant (self-registered, public) */
    PB_ROLE_SYSTEM,    /* the CLI and demo loader: everything, audited as "system" */
    PB_ROLE__COUNT
};

const char *pb_role_name(enum pb_role r);
enum pb_role pb_role_parse(const char *s); /* PB_ROLE_NONE if unknown (system not parseable) */
const char *pb_role_label(enum pb_role r, int en);

#define PB_SCOPE_MAX 32

/* The authenticated caller. Region scope: `all_regions`, or the listed codes. Park scope (for
 * operators): the listed park ids. */
struct pb_principal {
    int64_t account_id; /* 0 for anonymous and system */
    char username[64];
    enum pb_role role;
    int must_change_password;
    int all_regions;
    int nregions;
    char regions[PB_SCOPE_MAX][16];
    int nparks;
    int64_t parks[PB_SCOPE_MAX];
    int64_t enterprise_id; /* for the enterprise role (later issues) */
};

extern const struct pb_principal pb_principal_system;
extern const struct pb_principal pb_principal_anonymous;

/* Actions of the policy table. */
enum pb_action { PB_ACT_READ = 1, PB_ACT_CREATE, PB_ACT_UPDATE, PB_ACT_ARCHIVE, PB_ACT_EXPORT };

/* The one policy table: may this role do this action on this policy key at all? Scope is
 * checked separately (pb_principal_region_ok / row filters). */
int pb_policy_allows(enum pb_role role, const char *policy, enum pb_action act);
/* Policy matrix as JSON text for docs/tests: {"parks":{"admin":["read",...],...},...}. */
void pb_policy_dump(struct pb_buf *out);

/* May the principal reach a record in this region? (all_regions, or listed.) */
int pb_principal_region_ok(const struct pb_principal *p, const char *region_code);
int pb_principal_park_ok(const struct pb_principal *p, int64_t park_id);
/* Does this role see records by region (admin/city/region/viewer...) or by park (operator)? */
int pb_principal_by_park(const struct pb_principal *p);

/* Who is asking, and from where. Built by the HTTP layer (or the CLI, as the system user). */
struct pb_ctx {
    struct pb_db *db;
    struct pb_arena *arena;
    const struct pb_principal *who; /* never NULL; the CLI uses pb_principal_system */
    const char *client_addr;
    const char *request_id;
    int lang_en;    /* messages in English instead of Chinese */
    int64_t now_ms; /* the injectable clock, fixed per request */
    int importing;  /* inside a bulk import batch (upserts: validate skips duplicate checks) */
    /* Set by the engine when it refuses a caller (403, or 404 for an existing record outside
     * the jurisdiction): the transport writes the denial's audit record after the rollback. */
    struct {
        int set;
        const char *resource;
        char object_id[24];
        char region_code[16];
        const char *action;
    } denied;
};

#endif
