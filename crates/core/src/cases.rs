//! The register: intake with offline numbering, case reads, persons, the confidential
//! reporter, attachments, and workflow actions.
use crate::audit::{vn_offset, vn_time};
use crate::deadlines::{self, DUE_SOON_SECS};
use crate::error::{Error, Result};
use crate::model::*;
use crate::store::{Store, Writer};
use crate::text::{clean_opt, fold};
use crate::workflow::{self, StoredEvent};
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tinbao_sync::{EntityKind, Op};
use uuid::Uuid;

pub const MAX_SUMMARY: usize = 300;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_SHORT: usize = 500;
pub const MAX_ATTACHMENT_BYTES: usize = 50 * 1024 * 1024;
/// Reports from before this year are not plausible in this register.
pub const EARLIEST_YEAR: i32 = 2000;

pub(crate) const ROW_COLS: &str = "c.id, c.station, c.register_no, c.received_at, c.channel, c.kind, c.category, c.urgency, \
     c.summary, c.hamlet, c.status, c.assignee, (SELECT full_name FROM users u WHERE u.id = c.assignee), c.deadline_utc, c.conflict, c.review";

pub(crate) fn row_from(r: &Row<'_>, now: i64) -> rusqlite::Result<CaseRow> {
    let received: String = r.get(3)?;
    let deadline: Option<i64> = r.get(13)?;
    let status = Status::parse(&r.get::<_, String>(10)?).unwrap_or(Status::Received);
    let open = status.is_open();
    Ok(CaseRow {
        id: r.get::<_, String>(0)?.parse().unwrap_or_default(),
        station: r.get(1)?,
        register_no: r.get(2)?,
        received_at: DateTime::parse_from_rfc3339(&received).unwrap_or_default(),
        channel: Channel::parse(&r.get::<_, String>(4)?).unwrap_or(Channel::WalkIn),
        kind: Kind::parse(&r.get::<_, String>(5)?).unwrap_or(Kind::PhanAnh),
        category: r.get(6)?,
        urgency: Urgency::parse(&r.get::<_, String>(7)?).unwrap_or(Urgency::Normal),
        summary: r.get(8)?,
        hamlet: r.get(9)?,
        status,
        assignee: r.get::<_, Option<String>>(11)?.and_then(|s| s.parse().ok()),
        assignee_name: r.get(12)?,
        deadline,
        overdue: open && deadline.is_some_and(|d| d < now),
        due_soon: open && deadline.is_some_and(|d| d >= now && d < now + DUE_SOON_SECS),
        conflict: r.get(14)?,
        review: r.get(15)?,
    })
}

pub(crate) fn person_view(p: NewPerson, id: Uuid, case_year: i32) -> Person {
    let age = p.birth_year.map(|b| case_year - b);
    let minor = age.and_then(|a| match a {
        a if a < 14 => Some(MinorBand::Under14),
        14..=15 => Some(MinorBand::From14To16),
        16..=17 => Some(MinorBand::From16To18),
        _ => None,
    });
    Person {
        id,
        role: p.role,
        name: p.name,
        birth_year: p.birth_year,
        id_number: p.id_number,
        phone: p.phone,
        address: p.address,
        age_at_case: age,
        minor,
    }
}

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
    if let Some(r) = &c.reporter {
        for s in [&r.name, &r.phone, &r.address, &r.id_number]
            .into_iter()
            .flatten()
        {
            too_long(s, MAX_SHORT, "Thông tin người báo tin")?;
        }
    }
    Ok(received)
}

/// The next register number this device may give for `station` and `year`. Each device of a
/// station has a slot `s` of `n` (set at enrolment; 1 of 1 for a lone station PC) and only
/// gives numbers ≡ s (mod n), so two devices registering offline never collide; each takes the
/// smallest such number above every number it knows, so the register stays nearly dense.
pub(crate) fn next_seq(
    tx: &Connection,
    station: &str,
    year: i32,
    slot: i64,
    slots: i64,
) -> Result<i64> {
    let max: i64 = tx
        .prepare_cached(
            "SELECT COALESCE(MAX(reg_seq), 0) FROM cases WHERE station = ?1 AND reg_year = ?2",
        )?
        .query_row(params![station, year], |r| r.get(0))?;
    let slots = slots.max(1);
    let residue = slot.rem_euclid(slots);
    let mut next = max + 1;
    next += (residue - next.rem_euclid(slots)).rem_euclid(slots);
    Ok(next)
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

/// A case row's synced columns as written at creation.
pub(crate) struct CaseColumns<'a> {
    pub station: &'a str,
    pub register_no: &'a str,
    pub received_at: &'a str,
    pub received_utc: i64,
    pub channel: Option<&'a str>,
    pub channel_ref: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub category: Option<&'a str>,
    pub urgency: Option<&'a str>,
    pub summary: &'a str,
    pub description: &'a str,
    pub commune: Option<&'a str>,
    pub hamlet: Option<&'a str>,
    pub address: Option<&'a str>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub occurred: Option<&'a str>,
}

impl<'a> CaseColumns<'a> {
    /// A new case registered here; `received_at` is its RFC 3339 text.
    pub fn of_new(
        c: &'a NewCase,
        station: &'a str,
        register_no: &'a str,
        received_at: &'a str,
        received_utc: i64,
    ) -> Self {
        CaseColumns {
            station,
            register_no,
            received_at,
            received_utc,
            channel: Some(c.channel.as_str()),
            channel_ref: c.channel_ref.as_deref(),
            kind: Some(c.kind.as_str()),
            category: Some(&c.category),
            urgency: Some(c.urgency.as_str()),
            summary: &c.summary,
            description: &c.description,
            commune: c.location.commune.as_deref(),
            hamlet: c.location.hamlet.as_deref(),
            address: c.location.address.as_deref(),
            lat: c.location.lat,
            lon: c.location.lon,
            occurred: c.occurred.as_deref(),
        }
    }

    /// A case from another device's change (`case_fields` on its side).
    pub fn of_fields(f: &'a BTreeMap<String, Value>) -> Result<Self> {
        let s = |k: &str| f.get(k).and_then(Value::as_str);
        let n = |k: &str| f.get(k).and_then(Value::as_f64);
        let received_at =
            s("received_at").ok_or_else(|| Error::invalid("thiếu thời điểm tiếp nhận"))?;
        Ok(CaseColumns {
            station: s("station").ok_or_else(|| Error::invalid("thiếu đơn vị"))?,
            register_no: s("register_no").ok_or_else(|| Error::invalid("thiếu số thụ lý"))?,
            received_at,
            received_utc: DateTime::parse_from_rfc3339(received_at)
                .map_err(|_| Error::invalid("thời điểm tiếp nhận sai định dạng"))?
                .timestamp(),
            channel: s("channel"),
            channel_ref: s("channel_ref"),
            kind: s("kind"),
            category: s("category"),
            urgency: s("urgency"),
            summary: s("summary").unwrap_or_default(),
            description: s("description").unwrap_or_default(),
            commune: s("commune"),
            hamlet: s("hamlet"),
            address: s("address"),
            lat: n("lat"),
            lon: n("lon"),
            occurred: s("occurred"),
        })
    }
}

/// Writes a case row (creation here or from another device).
pub(crate) fn insert_case_row(
    tx: &Connection,
    id: Uuid,
    c: &CaseColumns<'_>,
    hlc: &str,
    derived: Option<&Derived>,
) -> Result<i64> {
    let (seq, year) = parse_register_no(c.register_no)?;
    tx.prepare_cached(
        "INSERT INTO cases(id, station, register_no, reg_year, reg_seq, received_at, received_utc, channel, channel_ref,
           kind, category, urgency, summary, description, commune, hamlet, address, lat, lon, occurred, hlc,
           status, assignee, outcome, outcome_utc, duplicate_of, review, deadline_utc, deadline_rule, conflict)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
           ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
    )?
    .execute(params![
        id.to_string(), c.station, c.register_no, year, seq, c.received_at, c.received_utc, c.channel, c.channel_ref,
        c.kind, c.category, c.urgency, c.summary, c.description,
        c.commune, c.hamlet, c.address, c.lat, c.lon, c.occurred, hlc,
        derived.map_or(Status::Received.as_str(), |d| d.status.as_str()), derived.and_then(|d| d.assignee.as_deref()),
        derived.and_then(|d| d.outcome.as_deref()), derived.and_then(|d| d.outcome_utc),
        derived.and_then(|d| d.duplicate_of.as_deref()), derived.and_then(|d| d.review.as_deref()),
        derived.and_then(|d| d.deadline_utc), derived.and_then(|d| d.deadline_rule.as_deref()),
        derived.is_some_and(|d| d.conflict)
    ])?;
    Ok(tx.last_insert_rowid())
}

pub fn parse_register_no(s: &str) -> Result<(i64, i32)> {
    let bad = || {
        Error::invalid(format!(
            "Số thụ lý “{s}” không đúng dạng số/năm (ví dụ 12/2025)."
        ))
    };
    let (a, b) = s.trim().split_once('/').ok_or_else(bad)?;
    let seq: i64 = a.trim().parse().map_err(|_| bad())?;
    let year: i32 = b.trim().parse().map_err(|_| bad())?;
    if seq < 1 {
        return Err(bad());
    }
    if year < EARLIEST_YEAR {
        return Err(Error::invalid(format!(
            "Số thụ lý “{s}” thuộc năm {year}: sổ chỉ nhận hồ sơ từ năm {EARLIEST_YEAR}."
        )));
    }
    if year > 2200 {
        return Err(Error::invalid(format!(
            "Số thụ lý “{s}”: năm {year} không hợp lệ."
        )));
    }
    Ok((seq, year))
}

/// Rebuilds the case's index entry from its row and persons (a new case is indexed from
/// memory by `create_case`).
///
/// Besides the folded text, the entry holds one token per filterable value (see
/// `filter_token`), so that a search with filters is an intersection inside the index rather
/// than a scan of every text match.
pub(crate) fn reindex(tx: &Connection, case_id: &str) -> Result<()> {
    let entry = tx
        .prepare_cached(&format!("{INDEX_SOURCE} WHERE c.id = ?1"))?
        .query_row([case_id], index_entry)
        .optional()?;
    if let Some((rid, body)) = entry {
        tx.prepare_cached("DELETE FROM case_fts WHERE rowid = ?1")?
            .execute([rid])?;
        tx.prepare_cached("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?
            .execute(params![rid, body])?;
    }
    Ok(())
}

/// Fills an empty search index from every case (a migration that changes how it is built).
pub(crate) fn rebuild_index(tx: &Connection) -> rusqlite::Result<()> {
    let mut read = tx.prepare(INDEX_SOURCE)?;
    let mut write = tx.prepare("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?;
    let mut rows = read.query([])?;
    while let Some(r) = rows.next()? {
        let (rid, body) = index_entry(r)?;
        write.execute(params![rid, body])?;
    }
    Ok(())
}

/// A case's row and persons as the text and filters of its index entry.
const INDEX_SOURCE: &str = "SELECT c.rid, concat_ws(' ', c.register_no, c.summary, c.description, c.channel_ref, c.hamlet, c.address, c.occurred,
       (SELECT name FROM communes WHERE code = c.commune),
       (SELECT group_concat(name, ' ') FROM persons p WHERE p.case_id = c.id)),
       c.status, c.category, c.channel, c.kind, c.station, c.received_utc, c.assignee
     FROM cases c";

fn index_entry(r: &Row<'_>) -> rusqlite::Result<(i64, String)> {
    let (status, category, channel, kind, station): (String, String, String, String, String) =
        (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
    let assignee: Option<String> = r.get(8)?;
    let body = fts_body(
        fold(&r.get::<_, String>(1)?),
        &FtsFilters {
            status: &status,
            category: &category,
            channel: &channel,
            kind: &kind,
            station: &station,
            received_utc: r.get(7)?,
            assignee: assignee.as_deref(),
        },
    );
    Ok((r.get(0)?, body))
}

/// The filterable values a case's index entry carries as tokens.
pub(crate) struct FtsFilters<'a> {
    pub status: &'a str,
    pub category: &'a str,
    pub channel: &'a str,
    pub kind: &'a str,
    pub station: &'a str,
    pub received_utc: i64,
    pub assignee: Option<&'a str>,
}

/// A case's index entry: its folded text, then one token per filterable value.
pub(crate) fn fts_body(folded: String, f: &FtsFilters<'_>) -> String {
    let mut body = folded;
    body.reserve(160);
    for (k, v) in [
        ("st", f.status),
        ("ca", f.category),
        ("ch", f.channel),
        ("ki", f.kind),
        ("sn", f.station),
    ] {
        body.push(' ');
        body.push_str(&filter_token(k, v));
    }
    body.push(' ');
    body.push_str(&filter_token("ym", &month_of(f.received_utc).to_string()));
    if let Some(a) = f.assignee {
        body.push(' ');
        body.push_str(&filter_token("as", a));
    }
    body
}

/// A filter value as one index token: a prefix no Vietnamese word has, then the value with
/// everything but letters and digits removed (the tokenizer would split on them).
pub(crate) fn filter_token(kind: &str, value: &str) -> String {
    let v: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect();
    format!("qq{kind}{v}")
}

/// yyyymm of a time, in Vietnam time.
pub(crate) fn month_of(unix: i64) -> u32 {
    let d = vn_time(unix);
    (d.year() as u32) * 100 + d.month()
}

fn load_events(tx: &Connection, case_id: &str) -> Result<Vec<StoredEvent>> {
    let mut st = tx.prepare_cached(
        "SELECT type, data, at_utc FROM events WHERE case_id = ?1 ORDER BY hlc, id",
    )?;
    let rows = st.query_map([case_id], |r| {
        Ok(StoredEvent {
            kind: r.get(0)?,
            data: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or(Value::Null),
            at_utc: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The case row's projected columns, derived from its events.
pub(crate) struct Derived {
    status: Status,
    assignee: Option<String>,
    outcome: Option<String>,
    outcome_utc: Option<i64>,
    duplicate_of: Option<String>,
    review: Option<String>,
    deadline_utc: Option<i64>,
    deadline_rule: Option<String>,
    conflict: bool,
}

/// What deriving cases reads besides their events, read once per write (an import derives
/// thousands of cases in one transaction).
#[derive(Default)]
pub(crate) struct WriteCache {
    rules: BTreeMap<&'static str, Option<deadlines::DeadlineRule>>,
    holidays: Option<std::collections::HashSet<chrono::NaiveDate>>,
    remote: BTreeMap<String, bool>,
    commune_names: BTreeMap<String, Option<String>>,
    categories: BTreeMap<String, bool>,
}

impl WriteCache {
    fn deadline(
        &mut self,
        tx: &Connection,
        kind: Kind,
        station: &str,
        from: i64,
    ) -> Result<(Option<i64>, Option<String>)> {
        let code = deadlines::rule_for_kind(kind);
        if !self.rules.contains_key(code) {
            self.rules.insert(code, deadlines::load_rule(tx, code)?);
        }
        let Some(Some(rule)) = self.rules.get(code) else {
            return Ok((None, None));
        };
        let remote = match self.remote.get(station) {
            Some(v) => *v,
            None => {
                let v: bool = tx
                    .prepare_cached(
                        "SELECT COALESCE((SELECT remote FROM stations WHERE code = ?1), 0)",
                    )?
                    .query_row([station], |r| r.get(0))?;
                self.remote.insert(station.to_owned(), v);
                v
            }
        };
        let holidays = match &mut self.holidays {
            Some(h) => h,
            slot => slot.insert(deadlines::holidays(tx)?),
        };
        Ok((
            Some(deadlines::compute(rule, from, remote, holidays)),
            Some(rule.code.clone()),
        ))
    }

    fn category_active(&mut self, tx: &Connection, code: &str) -> Result<bool> {
        if let Some(v) = self.categories.get(code) {
            return Ok(*v);
        }
        let v: bool = tx
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM categories WHERE code = ?1 AND active = 1)",
            )?
            .query_row([code], |r| r.get(0))?;
        self.categories.insert(code.to_owned(), v);
        Ok(v)
    }

    fn commune_name(&mut self, tx: &Connection, code: &str) -> Result<Option<String>> {
        if let Some(n) = self.commune_names.get(code) {
            return Ok(n.clone());
        }
        let n: Option<String> = tx
            .prepare_cached("SELECT name FROM communes WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?;
        self.commune_names.insert(code.to_owned(), n.clone());
        Ok(n)
    }
}

pub(crate) fn derive(
    tx: &Connection,
    cache: &mut WriteCache,
    events: &[StoredEvent],
    kind: Kind,
    station: &str,
    open_conflicts: bool,
) -> Result<Derived> {
    let p = workflow::fold(events);
    let (deadline_utc, deadline_rule) = match p.deadline_from {
        Some(from) => cache.deadline(tx, kind, station, from)?,
        None => (None, None),
    };
    Ok(Derived {
        status: p.status.unwrap_or(Status::Received),
        assignee: p.assignee.map(|u| u.to_string()),
        outcome: p.outcome.as_ref().map(serde_json::to_string).transpose()?,
        outcome_utc: p.outcome_utc,
        duplicate_of: p.duplicate_of.map(|u| u.to_string()),
        review: p.review,
        deadline_utc,
        deadline_rule,
        conflict: p.conflict || open_conflicts,
    })
}

/// Derives the case's current state from its events and writes it to the row.
pub(crate) fn reproject(tx: &Connection, case_id: &str) -> Result<()> {
    let events = load_events(tx, case_id)?;
    let info: Option<(String, String)> = tx
        .prepare_cached("SELECT kind, station FROM cases WHERE id = ?1")?
        .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((kind, station)) = info else {
        return Ok(());
    };
    let kind = Kind::parse(&kind).unwrap_or(Kind::PhanAnh);
    let open_conflicts: bool = tx
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM conflicts WHERE case_id = ?1 AND resolved = 0)",
        )?
        .query_row([case_id], |r| r.get(0))?;
    let d = derive(
        tx,
        &mut WriteCache::default(),
        &events,
        kind,
        &station,
        open_conflicts,
    )?;
    tx.prepare_cached(
        "UPDATE cases SET status = ?2, assignee = ?3, outcome = ?4, outcome_utc = ?5, duplicate_of = ?6, review = ?7,
           deadline_utc = ?8, deadline_rule = ?9, conflict = ?10 WHERE id = ?1",
    )?
    .execute(params![
        case_id,
        d.status.as_str(),
        d.assignee,
        d.outcome,
        d.outcome_utc,
        d.duplicate_of,
        d.review,
        d.deadline_utc,
        d.deadline_rule,
        d.conflict,
    ])?;
    Ok(())
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

/// A new case's searchable text but its commune's name (which the database holds): register
/// number, summary, description, channel reference, place, time and persons' names. The
/// index keeps no positions (detail=none), so the commune's name may be appended after.
pub(crate) fn search_text(new: &NewCase, register_no: &str) -> String {
    let l = &new.location;
    let mut text = String::with_capacity(new.summary.len() + new.description.len() + 128);
    for part in [
        Some(register_no),
        Some(new.summary.as_str()),
        Some(new.description.as_str()),
        new.channel_ref.as_deref(),
        l.hamlet.as_deref(),
        l.address.as_deref(),
        new.occurred.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(new.persons.iter().map(|p| p.name.trim()))
    {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(part);
    }
    text
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
    let derived = derive(tx, cache, &stored, c.new.kind, c.station, false)?;
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
    for p in &c.new.persons {
        insert_person(w, c.id, c.station, p)?;
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
    tx.prepare_cached("INSERT INTO case_fts(rowid, body) VALUES (?1, ?2)")?
        .execute(params![rid, body])?;
    Ok(())
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
    let hlc = w.stamp();
    w.tx.prepare_cached(
        "INSERT INTO persons(id, case_id, role, name, birth_year, id_number, phone, address, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id.to_string(), case_id.to_string(), p.role.as_str(), p.name.trim(), p.birth_year, p.id_number, p.phone, p.address, hlc.to_string()])?;
    if !w.queues() {
        return Ok(id);
    }
    let mut f = BTreeMap::new();
    f.insert("case_id".into(), json!(case_id.to_string()));
    f.insert("role".into(), json!(p.role));
    f.insert("name".into(), json!(p.name.trim()));
    f.insert("birth_year".into(), json!(p.birth_year));
    f.insert("id_number".into(), json!(p.id_number));
    f.insert("phone".into(), json!(p.phone));
    f.insert("address".into(), json!(p.address));
    w.emit(EntityKind::Person, id, station, Op::Upsert, f, hlc, false)?;
    Ok(id)
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
        let mut cache = WriteCache::default();
        let received = validate_case(&self.conn, &mut cache, &new, now)?;
        let (slot, slots) = self.numbering()?;
        let id = Uuid::now_v7();
        let tx = self.conn.transaction()?;
        let year = received.year();
        let seq = next_seq(&tx, &station, year, slot, slots)?;
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
                created: json!({ "register_no": register_no, "anonymous": new.reporter.is_none(), "received_utc": received.timestamp() }),
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
        let year = row.received_at.year();
        let mut st = self.conn.prepare_cached(
            "SELECT id, role, name, birth_year, id_number, phone, address FROM persons WHERE case_id = ?1 ORDER BY hlc",
        )?;
        let persons = st
            .query_map([&sid], |r| {
                let id: String = r.get(0)?;
                let np = NewPerson {
                    role: PersonRole::parse(&r.get::<_, String>(1)?).unwrap_or(PersonRole::Witness),
                    name: r.get(2)?,
                    birth_year: r.get(3)?,
                    id_number: r.get(4)?,
                    phone: r.get(5)?,
                    address: r.get(6)?,
                };
                Ok(person_view(np, id.parse().unwrap_or_default(), year))
            })?
            .collect::<Result<Vec<_>, _>>()?;
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
            row,
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
        crate::audit::record_in(
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
        let current = workflow::fold(&load_events(&self.conn, &sid)?);
        let (kind, data) = workflow::check(actor, &current, &action)?;
        match &action {
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
                crate::replica::write_case_fields(&tx, id, &f)?;
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

    pub fn add_person(&mut self, actor: &Actor, case_id: Uuid, p: NewPerson) -> Result<CaseDetail> {
        let row = self.load_row(case_id)?;
        if !matches!(actor.role, Role::Officer | Role::Chief)
            || !self.can_read(actor, &row.station)?
        {
            return Err(Error::forbidden("thêm người liên quan"));
        }
        validate_person(&p, Utc::now().year())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_register_number_is_read_or_refused_with_its_fault() {
        assert_eq!(parse_register_no(" 12 / 2025 ").unwrap(), (12, 2025));
        let said = |s: &str| parse_register_no(s).unwrap_err().to_string();
        for bad in ["abc", "0/2025", "12/", "/2025", "-3/2025"] {
            assert!(
                said(bad).contains("không đúng dạng số/năm"),
                "{bad}: {}",
                said(bad)
            );
        }
        assert_eq!(
            said("1/1999"),
            "Số thụ lý “1/1999” thuộc năm 1999: sổ chỉ nhận hồ sơ từ năm 2000."
        );
        assert_eq!(said("1/3000"), "Số thụ lý “1/3000”: năm 3000 không hợp lệ.");
    }
}
