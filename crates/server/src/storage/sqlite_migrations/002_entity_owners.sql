-- Which station owns each entity the server has accepted a change for: the station of the first
-- accepted change (a province code for province-shared data). The ownership check reads this,
-- never a change's own station label. A reporter travels under its case's id and has no row of
-- its own: it is checked against its case.
CREATE TABLE entity_owners (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL
);
-- Existing data: the first accepted writer of each entity, in sequence order.
INSERT OR IGNORE INTO entity_owners(id, kind, owner)
    SELECT json_extract(body, '$.entity_id'), entity, station
    FROM changes
    WHERE entity <> 'reporter' AND json_extract(body, '$.entity_id') IS NOT NULL
    ORDER BY seq;
