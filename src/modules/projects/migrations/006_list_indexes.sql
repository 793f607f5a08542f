-- replaces: 012_project_list_indexes
-- 012_project_list_indexes: the dashboard's late and stalled lists (decision 0034) read, for the
-- projects of a scope, their current stage and its date, and the first submission of a month
-- among the versions not withdrawn (009). Covering indexes keep both reads on the index alone
-- (the filtered columns are repeated at the end: SQLite covers only what the index holds).

DROP INDEX project_report_month;
CREATE INDEX project_report_month ON project_report (month, project_id, submitted_at, withdrawn_at)
    WHERE withdrawn_at IS NULL;
CREATE INDEX project_list ON project (county_only, id, region_code, park_id, pilot, stage,
    stage_date, archived_at) WHERE archived_at IS NULL;
