//! Register numbers an inspector can account for, across PCs of one station.
//!
//! - Against the real server process: two PCs register 3 and 7 cases, sync and hand back, and
//!   the year's numbers are 1..10; a PC out of leased numbers offline still registers, and the
//!   printed register explains every number it jumped over.
//! - A property, in process (the province's real SQLite store, no HTTP, so that many random
//!   runs are cheap): several PCs with leases, offline fallbacks, lost answers, hand-backs and
//!   syncs in random order never give a number twice, and once everyone has synced every
//!   number up to the highest is used or explained.
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tinbao_core::numbers::GapReason;
use tinbao_core::{Scope, Store, system_actor};
use tinbao_scenarios::*;
use tinbao_server::storage::sqlite::{SqliteStorage, StoreKey};
use tinbao_server::storage::{Device as ServerDevice, EnrolCode, ReadScope, Storage};
use tinbao_sync::protocol::DeviceScope;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now()
        .with_timezone(&tinbao_core::time::vn_offset())
        .year()
}

fn used_numbers(d: &Device) -> Result<Vec<i64>> {
    let book = d.store.register_book(&d.actor, year())?;
    Ok(book
        .lines
        .iter()
        .filter(|l| l.case.is_some())
        .map(|l| l.seq)
        .collect())
}

#[test]
fn two_pcs_number_one_to_ten_and_an_offline_gap_is_explained() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut a = Device::station(dir.path(), "a", STATION_A)?;
    let mut b = Device::station(dir.path(), "b", STATION_A)?;
    a.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    a.sync()?;
    for i in 0..3 {
        a.intake(&format!("Máy A, vụ {i}"))?;
    }
    a.sync()?;
    // A is moved to another desk: its unused numbers go back to the province (7 of this year;
    // in December also next year's advance lease).
    let chief = a.actor.clone();
    assert!(a.store.hand_back_numbers(&chief)? >= 7);
    a.sync()?;

    b.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    b.sync()?;
    for i in 0..7 {
        b.intake(&format!("Máy B, vụ {i}"))?;
    }
    b.sync()?;
    let chief_b = b.actor.clone();
    b.store.hand_back_numbers(&chief_b)?;
    b.sync()?;
    a.sync()?;
    assert_eq!(used_numbers(&a)?, (1..=10).collect::<Vec<i64>>());
    assert_eq!(used_numbers(&b)?, (1..=10).collect::<Vec<i64>>());
    let book = a.store.register_book(&a.actor, year())?;
    assert_eq!((book.used, book.unused, book.unexplained), (10, 0, 0));
    // The province knows them too, and what became of the numbers handed back.
    let ledger = server.admin(&[
        "numbers",
        "--station",
        STATION_A,
        "--year",
        &year().to_string(),
    ])?;
    assert_eq!(ledger["used"], serde_json::json!([[1, 10]]), "{ledger}");

    // Both take leases again; B goes offline and registers more than it holds.
    a.sync()?;
    b.sync()?;
    let mut b_nos = Vec::new();
    for i in 0..12 {
        let id = b.intake(&format!("Máy B ngoại tuyến, vụ {i}"))?;
        b_nos.push(b.store.case_detail(&chief_b, id)?.row.register_no);
    }
    // A keeps working online meanwhile.
    for i in 0..3 {
        a.intake(&format!("Máy A trực tuyến, vụ {i}"))?;
        a.sync()?;
    }
    // B is back: everything meets.
    b.sync()?;
    a.sync()?;
    b.sync()?;
    let all: Vec<i64> = used_numbers(&a)?;
    assert_eq!(all, used_numbers(&b)?);
    assert_eq!(all.len(), 25, "{all:?}");
    let unique: BTreeSet<_> = all.iter().collect();
    assert_eq!(unique.len(), all.len(), "a number given twice: {all:?}");
    let book = a.store.register_book(&a.actor, year())?;
    assert_eq!(book.unexplained, 0, "{:#?}", book.lines);
    let fallback: Vec<i64> = book
        .lines
        .iter()
        .filter(|l| l.fallback)
        .map(|l| l.seq)
        .collect();
    assert_eq!(fallback.len(), 2, "B ran out twice: {b_nos:?}");
    let gaps: Vec<(i64, GapReason)> = book
        .lines
        .iter()
        .filter_map(|l| l.gap.as_ref().map(|g| (l.seq, g.reason)))
        .collect();
    assert!(!gaps.is_empty(), "B's offline numbers jump: {b_nos:?}");
    assert!(
        gaps.iter().all(|(_, r)| *r != GapReason::Unknown),
        "{gaps:?}"
    );
    // Every gap lies below B's fallback numbers, and each line says why.
    assert!(gaps.iter().all(|(n, _)| n < fallback.last().unwrap_or(&0)));
    Ok(())
}

/// What an app older than the leases does at a sync: push and pull, nothing else.
fn sync_like_an_older_app(d: &mut Device) -> Result<()> {
    use tinbao_sync::protocol::{PullRequest, PushRequest};
    let client = tinbao_sync_client::SyncClient::for_store(&d.store)?;
    let device = d.store.device_id();
    let changes = d.store.pending_changes(10_000)?;
    let pushed = d.block_on(client.push(
        &PushRequest {
            device,
            changes,
            audit_head: None,
        },
        &|_| {},
    ))?;
    let ids: Vec<Uuid> = pushed.accepted.iter().map(|a| a.id).collect();
    d.store.mark_pushed(&ids)?;
    let since = d.store.sync_state()?.cursor;
    let pulled = d.block_on(client.pull(
        &PullRequest {
            since,
            limit: 5000,
            include_own: false,
        },
        &|_| {},
    ))?;
    if let Some(n) = pulled.numbering {
        d.store.set_numbering(n.slot.into(), n.slots.into())?;
    }
    let changes: Vec<_> = pulled.changes.into_iter().map(|s| s.change).collect();
    d.store.apply_remote(&changes)?;
    d.store.set_cursor(pulled.next)?;
    Ok(())
}

/// A PC still on an app older than the leases keeps numbering by its slot and syncing as
/// before; the newer PC of its station is never leased a number of the older one's class, so
/// both registering offline never collide.
#[test]
fn an_older_app_keeps_its_slot_numbers_beside_a_leasing_pc() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut old = Device::station(dir.path(), "old", STATION_A)?;
    let mut new = Device::station(dir.path(), "new", STATION_A)?;
    old.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    new.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    sync_like_an_older_app(&mut old)?;
    new.sync()?;
    // Both offline: the older app by its slot (1 of 2), the newer one from its leases and
    // then its fallback.
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push((old.intake(&format!("Máy cũ, vụ {i}"))?, true));
    }
    for i in 0..12 {
        ids.push((new.intake(&format!("Máy mới, vụ {i}"))?, false));
    }
    sync_like_an_older_app(&mut old)?;
    new.sync()?;
    sync_like_an_older_app(&mut old)?;
    let used = used_numbers(&new)?;
    assert_eq!(used.len(), 16, "{used:?}");
    assert_eq!(used, used_numbers(&old)?);
    let unique: BTreeSet<_> = used.iter().collect();
    assert_eq!(unique.len(), 16, "{used:?}");
    for (id, older) in ids {
        let no = new.store.case_detail(&new.actor, id)?.row.register_no;
        let seq: i64 = no.split('/').next().unwrap_or("0").parse()?;
        assert_eq!(
            seq % 2 == 1,
            older,
            "{no}: the older app keeps the odd numbers"
        );
    }
    assert_eq!(new.store.register_book(&new.actor, year())?.unexplained, 0);
    Ok(())
}

// ---- the property, in process ----

const PROVINCE: &str = "01";
const N: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Intake(usize),
    Sync(usize),
    /// An exchange whose answer is lost on the way back.
    LostAnswer(usize),
    HandBack(usize),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![
            8 => (0..N).prop_map(Op::Intake),
            3 => (0..N).prop_map(Op::Sync),
            1 => (0..N).prop_map(Op::LostAnswer),
            1 => (0..N).prop_map(Op::HandBack),
        ],
        1..70,
    )
}

struct Pc {
    store: Store,
    cursor: u64,
}

fn province() -> SqliteStorage {
    let key = StoreKey::from_hex(&"5a".repeat(32)).expect("key");
    let p = SqliteStorage::open(Path::new(":memory:"), &key).expect("open");
    p.migrate().expect("migrate");
    p
}

fn enrol_pc(p: &SqliteStorage, dir: &Path, i: usize) -> Pc {
    let mut store = Store::create(
        dir.join(format!("{i}.db")),
        KEY,
        Scope::Station(STATION_A.into()),
    )
    .expect("create");
    let hash = format!("code-{i}");
    p.add_enrol_code(&EnrolCode {
        secret_hash: hash.clone(),
        scope: DeviceScope::Station {
            station: STATION_A.into(),
            province: PROVINCE.into(),
        },
        created_ms: 1,
        expires_ms: u64::MAX / 2,
    })
    .expect("code");
    let d = p
        .redeem_enrol_code(
            &hash,
            &ServerDevice {
                id: store.device_id(),
                name: format!("Máy {i}"),
                scope: DeviceScope::Province {
                    province: String::new(),
                },
                enrolled_ms: 0,
                last_seen_ms: None,
                revoked_ms: None,
                slot: None,
                credential_hash: format!("cred-{i}"),
            },
            10,
        )
        .expect("redeem")
        .expect("enrolled");
    store
        .set_enrolment("https://127.0.0.1:1", "cred", &"ab".repeat(32))
        .expect("enrolment");
    let slot = i64::from(d.slot.expect("a slot"));
    store.set_numbering(slot, N as i64).expect("numbering");
    Pc { store, cursor: 0 }
}

/// What `tinbao_sync_client::sync` does, without the network: push, pull, exchange numbers
/// (a second time when the floor rose). `lose` drops the exchange's answer.
fn sync(p: &SqliteStorage, pc: &mut Pc, lose: bool) {
    let pending = pc.store.pending_changes(100_000).expect("pending");
    let filed: Vec<_> = pending
        .iter()
        .map(|c| (c.clone(), PROVINCE.to_string()))
        .collect();
    p.add_changes(&filed, 1).expect("push");
    let ids: Vec<Uuid> = pending.iter().map(|c| c.id).collect();
    pc.store.mark_pushed(&ids).expect("mark");
    let scope = ReadScope::Station {
        station: STATION_A.into(),
        province: PROVINCE.into(),
    };
    let (seen, next, _) = p
        .changes_since(&scope, pc.store.device_id(), pc.cursor, 100_000)
        .expect("pull");
    let changes: Vec<_> = seen.into_iter().map(|s| s.change).collect();
    pc.store.apply_remote(&changes).expect("apply");
    pc.cursor = next;
    for _ in 0..2 {
        let req = pc
            .store
            .number_request()
            .expect("request")
            .expect("a station PC");
        let got = p
            .exchange_numbers(pc.store.device_id(), STATION_A, &req, 100)
            .expect("exchange");
        if lose || !pc.store.apply_number_grant(&req, &got).expect("grant") {
            break;
        }
    }
}

fn case(i: usize) -> tinbao_core::NewCase {
    tinbao_core::NewCase {
        received_at: None,
        channel: tinbao_core::Channel::Zalo,
        channel_ref: None,
        kind: tinbao_core::Kind::TinBao,
        category: "theft".into(),
        urgency: tinbao_core::Urgency::Normal,
        summary: format!("Mất trộm xe máy {i}"),
        description: String::new(),
        location: Default::default(),
        occurred: None,
        reporter: None,
        persons: vec![],
        receipt: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn numbers_are_unique_and_every_one_is_accounted_for(ops in ops()) {
        let dir = tempfile::tempdir().unwrap();
        let p = province();
        let mut pcs: Vec<Pc> = (0..N).map(|i| enrol_pc(&p, dir.path(), i)).collect();
        let actor = system_actor(&Scope::Station(STATION_A.into()));
        // Everyone starts online, as after enrolment.
        for pc in pcs.iter_mut() {
            sync(&p, pc, false);
        }
        let mut given: BTreeMap<Uuid, String> = BTreeMap::new();
        let mut fallbacks = 0;
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Intake(d) => {
                    let c = pcs[d].store.intake(&actor, case(n)).unwrap();
                    if c.events[0].data.get("number_outside_lease").is_some() {
                        fallbacks += 1;
                    }
                    given.insert(c.row.id, c.row.register_no);
                }
                Op::Sync(d) => sync(&p, &mut pcs[d], false),
                Op::LostAnswer(d) => sync(&p, &mut pcs[d], true),
                Op::HandBack(d) => {
                    pcs[d].store.hand_back_numbers(&actor).unwrap();
                }
            }
            let numbers: BTreeSet<&String> = given.values().collect();
            prop_assert_eq!(numbers.len(), given.len(), "a number given twice: {:?}", given);
        }
        // Everyone syncs twice: all cases and the ledger meet on every PC.
        for _ in 0..2 {
            for pc in pcs.iter_mut() {
                sync(&p, pc, false);
            }
        }
        for pc in &pcs {
            let book = pc.store.register_book(&actor, year()).unwrap();
            prop_assert_eq!(book.used as usize, given.len());
            prop_assert_eq!(book.unexplained, 0, "{:#?}", book.lines);
            for l in &book.lines {
                let reason = l.gap.as_ref().map(|g| g.reason);
                prop_assert!(
                    l.case.is_some() || reason != Some(GapReason::UsedElsewhere),
                    "{} is used but not here after a full sync", l.seq
                );
                // Without a fallback anywhere, no number was jumped over.
                if fallbacks == 0 {
                    prop_assert!(reason != Some(GapReason::Skipped), "{}: skipped without any fallback", l.seq);
                }
            }
        }
    }
}
