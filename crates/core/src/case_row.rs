//! A case's row in `cases`: its synced columns (written at intake, by an import, or from
//! another device's change), its projected columns (status, assignee, deadline… derived from
//! its events by `workflow::fold` and the deadline rules), and reading it back for lists.
//! Intake (`cases`) and sync's apply (`replica`) both write rows through here.
use crate::clocks::{self, CaseFacts, Setting};
use crate::deadlines::DUE_SOON_SECS;
use crate::error::{Error, Result};
use crate::model::*;
use crate::workflow::{self, StoredEvent};
use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Reports from before this year are not plausible in this register.
pub const EARLIEST_YEAR: i32 = 2000;

pub(crate) const ROW_COLS: &str = "c.id, c.station, c.register_no, c.received_at, c.channel, c.kind, c.category, c.urgency, \
     c.summary, c.hamlet, c.status, c.assignee, (SELECT full_name FROM users u WHERE u.id = c.assignee), c.deadline_utc, c.conflict, c.review, \
     c.deadline_rule, (SELECT label_vi FROM deadline_rules d WHERE d.code = c.deadline_rule)";

pub(crate) fn row_from(r: &Row<'_>, now: i64) -> rusqlite::Result<CaseRow> {
    let received: String = r.get(3)?;
    let deadline: Option<i64> = r.get(13)?;
    let status = Status::parse(&r.get::<_, String>(10)?).unwrap_or(Status::Received);
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
        // A deadline is there only while a clock runs (a notice the station still owes after
        // a transfer included), so it alone says overdue.
        overdue: deadline.is_some_and(|d| d < now),
        due_soon: deadline.is_some_and(|d| d >= now && d < now + DUE_SOON_SECS),
        conflict: r.get(14)?,
        review: r.get(15)?,
        deadline_rule: r.get(16)?,
        deadline_label: r.get(17)?,
    })
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

pub(crate) fn load_events(tx: &Connection, case_id: &str) -> Result<Vec<StoredEvent>> {
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
    pub status: Status,
    pub assignee: Option<String>,
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
    rules: Option<Vec<clocks::DeadlineRule>>,
    holidays: Option<crate::holidays::Calendar>,
    notices_by_agency: Option<bool>,
    /// Loaded once: `Some(None)` when the province has issued no rule version.
    versions: Option<Option<clocks::RuleVersions>>,
    remote: BTreeMap<String, bool>,
    commune_names: BTreeMap<String, Option<String>>,
    categories: BTreeMap<String, bool>,
}

impl WriteCache {
    /// The case's clocks, now.
    pub(crate) fn clocks(
        &mut self,
        tx: &Connection,
        facts: &CaseFacts,
        station: &str,
        events: &[StoredEvent],
    ) -> Result<Vec<Clock>> {
        if self.rules.is_none() {
            self.rules = Some(clocks::load_rules(tx)?);
        }
        if self.holidays.is_none() {
            self.holidays = Some(clocks::holidays(tx)?);
        }
        if self.notices_by_agency.is_none() {
            self.notices_by_agency = Some(clocks::notices_by_agency(tx)?);
        }
        if self.versions.is_none() {
            self.versions = Some(clocks::RuleVersions::load(tx)?);
        }
        let remote = match self.remote.get(station) {
            Some(v) => *v,
            None => {
                let v = clocks::station_remote(tx, station)?;
                self.remote.insert(station.to_owned(), v);
                v
            }
        };
        let set = Setting {
            rules: self.rules.as_deref().unwrap_or_default(),
            holidays: self.holidays.as_ref(),
            remote,
            notices_by_agency: self.notices_by_agency.unwrap_or(false),
            versions: self.versions.as_ref().and_then(Option::as_ref),
        };
        Ok(clocks::compute(
            &set,
            facts,
            events,
            chrono::Utc::now().timestamp(),
        ))
    }

    pub(crate) fn category_active(&mut self, tx: &Connection, code: &str) -> Result<bool> {
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

    pub(crate) fn commune_name(&mut self, tx: &Connection, code: &str) -> Result<Option<String>> {
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
    facts: &CaseFacts,
    station: &str,
    open_conflicts: bool,
) -> Result<Derived> {
    let p = workflow::fold(events);
    let (deadline_utc, deadline_rule) =
        match clocks::nearest(&cache.clocks(tx, facts, station, events)?) {
            Some((due, rule)) => (Some(due), Some(rule)),
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

/// What the clocks read of a case's row, and its station.
pub(crate) fn case_facts(tx: &Connection, case_id: &str) -> Result<Option<(CaseFacts, String)>> {
    Ok(tx
        .prepare_cached(
            "SELECT kind, urgency, channel, received_utc, station,
               EXISTS(SELECT 1 FROM reporters r WHERE r.case_id = c.id)
             FROM cases c WHERE id = ?1",
        )?
        .query_row([case_id], |r| {
            Ok((
                CaseFacts {
                    kind: Kind::parse(&r.get::<_, String>(0)?).unwrap_or(Kind::PhanAnh),
                    urgency: Urgency::parse(&r.get::<_, String>(1)?).unwrap_or(Urgency::Normal),
                    channel: Channel::parse(&r.get::<_, String>(2)?).unwrap_or(Channel::WalkIn),
                    received_utc: r.get(3)?,
                    has_reporter: r.get(5)?,
                },
                r.get(4)?,
            ))
        })
        .optional()?)
}

/// Derives the case's current state from its events and writes it to the row.
pub(crate) fn reproject(tx: &Connection, case_id: &str) -> Result<()> {
    let events = load_events(tx, case_id)?;
    let Some((facts, station)) = case_facts(tx, case_id)? else {
        return Ok(());
    };
    let open_conflicts: bool = tx
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM conflicts WHERE case_id = ?1 AND resolved = 0)",
        )?
        .query_row([case_id], |r| r.get(0))?;
    let d = derive(
        tx,
        &mut WriteCache::default(),
        &events,
        &facts,
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
