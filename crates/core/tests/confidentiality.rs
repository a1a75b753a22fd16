//! Confidentiality: the file encrypted at rest and its keys, the reporter's identity, the province's scope over its stations.
mod common;

use common::*;
use tinbao_core::search::SearchQuery;
use tinbao_core::*;
use uuid::Uuid;

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
