//! Intake and the case's life: offline numbering, refused reports, the workflow of the seed story, deadlines and the Today screen, duplicates.
mod common;

use chrono::{Duration, Utc};
use common::*;
use tinbao_core::search::SearchQuery;
use tinbao_core::*;

#[test]
fn seed_story_wheelies_to_a_fine() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let c = s.intake(&off, wheelies()).unwrap();
    assert_eq!(c.row.register_no, "1/2025");
    assert_eq!(c.row.status, Status::Received);
    assert_eq!(
        c.persons
            .iter()
            .filter(|p| p.minor == Some(MinorBand::From16To18))
            .count(),
        2
    );
    assert_eq!(c.persons[2].minor, None);
    // Not yet classified: the classification clock, never a false transfer deadline.
    assert_eq!(c.deadline_rule.as_deref(), Some("classify"));
    assert!(
        c.deadline_basis
            .as_deref()
            .unwrap()
            .contains("Mặc định của đơn vị")
    );
    assert!(c.clocks.iter().all(|k| k.rule != "crime_transfer"));
    let id = c.row.id;
    let png = [0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];
    s.add_attachment(&off, id, "anh-chup-video.png", &png)
        .unwrap();
    assert!(
        s.add_attachment(&off, id, "virus.exe", b"MZ\x90\x00")
            .is_err()
    );
    s.act(&chief, id, Action::Assign { user: off.user_id })
        .unwrap();
    s.act(
        &off,
        id,
        Action::StartVerification {
            note: Some("Xác minh clip".into()),
        },
    )
    .unwrap();
    s.act(
        &off,
        id,
        Action::Step {
            text: "Mời hai thanh thiếu niên và gia đình lên làm việc".into(),
            occurred_at: None,
        },
    )
    .unwrap();
    let classified = s
        .act(
            &off,
            id,
            Action::Classify {
                kind: None,
                category: None,
                urgency: None,
                class: Some(CaseClass::AdminViolation),
                agency: None,
            },
        )
        .unwrap();
    let rules: Vec<(&str, ClockState)> = classified
        .clocks
        .iter()
        .map(|k| (k.rule.as_str(), k.state))
        .collect();
    assert_eq!(
        rules,
        [
            ("classify", ClockState::Late),
            ("notice_vks", ClockState::Late),
            ("notice_reporter", ClockState::Stopped)
        ],
        "a post has no reporter to notify; no crime clock for an administrative violation"
    );
    // One decision per violator: a warning for the 16-year-old, half the adult fine for the
    // 17-year-old, paid by his guardian.
    let tung = c.persons[0].id;
    let thang = c.persons[1].id;
    let with_guardian = s.add_person(&off, id, guardian_of(thang)).unwrap();
    let cuong = with_guardian.persons[3].id;
    s.act(
        &chief,
        id,
        sanction(
            tung,
            SanctionForm::Warning,
            0,
            None,
            None,
            "33/QĐ-XPHC",
            "2025-10-03",
        ),
    )
    .unwrap();
    s.act(
        &chief,
        id,
        sanction(
            thang,
            SanctionForm::Fine,
            4_000_000,
            Some(8_000_000),
            Some(cuong),
            "34/QĐ-XPHC",
            "2025-10-03",
        ),
    )
    .unwrap();
    let fine = Outcome::Sanctioned {
        record_no: "12/BB-VPHC".into(),
        decision_no: None,
        fine_vnd: None,
        decided_by: None,
        note: None,
    };
    assert!(matches!(
        s.act(
            &off,
            id,
            Action::RecordOutcome {
                outcome: fine.clone()
            }
        ),
        Err(Error::Forbidden { .. })
    ));
    let done = s
        .act(
            &chief,
            id,
            Action::RecordOutcome {
                outcome: fine.clone(),
            },
        )
        .unwrap();
    assert_eq!(done.row.status, Status::Sanctioned);
    assert_eq!(
        done.outcome,
        Some(Outcome::Sanctioned {
            record_no: "12/BB-VPHC".into(),
            decision_no: Some("33/QĐ-XPHC, 34/QĐ-XPHC".into()),
            fine_vnd: Some(4_000_000),
            decided_by: Some("Nguyễn Văn Trưởng".into()),
            note: None,
        })
    );
    assert_eq!(done.row.deadline, None);
    assert_eq!(done.attachments.len(), 1);
    let kinds: Vec<&str> = done.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "created",
            "attachment_added",
            "assigned",
            "verification_started",
            "step",
            "classified",
            "person_added",
            "sanction_decided",
            "sanction_decided",
            "outcome_recorded"
        ]
    );
    assert!(matches!(
        s.act(&chief, id, Action::RecordOutcome { outcome: fine }),
        Err(Error::InvalidTransition { .. })
    ));
    for q in [
        "boc dau",
        "lang lach",
        "BỐC ĐẦU",
        "danh vong",
        "hoang van tung",
        "1/2025",
    ] {
        assert_eq!(text_search(&s, &off, q).len(), 1, "query {q}");
    }
    assert!(text_search(&s, &off, "ma tuy").is_empty());
    // Filters combine with the words, and follow the case's state as it changes.
    let filtered = |status: Status, category: &str, month: (i64, i64)| {
        s.search(
            &off,
            &SearchQuery {
                text: Some("lang lach".into()),
                status: Some(vec![status, Status::Duplicate]),
                category: Some(category.into()),
                from: Some(month.0),
                to: Some(month.1),
                page_size: 10,
                ..Default::default()
            },
        )
        .unwrap()
        .total
    };
    let sept = tinbao_core::stats::monthly_period(2025, 10, 1);
    let sept = (sept.0 - 30 * 86_400, sept.0);
    assert_eq!(filtered(Status::Sanctioned, "traffic_order", sept), 1);
    assert_eq!(filtered(Status::Received, "traffic_order", sept), 0);
    assert_eq!(filtered(Status::Sanctioned, "theft", sept), 0);
    assert_eq!(
        filtered(
            Status::Sanctioned,
            "traffic_order",
            (sept.1, sept.1 + 86_400 * 30)
        ),
        0
    );
    let st = s.stats(&chief, 0, i64::MAX).unwrap();
    assert_eq!((st.received, st.sanctions, st.fines_vnd), (1, 1, 4_000_000));
    let d = &st.sanction_decisions;
    assert_eq!((d.decisions, d.warnings, d.fines_vnd), (2, 1, 4_000_000));
    assert_eq!(d.by_title[0].title, "commune_police_chief");
    // What a person reads for each key: labels, the register's category list, the commune.
    let l = s.key_labels(&st).unwrap();
    assert_eq!(
        (
            l.kind(&st.by_kind[0].key),
            l.channel(&st.by_channel[0].key),
            l.category(&st.by_category[0].key),
            l.status(&st.by_status[0].key),
            l.station(&st.by_station[0].key),
        ),
        (
            "Tin báo về tội phạm".to_owned(),
            "Facebook".to_owned(),
            "Trật tự giao thông (đua xe, bốc đầu, lạng lách)".to_owned(),
            "Đã xử phạt hành chính".to_owned(),
            "Phường Bắc Kạn".to_owned(),
        )
    );
    assert_eq!(l.topic("cu_tru"), "Đăng ký thường trú, tạm trú");
    assert_eq!(l.category("da_bo"), "da_bo");
}

#[test]
fn duplicates_are_suggested_and_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let a = s.intake(&chief, wheelies()).unwrap();
    let mut again = wheelies();
    again.channel = Channel::Zalo;
    again.description = "Người dân gửi clip qua Zalo".into();
    let sug = s.suggest_duplicates(&chief, &again).unwrap();
    assert_eq!(sug.first().map(|r| r.id), Some(a.row.id));
    let mut unrelated = wheelies();
    unrelated.summary = "Mất trộm xe máy trước cửa nhà".into();
    unrelated.description = "Trộm".into();
    assert!(s.suggest_duplicates(&chief, &unrelated).unwrap().is_empty());
    let b = s.intake(&chief, again).unwrap();
    assert!(
        s.act(&chief, b.row.id, Action::Merge { into: b.row.id })
            .is_err()
    );
    let merged = s
        .act(&chief, b.row.id, Action::Merge { into: a.row.id })
        .unwrap();
    assert_eq!(
        (merged.row.status, merged.duplicate_of),
        (Status::Duplicate, Some(a.row.id))
    );
}

#[test]
fn two_devices_of_one_station_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, chief_a) = station(&dir, "a.db", BAC_KAN);
    let (mut b, chief_b) = station(&dir, "b.db", BAC_KAN);
    a.set_numbering(1, 2).unwrap();
    b.set_numbering(2, 2).unwrap();
    let mut nos = Vec::new();
    for i in 0..5 {
        nos.push(a.intake(&chief_a, wheelies()).unwrap().row.register_no);
        if i % 2 == 0 {
            nos.push(b.intake(&chief_b, wheelies()).unwrap().row.register_no);
        }
    }
    // B learns A's cases through sync and carries on above them.
    b.apply_remote(&a.pending_changes(10_000).unwrap()).unwrap();
    nos.push(b.intake(&chief_b, wheelies()).unwrap().row.register_no);
    let mut sorted = nos.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), nos.len(), "{nos:?}");
    assert_eq!(nos.last().unwrap(), "10/2025", "{nos:?}");
    assert!(b.verify().unwrap().ok);
}

#[test]
fn bad_intake_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.received_at = Some((Utc::now() + Duration::days(2)).fixed_offset());
    assert!(
        s.intake(&chief, c)
            .unwrap_err()
            .to_string()
            .contains("tương lai")
    );
    let mut c = wheelies();
    c.summary = "   ".into();
    assert!(s.intake(&chief, c).is_err());
    let mut c = wheelies();
    c.category = "khong_co".into();
    assert!(s.intake(&chief, c).is_err());
    let mut c = wheelies();
    c.persons[0].birth_year = Some(1800);
    assert!(s.intake(&chief, c).is_err());
    assert_eq!(s.verify().unwrap().cases, 0, "nothing half-written");
    assert_eq!(
        s.pending_changes(100)
            .unwrap()
            .iter()
            .filter(|c| c.entity == EntityKind::Case)
            .count(),
        0
    );
}

#[test]
fn deadlines_and_today() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.received_at = Some((Utc::now() - Duration::hours(30)).fixed_offset());
    let late = s.intake(&chief, c).unwrap();
    assert!(late.row.overdue);
    let mut c = wheelies();
    c.received_at = Some((Utc::now() - Duration::hours(2)).fixed_offset());
    let soon = s.intake(&chief, c).unwrap();
    assert!(soon.row.due_soon && !soon.row.overdue);
    assert_eq!(soon.deadline_rule.as_deref(), Some("classify"));
    let mut c = wheelies();
    c.received_at = None;
    c.kind = Kind::PhanAnh;
    let quiet = s.intake(&chief, c).unwrap();
    // A phản ánh classified as a civil dispute runs no clock at all.
    let quiet = s
        .act(
            &chief,
            quiet.row.id,
            Action::Classify {
                kind: None,
                category: Some("dispute".into()),
                urgency: None,
                class: Some(CaseClass::CivilDispute),
                agency: None,
            },
        )
        .unwrap();
    assert_eq!((quiet.row.deadline, quiet.deadline_rule), (None, None));
    let t = s.today(&chief).unwrap();
    assert_eq!((t.overdue_count, t.due_soon_count), (1, 1));
    assert_eq!(t.due[0].id, late.row.id);
    let page = s
        .search(
            &chief,
            &SearchQuery {
                page_size: 10,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.rows[0].id, late.row.id, "overdue first everywhere");
    assert_eq!(page.total, 3);
}

/// Today's counts are the register's, not those of the list's first 50 rows: 60 overdue and 3
/// due soon are 60 and 3 (the list still shows 50, the most pressing).
#[test]
fn today_counts_every_overdue_case_not_only_the_listed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for h in 0..63 {
        let mut c = wheelies();
        c.kind = Kind::ToGiac;
        c.category = "theft".into();
        let ago = if h < 60 { 30 + h } else { 2 };
        c.received_at = Some((Utc::now() - Duration::hours(ago)).fixed_offset());
        s.intake(&chief, c).unwrap();
    }
    let t = s.today(&chief).unwrap();
    assert_eq!(t.due.len(), 50);
    assert_eq!((t.overdue_count, t.due_soon_count), (60, 3));
}

/// The receipt record names the officer who received the report, with their rank, however
/// is logged in when it is printed; where, from when and to when, and what was handed over.
#[test]
fn receipt_record_is_the_receiving_officers() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut new = wheelies();
    let received = new.received_at.unwrap();
    new.receipt = ReceiptFacts {
        place: Some("  Chốt trực tổ dân phố Xuất Hóa ".into()),
        finished_at: Some(received + Duration::minutes(40)),
        handed_over: vec![
            "01 USB chứa video".into(),
            "  ".into(),
            "02 ảnh chụp màn hình bài đăng".into(),
        ],
    };
    let c = s.intake(&chief, new).unwrap();
    let off = officer(&mut s, &chief);
    s.act(&chief, c.row.id, Action::Assign { user: off.user_id })
        .unwrap();
    let seen = s.case_detail(&off, c.row.id).unwrap().receipt;
    assert_eq!(seen.officer_name, chief.full_name);
    assert_eq!(seen.officer_rank.as_deref(), Some("Thiếu tá"));
    assert_eq!(seen.officer_role, Some(Role::Chief));
    assert_eq!(seen.place.as_deref(), Some("Chốt trực tổ dân phố Xuất Hóa"));
    assert_eq!(seen.started_at, received);
    assert_eq!(seen.finished_at, received + Duration::minutes(40));
    assert_eq!(
        seen.handed_over,
        vec!["01 USB chứa video", "02 ảnh chụp màn hình bài đăng"]
    );

    // Without facts: the station's seat, finished when it started.
    let plain = s.intake(&off, wheelies()).unwrap().receipt;
    assert_eq!(plain.officer_name, off.full_name);
    assert_eq!(plain.place, None);
    assert_eq!(plain.finished_at, plain.started_at);

    let mut bad = wheelies();
    bad.receipt.finished_at = Some(received - Duration::minutes(1));
    let e = s.intake(&off, bad).unwrap_err().to_string();
    assert!(e.contains("trước thời điểm tiếp nhận"), "{e}");
    let mut bad = wheelies();
    bad.receipt.handed_over = vec!["x".into(); 51];
    assert!(s.intake(&off, bad).is_err());
}
