//! One test per rule of `shared/domain/legal-process.md` §2, §3 (the clocks) and §6, each with
//! the legal example it encodes, over the rules as migration 006 ships them.
use super::*;
use chrono::DateTime;
use proptest::prelude::*;
use serde_json::json;

/// The shipped rules: the schema's SQL (001, 002, 005 and 006; 003 and 004 touch neither
/// rules nor cases) on a bare in-memory database.
fn rules() -> Vec<DeadlineRule> {
    let c = Connection::open_in_memory().unwrap();
    for sql in [
        include_str!("../migrations/001_init.sql"),
        include_str!("../migrations/002_defaults.sql"),
        include_str!("../migrations/005_holiday_calendar.sql"),
        include_str!("../migrations/006_clocks.sql"),
    ] {
        c.execute_batch(sql).unwrap();
    }
    load_rules(&c).unwrap()
}

fn t(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

fn ev(kind: &str, data: Value, at: &str) -> StoredEvent {
    StoredEvent {
        kind: kind.into(),
        data,
        at_utc: t(at),
    }
}

fn facts(kind: Kind, urgency: Urgency, channel: Channel, received: &str) -> CaseFacts {
    CaseFacts {
        kind,
        urgency,
        channel,
        received_utc: t(received),
        has_reporter: true,
    }
}

struct Case {
    facts: CaseFacts,
    events: Vec<StoredEvent>,
    remote: bool,
    by_agency: bool,
    holidays: Calendar,
}

impl Case {
    fn new(facts: CaseFacts) -> Case {
        let at = vn_time(facts.received_utc).to_rfc3339();
        Case {
            events: vec![ev(
                "created",
                json!({ "received_utc": facts.received_utc }),
                &at,
            )],
            facts,
            remote: false,
            by_agency: false,
            holidays: Calendar::default(),
        }
    }
    fn with(mut self, kind: &str, data: Value, at: &str) -> Case {
        self.events.push(ev(kind, data, at));
        self
    }
    fn classified(self, class: &str, at: &str) -> Case {
        self.with("classified", json!({ "class": class }), at)
    }
    fn clocks(&self, now: &str) -> Vec<Clock> {
        let rules = rules();
        let set = Setting {
            rules: &rules,
            holidays: Some(&self.holidays),
            remote: self.remote,
            notices_by_agency: self.by_agency,
            versions: None,
        };
        compute(&set, &self.facts, &self.events, t(now))
    }
}

fn get<'a>(clocks: &'a [Clock], rule: &str) -> Option<&'a Clock> {
    clocks.iter().find(|c| c.rule == rule)
}

fn state(clocks: &[Clock], rule: &str) -> Option<ClockState> {
    get(clocks, rule).map(|c| c.state)
}

fn due(clocks: &[Clock], rule: &str) -> String {
    get(clocks, rule).unwrap().due_at.to_rfc3339()
}

fn tin_bao(received: &str) -> CaseFacts {
    facts(Kind::TinBao, Urgency::Normal, Channel::Hotline, received)
}

/// §2 "Pass it on": an unclassified report shows "chưa phân loại" after the station's time,
/// never a false transfer deadline; classified for transfer, the 24 hours run from receipt.
#[test]
fn an_unclassified_report_shows_the_classification_clock_not_a_transfer_deadline() {
    let case = Case::new(tin_bao("2025-10-01T08:00:00+07:00"));
    let c = case.clocks("2025-10-01T21:00:00+07:00");
    assert_eq!(state(&c, "classify"), Some(ClockState::Late));
    assert_eq!(due(&c, "classify"), "2025-10-01T20:00:00+07:00");
    assert!(
        get(&c, "classify")
            .unwrap()
            .basis
            .contains("Mặc định của đơn vị")
    );
    assert_eq!(state(&c, "crime_transfer"), None);
    let c = case
        .classified("crime_transfer", "2025-10-01T10:00:00+07:00")
        .clocks("2025-10-01T21:00:00+07:00");
    assert_eq!(state(&c, "classify"), Some(ClockState::Met));
    assert_eq!(state(&c, "crime_transfer"), Some(ClockState::Running));
    assert_eq!(due(&c, "crime_transfer"), "2025-10-02T08:00:00+07:00");
    assert_eq!(
        nearest(&c).unwrap(),
        (t("2025-10-02T08:00:00+07:00"), "crime_transfer".into())
    );
}

/// §2: a commune in a remote, isolated or island area has up to 48 hours (TTLT 01/2017).
#[test]
fn a_remote_communes_transfer_is_running_at_47_hours_and_late_at_49() {
    let mut case = Case::new(tin_bao("2025-10-01T08:00:00+07:00"))
        .classified("crime_transfer", "2025-10-01T09:00:00+07:00");
    assert_eq!(
        state(&case.clocks("2025-10-02T09:00:00+07:00"), "crime_transfer"),
        Some(ClockState::Late),
        "25 hours in an ordinary commune"
    );
    case.remote = true;
    assert_eq!(
        state(&case.clocks("2025-10-03T07:00:00+07:00"), "crime_transfer"),
        Some(ClockState::Running)
    );
    assert_eq!(
        state(&case.clocks("2025-10-03T09:00:00+07:00"), "crime_transfer"),
        Some(ClockState::Late)
    );
    let transferred = case.with(
        "outcome_recorded",
        json!({"outcome": {"type": "transferred", "to_agency": "CQĐT Công an tỉnh"}}),
        "2025-10-02T20:00:00+07:00",
    );
    let c = transferred.clocks("2025-10-03T09:00:00+07:00");
    assert_eq!(state(&c, "crime_transfer"), Some(ClockState::Met));
}

/// Seed story 1 (the wheelies): a Facebook post about traffic-order offences, classified as
/// an administrative violation, shows no transfer clock the next day; the reporter notice
/// does not apply to a post.
#[test]
fn the_wheelies_classified_admin_violation_show_no_transfer_clock_the_next_day() {
    let mut f = facts(
        Kind::TinBao,
        Urgency::Normal,
        Channel::Facebook,
        "2025-09-29T21:15:00+07:00",
    );
    f.has_reporter = false;
    let c = Case::new(f)
        .classified("admin_violation", "2025-09-29T22:00:00+07:00")
        .clocks("2025-09-30T22:00:00+07:00");
    assert_eq!(state(&c, "crime_transfer"), None);
    assert_eq!(state(&c, "crime_resolution"), None);
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Running));
    let r = get(&c, "notice_reporter").unwrap();
    assert_eq!(r.state, ClockState::Stopped);
    assert!(r.reason.as_deref().unwrap().contains("bài đăng"));
    assert_eq!(nearest(&c).unwrap().1, "notice_vks");
}

/// §2: another agency's matter (unexploded ordnance: the military engineers) runs no crime
/// clock; a tố giác's notices still run, whatever its class (§6).
#[test]
fn a_bomb_classified_other_agency_shows_no_crime_clock() {
    let f = facts(
        Kind::ToGiac,
        Urgency::Normal,
        Channel::WalkIn,
        "2025-11-03T09:00:00+07:00",
    );
    let c = Case::new(f)
        .classified("other_agency", "2025-11-03T09:30:00+07:00")
        .clocks("2025-11-04T12:00:00+07:00");
    for crime in ["crime_transfer", "crime_resolution"] {
        assert_eq!(state(&c, crime), None, "{crime}");
    }
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Running));
    assert_eq!(state(&c, "notice_reporter"), Some(ClockState::Running));
}

/// §6 notices: 3 working days (TTLT 01/2017 Art. 14(1)). Received Friday 29 August 2025 at
/// 17:00, before the National Day holiday (Monday 1 and Tuesday 2 September in the
/// calendar): Wednesday 3, Thursday 4, Friday 5 September.
#[test]
fn a_notice_due_skips_the_weekend_and_the_holiday_the_calendar_has() {
    let mut case = Case::new(facts(
        Kind::ToGiac,
        Urgency::Normal,
        Channel::WalkIn,
        "2025-08-29T17:00:00+07:00",
    ));
    let c = case.clocks("2025-08-30T08:00:00+07:00");
    assert_eq!(due(&c, "notice_vks"), "2025-09-03T23:59:59+07:00");
    for d in [(2025, 9, 1), (2025, 9, 2)] {
        case.holidays
            .days_off
            .insert(NaiveDate::from_ymd_opt(d.0, d.1, d.2).unwrap());
    }
    let c = case.clocks("2025-08-30T08:00:00+07:00");
    assert_eq!(due(&c, "notice_vks"), "2025-09-05T23:59:59+07:00");
    assert_eq!(due(&c, "notice_reporter"), "2025-09-05T23:59:59+07:00");
}

/// §6 notices: each notice stops its own clock, met when dated on time and late when not.
#[test]
fn notices_are_stopped_by_notice_sent_to_their_party() {
    let c = Case::new(facts(
        Kind::ToGiac,
        Urgency::Normal,
        Channel::WalkIn,
        "2025-10-06T09:00:00+07:00",
    ))
    .with(
        "notice_sent",
        json!({"to": "vks", "number": "12/TB", "date": "2025-10-08"}),
        "2025-10-08T10:00:00+07:00",
    )
    .with(
        "notice_sent",
        json!({"to": "reporter", "number": "13/TB", "date": "2025-10-10"}),
        "2025-10-10T10:00:00+07:00",
    )
    .clocks("2025-10-12T10:00:00+07:00");
    assert_eq!(due(&c, "notice_vks"), "2025-10-09T23:59:59+07:00");
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Met));
    assert_eq!(state(&c, "notice_reporter"), Some(ClockState::Late));
}

/// §6: who sends the notices after a transfer is a setting. The station (default) still owes
/// them; when the agency sends them, the transfer stops them.
#[test]
fn after_a_transfer_the_notices_run_unless_the_agency_sends_them() {
    let mut case = Case::new(tin_bao("2025-10-06T09:00:00+07:00"))
        .classified("crime_transfer", "2025-10-06T10:00:00+07:00")
        .with(
            "outcome_recorded",
            json!({"outcome": {"type": "transferred", "to_agency": "CQĐT"}}),
            "2025-10-06T20:00:00+07:00",
        );
    let c = case.clocks("2025-10-07T10:00:00+07:00");
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Running));
    assert_eq!(state(&c, "classify"), Some(ClockState::Met));
    case.by_agency = true;
    let c = case.clocks("2025-10-07T10:00:00+07:00");
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Stopped));
    assert_eq!(nearest(&c), None);
}

/// §6 urgent reports (Circular 28/2020 as amended by Circular 129/2021): hỏa tốc within
/// minutes, khẩn within hours, met by the urgent report to the higher level.
#[test]
fn an_urgent_report_clock_runs_in_minutes_and_is_met_by_the_report() {
    let f = |u| {
        facts(
            Kind::ToGiac,
            u,
            Channel::Hotline,
            "2025-06-17T22:40:00+07:00",
        )
    };
    let c = Case::new(f(Urgency::Emergency)).clocks("2025-06-17T22:50:00+07:00");
    assert_eq!(
        due(&c, "urgent_report_emergency"),
        "2025-06-17T23:10:00+07:00"
    );
    assert!(
        get(&c, "urgent_report_emergency")
            .unwrap()
            .basis
            .contains("cần xác nhận")
    );
    assert_eq!(state(&c, "urgent_report"), None);
    assert_eq!(nearest(&c).unwrap().1, "urgent_report_emergency");
    let on_time = Case::new(f(Urgency::Emergency)).with(
        "urgent_reported",
        json!({"to": "Trực ban CQĐT tỉnh", "how": "điện thoại", "at_utc": t("2025-06-17T22:55:00+07:00")}),
        "2025-06-17T23:30:00+07:00",
    );
    let c = on_time.clocks("2025-06-18T08:00:00+07:00");
    assert_eq!(state(&c, "urgent_report_emergency"), Some(ClockState::Met));
    assert_eq!(
        get(&c, "urgent_report_emergency")
            .unwrap()
            .ended_at
            .unwrap()
            .to_rfc3339(),
        "2025-06-17T22:55:00+07:00",
        "the real time of the report, not when it was saved"
    );
    let c = Case::new(f(Urgency::Urgent)).clocks("2025-06-17T23:40:00+07:00");
    assert_eq!(state(&c, "urgent_report"), Some(ClockState::Running));
    assert_eq!(due(&c, "urgent_report"), "2025-06-18T00:40:00+07:00");
    assert_eq!(
        state(
            &Case::new(f(Urgency::Normal)).clocks("2025-06-18T08:00:00+07:00"),
            "urgent_report"
        ),
        None
    );
}

/// §2, §6 (BLTTHS Art. 147, Law 99/2025): a crime report the commune investigator resolves:
/// 20 days, extended to 2 months from receipt, then by 2 more months; met by a decision.
#[test]
fn the_resolution_limit_is_20_days_then_2_months_then_2_more() {
    let case = Case::new(tin_bao("2026-01-05T09:00:00+07:00"))
        .classified("crime_commune", "2026-01-05T10:00:00+07:00");
    let c = case.clocks("2026-01-10T09:00:00+07:00");
    assert_eq!(due(&c, "crime_resolution"), "2026-01-25T09:00:00+07:00");
    assert_eq!(state(&c, "crime_transfer"), None);
    let case = case.with(
        "resolution_extended",
        json!({"step": "two_months", "number": "01/QĐ", "date": "2026-01-20"}),
        "2026-01-20T09:00:00+07:00",
    );
    assert_eq!(
        due(
            &case.clocks("2026-02-01T09:00:00+07:00"),
            "crime_resolution"
        ),
        "2026-03-05T09:00:00+07:00"
    );
    let case = case.with(
        "resolution_extended",
        json!({"step": "plus_two_months", "number": "02/QĐ", "date": "2026-03-01"}),
        "2026-03-01T09:00:00+07:00",
    );
    let c = case.clocks("2026-04-01T09:00:00+07:00");
    assert_eq!(due(&c, "crime_resolution"), "2026-05-05T09:00:00+07:00");
    assert_eq!(state(&c, "crime_resolution"), Some(ClockState::Running));
    let c = case
        .with(
            "prosecution_decision",
            json!({"decision": "khoi_to", "number": "05/QĐ", "date": "2026-04-20"}),
            "2026-04-20T15:00:00+07:00",
        )
        .clocks("2026-06-01T09:00:00+07:00");
    assert_eq!(state(&c, "crime_resolution"), Some(ClockState::Met));
    assert_eq!(nearest(&c), None, "the decision ends the commune's case");
}

/// §2 (Art. 148, 149): a suspension stops the resolution limit; a decision to resume
/// restarts it from the decision's date, and nothing else.
#[test]
fn phuc_hoi_restarts_the_resolution_limit_from_its_date() {
    let c = Case::new(tin_bao("2026-01-05T09:00:00+07:00"))
        .classified("crime_commune", "2026-01-05T10:00:00+07:00")
        .with(
            "prosecution_decision",
            json!({"decision": "tam_dinh_chi", "number": "03/QĐ", "date": "2026-01-15"}),
            "2026-01-15T10:00:00+07:00",
        )
        .with(
            "prosecution_decision",
            json!({"decision": "phuc_hoi", "number": "04/QĐ", "date": "2026-03-02"}),
            "2026-03-03T08:00:00+07:00",
        )
        .clocks("2026-03-10T09:00:00+07:00");
    let r = get(&c, "crime_resolution").unwrap();
    assert_eq!(r.state, ClockState::Running);
    assert_eq!(r.started_at.to_rfc3339(), "2026-03-02T23:59:59+07:00");
    assert_eq!(r.due_at.to_rfc3339(), "2026-03-22T23:59:59+07:00");
    assert_eq!(state(&c, "notice_vks"), Some(ClockState::Stopped));
    assert_eq!(nearest(&c).unwrap().1, "crime_resolution");
}

/// §3, §6 (Decree 118/2021 as amended by Decree 68/2025): the violation record within 3
/// working days of finding the violation, 5 when complex; met by the record.
#[test]
fn the_violation_record_clock_runs_from_the_finding() {
    let found = |complex: bool| {
        Case::new(facts(
            Kind::PhanAnh,
            Urgency::Normal,
            Channel::Patrol,
            "2025-10-06T20:00:00+07:00",
        ))
        .classified("admin_violation", "2025-10-06T21:00:00+07:00")
        .with(
            "violation_found",
            json!({"at_utc": t("2025-10-07T08:00:00+07:00"), "complex": complex}),
            "2025-10-07T09:00:00+07:00",
        )
    };
    let c = found(false).clocks("2025-10-08T08:00:00+07:00");
    assert_eq!(
        get(&c, "admin_record").unwrap().started_at.to_rfc3339(),
        "2025-10-07T08:00:00+07:00"
    );
    assert_eq!(due(&c, "admin_record"), "2025-10-10T23:59:59+07:00");
    assert_eq!(
        due(
            &found(true).clocks("2025-10-08T08:00:00+07:00"),
            "admin_record"
        ),
        "2025-10-14T23:59:59+07:00"
    );
    assert_eq!(state(&c, "admin_decision"), None, "no record yet");
    // Noise reported (a phản ánh) with no violation found: no record clock at all.
    let quiet = Case::new(facts(
        Kind::PhanAnh,
        Urgency::Normal,
        Channel::Zalo,
        "2025-10-06T20:00:00+07:00",
    ))
    .classified("civil_dispute", "2025-10-06T21:00:00+07:00")
    .clocks("2025-10-20T08:00:00+07:00");
    assert_eq!(state(&quiet, "admin_record"), None);
    assert_eq!(nearest(&quiet), None);
}

/// §3 (Law on Handling Administrative Violations Art. 66): the decision within 7 days of the
/// record, 1 month when complex, +30 days extension; met when every violator named in the
/// record has a sanction.
#[test]
fn the_decision_clock_waits_for_every_violator() {
    let (a, b) = (
        "0190aaaa-0000-7000-8000-00000000000a",
        "0190aaaa-0000-7000-8000-00000000000b",
    );
    let recorded = |complex: bool| {
        Case::new(facts(Kind::TinBao, Urgency::Normal, Channel::Facebook, "2025-09-29T21:15:00+07:00"))
            .classified("admin_violation", "2025-09-29T22:00:00+07:00")
            .with("violation_found", json!({"at_utc": t("2025-09-30T08:00:00+07:00"), "complex": false}), "2025-09-30T08:00:00+07:00")
            .with(
                "violation_recorded",
                json!({"record_no": "12/BB", "at_utc": t("2025-10-01T09:00:00+07:00"), "complex": complex, "persons": [a, b]}),
                "2025-10-01T10:00:00+07:00",
            )
    };
    let c = recorded(false).clocks("2025-10-02T08:00:00+07:00");
    assert_eq!(state(&c, "admin_record"), Some(ClockState::Met));
    assert_eq!(due(&c, "admin_decision"), "2025-10-08T09:00:00+07:00");
    assert_eq!(
        due(
            &recorded(true).clocks("2025-10-02T08:00:00+07:00"),
            "admin_decision"
        ),
        "2025-11-01T09:00:00+07:00"
    );
    let extended = recorded(true).with(
        "decision_extended",
        json!({"reason": "xác minh", "days": 30}),
        "2025-10-25T09:00:00+07:00",
    );
    assert_eq!(
        due(
            &extended.clocks("2025-10-26T08:00:00+07:00"),
            "admin_decision"
        ),
        "2025-12-01T09:00:00+07:00"
    );
    let one = recorded(false).with(
        "sanction_decided",
        json!({"person": a}),
        "2025-10-03T09:00:00+07:00",
    );
    assert_eq!(
        state(&one.clocks("2025-10-04T08:00:00+07:00"), "admin_decision"),
        Some(ClockState::Running)
    );
    let both = one.with(
        "sanction_decided",
        json!({"person": b}),
        "2025-10-04T09:00:00+07:00",
    );
    let c = both.clocks("2025-10-05T08:00:00+07:00");
    assert_eq!(state(&c, "admin_decision"), Some(ClockState::Met));
    // The sanction recorded as the case's outcome meets it too.
    let closed = recorded(false).with(
        "outcome_recorded",
        json!({"outcome": {"type": "sanctioned", "record_no": "12/BB", "decision_no": "3/QĐ", "fine_vnd": 0, "decided_by": "x"}}),
        "2025-10-05T09:00:00+07:00",
    );
    assert_eq!(
        state(
            &closed.clocks("2025-10-06T08:00:00+07:00"),
            "admin_decision"
        ),
        Some(ClockState::Met)
    );
}

/// Closing stops every clock; reopening restarts nothing by itself (the law's limits run from
/// receipt); classifying for transfer after the reopening starts the transfer clock from then.
#[test]
fn reopening_restarts_only_what_the_law_restarts() {
    let closed = Case::new(tin_bao("2025-10-01T08:00:00+07:00"))
        .classified("crime_transfer", "2025-10-01T09:00:00+07:00")
        .with(
            "outcome_recorded",
            json!({"outcome": {"type": "unfounded", "reason": "x"}}),
            "2025-10-01T12:00:00+07:00",
        );
    let c = closed.clocks("2025-10-05T08:00:00+07:00");
    assert!(c.iter().all(|c| c.state != ClockState::Running), "{c:?}");
    assert_eq!(state(&c, "crime_transfer"), Some(ClockState::Stopped));
    let reopened = closed.with(
        "reopened",
        json!({"reason": "tin mới"}),
        "2025-10-10T08:00:00+07:00",
    );
    let c = reopened.clocks("2025-10-10T09:00:00+07:00");
    assert_eq!(
        nearest(&c),
        None,
        "no fresh 24 hours from the reopening: {c:?}"
    );
    let c = reopened
        .classified("crime_transfer", "2025-10-10T10:00:00+07:00")
        .clocks("2025-10-10T11:00:00+07:00");
    assert_eq!(state(&c, "crime_transfer"), Some(ClockState::Running));
    assert_eq!(due(&c, "crime_transfer"), "2025-10-11T10:00:00+07:00");
}

/// Cases imported closed from an older register run no clock.
#[test]
fn an_imported_closed_case_runs_no_clock() {
    let c = Case::new(tin_bao("2024-03-01T08:00:00+07:00"))
        .with(
            "imported",
            json!({"status": "transferred"}),
            "2025-10-01T08:00:00+07:00",
        )
        .clocks("2025-10-01T09:00:00+07:00");
    assert_eq!(nearest(&c), None);
}

#[test]
fn months_and_minutes_add_in_vietnam_time() {
    let h = Calendar::default();
    let from = t("2026-01-31T09:00:00+07:00");
    assert_eq!(
        vn_time(add(1, "months", from, &h)).to_rfc3339(),
        "2026-02-28T09:00:00+07:00"
    );
    assert_eq!(add(30, "minutes", from, &h), from + 1800);
}

#[derive(Debug, Clone)]
enum Step {
    Classify(&'static str),
    Notice(&'static str),
    Urgent,
    Found,
    Record,
    Close,
    Reopen,
}

proptest! {
    /// Whatever happened before, a case whose last word is a closing outcome (not a transfer,
    /// after which the station may still owe its notices) has no running clock.
    #[test]
    fn a_closed_case_has_no_running_clock(steps in proptest::collection::vec(prop_oneof![
        prop_oneof![Just("crime_transfer"), Just("crime_commune"), Just("admin_violation"), Just("not_police")].prop_map(Step::Classify),
        prop_oneof![Just("vks"), Just("reporter")].prop_map(Step::Notice),
        Just(Step::Urgent), Just(Step::Found), Just(Step::Record), Just(Step::Close), Just(Step::Reopen)], 0..12),
        urgency in prop_oneof![Just(Urgency::Normal), Just(Urgency::Urgent), Just(Urgency::Emergency)]) {
        let mut case = Case::new(facts(Kind::ToGiac, urgency, Channel::Hotline, "2025-10-01T08:00:00+07:00"));
        let mut open = true;
        for (i, s) in steps.iter().enumerate() {
            let at = vn_time(t("2025-10-01T09:00:00+07:00") + i as i64 * 3600);
            let at_s = at.to_rfc3339();
            let data = match s {
                Step::Classify(c) => ("classified", json!({"class": c})),
                Step::Notice(to) => ("notice_sent", json!({"to": to, "date": at.format("%Y-%m-%d").to_string()})),
                Step::Urgent => ("urgent_reported", json!({"at_utc": at.timestamp()})),
                Step::Found => ("violation_found", json!({"at_utc": at.timestamp(), "complex": false})),
                Step::Record => ("violation_recorded", json!({"at_utc": at.timestamp(), "persons": []})),
                Step::Close => { open = false; ("outcome_recorded", json!({"outcome": {"type": "mediated", "note": "x"}})) }
                Step::Reopen => { open = true; ("reopened", json!({"reason": "r"})) }
            };
            case = case.with(data.0, data.1, &at_s);
        }
        let c = case.clocks("2025-10-02T08:00:00+07:00");
        if !open {
            prop_assert_eq!(nearest(&c), None, "{:?}", c);
        }
    }
}
