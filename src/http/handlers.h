/* handlers.h: the route handlers (router.c registers them). */
#ifndef PB_HANDLERS_H
#define PB_HANDLERS_H

#include "http.h"

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
/* project_handlers.c */
void pb_h_project_transition(struct pb_req *rq, struct pb_ctx *c);
void pb_h_project_transitions(struct pb_req *rq, struct pb_ctx *c);
void pb_h_report_put(struct pb_req *rq, struct pb_ctx *c);
void pb_h_report_get(struct pb_req *rq, struct pb_ctx *c);
void pb_h_report_list(struct pb_req *rq, struct pb_ctx *c);
void pb_h_report_confirm(struct pb_req *rq, struct pb_ctx *c);
void pb_h_report_withdraw(struct pb_req *rq, struct pb_ctx *c);
void pb_h_project_transition_void(struct pb_req *rq, struct pb_ctx *c);
void pb_h_reports_monthly(struct pb_req *rq, struct pb_ctx *c);
void pb_h_reports_late(struct pb_req *rq, struct pb_ctx *c);
void pb_h_reports_calendar(struct pb_req *rq, struct pb_ctx *c);
void pb_h_dashboard(struct pb_req *rq, struct pb_ctx *c);

/* space_handlers.c: the space-and-enterprises routes (issue 3). */
void pb_space_routes(void (*add)(const struct pb_route *r));

#endif
