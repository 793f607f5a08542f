/* cmd_import.c: parkbrain import enterprises|units|leases|spaces FILE [--valid-only]. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util/timeutil.h"
#include "modules/space/space.h"

/* A progress bar on stderr when it is a terminal. */
static void progress(void *ud, size_t done, size_t total)
{
    int width = 40, fill = total ? (int)((double)done / (double)total * width) : width;
    (void)ud;
    if (!isatty(2))
        return;
    fprintf(stderr, "\r  [");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", total ? (int)(done * 100 / total) : 100);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

int pb_cmd_import(int argc, char **argv)
{
    static const char *const own_bool[] = {"valid_only", NULL};
    struct pb_cli_flags fl = {.own_bool = own_bool};
    struct pb_cli cli;
    struct pb_db *db = NULL;
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err err;
    struct pb_buf data, report;
    struct pb_import_opts o = {0};
    struct pb_import_result res;
    const char *kind, *file;
    int rc, nargs = 0;
    char *args[2] = {NULL, NULL};
    /* positional arguments first, then flags */
    while (nargs < argc && nargs < 2 && strncmp(argv[nargs], "--", 2)) {
        args[nargs] = argv[nargs];
        nargs++;
    }
    if ((rc = pb_cli_parse(&cli, argc - nargs, argv + nargs, &fl)))
        return rc;
    if (cli.help || nargs != 2) {
        fprintf(cli.help ? stdout : stderr,
                "usage: parkbrain import enterprises|units|leases|spaces FILE [--valid-only]\n"
                "  CSV in UTF-8 or GB18030, or XLSX (its first sheet); headers are field\n"
                "  names or their labels.\n"
                "  All or nothing unless --valid-only. Enterprises upsert by USCC, units by\n"
                "  building and unit number (park_name + building_name columns resolve it).\n");
        return cli.help ? 0 : 2;
    }
    kind = args[0];
    file = args[1];
    pb_buf_init(&data, (size_t)4 << 30);
    {
        FILE *f = fopen(file, "rb");
        char buf[1 << 16];
        size_t n;
        if (!f) {
            fprintf(stderr, "parkbrain: cannot open %s\n", file);
            return 1;
        }
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            pb_buf_add(&data, buf, n);
        fclose(f);
        if (data.err) {
            fprintf(stderr, "parkbrain: %s is too large\n", file);
            return 1;
        }
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    pb_err_clear(&err);
    pb_buf_init(&report, 0);
    o.valid_only = fl.bools[0];
    o.source = file;
    o.progress = progress;
    {
        int64_t t0 = pb_now_ms();
        rc = pb_import_csv(&c, kind, data.data ? data.data : "", data.len, &o, &report, &res, &err);
        /* a row report when the file was read; else (encoding, a damaged XLSX) the reason */
        if (rc == 0 || (rc == PB_E_INVALID && res.encoding)) {
            printf("%s: %zu rows (%s), %zu inserted, %zu updated, %zu rejected, %s in %.1f s\n",
                   file, res.rows, res.encoding ? res.encoding : "?", rc ? 0 : res.inserted,
                   rc ? 0 : res.updated, res.rejected, rc ? "nothing written" : "committed",
                   (double)(pb_now_ms() - t0) / 1000.0);
            if (res.rejected || rc)
                printf("rejected rows: %s\n", pb_buf_cstr(&report));
        } else {
            fprintf(stderr, "parkbrain: import failed: %s%s%s\n", err.detail_en,
                    err.nfields ? ": " : "", err.nfields ? err.fields[0].en : "");
        }
    }
    pb_buf_release(&report);
    pb_buf_release(&data);
    pb_arena_release(&a);
    pb_db_close(db);
    return rc == 0 ? 0 : rc == PB_E_INVALID ? 3 : 1;
}
