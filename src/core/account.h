/* account.h: accounts, password rules, sessions and login throttling. Roles, principals and
 * the policy table are in ctx.h. */
#ifndef PB_ACCOUNT_H
#define PB_ACCOUNT_H

#include "core/ctx.h"
#include "core/util/pb.h"

struct pb_db;
struct pb_err;

/* Passwords: argon2id via libsodium, INTERACTIVE costs. Concurrent hashing is capped (trap 5). */
#define PB_PASSWORD_MIN 10
#define PB_PASSWORD_MAX 128
/* Check the rules (length, not containing the username, not all one class); field errors on
 * "password" (or `field`). */
int pb_password_check(const char *username, const char *password, const char *field,
                      struct pb_err *err);
int pb_password_hash(const char *password, char out[128]);
int pb_password_verify(const char *hash, const char *password); /* 1 match, 0 not */
/* Random one-time password (16 chars, unambiguous alphabet). */
void pb_password_random(char out[32]);

/* Accounts (CLI and API share these). All write an audit record. */
struct pb_ctx;
int pb_account_create(struct pb_ctx *c, const char *username, const char *display_name,
                      enum pb_role role, const char *const *regions, int nregions,
                      const int64_t *parks, int nparks, const char *password, int must_change,
                      int64_t *id_out, struct pb_err *err);
int pb_account_set_password(struct pb_ctx *c, const char *username, const char *password,
                            int must_change, struct pb_err *err);
/* Load a principal by account id. Returns PB_E_NOT_FOUND if absent/disabled. */
int pb_account_load(struct pb_db *db, int64_t account_id, struct pb_principal *out);

/* The account's display name into buf ("" when none). */
void pb_account_display_name(struct pb_db *db, int64_t account_id, char *buf, size_t n);

/* Sessions: token is 32 random bytes, base64url (43 chars); only its SHA-256 is stored. */
#define PB_TOKEN_LEN 43
struct pb_login_result {
    char token[PB_TOKEN_LEN + 1];
    struct pb_principal who;
};
/* Verify username/password with throttling; writes the audit record (success or failure).
 * PB_E_UNAUTH on bad credentials, PB_E_THROTTLED with err->retry_after. */
int pb_session_login(struct pb_ctx *c, const char *username, const char *password,
                     struct pb_login_result *out, struct pb_err *err);
/* Resolve a token to a principal, sliding the idle expiry. PB_E_UNAUTH if unknown/expired. */
int pb_session_resolve(struct pb_db *db, const char *token, int64_t now_ms,
                       struct pb_principal *out);
int pb_session_logout(struct pb_ctx *c, const char *token, struct pb_err *err);
/* Change own password (requires the current one); clears must_change_password; ends the
 * account's other sessions. */
int pb_session_change_password(struct pb_ctx *c, const char *token, const char *current,
                               const char *next, struct pb_err *err);

/* Session and throttling settings (from config, set once at start). */
extern int64_t pb_session_idle_ms;     /* default 30 min */
extern int64_t pb_session_absolute_ms; /* default 12 h */
extern int pb_login_max_fail_account;  /* failures before the account is locked (30 s, doubling) */
extern int pb_login_max_fail_addr;     /* failures per client address per window */
extern int64_t pb_login_window_ms;
/* Forget all throttling state (tests). */
void pb_throttle_reset(void);

#endif
