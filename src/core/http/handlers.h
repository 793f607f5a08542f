/* handlers.h: the route handlers (router.c registers them). */
#ifndef PB_HANDLERS_H
#define PB_HANDLERS_H

#include "core/http/http.h"

void pb_h_healthz(struct pb_req *rq, struct pb_ctx *c);
void pb_h_readyz(struct pb_req *rq, struct pb_ctx *c);
void pb_h_metrics(struct pb_req *rq, struct pb_ctx *c);
void pb_h_openapi(struct pb_req *rq, struct pb_ctx *c);
void pb_h_login(struct pb_req *rq, struct pb_ctx *c);
void pb_h_logout(struct pb_req *rq, struct pb_ctx *c);
void pb_h_me(struct pb_req *rq, struct pb_ctx *c);
void pb_h_password(struct pb_req *rq, struct pb_ctx *c);
void pb_h_meta(struct pb_req *rq, struct pb_ctx *c);
void pb_h_regions(struct pb_req *rq, struct pb_ctx *c);
void pb_h_industries(struct pb_req *rq, struct pb_ctx *c);
void pb_h_audit(struct pb_req *rq, struct pb_ctx *c);
void pb_h_audit_get(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_list(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_export(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_create(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_get(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_patch(struct pb_req *rq, struct pb_ctx *c);
void pb_h_res_delete(struct pb_req *rq, struct pb_ctx *c);
/* Every operation's route (op.h): decode, pb_op_exec, answer. */
void pb_h_op(struct pb_req *rq, struct pb_ctx *c);
/* calendar_handlers.c */
void pb_h_calendar_year(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_put(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_workday_after(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_is_workday(struct pb_req *rq, struct pb_ctx *c);
void pb_h_calendar_between(struct pb_req *rq, struct pb_ctx *c);
#endif
