/* h_apartment.h: handlers of the calendar and talent-apartment routes (router.c). */
#ifndef PB_H_APARTMENT_H
#define PB_H_APARTMENT_H

#include "http.h"

void pb_h_calendar_year(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_put(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_workday_after(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_is_workday(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_between(struct pb_req *rq, struct pb_ctx *c);

/* Register the apartment routes through the router's add(). */
void pb_apartment_routes_add(void (*add)(const struct pb_route *r));

#endif
