/* log.h: one-line log records on stderr (errors, lifecycle) and stdout (access log).
 * Thread-safe: each record is written with a single write(2). Never pass personal data. */
#ifndef PB_LOG_H
#define PB_LOG_H

void pb_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pb_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Access log line on stdout. */
void pb_log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
