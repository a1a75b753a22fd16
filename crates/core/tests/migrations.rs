//! Schema upgrades from every earlier version.
mod common;

use common::*;
use tinbao_core::*;

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
        c.execute_batch(
            "DROP TABLE case_fts;
             CREATE VIRTUAL TABLE case_fts USING fts5(body, content='', contentless_delete=1,
               tokenize='unicode61 remove_diacritics 2');
             DROP INDEX audit_chain;
             ALTER TABLE audit DROP COLUMN seq;
             ALTER TABLE audit DROP COLUMN prev_hash;
             ALTER TABLE audit DROP COLUMN hash;
             DROP TABLE refused_changes;
             ALTER TABLE persons DROP COLUMN birth_date;
             ALTER TABLE persons DROP COLUMN guardian_of;
             DROP TABLE fine_caps;
             PRAGMA user_version = 2;",
        )
        .unwrap();
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
        c.execute_batch(
            "DROP INDEX audit_chain;
             ALTER TABLE audit DROP COLUMN seq;
             ALTER TABLE audit DROP COLUMN prev_hash;
             ALTER TABLE audit DROP COLUMN hash;
             DROP TABLE refused_changes;
             ALTER TABLE persons DROP COLUMN birth_date;
             ALTER TABLE persons DROP COLUMN guardian_of;
             DROP TABLE fine_caps;
             PRAGMA user_version = 3;",
        )
        .unwrap();
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
