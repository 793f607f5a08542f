/* embedded.c: lookup in the generated table. */
#include <string.h>

#include "core/util/embedded.h"

const struct pb_embedded *pb_embedded_find(const char *name)
{
    for (const struct pb_embedded *e = pb_embedded; e->name; e++)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}
