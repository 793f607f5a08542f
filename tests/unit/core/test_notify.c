/* test_notify.c: the notification channel URLs and the retry back-off (the delivery itself is
 * tested over real sockets in tests/api/apartment_notify.test.mjs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "modules/apartments/apartment.h"
#include "core/notify_transport.h"
#include "core/util/pb.h"

static void url_parse(void **state)
{
    struct pb_notify_url u;
    (void)state;
    assert_int_equal(
        pb_notify_url_parse("webhook+http://127.0.0.1:8080/cgi-bin/webhook/send?key=k", &u), 0);
    assert_int_equal(u.kind, PB_NOTIFY_WEBHOOK);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/cgi-bin/webhook/send?key=k");
    assert_int_equal(pb_notify_url_parse("sms+http://gw.local", &u), 0);
    assert_int_equal(u.kind, PB_NOTIFY_SMS);
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/");
    assert_int_equal(pb_notify_url_parse("smtp://relay:2525?from=a@b.cn&to=desk@b.cn", &u), 0);
    assert_int_equal(u.kind, PB_NOTIFY_SMTP);
    assert_int_equal(u.port, 2525);
    assert_string_equal(u.from, "a@b.cn");
    assert_string_equal(u.to, "desk@b.cn");
    assert_int_equal(pb_notify_url_parse("smtp://relay?from=a@b.cn", &u), 0);
    assert_int_equal(u.port, 25);
    assert_string_equal(u.to, "");
    /* refused: TLS schemes (a local relay does TLS), no from, bad ports, injection */
    const char *bad[] = {"https://x/y",
                         "smtps://x?from=a@b",
                         "smtp://x",
                         "smtp://x?to=a@b",
                         "smtp://x?from=a b@c",
                         "smtp://x?from=a@b>%0d",
                         "smtp://x?from=nobody",
                         "sms+http://x:0/",
                         "sms+http://x:65536/",
                         "sms+http://:80/",
                         "sms+http://user@x/",
                         "sms+http://x/a b",
                         "ftp://x/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pb_notify_url_parse(bad[i], &u), -1);
}

static void backoff(void **state)
{
    (void)state;
    assert_int_equal(pb_apt_notify_backoff_ms(1), 5 * 60 * 1000LL);
    assert_int_equal(pb_apt_notify_backoff_ms(2), 10 * 60 * 1000LL);
    assert_int_equal(pb_apt_notify_backoff_ms(5), 80 * 60 * 1000LL);
    assert_int_equal(pb_apt_notify_backoff_ms(6), 2 * 3600 * 1000LL);
    assert_int_equal(pb_apt_notify_backoff_ms(30), 2 * 3600 * 1000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(url_parse), cmocka_unit_test(backoff)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
