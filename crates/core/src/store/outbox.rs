//! The outbox, both its ends. `Writer` stamps every write with the device's hybrid logical
//! clock and queues its change in the write's own transaction, so a write and the change it
//! produces commit or vanish together; sync reads the queue (`pending_changes`) and marks what
//! the server took (`mark_pushed`).
use super::settings::meta_set;
use super::tables::row_hlc;
use super::{Store, now_ms};
use crate::admin_units;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use tinbao_sync::{Change, EntityKind, Hlc, HlcClock, Op};
use uuid::Uuid;

/// One write in progress: stamps its changes and records them in the outbox, in the caller's
/// transaction, so a write and the change it produces commit or vanish together.
pub(crate) struct Writer<'a> {
    pub tx: &'a rusqlite::Transaction<'a>,
    pub device: Uuid,
    pub user: Uuid,
    pub clock: &'a mut HlcClock,
    pub now_ms: u64,
    /// The stored clock has been read in this transaction.
    synced: bool,
    /// Changes stay on this device (see `keep_local`).
    local: bool,
}

impl<'a> Writer<'a> {
    pub fn new(
        tx: &'a rusqlite::Transaction<'a>,
        device: Uuid,
        user: Uuid,
        clock: &'a mut HlcClock,
    ) -> Self {
        Writer {
            tx,
            device,
            user,
            clock,
            now_ms: now_ms(),
            synced: false,
            local: false,
        }
    }

    /// Writes that no server would accept from this device, so none are queued for sync: a
    /// province database's copy of station cases (the stations push their own; the server
    /// takes only review events from a supervisor's laptop, and anything else would wait in
    /// the outbox forever).
    pub fn keep_local(&mut self) {
        self.local = true;
    }

    /// Whether this write's changes go to the outbox; a new record's change need not even be
    /// built when they don't.
    pub fn queues(&self) -> bool {
        !self.local
    }

    pub fn stamp(&mut self) -> Hlc {
        // Another connection to the same database (the sync task, the command line) may have
        // moved the clock on; what it stored is read inside this transaction, so stamps stay
        // ordered across connections. Once read, it cannot move before this transaction
        // commits: SQLite refuses a write from a snapshot another connection has overtaken.
        if self.synced {
            return self.clock.now(self.now_ms);
        }
        self.synced = true;
        let stored: Option<Hlc> = self
            .tx
            .prepare_cached("SELECT value FROM meta WHERE key = 'hlc_last'")
            .and_then(|mut st| st.query_row([], |r| r.get::<_, String>(0)).optional())
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok());
        if let Some(stored) = stored
            && stored > self.clock.last()
        {
            *self.clock = HlcClock::new(Hlc::node_of(&self.device), stored);
        }
        self.clock.now(self.now_ms)
    }

    /// Records a change; for an update of an existing record, also keeps each field's stamp.
    // Each argument is one part of a change record; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        entity: EntityKind,
        entity_id: Uuid,
        station: &str,
        op: Op,
        fields: BTreeMap<String, serde_json::Value>,
        hlc: Hlc,
        is_update: bool,
    ) -> Result<()> {
        let mut base = BTreeMap::new();
        if is_update {
            let mut get = self.tx.prepare_cached(
                "SELECT hlc FROM field_clock WHERE entity = ?1 AND entity_id = ?2 AND field = ?3",
            )?;
            let mut put = self.tx.prepare_cached(
                "INSERT OR REPLACE INTO field_clock(entity, entity_id, field, hlc) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let row_hlc = row_hlc(self.tx, entity, &entity_id)?;
            for f in fields.keys() {
                let cur: Option<String> = get
                    .query_row(params![entity.as_str(), entity_id.to_string(), f], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if let Some(b) = cur.and_then(|s| s.parse::<Hlc>().ok()).or(row_hlc) {
                    base.insert(f.clone(), b);
                }
                put.execute(params![
                    entity.as_str(),
                    entity_id.to_string(),
                    f,
                    hlc.to_string()
                ])?;
            }
        }
        // A province-level account or audit record (a supervisor's laptop) stays on this
        // device: the server keeps supervisors' accounts itself (`tinbao-server user add`), and
        // a province's shared data goes to every station, which must never receive a
        // supervisor's password hash. Sent, they would only be refused and wait forever.
        if self.local {
            return Ok(());
        }
        if matches!(entity, EntityKind::User | EntityKind::Audit)
            && admin_units::official()
                .provinces
                .iter()
                .any(|p| p.code == station)
        {
            return Ok(());
        }
        let change = Change {
            id: Uuid::now_v7(),
            entity,
            entity_id,
            station: station.to_owned(),
            op,
            fields,
            base,
            hlc,
            device: self.device,
            user: self.user,
        };
        queue(self.tx, &change)
    }

    pub fn finish(self) -> Result<()> {
        meta_set(self.tx, "hlc_last", &self.clock.last().to_string())
    }
}

/// The outbox's write end: a change waits here, in the write's own transaction, until sync
/// has pushed it.
fn queue(tx: &Connection, change: &Change) -> Result<()> {
    tx.prepare_cached("INSERT INTO outbox(change_id, body) VALUES (?1, ?2)")?
        .execute(params![
            change.id.to_string(),
            serde_json::to_string(change)?
        ])?;
    Ok(())
}

/// The outbox's read end, for sync.
impl Store {
    /// Unsent local changes, oldest first.
    pub fn pending_changes(&self, limit: u32) -> Result<Vec<Change>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM outbox WHERE pushed = 0 ORDER BY seq LIMIT ?1")?;
        let rows = st.query_map([limit], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for b in rows {
            out.push(serde_json::from_str(&b?)?);
        }
        Ok(out)
    }

    /// Unsent local changes, oldest first, leaving out `skip` (changes refused for now in this
    /// sync, which must not hold up the ones behind them).
    pub fn pending_changes_except(&self, limit: u32, skip: &[Uuid]) -> Result<Vec<Change>> {
        if skip.is_empty() {
            return self.pending_changes(limit);
        }
        let skip: Vec<String> = skip.iter().map(Uuid::to_string).collect();
        let mut st = self.conn.prepare_cached(
            "SELECT body FROM outbox WHERE pushed = 0
               AND change_id NOT IN (SELECT value FROM json_each(?2)) ORDER BY seq LIMIT ?1",
        )?;
        let rows = st.query_map(params![limit, serde_json::to_string(&skip)?], |r| {
            r.get::<_, String>(0)
        })?;
        let mut out = Vec::new();
        for b in rows {
            out.push(serde_json::from_str(&b?)?);
        }
        Ok(out)
    }

    /// Sets aside changes the server refused for good: out of the outbox, with the server's
    /// reason, for the chief to see (`refused_changes`).
    pub fn set_aside_refused(&mut self, refused: &[(Uuid, String, String)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        let at = chrono::Utc::now().timestamp();
        for (id, reason, message) in refused {
            let body: Option<String> = tx
                .prepare_cached("SELECT body FROM outbox WHERE change_id = ?1")?
                .query_row([id.to_string()], |r| r.get(0))
                .optional()?;
            let Some(body) = body else { continue };
            let change: Change = serde_json::from_str(&body)?;
            tx.prepare_cached(
                "INSERT OR REPLACE INTO refused_changes(change_id, body, entity, entity_id, reason, message, at_utc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id.to_string(),
                body,
                change.entity.as_str(),
                change.entity_id.to_string(),
                reason,
                message,
                at
            ])?;
            tx.prepare_cached("DELETE FROM outbox WHERE change_id = ?1")?
                .execute([id.to_string()])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The changes the province refused, newest first.
    pub fn refused_changes(&self, limit: u32) -> Result<Vec<RefusedChange>> {
        let mut st = self.conn.prepare_cached(
            "SELECT change_id, entity, entity_id, reason, message, at_utc FROM refused_changes
             ORDER BY at_utc DESC, change_id LIMIT ?1",
        )?;
        let rows = st.query_map([limit], |r| {
            Ok(RefusedChange {
                change_id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                entity: r.get(1)?,
                entity_id: r.get::<_, String>(2)?.parse().unwrap_or_default(),
                reason: r.get(3)?,
                message: r.get(4)?,
                at: crate::time::vn_time(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn refused_count(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM refused_changes", [], |r| r.get(0))?)
    }

    pub fn mark_pushed(&mut self, ids: &[Uuid]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached("UPDATE outbox SET pushed = 1 WHERE change_id = ?1")?;
            for id in ids {
                st.execute([id.to_string()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// How many changes wait to be pushed.
    pub(crate) fn pending_count(&self) -> Result<u32> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox WHERE pushed = 0", [], |r| {
                r.get(0)
            })?)
    }
}

/// A change the province refused for good, as the chief sees it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RefusedChange {
    pub change_id: Uuid,
    /// The kind of record (`case`, `event`, `user`…).
    pub entity: String,
    pub entity_id: Uuid,
    /// The server's reason code (`out_of_scope`, `invalid`…).
    pub reason: String,
    /// The server's explanation, in Vietnamese.
    pub message: String,
    pub at: chrono::DateTime<chrono::FixedOffset>,
}
