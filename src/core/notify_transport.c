/* notify_transport.c: the small clients that deliver notifications (notify_transport.h): an
 * HTTP/1.1 POST of a JSON body and a plain SMTP exchange, over POSIX sockets, with timeouts.
 * No TLS here: a local relay (stunnel, an SMTP smarthost, a reverse proxy) adds it
 * (docs/configuration.md "Notifications"). Error texts are ours (a stage and a status code),
 * never the peer's words, so they hold no personal data. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/notify_transport.h"
#include "core/util/b64.h"
#include "core/util/pb.h"

int pb_notify_url_parse(const char *url, struct pb_notify_url *u)
{
    static const struct {
        const char *prefix;
        enum pb_notify_kind kind;
        int port;
    } schemes[] = {
        {"webhook+http://", PB_NOTIFY_WEBHOOK, 80},
        {"sms+http://", PB_NOTIFY_SMS, 80},
        {"http://", PB_NOTIFY_HTTP, 80},
        {"smtp://", PB_NOTIFY_SMTP, 25},
    };
    const char *p = NULL, *host, *end;
    size_t hl;
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < PB_ARRAY_LEN(schemes) && !p; i++)
        if (!strncmp(url, schemes[i].prefix, strlen(schemes[i].prefix))) {
            p = url + strlen(schemes[i].prefix);
            u->kind = schemes[i].kind;
            u->port = schemes[i].port;
        }
    if (!p)
        return -1;
    host = p;
    end = host + strcspn(host, ":/?");
    hl = (size_t)(end - host);
    if (!hl || hl >= sizeof u->host || memchr(host, '@', hl))
        return -1;
    memcpy(u->host, host, hl);
    u->host[hl] = 0;
    p = end;
    if (*p == ':') {
        int64_t port;
        char num[8];
        size_t nl = strcspn(p + 1, "/?");
        if (!nl || nl >= sizeof num)
            return -1;
        memcpy(num, p + 1, nl);
        num[nl] = 0;
        if (pb_parse_i64(num, &port) || port < 1 || port > 65535)
            return -1;
        u->port = (int)port;
        p += 1 + nl;
    }
    if (u->kind == PB_NOTIFY_SMTP) {
        /* smtp://host:port?from=a@b&to=c@d */
        const char *q = strchr(p, '?');
        char *targets[2] = {u->from, u->to};
        const char *names[2] = {"from=", "to="};
        if (!q)
            return -1;
        for (q++; *q;) {
            size_t l = strcspn(q, "&");
            for (int i = 0; i < 2; i++)
                if (!strncmp(q, names[i], strlen(names[i]))) {
                    size_t vl = l - strlen(names[i]);
                    if (vl >= sizeof u->from)
                        return -1;
                    memcpy(targets[i], q + strlen(names[i]), vl);
                    targets[i][vl] = 0;
                }
            q += l + (q[l] == '&');
        }
        /* addresses go into SMTP commands: no spaces, brackets or line breaks */
        for (int i = 0; i < 2; i++)
            if (targets[i][0] && (strcspn(targets[i], " <>\r\n\t") != strlen(targets[i]) ||
                                  !strchr(targets[i], '@')))
                return -1;
        return u->from[0] ? 0 : -1;
    }
    if (!*p)
        p = "/";
    if (*p != '/' || strlen(p) >= sizeof u->path || strcspn(p, " \r\n\t") != strlen(p))
        return -1;
    pb_strlcpy(u->path, p, sizeof u->path);
    return 0;
}

/* ---- sockets ---- */

static int tcp_connect(const char *host, int port, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL, *ai;
    char ps[8];
    int fd = -1, rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(ps, sizeof ps, "%d", port);
    if ((rc = getaddrinfo(host, ps, &hints, &res))) {
        snprintf(err, errlen, "resolve: %s", gai_strerror(rc));
        return -1;
    }
    snprintf(err, errlen, "connect: no address");
    for (ai = res; ai; ai = ai->ai_next) {
        struct pollfd pfd;
        int soerr = 0, flags;
        socklen_t sl = sizeof soerr;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        flags = fcntl(fd, F_GETFL, 0);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc && errno == EINPROGRESS) {
            pfd.fd = fd;
            pfd.events = POLLOUT;
            rc = poll(&pfd, 1, timeout_ms);
            if (rc == 0) {
                snprintf(err, errlen, "connect: timed out after %d ms", timeout_ms);
                rc = -1;
            } else if (rc > 0 && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr) {
                rc = 0;
            } else {
                snprintf(err, errlen, "connect: %s", strerror(soerr ? soerr : errno));
                rc = -1;
            }
        } else if (rc) {
            snprintf(err, errlen, "connect: %s", strerror(errno));
        }
        if (!rc) {
            struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
            fcntl(fd, F_SETFL, flags);
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int send_all(int fd, const char *p, size_t n, char *err, size_t errlen)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "send: %s",
                     errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- HTTP ---- */

int pb_notify_http_post(const struct pb_notify_url *u, const char *json, int timeout_ms, char *err,
                        size_t errlen)
{
    char head[1400], resp[8192];
    size_t got = 0;
    int fd, status = 0, n;
    err[0] = 0;
    if ((fd = tcp_connect(u->host, u->port, timeout_ms, err, errlen)) < 0)
        return -1;
    n = snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: parkbrain-notify\r\n"
                 "Content-Type: application/json; charset=utf-8\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n",
                 u->path, u->host, u->port, strlen(json));
    if (n < 0 || (size_t)n >= sizeof head) {
        close(fd);
        snprintf(err, errlen, "request too long");
        return -1;
    }
    if (send_all(fd, head, (size_t)n, err, errlen) ||
        send_all(fd, json, strlen(json), err, errlen)) {
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t r;
        if (got + 1 >= sizeof resp)
            break; /* enough to judge */
        r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            if (!got || !strstr(resp, "\r\n\r\n")) {
                resp[got] = 0;
                snprintf(err, errlen, "receive: %s",
                         errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : strerror(errno));
                close(fd);
                return -1;
            }
            break;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        resp[got] = 0;
    }
    close(fd);
    resp[got] = 0;
    if (sscanf(resp, "HTTP/1.%*1[01] %3d", &status) != 1) {
        snprintf(err, errlen, "not an HTTP response");
        return -1;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "HTTP %d", status);
        return -1;
    }
    if (u->kind == PB_NOTIFY_WEBHOOK) {
        /* WeCom and DingTalk robots answer 200 with {"errcode":N,...}: non-zero is a failure */
        const char *body = strstr(resp, "\r\n\r\n");
        json_t *doc = body ? json_loads(body + 4, 0, NULL) : NULL;
        json_t *ec = doc ? json_object_get(doc, "errcode") : NULL;
        long long code = json_is_integer(ec) ? json_integer_value(ec) : 0;
        json_decref(doc);
        if (code) {
            snprintf(err, errlen, "HTTP %d, errcode %lld", status, code);
            return -1;
        }
    }
    return 0;
}

/* ---- SMTP ---- */

struct smtp_conn {
    int fd;
    char buf[2048];
    size_t len;
};

/* Read one reply (possibly multi-line "250-..."), return its code or -1. */
static int smtp_reply(struct smtp_conn *s, char *err, size_t errlen, const char *stage)
{
    for (;;) {
        char *nl = memchr(s->buf, '\n', s->len);
        if (nl) {
            size_t ll = (size_t)(nl - s->buf) + 1;
            int code = 0, last;
            last = ll >= 4 && s->buf[3] != '-';
            if (ll < 4 || sscanf(s->buf, "%3d", &code) != 1) {
                snprintf(err, errlen, "SMTP %s: malformed reply", stage);
                return -1;
            }
            memmove(s->buf, s->buf + ll, s->len - ll);
            s->len -= ll;
            if (last)
                return code;
            continue;
        }
        if (s->len == sizeof s->buf) {
            s->len = 0; /* an overlong line: drop what we have, keep reading */
            continue;
        }
        {
            ssize_t r = recv(s->fd, s->buf + s->len, sizeof s->buf - s->len, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                snprintf(err, errlen, "SMTP %s: %s", stage,
                         r == 0                                    ? "connection closed"
                         : errno == EAGAIN || errno == EWOULDBLOCK ? "timed out"
                                                                   : strerror(errno));
                return -1;
            }
            s->len += (size_t)r;
        }
    }
}

static int smtp_cmd(struct smtp_conn *s, const char *line, int want, const char *stage, char *err,
                    size_t errlen)
{
    int code;
    if (line && send_all(s->fd, line, strlen(line), err, errlen))
        return -1;
    if ((code = smtp_reply(s, err, errlen, stage)) < 0)
        return -1;
    if (code / 100 != want / 100) {
        snprintf(err, errlen, "SMTP %s: %d", stage, code);
        return -1;
    }
    return 0;
}

int pb_notify_smtp_send(const struct pb_notify_url *u, const char *to, const char *subject,
                        const char *text, int timeout_ms, char *err, size_t errlen)
{
    struct smtp_conn s = {.fd = -1};
    char line[600], enc[200];
    size_t tl = strlen(text), el = pb_b64_encoded_len(tl);
    char *body;
    int rc = -1;
    err[0] = 0;
    if (!to || !*to || strcspn(to, " <>\r\n\t") != strlen(to)) {
        snprintf(err, errlen, "no valid recipient address");
        return -1;
    }
    if (strlen(subject) > 120 || el > 64 * 1024) {
        snprintf(err, errlen, "message too long");
        return -1;
    }
    body = pb_xmalloc(el + el / 76 * 2 + 8);
    {
        /* base64 in lines of 76: no dot-stuffing needed, any UTF-8 passes */
        char *tmp = pb_xmalloc(el + 1);
        size_t o = 0;
        pb_b64_encode(text, tl, tmp, el + 1);
        for (size_t i = 0; i < el; i += 76) {
            size_t n = el - i < 76 ? el - i : 76;
            memcpy(body + o, tmp + i, n);
            o += n;
            body[o++] = '\r';
            body[o++] = '\n';
        }
        body[o] = 0;
        free(tmp);
    }
    if ((s.fd = tcp_connect(u->host, u->port, timeout_ms, err, errlen)) < 0)
        goto out;
    if (smtp_cmd(&s, NULL, 220, "greeting", err, errlen) ||
        smtp_cmd(&s, "HELO parkbrain\r\n", 250, "HELO", err, errlen))
        goto out;
    snprintf(line, sizeof line, "MAIL FROM:<%s>\r\n", u->from);
    if (smtp_cmd(&s, line, 250, "MAIL FROM", err, errlen))
        goto out;
    snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", to);
    if (smtp_cmd(&s, line, 250, "RCPT TO", err, errlen) ||
        smtp_cmd(&s, "DATA\r\n", 354, "DATA", err, errlen))
        goto out;
    pb_b64_encode(subject, strlen(subject), enc, sizeof enc);
    snprintf(line, sizeof line,
             "From: <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\nMIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
             u->from, to, enc);
    if (send_all(s.fd, line, strlen(line), err, errlen) ||
        send_all(s.fd, body, strlen(body), err, errlen) ||
        smtp_cmd(&s, ".\r\n", 250, "end of data", err, errlen))
        goto out;
    rc = 0;
    send_all(s.fd, "QUIT\r\n", 6, line, sizeof line); /* the message is accepted either way */
out:
    if (s.fd >= 0)
        close(s.fd);
    free(body);
    return rc;
}
