//! The register end to end through the public API: encryption, accounts and roles, intake
//! and numbering, the workflow of the seed stories, search, confidentiality, import/export,
//! backup/restore, migrations and the replica's merge.
use chrono::{DateTime, Duration, Utc};
use std::io::Write;
use tinbao_core::search::SearchQuery;
use tinbao_core::*;
use uuid::Uuid;

const KEY: &str = "khóa-thử-nghiệm";
const BAC_KAN: &str = "01843";
const TAN_AN: &str = "24163";

fn station(dir: &tempfile::TempDir, name: &str, code: &str) -> (Store, Actor) {
    let mut s = Store::create(dir.path().join(name), KEY, Scope::Station(code.into())).unwrap();
    s.create_user(
        None,
        NewUser {
            username: "truong".into(),
            full_name: "Nguyễn Văn Trưởng".into(),
            rank: Some("Thiếu tá".into()),
            role: Role::Chief,
            password: "matkhau-123".into(),
        },
    )
    .unwrap();
    let chief = s.login("truong", "matkhau-123").unwrap();
    (s, chief)
}

fn officer(s: &mut Store, chief: &Actor) -> Actor {
    s.create_user(
        Some(chief),
        NewUser {
            username: "canbo".into(),
            full_name: "Lê Thị Cán Bộ".into(),
            rank: None,
            role: Role::Officer,
            password: "matkhau-456".into(),
        },
    )
    .unwrap();
    s.login("canbo", "matkhau-456").unwrap()
}

fn wheelies() -> NewCase {
    NewCase {
        received_at: Some(DateTime::parse_from_rfc3339("2025-09-29T21:15:00+07:00").unwrap()),
        channel: Channel::Facebook,
        channel_ref: Some("Trang Facebook “Tin Bắc Kạn”".into()),
        kind: Kind::TinBao,
        category: "traffic_order".into(),
        urgency: Urgency::Normal,
        summary: "Hai thanh thiếu niên bốc đầu, lạng lách, đánh võng".into(),
        description: "Hình ảnh người dân ghi lại và đăng trên Facebook: 02 thanh thiếu niên điều khiển xe mô tô bốc đầu, lạng lách, đánh võng tại phường Xuất Hóa.".into(),
        location: Location { commune: Some(BAC_KAN.into()), hamlet: Some("Tổ dân phố Xuất Hóa".into()), ..Default::default() },
        occurred: Some("tối 29/9".into()),
        reporter: None,
        persons: vec![
            NewPerson { role: PersonRole::Suspect, name: "Hoàng Văn Tùng".into(), birth_year: Some(2009), id_number: None, phone: None, address: None },
            NewPerson { role: PersonRole::Suspect, name: "Lý Văn Thắng".into(), birth_year: Some(2008), id_number: None, phone: None, address: None },
            NewPerson { role: PersonRole::Guardian, name: "Hoàng Văn Sáng".into(), birth_year: Some(1979), id_number: None, phone: None, address: None },
        ],
    }
}

fn text_search(s: &Store, a: &Actor, t: &str) -> Vec<CaseRow> {
    s.search(
        a,
        &SearchQuery {
            text: Some(t.into()),
            page_size: 50,
            ..Default::default()
        },
    )
    .unwrap()
    .rows
}

#[test]
fn encrypted_at_rest_and_wrong_key_is_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let path = s.path().to_path_buf();
    drop(s);
    let mut raw = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(format!("{}-wal", path.display())) {
        raw.extend(wal);
    }
    let hay = String::from_utf8_lossy(&raw);
    assert!(!hay.contains("SQLite format 3"));
    assert!(!hay.contains("Tùng") && !hay.contains("boc dau") && !hay.contains("Facebook"));
    match Store::open(&path, "sai-khoa") {
        Err(Error::WrongKey) => {}
        other => panic!("expected WrongKey, got {:?}", other.err()),
    }
    assert!(Error::WrongKey.to_string().contains("Sai khóa"));
    assert!(Store::open(&path, KEY).is_ok());
}

#[test]
fn accounts_roles_and_offline_login() {
    let dir = tempfile::tempdir().unwrap();
    let mut s =
        Store::create(dir.path().join("a.db"), KEY, Scope::Station(BAC_KAN.into())).unwrap();
    let bad = NewUser {
        username: "x1".into(),
        full_name: "X".into(),
        rank: None,
        role: Role::Officer,
        password: "matkhau-123".into(),
    };
    assert!(
        s.create_user(None, bad).is_err(),
        "first account must be the chief"
    );
    let (_, chief) = {
        let mut d = s;
        d.create_user(
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
        let c = d.login("truong", "matkhau-123").unwrap();
        s = d;
        ((), c)
    };
    assert!(matches!(
        s.login("truong", "sai"),
        Err(Error::BadCredentials)
    ));
    assert!(matches!(
        s.login("khongco", "matkhau-123"),
        Err(Error::BadCredentials)
    ));
    let off = officer(&mut s, &chief);
    assert!(
        s.create_user(
            Some(&off),
            NewUser {
                username: "thu3".into(),
                full_name: "T".into(),
                rank: None,
                role: Role::Officer,
                password: "12345678".into()
            }
        )
        .is_err()
    );
    assert!(
        s.reset_password(&off, chief.user_id, "matkhau-moi-1")
            .is_err(),
        "an officer resets no one"
    );
    s.reset_password(&chief, off.user_id, "matkhau-moi-1")
        .unwrap();
    assert!(s.login("canbo", "matkhau-456").is_err());
    let off = s.login("canbo", "matkhau-moi-1").unwrap();
    assert!(
        s.audit_log(&chief, 20)
            .unwrap()
            .iter()
            .any(|r| r.action == "password_reset")
    );
    s.set_user_active(&chief, off.user_id, false).unwrap();
    assert!(matches!(
        s.login("canbo", "matkhau-moi-1"),
        Err(Error::InactiveUser)
    ));
    let log = s.audit_log(&chief, 50).unwrap();
    assert!(log.iter().any(|r| r.action == "login"));
}

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
    assert_eq!(c.deadline_rule.as_deref(), Some("crime_transfer"));
    assert!(c.deadline_basis.as_deref().unwrap().contains("01/2017"));
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
        },
    )
    .unwrap();
    let fine = Outcome::Sanctioned {
        record_no: "12/BB-VPHC".into(),
        decision_no: "34/QĐ-XPHC".into(),
        fine_vnd: 8_000_000,
        decided_by: "Trưởng Công an phường".into(),
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
    assert_eq!(done.outcome, Some(fine.clone()));
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
    assert_eq!((st.received, st.sanctions, st.fines_vnd), (1, 1, 8_000_000));
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
fn search_folds_d_and_apostrophes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", "24280");
    let mut c = wheelies();
    c.location = Location {
        commune: Some("24280".into()),
        hamlet: Some("Buôn Cư M’gar, Đắk Lắk".into()),
        ..Default::default()
    };
    c.summary = "Nhóm đối tượng đánh bạc tại chợ".into();
    c.description = "Tụ tập đánh bạc".into();
    c.persons.clear();
    s.intake(&chief, c).unwrap();
    for q in [
        "danh bac",
        "Dak Lak",
        "dak lak",
        "Cư M'gar",
        "cu mgar",
        "M’gar",
    ] {
        assert_eq!(text_search(&s, &chief, q).len(), 1, "query {q}");
    }
    assert!(text_search(&s, &chief, "\"*) OR (").is_empty());
}

/// The last word is a prefix whether it is short enough for the index's prefix terms (read
/// first, so a query that finds nothing stops after one read) or longer (a complete word is
/// read whole, one that starts longer words is expanded); a word that matches nothing, or a
/// filter that leaves nothing, finds nothing either way.
#[test]
fn last_word_prefixes_short_and_long_and_empty_results() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.description
        .push_str(" Sau đó nhóm này vào quán karaoke Hoàng Gia.");
    s.intake(&chief, c).unwrap();
    let mut other = wheelies();
    other.summary = "Trộm cắp xe máy".into();
    other.description = "Mất xe máy trước cổng chợ.".into();
    other.category = "theft".into();
    other.persons.clear();
    s.intake(&chief, other).unwrap();
    let mut third = wheelies();
    third.summary = "Gây rối tại Karaokebox Phố Núi".into();
    third.description = "Hai nhóm thanh niên cãi nhau lúc nửa đêm.".into();
    third.category = "affray".into();
    third.persons.clear();
    s.intake(&chief, third).unwrap();
    let find = |t: &str, category: Option<&str>| {
        s.search(
            &chief,
            &SearchQuery {
                text: Some(t.into()),
                category: category.map(Into::into),
                page_size: 50,
                ..Default::default()
            },
        )
        .unwrap()
    };
    for q in [
        "lang lac",
        "lang la",
        "boc dau",
        "quan karaok",
        "quan karaoke",
        "xe may",
    ] {
        let r = find(q, None);
        assert!(r.ranked, "query {q}");
        assert!(!r.rows.is_empty(), "query {q}");
    }
    assert_eq!(find("xe", None).rows.len(), 2);
    assert_eq!(find("xe may", None).rows.len(), 1);
    assert_eq!(find("lang lach", None).rows.len(), 1);
    // Seven letters and more, beyond the prefix indexes: the word whole, and every longer word.
    assert_eq!(find("quan karaoke", None).rows.len(), 1);
    assert_eq!(find("karaoke", None).rows.len(), 2);
    assert_eq!(find("karaokeb", None).rows.len(), 1);
    assert_eq!(find("karaoke", Some("affray")).rows.len(), 1);
    for (q, category) in [
        ("lang xyz", None),
        ("quan karaokex", None),
        ("karaokex", None),
        ("karaoke", Some("theft")),
        ("karaokebox", Some("theft")),
        ("lang lach", Some("theft")),
        ("trom cap", Some("traffic_order")),
    ] {
        let r = find(q, category);
        assert!(r.rows.is_empty() && r.total == 0, "query {q} {category:?}");
    }
}

/// A word in more cases than can be ranked lists them newest first, page after page, and a
/// filter that few of those newest matches pass still finds every case it should.
#[test]
fn broad_searches_list_newest_first_and_filters_reach_older_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let template: serde_json::Value =
        serde_json::from_str(sample().lines().next().unwrap()).unwrap();
    let n = 1200;
    let mut file = String::new();
    for i in 0..n {
        let mut c = template.clone();
        let at = DateTime::parse_from_rfc3339("2024-01-01T08:00:00+07:00").unwrap()
            + Duration::minutes(i * 37);
        c["id"] = serde_json::json!(Uuid::now_v7().to_string());
        c["register_no"] = serde_json::json!(format!("{}/{}", i + 1, at.format("%Y")));
        c["received_at"] = serde_json::json!(at.to_rfc3339());
        // Every 50th is in another hamlet: 24 in all, about ten among the 501 newest
        // matches. (Hamlets are filtered in SQL only, not by index tokens.)
        if i % 50 == 0 {
            c["location"]["hamlet"] = serde_json::json!("Thôn Nà Vị");
        }
        // Every fifth of the others: a page of them spans several slices of the matches.
        if i % 5 == 1 {
            c["location"]["hamlet"] = serde_json::json!("Thôn Bản Chang");
        }
        file.push_str(&format!("{c}\n"));
    }
    let rep = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!(rep.imported, n as u64);
    let page = |p: u32, hamlet: Option<&str>| {
        s.search(
            &chief,
            &SearchQuery {
                text: Some("lạng lách".into()),
                hamlet: hamlet.map(Into::into),
                page: p,
                page_size: 50,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (first, second) = (page(0, None), page(1, None));
    assert!(!first.ranked && first.total_capped);
    let times: Vec<_> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.received_at)
        .collect();
    assert_eq!(times.len(), 100);
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let at = |i: i64| {
        DateTime::parse_from_rfc3339("2024-01-01T08:00:00+07:00").unwrap()
            + Duration::minutes(i * 37)
    };
    let every_fifth: Vec<_> = (0..n).rev().filter(|i| i % 5 == 1).map(at).collect();
    for p in 0..3u32 {
        let got: Vec<_> = page(p, Some("Thôn Bản Chang"))
            .rows
            .iter()
            .map(|r| r.received_at)
            .collect();
        let from = p as usize * 50;
        assert_eq!(got, every_fifth[from..from + 50], "page {p}");
    }
    let hamlet = page(0, Some("Thôn Nà Vị"));
    assert!(!hamlet.ranked);
    assert_eq!(hamlet.rows.len(), 24);
    assert!(
        hamlet
            .rows
            .iter()
            .all(|r| r.hamlet.as_deref() == Some("Thôn Nà Vị"))
    );
    assert!(
        hamlet
            .rows
            .windows(2)
            .all(|w| w[0].received_at > w[1].received_at)
    );
}

/// Each save adds a segment to the search index; they are merged when the app is idle (and
/// after imports), never by an officer's save.
#[test]
fn search_index_segments_merge_at_idle_not_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..20 {
        s.intake(&chief, wheelies()).unwrap();
    }
    assert!(s.merge_search_index(1000).unwrap(), "20 saves, 20 segments");
    while s.merge_search_index(1000).unwrap() {}
    assert!(!s.merge_search_index(1000).unwrap());
    assert_eq!(text_search(&s, &chief, "lang lach").len(), 20);
    drop(s);
    let c = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    tinbao_core::store::key_connection(&c, KEY).unwrap();
    let automerge: i64 = c
        .query_row(
            "SELECT v FROM case_fts_config WHERE k = 'automerge'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(automerge, 0);
}

/// The app's idle upkeep gives way when another connection (the sync task) is writing: the
/// merge waits for a later idle moment instead of failing the status poll.
#[test]
fn idle_upkeep_gives_way_to_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..8 {
        s.intake(&chief, wheelies()).unwrap();
    }
    let other = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    tinbao_core::store::key_connection(&other, KEY).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    s.idle_upkeep().unwrap();
    other.execute_batch("COMMIT").unwrap();
    assert!(
        s.merge_search_index(1000).unwrap(),
        "the merge was left for later"
    );
    s.idle_upkeep().unwrap();
}

#[test]
fn reporter_is_confidential() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", TAN_AN);
    let off = officer(&mut s, &chief);
    let mut c = wheelies();
    c.location.commune = Some(TAN_AN.into());
    c.reporter = Some(Reporter {
        name: Some("Y Blao Niê".into()),
        phone: Some("0912345678".into()),
        address: None,
        id_number: None,
    });
    let d = s.intake(&off, c).unwrap();
    assert!(d.has_reporter && !d.can_reveal);
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("Blao") && !json.contains("0912345678"));
    assert!(
        text_search(&s, &off, "blao").is_empty(),
        "the reporter is not searchable"
    );
    assert!(matches!(
        s.reveal_reporter(&off, d.row.id),
        Err(Error::Forbidden { .. })
    ));
    let r = s.reveal_reporter(&chief, d.row.id).unwrap().unwrap();
    assert_eq!(r.name.as_deref(), Some("Y Blao Niê"));
    assert!(
        s.audit_log(&chief, 10)
            .unwrap()
            .iter()
            .any(|a| a.action == "reporter_revealed")
    );
    let mut out = Vec::new();
    s.export_jsonl(&chief, false, &mut out).unwrap();
    assert!(!String::from_utf8_lossy(&out).contains("Blao"));
    assert!(s.export_jsonl(&off, true, &mut Vec::new()).is_err());
    let mut out = Vec::new();
    s.export_jsonl(&chief, true, &mut out).unwrap();
    assert!(String::from_utf8_lossy(&out).contains("Blao"));
}

#[test]
fn province_scope_keeps_stations_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Store::create(dir.path().join("p.db"), KEY, Scope::Province("66".into())).unwrap();
    p.create_user(
        None,
        NewUser {
            username: "giamsat".into(),
            full_name: "Giám sát".into(),
            rank: None,
            role: Role::Supervisor,
            password: "matkhau-123".into(),
        },
    )
    .unwrap();
    let sup = p.login("giamsat", "matkhau-123").unwrap();
    // The supervisor's own account and the laptop's login audit stay on the laptop: nothing
    // for the server, which would refuse them (and pass a password hash on to the stations).
    assert_eq!(p.sync_state().unwrap().pending, 0);
    let sample = sample();
    let first: String = sample.lines().take(300).map(|l| format!("{l}\n")).collect();
    let rep = p
        .import_jsonl(&system_actor(p.scope()), first.as_bytes(), &mut |_| {})
        .unwrap();
    assert!(
        rep.imported > 0 && !rep.rejected.is_empty(),
        "Bắc Kạn's cases (province 19) are outside province 66"
    );
    assert!(rep.rejected.iter().all(|r| r.reason.contains("phạm vi")));
    // Station cases copied into a province database are not this laptop's to push: the
    // stations push their own and the server takes only review events from a supervisor.
    assert_eq!(p.sync_state().unwrap().pending, 0);
    let all = p
        .search(
            &sup,
            &SearchQuery {
                page_size: 500,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(all.rows.iter().all(|r| r.station.starts_with("24")));
    // An officer of Tân An sees only Tân An.
    let tan_an_officer = Actor {
        user_id: Uuid::now_v7(),
        username: "x".into(),
        full_name: "x".into(),
        role: Role::Officer,
        station: Some(TAN_AN.into()),
        province: None,
    };
    let mine = p
        .search(
            &tan_an_officer,
            &SearchQuery {
                page_size: 500,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!mine.rows.is_empty() && mine.rows.iter().all(|r| r.station == TAN_AN));
    let other = all.rows.iter().find(|r| r.station != TAN_AN).unwrap();
    assert!(matches!(
        p.case_detail(&tan_an_officer, other.id),
        Err(Error::Forbidden { .. })
    ));
    // A supervisor returns a case with a comment; a station officer may not.
    let closed = all
        .rows
        .iter()
        .find(|r| r.status == Status::Sanctioned)
        .unwrap();
    assert!(
        p.act(
            &tan_an_officer,
            closed.id,
            Action::Return {
                comment: "x".into()
            }
        )
        .is_err()
    );
    let back = p
        .act(
            &sup,
            closed.id,
            Action::Return {
                comment: "Thiếu quyết định xử phạt".into(),
            },
        )
        .unwrap();
    assert_eq!(back.row.status, Status::Verifying);
    assert!(back.review.unwrap().contains("Thiếu quyết định"));
    assert!(back.row.review.unwrap().contains("Thiếu quyết định"));
    // A supervisor's reveal is filed under the case's station, so it is sent to the province;
    // the supervisor's own login record stays on the laptop.
    p.reveal_reporter(&sup, closed.id).unwrap();
    let audits: Vec<_> = p
        .pending_changes(100_000)
        .unwrap()
        .into_iter()
        .filter(|c| c.entity == EntityKind::Audit)
        .collect();
    assert!(
        audits
            .iter()
            .any(|c| c.station == closed.station && c.fields["action"] == "reporter_revealed")
    );
    assert!(audits.iter().all(|c| c.station != "66"));

    // The review queue: closed cases not yet approved, and open cases past their deadline.
    let queue = |p: &Store| {
        p.search(
            &sup,
            &SearchQuery {
                review_queue: true,
                page_size: 500,
                ..Default::default()
            },
        )
        .unwrap()
        .rows
    };
    let before = queue(&p);
    assert!(!before.is_empty());
    assert!(before.iter().all(|r| if r.status.is_open() {
        r.overdue
    } else {
        r.status != Status::Duplicate && r.review.as_deref() != Some("approved")
    }));
    let to_approve = before.iter().find(|r| !r.status.is_open()).unwrap();
    let approved = p
        .act(&sup, to_approve.id, Action::Approve { comment: None })
        .unwrap();
    assert_eq!(approved.row.review.as_deref(), Some("approved"));
    let after = queue(&p);
    assert_eq!(after.len(), before.len() - 1);
    assert!(after.iter().all(|r| r.id != to_approve.id));
}

#[test]
fn import_reports_bad_lines_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", "24280");
    let sample = sample();
    let mut file: String = sample
        .lines()
        .filter(|l| l.contains("\"station\": \"24280\""))
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    let good = file.lines().count() as u64;
    file.push_str("{not json\n");
    let future = (Utc::now() + Duration::days(30)).format("%Y-%m-%dT%H:%M:%S+07:00");
    let template = sample
        .lines()
        .find(|l| l.contains("\"station\": \"24280\""))
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(template).unwrap();
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!(future.to_string());
    v["register_no"] = serde_json::json!(format!(
        "999/{}",
        (Utc::now() + Duration::days(30)).format("%Y")
    ));
    file.push_str(&format!("{v}\n"));
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!("1999-05-01T10:00:00+07:00");
    v["register_no"] = serde_json::json!("5/1999");
    file.push_str(&format!("{v}\n"));
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!("2024-05-01T10:00:00+07:00");
    v["register_no"] = serde_json::json!("77/2024");
    v["location"]["commune"] = serde_json::json!("99999");
    file.push_str(&format!("{v}\n"));
    v["location"]["commune"] = serde_json::json!("24280");
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["summary"] = serde_json::json!("x".repeat(5000));
    file.push_str(&format!("{v}\n"));
    let rep = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!(rep.imported, good);
    // A station's own imported register goes to the server like its intake.
    let queued = s.pending_changes(100_000).unwrap();
    let cases: std::collections::HashSet<Uuid> = queued
        .iter()
        .filter(|c| c.entity == tinbao_sync::EntityKind::Case)
        .map(|c| c.entity_id)
        .collect();
    assert_eq!(cases.len() as u64, good);
    let lines: Vec<u64> = rep.rejected.iter().map(|r| r.line).collect();
    assert_eq!(
        lines,
        vec![good + 1, good + 2, good + 3, good + 4, good + 5],
        "{:?}",
        rep.rejected
    );
    assert!(rep.rejected[1].reason.contains("tương lai"));
    assert!(rep.rejected[3].reason.contains("99999"));
    let again = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!((again.imported, again.already_present), (0, good));
    // The round trip through the interchange format and CSV gives back the same cases.
    let mut jsonl = Vec::new();
    assert_eq!(s.export_jsonl(&chief, false, &mut jsonl).unwrap(), good);
    let mut csv = Vec::new();
    s.export_csv(&chief, true, &mut csv).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let (mut t, chief2) = station(&dir2, "b.db", "24280");
    let r = t.import_csv(&chief2, csv.as_slice(), &mut |_| {}).unwrap();
    assert_eq!(
        (r.imported, r.rejected.len()),
        (good, 0),
        "{:?}",
        r.rejected
    );
    let mut jsonl2 = Vec::new();
    t.export_jsonl(&chief2, false, &mut jsonl2).unwrap();
    let (a, b) = (
        String::from_utf8(jsonl).unwrap(),
        String::from_utf8(jsonl2).unwrap(),
    );
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y);
    }
}

#[test]
fn csv_from_an_excel_register() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let csv = "\u{feff}Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt,Người liên quan,Kết quả\n\
               3/2025,05/03/2025 08:30,Tố giác,Trực tiếp tại trụ sở,Trộm cắp tài sản,Mất trộm xe máy,Bị hại: Trần Văn An (1980),Đang xác minh\n\
               4/2025,32/03/2025 08:30,Tố giác,Zalo,theft,Mất trộm,,\n\
               5/2025,06/03/2025,Tin báo,Zalo,Không có loại này,Mất trộm,,\n\
               6/2025,06/03/2025,Tin báo,TikTok,theft,Mất trộm,,\n";
    let r = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(r.imported, 1);
    let reasons: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.line, x.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                3,
                "Ngày giờ tiếp nhận “32/03/2025 08:30” không đúng dạng dd/MM/yyyy HH:mm."
            ),
            (
                4,
                "Loại vụ việc “Không có loại này” không có trong danh mục."
            ),
            (
                5,
                "Kênh tiếp nhận “TikTok” không có trong danh mục (chấp nhận: Zalo, Facebook, Đường dây nóng, Tin nhắn SMS, Trực tiếp tại trụ sở, Thư điện tử, Đơn vị khác chuyển đến, Lực lượng tuần tra phát hiện)."
            ),
        ]
    );
    let rows = text_search(&s, &chief, "tran van an");
    assert_eq!(rows[0].status, Status::Verifying);
    let again = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(again.already_present, 1);
    // Numbering continues after the imported register.
    let c = s.intake(&chief, wheelies()).unwrap();
    assert_eq!(c.row.register_no, "4/2025");
}

/// A description with line breaks (Excel keeps them inside a quoted cell) spans several lines
/// of the file; a rejected record is still named by the line where it starts.
#[test]
fn csv_rejections_name_the_line_where_the_record_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let csv = "Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt,Nội dung\n\
               3/2025,05/03/2025 08:30,Tố giác,Zalo,Trộm cắp tài sản,Mất trộm xe máy,\"Sáng nay\nmất xe\ntrước nhà\"\n\
               4/2025,32/03/2025 08:30,Tố giác,Zalo,theft,Mất trộm,\n";
    let r = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(r.imported, 1);
    assert_eq!(
        r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(),
        vec![5],
        "{:?}",
        r.rejected
    );
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
fn replicas_converge_and_flag_concurrent_edits() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, chief_a) = station(&dir, "a.db", BAC_KAN);
    let (mut b, _) = station(&dir, "b.db", BAC_KAN);
    let case = a.intake(&chief_a, wheelies()).unwrap();
    let id = case.row.id;
    let first = a.pending_changes(1000).unwrap();
    let rep = b.apply_remote(&first).unwrap();
    assert_eq!(rep.rejected, 0);
    assert_eq!(
        b.apply_remote(&first).unwrap().applied,
        0,
        "re-applying a batch changes nothing"
    );
    a.mark_pushed(&first.iter().map(|c| c.id).collect::<Vec<_>>())
        .unwrap();
    // Both classify the same case differently while offline, and both record an outcome.
    let b_chief = b.login("truong", "matkhau-123").unwrap();
    let b_chief = Actor {
        user_id: b_chief.user_id,
        ..b_chief
    };
    a.act(
        &chief_a,
        id,
        Action::Classify {
            kind: None,
            category: Some("affray".into()),
            urgency: None,
        },
    )
    .unwrap();
    b.act(
        &b_chief,
        id,
        Action::Classify {
            kind: None,
            category: Some("drugs".into()),
            urgency: Some(Urgency::Urgent),
        },
    )
    .unwrap();
    a.act(
        &chief_a,
        id,
        Action::RecordOutcome {
            outcome: Outcome::Unfounded {
                reason: "Không có dấu hiệu".into(),
            },
        },
    )
    .unwrap();
    b.act(
        &b_chief,
        id,
        Action::RecordOutcome {
            outcome: Outcome::Transferred {
                to_agency: "CQĐT Công an tỉnh".into(),
                note: None,
            },
        },
    )
    .unwrap();
    let from_a = a.pending_changes(1000).unwrap();
    let from_b: Vec<_> = b
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .filter(|c| !first.iter().any(|f| f.id == c.id))
        .collect();
    a.apply_remote(&from_b).unwrap();
    b.apply_remote(&from_a).unwrap();
    let da = a.case_detail(&chief_a, id).unwrap();
    let db = b.case_detail(&b_chief, id).unwrap();
    assert_eq!(da.row.category, db.row.category);
    assert_eq!(da.row.urgency, Urgency::Urgent);
    assert_eq!(da.row.status, db.row.status);
    assert_eq!(da.events.len(), db.events.len());
    assert!(
        da.row.conflict && db.row.conflict,
        "concurrent edits are never silent"
    );
    assert!(!a.conflicts().unwrap().is_empty());
    let ok = a
        .act(
            &chief_a,
            id,
            Action::ResolveConflict {
                note: "Giữ phân loại ma túy".into(),
            },
        )
        .unwrap();
    assert!(!ok.row.conflict);
    b.apply_remote(&a.pending_changes(1000).unwrap()).unwrap();
    assert!(!b.case_detail(&b_chief, id).unwrap().row.conflict);
}

#[test]
fn backup_and_verified_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let bk = dir.path().join("sao-luu.tinbao");
    s.backup(&chief, &bk).unwrap();
    s.intake(&chief, wheelies()).unwrap();
    let target = s.path().to_path_buf();
    drop(s);
    // A corrupt backup is refused and the database stays as it was.
    let bad = dir.path().join("hong.tinbao");
    let mut bytes = std::fs::read(&bk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 64].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::File::create(&bad)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    assert!(Store::restore(&bad, &target, KEY).is_err());
    assert!(Store::restore(&bk, &target, "sai").is_err());
    // A mistyped path is reported as missing, and no empty file is made there.
    let typo = dir.path().join("sao-luu.tinbo");
    assert!(matches!(
        Store::restore(&typo, &target, KEY),
        Err(Error::NotFound { .. })
    ));
    assert!(!typo.exists());
    let s = Store::open(&target, KEY).unwrap();
    assert_eq!(s.verify().unwrap().cases, 2);
    drop(s);
    Store::restore(&bk, &target, KEY).unwrap();
    let s = Store::open(&target, KEY).unwrap();
    assert_eq!(s.verify().unwrap().cases, 1);
}

/// A page damaged on disk (a bad sector, a byte changed outside tinbao) is not told as a wrong
/// key: opening says the file is damaged, and verify names the page, even when the register
/// cannot be opened at all.
#[test]
fn a_damaged_page_is_not_a_wrong_key_and_verify_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let path = s.path().to_path_buf();
    drop(s);
    let page_of = |table: &str| -> i64 {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap()
    };
    let damage = |page: i64| {
        let mut bytes = std::fs::read(&path).unwrap();
        let at = (page as usize - 1) * 4096 + 2000;
        bytes[at..at + 8].iter_mut().for_each(|b| *b ^= 0xa5);
        std::fs::write(&path, bytes).unwrap();
    };
    let said = |page: i64| {
        vec![format!(
            "trang {page} của tệp bị hỏng (không khớp mã xác thực)"
        )]
    };

    // A page the register does not read to open: it opens, and verify finds the page.
    let holidays = page_of("holidays");
    damage(holidays);
    let s = Store::open(&path, KEY).unwrap();
    let r = s.verify().unwrap();
    assert_eq!((r.ok, r.problems), (false, said(holidays)));
    drop(s);

    // The page of the register's settings: it no longer opens, but not for a wrong key.
    let meta = page_of("meta");
    damage(meta);
    let e = Store::open(&path, KEY).err().unwrap();
    assert!(matches!(e, Error::Damaged), "{e:?}");
    assert!(e.to_string().contains("bị hỏng"));
    assert!(matches!(Store::open(&path, "sai"), Err(Error::WrongKey)));
    let r = Store::verify_file(&path, KEY).unwrap();
    let mut want = said(meta);
    want.extend(said(holidays));
    want.sort();
    let mut got = r.problems.clone();
    got.sort();
    assert_eq!((r.ok, got), (false, want));
    assert!(matches!(
        Store::verify_file(&path, "sai"),
        Err(Error::WrongKey)
    ));
    // Nor is it accepted as a backup.
    let target = dir.path().join("b.db");
    assert!(matches!(
        Store::restore(&path, &target, KEY),
        Err(Error::BadBackup(_))
    ));
    assert!(!target.exists());
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
    let mut c = wheelies();
    c.received_at = None;
    c.kind = Kind::PhanAnh;
    let admin = s.intake(&chief, c).unwrap();
    assert_eq!(admin.deadline_rule.as_deref(), Some("admin_record"));
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
        // The index as version 2 made it, here left empty so that only the upgrade can fill it.
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.execute_batch(
            "DROP TABLE case_fts;
             CREATE VIRTUAL TABLE case_fts USING fts5(body, content='', contentless_delete=1,
               tokenize='unicode61 remove_diacritics 2');
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

#[test]
fn raw_hex_keys_open_without_passphrase_derivation() {
    let dir = tempfile::tempdir().unwrap();
    let key = format!("x'{}'", "ab".repeat(32));
    let path = dir.path().join("raw.db");
    Store::create(&path, &key, Scope::Station(BAC_KAN.into())).unwrap();
    assert!(Store::open(&path, &key).is_ok());
    assert!(matches!(
        Store::open(&path, &format!("x'{}'", "cd".repeat(32))),
        Err(Error::WrongKey)
    ));
    // The same text as a passphrase is a different key.
    assert!(Store::open(&path, &"ab".repeat(32)).is_err());
}

/// The first 500 cases of the project's common data set (tests/data/README.md).
fn sample() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/sample-500.jsonl"
    ))
    .unwrap()
}

#[test]
fn community_work_is_counted_in_the_monthly_figures() {
    use tinbao_core::community::*;
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let zalo = s
        .add_channel(
            &off,
            NewChannel {
                platform: "zalo".into(),
                name: "Nhóm Zalo Tổ dân phố 7".into(),
                link: None,
                area: Some("Tổ 7".into()),
                officer: Some("Lê Thị Cán Bộ".into()),
            },
        )
        .unwrap();
    let today = Utc::now()
        .with_timezone(&tinbao_core::time::vn_offset())
        .date_naive();
    s.record_followers(&off, zalo, today - Duration::days(40), 410)
        .unwrap();
    s.record_followers(&off, zalo, today, 523).unwrap();
    assert_eq!(s.channels().unwrap()[0].followers, Some(523));
    let post = s
        .add_post(
            &off,
            NewPost {
                published_on: today,
                channels: vec![zalo],
                title: "Cảnh giác lừa đảo giả danh ngân hàng".into(),
                body: "Không bấm vào đường link lạ…".into(),
            },
        )
        .unwrap();
    s.set_post_reach(&off, post, 1200, 85).unwrap();
    let t = s
        .save_answer_template(
            &chief,
            None,
            "cccd",
            "Cấp đổi CCCD",
            "Mang CCCD cũ đến Công an xã…",
        )
        .unwrap();
    s.add_inquiry(
        &off,
        NewInquiry {
            channel: "zalo".into(),
            topic: "cccd".into(),
            question: "Làm lại CCCD cần gì?".into(),
            answer: Some("Mang CCCD cũ…".into()),
            template_id: Some(t),
        },
    )
    .unwrap();
    assert!(
        s.add_inquiry(
            &off,
            NewInquiry {
                channel: "zalo".into(),
                topic: "khong_co".into(),
                question: "?".into(),
                answer: None,
                template_id: None
            }
        )
        .is_err()
    );
    let from = (Utc::now() - Duration::days(1)).timestamp();
    let st = s.stats(&chief, from, from + 2 * 86_400).unwrap();
    assert_eq!((st.posts, st.post_views), (1, 1200));
    assert_eq!(st.inquiries_by_topic[0].key, "cccd");
    assert_eq!(st.channels[0].followers, Some(523));
    assert_eq!(st.channels[0].posts, 1);
    // Officers of the station do this work; a supervisor does not post for the station.
    let sup = Actor {
        role: Role::Supervisor,
        station: None,
        province: Some("19".into()),
        ..off.clone()
    };
    assert!(
        s.add_post(
            &sup,
            NewPost {
                published_on: today,
                channels: vec![],
                title: "x".into(),
                body: "y".into()
            }
        )
        .is_err()
    );
}

#[test]
fn two_connections_to_one_database_keep_their_stamps_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ui, chief) = station(&dir, "a.db", BAC_KAN);
    // The sync task's own connection applies a change from a PC whose clock runs 10 minutes ahead.
    let mut sync = Store::open(ui.path(), KEY).unwrap();
    let (mut other, other_chief) = station(&dir, "b.db", BAC_KAN);
    other.intake(&other_chief, wheelies()).unwrap();
    let ahead = tinbao_sync::Hlc {
        wall_ms: (Utc::now() + Duration::minutes(10)).timestamp_millis() as u64,
        counter: 0,
        node: 7,
    };
    let changes: Vec<_> = other
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .map(|mut c| {
            c.hlc = ahead;
            c
        })
        .collect();
    sync.apply_remote(&changes).unwrap();
    // A write on the UI's connection afterwards must still be stamped after it.
    ui.intake(&chief, wheelies()).unwrap();
    let mine = ui
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .rfind(|c| c.entity == EntityKind::Case)
        .unwrap();
    assert!(mine.hlc > ahead, "{} must follow {}", mine.hlc, ahead);
}

#[test]
fn a_background_checkpoint_leaves_saves_alone_and_copies_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..20 {
        s.intake(&chief, wheelies()).unwrap();
    }
    // Saves did not checkpoint on their own (the threshold is far above 20 saves)...
    let (log, copied) = s.checkpoint().unwrap();
    assert!(log > 0, "the saves are in the write-ahead log");
    // ...and a checkpoint at an idle moment copies all of it.
    assert_eq!(log, copied);
    drop(s);
    assert_eq!(
        Store::open(dir.path().join("a.db"), KEY)
            .unwrap()
            .verify()
            .unwrap()
            .cases,
        20
    );
}
