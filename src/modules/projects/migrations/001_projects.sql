-- replaces: 003_projects
-- 003_projects: standardization projects and the 四个一批 rolling management (issue 4).
-- Projects (a resource), their dated stage transitions, monthly reports with versions, targets,
-- and the per-region data version that invalidates cached statistics.
-- Money is fen, areas hundredths of m², dates ISO text, months 'YYYY-MM', instants Unix ms.

CREATE TABLE project (
    id                 @PK@,
    region_code        TEXT NOT NULL REFERENCES region (code),
    name               TEXT NOT NULL,
    park_id            BIGINT NOT NULL REFERENCES park (id),
    kind               TEXT,
    county_only        INTEGER NOT NULL DEFAULT 0,
    pilot              INTEGER NOT NULL DEFAULT 0,
    owner              TEXT,
    invest_plan_yuan   BIGINT,
    land_m2            BIGINT,
    plan_factory_m2    BIGINT,
    plan_supporting_m2 BIGINT,
    plan_start         TEXT,
    plan_finish        TEXT,
    official           TEXT,
    description        TEXT,
    -- Maintained by the transitions (read-only through the API): the stage on the latest date.
    stage              TEXT,
    stage_date         TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    created_by         BIGINT NOT NULL DEFAULT 0,
    archived_at        BIGINT
);
CREATE INDEX project_region ON project (region_code, updated_at);
CREATE INDEX project_updated ON project (updated_at, id);
CREATE INDEX project_park ON project (park_id);
CREATE INDEX project_name ON project (name);

-- One row per stage change. Back-dated rows are allowed; the stage on a date is the stage of the
-- last row (by on_date, then id) on or before it.
CREATE TABLE project_transition (
    id          @PK@,
    project_id  BIGINT NOT NULL REFERENCES project (id),
    region_code TEXT NOT NULL,
    stage       TEXT NOT NULL CHECK (stage IN ('planned', 'started', 'building', 'partly_in_use', 'in_use')),
    on_date     TEXT NOT NULL,
    evidence    TEXT NOT NULL,
    evidence_kind TEXT NOT NULL DEFAULT 'document',
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX project_transition_project ON project_transition (project_id, on_date, id);
CREATE INDEX project_transition_date ON project_transition (on_date, project_id);

-- Monthly reports. Each (project, month) has versions rev 1..n; is_current marks the latest,
-- effective the confirmed version that statistics count (at most one per project and month).
-- Values are the month's own amounts; cumulative figures are sums.
CREATE TABLE project_report (
    id                @PK@,
    project_id        BIGINT NOT NULL REFERENCES project (id),
    region_code       TEXT NOT NULL,
    month             TEXT NOT NULL,
    rev               INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('submitted', 'confirmed', 'superseded')),
    is_current        INTEGER NOT NULL DEFAULT 1,
    effective         INTEGER NOT NULL DEFAULT 0,
    invest_done       BIGINT NOT NULL DEFAULT 0,
    topped_out        BIGINT NOT NULL DEFAULT 0,
    topped_supporting BIGINT NOT NULL DEFAULT 0,
    completed         BIGINT NOT NULL DEFAULT 0,
    stage             TEXT,
    problems          TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    submitted_at      BIGINT NOT NULL,
    submitted_by      BIGINT NOT NULL DEFAULT 0,
    confirmed_at      BIGINT,
    confirmed_by      BIGINT,
    -- The key under which an effective row is counted in project_month_agg (the project's park,
    -- region, portfolio and pilot flag; counted = 0 once the project is archived). Kept equal to
    -- the project's by the project's after_write hook.
    park_id           BIGINT NOT NULL DEFAULT 0,
    county_only       INTEGER NOT NULL DEFAULT 0,
    pilot             INTEGER NOT NULL DEFAULT 0,
    counted           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (project_id, month, rev)
);
CREATE INDEX project_report_current ON project_report (project_id, month, is_current);
-- The late list: first submissions of a month.
CREATE INDEX project_report_month ON project_report (month, project_id, submitted_at);
-- Covering index for the statistics: effective rows of a month range.
CREATE INDEX project_report_effective ON project_report (effective, month, project_id, invest_done,
    topped_out, topped_supporting, completed);

-- Sums of the effective (confirmed) reports per month and key, maintained in the same
-- transaction as every confirmation and every change of a project's key, so that statistics
-- read a few hundred rows instead of summing the report rows.
CREATE TABLE project_month_agg (
    month       TEXT NOT NULL,
    region_code TEXT NOT NULL,
    park_id     BIGINT NOT NULL,
    county_only INTEGER NOT NULL,
    pilot       INTEGER NOT NULL,
    invest_done BIGINT NOT NULL DEFAULT 0,
    topped_out  BIGINT NOT NULL DEFAULT 0,
    topped_supporting BIGINT NOT NULL DEFAULT 0,
    completed   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, park_id, county_only, pilot)
);

-- Targets per scope (the city '350500' or a region), indicator, year and month (NULL or 0: the
-- whole year; 1..12: the cumulative target to that month).
CREATE TABLE project_target (
    id          @PK@,
    region_code TEXT NOT NULL REFERENCES region (code),
    indicator   TEXT NOT NULL,
    year        INTEGER NOT NULL,
    month       INTEGER,
    value       BIGINT NOT NULL,
    note        TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0,
    archived_at BIGINT
);
CREATE INDEX project_target_key ON project_target (region_code, indicator, year, month);
CREATE INDEX project_target_updated ON project_target (updated_at, id);

-- Bumped in the same transaction as every write to the tables above (one row per region, so
-- that counties do not serialise on one row); cached statistics are keyed by the sum.
CREATE TABLE project_data_version (
    region_code TEXT PRIMARY KEY,
    v           BIGINT NOT NULL
);
