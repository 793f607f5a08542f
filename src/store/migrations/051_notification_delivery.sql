-- 051_notification_delivery: delivery of the notification outbox (issue 5): attempts, the last
-- error (never personal data), when to try again, and the booking a reminder is about (one
-- reminder of each kind per booking, whichever dispatcher pass writes it).
ALTER TABLE notification_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification_outbox ADD COLUMN last_error TEXT;
ALTER TABLE notification_outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notification_outbox ADD COLUMN booking_id BIGINT;
CREATE UNIQUE INDEX notification_outbox_reminder ON notification_outbox (kind, booking_id)
    WHERE kind IN ('reminder_check_in', 'reminder_check_out');
