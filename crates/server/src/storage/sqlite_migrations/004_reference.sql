-- The server's own keys: the device identity and hybrid-clock stamp under which the
-- administrator's command line issues the province's reference data (`holiday add`,
-- `rule set`), and an index to read that data back by kind and province.
CREATE TABLE server_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX changes_entity ON changes(entity, province, seq);
