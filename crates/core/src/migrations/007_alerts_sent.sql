-- Deadline alerts already given, per user, clock and due time: the desktop polls every minute
-- and must not repeat itself. Local to this PC; never synced.
CREATE TABLE alerts_sent (
  user_id TEXT NOT NULL, case_id TEXT NOT NULL, rule TEXT NOT NULL, kind TEXT NOT NULL,
  due_utc INTEGER NOT NULL, at_utc INTEGER NOT NULL,
  PRIMARY KEY (user_id, case_id, rule, kind, due_utc)
) WITHOUT ROWID;
