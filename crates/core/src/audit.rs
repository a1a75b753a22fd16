//! The audit trail: who revealed a reporter, exported, printed, logged in or changed a setting.
//! Append-only (triggers refuse updates and deletes) and synced to the province. An entry is
//! written by `store::record_in`, in the transaction of what it records; here it is recorded
//! on its own and read back.
use crate::error::Result;
use crate::model::{Actor, Role};
use crate::store::{Store, record_in};
use crate::time::vn_time;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditRecord {
    pub id: Uuid,
    pub at: DateTime<FixedOffset>,
    pub username: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

pub use crate::store::audit_entry::ChainHead;

impl Store {
    /// The head of this PC's audit chain, sent to the province with each sync: a rewrite of the
    /// log on the PC no longer extends what the province has seen.
    pub fn audit_head(&self) -> Result<Option<ChainHead>> {
        Ok(crate::store::audit_entry::chain_head(
            &self.conn,
            self.device,
        )?)
    }

    pub fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            action,
            target,
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest audit entries; for chiefs, supervisors and administrators only.
    pub fn audit_log(&self, actor: &Actor, limit: u32) -> Result<Vec<AuditRecord>> {
        if actor.role == Role::Officer {
            return Err(crate::Error::forbidden("xem nhật ký truy cập"));
        }
        let mut st = self.conn.prepare(
            "SELECT id, at_utc, username, action, target, detail FROM audit ORDER BY at_utc DESC, id DESC LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            let at: i64 = r.get(1)?;
            Ok(AuditRecord {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                at: vn_time(at),
                username: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
