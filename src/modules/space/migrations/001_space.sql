-- replaces: 002_space
-- 002_space: buildings and units, the enterprise register and its lifecycle, leases, the idle
-- and low-efficiency space library, space demands (issue 3). Same dialect rules as 001.
-- Areas 0.01 m²; money fen; rent fen per m² per month; floor load and freight lift in
-- hundredths (kN/m², t); clear height in centimetres (hundredths of a metre).

CREATE TABLE building (
    id            @PK@,
    region_code   TEXT NOT NULL REFERENCES region (code),
    park_id       BIGINT NOT NULL REFERENCES park (id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    floors        INTEGER,
    floor_m2      BIGINT,
    completed_on  TEXT,
    topped_out_on TEXT,
    description   TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    created_by    BIGINT NOT NULL DEFAULT 0,
    archived_at   BIGINT
);
CREATE INDEX building_park ON building (park_id);
CREATE INDEX building_region ON building (region_code, updated_at);

CREATE TABLE unit (
    id             @PK@,
    region_code    TEXT NOT NULL REFERENCES region (code),
    park_id        BIGINT NOT NULL REFERENCES park (id),
    building_id    BIGINT NOT NULL REFERENCES building (id),
    floor          INTEGER NOT NULL,
    number         TEXT NOT NULL,
    area_m2        BIGINT NOT NULL,
    status         TEXT NOT NULL,
    rent_fen       BIGINT,
    for_sale       INTEGER NOT NULL DEFAULT 0,
    floor_load     BIGINT,
    clear_height   BIGINT,
    power_kva      BIGINT,
    freight_lift_t BIGINT,
    crane          INTEGER NOT NULL DEFAULT 0,
    ground_floor   INTEGER NOT NULL DEFAULT 0,
    hazard_class   TEXT,
    wastewater     INTEGER NOT NULL DEFAULT 0,
    lock_seq       BIGINT NOT NULL DEFAULT 0,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    created_by     BIGINT NOT NULL DEFAULT 0,
    archived_at    BIGINT,
    UNIQUE (building_id, number)
);
CREATE INDEX unit_park ON unit (park_id, status);
CREATE INDEX unit_region ON unit (region_code, updated_at);

CREATE TABLE enterprise (
    id             @PK@,
    region_code    TEXT NOT NULL REFERENCES region (code),
    name           TEXT NOT NULL,
    uscc           TEXT NOT NULL UNIQUE,
    uscc_override  INTEGER NOT NULL DEFAULT 0,
    industry_code  TEXT REFERENCES industry (code),
    chain          TEXT,
    chain_position TEXT,
    park_id        BIGINT REFERENCES park (id),
    contact_name   TEXT,
    contact_phone  TEXT,
    above_scale    INTEGER NOT NULL DEFAULT 0,
    stage          TEXT,
    stage_on       TEXT,
    address        TEXT,
    description    TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    created_by     BIGINT NOT NULL DEFAULT 0,
    archived_at    BIGINT
);
CREATE INDEX enterprise_region ON enterprise (region_code, updated_at);
CREATE INDEX enterprise_updated ON enterprise (updated_at, id);
CREATE INDEX enterprise_park ON enterprise (park_id);

-- The lifecycle: one row per dated step (append-only, audited).
CREATE TABLE enterprise_event (
    id            @PK@,
    enterprise_id BIGINT NOT NULL REFERENCES enterprise (id),
    region_code   TEXT NOT NULL,
    from_stage    TEXT,
    stage         TEXT NOT NULL,
    event_on      TEXT NOT NULL,
    note          TEXT,
    created_at    BIGINT NOT NULL,
    created_by    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX enterprise_event_ent ON enterprise_event (enterprise_id, id);

CREATE TABLE enterprise_honour (
    id            @PK@,
    region_code   TEXT NOT NULL REFERENCES region (code),
    enterprise_id BIGINT NOT NULL REFERENCES enterprise (id),
    honour        TEXT NOT NULL,
    year          INTEGER NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    created_by    BIGINT NOT NULL DEFAULT 0,
    archived_at   BIGINT,
    UNIQUE (enterprise_id, honour, year)
);

CREATE TABLE enterprise_figure (
    id            @PK@,
    region_code   TEXT NOT NULL REFERENCES region (code),
    enterprise_id BIGINT NOT NULL REFERENCES enterprise (id),
    year          INTEGER NOT NULL,
    output_fen    BIGINT,
    revenue_fen   BIGINT,
    tax_fen       BIGINT,
    employees     BIGINT,
    rd_fen        BIGINT,
    energy_tce    BIGINT,
    land_m2       BIGINT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    created_by    BIGINT NOT NULL DEFAULT 0,
    archived_at   BIGINT,
    UNIQUE (enterprise_id, year)
);

CREATE TABLE lease (
    id               @PK@,
    region_code      TEXT NOT NULL REFERENCES region (code),
    park_id          BIGINT NOT NULL REFERENCES park (id),
    enterprise_id    BIGINT NOT NULL REFERENCES enterprise (id),
    kind             TEXT NOT NULL,
    unit_ids         TEXT NOT NULL,
    area_m2          BIGINT,
    rent_fen         BIGINT,
    price_fen        BIGINT,
    rent_free_months INTEGER,
    subsidy_ref      TEXT,
    signed_on        TEXT NOT NULL,
    start_on         TEXT,
    end_on           TEXT,
    moved_in_on      TEXT,
    ended_on         TEXT,
    status           TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    created_by       BIGINT NOT NULL DEFAULT 0,
    archived_at      BIGINT
);
CREATE INDEX lease_park ON lease (park_id);
CREATE INDEX lease_enterprise ON lease (enterprise_id);
CREATE INDEX lease_region ON lease (region_code, updated_at);

-- Which units a lease covers, with the lease's dates copied for the rate queries.
CREATE TABLE lease_unit (
    lease_id    BIGINT NOT NULL REFERENCES lease (id),
    unit_id     BIGINT NOT NULL REFERENCES unit (id),
    signed_on   TEXT NOT NULL,
    moved_in_on TEXT,
    ended_on    TEXT,
    live        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (lease_id, unit_id)
);
CREATE INDEX lease_unit_unit ON lease_unit (unit_id, signed_on);

CREATE TABLE space (
    id             @PK@,
    region_code    TEXT NOT NULL REFERENCES region (code),
    title          TEXT NOT NULL,
    owner_name     TEXT,
    address        TEXT,
    lng            BIGINT,
    lat            BIGINT,
    land_m2        BIGINT,
    floor_m2       BIGINT,
    floor_load     BIGINT,
    clear_height   BIGINT,
    power_kva      BIGINT,
    freight_lift_t BIGINT,
    crane          INTEGER NOT NULL DEFAULT 0,
    ground_floor   INTEGER NOT NULL DEFAULT 0,
    hazard_class   TEXT,
    wastewater     INTEGER NOT NULL DEFAULT 0,
    available_from TEXT,
    rent_fen       BIGINT,
    price_fen      BIGINT,
    source         TEXT NOT NULL,
    status         TEXT NOT NULL,
    park_id        BIGINT REFERENCES park (id),
    unit_id        BIGINT UNIQUE REFERENCES unit (id),
    description    TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    created_by     BIGINT NOT NULL DEFAULT 0,
    archived_at    BIGINT
);
CREATE INDEX space_region ON space (region_code, updated_at);
CREATE INDEX space_updated ON space (updated_at, id);

CREATE TABLE demand (
    id                @PK@,
    region_code       TEXT NOT NULL REFERENCES region (code),
    title             TEXT NOT NULL,
    enterprise_id     BIGINT REFERENCES enterprise (id),
    applicant_name    TEXT,
    kind              TEXT,
    industry_code     TEXT REFERENCES industry (code),
    chain             TEXT,
    area_min_m2       BIGINT NOT NULL,
    area_max_m2       BIGINT,
    min_floor_load    BIGINT,
    min_clear_height  BIGINT,
    min_power_kva     BIGINT,
    min_freight_lift_t BIGINT,
    need_crane        INTEGER NOT NULL DEFAULT 0,
    need_ground_floor INTEGER NOT NULL DEFAULT 0,
    hazard_class      TEXT,
    need_wastewater   INTEGER NOT NULL DEFAULT 0,
    preferred_regions TEXT,
    budget_rent_fen   BIGINT,
    move_in_by        TEXT,
    status            TEXT NOT NULL,
    note              TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    created_by        BIGINT NOT NULL DEFAULT 0,
    archived_at       BIGINT
);
CREATE INDEX demand_region ON demand (region_code, updated_at);
