/* fuzz_body.c: request bodies and list queries against the park resource, as a county user.
 *
 * The input is a JSON body, optionally followed by a NUL or newline and a query string
 * (`{"name":"x","region_code":"350582"}\nsort=-land_m2&limit=2`): the whole input, or else the
 * part before the separator, is decoded with JSON_REJECT_DUPLICATES and, when it is an object,
 * created with pb_res_create; the part after the separator (the whole input when there is none)
 * goes through pb_qs_parse, pb_list_parse and pb_res_list. An object body is also applied as a
 * PATCH (If-Match "*") to one seeded park of the caller's. The database is one SQLite file in a
 * mkdtemp directory, made once per process.
 *
 * Properties (a violation traps, so libFuzzer reports it): a refusal is a 400 or 422 with its
 * field errors named, never a database error; nothing is created or listed outside the
 * caller's county; answers are valid JSON; no memory is leaked (LeakSanitizer). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/account.h"
#include "modules/parks/park.h"
#include "core/resource/resource.h"
#include "core/store/db.h"
#include "core/util/pb.h"
#include "core/util/qs.h"

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

#define FIXED_NOW 1790000000000LL

static struct pb_db *db;
static struct pb_principal who;
static char dir[64];

static void cleanup(void)
{
    DIR *d;
    struct dirent *de;
    char path[160];
    if (db)
        pb_db_close(db);
    db = NULL;
    if (!dir[0] || !(d = opendir(dir)))
        return;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int64_t patch_id; /* a park of the caller's county that every body also patches */

static int64_t seed_park(const char *body)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    int64_t id = 0;
    json_t *j = json_loads(body, 0, NULL);
    pb_arena_init(&a);
    pb_cli_ctx(&c, db, &a);
    c.now_ms = FIXED_NOW;
    pb_err_clear(&e);
    CHECK(j && pb_res_create(&c, &pb_res_parks, j, NULL, &id, NULL, &e) == 0);
    json_decref(j);
    pb_arena_release(&a);
    return id;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char url[128];
    struct pb_err e;
    (void)argc;
    (void)argv;
    pb_app_init();
    pb_strlcpy(dir, "/tmp/pb_fuzz_body.XXXXXX", sizeof dir);
    if (!mkdtemp(dir)) {
        perror("fuzz_body: mkdtemp");
        abort();
    }
    atexit(cleanup);
    snprintf(url, sizeof url, "sqlite:%s/fuzz.db", dir);
    pb_err_clear(&e);
    if (pb_db_open(url, &db, &e) || pb_cli_init_db(db, 1, NULL)) {
        fprintf(stderr, "fuzz_body: cannot set up %s: %s\n", url, e.detail_en);
        abort();
    }
    /* Speed over durability: the database is thrown away. */
    pb_db_exec_script(db, "PRAGMA synchronous = OFF", &e);
    /* Something to list, on both sides of the county line. */
    seed_park("{\"name\":\"晋江园A\",\"region_code\":\"350582\",\"kind\":\"new_build\",\"land_m2\":\"100.50\","
              "\"opened_on\":\"2020-01-01\",\"pilot\":true}");
    patch_id = seed_park("{\"name\":\"晋江园B\",\"region_code\":\"350582\",\"kind\":\"revitalized\"}");
    seed_park("{\"name\":\"南安园\",\"region_code\":\"350583\",\"land_m2\":\"7\"}");
    memset(&who, 0, sizeof who);
    who.account_id = 7;
    who.role = PB_ROLE_REGION;
    pb_strlcpy(who.username, "fuzz_jinjiang", sizeof who.username);
    pb_strlcpy(who.regions[0], "350582", sizeof who.regions[0]);
    who.nregions = 1;
    return 0;
}

static void ctx_for(struct pb_ctx *c, struct pb_arena *a)
{
    memset(c, 0, sizeof *c);
    c->db = db;
    c->arena = a;
    c->who = &who;
    c->client_addr = "fuzz";
    c->request_id = "fuzz";
    c->now_ms = FIXED_NOW;
}

static void check_err(int rc, const struct pb_err *e)
{
    CHECK(e->rc == rc);
    CHECK(e->nfields >= 0 && e->nfields <= PB_ERR_MAX_FIELDS);
    for (int i = 0; i < e->nfields; i++)
        CHECK(e->fields[i].code[0] != 0);
    /* a summary, or field errors to build one from (the HTTP layer does) */
    CHECK((e->detail_en[0] != 0 && e->detail_zh[0] != 0) || e->nfields > 0);
}

static void fuzz_create(json_t *body)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    struct pb_buf out;
    int64_t id = 0, version = 0;
    int rc;
    pb_arena_init(&a);
    ctx_for(&c, &a);
    pb_err_clear(&e);
    pb_buf_init(&out, 0);
    rc = pb_res_create(&c, &pb_res_parks, body, &out, &id, &version, &e);
    if (rc == 0) {
        json_t *rec = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
        json_t *region = json_object_get(rec, "region_code");
        CHECK(id > 0 && version == 1 && e.rc == 0);
        CHECK(json_is_object(rec));
        CHECK(json_integer_value(json_object_get(rec, "id")) == id);
        /* never outside the caller's county */
        CHECK(json_is_string(region) && !strcmp(json_string_value(region), "350582"));
        json_decref(rec);
    } else {
        /* a body can be malformed or invalid; it must never reach the database as an error */
        CHECK(rc == PB_E_BAD_REQUEST || rc == PB_E_INVALID);
        check_err(rc, &e);
        CHECK(e.nfields > 0 || rc == PB_E_BAD_REQUEST);
        CHECK(out.len == 0);
    }
    pb_buf_release(&out);
    pb_arena_release(&a);
}

/* The same body as a PATCH of one seeded park of the caller's ("*" matches any version). */
static void fuzz_patch(json_t *body)
{
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    struct pb_buf out;
    int64_t version = 0;
    int rc;
    pb_arena_init(&a);
    ctx_for(&c, &a);
    pb_err_clear(&e);
    pb_buf_init(&out, 0);
    rc = pb_res_patch(&c, &pb_res_parks, patch_id, body, "*", &out, &version, &e);
    if (rc == 0) {
        json_t *rec = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
        json_t *region = json_object_get(rec, "region_code");
        CHECK(version >= 1 && json_is_object(rec));
        CHECK(json_integer_value(json_object_get(rec, "id")) == patch_id);
        CHECK(json_is_string(region) && !strcmp(json_string_value(region), "350582"));
        CHECK(json_is_string(json_object_get(rec, "name")));
        json_decref(rec);
    } else {
        CHECK(rc == PB_E_BAD_REQUEST || rc == PB_E_INVALID);
        check_err(rc, &e);
        CHECK(out.len == 0);
    }
    pb_buf_release(&out);
    pb_arena_release(&a);
}

static void fuzz_query(const char *q, size_t len)
{
    static const char *const extra[] = {"format", NULL};
    struct pb_arena a;
    struct pb_ctx c;
    struct pb_err e;
    struct pb_qs_pair *pairs;
    struct pb_kv *kv;
    struct pb_list_req lr;
    size_t n;
    int rc;
    pb_arena_init(&a);
    ctx_for(&c, &a);
    if (pb_qs_parse(&a, q, len, &pairs, &n) != PB_QS_OK) {
        pb_arena_release(&a);
        return;
    }
    kv = pb_arena_alloc(&a, sizeof *kv * (n + 1));
    for (size_t i = 0; i < n; i++) {
        kv[i].key = pairs[i].key;
        kv[i].value = pairs[i].val;
    }
    pb_err_clear(&e);
    rc = pb_list_parse(&pb_res_parks, kv, n, extra, &lr, &e);
    if (rc) {
        CHECK(rc == PB_E_BAD_REQUEST || rc == PB_E_INVALID);
        check_err(rc, &e);
        CHECK(e.nfields > 0);
    } else {
        struct pb_buf out;
        CHECK(lr.limit >= 1 && lr.limit <= 500);
        CHECK(lr.nsort >= 0 && lr.nsort <= PB_LIST_MAX_SORT);
        CHECK(lr.nfilters >= 0 && lr.nfilters <= PB_LIST_MAX_FILTERS);
        pb_buf_init(&out, 0);
        rc = pb_res_list(&c, &pb_res_parks, &lr, &out, &e);
        if (rc == 0) {
            json_t *j = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
            json_t *items = json_object_get(j, "items"), *it;
            json_t *total = json_object_get(j, "total"), *cursor = json_object_get(j, "next_cursor");
            size_t i;
            CHECK(json_is_array(items) && json_is_integer(total));
            CHECK(json_array_size(items) <= (size_t)lr.limit);
            CHECK(json_integer_value(total) >= (json_int_t)json_array_size(items));
            CHECK(json_is_null(cursor) || (json_is_string(cursor) && json_array_size(items) == (size_t)lr.limit));
            json_array_foreach(items, i, it) {
                json_t *region = json_object_get(it, "region_code");
                CHECK(json_is_string(region) && !strcmp(json_string_value(region), "350582"));
                CHECK(lr.include_archived || json_is_null(json_object_get(it, "archived_at")));
            }
            json_decref(j);
        } else {
            /* a bad cursor (400) or filter value (422), nothing else */
            CHECK(rc == PB_E_BAD_REQUEST || rc == PB_E_INVALID);
            check_err(rc, &e);
        }
        pb_buf_release(&out);
    }
    pb_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, 0, size), *nl = memchr(s, '\n', size);
    const char *sep = nul && (!nl || nul < nl) ? nul : nl;
    size_t head = sep ? (size_t)(sep - s) : size;
    json_error_t jerr;
    json_t *body = json_loadb(s, size, JSON_REJECT_DUPLICATES, &jerr);

    if (!body && sep)
        body = json_loadb(s, head, JSON_REJECT_DUPLICATES, &jerr);
    if (json_is_object(body)) {
        fuzz_create(body);
        fuzz_patch(body);
    }
    json_decref(body);

    if (sep)
        fuzz_query(sep + 1, size - head - 1);
    else
        fuzz_query(s, size);
    return 0;
}
