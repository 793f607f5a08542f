/* test_config.c: settings layer defaults < file < PARKBRAIN_* environment < flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "core/util/config.h"

static void test_defaults(void **state)
{
    struct pb_config c;
    (void)state;
    pb_config_defaults(&c);
    assert_string_equal(c.listen_addr, "127.0.0.1:8080");
    assert_string_equal(c.data_dir, "./data");
    assert_int_equal(c.max_body_kib, 1024);
    assert_int_equal(c.session_idle_s, 1800);
    assert_int_equal(c.login_max_fail_account, 5);
    pb_config_finish(&c);
    assert_string_equal(c.db_url, "sqlite:./data/parkbrain.db");
}

static void test_set_validates(void **state)
{
    struct pb_config c;
    struct pb_err err;
    (void)state;
    pb_config_defaults(&c);
    pb_err_clear(&err);
    assert_int_equal(pb_config_set(&c, "max-body-kib", "2048", &err), 0);
    assert_int_equal(c.max_body_kib, 2048);
    assert_int_equal(pb_config_set(&c, "trust_proxy", "yes", &err), 0);
    assert_int_equal(c.trust_proxy, 1);
    assert_int_not_equal(pb_config_set(&c, "max_body_kib", "0", &err), 0);
    assert_int_not_equal(pb_config_set(&c, "max_body_kib", "12abc", &err), 0);
    assert_int_not_equal(pb_config_set(&c, "trust_proxy", "maybe", &err), 0);
    assert_int_not_equal(pb_config_set(&c, "no_such_key", "1", &err), 0);
    assert_int_equal(c.max_body_kib, 2048); /* refused values change nothing */
}

/* file < environment < flags, each overriding the one before. */
static void test_layering(void **state)
{
    char path[] = "/tmp/pbcfg-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    struct pb_cli cli;
    char *argv[] = {"--config", path, "--listen", "127.0.0.1:9003", NULL};
    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fprintf(f, "# comment\nlisten = 127.0.0.1:9001\nthreads = 3\nsession_idle_seconds = 60\n");
    fclose(f);
    setenv("PARKBRAIN_THREADS", "4", 1);
    setenv("PARKBRAIN_LISTEN", "127.0.0.1:9002", 1);
    assert_int_equal(pb_cli_parse(&cli, 4, argv, NULL), 0);
    assert_string_equal(cli.cfg.listen_addr, "127.0.0.1:9003"); /* flag beats env and file */
    assert_int_equal(cli.cfg.threads, 4);                       /* env beats file */
    assert_int_equal(cli.cfg.session_idle_s, 60);               /* file beats default */
    unsetenv("PARKBRAIN_THREADS");
    unsetenv("PARKBRAIN_LISTEN");
    unlink(path);
}

static void test_bad_file_line(void **state)
{
    char path[] = "/tmp/pbcfg-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    struct pb_config c;
    struct pb_err err;
    (void)state;
    f = fdopen(fd, "w");
    fprintf(f, "listen 127.0.0.1:1\n");
    fclose(f);
    pb_config_defaults(&c);
    pb_err_clear(&err);
    assert_int_not_equal(pb_config_load_file(&c, path, &err), 0);
    assert_non_null(strstr(err.detail_en, "line 1"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_validates),
        cmocka_unit_test(test_layering),
        cmocka_unit_test(test_bad_file_line),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
