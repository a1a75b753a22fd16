//! Writing one audit entry inside a caller's transaction: the ground floor's share of the
//! audit trail, since changing a setting is audited too. Reading the trail is `audit`'s.
use super::outbox::Writer;
use crate::error::Result;
use crate::model::{Actor, Scope};
use chrono::Utc;
use rusqlite::params;
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, HlcClock, Op};
use uuid::Uuid;

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
        super::scope_station(scope),
        Op::Insert,
        f,
        hlc,
        false,
    )?;
    w.finish()
}
