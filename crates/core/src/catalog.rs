//! The "Danh mục" screen's data: the province's reference versions (deadline rules, holidays,
//! categories, the statistics cut-off day, fine caps, remote communes, answer templates), set
//! on a province administrator's laptop and received by every station with sync; the local
//! tables the clocks read kept to the versions in force today; every open case's clocks
//! recomputed when they change, audited; conflicts between two administrators' edits of one
//! version listed for review and settled.
use crate::case_row::reproject;
use crate::clocks;
use crate::error::{Error, Result};
use crate::model::{Actor, LegalGroup, Role, Scope, Status};
use crate::reference::{self, Version, columns, local_row, reference_id, version_at, vn_date};
use crate::store::{Store, Writer, meta_get, meta_set, record_in};
use chrono::{NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tinbao_sync::{Change, EntityKind, HlcClock, Op};
use ts_rs::TS;
use uuid::Uuid;

/// One version of one entry of the province's reference data, as the Danh mục screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReferenceVersion {
    pub id: Uuid,
    /// `deadline_rule`, `holiday`, `category`, `cutoff_day`, `fine_cap`, `remote_station` or
    /// `answer_template`.
    pub set_name: String,
    /// The entry: a rule's code, a holiday's date, a category's code, a commune's code…
    pub key: String,
    /// `YYYY-MM-DD`: the day this version takes effect.
    pub effective_from: String,
    /// The version's content, passed through as the province wrote it (a rule's `amount`,
    /// `unit`, `remote_amount`, `basis`, `label_vi`…).
    #[ts(type = "{ [key: string]: string | number | boolean | null }")]
    pub value: Map<String, Value>,
    /// Takes the entry out of force from its date.
    pub retired: bool,
    /// The version that applies today (for its entry).
    pub in_force: bool,
    /// Takes effect after today.
    pub upcoming: bool,
    /// Two administrators wrote this version without seeing each other's edit; not yet settled.
    pub conflict: bool,
}

/// A version the province administrator sets (a new one, or a correction of the version of
/// the same entry and date).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewReference {
    pub set_name: String,
    pub key: String,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    #[ts(type = "{ [key: string]: string | number | boolean | null }")]
    pub value: Map<String, Value>,
    #[serde(default)]
    pub retired: bool,
}

/// Two administrators' concurrent edits of one version: the value in force on every device
/// (the later write) and the other one, until a province administrator settles it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReferenceConflict {
    pub id: Uuid,
    pub version_id: Uuid,
    pub set_name: String,
    pub key: String,
    pub effective_from: String,
    /// `value` or `retired`.
    pub field: String,
    /// The value in force (the later write), as JSON.
    #[ts(type = "unknown")]
    pub kept: Value,
    /// The value it overrode, as JSON.
    #[ts(type = "unknown")]
    pub other: Value,
    #[ts(type = "number")]
    pub detected_utc: i64,
}

const NOT_AT_A_STATION: &str = "sửa danh mục dùng chung: danh mục (thời hạn, ngày nghỉ, loại vụ việc…) do Công an tỉnh ban hành và đồng bộ xuống, máy công an xã chỉ xem";
const NOT_THIS_ROLE: &str =
    "sửa danh mục dùng chung (chỉ quản trị viên hoặc cán bộ kiểm tra cấp tỉnh)";

/// The province a writer of reference data acts for: a province administrator or supervisor
/// on a province-scope database; anyone else is refused.
fn province_writer(scope: &Scope, actor: &Actor) -> Result<String> {
    match scope {
        Scope::Station(_) => Err(Error::forbidden(NOT_AT_A_STATION)),
        Scope::Province(p) if matches!(actor.role, Role::Admin | Role::Supervisor) => Ok(p.clone()),
        Scope::Province(_) => Err(Error::forbidden(NOT_THIS_ROLE)),
    }
}

fn today() -> NaiveDate {
    vn_date(Utc::now().timestamp())
}

fn dmy(d: &str) -> String {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| d.to_owned())
}

fn unit_vi(u: &str) -> &str {
    match u {
        "hours" => "giờ",
        "days" => "ngày",
        "working_days" => "ngày làm việc",
        "minutes" => "phút",
        other => other,
    }
}

fn set_vi(set: &str) -> &str {
    match set {
        "deadline_rule" => "thời hạn",
        "holiday" => "ngày nghỉ",
        "category" => "loại vụ việc",
        "cutoff_day" => "ngày chốt số liệu",
        "fine_cap" => "mức phạt tối đa",
        "remote_station" => "xã vùng sâu, vùng xa",
        "answer_template" => "mẫu trả lời",
        other => other,
    }
}

/// A stored conflict value (the JSON text of the value, or that text quoted) as JSON.
fn decode(s: Option<String>) -> Value {
    let Some(s) = s else { return Value::Null };
    match serde_json::from_str::<Value>(&s) {
        Ok(Value::String(inner)) => serde_json::from_str(&inner).unwrap_or(Value::String(inner)),
        Ok(v) => v,
        Err(_) => Value::String(s),
    }
}

impl Store {
    /// Whether a station is a remote, isolated or island commune (its transfer limit is 48 h).
    pub fn station_remote(&self, station: &str) -> Result<bool> {
        clocks::station_remote(&self.conn, station)
    }

    /// Marks a station as a remote, isolated or island commune (48 hours to transfer instead
    /// of 24). The province decides: on its register this is a `remote_station` version from
    /// today, sent to the station by sync. Until one has reached the station, its chief may set
    /// the flag locally. Audited; the station's clocks are recomputed at once.
    pub fn set_station_remote(&mut self, actor: &Actor, station: &str, remote: bool) -> Result<()> {
        let allowed = match actor.role {
            Role::Admin | Role::Supervisor => self.in_scope(station)?,
            Role::Chief => actor.station.as_deref() == Some(station),
            Role::Officer => false,
        };
        if !allowed {
            return Err(Error::forbidden(
                "đặt xã vùng sâu, vùng xa, hải đảo (chỉ cấp tỉnh hoặc trưởng Công an xã của đơn vị)",
            ));
        }
        if let Scope::Province(_) = self.scope {
            let mut value = Map::new();
            value.insert("remote".to_owned(), json!(remote));
            value.insert("basis".to_owned(), json!(""));
            self.set_reference(
                actor,
                NewReference {
                    set_name: "remote_station".into(),
                    key: station.to_owned(),
                    effective_from: today().format("%Y-%m-%d").to_string(),
                    value,
                    retired: false,
                },
            )?;
            return Ok(());
        }
        // The chief's flag is a stopgap: once the province has said (reference data synced
        // down), only the province changes it, with a later version.
        if actor.role == Role::Chief {
            let province_said: bool = self.conn.query_row(
                "SELECT EXISTS(SELECT 1 FROM reference_versions WHERE set_name = 'remote_station' AND key = ?1)",
                [station],
                |r| r.get(0),
            )?;
            if province_said {
                return Err(Error::forbidden(
                    "đặt xã vùng sâu, vùng xa ở công an xã: Công an tỉnh đã quyết định và đồng bộ về, chỉ tỉnh sửa được",
                ));
            }
        }
        let tx = self.conn.transaction()?;
        let mut n = tx.execute(
            "UPDATE stations SET remote = ?2 WHERE code = ?1",
            params![station, remote],
        )?;
        if n == 0 {
            // A province's register lists its stations from the official commune list.
            n = tx.execute(
                "INSERT INTO stations(code, province, name, remote)
                 SELECT code, province, name, ?2 FROM communes WHERE code = ?1",
                params![station, remote],
            )?;
        }
        if n == 0 {
            return Err(Error::not_found("đơn vị"));
        }
        clocks::recompute(&tx, Some(station))?;
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &Scope::Station(station.to_owned()),
            "station_remote_set",
            Some(station),
            Some(if remote { "remote" } else { "not_remote" }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The province's versions of `set` (every set when None), each entry's newest first, with
    /// which one is in force today and since when.
    pub fn reference(&self, set: Option<&str>) -> Result<Vec<ReferenceVersion>> {
        if let Some(s) = set
            && !reference::SETS.contains(&s)
        {
            return Err(Error::invalid(
                "Danh mục không có trong các danh mục dùng chung của tỉnh.",
            ));
        }
        let today = today();
        let in_conflict: Vec<String> = {
            let mut st = self.conn.prepare(
                "SELECT DISTINCT entity_id FROM conflicts WHERE entity = 'reference' AND resolved = 0",
            )?;
            st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let mut out = Vec::new();
        for v in reference::versions(&self.conn, set)?.into_iter().rev() {
            let in_force =
                version_at(&self.conn, &v.set_name, &v.key, today)?.is_some_and(|f| f.id == v.id);
            out.push(ReferenceVersion {
                id: v.id.parse().unwrap_or_default(),
                in_force,
                upcoming: v.effective_from > today.format("%Y-%m-%d").to_string(),
                conflict: in_conflict.contains(&v.id),
                set_name: v.set_name,
                key: v.key,
                effective_from: v.effective_from,
                value: v.value,
                retired: v.retired,
            });
        }
        out.sort_by(|a, b| {
            (&a.set_name, &a.key)
                .cmp(&(&b.set_name, &b.key))
                .then(b.effective_from.cmp(&a.effective_from))
        });
        Ok(out)
    }

    /// A province administrator (or supervisor) sets one version of one entry on a province
    /// laptop: stored, queued for the server (which sends it to every station), the local
    /// tables kept to the versions in force, open cases' clocks recomputed, all audited. At a
    /// station it is refused: the province owns this data.
    pub fn set_reference(&mut self, actor: &Actor, r: NewReference) -> Result<ReferenceVersion> {
        let province = province_writer(&self.scope, actor)?;
        let key = r.key.trim().to_owned();
        let mut value = r.value;
        if r.set_name == "deadline_rule" {
            // The rule's own code travels as its key.
            value.remove("code");
        }
        let mut fields = BTreeMap::new();
        fields.insert("set_name".to_owned(), json!(r.set_name));
        fields.insert("key".to_owned(), json!(key));
        fields.insert("effective_from".to_owned(), json!(r.effective_from.trim()));
        fields.insert("value".to_owned(), Value::Object(value.clone()));
        fields.insert("retired".to_owned(), json!(r.retired));
        // Every field a version has travels with its creation: two administrators creating the
        // same version concurrently then stamp every field alike on every device.
        fields.insert("resolved".to_owned(), json!(false));
        tinbao_sync::reference::check_fields(&fields).map_err(Error::invalid)?;
        if r.set_name == "category"
            && let Some(g) = value.get("legal_group")
            && g.as_str().is_none_or(|g| LegalGroup::parse(g).is_none())
        {
            return Err(Error::invalid(format!(
                "Nhóm pháp lý của loại vụ việc phải là một trong: {}.",
                LegalGroup::ALL
                    .iter()
                    .map(|g| g.label_vi())
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let from = r.effective_from.trim().to_owned();
        let id = reference_id(&province, &r.set_name, &key, &from);
        let line = describe_version(&r.set_name, &key, &from, &value, r.retired);
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM reference_versions WHERE id = ?1)",
            [id.to_string()],
            |r| r.get(0),
        )?;
        {
            let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
            let hlc = w.stamp();
            let value_text = Value::Object(value).to_string();
            if exists {
                tx.execute(
                    "UPDATE reference_versions SET value = ?2, retired = ?3 WHERE id = ?1",
                    params![id.to_string(), value_text, r.retired],
                )?;
                fields.retain(|k, _| k == "value" || k == "retired");
            } else {
                tx.execute(
                    "INSERT INTO reference_versions(id, set_name, key, effective_from, value, retired, hlc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![id.to_string(), r.set_name, key, from, value_text, r.retired, hlc.to_string()],
                )?;
            }
            w.emit(
                EntityKind::Reference,
                id,
                &province,
                Op::Upsert,
                fields,
                hlc,
                exists,
            )?;
            w.finish()?;
        }
        refresh_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            vec![line],
            "reference_set",
        )?;
        tx.commit()?;
        self.reference(Some(&r.set_name))?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| Error::not_found("phiên bản danh mục vừa lưu"))
    }

    /// Conflicts between two administrators' edits of one version, not yet settled.
    pub fn reference_conflicts(&self) -> Result<Vec<ReferenceConflict>> {
        let mut st = self.conn.prepare(
            "SELECT k.id, k.entity_id, r.set_name, r.key, r.effective_from, k.field, k.kept_value, k.other_value, k.detected_utc
             FROM conflicts k JOIN reference_versions r ON r.id = k.entity_id
             WHERE k.entity = 'reference' AND k.resolved = 0 ORDER BY k.detected_utc, k.id",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ReferenceConflict {
                id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                version_id: r.get::<_, String>(1)?.parse().unwrap_or_default(),
                set_name: r.get(2)?,
                key: r.get(3)?,
                effective_from: r.get(4)?,
                field: r.get(5)?,
                kept: decode(r.get(6)?),
                other: decode(r.get(7)?),
                detected_utc: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A province administrator settles a conflict: the value in force stays (or, with
    /// `take_other`, the overridden one is set again), written as a new edit that every device
    /// receives and that closes the conflict there too. Audited.
    pub fn resolve_reference_conflict(
        &mut self,
        actor: &Actor,
        conflict: Uuid,
        take_other: bool,
    ) -> Result<()> {
        let province = province_writer(&self.scope, actor)?;
        let found: Option<(String, String, Option<String>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT entity_id, field, kept_value, other_value FROM conflicts
                 WHERE id = ?1 AND entity = 'reference' AND resolved = 0",
                [conflict.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((entity, field, kept, other)) = found else {
            return Err(Error::not_found(
                "xung đột danh mục này (có thể đã được xử lý)",
            ));
        };
        let Some(v) = reference::versions(&self.conn, None)?
            .into_iter()
            .find(|v| v.id == entity)
        else {
            return Err(Error::not_found("phiên bản danh mục của xung đột"));
        };
        let chosen = if take_other {
            decode(other)
        } else {
            decode(kept)
        };
        let mut fields = BTreeMap::new();
        let (mut value, mut retired) = (v.value.clone(), v.retired);
        match (field.as_str(), &chosen) {
            ("value", Value::Object(m)) => value = m.clone(),
            ("retired", Value::Bool(b)) => retired = *b,
            ("retired", Value::Number(n)) => retired = n.as_i64() == Some(1),
            _ => {}
        }
        fields.insert("value".to_owned(), Value::Object(value.clone()));
        fields.insert("retired".to_owned(), json!(retired));
        fields.insert("resolved".to_owned(), json!(true));
        tinbao_sync::reference::check_fields(&fields).map_err(Error::invalid)?;
        let id: Uuid = entity
            .parse()
            .map_err(|_| Error::invalid("Mã phiên bản danh mục hỏng."))?;
        let line = format!(
            "xử lý xung đột {} {} (áp dụng từ {}): giữ {}",
            set_vi(&v.set_name),
            v.key,
            dmy(&v.effective_from),
            if take_other {
                "giá trị bị ghi đè"
            } else {
                "giá trị đang áp dụng"
            }
        );
        let tx = self.conn.transaction()?;
        {
            let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
            let hlc = w.stamp();
            tx.execute(
                "UPDATE reference_versions SET value = ?2, retired = ?3, resolved = 1 WHERE id = ?1",
                params![entity, Value::Object(value).to_string(), retired],
            )?;
            w.emit(
                EntityKind::Reference,
                id,
                &province,
                Op::Upsert,
                fields,
                hlc,
                true,
            )?;
            w.finish()?;
        }
        tx.execute(
            "UPDATE conflicts SET resolved = 1 WHERE entity = 'reference' AND entity_id = ?1",
            [&entity],
        )?;
        refresh_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            vec![line],
            "reference_conflict_resolved",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Brings the local tables to the versions in force today when the day has turned since
    /// they were last brought (a version dated 1 July comes into force on 1 July even without a
    /// sync); audited when something changed. The app calls it when it opens a session; sync
    /// does on every pull. True when something changed.
    pub fn refresh_reference(&mut self) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let changed = after_remote(&tx, self.device, &mut self.clock, &self.scope, &[])?;
        tx.commit()?;
        Ok(changed)
    }
}

/// The author of what sync brings: the province, through this device.
fn province_actor(scope: &Scope) -> Actor {
    let mut a = crate::store::system_actor(scope);
    a.username = "province-sync".into();
    a.full_name = "Danh mục của Công an tỉnh (đồng bộ)".into();
    a
}

fn describe_version(
    set: &str,
    key: &str,
    from: &str,
    v: &Map<String, Value>,
    retired: bool,
) -> String {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("");
    let what = match set {
        "deadline_rule" => format!(
            "thời hạn {key}: {} {}{}",
            v.get("amount").map(Value::to_string).unwrap_or_default(),
            unit_vi(s("unit")),
            v.get("remote_amount")
                .and_then(Value::as_i64)
                .map(|r| format!(" (xã vùng sâu, vùng xa: {r})"))
                .unwrap_or_default()
        ),
        "holiday" => format!("ngày nghỉ {}: {}", dmy(key), s("name")),
        "category" => format!("loại vụ việc {key}: {}", s("label_vi")),
        "cutoff_day" => format!(
            "ngày chốt số liệu: {}",
            v.get("day").map(Value::to_string).unwrap_or_default()
        ),
        "fine_cap" => format!(
            "mức phạt tối đa {key}: {} đồng",
            v.get("amount_vnd")
                .map(Value::to_string)
                .unwrap_or_default()
        ),
        "remote_station" => format!(
            "xã {key}: {}",
            if v.get("remote") == Some(&Value::Bool(true)) {
                "vùng sâu, vùng xa"
            } else {
                "không thuộc vùng sâu, vùng xa"
            }
        ),
        "answer_template" => format!("mẫu trả lời {key}: {}", s("title")),
        other => format!("{other} {key}"),
    };
    if retired {
        format!("bãi bỏ {what} từ {}", dmy(from))
    } else {
        format!("{what}, áp dụng từ {}", dmy(from))
    }
}

/// After a pull: settles the conflicts the province closed, brings the local tables to the
/// versions in force today, recomputes the open cases' clocks and writes one audit entry
/// saying what changed. `arrived` are the reference changes the pull applied. Does nothing
/// when none arrived and the tables are already today's. True when it audited a change.
pub(crate) fn after_remote(
    tx: &Transaction<'_>,
    device: Uuid,
    clock: &mut HlcClock,
    scope: &Scope,
    arrived: &[Change],
) -> Result<bool> {
    for c in arrived {
        if c.fields.get("resolved") == Some(&Value::Bool(true)) {
            tx.execute(
                "UPDATE conflicts SET resolved = 1 WHERE entity = 'reference' AND entity_id = ?1",
                [c.entity_id.to_string()],
            )?;
        }
    }
    let today = today().format("%Y-%m-%d").to_string();
    let stale = meta_get(tx, "reference_in_force_on")?.as_deref() != Some(today.as_str());
    if arrived.is_empty() && !stale {
        return Ok(false);
    }
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    for c in arrived {
        if seen.contains(&c.entity_id) {
            continue;
        }
        seen.push(c.entity_id);
        if let Some(v) = reference::versions(tx, None)?
            .into_iter()
            .find(|v| v.id == c.entity_id.to_string())
        {
            lines.push(format!(
                "nhận {}",
                describe_version(&v.set_name, &v.key, &v.effective_from, &v.value, v.retired)
            ));
        }
    }
    refresh_in(
        tx,
        &province_actor(scope),
        device,
        clock,
        scope,
        lines,
        "reference_synced",
    )
}

/// Brings the local tables to the versions in force today and, when something arrived or
/// changed, recomputes the open cases and audits it all in one entry. True when audited.
fn refresh_in(
    tx: &Transaction<'_>,
    actor: &Actor,
    device: Uuid,
    clock: &mut HlcClock,
    scope: &Scope,
    mut lines: Vec<String>,
    action: &str,
) -> Result<bool> {
    let today = today();
    let applied = materialise(tx, today)?;
    meta_set(
        tx,
        "reference_in_force_on",
        &today.format("%Y-%m-%d").to_string(),
    )?;
    if lines.is_empty() && applied.is_empty() {
        return Ok(false);
    }
    let (open, moved) = recompute_open_cases(tx)?;
    if !applied.is_empty() {
        lines.push(format!("đang áp dụng: {}", applied.join("; ")));
    }
    lines.push(format!(
        "tính lại thời hạn {open} hồ sơ đang mở, {moved} hồ sơ đổi hạn"
    ));
    let mut detail = lines.join(". ");
    if detail.chars().count() > 4_000 {
        detail = detail.chars().take(3_990).collect::<String>() + "…";
    }
    let count = lines.len().saturating_sub(1);
    record_in(
        tx,
        actor,
        device,
        clock,
        scope,
        action,
        Some(&format!("danh mục ({count} mục)")),
        Some(&detail),
    )?;
    Ok(true)
}

/// Makes the local tables say what the versions in force on `today` say, and returns what it
/// changed, in Vietnamese. An entry the province never versioned keeps its local value.
fn materialise(tx: &Connection, today: NaiveDate) -> Result<Vec<String>> {
    let entries: Vec<(String, String)> = {
        let mut st = tx.prepare(
            "SELECT DISTINCT set_name, key FROM reference_versions ORDER BY set_name, key",
        )?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    let caps = reference::versions(tx, Some("fine_cap"))?;
    for (set, key) in entries {
        // Fine caps are dated rows of their own: every version, later ones too, is one.
        if set == "fine_cap" {
            let of_key: Vec<&Version> = caps.iter().filter(|v| v.key == key).collect();
            out.extend(fine_cap_versions(tx, &key, &of_key)?);
            continue;
        }
        let Some(v) = version_at(tx, &set, &key, today)? else {
            continue;
        };
        let line = match set.as_str() {
            "deadline_rule" => rule_in_force(tx, &key, &v)?,
            "holiday" => holiday_in_force(tx, &key, &v)?,
            "category" => category_in_force(tx, &key, &v)?,
            "remote_station" => {
                let remote = !v.retired && v.value.get("remote") == Some(&Value::Bool(true));
                let n = tx.execute(
                    "UPDATE stations SET remote = ?2 WHERE code = ?1 AND remote <> ?2",
                    params![key, remote],
                )?;
                (n > 0).then(|| describe_version(&set, &key, &v.effective_from, &v.value, false))
            }
            "answer_template" => template_in_force(tx, &key, &v)?,
            "cutoff_day" => match v.value.get("day").and_then(Value::as_i64) {
                Some(d) if !v.retired => {
                    let cur = meta_get(tx, "setting.stats_cutoff_day")?;
                    if cur.as_deref() != Some(d.to_string().as_str()) {
                        meta_set(tx, "setting.stats_cutoff_day", &d.to_string())?;
                        Some(describe_version(
                            &set,
                            &key,
                            &v.effective_from,
                            &v.value,
                            false,
                        ))
                    } else {
                        None
                    }
                }
                _ => None,
            },
            _ => None,
        };
        out.extend(line);
    }
    Ok(out)
}

/// The province's versions of one fine cap as rows of `fine_caps`, which the sanctions read by
/// the date of the violation. The key is `title/sector` (one sector) or `title` (every sector
/// the title has); the amount is capped by the sector's own maximum. A retired version removes
/// its row. Titles and sectors come from the shipped table, so an unknown one changes nothing.
fn fine_cap_versions(tx: &Connection, key: &str, versions: &[&Version]) -> Result<Vec<String>> {
    let (title, sector) = match key.split_once('/') {
        Some((t, s)) => (t.trim(), Some(s.trim())),
        None => (key.trim(), None),
    };
    let title_vi: Option<String> = tx
        .query_row(
            "SELECT title_vi FROM fine_caps WHERE title = ?1 ORDER BY effective_from DESC LIMIT 1",
            [title],
            |r| r.get(0),
        )
        .optional()?;
    let Some(title_vi) = title_vi else {
        return Ok(Vec::new());
    };
    // Each sector once, with its label and maximum as the latest row says.
    let sectors: Vec<(String, String, i64)> = {
        let mut st = tx.prepare(
            "SELECT sector, sector_vi, sector_max_vnd FROM fine_caps f
             WHERE (?1 IS NULL OR sector = ?1)
               AND effective_from = (SELECT max(effective_from) FROM fine_caps g WHERE g.sector = f.sector)
             GROUP BY sector ORDER BY sector",
        )?;
        st.query_map([sector], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut out = Vec::new();
    for v in versions {
        let amount = v
            .value
            .get("amount_vnd")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let basis = v
            .value
            .get("basis")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned();
        let label = v
            .value
            .get("title_vi")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(&title_vi)
            .to_owned();
        for (sector, sector_vi, max) in &sectors {
            let n = if v.retired || amount <= 0 {
                tx.execute(
                    "DELETE FROM fine_caps WHERE title = ?1 AND sector = ?2 AND effective_from = ?3",
                    params![title, sector, v.effective_from],
                )?
            } else {
                let cap = amount.min(*max);
                let percent = if *max > 0 { cap * 100 / max } else { 0 };
                tx.execute(
                    "INSERT INTO fine_caps(title, title_vi, sector, sector_vi, sector_max_vnd, percent, cap_vnd, effective_from, basis)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT(title, sector, effective_from) DO UPDATE SET title_vi = excluded.title_vi,
                       cap_vnd = excluded.cap_vnd, percent = excluded.percent, basis = excluded.basis
                     WHERE (cap_vnd, basis, title_vi) IS NOT (excluded.cap_vnd, excluded.basis, excluded.title_vi)",
                    params![title, label, sector, sector_vi, max, percent, cap, v.effective_from, basis],
                )?
            };
            if n > 0 {
                out.push(describe_version(
                    "fine_cap",
                    &format!("{key} ({sector_vi})"),
                    &v.effective_from,
                    &v.value,
                    v.retired,
                ));
            }
        }
    }
    Ok(out)
}

fn rule_in_force(tx: &Connection, code: &str, v: &Version) -> Result<Option<String>> {
    if v.retired {
        // A rule the clocks need is never deleted: the local one stays.
        return Ok(None);
    }
    let cols = columns(tx, "deadline_rules")?;
    let cur = local_row(tx, "deadline_rules", "code", code)?;
    // The shipped rule, before the province's first version replaced it: cases received
    // before that version keep it.
    if let Some(c) = &cur {
        let base = format!("{}{code}", reference::BASE_RULE);
        if meta_get(tx, &base)?.is_none() {
            meta_set(tx, &base, &Value::Object(c.clone()).to_string())?;
        }
    }
    let changed: Vec<(&String, &Value)> = v
        .value
        .iter()
        .filter(|(k, x)| {
            k.as_str() != "code"
                && cols.contains(k)
                && cur.as_ref().is_none_or(|c| c.get(k.as_str()) != Some(x))
        })
        .collect();
    if cur.is_some() && changed.is_empty() {
        return Ok(None);
    }
    tx.execute_batch("SAVEPOINT reference_rule")?;
    let r = (|| -> Result<()> {
        if cur.is_none() {
            tx.execute(
                "INSERT INTO deadline_rules(code, applies_to, amount, unit, basis, label_vi) VALUES (?1, '', 1, 'hours', '', ?1)",
                [code],
            )?;
        }
        for (k, x) in &changed {
            // `k` is one of the table's own column names (checked above).
            tx.execute(
                &format!("UPDATE deadline_rules SET \"{k}\" = ?2 WHERE code = ?1"),
                params![code, crate::store::sql_value(x)],
            )?;
        }
        Ok(())
    })();
    match r {
        Ok(()) => {
            tx.execute_batch("RELEASE reference_rule")?;
            Ok(Some(describe_version(
                "deadline_rule",
                code,
                &v.effective_from,
                &v.value,
                false,
            )))
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO reference_rule; RELEASE reference_rule")?;
            Ok(Some(format!(
                "chưa áp dụng được thời hạn {code} trên máy này (cần cập nhật phần mềm): {e}"
            )))
        }
    }
}

fn holiday_in_force(tx: &Connection, date: &str, v: &Version) -> Result<Option<String>> {
    let cur: Option<(String, String, String)> = tx
        .query_row(
            "SELECT name, kind, basis FROM holidays WHERE on_date = ?1",
            [date],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if v.retired {
        if cur.is_none() {
            return Ok(None);
        }
        tx.execute("DELETE FROM holidays WHERE on_date = ?1", [date])?;
        return Ok(Some(format!("bỏ ngày nghỉ {}", dmy(date))));
    }
    let s = |k: &str| {
        v.value
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let kind = match s("kind").as_str() {
        "workday" => "workday".to_owned(),
        _ => "day_off".to_owned(),
    };
    let new = (s("name"), kind, s("basis"));
    if cur.as_ref() == Some(&new) {
        return Ok(None);
    }
    tx.execute(
        "INSERT OR REPLACE INTO holidays(on_date, name, kind, basis) VALUES (?1, ?2, ?3, ?4)",
        params![date, new.0, new.1, new.2],
    )?;
    Ok(Some(format!(
        "{} {}: {}",
        if new.1 == "workday" {
            "ngày làm bù"
        } else {
            "ngày nghỉ"
        },
        dmy(date),
        new.0
    )))
}

fn category_in_force(tx: &Connection, code: &str, v: &Version) -> Result<Option<String>> {
    let cur = local_row(tx, "categories", "code", code)?;
    let s = |k: &str| v.value.get(k).and_then(Value::as_str).map(str::trim);
    let cur_s = |k: &str| {
        cur.as_ref()
            .and_then(|c| c.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let label_vi = s("label_vi")
        .map(str::to_owned)
        .or_else(|| cur_s("label_vi"))
        .unwrap_or_else(|| code.to_owned());
    let label_en = s("label_en")
        .map(str::to_owned)
        .or_else(|| cur_s("label_en"))
        .unwrap_or_else(|| label_vi.clone());
    let active = !v.retired && v.value.get("active") != Some(&Value::Bool(false));
    let sort = v
        .value
        .get("sort")
        .and_then(Value::as_i64)
        .or_else(|| {
            cur.as_ref()
                .and_then(|c| c.get("sort"))
                .and_then(Value::as_i64)
        })
        .unwrap_or(0);
    // A group the version leaves out, or one this release does not know, keeps the current one.
    let legal_group = s("legal_group")
        .and_then(LegalGroup::parse)
        .map(|g| g.as_str().to_owned())
        .or_else(|| cur_s("legal_group"))
        .unwrap_or_else(|| LegalGroup::Other.as_str().to_owned());
    let new = json!({"code": code, "label_vi": label_vi, "label_en": label_en, "active": i64::from(active), "sort": sort, "legal_group": legal_group});
    if cur.as_ref().is_some_and(|c| {
        ["label_vi", "label_en", "active", "sort", "legal_group"]
            .iter()
            .all(|k| c.get(*k) == new.get(*k))
    }) {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO categories(code, label_vi, label_en, active, sort, legal_group) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(code) DO UPDATE SET label_vi = excluded.label_vi, label_en = excluded.label_en,
           active = excluded.active, sort = excluded.sort, legal_group = excluded.legal_group",
        params![code, label_vi, label_en, active, sort, legal_group],
    )?;
    Ok(Some(if active {
        format!("loại vụ việc {code}: {label_vi}")
    } else {
        format!("ngừng dùng loại vụ việc {code}")
    }))
}

fn template_in_force(tx: &Connection, key: &str, v: &Version) -> Result<Option<String>> {
    let id = reference_id("", "answer_template", key, "").to_string();
    let cur: Option<(String, String, String)> = tx
        .query_row(
            "SELECT topic, title, body FROM answer_templates WHERE id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if v.retired {
        if cur.is_none() {
            return Ok(None);
        }
        tx.execute("DELETE FROM answer_templates WHERE id = ?1", [&id])?;
        return Ok(Some(format!("bỏ mẫu trả lời {key}")));
    }
    let s = |k: &str| {
        v.value
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let topic = if s("topic").is_empty() {
        "khac".to_owned()
    } else {
        s("topic")
    };
    let new = (topic, s("title"), s("body"));
    if cur.as_ref() == Some(&new) {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO answer_templates(id, topic, title, body, hlc) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET topic = excluded.topic, title = excluded.title, body = excluded.body",
        params![id, new.0, new.1, new.2, tinbao_sync::Hlc::ZERO.to_string()],
    )?;
    Ok(Some(format!("mẫu trả lời {key}: {}", new.1)))
}

/// Recomputes the projected columns (clocks included) of every case that is open or still
/// has a running clock (a notice owed after a transfer), with the tables as they now are; the
/// clocks engine gives each case the rule version in force when it was received. Returns
/// (cases recomputed, cases whose deadline moved).
fn recompute_open_cases(tx: &Connection) -> Result<(u32, u32)> {
    let cases: Vec<(String, String, Option<i64>)> = {
        let mut st = tx.prepare("SELECT id, status, deadline_utc FROM cases")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?
    };
    let (mut open, mut moved) = (0u32, 0u32);
    for (id, status, before) in cases {
        if !Status::parse(&status).is_some_and(Status::is_open) && before.is_none() {
            continue;
        }
        open += 1;
        reproject(tx, &id)?;
        let after: Option<i64> =
            tx.query_row("SELECT deadline_utc FROM cases WHERE id = ?1", [&id], |r| {
                r.get(0)
            })?;
        if after != before {
            moved += 1;
        }
    }
    Ok((open, moved))
}
