-- replaces: 006_demand_steps
-- 003_demand_steps: the staff's steps on a space demand's matches (招商租赁平台): a space
-- shortlisted, a visit arranged (date, note), a match turned into a lease (issue 3).
-- One row per step; the demand's status follows the latest step. Same dialect rules as 001.

CREATE TABLE demand_step (
    id          @PK@,
    demand_id   BIGINT NOT NULL REFERENCES demand (id),
    region_code TEXT NOT NULL REFERENCES region (code),
    space_id    BIGINT REFERENCES space (id),
    kind        TEXT NOT NULL,
    visit_on    TEXT,
    note        TEXT,
    lease_id    BIGINT REFERENCES lease (id),
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX demand_step_demand ON demand_step (demand_id, id);
