//! Schema upgrades from every earlier version.
mod common;

use common::*;
use tinbao_core::*;

/// What each migration above version 2 added, undone newest first, so that a register made by
/// this release (with cases in it) can be turned back into the register an older release
/// left. A new migration adds its undo here.
fn rewind(c: &rusqlite::Connection, to: i64) {
    let undo: &[(i64, &str)] = &[
        (
            12,
            "DROP INDEX events_type_at;
             DROP INDEX inquiries_station_received;
             DROP INDEX cases_outcome;
             DROP INDEX events_case_at;",
        ),
        (
            11,
            "ALTER TABLE categories DROP COLUMN legal_group;
             UPDATE deadline_rules SET label_vi = 'Phân loại vụ việc (chưa phân loại)'
              WHERE code = 'classify' AND label_vi = 'Phân loại vụ việc';",
        ),
        (
            10,
            "ALTER TABLE persons DROP COLUMN birth_date;
             ALTER TABLE persons DROP COLUMN guardian_of;
             DROP TABLE fine_caps;",
        ),
        (
            9,
            "DROP TABLE register_numbers;
             DROP TABLE register_years;",
        ),
        (8, "DROP TABLE reference_versions;"),
        (7, "DROP TABLE alerts_sent;"),
        (6, "ALTER TABLE users DROP COLUMN investigator;"),
        (
            5,
            "DELETE FROM holidays;
             ALTER TABLE holidays DROP COLUMN kind;
             ALTER TABLE holidays DROP COLUMN basis;",
        ),
        (
            4,
            "DROP INDEX audit_chain;
             ALTER TABLE audit DROP COLUMN seq;
             ALTER TABLE audit DROP COLUMN prev_hash;
             ALTER TABLE audit DROP COLUMN hash;
             DROP TABLE refused_changes;",
        ),
        (
            3,
            "DROP TABLE case_fts;
             CREATE VIRTUAL TABLE case_fts USING fts5(body, content='', contentless_delete=1,
               tokenize='unicode61 remove_diacritics 2');",
        ),
    ];
    for (version, sql) in undo {
        if *version > to {
            c.execute_batch(sql).unwrap();
        }
    }
    c.pragma_update(None, "user_version", to).unwrap();
}

#[test]
fn every_earlier_schema_upgrades_to_the_current_one() {
    for v in 1..SCHEMA_VERSION as usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        create_at_version(&path, KEY, v).unwrap();
        // An old database has no scope yet; the upgrade must still run and leave it usable
        // once initialised by the current release.
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        let got: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(got, v as i64);
        c.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('scope_kind', 'station'), ('scope_code', '01843'),
               ('device_id', '0190aaaa-0000-7000-8000-000000000001');",
        )
        .unwrap();
        // A case and its persons as that release wrote them: they must survive the upgrade.
        c.execute_batch(
            "INSERT INTO cases(id, station, register_no, reg_year, reg_seq, received_at, received_utc, channel,
               kind, category, urgency, summary, description, hlc)
             VALUES ('0190aaaa-0000-7000-8000-0000000000c1', '01843', '7/2024', 2024, 7,
               '2024-05-01T08:00:00+07:00', 1714525200, 'walk_in', 'phan_anh', 'other', 'normal', 'Cũ', '', '0');
             INSERT INTO persons(id, case_id, role, name, birth_year, hlc)
             VALUES ('0190aaaa-0000-7000-8000-0000000000d1', '0190aaaa-0000-7000-8000-0000000000c1',
               'suspect', 'Người cũ', 2008, '0');",
        )
        .unwrap();
        drop(c);
        let mut s = Store::open(&path, KEY).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.create_user(
            None,
            NewUser {
                username: "truong".into(),
                full_name: "T".into(),
                rank: None,
                role: Role::Chief,
                password: "matkhau-123".into(),
            },
        )
        .unwrap();
        let chief = s.login("truong", "matkhau-123").unwrap();
        let old = s
            .case_detail(
                &chief,
                "0190aaaa-0000-7000-8000-0000000000c1".parse().unwrap(),
            )
            .unwrap();
        assert_eq!(old.persons.len(), 1, "version {v}");
        assert_eq!(
            (old.persons[0].name.as_str(), old.persons[0].birth_year),
            ("Người cũ", Some(2008))
        );
        assert_eq!(old.persons[0].birth_date, None);
        assert_eq!(
            s.intake(&chief, wheelies()).unwrap().row.register_no,
            "1/2025"
        );
    }
}

/// Version 3 rebuilt the search index with other options; the cases already in a register
/// must be found again after the upgrade, and not only newer ones.
#[test]
fn the_version_3_upgrade_rebuilds_the_search_index_from_the_cases() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let id = s.intake(&chief, wheelies()).unwrap().row.id;
    drop(s);
    let path = dir.path().join("a.db");
    {
        // The index as version 2 made it, here left empty so that only the upgrade can fill it;
        // the audit log as it was before version 4's chain.
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        rewind(&c, 2);
    }
    let mut s = Store::open(&path, KEY).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    let chief = s.login("truong", "matkhau-123").unwrap();
    for q in ["lang lach", "Hoang Van Tung", "Xuat Hoa", "boc da"] {
        let found = text_search(&s, &chief, q);
        assert_eq!(
            found.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![id],
            "{q}"
        );
    }
}

#[test]
fn migrations_run_from_every_earlier_version() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    drop(s);
    // A database from a newer release is refused clearly, not damaged.
    let path = dir.path().join("a.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    assert!(matches!(Store::open(&path, KEY), Err(Error::TooNew { .. })));
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION)
            .unwrap();
    }
    assert!(Store::open(&path, KEY).is_ok());
}

/// Version 4 chains the audit log: the entries a register already had become the start of its
/// device's chain, verify accepts it, and the log is append-only again afterwards.
#[test]
fn the_version_4_upgrade_chains_the_audit_entries_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.audit(&chief, "exported", Some("a.xlsx"), None).unwrap();
    s.audit(&chief, "exported", Some("b.xlsx"), None).unwrap();
    drop(s);
    let path = dir.path().join("a.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        rewind(&c, 3);
    }
    let s = Store::open(&path, KEY).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        s.audit_head().unwrap().unwrap().seq,
        3,
        "login and two exports"
    );
    assert!(s.verify().unwrap().ok);
    drop(s);
    let c = rusqlite::Connection::open(&path).unwrap();
    tinbao_core::store::key_connection(&c, KEY).unwrap();
    assert!(
        c.execute("UPDATE audit SET target = 'x'", []).is_err(),
        "append-only again"
    );
}

/// Version 5 ships the holiday calendar: a register that had its own holidays keeps them as
/// days off, and gains the 2025–2027 calendar.
#[test]
fn the_version_5_upgrade_ships_the_calendar_and_keeps_a_stations_own_days() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _chief) = station(&dir, "a.db", BAC_KAN);
    drop(s);
    let path = dir.path().join("a.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        rewind(&c, 4);
        c.execute(
            "INSERT INTO holidays(on_date, name) VALUES ('2024-12-31', 'Nghỉ do tỉnh quyết định')",
            [],
        )
        .unwrap();
    }
    let s = Store::open(&path, KEY).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    let own = s.holidays(Some(2024)).unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].kind, holidays::HolidayKind::DayOff);
    assert!(s.holidays(Some(2026)).unwrap().len() >= 8);
}

/// Version 6 replaces the one clock per case by the law's clocks and recomputes the cases a
/// register already holds, from every earlier version: an old unclassified tin báo no longer
/// shows the 24-hour transfer clock it was given, but "chưa phân loại"; a closed case shows
/// none; old cases get no notice clocks the register could not have stopped.
#[test]
fn the_version_6_upgrade_recomputes_the_clocks_of_the_cases_already_there() {
    use chrono::{Duration, Utc};
    // Every version before the clocks' own.
    for v in 1..6usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        create_at_version(&path, KEY, v).unwrap();
        let received = Utc::now() - Duration::hours(30);
        let ts = received.timestamp();
        let rec = received.fixed_offset().to_rfc3339();
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.execute_batch(
            "INSERT INTO meta(key, value) VALUES ('scope_kind', 'station'), ('scope_code', '01843'),
               ('device_id', '0190aaaa-0000-7000-8000-000000000001');",
        )
        .unwrap();
        // As the release before wrote them: the open tin báo with its 24-hour transfer
        // deadline, the closed one with none.
        for (id, no, status, deadline) in [
            (
                "0190aaaa-0000-7000-8000-0000000000c1",
                "1/2025",
                "received",
                Some(ts + 24 * 3600),
            ),
            (
                "0190aaaa-0000-7000-8000-0000000000c2",
                "2/2025",
                "transferred",
                None,
            ),
        ] {
            c.execute(
                "INSERT INTO cases(id, station, register_no, reg_year, reg_seq, received_at, received_utc, channel,
                   kind, category, urgency, summary, description, hlc, status, deadline_utc, deadline_rule)
                 VALUES (?1, '01843', ?2, 2025, 1, ?3, ?4, 'hotline', 'tin_bao', 'theft', 'normal', 'Mất xe máy', '', '1', ?5, ?6,
                   CASE WHEN ?6 IS NULL THEN NULL ELSE 'crime_transfer' END)",
                rusqlite::params![id, no, rec, ts, status, deadline],
            )
            .unwrap();
            let mut events = vec![("created", serde_json::json!({ "received_utc": ts }))];
            if status == "transferred" {
                events.push((
                    "outcome_recorded",
                    serde_json::json!({ "from": "received", "outcome": { "type": "transferred", "to_agency": "CQĐT" } }),
                ));
            }
            for (i, (kind, data)) in events.into_iter().enumerate() {
                c.execute(
                    "INSERT INTO events(id, case_id, type, data, author, author_name, device, at_utc, hlc)
                     VALUES (?1, ?2, ?3, ?4, 'u', 'U', 'd', ?5, ?6)",
                    rusqlite::params![format!("{id}-{i}"), id, kind, data.to_string(), ts + i as i64, format!("{i}")],
                )
                .unwrap();
            }
        }
        drop(c);
        let mut s = Store::open(&path, KEY).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        s.create_user(
            None,
            NewUser {
                username: "truong".into(),
                full_name: "T".into(),
                rank: None,
                role: Role::Chief,
                password: "matkhau-123".into(),
            },
        )
        .unwrap();
        let chief = s.login("truong", "matkhau-123").unwrap();
        let open = s
            .case_detail(
                &chief,
                "0190aaaa-0000-7000-8000-0000000000c1".parse().unwrap(),
            )
            .unwrap();
        let rules: Vec<(&str, ClockState)> = open
            .clocks
            .iter()
            .map(|k| (k.rule.as_str(), k.state))
            .collect();
        assert_eq!(rules, [("classify", ClockState::Late)], "from version {v}");
        assert_eq!(open.deadline_rule.as_deref(), Some("classify"));
        assert_eq!(open.row.deadline, Some(ts + 12 * 3600));
        assert!(open.row.overdue);
        let closed = s
            .case_detail(
                &chief,
                "0190aaaa-0000-7000-8000-0000000000c2".parse().unwrap(),
            )
            .unwrap();
        assert_eq!(closed.row.deadline, None, "from version {v}");
        assert!(closed.clocks.iter().all(|k| k.state == ClockState::Stopped));
        // A report received after the upgrade gets its notice clocks.
        let new = s.intake(&chief, wheelies_now()).unwrap();
        assert!(
            new.clocks.iter().any(|k| k.rule == "notice_vks"),
            "from version {v}"
        );
    }
}

fn wheelies_now() -> NewCase {
    let mut c = wheelies();
    c.received_at = None;
    c
}

/// Version 11: the classification clock is named for the step, not "(chưa phân loại)", in a
/// register made before it and in a new one.
#[test]
fn the_classification_clock_is_named_for_its_step() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = station(&dir, "a.db", BAC_KAN);
    let label = |s: &Store| {
        s.deadline_rules()
            .unwrap()
            .into_iter()
            .find(|r| r.code == "classify")
            .unwrap()
            .label_vi
    };
    assert_eq!(label(&s), "Phân loại vụ việc");
    drop(s);
    let path = dir.path().join("a.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        rewind(&c, 10);
    }
    let s = Store::open(&path, KEY).unwrap();
    assert_eq!(label(&s), "Phân loại vụ việc");
}
