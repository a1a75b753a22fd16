//! The six seed stories of `shared/scenarios/seed-stories.md`, each worked through as the
//! station would do it in the app, one step at a time (issue 14). After every step the test
//! says the case's status and every clock of the case screen (its rule and its state), with
//! why; after the last step, the period's statistics.
//!
//! Times are relative to now (a case received "5 hours ago"), so that a clock still running,
//! met or late reads the same on any day. The legal time limits (legal-process.md):
//! - `urgent_report_emergency` 30 minutes / `urgent_report` 2 hours from receipt, for hỏa tốc /
//!   khẩn cases, met by the urgent report to the higher level;
//! - `classify` 12 hours from receipt (the station's default), met by a classification;
//! - `crime_transfer` 24 hours from receipt, only for a crime report classified "to transfer";
//! - `notice_vks`, `notice_reporter` 3 working days from receipt, for every tố giác and tin
//!   báo, owed even after a transfer; the reporter's does not apply (stopped) with no reporter;
//! - `admin_record` 3 working days from the violation found, `admin_decision` 7 days from the
//!   violation record, met when every violator of the record has a decision.
mod common;

use chrono::{DateTime, Duration, FixedOffset, Months, NaiveDate, Utc};
use common::*;
use tinbao_core::ClockState::{Late, Met, Running, Stopped};
use tinbao_core::stats::{Count, Stats};
use tinbao_core::*;
use uuid::Uuid;

// ---- The steps' vocabulary -------------------------------------------------------------------

fn hours_ago(h: i64) -> DateTime<FixedOffset> {
    (Utc::now() - Duration::hours(h)).fixed_offset()
}

fn minutes_ago(m: i64) -> DateTime<FixedOffset> {
    (Utc::now() - Duration::minutes(m)).fixed_offset()
}

/// Today in Vietnam: the date written on notices and decisions.
fn today() -> NaiveDate {
    Utc::now().with_timezone(&time::vn_offset()).date_naive()
}

/// A date of birth that makes the person `years` old (and two months) today.
fn born_years_ago(years: u32) -> String {
    (today() - Months::new(years * 12 + 2))
        .format("%Y-%m-%d")
        .to_string()
}

fn person(role: PersonRole, name: &str, birth_date: Option<String>) -> NewPerson {
    NewPerson {
        role,
        name: name.into(),
        birth_year: None,
        id_number: None,
        phone: None,
        address: None,
        birth_date,
        guardian_of: None,
        guardian_of_index: None,
    }
}

fn reporter(name: &str, phone: &str, address: &str) -> Option<Reporter> {
    Some(Reporter {
        name: Some(name.into()),
        phone: Some(phone.into()),
        address: Some(address.into()),
        id_number: None,
    })
}

fn step(text: &str, at: DateTime<FixedOffset>) -> Action {
    Action::Step {
        text: text.into(),
        occurred_at: Some(at),
    }
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

fn notice(to: NoticeTo, number: &str) -> Action {
    Action::SendNotice {
        to,
        number: number.into(),
        date: today(),
    }
}

fn transfer() -> Action {
    Action::RecordOutcome {
        outcome: Outcome::Transferred {
            to_agency: "Cơ quan Cảnh sát điều tra Công an tỉnh".into(),
            note: None,
            documents: vec![],
        },
    }
}

/// The commune police chief's decision for one violator, dated today.
fn decision(
    person: Uuid,
    form: SanctionForm,
    fine_vnd: i64,
    adult_fine_vnd: Option<i64>,
    payer: Option<Uuid>,
    sector: &str,
    decision_no: &str,
) -> Action {
    Action::Sanction {
        person,
        form,
        fine_vnd,
        adult_fine_vnd,
        sector: sector.into(),
        decider_name: "Nguyễn Văn Trưởng".into(),
        decider_title: "commune_police_chief".into(),
        decision_no: decision_no.into(),
        decided_on: today().format("%Y-%m-%d").to_string(),
        payer,
    }
}

fn sanctioned(record_no: &str) -> Action {
    Action::RecordOutcome {
        outcome: Outcome::Sanctioned {
            record_no: record_no.into(),
            decision_no: None,
            fine_vnd: None,
            decided_by: None,
            note: None,
        },
    }
}

fn refusal(r: Result<CaseDetail>) -> String {
    match r {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected a refusal, got {:?}", other.map(|c| c.row.status)),
    }
}

// ---- What is checked after each step ---------------------------------------------------------

/// The case screen after a step: its status and every clock, as (rule, state), in the screen's
/// order (urgent report, classification, transfer, resolution, notices, VPHC record, decision).
#[track_caller]
fn expect(d: &CaseDetail, status: Status, clocks: &[(&str, ClockState)]) {
    assert_eq!(d.row.status, status, "status");
    let got: Vec<(&str, ClockState)> = d
        .clocks
        .iter()
        .map(|c| (c.rule.as_str(), c.state))
        .collect();
    assert_eq!(got, clocks, "clocks (rule, state)");
}

/// The period around the stories: from a week ago to a minute from now, as a chief looks at
/// "so far". Sanction decisions carry a date, not a time; today's must count in a period
/// that ends today (they once did not).
fn period_stats(s: &Store, a: &Actor) -> Stats {
    let now = Utc::now().timestamp();
    s.stats(a, now - 7 * 86_400, now + 60).unwrap()
}

fn counts(v: &[Count]) -> Vec<(&str, u32)> {
    v.iter().map(|c| (c.key.as_str(), c.count)).collect()
}

/// The breakdowns every story's statistics share: one case received, of this kind, channel,
/// category and final status, none open and none overdue.
#[track_caller]
fn expect_one_case(st: &Stats, kind: &str, channel: &str, category: &str, status: &str) {
    assert_eq!(st.received, 1);
    assert_eq!(counts(&st.by_kind), [(kind, 1)]);
    assert_eq!(counts(&st.by_channel), [(channel, 1)]);
    assert_eq!(counts(&st.by_category), [(category, 1)]);
    assert_eq!(counts(&st.by_status), [(status, 1)]);
    assert_eq!(st.open, 0, "the case is closed");
    assert_eq!(st.overdue, 0, "no clock of the case still runs");
    assert!(st.decisions.is_empty(), "no khởi tố/không khởi tố decision");
}

// ---- Story 1 ---------------------------------------------------------------------------------

/// Story 1, the wheelies seen on Facebook: a tin báo from a post, two minors (15 and 17) and
/// the 17-year-old's guardian; verified, an administrative violation, a warning for the
/// 15-year-old and half the adult fine for the 17-year-old, paid by his guardian; closed.
#[test]
fn story_1_wheelies_seen_on_facebook() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "bac-kan.db", BAC_KAN);
    let off = officer(&mut s, &chief);

    // Intake: the officer on duty saw the post six hours ago. A tin báo from a post has no
    // reporter to notify.
    let mut new = wheelies();
    new.received_at = Some(hours_ago(6));
    new.occurred = None;
    new.persons = vec![
        person(
            PersonRole::Suspect,
            "Lý Văn Thắng",
            Some(born_years_ago(15)),
        ),
        person(
            PersonRole::Suspect,
            "Hoàng Văn Tùng",
            Some(born_years_ago(17)),
        ),
    ];
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    let (fifteen, seventeen) = (d.persons[0].id, d.persons[1].id);
    assert_eq!(d.row.kind, Kind::TinBao);
    assert_eq!(d.row.channel, Channel::Facebook);
    assert!(!d.has_reporter);
    assert_eq!(d.persons[0].minor, Some(MinorBand::From14To16));
    assert_eq!(d.persons[1].minor, Some(MinorBand::From16To18));
    expect(
        &d,
        Status::Received,
        &[
            // 6 h of the 12 h to classify.
            ("classify", Running),
            // 3 working days to notify the procuracy.
            ("notice_vks", Running),
            // A post seen on the Internet: no reporter to notify.
            ("notice_reporter", Stopped),
        ],
    );
    assert!(d.clocks[2].reason.as_deref().unwrap().contains("bài đăng"));
    // Not classified yet, so no 24 h transfer clock on a traffic matter.
    assert!(d.clocks.iter().all(|c| c.rule != "crime_transfer"));

    // The screenshot of the video.
    let png = [0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];
    let d = s
        .add_attachment(&off, id, "anh-chup-video-facebook.png", &png)
        .unwrap();
    assert_eq!(d.attachments.len(), 1);
    let after_intake = [
        ("classify", Running),
        ("notice_vks", Running),
        ("notice_reporter", Stopped),
    ];
    expect(&d, Status::Received, &after_intake);

    // The chief assigns the officer; the officer starts verifying. Nothing is met yet.
    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    assert_eq!(d.row.assignee, Some(off.user_id));
    expect(&d, Status::Received, &after_intake);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &after_intake);

    // Verification: the video is checked and the two boys identified, four hours ago.
    let d = s
        .act(
            &off,
            id,
            step(
                "Xác minh video, xác định 02 thanh thiếu niên điều khiển xe",
                hours_ago(4),
            ),
        )
        .unwrap();
    expect(&d, Status::Verifying, &after_intake);

    // Classified an administrative violation, 6 h after receipt: the classification is met
    // (within 12 h), and no transfer clock starts (not a crime to transfer).
    let d = s
        .act(&off, id, classify(CaseClass::AdminViolation))
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Running),
            ("notice_reporter", Stopped),
        ],
    );

    // The notice of receipt to the procuracy, today: within 3 working days, met.
    let d = s.act(&off, id, notice(NoticeTo::Vks, "01/TB-CAP")).unwrap();
    let notices_done = [
        ("classify", Met),
        ("notice_vks", Met),
        ("notice_reporter", Stopped),
    ];
    expect(&d, Status::Verifying, &notices_done);

    // The violation was found three hours ago, when the boys came in: the VPHC record's
    // 3 working days start.
    let d = s
        .act(
            &off,
            id,
            Action::ViolationFound {
                at: hours_ago(3),
                complex: false,
            },
        )
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Met),
            ("notice_reporter", Stopped),
            ("admin_record", Running),
        ],
    );

    // The 17-year-old's father comes with them and is recorded as his guardian.
    let mut father = guardian_of(seventeen);
    father.name = "Hoàng Văn Sáng".into();
    let d = s.add_person(&off, id, father).unwrap();
    let guardian = d.persons[2].id;
    assert_eq!(d.persons[2].guardian_of, Some(seventeen));

    // The record, an hour ago, names both boys: the record is met (2 h after the violation
    // was found) and the decision's 7 days start.
    let d = s
        .act(
            &off,
            id,
            Action::RecordViolation {
                record_no: "01/BB-VPHC".into(),
                at: hours_ago(1),
                complex: false,
                persons: vec![fifteen, seventeen],
            },
        )
        .unwrap();
    let decision_running = [
        ("classify", Met),
        ("notice_vks", Met),
        ("notice_reporter", Stopped),
        ("admin_record", Met),
        ("admin_decision", Running),
    ];
    expect(&d, Status::Verifying, &decision_running);

    // The 15-year-old: a fine is refused (14 to under 16: a warning only); a warning is
    // decided. One of the two violators has a decision: the decision clock still runs.
    let m = refusal(s.act(
        &chief,
        id,
        decision(
            fifteen,
            SanctionForm::Fine,
            8_000_000,
            Some(8_000_000),
            Some(guardian),
            "road_traffic",
            "01/QĐ-XPHC",
        ),
    ));
    assert!(
        m.contains("từ đủ 14 đến dưới 16 tuổi") && m.contains("cảnh cáo"),
        "{m}"
    );
    let d = s
        .act(
            &chief,
            id,
            decision(
                fifteen,
                SanctionForm::Warning,
                0,
                None,
                None,
                "road_traffic",
                "01/QĐ-XPHC",
            ),
        )
        .unwrap();
    expect(&d, Status::Verifying, &decision_running);

    // The 17-year-old: the adult level is 8,000,000 đ; more than half is refused, half is
    // decided, paid by his guardian. Both violators decided: the decision clock is met.
    let m = refusal(s.act(
        &chief,
        id,
        decision(
            seventeen,
            SanctionForm::Fine,
            8_000_000,
            Some(8_000_000),
            Some(guardian),
            "road_traffic",
            "02/QĐ-XPHC",
        ),
    ));
    assert!(m.contains("tối đa 4.000.000 đ"), "{m}");
    let d = s
        .act(
            &chief,
            id,
            decision(
                seventeen,
                SanctionForm::Fine,
                4_000_000,
                Some(8_000_000),
                Some(guardian),
                "road_traffic",
                "02/QĐ-XPHC",
            ),
        )
        .unwrap();
    let all_met = [
        ("classify", Met),
        ("notice_vks", Met),
        ("notice_reporter", Stopped),
        ("admin_record", Met),
        ("admin_decision", Met),
    ];
    expect(&d, Status::Verifying, &all_met);

    // The chief closes it: sanctioned, the decisions and the total derived from them.
    let d = s.act(&chief, id, sanctioned("01/BB-VPHC")).unwrap();
    expect(&d, Status::Sanctioned, &all_met);
    assert_eq!(d.row.deadline, None);
    match &d.outcome {
        Some(Outcome::Sanctioned {
            fine_vnd,
            decision_no,
            ..
        }) => {
            assert_eq!(*fine_vnd, Some(4_000_000));
            assert_eq!(decision_no.as_deref(), Some("01/QĐ-XPHC, 02/QĐ-XPHC"));
        }
        o => panic!("{o:?}"),
    }

    // Searching without diacritics finds it.
    for q in ["boc dau", "lang lach"] {
        assert!(text_search(&s, &chief, q).iter().any(|r| r.id == id), "{q}");
    }

    // The period: one tin báo from Facebook on traffic order, sanctioned; two decisions (one
    // warning), 4,000,000 đ in fines, both by the commune police chief.
    let st = period_stats(&s, &chief);
    expect_one_case(&st, "tin_bao", "facebook", "traffic_order", "sanctioned");
    assert_eq!((st.sanctions, st.fines_vnd), (1, 4_000_000));
    let f = &st.sanction_decisions;
    assert_eq!((f.decisions, f.warnings, f.fines_vnd), (2, 1, 4_000_000));
    assert_eq!(f.by_title.len(), 1);
    assert_eq!(
        (f.by_title[0].title.as_str(), f.by_title[0].decisions),
        ("commune_police_chief", 2)
    );
}

// ---- Story 2 ---------------------------------------------------------------------------------

/// Story 2, armed teenagers gathering at night: a hỏa tốc tố giác through the mobile police's
/// page, the reporter confidential; reported up within minutes, actions logged minute by
/// minute, minors flagged, a drug test positive; transferred, the notices still owed and sent.
#[test]
fn story_2_armed_teenagers_gathering_at_night() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "bmt.db", BAC_KAN);
    let off = officer(&mut s, &chief);

    // Intake, 20 minutes after the message came in.
    let new = NewCase {
        received_at: Some(minutes_ago(20)),
        channel: Channel::Facebook,
        channel_ref: Some("Tin nhắn tới trang Facebook của Cảnh sát cơ động".into()),
        kind: Kind::ToGiac,
        category: "affray".into(),
        urgency: Urgency::Emergency,
        summary: "Hơn 20 thanh thiếu niên mang hung khí tụ tập".into(),
        description: "Hơn 20 thanh thiếu niên 15–18 tuổi mang dao, mã tấu tụ tập tại bãi đất trống gần trường mầm non để giải quyết mâu thuẫn.".into(),
        location: Location {
            commune: Some(BAC_KAN.into()),
            hamlet: Some("Bãi đất trống gần trường mầm non".into()),
            ..Default::default()
        },
        occurred: Some("khoảng 22 giờ".into()),
        reporter: reporter("Y Blao Niê", "0912345678", "Buôn Ko Siêr"),
        persons: vec![
            person(PersonRole::Suspect, "Nguyễn Minh Hiếu", Some(born_years_ago(18))),
            person(PersonRole::Suspect, "Trần Văn Nam", Some(born_years_ago(17))),
            person(PersonRole::Suspect, "Lê Quốc Bảo", Some(born_years_ago(16))),
            person(PersonRole::Suspect, "Phạm Đức Huy", Some(born_years_ago(15))),
        ],
        receipt: Default::default(),
    };
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    // The minors are flagged by their age; the 18-year-old is not a minor.
    let bands: Vec<_> = d.persons.iter().map(|p| p.minor).collect();
    assert_eq!(
        bands,
        [
            None,
            Some(MinorBand::From16To18),
            Some(MinorBand::From16To18),
            Some(MinorBand::From14To16)
        ]
    );
    // The reporter is recorded but confidential: nowhere in what the screen reads.
    assert!(d.has_reporter);
    assert!(!serde_json::to_string(&d).unwrap().contains("Y Blao"));
    expect(
        &d,
        Status::Received,
        &[
            // Hỏa tốc: 20 of the 30 minutes to report up.
            ("urgent_report_emergency", Running),
            ("classify", Running),
            ("notice_vks", Running),
            // A tố giác with a reporter: the reporter is owed a notice too.
            ("notice_reporter", Running),
        ],
    );
    assert_eq!(d.deadline_rule.as_deref(), Some("urgent_report_emergency"));

    // Reported up by telephone 10 minutes after receipt: met.
    let d = s
        .act(
            &off,
            id,
            Action::ReportUrgent {
                to: "Trực ban hình sự Công an tỉnh".into(),
                how: "Điện thoại".into(),
                at: minutes_ago(10),
            },
        )
        .unwrap();
    let reported = [
        ("urgent_report_emergency", Met),
        ("classify", Running),
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Received, &reported);

    // The chief assigns; the officer logs what was done, minute by minute.
    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    expect(&d, Status::Received, &reported);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &reported);
    for (text, m) in [
        ("Tổ công tác có mặt tại hiện trường", 8),
        ("Khống chế, tạm giữ 04 đối tượng, thu 03 dao, 02 mã tấu", 6),
        ("Test nhanh ma túy: 01 đối tượng dương tính", 3),
    ] {
        let d = s.act(&off, id, step(text, minutes_ago(m))).unwrap();
        expect(&d, Status::Verifying, &reported);
    }
    let d = s.case_detail(&off, id).unwrap();
    let steps: Vec<_> = d.events.iter().filter(|e| e.kind == "step").collect();
    assert_eq!(steps.len(), 3);
    assert!(steps[2].data["text"].as_str().unwrap().contains("ma túy"));

    // Signs of a crime, to transfer: classified within 12 h (met); the 24 h transfer clock runs.
    let d = s.act(&off, id, classify(CaseClass::CrimeTransfer)).unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("urgent_report_emergency", Met),
            ("classify", Met),
            ("crime_transfer", Running),
            ("notice_vks", Running),
            ("notice_reporter", Running),
        ],
    );

    // Transferred 20 minutes after receipt, with what was seized: met. The notices still run:
    // the station owes them after a transfer (setting `notice_sender`, default `station`).
    let seized = vec![
        "Biên bản tiếp nhận số 1/2020/BB-TNTB".to_owned(),
        "07 dao, 03 mã tấu thu giữ tại hiện trường".to_owned(),
        "Kết quả test nhanh ma túy của 01 đối tượng".to_owned(),
    ];
    let d = s
        .act(
            &chief,
            id,
            Action::RecordOutcome {
                outcome: Outcome::Transferred {
                    to_agency: "Cơ quan Cảnh sát điều tra Công an tỉnh".into(),
                    note: None,
                    documents: seized.clone(),
                },
            },
        )
        .unwrap();
    assert!(
        matches!(&d.outcome, Some(Outcome::Transferred { documents, .. }) if *documents == seized),
        "the documents and objects sent with the report are kept: {:?}",
        d.outcome
    );
    expect(
        &d,
        Status::Transferred,
        &[
            ("urgent_report_emergency", Met),
            ("classify", Met),
            ("crime_transfer", Met),
            ("notice_vks", Running),
            ("notice_reporter", Running),
        ],
    );
    assert!(d.deadline_rule.as_deref().unwrap().starts_with("notice_"));

    // Both notices sent today, within 3 working days: met; nothing is left running.
    s.act(&off, id, notice(NoticeTo::Vks, "02/TB-CAP")).unwrap();
    let d = s
        .act(&off, id, notice(NoticeTo::Reporter, "03/TB-CAP"))
        .unwrap();
    expect(
        &d,
        Status::Transferred,
        &[
            ("urgent_report_emergency", Met),
            ("classify", Met),
            ("crime_transfer", Met),
            ("notice_vks", Met),
            ("notice_reporter", Met),
        ],
    );
    assert_eq!(d.row.deadline, None);

    // The period: one tố giác from Facebook, an affray, transferred; no sanction.
    let st = period_stats(&s, &chief);
    expect_one_case(&st, "to_giac", "facebook", "affray", "transferred");
    assert_eq!((st.sanctions, st.fines_vnd), (0, 0));
    assert_eq!(st.sanction_decisions.decisions, 0);
}

// ---- Story 3 ---------------------------------------------------------------------------------

/// Story 3, a bomb found while digging: a khẩn tin báo by Zalo, reported up, the site secured,
/// another agency's matter (the military engineers), resolved otherwise.
#[test]
fn story_3_a_bomb_found_while_digging() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "ea-kpam.db", BAC_KAN);
    let off = officer(&mut s, &chief);

    let new = NewCase {
        received_at: Some(minutes_ago(40)),
        channel: Channel::Zalo,
        channel_ref: Some("Nhóm Zalo Thôn 7".into()),
        kind: Kind::TinBao,
        category: "uxo".into(),
        urgency: Urgency::Urgent,
        summary: "Phát hiện quả bom khi đào đất".into(),
        description: "Người dân đào đất làm móng nhà phát hiện một quả bom còn nguyên.".into(),
        location: Location {
            commune: Some(BAC_KAN.into()),
            hamlet: Some("Thôn 7".into()),
            address: Some("Vườn nhà ông Đặng Văn Khải".into()),
            lat: Some(12.745),
            lon: Some(108.131),
        },
        occurred: None,
        reporter: reporter("Đặng Văn Khải", "0987654321", "Thôn 7"),
        persons: vec![],
        receipt: Default::default(),
    };
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    assert_eq!(d.location.lat, Some(12.745));
    let fresh = [
        // Khẩn: 40 minutes of the 2 hours to report up.
        ("urgent_report", Running),
        ("classify", Running),
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Received, &fresh);
    assert_eq!(d.deadline_rule.as_deref(), Some("urgent_report"));

    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    expect(&d, Status::Received, &fresh);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &fresh);

    // Reported up 20 minutes after receipt: met.
    let d = s
        .act(
            &off,
            id,
            Action::ReportUrgent {
                to: "Trực ban Công an tỉnh".into(),
                how: "Điện thoại".into(),
                at: minutes_ago(20),
            },
        )
        .unwrap();
    let reported = [
        ("urgent_report", Met),
        ("classify", Running),
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Verifying, &reported);
    let d = s
        .act(
            &off,
            id,
            step(
                "Phong tỏa, cắm biển cảnh báo khu vực, sơ tán người dân",
                minutes_ago(15),
            ),
        )
        .unwrap();
    expect(&d, Status::Verifying, &reported);

    // Another agency's matter: the agency must be named; no transfer clock follows.
    let m = refusal(s.act(&off, id, classify(CaseClass::OtherAgency)));
    assert!(m.contains("cơ quan có thẩm quyền"), "{m}");
    let d = s
        .act(
            &off,
            id,
            Action::Classify {
                kind: None,
                category: None,
                urgency: None,
                class: Some(CaseClass::OtherAgency),
                agency: Some("Công binh – Bộ Chỉ huy quân sự tỉnh".into()),
            },
        )
        .unwrap();
    let classified = [
        ("urgent_report", Met),
        // Classified 40 minutes after receipt.
        ("classify", Met),
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Verifying, &classified);

    // The notices of receipt, today: met.
    s.act(&off, id, notice(NoticeTo::Vks, "04/TB-CAP")).unwrap();
    let d = s
        .act(&off, id, notice(NoticeTo::Reporter, "05/TB-CAP"))
        .unwrap();
    let all_met = [
        ("urgent_report", Met),
        ("classify", Met),
        ("notice_vks", Met),
        ("notice_reporter", Met),
    ];
    expect(&d, Status::Verifying, &all_met);

    // Handed to the engineers, who destroy it: resolved otherwise.
    let d = s
        .act(
            &chief,
            id,
            Action::RecordOutcome {
                outcome: Outcome::ResolvedOther {
                    note: "Bàn giao Công binh, đã hủy nổ an toàn".into(),
                },
            },
        )
        .unwrap();
    expect(&d, Status::ResolvedOther, &all_met);
    assert_eq!(d.row.deadline, None);

    let st = period_stats(&s, &chief);
    expect_one_case(&st, "tin_bao", "zalo", "uxo", "resolved_other");
    assert_eq!((st.sanctions, st.fines_vnd), (0, 0));
}

// ---- Story 4 ---------------------------------------------------------------------------------

/// Story 4, fake news about Covid-19: a tin báo from a Facebook post; the poster identified, an
/// administrative violation in information technology, fined by the commune police chief.
#[test]
fn story_4_fake_news_about_covid() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "cu-mgar.db", BAC_KAN);
    let off = officer(&mut s, &chief);

    let new = NewCase {
        received_at: Some(hours_ago(8)),
        channel: Channel::Facebook,
        channel_ref: Some("Bài đăng trên tài khoản Facebook “Mai Tran”".into()),
        kind: Kind::TinBao,
        category: "fake_news".into(),
        urgency: Urgency::Normal,
        summary: "Bịa đặt thông tin người thân nhiễm Covid-19".into(),
        description:
            "Tài khoản Facebook đăng tin người thân nhiễm Covid-19, gây hoang mang dư luận.".into(),
        location: Location {
            commune: Some(BAC_KAN.into()),
            ..Default::default()
        },
        occurred: None,
        reporter: None,
        persons: vec![person(
            PersonRole::Suspect,
            "Trần Thị Mai",
            Some("1990-04-12".into()),
        )],
        receipt: Default::default(),
    };
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    let mai = d.persons[0].id;
    assert_eq!(d.persons[0].minor, None);
    let fresh = [
        // 8 h of the 12 h to classify.
        ("classify", Running),
        ("notice_vks", Running),
        // A post: no reporter to notify.
        ("notice_reporter", Stopped),
    ];
    expect(&d, Status::Received, &fresh);
    assert_eq!(
        d.channel_ref.as_deref(),
        Some("Bài đăng trên tài khoản Facebook “Mai Tran”")
    );

    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    expect(&d, Status::Received, &fresh);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &fresh);
    let d = s
        .act(
            &off,
            id,
            step(
                "Xác định chủ tài khoản, mời lên làm việc; đương sự thừa nhận bịa đặt",
                hours_ago(5),
            ),
        )
        .unwrap();
    expect(&d, Status::Verifying, &fresh);

    // An administrative violation, classified 8 h after receipt: met.
    let d = s
        .act(&off, id, classify(CaseClass::AdminViolation))
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Running),
            ("notice_reporter", Stopped),
        ],
    );
    let d = s.act(&off, id, notice(NoticeTo::Vks, "06/TB-CAP")).unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Met),
            ("notice_reporter", Stopped),
        ],
    );

    // The violation found when she admitted it (5 h ago): the record's clock runs.
    let d = s
        .act(
            &off,
            id,
            Action::ViolationFound {
                at: hours_ago(5),
                complex: false,
            },
        )
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Met),
            ("notice_reporter", Stopped),
            ("admin_record", Running),
        ],
    );

    // The record, 2 h ago: met (3 h after the violation was found); the decision's 7 days run.
    let d = s
        .act(
            &off,
            id,
            Action::RecordViolation {
                record_no: "02/BB-VPHC".into(),
                at: hours_ago(2),
                complex: false,
                persons: vec![mai],
            },
        )
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("notice_vks", Met),
            ("notice_reporter", Stopped),
            ("admin_record", Met),
            ("admin_decision", Running),
        ],
    );

    // An officer may not decide a sanction; the chief fines her 10,000,000 đ (within the
    // chief's cap of half the 100,000,000 đ maximum of the sector). The decision is met.
    assert!(matches!(
        s.act(
            &off,
            id,
            decision(
                mai,
                SanctionForm::Fine,
                10_000_000,
                None,
                None,
                "information_technology",
                "03/QĐ-XPHC"
            ),
        ),
        Err(Error::Forbidden { .. })
    ));
    let d = s
        .act(
            &chief,
            id,
            decision(
                mai,
                SanctionForm::Fine,
                10_000_000,
                None,
                None,
                "information_technology",
                "03/QĐ-XPHC",
            ),
        )
        .unwrap();
    let all_met = [
        ("classify", Met),
        ("notice_vks", Met),
        ("notice_reporter", Stopped),
        ("admin_record", Met),
        ("admin_decision", Met),
    ];
    expect(&d, Status::Verifying, &all_met);

    let d = s.act(&chief, id, sanctioned("02/BB-VPHC")).unwrap();
    expect(&d, Status::Sanctioned, &all_met);
    assert_eq!(d.row.deadline, None);

    let st = period_stats(&s, &chief);
    expect_one_case(&st, "tin_bao", "facebook", "fake_news", "sanctioned");
    assert_eq!((st.sanctions, st.fines_vnd), (1, 10_000_000));
    let f = &st.sanction_decisions;
    assert_eq!((f.decisions, f.warnings, f.fines_vnd), (1, 0, 10_000_000));
}

// ---- Story 5 ---------------------------------------------------------------------------------

/// Story 5, online fraud: a tố giác by Zalo, received 30 hours ago on the duty desk and
/// entered now. Classified and transferred late, and the register says so; the notices are
/// still within their 3 working days.
#[test]
fn story_5_online_fraud_transferred_late() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "buon-ho.db", BAC_KAN);
    let off = officer(&mut s, &chief);

    let new = NewCase {
        received_at: Some(hours_ago(30)),
        channel: Channel::Zalo,
        channel_ref: Some("Zalo Công an phường".into()),
        kind: Kind::ToGiac,
        category: "online_fraud".into(),
        urgency: Urgency::Normal,
        summary: "Tố giác lừa đảo qua mạng xã hội".into(),
        description: "Bị lừa chuyển 45.000.000 đồng cho tài khoản giả danh nhân viên ngân hàng trên Facebook.".into(),
        location: Location {
            commune: Some(BAC_KAN.into()),
            hamlet: Some("Tổ dân phố 4".into()),
            ..Default::default()
        },
        occurred: None,
        reporter: reporter("Phạm Thu Hà", "0905111222", "Tổ dân phố 4"),
        persons: vec![person(PersonRole::Victim, "Phạm Thu Hà", None)],
        receipt: Default::default(),
    };
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    let unclassified = [
        // 30 h after receipt and still not classified: past the 12 h.
        ("classify", Late),
        // 3 working days end no earlier than 3 calendar days after receipt.
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Received, &unclassified);
    assert!(d.row.overdue);

    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    expect(&d, Status::Received, &unclassified);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &unclassified);
    let d = s
        .act(
            &off,
            id,
            step("Lấy lời khai bị hại, thu sao kê chuyển khoản", hours_ago(1)),
        )
        .unwrap();
    expect(&d, Status::Verifying, &unclassified);

    // Classified to transfer, 30 h after receipt: the classification is met late, and the
    // 24 h transfer clock, counted from receipt, is already past its due time.
    let d = s.act(&off, id, classify(CaseClass::CrimeTransfer)).unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Late),
            ("crime_transfer", Late),
            ("notice_vks", Running),
            ("notice_reporter", Running),
        ],
    );
    assert!(
        d.clocks[0].ended_at.is_some(),
        "the late classification is done"
    );
    assert!(d.clocks[1].ended_at.is_none(), "the transfer is still owed");
    assert_eq!(d.deadline_rule.as_deref(), Some("crime_transfer"));

    // The notices, today: within 3 working days, met.
    s.act(&off, id, notice(NoticeTo::Vks, "07/TB-CAP")).unwrap();
    let d = s
        .act(&off, id, notice(NoticeTo::Reporter, "08/TB-CAP"))
        .unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Late),
            ("crime_transfer", Late),
            ("notice_vks", Met),
            ("notice_reporter", Met),
        ],
    );

    // Transferred 30 h after receipt: 6 h past the 24 h, recorded as late.
    let d = s.act(&chief, id, transfer()).unwrap();
    let done = [
        ("classify", Late),
        ("crime_transfer", Late),
        ("notice_vks", Met),
        ("notice_reporter", Met),
    ];
    expect(&d, Status::Transferred, &done);
    assert!(d.clocks[1].ended_at.is_some());
    assert_eq!(d.row.deadline, None);
    assert!(!d.row.overdue);

    let st = period_stats(&s, &chief);
    expect_one_case(&st, "to_giac", "zalo", "online_fraud", "transferred");
    assert_eq!((st.sanctions, st.fines_vnd), (0, 0));
    let h = st.median_hours_to_outcome.unwrap();
    assert!((29.9..30.1).contains(&h), "{h}");
}

// ---- Story 6 ---------------------------------------------------------------------------------

/// Story 6, gambling at Tân An market: a tin báo by the hotline; the group caught in the act;
/// transferred within the 24 h, then the notices sent.
#[test]
fn story_6_gambling_at_tan_an_market() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "tan-an.db", TAN_AN);
    let off = officer(&mut s, &chief);

    let new = NewCase {
        received_at: Some(hours_ago(5)),
        channel: Channel::Hotline,
        channel_ref: None,
        kind: Kind::TinBao,
        category: "gambling".into(),
        urgency: Urgency::Normal,
        summary: "Đánh bạc tại chợ Tân An".into(),
        description: "Nhóm người tụ tập đánh bạc ăn tiền tại khu chợ Tân An.".into(),
        location: Location {
            commune: Some(TAN_AN.into()),
            hamlet: Some("Khu chợ Tân An".into()),
            ..Default::default()
        },
        occurred: None,
        reporter: reporter("Lê Văn Bình", "0935000111", "Khu chợ Tân An"),
        persons: vec![
            person(
                PersonRole::Suspect,
                "Võ Quốc Hưng",
                Some("1985-02-14".into()),
            ),
            person(PersonRole::Suspect, "Đỗ Văn Tài", Some("1979-11-03".into())),
        ],
        receipt: Default::default(),
    };
    let d = s.intake(&off, new).unwrap();
    let id = d.row.id;
    let fresh = [
        // 5 h of the 12 h to classify.
        ("classify", Running),
        ("notice_vks", Running),
        ("notice_reporter", Running),
    ];
    expect(&d, Status::Received, &fresh);

    let d = s
        .act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    expect(&d, Status::Received, &fresh);
    let d = s
        .act(&off, id, Action::StartVerification { note: None })
        .unwrap();
    expect(&d, Status::Verifying, &fresh);
    let d = s
        .act(
            &off,
            id,
            step(
                "Bắt quả tang 06 đối tượng đánh bạc, thu giữ tang vật",
                hours_ago(4),
            ),
        )
        .unwrap();
    expect(&d, Status::Verifying, &fresh);

    // Signs of a crime, to transfer, 5 h after receipt: classification met; the 24 h runs.
    let d = s.act(&off, id, classify(CaseClass::CrimeTransfer)).unwrap();
    expect(
        &d,
        Status::Verifying,
        &[
            ("classify", Met),
            ("crime_transfer", Running),
            ("notice_vks", Running),
            ("notice_reporter", Running),
        ],
    );
    assert_eq!(d.deadline_rule.as_deref(), Some("crime_transfer"));

    // Transferred 5 h after receipt: met. The station still owes the notices.
    let d = s.act(&chief, id, transfer()).unwrap();
    expect(
        &d,
        Status::Transferred,
        &[
            ("classify", Met),
            ("crime_transfer", Met),
            ("notice_vks", Running),
            ("notice_reporter", Running),
        ],
    );
    assert!(d.deadline_rule.as_deref().unwrap().starts_with("notice_"));

    s.act(&off, id, notice(NoticeTo::Vks, "01/TB-CATA"))
        .unwrap();
    let d = s
        .act(&off, id, notice(NoticeTo::Reporter, "02/TB-CATA"))
        .unwrap();
    expect(
        &d,
        Status::Transferred,
        &[
            ("classify", Met),
            ("crime_transfer", Met),
            ("notice_vks", Met),
            ("notice_reporter", Met),
        ],
    );
    assert_eq!(d.row.deadline, None);

    // The search: its words all in the summary.
    let found = text_search(&s, &chief, "danh bac cho tan an");
    assert_eq!(found.first().map(|r| r.id), Some(id));

    let st = period_stats(&s, &chief);
    expect_one_case(&st, "tin_bao", "hotline", "gambling", "transferred");
    assert_eq!(counts(&st.by_station), [(TAN_AN, 1)]);
    assert_eq!((st.sanctions, st.fines_vnd), (0, 0));
}
