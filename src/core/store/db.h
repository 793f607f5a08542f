/* db.h: the portable database API. Only src/store/ includes sqlite3.h or libpq-fe.h.
 *
 * SQL is written once in the common dialect of SQLite >= 3.40 and PostgreSQL >= 15 with `?`
 * placeholders (the PostgreSQL driver rewrites them to $1..$n, skipping string literals and
 * quoted identifiers). Every value is bound; SQL text never contains input.
 *
 * Threading: a struct pb_db is one connection, used by one thread at a time (the HTTP server
 * gives each worker thread its own). Statements are cached per connection by SQL text.
 *
 * Types: integers are int64 (dates are ISO text, instants Unix ms, booleans 0/1). Text is
 * UTF-8. Columns are read by 0-based index; parameters are bound by 1-based index.
 */
#ifndef PB_DB_H
#define PB_DB_H

#include "core/util/pb.h"

enum pb_db_kind { PB_DB_SQLITE = 1, PB_DB_PG = 2 };

struct pb_db;
struct pb_stmt;

/* Open a connection from a URL: "sqlite:PATH" (file created if absent; WAL,
 * synchronous=FULL, foreign_keys=ON, busy_timeout 5000 ms) or "postgresql://..." /
 * "postgres://..." (libpq conninfo URL). Returns 0 and *out, or PB_E_DB with err set
 * (the message never contains the password). Caller owns *out: pb_db_close(). */
int pb_db_open(const char *url, struct pb_db **out, struct pb_err *err);
void pb_db_close(struct pb_db *db);
enum pb_db_kind pb_db_kind(const struct pb_db *db);

/* Transactions. write=1 takes the write lock at once (SQLite BEGIN IMMEDIATE); on PostgreSQL
 * both are BEGIN (READ COMMITTED; writers lock rows with UPDATE ... RETURNING).
 * Returns 0, PB_E_RETRY (busy/serialization failure/deadlock: roll back and run the whole
 * transaction again), or PB_E_DB. */
int pb_db_begin(struct pb_db *db, int write);
int pb_db_commit(struct pb_db *db);
void pb_db_rollback(struct pb_db *db); /* safe to call when no transaction is open */
int pb_db_in_tx(const struct pb_db *db);

/* Run fn(db, ctx, err) inside a transaction, committing if it returns >= 0 and rolling back
 * otherwise. PB_E_RETRY from begin, fn, any statement or commit makes it roll back and run fn
 * again (up to 20 times, with a short randomised back-off); after that it returns PB_E_BUSY.
 * fn must therefore have no side effects outside the database before it returns. */
/* (Added:) PB_E_DB sets err to a generic "Database error" and logs the driver message to
 * stderr; a PB_E_CONFLICT fn did not describe gets a generic conflict message. Called while a
 * transaction is already open (a nested pb_db_tx), it runs fn inside that transaction without
 * begin, commit or retry: the outer pb_db_tx does those, so fn's error must reach it. */
typedef int (*pb_tx_fn)(struct pb_db *db, void *ctx, struct pb_err *err);
int pb_db_tx(struct pb_db *db, int write, pb_tx_fn fn, void *ctx, struct pb_err *err);

/* Execute literal SQL that may hold several statements (migrations, PRAGMAs). NEVER pass text
 * that contains input. Returns 0 or PB_E_DB (err->detail_en holds the driver message).
 * (Added: PB_E_RETRY/PB_E_CONFLICT map as for steps. Session state set here, e.g. SET on
 * PostgreSQL, is lost if the driver reconnects: put such settings in the URL instead.) */
int pb_db_exec_script(struct pb_db *db, const char *sql, struct pb_err *err);

/* Prepare (or fetch from the connection's cache) a statement. The statement belongs to the
 * connection; call pb_stmt_done() when finished with it so it can be reused. Returns 0 or
 * PB_E_DB. (Added: or PB_E_RETRY, inside a transaction, when the PostgreSQL connection was lost
 * or SQLite's schema is locked: treat it like a step's PB_E_RETRY. A statement in use that is
 * asked for again gives a second one, so nested queries on the same SQL are fine.) */
int pb_db_prepare(struct pb_db *db, const char *sql, struct pb_stmt **out);
void pb_stmt_done(struct pb_stmt *st);

/* Bind parameter idx (1-based). Text is copied. */
void pb_stmt_bind_int(struct pb_stmt *st, int idx, int64_t v);
void pb_stmt_bind_text(struct pb_stmt *st, int idx, const char *s); /* NULL binds NULL */
void pb_stmt_bind_textn(struct pb_stmt *st, int idx, const char *s, size_t n);
void pb_stmt_bind_null(struct pb_stmt *st, int idx);

/* Step: PB_ROW (a row is available), PB_DONE, or a negative rc (PB_E_RETRY, PB_E_CONFLICT for a
 * unique/foreign-key violation, PB_E_DB). The first step executes the statement. */
int pb_stmt_step(struct pb_stmt *st);
/* Number of rows changed by the last INSERT/UPDATE/DELETE executed by this statement.
 * (Added: valid once pb_stmt_step has returned PB_DONE; SQLite counts RETURNING statements'
 * changes only when they finish. 0 for a SELECT.) */
int64_t pb_stmt_changes(struct pb_stmt *st);

int pb_stmt_ncols(struct pb_stmt *st);
const char *pb_stmt_col_name(struct pb_stmt *st, int col);
int pb_stmt_col_null(struct pb_stmt *st, int col);
int64_t pb_stmt_col_int(struct pb_stmt *st, int col);
/* Valid until the next step or done; "" for NULL. */
const char *pb_stmt_col_text(struct pb_stmt *st, int col);

/* Last driver error message for this connection (for logs, never for clients). */
const char *pb_db_errmsg(struct pb_db *db);

/* Convenience: prepare, bind nothing, step once; returns the first column of the first row as
 * an integer in *out (0 if no row). For literal queries only. Returns 0 or an error rc. */
int pb_db_query_int(struct pb_db *db, const char *sql, int64_t *out);

/* Migrations: apply every embedded migration not yet recorded in schema_migration, each in
 * its own transaction, recording (module, number, name, applied_at). Files are
 * src/core/migrations/NNN_name.sql (module "core", applied first) and
 * src/modules/<module>/migrations/NNN_name.sql, applied in the order of `modules` (a
 * NULL-terminated list of module names; a migration of a module not listed is PB_E_INTERNAL),
 * each module's by number. NNN >= 1 and unique within its module (else PB_E_INTERNAL). The text
 * must not BEGIN/COMMIT itself. Before running, `@PK@` becomes the dialect's auto-increment
 * primary key and lines between `-- @sqlite` or `-- @pg` and `-- @end` are kept for that
 * dialect only. A header line "-- replaces: NNN_name" names the file of the old flat
 * numbering (recorded in schema_version) it took over: a database that applied that file
 * records this one without running it. Concurrent migrators serialise (SQLite write lock;
 * PostgreSQL advisory lock 727272) and never both apply one. Returns the number run (>= 0). */
int pb_db_migrate(struct pb_db *db, const char *const *modules, struct pb_err *err);
/* Number of migrations recorded, 0 for an empty database. */
int pb_db_migrations_applied(struct pb_db *db, int64_t *out);

/* Fault injection for tests (reliability.md): when > 0, the Nth subsequent statement step on any
 * connection fails with PB_E_DB (persistent=1: and every one after it). 0 disables. */
void pb_db_fault_inject(int nth, int persistent);

#endif
