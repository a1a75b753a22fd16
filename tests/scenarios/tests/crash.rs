//! Kills the syncing device process and the server process at many points during sync, then
//! lets everything recover: no change is lost, none is stored or applied twice, and the
//! device's database passes its integrity check.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tinbao_scenarios::*;

const SERVER: &str = env!("CARGO_BIN_EXE_scenario-server");
const DEVICE: &str = env!("CARGO_BIN_EXE_scenario-device");

fn spawn_device(db: &std::path::Path) -> Result<std::process::Child> {
    Ok(Command::new(DEVICE)
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?)
}

/// Reads the device's progress lines until the `step`-th one (counting from 0); false if it
/// finished (or died) first.
fn wait_for_step(child: &mut std::process::Child, step: usize) -> Result<bool> {
    let out = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(out).lines();
    for _ in 0..=step {
        match lines.next() {
            Some(Ok(l)) if l != "done" => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

#[test]
fn killing_client_and_server_mid_sync_loses_and_doubles_nothing() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = ServerProc::start_fresh(&server_bin(SERVER), &dir.path().join("server"))?;
    let w = dir.path();
    let mut a1 = Device::station(w, "a1", STATION_A)?;
    a1.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    let mut a2 = Device::station(w, "a2", STATION_A)?;
    a2.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    // a1 learns with its first sync that the station now has two numbering slots.
    assert_eq!(a1.store.numbering()?, (1, 1));
    a1.sync()?;
    assert_eq!(a1.store.numbering()?, (1, 2));
    let a1_path = a1.store.path().to_path_buf();
    let a1_actor = a1.actor.clone();
    drop(a1);

    let (mut produced, mut cases) = (0u64, 0usize);
    let (mut client_kills, mut server_kills, mut completed) = (0u32, 0u32, 0u32);
    let mut points = std::collections::BTreeSet::new();
    let schedules = 30u32;
    for k in 0..schedules {
        // Offline work on the device that will be killed (its store closed again before the
        // sync process opens it), and a little on the other device of the station.
        {
            let mut a1 = Device::open(&a1_path, "a1", a1_actor.clone())?;
            let before = a1.pending()?;
            let mut last = None;
            for i in 0..5 {
                last = Some(a1.intake(&format!("lịch {k} vụ {i}"))?);
            }
            if let Some(c) = last {
                a1.note(c, "Đã xác minh")?;
            }
            produced += a1.pending()? - before;
            cases += 5;
        }
        let before = a2.pending()?;
        a2.intake(&format!("a2 lịch {k}"))?;
        produced += a2.pending()? - before;
        cases += 1;
        // a2's sync may find the server down after a crash below: retried next schedule.
        let _ = a2.sync();

        // Crash points by progress, not by time: right after the device reports its j-th step
        // (an upload, a pushed batch, a pulled batch), while the next request is in flight or
        // the store is being written.
        let step = (k as usize * 7) % 10;
        let mut child = spawn_device(&a1_path)?;
        let mid_sync = wait_for_step(&mut child, step)?;
        if k % 3 == 2 {
            // The server dies instead; the device's requests fail until it is back.
            if mid_sync {
                server.kill();
                server_kills += 1;
                points.insert(("server", step));
            } else {
                completed += 1;
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while child.try_wait()?.is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
            if mid_sync {
                server.start()?;
            }
        } else {
            if mid_sync && child.try_wait()?.is_none() {
                client_kills += 1;
                points.insert(("device", step));
            } else {
                completed += 1;
            }
            let _ = child.kill();
            child.wait()?;
        }
    }

    // Recovery: the device syncs to completion, then the other one.
    let mut ok = false;
    for _ in 0..5 {
        if spawn_device(&a1_path)?.wait()?.success() {
            ok = true;
            break;
        }
    }
    assert!(ok, "the device could not complete a sync after the crashes");
    a2.sync()?;
    let mut a1 = Device::open(&a1_path, "a1", a1_actor)?;
    a1.sync()?;
    a2.sync()?;
    println!(
        "crash test: {schedules} schedules; {client_kills} device kills and {server_kills} server \
         kills landed mid-sync, at {} distinct crash points (process x step); {completed} syncs \
         finished before their crash point",
        points.len()
    );
    assert!(
        client_kills > 0 && server_kills > 0,
        "no crash landed mid-sync"
    );
    // Each device registered offline with its own numbering slot: no register number twice.
    assert_eq!(a1.store.numbering()?, (1, 2));
    assert_eq!(a2.store.numbering()?, (2, 2));

    assert_eq!(a1.pending()?, 0);
    assert_eq!(a2.pending()?, 0);
    let snap = assert_converged(STATION_A, &[&a1, &a2])?;
    assert_eq!(snap.cases(), cases, "a case was lost or doubled");
    assert_eq!(
        snap.events(),
        snap.rows.iter().filter(|r| r.starts_with("event|")).count()
    );
    // Every change the devices produced is on the server exactly once.
    assert_eq!(server.metric("tinbao_changes_stored")?, produced);
    for d in [&a1, &a2] {
        let report = d.store.verify()?;
        assert!(
            report.ok,
            "{}: integrity problems: {:?}",
            d.name, report.problems
        );
    }
    Ok(())
}
