//! Administrative sanctions per violator (legal-process.md §3 and §6): the caps of Decree
//! 189/2025 as dated data, minors' bands at the date of the violation, the guardian who pays,
//! and the closing outcome derived from the decisions.
mod common;

use chrono::DateTime;
use common::*;
use tinbao_core::*;
use uuid::Uuid;

fn person(role: PersonRole, name: &str, born: Option<&str>, year: Option<i32>) -> NewPerson {
    NewPerson {
        role,
        name: name.into(),
        birth_year: year,
        id_number: None,
        phone: None,
        address: None,
        birth_date: born.map(Into::into),
        guardian_of: None,
        guardian_of_index: None,
    }
}

/// A traffic case received on `received` (RFC 3339) with the given persons.
fn case_with(s: &mut Store, chief: &Actor, received: &str, persons: Vec<NewPerson>) -> CaseDetail {
    let mut c = wheelies();
    c.received_at = Some(DateTime::parse_from_rfc3339(received).unwrap());
    c.occurred = None;
    c.persons = persons;
    s.intake(chief, c).unwrap()
}

fn refusal(r: Result<CaseDetail>) -> String {
    match r {
        Err(Error::Invalid(m)) => m,
        other => panic!("expected a refusal, got {:?}", other.map(|c| c.row.status)),
    }
}

/// The legal example: a 15-year-old and a 17-year-old do wheelies together. The 15-year-old
/// gets a warning and no fine; the 17-year-old at most half the adult fine, paid by the
/// guardian linked to him; the closing outcome adds up the decisions.
#[test]
fn a_15_and_a_17_year_old_sanctioned_together() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let c = case_with(
        &mut s,
        &chief,
        "2025-09-29T21:15:00+07:00",
        vec![
            person(
                PersonRole::Suspect,
                "Lý Văn Thắng",
                Some("2010-03-08"),
                None,
            ),
            person(
                PersonRole::Suspect,
                "Hoàng Văn Tùng",
                Some("2008-05-20"),
                None,
            ),
            person(PersonRole::Guardian, "Hoàng Văn Sáng", None, Some(1979)),
        ],
    );
    let id = c.row.id;
    let (fifteen, seventeen, sang) = (c.persons[0].id, c.persons[1].id, c.persons[2].id);
    assert_eq!(c.persons[0].age_at_violation, Some(15));
    assert_eq!(c.persons[0].minor, Some(MinorBand::From14To16));
    assert_eq!(
        c.persons[0].birth_year,
        Some(2010),
        "the year follows the date"
    );
    assert_eq!(c.persons[1].minor, Some(MinorBand::From16To18));
    assert_eq!(c.persons[2].minor, None);

    // The 15-year-old cannot be fined at all.
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            fifteen,
            SanctionForm::Fine,
            8_000_000,
            Some(8_000_000),
            Some(sang),
            "1/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(
        m.contains("từ đủ 14 đến dưới 16 tuổi") && m.contains("cảnh cáo"),
        "{m}"
    );
    s.act(
        &chief,
        id,
        sanction(
            fifteen,
            SanctionForm::Warning,
            0,
            None,
            None,
            "1/QĐ",
            "2025-10-02",
        ),
    )
    .unwrap();
    // One decision per violator.
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            fifteen,
            SanctionForm::Warning,
            0,
            None,
            None,
            "9/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(m.contains("đã có quyết định xử phạt số 1/QĐ"), "{m}");

    // The 17-year-old: more than half the adult level is refused, with the half stated.
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            seventeen,
            SanctionForm::Fine,
            5_000_000,
            Some(8_000_000),
            Some(sang),
            "2/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(m.contains("tối đa 4.000.000 đ"), "{m}");
    // Half, but the guardian recorded at intake is not linked to him yet.
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            seventeen,
            SanctionForm::Fine,
            4_000_000,
            Some(8_000_000),
            Some(sang),
            "2/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(m.contains("người giám hộ"), "{m}");
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            seventeen,
            SanctionForm::Fine,
            4_000_000,
            Some(8_000_000),
            None,
            "2/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(m.contains("người giám hộ"), "{m}");
    // A guardian of the other boy does not pay for this one.
    let other = s.add_person(&chief, id, guardian_of(fifteen)).unwrap();
    let m = refusal(s.act(
        &chief,
        id,
        sanction(
            seventeen,
            SanctionForm::Fine,
            4_000_000,
            Some(8_000_000),
            Some(other.persons[3].id),
            "2/QĐ",
            "2025-10-02",
        ),
    ));
    assert!(m.contains("người giám hộ"), "{m}");
    let mut his = guardian_of(seventeen);
    his.name = "Hoàng Văn Sáng".into();
    let linked = s.add_person(&chief, id, his).unwrap();
    assert_eq!(linked.persons[4].guardian_of, Some(seventeen));
    let done = s
        .act(
            &chief,
            id,
            sanction(
                seventeen,
                SanctionForm::Fine,
                4_000_000,
                Some(8_000_000),
                Some(linked.persons[4].id),
                "2/QĐ",
                "2025-10-02",
            ),
        )
        .unwrap();
    let decided = done
        .events
        .iter()
        .filter(|e| e.kind == "sanction_decided")
        .collect::<Vec<_>>();
    assert_eq!(decided.len(), 2);
    assert_eq!(decided[1].data["payer"], linked.persons[4].id.to_string());
    assert_eq!(decided[1].data["cap_vnd"], 20_000_000);
    assert!(
        decided[1].data["cap_basis"]
            .as_str()
            .unwrap()
            .contains("189/2025")
    );

    // The outcome's total is the decisions' sum, whatever was typed.
    let closed = s
        .act(
            &chief,
            id,
            Action::RecordOutcome {
                outcome: Outcome::Sanctioned {
                    record_no: "01/BB-VPHC".into(),
                    decision_no: None,
                    fine_vnd: Some(99_000_000),
                    decided_by: None,
                    note: None,
                },
            },
        )
        .unwrap();
    assert_eq!(closed.row.status, Status::Sanctioned);
    match closed.outcome {
        Some(Outcome::Sanctioned {
            fine_vnd,
            decision_no,
            ..
        }) => {
            assert_eq!(fine_vnd, Some(4_000_000));
            assert_eq!(decision_no.as_deref(), Some("1/QĐ, 2/QĐ"));
        }
        o => panic!("{o:?}"),
    }
    // A closed case takes no further decision.
    assert!(
        s.act(
            &chief,
            id,
            sanction(
                sang,
                SanctionForm::Warning,
                0,
                None,
                None,
                "3/QĐ",
                "2025-10-02"
            ),
        )
        .is_err()
    );
}

#[test]
fn only_a_chief_decides_and_only_for_a_suspect() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let c = case_with(
        &mut s,
        &chief,
        "2025-09-29T21:15:00+07:00",
        vec![
            person(
                PersonRole::Suspect,
                "Trần Văn Lớn",
                Some("1990-01-01"),
                None,
            ),
            person(PersonRole::Witness, "Người làm chứng", None, Some(1970)),
        ],
    );
    let a = sanction(
        c.persons[0].id,
        SanctionForm::Warning,
        0,
        None,
        None,
        "1/QĐ",
        "2025-10-01",
    );
    assert!(matches!(
        s.act(&off, c.row.id, a),
        Err(Error::Forbidden { .. })
    ));
    let m = refusal(s.act(
        &chief,
        c.row.id,
        sanction(
            c.persons[1].id,
            SanctionForm::Warning,
            0,
            None,
            None,
            "1/QĐ",
            "2025-10-01",
        ),
    ));
    assert!(m.contains("không phải đối tượng"), "{m}");
    // A decision dated before the violation, or in the future, is refused.
    for day in ["2025-09-28", "2999-01-01", "01/10/2025"] {
        refusal(s.act(
            &chief,
            c.row.id,
            sanction(
                c.persons[0].id,
                SanctionForm::Warning,
                0,
                None,
                None,
                "1/QĐ",
                day,
            ),
        ));
    }
}

#[test]
fn a_fine_above_the_officers_cap_is_refused_with_the_cap_and_its_basis() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let c = case_with(
        &mut s,
        &chief,
        "2025-09-29T21:15:00+07:00",
        vec![person(
            PersonRole::Suspect,
            "Trần Văn Lớn",
            Some("1990-01-01"),
            None,
        )],
    );
    let mut a = sanction(
        c.persons[0].id,
        SanctionForm::Fine,
        5_000_000,
        None,
        None,
        "1/QĐ",
        "2025-10-01",
    );
    if let Action::Sanction { decider_title, .. } = &mut a {
        *decider_title = "officer_on_duty".into();
    }
    let m = refusal(s.act(&chief, c.row.id, a.clone()));
    assert!(m.contains("5.000.000 đ"), "{m}");
    assert!(m.contains("Chiến sĩ Công an nhân dân"), "{m}");
    assert!(m.contains("tối đa 4.000.000 đ"), "{m}");
    assert!(m.contains("Điều 8 Nghị định 189/2025/NĐ-CP"), "{m}");
    assert!(m.contains("Điều 24"), "{m}");
    if let Action::Sanction { fine_vnd, .. } = &mut a {
        *fine_vnd = 4_000_000;
    }
    s.act(&chief, c.row.id, a).unwrap();
}

/// The cap that applies is the one in force on the decision date: Decree 189/2025 raised the
/// commune chief's cap from 1 July 2025, and a decision of 30 June is held to the old one.
#[test]
fn the_cap_in_force_on_the_decision_date_applies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let caps = s.fine_caps().unwrap();
    let road: Vec<_> = caps
        .iter()
        .filter(|c| c.title == "commune_police_chief" && c.sector == "road_traffic")
        .collect();
    assert_eq!(road.len(), 2);
    assert_eq!(
        (road[0].effective_from.as_str(), road[0].cap_vnd),
        ("2022-01-01", 4_000_000)
    );
    assert_eq!(
        (road[1].effective_from.as_str(), road[1].cap_vnd),
        ("2025-07-01", 20_000_000)
    );
    assert!(caps.iter().all(|c| !c.basis.is_empty()));
    let security = caps
        .iter()
        .find(|c| {
            c.title == "officer_on_duty"
                && c.sector == "security_order"
                && c.effective_from == "2025-07-01"
        })
        .unwrap();
    assert_eq!((security.percent, security.cap_vnd), (10, 4_000_000));

    let c = case_with(
        &mut s,
        &chief,
        "2025-06-20T09:00:00+07:00",
        vec![
            person(
                PersonRole::Suspect,
                "Trần Văn Lớn",
                Some("1990-01-01"),
                None,
            ),
            person(
                PersonRole::Suspect,
                "Trần Văn Nhỏ",
                Some("1992-01-01"),
                None,
            ),
        ],
    );
    let m = refusal(s.act(
        &chief,
        c.row.id,
        sanction(
            c.persons[0].id,
            SanctionForm::Fine,
            5_000_000,
            None,
            None,
            "1/QĐ",
            "2025-06-30",
        ),
    ));
    assert!(
        m.contains("tối đa 4.000.000 đ") && m.contains("Điều 39"),
        "{m}"
    );
    s.act(
        &chief,
        c.row.id,
        sanction(
            c.persons[0].id,
            SanctionForm::Fine,
            5_000_000,
            None,
            None,
            "1/QĐ",
            "2025-07-01",
        ),
    )
    .unwrap();
    // Before any cap is known, a fine cannot be checked and is refused; an unknown title too.
    let m = refusal(s.act(
        &chief,
        c.row.id,
        sanction(
            c.persons[1].id,
            SanctionForm::Fine,
            100_000,
            None,
            None,
            "2/QĐ",
            "2021-06-30",
        ),
    ));
    assert!(
        m.contains("trước ngày vi phạm") || m.contains("Chưa có mức"),
        "{m}"
    );
    let mut a = sanction(
        c.persons[1].id,
        SanctionForm::Warning,
        0,
        None,
        None,
        "2/QĐ",
        "2025-07-01",
    );
    if let Action::Sanction { decider_title, .. } = &mut a {
        *decider_title = "chu_tich".into();
    }
    assert!(refusal(s.act(&chief, c.row.id, a)).contains("không có trong danh mục"));
}

#[test]
fn under_14_is_not_sanctioned_and_a_year_only_age_near_a_threshold_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let c = case_with(
        &mut s,
        &chief,
        "2025-09-29T21:15:00+07:00",
        vec![
            person(PersonRole::Suspect, "Bé Mười Ba", Some("2012-01-01"), None),
            person(PersonRole::Suspect, "Chỉ biết năm", None, Some(2009)),
            person(PersonRole::Suspect, "Rõ ràng", None, Some(2000)),
        ],
    );
    assert_eq!(c.persons[0].minor, Some(MinorBand::Under14));
    let m = refusal(s.act(
        &chief,
        c.row.id,
        sanction(
            c.persons[0].id,
            SanctionForm::Warning,
            0,
            None,
            None,
            "1/QĐ",
            "2025-10-01",
        ),
    ));
    assert!(
        m.contains("dưới 14 tuổi") && m.contains("không bị xử phạt"),
        "{m}"
    );

    // Born in 2009: 15 or 16 on 29/09/2025. Said, and the younger age is applied.
    let p = &c.persons[1];
    assert_eq!(p.age_at_violation, Some(15));
    assert_eq!(p.minor, Some(MinorBand::From14To16));
    let w = p.age_warning.as_deref().unwrap();
    assert!(w.contains("15 hoặc 16") && w.contains("ngày sinh"), "{w}");
    assert_eq!(c.persons[2].age_warning, None);
    // A warning is still possible: the doubt is a warning, not a refusal.
    s.act(
        &chief,
        c.row.id,
        sanction(
            p.id,
            SanctionForm::Warning,
            0,
            None,
            None,
            "2/QĐ",
            "2025-10-01",
        ),
    )
    .unwrap();
}

#[test]
fn a_guardian_link_names_a_person_of_the_case_and_only_a_guardian_has_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let c = s.intake(&chief, wheelies()).unwrap();
    let m = refusal(s.add_person(&chief, c.row.id, guardian_of(Uuid::now_v7())));
    assert!(m.contains("đã ghi trong vụ việc"), "{m}");
    let mut witness = guardian_of(c.persons[0].id);
    witness.role = PersonRole::Witness;
    refusal(s.add_person(&chief, c.row.id, witness));
    // Not by id at intake (the report's persons have none yet): by position, see below.
    let mut new = wheelies();
    new.persons[2].guardian_of = Some(Uuid::now_v7());
    assert!(matches!(s.intake(&chief, new), Err(Error::Invalid(_))));
    // A date of birth must be a date and agree with the year.
    let mut bad = guardian_of(c.persons[0].id);
    bad.birth_date = Some("1981-02-30".into());
    refusal(s.add_person(&chief, c.row.id, bad));
    let mut bad = guardian_of(c.persons[0].id);
    bad.birth_date = Some("1979-02-03".into());
    assert!(refusal(s.add_person(&chief, c.row.id, bad)).contains("không khớp năm sinh"));
}

#[test]
fn a_sanctioned_outcome_needs_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let c = s.intake(&chief, wheelies()).unwrap();
    let m = refusal(s.act(
        &chief,
        c.row.id,
        Action::RecordOutcome {
            outcome: Outcome::Sanctioned {
                record_no: "01/BB".into(),
                decision_no: Some("05/QĐ".into()),
                fine_vnd: Some(8_000_000),
                decided_by: Some("Trưởng Công an".into()),
                note: None,
            },
        },
    ));
    assert!(m.contains("Chưa có quyết định xử phạt"), "{m}");
}

/// An outcome recorded before this version, with every field typed, still reads.
#[test]
fn an_old_sanctioned_outcome_still_reads() {
    let old = serde_json::json!({"type": "sanctioned", "record_no": "01/BB", "decision_no": "05/QĐ",
        "fine_vnd": 8_000_000, "decided_by": "Trưởng CA", "note": null});
    let o: Outcome = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(serde_json::to_value(&o).unwrap(), old);
}

/// A register at version 9 (the one before the sanctions' migration 010) keeps its persons
/// when it gains dates of birth and guardians, and gets the caps.
#[test]
fn the_upgrade_keeps_the_persons_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    for p in &mut c.persons {
        p.birth_date = None;
    }
    let id = s.intake(&chief, c).unwrap().row.id;
    drop(s);
    let path = dir.path().join("a.db");
    {
        // The register as version 9 left it (what versions 11 and 12 added, undone first).
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.execute_batch(
            "DROP INDEX events_type_at;
             DROP INDEX inquiries_station_received;
             DROP INDEX cases_outcome;
             DROP INDEX events_case_at;
             ALTER TABLE categories DROP COLUMN legal_group;
             ALTER TABLE persons DROP COLUMN birth_date;
             ALTER TABLE persons DROP COLUMN guardian_of;
             DROP TABLE fine_caps;
             PRAGMA user_version = 9;",
        )
        .unwrap();
    }
    let mut s = Store::open(&path, KEY).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    let chief = s.login("truong", "matkhau-123").unwrap();
    let c = s.case_detail(&chief, id).unwrap();
    let names: Vec<_> = c.persons.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Hoàng Văn Tùng", "Lý Văn Thắng", "Hoàng Văn Sáng"]);
    assert_eq!(c.persons[0].birth_year, Some(2009));
    assert_eq!(c.persons[0].birth_date, None);
    assert!(!s.fine_caps().unwrap().is_empty());
}

/// The New Report form links a guardian to a minor of the same report by position, the persons
/// having no ids yet; the core resolves the link when it writes them, in either order.
#[test]
fn a_guardian_is_linked_to_a_minor_at_intake() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.persons[2].guardian_of_index = Some(0);
    let d = s.intake(&chief, c).unwrap();
    assert_eq!(d.persons[2].guardian_of, Some(d.persons[0].id));
    assert_eq!(d.persons[0].birth_date.as_deref(), Some("2009-03-10"));

    // The guardian listed before the minor.
    let mut c = wheelies();
    let guardian = c.persons.remove(2);
    c.persons.insert(
        0,
        NewPerson {
            guardian_of_index: Some(2),
            ..guardian
        },
    );
    let d = s.intake(&chief, c).unwrap();
    let thang = d.persons.iter().find(|p| p.name == "Lý Văn Thắng").unwrap();
    let sang = d
        .persons
        .iter()
        .find(|p| p.name == "Hoàng Văn Sáng")
        .unwrap();
    assert_eq!(sang.guardian_of, Some(thang.id));

    // Links that point nowhere, at the guardian themself, at another guardian, or from a
    // person who is not a guardian are refused with the name to fix.
    for (from, to, says) in [
        (2, 7, "phải gắn với một người chưa thành niên khác"),
        (2, 2, "phải gắn với một người chưa thành niên khác"),
        (0, 1, "“Hoàng Văn Tùng” không phải người giám hộ"),
    ] {
        let mut c = wheelies();
        c.persons[from].guardian_of_index = Some(to);
        let m = refusal(s.intake(&chief, c));
        assert!(m.contains(says), "{from}→{to}: {m}");
    }
    let mut c = wheelies();
    c.persons.push(person(
        PersonRole::Guardian,
        "Lý Văn Cường",
        None,
        Some(1980),
    ));
    c.persons[3].guardian_of_index = Some(2);
    let m = refusal(s.intake(&chief, c));
    assert!(m.contains("“Lý Văn Cường” phải gắn"), "{m}");
}
