-- The audit log becomes a hash chain per device: each row of this device carries its number in
-- the device's chain, the hash of the row before and its own hash (SHA-256 over the row and the
-- previous hash), so a deleted or edited row breaks the chain where it was. Rows of other PCs
-- of the station keep the chain their device gave them.
ALTER TABLE audit ADD COLUMN seq INTEGER;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_chain ON audit(device, seq) WHERE seq IS NOT NULL;
-- The migration's code fills the chain of the rows already here, then puts this trigger back.
DROP TRIGGER audit_no_update;

-- Password hashes stay on the PC that set them: changes waiting to be sent lose theirs.
UPDATE outbox SET body = json_remove(body, '$.fields.password_hash')
 WHERE pushed = 0 AND json_extract(body, '$.entity') = 'user';

-- Changes the province refused for good (another station's record, a right this PC does not
-- have): set aside with the server's reason for the chief to see, never pushed again, never
-- holding up the changes behind them.
CREATE TABLE refused_changes (
  change_id TEXT PRIMARY KEY, body TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
  reason TEXT NOT NULL, message TEXT NOT NULL, at_utc INTEGER NOT NULL
) WITHOUT ROWID;
