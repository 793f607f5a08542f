/* park_demo.c: the demo parks (data/demo/parks.json: the seeds' parks), once each. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/resource/resource.h"
#include "core/util/embedded.h"
#include "modules/parks/park.h"

int64_t pb_park_id_by_name(struct pb_db *db, const char *name)
{
    struct pb_stmt *st;
    int64_t id = 0;
    if (pb_db_prepare(db, "SELECT id FROM park WHERE name = ? AND archived_at IS NULL", &st))
        return 0;
    pb_stmt_bind_text(st, 1, name);
    if (pb_stmt_step(st) == PB_ROW)
        id = pb_stmt_col_int(st, 0);
    pb_stmt_done(st);
    return id;
}

int pb_parks_demo(struct pb_ctx *c, struct pb_err *err)
{
    const struct pb_embedded *parks = pb_embedded_find("data/demo/parks.json");
    json_error_t jerr;
    json_t *arr, *v;
    size_t i;
    struct pb_err e;
    int created = 0, rc = 0;
    int64_t existing = 0;

    if (!parks)
        return pb_err_set(err, PB_E_INTERNAL, "此版本不含演示数据",
                          "This build carries no demo set");
    pb_db_query_int(c->db, "SELECT COUNT(*) FROM park", &existing);
    arr = json_loadb((const char *)parks->data, parks->len, 0, &jerr);
    if (!arr) {
        fprintf(stderr, "parkbrain: demo parks: %s\n", jerr.text);
        return pb_err_set(err, PB_E_INTERNAL, "演示园区数据损坏", "The demo parks are broken");
    }
    json_array_foreach(arr, i, v)
    {
        json_t *body = json_deep_copy(v);
        const char *name = json_string_value(json_object_get(v, "name"));
        json_object_del(body, "source"); /* provenance for people, not a field */
        pb_err_clear(&e);
        if (name && pb_park_id_by_name(c->db, name)) {
            json_decref(body);
            continue;
        }
        if (pb_res_create(c, &pb_res_parks, body, NULL, NULL, NULL, &e)) {
            fprintf(stderr, "parkbrain: demo park %s: %s", name ? name : "?", e.detail_en);
            for (int k = 0; k < e.nfields; k++)
                fprintf(stderr, " [%s: %s]", e.fields[k].field, e.fields[k].en);
            fprintf(stderr, "\n");
            rc =
                pb_err_set(err, PB_E_INVALID, "演示园区未能全部载入", "Not every demo park loaded");
        } else {
            created++;
        }
        json_decref(body);
    }
    json_decref(arr);
    printf("  Demo parks: %d loaded (%lld were already there).\n", created, (long long)existing);

    return rc;
}
