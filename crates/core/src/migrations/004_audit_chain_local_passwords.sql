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
