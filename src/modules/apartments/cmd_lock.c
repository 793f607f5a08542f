/* cmd_lock.c: `parkbrain lock verify|code|hotp`: the offline door-code verifier a lock
 * controller embeds (lock/), usable from a shell. verify exits 0 valid, 1 not. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/apartments/lock/lock.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: parkbrain lock verify --key-file F --code C [--at \"YYYY-MM-DD HH:MM[:SS]\"]\n"
            "       parkbrain lock code --key-file F --slot S --check-in DATE --nights N\n"
            "       parkbrain lock hotp --key-file F --counter C\n\n"
            "verify: exit 0 when the 10-digit code opens the door at the given CST time (default "
            "now), 1 when not, 2 on bad usage. code: print a stay's code. hotp: print the RFC "
            "4226 8-digit value (as `oathtool --hotp -d 8 -c C KEYHEX`). The key file has lines "
            "key = HEX, check_in = HH:MM, check_out = HH:MM (docs/door-codes.md).\n");
}

static int read_cfg(const char *path, struct pb_lock_cfg *cfg)
{
    char buf[4096];
    size_t n;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        fprintf(stderr, "parkbrain: cannot read the key file\n");
        return -1;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (pb_lock_cfg_parse(cfg, buf)) {
        fprintf(stderr, "parkbrain: the key file is malformed (key = at least 40 hex digits)\n");
        return -1;
    }
    return 0;
}

/* "YYYY-MM-DD HH:MM[:SS]" in CST (a 'T' is accepted too) → Unix seconds. */
static int parse_at(const char *s, int64_t *out)
{
    char iso[40];
    int64_t ms;
    size_t n = strlen(s);
    if (n < 16 || n > 19 || n >= sizeof iso)
        return -1;
    memcpy(iso, s, n + 1);
    iso[10] = 'T';
    if (pb_iso_parse(iso, &ms))
        return -1;
    *out = ms / 1000;
    return 0;
}

int pb_cmd_lock(int argc, char **argv)
{
    static const char *const own[] = {"key_file", "code",   "at",      "slot",
                                      "check_in", "nights", "counter", NULL};
    struct pb_cli_flags fl = {.own = own};
    struct pb_cli cli;
    struct pb_lock_cfg cfg;
    const char *sub = argc > 0 ? argv[0] : "";
    int rc;
    if (argc < 1 || !strncmp(sub, "--", 2)) {
        usage(argc && !strcmp(sub, "--help") ? stdout : stderr);
        return argc && !strcmp(sub, "--help") ? 0 : 2;
    }
    if ((rc = pb_cli_parse(&cli, argc - 1, argv + 1, &fl)))
        return rc;
    if (cli.help) {
        usage(stdout);
        return 0;
    }
    if (read_cfg(pb_cli_val(&fl, "key_file"), &cfg))
        return 2;
    if (!strcmp(sub, "verify")) {
        const char *code = pb_cli_val(&fl, "code"), *at = pb_cli_val(&fl, "at");
        int64_t now = pb_now_ms() / 1000;
        if (!code || (at && parse_at(at, &now))) {
            fprintf(stderr, "parkbrain: --code is required; --at is \"YYYY-MM-DD HH:MM\" (CST)\n");
            return 2;
        }
        rc = pb_lock_verify(&cfg, code, now, NULL, NULL, NULL);
        memset(&cfg, 0, sizeof cfg);
        /* The result is the exit status only: no code is echoed. */
        return rc ? 0 : 1;
    }
    if (!strcmp(sub, "code")) {
        const char *slot = pb_cli_val(&fl, "slot"), *ci = pb_cli_val(&fl, "check_in"),
                   *nights = pb_cli_val(&fl, "nights");
        int64_t s, n;
        int y, m, d;
        char out[PB_LOCK_CODE_LEN + 1];
        if (!slot || !ci || !nights || pb_parse_i64(slot, &s) || pb_parse_i64(nights, &n) ||
            pb_date_parse(ci, &y, &m, &d) ||
            pb_lock_code(&cfg, (int)s, pb_days_from_civil(y, m, d), (int)n, out)) {
            fprintf(stderr, "parkbrain: need --slot 0..5 --check-in YYYY-MM-DD --nights 1..14\n");
            return 2;
        }
        printf("%s\n", out);
        return 0;
    }
    if (!strcmp(sub, "hotp")) {
        const char *c = pb_cli_val(&fl, "counter");
        int64_t counter;
        if (!c || pb_parse_i64(c, &counter) || counter < 0) {
            fprintf(stderr, "parkbrain: --counter must be a non-negative integer\n");
            return 2;
        }
        printf("%08u\n", pb_lock_hotp(cfg.key, cfg.key_len, (uint64_t)counter, 8));
        return 0;
    }
    usage(stderr);
    return 2;
}
