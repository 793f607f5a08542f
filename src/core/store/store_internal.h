/* store_internal.h: what db.c shares with the two drivers (sqlite.c, pg.c) and with the store's
 * unit tests. Nothing outside src/store/ and tests/unit/test_store.c includes this.
 *
 * db.c owns everything portable: URL dispatch, the statement cache, fault injection, the
 * transaction retry loop and migrations. A driver only translates one call into its library,
 * through the function table below; it never touches the cache. This header deliberately does
 * not include sqlite3.h or libpq-fe.h: driver handles are void pointers. */
#ifndef PB_STORE_INTERNAL_H
#define PB_STORE_INTERNAL_H

#include <stdint.h>

#include "core/store/db.h"
#include "core/util/embedded.h"

/* Cache capacity per connection (statements not in use are evicted least recently used first
 * once there are more than this many) and the number of hash buckets (power of two). */
#define PB_STMT_CACHE_MAX 256
#define PB_STMT_BUCKETS 512

#define PB_DB_ERRMSG_MAX 512

struct pb_stmt {
    struct pb_db *db;
    struct pb_stmt *next; /* hash chain */
    char *sql;            /* the text as the caller gave it: the cache key */
    uint32_t hash;
    int in_use;       /* handed out by pb_db_prepare and not yet returned by pb_stmt_done */
    uint64_t used_at; /* LRU tick of the last pb_stmt_done */
    int state;        /* ST_FRESH, ST_RUNNING, ST_FINISHED (see db.c) */
    int final_rc;     /* what steps return once ST_FINISHED: PB_DONE or the error */
    int bind_err;     /* a bind failed: the next step fails instead of running half-bound */
    void *h;          /* driver statement */
};

struct pb_db_driver {
    /* Connect; on failure fill db->errmsg and return PB_E_DB (db.c writes pb_err). */
    int (*open)(struct pb_db *db, const char *target);
    void (*close)(struct pb_db *db);
    int (*exec_script)(struct pb_db *db, const char *sql);
    int (*begin)(struct pb_db *db, int write);
    int (*commit)(struct pb_db *db);
    void (*rollback)(struct pb_db *db);
    int (*in_tx)(const struct pb_db *db);
    /* Create st->h from st->sql; 0 or rc. */
    int (*prepare)(struct pb_stmt *st);
    void (*finalize)(struct pb_stmt *st);
    /* Make st ready to run again with no bindings and no result. */
    void (*reset)(struct pb_stmt *st);
    int (*bind_int)(struct pb_stmt *st, int idx, int64_t v);
    int (*bind_text)(struct pb_stmt *st, int idx, const char *s, size_t n);
    int (*bind_null)(struct pb_stmt *st, int idx);
    /* PB_ROW, PB_DONE or rc; db.c never calls it again after PB_DONE or an error. */
    int (*step)(struct pb_stmt *st);
    int64_t (*changes)(struct pb_stmt *st);
    int (*ncols)(struct pb_stmt *st);
    const char *(*col_name)(struct pb_stmt *st, int col);
    int (*col_null)(struct pb_stmt *st, int col);
    int64_t (*col_int)(struct pb_stmt *st, int col);
    const char *(*col_text)(struct pb_stmt *st, int col);
};

extern const struct pb_db_driver pb_db_sqlite_driver;
extern const struct pb_db_driver pb_db_pg_driver;

struct pb_db {
    const struct pb_db_driver *drv;
    enum pb_db_kind kind;
    void *conn; /* driver connection state */
    struct pb_stmt *buckets[PB_STMT_BUCKETS];
    int nstmts; /* statements owned, in use or not */
    uint64_t tick;
    int closing; /* pb_db_close is finalizing: drivers skip per-statement server cleanup */
    char errmsg[PB_DB_ERRMSG_MAX];
};

/* Record the driver's last message for pb_db_errmsg (printf format). */
void pb_db_set_errmsg(struct pb_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log a storage problem to stderr, prefixed "parkbrain: db: ". Thread-safe (one fprintf). */
void pb_db_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Rewrite `?` placeholders to $1..$n, leaving them alone inside '...' and E'...' literals,
 * "..." identifiers, $tag$...$tag$ strings, -- and (nested) block comments. Returns a heap
 * string (caller frees) and the placeholder count in *nparams. */
char *pb_db_pg_placeholders(const char *sql, int *nparams);

/* Migration text for one dialect: `@PK@` expanded, `-- @sqlite` / `-- @pg` ... `-- @end`
 * blocks kept or dropped. Returns a heap string (caller frees), or NULL on a malformed block
 * (unterminated, nested, or a stray @end) with a reason in *why (static text). */
char *pb_db_dialect(enum pb_db_kind kind, const char *sql, const char **why);

/* pb_db_migrate over an explicit table (terminated by name NULL); entries whose name is not
 * a migration path (see pb_db_migrate) are ignored. pb_db_migrate passes pb_embedded. */
int pb_db_migrate_from(struct pb_db *db, const struct pb_embedded *table,
                       const char *const *modules, struct pb_err *err);

/* Statements currently owned by the connection (cached or in use): for tests. */
int pb_db_stmt_count(const struct pb_db *db);

#endif
