//! The audit trail: who revealed a reporter, exported, printed, logged in or changed a setting.
//! Append-only (triggers refuse updates and deletes) and synced to the province.
use crate::error::Result;
use crate::model::{Actor, Role, Scope};
use crate::store::{Store, Writer};
use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, HlcClock, Op};
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

pub(crate) fn scope_station(scope: &Scope) -> &str {
    match scope {
        Scope::Station(s) | Scope::Province(s) => s,
    }
}

/// Records one audit entry inside the caller's transaction.
// Each argument is one part of a change record; a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_in(
    tx: &rusqlite::Transaction<'_>,
    actor: &Actor,
    device: Uuid,
    clock: &mut HlcClock,
    scope: &Scope,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let mut w = Writer::new(tx, device, actor.user_id, clock);
    let id = Uuid::now_v7();
    let hlc = w.stamp();
    let at = Utc::now().timestamp();
    tx.execute(
        "INSERT INTO audit(id, at_utc, user_id, username, device, action, target, detail, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id.to_string(),
            at,
            actor.user_id.to_string(),
            actor.username,
            device.to_string(),
            action,
            target,
            detail,
            hlc.to_string()
        ],
    )?;
    let mut f = BTreeMap::new();
    f.insert("at_utc".into(), at.into());
    f.insert("user_id".into(), actor.user_id.to_string().into());
    f.insert("username".into(), actor.username.clone().into());
    f.insert("action".into(), action.into());
    f.insert("target".into(), target.into());
    f.insert("detail".into(), detail.into());
    w.emit(
        EntityKind::Audit,
        id,
        scope_station(scope),
        Op::Insert,
        f,
        hlc,
        false,
    )?;
    w.finish()
}

impl Store {
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

/// Vietnam time (UTC+7, no daylight saving) for display.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600)
        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset is valid"))
}

pub fn vn_time(unix: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&vn_offset())
}
