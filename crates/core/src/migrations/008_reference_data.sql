-- The province's reference data (deadline rules, holidays, categories, the statistics cut-off
-- day, fine caps, remote communes, answer templates), one row per dated version of one entry,
-- synced as `EntityKind::Reference` and written only by the province. The local tables the
-- clocks read (deadline_rules, holidays, categories, stations.remote, answer_templates, the
-- cut-off setting) are kept to the versions in force today (`catalog`); older versions stay
-- here for the cases received while they were in force.
CREATE TABLE reference_versions (
  id TEXT PRIMARY KEY,
  set_name TEXT NOT NULL,
  key TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  -- The version's content, a JSON object passed through as written (a rule's amount, unit,
  -- basis, label and whatever columns rules gain).
  value TEXT NOT NULL,
  -- A retired version takes the entry out of force from its date.
  retired INTEGER NOT NULL DEFAULT 0,
  -- Written by the province administrator who settled a conflict on this version.
  resolved INTEGER NOT NULL DEFAULT 0,
  hlc TEXT NOT NULL
);
CREATE INDEX reference_versions_entry ON reference_versions(set_name, key, effective_from);
