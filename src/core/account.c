/* account.c: roles, the policy table, passwords, accounts, sessions and login throttling. */
#include <pthread.h>
#include <semaphore.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/account.h"
#include "core/audit.h"
#include "core/refdata.h"
#include "core/resource/resource.h"
#include "core/store/db.h"
#include "core/store/query.h"
#include "core/util/b64.h"
#include "core/util/crypto.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"

/* ---- roles ---- */

/* ---- passwords ---- */

int64_t pb_session_idle_ms = 30 * 60 * 1000;
int64_t pb_session_absolute_ms = 12 * 3600 * 1000;

/* argon2id blocks a core for ~165 ms: at most this many hashes at once (stack-notes trap 5). */
static sem_t hash_sem;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_sem_init(void)
{
    pb_crypto_init();
    sem_init(&hash_sem, 0, 2);
}

static int hash_acquire(void)
{
    struct timespec ts;
    pthread_once(&hash_once, hash_sem_init);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    while (sem_timedwait(&hash_sem, &ts) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

int pb_password_check(const char *username, const char *password, const char *field,
                      struct pb_err *err)
{
    size_t n = pb_utf8_len(password);
    int lower = 0, upper = 0, digit = 0, other = 0;
    char lu[64], lp[PB_PASSWORD_MAX * 4 + 1];
    size_t i;
    if (!field)
        field = "password";
    if (!pb_utf8_valid(password, strlen(password)))
        return pb_err_field(err, PB_E_INVALID, field, "invalid_utf8", "密码含有无效字符",
                            "the password contains invalid characters");
    if (n < PB_PASSWORD_MIN)
        return pb_err_field(err, PB_E_INVALID, field, "too_short", "密码至少需要 %d 个字符",
                            "the password must have at least %d characters", PB_PASSWORD_MIN);
    if (n > PB_PASSWORD_MAX)
        return pb_err_field(err, PB_E_INVALID, field, "too_long", "密码不能超过 %d 个字符",
                            "the password must have at most %d characters", PB_PASSWORD_MAX);
    for (i = 0; password[i]; i++) {
        unsigned char ch = (unsigned char)password[i];
        if (ch >= 'a' && ch <= 'z')
            lower = 1;
        else if (ch >= 'A' && ch <= 'Z')
            upper = 1;
        else if (ch >= '0' && ch <= '9')
            digit = 1;
        else
            other = 1;
    }
    if (lower + upper + digit + other < 2)
        return pb_err_field(err, PB_E_INVALID, field, "too_simple",
                            "密码需包含至少两类字符（小写字母、大写字母、数字、符号）",
                            "the password needs at least two kinds of characters (lower case, "
                            "upper case, digits, symbols)");
    /* Not containing the user's own name, case-insensitively. */
    for (i = 0; username && username[i] && i < sizeof lu - 1; i++)
        lu[i] = (char)((username[i] >= 'A' && username[i] <= 'Z') ? username[i] + 32 : username[i]);
    lu[i] = 0;
    for (i = 0; password[i] && i < sizeof lp - 1; i++)
        lp[i] = (char)((password[i] >= 'A' && password[i] <= 'Z') ? password[i] + 32 : password[i]);
    lp[i] = 0;
    if (strlen(lu) >= 3 && strstr(lp, lu))
        return pb_err_field(err, PB_E_INVALID, field, "contains_username", "密码不能包含用户名",
                            "the password must not contain the user name");
    return 0;
}

int pb_password_hash(const char *password, char out[128])
{
    int rc;
    if (hash_acquire())
        return PB_E_BUSY;
    rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sem_post(&hash_sem);
    return rc ? PB_E_INTERNAL : 0;
}

int pb_password_verify(const char *hash, const char *password)
{
    int ok;
    if (hash_acquire())
        return -1;
    ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    sem_post(&hash_sem);
    return ok;
}

void pb_password_random(char out[32])
{
    /* No 0/O/1/l/I: it is read off a screen and typed. */
    static const char alpha[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char raw[16];
    pb_crypto_init();
    randombytes_buf(raw, sizeof raw);
    for (int i = 0; i < 16; i++)
        out[i] = alpha[randombytes_uniform(sizeof alpha - 1)];
    /* Guarantee two character classes for the rules above. */
    out[3] = alpha[randombytes_uniform(24)];
    out[9] = "23456789"[randombytes_uniform(8)];
    out[16] = 0;
    sodium_memzero(raw, sizeof raw);
}

/* ---- accounts ---- */

static int username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 32 || !(u[0] >= 'a' && u[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') || u[i] == '_' ||
              u[i] == '.' || u[i] == '-'))
            return 0;
    return 1;
}

struct create_args {
    const char *username, *display_name;
    enum pb_role role;
    const char *const *regions;
    int nregions;
    const int64_t *parks;
    int nparks;
    const char *hash;
    int must_change;
    int64_t id;
};

static int create_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct pb_ctx *c = ((void **)ctx)[0];
    struct create_args *a = ((void **)ctx)[1];
    struct pb_stmt *st;
    struct pb_buf ch;
    char idtxt[24];
    int rc;

    if ((rc = pb_db_prepare(db,
                            "INSERT INTO account (username, display_name, role, password_hash, "
                            "must_change_password, created_at, updated_at, password_changed_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->username);
    pb_stmt_bind_text(st, 2, a->display_name ? a->display_name : "");
    pb_stmt_bind_text(st, 3, pb_role_name(a->role));
    pb_stmt_bind_text(st, 4, a->hash);
    pb_stmt_bind_int(st, 5, a->must_change);
    pb_stmt_bind_int(st, 6, c->now_ms);
    pb_stmt_bind_int(st, 7, c->now_ms);
    pb_stmt_bind_int(st, 8, c->now_ms);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        a->id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc == PB_E_CONFLICT)
        return pb_err_field(err, PB_E_CONFLICT, "username", "taken", "用户名 %s 已存在",
                            "the user name %s is taken", a->username);
    if (rc != PB_ROW)
        return rc < 0 ? rc : PB_E_DB;
    for (int i = 0; i < a->nregions; i++) {
        if ((rc = pb_db_prepare(
                 db, "INSERT INTO account_scope (account_id, region_code) VALUES (?, ?)", &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->id);
        pb_stmt_bind_text(st, 2, a->regions[i]);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    for (int i = 0; i < a->nparks; i++) {
        if ((rc = pb_db_prepare(db, "INSERT INTO account_scope (account_id, park_id) VALUES (?, ?)",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->id);
        pb_stmt_bind_int(st, 2, a->parks[i]);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    pb_buf_init(&ch, 0);
    pb_buf_adds(&ch, "{\"username\":");
    pb_buf_json_str(&ch, a->username);
    pb_buf_printf(&ch, ",\"role\":\"%s\",\"regions\":[", pb_role_name(a->role));
    for (int i = 0; i < a->nregions; i++) {
        if (i)
            pb_buf_addc(&ch, ',');
        pb_buf_json_str(&ch, a->regions[i]);
    }
    pb_buf_adds(&ch, "],\"parks\":[");
    for (int i = 0; i < a->nparks; i++)
        pb_buf_printf(&ch, "%s%lld", i ? "," : "", (long long)a->parks[i]);
    pb_buf_adds(&ch, "]}");
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->id);
    rc = pb_audit_write(c,
                        &(struct pb_audit_rec){.action = "create",
                                               .resource = "accounts",
                                               .object_id = idtxt,
                                               .result = "ok",
                                               .changes = pb_buf_cstr(&ch)},
                        err);
    pb_buf_release(&ch);
    return rc;
}

int pb_account_create(struct pb_ctx *c, const char *username, const char *display_name,
                      enum pb_role role, const char *const *regions, int nregions,
                      const int64_t *parks, int nparks, const char *password, int must_change,
                      int64_t *id_out, struct pb_err *err)
{
    struct create_args a = {username, display_name, role, regions,     nregions,
                            parks,    nparks,       NULL, must_change, 0};
    char hash[128];
    void *args[2] = {c, &a};
    int rc;

    if (!username_ok(username))
        pb_err_field(err, PB_E_INVALID, "username", "format",
                     "用户名须为 3–32 位小写字母、数字或 _ . -，以字母开头",
                     "the user name must be 3–32 lower-case letters, digits or _ . -, starting "
                     "with a letter");
    if (role == PB_ROLE_NONE || role == PB_ROLE_SYSTEM)
        pb_err_field(err, PB_E_INVALID, "role", "unknown_role", "未知角色", "unknown role");
    if (nregions > PB_SCOPE_MAX || nparks > PB_SCOPE_MAX)
        pb_err_field(err, PB_E_INVALID, "regions", "too_many", "管辖范围过多",
                     "too many scope entries");
    for (int i = 0; i < nregions && i < PB_SCOPE_MAX; i++) {
        const struct pb_region *r = pb_region_find(regions[i]);
        if (!r)
            pb_err_field(err, PB_E_INVALID, "regions", "unknown_region", "行政区划代码 %s 不存在",
                         "region code %s does not exist", regions[i]);
    }
    if (role == PB_ROLE_REGION && nregions == 0)
        pb_err_field(err, PB_E_INVALID, "regions", "required", "县区园区办账号须指定管辖区域",
                     "a county park office account needs at least one region");
    if (role == PB_ROLE_OPERATOR && nparks == 0)
        pb_err_field(err, PB_E_INVALID, "parks", "required", "园区运营方账号须指定园区",
                     "a park operator account needs at least one park");
    if (err->nfields)
        return err->rc;
    if ((rc = pb_password_check(username, password, "password", err)))
        return rc;
    if ((rc = pb_password_hash(password, hash)))
        return pb_err_set(err, rc, "系统繁忙，请稍后重试", "the system is busy; please retry");
    a.hash = hash;
    rc = pb_db_tx(c->db, 1, create_tx, args, err);
    sodium_memzero(hash, sizeof hash);
    if (rc >= 0 && id_out)
        *id_out = a.id;
    return rc < 0 ? rc : 0;
}

struct setpw_args {
    struct pb_ctx *c;
    const char *username, *hash;
    int must_change;
    int64_t keep_session_of; /* unused here */
};

static int setpw_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct setpw_args *a = ctx;
    struct pb_stmt *st;
    int64_t id = 0;
    char idtxt[24];
    int rc;
    if ((rc = pb_db_prepare(
             db,
             "UPDATE account SET password_hash = ?, must_change_password = ?, "
             "updated_at = ?, password_changed_at = ? WHERE username = ? RETURNING id",
             &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->hash);
    pb_stmt_bind_int(st, 2, a->must_change);
    pb_stmt_bind_int(st, 3, a->c->now_ms);
    pb_stmt_bind_int(st, 4, a->c->now_ms);
    pb_stmt_bind_text(st, 5, a->username);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW)
        id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    if (!id)
        return pb_err_field(err, PB_E_NOT_FOUND, "username", "not_found", "用户 %s 不存在",
                            "no user %s", a->username);
    /* A new password ends every session of the account. */
    if ((rc = pb_db_prepare(db, "DELETE FROM session WHERE account_id = ?", &st)))
        return rc;
    pb_stmt_bind_int(st, 1, id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)id);
    return pb_audit_write(
        a->c,
        &(struct pb_audit_rec){
            .action = "password_set", .resource = "accounts", .object_id = idtxt, .result = "ok"},
        err);
}

int pb_account_set_password(struct pb_ctx *c, const char *username, const char *password,
                            int must_change, struct pb_err *err)
{
    char hash[128];
    struct setpw_args a = {c, username, hash, must_change, 0};
    int rc;
    if ((rc = pb_password_check(username, password, "password", err)))
        return rc;
    if ((rc = pb_password_hash(password, hash)))
        return pb_err_set(err, rc, "系统繁忙，请稍后重试", "the system is busy; please retry");
    rc = pb_db_tx(c->db, 1, setpw_tx, &a, err);
    sodium_memzero(hash, sizeof hash);
    return rc < 0 ? rc : 0;
}

void pb_account_display_name(struct pb_db *db, int64_t account_id, char *buf, size_t n)
{
    buf[0] = 0;
    pb_q_row(db, "SELECT display_name FROM account WHERE id = ?", "i", "t", account_id, buf, n);
}

int pb_account_load(struct pb_db *db, int64_t account_id, struct pb_principal *out)
{
    struct pb_stmt *st;
    int rc;
    memset(out, 0, sizeof *out);
    if ((rc = pb_db_prepare(db,
                            "SELECT username, role, must_change_password, disabled, enterprise_id "
                            "FROM account WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, account_id);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW || pb_stmt_col_int(st, 3)) {
        pb_stmt_done(st);
        return rc < 0 ? rc : PB_E_NOT_FOUND;
    }
    out->account_id = account_id;
    pb_strlcpy(out->username, pb_stmt_col_text(st, 0), sizeof out->username);
    out->role = pb_role_parse(pb_stmt_col_text(st, 1));
    out->must_change_password = (int)pb_stmt_col_int(st, 2);
    out->enterprise_id = pb_stmt_col_int(st, 4);
    pb_stmt_done(st);
    if (out->role == PB_ROLE_NONE)
        return PB_E_NOT_FOUND;
    /* City-wide roles see every region; the others only what they are scoped to. */
    out->all_regions = out->role == PB_ROLE_ADMIN || out->role == PB_ROLE_CITY ||
                       out->role == PB_ROLE_VIEWER || out->role == PB_ROLE_AUDITOR ||
                       out->role == PB_ROLE_ENTERPRISE;
    if ((rc = pb_db_prepare(db,
                            "SELECT region_code, park_id FROM account_scope WHERE account_id = ? "
                            "ORDER BY region_code, park_id",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, account_id);
    while ((rc = pb_stmt_step(st)) == PB_ROW) {
        if (!pb_stmt_col_null(st, 0) && out->nregions < PB_SCOPE_MAX) {
            const char *code = pb_stmt_col_text(st, 0);
            /* A scope of the whole city (350500) is every region. */
            if (!strcmp(code, "350500"))
                out->all_regions = 1;
            pb_strlcpy(out->regions[out->nregions++], code, sizeof out->regions[0]);
        } else if (!pb_stmt_col_null(st, 1) && out->nparks < PB_SCOPE_MAX) {
            out->parks[out->nparks++] = pb_stmt_col_int(st, 1);
        }
    }
    pb_stmt_done(st);
    return rc < 0 ? rc : 0;
}

/* ---- login throttling: in-memory counters per account name and per client address ---- */

#define THROTTLE_SLOTS 4096
struct throttle_slot {
    uint64_t key;
    int fails;
    int64_t window_start, locked_until;
};
static struct throttle_slot throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

int pb_login_max_fail_account = 5;
int pb_login_max_fail_addr = 50;
int64_t pb_login_window_ms = 15 * 60 * 1000;

static uint64_t key_of(char kind, const char *s)
{
    /* Hash the whole name, however long (a login body may carry 64 bytes of user name and an
     * address is short; neither is copied into a fixed buffer). */
    unsigned char h[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    uint64_t k;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)&kind, 1);
    crypto_generichash_update(&st, (const unsigned char *)s, strlen(s));
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(&k, h, sizeof k);
    return k ? k : 1;
}

/* Find the slot for key, or the stalest one to reuse (open addressing over 8 probes). */
static struct throttle_slot *slot_for(uint64_t key, int64_t now)
{
    struct throttle_slot *best = NULL;
    for (int i = 0; i < 8; i++) {
        struct throttle_slot *s = &throttle[(key + (uint64_t)i) % THROTTLE_SLOTS];
        if (s->key == key)
            return s;
        if (!best || (s->locked_until < now && s->window_start < best->window_start))
            best = s;
    }
    memset(best, 0, sizeof *best);
    best->key = key;
    best->window_start = now;
    return best;
}

/* Seconds the caller must wait, or 0. */
static int throttle_check(const char *username, const char *addr, int64_t now)
{
    struct throttle_slot *u, *a;
    int64_t wait = 0;
    pthread_mutex_lock(&throttle_mu);
    u = slot_for(key_of('u', username), now);
    a = slot_for(key_of('a', addr), now);
    if (u->locked_until > now)
        wait = u->locked_until - now;
    if (now - a->window_start > pb_login_window_ms) {
        a->window_start = now;
        a->fails = 0;
    }
    if (a->fails >= pb_login_max_fail_addr) {
        int64_t w = a->window_start + pb_login_window_ms - now;
        if (w > wait)
            wait = w;
    }
    pthread_mutex_unlock(&throttle_mu);
    return wait > 0 ? (int)((wait + 999) / 1000) : 0;
}

static void throttle_fail(const char *username, const char *addr, int64_t now)
{
    struct throttle_slot *u, *a;
    pthread_mutex_lock(&throttle_mu);
    u = slot_for(key_of('u', username), now);
    a = slot_for(key_of('a', addr), now);
    if (now - u->window_start > pb_login_window_ms && u->locked_until <= now) {
        u->window_start = now;
        u->fails = 0;
    }
    u->fails++;
    if (u->fails >= pb_login_max_fail_account) {
        /* 30 s, doubling with each further failure, at most 15 minutes. */
        int shift = u->fails - pb_login_max_fail_account;
        int64_t lock = shift > 5 ? 15 * 60 * 1000 : (int64_t)30000 << shift;
        if (lock > 15 * 60 * 1000)
            lock = 15 * 60 * 1000;
        u->locked_until = now + lock;
    }
    a->fails++;
    pthread_mutex_unlock(&throttle_mu);
}

static void throttle_success(const char *username, int64_t now)
{
    struct throttle_slot *u;
    pthread_mutex_lock(&throttle_mu);
    u = slot_for(key_of('u', username), now);
    u->fails = 0;
    u->locked_until = 0;
    pthread_mutex_unlock(&throttle_mu);
}

void pb_throttle_reset(void)
{
    pthread_mutex_lock(&throttle_mu);
    memset(throttle, 0, sizeof throttle);
    pthread_mutex_unlock(&throttle_mu);
}

/* ---- sessions ---- */

/* A fixed dummy hash, verified for unknown accounts so timing does not reveal existence. */
static char dummy[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    if (pb_password_hash("parkbrain-dummy-password", dummy))
        dummy[0] = 0;
}

static void token_hash(const char *token, char out[65])
{
    pb_sha256_hex(token, strlen(token), out);
}

struct login_args {
    struct pb_ctx *c;
    const char *username;
    const struct pb_principal *who; /* the account, once the password matched */
    int ok;
    int64_t account_id;
    char token_hash[65];
};

static int login_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct login_args *a = ctx;
    struct pb_stmt *st;
    struct pb_ctx c2 = *a->c;
    char idtxt[24];
    int rc;
    /* A successful login is recorded as the account itself (its id and role). */
    if (a->ok)
        c2.who = a->who;
    if (a->ok) {
        if ((rc = pb_db_prepare(
                 db,
                 "INSERT INTO session (token_hash, account_id, created_at, last_seen_at, "
                 "expires_at, client_addr) VALUES (?, ?, ?, ?, ?, ?)",
                 &st)))
            return rc;
        pb_stmt_bind_text(st, 1, a->token_hash);
        pb_stmt_bind_int(st, 2, a->account_id);
        pb_stmt_bind_int(st, 3, a->c->now_ms);
        pb_stmt_bind_int(st, 4, a->c->now_ms);
        pb_stmt_bind_int(st, 5, a->c->now_ms + pb_session_absolute_ms);
        pb_stmt_bind_text(st, 6, a->c->client_addr ? a->c->client_addr : "");
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
        /* Expired sessions of this account are cleared as it logs in. */
        if ((rc = pb_db_prepare(db,
                                "DELETE FROM session WHERE account_id = ? AND (expires_at < ? OR "
                                "last_seen_at < ?)",
                                &st)))
            return rc;
        pb_stmt_bind_int(st, 1, a->account_id);
        pb_stmt_bind_int(st, 2, a->c->now_ms);
        pb_stmt_bind_int(st, 3, a->c->now_ms - pb_session_idle_ms);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return rc;
    }
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->account_id);
    return pb_audit_write(&c2,
                          &(struct pb_audit_rec){.action = a->ok ? "login" : "login_failed",
                                                 .resource = "session",
                                                 .object_id = a->account_id ? idtxt : "",
                                                 .result = a->ok ? "ok" : "failed",
                                                 .username = a->username},
                          err);
}

int pb_session_login(struct pb_ctx *c, const char *username, const char *password,
                     struct pb_login_result *out, struct pb_err *err)
{
    struct login_args a;
    struct pb_stmt *st;
    char hash[160] = "";
    const char *addr = c->client_addr ? c->client_addr : "";
    unsigned char raw[32];
    int wait, rc, disabled = 1;

    memset(&a, 0, sizeof a);
    a.c = c;
    a.username = username;
    memset(out, 0, sizeof *out);

    if ((wait = throttle_check(username, addr, c->now_ms)) > 0) {
        err->retry_after = wait;
        pb_audit_write_tx(c,
                          &(struct pb_audit_rec){.action = "login_throttled",
                                                 .resource = "session",
                                                 .result = "denied",
                                                 .username = username},
                          err);
        pb_err_clear(err);
        err->retry_after = wait;
        return pb_err_set(err, PB_E_THROTTLED, "登录失败次数过多，请 %d 秒后再试",
                          "too many failed logins; try again in %d seconds", wait);
    }
    if ((rc = pb_db_prepare(
             c->db, "SELECT id, password_hash, disabled FROM account WHERE username = ?", &st)))
        return pb_err_set(err, rc, "数据库错误", "database error");
    pb_stmt_bind_text(st, 1, username);
    rc = pb_stmt_step(st);
    if (rc == PB_ROW) {
        a.account_id = pb_stmt_col_int(st, 0);
        pb_strlcpy(hash, pb_stmt_col_text(st, 1), sizeof hash);
        disabled = (int)pb_stmt_col_int(st, 2);
    }
    pb_stmt_done(st);
    if (rc < 0)
        return pb_err_set(err, rc, "数据库错误", "database error");

    if (hash[0]) {
        int v = pb_password_verify(hash, password);
        if (v < 0)
            return pb_err_set(err, PB_E_BUSY, "系统繁忙，请稍后重试",
                              "the system is busy; please retry");
        a.ok = v && !disabled;
    } else {
        pthread_once(&dummy_once, dummy_init);
        if (dummy[0] && pb_password_verify(dummy, password) < 0)
            return pb_err_set(err, PB_E_BUSY, "系统繁忙，请稍后重试",
                              "the system is busy; please retry");
        a.ok = 0;
    }
    if (a.ok && pb_account_load(c->db, a.account_id, &out->who) != 0)
        a.ok = 0; /* disabled or vanished between the two reads */
    a.who = &out->who;
    if (a.ok) {
        pb_random_bytes(raw, sizeof raw);
        pb_b64url_encode(raw, sizeof raw, out->token, sizeof out->token);
        sodium_memzero(raw, sizeof raw);
        token_hash(out->token, a.token_hash);
    }
    rc = pb_db_tx(c->db, 1, login_tx, &a, err);
    if (rc < 0)
        return rc;
    if (!a.ok) {
        throttle_fail(username, addr, c->now_ms);
        memset(out->token, 0, sizeof out->token);
        return pb_err_set(err, PB_E_UNAUTH, "用户名或密码错误", "wrong user name or password");
    }
    throttle_success(username, c->now_ms);
    return 0;
}

int pb_session_resolve(struct pb_db *db, const char *token, int64_t now_ms,
                       struct pb_principal *out)
{
    struct pb_stmt *st;
    char th[65];
    int64_t account_id, last_seen, expires;
    int rc;
    if (!token || strlen(token) != PB_TOKEN_LEN)
        return PB_E_UNAUTH;
    token_hash(token, th);
    if ((rc = pb_db_prepare(
             db, "SELECT account_id, last_seen_at, expires_at FROM session WHERE token_hash = ?",
             &st)))
        return rc;
    pb_stmt_bind_text(st, 1, th);
    rc = pb_stmt_step(st);
    if (rc != PB_ROW) {
        pb_stmt_done(st);
        return rc < 0 ? rc : PB_E_UNAUTH;
    }
    account_id = pb_stmt_col_int(st, 0);
    last_seen = pb_stmt_col_int(st, 1);
    expires = pb_stmt_col_int(st, 2);
    pb_stmt_done(st);
    if (now_ms > expires || now_ms - last_seen > pb_session_idle_ms) {
        if (pb_db_prepare(db, "DELETE FROM session WHERE token_hash = ?", &st) == 0) {
            pb_stmt_bind_text(st, 1, th);
            pb_stmt_step(st);
            pb_stmt_done(st);
        }
        return PB_E_UNAUTH;
    }
    /* Slide the idle expiry, writing at most every few seconds per session (and often enough
     * that a short idle limit still slides). */
    if (now_ms - last_seen > (pb_session_idle_ms / 4 < 5000 ? pb_session_idle_ms / 4 : 5000) &&
        pb_db_prepare(db, "UPDATE session SET last_seen_at = ? WHERE token_hash = ?", &st) == 0) {
        pb_stmt_bind_int(st, 1, now_ms);
        pb_stmt_bind_text(st, 2, th);
        pb_stmt_step(st);
        pb_stmt_done(st);
    }
    rc = pb_account_load(db, account_id, out);
    return rc == PB_E_NOT_FOUND ? PB_E_UNAUTH : rc;
}

struct logout_args {
    struct pb_ctx *c;
    char th[65];
};

static int logout_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct logout_args *a = ctx;
    struct pb_stmt *st;
    char idtxt[24];
    int rc;
    if ((rc = pb_db_prepare(db, "DELETE FROM session WHERE token_hash = ?", &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->th);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->c->who->account_id);
    return pb_audit_write(
        a->c,
        &(struct pb_audit_rec){
            .action = "logout", .resource = "session", .object_id = idtxt, .result = "ok"},
        err);
}

int pb_session_logout(struct pb_ctx *c, const char *token, struct pb_err *err)
{
    struct logout_args a;
    a.c = c;
    token_hash(token, a.th);
    return pb_db_tx(c->db, 1, logout_tx, &a, err);
}

struct chpw_args {
    struct pb_ctx *c;
    char th[65];
    const char *hash;
};

static int chpw_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    struct chpw_args *a = ctx;
    struct pb_stmt *st;
    char idtxt[24];
    int rc;
    if ((rc = pb_db_prepare(db,
                            "UPDATE account SET password_hash = ?, must_change_password = 0, "
                            "updated_at = ?, password_changed_at = ? WHERE id = ?",
                            &st)))
        return rc;
    pb_stmt_bind_text(st, 1, a->hash);
    pb_stmt_bind_int(st, 2, a->c->now_ms);
    pb_stmt_bind_int(st, 3, a->c->now_ms);
    pb_stmt_bind_int(st, 4, a->c->who->account_id);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    /* Other sessions of the account end; this one goes on. */
    if ((rc = pb_db_prepare(db, "DELETE FROM session WHERE account_id = ? AND token_hash <> ?",
                            &st)))
        return rc;
    pb_stmt_bind_int(st, 1, a->c->who->account_id);
    pb_stmt_bind_text(st, 2, a->th);
    rc = pb_stmt_step(st);
    pb_stmt_done(st);
    if (rc < 0)
        return rc;
    snprintf(idtxt, sizeof idtxt, "%lld", (long long)a->c->who->account_id);
    return pb_audit_write(a->c,
                          &(struct pb_audit_rec){.action = "password_change",
                                                 .resource = "accounts",
                                                 .object_id = idtxt,
                                                 .result = "ok"},
                          err);
}

int pb_session_change_password(struct pb_ctx *c, const char *token, const char *current,
                               const char *next, struct pb_err *err)
{
    struct pb_stmt *st;
    char stored[160] = "", hash[128];
    struct chpw_args a;
    int rc, v;

    if ((rc = pb_db_prepare(c->db, "SELECT password_hash FROM account WHERE id = ?", &st)))
        return pb_err_set(err, rc, "数据库错误", "database error");
    pb_stmt_bind_int(st, 1, c->who->account_id);
    if (pb_stmt_step(st) == PB_ROW)
        pb_strlcpy(stored, pb_stmt_col_text(st, 0), sizeof stored);
    pb_stmt_done(st);
    v = stored[0] ? pb_password_verify(stored, current) : 0;
    if (v < 0)
        return pb_err_set(err, PB_E_BUSY, "系统繁忙，请稍后重试",
                          "the system is busy; please retry");
    if (!v)
        pb_err_field(err, PB_E_INVALID, "current_password", "wrong", "当前密码不正确",
                     "the current password is wrong");
    pb_password_check(c->who->username, next, "new_password", err);
    if (!err->nfields && !strcmp(current, next))
        pb_err_field(err, PB_E_INVALID, "new_password", "unchanged", "新密码不能与当前密码相同",
                     "the new password must differ from the current one");
    if (err->nfields)
        return err->rc;
    if ((rc = pb_password_hash(next, hash)))
        return pb_err_set(err, rc, "系统繁忙，请稍后重试", "the system is busy; please retry");
    a.c = c;
    a.hash = hash;
    token_hash(token, a.th);
    rc = pb_db_tx(c->db, 1, chpw_tx, &a, err);
    sodium_memzero(hash, sizeof hash);
    return rc < 0 ? rc : 0;
}
