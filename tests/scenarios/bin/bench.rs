//! Sync benchmark on shared/data/sample-cases.jsonl (10,000 cases): initial push, a second
//! device's initial pull, and an incremental sync after editing 1 % of the cases, on loopback
//! and through the proxy shaped as a rural link (300 ms round trip, 1 Mbit/s each way).
//! Prints seconds, bytes on the wire (TLS included, counted by the proxy) and round trips.
//!
//! Usage: cargo build -p tinbao-scenarios --bins && target/debug/sync-bench [CASES.jsonl] [N]
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;
use tinbao_scenarios::proxy::{Faults, Proxy};
use tinbao_scenarios::*;
use tinbao_sync_client::{SyncOptions, SyncReport};

/// The sample cases rewritten into one station's register (station, commune and register
/// numbers), so that every case is in the device's scope.
fn rewrite(src: &Path, station: &str, limit: usize, out: &Path) -> Result<usize> {
    let text = std::fs::read_to_string(src)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(out)?);
    let mut per_year = std::collections::HashMap::<String, u32>::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(limit) {
        let mut v: serde_json::Value = serde_json::from_str(line)?;
        let year = v["register_no"]
            .as_str()
            .and_then(|r| r.split('/').nth(1))
            .unwrap_or("2025")
            .to_string();
        let seq = per_year.entry(year.clone()).or_default();
        *seq += 1;
        v["register_no"] = serde_json::json!(format!("{seq}/{year}"));
        v["station"] = serde_json::json!(station);
        if v["location"].is_object() {
            v["location"]["commune"] = serde_json::json!(station);
        }
        writeln!(f, "{v}")?;
        n += 1;
    }
    f.flush()?;
    Ok(n)
}

struct Row {
    what: &'static str,
    link: &'static str,
    seconds: f64,
    up: u64,
    down: u64,
    requests: u64,
    changes: u64,
}

fn measure(
    what: &'static str,
    link: &'static str,
    proxy: &Proxy,
    d: &mut Device,
    rows: &mut Vec<Row>,
) -> Result<SyncReport> {
    let client = d.client_via(&proxy.url())?;
    let (up0, down0) = (
        proxy.stats.bytes_up.load(Relaxed),
        proxy.stats.bytes_down.load(Relaxed),
    );
    let t = Instant::now();
    let r = d.sync_via(&client, &SyncOptions::default())?;
    let seconds = t.elapsed().as_secs_f64();
    rows.push(Row {
        what,
        link,
        seconds,
        up: proxy.stats.bytes_up.load(Relaxed) - up0,
        down: proxy.stats.bytes_down.load(Relaxed) - down0,
        requests: r.traffic.requests,
        changes: r.pushed + r.pulled,
    });
    Ok(r)
}

/// One link to measure: its name, the station whose register is synced over it, its faults.
struct Link {
    name: &'static str,
    station: &'static str,
    faults: Faults,
}

fn run_link(
    server: &ServerProc,
    dir: &Path,
    (sample, limit): (&Path, usize),
    l: Link,
    rows: &mut Vec<Row>,
) -> Result<()> {
    let (link, station) = (l.name, l.station);
    let proxy = Proxy::start(server.addr.parse()?, l.faults)?;
    let file = dir.join(format!("cases-{station}.jsonl"));
    let n = rewrite(sample, station, limit, &file)?;
    let mut first = Device::station(dir, &format!("{link}-1"), station)?;
    let mut second = Device::station(dir, &format!("{link}-2"), station)?;
    first.enrol(&server.url(), &server.enrol_code(Some(station), None)?)?;
    second.enrol(&server.url(), &server.enrol_code(Some(station), None)?)?;
    let t = Instant::now();
    let actor = first.actor.clone();
    let imp = first
        .store
        .import_jsonl(&actor, std::fs::File::open(&file)?, &mut |_| {})?;
    eprintln!(
        "[{link}] imported {} of {n} cases in {:.1} s: {} changes to send",
        imp.imported,
        t.elapsed().as_secs_f64(),
        first.pending()?
    );
    measure("initial push", link, &proxy, &mut first, rows)?;
    measure("initial pull, 2nd device", link, &proxy, &mut second, rows)?;
    // A day's work: 1 % of the cases get a note and a new category.
    let ids: Vec<uuid::Uuid> = {
        let snap = first.snapshot(station)?;
        snap.rows
            .iter()
            .filter_map(|r| r.strip_prefix("case|"))
            .filter_map(|r| r.split('|').next().and_then(|id| id.parse().ok()))
            .step_by(100)
            .collect()
    };
    for id in &ids {
        first.note(*id, "Đã liên hệ người báo tin, bổ sung thông tin")?;
        first.set_category(*id, "online_fraud")?;
    }
    eprintln!("[{link}] edited {} cases", ids.len());
    measure("incremental push (1 %)", link, &proxy, &mut first, rows)?;
    measure("incremental pull (1 %)", link, &proxy, &mut second, rows)?;
    let a = first.snapshot(station)?;
    let b = second.snapshot(station)?;
    if a != b {
        return Err(format!("[{link}] the two devices differ after sync").into());
    }
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let sample = args.next().map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/sample-cases.jsonl")
    });
    let limit: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let exe = std::env::current_exe()?;
    let server_bin = exe
        .parent()
        .map(|d| d.join("scenario-server"))
        .ok_or("no directory")?;
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin, &dir.path().join("server"))?;
    let mut rows = Vec::new();
    for l in [
        Link {
            name: "loopback",
            station: STATION_A,
            faults: Faults::default(),
        },
        Link {
            name: "rural 300ms 1Mbit/s",
            station: STATION_B,
            faults: Faults::rural(),
        },
    ] {
        run_link(&server, dir.path(), (&sample, limit), l, &mut rows)?;
    }
    println!(
        "{:<28} {:<22} {:>9} {:>12} {:>12} {:>9} {:>8}",
        "step", "link", "seconds", "bytes up", "bytes down", "requests", "changes"
    );
    for r in &rows {
        println!(
            "{:<28} {:<22} {:>9.2} {:>12} {:>12} {:>9} {:>8}",
            r.what, r.link, r.seconds, r.up, r.down, r.requests, r.changes
        );
    }
    Ok(())
}
