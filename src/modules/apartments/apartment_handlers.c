/* apartment_handlers.c: handlers of the talent-apartment service:
 * decode, call the domain (apartment.h), encode. */
#include <stdio.h>
#include <string.h>

#include "core/util/log.h"
#include "core/util/timeutil.h"
#include "core/util/validate.h"
#include "modules/apartments/apartment.h"
#include "modules/apartments/apartment_handlers.h"

/* ---- calendar ---- */

static void fail(struct pb_req *rq, struct pb_err *err)
{
    if (!err->detail_en[0]) {
        if (err->nfields)
            pb_err_set(err, err->rc, "%s", "%s", err->fields[0].zh, err->fields[0].en);
        else
            pb_err_set(err, err->rc ? err->rc : PB_E_INTERNAL, "请求未能完成",
                       "the request could not be completed");
    }
    pb_http_problem(rq, err);
}

/* (Answers are never cached: the server marks every response Cache-Control: no-store.) */
static void ok(struct pb_req *rq, int status)
{
    pb_http_json(rq, status);
}

static void pb_h_apt_register(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t id = 0;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){NULL}))
        return;
    if (pb_apt_register(c, rq->json, &id, &err)) {
        fail(rq, &err);
        return;
    }
    pb_buf_printf(&rq->out, "{\"id\":%lld,\"role\":\"applicant\"}", (long long)id);
    ok(rq, 201);
}

static void pb_h_apt_directory(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){NULL}))
        return;
    if (pb_apt_directory(c, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_settings(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_settings_json(c, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_settings_put(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_settings_put(c, rq->json, &err)) {
        fail(rq, &err);
        return;
    }
    pb_h_apt_settings(rq, c);
}

static void pb_h_apt_agreements(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){NULL}))
        return;
    if (pb_apt_agreements_list(c, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_agreement_put(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int created = 0;
    pb_err_clear(&err);
    if (pb_apt_agreement_put(c, rq->json, &rq->out, &created, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, created ? 201 : 200);
}

static void pb_h_apt_app_create(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t id = 0;
    char loc[96];
    pb_err_clear(&err);
    if (pb_apt_application_create(c, rq->json, &rq->out, &id, &err)) {
        fail(rq, &err);
        return;
    }
    snprintf(loc, sizeof loc, "/api/v1/apartment/applications/%lld", (long long)id);
    pb_http_header(rq, "Location", loc);
    pb_log_info("apartment: application %lld received; notification in the outbox", (long long)id);
    ok(rq, 201);
}

static void pb_h_apt_app_list(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){"status", NULL}))
        return;
    if (pb_apt_applications_list(c, pb_http_query(rq, "status"), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_app_get(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_application_get(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_review(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_review(c, pb_http_id(rq, 4), rq->json, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    pb_log_info("apartment: application %lld reviewed; notification in the outbox",
                (long long)pb_http_id(rq, 4));
    ok(rq, 200);
}

static void pb_h_apt_withdraw(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_withdraw(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_unmask(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_unmask(c, pb_http_id(rq, 4), rq->json, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_mine(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_mine(c, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_book(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t id = 0;
    char earliest[11] = "", loc[96];
    pb_err_clear(&err);
    if (pb_apt_booking_create(c, rq->json, &rq->out, &id, earliest, &err)) {
        fail(rq, &err);
        if (earliest[0]) {
            /* The contract: errors[0].earliest carries the earliest allowed date. */
            json_t *doc = json_loadb(rq->out.data, rq->out.len, 0, NULL);
            json_t *e0 = doc ? json_array_get(json_object_get(doc, "errors"), 0) : NULL;
            if (e0) {
                char *txt;
                json_object_set_new(e0, "earliest", json_string(earliest));
                txt = json_dumps(doc, JSON_COMPACT);
                if (txt) {
                    pb_buf_reset(&rq->out);
                    pb_buf_adds(&rq->out, txt);
                    free(txt);
                }
            }
            json_decref(doc);
        }
        return;
    }
    snprintf(loc, sizeof loc, "/api/v1/apartment/bookings/%lld", (long long)id);
    pb_http_header(rq, "Location", loc);
    pb_log_info("apartment: booking %lld made; notification in the outbox", (long long)id);
    ok(rq, 201);
}

static void pb_h_apt_bookings(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){"date", "status", NULL}))
        return;
    if (pb_apt_bookings_list(c, pb_http_query(rq, "date"), pb_http_query(rq, "status"), &rq->out,
                             &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_arrivals(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    char today[11];
    const char *date = pb_http_query(rq, "date");
    int y, m, d;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){"date", NULL}))
        return;
    /* The desk's "today" is the server's CST date (not the browser's): the answer names both
     * the date listed and today. */
    pb_cst_date(c->now_ms, &y, &m, &d);
    pb_date_format(y, m, d, today);
    if (!date)
        date = today;
    if (pb_apt_bookings_list(c, date, "booked", &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    if (rq->out.len && rq->out.data[rq->out.len - 1] == '}') {
        rq->out.len--;
        pb_buf_adds(&rq->out, ",\"date\":");
        pb_buf_json_str(&rq->out, date);
        pb_buf_printf(&rq->out, ",\"today\":\"%s\"}", today);
    }
    ok(rq, 200);
}

static void pb_h_apt_booking_get(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_booking_get(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_cancel(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_booking_cancel(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_check_in(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_check_in(c, pb_http_id(rq, 4), rq->json, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    pb_log_info("apartment: booking %lld checked in; door code issued (not logged); "
                "notification in the outbox",
                (long long)pb_http_id(rq, 4));
    ok(rq, 200);
}

static void pb_h_apt_door_code(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_door_code(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_check_out(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_check_out(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_verify(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_verify_code(c, rq->json, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_lock_key(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_lock_provision(c, pb_http_id(rq, 4), &rq->out, &err)) {
        if (err.rc == PB_E_FORBIDDEN) {
            c->denied.set = 1;
            c->denied.resource = "apartment_rooms";
            snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld",
                     (long long)pb_http_id(rq, 4));
            c->denied.action = "lock_provision";
        }
        fail(rq, &err);
        return;
    }
    rq->status = 200;
    rq->content_type = "text/plain; charset=utf-8";
}

static void pb_h_apt_rekey(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_lock_rekey(c, pb_http_id(rq, 4), &rq->out, &err)) {
        if (err.rc == PB_E_FORBIDDEN) {
            c->denied.set = 1;
            c->denied.resource = "apartment_rooms";
            snprintf(c->denied.object_id, sizeof c->denied.object_id, "%lld",
                     (long long)pb_http_id(rq, 4));
            c->denied.action = "lock_rekey";
        }
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_reissue(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_reissue_code(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    pb_log_info("apartment: booking %lld door code re-issued (not logged); notification in the "
                "outbox",
                (long long)pb_http_id(rq, 4));
    ok(rq, 200);
}

static void pb_h_apt_board(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t apt = 0, days = 14;
    const char *a = pb_http_query(rq, "apartment_id"), *d = pb_http_query(rq, "days");
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){"apartment_id", "from", "days", NULL}))
        return;
    if (!a || pb_parse_i64(a, &apt) || apt <= 0)
        pb_err_field(&err, PB_E_INVALID, "apartment_id", "required", "请指定公寓编号",
                     "apartment_id is required");
    if (d && pb_parse_i64(d, &days))
        days = 0;
    if (err.nfields || pb_apt_board(c, apt, pb_http_query(rq, "from"), (int)days, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_stats(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_http_only_params(rq, (const char *const[]){"from", "to", NULL}))
        return;
    if (pb_apt_stats(c, pb_http_query(rq, "from"), pb_http_query(rq, "to"), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_outbox(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_outbox(c, &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_no_shows(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t n = 0;
    pb_err_clear(&err);
    if (pb_apt_release_no_shows(c, &n, &err)) {
        fail(rq, &err);
        return;
    }
    pb_buf_printf(&rq->out, "{\"released\":%lld}", (long long)n);
    ok(rq, 200);
}

static void pb_h_apt_purge(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t n = 0;
    pb_err_clear(&err);
    if (pb_apt_purge(c, &n, &err)) {
        fail(rq, &err);
        return;
    }
    pb_buf_printf(&rq->out, "{\"purged_applications\":%lld}", (long long)n);
    ok(rq, 200);
}

static void pb_h_apt_cert_upload(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    int64_t id = 0;
    pb_err_clear(&err);
    if (pb_apt_cert_upload(c, pb_http_id(rq, 4), rq->json, &rq->out, &id, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 201);
}

static void pb_h_apt_cert_list(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    pb_err_clear(&err);
    if (pb_apt_cert_list(c, pb_http_id(rq, 4), &rq->out, &err)) {
        fail(rq, &err);
        return;
    }
    ok(rq, 200);
}

static void pb_h_apt_cert_get(struct pb_req *rq, struct pb_ctx *c)
{
    struct pb_err err;
    const char *ct = NULL;
    char disp[96];
    pb_err_clear(&err);
    if (pb_apt_cert_get(c, pb_http_id(rq, 4), &rq->out, &ct, &err)) {
        pb_buf_reset(&rq->out);
        fail(rq, &err);
        return;
    }
    /* A download, never rendered in the page's origin. */
    snprintf(disp, sizeof disp, "attachment; filename=\"certificate-%lld.%s\"",
             (long long)pb_http_id(rq, 4),
             !strcmp(ct, "application/pdf") ? "pdf"
             : !strcmp(ct, "image/png")     ? "png"
                                            : "jpg");
    pb_http_header(rq, "Content-Disposition", disp);
    rq->status = 200;
    rq->content_type = ct;
}

/* ---- routes ---- */

#define AP "/api/v1/apartment"
void pb_apartment_routes_add(void (*add)(const struct pb_route *r))
{
    static const struct pb_route rt[] = {
        {"POST", AP "/register", pb_h_apt_register, PB_RT_PUBLIC | PB_RT_BODY, "apartment_register",
         "Register an applicant account (public, throttled)", "apartment"},
        {"GET", AP "/directory", pb_h_apt_directory, PB_RT_PUBLIC, "apartment_directory",
         "Apartments open to applications, with beds in service and free tonight (public)",
         "apartment"},
        {"GET", AP "/settings", pb_h_apt_settings, 0, "apartment_settings",
         "Service settings (agreement version, rules, check-in/out times)", "apartment"},
        {"PUT", AP "/settings", pb_h_apt_settings_put, PB_RT_BODY, "apartment_settings_update",
         "Change settings (admin; audited)", "apartment"},
        {"GET", AP "/agreements", pb_h_apt_agreements, 0, "apartment_agreements",
         "Residence agreement versions and their texts (staff)", "apartment"},
        {"POST", AP "/agreements", pb_h_apt_agreement_put, PB_RT_BODY, "apartment_agreement_put",
         "Publish or replace a residence agreement version (admin; audited)", "apartment"},
        {"GET", AP "/me", pb_h_apt_mine, 0, "apartment_mine",
         "The applicant's own applications and bookings", "apartment"},
        {"POST", AP "/applications", pb_h_apt_app_create, PB_RT_BODY, "apartment_apply",
         "Apply (applicant)", "apartment"},
        {"GET", AP "/applications", pb_h_apt_app_list, 0, "apartment_applications",
         "Applications in scope, masked (staff)", "apartment"},
        {"GET", AP "/applications/{id}", pb_h_apt_app_get, 0, "apartment_application",
         "One application, masked", "apartment"},
        {"POST", AP "/applications/{id}/review", pb_h_apt_review, PB_RT_BODY, "apartment_review",
         "Approve or reject with a reason (staff)", "apartment"},
        {"POST", AP "/applications/{id}/withdraw", pb_h_apt_withdraw, 0, "apartment_withdraw",
         "Withdraw one's own application before it is reviewed (applicant)", "apartment"},
        {"POST", AP "/applications/{id}/unmask", pb_h_apt_unmask, PB_RT_BODY, "apartment_unmask",
         "The full ID or phone number, with a stated reason (staff; audited)", "apartment"},
        {"POST", AP "/applications/{id}/certificates", pb_h_apt_cert_upload, PB_RT_BODY,
         "apartment_certificate_upload",
         "Upload a certificate (JSON with base64 data; JPEG/PNG/PDF, 512 KiB)", "apartment"},
        {"GET", AP "/applications/{id}/certificates", pb_h_apt_cert_list, 0,
         "apartment_certificates", "An application's certificates", "apartment"},
        {"GET", AP "/certificates/{id}", pb_h_apt_cert_get, PB_RT_RAW, "apartment_certificate",
         "A certificate file (staff reads audited)", "apartment"},
        {"POST", AP "/bookings", pb_h_apt_book, PB_RT_BODY, "apartment_book",
         "Book a bed (applicant)", "apartment"},
        {"GET", AP "/bookings", pb_h_apt_bookings, 0, "apartment_bookings",
         "Bookings in scope, masked (staff)", "apartment"},
        {"GET", AP "/arrivals", pb_h_apt_arrivals, 0, "apartment_arrivals",
         "Today's (or a date's) arrivals (staff)", "apartment"},
        {"GET", AP "/bookings/{id}", pb_h_apt_booking_get, 0, "apartment_booking",
         "One booking (staff in scope or its applicant)", "apartment"},
        {"POST", AP "/bookings/{id}/cancel", pb_h_apt_cancel, 0, "apartment_cancel",
         "Cancel before check-in", "apartment"},
        {"POST", AP "/bookings/{id}/check-in", pb_h_apt_check_in, PB_RT_BODY, "apartment_check_in",
         "Check in at the desk: ID check, agreement, door code issued", "apartment"},
        {"POST", AP "/bookings/{id}/door-code", pb_h_apt_door_code, 0, "apartment_door_code",
         "Show the door code once (the applicant only)", "apartment"},
        {"POST", AP "/bookings/{id}/check-out", pb_h_apt_check_out, 0, "apartment_check_out",
         "Check out (early: code revoked, residual offline window shown)", "apartment"},
        {"POST", AP "/door-codes/verify", pb_h_apt_verify, PB_RT_BODY, "apartment_verify_code",
         "Verify a door code online (staff; throttled per door)", "apartment"},
        {"GET", AP "/rooms/{id}/lock-key", pb_h_apt_lock_key, PB_RT_RAW, "apartment_lock_key",
         "A room's lock key file for provisioning (admin; audited)", "apartment"},
        {"POST", AP "/rooms/{id}/re-key", pb_h_apt_rekey, 0, "apartment_lock_rekey",
         "Give the room's lock a new random key (admin; audited); old codes stop verifying",
         "apartment"},
        {"POST", AP "/bookings/{id}/reissue-code", pb_h_apt_reissue, 0, "apartment_reissue_code",
         "Re-issue a guest's door code after a re-key or a loss (staff; audited; the applicant "
         "sees it once)",
         "apartment"},
        {"GET", AP "/board", pb_h_apt_board, 0, "apartment_board",
         "Availability board: beds x days", "apartment"},
        {"GET", AP "/stats", pb_h_apt_stats, 0, "apartment_stats",
         "Occupied beds per night, applications by category and result, average stay", "apartment"},
        {"GET", AP "/outbox", pb_h_apt_outbox, 0, "apartment_outbox", "Notification outbox (admin)",
         "apartment"},
        {"POST", AP "/no-shows", pb_h_apt_no_shows, 0, "apartment_no_shows",
         "Release bookings not checked in by the end of their day (staff)", "apartment"},
        {"POST", AP "/purge", pb_h_apt_purge, 0, "apartment_purge",
         "Erase personal data of finished stays (admin; audited)", "apartment"},
    };
    for (size_t i = 0; i < PB_ARRAY_LEN(rt); i++)
        add(&rt[i]);
}
