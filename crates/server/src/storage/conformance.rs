//! The properties every [`Storage`] implementation must have, whatever its backend: one
//! function per property, each given a factory of fresh, empty stores, each panicking with what
//! broke. `tests/storage_conformance.rs` runs them all against the SQLite store; a new backend's
//! tests run [`PROPERTIES`] the same way.
//!
//! The pull cursor is the part that is easy to get subtly wrong elsewhere: sequence numbers
//! must become visible in increasing order, and resuming from a returned cursor may neither
//! skip nor repeat a change in scope.
use super::*;
use tinbao_sync::protocol::{NumberState, YearGrant, YearRequest};
use tinbao_sync::{EntityKind, Hlc, Op};

/// Makes a fresh, empty store (not yet migrated; each property migrates it).
pub type Factory<'a> = &'a dyn Fn() -> Box<dyn Storage>;

/// A property: panics if the stores the factory makes lack it.
pub type Property = fn(Factory<'_>);

/// Every property, by name.
pub const PROPERTIES: &[(&str, Property)] = &[
    ("migrate_is_repeatable", migrate_is_repeatable),
    (
        "sequence_numbers_increase_and_become_visible",
        sequence_numbers_increase_and_become_visible,
    ),
    (
        "pushing_a_change_twice_stores_it_once",
        pushing_a_change_twice_stores_it_once,
    ),
    (
        "cursors_page_exactly_and_in_order",
        cursors_page_exactly_and_in_order,
    ),
    (
        "a_device_does_not_pull_its_own_changes",
        a_device_does_not_pull_its_own_changes,
    ),
    (
        "scopes_separate_stations_and_provinces",
        scopes_separate_stations_and_provinces,
    ),
    ("stations_and_users", stations_and_users),
    ("enrolment_codes_are_one_time", enrolment_codes_are_one_time),
    (
        "station_devices_get_slots_and_keep_them",
        station_devices_get_slots_and_keep_them,
    ),
    (
        "revocation_holds_until_an_administrator_lifts_it",
        revocation_holds_until_an_administrator_lifts_it,
    ),
    (
        "a_known_device_id_is_not_taken_by_another_scope",
        a_known_device_id_is_not_taken_by_another_scope,
    ),
    ("attachment_owners_are_a_set", attachment_owners_are_a_set),
    (
        "the_first_stored_writer_owns_an_entity",
        the_first_stored_writer_owns_an_entity,
    ),
    (
        "leases_are_the_lowest_free_numbers_and_never_shared",
        leases_are_the_lowest_free_numbers_and_never_shared,
    ),
    (
        "handed_back_numbers_are_leased_again_first",
        handed_back_numbers_are_leased_again_first,
    ),
    (
        "a_fallback_class_is_kept_from_others_above_the_floor_held",
        a_fallback_class_is_kept_from_others_above_the_floor_held,
    ),
    (
        "stored_cases_and_fallbacks_account_for_their_numbers",
        stored_cases_and_fallbacks_account_for_their_numbers,
    ),
    (
        "a_revoked_device_hands_its_leases_back",
        a_revoked_device_hands_its_leases_back,
    ),
];

// Two stations of province 01, one of province 66.
const P1: &str = "01";
const S1: &str = "00004";
const S2: &str = "00008";
const P2: &str = "66";
const S3: &str = "24280";

fn fresh(make: Factory<'_>) -> Box<dyn Storage> {
    let store = make();
    store.migrate().expect("migrate a fresh store");
    store
}

fn change(station: &str, device: Uuid, entity: EntityKind) -> Change {
    Change {
        id: Uuid::now_v7(),
        entity,
        entity_id: Uuid::now_v7(),
        station: station.into(),
        op: Op::Upsert,
        fields: [("summary".to_string(), serde_json::json!(station))].into(),
        base: Default::default(),
        hlc: Hlc {
            wall_ms: 1_750_000_000_000,
            counter: 0,
            node: 1,
        },
        device,
        user: Uuid::now_v7(),
    }
}

fn case(station: &str) -> Change {
    change(station, Uuid::now_v7(), EntityKind::Case)
}

fn filed(c: &Change, province: &str) -> (Change, String) {
    (c.clone(), province.to_string())
}

fn add(store: &dyn Storage, batch: &[(Change, String)]) -> Vec<u64> {
    store.add_changes(batch, 1).expect("add changes")
}

fn station_scope(station: &str, province: &str) -> ReadScope {
    ReadScope::Station {
        station: station.into(),
        province: province.into(),
    }
}

fn province_scope(province: &str) -> ReadScope {
    ReadScope::Province {
        province: province.into(),
    }
}

/// Pulls everything in scope from `since`, page by page, checking each page's cursor.
fn pull_all(
    store: &dyn Storage,
    scope: &ReadScope,
    me: Uuid,
    since: u64,
    limit: u32,
) -> (Vec<Sequenced>, u64) {
    let mut cursor = since;
    let mut out: Vec<Sequenced> = Vec::new();
    for _ in 0..10_000 {
        let (page, next, more) = store
            .changes_since(scope, me, cursor, limit)
            .expect("changes since");
        assert!(page.len() <= limit as usize, "a page exceeds its limit");
        assert!(next >= cursor, "the cursor went back: {cursor} -> {next}");
        for s in &page {
            assert!(
                s.seq > cursor,
                "seq {} is not after the cursor {cursor}",
                s.seq
            );
        }
        assert!(
            page.windows(2).all(|w| w[0].seq < w[1].seq),
            "a page is out of sequence order"
        );
        if let Some(last) = page.last() {
            assert!(next >= last.seq, "the cursor would repeat seq {}", last.seq);
        }
        if more {
            assert!(!page.is_empty(), "more waiting, yet an empty page");
        }
        out.extend(page);
        cursor = next;
        if !more {
            return (out, cursor);
        }
    }
    panic!("paging never ended");
}

fn ids(seen: &[Sequenced]) -> Vec<Uuid> {
    seen.iter().map(|s| s.change.id).collect()
}

/// Migrating again (every start does) keeps what is stored.
pub fn migrate_is_repeatable(make: Factory<'_>) {
    let store = fresh(make);
    let c = case(S1);
    let seqs = add(&*store, &[filed(&c, P1)]);
    store.migrate().expect("migrate a second time");
    store.migrate().expect("migrate a third time");
    assert_eq!(store.head().expect("head"), seqs[0]);
    assert_eq!(store.change_count().expect("count"), 1);
}

/// Each accepted change gets a sequence number above every earlier one, the head follows, and
/// a pull from just before a change's number returns that change as it was pushed.
pub fn sequence_numbers_increase_and_become_visible(make: Factory<'_>) {
    let store = fresh(make);
    assert_eq!(store.head().expect("head"), 0);
    assert_eq!(store.change_count().expect("count"), 0);
    assert!(add(&*store, &[]).is_empty());
    assert_eq!(store.head().expect("head"), 0);

    let mut all = Vec::new();
    let mut last = 0;
    for n in [3, 1, 4] {
        let batch: Vec<_> = (0..n).map(|_| filed(&case(S1), P1)).collect();
        let seqs = add(&*store, &batch);
        assert_eq!(seqs.len(), n);
        for s in &seqs {
            assert!(*s > last, "seq {s} is not above {last}");
            last = *s;
        }
        assert_eq!(store.head().expect("head"), last);
        all.extend(batch.into_iter().map(|(c, _)| c).zip(seqs));
    }
    assert_eq!(store.change_count().expect("count"), all.len() as u64);

    let scope = station_scope(S1, P1);
    for (c, seq) in &all {
        let (page, _, _) = store
            .changes_since(&scope, Uuid::nil(), seq - 1, 1)
            .expect("changes since");
        assert_eq!(page.len(), 1, "seq {seq} not visible");
        assert_eq!(page[0].seq, *seq);
        assert_eq!(&page[0].change, c, "seq {seq} came back changed");
        let (after, _, _) = store
            .changes_since(&scope, Uuid::nil(), *seq, 100)
            .expect("changes since");
        assert!(after.iter().all(|s| s.seq > *seq && s.change.id != c.id));
    }
}

/// Re-pushing a change (a lost acknowledgement) returns its first sequence number and keeps
/// its first body; nothing is stored twice.
pub fn pushing_a_change_twice_stores_it_once(make: Factory<'_>) {
    let store = fresh(make);
    let (a, b) = (case(S1), case(S1));
    let first = add(&*store, &[filed(&a, P1), filed(&b, P1)]);
    let head = store.head().expect("head");
    assert_eq!(add(&*store, &[filed(&a, P1), filed(&b, P1)]), first);
    assert_eq!(store.head().expect("head"), head);
    assert_eq!(store.change_count().expect("count"), 2);

    // A batch mixing a known change and a new one.
    let c = case(S1);
    let mixed = add(&*store, &[filed(&c, P1), filed(&a, P1)]);
    assert_eq!(mixed[1], first[0]);
    assert!(mixed[0] > head);
    assert_eq!(store.change_count().expect("count"), 3);

    // The same id with another body keeps the first.
    let mut altered = a.clone();
    altered.fields = [("summary".to_string(), serde_json::json!("khác"))].into();
    assert_eq!(add(&*store, &[filed(&altered, P1)]), vec![first[0]]);
    let (page, _, _) = store
        .changes_since(&station_scope(S1, P1), Uuid::nil(), first[0] - 1, 1)
        .expect("changes since");
    assert_eq!(page[0].change, a);

    // Twice in one batch.
    let d = case(S1);
    let twice = add(&*store, &[filed(&d, P1), filed(&d, P1)]);
    assert_eq!(twice[0], twice[1]);
    assert_eq!(store.change_count().expect("count"), 4);
    let (all, _) = pull_all(&*store, &station_scope(S1, P1), Uuid::nil(), 0, 100);
    assert_eq!(ids(&all), vec![a.id, b.id, c.id, d.id]);
}

/// Pulling from a cursor returns exactly the changes in scope after it, in order, page by page
/// within the limit; `more` is exact; a cursor resumed later sees what came since.
pub fn cursors_page_exactly_and_in_order(make: Factory<'_>) {
    let store = fresh(make);
    let mut mine = Vec::new();
    for i in 0..10 {
        let c = case(S1);
        let seq = add(&*store, &[filed(&c, P1)])[0];
        mine.push((c.id, seq));
        if i % 2 == 0 {
            // Others' changes between them, which the cursor must pass over.
            add(&*store, &[filed(&case(S3), P2), filed(&case(S2), P1)]);
        }
    }
    let scope = station_scope(S1, P1);
    let want: Vec<Uuid> = mine.iter().map(|(id, _)| *id).collect();
    for limit in [1, 3, 4, 10, 11, 1000] {
        let (all, _) = pull_all(&*store, &scope, Uuid::nil(), 0, limit);
        assert_eq!(ids(&all), want, "paging by {limit}");
        let seqs: Vec<u64> = all.iter().map(|s| s.seq).collect();
        assert_eq!(seqs, mine.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    }

    // From the middle: exactly those after it.
    let (_, fifth) = mine[4];
    let (page, _, more) = store
        .changes_since(&scope, Uuid::nil(), fifth, 1000)
        .expect("changes since");
    assert_eq!(ids(&page), want[5..].to_vec());
    assert!(!more);

    // `more` is exact: a limit equal to what remains leaves nothing waiting.
    let (page, _, more) = store
        .changes_since(&scope, Uuid::nil(), 0, 10)
        .expect("changes since");
    assert_eq!(page.len(), 10);
    assert!(!more, "more with nothing left");
    let (page, next, more) = store
        .changes_since(&scope, Uuid::nil(), 0, 9)
        .expect("changes since");
    assert_eq!(page.len(), 9);
    assert!(more, "no more with one left");
    assert!(next < mine[9].1, "the cursor skips the last change");

    // At the end the cursor stays put until something new comes, and then sees it.
    let (_, end) = pull_all(&*store, &scope, Uuid::nil(), 0, 4);
    let (page, again, more) = store
        .changes_since(&scope, Uuid::nil(), end, 100)
        .expect("changes since");
    assert!(page.is_empty() && !more && again >= end);
    add(&*store, &[filed(&case(S3), P2)]);
    let late = case(S1);
    add(&*store, &[filed(&late, P1)]);
    let (page, _) = pull_all(&*store, &scope, Uuid::nil(), again, 100);
    assert_eq!(ids(&page), vec![late.id]);

    // A cursor beyond the head returns nothing and does not go back.
    let beyond = store.head().expect("head") + 50;
    let (page, next, more) = store
        .changes_since(&scope, Uuid::nil(), beyond, 100)
        .expect("changes since");
    assert!(page.is_empty() && !more && next >= beyond);
}

/// A device's own changes are not sent back to it, and its paging still ends.
pub fn a_device_does_not_pull_its_own_changes(make: Factory<'_>) {
    let store = fresh(make);
    let (me, other) = (Uuid::now_v7(), Uuid::now_v7());
    let mut theirs = Vec::new();
    for i in 0..6 {
        let c = change(S1, if i % 3 == 0 { other } else { me }, EntityKind::Case);
        if c.device == other {
            theirs.push(c.id);
        }
        add(&*store, &[filed(&c, P1)]);
    }
    let scope = station_scope(S1, P1);
    let (seen, _) = pull_all(&*store, &scope, me, 0, 1);
    assert_eq!(ids(&seen), theirs);
    let (seen, _) = pull_all(&*store, &scope, other, 0, 2);
    assert_eq!(seen.len(), 4);
    assert!(seen.iter().all(|s| s.change.device == me));
}

/// A station reads its own records and its province's shared ones; a province reads every
/// station of its own (but not their local accounts) and its shared records; nobody reads
/// another province.
pub fn scopes_separate_stations_and_provinces(make: Factory<'_>) {
    let store = fresh(make);
    let own = case(S1);
    let own_account = change(S1, Uuid::now_v7(), EntityKind::User);
    let neighbour = case(S2);
    let shared = change(P1, Uuid::now_v7(), EntityKind::AnswerTemplate);
    let province_account = change(P1, Uuid::now_v7(), EntityKind::User);
    let far = case(S3);
    let far_shared = change(P2, Uuid::now_v7(), EntityKind::AnswerTemplate);
    add(
        &*store,
        &[
            filed(&own, P1),
            filed(&own_account, P1),
            filed(&neighbour, P1),
            filed(&far, P2),
        ],
    );
    add(
        &*store,
        &[
            filed(&shared, P1),
            filed(&province_account, P1),
            filed(&far_shared, P2),
        ],
    );

    let (s1, _) = pull_all(&*store, &station_scope(S1, P1), Uuid::nil(), 0, 2);
    assert_eq!(
        ids(&s1),
        vec![own.id, own_account.id, shared.id, province_account.id]
    );
    let (s2, _) = pull_all(&*store, &station_scope(S2, P1), Uuid::nil(), 0, 2);
    assert_eq!(ids(&s2), vec![neighbour.id, shared.id, province_account.id]);
    let (s3, _) = pull_all(&*store, &station_scope(S3, P2), Uuid::nil(), 0, 2);
    assert_eq!(ids(&s3), vec![far.id, far_shared.id]);

    let (p1, _) = pull_all(&*store, &province_scope(P1), Uuid::nil(), 0, 2);
    assert_eq!(
        ids(&p1),
        vec![own.id, neighbour.id, shared.id, province_account.id]
    );
    let (p2, _) = pull_all(&*store, &province_scope(P2), Uuid::nil(), 0, 2);
    assert_eq!(ids(&p2), vec![far.id, far_shared.id]);
}

/// Stations are added once; users are added once, a second time with the same id is a
/// conflict.
pub fn stations_and_users(make: Factory<'_>) {
    let store = fresh(make);
    let st = |code: &str, name: &str| Station {
        code: code.into(),
        province: P1.into(),
        name: name.into(),
        created_ms: 5,
    };
    assert!(store.add_station(&st(S2, "B")).expect("add station"));
    assert!(store.add_station(&st(S1, "A")).expect("add station"));
    assert!(!store.add_station(&st(S1, "A2")).expect("add station again"));
    assert_eq!(store.station(S1).expect("station"), Some(st(S1, "A")));
    assert_eq!(store.station(S3).expect("station"), None);
    let codes: Vec<String> = store
        .stations()
        .expect("stations")
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(codes, vec![S1, S2]);

    let u = User {
        id: Uuid::now_v7(),
        name: "Trần Thị Hoa".into(),
        role: "officer".into(),
        station: Some(S1.into()),
        province: P1.into(),
        active: true,
    };
    store.add_user(&u).expect("add user");
    assert!(matches!(
        store.add_user(&User {
            name: "other".into(),
            ..u.clone()
        }),
        Err(StorageError::Conflict(_))
    ));
    assert_eq!(store.user(u.id).expect("user"), Some(u));
    let supervisor = User {
        id: Uuid::now_v7(),
        name: "B".into(),
        role: "supervisor".into(),
        station: None,
        province: P1.into(),
        active: false,
    };
    store.add_user(&supervisor).expect("add user");
    assert_eq!(store.user(supervisor.id).expect("user"), Some(supervisor));
    assert_eq!(store.user(Uuid::now_v7()).expect("user"), None);
}

fn code(hash: &str, scope: DeviceScope, expires_ms: u64) -> EnrolCode {
    EnrolCode {
        secret_hash: hash.into(),
        scope,
        created_ms: 1,
        expires_ms,
    }
}

fn device(id: Uuid, credential: &str) -> Device {
    Device {
        id,
        name: "Máy trực ban".into(),
        // The code decides the scope, not the device.
        scope: DeviceScope::Province {
            province: String::new(),
        },
        enrolled_ms: 0,
        last_seen_ms: None,
        revoked_ms: None,
        slot: None,
        credential_hash: credential.into(),
    }
}

fn at_station(station: &str, province: &str) -> DeviceScope {
    DeviceScope::Station {
        station: station.into(),
        province: province.into(),
    }
}

fn enrol(store: &dyn Storage, hash: &str, scope: DeviceScope, id: Uuid, now: u64) -> Device {
    store
        .add_enrol_code(&code(hash, scope, now + 1000))
        .expect("add code");
    store
        .redeem_enrol_code(hash, &device(id, &format!("cred-{hash}")), now)
        .expect("redeem")
        .expect("a fresh code redeems")
}

/// A code shows its scope until used, enrols one device with that scope, then is used; an
/// unknown code and an expired one are told apart.
pub fn enrolment_codes_are_one_time(make: Factory<'_>) {
    let store = fresh(make);
    let scope = at_station(S1, P1);
    store
        .add_enrol_code(&code("h1", scope.clone(), 2000))
        .expect("add code");
    assert_eq!(
        store.enrol_code_scope("h1").expect("scope"),
        Some(scope.clone())
    );
    assert_eq!(store.enrol_code_scope("nope").expect("scope"), None);
    let id = Uuid::now_v7();
    assert_eq!(
        store
            .redeem_enrol_code("nope", &device(id, "c"), 1500)
            .expect("redeem")
            .err(),
        Some(RedeemError::Unknown)
    );
    let d = store
        .redeem_enrol_code("h1", &device(id, "c"), 1500)
        .expect("redeem")
        .expect("redeemed");
    assert_eq!((d.id, d.scope.clone(), d.enrolled_ms), (id, scope, 1500));
    assert_eq!(
        (d.slot, d.revoked_ms, d.credential_hash.as_str()),
        (Some(1), None, "c")
    );
    assert_eq!(store.device(id).expect("device"), Some(d));
    assert_eq!(store.enrol_code_scope("h1").expect("scope"), None);
    assert_eq!(
        store
            .redeem_enrol_code("h1", &device(Uuid::now_v7(), "c2"), 1600)
            .expect("redeem")
            .err(),
        Some(RedeemError::Used)
    );

    store
        .add_enrol_code(&code("h2", province_scope_device(P1), 2000))
        .expect("add code");
    assert_eq!(
        store
            .redeem_enrol_code("h2", &device(Uuid::now_v7(), "c3"), 2001)
            .expect("redeem")
            .err(),
        Some(RedeemError::Expired)
    );
    let p = store
        .redeem_enrol_code("h2", &device(Uuid::now_v7(), "c3"), 2000)
        .expect("redeem")
        .expect("a code is good until its expiry");
    assert_eq!((p.scope, p.slot), (province_scope_device(P1), None));
}

fn province_scope_device(province: &str) -> DeviceScope {
    DeviceScope::Province {
        province: province.into(),
    }
}

/// A station's devices get slots 1, 2, … in enrolment order; a device enrolling its id again
/// with its own credential keeps its slot, and another device presenting that id with a fresh
/// code is refused without using the code.
pub fn station_devices_get_slots_and_keep_them(make: Factory<'_>) {
    let store = fresh(make);
    assert_eq!(store.station_slots(S1).expect("slots"), 0);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(
        enrol(&*store, "a1", at_station(S1, P1), a, 10).slot,
        Some(1)
    );
    assert_eq!(
        enrol(&*store, "b1", at_station(S1, P1), b, 20).slot,
        Some(2)
    );
    let laptop = enrol(&*store, "p1", province_scope_device(P1), Uuid::now_v7(), 30);
    assert_eq!(laptop.slot, None);
    assert_eq!(store.station_slots(S1).expect("slots"), 2);
    assert_eq!(store.station_slots(S2).expect("slots"), 0);

    store
        .add_enrol_code(&code("a2", at_station(S1, P1), 1_040))
        .expect("add code");
    let sibling = store
        .redeem_enrol_code("a2", &device(a, "cred-of-b"), 40)
        .expect("redeem");
    assert_eq!(sibling.err(), Some(RedeemError::NotTheDevice));
    let again = store
        .redeem_enrol_code("a2", &device(a, "cred-a1"), 41)
        .expect("redeem")
        .expect("the device itself enrols again with the unused code");
    assert_eq!(again.slot, Some(1));
    assert_eq!(
        store.device(a).expect("device").map(|d| d.credential_hash),
        Some("cred-a1".to_string())
    );
    assert_eq!(store.station_slots(S1).expect("slots"), 2);

    let c = Uuid::now_v7();
    assert_eq!(
        enrol(&*store, "c1", at_station(S2, P1), c, 50).slot,
        Some(1)
    );
    // A device does not move to another station by re-enrolling: its database is its
    // station's (see a_known_device_id_is_not_taken_by_another_scope).
    assert_eq!(store.station_slots(S2).expect("slots"), 1);

    let listed = store.devices().expect("devices");
    assert_eq!(listed.len(), 4);
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].enrolled_ms <= w[1].enrolled_ms),
        "devices are listed in enrolment order"
    );
    assert_eq!(store.device(Uuid::now_v7()).expect("device"), None);
}

/// Revoking is immediate and keeps its first time; an unknown device is reported; a new
/// enrolment code does not lift it (the code stays unused), only an administrator's explicit
/// unrevoke does. Contact times are recorded.
pub fn revocation_holds_until_an_administrator_lifts_it(make: Factory<'_>) {
    let store = fresh(make);
    let id = Uuid::now_v7();
    enrol(&*store, "r1", at_station(S1, P1), id, 10);
    assert!(!store.revoke_device(Uuid::now_v7(), 20).expect("revoke"));
    assert!(store.revoke_device(id, 20).expect("revoke"));
    assert!(store.revoke_device(id, 30).expect("revoke again"));
    assert_eq!(
        store.device(id).expect("device").and_then(|d| d.revoked_ms),
        Some(20)
    );
    store.touch_device(id, 25).expect("touch");
    assert_eq!(
        store
            .device(id)
            .expect("device")
            .and_then(|d| d.last_seen_ms),
        Some(25)
    );
    store
        .add_enrol_code(&code("r2", at_station(S1, P1), 1_000))
        .expect("add code");
    let again = store
        .redeem_enrol_code("r2", &device(id, "c2"), 40)
        .expect("redeem");
    assert_eq!(again.err(), Some(RedeemError::Revoked));
    assert_eq!(
        store.device(id).expect("device").and_then(|d| d.revoked_ms),
        Some(20),
        "a new code does not lift a revocation"
    );
    assert_eq!(
        store.device(id).expect("device").map(|d| d.credential_hash),
        Some("cred-r1".to_string()),
        "nor replaces the credential"
    );
    assert!(!store.unrevoke_device(Uuid::now_v7()).expect("unrevoke"));
    assert!(store.unrevoke_device(id).expect("unrevoke"));
    // The refused attempt left the code unused; the device itself enrols again.
    let back = store
        .redeem_enrol_code("r2", &device(id, "cred-r1"), 50)
        .expect("redeem")
        .expect("re-enrolled once lifted");
    assert_eq!(back.revoked_ms, None);
    assert_eq!(
        store.device(id).expect("device").and_then(|d| d.revoked_ms),
        None
    );
}

/// A device id enrolled for one station cannot be enrolled for another scope (its credential
/// and scope stay), and the code is not used up.
pub fn a_known_device_id_is_not_taken_by_another_scope(make: Factory<'_>) {
    let store = fresh(make);
    let id = Uuid::now_v7();
    enrol(&*store, "k1", at_station(S1, P1), id, 10);
    for (hash, scope) in [
        ("k2", at_station(S2, P1)),
        ("k3", province_scope_device(P1)),
    ] {
        store
            .add_enrol_code(&code(hash, scope, 1_000))
            .expect("add code");
        let r = store
            .redeem_enrol_code(hash, &device(id, "evil"), 20)
            .expect("redeem");
        assert_eq!(r.err(), Some(RedeemError::TakenElsewhere));
        let d = store.device(id).expect("device").expect("still there");
        assert_eq!(d.scope, at_station(S1, P1));
        assert_eq!(d.credential_hash, "cred-k1");
        // The code still enrols a new device.
        assert!(
            store
                .redeem_enrol_code(hash, &device(Uuid::now_v7(), "new"), 30)
                .expect("redeem")
                .is_ok()
        );
    }
}

/// An attachment's owners are the stations that uploaded it, each once, in code order.
pub fn attachment_owners_are_a_set(make: Factory<'_>) {
    let store = fresh(make);
    let (h, other) = ("ab".repeat(32), "cd".repeat(32));
    assert!(store.attachment_owners(&h).expect("owners").is_empty());
    store.add_attachment_owner(&h, S2, 10).expect("add owner");
    store.add_attachment_owner(&h, S1, 10).expect("add owner");
    store
        .add_attachment_owner(&h, S1, 10)
        .expect("add owner again");
    assert_eq!(store.attachment_owners(&h).expect("owners"), vec![S1, S2]);
    assert!(store.attachment_owners(&other).expect("owners").is_empty());
}

/// The first stored change of an entity records its kind and owner; later changes (whatever
/// their label), duplicates and reporters (which travel under their case's id) change nothing.
pub fn the_first_stored_writer_owns_an_entity(make: Factory<'_>) {
    let store = fresh(make);
    let first = case(S1);
    let mut later = case(S2);
    later.entity_id = first.entity_id;
    let mut reporter = case(S2);
    reporter.entity = EntityKind::Reporter;
    reporter.entity_id = first.entity_id;
    let template = change(P1, Uuid::now_v7(), EntityKind::AnswerTemplate);
    assert_eq!(store.entity_owner(first.entity_id).expect("lookup"), None);
    add(store.as_ref(), &[filed(&first, P1), filed(&template, P1)]);
    add(
        store.as_ref(),
        &[filed(&later, P1), filed(&reporter, P1), filed(&first, P1)],
    );
    let owned = |kind, owner: &str| {
        Some(Owned {
            kind,
            owner: owner.into(),
        })
    };
    assert_eq!(
        store.entity_owner(first.entity_id).expect("lookup"),
        owned(EntityKind::Case, S1),
        "the first writer owns the case"
    );
    assert_eq!(
        store.entity_owner(template.entity_id).expect("lookup"),
        owned(EntityKind::AnswerTemplate, P1),
        "province data belongs to the province"
    );
    assert_eq!(store.entity_owner(Uuid::now_v7()).expect("lookup"), None);
    // Owners survive a re-run of the migrations.
    store.migrate().expect("migrate again");
    assert_eq!(
        store.entity_owner(first.entity_id).expect("lookup"),
        owned(EntityKind::Case, S1)
    );
}

// ---- register numbers ----

const YEAR: i32 = 2026;

fn ask(slot: u32, slots: u32, want: u32, floor: u32) -> NumberRequest {
    NumberRequest {
        scheme: Numbering { slot, slots },
        years: vec![YearRequest {
            year: YEAR,
            want,
            floor,
            ..Default::default()
        }],
    }
}

fn exchange(store: &dyn Storage, dev: Uuid, req: &NumberRequest) -> YearGrant {
    let mut r = store
        .exchange_numbers(dev, S1, req, 100)
        .expect("exchange numbers");
    assert_eq!(r.years.len(), 1, "one grant per year asked");
    r.years.remove(0)
}

fn case_numbered(station: &str, device: Uuid, no: &str) -> Change {
    let mut c = change(station, device, EntityKind::Case);
    c.fields.insert("register_no".into(), serde_json::json!(no));
    c
}

/// Two devices of a station that each acknowledged a floor lease in turn: each gets the lowest
/// numbers nobody holds, a repeated exchange answers the same lease (topped up, never
/// doubled), and no number is leased to both.
pub fn leases_are_the_lowest_free_numbers_and_never_shared(make: Factory<'_>) {
    let store = fresh(make);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    enrol(&*store, "na", at_station(S1, P1), a, 10);
    enrol(&*store, "nb", at_station(S1, P1), b, 11);
    // Each acknowledges the floor its first answer granted, as the client does.
    let ga = exchange(&*store, a, &ask(1, 2, 0, 0));
    exchange(&*store, a, &ask(1, 2, 0, ga.floor));
    let gb = exchange(&*store, b, &ask(2, 2, 0, 0));
    exchange(&*store, b, &ask(2, 2, 0, gb.floor));
    let la = exchange(&*store, a, &ask(1, 2, 10, ga.floor));
    assert_eq!(la.leased, (1..=10).collect::<Vec<u32>>());
    let lb = exchange(&*store, b, &ask(2, 2, 10, gb.floor));
    assert_eq!(lb.leased, (11..=20).collect::<Vec<u32>>());
    // Asked again: the same lease, nothing new.
    assert_eq!(
        exchange(&*store, a, &ask(1, 2, 10, ga.floor)).leased,
        la.leased
    );
    assert!(
        la.floor > 0 && lb.floor > 20,
        "the floor is above the numbers handed out"
    );
    let ledger = store.number_ledger(S1, YEAR).expect("ledger");
    let leased: Vec<(u32, Uuid)> = ledger
        .entries
        .iter()
        .filter(|e| e.state == NumberState::Leased)
        .map(|e| (e.seq, e.device))
        .collect();
    assert_eq!(leased.len(), 20);
    assert!(leased.iter().all(|(n, d)| (*n <= 10) == (*d == a)));
    // Another station's numbers are its own.
    assert!(
        store
            .number_ledger(S2, YEAR)
            .expect("ledger")
            .entries
            .is_empty()
    );
}

/// Numbers handed back unused are returned to the pool and leased again before any new one;
/// a device cannot hand back a number that is not its own.
pub fn handed_back_numbers_are_leased_again_first(make: Factory<'_>) {
    let store = fresh(make);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    enrol(&*store, "ha", at_station(S1, P1), a, 10);
    enrol(&*store, "hb", at_station(S1, P1), b, 11);
    let fa = exchange(&*store, a, &ask(1, 2, 0, 0)).floor;
    let fb = exchange(&*store, b, &ask(2, 2, 0, 0)).floor;
    exchange(&*store, b, &ask(2, 2, 0, fb));
    exchange(&*store, a, &ask(1, 2, 10, fa));
    let mut back = ask(1, 2, 0, fa);
    back.years[0].hand_back = (4..=10).collect();
    let ga = exchange(&*store, a, &back);
    assert_eq!(ga.leased, vec![1, 2, 3]);
    assert_eq!(
        ga.ledger
            .entries
            .iter()
            .filter(|e| e.state == NumberState::Returned && e.device == a)
            .count(),
        7
    );
    // B cannot give back A's numbers.
    let mut steal = ask(2, 2, 0, fb);
    steal.years[0].hand_back = vec![1, 2];
    exchange(&*store, b, &steal);
    let gb = exchange(&*store, b, &ask(2, 2, 10, fb));
    assert_eq!(gb.leased, (4..=13).collect::<Vec<u32>>());
    let gb2 = exchange(&*store, b, &ask(2, 2, 10, fb));
    assert_eq!(gb2.leased, gb.leased);
    assert_eq!(
        exchange(&*store, a, &ask(1, 2, 0, fa)).leased,
        vec![1, 2, 3]
    );
}

/// A device's fallback class is not leased to others from the floor it holds up, however many
/// numbers they take; a device that never exchanged (an older app) keeps its whole class; a
/// device cannot hold a floor higher than the one it was granted.
pub fn a_fallback_class_is_kept_from_others_above_the_floor_held(make: Factory<'_>) {
    let store = fresh(make);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    enrol(&*store, "fa", at_station(S1, P1), a, 10);
    enrol(&*store, "fb", at_station(S1, P1), b, 11);
    // B has never exchanged: its whole class (even numbers) is kept from A.
    let g = exchange(&*store, a, &ask(1, 2, 10, 0));
    assert!(g.leased.iter().all(|n| n % 2 == 1), "{:?}", g.leased);
    // B says it holds an absurd floor: only the one granted (none yet) counts.
    exchange(&*store, b, &ask(2, 2, 0, 999));
    let fb = exchange(&*store, b, &ask(2, 2, 0, 0)).floor;
    let gb = exchange(&*store, b, &ask(2, 2, 0, fb));
    assert!(gb.floor >= fb);
    let reserved = gb
        .ledger
        .reserved
        .iter()
        .find(|r| r.device == b)
        .expect("b's class is listed");
    assert_eq!((reserved.slot, reserved.slots, reserved.from), (2, 2, fb));
    // A takes many numbers: below B's floor anything, from it up only odd ones.
    let mut taken = Vec::new();
    let mut floor = g.floor;
    for _ in 0..6 {
        let held = exchange(&*store, a, &ask(1, 2, 10, floor));
        floor = held.floor;
        taken.extend(held.leased.iter().copied());
        // Use them all (as cases), so the next exchange leases fresh ones.
        let cases: Vec<(Change, String)> = held
            .leased
            .iter()
            .map(|n| filed(&case_numbered(S1, a, &format!("{n}/{YEAR}")), P1))
            .collect();
        add(&*store, &cases);
    }
    assert!(
        taken.iter().all(|&n| n < fb || n % 2 == 1),
        "B's class from its floor {fb} was leased to A: {taken:?}"
    );
    let mut unique = taken.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), taken.len());
}

/// A stored case's number is on record as used (through its device's lease, or outside one),
/// as are a device's fallback numbers; used numbers are never leased.
pub fn stored_cases_and_fallbacks_account_for_their_numbers(make: Factory<'_>) {
    let store = fresh(make);
    let (a, old) = (Uuid::now_v7(), Uuid::now_v7());
    enrol(&*store, "ua", at_station(S1, P1), a, 10);
    let fa = exchange(&*store, a, &ask(1, 1, 0, 0)).floor;
    let lease = exchange(&*store, a, &ask(1, 1, 3, fa)).leased;
    assert_eq!(lease, vec![1, 2, 3]);
    add(
        &*store,
        &[
            filed(&case_numbered(S1, a, &format!("1/{YEAR}")), P1),
            // A case from a PC that numbered before leases, and a malformed number.
            filed(&case_numbered(S1, old, &format!("5/{YEAR}")), P1),
            filed(&case_numbered(S1, old, "abc"), P1),
        ],
    );
    let mut fb = ask(1, 1, 0, fa);
    fb.years[0].fallback = vec![30];
    let g = exchange(&*store, a, &fb);
    assert_eq!(g.leased, vec![2, 3], "a used number is no longer leased");
    assert_eq!(g.ledger.used, vec![(1, 1), (5, 5), (30, 30)]);
    let unleased: Vec<u32> = g
        .ledger
        .entries
        .iter()
        .filter(|e| e.state == NumberState::Unleased)
        .map(|e| e.seq)
        .collect();
    assert_eq!(unleased, vec![5, 30]);
    let more = exchange(&*store, a, &ask(1, 1, 6, fa)).leased;
    assert_eq!(more, vec![2, 3, 4, 6, 7, 8]);
}

/// Revoking a device hands back what it was leased and did not use, and its class is no
/// longer kept from the others.
pub fn a_revoked_device_hands_its_leases_back(make: Factory<'_>) {
    let store = fresh(make);
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    enrol(&*store, "va", at_station(S1, P1), a, 10);
    enrol(&*store, "vb", at_station(S1, P1), b, 11);
    exchange(&*store, a, &ask(1, 2, 4, 0));
    assert!(store.revoke_device(a, 50).expect("revoke"));
    let ledger = store.number_ledger(S1, YEAR).expect("ledger");
    assert!(
        ledger
            .entries
            .iter()
            .all(|e| e.state == NumberState::Returned)
    );
    assert!(ledger.reserved.iter().all(|r| r.device != a));
    let g = exchange(&*store, b, &ask(2, 2, 4, 0));
    assert_eq!(
        g.leased,
        vec![1, 2, 3, 4],
        "A's numbers first, lowest first"
    );
}
