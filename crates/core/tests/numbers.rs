//! Register numbers on one PC: a lone PC's 1, 2, 3; leases taken smallest first; the offline
//! fallback above the floor, recorded and reported; hand-backs; the printed register that
//! accounts for every number and never shows the reporter. The exchange with the real
//! province store, over several PCs, is in `tests/scenarios/tests/numbering.rs`.
mod common;

use common::*;
use tinbao_core::numbers::{GapReason, LEASE_BLOCK};
use tinbao_core::*;
use tinbao_sync::protocol::*;
use uuid::Uuid;

fn grant(year: i32, leased: Vec<u32>, floor: u32, ledger: Ledger) -> NumberResponse {
    NumberResponse {
        years: vec![YearGrant {
            year,
            leased,
            floor,
            ledger,
        }],
    }
}

fn enrolled(s: &mut Store, slot: i64, slots: i64) {
    s.set_enrolment("https://127.0.0.1:8443", "cred", &"ab".repeat(32))
        .unwrap();
    s.set_numbering(slot, slots).unwrap();
}

fn no(d: &CaseDetail) -> String {
    d.row.register_no.clone()
}

#[test]
fn a_lone_pc_numbers_one_two_three_and_asks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let nos: Vec<String> = (0..3)
        .map(|_| no(&s.intake(&chief, wheelies()).unwrap()))
        .collect();
    assert_eq!(nos, ["1/2025", "2/2025", "3/2025"]);
    assert!(s.number_request().unwrap().is_none(), "never enrolled");
    let book = s.register_book(&chief, 2025).unwrap();
    assert_eq!((book.used, book.unused, book.unexplained), (3, 0, 0));
}

#[test]
fn leases_are_taken_smallest_first_then_the_fallback_above_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    enrolled(&mut s, 1, 2);
    // Before any exchange: the slot scheme, as before leases.
    assert_eq!(no(&s.intake(&chief, wheelies()).unwrap()), "1/2025");
    let req = s
        .number_request()
        .unwrap()
        .expect("an enrolled station PC asks");
    assert_eq!(req.scheme, Numbering { slot: 1, slots: 2 });
    let this_year = req.years.iter().find(|y| y.want == LEASE_BLOCK);
    assert!(this_year.is_some(), "{req:?}");
    // The province leases 4, 2, 3 for 2025 (the case's year) and grants floor 30.
    let rose = s
        .apply_number_grant(
            &NumberRequest {
                scheme: req.scheme,
                years: vec![YearRequest {
                    year: 2025,
                    want: 3,
                    ..Default::default()
                }],
            },
            &grant(2025, vec![4, 2, 3], 30, Ledger::default()),
        )
        .unwrap();
    assert!(rose, "a new floor is acknowledged at once");
    assert!(s.numbers_leased().unwrap());
    let nos: Vec<String> = (0..5)
        .map(|_| no(&s.intake(&chief, wheelies()).unwrap()))
        .collect();
    // 2, 3, 4 leased; then the class of slot 1 of 2 (odd) from the floor: 31, 33.
    assert_eq!(nos, ["2/2025", "3/2025", "4/2025", "31/2025", "33/2025"]);
    let d = s.intake(&chief, wheelies()).unwrap();
    let created = &d.events[0];
    assert_eq!(
        created.data["number_outside_lease"],
        serde_json::json!(true)
    );

    // The next exchange reports the fallback numbers for 2025, and only once acknowledged
    // are they not sent again.
    let req = s.number_request().unwrap().unwrap();
    let y = req
        .years
        .iter()
        .find(|y| y.year == 2025)
        .expect("2025 has news");
    assert_eq!(y.fallback, vec![31, 33, 35]);
    assert_eq!(y.floor, 30);
    s.apply_number_grant(&req, &NumberResponse::default())
        .unwrap();
    let again = s.number_request().unwrap().unwrap();
    assert!(again.years.iter().all(|y| y.fallback.is_empty()));

    // The register of 2025 accounts for every number up to 35.
    let book = s.register_book(&chief, 2025).unwrap();
    assert_eq!(book.lines.len(), 35);
    assert_eq!(book.used, 7);
    assert_eq!(book.unexplained, 0, "{:#?}", book.lines);
    let line = |n: i64| book.lines.iter().find(|l| l.seq == n).unwrap();
    assert!(line(31).fallback && line(31).case.is_some());
    assert_eq!(line(5).gap.as_ref().unwrap().reason, GapReason::Skipped);
    assert_eq!(line(5).gap.as_ref().unwrap().by_seq, Some(31));
    assert_eq!(line(32).gap.as_ref().unwrap().reason, GapReason::Skipped);
}

#[test]
fn the_register_explains_leased_returned_and_used_elsewhere_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    enrolled(&mut s, 1, 2);
    let other = Uuid::now_v7();
    let entry = |seq, state| LedgerEntry {
        seq,
        state,
        device: other,
        device_name: "Máy trực ban 2".into(),
        at_ms: 1_759_000_000_000,
    };
    let ledger = Ledger {
        used: vec![(1, 1), (3, 3)],
        entries: vec![
            entry(2, NumberState::Returned),
            entry(3, NumberState::Unleased),
            entry(4, NumberState::Leased),
        ],
        reserved: vec![Reservation {
            device: other,
            device_name: "Máy trực ban 2".into(),
            slot: 2,
            slots: 2,
            from: 6,
        }],
    };
    let req = NumberRequest {
        scheme: Numbering { slot: 1, slots: 2 },
        years: vec![YearRequest {
            year: 2025,
            want: 2,
            ..Default::default()
        }],
    };
    s.apply_number_grant(&req, &grant(2025, vec![5, 7], 9, ledger))
        .unwrap();
    // This PC registers 5 and 7 (its leases), then 9 outside them.
    for want in ["5/2025", "7/2025", "9/2025"] {
        assert_eq!(no(&s.intake(&chief, wheelies()).unwrap()), want);
    }
    let book = s.register_book(&chief, 2025).unwrap();
    let reasons: Vec<(i64, Option<GapReason>, Option<String>)> = book
        .lines
        .iter()
        .map(|l| {
            (
                l.seq,
                l.gap.as_ref().map(|g| g.reason),
                l.gap.as_ref().and_then(|g| g.device_name.clone()),
            )
        })
        .collect();
    let m2 = Some("Máy trực ban 2".to_string());
    assert_eq!(
        reasons,
        vec![
            (1, Some(GapReason::UsedElsewhere), None),
            (2, Some(GapReason::Returned), m2.clone()),
            (3, Some(GapReason::UsedElsewhere), m2.clone()),
            (4, Some(GapReason::Leased), m2.clone()),
            (5, None, None),
            (6, Some(GapReason::Reserved), m2.clone()),
            (7, None, None),
            (8, Some(GapReason::Reserved), m2),
            (9, None, None),
        ]
    );
    assert!(book.lines[8].fallback);
}

#[test]
fn unused_leases_go_back_when_the_pc_is_retired_and_never_return_here() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    enrolled(&mut s, 1, 1);
    let req = NumberRequest {
        scheme: Numbering { slot: 1, slots: 1 },
        years: vec![YearRequest {
            year: 2025,
            want: 4,
            ..Default::default()
        }],
    };
    s.apply_number_grant(&req, &grant(2025, vec![1, 2, 3, 4], 25, Ledger::default()))
        .unwrap();
    assert_eq!(no(&s.intake(&chief, wheelies()).unwrap()), "1/2025");
    let officer = officer(&mut s, &chief);
    assert!(
        s.hand_back_numbers(&officer).is_err(),
        "the chief's decision"
    );
    assert_eq!(s.hand_back_numbers(&chief).unwrap(), 3);
    let req = s.number_request().unwrap().unwrap();
    let y = req.years.iter().find(|y| y.year == 2025).unwrap();
    assert_eq!(y.hand_back, vec![2, 3, 4]);
    // Handed back: the next case is not 2 (the province may lease it to another PC).
    assert_eq!(no(&s.intake(&chief, wheelies()).unwrap()), "25/2025");
    // The province answers without them: they stay returned; a repeated answer changes nothing.
    s.apply_number_grant(&req, &grant(2025, vec![], 25, Ledger::default()))
        .unwrap();
    s.apply_number_grant(&req, &grant(2025, vec![], 25, Ledger::default()))
        .unwrap();
    let book = s.register_book(&chief, 2025).unwrap();
    assert_eq!(
        book.lines[1].gap.as_ref().map(|g| g.reason),
        Some(GapReason::Returned)
    );
    // Later the province leases 2 and 3 to this PC again: they are its own once more.
    let req = NumberRequest {
        scheme: Numbering { slot: 1, slots: 1 },
        years: vec![YearRequest {
            year: 2025,
            want: 2,
            floor: 25,
            ..Default::default()
        }],
    };
    s.apply_number_grant(&req, &grant(2025, vec![2, 3], 25, Ledger::default()))
        .unwrap();
    assert_eq!(no(&s.intake(&chief, wheelies()).unwrap()), "2/2025");
    assert!(
        s.audit_log(&chief, 50)
            .unwrap()
            .iter()
            .any(|a| a.action == "numbers_handed_back")
    );
}

#[test]
fn the_printed_register_never_holds_the_reporter() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.reporter = Some(Reporter {
        name: Some("Nguyễn Thị Bí Mật".into()),
        phone: Some("0912345678".into()),
        address: None,
        id_number: Some("001099012345".into()),
    });
    s.intake(&chief, c).unwrap();
    let book = s.register_book(&chief, 2025).unwrap();
    let text = serde_json::to_string(&book).unwrap();
    for secret in ["Bí Mật", "0912345678", "001099012345"] {
        assert!(!text.contains(secret), "{secret} in the printed register");
    }
    // Another station's chief cannot print this register.
    let (_, other) = station(&dir, "b.db", TAN_AN);
    assert!(s.register_book(&other, 2025).is_err());
}
