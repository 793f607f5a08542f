-- replaces: 009_project_void_withdraw
-- 009_project_void_withdraw: corrections in the 四个一批 history (issue 4).
-- A wrong transition is voided, not deleted: the row stays with who, when and why, and every
-- reading of the stage history skips it. A submitted report version withdrawn before
-- confirmation stays in the history (status shown as 'withdrawn'); it is never current.

ALTER TABLE project_transition ADD COLUMN voided_at BIGINT;
ALTER TABLE project_transition ADD COLUMN voided_by BIGINT;
ALTER TABLE project_transition ADD COLUMN void_reason TEXT;
ALTER TABLE project_report ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE project_report ADD COLUMN withdrawn_by BIGINT;
