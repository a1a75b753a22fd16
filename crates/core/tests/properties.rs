//! Property tests over the real store: offline numbering on several devices, and import of
//! arbitrary input.
use proptest::prelude::*;
use std::collections::HashSet;
use tinbao_core::*;

fn key() -> String {
    format!("x'{}'", "7e".repeat(32))
}

fn case(i: usize) -> NewCase {
    NewCase {
        received_at: None,
        channel: Channel::Zalo,
        channel_ref: None,
        kind: Kind::TinBao,
        category: "theft".into(),
        urgency: Urgency::Normal,
        summary: format!("Mất trộm xe máy {i}"),
        description: String::new(),
        location: Location::default(),
        occurred: None,
        reporter: None,
        persons: vec![],
        receipt: Default::default(),
    }
}

#[derive(Debug, Clone)]
enum Op {
    Intake(usize),
    /// Device a pulls everything device b has produced.
    Sync(usize, usize),
}

fn ops(devices: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(
        prop_oneof![
            3 => (0..devices).prop_map(Op::Intake),
            1 => (0..devices, 0..devices).prop_map(|(a, b)| Op::Sync(a, b)),
        ],
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// However devices of one station interleave offline intake and partial syncs, no
    /// register number is ever given twice.
    #[test]
    fn offline_numbering_never_collides(ops in ops(3)) {
        let dir = tempfile::tempdir().unwrap();
        let mut devs: Vec<(Store, Actor)> = (0..3)
            .map(|i| {
                let mut s = Store::create(dir.path().join(format!("{i}.db")), &key(), Scope::Station("01843".into())).unwrap();
                s.set_numbering(i as i64 + 1, 3).unwrap();
                let a = system_actor(s.scope());
                (s, a)
            })
            .collect();
        let mut given = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                Op::Intake(d) => {
                    let (s, a) = &mut devs[d];
                    given.push(s.intake(a, case(n)).unwrap().row.register_no);
                }
                Op::Sync(a, b) if a != b => {
                    let changes = devs[b].0.pending_changes(100_000).unwrap();
                    devs[a].0.apply_remote(&changes).unwrap();
                }
                Op::Sync(..) => {}
            }
        }
        let unique: HashSet<_> = given.iter().collect();
        prop_assert_eq!(unique.len(), given.len(), "{:?}", given);
    }

    /// Import never fails on bad input: every non-blank line is imported, found present, or
    /// rejected with its line number, and nothing else.
    #[test]
    fn import_accounts_for_every_line(lines in proptest::collection::vec(prop_oneof![
        Just(r#"{"id": "01830001-0000-7000-8000-0000000000aa", "station": "01843", "register_no": "1/2022", "received_at": "2022-09-29T21:15:00+07:00", "channel": "facebook", "channel_ref": null, "kind": "tin_bao", "category": "traffic_order", "urgency": "normal", "summary": "Bốc đầu", "description": "", "location": {"commune": "01843", "hamlet": null, "address": null}, "reporter": null, "persons": [], "status": "sanctioned"}"#.to_string()),
        Just(r#"{"id": "01830001-0000-7000-8000-0000000000bb", "station": "01843", "register_no": "1/2022", "received_at": "2022-09-29T21:15:00+07:00", "channel": "zalo", "channel_ref": null, "kind": "tin_bao", "category": "theft", "urgency": "normal", "summary": "Trùng số", "description": "", "location": {"commune": null, "hamlet": null, "address": null}, "reporter": null, "persons": [], "status": "received"}"#.to_string()),
        ".{0,80}",
        "\\{\"id\": \"[0-9a-f-]{0,36}\"\\}",
    ], 0..25)) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::create(dir.path().join("p.db"), &key(), Scope::Station("01843".into())).unwrap();
        let a = system_actor(s.scope());
        let input = lines.iter().map(|l| format!("{}\n", l.replace('\n', " "))).collect::<String>();
        let r = s.import_jsonl(&a, input.as_bytes(), &mut |_| {}).unwrap();
        let non_blank = lines.iter().filter(|l| !l.trim().is_empty()).count() as u64;
        prop_assert_eq!(r.lines, non_blank);
        prop_assert_eq!(r.imported + r.already_present + r.rejected.len() as u64, non_blank);
        prop_assert!(r.imported <= 1, "the second valid case reuses the first one's number");
        prop_assert!(s.verify().unwrap().ok);
    }
}
