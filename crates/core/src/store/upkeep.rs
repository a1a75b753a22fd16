//! Upkeep at idle moments, off the path of a save: merging the search index's segments and
//! checkpointing the write-ahead log; and the query plans the benchmark prints.
use super::{BUSY_TIMEOUT, Store};
use crate::error::{Error, Result};
use crate::search_index;

impl Store {
    /// The query plan SQLite chooses, for the benchmark's diagnostics.
    #[doc(hidden)]
    pub fn explain(&self, sql: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = st.query_map([], |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Copies what the write-ahead log holds into the database without waiting for readers or
    /// writers (a passive checkpoint); for idle moments, off the path of a save.
    /// Returns (frames in the log, frames copied).
    pub fn checkpoint(&self) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })?)
    }

    /// Merges segments of the search index, up to about `pages` pages of work; true while
    /// more is left. Each write adds a segment and merging them keeps searches fast; it runs
    /// here, at idle moments and after imports, rather than inside an officer's save.
    pub fn merge_search_index(&self, pages: u32) -> Result<bool> {
        search_index::merge_segments(&self.conn, pages)
    }

    /// An idle moment's upkeep: some merging of the search index, then a WAL checkpoint.
    /// It never waits: when another connection (the sync task applying a pull) is writing,
    /// the merge is left for the next idle moment instead of holding up the caller for the
    /// busy timeout.
    pub fn idle_upkeep(&self) -> Result<()> {
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let merged = self.merge_search_index(200);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        match merged {
            Ok(_) => {}
            Err(Error::Db(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
            Err(e) => return Err(e),
        }
        self.checkpoint()?;
        Ok(())
    }
}
