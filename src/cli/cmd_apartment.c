/* cmd_apartment.c: `parkbrain apartment ...` (filled in with the apartment domain). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int pb_cmd_apartment(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "usage: parkbrain apartment purge\n");
    return 2;
}
