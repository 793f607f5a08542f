/* cmd_serve.c: migrate, optionally load the demo set into a new database, and serve. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/http/http.h"

int pb_cmd_serve(int argc, char **argv)
{
    struct pb_cli cli;
    struct pb_db *db;
    int rc;
    int64_t accounts = 0;
    if ((rc = pb_cli_parse(&cli, argc, argv, NULL)))
        return rc;
    if (cli.help) {
        printf("usage: parkbrain serve [--db URL] [--listen ADDR:PORT] [--data DIR] [--web DIR] "
               "[settings]\n\n"
               "Serve the API and the web UI until SIGTERM or SIGINT, then finish the requests in "
               "flight and "
               "close the database. Applies pending migrations first. With --demo-if-new true, a "
               "database "
               "without accounts gets the reference data, the first admin and the demo set.\n\n");
        pb_config_usage();
        return 0;
    }
    if (pb_cli_open(&cli, &db, 1))
        return 1;
    if (pb_db_query_int(db, "SELECT COUNT(*) FROM account", &accounts)) {
        fprintf(stderr, "parkbrain: cannot read the database\n");
        pb_db_close(db);
        return 1;
    }
    if (accounts == 0 && cli.cfg.demo_if_new) {
        printf("A new database: loading reference data, the first admin and the demo set.\n");
        if (pb_cli_init_db(db, 0, NULL) || pb_cli_load_demo(db)) {
            pb_db_close(db);
            return 1;
        }
    } else if (pb_cli_init_db(db, 1, NULL)) {
        pb_db_close(db);
        return 1;
    }
    pb_db_close(db);
    if (!strncmp(cli.cfg.listen_addr, "127.0.0.1:", 10))
        printf("Open http://%s in a browser.\n", cli.cfg.listen_addr);
    fflush(stdout);
    return pb_http_serve(&cli.cfg);
}
