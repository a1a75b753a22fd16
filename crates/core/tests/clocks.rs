//! The clocks through the register: classification, the commune investigator's decisions and
//! their statistics, the remote flag, actions' real times (issue 14).
mod common;

use chrono::{Duration, Utc};
use common::*;
use tinbao_core::*;
use uuid::Uuid;

fn theft_hours_ago(h: i64) -> NewCase {
    let mut c = wheelies();
    c.kind = Kind::ToGiac;
    c.channel = Channel::WalkIn;
    c.category = "theft".into();
    c.summary = "Mất trộm xe máy".into();
    c.received_at = Some((Utc::now() - Duration::hours(h)).fixed_offset());
    c.reporter = Some(Reporter {
        name: Some("Nông Thị Hoa".into()),
        ..Default::default()
    });
    c
}

fn classify(class: CaseClass) -> Action {
    Action::Classify {
        kind: None,
        category: None,
        urgency: None,
        class: Some(class),
        agency: None,
    }
}

fn decision(d: ProsecutionDecision, no: &str) -> Action {
    Action::ProsecutionDecision {
        decision: d,
        number: no.into(),
        issuing_body: "Cơ quan CSĐT Công an tỉnh Thái Nguyên".into(),
        signatory: "Nguyễn Văn Trưởng".into(),
        date: None,
    }
}

fn rule_of(d: &CaseDetail, rule: &str) -> Option<Clock> {
    d.clocks.iter().find(|c| c.rule == rule).cloned()
}

/// Law 99/2025: a case kept at the commune is decided by its commune investigator; the
/// decisions change its state and are counted; a suspension waits for phục hồi.
#[test]
fn a_commune_investigator_resolves_a_case_kept_at_the_commune() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let id = s.intake(&off, theft_hours_ago(5)).unwrap().row.id;
    let d = s.act(&off, id, classify(CaseClass::CrimeCommune)).unwrap();
    assert!(
        d.deadline_rule.clone().unwrap().starts_with("notice_"),
        "3 working days come first"
    );
    let r = rule_of(&d, "crime_resolution").unwrap();
    assert_eq!(r.state, ClockState::Running);
    assert!(r.basis.contains("Điều 147"));
    assert!(rule_of(&d, "crime_transfer").is_none());

    // Not flagged: neither assigned nor allowed to decide.
    let err = s
        .act(&chief, id, Action::AssignInvestigator { user: off.user_id })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("chưa được ghi nhận là Điều tra viên"),
        "{err}"
    );
    assert!(matches!(
        s.act(&off, id, decision(ProsecutionDecision::KhoiTo, "1/QĐ")),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        s.set_investigator(&off, off.user_id, true),
        Err(Error::Forbidden { .. })
    ));
    s.set_investigator(&chief, off.user_id, true).unwrap();
    assert!(s.user(off.user_id).unwrap().unwrap().investigator);
    s.act(&chief, id, Action::AssignInvestigator { user: off.user_id })
        .unwrap();

    let today = Utc::now().date_naive();
    let extend = |step| Action::ExtendResolution {
        step,
        number: "2/QĐ-GH".into(),
        date: today,
    };
    let err = s
        .act(&off, id, extend(ResolutionStep::PlusTwoMonths))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("chỉ sau khi đã gia hạn đến 02 tháng"),
        "{err}"
    );
    let d = s.act(&off, id, extend(ResolutionStep::TwoMonths)).unwrap();
    let r = rule_of(&d, "crime_resolution").unwrap();
    assert_eq!(
        r.due_at.date_naive(),
        (r.started_at + chrono::Months::new(2)).date_naive()
    );

    let d = s
        .act(&off, id, decision(ProsecutionDecision::TamDinhChi, "3/QĐ"))
        .unwrap();
    assert_eq!(d.row.status, Status::Suspended);
    assert_eq!(d.row.deadline, None, "a suspended case runs no clock");
    let err = s
        .act(&chief, id, Action::Reopen { reason: "x".into() })
        .unwrap_err();
    assert!(err.to_string().contains("phục hồi"), "{err}");
    let d = s
        .act(&off, id, decision(ProsecutionDecision::PhucHoi, "4/QĐ"))
        .unwrap();
    assert_eq!(d.row.status, Status::Verifying);
    assert_eq!(
        rule_of(&d, "crime_resolution").unwrap().state,
        ClockState::Running
    );
    let d = s
        .act(&off, id, decision(ProsecutionDecision::KhoiTo, "5/QĐ"))
        .unwrap();
    assert_eq!(d.row.status, Status::Prosecuted);
    assert_eq!(
        rule_of(&d, "crime_resolution").unwrap().state,
        ClockState::Met
    );

    let (from, to) = (Utc::now().timestamp() - 86_400, Utc::now().timestamp() + 60);
    let st = s.stats(&chief, from, to).unwrap();
    let got: Vec<(String, u32)> = st
        .decisions
        .iter()
        .map(|c| (c.key.clone(), c.count))
        .collect();
    assert_eq!(
        got,
        [
            ("khoi_to".into(), 1),
            ("phuc_hoi".into(), 1),
            ("tam_dinh_chi".into(), 1)
        ]
    );
    assert!(
        st.by_status
            .iter()
            .any(|c| c.key == "prosecuted" && c.count == 1)
    );
    assert_eq!(st.open, 0);
    let audit = s.audit_log(&chief, 50).unwrap();
    assert!(audit.iter().any(|a| a.action == "investigator_set"));
}

/// A transferred case's decision is the agency's, recorded by the chief: its state stays.
#[test]
fn the_chief_records_a_transferred_cases_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let id = s.intake(&chief, theft_hours_ago(3)).unwrap().row.id;
    assert!(
        s.act(&chief, id, decision(ProsecutionDecision::KhoiTo, "1/QĐ"))
            .unwrap_err()
            .to_string()
            .contains("đã chuyển Cơ quan điều tra")
    );
    s.act(&chief, id, classify(CaseClass::CrimeTransfer))
        .unwrap();
    let d = s
        .act(
            &chief,
            id,
            Action::RecordOutcome {
                outcome: Outcome::Transferred {
                    to_agency: "Cơ quan CSĐT Công an tỉnh".into(),
                    note: None,
                    documents: vec![],
                },
            },
        )
        .unwrap();
    assert_eq!(
        rule_of(&d, "crime_transfer").unwrap().state,
        ClockState::Met
    );
    // The station still owes the notices after the transfer (setting `notice_sender`).
    assert!(d.deadline_rule.clone().unwrap().starts_with("notice_"));
    let d = s
        .act(&chief, id, decision(ProsecutionDecision::KhoiTo, "1/QĐ"))
        .unwrap();
    assert_eq!(d.row.status, Status::Transferred);
    for to in [NoticeTo::Vks, NoticeTo::Reporter] {
        s.act(
            &chief,
            id,
            Action::SendNotice {
                to,
                number: "7/TB".into(),
                date: Utc::now().date_naive(),
            },
        )
        .unwrap();
    }
    let d = s.case_detail(&chief, id).unwrap();
    assert_eq!(d.row.deadline, None);
    assert_eq!(
        rule_of(&d, "notice_reporter").unwrap().state,
        ClockState::Met
    );
}

/// TTLT 01/2017: a remote commune has 48 hours; the flag is set by the chief of that station
/// (or the province), audited, and moves the clocks at once.
#[test]
fn the_remote_flag_gives_48_hours_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let id = s.intake(&off, theft_hours_ago(30)).unwrap().row.id;
    let d = s.act(&off, id, classify(CaseClass::CrimeTransfer)).unwrap();
    assert!(d.row.overdue);
    let received = d.row.received_at.timestamp();
    assert_eq!(
        rule_of(&d, "crime_transfer").unwrap().due_at.timestamp(),
        received + 24 * 3600
    );
    assert!(matches!(
        s.set_station_remote(&off, BAC_KAN, true),
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        s.set_station_remote(&chief, TAN_AN, true),
        Err(Error::Forbidden { .. })
    ));
    assert!(!s.station_remote(BAC_KAN).unwrap());
    s.set_station_remote(&chief, BAC_KAN, true).unwrap();
    assert!(s.station_remote(BAC_KAN).unwrap());
    // Lists say which clock is the nearest.
    let row = &s.today(&off).unwrap().due[0];
    assert_eq!(row.deadline_rule.as_deref(), Some("crime_transfer"));
    assert_eq!(
        row.deadline_label.as_deref(),
        Some("Chuyển Cơ quan điều tra")
    );
    let d = s.case_detail(&off, id).unwrap();
    let c = rule_of(&d, "crime_transfer").unwrap();
    assert_eq!(c.due_at.timestamp(), received + 48 * 3600);
    assert_eq!(c.state, ClockState::Running);
    assert!(!d.row.overdue, "30 hours into a remote commune's 48");
    let audit = s.audit_log(&chief, 50).unwrap();
    assert!(audit.iter().any(|a| a.action == "station_remote_set"));
}

/// Actions carry their real time, entered by the officer: not in the future (five minutes of
/// clock difference allowed), not before receipt; the save time is kept too.
#[test]
fn an_actions_real_time_is_checked_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let id = s.intake(&off, theft_hours_ago(5)).unwrap().row.id;
    let step = |h: i64| Action::Step {
        text: "Khám nghiệm hiện trường".into(),
        occurred_at: Some((Utc::now() + Duration::hours(h)).fixed_offset()),
    };
    let err = s.act(&off, id, step(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Thời điểm thực hiện không được ở tương lai."
    );
    let err = s.act(&off, id, step(-6)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Thời điểm thực hiện không được trước thời điểm tiếp nhận tin báo."
    );
    let d = s.act(&off, id, step(-2)).unwrap();
    let e = d.events.last().unwrap();
    let real = e.data["occurred_utc"].as_i64().unwrap();
    assert!(
        e.at.timestamp() - real >= 2 * 3600 - 5,
        "the save time is kept beside it"
    );

    // The violation record names persons of the case.
    let err = s
        .act(
            &off,
            id,
            Action::RecordViolation {
                record_no: "1/BB".into(),
                at: Utc::now().fixed_offset(),
                complex: false,
                persons: vec![Uuid::now_v7()],
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("người liên quan"), "{err}");
}

/// Urgent (khẩn) and emergency (hỏa tốc) reports must be reported up: their clock runs in
/// minutes, tops Today, and the report with its real time meets it.
#[test]
fn an_emergency_report_must_be_reported_up_within_minutes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = theft_hours_ago(0);
    c.received_at = Some((Utc::now() - Duration::minutes(10)).fixed_offset());
    c.urgency = Urgency::Emergency;
    let d = s.intake(&chief, c).unwrap();
    assert_eq!(d.deadline_rule.as_deref(), Some("urgent_report_emergency"));
    assert!(d.row.due_soon);
    assert_eq!(s.today(&chief).unwrap().due[0].id, d.row.id);
    let d = s
        .act(
            &chief,
            d.row.id,
            Action::ReportUrgent {
                to: "Trực ban hình sự Công an tỉnh".into(),
                how: "Điện thoại".into(),
                at: (Utc::now() - Duration::minutes(5)).fixed_offset(),
            },
        )
        .unwrap();
    assert_eq!(
        rule_of(&d, "urgent_report_emergency").unwrap().state,
        ClockState::Met
    );
    assert_eq!(d.deadline_rule.as_deref(), Some("classify"));
}

/// The commune investigator flag reaches the station's other PCs, and the case's clocks are
/// the same there.
#[test]
fn the_investigator_flag_and_the_clocks_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, chief) = station(&dir, "a.db", BAC_KAN);
    let (mut b, _) = station(&dir, "b.db", BAC_KAN);
    let off = officer(&mut a, &chief);
    let id = a.intake(&off, theft_hours_ago(2)).unwrap().row.id;
    a.act(&off, id, classify(CaseClass::CrimeCommune)).unwrap();
    a.set_investigator(&chief, off.user_id, true).unwrap();
    let rep = b.apply_remote(&a.pending_changes(1000).unwrap()).unwrap();
    assert_eq!(rep.rejected, 0);
    assert!(b.user(off.user_id).unwrap().unwrap().investigator);
    let b_chief = b.login("truong", "matkhau-123").unwrap();
    let (da, db) = (
        a.case_detail(&chief, id).unwrap(),
        b.case_detail(&b_chief, id).unwrap(),
    );
    let rules = |d: &CaseDetail| {
        d.clocks
            .iter()
            .map(|c| (c.rule.clone(), c.due_at, c.state))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&da), rules(&db));
    assert_eq!(da.row.deadline, db.row.deadline);
}

/// A holiday the calendar gains moves the working-day clocks at once, in the lists too; the
/// notice setting decides whether a transfer stops the notices.
#[test]
fn a_new_holiday_and_the_notice_setting_move_the_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    // The shipped calendar has National Day 2025: take it out to see it come back.
    let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 9, d).unwrap();
    for d in [1, 2] {
        s.remove_holiday(&chief, day(d)).unwrap();
    }
    let mut c = theft_hours_ago(0);
    c.received_at =
        Some(chrono::DateTime::parse_from_rfc3339("2025-08-29T17:00:00+07:00").unwrap());
    let id = s.intake(&chief, c).unwrap().row.id;
    s.act(&chief, id, classify(CaseClass::CivilDispute))
        .unwrap();
    let due = |s: &Store| {
        rule_of(&s.case_detail(&chief, id).unwrap(), "notice_vks")
            .unwrap()
            .due_at
            .to_rfc3339()
    };
    assert_eq!(due(&s), "2025-09-03T23:59:59+07:00");
    for d in [1, 2] {
        s.set_holiday(
            &chief,
            tinbao_core::holidays::Holiday {
                date: day(d),
                name: "Quốc khánh".into(),
                kind: tinbao_core::holidays::HolidayKind::DayOff,
                basis: "Bộ luật Lao động 2019, Điều 112".into(),
            },
        )
        .unwrap();
    }
    assert_eq!(due(&s), "2025-09-05T23:59:59+07:00");
    let row = s.case_detail(&chief, id).unwrap().row;
    assert_eq!(
        row.deadline,
        Some(
            chrono::DateTime::parse_from_rfc3339("2025-09-05T23:59:59+07:00")
                .unwrap()
                .timestamp()
        )
    );
    s.act(&chief, id, classify(CaseClass::CrimeTransfer))
        .unwrap();
    s.act(
        &chief,
        id,
        Action::RecordOutcome {
            outcome: Outcome::Transferred {
                to_agency: "CQĐT".into(),
                note: None,
                documents: vec![],
            },
        },
    )
    .unwrap();
    assert!(s.case_detail(&chief, id).unwrap().row.deadline.is_some());
    assert!(s.set_setting(&chief, "notice_sender", "tinh").is_err());
    s.set_setting(&chief, "notice_sender", "agency").unwrap();
    assert_eq!(s.case_detail(&chief, id).unwrap().row.deadline, None);
}

/// The procuracy the printed notices of receipt are addressed to: a chief's setting, a real
/// name, kept trimmed; an officer cannot change it.
#[test]
fn the_procuracy_of_the_notices_is_a_chiefs_setting() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let officer = officer(&mut s, &chief);
    let m = match s.set_setting(&chief, "vks_name", "  ") {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(m.contains("Viện kiểm sát"), "{m}");
    assert!(s.set_setting(&chief, "vks_name", &"x".repeat(201)).is_err());
    assert!(matches!(
        s.set_setting(&officer, "vks_name", "Viện kiểm sát nhân dân khu vực 2"),
        Err(Error::Forbidden { .. })
    ));
    s.set_setting(
        &chief,
        "vks_name",
        " Viện kiểm sát nhân dân khu vực 2 - Thái Nguyên ",
    )
    .unwrap();
    assert_eq!(
        s.setting("vks_name").unwrap().as_deref(),
        Some("Viện kiểm sát nhân dân khu vực 2 - Thái Nguyên")
    );
}
