-- The search index without word positions and with prefix indexes.
-- Searches match words and filter tokens, never phrases, so positions (detail=full) only made
-- every doclist longer to read; prefix indexes of two to six letters serve the last,
-- still-being-typed word of a query without merging every term that starts with it.
-- The entries are rebuilt from the cases by the migration's code (store.rs).
DROP TABLE case_fts;
CREATE VIRTUAL TABLE case_fts USING fts5(
  body, content='', contentless_delete=1, detail=none, prefix='2 3 4 5 6',
  tokenize='unicode61 remove_diacritics 2'
);
-- Segments of the index are merged at idle moments (Store::merge_search_index), not by the
-- save that happens to add one too many: those merges were the slow tail of intake.
INSERT INTO case_fts(case_fts, rank) VALUES ('automerge', 0);
