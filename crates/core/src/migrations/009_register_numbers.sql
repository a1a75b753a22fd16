-- Register numbers this device was leased by the province, used, handed back, or took outside
-- its leases when it ran out offline (`fallback`), per station and year. `reported`: the
-- province has been told (a fallback number, a hand-back). Nothing here is synced as changes:
-- the numbers' own exchange with the province keeps it (see `numbers.rs`).
CREATE TABLE register_numbers (
    station TEXT NOT NULL,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('leased', 'used', 'returned', 'fallback')),
    leased_ms INTEGER,
    case_id TEXT,
    at_ms INTEGER NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (station, year, seq)
) WITHOUT ROWID;
-- Per station and year: the fallback floor the province granted this device (its class is
-- kept from other devices from there up), and the province's ledger of the station's numbers
-- as last received (JSON), with its highest number.
CREATE TABLE register_years (
    station TEXT NOT NULL,
    year INTEGER NOT NULL,
    floor INTEGER NOT NULL DEFAULT 0,
    ledger TEXT,
    ledger_high INTEGER NOT NULL DEFAULT 0,
    ledger_ms INTEGER,
    PRIMARY KEY (station, year)
) WITHOUT ROWID;
