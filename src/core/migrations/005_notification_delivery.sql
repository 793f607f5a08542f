-- core/005_notification_delivery: attempts, the last error (never personal data) and when to
-- try again.
-- replaces: 051_notification_delivery
ALTER TABLE notification_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notification_outbox ADD COLUMN last_error TEXT;
ALTER TABLE notification_outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
