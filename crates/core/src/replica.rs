//! This replica's side of sync, but the outbox (`store`): applying changes from other devices
//! with the merge rules of `tinbao_sync::merge`, so every device converges; the sync cursor,
//! enrolment and state; attachment bytes in transit; conflicts for a chief's review.
use crate::case_row::{CaseColumns, insert_case_row, reproject};
use crate::error::{Error, Result};
use crate::search_index::reindex;
use crate::store::{Store, now_ms, row_hlc, sql_value, table};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tinbao_sync::merge::merge_field;
use tinbao_sync::{Change, EntityKind, Hlc, Op};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApplyReport {
    pub applied: u32,
    /// Already applied before (a batch delivered twice): nothing changed.
    pub duplicates: u32,
    /// Waiting for a record they depend on (an event before its case); retried on the next batch.
    pub deferred: u32,
    /// Outside this database's scope or malformed.
    pub rejected: u32,
    pub conflicts: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncState {
    pub server: Option<String>,
    pub enrolled: bool,
    /// The server sequence number up to which this device has pulled.
    #[ts(type = "number")]
    pub cursor: u64,
    pub pending: u32,
    pub conflicts: u32,
    /// Changes the province refused for good, set aside for the chief (`refused_changes`).
    pub refused: u32,
    /// Unix seconds of the last complete sync.
    #[ts(type = "number | null")]
    pub last_success: Option<i64>,
    pub last_error: Option<String>,
}

enum Outcome {
    Applied { conflicts: u32 },
    Deferred,
    Rejected,
}

impl Store {
    pub fn set_cursor(&mut self, cursor: u64) -> Result<()> {
        self.set_meta("sync_cursor", &cursor.to_string())
    }

    /// After a restore: the next pull also asks for this PC's own changes, to take back what it
    /// had sent after the backup was made (the province keeps them; the backup does not).
    pub fn pull_own_after_restore(&self) -> Result<bool> {
        Ok(self.meta("restored_pull_own")?.as_deref() == Some("1"))
    }

    /// The pull after a restore has reached the province's head.
    pub fn pulled_own_after_restore(&mut self) -> Result<()> {
        self.conn
            .execute("DELETE FROM meta WHERE key = 'restored_pull_own'", [])?;
        Ok(())
    }

    pub fn record_sync_result(&mut self, error: Option<&str>) -> Result<()> {
        match error {
            None => {
                self.set_meta("sync_last_success", &Utc::now().timestamp().to_string())?;
                self.set_meta("sync_last_error", "")
            }
            Some(e) => self.set_meta("sync_last_error", e),
        }
    }

    /// Keeps what sync needs to reach the server: its address, this device's credential and the
    /// pinned certificate fingerprint. All inside the encrypted database.
    pub fn set_enrolment(
        &mut self,
        server: &str,
        credential: &str,
        fingerprint: &str,
    ) -> Result<()> {
        self.set_meta("sync_server", server)?;
        self.set_meta("sync_credential", credential)?;
        self.set_meta("sync_fingerprint", fingerprint)
    }

    /// The secret of this device's credential, made once and kept in the encrypted database:
    /// enrolment sends it, so an answer lost on the way is retried with the same one, and only
    /// this device can enrol its id again.
    pub fn credential_secret(&self) -> Result<String> {
        if let Some(s) = self.meta("credential_secret")? {
            return Ok(s);
        }
        let s = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        self.set_meta("credential_secret", &s)?;
        Ok(s)
    }

    /// (server URL, credential, certificate fingerprint) once enrolled.
    pub fn enrolment(&self) -> Result<Option<(String, String, String)>> {
        Ok(
            match (
                self.meta("sync_server")?,
                self.meta("sync_credential")?,
                self.meta("sync_fingerprint")?,
            ) {
                (Some(s), Some(c), Some(f)) if !s.is_empty() => Some((s, c, f)),
                _ => None,
            },
        )
    }

    pub fn sync_state(&self) -> Result<SyncState> {
        let pending = self.pending_count()?;
        let conflicts: u32 =
            self.conn
                .query_row("SELECT count(*) FROM cases WHERE conflict = 1", [], |r| {
                    r.get(0)
                })?;
        let enrol = self.enrolment()?;
        Ok(SyncState {
            enrolled: enrol.is_some(),
            server: enrol.map(|e| e.0),
            cursor: self
                .meta("sync_cursor")?
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            pending,
            conflicts,
            refused: self.refused_count()?,
            last_success: self.meta("sync_last_success")?.and_then(|s| s.parse().ok()),
            last_error: self.meta("sync_last_error")?.filter(|s| !s.is_empty()),
        })
    }

    /// Applies changes pulled from the server, in the server's order. Idempotent: a change
    /// seen before is skipped; changes waiting on a missing record are kept and retried.
    pub fn apply_remote(&mut self, changes: &[Change]) -> Result<ApplyReport> {
        let mut report = ApplyReport::default();
        let now = now_ms();
        let tx = self.conn.transaction()?;
        let mut queue: Vec<Change> = Vec::new();
        {
            let mut st = tx.prepare("SELECT body FROM deferred_changes")?;
            for b in st.query_map([], |r| r.get::<_, String>(0))? {
                if let Ok(c) = serde_json::from_str::<Change>(&b?) {
                    queue.push(c);
                }
            }
        }
        queue.extend(changes.iter().cloned());
        let mut touched_cases: Vec<String> = Vec::new();
        let mut arrived: Vec<Change> = Vec::new();
        loop {
            let mut progress = false;
            let mut still = Vec::new();
            for c in queue.drain(..) {
                let seen: bool = tx
                    .prepare_cached(
                        "SELECT EXISTS(SELECT 1 FROM applied_changes WHERE change_id = ?1)",
                    )?
                    .query_row([c.id.to_string()], |r| r.get(0))?;
                // This PC's own change comes back only to a PC restored from a backup made
                // before it: applied then, unless this register wrote it (its outbox keeps
                // every change it wrote, sent or refused).
                let own_known = c.device == self.device && {
                    tx.prepare_cached(
                        "SELECT EXISTS(SELECT 1 FROM outbox WHERE change_id = ?1)
                             OR EXISTS(SELECT 1 FROM refused_changes WHERE change_id = ?1)",
                    )?
                    .query_row([c.id.to_string()], |r| r.get::<_, bool>(0))?
                };
                if seen || own_known {
                    tx.prepare_cached(
                        "INSERT OR IGNORE INTO applied_changes(change_id) VALUES (?1)",
                    )?
                    .execute([c.id.to_string()])?;
                    tx.prepare_cached("DELETE FROM deferred_changes WHERE change_id = ?1")?
                        .execute([c.id.to_string()])?;
                    report.duplicates += 1;
                    continue;
                }
                // A stamp from a PC whose clock is far ahead still applies; it just does not drag our clock.
                let _ = self.clock.observe(c.hlc, now);
                match apply_one(&tx, &self.scope, &c, &mut touched_cases)? {
                    Outcome::Applied { conflicts } => {
                        if c.entity == EntityKind::Reference {
                            arrived.push(c.clone());
                        }
                        tx.prepare_cached("INSERT INTO applied_changes(change_id) VALUES (?1)")?
                            .execute([c.id.to_string()])?;
                        tx.prepare_cached("DELETE FROM deferred_changes WHERE change_id = ?1")?
                            .execute([c.id.to_string()])?;
                        report.applied += 1;
                        report.conflicts += conflicts;
                        progress = true;
                    }
                    Outcome::Rejected => {
                        tx.prepare_cached("INSERT INTO applied_changes(change_id) VALUES (?1)")?
                            .execute([c.id.to_string()])?;
                        tx.prepare_cached("DELETE FROM deferred_changes WHERE change_id = ?1")?
                            .execute([c.id.to_string()])?;
                        report.rejected += 1;
                    }
                    Outcome::Deferred => still.push(c),
                }
            }
            queue = still;
            if !progress || queue.is_empty() {
                break;
            }
        }
        for c in &queue {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO deferred_changes(change_id, body) VALUES (?1, ?2)",
            )?
            .execute(params![c.id.to_string(), serde_json::to_string(c)?])?;
        }
        report.deferred = queue.len() as u32;
        touched_cases.sort();
        touched_cases.dedup();
        for id in &touched_cases {
            reproject(&tx, id)?;
            reindex(&tx, id)?;
        }
        // The province's reference data: the local tables to the versions in force, open
        // cases' clocks recomputed, audited.
        crate::catalog::after_remote(&tx, self.device, &mut self.clock, &self.scope, &arrived)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('hlc_last', ?1)",
            [self.clock.last().to_string()],
        )?;
        tx.commit()?;
        Ok(report)
    }

    /// Content hashes of attachments recorded here whose bytes are not (sync fetches them).
    pub fn missing_blobs(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("SELECT DISTINCT sha256 FROM attachments WHERE sha256 NOT IN (SELECT sha256 FROM blobs)")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Local attachment bytes not yet uploaded.
    pub fn unsent_blobs(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT sha256 FROM blobs WHERE uploaded = 0")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row("SELECT data FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn mark_blob_uploaded(&mut self, sha256: &str) -> Result<()> {
        self.conn
            .execute("UPDATE blobs SET uploaded = 1 WHERE sha256 = ?1", [sha256])?;
        Ok(())
    }

    /// Stores bytes fetched from the server after checking they are what their hash says.
    pub fn put_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<()> {
        use sha2::{Digest, Sha256};
        if hex::encode(Sha256::digest(bytes)) != sha256 {
            return Err(Error::invalid(
                "Tệp đính kèm nhận được bị hỏng (sai mã băm); sẽ tải lại ở lần đồng bộ sau.",
            ));
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, data, uploaded) VALUES (?1, ?2, ?3, 1)",
            params![sha256, bytes.len() as i64, bytes],
        )?;
        Ok(())
    }

    /// Cases flagged for a chief's review, with what each conflicting write said.
    pub fn conflicts(&self) -> Result<Vec<ConflictRecord>> {
        let mut st = self.conn.prepare(
            "SELECT k.case_id, c.register_no, k.entity, k.field, k.kept_value, k.other_value, k.detected_utc
             FROM conflicts k LEFT JOIN cases c ON c.id = k.case_id WHERE k.resolved = 0 AND k.entity <> 'reference' ORDER BY k.detected_utc",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ConflictRecord {
                case_id: r.get::<_, Option<String>>(0)?.and_then(|s| s.parse().ok()),
                register_no: r.get(1)?,
                entity: r.get(2)?,
                field: r.get(3)?,
                kept_value: r.get(4)?,
                other_value: r.get(5)?,
                detected_utc: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictRecord {
    pub case_id: Option<Uuid>,
    pub register_no: Option<String>,
    pub entity: String,
    pub field: String,
    pub kept_value: Option<String>,
    pub other_value: Option<String>,
    #[ts(type = "number")]
    pub detected_utc: i64,
}

fn exists(tx: &Connection, t: &str, key: &str, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT EXISTS(SELECT 1 FROM {t} WHERE {key} = ?1)"
        ))?
        .query_row([id], |r| r.get(0))?)
}

fn case_of(tx: &Connection, c: &Change) -> Result<Option<String>> {
    Ok(match c.entity {
        EntityKind::Case | EntityKind::Reporter => Some(c.entity_id.to_string()),
        EntityKind::Person | EntityKind::Event | EntityKind::Attachment => {
            match c.fields.get("case_id").and_then(Value::as_str) {
                Some(s) => Some(s.to_owned()),
                None => tx
                    .prepare_cached("SELECT case_id FROM persons WHERE id = ?1")?
                    .query_row([c.entity_id.to_string()], |r| r.get(0))
                    .optional()?,
            }
        }
        _ => None,
    })
}

fn in_scope(tx: &Connection, scope: &crate::model::Scope, station: &str) -> Result<bool> {
    use crate::model::Scope;
    Ok(match scope {
        Scope::Station(s) => s == station,
        Scope::Province(p) => tx
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM communes WHERE code = ?1 AND province = ?2)",
            )?
            .query_row(params![station, p], |r| r.get(0))?,
    })
}

/// The province of this database: its own, or its station's.
fn province_of(tx: &Connection, scope: &crate::model::Scope) -> Result<Option<String>> {
    use crate::model::Scope;
    Ok(match scope {
        Scope::Province(p) => Some(p.clone()),
        Scope::Station(s) => tx
            .prepare_cached("SELECT province FROM communes WHERE code = ?1")?
            .query_row([s], |r| r.get(0))
            .optional()?,
    })
}

fn apply_one(
    tx: &Connection,
    scope: &crate::model::Scope,
    c: &Change,
    touched: &mut Vec<String>,
) -> Result<Outcome> {
    // The province's reference data is filed under the province itself, and only there; its
    // answer templates too (a station's own are filed under the station).
    let provinces = province_of(tx, scope)?.as_deref() == Some(c.station.as_str());
    let in_scope = match c.entity {
        EntityKind::Reference => provinces,
        EntityKind::AnswerTemplate => provinces || in_scope(tx, scope, &c.station)?,
        _ => in_scope(tx, scope, &c.station)?,
    };
    if !in_scope {
        return Ok(Outcome::Rejected);
    }
    // A password hash from another PC (sent before hashes stayed home) is never taken: each PC
    // keeps only the passwords its own chief set there.
    let stripped;
    let c = if c.entity == EntityKind::User && c.fields.contains_key("password_hash") {
        let mut without = c.clone();
        without.fields.remove("password_hash");
        stripped = without;
        &stripped
    } else {
        c
    };
    let (t, key, cols) = table(c.entity);
    if c.fields.keys().any(|k| !cols.contains(&k.as_str())) {
        return Ok(Outcome::Rejected);
    }
    let id = c.entity_id.to_string();
    let case_id = case_of(tx, c)?;
    // Records that hang off a case wait for it.
    if let Some(cid) = &case_id
        && c.entity != EntityKind::Case
        && !exists(tx, "cases", "id", cid)?
    {
        return Ok(Outcome::Deferred);
    }
    let hlc = c.hlc.to_string();
    let mut conflicts = 0;
    let present = exists(tx, t, key, &id)?;
    match (c.op, present) {
        (Op::Insert, true) => {}
        (Op::Insert, false) | (Op::Upsert, false) => {
            if c.entity == EntityKind::Case {
                if CaseColumns::of_fields(&c.fields)
                    .and_then(|cols| insert_case_row(tx, c.entity_id, &cols, &hlc, None))
                    .is_err()
                {
                    return Ok(Outcome::Deferred);
                }
            } else {
                let mut names: Vec<&str> = vec![key, "hlc"];
                let mut values: Vec<rusqlite::types::Value> =
                    vec![id.clone().into(), hlc.clone().into()];
                for (k, v) in &c.fields {
                    names.push(cols.iter().find(|x| **x == k).copied().unwrap_or(""));
                    values.push(sql_value(v));
                }
                match c.entity {
                    EntityKind::Event => {
                        names.extend(["author", "device"]);
                        values.extend([c.user.to_string().into(), c.device.to_string().into()]);
                    }
                    EntityKind::Attachment => {
                        names.push("added_by");
                        values.push(c.user.to_string().into());
                    }
                    EntityKind::Audit => {
                        names.push("device");
                        values.push(c.device.to_string().into());
                    }
                    // No password here until this PC's chief sets one: no login with it.
                    EntityKind::User => {
                        names.push("password_hash");
                        values.push(String::new().into());
                    }
                    _ => {}
                }
                let ph: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "INSERT INTO {t}({}) VALUES ({})",
                    names.join(", "),
                    ph.join(", ")
                );
                let inserted = tx
                    .prepare_cached(&sql)
                    .and_then(|mut st| st.execute(rusqlite::params_from_iter(values)));
                if inserted.is_err() {
                    // A row missing a required field cannot be created: an update that overtook
                    // its creation. It waits for the creation.
                    return Ok(Outcome::Deferred);
                }
            }
        }
        (Op::Upsert, true) => {
            let row_stamp: Option<Hlc> = row_hlc(tx, c.entity, &c.entity_id)?;
            for (k, v) in &c.fields {
                let col = cols.iter().find(|x| **x == k).copied().unwrap_or("");
                let cur_stamp: Option<Hlc> = tx
                    .prepare_cached("SELECT hlc FROM field_clock WHERE entity = ?1 AND entity_id = ?2 AND field = ?3")?
                    .query_row(params![c.entity.as_str(), id, col], |r| r.get::<_, String>(0))
                    .optional()?
                    .and_then(|s| s.parse().ok())
                    .or(row_stamp);
                let cur_val: rusqlite::types::Value = tx
                    .prepare_cached(&format!("SELECT {col} FROM {t} WHERE {key} = ?1"))?
                    .query_row([&id], |r| r.get(0))?;
                let new_val = sql_value(v);
                let m = merge_field(cur_stamp, c.hlc, c.base.get(k).copied(), cur_val == new_val);
                if m.conflict {
                    conflicts += 1;
                    let (kept, other, kept_h, other_h) = if m.take {
                        (v.to_string(), value_text(&cur_val), c.hlc, cur_stamp)
                    } else {
                        (
                            value_text(&cur_val),
                            v.to_string(),
                            cur_stamp.unwrap_or(Hlc::ZERO),
                            Some(c.hlc),
                        )
                    };
                    tx.prepare_cached(
                        "INSERT INTO conflicts(id, case_id, entity, entity_id, field, kept_value, other_value, kept_hlc, other_hlc, detected_utc)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![
                        Uuid::now_v7().to_string(), case_id, c.entity.as_str(), id, col, kept, other,
                        kept_h.to_string(), other_h.map(|h| h.to_string()), Utc::now().timestamp()
                    ])?;
                }
                if m.take {
                    tx.prepare_cached(&format!("UPDATE {t} SET {col} = ?2 WHERE {key} = ?1"))?
                        .execute(params![id, new_val])?;
                    tx.prepare_cached("INSERT OR REPLACE INTO field_clock(entity, entity_id, field, hlc) VALUES (?1, ?2, ?3, ?4)")?
                        .execute(params![c.entity.as_str(), id, col, hlc])?;
                }
            }
        }
    }
    if c.entity == EntityKind::Event
        && c.fields.get("type").and_then(Value::as_str) == Some("conflict_resolved")
    {
        tx.execute(
            "UPDATE conflicts SET resolved = 1 WHERE case_id = ?1 AND detected_utc <= ?2",
            params![case_id, Utc::now().timestamp()],
        )?;
    }
    if let Some(cid) = case_id {
        touched.push(cid);
    }
    Ok(Outcome::Applied { conflicts })
}

fn value_text(v: &rusqlite::types::Value) -> String {
    use rusqlite::types::Value as V;
    match v {
        V::Null => "null".into(),
        V::Integer(i) => i.to_string(),
        V::Real(f) => f.to_string(),
        V::Text(s) => serde_json::to_string(s).unwrap_or_default(),
        V::Blob(_) => "(blob)".into(),
    }
}
