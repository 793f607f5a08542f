-- 001_init: reference data, accounts and sessions, the audit log, parks.
-- replaces: 001_init
-- Common dialect of SQLite >= 3.40 and PostgreSQL >= 15. @PK@ is the dialect's integer
-- identity primary key; -- @sqlite / -- @pg ... -- @end blocks are dialect-only.
-- Dates are ISO text, instants Unix ms (BIGINT), booleans 0/1, money fen, areas 0.01 m².

CREATE TABLE region (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'district', 'county', 'county_city', 'zone')),
    parent_code TEXT,
    rollup_code TEXT NOT NULL,
    sort        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE industry (
    code    TEXT PRIMARY KEY,
    level   INTEGER NOT NULL,
    section TEXT NOT NULL,
    name    TEXT NOT NULL,
    remark  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX industry_level ON industry (level, code);

CREATE TABLE account (
    id                   @PK@,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled             INTEGER NOT NULL DEFAULT 0,
    enterprise_id        BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    password_changed_at  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE account_scope (
    account_id  BIGINT NOT NULL REFERENCES account (id),
    region_code TEXT REFERENCES region (code),
    park_id     BIGINT,
    CHECK ((region_code IS NULL) <> (park_id IS NULL))
);
CREATE INDEX account_scope_account ON account_scope (account_id);

CREATE TABLE session (
    token_hash   TEXT PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES account (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    client_addr  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX session_account ON session (account_id);

-- Append-only audit log, hash-chained per chain (the region shard key, or 'global').
CREATE TABLE audit (
    id          @PK@,
    chain       TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    account_id  BIGINT NOT NULL DEFAULT 0,
    username    TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    resource    TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL,
    changes     TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_object ON audit (resource, object_id);
CREATE INDEX audit_request ON audit (request_id);

-- Head of each chain: locked (UPDATE ... RETURNING) by the writer that appends to it.
CREATE TABLE audit_chain (
    chain     TEXT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);

-- @sqlite
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
-- @end
-- @pg
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
-- @end
