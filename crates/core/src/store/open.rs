//! Opening and creating the station's encrypted database: SQLCipher keying, the page format,
//! the connection's settings.
use super::schema::migrate;
use super::settings::{meta_get, meta_set};
use super::{BUSY_TIMEOUT, Store};
use crate::admin_units;
use crate::error::{Error, Result};
use crate::model::Scope;
use rusqlite::{Connection, params};
use std::path::Path;
use tinbao_sync::{Hlc, HlcClock};
use uuid::Uuid;

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

pub(super) fn open_raw(path: &Path, key: &str) -> Result<Connection> {
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

/// `PRAGMA key` or `PRAGMA rekey` (`verb`) with `key`. The statement's text holds the key: it
/// is wiped when dropped, not left in the heap.
pub(crate) fn key_statement(verb: &str, key: &str) -> zeroize::Zeroizing<String> {
    let raw = key
        .strip_prefix("x'")
        .and_then(|k| k.strip_suffix('\''))
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    zeroize::Zeroizing::new(match raw {
        // Only hex digits reach the statement, so nothing can be injected.
        Some(hex) => format!("PRAGMA {verb} = \"x'{hex}'\";"),
        None => format!("PRAGMA {verb} = '{}';", key.replace('\'', "''")),
    })
}

/// A key of the form `x'<64 hex digits>'` is a raw 256-bit key (the desktop app's random key,
/// no passphrase derivation at open); anything else is a passphrase.
pub(crate) fn apply_key(conn: &Connection, key: &str, hmac: PageHmac) -> Result<()> {
    conn.execute_batch(&key_statement("key", key))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::system_actor;

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
