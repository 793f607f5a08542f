-- core/004_notification_outbox: the one outbox every module writes its notifications to.
-- replaces: 005_apartments
-- Notifications: every message is written here first; a sender with a configured channel
-- delivers it. Bodies carry no ID numbers.
CREATE TABLE notification_outbox (
    id          @PK@,
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'webhook', 'email', 'none')),
    kind        TEXT NOT NULL,
    account_id  BIGINT,
    recipient   TEXT,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'logged')),
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX notification_outbox_status ON notification_outbox (status, id);
