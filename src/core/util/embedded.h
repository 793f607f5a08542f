/* embedded.h: files compiled into the binary (migrations, reference data, demo set). */
#ifndef PB_EMBEDDED_H
#define PB_EMBEDDED_H
#include <stddef.h>

struct pb_embedded {
    const char *name; /* path as in the source tree, e.g. "src/store/migrations/001_init.sql" */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
};
/* Terminated by an entry with name NULL. */
extern const struct pb_embedded pb_embedded[];
/* Find by exact path; NULL if absent. */
const struct pb_embedded *pb_embedded_find(const char *name);
#endif
