-- apartments/001_apartments: the talent-apartment service (issue 5).
-- replaces: 005_apartments
-- Common dialect of SQLite >= 3.40 and PostgreSQL >= 15; see src/core/migrations/001_init.sql.

-- Settings of the service (admin-editable; defaults inserted here).
CREATE TABLE apartment_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO apartment_setting (key, value) VALUES
    ('max_nights', '14'),
    ('nights_period_days', '365'),
    ('min_workdays_ahead', '3'),
    ('check_in_time', '14:00'),
    ('check_out_time', '12:00'),
    ('purge_after_days', '180'),
    ('agreement_version', '2025-03'),
    ('notify_sms_url', ''),
    ('notify_webhook_url', ''),
    ('notify_email_url', '');

-- Buildings (resource "apartments").
CREATE TABLE apartment (
    id          @PK@,
    region_code TEXT NOT NULL REFERENCES region (code),
    name        TEXT NOT NULL,
    address     TEXT,
    desk_phone  TEXT,
    description TEXT,
    status      TEXT, -- NULL means available (the engine stores omitted fields as NULL)
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0,
    archived_at BIGINT
);
CREATE INDEX apartment_region ON apartment (region_code, updated_at);

-- Rooms (resource "apartment_rooms"): one door, one lock. lock_key is never exposed by the
-- engine (not a declared field); only the audited provisioning route reads it.
CREATE TABLE apartment_room (
    id           @PK@,
    region_code  TEXT NOT NULL REFERENCES region (code),
    apartment_id BIGINT NOT NULL REFERENCES apartment (id),
    number       TEXT NOT NULL,
    floor        BIGINT,
    gender_rule  TEXT, -- NULL means any
    amenities    TEXT,
    photos       TEXT,
    status       TEXT, -- NULL means available
    lock_key     TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    created_by   BIGINT NOT NULL DEFAULT 0,
    archived_at  BIGINT,
    UNIQUE (apartment_id, number)
);
CREATE INDEX apartment_room_region ON apartment_room (region_code, updated_at);

-- Beds (resource "apartment_beds"): what is booked. slot is the bed's index behind the door
-- (0..5), part of its door codes.
CREATE TABLE apartment_bed (
    id          @PK@,
    region_code TEXT NOT NULL REFERENCES region (code),
    room_id     BIGINT NOT NULL REFERENCES apartment_room (id),
    label       TEXT NOT NULL,
    slot        BIGINT NOT NULL DEFAULT 0,
    status      TEXT, -- NULL means available (the engine stores omitted fields as NULL)
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0,
    archived_at BIGINT,
    UNIQUE (room_id, label),
    UNIQUE (room_id, slot)
);
CREATE INDEX apartment_bed_region ON apartment_bed (region_code, updated_at);

-- Applicants' contact phone (accounts of role "applicant").
CREATE TABLE applicant (
    account_id BIGINT PRIMARY KEY REFERENCES account (id),
    phone      TEXT,
    created_at BIGINT NOT NULL,
    purged_at  BIGINT
);

-- Applications. id_number/name/phone are personal data: NULL once purged. person_key is a
-- keyed hash of the ID number (the per-person rules need it; it is not reversible without the
-- server secret).
CREATE TABLE apartment_application (
    id                 @PK@,
    account_id         BIGINT NOT NULL REFERENCES account (id),
    apartment_id       BIGINT NOT NULL REFERENCES apartment (id),
    region_code        TEXT NOT NULL,
    name               TEXT,
    id_number          TEXT,
    person_key         TEXT NOT NULL,
    male               INTEGER NOT NULL,
    phone              TEXT,
    category           TEXT NOT NULL CHECK (category IN ('graduate', 'technician_grad', 'skill_cert', 'pro_title')),
    cert_numbers       TEXT NOT NULL,
    purpose            TEXT NOT NULL CHECK (purpose IN ('job_seeking', 'startup')),
    intended_check_in  TEXT,
    intended_check_out TEXT,
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    review_reason      TEXT,
    reviewed_by        BIGINT,
    reviewed_at        BIGINT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    purged_at          BIGINT
);
CREATE INDEX apartment_application_account ON apartment_application (account_id, id);
CREATE INDEX apartment_application_region ON apartment_application (region_code, status, id);
CREATE INDEX apartment_application_person ON apartment_application (person_key);

-- Bookings. One person per booking; at most one active (booked / checked_in) per person.
CREATE TABLE apartment_booking (
    id                    @PK@,
    application_id        BIGINT NOT NULL REFERENCES apartment_application (id),
    account_id            BIGINT NOT NULL REFERENCES account (id),
    person_key            TEXT NOT NULL,
    bed_id                BIGINT NOT NULL REFERENCES apartment_bed (id),
    room_id               BIGINT NOT NULL REFERENCES apartment_room (id),
    apartment_id          BIGINT NOT NULL REFERENCES apartment (id),
    region_code           TEXT NOT NULL,
    check_in              TEXT NOT NULL,
    check_out             TEXT NOT NULL,
    nights                INTEGER NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'checked_out', 'cancelled', 'no_show')),
    agreement_version     TEXT,
    agreement_accepted_at BIGINT,
    checked_in_at         BIGINT,
    checked_out_at        BIGINT,
    code_hash             TEXT,
    code_shown_at         BIGINT,
    code_revoked_at       BIGINT,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE UNIQUE INDEX apartment_booking_one_active ON apartment_booking (person_key)
    WHERE status IN ('booked', 'checked_in');
CREATE INDEX apartment_booking_account ON apartment_booking (account_id, id);
CREATE INDEX apartment_booking_region ON apartment_booking (region_code, check_in);
CREATE INDEX apartment_booking_bed ON apartment_booking (bed_id, check_in);

-- One row per booked bed-night: the primary key is what makes double booking impossible on
-- both databases, whatever the interleaving.
CREATE TABLE apartment_bed_night (
    bed_id     BIGINT NOT NULL REFERENCES apartment_bed (id),
    night      TEXT NOT NULL,
    booking_id BIGINT NOT NULL REFERENCES apartment_booking (id),
    PRIMARY KEY (bed_id, night)
);
CREATE INDEX apartment_bed_night_booking ON apartment_bed_night (booking_id);

-- Uploaded certificates (diplomas, qualification and title certificates): the file lives under
-- the data directory (certificates/<application>/<random>.<ext>); path is '' once purged.
CREATE TABLE apartment_certificate (
    id             @PK@,
    application_id BIGINT NOT NULL REFERENCES apartment_application (id),
    account_id     BIGINT NOT NULL REFERENCES account (id),
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    path           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    purged_at      BIGINT
);
CREATE INDEX apartment_certificate_application ON apartment_certificate (application_id, id);
