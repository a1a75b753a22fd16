-- The head of each device's audit chain as the province last saw it, and what the server found
-- when a device's log no longer extended it (a rewrite on the PC).
CREATE TABLE audit_heads (
    device TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE audit_alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    detail TEXT NOT NULL
);
-- Password hashes no longer travel: those stored before are dropped from the province's copy.
UPDATE changes SET body = json_remove(body, '$.fields.password_hash')
 WHERE entity = 'user' AND json_extract(body, '$.fields.password_hash') IS NOT NULL;
