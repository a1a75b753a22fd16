//! The province's reference data: set on a province laptop, refused at a station, received by
//! sync; the version in force by date, open cases' clocks recomputed (a case received before a
//! new rule keeps the old one), audited; two administrators' edits of one version flagged.
mod common;

use chrono::{Duration, FixedOffset, TimeZone, Utc};
use common::*;
use serde_json::{Map, Value, json};
use tinbao_core::catalog::NewReference;
use tinbao_core::*;
use uuid::Uuid;

fn province_of(s: &Store, station: &str) -> String {
    s.admin_commune(station).unwrap().unwrap().province
}

fn admin(province: &str, name: &str) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        username: name.into(),
        full_name: format!("Quản trị {name}"),
        role: Role::Admin,
        station: None,
        province: Some(province.into()),
    }
}

fn laptop(dir: &tempfile::TempDir, name: &str, province: &str) -> Store {
    Store::create(dir.path().join(name), KEY, Scope::Province(province.into())).unwrap()
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn rule(amount: i64, from: &str) -> NewReference {
    NewReference {
        set_name: "deadline_rule".into(),
        key: "crime_transfer".into(),
        effective_from: from.into(),
        value: obj(
            json!({"amount": amount, "unit": "hours", "remote_amount": 48,
            "basis": "Quyết định của Công an tỉnh (thử nghiệm)"}),
        ),
        retired: false,
    }
}

fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap()
}

/// A report received at `at` (Vietnam time), a crime report classified for transfer, so that
/// the transfer rule's clock is its nearest.
fn received(s: &mut Store, a: &Actor, at: chrono::DateTime<FixedOffset>) -> CaseDetail {
    let mut c = wheelies();
    c.received_at = Some(at);
    c.kind = Kind::ToGiac;
    let id = s.intake(a, c).unwrap().row.id;
    s.act(
        a,
        id,
        Action::Classify {
            kind: None,
            category: None,
            urgency: None,
            class: Some(CaseClass::CrimeTransfer),
            agency: None,
        },
    )
    .unwrap()
}

/// Moves every pending change of `from` to `to`, as the server would.
fn deliver(from: &Store, to: &mut Store) -> tinbao_core::replica::ApplyReport {
    let changes = from.pending_changes(10_000).unwrap();
    to.apply_remote(&changes).unwrap()
}

#[test]
fn a_station_may_not_write_the_provinces_reference_data() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let e = s.set_reference(&chief, rule(36, "2026-07-01")).unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
    assert!(e.to_string().contains("do Công an tỉnh ban hành"), "{e}");
    // Not even a province role on a station's PC.
    let p = province_of(&s, BAC_KAN);
    assert!(
        s.set_reference(&admin(&p, "x"), rule(36, "2026-07-01"))
            .is_err()
    );
    assert!(s.reference(None).unwrap().is_empty());
    // On a province laptop an officer-level role is refused too.
    let mut l = laptop(&dir, "p.db", &p);
    let mut officer = admin(&p, "o");
    officer.role = Role::Officer;
    assert!(matches!(
        l.set_reference(&officer, rule(36, "2026-07-01")),
        Err(Error::Forbidden { .. })
    ));
    // And values are checked before anything is stored.
    let mut bad = rule(0, "2026-07-01");
    assert!(matches!(
        l.set_reference(&admin(&p, "a"), bad.clone()),
        Err(Error::Invalid(_))
    ));
    bad = rule(36, "01/07/2026");
    assert!(matches!(
        l.set_reference(&admin(&p, "a"), bad),
        Err(Error::Invalid(_))
    ));
    assert!(l.pending_changes(10).unwrap().is_empty());
}

#[test]
fn a_station_offline_applies_each_rule_version_to_the_cases_of_its_days() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, chief) = station(&dir, "a.db", BAC_KAN);
    let p = province_of(&st, BAC_KAN);
    let mut lap = laptop(&dir, "p.db", &p);
    let adm = admin(&p, "qt");
    let now = Utc::now().with_timezone(&vn());
    // The new rule took effect ten days ago (Vietnam date).
    let eff = (now - Duration::days(10)).date_naive();
    let eff_s = eff.format("%Y-%m-%d").to_string();
    let eff_start = vn()
        .from_local_datetime(&eff.and_hms_opt(0, 0, 0).unwrap())
        .unwrap();
    let before = received(&mut st, &chief, eff_start - Duration::days(2));
    let after = received(&mut st, &chief, eff_start + Duration::days(3));
    let h = 3600;
    assert_eq!(
        before.row.deadline,
        Some(before.row.received_at.timestamp() + 24 * h)
    );
    assert_eq!(
        after.row.deadline,
        Some(after.row.received_at.timestamp() + 24 * h)
    );

    // The province sets 36 h from that day, and a day off next month.
    let v = lap.set_reference(&adm, rule(36, &eff_s)).unwrap();
    assert!(v.in_force && !v.upcoming);
    let day_off = (now + Duration::days(40))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    lap.set_reference(
        &adm,
        NewReference {
            set_name: "holiday".into(),
            key: day_off.clone(),
            effective_from: now.date_naive().format("%Y-%m-%d").to_string(),
            value: obj(
                json!({"name": "Ngày nghỉ của tỉnh", "kind": "day_off", "basis": "QĐ 1/2026"}),
            ),
            retired: false,
        },
    )
    .unwrap();
    // The laptop's own tables already say so.
    let r = lap.deadline_rules().unwrap();
    assert_eq!(
        r.iter()
            .find(|r| r.code == "crime_transfer")
            .unwrap()
            .amount,
        36
    );

    let rep = deliver(&lap, &mut st);
    assert_eq!(rep.applied, 2, "{rep:?}");
    let rules = st.deadline_rules().unwrap();
    let t = rules.iter().find(|r| r.code == "crime_transfer").unwrap();
    assert_eq!(t.amount, 36);
    assert_eq!(
        t.label_vi, "Chuyển Cơ quan điều tra",
        "the label the version left out stays"
    );
    assert!(
        st.holidays(None)
            .unwrap()
            .iter()
            .any(|d| d.date.format("%Y-%m-%d").to_string() == day_off)
    );
    let b = st.case_detail(&chief, before.row.id).unwrap();
    let a = st.case_detail(&chief, after.row.id).unwrap();
    assert_eq!(
        b.row.deadline,
        Some(b.row.received_at.timestamp() + 24 * h),
        "received before: the old rule"
    );
    assert_eq!(
        a.row.deadline,
        Some(a.row.received_at.timestamp() + 36 * h),
        "received after: the new rule"
    );
    // A case received today gets the new rule from intake on.
    let fresh = received(&mut st, &chief, now - Duration::hours(1));
    assert_eq!(
        fresh.row.deadline,
        Some(fresh.row.received_at.timestamp() + 36 * h)
    );

    // Once the province's calendar is here, the chief no longer edits it locally.
    let e = st
        .set_holiday(
            &chief,
            tinbao_core::holidays::Holiday {
                date: (now + Duration::days(41)).date_naive(),
                name: "Ngày nghỉ riêng".into(),
                kind: tinbao_core::holidays::HolidayKind::DayOff,
                basis: String::new(),
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("Công an tỉnh ban hành"), "{e}");
    // One audit entry for the sync, saying what changed.
    let log = st.audit_log(&chief, 50).unwrap();
    let synced: Vec<_> = log
        .iter()
        .filter(|e| e.action == "reference_synced")
        .collect();
    assert_eq!(synced.len(), 1, "{log:?}");
    let d = synced[0].detail.clone().unwrap();
    assert!(d.contains("thời hạn crime_transfer: 36 giờ"), "{d}");
    assert!(d.contains("Ngày nghỉ của tỉnh"), "{d}");
    assert!(d.contains("2 hồ sơ đang mở"), "{d}");
    // The station shows which version applies and since when.
    let versions = st.reference(Some("deadline_rule")).unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].in_force);
    assert_eq!(versions[0].effective_from, eff_s);
    // Delivered twice: nothing new, no second audit entry.
    let again = deliver(&lap, &mut st);
    assert_eq!(again.applied, 0);
    assert_eq!(
        st.audit_log(&chief, 50)
            .unwrap()
            .iter()
            .filter(|e| e.action == "reference_synced")
            .count(),
        1
    );
    // A station's own reference writes never reach its outbox.
    assert!(
        st.pending_changes(10_000)
            .unwrap()
            .iter()
            .all(|c| c.entity != EntityKind::Reference)
    );
}

#[test]
fn a_version_dated_later_waits_for_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, chief) = station(&dir, "a.db", BAC_KAN);
    let p = province_of(&st, BAC_KAN);
    let mut lap = laptop(&dir, "p.db", &p);
    let later = (Utc::now() + Duration::days(30))
        .with_timezone(&vn())
        .date_naive();
    let v = lap
        .set_reference(
            &admin(&p, "qt"),
            rule(72, &later.format("%Y-%m-%d").to_string()),
        )
        .unwrap();
    assert!(v.upcoming && !v.in_force);
    deliver(&lap, &mut st);
    let t = st.deadline_rules().unwrap();
    assert_eq!(
        t.iter()
            .find(|r| r.code == "crime_transfer")
            .unwrap()
            .amount,
        24
    );
    // Still audited: the station received reference data.
    assert!(
        st.audit_log(&chief, 20)
            .unwrap()
            .iter()
            .any(|e| e.action == "reference_synced")
    );
}

#[test]
fn two_administrators_editing_one_rule_offline_are_flagged_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, _chief) = station(&dir, "a.db", BAC_KAN);
    let p = province_of(&st, BAC_KAN);
    let mut one = laptop(&dir, "one.db", &p);
    let mut two = laptop(&dir, "two.db", &p);
    let (a1, a2) = (admin(&p, "mot"), admin(&p, "hai"));
    one.set_reference(&a1, rule(36, "2026-01-01")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    two.set_reference(&a2, rule(48, "2026-01-01")).unwrap();
    let from_one = one.pending_changes(100).unwrap();
    let from_two = two.pending_changes(100).unwrap();
    // The server's order: one's first, then two's; each laptop gets the other's.
    one.apply_remote(&from_two).unwrap();
    two.apply_remote(&from_one).unwrap();
    st.apply_remote(&from_one).unwrap();
    st.apply_remote(&from_two).unwrap();
    for (name, s) in [("one", &one), ("two", &two), ("station", &st)] {
        let v = s.reference(Some("deadline_rule")).unwrap();
        assert_eq!(v.len(), 1, "{name}");
        assert_eq!(
            v[0].value["amount"], 48,
            "{name}: the later write is in force"
        );
        assert!(v[0].conflict, "{name}: flagged");
        let c = s.reference_conflicts().unwrap();
        assert_eq!(c.len(), 1, "{name}: {c:?}");
        let amounts = [c[0].kept["amount"].as_i64(), c[0].other["amount"].as_i64()];
        assert_eq!(amounts, [Some(48), Some(36)], "{name}: both values kept");
        assert!(
            s.conflicts().unwrap().is_empty(),
            "{name}: not a case conflict"
        );
    }
    // Settled on one laptop: audited, and closed everywhere once its edit arrives.
    let c = one.reference_conflicts().unwrap()[0].id;
    assert!(matches!(
        st.resolve_reference_conflict(&a1, c, false),
        Err(Error::Forbidden { .. })
    ));
    one.resolve_reference_conflict(&a1, c, false).unwrap();
    assert!(one.reference_conflicts().unwrap().is_empty());
    let settle: Vec<Change> = one
        .pending_changes(100)
        .unwrap()
        .into_iter()
        .filter(|c| !from_one.iter().any(|o| o.id == c.id))
        .collect();
    assert_eq!(settle.len(), 1);
    for s in [&mut two, &mut st] {
        let rep = s.apply_remote(&settle).unwrap();
        assert_eq!(rep.conflicts, 0);
        assert!(s.reference_conflicts().unwrap().is_empty());
        assert_eq!(
            s.reference(Some("deadline_rule")).unwrap()[0].value["amount"],
            48
        );
    }
}

#[test]
fn categories_remote_communes_and_the_cutoff_day_follow_the_province() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, chief) = station(&dir, "a.db", BAC_KAN);
    let p = province_of(&st, BAC_KAN);
    let mut lap = laptop(&dir, "p.db", &p);
    let adm = admin(&p, "qt");
    let set = |l: &mut Store, set: &str, key: &str, v: Value| {
        l.set_reference(
            &adm,
            NewReference {
                set_name: set.into(),
                key: key.into(),
                effective_from: "2025-01-01".into(),
                value: obj(v),
                retired: false,
            },
        )
        .unwrap();
    };
    set(
        &mut lap,
        "category",
        "drone_flying",
        json!({"label_vi": "Bay flycam trái phép", "legal_group": "high_tech"}),
    );
    // A group the report does not have is refused with the list of those it has.
    let bad = lap.set_reference(
        &adm,
        NewReference {
            set_name: "category".into(),
            key: "x_y".into(),
            effective_from: "2025-01-01".into(),
            value: obj(json!({"label_vi": "X", "legal_group": "weather"})),
            retired: false,
        },
    );
    assert!(
        matches!(&bad, Err(Error::Invalid(m)) if m.contains("Tội phạm về ma túy")),
        "{bad:?}"
    );
    set(&mut lap, "cutoff_day", "default", json!({"day": 25}));
    set(&mut lap, "remote_station", BAC_KAN, json!({"remote": true}));
    set(
        &mut lap,
        "fine_cap",
        "chu_tich_xa",
        json!({"amount_vnd": 5_000_000}),
    );
    deliver(&lap, &mut st);
    assert!(
        st.categories()
            .unwrap()
            .iter()
            .any(|c| c.0 == "drone_flying")
    );
    assert_eq!(
        st.setting("stats_cutoff_day").unwrap().as_deref(),
        Some("25")
    );
    let groups = st.category_groups().unwrap();
    let group = |c: &str| groups.iter().find(|g| g.0 == c).map(|g| g.1);
    assert_eq!(group("drone_flying"), Some(LegalGroup::HighTech));
    assert_eq!(
        group("theft"),
        Some(LegalGroup::SocialOrder),
        "the shipped default"
    );
    assert_eq!(group("uxo"), Some(LegalGroup::ExplosivesIncidents));
    // A remote commune: 48 h for a new crime report.
    let now = Utc::now().with_timezone(&vn());
    let c = received(&mut st, &chief, now - Duration::hours(1));
    assert_eq!(
        c.row.deadline,
        Some(c.row.received_at.timestamp() + 48 * 3600)
    );
    assert_eq!(
        st.reference(Some("fine_cap")).unwrap()[0].value["amount_vnd"],
        5_000_000
    );
    assert!(st.reference(Some("weather")).is_err());
    // Once the province has said, the chief's local flag is closed: only the province changes it.
    let e = st.set_station_remote(&chief, BAC_KAN, false).unwrap_err();
    assert!(e.to_string().contains("Công an tỉnh đã quyết định"), "{e}");
    assert!(st.station_remote(BAC_KAN).unwrap());
    // On the province's laptop the same command issues a version from today, which the
    // station receives with its next sync.
    lap.set_station_remote(&adm, BAC_KAN, false).unwrap();
    let today = Utc::now()
        .with_timezone(&vn())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let v = lap.reference(Some("remote_station")).unwrap();
    assert!(
        v.iter()
            .any(|v| v.key == BAC_KAN && v.effective_from == today && v.value["remote"] == false),
        "{v:?}"
    );
    deliver(&lap, &mut st);
    assert!(!st.station_remote(BAC_KAN).unwrap());
}

/// The province keeps the fine caps current: a cap for the commune chief in road traffic from
/// 2026-01-01 reaches the station as a dated row and holds a decision of that date, while a
/// decision of the day before keeps the Decree 189/2025 cap. Retiring the version removes it.
#[test]
fn a_fine_cap_from_the_province_holds_the_decisions_of_its_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (mut st, chief) = station(&dir, "a.db", BAC_KAN);
    let p = province_of(&st, BAC_KAN);
    let mut lap = laptop(&dir, "p.db", &p);
    let adm = admin(&p, "qt");
    let cap = |retired: bool| NewReference {
        set_name: "fine_cap".into(),
        key: "commune_police_chief/road_traffic".into(),
        effective_from: "2026-01-01".into(),
        value: obj(
            json!({"amount_vnd": 10_000_000, "basis": "Nghị định thử nghiệm 999/2026/NĐ-CP"}),
        ),
        retired,
    };
    lap.set_reference(&adm, cap(false)).unwrap();
    deliver(&lap, &mut st);
    let row = st
        .fine_caps()
        .unwrap()
        .into_iter()
        .find(|c| {
            c.title == "commune_police_chief"
                && c.sector == "road_traffic"
                && c.effective_from == "2026-01-01"
        })
        .expect("the province's cap is a dated row");
    assert_eq!(row.cap_vnd, 10_000_000);
    assert_eq!(row.title_vi, "Trưởng Công an cấp xã");
    // The laptop's own table follows too, and a version from today is a row from today.
    let today = Utc::now()
        .with_timezone(&vn())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let mut now = cap(false);
    now.effective_from = today.clone();
    lap.set_reference(&adm, now).unwrap();
    assert!(
        lap.fine_caps()
            .unwrap()
            .iter()
            .any(|c| c.effective_from == today && c.cap_vnd == 10_000_000),
        "a cap from today on the laptop"
    );

    let adult = |name: &str| NewPerson {
        role: PersonRole::Suspect,
        name: name.into(),
        birth_year: None,
        id_number: None,
        phone: None,
        address: None,
        birth_date: Some("1990-01-01".into()),
        guardian_of: None,
        guardian_of_index: None,
    };
    let mut c = wheelies();
    c.received_at =
        Some(chrono::DateTime::parse_from_rfc3339("2025-12-20T21:00:00+07:00").unwrap());
    c.occurred = None;
    c.persons = vec![adult("Trần Văn Một"), adult("Trần Văn Hai")];
    let c = st.intake(&chief, c).unwrap();
    let fine = |person, on: &str| {
        sanction(
            person,
            SanctionForm::Fine,
            15_000_000,
            None,
            None,
            "1/QĐ",
            on,
        )
    };
    match st.act(&chief, c.row.id, fine(c.persons[0].id, "2026-01-05")) {
        Err(Error::Invalid(m)) => {
            assert!(m.contains("tối đa 10.000.000 đ"), "{m}");
            assert!(m.contains("999/2026"), "{m}");
        }
        other => panic!(
            "expected the province's cap, got {:?}",
            other.map(|d| d.row.status)
        ),
    }
    st.act(&chief, c.row.id, fine(c.persons[1].id, "2025-12-31"))
        .expect("the day before, Decree 189/2025's 20.000.000 đ holds");

    lap.set_reference(&adm, cap(true)).unwrap();
    deliver(&lap, &mut st);
    assert!(
        !st.fine_caps()
            .unwrap()
            .iter()
            .any(|c| c.effective_from == "2026-01-01"),
        "a retired version leaves no row"
    );
}
