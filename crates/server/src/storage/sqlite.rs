//! The embedded default store: one SQLite file in the data directory, its schema versioned by
//! `rusqlite_migration` (`sqlite_migrations/`, the version in `PRAGMA user_version`). The
//! workspace's rusqlite is built with SQLCipher (for the stations); the server database is
//! opened without a key, which SQLCipher treats as a plain SQLite file.
use super::*;
use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use tinbao_sync::protocol::{
    AuditHead, DeviceScope, Ledger, LedgerEntry, NumberRequest, NumberResponse, NumberState,
    Numbering, Reservation, Sequenced, YearGrant, to_ranges,
};
use tinbao_sync::{Change, EntityKind};
use uuid::Uuid;

/// A case change's register number, `<seq>/<year>`, when it carries a well-formed one.
fn register_no_of(c: &Change) -> Option<(i32, u32)> {
    if c.entity != EntityKind::Case {
        return None;
    }
    let (seq, year) = c.fields.get("register_no")?.as_str()?.split_once('/')?;
    let seq: u32 = seq.parse().ok()?;
    let year: i32 = year.parse().ok()?;
    use tinbao_sync::protocol::number_limits::*;
    ((1..=MAX_SEQ).contains(&seq) && (MIN_YEAR..=MAX_YEAR).contains(&year)).then_some((year, seq))
}

/// Records a number as used by `device`'s case: through its lease when it was leased to that
/// device, outside a lease otherwise. A number already used keeps its first user.
fn mark_used(
    tx: &rusqlite::Transaction<'_>,
    station: &str,
    year: i32,
    seq: u32,
    device: Uuid,
    now_ms: u64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO register_numbers(station, year, seq, state, device, at_ms)
         VALUES (?1, ?2, ?3, 'unleased', ?4, ?5)
         ON CONFLICT(station, year, seq) DO UPDATE SET
           state = CASE WHEN register_numbers.state = 'leased'
                         AND register_numbers.device = excluded.device
                        THEN 'used' ELSE 'unleased' END,
           device = excluded.device, at_ms = excluded.at_ms
         WHERE register_numbers.state IN ('leased', 'returned')",
    )?
    .execute(params![
        station,
        year,
        seq,
        device.to_string(),
        now_ms as i64
    ])?;
    Ok(())
}

/// Each active device of the station but `except`, with its fallback class and the floor it
/// holds for `year` (0 when it never said: its whole class).
fn reservations(
    tx: &rusqlite::Transaction<'_>,
    station: &str,
    year: i32,
    except: Option<Uuid>,
) -> Result<Vec<Reservation>> {
    let slots: i64 = tx.query_row(
        "SELECT COALESCE(MAX(slot), 1) FROM devices WHERE station = ?1",
        [station],
        |r| r.get(0),
    )?;
    let mut st = tx.prepare_cached(
        "SELECT d.id, d.name, COALESCE(s.slot, d.slot), COALESCE(s.slots, ?3), COALESCE(f.held, 0)
         FROM devices d
         LEFT JOIN number_schemes s ON s.device = d.id
         LEFT JOIN number_floors f ON f.device = d.id AND f.year = ?2
         WHERE d.station = ?1 AND d.revoked_ms IS NULL AND d.slot IS NOT NULL
         ORDER BY d.slot",
    )?;
    let rows = st.query_map(params![station, year, slots], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, slot, slots, held) = row?;
        let id = uuid_from(&id)?;
        if Some(id) == except {
            continue;
        }
        out.push(Reservation {
            device: id,
            device_name: name,
            slot: slot.max(1) as u32,
            slots: slots.max(1) as u32,
            from: held.max(0) as u32,
        });
    }
    Ok(out)
}

fn ledger_in(tx: &rusqlite::Transaction<'_>, station: &str, year: i32) -> Result<Ledger> {
    let mut used = Vec::new();
    let mut entries = Vec::new();
    {
        let mut st = tx.prepare_cached(
            "SELECT r.seq, r.state, r.device, d.name, r.at_ms
             FROM register_numbers r LEFT JOIN devices d ON d.id = r.device
             WHERE r.station = ?1 AND r.year = ?2 ORDER BY r.seq",
        )?;
        let rows = st.query_map(params![station, year], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            let (seq, state, device, name, at) = row?;
            let seq = seq as u32;
            let state = match state.as_str() {
                "used" => {
                    used.push(seq);
                    continue;
                }
                "unleased" => {
                    used.push(seq);
                    NumberState::Unleased
                }
                "leased" => NumberState::Leased,
                "returned" => NumberState::Returned,
                other => return Err(StorageError::Corrupt(format!("number state {other}"))),
            };
            entries.push(LedgerEntry {
                seq,
                state,
                device: device
                    .as_deref()
                    .map(uuid_from)
                    .transpose()?
                    .unwrap_or_default(),
                device_name: name.unwrap_or_default(),
                at_ms: at as u64,
            });
        }
    }
    Ok(Ledger {
        used: to_ranges(used),
        entries,
        reserved: reservations(tx, station, year, None)?,
    })
}

pub struct SqliteStorage {
    // One connection: SQLite has one writer anyway, and a single connection makes sequence
    // numbers visible strictly in order, which pull cursors rely on.
    conn: Mutex<Connection>,
}

/// The schema's versions, oldest first; a database records the last one applied.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("sqlite_migrations/001_init.sql")),
        M::up(include_str!("sqlite_migrations/002_entity_owners.sql")),
        M::up(include_str!(
            "sqlite_migrations/003_audit_heads_no_password_hashes.sql"
        )),
        M::up(include_str!("sqlite_migrations/004_reference.sql")),
        M::up(include_str!("sqlite_migrations/005_register_numbers.sql")),
    ])
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for StorageError {
    fn from(e: rusqlite_migration::Error) -> Self {
        StorageError::Backend(format!("nâng cấp lược đồ: {e}"))
    }
}

/// The store's key as SQLCipher takes it: 32 bytes as 64 hex digits, used as a raw key.
#[derive(Clone)]
pub struct StoreKey(zeroize::Zeroizing<String>);

impl StoreKey {
    /// A key from its 64 hex digits (the key file's text, or TINBAO_SERVER_KEY).
    pub fn from_hex(text: &str) -> std::result::Result<StoreKey, String> {
        let t = text.trim();
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(StoreKey(zeroize::Zeroizing::new(t.to_ascii_lowercase())))
        } else {
            Err("khóa cơ sở dữ liệu máy chủ phải là 64 chữ số hệ 16 (32 byte)".into())
        }
    }

    pub fn random() -> StoreKey {
        StoreKey(zeroize::Zeroizing::new(
            tinbao_sync::protocol::random_secret(32),
        ))
    }

    pub fn hex(&self) -> &str {
        &self.0
    }

    /// The statement that keys a connection; wiped when dropped.
    fn pragma(&self, verb: &str, schema: &str) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(format!("PRAGMA {schema}{verb} = \"x'{}'\";", self.hex()))
    }
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

/// A plain SQLite file (a province's store from before encryption) starts with this text.
const PLAIN_HEADER: &[u8] = b"SQLite format 3\0";

/// Encrypts a store written before encryption at rest, in place: an encrypted copy is made
/// beside it with SQLCipher's export, then put in its place.
fn encrypt_plain_file(path: &Path, key: &StoreKey) -> Result<()> {
    let tmp = path.with_extension("encrypting");
    let _ = std::fs::remove_file(&tmp);
    {
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let attach = zeroize::Zeroizing::new(format!(
            "ATTACH DATABASE '{}' AS enc KEY \"x'{}'\";",
            tmp.display().to_string().replace('\'', "''"),
            key.hex()
        ));
        conn.execute_batch(&attach)?;
        conn.query_row("SELECT sqlcipher_export('enc')", [], |_| Ok(()))?;
        let v: i64 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
        conn.execute_batch(&format!(
            "PRAGMA enc.user_version = {v}; DETACH DATABASE enc;"
        ))?;
    }
    crate::files::restrict(&tmp).map_err(|e| StorageError::Backend(e.to_string()))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    std::fs::rename(&tmp, path).map_err(|e| StorageError::Backend(e.to_string()))?;
    Ok(())
}

impl SqliteStorage {
    /// Opens (or creates) the store at `path`, encrypted with `key`. The file is created
    /// readable by the server's user only; a plain store from before encryption is encrypted
    /// first.
    pub fn open(path: &Path, key: &StoreKey) -> Result<Self> {
        let in_memory = path == Path::new(":memory:");
        match std::fs::File::open(path) {
            _ if in_memory => {}
            Ok(mut f) => {
                use std::io::Read;
                let mut head = [0u8; 16];
                if f.read_exact(&mut head).is_ok() && head == PLAIN_HEADER {
                    encrypt_plain_file(path, key)?;
                }
            }
            Err(_) => {
                crate::files::create_private(path)
                    .map_err(|e| StorageError::Backend(e.to_string()))?;
            }
        }
        let conn = Connection::open(path)?;
        conn.execute_batch(&key.pragma("key", ""))?;
        // A wrong key shows at the first read.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| {
                StorageError::Backend(
                    "không mở được cơ sở dữ liệu máy chủ: sai khóa (store.key hoặc TINBAO_SERVER_KEY) hoặc tệp hỏng".into(),
                )
            })?;
        // WAL and synchronous=FULL: an acknowledged push must survive a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back), so
        // the poisoned guard is still safe to use.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn scope_json(s: &DeviceScope) -> Result<String> {
    serde_json::to_string(s).map_err(|e| StorageError::Corrupt(e.to_string()))
}
fn scope_from(s: &str) -> Result<DeviceScope> {
    serde_json::from_str(s).map_err(|e| StorageError::Corrupt(format!("device scope: {e}")))
}
fn uuid_from(s: &str) -> Result<Uuid> {
    Uuid::try_parse(s).map_err(|e| StorageError::Corrupt(format!("id {s}: {e}")))
}
fn opt_u64(v: Option<i64>) -> Option<u64> {
    v.map(|x| x as u64)
}

type DeviceRow = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn device_from(row: DeviceRow) -> Result<Device> {
    Ok(Device {
        id: uuid_from(&row.0)?,
        name: row.1,
        scope: scope_from(&row.2)?,
        credential_hash: row.3,
        enrolled_ms: row.4 as u64,
        last_seen_ms: opt_u64(row.5),
        revoked_ms: opt_u64(row.6),
        slot: row.7.map(|s| s as u32),
    })
}

const DEVICE_COLS: &str =
    "id, name, scope, credential_hash, enrolled_ms, last_seen_ms, revoked_ms, slot";

fn read_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

impl Storage for SqliteStorage {
    fn migrate(&self) -> Result<()> {
        migrations().to_latest(&mut self.conn())?;
        Ok(())
    }

    fn add_station(&self, s: &Station) -> Result<bool> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO stations(code, province, name, created_ms) VALUES (?1, ?2, ?3, ?4)",
            params![s.code, s.province, s.name, s.created_ms as i64],
        )?;
        Ok(n == 1)
    }

    fn station(&self, code: &str) -> Result<Option<Station>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, province, name, created_ms FROM stations WHERE code = ?1",
                [code],
                |r| {
                    Ok(Station {
                        code: r.get(0)?,
                        province: r.get(1)?,
                        name: r.get(2)?,
                        created_ms: r.get::<_, i64>(3)? as u64,
                    })
                },
            )
            .optional()?)
    }

    fn stations(&self) -> Result<Vec<Station>> {
        let conn = self.conn();
        let mut st =
            conn.prepare("SELECT code, province, name, created_ms FROM stations ORDER BY code")?;
        let rows = st.query_map([], |r| {
            Ok(Station {
                code: r.get(0)?,
                province: r.get(1)?,
                name: r.get(2)?,
                created_ms: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn add_user(&self, u: &User) -> Result<()> {
        let n = self.conn().execute(
            "INSERT OR IGNORE INTO users(id, name, role, station, province, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                u.id.to_string(),
                u.name,
                u.role,
                u.station,
                u.province,
                u.active
            ],
        )?;
        if n == 0 {
            return Err(StorageError::Conflict(format!(
                "người dùng {} đã có trên máy chủ",
                u.id
            )));
        }
        Ok(())
    }

    fn user(&self, id: Uuid) -> Result<Option<User>> {
        let row = self
            .conn()
            .query_row(
                "SELECT id, name, role, station, province, active FROM users WHERE id = ?1",
                [id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, name, role, station, province, active)| {
            Ok(User {
                id: uuid_from(&id)?,
                name,
                role,
                station,
                province,
                active,
            })
        })
        .transpose()
    }

    fn add_enrol_code(&self, c: &EnrolCode) -> Result<()> {
        self.conn().execute(
            "INSERT INTO enrol_codes(secret_hash, scope, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            params![
                c.secret_hash,
                scope_json(&c.scope)?,
                c.created_ms as i64,
                c.expires_ms as i64
            ],
        )?;
        Ok(())
    }

    fn enrol_code_scope(&self, secret_hash: &str) -> Result<Option<DeviceScope>> {
        let s: Option<String> = self
            .conn()
            .query_row(
                "SELECT scope FROM enrol_codes WHERE secret_hash = ?1 AND used_ms IS NULL",
                [secret_hash],
                |r| r.get(0),
            )
            .optional()?;
        s.map(|s| scope_from(&s)).transpose()
    }

    fn redeem_enrol_code(
        &self,
        secret_hash: &str,
        device: &Device,
        now_ms: u64,
    ) -> Result<std::result::Result<Device, RedeemError>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row: Option<(String, i64, Option<i64>)> = tx
            .query_row(
                "SELECT scope, expires_ms, used_ms FROM enrol_codes WHERE secret_hash = ?1",
                [secret_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((scope, expires, used)) = row else {
            return Ok(Err(RedeemError::Unknown));
        };
        if used.is_some() {
            return Ok(Err(RedeemError::Used));
        }
        if (expires as u64) < now_ms {
            return Ok(Err(RedeemError::Expired));
        }
        let scope = scope_from(&scope)?;
        let existing: Option<(String, Option<i64>, String)> = tx
            .query_row(
                "SELECT scope, revoked_ms, credential_hash FROM devices WHERE id = ?1",
                [device.id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((old_scope, revoked, credential)) = existing {
            if revoked.is_some() {
                return Ok(Err(RedeemError::Revoked));
            }
            if scope_from(&old_scope)? != scope {
                return Ok(Err(RedeemError::TakenElsewhere));
            }
            if credential != device.credential_hash {
                return Ok(Err(RedeemError::NotTheDevice));
            }
        }
        tx.execute(
            "UPDATE enrol_codes SET used_ms = ?1, device = ?2 WHERE secret_hash = ?3",
            params![now_ms as i64, device.id.to_string(), secret_hash],
        )?;
        let station = match &scope {
            DeviceScope::Station { station, .. } => Some(station.clone()),
            DeviceScope::Province { .. } => None,
        };
        let known: Option<(Option<String>, Option<i64>)> = tx
            .query_row(
                "SELECT station, slot FROM devices WHERE id = ?1",
                [device.id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let slot: Option<i64> = match (&station, known) {
            (None, _) => None,
            (Some(s), Some((Some(old), Some(slot)))) if *s == old => Some(slot),
            (Some(s), _) => Some(tx.query_row(
                "SELECT COALESCE(MAX(slot), 0) + 1 FROM devices WHERE station = ?1",
                [s],
                |r| r.get(0),
            )?),
        };
        tx.execute(
            "INSERT INTO devices(id, name, scope, credential_hash, enrolled_ms, station, slot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, scope = excluded.scope,
               credential_hash = excluded.credential_hash, enrolled_ms = excluded.enrolled_ms,
               station = excluded.station, slot = excluded.slot",
            params![
                device.id.to_string(),
                device.name,
                scope_json(&scope)?,
                device.credential_hash,
                now_ms as i64,
                station,
                slot
            ],
        )?;
        tx.commit()?;
        Ok(Ok(Device {
            scope,
            enrolled_ms: now_ms,
            revoked_ms: None,
            last_seen_ms: None,
            slot: slot.map(|s| s as u32),
            ..device.clone()
        }))
    }

    fn device(&self, id: Uuid) -> Result<Option<Device>> {
        let row = self
            .conn()
            .query_row(
                &format!("SELECT {DEVICE_COLS} FROM devices WHERE id = ?1"),
                [id.to_string()],
                read_device,
            )
            .optional()?;
        row.map(device_from).transpose()
    }

    fn devices(&self) -> Result<Vec<Device>> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {DEVICE_COLS} FROM devices ORDER BY enrolled_ms"
        ))?;
        let rows = st.query_map([], read_device)?;
        rows.map(|r| device_from(r?)).collect()
    }

    fn revoke_device(&self, id: Uuid, now_ms: u64) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE devices SET revoked_ms = ?1 WHERE id = ?2 AND revoked_ms IS NULL",
            params![now_ms as i64, id.to_string()],
        )?;
        if n > 0 {
            tx.execute(
                "UPDATE register_numbers SET state = 'returned', at_ms = ?1
                 WHERE device = ?2 AND state = 'leased'",
                params![now_ms as i64, id.to_string()],
            )?;
        }
        tx.commit()?;
        let known: Option<i64> = conn
            .query_row(
                "SELECT 1 FROM devices WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(known.is_some())
    }

    fn unrevoke_device(&self, id: Uuid) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE devices SET revoked_ms = NULL WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(n > 0)
    }

    fn touch_device(&self, id: Uuid, now_ms: u64) -> Result<()> {
        self.conn().execute(
            "UPDATE devices SET last_seen_ms = ?1 WHERE id = ?2",
            params![now_ms as i64, id.to_string()],
        )?;
        Ok(())
    }

    fn station_slots(&self, station: &str) -> Result<u32> {
        let n: i64 = self.conn().query_row(
            "SELECT COALESCE(MAX(slot), 0) FROM devices WHERE station = ?1",
            [station],
            |r| r.get(0),
        )?;
        Ok(n as u32)
    }

    fn add_changes(&self, changes: &[(Change, String)], now_ms: u64) -> Result<Vec<u64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut seqs = Vec::with_capacity(changes.len());
        {
            let mut find = tx.prepare_cached("SELECT seq FROM changes WHERE id = ?1")?;
            let mut ins = tx.prepare_cached(
                "INSERT INTO changes(id, station, province, device, entity, received_ms, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut own = tx.prepare_cached(
                "INSERT OR IGNORE INTO entity_owners(id, kind, owner) VALUES (?1, ?2, ?3)",
            )?;
            for (c, province) in changes {
                let id = c.id.to_string();
                if let Some(seq) = find.query_row([&id], |r| r.get::<_, i64>(0)).optional()? {
                    seqs.push(seq as u64);
                    continue;
                }
                let body =
                    serde_json::to_string(c).map_err(|e| StorageError::Corrupt(e.to_string()))?;
                ins.execute(params![
                    id,
                    c.station,
                    province,
                    c.device.to_string(),
                    c.entity.as_str(),
                    now_ms as i64,
                    body
                ])?;
                seqs.push(tx.last_insert_rowid() as u64);
                if c.entity != EntityKind::Reporter {
                    own.execute(params![
                        c.entity_id.to_string(),
                        c.entity.as_str(),
                        c.station
                    ])?;
                }
                if let Some((year, seq)) = register_no_of(c) {
                    mark_used(&tx, &c.station, year, seq, c.device, now_ms)?;
                }
            }
        }
        tx.commit()?;
        Ok(seqs)
    }

    fn server_meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT value FROM server_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn set_server_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT OR REPLACE INTO server_meta(key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }

    fn reference_changes(&self, province: Option<&str>) -> Result<Vec<Sequenced>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT seq, body FROM changes
             WHERE entity = 'reference' AND (?1 IS NULL OR province = ?1) ORDER BY seq",
        )?;
        let rows: Vec<(i64, String)> = st
            .query_map([province], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(seq, body)| {
                let change: Change = serde_json::from_str(&body)
                    .map_err(|e| StorageError::Corrupt(format!("change at seq {seq}: {e}")))?;
                Ok(Sequenced {
                    seq: seq as u64,
                    change,
                })
            })
            .collect()
    }

    fn exchange_numbers(
        &self,
        device: Uuid,
        station: &str,
        req: &NumberRequest,
        now_ms: u64,
    ) -> Result<NumberResponse> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let dev = device.to_string();
        tx.execute(
            "INSERT INTO number_schemes(device, slot, slots, updated_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(device) DO UPDATE SET slot = ?2, slots = ?3, updated_ms = ?4",
            params![dev, req.scheme.slot, req.scheme.slots, now_ms as i64],
        )?;
        let mut out = NumberResponse::default();
        for y in &req.years {
            // What the device used and gave back first: the floor it now holds may be above
            // its fallback numbers, which must be on record before their class is released.
            for &seq in &y.fallback {
                mark_used(&tx, station, y.year, seq, device, now_ms)?;
            }
            for &seq in &y.hand_back {
                tx.prepare_cached(
                    "UPDATE register_numbers SET state = 'returned', at_ms = ?5
                     WHERE station = ?1 AND year = ?2 AND seq = ?3 AND device = ?4
                       AND state = 'leased'",
                )?
                .execute(params![station, y.year, seq, dev, now_ms as i64])?;
            }
            let granted: i64 = tx
                .query_row(
                    "SELECT granted FROM number_floors WHERE device = ?1 AND year = ?2",
                    params![dev, y.year],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            // Never more than was granted: a device cannot widen what is kept from others.
            let held = i64::from(y.floor).min(granted);
            tx.execute(
                "INSERT INTO number_floors(device, year, held, granted) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(device, year) DO UPDATE SET held = ?3",
                params![dev, y.year, held, granted],
            )?;
            let mut taken = std::collections::BTreeSet::new();
            let mut mine = 0usize;
            // The highest number on record, handed back ones included: the floor goes above it.
            let mut high = 0u32;
            {
                let mut st = tx.prepare_cached(
                    "SELECT seq, state, device FROM register_numbers
                     WHERE station = ?1 AND year = ?2",
                )?;
                let rows = st.query_map(params![station, y.year], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })?;
                for row in rows {
                    let (seq, state, owner) = row?;
                    high = high.max(seq as u32);
                    if state != "returned" {
                        taken.insert(seq as u32);
                    }
                    if state == "leased" && owner.as_deref() == Some(dev.as_str()) {
                        mine += 1;
                    }
                }
            }
            let need = (y.want as usize).saturating_sub(mine);
            if need > 0 {
                let others: Vec<(Numbering, u32)> =
                    reservations(&tx, station, y.year, Some(device))?
                        .into_iter()
                        .map(|r| {
                            (
                                Numbering {
                                    slot: r.slot,
                                    slots: r.slots,
                                },
                                r.from,
                            )
                        })
                        .collect();
                for seq in pick_free(&taken, &others, need) {
                    tx.prepare_cached(
                        "INSERT INTO register_numbers(station, year, seq, state, device, at_ms)
                         VALUES (?1, ?2, ?3, 'leased', ?4, ?5)
                         ON CONFLICT(station, year, seq) DO UPDATE SET
                           state = 'leased', device = ?4, at_ms = ?5",
                    )?
                    .execute(params![
                        station,
                        y.year,
                        seq,
                        dev,
                        now_ms as i64
                    ])?;
                    taken.insert(seq);
                }
            }
            let high = high.max(taken.last().copied().unwrap_or(0));
            let floor = next_floor(granted.max(0) as u32, high);
            tx.execute(
                "UPDATE number_floors SET granted = ?3 WHERE device = ?1 AND year = ?2",
                params![dev, y.year, floor],
            )?;
            let leased: Vec<u32> = tx
                .prepare_cached(
                    "SELECT seq FROM register_numbers
                     WHERE station = ?1 AND year = ?2 AND device = ?3 AND state = 'leased'
                     ORDER BY seq",
                )?
                .query_map(params![station, y.year, dev], |r| r.get::<_, i64>(0))?
                .map(|r| r.map(|n| n as u32))
                .collect::<rusqlite::Result<_>>()?;
            out.years.push(YearGrant {
                year: y.year,
                leased,
                floor,
                ledger: ledger_in(&tx, station, y.year)?,
            });
        }
        tx.commit()?;
        Ok(out)
    }

    fn number_ledger(&self, station: &str, year: i32) -> Result<Ledger> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let l = ledger_in(&tx, station, year)?;
        tx.commit()?;
        Ok(l)
    }

    fn audit_head(&self, device: Uuid) -> Result<Option<AuditHead>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT seq, hash FROM audit_heads WHERE device = ?1")?
            .query_row([device.to_string()], |r| {
                Ok(AuditHead {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                })
            })
            .optional()?)
    }

    fn set_audit_head(&self, device: Uuid, head: &AuditHead, now_ms: u64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO audit_heads(device, seq, hash, updated_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(device) DO UPDATE SET seq = ?2, hash = ?3, updated_ms = ?4",
            params![device.to_string(), head.seq, head.hash, now_ms as i64],
        )?;
        Ok(())
    }

    fn add_audit_alarm(&self, device: Uuid, detail: &str, now_ms: u64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO audit_alarms(device, at_ms, detail) VALUES (?1, ?2, ?3)",
            params![device.to_string(), now_ms as i64, detail],
        )?;
        Ok(())
    }

    fn audit_alarms(&self) -> Result<Vec<AuditAlarm>> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT device, at_ms, detail FROM audit_alarms ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, at, detail) = row?;
            out.push(AuditAlarm {
                device: uuid_from(&device)?,
                at_ms: at as u64,
                detail,
            });
        }
        Ok(out)
    }

    fn entity_owner(&self, id: Uuid) -> Result<Option<Owned>> {
        let row: Option<(String, String)> = self
            .conn()
            .prepare_cached("SELECT kind, owner FROM entity_owners WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(kind, owner)| {
            let kind = EntityKind::parse(&kind)
                .ok_or_else(|| StorageError::Corrupt(format!("entity kind {kind}")))?;
            Ok(Owned { kind, owner })
        })
        .transpose()
    }

    fn changes_since(
        &self,
        scope: &ReadScope,
        exclude_device: Uuid,
        since: u64,
        limit: u32,
    ) -> Result<(Vec<Sequenced>, u64, bool)> {
        let conn = self.conn();
        let dev = exclude_device.to_string();
        let lim = i64::from(limit) + 1;
        let rows: Vec<(i64, String)> = match scope {
            ReadScope::Station { station, province } => {
                let mut st = conn.prepare_cached(
                    "SELECT seq, body FROM changes
                     WHERE seq > ?1 AND station IN (?2, ?3) AND device != ?4
                     ORDER BY seq LIMIT ?5",
                )?;
                st.query_map(params![since as i64, station, province, dev, lim], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?
            }
            ReadScope::Province { province } => {
                let mut st = conn.prepare_cached(
                    "SELECT seq, body FROM changes
                     WHERE seq > ?1 AND province = ?2 AND device != ?3
                       AND NOT (entity = 'user' AND station != province)
                     ORDER BY seq LIMIT ?4",
                )?;
                st.query_map(params![since as i64, province, dev, lim], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()?
            }
        };
        let more = rows.len() > limit as usize;
        let mut out = Vec::with_capacity(rows.len().min(limit as usize));
        for (seq, body) in rows.into_iter().take(limit as usize) {
            let change: Change = serde_json::from_str(&body)
                .map_err(|e| StorageError::Corrupt(format!("change at seq {seq}: {e}")))?;
            out.push(Sequenced {
                seq: seq as u64,
                change,
            });
        }
        // With nothing more in scope the cursor may jump to the head, so the next pull does
        // not rescan other stations' changes; under the same lock no later seq can slip in.
        let next = if more {
            out.last().map_or(since, |s| s.seq)
        } else {
            let head: i64 =
                conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?;
            (head as u64).max(since)
        };
        Ok((out, next, more))
    }

    fn head(&self) -> Result<u64> {
        let head: i64 =
            self.conn()
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?;
        Ok(head as u64)
    }

    fn change_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn add_attachment_owner(&self, sha256: &str, station: &str, size: u64) -> Result<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO attachment_owners(sha256, station, size) VALUES (?1, ?2, ?3)",
            params![sha256, station, size as i64],
        )?;
        Ok(())
    }

    fn attachment_owners(&self, sha256: &str) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT station FROM attachment_owners WHERE sha256 = ?1 ORDER BY station",
        )?;
        let rows = st.query_map([sha256], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinbao_sync::{EntityKind, Hlc, Op};

    fn test_key() -> StoreKey {
        StoreKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    /// The number of files in sqlite_migrations/.
    const LATEST: i64 = 5;

    /// The schema string the server ran on every start before versioned migrations: databases
    /// in the field were made by it and carry `user_version` 0.
    const SCHEMA_BEFORE_MIGRATIONS: &str = "
CREATE TABLE IF NOT EXISTS stations (
    code TEXT PRIMARY KEY,
    province TEXT NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    station TEXT,
    province TEXT NOT NULL,
    active INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS enrol_codes (
    secret_hash TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    used_ms INTEGER,
    device TEXT
);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    credential_hash TEXT NOT NULL,
    enrolled_ms INTEGER NOT NULL,
    last_seen_ms INTEGER,
    revoked_ms INTEGER,
    station TEXT,
    slot INTEGER
);
CREATE INDEX IF NOT EXISTS devices_station ON devices(station, slot);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    station TEXT NOT NULL,
    province TEXT NOT NULL,
    device TEXT NOT NULL,
    entity TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_station ON changes(station, seq);
CREATE INDEX IF NOT EXISTS changes_province ON changes(province, seq);
CREATE TABLE IF NOT EXISTS attachment_owners (
    sha256 TEXT NOT NULL,
    station TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (sha256, station)
);
";

    fn change(station: &str, device: Uuid) -> Change {
        Change {
            id: Uuid::now_v7(),
            entity: EntityKind::Case,
            entity_id: Uuid::now_v7(),
            station: station.into(),
            op: Op::Upsert,
            fields: [("summary".to_string(), serde_json::json!("x"))].into(),
            base: Default::default(),
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                node: 1,
            },
            device,
            user: Uuid::now_v7(),
        }
    }

    /// Read through the key, unless the file is a plain one from before encryption.
    fn user_version(path: &Path) -> i64 {
        let plain = std::fs::read(path).unwrap().starts_with(PLAIN_HEADER);
        let conn = Connection::open(path).unwrap();
        if !plain {
            conn.execute_batch(&test_key().pragma("key", "")).unwrap();
        }
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    /// The province's copy is encrypted at rest: the file shows nothing without the key, a
    /// wrong key is refused with a message an administrator can act on, and the file is the
    /// server user's only. A store from before encryption is encrypted in place, data kept.
    #[test]
    fn the_store_is_encrypted_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        let device = Uuid::now_v7();
        let mut c = change("00004", device);
        c.fields.insert(
            "summary".into(),
            serde_json::json!("Người báo tin Nguyễn Thị Mật"),
        );
        store.add_changes(&[(c, "01".into())], 5).unwrap();
        drop(store);
        let raw = std::fs::read(&path).unwrap();
        assert_ne!(&raw[..16], PLAIN_HEADER);
        assert!(!raw.windows(4).any(|w| w == "Mật".as_bytes()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let wrong = StoreKey::from_hex(&"ef".repeat(32)).unwrap();
        match SqliteStorage::open(&path, &wrong) {
            Err(StorageError::Backend(m)) => assert!(m.contains("sai khóa"), "{m}"),
            other => panic!("a wrong key opened the store: {:?}", other.is_ok()),
        }
        assert!(StoreKey::from_hex("ngắn").is_err());
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        assert_eq!(store.change_count().unwrap(), 1);
    }

    #[test]
    fn a_database_from_before_migrations_is_adopted_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let device = Uuid::now_v7();
        let old = change("00004", device);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_BEFORE_MIGRATIONS).unwrap();
            conn.execute(
                "INSERT INTO stations(code, province, name, created_ms) VALUES ('00004', '01', 'A', 5)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO changes(id, station, province, device, entity, received_ms, body)
                 VALUES (?1, '00004', '01', ?2, 'case', 5, ?3)",
                params![
                    old.id.to_string(),
                    device.to_string(),
                    serde_json::to_string(&old).unwrap()
                ],
            )
            .unwrap();
        }
        assert_eq!(user_version(&path), 0);

        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        store.migrate().unwrap();
        assert_eq!(user_version(&path), LATEST);
        assert_eq!(store.station("00004").unwrap().unwrap().name, "A");
        let scope = ReadScope::Station {
            station: "00004".into(),
            province: "01".into(),
        };
        let (seen, _, _) = store.changes_since(&scope, Uuid::nil(), 0, 10).unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].change, old);
        // New writes continue the old sequence.
        let seqs = store
            .add_changes(&[(change("00004", device), "01".into())], 6)
            .unwrap();
        assert_eq!(seqs, vec![2]);
    }

    /// Password hashes that reached the province before they stopped travelling are dropped
    /// from its copy; the rest of the account stays.
    #[test]
    fn migration_3_drops_the_password_hashes_the_province_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let device = Uuid::now_v7();
        let mut account = change("00004", device);
        account.entity = EntityKind::User;
        account.fields.clear();
        account
            .fields
            .insert("username".into(), serde_json::json!("canbo"));
        account.fields.insert(
            "password_hash".into(),
            serde_json::json!("$argon2id$v=19$secret"),
        );
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_BEFORE_MIGRATIONS).unwrap();
            conn.execute(
                "INSERT INTO changes(id, station, province, device, entity, received_ms, body)
                 VALUES (?1, '00004', '01', ?2, 'user', 5, ?3)",
                params![
                    account.id.to_string(),
                    device.to_string(),
                    serde_json::to_string(&account).unwrap()
                ],
            )
            .unwrap();
        }
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        let scope = ReadScope::Station {
            station: "00004".into(),
            province: "01".into(),
        };
        let (seen, _, _) = store.changes_since(&scope, Uuid::nil(), 0, 10).unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].change.fields.get("username"),
            Some(&serde_json::json!("canbo"))
        );
        assert!(!seen[0].change.fields.contains_key("password_hash"));
    }

    #[test]
    fn migration_2_records_the_first_writer_of_each_stored_entity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let device = Uuid::now_v7();
        let first = change("00004", device);
        // A later change to the same case under another station's label (accepted by an older
        // server that trusted labels) does not take the case over.
        let mut forged = change("00008", device);
        forged.entity_id = first.entity_id;
        let mut reporter = change("00004", device);
        reporter.entity = EntityKind::Reporter;
        let mut event = change("00004", device);
        event.entity = EntityKind::Event;
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_BEFORE_MIGRATIONS).unwrap();
            for c in [&first, &forged, &reporter, &event] {
                conn.execute(
                    "INSERT INTO changes(id, station, province, device, entity, received_ms, body)
                     VALUES (?1, ?2, '01', ?3, ?4, 5, ?5)",
                    params![
                        c.id.to_string(),
                        c.station,
                        device.to_string(),
                        c.entity.as_str(),
                        serde_json::to_string(c).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        let owned = |kind, owner: &str| {
            Some(Owned {
                kind,
                owner: owner.into(),
            })
        };
        assert_eq!(
            store.entity_owner(first.entity_id).unwrap(),
            owned(EntityKind::Case, "00004")
        );
        assert_eq!(
            store.entity_owner(event.entity_id).unwrap(),
            owned(EntityKind::Event, "00004")
        );
        assert_eq!(store.entity_owner(reporter.entity_id).unwrap(), None);
        assert_eq!(store.entity_owner(Uuid::now_v7()).unwrap(), None);
    }

    /// Version 4 records the numbers of the cases the province already holds as used, so
    /// that no lease hands them out again; malformed numbers are left alone.
    #[test]
    fn migration_4_records_the_numbers_of_stored_cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let device = Uuid::now_v7();
        let numbered = |no: &str| {
            let mut c = change("00004", device);
            c.fields.insert("register_no".into(), serde_json::json!(no));
            c
        };
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_BEFORE_MIGRATIONS).unwrap();
            for c in [
                numbered("1/2026"),
                numbered("3/2026"),
                numbered("x/2026"),
                numbered("2/2025"),
            ] {
                conn.execute(
                    "INSERT INTO changes(id, station, province, device, entity, received_ms, body)
                     VALUES (?1, '00004', '01', ?2, 'case', 5, ?3)",
                    params![
                        c.id.to_string(),
                        device.to_string(),
                        serde_json::to_string(&c).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        let ledger = store.number_ledger("00004", 2026).unwrap();
        assert_eq!(ledger.used, vec![(1, 1), (3, 3)]);
        assert!(
            ledger.entries.is_empty(),
            "numbers from before leases need no explanation"
        );
        assert_eq!(
            store.number_ledger("00004", 2025).unwrap().used,
            vec![(2, 2)]
        );
    }

    #[test]
    fn a_new_database_gets_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        store.migrate().unwrap();
        assert_eq!(user_version(&path), LATEST);
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        drop(SqliteStorage::open(&path, &test_key()).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&test_key().pragma("key", "")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let store = SqliteStorage::open(&path, &test_key()).unwrap();
        assert!(matches!(store.migrate(), Err(StorageError::Backend(_))));
    }
}
