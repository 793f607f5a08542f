-- parks/001_parks: the park register (issue 2).
-- replaces: 001_init
-- Common dialect of SQLite >= 3.40 and PostgreSQL >= 15; see src/core/migrations/001_init.sql.

CREATE TABLE park (
    id                    @PK@,
    region_code           TEXT NOT NULL REFERENCES region (code),
    name                  TEXT NOT NULL,
    kind                  TEXT,
    leading_industry_code TEXT REFERENCES industry (code),
    industry_label        TEXT,
    land_m2               BIGINT,
    planned_floor_m2      BIGINT,
    built_floor_m2        BIGINT,
    production_floor_m2   BIGINT,
    living_floor_m2       BIGINT,
    operator_name         TEXT,
    address               TEXT,
    lng                   BIGINT,
    lat                   BIGINT,
    status                TEXT,
    opened_on             TEXT,
    policy_guide          TEXT,
    pilot                 INTEGER NOT NULL DEFAULT 0,
    description           TEXT,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    created_by            BIGINT NOT NULL DEFAULT 0,
    archived_at           BIGINT
);
CREATE INDEX park_region ON park (region_code, updated_at);
CREATE INDEX park_updated ON park (updated_at, id);
CREATE INDEX park_name ON park (name);
