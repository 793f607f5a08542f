/* notify.h: the one notification outbox every module writes to (architecture §5: every
 * reminder goes through it). A message is a row of notification_outbox written inside the
 * caller's transaction, so a notification exists exactly when the change that caused it was
 * committed; a dispatcher delivers it later through the configured channel (sms, webhook,
 * email; notify_transport.h) with retries. Bodies never carry ID numbers or door codes.
 * Accounts subscribe to topics (notification_subscription) to receive a module's messages. */
#ifndef PB_NOTIFY_H
#define PB_NOTIFY_H

#include "core/resource/resource.h"

struct pb_notice {
    const char *kind;      /* the topic, e.g. "problem_overdue", "application_approved" */
    int64_t account_id;    /* the recipient account (0: a desk or group message) */
    const char *recipient; /* a phone number for sms, or NULL */
    const char *body;      /* the text (zh-CN), no personal identifiers */
    const char *channel;   /* "sms", "webhook", "email", "none", or NULL: the configured one */
    int64_t booking_id;    /* the talent-apartment booking a reminder is about, or 0 */
};

/* Write one message inside the caller's write transaction. With no channel configured the
 * message is kept as "logged". 0 or a negative rc. *id_out (may be NULL) gets its id. */
int pb_notify_enqueue(struct pb_ctx *c, const struct pb_notice *n, int64_t *id_out,
                      struct pb_err *err);
/* One message to every account subscribed to n->kind (n->account_id is ignored); the
 * subscriber's channel choice wins over n->channel. *count (may be NULL) gets how many. */
int pb_notify_topic(struct pb_ctx *c, const struct pb_notice *n, int *count, struct pb_err *err);
/* Subscribe (channel "auto": the configured one) or unsubscribe (channel NULL) an account. */
int pb_notify_subscribe(struct pb_ctx *c, int64_t account_id, const char *topic,
                        const char *channel, struct pb_err *err);
/* The default channel: the first of sms, webhook, email with a URL, else "none". */
int pb_notify_default_channel(struct pb_db *db, char out[16]);

#endif
