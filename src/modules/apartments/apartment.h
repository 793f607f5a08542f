/* apartment.h: the talent-apartment service (issue 5): buildings, rooms and beds (resources on
 * the engine), applicants, applications and their review, bookings under the working-day rule,
 * check-in with the ID check and the residence agreement, door codes, check-out, the
 * availability board, masking and unmasking, the purge of personal data, notifications and
 * statistics.
 *
 * Every function below runs its own transaction(s) on c->db, writes its audit record inside
 * it, fills err (field errors in zh-CN and en) on failure and appends JSON to out on success.
 * None logs or prints; none ever puts a door code anywhere but the applicant's own
 * pb_apt_door_code answer. Thread-safe (per-connection state only; the throttles lock).
 */
#ifndef PB_APARTMENT_H
#define PB_APARTMENT_H

#include <jansson.h>

#include "core/resource/resource.h"
#include "core/util/pb.h"

extern const struct pb_resource pb_res_apartments, pb_res_apartment_rooms, pb_res_apartment_beds;

/* Settings (table apartment_setting). */
struct pb_apt_settings {
    int max_nights;     /* per person within the period (<= 14: the door-code scheme) */
    int period_days;    /* the rolling period of max_nights */
    int min_workdays;   /* check-in >= this many working days after the booking day */
    int checkin_min;    /* minutes after CST midnight: the stay starts */
    int checkout_min;   /* ... and ends on the last day */
    int purge_days;     /* personal data of finished stays kept this long */
    char agreement[32]; /* the current residence agreement version */
    char sms_url[256], webhook_url[256], email_url[256];
};
int pb_apt_settings_load(struct pb_db *db, struct pb_apt_settings *s, struct pb_err *err);
int pb_apt_settings_json(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err);
int pb_apt_settings_put(struct pb_ctx *c, json_t *body, struct pb_err *err); /* admin */

/* Public directory of the apartments an applicant may apply to (no session needed): id,
 * name, address, desk phone, status, beds in service and beds free tonight (CST). */
int pb_apt_directory(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err);

/* The residence agreement's texts (apartment_agreement.c). The current one ({"version",
 * "text_zh","text_en"} or null) is part of the settings answer. Staff list every version with
 * how many bookings accepted it; admins create or replace a version (409 version/accepted once
 * a booking accepted it), optionally making it current; audited. */
int pb_apt_agreement_current_json(struct pb_db *db, struct pb_buf *out, struct pb_err *err);
int pb_apt_agreements_list(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err);
int pb_apt_agreement_put(struct pb_ctx *c, json_t *body, struct pb_buf *out, int *created,
                         struct pb_err *err);
int pb_apt_agreement_exists(struct pb_db *db, const char *version, int *exists);

/* Applicants (public): {"username","password","phone"} → an account of role applicant.
 * Throttled per client address. */
int pb_apt_register(struct pb_ctx *c, json_t *body, int64_t *id, struct pb_err *err);

/* Applications. */
int pb_apt_application_create(struct pb_ctx *c, json_t *body, struct pb_buf *out, int64_t *id,
                              struct pb_err *err);
/* Staff: list in scope, masked; status may be NULL. */
int pb_apt_applications_list(struct pb_ctx *c, const char *status, struct pb_buf *out,
                             struct pb_err *err);
int pb_apt_application_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* {"decision":"approve"|"reject","reason":"..."}; reason required to reject. */
int pb_apt_review(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                  struct pb_err *err);
/* The applicant withdraws their own application while it awaits review (409
 * status/not_pending afterwards); audited. → Application (status withdrawn). */
int pb_apt_withdraw(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* {"field":"id_number"|"phone","reason":"..."} → {"field","value"}; audited with the reason. */
int pb_apt_unmask(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                  struct pb_err *err);
/* The applicant's own applications and bookings. */
int pb_apt_mine(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err);

/* Bookings. earliest (11 bytes, may be NULL) receives the earliest allowed check-in date when
 * the working-day rule refuses (errors[0].field "check_in", code "too_early"). */
int pb_apt_booking_create(struct pb_ctx *c, json_t *body, struct pb_buf *out, int64_t *id,
                          char earliest[11], struct pb_err *err);
int pb_apt_booking_cancel(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* Staff: bookings in scope, masked; filters may be NULL (date = check-in date). */
int pb_apt_bookings_list(struct pb_ctx *c, const char *date, const char *status, struct pb_buf *out,
                         struct pb_err *err);
int pb_apt_booking_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* Desk: {"id_number","agreement_version"}. Issues the door code (kept only hashed). */
int pb_apt_check_in(struct pb_ctx *c, int64_t id, json_t *body, struct pb_buf *out,
                    struct pb_err *err);
/* The applicant, once: {"code","valid_from","valid_until"}. */
int pb_apt_door_code(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* Desk (or the applicant): ends the stay; early → the code is revoked at once and the answer
 * gives the residual offline window. */
int pb_apt_check_out(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);
/* Online verification {"room_id","code"} → {"valid"}; throttled per room. */
int pb_apt_verify_code(struct pb_ctx *c, json_t *body, struct pb_buf *out, struct pb_err *err);
/* Admin: a room's lock key file (audited). */
int pb_apt_lock_provision(struct pb_ctx *c, int64_t room_id, struct pb_buf *out,
                          struct pb_err *err);

/* Admin: a new random 256-bit key for the room's lock (audited lock_rekey; the key itself is
 * then provisioned through pb_apt_lock_provision). Codes made with the old key stop verifying
 * on the server at once. → {"room_id","bookings_to_reissue":[ids of guests in house],
 * "rekeyed_at"}. */
int pb_apt_lock_rekey(struct pb_ctx *c, int64_t room_id, struct pb_buf *out, struct pb_err *err);
/* Staff: re-issue a guest's door code (after a re-key, or a lost code): the hash is made again
 * from the current key, the applicant may see the code once more (pb_apt_door_code) and is
 * notified; audited door_code_reissue. Staff never see the code. → Booking. */
int pb_apt_reissue_code(struct pb_ctx *c, int64_t id, struct pb_buf *out, struct pb_err *err);

/* Availability board: beds × days of one building. */
int pb_apt_board(struct pb_ctx *c, int64_t apartment_id, const char *from, int days,
                 struct pb_buf *out, struct pb_err *err);
/* Statistics over [from, to]. */
int pb_apt_stats(struct pb_ctx *c, const char *from, const char *to, struct pb_buf *out,
                 struct pb_err *err);
/* Outbox (admin): the latest messages, recipients masked. */
int pb_apt_outbox(struct pb_ctx *c, struct pb_buf *out, struct pb_err *err);

/* Maintenance (CLI and admin route), audited: bookings not checked in by the end of their
 * check-in day become no_show and free their beds; personal data of stays finished more than
 * purge_days ago is erased. *n receives the count. */
int pb_apt_release_no_shows(struct pb_ctx *c, int64_t *n, struct pb_err *err);
int pb_apt_purge(struct pb_ctx *c, int64_t *n, struct pb_err *err);

/* Certificates: uploaded as JSON {"filename","data"} with data in base64 (standard or url);
 * JPEG, PNG or PDF by content, at most PB_APT_CERT_MAX bytes, PB_APT_CERT_PER_APP per
 * application, while it is pending; stored under <data dir>/certificates/. */
#define PB_APT_CERT_MAX (512 * 1024)
#define PB_APT_CERT_PER_APP 5
void pb_apt_set_data_dir(const char *dir); /* once at start; default "./data" */
int pb_apt_cert_upload(struct pb_ctx *c, int64_t application_id, json_t *body, struct pb_buf *out,
                       int64_t *id, struct pb_err *err);
int pb_apt_cert_list(struct pb_ctx *c, int64_t application_id, struct pb_buf *out,
                     struct pb_err *err);
/* The file's bytes into out and its content type; staff reads are audited. */
int pb_apt_cert_get(struct pb_ctx *c, int64_t id, struct pb_buf *out, const char **content_type,
                    struct pb_err *err);

/* The notification dispatcher (apartment_notify.c), one pass: writes the reminders due (the
 * day before check-in for booked stays, the check-out day for guests in house; one of each
 * per booking), then delivers up to 50 pending outbox rows whose time has come through their
 * channel's URL (sms+http:// JSON POST {"phone","text","kind"}; webhook+http:// robot JSON;
 * smtp://host:port?from=&to=), recording attempts and the last error; a failure is retried
 * after pb_apt_notify_backoff_ms(attempts), and after PB_APT_NOTIFY_MAX_ATTEMPTS the row is
 * failed. Admin or system. */
#define PB_APT_NOTIFY_MAX_ATTEMPTS 8
struct pb_apt_notify_stats {
    int64_t reminders, sent, retrying, failed;
};
int pb_apt_notify_pass(struct pb_ctx *c, struct pb_apt_notify_stats *out, struct pb_err *err);
int64_t pb_apt_notify_backoff_ms(int attempts);

/* Forget throttling state (tests). */
void pb_apt_throttle_reset(void);

#endif
