-- replaces: 011_project_target_pilot
-- 011_project_target_pilot: targets for the pilot projects only (issue 4). A statistics request
-- with pilot=1 compares with the targets whose pilot = 1; every other request with pilot = 0.

ALTER TABLE project_target ADD COLUMN pilot INTEGER NOT NULL DEFAULT 0;
