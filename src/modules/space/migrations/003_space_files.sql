-- replaces: 007_space_files
-- 004_space_files: photos and documents of the idle-space library (issue 3). The bytes live
-- under the data directory (uploads/<stored_name>, a random name); this is their metadata.
-- Same dialect rules as 001.

CREATE TABLE space_file (
    id           @PK@,
    space_id     BIGINT NOT NULL REFERENCES space (id),
    region_code  TEXT NOT NULL REFERENCES region (code),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    stored_name  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    archived_at  BIGINT
);
CREATE INDEX space_file_space ON space_file (space_id, id);
