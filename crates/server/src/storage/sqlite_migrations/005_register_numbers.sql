-- Register numbers of each station and year as the province knows them: leased to a device and
-- not used yet, handed back (leased again first), used by a case through its device's lease,
-- or used outside any lease (an offline fallback, an older app, a PC before its enrolment).
-- `device` is the device it was leased to, or the one whose case used it.
CREATE TABLE register_numbers (
    station TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('leased', 'returned', 'used', 'unleased')),
    device TEXT,
    at_ms INTEGER NOT NULL,
    PRIMARY KEY (station, year, seq)
) WITHOUT ROWID;
CREATE INDEX register_numbers_device ON register_numbers(device, state);
-- The class a device falls back to when its leases run out (its slot of `slots`, as it said
-- at its last exchange). A station device without a row has never exchanged: an older app,
-- which numbers by its slot alone.
CREATE TABLE number_schemes (
    device TEXT PRIMARY KEY,
    slot INTEGER NOT NULL,
    slots INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
-- Per device and year: the fallback floor the device said it holds (its class is reserved from
-- there up) and the one last granted to it.
CREATE TABLE number_floors (
    device TEXT NOT NULL,
    year INTEGER NOT NULL,
    held INTEGER NOT NULL,
    granted INTEGER NOT NULL,
    PRIMARY KEY (device, year)
) WITHOUT ROWID;
-- The numbers of the cases already stored, by their first stored change: used before leases
-- existed, so nothing to explain.
INSERT OR IGNORE INTO register_numbers(station, year, seq, state, device, at_ms)
    SELECT station, y, n, 'used', device, received_ms FROM (
        SELECT station, device, received_ms,
               CAST(substr(no, 1, instr(no, '/') - 1) AS INTEGER) AS n,
               CAST(substr(no, instr(no, '/') + 1) AS INTEGER) AS y
        FROM (SELECT station, device, received_ms, seq,
                     json_extract(body, '$.fields.register_no') AS no
              FROM changes WHERE entity = 'case')
        WHERE no GLOB '[0-9]*/[0-9][0-9][0-9][0-9]' AND instr(no, '/') > 1
        ORDER BY seq
    )
    WHERE n BETWEEN 1 AND 1000000 AND y BETWEEN 2000 AND 2100;
