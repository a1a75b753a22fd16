//! The figures a station reports upward each month (and a province adds up by station).
use crate::clocks::{self, CaseFacts, Setting, StoredEvent};
use crate::community::INQUIRY_TOPICS;
use crate::error::Result;
use crate::model::{
    Actor, Channel, ClockState, Kind, LegalGroup, ProsecutionDecision, Role, Status, Urgency,
};
use crate::store::Store;
use crate::time::vn_offset;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub key: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelFigure {
    pub platform: String,
    pub name: String,
    #[ts(type = "number | null")]
    pub followers: Option<i64>,
    pub posts: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stats {
    /// Unix seconds, inclusive / exclusive.
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub received: u32,
    pub by_kind: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_category: Vec<Count>,
    /// The same, added up by the legal group each category counts in (the province's
    /// `category` reference data; migration 011's defaults).
    pub by_legal_group: Vec<Count>,
    pub by_status: Vec<Count>,
    /// Cases received in the period, by owning station.
    pub by_station: Vec<Count>,
    /// Received through social media (the Zalo and Facebook channels: the register has no
    /// other online channel), in total and by channel.
    pub social_media: u32,
    pub social_media_by_channel: Vec<Count>,
    /// Overdue at the end of the period: cases open at `to` (see `open`) with a clock that
    /// was due before `to` and not met before `to`.
    pub overdue: u32,
    /// Open at the end of the period: received before `to`, and at `to` received or being
    /// verified, as their events before `to` say (closed at or after `to`, or not at all; a
    /// suspended case is not open; a case reopened before `to` is).
    pub open: u32,
    /// Outcomes recorded in the period (`outcome_recorded`, and `duplicate` for a merge), by
    /// type, whatever the case's receipt date.
    pub outcomes: Vec<Count>,
    /// Crime reports transferred in the period (outcome `transferred`): on time when the
    /// case's `crime_transfer` clock was met, late when it was met late; a transfer without
    /// that clock (not classified as a crime to transfer) is in `transferred` only.
    pub transferred: u32,
    pub transferred_on_time: u32,
    pub transferred_late: u32,
    /// Outcomes `mediated` and `unfounded` recorded in the period.
    pub mediated: u32,
    pub unfounded: u32,
    /// Decisions on crime reports dated in the period (the decision's own date), by decision
    /// (`khoi_to`, `khong_khoi_to`, `tam_dinh_chi`, `phuc_hoi`).
    pub decisions: Vec<Count>,
    /// Cases closed as sanctioned in the period (outcome `sanctioned` recorded then).
    pub sanctions: u32,
    /// Total fines of the sanction decisions dated in the period (`sanction_decisions`).
    #[ts(type = "number")]
    pub fines_vnd: i64,
    /// Median hours from receipt to outcome, over the outcomes recorded in the period (a
    /// decision that ends a case kept at the commune is its outcome; merges are not).
    pub median_hours_to_outcome: Option<f64>,
    /// Questions received in the period, by topic.
    pub inquiries_by_topic: Vec<Count>,
    /// Questions answered in the period (by the date of the answer), by topic, and how many
    /// of them were answered "trong ngày": on the Vietnam calendar day they were received.
    pub answered_by_topic: Vec<Count>,
    pub answered: u32,
    pub answered_same_day: u32,
    pub posts: u32,
    #[ts(type = "number")]
    pub post_views: i64,
    pub channels: Vec<ChannelFigure>,
    /// Sanction decisions dated in the period, one per violator (`sanctions::figures`).
    pub sanction_decisions: crate::sanctions::SanctionFigures,
    /// The province's figures by station, one row per station of the scope (empty in a
    /// station's own report), and their total.
    pub stations: Vec<StationFigures>,
    pub total: Option<StationFigures>,
}

/// One station's row of the province's table (or the total row, station empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StationFigures {
    pub station: String,
    pub received: u32,
    pub social_media: u32,
    pub transferred: u32,
    pub transferred_on_time: u32,
    pub transferred_late: u32,
    pub decisions: u32,
    pub sanction_decisions: u32,
    #[ts(type = "number")]
    pub fines_vnd: i64,
    pub mediated: u32,
    pub unfounded: u32,
    pub open: u32,
    pub overdue: u32,
    pub inquiries: u32,
    pub answered: u32,
    pub answered_same_day: u32,
    pub posts: u32,
    #[ts(type = "number")]
    pub post_views: i64,
}

impl StationFigures {
    fn add(&mut self, o: &StationFigures) {
        self.received += o.received;
        self.social_media += o.social_media;
        self.transferred += o.transferred;
        self.transferred_on_time += o.transferred_on_time;
        self.transferred_late += o.transferred_late;
        self.decisions += o.decisions;
        self.sanction_decisions += o.sanction_decisions;
        self.fines_vnd = self.fines_vnd.saturating_add(o.fines_vnd);
        self.mediated += o.mediated;
        self.unfounded += o.unfounded;
        self.open += o.open;
        self.overdue += o.overdue;
        self.inquiries += o.inquiries;
        self.answered += o.answered;
        self.answered_same_day += o.answered_same_day;
        self.posts += o.posts;
        self.post_views = self.post_views.saturating_add(o.post_views);
    }
}

/// The kinds of report period: a police month, a quarter, a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

/// Quarter `q` (1–4) of `year`: the three police months ending in March, June, September or
/// December (with the 15th cut-off, 15 December of the year before to 14 March, …).
pub fn quarterly_period(year: i32, q: u32, cutoff_day: u32) -> (i64, i64) {
    let q = q.clamp(1, 4);
    (
        monthly_period(year, 3 * q - 2, cutoff_day).0,
        monthly_period(year, 3 * q, cutoff_day).1,
    )
}

/// The year: the twelve police months ending in December.
pub fn yearly_period(year: i32, cutoff_day: u32) -> (i64, i64) {
    (
        monthly_period(year, 1, cutoff_day).0,
        monthly_period(year, 12, cutoff_day).1,
    )
}

/// The period of a kind: `n` is the month (1–12), the quarter (1–4), or ignored for a year.
pub fn period(kind: PeriodKind, year: i32, n: u32, cutoff_day: u32) -> (i64, i64) {
    match kind {
        PeriodKind::Month => monthly_period(year, n.clamp(1, 12), cutoff_day),
        PeriodKind::Quarter => quarterly_period(year, n, cutoff_day),
        PeriodKind::Year => yearly_period(year, cutoff_day),
    }
}

/// The heading's words for a period: "Tháng 10/2025 (từ 15/09/2025 đến 14/10/2025)",
/// "Quý IV/2025 (…)", "Năm 2025 (…)". The last day shown is the day before `to`.
pub fn period_label(kind: PeriodKind, year: i32, n: u32, from: i64, to: i64) -> String {
    let d = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .unwrap_or_default()
            .with_timezone(&vn_offset())
            .format("%d/%m/%Y")
            .to_string()
    };
    let name = match kind {
        PeriodKind::Month => format!("Tháng {}/{year}", n.clamp(1, 12)),
        PeriodKind::Quarter => {
            let roman = ["I", "II", "III", "IV"][(n.clamp(1, 4) - 1) as usize];
            format!("Quý {roman}/{year}")
        }
        PeriodKind::Year => format!("Năm {year}"),
    };
    format!("{name} (từ {} đến {})", d(from), d(to - 1))
}

/// What the clocks need of the register, read once per report.
struct ClockData {
    rules: Vec<clocks::DeadlineRule>,
    holidays: clocks::Calendar,
    notices_by_agency: bool,
    versions: Option<clocks::RuleVersions>,
    remote: HashMap<String, bool>,
}

impl ClockData {
    fn load(conn: &Connection) -> Result<Self> {
        Ok(ClockData {
            rules: clocks::load_rules(conn)?,
            holidays: clocks::holidays(conn)?,
            notices_by_agency: clocks::notices_by_agency(conn)?,
            versions: clocks::RuleVersions::load(conn)?,
            remote: HashMap::new(),
        })
    }

    fn remote(&mut self, conn: &Connection, station: &str) -> Result<bool> {
        if let Some(r) = self.remote.get(station) {
            return Ok(*r);
        }
        let r = clocks::station_remote(conn, station)?;
        self.remote.insert(station.to_owned(), r);
        Ok(r)
    }
}

/// A case as the clocks read it: its facts and its journal, in stamp order.
struct CaseJournal {
    station: String,
    facts: CaseFacts,
    events: Vec<StoredEvent>,
}

fn journal(conn: &Connection, id: &str) -> Result<CaseJournal> {
    let (station, kind, urgency, channel, received_utc, has_reporter): (
        String,
        String,
        String,
        String,
        i64,
        bool,
    ) = conn
        .prepare_cached(
            "SELECT station, kind, urgency, channel, received_utc,
               EXISTS(SELECT 1 FROM reporters r WHERE r.case_id = c.id)
             FROM cases c WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
    let events = conn
        .prepare_cached(
            "SELECT type, data, at_utc FROM events WHERE case_id = ?1 ORDER BY hlc, id",
        )?
        .query_map([id], |r| {
            Ok(StoredEvent {
                kind: r.get(0)?,
                data: serde_json::from_str(&r.get::<_, String>(1)?)
                    .unwrap_or(serde_json::Value::Null),
                at_utc: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseJournal {
        station,
        facts: CaseFacts {
            kind: Kind::parse(&kind).unwrap_or(Kind::PhanAnh),
            urgency: Urgency::parse(&urgency).unwrap_or(Urgency::Normal),
            channel: Channel::parse(&channel).unwrap_or(Channel::WalkIn),
            received_utc,
            has_reporter,
        },
        events,
    })
}

impl CaseJournal {
    /// The journal as it stood just before `t`: the events whose act happened before it
    /// (the receipt always, and an import from an older register: what it says is all that
    /// is known of the case's state before it, whenever it was imported).
    fn before(&self, t: i64) -> Vec<StoredEvent> {
        self.events
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "created" | "imported") || clocks::time_of(e) < t)
            .cloned()
            .collect()
    }

    fn clocks(
        &self,
        cd: &mut ClockData,
        conn: &Connection,
        events: &[StoredEvent],
        now: i64,
    ) -> Result<Vec<crate::model::Clock>> {
        let remote = cd.remote(conn, &self.station)?;
        let set = Setting {
            rules: &cd.rules,
            holidays: Some(&cd.holidays),
            remote,
            notices_by_agency: cd.notices_by_agency,
            versions: cd.versions.as_ref(),
        };
        Ok(clocks::compute(&set, &self.facts, events, now))
    }
}

/// The Vietnam day of `t` as `YYYY-MM-DD`, for the columns that hold a date; an open-ended
/// period is beyond chrono's range.
fn vn_day(t: i64) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(d) => d.with_timezone(&vn_offset()).format("%Y-%m-%d").to_string(),
        None if t > 0 => "9999-12-31".to_owned(),
        None => "0000-01-01".to_owned(),
    }
}

fn sorted(t: &HashMap<String, u32>) -> Vec<Count> {
    let mut v: Vec<Count> = t
        .iter()
        .map(|(k, c)| Count {
            key: k.clone(),
            count: *c,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}

fn median_hours(mut d: Vec<i64>) -> Option<f64> {
    d.sort_unstable();
    match d.len() {
        0 => None,
        n if n % 2 == 1 => Some(d[n / 2] as f64 / 3600.0),
        n => Some((d[n / 2 - 1] + d[n / 2]) as f64 / 7200.0),
    }
}

/// The monthly statistics period: from the cut-off day of the previous month to the day before
/// the cut-off of `month` (police statistics run 15th to 14th; the day is a setting).
pub fn monthly_period(year: i32, month: u32, cutoff_day: u32) -> (i64, i64) {
    let tz = vn_offset();
    let day = cutoff_day.clamp(1, 28);
    let (py, pm) = if month == 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let start = NaiveDate::from_ymd_opt(py, pm, day).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    let ts = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|x| x.timestamp())
            .unwrap_or(0)
    };
    if day == 1 {
        // Calendar month.
        let s = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
        let e = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        }
        .unwrap_or_default();
        return (ts(s), ts(e));
    }
    (ts(start), ts(end))
}

/// How the keys of `Stats` read in Vietnamese, for the command line and the printed report:
/// codes by their labels, categories by the register's own list, stations by their commune's
/// name. A key no list knows (a category since removed, say) is shown as it is.
pub struct KeyLabels {
    categories: HashMap<String, String>,
    stations: HashMap<String, String>,
    titles: HashMap<String, String>,
}

fn code_label<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    vi: fn(T) -> &'static str,
    key: &str,
) -> String {
    all.iter()
        .find(|v| code(**v) == key)
        .map_or_else(|| key.to_owned(), |v| vi(*v).to_owned())
}

impl KeyLabels {
    pub fn kind(&self, key: &str) -> String {
        code_label(Kind::ALL, Kind::as_str, Kind::label_vi, key)
    }
    pub fn channel(&self, key: &str) -> String {
        code_label(Channel::ALL, Channel::as_str, Channel::label_vi, key)
    }
    pub fn status(&self, key: &str) -> String {
        code_label(Status::ALL, Status::as_str, Status::label_vi, key)
    }
    pub fn legal_group(&self, key: &str) -> String {
        code_label(
            LegalGroup::ALL,
            LegalGroup::as_str,
            LegalGroup::label_vi,
            key,
        )
    }
    pub fn decision(&self, key: &str) -> String {
        code_label(
            ProsecutionDecision::ALL,
            ProsecutionDecision::as_str,
            ProsecutionDecision::label_vi,
            key,
        )
    }
    pub fn category(&self, key: &str) -> String {
        self.categories
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
    pub fn station(&self, key: &str) -> String {
        self.stations
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
    /// A decider's title (`commune_police_chief`) by the fining caps' own words.
    pub fn title(&self, key: &str) -> String {
        self.titles
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
    pub fn topic(&self, key: &str) -> String {
        INQUIRY_TOPICS
            .iter()
            .find(|t| t.0 == key)
            .map_or_else(|| key.to_owned(), |t| t.1.to_owned())
    }
}

impl Store {
    /// The labels for the keys of `s`.
    pub fn key_labels(&self, s: &Stats) -> Result<KeyLabels> {
        let categories = self
            .categories()?
            .into_iter()
            .map(|(code, vi, _)| (code, vi))
            .collect();
        let mut stations = HashMap::new();
        let keys = s
            .by_station
            .iter()
            .map(|c| &c.key)
            .chain(s.stations.iter().map(|r| &r.station));
        for key in keys {
            if !stations.contains_key(key)
                && let Some(commune) = self.admin_commune(key)?
            {
                stations.insert(key.clone(), commune.name);
            }
        }
        let titles = self
            .fine_caps()?
            .into_iter()
            .map(|c| (c.title, c.title_vi))
            .collect();
        Ok(KeyLabels {
            categories,
            stations,
            titles,
        })
    }

    /// The upward report of [from, to) for `actor`: a station's own, or for a supervisor or
    /// administrator the province's with a row per station and their total. Each figure is
    /// counted by the date of its own event (see the fields of `Stats`). The stations' rows
    /// are tallied in the same passes as the whole: one pass per figure, whatever the number
    /// of stations.
    pub fn stats(&self, actor: &Actor, from: i64, to: i64) -> Result<Stats> {
        let station: Option<String> = match actor.role {
            Role::Officer | Role::Chief => actor.station.clone(),
            _ => None,
        };
        let mut cd = ClockData::load(&self.conn)?;
        let (mut s, mut rows) = self.scope_stats(station.as_deref(), from, to, &mut cd)?;
        if station.is_none() {
            // Every station of the scope has a row, one that saw nothing in the period too.
            let codes: Vec<String> = self
                .conn
                .prepare_cached(
                    "SELECT code FROM stations UNION SELECT DISTINCT station FROM cases ORDER BY 1",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut total = StationFigures::default();
            for code in codes {
                let mut row = rows.remove(&code).unwrap_or_default();
                row.station = code;
                total.add(&row);
                s.stations.push(row);
            }
            // Figures of a station no list knows (data of a station since removed).
            for (code, mut row) in rows {
                row.station = code;
                total.add(&row);
                s.stations.push(row);
            }
            s.total = Some(total);
        }
        Ok(s)
    }

    fn scope_stats(
        &self,
        station: Option<&str>,
        from: i64,
        to: i64,
        cd: &mut ClockData,
    ) -> Result<(Stats, HashMap<String, StationFigures>)> {
        // Built per call rather than `(?3 IS NULL OR station = ?3)`, so that the planner can
        // use the covering indexes when there is no station filter.
        let by_station = if station.is_some() {
            "AND station = ?3"
        } else {
            "AND ?3 IS NULL"
        };
        let by_case_station = by_station.replace("station", "c.station");
        let mut rows: HashMap<String, StationFigures> = HashMap::new();
        // One pass over the period's receipts: each row is read (and decrypted) once for all
        // the breakdowns, instead of once per GROUP BY.
        let mut tallies: [HashMap<String, u32>; 5] = Default::default();
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT kind, channel, category, status, station
                 FROM cases WHERE received_utc >= ?1 AND received_utc < ?2 {by_station}"
            ))?;
            let mut q = st.query(params![from, to, station])?;
            while let Some(r) = q.next()? {
                for (i, t) in tallies.iter_mut().enumerate() {
                    let key: String = r.get(i)?;
                    *t.entry(key).or_default() += 1;
                }
                let row = rows.entry(r.get(4)?).or_default();
                row.received += 1;
                if Channel::parse(&r.get::<_, String>(1)?).is_some_and(Channel::is_social_media) {
                    row.social_media += 1;
                }
            }
        }
        let [
            by_kind,
            by_channel,
            by_category,
            by_status,
            by_station_counts,
        ] = tallies.each_ref().map(sorted);
        let received = by_kind.iter().map(|c| c.count).sum();
        let by_legal_group = {
            let group: HashMap<String, LegalGroup> = self.category_groups()?.into_iter().collect();
            let mut t: HashMap<String, u32> = HashMap::new();
            for c in &by_category {
                let g = group.get(&c.key).copied().unwrap_or(LegalGroup::Other);
                *t.entry(g.as_str().to_owned()).or_default() += c.count;
            }
            sorted(&t)
        };
        let social_media_by_channel: Vec<Count> = by_channel
            .iter()
            .filter(|c| Channel::parse(&c.key).is_some_and(Channel::is_social_media))
            .cloned()
            .collect();
        let social_media = social_media_by_channel.iter().map(|c| c.count).sum();

        // Outcomes recorded in the period, whatever the receipt date.
        let mut outcomes: HashMap<String, u32> = HashMap::new();
        let mut durations = Vec::new();
        let mut transfers: Vec<(String, String, i64)> = Vec::new();
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT e.type, json_extract(e.data, '$.outcome.type'), e.at_utc, c.received_utc, c.id, c.station
                 FROM events e JOIN cases c ON c.id = e.case_id
                 WHERE e.type IN ('outcome_recorded', 'merged') AND e.at_utc >= ?1 AND e.at_utc < ?2 {by_case_station}"
            ))?;
            let mut q = st.query(params![from, to, station])?;
            while let Some(r) = q.next()? {
                let kind: String = r.get(0)?;
                let at: i64 = r.get(2)?;
                if kind == "merged" {
                    *outcomes
                        .entry(Status::Duplicate.as_str().into())
                        .or_default() += 1;
                    continue;
                }
                let Some(t) = r.get::<_, Option<String>>(1)? else {
                    continue;
                };
                durations.push(at - r.get::<_, i64>(3)?);
                let st: String = r.get(5)?;
                let row = rows.entry(st.clone()).or_default();
                match Status::parse(&t) {
                    Some(Status::Transferred) => {
                        row.transferred += 1;
                        transfers.push((r.get(4)?, st, at));
                    }
                    Some(Status::Mediated) => row.mediated += 1,
                    Some(Status::Unfounded) => row.unfounded += 1,
                    _ => {}
                }
                *outcomes.entry(t).or_default() += 1;
            }
        }
        let outcome = |s: Status| outcomes.get(s.as_str()).copied().unwrap_or(0);
        let (transferred, mediated, unfounded, sanctions) = (
            outcome(Status::Transferred),
            outcome(Status::Mediated),
            outcome(Status::Unfounded),
            outcome(Status::Sanctioned),
        );
        // On time or late: the case's transfer clock as it stood when the transfer was made.
        let (mut transferred_on_time, mut transferred_late) = (0, 0);
        for (id, st, at) in &transfers {
            let j = journal(&self.conn, id)?;
            let events: Vec<StoredEvent> = j
                .events
                .iter()
                .filter(|e| e.at_utc <= *at)
                .cloned()
                .collect();
            let clocks = j.clocks(cd, &self.conn, &events, *at)?;
            let row = rows.entry(st.clone()).or_default();
            match clocks
                .iter()
                .find(|c| c.rule == "crime_transfer")
                .map(|c| c.state)
            {
                Some(ClockState::Met) => {
                    transferred_on_time += 1;
                    row.transferred_on_time += 1;
                }
                Some(ClockState::Late) => {
                    transferred_late += 1;
                    row.transferred_late += 1;
                }
                _ => {}
            }
        }

        // Decisions dated in the period (the date written on the decision; an older event
        // without one by its recording day). One that ends a case kept at the commune (no
        // transfer before it) is that case's outcome.
        let mut decisions_t: HashMap<String, u32> = HashMap::new();
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT json_extract(e.data, '$.decision'), e.data, e.at_utc, c.received_utc,
                   EXISTS(SELECT 1 FROM events t WHERE t.case_id = e.case_id AND t.type = 'outcome_recorded'
                          AND json_extract(t.data, '$.outcome.type') = 'transferred' AND t.at_utc <= e.at_utc),
                   c.station
                 FROM events e JOIN cases c ON c.id = e.case_id
                 WHERE e.type = 'prosecution_decision'
                   AND coalesce(json_extract(e.data, '$.date'), date(e.at_utc + 25200, 'unixepoch')) BETWEEN ?1 AND ?2
                   {}",
                by_case_station.replace("?3", "?4")
            ))?;
            let mut q = st.query(params![
                vn_day(from),
                vn_day(to.saturating_sub(1)),
                0,
                station
            ])?;
            while let Some(r) = q.next()? {
                let d: String = r.get::<_, Option<String>>(0)?.unwrap_or_default();
                let transferred_before: bool = r.get(4)?;
                if !transferred_before && d != ProsecutionDecision::PhucHoi.as_str() {
                    let e = StoredEvent {
                        kind: "prosecution_decision".into(),
                        data: serde_json::from_str(&r.get::<_, String>(1)?)
                            .unwrap_or(serde_json::Value::Null),
                        at_utc: r.get(2)?,
                    };
                    durations.push(clocks::time_of(&e) - r.get::<_, i64>(3)?);
                }
                rows.entry(r.get(5)?).or_default().decisions += 1;
                *decisions_t.entry(d).or_default() += 1;
            }
        }
        let decisions = sorted(&decisions_t);

        let (mut open, mut overdue) = (0, 0);
        for (st, (o, d)) in self.open_at(station, to, cd)? {
            open += o;
            overdue += d;
            let row = rows.entry(st).or_default();
            row.open += o;
            row.overdue += d;
        }

        let mut inquiries_t: HashMap<String, u32> = HashMap::new();
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT station, topic, count(*) FROM inquiries
                 WHERE received_utc >= ?1 AND received_utc < ?2 {by_station} GROUP BY station, topic"
            ))?;
            let mut q = st.query(params![from, to, station])?;
            while let Some(r) = q.next()? {
                let n: u32 = r.get(2)?;
                rows.entry(r.get(0)?).or_default().inquiries += n;
                *inquiries_t.entry(r.get(1)?).or_default() += n;
            }
        }
        // "Trong ngày": answered on the Vietnam calendar day the question came in.
        let (mut answered, mut answered_same_day) = (0u32, 0u32);
        let mut answered_t: HashMap<String, u32> = HashMap::new();
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT station, topic, count(*),
                   sum(date(received_utc + 25200, 'unixepoch') = date(answered_utc + 25200, 'unixepoch'))
                 FROM inquiries WHERE answered_utc >= ?1 AND answered_utc < ?2 {by_station}
                 GROUP BY station, topic"
            ))?;
            let mut q = st.query(params![from, to, station])?;
            while let Some(r) = q.next()? {
                let (n, same): (u32, u32) = (r.get(2)?, r.get(3)?);
                answered += n;
                answered_same_day += same;
                let row = rows.entry(r.get(0)?).or_default();
                row.answered += n;
                row.answered_same_day += same;
                *answered_t.entry(r.get(1)?).or_default() += n;
            }
        }
        let (mut posts, mut post_views) = (0u32, 0i64);
        {
            let mut st = self.conn.prepare_cached(&format!(
                "SELECT station, count(*), coalesce(sum(views), 0) FROM posts
                 WHERE published_on >= ?1 AND published_on < ?2 {by_station} GROUP BY station"
            ))?;
            let mut q = st.query(params![vn_day(from), vn_day(to), station])?;
            while let Some(r) = q.next()? {
                let (n, v): (u32, i64) = (r.get(1)?, r.get(2)?);
                posts += n;
                post_views = post_views.saturating_add(v);
                let row = rows.entry(r.get(0)?).or_default();
                row.posts += n;
                row.post_views = row.post_views.saturating_add(v);
            }
        }
        let channels = {
            let mut st = self.conn.prepare_cached(
                "SELECT ch.platform, ch.name,
                   (SELECT followers FROM channel_stats s WHERE s.channel_id = ch.id AND s.on_date < ?2 ORDER BY on_date DESC LIMIT 1),
                   (SELECT count(*) FROM posts p, json_each(p.channels) j WHERE j.value = ch.id AND p.published_on >= ?1 AND p.published_on < ?2)
                 FROM channels ch WHERE ch.active = 1 AND (?3 IS NULL OR ch.station = ?3) ORDER BY ch.platform, ch.name",
            )?;
            st.query_map(params![vn_day(from), vn_day(to), station], |r| {
                Ok(ChannelFigure {
                    platform: r.get(0)?,
                    name: r.get(1)?,
                    followers: r.get(2)?,
                    posts: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?
        };
        let sanction_decisions = crate::sanctions::figures(&self.conn, from, to, station)?;
        if station.is_none() {
            // The stations' shares of the sanction decisions, by the same rule as `figures`.
            let mut st = self.conn.prepare_cached(
                "SELECT c.station, count(*), coalesce(sum(coalesce(json_extract(e.data, '$.fine_vnd'), 0)), 0)
                   FROM events e JOIN cases c ON c.id = e.case_id
                  WHERE e.type = 'sanction_decided'
                    AND json_extract(e.data, '$.decided_on') >= ?1 AND json_extract(e.data, '$.decided_on') <= ?2
                  GROUP BY c.station",
            )?;
            let mut q = st.query(params![vn_day(from), vn_day(to.saturating_sub(1))])?;
            while let Some(r) = q.next()? {
                let row = rows.entry(r.get(0)?).or_default();
                row.sanction_decisions += r.get::<_, u32>(1)?;
                row.fines_vnd = row.fines_vnd.saturating_add(r.get(2)?);
            }
        } else if let Some(s) = station {
            let row = rows.entry(s.to_owned()).or_default();
            row.sanction_decisions = sanction_decisions.decisions;
            row.fines_vnd = sanction_decisions.fines_vnd;
        }
        let stats = Stats {
            from,
            to,
            received,
            by_kind,
            by_channel,
            by_category,
            by_legal_group,
            by_status,
            by_station: by_station_counts,
            social_media,
            social_media_by_channel,
            overdue,
            open,
            outcomes: sorted(&outcomes),
            transferred,
            transferred_on_time,
            transferred_late,
            mediated,
            unfounded,
            decisions,
            sanctions,
            fines_vnd: sanction_decisions.fines_vnd,
            median_hours_to_outcome: median_hours(durations),
            inquiries_by_topic: sorted(&inquiries_t),
            answered_by_topic: sorted(&answered_t),
            answered,
            answered_same_day,
            posts,
            post_views,
            channels,
            sanction_decisions,
            stations: Vec::new(),
            total: None,
        };
        Ok((stats, rows))
    }

    /// Open and overdue at `to` by station (see `Stats::open`, `Stats::overdue`). The
    /// candidates are the cases open now and those closed at or after `to`, by index; a case
    /// with no event at or after `to` (its registration or import aside: they count from the
    /// receipt, see `CaseJournal::before`) stands as
    /// its row says (open now, its nearest running
    /// clock due before `to`), the others are folded from their events before `to`.
    fn open_at(
        &self,
        station: Option<&str>,
        to: i64,
        cd: &mut ClockData,
    ) -> Result<HashMap<String, (u32, u32)>> {
        let st_filter = if station.is_some() {
            "AND station = ?2"
        } else {
            "AND ?2 IS NULL"
        };
        // Two queries, each on its own index: open now (status, received_utc), and closed at
        // or after `to` (the partial index on outcome_utc).
        let cols = "SELECT id, status, deadline_utc,
               EXISTS(SELECT 1 FROM events e WHERE e.case_id = c.id AND e.at_utc >= ?1 AND e.type NOT IN ('created', 'imported')), station
             FROM cases c";
        let mut rows: Vec<(String, String, Option<i64>, bool, String)> = Vec::new();
        for cond in [
            "status IN ('received', 'verifying') AND received_utc < ?1",
            "outcome_utc >= ?1 AND received_utc < ?1 AND status NOT IN ('received', 'verifying')",
        ] {
            let mut st = self
                .conn
                .prepare_cached(&format!("{cols} WHERE {cond} {st_filter}"))?;
            let found = st.query_map(params![to, station], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            for r in found {
                rows.push(r?);
            }
        }
        let mut by: HashMap<String, (u32, u32)> = HashMap::new();
        for (id, status, deadline, later, st) in rows {
            let (is_open, is_overdue) = if later {
                let j = journal(&self.conn, &id)?;
                let events = j.before(to);
                let p = crate::workflow::fold(&events);
                if p.status.unwrap_or(Status::Received).is_open() {
                    let clocks = j.clocks(cd, &self.conn, &events, to)?;
                    (
                        true,
                        clocks::nearest(&clocks).is_some_and(|(due, _)| due < to),
                    )
                } else {
                    (false, false)
                }
            } else {
                let open = Status::parse(&status).is_some_and(Status::is_open);
                (open, open && deadline.is_some_and(|d| d < to))
            };
            if is_open {
                let e = by.entry(st).or_default();
                e.0 += 1;
                e.1 += u32::from(is_overdue);
            }
        }
        Ok(by)
    }

    /// The cut-off day of the police month (setting `stats_cutoff_day`, default 15).
    pub fn stats_cutoff_day(&self) -> Result<u32> {
        Ok(self
            .setting("stats_cutoff_day")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(15))
    }

    /// The statistics period containing `now` given the station's cut-off day (default 15).
    pub fn current_period(&self) -> Result<(i64, i64)> {
        let cutoff = self.stats_cutoff_day()?;
        let (y, m) = police_month_of(Utc::now().with_timezone(&vn_offset()).date_naive(), cutoff);
        Ok(monthly_period(y, m, cutoff))
    }
}

/// The police month (year, month) that `day` falls in: from the cut-off day on, the next
/// calendar month's.
pub fn police_month_of(day: NaiveDate, cutoff_day: u32) -> (i32, u32) {
    let (mut y, mut m) = (day.year(), day.month());
    if cutoff_day > 1 && day.day() >= cutoff_day.clamp(1, 28) {
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    (y, m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn police_month_runs_15th_to_14th() {
        let (a, b) = monthly_period(2025, 1, 15);
        let tz = vn_offset();
        assert_eq!(
            tz.timestamp_opt(a, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2024, 12, 15).unwrap()
        );
        assert_eq!(
            tz.timestamp_opt(b, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
        );
        let (a, b) = monthly_period(2025, 12, 1);
        assert_eq!(
            tz.timestamp_opt(a, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
        assert_eq!(
            tz.timestamp_opt(b, 0).unwrap().date_naive(),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
    }

    fn day(t: i64) -> NaiveDate {
        vn_offset().timestamp_opt(t, 0).unwrap().date_naive()
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn quarters_and_years_are_police_months_ending_in_march_june_september_december() {
        let (a, b) = quarterly_period(2025, 1, 15);
        assert_eq!((day(a), day(b)), (ymd(2024, 12, 15), ymd(2025, 3, 15)));
        let (a, b) = quarterly_period(2025, 4, 15);
        assert_eq!((day(a), day(b)), (ymd(2025, 9, 15), ymd(2025, 12, 15)));
        let (a, b) = yearly_period(2025, 15);
        assert_eq!((day(a), day(b)), (ymd(2024, 12, 15), ymd(2025, 12, 15)));
        // Calendar months with the cut-off on the 1st.
        let (a, b) = quarterly_period(2025, 4, 1);
        assert_eq!((day(a), day(b)), (ymd(2025, 10, 1), ymd(2026, 1, 1)));
        let (a, b) = yearly_period(2025, 1);
        assert_eq!((day(a), day(b)), (ymd(2025, 1, 1), ymd(2026, 1, 1)));
        assert_eq!(
            period(PeriodKind::Quarter, 2025, 3, 15),
            (monthly_period(2025, 7, 15).0, monthly_period(2025, 9, 15).1)
        );
    }

    #[test]
    fn a_day_from_the_cut_off_on_belongs_to_the_next_police_month() {
        assert_eq!(police_month_of(ymd(2025, 10, 14), 15), (2025, 10));
        assert_eq!(police_month_of(ymd(2025, 10, 15), 15), (2025, 11));
        assert_eq!(police_month_of(ymd(2025, 12, 20), 15), (2026, 1));
        assert_eq!(police_month_of(ymd(2025, 12, 20), 1), (2025, 12));
    }

    #[test]
    fn the_heading_names_the_period_and_its_days() {
        let (a, b) = monthly_period(2025, 10, 15);
        assert_eq!(
            period_label(PeriodKind::Month, 2025, 10, a, b),
            "Tháng 10/2025 (từ 15/09/2025 đến 14/10/2025)"
        );
        let (a, b) = quarterly_period(2025, 4, 15);
        assert_eq!(
            period_label(PeriodKind::Quarter, 2025, 4, a, b),
            "Quý IV/2025 (từ 15/09/2025 đến 14/12/2025)"
        );
        let (a, b) = yearly_period(2025, 15);
        assert_eq!(
            period_label(PeriodKind::Year, 2025, 0, a, b),
            "Năm 2025 (từ 15/12/2024 đến 14/12/2025)"
        );
    }
}
