/* apartment_internal.h: helpers shared by apartment.c and apartment_flow.c. */
#ifndef PB_APARTMENT_INTERNAL_H
#define PB_APARTMENT_INTERNAL_H

#include "core/account.h"
#include "core/store/db.h"

/* Staff of the service: admin, city, region offices and the desk (region-scoped). */
int pb_apt_is_staff(const struct pb_principal *p);
/* The installation's secret for keyed hashes (created on first use; inside a write tx). */
int pb_apt_secret(struct pb_db *db, char out[65], struct pb_err *err);
/* SHA-256 hex of purpose ‖ secret ‖ value: person keys and door-code hashes. */
void pb_apt_keyed_hash(const char *secret, const char *purpose, const char *value, char out[65]);

struct pb_ctx;
struct pb_apt_settings;
/* Insert one outbox row (inside the caller's write transaction): the channel is the first
 * configured (sms, webhook, email; status pending) or none (status logged). booking_id 0 =
 * none. The body never carries an ID number or a door code. */
int pb_apt_outbox_add(struct pb_ctx *c, const struct pb_apt_settings *s, const char *kind,
                      int64_t account_id, const char *recipient, const char *body,
                      int64_t booking_id);
/* Remove the files of purged applications' certificates (apartment_cert.c). */
int pb_apt_cert_remove_purged(struct pb_ctx *c);

#endif
