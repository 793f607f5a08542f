/* refdata.c: regions and GB/T 4754-2017 industries from the embedded TSV files. */
#include <stdlib.h>
#include <string.h>

#include "core/refdata.h"
#include "core/store/db.h"
#include "core/util/embedded.h"

static struct pb_region *regions;
static size_t nregions;
static struct pb_industry *industries;
static size_t nindustries;

/* Split one TSV line in place into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

/* Iterate lines of an embedded file after its header; calls fn for each non-empty line. */
static int each_line(const char *name, int (*fn)(char **f, int n), int nf)
{
    const struct pb_embedded *e = pb_embedded_find(name);
    char *copy, *line, *next;
    int first = 1, rc = 0;
    if (!e)
        return PB_E_INTERNAL;
    copy = pb_xstrndup((const char *)e->data, e->len);
    for (line = copy; line && *line; line = next) {
        char *f[8];
        int n;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (*line && line[strlen(line) - 1] == '\r')
            line[strlen(line) - 1] = 0;
        if (first || !*line) {
            first = 0;
            continue;
        }
        n = split_tabs(line, f, nf);
        if ((rc = fn(f, n)))
            break;
    }
    free(copy);
    return rc;
}

static size_t cap_regions, cap_industries;

static int add_region(char **f, int n)
{
    struct pb_region *r;
    int64_t sort = 0;
    if (n < 6)
        return PB_E_INTERNAL;
    if (nregions == cap_regions) {
        cap_regions = cap_regions ? cap_regions * 2 : 32;
        regions = pb_xrealloc(regions, cap_regions * sizeof *regions);
    }
    r = &regions[nregions++];
    memset(r, 0, sizeof *r);
    pb_strlcpy(r->code, f[0], sizeof r->code);
    pb_strlcpy(r->name, f[1], sizeof r->name);
    pb_strlcpy(r->name_en, f[2], sizeof r->name_en);
    pb_strlcpy(r->kind, f[3], sizeof r->kind);
    pb_strlcpy(r->parent_code, f[4], sizeof r->parent_code);
    pb_strlcpy(r->rollup_code, f[5], sizeof r->rollup_code);
    if (n > 6 && pb_parse_i64(f[6], &sort) == 0)
        r->sort = (int)sort;
    return 0;
}

static int add_industry(char **f, int n)
{
    struct pb_industry *ind;
    int64_t level = 0;
    if (n < 4 || pb_parse_i64(f[1], &level))
        return PB_E_INTERNAL;
    if (nindustries == cap_industries) {
        cap_industries = cap_industries ? cap_industries * 2 : 2048;
        industries = pb_xrealloc(industries, cap_industries * sizeof *industries);
    }
    ind = &industries[nindustries++];
    memset(ind, 0, sizeof *ind);
    pb_strlcpy(ind->code, f[0], sizeof ind->code);
    ind->level = (int)level;
    pb_strlcpy(ind->section, f[2], sizeof ind->section);
    pb_strlcpy(ind->name, f[3], sizeof ind->name);
    return 0;
}

static int cmp_industry(const void *a, const void *b)
{
    return strcmp(((const struct pb_industry *)a)->code, ((const struct pb_industry *)b)->code);
}

int pb_refdata_load(void)
{
    int rc;
    if (nregions)
        return 0;
    if ((rc = each_line("data/regions.tsv", add_region, 8)))
        return rc;
    if ((rc = each_line("data/gbt4754-2017.tsv", add_industry, 5)))
        return rc;
    /* Standard order is kept in the file; sorted copy for bsearch is the same order for the
     * numeric codes but letters (门类) sort first: sort once. */
    qsort(industries, nindustries, sizeof *industries, cmp_industry);
    return 0;
}

const struct pb_region *pb_region_find(const char *code)
{
    for (size_t i = 0; code && i < nregions; i++)
        if (!strcmp(regions[i].code, code))
            return &regions[i];
    return NULL;
}

size_t pb_region_count(void)
{
    return nregions;
}
const struct pb_region *pb_region_at(size_t i)
{
    return i < nregions ? &regions[i] : NULL;
}

const struct pb_industry *pb_industry_find(const char *code)
{
    struct pb_industry key;
    if (!code || strlen(code) >= sizeof key.code)
        return NULL;
    pb_strlcpy(key.code, code, sizeof key.code);
    return bsearch(&key, industries, nindustries, sizeof *industries, cmp_industry);
}

size_t pb_industry_count(void)
{
    return nindustries;
}
const struct pb_industry *pb_industry_at(size_t i)
{
    return i < nindustries ? &industries[i] : NULL;
}

int pb_refdata_seed(struct pb_db *db, struct pb_err *err)
{
    struct pb_stmt *st;
    int rc;
    for (size_t i = 0; i < nregions; i++) {
        const struct pb_region *r = &regions[i];
        if ((rc = pb_db_prepare(
                 db,
                 "INSERT INTO region (code, name, name_en, kind, parent_code, rollup_code, sort) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
                 "name = excluded.name, name_en = excluded.name_en, kind = excluded.kind, "
                 "parent_code = excluded.parent_code, rollup_code = excluded.rollup_code, "
                 "sort = excluded.sort",
                 &st)))
            return rc;
        pb_stmt_bind_text(st, 1, r->code);
        pb_stmt_bind_text(st, 2, r->name);
        pb_stmt_bind_text(st, 3, r->name_en);
        pb_stmt_bind_text(st, 4, r->kind);
        pb_stmt_bind_text(st, 5, r->parent_code[0] ? r->parent_code : NULL);
        pb_stmt_bind_text(st, 6, r->rollup_code);
        pb_stmt_bind_int(st, 7, r->sort);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return pb_err_set(err, rc, "写入行政区划失败", "could not store regions");
    }
    for (size_t i = 0; i < nindustries; i++) {
        const struct pb_industry *ind = &industries[i];
        if ((rc = pb_db_prepare(
                 db,
                 "INSERT INTO industry (code, level, section, name) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (code) DO UPDATE SET level = excluded.level, "
                 "section = excluded.section, name = excluded.name",
                 &st)))
            return rc;
        pb_stmt_bind_text(st, 1, ind->code);
        pb_stmt_bind_int(st, 2, ind->level);
        pb_stmt_bind_text(st, 3, ind->section);
        pb_stmt_bind_text(st, 4, ind->name);
        rc = pb_stmt_step(st);
        pb_stmt_done(st);
        if (rc < 0)
            return pb_err_set(err, rc, "写入行业分类失败", "could not store industries");
    }
    return 0;
}
