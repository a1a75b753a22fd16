//! Writing one audit entry inside a caller's transaction: the ground floor's share of the
//! audit trail, since changing a setting is audited too. Reading the trail is `audit`'s.
//!
//! Each device's entries form a hash chain: entry n carries n, the hash of entry n − 1 and its
//! own hash over both, so a deleted or edited entry breaks the chain where it was (`verify`),
//! and the head of the chain, sent to the province with each sync, shows a rewrite there.
use super::outbox::Writer;
use crate::error::Result;
use crate::model::{Actor, Scope};
use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
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
    let (seq, prev) = chain_head(tx, device)?.map_or((1, String::new()), |h| (h.seq + 1, h.hash));
    let row = AuditRow {
        id: id.to_string(),
        at_utc: at,
        user_id: actor.user_id.to_string(),
        username: actor.username.clone(),
        device: device.to_string(),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        detail: detail.map(str::to_owned),
    };
    let hash = row.hash(seq, &prev);
    tx.execute(
        "INSERT INTO audit(id, at_utc, user_id, username, device, action, target, detail, hlc, seq, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            row.id,
            at,
            row.user_id,
            actor.username,
            row.device,
            action,
            target,
            detail,
            hlc.to_string(),
            seq,
            prev,
            hash
        ],
    )?;
    let mut f = BTreeMap::new();
    f.insert("seq".into(), seq.into());
    f.insert("prev_hash".into(), prev.into());
    f.insert("hash".into(), hash.into());
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

/// The fields of an audit entry that its hash covers.
pub(crate) struct AuditRow {
    pub id: String,
    pub at_utc: i64,
    pub user_id: String,
    pub username: String,
    pub device: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
}

impl AuditRow {
    /// SHA-256 over a JSON array of the previous hash, the entry's number and its fields: one
    /// unambiguous text, whatever the fields hold.
    pub fn hash(&self, seq: i64, prev: &str) -> String {
        let text = serde_json::json!([
            prev,
            seq,
            self.id,
            self.at_utc,
            self.user_id,
            self.username,
            self.device,
            self.action,
            self.target,
            self.detail
        ])
        .to_string();
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    pub const COLS: &'static str = "id, at_utc, user_id, username, device, action, target, detail";

    pub fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
        Ok(AuditRow {
            id: r.get(0)?,
            at_utc: r.get(1)?,
            user_id: r.get(2)?,
            username: r.get(3)?,
            device: r.get(4)?,
            action: r.get(5)?,
            target: r.get(6)?,
            detail: r.get(7)?,
        })
    }
}

/// The last entry of a device's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

pub(crate) fn chain_head(
    conn: &rusqlite::Connection,
    device: Uuid,
) -> rusqlite::Result<Option<ChainHead>> {
    conn.prepare_cached(
        "SELECT seq, hash FROM audit WHERE device = ?1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([device.to_string()], |r| {
        Ok(ChainHead {
            seq: r.get(0)?,
            hash: r.get(1)?,
        })
    })
    .optional()
}

/// Migration 4: the entries already written by this device, in the order they were written,
/// become the start of its chain; then the log is append-only again.
pub(crate) fn chain_existing(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let device: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(device) = device {
        let rows: Vec<AuditRow> = tx
            .prepare(&format!(
                "SELECT {} FROM audit WHERE device = ?1 ORDER BY at_utc, id",
                AuditRow::COLS
            ))?
            .query_map([&device], AuditRow::from_row)?
            .collect::<rusqlite::Result<_>>()?;
        let mut prev = String::new();
        for (i, row) in rows.iter().enumerate() {
            let seq = i as i64 + 1;
            let hash = row.hash(seq, &prev);
            tx.execute(
                "UPDATE audit SET seq = ?2, prev_hash = ?3, hash = ?4 WHERE id = ?1",
                params![row.id, seq, prev, hash],
            )?;
            prev = hash;
        }
    }
    tx.execute_batch(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
    )
}
