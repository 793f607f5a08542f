-- replaces: 010_project_stage_agg
-- 010_project_stage_agg: stage counts of the 四个一批 statistics, maintained per month (decision
-- 0034). For each month M up to a horizon, the number of (not archived) projects per key (region,
-- park, portfolio flag, pilot flag) and per triple of stages: at the end of M, at the end of M-1
-- and at the end of the year before (0 = no stage), with the sum of their planned investment.
-- Every statistic that the transitions give (stage counts, transitions in the month, new projects,
-- newly in use, the batches by month, last year's counts) is a sum over a few hundred of these
-- rows. Maintained in the transaction of every transition, void and project change, from the
-- project's series of month-end stages as last counted (project_stage_key), so the update is an
-- exact difference.

CREATE TABLE project_stage_agg (
    month       INTEGER NOT NULL, -- year * 12 + month - 1
    region_code TEXT NOT NULL,
    park_id     BIGINT NOT NULL,
    county_only INTEGER NOT NULL,
    pilot       INTEGER NOT NULL,
    now_stage   INTEGER NOT NULL,
    prev_stage  INTEGER NOT NULL,
    ye_stage    INTEGER NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    plan_invest BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, park_id, county_only, pilot, now_stage, prev_stage, ye_stage)
);

-- What each project is counted as in project_stage_agg: its key, planned investment, whether it
-- counts (not archived), and its month-end stage series ("month:stage,…" at each change).
CREATE TABLE project_stage_key (
    project_id  BIGINT PRIMARY KEY,
    region_code TEXT NOT NULL,
    park_id     BIGINT NOT NULL,
    county_only INTEGER NOT NULL,
    pilot       INTEGER NOT NULL,
    plan_invest BIGINT NOT NULL,
    counted     INTEGER NOT NULL,
    series      TEXT NOT NULL
);

-- One row (id 1): the last month held (year * 12 + month - 1). Absent: not built yet, the
-- statistics compute from the transitions; the first write builds it.
CREATE TABLE project_stage_meta (
    id      INTEGER PRIMARY KEY,
    horizon INTEGER NOT NULL
);
