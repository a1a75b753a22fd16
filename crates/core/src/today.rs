//! The Today screen: what needs an officer's attention now.
use crate::error::Result;
use crate::model::{Actor, CaseRow, Status};
use crate::replica::SyncState;
use crate::search::SearchQuery;
use crate::store::Store;
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
        Ok(Today {
            overdue_count: due.iter().filter(|r| r.overdue).count() as u32,
            due_soon_count: due.iter().filter(|r| r.due_soon).count() as u32,
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
}
