/* cmd_user.c: user add | passwd | list. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/account.h"

/* Read one line from stdin (the password), without the newline. */
static int read_password(char *out, size_t n)
{
    size_t len;
    if (!fgets(out, (int)n, stdin))
        return -1;
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = 0;
    return len ? 0 : -1;
}

static void print_err(const struct pb_err *err)
{
    fprintf(stderr, "parkbrain: %s\n", err->detail_en[0] ? err->detail_en : pb_rc_name(err->rc));
    for (int i = 0; i < err->nfields; i++)
        fprintf(stderr, "  %s: %s\n", err->fields[i].field, err->fields[i].en);
}

static int user_add(int argc, char **argv)
{
    static const char *const own[] = {"username", "role", "region", "park", "display_name", NULL};
    static const char *const bools[] = {"password_stdin", "must_change", NULL};
    struct pb_cli_flags fl = {.own = own, .own_bool = bools};
    struct pb_cli cli;
    struct pb_db *db;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    char pw[512];
    int64_t parks[PB_SCOPE_MAX], id = 0;
    int rc, must_change;
    const char *username, *role;
    if ((rc = pb_cli_parse(&cli, argc, argv, &fl)))
        return rc;
    if (cli.help) {
        printf(
            "usage: parkbrain user add --username U --role R [--region CODE]... [--park ID]...\n"
            "                          [--display-name NAME] [--password-stdin] [--must-change]\n\n"
            "Roles: admin city region operator enterprise viewer auditor apartment_desk.\n"
            "A region user needs --region (repeatable); an operator needs --park.\n"
            "With --password-stdin the password is read from the first line of standard input; "
            "otherwise a\n"
            "random one-time password is printed and must be changed at the first login.\n");
        return 0;
    }
    username = pb_cli_val(&fl, "username");
    role = pb_cli_val(&fl, "role");
    if (!username || !role) {
        fprintf(stderr, "parkbrain: user add needs --username and --role\n");
        return 2;
    }
    if (pb_role_parse(role) == PB_ROLE_NONE) {
        fprintf(stderr, "parkbrain: unknown role '%s'\n", role);
        return 2;
    }
    for (int i = 0; i < fl.nvals[3]; i++)
        if (pb_parse_i64(fl.vals[3][i], &parks[i]) || parks[i] < 1) {
            fprintf(stderr, "parkbrain: --park takes a park id\n");
            return 2;
        }
    if (fl.bools[0]) {
        if (read_password(pw, sizeof pw)) {
            fprintf(stderr, "parkbrain: no password on standard input\n");
            return 2;
        }
        must_change = fl.bools[1];
    } else {
        pb_password_random(pw);
        must_change = 1;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    if (pb_cli_init_db(db, 1, NULL)) {
        pb_db_close(db);
        return 1;
    }
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    pb_err_clear(&err);
    rc = pb_account_create(&c, username, pb_cli_val(&fl, "display_name"), pb_role_parse(role),
                           fl.vals[2], fl.nvals[2], parks, fl.nvals[3], pw, must_change, &id, &err);
    if (rc) {
        print_err(&err);
        rc = 1;
    } else if (!fl.bools[0]) {
        printf("%lld\none-time password: %s\n", (long long)id, pw);
    } else {
        printf("%lld\n", (long long)id);
    }
    sodium_memzero(pw, sizeof pw);
    pb_arena_release(&a);
    pb_db_close(db);
    return rc;
}

static int user_passwd(int argc, char **argv)
{
    static const char *const own[] = {"username", NULL};
    static const char *const bools[] = {"password_stdin", "must_change", NULL};
    struct pb_cli_flags fl = {.own = own, .own_bool = bools};
    struct pb_cli cli;
    struct pb_db *db;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    char pw[512];
    int rc, must_change;
    const char *username;
    if ((rc = pb_cli_parse(&cli, argc, argv, &fl)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain user passwd --username U [--password-stdin] [--must-change]\n\n"
               "Set a user's password and end all of the user's sessions. Without --password-stdin "
               "a random\n"
               "one-time password is printed, to be changed at the next login.\n");
        return 0;
    }
    if (!(username = pb_cli_val(&fl, "username"))) {
        fprintf(stderr, "parkbrain: user passwd needs --username\n");
        return 2;
    }
    if (fl.bools[0]) {
        if (read_password(pw, sizeof pw)) {
            fprintf(stderr, "parkbrain: no password on standard input\n");
            return 2;
        }
        must_change = fl.bools[1];
    } else {
        pb_password_random(pw);
        must_change = 1;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    pb_err_clear(&err);
    if ((rc = pb_account_set_password(&c, username, pw, must_change, &err))) {
        print_err(&err);
        rc = 1;
    } else if (!fl.bools[0]) {
        printf("one-time password: %s\n", pw);
    }
    sodium_memzero(pw, sizeof pw);
    pb_arena_release(&a);
    pb_db_close(db);
    return rc;
}

static int user_list(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    struct pb_stmt *st;
    int rc;
    if ((rc = pb_cli_parse(&cli, argc, argv, NULL)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain user list [--db URL]\n\nList the accounts with their roles and "
               "scopes.\n");
        return 0;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    if (pb_db_prepare(
            db,
            "SELECT a.id, a.username, a.role, a.must_change_password, a.disabled, a.display_name, "
            "(SELECT COUNT(*) FROM account_scope s WHERE s.account_id = a.id) FROM account a ORDER "
            "BY a.id",
            &st)) {
        pb_db_close(db);
        return 1;
    }
    printf("%-6s %-20s %-15s %-7s %-8s %s\n", "id", "username", "role", "scopes", "state", "name");
    while (pb_stmt_step(st) == PB_ROW)
        printf("%-6lld %-20s %-15s %-7lld %-8s %s\n", (long long)pb_stmt_col_int(st, 0),
               pb_stmt_col_text(st, 1), pb_stmt_col_text(st, 2), (long long)pb_stmt_col_int(st, 6),
               pb_stmt_col_int(st, 4)   ? "disabled"
               : pb_stmt_col_int(st, 3) ? "new-pw"
                                        : "active",
               pb_stmt_col_text(st, 5));
    pb_stmt_done(st);
    pb_db_close(db);
    return 0;
}

int pb_cmd_user(int argc, char **argv)
{
    if (argc < 1 || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
        printf("usage: parkbrain user add|passwd|list [flags]   (each takes --help)\n");
        return argc < 1 ? 2 : 0;
    }
    if (!strcmp(argv[0], "add"))
        return user_add(argc - 1, argv + 1);
    if (!strcmp(argv[0], "passwd"))
        return user_passwd(argc - 1, argv + 1);
    if (!strcmp(argv[0], "list"))
        return user_list(argc - 1, argv + 1);
    fprintf(stderr, "parkbrain: unknown user command '%s'\n", argv[0]);
    return 2;
}
