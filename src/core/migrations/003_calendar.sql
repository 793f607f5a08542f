-- core/003_calendar: the official working-day calendar (issue 5).
-- replaces: 005_apartments
-- The official calendar: one row per published year, one row per exceptional day.
CREATE TABLE holiday_year (
    year       INTEGER PRIMARY KEY,
    published  INTEGER NOT NULL DEFAULT 1,
    source     TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE holiday (
    day  TEXT PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES holiday_year (year),
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX holiday_by_year ON holiday (year, day);
