//! Harness for multi-device sync scenarios: the real server as a separate process on loopback,
//! station and supervisor devices each with its own encrypted core database, a fault-injecting
//! TCP proxy, and a canonical snapshot of a device's records to check convergence.
#![forbid(unsafe_code)]

pub mod proxy;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use tinbao_core::Store;
use tinbao_core::model::{
    Action, Actor, Channel, Kind, Location, NewCase, NewPerson, PersonRole, Role, Scope, Urgency,
};
use tinbao_sync_client::{Progress, SyncClient, SyncError, SyncOptions, SyncReport};
use uuid::Uuid;

pub const KEY: &str = "khoa-thu-nghiem-123";
/// Two stations of Hà Nội (province 01) and one of another province.
pub const STATION_A: &str = "00004";
pub const STATION_B: &str = "00008";
pub const PROVINCE: &str = "01";

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The server program: the scenario package's own build of `tinbao_server::cli::main`, or the
/// one named by `TINBAO_SERVER_BIN`.
pub fn server_bin(fallback: &str) -> PathBuf {
    std::env::var_os("TINBAO_SERVER_BIN").map_or_else(|| PathBuf::from(fallback), PathBuf::from)
}

pub struct ServerProc {
    bin: PathBuf,
    pub data: PathBuf,
    child: Option<Child>,
    pub addr: String,
    pub fingerprint: [u8; 32],
    /// Extra arguments of `serve` (the tests lift the rate limit unless they test it).
    pub serve_args: Vec<String>,
}

impl ServerProc {
    /// Initialises a fresh data directory, registers the test stations and starts serving on a
    /// free loopback port.
    pub fn start_fresh(bin: &Path, data: &Path) -> Result<Self> {
        let mut s = ServerProc {
            bin: bin.to_path_buf(),
            data: data.to_path_buf(),
            child: None,
            addr: "127.0.0.1:0".into(),
            fingerprint: [0; 32],
            serve_args: ["--rate", "100000", "--burst", "100000"]
                .map(String::from)
                .to_vec(),
        };
        let init = s.admin(&["init"])?;
        s.fingerprint = hex_decode(init["fingerprint"].as_str().ok_or("no fingerprint")?)?;
        for st in [STATION_A, STATION_B] {
            s.admin(&["station", "add", "--code", st])?;
        }
        s.start()?;
        Ok(s)
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Runs an admin command with `--json` and returns its output.
    pub fn admin(&self, args: &[&str]) -> Result<serde_json::Value> {
        let out = Command::new(&self.bin)
            .arg("--data")
            .arg(&self.data)
            .arg("--json")
            .args(args)
            .output()?;
        if !out.status.success() {
            return Err(format!(
                "tinbao-server {args:?} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    }

    pub fn enrol_code(&self, station: Option<&str>, province: Option<&str>) -> Result<String> {
        let v = match (station, province) {
            (Some(s), _) => self.admin(&["enrol-code", "--station", s])?,
            (_, Some(p)) => self.admin(&["enrol-code", "--province", p])?,
            _ => return Err("station or province".into()),
        };
        Ok(v["code"].as_str().ok_or("no code")?.to_string())
    }

    /// Starts (or restarts on the same address) the server process. A restart retries for a
    /// few seconds: sockets of the killed process may hold the port briefly.
    pub fn start(&mut self) -> Result<()> {
        if self.child.is_some() {
            return Err("the server is already running".into());
        }
        let mut last = None;
        for _ in 0..50 {
            match self.start_once() {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(last.unwrap_or_else(|| "server did not start".into()))
    }

    fn start_once(&mut self) -> Result<()> {
        let mut child = Command::new(&self.bin)
            .arg("--data")
            .arg(&self.data)
            .args(["serve", "--listen", &self.addr])
            .args(&self.serve_args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(addr) = line.trim().strip_prefix("listening on https://") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("server did not start: {line:?}").into());
        };
        self.addr = addr.to_string();
        self.child = Some(child);
        Ok(())
    }

    /// The administrator's token for `/metrics`, as `metrics-token` prints it.
    pub fn metrics_token(&self) -> Result<String> {
        let v = self.admin(&["metrics-token"])?;
        Ok(v["token"].as_str().ok_or("no token")?.to_string())
    }

    /// One counter or gauge from `/metrics`.
    pub fn metric(&self, name: &str) -> Result<u64> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tinbao_sync_client::pin::client_config(self.fingerprint)?)
            .build()?;
        let token = self.metrics_token()?;
        let text = rt.block_on(async {
            http.get(format!("{}/metrics", self.url()))
                .bearer_auth(&token)
                .send()
                .await?
                .text()
                .await
        })?;
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .ok_or_else(|| format!("no metric {name}").into())
    }

    /// Kills the server at once (SIGKILL: no graceful shutdown, like a power cut).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One device: its own encrypted core database.
pub struct Device {
    pub name: String,
    pub store: Store,
    pub actor: Actor,
    rt: tokio::runtime::Runtime,
    // A second, read-only connection for snapshots, opened once: each SQLCipher open costs a
    // key derivation (about 0.1 s).
    reader: std::sync::OnceLock<rusqlite::Connection>,
}

impl Device {
    pub fn station(dir: &Path, name: &str, station: &str) -> Result<Self> {
        let store = Store::create(
            dir.join(format!("{name}.db")),
            KEY,
            Scope::Station(station.into()),
        )?;
        let actor = Actor {
            user_id: Uuid::now_v7(),
            username: format!("chief-{name}"),
            full_name: format!("Trưởng {name}"),
            role: Role::Chief,
            station: Some(station.into()),
            province: None,
        };
        Self::with(name, store, actor)
    }

    pub fn supervisor(dir: &Path, name: &str, province: &str) -> Result<Self> {
        let store = Store::create(
            dir.join(format!("{name}.db")),
            KEY,
            Scope::Province(province.into()),
        )?;
        let actor = Actor {
            user_id: Uuid::now_v7(),
            username: format!("sup-{name}"),
            full_name: format!("Giám sát {name}"),
            role: Role::Supervisor,
            station: None,
            province: Some(province.into()),
        };
        Self::with(name, store, actor)
    }

    pub fn open(path: &Path, name: &str, actor: Actor) -> Result<Self> {
        let store = Store::open(path, KEY)?;
        Self::with(name, store, actor)
    }

    fn with(name: &str, store: Store, actor: Actor) -> Result<Self> {
        Ok(Device {
            name: name.into(),
            store,
            actor,
            // A worker thread of its own, as in the app: idle connections are driven (and closed
            // when the server goes away) between syncs, not left half-open.
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?,
            reader: std::sync::OnceLock::new(),
        })
    }

    pub fn enrol(&mut self, url: &str, code: &str) -> Result<()> {
        let name = self.name.clone();
        self.rt
            .block_on(tinbao_sync_client::enrol(&mut self.store, url, code, &name))?;
        Ok(())
    }

    pub fn sync(&mut self) -> Result<SyncReport, SyncError> {
        self.rt.block_on(tinbao_sync_client::sync_store(
            &mut self.store,
            &SyncOptions::default(),
            &|_: &Progress| {},
        ))
    }

    /// Sync with an explicit client (to another address, e.g. through the proxy).
    pub fn sync_via(
        &mut self,
        client: &SyncClient,
        opts: &SyncOptions,
    ) -> Result<SyncReport, SyncError> {
        self.rt.block_on(tinbao_sync_client::sync(
            &mut self.store,
            client,
            opts,
            &|_: &Progress| {},
        ))
    }

    /// A client like the enrolled one but aimed at `url` (the proxy).
    pub fn client_via(&self, url: &str) -> Result<SyncClient> {
        let (_, cred, fp) = self.store.enrolment()?.ok_or("not enrolled")?;
        let fp: [u8; 32] = hex_decode(&fp)?;
        Ok(SyncClient::new(url, fp, Some(cred))?)
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn intake(&mut self, summary: &str) -> Result<Uuid> {
        let station = match self.store.scope() {
            Scope::Station(s) => s.clone(),
            Scope::Province(_) => return Err("a supervisor does not register cases".into()),
        };
        let d = self.store.intake(
            &self.actor,
            NewCase {
                received_at: None,
                channel: Channel::Zalo,
                channel_ref: Some("Nhóm Zalo tổ dân phố 3".into()),
                kind: Kind::ToGiac,
                category: "theft".into(),
                urgency: Urgency::Normal,
                summary: summary.into(),
                description: format!("{summary}: mô tả chi tiết."),
                location: Location {
                    commune: Some(station),
                    hamlet: Some("Tổ 3".into()),
                    ..Default::default()
                },
                occurred: None,
                reporter: None,
                persons: vec![NewPerson {
                    role: PersonRole::Victim,
                    name: "Nguyễn Văn An".into(),
                    birth_year: Some(1980),
                    id_number: None,
                    phone: None,
                    address: None,
                    birth_date: None,
                    guardian_of: None,
                    guardian_of_index: None,
                }],
                receipt: Default::default(),
            },
        )?;
        Ok(d.row.id)
    }

    pub fn act(&mut self, case: Uuid, action: Action) -> Result<()> {
        self.store.act(&self.actor, case, action)?;
        Ok(())
    }

    pub fn note(&mut self, case: Uuid, text: &str) -> Result<()> {
        self.act(case, Action::Note { text: text.into() })
    }

    pub fn set_category(&mut self, case: Uuid, category: &str) -> Result<()> {
        self.act(
            case,
            Action::Classify {
                kind: None,
                category: Some(category.into()),
                urgency: None,
                class: None,
                agency: None,
            },
        )
    }

    pub fn snapshot(&self, station: &str) -> Result<Snapshot> {
        if self.reader.get().is_none() {
            let _ = self.reader.set(open_reader(self.store.path())?);
        }
        snapshot_of(self.reader.get().ok_or("reader")?, station)
    }

    pub fn pending(&self) -> Result<u64> {
        Ok(u64::from(self.store.sync_state()?.pending))
    }
}

fn hex_decode(s: &str) -> Result<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return Err("bad fingerprint".into());
    }
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)?;
    }
    Ok(out)
}

/// A device's records of one station, in canonical order: what must be equal on every device
/// that sees the station once all have synced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub rows: Vec<String>,
}

impl Snapshot {
    pub fn cases(&self) -> usize {
        self.rows.iter().filter(|r| r.starts_with("case|")).count()
    }
    pub fn events(&self) -> usize {
        self.rows.iter().filter(|r| r.starts_with("event|")).count()
    }
}

/// Reads the records of `station` straight from a device's database (a second connection, so
/// it works while the device's store is open).
pub fn snapshot(db: &Path, station: &str) -> Result<Snapshot> {
    snapshot_of(&open_reader(db)?, station)
}

fn open_reader(db: &Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    tinbao_core::store::key_connection(&conn, KEY)?;
    Ok(conn)
}

fn snapshot_of(conn: &rusqlite::Connection, station: &str) -> Result<Snapshot> {
    let queries = [
        (
            "case",
            "SELECT id, register_no, kind, category, urgency, summary, description, channel, \
             COALESCE(hamlet,''), status, COALESCE(assignee,''), COALESCE(review,''), conflict, hlc \
             FROM cases WHERE station = ?1 ORDER BY id",
        ),
        (
            "event",
            "SELECT e.id, e.case_id, e.type, e.data, e.author, e.device, e.hlc FROM events e \
             JOIN cases c ON c.id = e.case_id WHERE c.station = ?1 ORDER BY e.id",
        ),
        (
            "person",
            "SELECT p.id, p.case_id, p.role, p.name, COALESCE(p.birth_year, 0), p.hlc FROM persons p \
             JOIN cases c ON c.id = p.case_id WHERE c.station = ?1 ORDER BY p.id",
        ),
        (
            "attachment",
            "SELECT a.id, a.case_id, a.sha256, a.size, a.hlc FROM attachments a \
             JOIN cases c ON c.id = a.case_id WHERE c.station = ?1 ORDER BY a.id",
        ),
    ];
    let mut rows = Vec::new();
    for (tag, sql) in queries {
        let mut st = conn.prepare(sql)?;
        let n = st.column_count();
        let mut q = st.query([station])?;
        while let Some(r) = q.next()? {
            let mut line = String::from(tag);
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i)?;
                line.push('|');
                line.push_str(&match v {
                    rusqlite::types::Value::Null => "∅".into(),
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Real(f) => f.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Blob(b) => format!("{} bytes", b.len()),
                });
            }
            rows.push(line);
        }
    }
    Ok(Snapshot { rows })
}

/// Asserts that every device shows the same records of `station`, with a readable difference.
pub fn assert_converged(station: &str, devices: &[&Device]) -> Result<Snapshot> {
    let first = devices.first().ok_or("no device")?;
    let base = first.snapshot(station)?;
    for d in &devices[1..] {
        let s = d.snapshot(station)?;
        if s != base {
            let only_a: Vec<_> = base
                .rows
                .iter()
                .filter(|r| !s.rows.contains(r))
                .take(5)
                .collect();
            let only_b: Vec<_> = s
                .rows
                .iter()
                .filter(|r| !base.rows.contains(r))
                .take(5)
                .collect();
            return Err(format!(
                "{} and {} differ on station {station}:\n only in {}: {only_a:#?}\n only in {}: {only_b:#?}",
                first.name, d.name, first.name, d.name
            )
            .into());
        }
    }
    Ok(base)
}

/// The first `n` communes of the `index`-th province of the official list (the copy
/// tinbao-reference ships), with the province code: isolated "worlds" on one server.
pub fn province_stations(index: usize, n: usize) -> Result<(String, Vec<String>)> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/reference/data/admin-units.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let p = &v["provinces"][index];
    let code = p["code"].as_str().ok_or("no province")?.to_string();
    let communes = p["communes"]
        .as_array()
        .ok_or("no communes")?
        .iter()
        .take(n)
        .filter_map(|c| c["code"].as_str().map(str::to_string))
        .collect();
    Ok((code, communes))
}

/// Every ordering of `0..n`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}
