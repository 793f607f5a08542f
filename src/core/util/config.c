/* config.c: layered configuration. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/config.h"

void pb_config_defaults(struct pb_config *c)
{
    memset(c, 0, sizeof *c);
    pb_strlcpy(c->data_dir, "./data", sizeof c->data_dir);
    pb_strlcpy(c->listen_addr, "127.0.0.1:8080", sizeof c->listen_addr);
    pb_strlcpy(c->web_dir, "./web/dist", sizeof c->web_dir);
    c->threads = 0;
    c->max_connections = 512;
    c->max_body_kib = 1024;
    c->max_upload_kib = 10240;
    c->max_header_kib = 32;
    c->request_timeout_s = 30;
    c->session_idle_s = 30 * 60;
    c->session_absolute_s = 12 * 3600;
    c->login_max_fail_account = 5;
    c->login_max_fail_addr = 50;
    c->login_window_s = 15 * 60;
    c->access_log = 1;
    c->report_due_day = 10;
    c->report_jan_feb = 1;
    c->stall_months = 3;
}

enum kind { K_STR, K_INT, K_BOOL };
static const struct {
    const char *key;
    enum kind kind;
    size_t off, size;
    int min, max;
    const char *doc;
} keys[] = {
#define S(k, f, doc)                                                                               \
    {                                                                                              \
        k, K_STR, offsetof(struct pb_config, f), sizeof(((struct pb_config *)0)->f), 0, 0, doc     \
    }
#define I(k, f, lo, hi, doc)                                                                       \
    {                                                                                              \
        k, K_INT, offsetof(struct pb_config, f), 0, lo, hi, doc                                    \
    }
#define B(k, f, doc)                                                                               \
    {                                                                                              \
        k, K_BOOL, offsetof(struct pb_config, f), 0, 0, 1, doc                                     \
    }
    S("db", db_url,
      "database URL: sqlite:PATH or postgresql://USER@HOST:PORT/DB (default "
      "sqlite:DATA/parkbrain.db)"),
    S("data", data_dir, "data directory (default ./data)"),
    S("listen", listen_addr, "ADDR:PORT to serve on (default 127.0.0.1:8080)"),
    S("web", web_dir, "directory of the built web UI (default ./web/dist)"),
    S("tls_cert", tls_cert, "PEM certificate for HTTPS (with tls_key)"),
    S("tls_key", tls_key, "PEM private key for HTTPS"),
    I("threads", threads, 0, 256, "worker threads (0 = one per core)"),
    I("max_connections", max_connections, 4, 100000, "concurrent connections"),
    I("max_body_kib", max_body_kib, 1, 1048576, "request body limit in KiB (default 1024)"),
    I("max_upload_kib", max_upload_kib, 1, 1048576,
      "file upload (photos, documents) limit in KiB (default 10240)"),
    I("max_header_kib", max_header_kib, 8, 1024, "request header memory per connection in KiB"),
    I("request_timeout_s", request_timeout_s, 1, 3600, "idle or slow connection timeout"),
    I("session_idle_seconds", session_idle_s, 1, 86400 * 30, "session idle expiry (default 1800)"),
    I("session_absolute_seconds", session_absolute_s, 60, 86400 * 90, "session absolute expiry"),
    I("login_max_fail_account", login_max_fail_account, 1, 1000,
      "failed logins before an account is locked"),
    I("login_max_fail_addr", login_max_fail_addr, 1, 100000,
      "failed logins per client address per window"),
    I("login_window_seconds", login_window_s, 1, 86400, "window for counting failed logins"),
    B("trust_proxy", trust_proxy,
      "use X-Forwarded-For from a local TLS proxy as the client address"),
    B("demo_if_new", demo_if_new, "serve: load the demo set into a new database"),
    B("access_log", access_log, "one access-log line per request on stdout"),
    I("report_due_day", report_due_day, 1, 28,
      "projects: a month's report is due on this day of the next month (default 10)"),
    B("report_jan_feb", report_jan_feb,
      "projects: publish January and February together as 1-2 (default true)"),
    I("stall_months", stall_months, 1, 24,
      "projects: flag as stalled after N months without a stage change or investment"),
#undef S
#undef I
#undef B
};

int pb_config_set(struct pb_config *c, const char *key, const char *value, struct pb_err *err)
{
    char k[64];
    size_t i;
    for (i = 0; key[i] && i < sizeof k - 1; i++)
        k[i] = (key[i] == '-') ? '_' : (char)tolower((unsigned char)key[i]);
    k[i] = 0;
    /* Aliases used by flags. */
    if (!strcmp(k, "session_idle_s"))
        pb_strlcpy(k, "session_idle_seconds", sizeof k);
    for (i = 0; i < PB_ARRAY_LEN(keys); i++) {
        char *field = (char *)c + keys[i].off;
        if (strcmp(keys[i].key, k))
            continue;
        if (keys[i].kind == K_STR) {
            if (strlen(value) >= keys[i].size)
                return pb_err_set(err, PB_E_INVALID, "配置项 %s 过长", "setting %s is too long", k);
            pb_strlcpy(field, value, keys[i].size);
            return 0;
        }
        if (keys[i].kind == K_BOOL) {
            int v;
            if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes") ||
                !strcmp(value, "on"))
                v = 1;
            else if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no") ||
                     !strcmp(value, "off"))
                v = 0;
            else
                return pb_err_set(err, PB_E_INVALID, "配置项 %s 应为 true/false",
                                  "setting %s must be true or false", k);
            memcpy(field, &v, sizeof v);
            return 0;
        }
        {
            int64_t v;
            int iv;
            if (pb_parse_i64(value, &v) || v < keys[i].min || v > keys[i].max)
                return pb_err_set(err, PB_E_INVALID, "配置项 %s 应为 %d 到 %d 的整数",
                                  "setting %s must be an integer from %d to %d", k, keys[i].min,
                                  keys[i].max);
            iv = (int)v;
            memcpy(field, &iv, sizeof iv);
            return 0;
        }
    }
    return pb_err_set(err, PB_E_INVALID, "未知配置项 %s", "unknown setting %s", k);
}

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

int pb_config_load_file(struct pb_config *c, const char *path, struct pb_err *err)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int lineno = 0;
    if (!f)
        return pb_err_set(err, PB_E_IO, "无法读取配置文件 %s", "cannot read config file %s", path);
    while (fgets(line, sizeof line, f)) {
        char *eq, *s = trim(line);
        lineno++;
        if (!*s || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (!eq) {
            fclose(f);
            return pb_err_set(err, PB_E_INVALID, "%s 第 %d 行缺少 =", "%s line %d: missing =", path,
                              lineno);
        }
        *eq = 0;
        if (pb_config_set(c, trim(s), trim(eq + 1), err)) {
            fclose(f);
            return err->rc;
        }
    }
    fclose(f);
    return 0;
}

int pb_config_load_env(struct pb_config *c, struct pb_err *err)
{
    for (size_t i = 0; i < PB_ARRAY_LEN(keys); i++) {
        char name[96];
        const char *v;
        size_t j, n;
        n = (size_t)snprintf(name, sizeof name, "PARKBRAIN_%s", keys[i].key);
        for (j = 10; j < n; j++)
            name[j] = (char)toupper((unsigned char)name[j]);
        v = getenv(name);
        if (v && pb_config_set(c, keys[i].key, v, err))
            return err->rc;
    }
    return 0;
}

void pb_config_finish(struct pb_config *c)
{
    if (!c->db_url[0])
        snprintf(c->db_url, sizeof c->db_url, "sqlite:%s/parkbrain.db", c->data_dir);
}

void pb_config_usage(void)
{
    printf("Settings (file `key = value`, environment PARKBRAIN_KEY, or flag --key VALUE):\n");
    for (size_t i = 0; i < PB_ARRAY_LEN(keys); i++) {
        char flag[64];
        size_t j;
        pb_strlcpy(flag, keys[i].key, sizeof flag);
        for (j = 0; flag[j]; j++)
            if (flag[j] == '_')
                flag[j] = '-';
        printf("  --%-26s %s\n", flag, keys[i].doc);
    }
}
