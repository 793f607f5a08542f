-- core/006_notify_channels: where the outbox delivers (one URL per channel, admin-set), and who
-- wants which kind of message: a generic subscription of an account to a topic, so that every
-- module notifies through the one outbox without a table of its own.
CREATE TABLE notify_channel (
    channel    TEXT PRIMARY KEY CHECK (channel IN ('sms', 'webhook', 'email')),
    url        TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL DEFAULT 0,
    updated_by BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE notification_subscription (
    id         @PK@,
    account_id BIGINT NOT NULL REFERENCES account (id),
    topic      TEXT NOT NULL,
    channel    TEXT NOT NULL DEFAULT 'auto' CHECK (channel IN ('auto', 'sms', 'webhook', 'email', 'none')),
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, topic)
);
CREATE INDEX notification_subscription_topic ON notification_subscription (topic, account_id);
