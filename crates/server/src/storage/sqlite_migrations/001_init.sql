-- The schema as the server created it before versioned migrations, with IF NOT EXISTS kept
-- so that a database made then adopts it as version 1 without change.
CREATE TABLE IF NOT EXISTS stations (
    code TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    station TEXT,
    province TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS enrol_codes (
    secret_hash TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER,
    device TEXT
);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    credential_hash TEXT NOT NULL,
    enrolled_ms INTEGER NOT NULL,
    last_seen_ms INTEGER,
    revoked_ms INTEGER,
    station TEXT,
    slot INTEGER
);
CREATE INDEX IF NOT EXISTS devices_station ON devices(station, slot);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    station TEXT NOT NULL,
    province TEXT NOT NULL,
    device TEXT NOT NULL,
    entity TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_station ON changes(station, seq);
CREATE INDEX IF NOT EXISTS changes_province ON changes(province, seq);
CREATE TABLE IF NOT EXISTS attachment_owners (
    sha256 TEXT NOT NULL,
    station TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (sha256, station)
);
