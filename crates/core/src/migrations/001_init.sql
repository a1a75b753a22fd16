-- tinbao station register, schema 1. Shipped: never edit; add a new migration instead.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE provinces (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE communes (
  code TEXT PRIMARY KEY, province TEXT NOT NULL REFERENCES provinces(code),
  name TEXT NOT NULL, kind TEXT NOT NULL, name_folded TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX communes_province ON communes(province);

CREATE TABLE stations (
  code TEXT PRIMARY KEY REFERENCES communes(code), province TEXT NOT NULL REFERENCES provinces(code),
  name TEXT NOT NULL,
  -- Remote, isolated or island communes have 48 h instead of 24 h to transfer (TTLT 01/2017).
  remote INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE categories (
  code TEXT PRIMARY KEY, label_vi TEXT NOT NULL, label_en TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1, sort INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE, full_name TEXT NOT NULL, rank TEXT,
  role TEXT NOT NULL CHECK (role IN ('officer','chief','supervisor','admin')),
  station TEXT, province TEXT, password_hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
  hlc TEXT NOT NULL
);

-- rid is the search index's rowid: an INTEGER PRIMARY KEY survives VACUUM, a bare rowid does not.
CREATE TABLE cases (
  rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, station TEXT NOT NULL,
  register_no TEXT NOT NULL, reg_year INTEGER NOT NULL, reg_seq INTEGER NOT NULL,
  received_at TEXT NOT NULL, received_utc INTEGER NOT NULL,
  channel TEXT NOT NULL, channel_ref TEXT,
  kind TEXT NOT NULL, category TEXT NOT NULL, urgency TEXT NOT NULL,
  summary TEXT NOT NULL, description TEXT NOT NULL,
  commune TEXT, hamlet TEXT, address TEXT, lat REAL, lon REAL, occurred TEXT,
  -- Projection of the events (see workflow.rs); rebuilt from them, never written directly.
  status TEXT NOT NULL DEFAULT 'received', assignee TEXT, outcome TEXT, outcome_utc INTEGER,
  duplicate_of TEXT, review TEXT, deadline_utc INTEGER, deadline_rule TEXT,
  conflict INTEGER NOT NULL DEFAULT 0,
  hlc TEXT NOT NULL
);
-- Not UNIQUE: a misconfigured pair of devices must not break sync; verify() reports collisions.
CREATE INDEX cases_regno ON cases(station, reg_year, reg_seq);
CREATE INDEX cases_received ON cases(received_utc);
CREATE INDEX cases_station_received ON cases(station, received_utc);
CREATE INDEX cases_status ON cases(status, received_utc);
CREATE INDEX cases_deadline ON cases(deadline_utc) WHERE deadline_utc IS NOT NULL;
CREATE INDEX cases_status_deadline ON cases(status, deadline_utc) WHERE deadline_utc IS NOT NULL;
CREATE INDEX cases_assignee ON cases(assignee, received_utc) WHERE assignee IS NOT NULL;
CREATE INDEX cases_category ON cases(category, received_utc);
CREATE INDEX cases_channel ON cases(channel, received_utc);
CREATE INDEX cases_conflict ON cases(conflict) WHERE conflict = 1;

CREATE TABLE reporters (
  case_id TEXT PRIMARY KEY REFERENCES cases(id), name TEXT, phone TEXT, address TEXT, id_number TEXT,
  hlc TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE persons (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), role TEXT NOT NULL, name TEXT NOT NULL,
  birth_year INTEGER, id_number TEXT, phone TEXT, address TEXT, hlc TEXT NOT NULL
);
CREATE INDEX persons_case ON persons(case_id);

CREATE TABLE events (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), type TEXT NOT NULL, data TEXT NOT NULL,
  author TEXT NOT NULL, author_name TEXT NOT NULL, device TEXT NOT NULL, at_utc INTEGER NOT NULL,
  at_offset INTEGER NOT NULL DEFAULT 25200, hlc TEXT NOT NULL
);
CREATE INDEX events_case ON events(case_id, hlc);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Attachment bytes live inside the encrypted database, once per content hash, so a stolen
-- disk shows no screenshot either.
CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE TABLE attachments (
  id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(id), sha256 TEXT NOT NULL,
  file_name TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL,
  added_by TEXT NOT NULL, added_utc INTEGER NOT NULL, hlc TEXT NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);

CREATE TABLE channels (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, platform TEXT NOT NULL, name TEXT NOT NULL, link TEXT,
  area TEXT, officer TEXT, active INTEGER NOT NULL DEFAULT 1, hlc TEXT NOT NULL
);
CREATE TABLE channel_stats (
  id TEXT PRIMARY KEY, channel_id TEXT NOT NULL REFERENCES channels(id), on_date TEXT NOT NULL,
  followers INTEGER NOT NULL, hlc TEXT NOT NULL
);
CREATE INDEX channel_stats_channel ON channel_stats(channel_id, on_date);
CREATE TABLE posts (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, published_on TEXT NOT NULL, channels TEXT NOT NULL,
  title TEXT NOT NULL, body TEXT NOT NULL, views INTEGER, reactions INTEGER, hlc TEXT NOT NULL
);
CREATE INDEX posts_date ON posts(published_on);
CREATE TABLE answer_templates (
  id TEXT PRIMARY KEY, topic TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, hlc TEXT NOT NULL
);
CREATE TABLE inquiries (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, received_utc INTEGER NOT NULL, channel TEXT NOT NULL,
  topic TEXT NOT NULL, question TEXT NOT NULL, answer TEXT, template_id TEXT, answered_by TEXT,
  answered_utc INTEGER, hlc TEXT NOT NULL
);
CREATE INDEX inquiries_received ON inquiries(received_utc);

CREATE TABLE audit (
  id TEXT PRIMARY KEY, at_utc INTEGER NOT NULL, user_id TEXT NOT NULL, username TEXT NOT NULL,
  device TEXT NOT NULL, action TEXT NOT NULL, target TEXT, detail TEXT, hlc TEXT NOT NULL
);
CREATE INDEX audit_at ON audit(at_utc);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- Deadline rules: configurable by the province, each with its legal basis.
CREATE TABLE deadline_rules (
  code TEXT PRIMARY KEY, applies_to TEXT NOT NULL, amount INTEGER NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('hours','days','working_days')),
  remote_amount INTEGER, basis TEXT NOT NULL, label_vi TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE holidays (on_date TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;

-- Sync: every local write's changes, in order; stamps of fields written after creation;
-- remote changes already applied; conflicts kept for a chief's review.
CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL, pushed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX outbox_unpushed ON outbox(pushed, seq);
CREATE TABLE field_clock (entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL, hlc TEXT NOT NULL, PRIMARY KEY (entity, entity_id, field)) WITHOUT ROWID;
CREATE TABLE applied_changes (change_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE deferred_changes (change_id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE conflicts (
  id TEXT PRIMARY KEY, case_id TEXT, entity TEXT NOT NULL, entity_id TEXT NOT NULL, field TEXT NOT NULL,
  kept_value TEXT, other_value TEXT, kept_hlc TEXT, other_hlc TEXT, detected_utc INTEGER NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conflicts_case ON conflicts(case_id);

-- The search index holds folded text (see text.rs); rowid = cases.rid.
CREATE VIRTUAL TABLE case_fts USING fts5(body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
