//! Four devices (two of station A, one of station B, a supervisor of their province), each on
//! its own database. In each of 24 rounds all of them work offline, including concurrent edits
//! of the same field, then sync in one of the 24 possible orders: after every round all devices
//! hold the same records, concurrent edits are flagged as conflicts, nothing is lost or doubled,
//! and no station sees another's records.
use tinbao_core::model::Action;
use tinbao_scenarios::*;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

#[test]
fn four_devices_converge_in_every_sync_order() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let (sa, sb) = (STATION_A, STATION_B);
    let wdir = dir.path();
    let mut a1 = Device::station(wdir, "a1", sa)?;
    let mut a2 = Device::station(wdir, "a2", sa)?;
    let mut b1 = Device::station(wdir, "b1", sb)?;
    let mut sup = Device::supervisor(wdir, "sup", PROVINCE)?;
    a1.enrol(&server.url(), &server.enrol_code(Some(sa), None)?)?;
    a2.enrol(&server.url(), &server.enrol_code(Some(sa), None)?)?;
    b1.enrol(&server.url(), &server.enrol_code(Some(sb), None)?)?;
    sup.enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    let mut devices = [a1, a2, b1, sup];

    let orders = permutations(4);
    assert_eq!(orders.len(), 24);
    let (mut cases_a, mut cases_b) = (0, 0);
    for (round, order) in orders.iter().enumerate() {
        // A case every device of station A and the supervisor know before going offline.
        let [a1, a2, b1, sup] = &mut devices;
        let shared = a1.intake(&format!("Vòng {round}: mất trộm xe máy tại chợ"))?;
        cases_a += 1;
        a1.sync()?;
        a2.sync()?;
        sup.sync()?;

        // Offline: everyone works without the network.
        for i in 0..2 {
            a1.intake(&format!("a1 vòng {round} vụ {i}"))?;
        }
        a2.intake(&format!("a2 vòng {round}"))?;
        b1.intake(&format!("b1 vòng {round}"))?;
        cases_a += 3;
        cases_b += 1;
        // The same field changed on two devices that did not see each other's write.
        let (c1, c2) = [("fraud", "drugs"), ("gambling", "affray")][round % 2];
        a1.set_category(shared, c1)?;
        a2.set_category(shared, c2)?;
        a1.note(shared, "Đã mời người bị hại lên làm việc")?;
        a2.note(shared, "Đã xác minh camera chợ")?;
        sup.act(
            shared,
            Action::Return {
                comment: "Bổ sung lời khai nhân chứng".into(),
            },
        )?;

        // Two passes in this round's order: the first carries everyone's changes up, the second
        // brings them down to those who synced early.
        for _pass in 0..2 {
            for &i in order {
                let r = devices[i].sync()?;
                assert!(
                    r.rejected.is_empty(),
                    "{}: server refused {:?}",
                    devices[i].name,
                    r.rejected
                );
            }
        }
        let [a1, a2, b1, sup] = &devices;
        for d in &devices {
            assert_eq!(d.pending()?, 0, "{} still has changes to send", d.name);
        }
        let snap_a = assert_converged(sa, &[a1, a2, sup])
            .map_err(|e| format!("round {round}, order {order:?}: {e}"))?;
        let snap_b = assert_converged(sb, &[b1, sup])
            .map_err(|e| format!("round {round}, order {order:?}: {e}"))?;
        assert_eq!(snap_a.cases(), cases_a, "order {order:?}");
        assert_eq!(snap_b.cases(), cases_b, "order {order:?}");
        // A station's device never receives another station's records.
        assert_eq!(b1.snapshot(sa)?.rows.len(), 0);
        assert_eq!(a1.snapshot(sb)?.rows.len(), 0);
        // The concurrent category edits: one deterministic winner, and the case flagged.
        let shared_row = snap_a
            .rows
            .iter()
            .find(|r| r.starts_with(&format!("case|{shared}|")))
            .ok_or("shared case missing")?;
        let cols: Vec<&str> = shared_row.split('|').collect();
        assert!(cols[4] == c1 || cols[4] == c2, "{shared_row}");
        assert_eq!(
            cols[13], "1",
            "order {order:?}: conflict not flagged: {shared_row}"
        );
        // Both notes and the supervisor's return are in the journal, each exactly once.
        let ev: Vec<&String> = snap_a
            .rows
            .iter()
            .filter(|r| r.starts_with("event|") && r.contains(&shared.to_string()))
            .collect();
        assert_eq!(
            ev.iter()
                .filter(|r| r.contains("reviewed_returned"))
                .count(),
            1,
            "{ev:#?}"
        );
        assert_eq!(
            ev.iter().filter(|r| r.contains("|note|")).count(),
            2,
            "{ev:#?}"
        );
    }
    // Station A's devices and the supervisor all show the conflicts for a chief's review.
    for i in [0, 1, 3] {
        let d = &devices[i];
        assert!(
            d.store.sync_state()?.conflicts >= 1,
            "{} shows no conflict",
            d.name
        );
    }
    assert_eq!(devices[2].store.sync_state()?.conflicts, 0);
    // Two devices of station A registered offline in every round: their numbering slots kept
    // every register number unique.
    for d in &devices[..3] {
        let report = d.store.verify()?;
        assert!(report.ok, "{}: {:?}", d.name, report.problems);
    }
    Ok(())
}
