/* config.h: settings from defaults < file (--config F, key = value lines) < PARKBRAIN_* environment
 * < command-line flags. One struct, filled once at start, read-only afterwards. */
#ifndef PB_CONFIG_H
#define PB_CONFIG_H

#include "core/util/pb.h"

struct pb_config {
    char db_url[1024];    /* db: sqlite:PATH or postgresql://... */
    char data_dir[512];   /* data: where the default database and uploads live */
    char listen_addr[64]; /* listen: ADDR:PORT */
    char web_dir[512];    /* web: the built UI (web/dist) */
    char tls_cert[512];   /* tls_cert, tls_key: PEM files; both set = HTTPS */
    char tls_key[512];
    int threads; /* worker threads (0 = number of cores) */
    int max_connections;
    int max_body_kib;      /* request body cap */
    int max_upload_kib;    /* body cap of file uploads (photos, documents) */
    int max_header_kib;    /* connection memory (headers) cap */
    int request_timeout_s; /* idle/slow connection timeout */
    int session_idle_s;
    int session_absolute_s;
    int login_max_fail_account; /* failures before an account is locked (doubling delay) */
    int login_max_fail_addr;    /* failures per address per window before 429 */
    int login_window_s;
    int trust_proxy; /* take the client address from X-Forwarded-For (behind a TLS proxy) */
    int demo_if_new; /* serve: load the demo set when the database is new */
    int access_log;  /* one line per request on stdout */
    /* Standardization projects (issue 4). */
    int report_due_day; /* a month's report is due on this day of the next month (1..28) */
    int report_jan_feb; /* publish January and February together as 1—2月 */
    int stall_months;   /* dashboard: flag projects with no change and no investment */
};

/* Defaults. */
void pb_config_defaults(struct pb_config *c);
/* Apply a key = value (file syntax and env names without the PARKBRAIN_ prefix, lowercase).
 * Returns 0, or -1 with a message in err for an unknown key or a bad value. */
int pb_config_set(struct pb_config *c, const char *key, const char *value, struct pb_err *err);
/* Read a config file of `key = value` lines (# comments). */
int pb_config_load_file(struct pb_config *c, const char *path, struct pb_err *err);
/* Apply PARKBRAIN_<KEY> environment variables. */
int pb_config_load_env(struct pb_config *c, struct pb_err *err);
/* Fill db_url from data_dir when it is empty. */
void pb_config_finish(struct pb_config *c);
/* Print the keys and their meaning (for --help). */
void pb_config_usage(void);

#endif
