//! The Today screen: what needs an officer's attention now.
use crate::deadlines::DUE_SOON_SECS;
use crate::error::{Error, Result};
use crate::model::{Actor, CaseRow, Role, Status};
use crate::replica::SyncState;
use crate::search::SearchQuery;
use crate::store::Store;
use chrono::Utc;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Today {
    /// Overdue and due within 24 hours, most pressing first.
    pub due: Vec<CaseRow>,
    pub new_reports: Vec<CaseRow>,
    pub mine: Vec<CaseRow>,
    pub conflicts: Vec<CaseRow>,
    pub overdue_count: u32,
    pub due_soon_count: u32,
    pub sync: SyncState,
}

impl Store {
    pub fn today(&self, actor: &Actor) -> Result<Today> {
        let q = |f: &dyn Fn(&mut SearchQuery)| -> Result<Vec<CaseRow>> {
            let mut s = SearchQuery {
                page_size: 50,
                ..Default::default()
            };
            f(&mut s);
            Ok(self.search(actor, &s)?.rows)
        };
        let due = q(&|s| s.due_only = true)?;
        let (overdue_count, due_soon_count) = self.due_counts(actor)?;
        Ok(Today {
            overdue_count,
            due_soon_count,
            new_reports: q(&|s| s.status = Some(vec![Status::Received]))?,
            mine: q(&|s| {
                s.assignee = Some(actor.user_id);
                s.status = Some(vec![Status::Received, Status::Verifying]);
            })?,
            conflicts: q(&|s| s.conflict_only = true)?,
            due,
            sync: self.sync_state()?,
        })
    }

    /// Overdue and due-soon cases counted in the database, not over the list's first rows: a
    /// station with 200 overdue cases sees 200.
    fn due_counts(&self, actor: &Actor) -> Result<(u32, u32)> {
        let now = Utc::now().timestamp();
        let station = match actor.role {
            Role::Officer | Role::Chief => Some(
                actor
                    .station
                    .clone()
                    .ok_or_else(|| Error::forbidden("xem việc hôm nay"))?,
            ),
            Role::Supervisor | Role::Admin => None,
        };
        // A case has a deadline exactly while one of its clocks runs, whatever its status
        // (a notice the station owes after a transfer): the deadline alone decides.
        Ok(self.conn.query_row(
            "SELECT count(*) FILTER (WHERE deadline_utc < ?1), count(*) FILTER (WHERE deadline_utc >= ?1)
               FROM cases
              WHERE deadline_utc IS NOT NULL AND deadline_utc < ?2
                AND (?3 IS NULL OR station = ?3)",
            params![now, now + DUE_SOON_SECS, station],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}
