/* common.c: flag parsing, opening the database, app start-up, init and the demo loader. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/account.h"
#include "core/audit.h"
#include "core/calendar.h"
#include "core/module.h"
#include "core/refdata.h"
#include "core/util/crypto.h"
#include "core/util/embedded.h"
#include "core/util/timeutil.h"
#include "modules/parks/park.h"

static pthread_once_t app_once = PTHREAD_ONCE_INIT;

static void app_init_once(void)
{
    pb_crypto_init();
    if (pb_refdata_load()) {
        fprintf(stderr, "parkbrain: the embedded reference data is broken\n");
        exit(70);
    }
    pb_modules_init();
}

void pb_app_init(void)
{
    pthread_once(&app_once, app_init_once);
}

const char *pb_cli_val(const struct pb_cli_flags *fl, const char *name)
{
    for (int i = 0; fl && fl->own && fl->own[i]; i++)
        if (!strcmp(fl->own[i], name))
            return fl->nvals[i] ? fl->vals[i][fl->nvals[i] - 1] : NULL;
    return NULL;
}

int pb_cli_parse(struct pb_cli *cli, int argc, char **argv, struct pb_cli_flags *fl)
{
    struct pb_err err;
    const char *cfgfile = NULL;
    int i;
    pb_err_clear(&err);
    memset(cli, 0, sizeof *cli);
    pb_config_defaults(&cli->cfg);
    /* The config file comes first in precedence order, so find it before the rest. */
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            cfgfile = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            cfgfile = argv[i] + 9;
    }
    if (cfgfile && pb_config_load_file(&cli->cfg, cfgfile, &err)) {
        fprintf(stderr, "parkbrain: %s\n", err.detail_en);
        return 2;
    }
    if (pb_config_load_env(&cli->cfg, &err)) {
        fprintf(stderr, "parkbrain: environment: %s\n", err.detail_en);
        return 2;
    }
    for (i = 0; i < argc; i++) {
        char name[64];
        const char *a = argv[i], *val = NULL, *eq;
        int matched = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cli->help = 1;
            continue;
        }
        if (strncmp(a, "--", 2)) {
            fprintf(stderr, "parkbrain: unexpected argument '%s'\n", a);
            return 2;
        }
        a += 2;
        eq = strchr(a, '=');
        pb_strlcpy(name, a,
                   eq && (size_t)(eq - a) < sizeof name ? (size_t)(eq - a) + 1 : sizeof name);
        for (char *p = name; *p; p++)
            if (*p == '-')
                *p = '_';
        if (eq)
            val = eq + 1;
        if (!strcmp(name, "config")) {
            if (!val)
                i++;
            continue;
        }
        for (int k = 0; fl && fl->own_bool && fl->own_bool[k]; k++)
            if (!strcmp(fl->own_bool[k], name)) {
                fl->bools[k] = 1;
                matched = 1;
            }
        if (matched)
            continue;
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "parkbrain: --%s needs a value\n", name);
                return 2;
            }
            val = argv[++i];
        }
        for (int k = 0; fl && fl->own && fl->own[k]; k++)
            if (!strcmp(fl->own[k], name)) {
                if (fl->nvals[k] < 32)
                    fl->vals[k][fl->nvals[k]++] = val;
                matched = 1;
            }
        if (matched)
            continue;
        if (pb_config_set(&cli->cfg, name, val, &err)) {
            fprintf(stderr, "parkbrain: --%s: %s\n", name, err.detail_en);
            return 2;
        }
    }
    pb_config_finish(&cli->cfg);
    pb_modules_configure(&cli->cfg);
    return 0;
}

int pb_cli_open(struct pb_cli *cli, struct pb_db **db, int migrate)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (!strncmp(cli->cfg.db_url, "sqlite:", 7)) {
        /* Create the data directory of the default database on first use. */
        char dir[1024];
        char *slash;
        pb_strlcpy(dir, cli->cfg.db_url + 7, sizeof dir);
        slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = 0;
            for (char *p = dir + 1; *p; p++)
                if (*p == '/') {
                    *p = 0;
                    mkdir(dir, 0750);
                    *p = '/';
                }
            mkdir(dir, 0750);
        }
    }
    if (pb_db_open(cli->cfg.db_url, db, &err)) {
        fprintf(stderr, "parkbrain: cannot open the database: %s\n", err.detail_en);
        return 1;
    }
    if (migrate) {
        int n = pb_modules_migrate(*db, &err);
        if (n < 0) {
            fprintf(stderr, "parkbrain: migration failed: %s (%s)\n", err.detail_en,
                    pb_db_errmsg(*db));
            pb_db_close(*db);
            *db = NULL;
            return 1;
        }
    }
    return 0;
}

void pb_cli_ctx(struct pb_ctx *c, struct pb_db *db, struct pb_arena *a)
{
    memset(c, 0, sizeof c[0]);
    c->db = db;
    c->arena = a;
    c->who = &pb_principal_system;
    c->client_addr = "cli";
    c->request_id = "cli";
    c->now_ms = pb_now_ms();
}

static int seed_tx(struct pb_db *db, void *ctx, struct pb_err *err)
{
    int rc;
    (void)ctx;
    if ((rc = pb_refdata_seed(db, err)))
        return rc;
    return pb_calendar_seed(db, err);
}

int pb_cli_init_db(struct pb_db *db, int no_admin, int *created_admin)
{
    struct pb_err err;
    int64_t accounts = 0;
    pb_err_clear(&err);
    if (created_admin)
        *created_admin = 0;
    if (pb_modules_migrate(db, &err) < 0) {
        fprintf(stderr, "parkbrain: migration failed: %s\n", err.detail_en);
        return 1;
    }
    if (pb_db_tx(db, 1, seed_tx, NULL, &err) < 0) {
        fprintf(stderr, "parkbrain: reference data: %s\n", err.detail_en);
        return 1;
    }
    if (pb_db_query_int(db, "SELECT COUNT(*) FROM account", &accounts))
        return 1;
    if (!no_admin && accounts == 0) {
        struct pb_arena a;
        struct pb_ctx c;
        char pw[32];
        int64_t id;
        pb_arena_init(&a);
        pb_cli_ctx(&c, db, &a);
        pb_password_random(pw);
        if (pb_account_create(&c, "admin", "平台管理员", PB_ROLE_ADMIN, NULL, 0, NULL, 0, pw, 1,
                              &id, &err)) {
            fprintf(stderr, "parkbrain: cannot create the admin: %s\n", err.detail_en);
            pb_arena_release(&a);
            return 1;
        }
        printf("\n  First administrator created.\n    user name: admin\n    one-time password: %s\n"
               "  (shown once; it must be changed at the first login)\n\n",
               pw);
        fflush(stdout);
        pb_arena_release(&a);
        if (created_admin)
            *created_admin = 1;
    }
    return 0;
}

int pb_cli_load_demo(struct pb_db *db)
{
    const struct pb_embedded *users = pb_embedded_find("data/demo/users.json");
    json_error_t jerr;
    json_t *arr;
    size_t i;
    json_t *v;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    int rc = 0;

    if (!users) {
        fprintf(stderr, "parkbrain: this build carries no demo set\n");
        return 1;
    }
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    /* Each module's demo set, in module order (a later one builds on an earlier one's). */
    for (size_t m = 0; pb_modules[m]; m++) {
        if (!pb_modules[m]->demo)
            continue;
        pb_err_clear(&err);
        if (pb_modules[m]->demo(&c, &err)) {
            fprintf(stderr, "parkbrain: demo %s: %s", pb_modules[m]->name, err.detail_en);
            for (int k = 0; k < err.nfields; k++)
                fprintf(stderr, " [%s: %s]", err.fields[k].field, err.fields[k].en);
            fprintf(stderr, "\n");
            rc = 1;
        }
    }

    arr = json_loadb((const char *)users->data, users->len, 0, &jerr);
    if (!arr) {
        fprintf(stderr, "parkbrain: demo users: %s\n", jerr.text);
        pb_arena_release(&a);
        return 1;
    }
    printf("  Demo users (one-time passwords, shown once; each must change it at first login):\n");
    json_array_foreach(arr, i, v)
    {
        const char *username = json_string_value(json_object_get(v, "username"));
        const char *display = json_string_value(json_object_get(v, "display_name"));
        enum pb_role role = pb_role_parse(json_string_value(json_object_get(v, "role")));
        const char *regions[PB_SCOPE_MAX];
        int64_t parkids[PB_SCOPE_MAX];
        int nr = 0, np = 0;
        json_t *list, *x;
        size_t k;
        char pw[32];
        int64_t id;
        if (!username)
            continue;
        list = json_object_get(v, "regions");
        json_array_foreach(list, k, x) if (json_is_string(x) && nr < PB_SCOPE_MAX) regions[nr++] =
            json_string_value(x);
        list = json_object_get(v, "parks_by_name");
        json_array_foreach(list, k, x) if (json_is_string(x) && np < PB_SCOPE_MAX)
        {
            int64_t pid = pb_park_id_by_name(db, json_string_value(x));
            if (pid)
                parkids[np++] = pid;
        }
        pb_password_random(pw);
        pb_err_clear(&err);
        if (pb_account_create(&c, username, display ? display : "", role, regions, nr, parkids, np,
                              pw, 1, &id, &err)) {
            if (err.rc == PB_E_CONFLICT)
                continue; /* already there from an earlier run */
            fprintf(stderr, "parkbrain: demo user %s: %s %s\n", username, err.detail_en,
                    err.nfields ? err.fields[0].en : "");
            rc = 1;
            continue;
        }
        printf("    %-18s %-16s %s\n", username, pb_role_name(role), pw);
    }
    json_decref(arr);
    fflush(stdout);
    pb_arena_release(&a);
    return rc;
}
