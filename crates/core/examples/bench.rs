//! The register's benchmark: prints its figures, asserts nothing.
//!
//!   cargo run --release -p tinbao-core --example bench -- [CASES] [SAMPLE.jsonl]
//!
//! Builds a province database (Đắk Lắk, 66) of CASES cases made from the sample data set
//! (new ids, dates spread over five years, stations of the province, fresh register numbers),
//! then measures: import throughput, intake of one case (p50/p99), search p50/p95 with and
//! without filters, and monthly statistics.
use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use std::collections::HashMap;
use std::time::Instant;
use tinbao_core::search::SearchQuery;
use tinbao_core::stats::monthly_period;
use tinbao_core::*;

const STATIONS: [&str; 7] = [
    "24133", "24163", "24121", "24154", "24169", "24305", "24280",
];

/// This process's CPU seconds (user + system) so far, from /proc on Linux: a figure that
/// another busy process on the machine disturbs less than the wall clock.
fn cpu_secs() -> Option<f64> {
    proc_cpu_secs("/proc/self/stat")
}

/// The same for the calling thread alone: the import's writer.
fn thread_cpu_secs() -> Option<f64> {
    proc_cpu_secs("/proc/thread-self/stat")
}

fn proc_cpu_secs(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A fixed piece of CPU work (folding the sample's text 20 times, single thread), timed so
/// that figures taken on different machines can be compared: the machines this project runs
/// on differ by more than the targets' margins.
fn machine_reference(templates: &[serde_json::Value]) -> f64 {
    let texts: Vec<&str> = templates
        .iter()
        .filter_map(|c| c["description"].as_str())
        .collect();
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..20 {
        for s in &texts {
            n += std::hint::black_box(tinbao_core::text::fold(s)).len();
        }
    }
    std::hint::black_box(n);
    t.elapsed().as_secs_f64() * 1000.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

fn sup_for_export() -> Actor {
    Actor {
        user_id: uuid::Uuid::now_v7(),
        username: "s".into(),
        full_name: "S".into(),
        role: Role::Supervisor,
        station: None,
        province: Some("66".into()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let sample_path = args.get(2).cloned().unwrap_or_else(|| {
        let shared = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/sample-cases.jsonl"
        );
        if std::path::Path::new(shared).exists() {
            shared.into()
        } else {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../tests/data/sample-500.jsonl"
            )
            .into()
        }
    });
    let sample = std::fs::read_to_string(&sample_path).expect("sample data");
    let templates: Vec<serde_json::Value> = sample
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    // BENCH_DB=path keeps the database; a second run with the same path skips the import.
    let path = std::env::var_os("BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let key = format!("x'{}'", "5a".repeat(32));
    let reuse = path.exists();
    let mut store = if reuse {
        Store::open(&path, &key).expect("open")
    } else {
        Store::create(&path, &key, Scope::Province("66".into())).expect("create")
    };
    let admin = system_actor(store.scope());

    // Cases spread evenly over five years ending now, newest last.
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    let end = chrono::Utc::now().with_timezone(&tz) - Duration::days(1);
    let span = Duration::days(5 * 365).num_seconds();
    let mut seqs: HashMap<(String, i32), u64> = HashMap::new();
    let mut gen_lines = String::with_capacity(n * 900);
    // A reused database needs no new lines.
    for i in (0..n).filter(|_| !reuse) {
        let mut c = templates[i % templates.len()].clone();
        let at: DateTime<FixedOffset> =
            end - Duration::seconds(span - (span * i as i64) / n as i64);
        let station = STATIONS[i % STATIONS.len()].to_string();
        use chrono::Datelike;
        let seq = seqs.entry((station.clone(), at.year())).or_insert(0);
        *seq += 1;
        c["id"] = serde_json::json!(uuid::Uuid::now_v7().to_string());
        c["station"] = serde_json::json!(station);
        c["location"]["commune"] = serde_json::json!(station);
        c["register_no"] = serde_json::json!(format!("{}/{}", seq, at.year()));
        c["received_at"] = serde_json::json!(at.to_rfc3339());
        gen_lines.push_str(&c.to_string());
        gen_lines.push('\n');
    }
    let mb = gen_lines.len() as f64 / 1e6;
    println!(
        "tinbao-core benchmark: {n} cases ({mb:.0} MB of JSON Lines) in an encrypted province database"
    );
    println!(
        "machine reference (folding the sample's descriptions 20 times): {:.0} ms",
        machine_reference(&templates)
    );

    if reuse {
        println!("import: skipped, reusing {}", path.display());
    } else {
        let t = Instant::now();
        let cpu0 = cpu_secs();
        let writer0 = thread_cpu_secs();
        // The last progress report comes when every line is written; what follows is the
        // search index's final merge.
        let mut written_at = t;
        let rep = store
            .import_jsonl(&admin, gen_lines.as_bytes(), &mut |_| {
                written_at = Instant::now()
            })
            .expect("import");
        let secs = t.elapsed().as_secs_f64();
        let merge_secs = secs - (written_at - t).as_secs_f64();
        let cpu = cpu_secs().zip(cpu0).map(|(b, a)| b - a);
        let writer = thread_cpu_secs().zip(writer0).map(|(b, a)| b - a);
        assert_eq!(
            rep.imported as usize,
            n,
            "rejected: {:?}",
            rep.rejected.first()
        );
        println!(
            "import: {n} cases in {secs:.1} s = {:.0} cases/s (CPU {}, of which the writing thread {}; the index's final merge {merge_secs:.1} s)",
            n as f64 / secs,
            cpu.map_or("?".into(), |c| format!("{c:.1} s")),
            writer.map_or("?".into(), |c| format!("{c:.1} s"))
        );
    }
    drop(gen_lines);
    if std::env::var_os("BENCH_IMPORT_ONLY").is_some() {
        return;
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display()))
            .map(|m| m.len())
            .unwrap_or(0);
    println!("database size: {:.0} MB", size as f64 / 1e6);

    let officer = Actor {
        user_id: uuid::Uuid::now_v7(),
        username: "b".into(),
        full_name: "Bench".into(),
        role: Role::Officer,
        station: Some("24280".into()),
        province: None,
    };
    // BENCH_SEARCH_ONLY skips the station database and intake.
    if std::env::var_os("BENCH_SEARCH_ONLY").is_none() {
        station_and_intake(&mut store, &key);
    }
    let sup = Actor {
        role: Role::Supervisor,
        station: None,
        province: Some("66".into()),
        ..officer.clone()
    };
    let texts = [
        "lang lach",
        "danh bac",
        "trom xe",
        "lua dao",
        "bom",
        "ma tuy",
        "Cư M'gar",
        "tranh chap dat",
        "hoang van",
        "karaoke",
    ];
    let (month_from, month_to) = {
        let t = end - Duration::days(200);
        use chrono::Datelike;
        monthly_period(t.year(), t.month(), 15)
    };
    type Filter = Box<dyn Fn(&mut SearchQuery)>;
    let variants: Vec<(&str, Filter)> = vec![
        ("text only", Box::new(|_q: &mut SearchQuery| {})),
        (
            "text + status + category",
            Box::new(|q: &mut SearchQuery| {
                q.status = Some(vec![Status::Verifying, Status::Received]);
                q.category = Some("theft".into());
            }),
        ),
        (
            "text + one month",
            Box::new(move |q: &mut SearchQuery| {
                q.from = Some(month_from);
                q.to = Some(month_to);
            }),
        ),
        (
            "text + station (officer)",
            Box::new(|q: &mut SearchQuery| q.station = Some("24280".into())),
        ),
    ];
    for (name, f) in &variants {
        let mut times = Vec::new();
        for round in 0..5 {
            for t in texts {
                let mut q = SearchQuery {
                    text: Some(t.into()),
                    page_size: 50,
                    page: round % 2,
                    ..Default::default()
                };
                f(&mut q);
                let s = Instant::now();
                let r = store.search(&sup, &q).expect("search");
                let ms = s.elapsed().as_secs_f64() * 1000.0;
                times.push(ms);
                if std::env::var_os("BENCH_VERBOSE").is_some() {
                    println!(
                        "    {ms:7.1} ms  {t:<16} page {} ranked {} total {}",
                        q.page, r.ranked, r.total
                    );
                }
                std::hint::black_box(r);
            }
        }
        println!(
            "search, {name}: p50 {:.1} ms, p95 {:.1} ms ({} queries)",
            pct(&mut times, 0.5),
            pct(&mut times, 0.95),
            times.len()
        );
    }
    let mut browse = Vec::new();
    for page in 0..20 {
        let q = SearchQuery {
            page_size: 50,
            page,
            status: if page % 2 == 0 {
                None
            } else {
                Some(vec![Status::Verifying])
            },
            ..Default::default()
        };
        let s = Instant::now();
        std::hint::black_box(store.search(&sup, &q).expect("browse"));
        browse.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "register browsing (no text, pages 0-19, with/without status): p50 {:.1} ms, p95 {:.1} ms",
        pct(&mut browse, 0.5),
        pct(&mut browse, 0.95)
    );

    let mut st = Vec::new();
    for k in 0..12 {
        let t = end - Duration::days(30 * k);
        use chrono::Datelike;
        let (f, to) = monthly_period(t.year(), t.month(), 15);
        let s = Instant::now();
        std::hint::black_box(store.stats(&sup, f, to).expect("stats"));
        st.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "monthly statistics (province, 12 months): p50 {:.1} ms, max {:.1} ms",
        pct(&mut st, 0.5),
        pct(&mut st, 1.0)
    );
    let s = Instant::now();
    let all = store.stats(&sup, 0, i64::MAX).expect("stats");
    println!(
        "statistics over all {} cases: {:.1} ms",
        all.received,
        s.elapsed().as_secs_f64() * 1000.0
    );
    let _ = tz.timestamp_opt(0, 0);
}

/// A station's own database with its share of the cases, and an officer registering reports
/// one at a time.
fn station_and_intake(store: &mut Store, key: &str) {
    let station_dir = tempfile::tempdir().expect("temp dir");
    // Intake is measured on the station's own database, holding its share of the cases.
    let spath = station_dir.path().join("station.db");
    let mut station =
        Store::create(&spath, key, Scope::Station("24280".into())).expect("create station");
    let st_admin = system_actor(station.scope());
    let mut exported = Vec::new();
    store
        .export_jsonl(&sup_for_export(), false, &mut exported)
        .expect("export");
    // Only its own cases, as a station imports its Excel register: every case is queued for
    // sync here, unlike in the province database.
    let own: Vec<u8> = exported
        .split(|b| *b == b'\n')
        .filter(|l| l.windows(17).any(|w| w == b"\"station\":\"24280\""))
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect();
    let t = Instant::now();
    let r = station
        .import_jsonl(&st_admin, own.as_slice(), &mut |_| {})
        .expect("station import");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "station import (24280, queued for sync): {} cases in {secs:.1} s = {:.0} cases/s, {} rejected",
        r.imported,
        r.imported as f64 / secs,
        r.rejected.len()
    );
    drop(exported);
    // The app checkpoints the write-ahead log at idle moments (its status poll); an import is
    // followed by one before officers type again.
    station.checkpoint().expect("checkpoint");
    while station.merge_search_index(1000).expect("merge") {}
    let chief_admin = Actor {
        role: Role::Admin,
        station: Some("24280".into()),
        ..st_admin.clone()
    };
    let mut intake = Vec::new();
    let intakes: usize = std::env::var("BENCH_INTAKES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    for i in 0..intakes {
        let new = NewCase {
            received_at: None,
            channel: Channel::Zalo,
            channel_ref: Some("Nhóm Zalo thôn 7".into()),
            kind: Kind::TinBao,
            category: "traffic_order".into(),
            urgency: Urgency::Normal,
            summary: format!("Thanh thiếu niên bốc đầu, lạng lách số {i}"),
            description:
                "Người dân gửi clip qua Zalo: nhóm thanh niên bốc đầu xe máy trên đường Hùng Vương."
                    .into(),
            location: Location {
                commune: Some("24280".into()),
                hamlet: Some("Thôn 7".into()),
                ..Default::default()
            },
            occurred: None,
            reporter: Some(Reporter {
                name: Some("Người báo tin".into()),
                phone: Some("0912345678".into()),
                ..Default::default()
            }),
            persons: vec![NewPerson {
                role: PersonRole::Suspect,
                name: "Nguyễn Văn A".into(),
                birth_year: Some(2008),
                id_number: None,
                phone: None,
                address: None,
                birth_date: None,
                guardian_of: None,
                guardian_of_index: None,
            }],
            receipt: Default::default(),
        };
        // An officer's saves are minutes apart, and the app's idle poll merges the search
        // index and checkpoints between them (`Store::idle_upkeep`); without it every save
        // would add a segment and one in thirty to fifty would wait for FTS5's crisis merge.
        station.idle_upkeep().expect("idle upkeep");
        let t = Instant::now();
        station.intake(&chief_admin, new).expect("intake");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if std::env::var_os("BENCH_VERBOSE").is_some() && ms > 5.0 {
            println!("    intake {i}: {ms:.1} ms");
        }
        intake.push(ms);
    }
    println!(
        "intake of one case: p50 {:.2} ms, p99 {:.2} ms ({intakes} cases, synchronous=FULL, idle upkeep between saves)",
        pct(&mut intake, 0.5),
        pct(&mut intake, 0.99)
    );
    // What the app asks right after an officer logs in: the Today screen, then the Register.
    let chief = Actor {
        role: Role::Chief,
        ..chief_admin
    };
    let (mut today, mut first) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let t = Instant::now();
        std::hint::black_box(station.today(&chief).expect("today"));
        today.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let q = SearchQuery {
            page_size: 50,
            ..Default::default()
        };
        std::hint::black_box(station.search(&chief, &q).expect("register"));
        first.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "station after login: Today p50 {:.1} ms (first {:.1}), Register's first page p50 {:.1} ms (first {:.1})",
        pct(&mut today.clone(), 0.5),
        today[0],
        pct(&mut first.clone(), 0.5),
        first[0]
    );
}
