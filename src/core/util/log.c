/* log.c: timestamped single-write log lines. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/util/log.h"
#include "core/util/pb.h"

static void emit(int fd, const char *level, const char *fmt, va_list ap)
{
    char line[2048];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int k;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    k = snprintf(line + n, sizeof line - n, ".%03ldZ %s ", ts.tv_nsec / 1000000, level);
    if (k > 0)
        n += (size_t)k;
    k = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    if (k > 0)
        n += (size_t)k < sizeof line - n - 1 ? (size_t)k : sizeof line - n - 2;
    /* No control characters from input may forge extra log lines. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20)
            line[i] = ' ';
    line[n++] = '\n';
    if (write(fd, line, n) < 0) {
        /* nothing sensible to do when the log itself cannot be written */
    }
}

#define LOGFN(name, fd, level)                                                                     \
    void name(const char *fmt, ...)                                                                \
    {                                                                                              \
        va_list ap;                                                                                \
        va_start(ap, fmt);                                                                         \
        emit(fd, level, fmt, ap);                                                                  \
        va_end(ap);                                                                                \
    }

LOGFN(pb_log_info, 2, "info")
LOGFN(pb_log_warn, 2, "warn")
LOGFN(pb_log_error, 2, "error")
LOGFN(pb_log_access, 1, "access")
