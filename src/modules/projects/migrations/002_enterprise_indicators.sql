-- replaces: 008_project_enterprise_indicators
-- 008_project_enterprise_indicators: the enterprise target indicators of issue 4 (新增投产企业,
-- 新增纳统企业, 新增产值) count lifecycle events by stage and date (docs/projects.md, Targets).

CREATE INDEX enterprise_event_stage ON enterprise_event (stage, event_on, enterprise_id);
