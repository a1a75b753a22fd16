//! A case's clocks: every legal time limit that applies to it, computed from its events, the
//! deadline rules (each with its legal basis, `deadline_rules`), the holiday calendar and the
//! station's remote flag. Nothing here hard-codes a time limit: a rule says what it applies to
//! (classes, kinds, urgencies), the event its clock starts from, the events that stop, extend
//! or restart it, and the outcomes after which it still runs.
//!
//! It works over a bare connection, below `Store`, because migration 006 recomputes every
//! case's clocks with it while the register is being opened.
//!
//! Closing and reopening. Any closing outcome (or a merge, or a decision that ends a case kept
//! at the commune) stops every running clock, except a rule that says it runs after that
//! outcome (the notices of receipt, which the station still owes after a transfer unless the
//! setting says the agency sends them). Reopening restarts nothing by itself: the time limits
//! of the law run from receipt, and a reopened case has not been received again, so it gets no
//! fresh 24 h transfer clock. What restarts a clock is what the law names: a decision to resume
//! (phục hồi) restarts the resolution limit from its date; a new classification after the
//! reopening into a class a rule applies to starts that rule afresh from the classification
//! (the station learns only then that it holds a crime report to transfer); a new violation
//! found or recorded starts its own clock.
use crate::error::Result;
use crate::model::{CaseClass, Channel, Clock, ClockState, Kind, Urgency};
use crate::reference;
use crate::time::{vn_offset, vn_time};
use chrono::{Datelike, Months, NaiveDate, TimeZone, Weekday};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use ts_rs::TS;

/// One event of a case's journal, as the folds read it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredEvent {
    pub kind: String,
    pub data: Value,
    pub at_utc: i64,
}

/// How an event extends a rule's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Extension {
    /// The event, `type` or `type:sub` (`resolution_extended:two_months`).
    pub on: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub unit: String,
    /// Added to the current due time (true) or counted from the clock's start (false).
    pub from_due: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeadlineRule {
    pub code: String,
    /// What it applies to, in words, for the screen.
    pub applies_to: String,
    /// Case classes it applies to; empty: any, classified or not.
    pub classes: Vec<String>,
    /// Kinds it applies to; empty: any.
    pub kinds: Vec<String>,
    /// Urgencies it applies to; empty: any.
    pub urgencies: Vec<String>,
    /// `received`, `violation_found` or `violation_recorded`.
    pub from_event: String,
    /// Events that meet it: `type` or `type:sub`; `sanctions_complete` when every violator of
    /// the record has a sanction.
    pub stop_events: Vec<String>,
    /// Events that start it again from their own date.
    pub restart_events: Vec<String>,
    /// Outcomes (by type) after which it keeps running.
    pub runs_after: Vec<String>,
    #[ts(type = "number")]
    pub amount: i64,
    /// `minutes`, `hours`, `days`, `working_days` or `months`.
    pub unit: String,
    /// The amount for a remote, isolated or island commune, where the law gives more time.
    #[ts(type = "number | null")]
    pub remote_amount: Option<i64>,
    /// The amount and unit when the starting event says the case is complex.
    #[ts(type = "number | null")]
    pub complex_amount: Option<i64>,
    pub complex_unit: Option<String>,
    pub extensions: Vec<Extension>,
    /// Unix seconds: the clock runs only for cases received from then on.
    #[ts(type = "number | null")]
    pub effective_from: Option<i64>,
    pub basis: String,
    pub label_vi: String,
}

pub(crate) const UNITS: &[&str] = &["minutes", "hours", "days", "working_days", "months"];
pub(crate) const FROM_EVENTS: &[&str] = &["received", "violation_found", "violation_recorded"];

fn list(s: Option<String>) -> Vec<String> {
    s.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn join(v: &[String]) -> Option<String> {
    (!v.is_empty()).then(|| v.join(","))
}

const RULE_COLS: &str = "code, applies_to, classes, kinds, urgencies, from_event, stop_events, restart_events, runs_after, \
     amount, unit, remote_amount, complex_amount, complex_unit, extensions, effective_from, basis, label_vi";

fn rule_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeadlineRule> {
    Ok(DeadlineRule {
        code: r.get(0)?,
        applies_to: r.get(1)?,
        classes: list(r.get(2)?),
        kinds: list(r.get(3)?),
        urgencies: list(r.get(4)?),
        from_event: r.get(5)?,
        stop_events: list(r.get(6)?),
        restart_events: list(r.get(7)?),
        runs_after: list(r.get(8)?),
        amount: r.get(9)?,
        unit: r.get(10)?,
        remote_amount: r.get(11)?,
        complex_amount: r.get(12)?,
        complex_unit: r.get(13)?,
        // A malformed list (hand-edited) extends nothing rather than stopping every case.
        extensions: serde_json::from_str(&r.get::<_, String>(14)?).unwrap_or_default(),
        effective_from: r.get(15)?,
        basis: r.get(16)?,
        label_vi: r.get(17)?,
    })
}

/// Every rule, in the order the case screen lists them.
pub(crate) fn load_rules(conn: &Connection) -> Result<Vec<DeadlineRule>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {RULE_COLS} FROM deadline_rules ORDER BY sort, code"
    ))?;
    let rows = st.query_map([], rule_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Which days are worked, for the working-day clocks: the calendar's days off (holidays, Tết,
/// swapped days) and its compensatory working Saturdays (see `holidays.rs`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    pub days_off: HashSet<NaiveDate>,
    pub workdays: HashSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        !weekend && !self.days_off.contains(&day)
    }
}

pub(crate) fn holidays(conn: &Connection) -> Result<Calendar> {
    let mut st = conn.prepare_cached("SELECT on_date, kind FROM holidays")?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut cal = Calendar::default();
    for row in rows {
        let (d, kind) = row?;
        // A malformed row cannot have come from `set_holiday`; skipping it beats stopping
        // every clock of the station.
        let Ok(d) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") else {
            continue;
        };
        if kind == "workday" {
            cal.workdays.insert(d);
        } else {
            cal.days_off.insert(d);
        }
    }
    Ok(cal)
}

pub(crate) fn station_remote(conn: &Connection, station: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT COALESCE((SELECT remote FROM stations WHERE code = ?1), 0)")?
        .query_row([station], |r| r.get(0))?)
}

/// Whether the investigation agency, not the station, sends the notices of receipt of a
/// transferred case (setting `notice_sender`: `station`, the default, or `agency`).
pub(crate) fn notices_by_agency(conn: &Connection) -> Result<bool> {
    let v: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'setting.notice_sender'")?
        .query_row([], |r| r.get(0))
        .ok();
    Ok(v.as_deref() == Some("agency"))
}

/// `amount` `unit` after `from` (unix seconds). Working days skip weekends and the holidays
/// of the calendar, and end at the close of the last day, Vietnam time; months are calendar
/// months in Vietnam time.
pub fn add(amount: i64, unit: &str, from: i64, calendar: &Calendar) -> i64 {
    let tz = vn_offset();
    match unit {
        "minutes" => from + amount * 60,
        "hours" => from + amount * 3600,
        "days" => from + amount * 86_400,
        "months" => {
            let start = vn_time(from);
            u32::try_from(amount)
                .ok()
                .and_then(|m| start.checked_add_months(Months::new(m)))
                .map_or(from + amount * 30 * 86_400, |d| d.timestamp())
        }
        _ => {
            let mut day = vn_time(from).date_naive();
            let mut left = amount;
            while left > 0 {
                day = day.succ_opt().unwrap_or(day);
                if calendar.is_working_day(day) {
                    left -= 1;
                }
            }
            let end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
            tz.from_local_datetime(&end)
                .single()
                .map_or(from + amount * 86_400, |d| d.timestamp())
        }
    }
}

/// What the clocks read of a case besides its events.
#[derive(Debug, Clone)]
pub(crate) struct CaseFacts {
    pub kind: Kind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub received_utc: i64,
    pub has_reporter: bool,
}

/// What the clocks read of the station and the register.
#[derive(Debug, Clone, Default)]
pub(crate) struct Setting<'a> {
    pub rules: &'a [DeadlineRule],
    pub holidays: Option<&'a Calendar>,
    pub remote: bool,
    pub notices_by_agency: bool,
    /// The province's dated versions of the rules; none before any arrived.
    pub versions: Option<&'a RuleVersions>,
}

/// A rule version's effective date and its fields, or None when it retires the rule.
type DatedVersion = (NaiveDate, Option<Map<String, Value>>);

/// The province's dated versions of the deadline rules (`reference_versions`), read once per
/// batch: a case keeps the version in force on the day it was received, and a case received
/// before the province's first version keeps the rule that version replaced.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleVersions {
    /// By rule code, oldest first.
    by_code: HashMap<String, Vec<DatedVersion>>,
    base: HashMap<String, Map<String, Value>>,
}

impl RuleVersions {
    /// None when the province has issued no rule version: every case uses the local rules.
    pub(crate) fn load(conn: &Connection) -> Result<Option<RuleVersions>> {
        // Migration 006 recomputes the clocks before 008 made the table.
        let table: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'reference_versions')",
            [],
            |r| r.get(0),
        )?;
        if !table {
            return Ok(None);
        }
        let versions = reference::versions(conn, Some("deadline_rule"))?;
        if versions.is_empty() {
            return Ok(None);
        }
        let mut out = RuleVersions::default();
        for v in versions {
            let Ok(day) = NaiveDate::parse_from_str(&v.effective_from, "%Y-%m-%d") else {
                continue;
            };
            if !out.base.contains_key(&v.key)
                && let Some(b) = reference::base_rule(conn, &v.key)?
            {
                out.base.insert(v.key.clone(), b);
            }
            out.by_code
                .entry(v.key)
                .or_default()
                .push((day, (!v.retired).then_some(v.value)));
        }
        Ok(Some(out))
    }

    /// `rule` as it applied to a case received at `received_utc`.
    fn rule_for(&self, rule: &DeadlineRule, received_utc: i64) -> DeadlineRule {
        let day = reference::vn_date(received_utc);
        let in_force = self.by_code.get(&rule.code).and_then(|vs| {
            vs.iter()
                .rev()
                .find(|(from, _)| *from <= day)
                .map(|(_, v)| v.as_ref())
        });
        let fields = match in_force {
            Some(Some(v)) => Some(v),
            // Before the first version, or retired: the rule the province's versions replaced.
            _ => self.base.get(&rule.code),
        };
        let mut r = rule.clone();
        if let Some(f) = fields {
            let int = |k: &str| f.get(k).and_then(Value::as_i64);
            let text = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_owned);
            if let Some(a) = int("amount") {
                r.amount = a;
            }
            if let Some(u) = text("unit").filter(|u| UNITS.contains(&u.as_str())) {
                r.unit = u;
            }
            if f.contains_key("remote_amount") {
                r.remote_amount = int("remote_amount");
            }
            if let Some(b) = text("basis") {
                r.basis = b;
            }
            if let Some(l) = text("label_vi") {
                r.label_vi = l;
            }
        }
        r
    }
}

/// `type` and, when it has one, `type:sub`: the outcome's type, the decision, the addressee.
fn names(e: &StoredEvent) -> (String, Option<String>) {
    let s = |k: &str| e.data.get(k).and_then(Value::as_str);
    let sub = match e.kind.as_str() {
        "outcome_recorded" => e
            .data
            .get("outcome")
            .and_then(|o| o.get("type"))
            .and_then(Value::as_str),
        "prosecution_decision" => s("decision"),
        "notice_sent" => s("to"),
        "resolution_extended" => s("step"),
        "classified" => s("class"),
        _ => None,
    };
    (e.kind.clone(), sub.map(|x| format!("{}:{x}", e.kind)))
}

/// Whether `n` is one of `list`: by its type, its `type:sub`, or `type:*` (any sub).
fn named(list: &[String], n: &(String, Option<String>)) -> bool {
    list.iter().any(|x| {
        *x == n.0
            || n.1.as_deref() == Some(x.as_str())
            || (n.1.is_some() && x.strip_suffix(":*") == Some(n.0.as_str()))
    })
}

/// When the event says the act happened: its own time field (`at_utc`, `occurred_utc`), or
/// the close of its `date` (but never after it was saved), or the time it was saved.
pub(crate) fn time_of(e: &StoredEvent) -> i64 {
    for k in ["at_utc", "occurred_utc"] {
        if let Some(t) = e.data.get(k).and_then(Value::as_i64) {
            return t;
        }
    }
    if let Some(d) = e
        .data
        .get("date")
        .and_then(Value::as_str)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        let end = d.and_hms_opt(23, 59, 59).unwrap_or_default();
        if let Some(t) = vn_offset().from_local_datetime(&end).single() {
            return t.timestamp().min(e.at_utc);
        }
    }
    e.at_utc
}

/// The case's class: its latest classification that gave one.
pub(crate) fn class_of(events: &[StoredEvent]) -> Option<CaseClass> {
    events
        .iter()
        .rev()
        .filter(|e| e.kind == "classified")
        .find_map(|e| e.data.get("class").and_then(Value::as_str))
        .and_then(CaseClass::parse)
}

#[derive(Debug, Clone)]
enum End {
    /// Met (or met late) by the act it waited for.
    Done(i64),
    /// Stopped by the case's closing.
    Closed(i64, String),
}

struct Run {
    start: i64,
    due: i64,
    end: Option<End>,
}

/// Whether `e` closes (or reopens) the case, seen from the clocks: `Some(true)` closes with a
/// reason, `Some(false)` reopens.
fn closing(e: &StoredEvent, open: bool, suspended: bool) -> Option<(bool, String, Option<String>)> {
    let n = names(e);
    match e.kind.as_str() {
        "outcome_recorded" => {
            let t = e
                .data
                .get("outcome")
                .and_then(|o| o.get("type"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some((true, "Vụ việc đã có kết quả".into(), t))
        }
        "merged" => Some((true, "Vụ việc đã gộp vào vụ khác".into(), None)),
        "imported" => {
            let closed = e
                .data
                .get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| !matches!(s, "received" | "verifying"));
            closed.then(|| (true, "Nhập từ sổ cũ, đã kết thúc".into(), None))
        }
        "reopened" | "reviewed_returned" => Some((false, String::new(), None)),
        // A decision ends a case the commune keeps; on a transferred case it is a record only.
        "prosecution_decision" if open => match n.1.as_deref() {
            Some("prosecution_decision:phuc_hoi") => None,
            Some(_) => Some((true, "Đã có quyết định giải quyết nguồn tin".into(), None)),
            None => None,
        },
        "prosecution_decision" => (suspended
            && n.1.as_deref() == Some("prosecution_decision:phuc_hoi"))
        .then(|| (false, String::new(), None)),
        _ => None,
    }
}

fn amount_for(rule: &DeadlineRule, remote: bool, complex: bool) -> (i64, &str) {
    if complex && let Some(a) = rule.complex_amount {
        return (a, rule.complex_unit.as_deref().unwrap_or(&rule.unit));
    }
    let a = if remote {
        rule.remote_amount.unwrap_or(rule.amount)
    } else {
        rule.amount
    };
    (a, &rule.unit)
}

fn applies(rule: &DeadlineRule, facts: &CaseFacts, class: Option<CaseClass>) -> bool {
    let has = |l: &[String], v: &str| l.is_empty() || l.iter().any(|x| x == v);
    has(&rule.kinds, facts.kind.as_str())
        && has(&rule.urgencies, facts.urgency.as_str())
        && (rule.classes.is_empty()
            || class.is_some_and(|c| rule.classes.iter().any(|x| x == c.as_str())))
        && rule.effective_from.is_none_or(|t| facts.received_utc >= t)
}

fn persons_of(e: &StoredEvent) -> BTreeSet<String> {
    e.data
        .get("persons")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// One rule's clock over the case's events; `None` when it does not apply or never started.
fn clock_of(
    rule: &DeadlineRule,
    set: &Setting<'_>,
    facts: &CaseFacts,
    events: &[StoredEvent],
    class: Option<CaseClass>,
    now: i64,
) -> Option<Clock> {
    if !applies(rule, facts, class) {
        return None;
    }
    let empty = Calendar::default();
    let hol = set.holidays.unwrap_or(&empty);
    let due_from = |start: i64, complex: bool| {
        let (a, u) = amount_for(rule, set.remote, complex);
        add(a, u, start, hol)
    };
    let from_receipt = rule.from_event == "received";
    let mut run = from_receipt.then(|| Run {
        start: facts.received_utc,
        due: due_from(facts.received_utc, false),
        end: None,
    });
    let mut open = true;
    let mut suspended = false;
    let mut reopened = false;
    let mut violators: BTreeSet<String> = BTreeSet::new();
    let mut sanctioned: BTreeSet<String> = BTreeSet::new();
    for e in events {
        let n = names(e);
        let close = closing(e, open, suspended);
        // An act recorded on a closed case (arriving by sync) starts nothing.
        if !from_receipt && e.kind == rule.from_event && open {
            let complex = e.data.get("complex").and_then(Value::as_bool) == Some(true);
            let start = time_of(e);
            run = Some(Run {
                start,
                due: due_from(start, complex),
                end: None,
            });
            if e.kind == "violation_recorded" {
                violators = persons_of(e);
                sanctioned.clear();
            }
            continue;
        }
        if e.kind == "sanction_decided"
            && let Some(p) = e.data.get("person").and_then(Value::as_str)
        {
            sanctioned.insert(p.to_owned());
        }
        if let Some(r) = run.as_mut() {
            if r.end.is_none() {
                let all_sanctioned = rule.stop_events.iter().any(|s| s == "sanctions_complete")
                    && e.kind == "sanction_decided"
                    && violators.is_subset(&sanctioned);
                if named(&rule.stop_events, &n) || all_sanctioned {
                    r.end = Some(End::Done(time_of(e).max(r.start)));
                } else if let Some(x) = rule
                    .extensions
                    .iter()
                    .find(|x| x.on == n.0 || n.1.as_deref() == Some(x.on.as_str()))
                {
                    let base = if x.from_due { r.due } else { r.start };
                    r.due = add(x.amount, &x.unit, base, hol).max(r.due);
                }
            } else if suspended && named(&rule.restart_events, &n) {
                let start = time_of(e);
                *r = Run {
                    start,
                    due: due_from(start, false),
                    end: None,
                };
            }
            if let Some((true, reason, outcome)) = &close {
                let keeps = outcome.as_ref().is_some_and(|o| {
                    rule.runs_after.contains(o) && !(set.notices_by_agency && o == "transferred")
                });
                if r.end.is_none() && !keeps {
                    r.end = Some(End::Closed(e.at_utc, reason.clone()));
                }
            }
            // Classified again, after a reopening, into a class this rule is for: the station
            // learns only now what it holds, so the rule's clock starts from here.
            if e.kind == "classified"
                && reopened
                && open
                && from_receipt
                && !rule.classes.is_empty()
                && matches!(r.end, Some(End::Closed(..)))
                && e.data
                    .get("class")
                    .and_then(Value::as_str)
                    .is_some_and(|c| rule.classes.iter().any(|x| x == c))
            {
                *r = Run {
                    start: e.at_utc,
                    due: due_from(e.at_utc, false),
                    end: None,
                };
            }
        }
        match close {
            Some((true, ..)) => {
                open = false;
                suspended = n.1.as_deref() == Some("prosecution_decision:tam_dinh_chi");
            }
            Some((false, ..)) => {
                open = true;
                suspended = false;
                reopened = true;
            }
            None => {}
        }
    }
    let r = run?;
    let mut c = Clock {
        rule: rule.code.clone(),
        label_vi: rule.label_vi.clone(),
        basis: rule.basis.clone(),
        started_at: vn_time(r.start),
        due_at: vn_time(r.due),
        state: ClockState::Running,
        ended_at: None,
        reason: None,
    };
    // No reporter to notify: an anonymous report, or a post seen on the Internet.
    if rule.stop_events.iter().any(|s| s == "notice_sent:reporter") && !facts.has_reporter {
        c.state = ClockState::Stopped;
        c.reason = Some(
            if matches!(facts.channel, Channel::Facebook | Channel::Zalo)
                && facts.kind == Kind::TinBao
            {
                "Nguồn tin là bài đăng trên mạng: không có người báo tin để thông báo."
            } else {
                "Người báo tin giấu tên: không có người để thông báo."
            }
            .into(),
        );
        return Some(c);
    }
    match r.end {
        Some(End::Done(t)) => {
            c.ended_at = Some(vn_time(t));
            c.state = if t <= r.due {
                ClockState::Met
            } else {
                ClockState::Late
            };
        }
        Some(End::Closed(t, reason)) => {
            c.ended_at = Some(vn_time(t));
            c.state = ClockState::Stopped;
            c.reason = Some(reason);
        }
        None if now > r.due => c.state = ClockState::Late,
        None => {}
    }
    Some(c)
}

/// Every clock of a case, in the rules' order.
pub(crate) fn compute(
    set: &Setting<'_>,
    facts: &CaseFacts,
    events: &[StoredEvent],
    now: i64,
) -> Vec<Clock> {
    let class = class_of(events);
    set.rules
        .iter()
        .filter_map(|r| match set.versions {
            Some(v) => clock_of(
                &v.rule_for(r, facts.received_utc),
                set,
                facts,
                events,
                class,
                now,
            ),
            None => clock_of(r, set, facts, events, class, now),
        })
        .collect()
}

/// The nearest clock still running (late or not): the case row's `deadline_utc` and
/// `deadline_rule`, which the lists, Today and the counts read.
pub(crate) fn nearest(clocks: &[Clock]) -> Option<(i64, String)> {
    clocks
        .iter()
        .filter(|c| {
            c.ended_at.is_none() && matches!(c.state, ClockState::Running | ClockState::Late)
        })
        .map(|c| (c.due_at.timestamp(), c.rule.clone()))
        .min()
}

/// Recomputes every case’s nearest clock: migration 006, and after a change of the rules, the
/// holidays or the notice setting.
pub(crate) fn recompute_all(conn: &Connection) -> Result<()> {
    recompute(conn, None)
}

/// Recomputes the nearest clock of one station's cases (its remote flag changed), or of all.
pub(crate) fn recompute(conn: &Connection, station: Option<&str>) -> Result<()> {
    let rules = load_rules(conn)?;
    let hol = holidays(conn)?;
    let by_agency = notices_by_agency(conn)?;
    let versions = RuleVersions::load(conn)?;
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(String, String, String, String, String, i64, bool)> = {
        let mut st = conn.prepare(
            "SELECT id, station, kind, urgency, channel, received_utc,
               EXISTS(SELECT 1 FROM reporters r WHERE r.case_id = c.id)
             FROM cases c WHERE ?1 IS NULL OR station = ?1",
        )?;
        st.query_map([station], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?
    };
    let mut remote: std::collections::HashMap<String, bool> = Default::default();
    let mut ev =
        conn.prepare("SELECT type, data, at_utc FROM events WHERE case_id = ?1 ORDER BY hlc, id")?;
    let mut upd =
        conn.prepare("UPDATE cases SET deadline_utc = ?2, deadline_rule = ?3 WHERE id = ?1")?;
    for (id, st, kind, urgency, channel, received_utc, has_reporter) in cases {
        let events: Vec<StoredEvent> = ev
            .query_map([&id], |r| {
                Ok(StoredEvent {
                    kind: r.get(0)?,
                    data: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or(Value::Null),
                    at_utc: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        let rem = match remote.get(&st) {
            Some(v) => *v,
            None => {
                let v = station_remote(conn, &st)?;
                remote.insert(st.clone(), v);
                v
            }
        };
        let facts = CaseFacts {
            kind: Kind::parse(&kind).unwrap_or(Kind::PhanAnh),
            urgency: Urgency::parse(&urgency).unwrap_or(Urgency::Normal),
            channel: Channel::parse(&channel).unwrap_or(Channel::WalkIn),
            received_utc,
            has_reporter,
        };
        let set = Setting {
            rules: &rules,
            holidays: Some(&hol),
            remote: rem,
            notices_by_agency: by_agency,
            versions: versions.as_ref(),
        };
        let n = nearest(&compute(&set, &facts, &events, now));
        upd.execute(params![id, n.as_ref().map(|x| x.0), n.map(|x| x.1)])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
