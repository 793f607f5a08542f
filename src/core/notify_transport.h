/* notify_transport.h: delivery clients for the notification outbox (POSIX sockets, no TLS,
 * timeouts; see notify_transport.c). Thread-safe; no global state. */
#ifndef PB_NOTIFY_TRANSPORT_H
#define PB_NOTIFY_TRANSPORT_H

#include <stddef.h>

enum pb_notify_kind { PB_NOTIFY_HTTP, PB_NOTIFY_WEBHOOK, PB_NOTIFY_SMS, PB_NOTIFY_SMTP };

struct pb_notify_url {
    enum pb_notify_kind kind;
    char host[256];
    int port;
    char path[512];          /* HTTP: the request target (path and query) */
    char from[128], to[128]; /* SMTP: ?from=…&to=… (to may be empty) */
};

/* webhook+http://host[:port]/path, sms+http://…, http://… (the channel's own meaning) or
 * smtp://host[:port]?from=a@b[&to=c@d]. 0, or -1 when malformed or unsupported (https and
 * smtps are not: a local relay does TLS). */
int pb_notify_url_parse(const char *url, struct pb_notify_url *u);

/* POST json; 0 on a 2xx answer (for a webhook also no non-zero "errcode"), else -1 with a
 * short error text free of the peer's words. */
int pb_notify_http_post(const struct pb_notify_url *u, const char *json, int timeout_ms, char *err,
                        size_t errlen);

/* HELO, MAIL FROM, RCPT TO, DATA (UTF-8, base64), QUIT. 0 when the server accepted the
 * message. */
int pb_notify_smtp_send(const struct pb_notify_url *u, const char *to, const char *subject,
                        const char *text, int timeout_ms, char *err, size_t errlen);

#endif
