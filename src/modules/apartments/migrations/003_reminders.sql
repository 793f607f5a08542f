-- apartments/003_reminders: the booking a reminder is about (one reminder of each kind per
-- booking, whichever dispatcher pass writes it).
-- replaces: 051_notification_delivery
ALTER TABLE notification_outbox ADD COLUMN booking_id BIGINT;
CREATE UNIQUE INDEX notification_outbox_reminder ON notification_outbox (kind, booking_id)
    WHERE kind IN ('reminder_check_in', 'reminder_check_out');
