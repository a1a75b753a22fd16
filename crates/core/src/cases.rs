//! The register: intake with offline numbering, the case screen, persons, the confidential
//! reporter, attachments, and workflow actions (`act`, by `workflow`'s rules). The case's row
//! is written and derived by `case_row`, its search entry made by `search_index`.
use crate::case_row::{
    CaseColumns, ROW_COLS, WriteCache, case_facts, derive, insert_case_row, load_events, reproject,
    row_from,
};
use crate::clocks::CaseFacts;
use crate::deadlines;
use crate::error::{Error, Result};
use crate::model::*;
use crate::numbers;
use crate::sanctions;
use crate::search_index::{self, FtsFilters, fts_body, reindex, search_text};
use crate::store::{Store, Writer, record_in, write_case_fields};
use crate::text::{clean_opt, fold};
use crate::time::{vn_offset, vn_time};
use crate::workflow::{self, StoredEvent};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tinbao_sync::protocol::Numbering;
use tinbao_sync::{EntityKind, Op};
use uuid::Uuid;

pub const MAX_SUMMARY: usize = 300;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_SHORT: usize = 500;
pub const MAX_ATTACHMENT_BYTES: usize = 50 * 1024 * 1024;
pub use crate::case_row::{EARLIEST_YEAR, parse_register_no};

/// Every text field of a case passes here: its length, and no control character (a NUL or an
/// escape from a damaged file or a strange paste would corrupt exports and printouts).
fn too_long(s: &str, max: usize, what: &str) -> Result<()> {
    // One pass over the text: imports run this on every field of a million cases.
    let (mut n, mut control) = (0usize, None);
    for c in s.chars() {
        n += 1;
        if control.is_none() && crate::text::is_control(c) {
            control = Some(c);
        }
    }
    if n > max {
        return Err(Error::invalid(format!(
            "{what} quá dài (tối đa {max} ký tự)."
        )));
    }
    if let Some(c) = control {
        return Err(Error::invalid(format!(
            "{what} chứa ký tự điều khiển U+{:04X}, không nhận được (tệp hỏng hoặc văn bản dán từ nguồn lạ).",
            c as u32
        )));
    }
    Ok(())
}

pub(crate) fn validate_person(p: &NewPerson, year_now: i32) -> Result<()> {
    if p.name.trim().is_empty() {
        return Err(Error::invalid("Chưa nhập họ tên người liên quan."));
    }
    too_long(&p.name, 200, "Họ tên")?;
    if let Some(y) = p.birth_year
        && !(1900..=year_now).contains(&y)
    {
        return Err(Error::invalid(format!("Năm sinh {y} không hợp lệ.")));
    }
    for s in [&p.id_number, &p.phone, &p.address].into_iter().flatten() {
        too_long(s, MAX_SHORT, "Thông tin người liên quan")?;
    }
    Ok(())
}

/// Checks a new case; returns its received time.
pub(crate) fn validate_case(
    conn: &Connection,
    cache: &mut WriteCache,
    c: &NewCase,
    now: DateTime<Utc>,
) -> Result<DateTime<FixedOffset>> {
    let received = c
        .received_at
        .unwrap_or_else(|| now.with_timezone(&vn_offset()));
    if received.with_timezone(&Utc) > now + chrono::Duration::minutes(10) {
        return Err(Error::invalid(
            "Thời điểm tiếp nhận ở tương lai. Kiểm tra lại ngày giờ (và đồng hồ máy tính).",
        ));
    }
    if received.year() < EARLIEST_YEAR {
        return Err(Error::invalid(format!(
            "Thời điểm tiếp nhận trước năm {EARLIEST_YEAR}: không hợp lệ."
        )));
    }
    if c.summary.trim().is_empty() {
        return Err(Error::invalid("Chưa nhập tóm tắt nội dung tin báo."));
    }
    too_long(&c.summary, MAX_SUMMARY, "Tóm tắt")?;
    too_long(&c.description, MAX_DESCRIPTION, "Nội dung")?;
    for s in [
        &c.channel_ref,
        &c.location.hamlet,
        &c.location.address,
        &c.occurred,
    ]
    .into_iter()
    .flatten()
    {
        too_long(s, MAX_SHORT, "Thông tin")?;
    }
    if !cache.category_active(conn, &c.category)? {
        return Err(Error::invalid(format!(
            "Loại vụ việc “{}” không có trong danh mục.",
            c.category
        )));
    }
    if let Some(code) = &c.location.commune
        && cache.commune_name(conn, code)?.is_none()
    {
        return Err(Error::invalid(format!(
            "Mã xã/phường “{code}” không có trong danh mục đơn vị hành chính."
        )));
    }
    if c.location.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
        || c.location
            .lon
            .is_some_and(|v| !(-180.0..=180.0).contains(&v))
    {
        return Err(Error::invalid("Tọa độ không hợp lệ."));
    }
    for p in &c.persons {
        validate_person(p, now.year())?;
    }
    sanctions::check_guardian_indexes(&c.persons)?;
    if let Some(r) = &c.reporter {
        for s in [&r.name, &r.phone, &r.address, &r.id_number]
            .into_iter()
            .flatten()
        {
            too_long(s, MAX_SHORT, "Thông tin người báo tin")?;
        }
    }
    validate_receipt(&c.receipt, received, now)?;
    Ok(received)
}

/// Most items a reporter hands over that one receipt record lists.
pub const MAX_HANDED_OVER: usize = 50;

fn validate_receipt(
    r: &ReceiptFacts,
    received: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(place) = &r.place {
        too_long(place, MAX_SHORT, "Nơi tiếp nhận")?;
    }
    if r.handed_over.len() > MAX_HANDED_OVER {
        return Err(Error::invalid(format!(
            "Danh sách tài liệu, đồ vật giao nộp dài quá {MAX_HANDED_OVER} mục: ghi gộp lại hoặc lập bảng kê riêng."
        )));
    }
    for item in &r.handed_over {
        too_long(item, MAX_SHORT, "Tài liệu, đồ vật giao nộp")?;
    }
    if let Some(done) = r.finished_at {
        if done < received {
            return Err(Error::invalid(
                "Thời điểm lập xong biên bản trước thời điểm tiếp nhận. Kiểm tra lại giờ.",
            ));
        }
        if done.with_timezone(&Utc) > now + chrono::Duration::minutes(10) {
            return Err(Error::invalid(
                "Thời điểm lập xong biên bản ở tương lai. Kiểm tra lại ngày giờ (và đồng hồ máy tính).",
            ));
        }
    }
    Ok(())
}

/// The `created` event's record of the receipt.
fn receipt_json(r: &ReceiptFacts) -> Value {
    json!({
        "place": r.place,
        "finished_utc": r.finished_at.map(|t| t.timestamp()),
        "handed_over": r.handed_over,
    })
}

pub(crate) fn case_fields(
    c: &NewCase,
    station: &str,
    register_no: &str,
    received: &DateTime<FixedOffset>,
) -> BTreeMap<String, Value> {
    let mut f = BTreeMap::new();
    f.insert("station".into(), json!(station));
    f.insert("register_no".into(), json!(register_no));
    f.insert("received_at".into(), json!(received.to_rfc3339()));
    f.insert("channel".into(), json!(c.channel));
    f.insert("channel_ref".into(), json!(c.channel_ref));
    f.insert("kind".into(), json!(c.kind));
    f.insert("category".into(), json!(c.category));
    f.insert("urgency".into(), json!(c.urgency));
    f.insert("summary".into(), json!(c.summary));
    f.insert("description".into(), json!(c.description));
    f.insert("commune".into(), json!(c.location.commune));
    f.insert("hamlet".into(), json!(c.location.hamlet));
    f.insert("address".into(), json!(c.location.address));
    f.insert("lat".into(), json!(c.location.lat));
    f.insert("lon".into(), json!(c.location.lon));
    f.insert("occurred".into(), json!(c.occurred));
    f
}

/// A new case as registered here: by intake, or by import with the status it had.
pub(crate) struct Creation<'a> {
    pub id: Uuid,
    pub new: &'a NewCase,
    pub station: &'a str,
    pub register_no: &'a str,
    pub received: DateTime<FixedOffset>,
    pub author_name: &'a str,
    pub created: Value,
    /// Imported cases carry the status they had in the register they came from.
    pub imported_status: Option<Status>,
    /// `search_text` of the case, folded, when an import prepared it on its reading thread.
    pub folded: Option<String>,
}

/// Writes a new case, its reporter, persons, events, derived state and index entry in the
/// caller's transaction, each with its change for sync. Everything is known here, so the
/// row is written once, already derived, and indexed from memory rather than re-read.
pub(crate) fn create_case(
    w: &mut Writer<'_>,
    cache: &mut WriteCache,
    c: Creation<'_>,
) -> Result<()> {
    let tx = w.tx;
    let hlc = w.stamp();
    let at = Utc::now().timestamp();
    let mut events = vec![("created", c.created)];
    if let Some(s) = c.imported_status
        && s != Status::Received
    {
        events.push(("imported", json!({ "status": s })));
    }
    let stored: Vec<StoredEvent> = events
        .iter()
        .map(|(kind, data)| StoredEvent {
            kind: (*kind).to_owned(),
            data: data.clone(),
            at_utc: at,
        })
        .collect();
    let facts = CaseFacts {
        kind: c.new.kind,
        urgency: c.new.urgency,
        channel: c.new.channel,
        received_utc: c.received.timestamp(),
        has_reporter: c.new.reporter.is_some(),
    };
    let derived = derive(tx, cache, &stored, &facts, c.station, false)?;
    let received_at = c.received.to_rfc3339();
    let columns = CaseColumns::of_new(
        c.new,
        c.station,
        c.register_no,
        &received_at,
        c.received.timestamp(),
    );
    let rid = insert_case_row(tx, c.id, &columns, &hlc.to_string(), Some(&derived))?;
    if w.queues() {
        let fields = case_fields(c.new, c.station, c.register_no, &c.received);
        w.emit(
            EntityKind::Case,
            c.id,
            c.station,
            Op::Upsert,
            fields,
            hlc,
            false,
        )?;
    }
    if let Some(r) = &c.new.reporter {
        insert_reporter(w, c.id, c.station, r)?;
    }
    // Ids first, so that a guardian listed before their minor can point at them.
    let ids: Vec<Uuid> = c.new.persons.iter().map(|_| Uuid::now_v7()).collect();
    for (p, id) in c.new.persons.iter().zip(&ids) {
        match p.guardian_of_index.and_then(|i| ids.get(i)) {
            Some(minor) => {
                let linked = NewPerson {
                    guardian_of: Some(*minor),
                    guardian_of_index: None,
                    ..p.clone()
                };
                insert_person_as(w, *id, c.id, c.station, &linked)?;
            }
            None => insert_person_as(w, *id, c.id, c.station, p)?,
        }
    }
    for (kind, data) in events {
        append_event_at(w, c.id, c.station, c.author_name, kind, data, at)?;
    }
    let mut folded = match c.folded {
        Some(f) => f,
        None => fold(&search_text(c.new, c.register_no)),
    };
    if let Some(code) = &c.new.location.commune
        && let Some(name) = cache.commune_name(tx, code)?
    {
        folded.push(' ');
        folded.push_str(&fold(&name));
    }
    let body = fts_body(
        folded,
        &FtsFilters {
            status: derived.status.as_str(),
            category: &c.new.category,
            channel: c.new.channel.as_str(),
            kind: c.new.kind.as_str(),
            station: c.station,
            received_utc: c.received.timestamp(),
            assignee: derived.assignee.as_deref(),
        },
    );
    search_index::insert_entry(tx, rid, &body)
}

/// Appends an event to a case, inside the caller's write.
pub(crate) fn append_event(
    w: &mut Writer<'_>,
    case_id: Uuid,
    station: &str,
    author_name: &str,
    kind: &str,
    data: Value,
) -> Result<Uuid> {
    append_event_at(
        w,
        case_id,
        station,
        author_name,
        kind,
        data,
        Utc::now().timestamp(),
    )
}

// Each argument is one part of an event record.
#[allow(clippy::too_many_arguments)]
fn append_event_at(
    w: &mut Writer<'_>,
    case_id: Uuid,
    station: &str,
    author_name: &str,
    kind: &str,
    data: Value,
    at: i64,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let hlc = w.stamp();
    w.tx.prepare_cached(
        "INSERT INTO events(id, case_id, type, data, author, author_name, device, at_utc, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id.to_string(), case_id.to_string(), kind, serde_json::to_string(&data)?, w.user.to_string(), author_name, w.device.to_string(), at, hlc.to_string()])?;
    if !w.queues() {
        return Ok(id);
    }
    let mut f = BTreeMap::new();
    f.insert("case_id".into(), json!(case_id.to_string()));
    f.insert("type".into(), json!(kind));
    f.insert("data".into(), data);
    f.insert("author_name".into(), json!(author_name));
    f.insert("at_utc".into(), json!(at));
    w.emit(EntityKind::Event, id, station, Op::Insert, f, hlc, false)?;
    Ok(id)
}

pub(crate) fn insert_person(
    w: &mut Writer<'_>,
    case_id: Uuid,
    station: &str,
    p: &NewPerson,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    insert_person_as(w, id, case_id, station, p)?;
    Ok(id)
}

fn insert_person_as(
    w: &mut Writer<'_>,
    id: Uuid,
    case_id: Uuid,
    station: &str,
    p: &NewPerson,
) -> Result<()> {
    let hlc = w.stamp();
    w.tx.prepare_cached(
        "INSERT INTO persons(id, case_id, role, name, birth_year, id_number, phone, address, birth_date, guardian_of, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![id.to_string(), case_id.to_string(), p.role.as_str(), p.name.trim(), p.birth_year, p.id_number, p.phone, p.address, p.birth_date, p.guardian_of.map(|g| g.to_string()), hlc.to_string()])?;
    if !w.queues() {
        return Ok(());
    }
    let mut f = BTreeMap::new();
    f.insert("case_id".into(), json!(case_id.to_string()));
    f.insert("role".into(), json!(p.role));
    f.insert("name".into(), json!(p.name.trim()));
    f.insert("birth_year".into(), json!(p.birth_year));
    f.insert("id_number".into(), json!(p.id_number));
    f.insert("phone".into(), json!(p.phone));
    f.insert("address".into(), json!(p.address));
    f.insert("birth_date".into(), json!(p.birth_date));
    f.insert(
        "guardian_of".into(),
        json!(p.guardian_of.map(|g| g.to_string())),
    );
    w.emit(EntityKind::Person, id, station, Op::Upsert, f, hlc, false)?;
    Ok(())
}

pub(crate) fn insert_reporter(
    w: &mut Writer<'_>,
    case_id: Uuid,
    station: &str,
    r: &Reporter,
) -> Result<()> {
    let hlc = w.stamp();
    // A plain INSERT: the reporter is written once, with its case. (INSERT OR REPLACE here cost
    // ~100 µs a row under foreign-key enforcement, most of an import's time.)
    w.tx.prepare_cached("INSERT INTO reporters(case_id, name, phone, address, id_number, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![case_id.to_string(), r.name, r.phone, r.address, r.id_number, hlc.to_string()])?;
    if !w.queues() {
        return Ok(());
    }
    let mut f = BTreeMap::new();
    f.insert("name".into(), json!(r.name));
    f.insert("phone".into(), json!(r.phone));
    f.insert("address".into(), json!(r.address));
    f.insert("id_number".into(), json!(r.id_number));
    // The reporter travels under the case's id: one reporter per case.
    w.emit(
        EntityKind::Reporter,
        case_id,
        station,
        Op::Upsert,
        f,
        hlc,
        false,
    )?;
    Ok(())
}

fn normalise(c: &mut NewCase) {
    c.summary = c.summary.trim().to_owned();
    c.description = c.description.trim().to_owned();
    c.channel_ref = clean_opt(c.channel_ref.as_deref());
    c.occurred = clean_opt(c.occurred.as_deref());
    c.location.hamlet = clean_opt(c.location.hamlet.as_deref());
    c.location.address = clean_opt(c.location.address.as_deref());
    c.location.commune = clean_opt(c.location.commune.as_deref());
    if let Some(r) = &mut c.reporter {
        r.name = clean_opt(r.name.as_deref());
        r.phone = clean_opt(r.phone.as_deref());
        r.address = clean_opt(r.address.as_deref());
        r.id_number = clean_opt(r.id_number.as_deref());
    }
    if c.reporter.as_ref().is_some_and(|r| {
        r.name.is_none() && r.phone.is_none() && r.address.is_none() && r.id_number.is_none()
    }) {
        c.reporter = None;
    }
    c.receipt.place = clean_opt(c.receipt.place.as_deref());
    c.receipt.handed_over = c
        .receipt
        .handed_over
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
}

impl Store {
    pub(crate) fn actor_station(&self, actor: &Actor) -> Result<String> {
        match (&self.scope, &actor.station) {
            (Scope::Station(s), Some(a)) if s == a => Ok(s.clone()),
            (Scope::Station(s), None) if actor.role == Role::Admin => Ok(s.clone()),
            _ => Err(Error::forbidden("tiếp nhận tin báo cho đơn vị này")),
        }
    }

    /// May this actor read cases of `station`?
    pub(crate) fn can_read(&self, actor: &Actor, station: &str) -> Result<bool> {
        Ok(match actor.role {
            Role::Officer | Role::Chief => actor.station.as_deref() == Some(station),
            Role::Supervisor => {
                let prov = self.admin_commune(station)?.map(|c| c.province);
                prov.is_some() && prov == actor.province
            }
            Role::Admin => self.in_scope(station)?,
        })
    }

    /// Registers a new report: allocates its register number and starts its deadline, offline.
    pub fn intake(&mut self, actor: &Actor, mut new: NewCase) -> Result<CaseDetail> {
        if !matches!(actor.role, Role::Officer | Role::Chief | Role::Admin) {
            return Err(Error::forbidden("tiếp nhận tin báo"));
        }
        let station = self.actor_station(actor)?;
        normalise(&mut new);
        let now = Utc::now();
        for p in &mut new.persons {
            sanctions::normalise_birth(p, sanctions::today())?;
        }
        let mut cache = WriteCache::default();
        let received = validate_case(&self.conn, &mut cache, &new, now)?;
        let (slot, slots) = self.numbering()?;
        let scheme = Numbering {
            slot: u32::try_from(slot).unwrap_or(1),
            slots: u32::try_from(slots).unwrap_or(1),
        };
        let leases = self.numbers_leased()?;
        let id = Uuid::now_v7();
        let tx = self.conn.transaction()?;
        let year = received.year();
        let (seq, fallback) = numbers::take_number(&tx, &station, year, scheme, leases, id)?;
        let register_no = format!("{seq}/{year}");
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        create_case(
            &mut w,
            &mut cache,
            Creation {
                id,
                new: &new,
                station: &station,
                register_no: &register_no,
                received,
                author_name: &actor.full_name,
                created: {
                    let mut c = json!({
                        "register_no": register_no,
                        "anonymous": new.reporter.is_none(),
                        "received_utc": received.timestamp(),
                        "receipt": receipt_json(&new.receipt),
                    });
                    // The journal says when the number was taken outside a lease (offline,
                    // out of leased numbers), so the case itself explains the jump.
                    if fallback {
                        c["number_outside_lease"] = json!(true);
                    }
                    c
                },
                imported_status: None,
                folded: None,
            },
        )?;
        w.finish()?;
        tx.commit()?;
        self.case_detail(actor, id)
    }

    /// This device's numbering slot: (slot, number of slots).
    pub fn numbering(&self) -> Result<(i64, i64)> {
        let slot = self
            .meta("numbering_slot")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let slots = self
            .meta("numbering_slots")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        Ok((slot, slots))
    }

    /// Set at enrolment: the server gives each intake device of a station its own slot.
    pub fn set_numbering(&mut self, slot: i64, slots: i64) -> Result<()> {
        if slots < 1 || slot < 1 || slot > slots {
            return Err(Error::invalid("Cấu hình đánh số thụ lý không hợp lệ."));
        }
        self.set_meta("numbering_slot", &slot.to_string())?;
        self.set_meta("numbering_slots", &slots.to_string())
    }

    fn load_row(&self, id: Uuid) -> Result<CaseRow> {
        let now = Utc::now().timestamp();
        self.conn
            .prepare_cached(&format!("SELECT {ROW_COLS} FROM cases c WHERE c.id = ?1"))?
            .query_row([id.to_string()], |r| row_from(r, now))
            .optional()?
            .ok_or_else(|| Error::not_found("vụ việc"))
    }

    /// The whole case for its screen; never the reporter's identity.
    pub fn case_detail(&self, actor: &Actor, id: Uuid) -> Result<CaseDetail> {
        let row = self.load_row(id)?;
        if !self.can_read(actor, &row.station)? {
            return Err(Error::forbidden("xem vụ việc của đơn vị khác"));
        }
        let sid = id.to_string();
        struct Cols {
            channel_ref: Option<String>,
            description: String,
            location: Location,
            occurred: Option<String>,
            outcome: Option<String>,
            duplicate_of: Option<String>,
            review: Option<String>,
            rule: Option<String>,
        }
        let Cols { channel_ref, description, location, occurred, outcome, duplicate_of, review, rule } = self.conn.prepare_cached(
            "SELECT channel_ref, description, commune, hamlet, address, lat, lon, occurred, outcome, duplicate_of, review, deadline_rule
             FROM cases WHERE id = ?1",
        )?.query_row(
            [&sid],
            |r| {
                Ok(Cols {
                    channel_ref: r.get(0)?,
                    description: r.get(1)?,
                    location: Location { commune: r.get(2)?, hamlet: r.get(3)?, address: r.get(4)?, lat: r.get(5)?, lon: r.get(6)? },
                    occurred: r.get(7)?,
                    outcome: r.get(8)?,
                    duplicate_of: r.get(9)?,
                    review: r.get(10)?,
                    rule: r.get(11)?,
                })
            },
        )?;
        let mut st = self.conn.prepare_cached(
            "SELECT id, type, data, author, author_name, at_utc FROM events WHERE case_id = ?1 ORDER BY hlc, id",
        )?;
        let events = st
            .query_map([&sid], |r| {
                Ok(Event {
                    id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                    kind: r.get(1)?,
                    data: serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or(Value::Null),
                    author: r.get::<_, String>(3)?.parse().unwrap_or_default(),
                    author_name: r.get(4)?,
                    at: vn_time(r.get(5)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        // Ages are taken at the date of the violation, which the journal and the case say.
        let violation =
            sanctions::case_violation_date(&self.conn, &sid, &load_events(&self.conn, &sid)?)?;
        let persons = sanctions::load_persons(&self.conn, &sid)?
            .into_iter()
            .map(|(pid, p)| sanctions::person_view(p, pid, violation))
            .collect();
        let mut st = self.conn.prepare_cached(
            "SELECT id, sha256, file_name, mime, size, added_utc FROM attachments WHERE case_id = ?1 ORDER BY hlc",
        )?;
        let attachments = st
            .query_map([&sid], |r| {
                Ok(Attachment {
                    id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
                    sha256: r.get(1)?,
                    file_name: r.get(2)?,
                    mime: r.get(3)?,
                    size: r.get(4)?,
                    added_at: vn_time(r.get(5)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let has_reporter: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM reporters WHERE case_id = ?1)",
            [&sid],
            |r| r.get(0),
        )?;
        let basis = match &rule {
            Some(code) => deadlines::load_rule(&self.conn, code)?.map(|r| r.basis),
            None => None,
        };
        let receipt = self.receipt_record(&row, &events)?;
        let clocks = match case_facts(&self.conn, &sid)? {
            Some((facts, station)) => WriteCache::default().clocks(
                &self.conn,
                &facts,
                &station,
                &load_events(&self.conn, &sid)?,
            )?,
            None => Vec::new(),
        };
        Ok(CaseDetail {
            can_reveal: self.may_reveal(actor, &row),
            channel_ref,
            description,
            location,
            occurred,
            has_reporter,
            persons,
            events,
            attachments,
            outcome: outcome.and_then(|o| serde_json::from_str(&o).ok()),
            duplicate_of: duplicate_of.and_then(|s| s.parse().ok()),
            review,
            deadline_rule: rule,
            deadline_basis: basis,
            receipt,
            clocks,
            row,
        })
    }

    /// The receipt record from the `created` event: its author received the report.
    fn receipt_record(&self, row: &CaseRow, events: &[Event]) -> Result<ReceiptRecord> {
        let created = events.iter().find(|e| e.kind == "created");
        let facts = created.and_then(|e| e.data.get("receipt"));
        let text = |k: &str| {
            facts
                .and_then(|f| f.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let (officer_rank, officer_role) = match created {
            Some(e) => self
                .conn
                .prepare_cached("SELECT rank, role FROM users WHERE id = ?1")?
                .query_row([e.author.to_string()], |r| {
                    Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?
                .map(|(rank, role)| (rank, Role::parse(&role)))
                .unwrap_or((None, None)),
            None => (None, None),
        };
        let finished_at = facts
            .and_then(|f| f.get("finished_utc"))
            .and_then(Value::as_i64)
            .map(vn_time)
            .unwrap_or(row.received_at);
        Ok(ReceiptRecord {
            officer_name: created.map(|e| e.author_name.clone()).unwrap_or_default(),
            officer_rank,
            officer_role,
            place: text("place"),
            started_at: row.received_at,
            finished_at,
            handed_over: facts
                .and_then(|f| f.get("handed_over"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn may_reveal(&self, actor: &Actor, row: &CaseRow) -> bool {
        match actor.role {
            Role::Chief | Role::Supervisor => true,
            Role::Officer => row.assignee == Some(actor.user_id),
            Role::Admin => false,
        }
    }

    /// Shows the confidential reporter to an authorised user, and records that it was shown.
    pub fn reveal_reporter(&mut self, actor: &Actor, id: Uuid) -> Result<Option<Reporter>> {
        let row = self.load_row(id)?;
        if !self.can_read(actor, &row.station)? || !self.may_reveal(actor, &row) {
            return Err(Error::forbidden(
                "xem danh tính người báo tin (chỉ cán bộ được phân công, lãnh đạo và cán bộ kiểm tra)",
            ));
        }
        let r = self
            .conn
            .query_row(
                "SELECT name, phone, address, id_number FROM reporters WHERE case_id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Reporter {
                        name: r.get(0)?,
                        phone: r.get(1)?,
                        address: r.get(2)?,
                        id_number: r.get(3)?,
                    })
                },
            )
            .optional()?;
        // Filed under the case's station, so a reveal on a supervisor's laptop reaches the
        // province's audit trail like one made at the station.
        let tx = self.conn.transaction()?;
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &Scope::Station(row.station.clone()),
            "reporter_revealed",
            Some(&format!("{} ({})", row.register_no, id)),
            None,
        )?;
        tx.commit()?;
        Ok(r)
    }

    /// Takes a workflow action: checked against the actor and the case's state, then recorded.
    pub fn act(&mut self, actor: &Actor, id: Uuid, action: Action) -> Result<CaseDetail> {
        let row = self.load_row(id)?;
        if !self.can_read(actor, &row.station)? {
            return Err(Error::forbidden("thao tác trên vụ việc của đơn vị khác"));
        }
        let sid = id.to_string();
        let events = load_events(&self.conn, &sid)?;
        let current = workflow::fold(&events);
        let action = sanctions::complete_outcome(action, &events)?;
        let (kind, mut data) = workflow::check(actor, &current, &action)?;
        match &action {
            Action::Sanction { .. } => {
                let extra = sanctions::check_sanction(
                    &self.conn,
                    &sid,
                    &events,
                    &action,
                    sanctions::today(),
                )?;
                if let (Some(d), Value::Object(x)) = (data.as_object_mut(), extra) {
                    d.extend(x);
                }
            }
            Action::Assign { user } => {
                let u = self
                    .user(*user)?
                    .ok_or_else(|| Error::not_found("cán bộ được phân công"))?;
                if !u.active || u.station.as_deref() != Some(row.station.as_str()) {
                    return Err(Error::invalid(
                        "Chỉ phân công cho cán bộ đang hoạt động của đơn vị.",
                    ));
                }
            }
            Action::Merge { into } => {
                if *into == id {
                    return Err(Error::invalid("Không thể gộp vụ việc vào chính nó."));
                }
                let target = self.load_row(*into)?;
                if target.station != row.station {
                    return Err(Error::invalid("Chỉ gộp được vụ việc cùng đơn vị."));
                }
                if target.status == Status::Duplicate {
                    return Err(Error::invalid(
                        "Vụ việc đích đã được gộp vào vụ khác; hãy gộp vào vụ việc gốc.",
                    ));
                }
            }
            Action::AssignInvestigator { user } => {
                let u = self
                    .user(*user)?
                    .ok_or_else(|| Error::not_found("Điều tra viên được phân công"))?;
                if !u.active || u.station.as_deref() != Some(row.station.as_str()) {
                    return Err(Error::invalid(
                        "Chỉ phân công cán bộ đang hoạt động của đơn vị.",
                    ));
                }
                if !self.is_investigator(*user)? {
                    return Err(Error::invalid(format!(
                        "{} chưa được ghi nhận là Điều tra viên ở Công an xã (Luật 99/2025/QH15).",
                        u.full_name
                    )));
                }
            }
            // A commune-kept case's decisions and extensions are the commune investigator's.
            Action::ProsecutionDecision { .. } | Action::ExtendResolution { .. }
                if current.status != Some(Status::Transferred)
                    && !self.is_investigator(actor.user_id)? =>
            {
                return Err(Error::forbidden(
                    "ra quyết định hoặc gia hạn giải quyết nguồn tin (chỉ Điều tra viên ở Công an xã được ghi nhận)",
                ));
            }
            Action::RecordViolation { persons, .. } => {
                for p in persons {
                    let here: bool = self.conn.query_row(
                        "SELECT EXISTS(SELECT 1 FROM persons WHERE id = ?1 AND case_id = ?2)",
                        params![p.to_string(), sid],
                        |r| r.get(0),
                    )?;
                    if !here {
                        return Err(Error::invalid(
                            "Người vi phạm trong biên bản phải là người liên quan của vụ việc.",
                        ));
                    }
                }
            }
            Action::Classify {
                category: Some(c), ..
            } => {
                let ok: bool = self.conn.query_row(
                    "SELECT EXISTS(SELECT 1 FROM categories WHERE code = ?1 AND active = 1)",
                    [c],
                    |r| r.get(0),
                )?;
                if !ok {
                    return Err(Error::invalid(format!(
                        "Loại vụ việc “{c}” không có trong danh mục."
                    )));
                }
            }
            _ => {}
        }
        let tx = self.conn.transaction()?;
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        if let Action::Classify {
            kind: k,
            category,
            urgency,
            ..
        } = &action
        {
            let mut f = BTreeMap::new();
            if let Some(k) = k {
                f.insert("kind".to_owned(), json!(k));
            }
            if let Some(c) = category {
                f.insert("category".to_owned(), json!(c));
            }
            if let Some(u) = urgency {
                f.insert("urgency".to_owned(), json!(u));
            }
            if !f.is_empty() {
                let hlc = w.stamp();
                write_case_fields(&tx, id, &f)?;
                reindex(&tx, &sid)?;
                w.emit(EntityKind::Case, id, &row.station, Op::Upsert, f, hlc, true)?;
            }
        }
        append_event(&mut w, id, &row.station, &actor.full_name, &kind, data)?;
        if matches!(action, Action::ResolveConflict { .. }) {
            tx.execute(
                "UPDATE conflicts SET resolved = 1 WHERE case_id = ?1",
                [&sid],
            )?;
        }
        w.finish()?;
        reproject(&tx, &sid)?;
        reindex(&tx, &sid)?;
        tx.commit()?;
        self.case_detail(actor, id)
    }

    /// Whether the user is flagged as a commune investigator (Law 99/2025).
    pub(crate) fn is_investigator(&self, user: Uuid) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT investigator FROM users WHERE id = ?1",
                [user.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    pub fn add_person(
        &mut self,
        actor: &Actor,
        case_id: Uuid,
        mut p: NewPerson,
    ) -> Result<CaseDetail> {
        let row = self.load_row(case_id)?;
        if !matches!(actor.role, Role::Officer | Role::Chief)
            || !self.can_read(actor, &row.station)?
        {
            return Err(Error::forbidden("thêm người liên quan"));
        }
        sanctions::normalise_birth(&mut p, sanctions::today())?;
        validate_person(&p, Utc::now().year())?;
        sanctions::check_guardian_link(
            &p,
            &sanctions::load_persons(&self.conn, &case_id.to_string())?,
        )?;
        let tx = self.conn.transaction()?;
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        insert_person(&mut w, case_id, &row.station, &p)?;
        append_event(
            &mut w,
            case_id,
            &row.station,
            &actor.full_name,
            "person_added",
            json!({ "role": p.role, "name": p.name.trim() }),
        )?;
        w.finish()?;
        reindex(&tx, &case_id.to_string())?;
        tx.commit()?;
        self.case_detail(actor, case_id)
    }

    /// Stores an attachment once by content hash, inside the encrypted database.
    pub fn add_attachment(
        &mut self,
        actor: &Actor,
        case_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<CaseDetail> {
        let row = self.load_row(case_id)?;
        if !matches!(actor.role, Role::Officer | Role::Chief)
            || !self.can_read(actor, &row.station)?
        {
            return Err(Error::forbidden("thêm tệp đính kèm"));
        }
        if bytes.is_empty() {
            return Err(Error::invalid("Tệp rỗng."));
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Error::invalid(format!(
                "Tệp quá lớn (tối đa {} MB).",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            )));
        }
        let mime = sniff_mime(bytes).ok_or_else(|| {
            Error::invalid("Loại tệp không được hỗ trợ. Chỉ nhận ảnh (PNG, JPEG, GIF, WebP), video MP4 hoặc tài liệu PDF.")
        })?;
        let name: String = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("tep")
            .chars()
            .take(200)
            .collect();
        let sha = hex::encode(Sha256::digest(bytes));
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?1, ?2, ?3)",
            params![sha, bytes.len() as i64, bytes],
        )?;
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        let id = Uuid::now_v7();
        let hlc = w.stamp();
        let at = Utc::now().timestamp();
        tx.execute(
            "INSERT INTO attachments(id, case_id, sha256, file_name, mime, size, added_by, added_utc, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id.to_string(), case_id.to_string(), sha, name, mime, bytes.len() as i64, actor.user_id.to_string(), at, hlc.to_string()],
        )?;
        let mut f = BTreeMap::new();
        f.insert("case_id".into(), json!(case_id.to_string()));
        f.insert("sha256".into(), json!(sha));
        f.insert("file_name".into(), json!(name));
        f.insert("mime".into(), json!(mime));
        f.insert("size".into(), json!(bytes.len()));
        f.insert("added_utc".into(), json!(at));
        w.emit(
            EntityKind::Attachment,
            id,
            &row.station,
            Op::Insert,
            f,
            hlc,
            false,
        )?;
        append_event(
            &mut w,
            case_id,
            &row.station,
            &actor.full_name,
            "attachment_added",
            json!({ "file_name": name, "sha256": sha }),
        )?;
        w.finish()?;
        tx.commit()?;
        self.case_detail(actor, case_id)
    }

    /// An attachment's bytes, for previews and sync.
    pub fn attachment_bytes(&self, actor: &Actor, sha256: &str) -> Result<(String, Vec<u8>)> {
        let (station, mime): (String, String) = self
            .conn
            .query_row(
                "SELECT c.station, a.mime FROM attachments a JOIN cases c ON c.id = a.case_id WHERE a.sha256 = ?1 LIMIT 1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::not_found("tệp đính kèm"))?;
        if !self.can_read(actor, &station)? {
            return Err(Error::forbidden("xem tệp đính kèm của đơn vị khác"));
        }
        let data: Vec<u8> = self
            .conn
            .query_row("SELECT data FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::not_found("nội dung tệp đính kèm (chưa đồng bộ về máy này)"))?;
        Ok((mime, data))
    }

    pub fn categories(&self) -> Result<Vec<(String, String, String)>> {
        let mut st = self.conn.prepare(
            "SELECT code, label_vi, label_en FROM categories WHERE active = 1 ORDER BY sort, code",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Each category's legal group on the upward report (the province's, or the shipped
    /// default), inactive categories too: old cases still count in theirs.
    pub fn category_groups(&self) -> Result<Vec<(String, LegalGroup)>> {
        let mut st = self
            .conn
            .prepare("SELECT code, legal_group FROM categories ORDER BY sort, code")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (code, group) = r?;
            out.push((code, LegalGroup::parse(&group).unwrap_or(LegalGroup::Other)));
        }
        Ok(out)
    }
}

/// The code of a category in `categories` (as `Store::categories` lists them) given its code or
/// either label, ignoring case and diacritics: Excel registers and people write labels.
pub fn category_code(categories: &[(String, String, String)], value: &str) -> Option<String> {
    let f = crate::text::fold(value.trim());
    categories
        .iter()
        .find(|(c, vi, en)| c == value || crate::text::fold(vi) == f || crate::text::fold(en) == f)
        .map(|(c, _, _)| c.clone())
}

/// Recognises the accepted file types from their first bytes, not their names.
pub fn sniff_mime(b: &[u8]) -> Option<&'static str> {
    match b {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => Some("image/webp"),
        [b'%', b'P', b'D', b'F', ..] => Some("application/pdf"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("video/mp4"),
        _ => None,
    }
}
