//! Opening, creating and migrating the station's encrypted database, and the write context
//! that stamps every write with the device's hybrid logical clock and records its change.
use crate::admin_units;
use crate::error::{Error, Result};
use crate::model::{Actor, Role, Scope};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tinbao_sync::{Change, EntityKind, Hlc, HlcClock, Op};
use uuid::Uuid;

/// Every schema version, in order. Shipped entries are never edited.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("migrations/001_init.sql")),
        M::up(include_str!("migrations/002_defaults.sql")),
        M::up_with_hook(
            include_str!("migrations/003_search_index.sql"),
            |tx: &rusqlite::Transaction| Ok(crate::cases::rebuild_index(tx)?),
        ),
    ])
}

pub const SCHEMA_VERSION: i64 = 3;

/// Makes an empty database at an earlier schema version, as an older release left it, so
/// tests can prove that every upgrade path works. Not for production use.
#[doc(hidden)]
pub fn create_at_version(path: &Path, key: &str, version: usize) -> Result<()> {
    let mut conn = open_raw(path, key)?;
    migrations().to_version(&mut conn, version)?;
    Ok(())
}

pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) device: Uuid,
    pub(crate) scope: Scope,
    pub(crate) clock: HlcClock,
}

/// The author of writes made by the command line and by imports rather than by a person.
pub fn system_actor(scope: &Scope) -> Actor {
    let (station, province) = match scope {
        Scope::Station(s) => (Some(s.clone()), None),
        Scope::Province(p) => (None, Some(p.clone())),
    };
    Actor {
        user_id: Uuid::nil(),
        username: "system".into(),
        full_name: "Hệ thống (dòng lệnh)".into(),
        role: Role::Admin,
        station,
        province,
    }
}

pub(crate) fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

/// How long a write waits for another connection's (the sync task's, say) to finish.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How SQLCipher authenticates a database's pages: each page written or read from disk is
/// signed or checked. SQLCipher 4's default, HMAC-SHA512, is the faster of the two on a CPU
/// without SHA instructions; on one with them (AMD Zen, Intel Ice Lake and later) HMAC-SHA256
/// is 2.6 times as fast: a save at 143,000 cases took 6 % less time, statistics over a
/// million cases 25 % less. A new database takes the faster one for the machine that
/// makes it. The choice is not stored in the file, so opening tries one, then the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PageHmac {
    Sha256,
    Sha512,
}

impl PageHmac {
    pub(crate) fn for_this_machine() -> PageHmac {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("sha") {
            return PageHmac::Sha256;
        }
        #[cfg(target_arch = "aarch64")]
        if std::arch::is_aarch64_feature_detected!("sha2") {
            return PageHmac::Sha256;
        }
        PageHmac::Sha512
    }

    fn pragma_value(self) -> &'static str {
        match self {
            PageHmac::Sha256 => "HMAC_SHA256",
            PageHmac::Sha512 => "HMAC_SHA512",
        }
    }

    fn other(self) -> PageHmac {
        match self {
            PageHmac::Sha256 => PageHmac::Sha512,
            PageHmac::Sha512 => PageHmac::Sha256,
        }
    }
}

/// Opens and keys a database file (the store's, or a backup, left as it is) in whichever page
/// format it was made with; a new (empty) file takes `new_as`. A wrong passphrase costs two
/// key derivations, a raw key none.
pub(crate) fn open_keyed(path: &Path, key: &str, new_as: PageHmac) -> Result<Connection> {
    if key.is_empty() {
        return Err(Error::invalid("Khóa cơ sở dữ liệu không được để trống."));
    }
    // What SQLCipher gives a database it attaches without settings of its own: a backup
    // (`VACUUM INTO`) is then made in this machine's format. Set once; each connection
    // still names its own format.
    static DEFAULT_FORMAT: std::sync::Once = std::sync::Once::new();
    DEFAULT_FORMAT.call_once(|| {
        if let Ok(c) = Connection::open_in_memory() {
            let _ = c.execute_batch(&format!(
                "PRAGMA cipher_default_hmac_algorithm = {};",
                PageHmac::for_this_machine().pragma_value()
            ));
        }
    });
    for hmac in [new_as, new_as.other()] {
        let conn = Connection::open(path)?;
        // A wrong key is reported by our error, not by SQLCipher's own log on stderr.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        apply_key(&conn, key, hmac)?;
        // The file's header (first page) is where SQLCipher notices a wrong key, or the other
        // format.
        if let Err(e) = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
            match Error::from(e) {
                Error::Db(_) | Error::Damaged => continue,
                other => return Err(other),
            }
        }
        // The key is right, so a schema that cannot be read is damage: an officer told "wrong
        // key" would look in the wrong place.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })?;
        return Ok(conn);
    }
    Err(Error::WrongKey)
}

/// The page format in which `key` opens the file's first page (its header), if any: reads
/// nothing beyond that page, so a damaged page elsewhere does not hide a right key.
pub(crate) fn key_format(path: &Path, key: &str) -> Option<PageHmac> {
    let here = PageHmac::for_this_machine();
    [here, here.other()].into_iter().find(|hmac| {
        Connection::open(path).is_ok_and(|c| {
            let _ = c.execute_batch("PRAGMA cipher_log_level = NONE;");
            apply_key(&c, key, *hmac).is_ok()
                && c.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                    .is_ok()
        })
    })
}

fn open_raw(path: &Path, key: &str) -> Result<Connection> {
    open_raw_as(path, key, PageHmac::for_this_machine())
}

fn open_raw_as(path: &Path, key: &str, new_as: PageHmac) -> Result<Connection> {
    configure(open_keyed(path, key, new_as)?)
}

fn configure(conn: Connection) -> Result<Connection> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // A police register must not lose a committed entry to a power cut.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 16 MB, not more: below 1 GB of database (every station's), each commit whose b-tree
    // balancing renumbered pages makes SQLite walk every cached page (the renumbering passes
    // through the lock-byte page's number, beyond the end of the file). With 64 MB cached that
    // walk was a fifth of a save at 143,000 cases (p99 6.1-7.1 ms, 16 MB: 4.1-4.7 ms); imports,
    // searches and statistics at a million cases measured the same with either size.
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Checkpoints copy the WAL into the database; one that lands on an officer's save was the
    // slow tail of intake (p99 6.0 ms → 3.4 ms without). The app checkpoints in the background
    // (`checkpoint`), SQLite does on close, and this larger threshold (~40 MB) is only the
    // backstop for a connection that never gets to.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // A save and the case screen read after it run some thirty statements, more than
    // rusqlite's default cache of 16 keeps; a save parsed some of them anew every time.
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// A key of the form `x'<64 hex digits>'` is a raw 256-bit key (the desktop app's random key,
/// no passphrase derivation at open); anything else is a passphrase.
pub(crate) fn apply_key(conn: &Connection, key: &str, hmac: PageHmac) -> Result<()> {
    let raw = key
        .strip_prefix("x'")
        .and_then(|k| k.strip_suffix('\''))
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    // The statement's text holds the key: it is wiped when dropped, not left in the heap.
    let sql = zeroize::Zeroizing::new(match raw {
        // Only hex digits reach the statement, so nothing can be injected.
        Some(hex) => format!("PRAGMA key = \"x'{hex}'\";"),
        None => format!("PRAGMA key = '{}';", key.replace('\'', "''")),
    });
    conn.execute_batch(&sql)?;
    conn.execute_batch(&format!(
        "PRAGMA cipher_hmac_algorithm = {};",
        hmac.pragma_value()
    ))?;
    Ok(())
}

/// Keys a second connection (a test's, a tool's) to a database this machine made.
#[doc(hidden)]
pub fn key_connection(conn: &Connection, key: &str) -> Result<()> {
    apply_key(conn, key, PageHmac::for_this_machine())
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    migrations().to_latest(conn)?;
    Ok(())
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
        params![key, value],
    )?;
    Ok(())
}

impl Store {
    /// Makes a new encrypted database for a station (commune code) or a province's supervisor.
    pub fn create(path: impl AsRef<Path>, key: &str, scope: Scope) -> Result<Store> {
        Store::create_as(path.as_ref(), key, scope, PageHmac::for_this_machine())
    }

    pub(crate) fn create_as(path: &Path, key: &str, scope: Scope, hmac: PageHmac) -> Result<Store> {
        if path.exists() && std::fs::metadata(path)?.len() > 0 {
            return Err(Error::AlreadyExists(path.display().to_string()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let result = (|| {
            let mut conn = open_raw_as(path, key, hmac)?;
            migrate(&mut conn)?;
            admin_units::ensure_loaded(&conn)?;
            let tx = conn.transaction()?;
            match &scope {
                Scope::Station(code) => {
                    let c = admin_units::commune(&tx, code)?.ok_or_else(|| {
                        Error::invalid(format!(
                            "Mã xã/phường “{code}” không có trong danh mục đơn vị hành chính."
                        ))
                    })?;
                    tx.execute(
                        "INSERT INTO stations(code, province, name) VALUES (?1, ?2, ?3)",
                        params![
                            c.code,
                            c.province,
                            format!("Công an {}", c.name.to_lowercase_first())
                        ],
                    )?;
                    meta_set(&tx, "scope_kind", "station")?;
                    meta_set(&tx, "scope_code", code)?;
                }
                Scope::Province(code) => {
                    admin_units::province(&tx, code)?.ok_or_else(|| {
                        Error::invalid(format!(
                            "Mã tỉnh/thành phố “{code}” không có trong danh mục."
                        ))
                    })?;
                    meta_set(&tx, "scope_kind", "province")?;
                    meta_set(&tx, "scope_code", code)?;
                }
            }
            meta_set(&tx, "device_id", &Uuid::now_v7().to_string())?;
            tx.commit()?;
            drop(conn);
            Store::open(path, key)
        })();
        if result.is_err() {
            // Nothing half-made is left behind for the next attempt to trip over.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        result
    }

    pub fn open(path: impl AsRef<Path>, key: &str) -> Result<Store> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(Error::not_found(format!(
                "cơ sở dữ liệu tại {}",
                path.display()
            )));
        }
        let mut conn = open_raw(path, key)?;
        migrate(&mut conn)?;
        admin_units::ensure_loaded(&conn)?;
        let kind = meta_get(&conn, "scope_kind")?;
        let code = meta_get(&conn, "scope_code")?;
        let scope = match (kind.as_deref(), code) {
            (Some("station"), Some(c)) => Scope::Station(c),
            (Some("province"), Some(c)) => Scope::Province(c),
            _ => {
                return Err(Error::invalid(
                    "Cơ sở dữ liệu chưa được khởi tạo (thiếu phạm vi xã/tỉnh).",
                ));
            }
        };
        let device: Uuid = meta_get(&conn, "device_id")?
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Error::invalid("Cơ sở dữ liệu thiếu mã thiết bị."))?;
        let last: Hlc = meta_get(&conn, "hlc_last")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(Hlc::ZERO);
        let clock = HlcClock::new(Hlc::node_of(&device), last);
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            device,
            scope,
            clock,
        })
    }

    /// The query plan SQLite chooses, for the benchmark's diagnostics.
    #[doc(hidden)]
    pub fn explain(&self, sql: &str) -> Result<Vec<String>> {
        let mut st = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = st.query_map([], |r| r.get::<_, String>(3))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Copies what the write-ahead log holds into the database without waiting for readers or
    /// writers (a passive checkpoint); for idle moments, off the path of a save.
    /// Returns (frames in the log, frames copied).
    pub fn checkpoint(&self) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })?)
    }

    /// Merges segments of the search index, up to about `pages` pages of work; true while
    /// more is left. Each write adds a segment and merging them keeps searches fast; it runs
    /// here, at idle moments and after imports, rather than inside an officer's save.
    pub fn merge_search_index(&self, pages: u32) -> Result<bool> {
        let before = self.conn.total_changes();
        self.conn.execute(
            "INSERT INTO case_fts(case_fts, rank) VALUES ('merge', ?1)",
            [i64::from(pages.max(2))],
        )?;
        // FTS5 counts the pages it wrote as changes; fewer than two means nothing was left.
        Ok(self.conn.total_changes() - before >= 2)
    }

    /// An idle moment's upkeep: some merging of the search index, then a WAL checkpoint.
    /// It never waits: when another connection (the sync task applying a pull) is writing,
    /// the merge is left for the next idle moment instead of holding up the caller for the
    /// busy timeout.
    pub fn idle_upkeep(&self) -> Result<()> {
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let merged = self.merge_search_index(200);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        match merged {
            Ok(_) => {}
            Err(Error::Db(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
            Err(e) => return Err(e),
        }
        self.checkpoint()?;
        Ok(())
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    pub fn device_id(&self) -> Uuid {
        self.device
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, &format!("setting.{key}"))
    }

    pub fn set_setting(&mut self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("thay đổi cài đặt"));
        }
        let tx = self.conn.transaction()?;
        meta_set(&tx, &format!("setting.{key}"), value)?;
        crate::audit::record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            "setting_changed",
            Some(key),
            Some(value),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>> {
        meta_get(&self.conn, key)
    }
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&self.conn, key, value)
    }

    /// Whether this database holds a station's cases: its own station's, or a province's.
    pub fn in_scope(&self, station: &str) -> Result<bool> {
        Ok(match &self.scope {
            Scope::Station(s) => s == station,
            Scope::Province(p) => {
                admin_units::commune(&self.conn, station)?.is_some_and(|c| &c.province == p)
            }
        })
    }

    pub fn admin_provinces(&self) -> Result<Vec<admin_units::Province>> {
        admin_units::provinces(&self.conn)
    }
    pub fn admin_communes(
        &self,
        province: Option<&str>,
        query: Option<&str>,
    ) -> Result<Vec<admin_units::Commune>> {
        admin_units::communes(&self.conn, province, query)
    }
    pub fn admin_commune(&self, code: &str) -> Result<Option<admin_units::Commune>> {
        admin_units::commune(&self.conn, code)
    }
}

trait LowerFirst {
    fn to_lowercase_first(&self) -> String;
}
impl LowerFirst for str {
    /// "Phường Bắc Kạn" → "phường Bắc Kạn", as in "Công an phường Bắc Kạn".
    fn to_lowercase_first(&self) -> String {
        let mut c = self.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

/// One write in progress: stamps its changes and records them in the outbox, in the caller's
/// transaction, so a write and the change it produces commit or vanish together.
pub(crate) struct Writer<'a> {
    pub tx: &'a rusqlite::Transaction<'a>,
    pub device: Uuid,
    pub user: Uuid,
    pub clock: &'a mut HlcClock,
    pub now_ms: u64,
    /// The stored clock has been read in this transaction.
    synced: bool,
    /// Changes stay on this device (see `keep_local`).
    local: bool,
}

impl<'a> Writer<'a> {
    pub fn new(
        tx: &'a rusqlite::Transaction<'a>,
        device: Uuid,
        user: Uuid,
        clock: &'a mut HlcClock,
    ) -> Self {
        Writer {
            tx,
            device,
            user,
            clock,
            now_ms: now_ms(),
            synced: false,
            local: false,
        }
    }

    /// Writes that no server would accept from this device, so none are queued for sync: a
    /// province database's copy of station cases (the stations push their own; the server
    /// takes only review events from a supervisor's laptop, and anything else would wait in
    /// the outbox forever).
    pub fn keep_local(&mut self) {
        self.local = true;
    }

    /// Whether this write's changes go to the outbox; a new record's change need not even be
    /// built when they don't.
    pub fn queues(&self) -> bool {
        !self.local
    }

    pub fn stamp(&mut self) -> Hlc {
        // Another connection to the same database (the sync task, the command line) may have
        // moved the clock on; what it stored is read inside this transaction, so stamps stay
        // ordered across connections. Once read, it cannot move before this transaction
        // commits: SQLite refuses a write from a snapshot another connection has overtaken.
        if self.synced {
            return self.clock.now(self.now_ms);
        }
        self.synced = true;
        let stored: Option<Hlc> = self
            .tx
            .prepare_cached("SELECT value FROM meta WHERE key = 'hlc_last'")
            .and_then(|mut st| st.query_row([], |r| r.get::<_, String>(0)).optional())
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok());
        if let Some(stored) = stored
            && stored > self.clock.last()
        {
            *self.clock = HlcClock::new(Hlc::node_of(&self.device), stored);
        }
        self.clock.now(self.now_ms)
    }

    /// Records a change; for an update of an existing record, also keeps each field's stamp.
    // Each argument is one part of a change record; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        entity: EntityKind,
        entity_id: Uuid,
        station: &str,
        op: Op,
        fields: BTreeMap<String, serde_json::Value>,
        hlc: Hlc,
        is_update: bool,
    ) -> Result<()> {
        let mut base = BTreeMap::new();
        if is_update {
            let mut get = self.tx.prepare_cached(
                "SELECT hlc FROM field_clock WHERE entity = ?1 AND entity_id = ?2 AND field = ?3",
            )?;
            let mut put = self.tx.prepare_cached(
                "INSERT OR REPLACE INTO field_clock(entity, entity_id, field, hlc) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let row_hlc = crate::replica::row_hlc(self.tx, entity, &entity_id)?;
            for f in fields.keys() {
                let cur: Option<String> = get
                    .query_row(params![entity.as_str(), entity_id.to_string(), f], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if let Some(b) = cur.and_then(|s| s.parse::<Hlc>().ok()).or(row_hlc) {
                    base.insert(f.clone(), b);
                }
                put.execute(params![
                    entity.as_str(),
                    entity_id.to_string(),
                    f,
                    hlc.to_string()
                ])?;
            }
        }
        // A province-level account or audit record (a supervisor's laptop) stays on this
        // device: the server keeps supervisors' accounts itself (`tinbao-server user add`), and
        // a province's shared data goes to every station, which must never receive a
        // supervisor's password hash. Sent, they would only be refused and wait forever.
        if self.local {
            return Ok(());
        }
        if matches!(entity, EntityKind::User | EntityKind::Audit)
            && admin_units::official()
                .provinces
                .iter()
                .any(|p| p.code == station)
        {
            return Ok(());
        }
        let change = Change {
            id: Uuid::now_v7(),
            entity,
            entity_id,
            station: station.to_owned(),
            op,
            fields,
            base,
            hlc,
            device: self.device,
            user: self.user,
        };
        self.tx
            .prepare_cached("INSERT INTO outbox(change_id, body) VALUES (?1, ?2)")?
            .execute(params![
                change.id.to_string(),
                serde_json::to_string(&change)?
            ])?;
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        meta_set(self.tx, "hlc_last", &self.clock.last().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "khoa-thu-nghiem";
    const STATION: &str = "01843";

    fn readable(path: &Path, hmac: PageHmac) -> bool {
        let c = Connection::open(path).unwrap();
        apply_key(&c, KEY, hmac).unwrap();
        c.query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0))
            .is_ok()
    }

    /// A database made before HMAC-SHA256 (or on a machine without SHA instructions) opens and
    /// is backed up and restored; a backup is made in this machine's format; a wrong key is
    /// still told as such.
    #[test]
    fn both_page_formats_open_back_up_and_restore() {
        for hmac in [PageHmac::Sha512, PageHmac::Sha256] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.db");
            let mut s = Store::create_as(&path, KEY, Scope::Station(STATION.into()), hmac).unwrap();
            assert!(readable(&path, hmac), "{hmac:?}");
            assert!(!readable(&path, hmac.other()), "{hmac:?}");
            let admin = system_actor(s.scope());
            let backup = dir.path().join("a.backup");
            s.backup(&admin, &backup).unwrap();
            drop(s);
            let here = PageHmac::for_this_machine();
            assert!(readable(&backup, here), "{hmac:?}");

            let s = Store::open(&path, KEY).unwrap();
            assert_eq!(s.scope(), &Scope::Station(STATION.into()));
            drop(s);
            assert!(matches!(Store::open(&path, "sai"), Err(Error::WrongKey)));
            assert!(matches!(
                Store::restore(&backup, &path, "sai"),
                Err(Error::WrongKey)
            ));
            let report = Store::restore(&backup, &path, KEY).unwrap();
            assert!(report.ok, "{:?}", report.problems);
            assert!(readable(&path, here));
            assert!(Store::open(&path, KEY).is_ok());
        }
    }

    #[test]
    fn a_new_database_takes_this_machines_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        Store::create(&path, KEY, Scope::Station(STATION.into())).unwrap();
        let here = PageHmac::for_this_machine();
        assert!(readable(&path, here));
        assert!(!readable(&path, here.other()));
        let c = Connection::open(&path).unwrap();
        key_connection(&c, KEY).unwrap();
        assert!(
            c.query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0))
                .is_ok()
        );
    }
}
