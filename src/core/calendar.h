/* calendar.h: the working-day calendar kept in the database (tables holiday_year, holiday),
 * seeded from the embedded data/holidays/YYYY.tsv and editable by admins a year at a time.
 * The rules themselves are in util/workday.h. */
#ifndef PB_CALENDAR_H
#define PB_CALENDAR_H

#include <jansson.h>

#include "core/util/pb.h"
#include "core/util/workday.h"

struct pb_db;
struct pb_ctx;

/* Insert the shipped years the database does not have yet (an edited year is never
 * overwritten). Inside a write transaction. 0 or rc. */
int pb_calendar_seed(struct pb_db *db, struct pb_err *err);
/* Load the whole calendar (a few hundred rows). Inside or outside a transaction. 0 or rc. */
int pb_calendar_load(struct pb_db *db, struct pb_cal *cal, struct pb_err *err);

/* GET /calendar/{year}: {"year","published","source","entries":[{"date","kind","name"}],
 * "workdays": N, "holidays": N} appended to out. */
int pb_calendar_year_json(struct pb_ctx *c, int year, struct pb_buf *out, struct pb_err *err);
/* PUT /calendar/{year}: body {"entries":[...], "source": "..."} replaces the year (admin only,
 * audited). Field errors name entries[i].date etc. */
int pb_calendar_put_year(struct pb_ctx *c, int year, json_t *body, struct pb_err *err);

#endif
