/* refdata.h: reference data shipped with the program (data/regions.tsv,
 * data/gbt4754-2017.tsv), held in memory for validation and seeded into the database so that
 * foreign keys hold. Loaded once at start (pb_refdata_load), read-only afterwards: thread-safe. */
#ifndef PB_REFDATA_H
#define PB_REFDATA_H

#include "core/util/pb.h"

struct pb_db;

struct pb_region {
    char code[16];
    char name[64];
    char name_en[64];
    char kind[16]; /* city, district, county, county_city, zone */
    char parent_code[16];
    char rollup_code[16];
    int sort;
};

struct pb_industry {
    char code[8];
    int level; /* 1 门类 … 4 小类 */
    char section[4];
    char name[96];
};

/* Parse the embedded tables. Returns 0 or PB_E_INTERNAL (a broken build). */
int pb_refdata_load(void);
const struct pb_region *pb_region_find(const char *code);
size_t pb_region_count(void);
const struct pb_region *pb_region_at(size_t i);
const struct pb_industry *pb_industry_find(const char *code);
size_t pb_industry_count(void);
const struct pb_industry *pb_industry_at(size_t i);
/* Insert or update the tables in the database (idempotent), inside the caller's write tx. */
int pb_refdata_seed(struct pb_db *db, struct pb_err *err);

#endif
