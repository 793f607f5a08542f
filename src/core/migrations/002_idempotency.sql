-- core/002_idempotency (was 060_idempotency).
-- replaces: 060_idempotency
-- 008_idempotency: Idempotency-Key records for writes (architecture §4). A key is reserved
-- before the write runs (status 0), so a concurrent or repeated request can never run it twice,
-- and the answer is kept for replay.
CREATE TABLE idempotency (
    account_id   BIGINT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT,
    location     TEXT,
    etag         TEXT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);
