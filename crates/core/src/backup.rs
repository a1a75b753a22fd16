//! Encrypted backups and a restore that checks the backup before replacing anything, and the
//! integrity check of the database and its attachment store.
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use crate::store::{
    PageHmac, SCHEMA_VERSION, Store, apply_key, key_format, meta_get, meta_set, open_keyed,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use tinbao_sync::Hlc;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    pub ok: bool,
    pub cases: u32,
    pub attachments: u32,
    pub problems: Vec<String>,
    /// After a restore: audit entries written since the backup, carried into the restored
    /// register (the audit log survives restores).
    #[serde(default)]
    pub audit_carried: u32,
    /// After a restore: why the audit entries written since the backup could not be carried
    /// (the current register could not be read), if so.
    #[serde(default)]
    pub audit_lost: Option<String>,
}

impl Store {
    /// Writes a consistent, encrypted copy (same key) of the whole database to `dest`.
    pub fn backup(&mut self, actor: &Actor, dest: &Path) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("sao lưu dữ liệu"));
        }
        if dest.exists() {
            return Err(Error::AlreadyExists(dest.display().to_string()));
        }
        let tmp = dest.with_extension("partial");
        let _ = std::fs::remove_file(&tmp);
        // VACUUM INTO keeps SQLCipher's encryption and key, and writes one self-contained file.
        self.conn
            .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, dest)?;
        self.audit(actor, "backup", Some(&dest.display().to_string()), None)
    }

    /// Re-encrypts the whole register with `new_key` (same forms as `Store::open` takes), for
    /// when an officer left with a copy of the file and of an old key. The chief only; audited
    /// before the change, so the row is in the file under the new key. SQLCipher rewrites every
    /// page in one transaction, which needs a rollback journal rather than the write-ahead
    /// log: the log is emptied first and the mode put back after.
    pub fn rekey(&mut self, actor: &Actor, new_key: &str) -> Result<()> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("đổi khóa mã hóa dữ liệu"));
        }
        self.audit(actor, "rekey", None, None)?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        self.conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))?;
        let rekeyed = self
            .conn
            .execute_batch(&crate::store::key_statement("rekey", new_key));
        let wal = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()));
        rekeyed?;
        wal?;
        Ok(())
    }

    /// Checks the database's pages and every attachment's bytes against its hash.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut r = VerifyReport::default();
        check_db(&self.conn, &mut r)?;
        r.ok = r.problems.is_empty();
        Ok(r)
    }

    /// `verify` for a database file that may be too damaged to open as a register: with the
    /// right key, the report lists the damaged pages instead of failing.
    pub fn verify_file(path: &Path, key: &str) -> Result<VerifyReport> {
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "cơ sở dữ liệu tại {}",
                path.display()
            )));
        }
        let mut r = VerifyReport::default();
        match open_keyed(path, key, PageHmac::for_this_machine()) {
            Ok(conn) => check_db(&conn, &mut r)?,
            Err(Error::Damaged) => {
                let hmac = key_format(path, key).ok_or(Error::WrongKey)?;
                let conn = Connection::open(path)?;
                apply_key(&conn, key, hmac)?;
                check_pages(&conn, &mut r)?;
                if r.problems.is_empty() {
                    r.problems
                        .push("không đọc được danh mục bảng của cơ sở dữ liệu".into());
                }
            }
            Err(e) => return Err(e),
        }
        r.ok = r.problems.is_empty();
        Ok(r)
    }

    /// Replaces the database at `target` by the backup at `backup`, after opening the backup with
    /// `key` and checking it completely. On any problem the current database is left untouched.
    pub fn restore(backup: &Path, target: &Path, key: &str) -> Result<VerifyReport> {
        // Opening a path that is not there would make an empty database of it.
        if !backup.is_file() {
            return Err(Error::not_found(format!(
                "bản sao lưu {}",
                backup.display()
            )));
        }
        let report = {
            let conn =
                open_keyed(backup, key, PageHmac::for_this_machine()).map_err(|e| match e {
                    Error::WrongKey => Error::WrongKey,
                    other => Error::BadBackup(other.to_string()),
                })?;
            let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if v == 0 || v > SCHEMA_VERSION {
                return Err(Error::BadBackup(format!(
                    "phiên bản lược đồ {v} không phù hợp"
                )));
            }
            let mut r = VerifyReport::default();
            check_db(&conn, &mut r)?;
            if !r.problems.is_empty() {
                return Err(Error::BadBackup(r.problems.join("; ")));
            }
            r.ok = true;
            r
        };
        // The audit log survives restores: what the current register holds is read first, and
        // what the backup lacks goes into the restored register after it is in place.
        let mut report = report;
        // So is the hybrid clock: a stamp this PC gave after the backup must stay below every
        // stamp it gives after the restore, or a later edit could lose to an older one.
        let mut old_clock: Option<Hlc> = None;
        let carried = if target.exists() {
            match open_keyed(target, key, PageHmac::for_this_machine()).and_then(|c| {
                old_clock = meta_get(&c, "hlc_last")
                    .ok()
                    .flatten()
                    .and_then(|s| s.parse().ok());
                audit_rows(&c)
            }) {
                Ok(rows) => rows,
                Err(e) => {
                    let why = match e {
                        Error::Damaged => "dữ liệu hiện tại bị hỏng".to_owned(),
                        other => other.to_string(),
                    };
                    report.audit_lost = Some(format!(
                        "Không đọc được nhật ký truy cập của dữ liệu cũ ({why}): các dòng nhật ký ghi sau bản sao lưu không còn."
                    ));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let tmp = target.with_extension("restoring");
        std::fs::copy(backup, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        }
        std::fs::rename(&tmp, target)?;
        // Opening migrates a backup of an older schema, chain columns included.
        let restored = Store::open(target, key)?;
        if !carried.is_empty() {
            report.audit_carried = insert_missing_audit(&restored.conn, &carried)?;
        }
        // What this PC did after the backup was made may be at the province: the next sync
        // takes its own changes back, and until the province has said which of the numbers
        // leased here were used since, new cases are numbered outside the leases (a number
        // used after the backup must not be given twice).
        restored.conn.execute_batch(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('restored_pull_own', '1');
             INSERT OR REPLACE INTO meta(key, value) VALUES ('numbers_after_restore', '1');",
        )?;
        let restored_clock: Option<Hlc> =
            meta_get(&restored.conn, "hlc_last")?.and_then(|s| s.parse().ok());
        if let Some(old) = old_clock
            && restored_clock.is_none_or(|r| old > r)
        {
            meta_set(&restored.conn, "hlc_last", &old.to_string())?;
        }
        Ok(report)
    }
}

/// SQLCipher's check of every page's HMAC: damage (a disk error, a changed byte) is found page
/// by page, where SQLite's own check would stop at the first such page or report hundreds of
/// pages it could not reach through it.
fn check_pages(conn: &Connection, r: &mut VerifyReport) -> Result<()> {
    let mut st = conn.prepare("PRAGMA cipher_integrity_check")?;
    for row in st.query_map([], |r| r.get::<_, String>(0))? {
        let s = row?;
        match s.strip_prefix("HMAC verification failed for page ") {
            Some(page) => r.problems.push(format!(
                "trang {page} của tệp bị hỏng (không khớp mã xác thực)"
            )),
            None => r.problems.push(format!("kiểm tra mã hóa: {s}")),
        }
    }
    Ok(())
}

const AUDIT_COLS: &str =
    "id, at_utc, user_id, username, device, action, target, detail, hlc, seq, prev_hash, hash";

fn has_chain(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM pragma_table_info('audit') WHERE name = 'hash')",
        [],
        |r| r.get(0),
    )?)
}

/// Every audit entry of a register, every column (the chain's as NULL in a register older than
/// the chain).
fn audit_rows(conn: &Connection) -> Result<Vec<Vec<rusqlite::types::Value>>> {
    let cols = if has_chain(conn)? {
        AUDIT_COLS.to_owned()
    } else {
        AUDIT_COLS.replace("seq, prev_hash, hash", "NULL, NULL, NULL")
    };
    let mut st = conn.prepare(&format!("SELECT {cols} FROM audit"))?;
    let rows = st.query_map([], |r| {
        (0..12)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect()
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds the entries `rows` holds that `conn` lacks; returns how many.
fn insert_missing_audit(conn: &Connection, rows: &[Vec<rusqlite::types::Value>]) -> Result<u32> {
    let mut st = conn.prepare(&format!(
        "INSERT OR IGNORE INTO audit({AUDIT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?;
    let mut n = 0;
    for row in rows {
        n += st.execute(rusqlite::params_from_iter(row.iter()))? as u32;
    }
    Ok(n)
}

/// Each device's audit chain: this register's own entries must run 1, 2, 3… with each entry's
/// hash over its fields and the previous hash; another device's entries must each match their
/// hash. Names the first entry where the chain breaks.
fn check_audit_chain(conn: &Connection, r: &mut VerifyReport) -> Result<()> {
    use crate::store::audit_entry::AuditRow;
    if !has_chain(conn)? {
        return Ok(());
    }
    let own: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let mut st = conn.prepare(&format!(
        "SELECT {}, seq, prev_hash, hash FROM audit WHERE seq IS NOT NULL ORDER BY device, seq",
        AuditRow::COLS
    ))?;
    let mut rows = st.query([])?;
    let mut last: Option<(String, i64, String)> = None;
    let mut broken: Vec<String> = Vec::new();
    while let Some(row) = rows.next()? {
        let a = AuditRow::from_row(row)?;
        let (seq, prev, hash): (i64, String, String) = (row.get(8)?, row.get(9)?, row.get(10)?);
        if broken.contains(&a.device) {
            continue;
        }
        let mine = own.as_deref() == Some(a.device.as_str());
        let expected_prev = match &last {
            Some((d, s, h)) if *d == a.device => Some((*s + 1, h.clone())),
            _ => mine.then(|| (1, String::new())),
        };
        let when = crate::time::vn_time(a.at_utc).format("%d/%m/%Y %H:%M:%S");
        // This PC's own chain must be whole; another device's may lack entries that never
        // reached this PC (refused by the province), so only neighbours are compared there.
        let linked = expected_prev.is_none_or(|(s, h)| {
            if mine {
                s == seq && h == prev
            } else {
                s != seq || h == prev
            }
        });
        if a.hash(seq, &prev) != hash || !linked {
            r.problems.push(format!(
                "nhật ký truy cập bị sửa hoặc xóa: chuỗi của máy {} đứt ở dòng số {seq} ({when}, “{}” của {}){}",
                a.device,
                a.action,
                a.username,
                if linked { "" } else { ": thiếu dòng trước nó" }
            ));
            broken.push(a.device.clone());
        }
        last = Some((a.device, seq, hash));
    }
    Ok(())
}

fn check_db(conn: &Connection, r: &mut VerifyReport) -> Result<()> {
    check_pages(conn, r)?;
    if !r.problems.is_empty() {
        return Ok(());
    }
    let mut st = conn.prepare("PRAGMA integrity_check")?;
    for row in st.query_map([], |r| r.get::<_, String>(0))? {
        let s = row?;
        if s != "ok" {
            r.problems.push(format!("kiểm tra toàn vẹn: {s}"));
        }
    }
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if fk > 0 {
        r.problems
            .push(format!("{fk} bản ghi tham chiếu đến bản ghi không tồn tại"));
    }
    check_audit_chain(conn, r)?;
    r.cases = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
    let dup: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT 1 FROM cases GROUP BY station, reg_year, reg_seq HAVING count(*) > 1)",
        [],
        |r| r.get(0),
    )?;
    if dup > 0 {
        r.problems
            .push(format!("{dup} số thụ lý bị trùng trong cùng đơn vị và năm"));
    }
    let mut st = conn.prepare("SELECT sha256, data FROM blobs")?;
    let mut rows = st.query([])?;
    while let Some(row) = rows.next()? {
        let sha: String = row.get(0)?;
        let data: Vec<u8> = row.get(1)?;
        r.attachments += 1;
        if hex::encode(Sha256::digest(&data)) != sha {
            r.problems
                .push(format!("tệp đính kèm {sha} bị hỏng (sai mã băm)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{NewUser, Scope};

    #[test]
    fn a_rekeyed_register_opens_with_the_new_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let old = format!("x'{}'", "ab".repeat(32));
        let new = format!("x'{}'", "cd".repeat(32));
        let mut s = Store::create(&path, &old, Scope::Station("01843".into())).unwrap();
        let new_user = |username: &str, role| NewUser {
            username: username.into(),
            full_name: username.into(),
            rank: None,
            role,
            password: "matkhau-1234".into(),
        };
        s.create_user(None, new_user("truong", Role::Chief))
            .unwrap();
        let chief = s.login("truong", "matkhau-1234").unwrap();
        s.create_user(Some(&chief), new_user("canbo", Role::Officer))
            .unwrap();
        let officer = s.login("canbo", "matkhau-1234").unwrap();
        assert!(matches!(
            s.rekey(&officer, &new),
            Err(Error::Forbidden { .. })
        ));
        s.rekey(&chief, &new).unwrap();
        // Still usable in this session, and writes go on in the write-ahead log.
        s.set_setting(&chief, "lock_minutes", "12").unwrap();
        drop(s);
        assert!(matches!(Store::open(&path, &old), Err(Error::WrongKey)));
        let s = Store::open(&path, &new).unwrap();
        assert_eq!(s.setting("lock_minutes").unwrap().as_deref(), Some("12"));
        let journal: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
        assert!(
            s.audit_log(&chief, 10)
                .unwrap()
                .iter()
                .any(|a| a.action == "rekey")
        );
        assert!(s.verify().unwrap().ok);
    }
}

#[cfg(test)]
mod audit_chain_tests {
    use super::*;
    use crate::model::{NewUser, Scope};

    fn chief_store(path: &Path) -> (Store, Actor) {
        let mut s = Store::create(path, "k", Scope::Station("01843".into())).unwrap();
        s.create_user(
            None,
            NewUser {
                username: "truong".into(),
                full_name: "Trưởng".into(),
                rank: None,
                role: Role::Chief,
                password: "matkhau-1234".into(),
            },
        )
        .unwrap();
        let chief = s.login("truong", "matkhau-1234").unwrap();
        (s, chief)
    }

    /// A holder of the key drops the append-only trigger and deletes or edits a row: verify
    /// names where the chain breaks.
    #[test]
    fn a_deleted_or_edited_audit_row_breaks_the_chain_and_verify_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, chief) = chief_store(&dir.path().join("t.db"));
        for i in 0..5 {
            s.audit(&chief, "exported", Some(&format!("tep-{i}.xlsx")), None)
                .unwrap();
        }
        assert!(s.verify().unwrap().ok);
        let head = s.audit_head().unwrap().unwrap();
        assert_eq!(head.seq, 6, "login and five exports");

        s.conn
            .execute_batch(
                "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE target = 'tep-2.xlsx';",
            )
            .unwrap();
        let r = s.verify().unwrap();
        assert!(!r.ok);
        assert!(
            r.problems[0].contains("đứt ở dòng số 5") && r.problems[0].contains("thiếu dòng"),
            "{:?}",
            r.problems
        );

        let (mut s2, chief2) = chief_store(&dir.path().join("t2.db"));
        s2.audit(&chief2, "exported", Some("a.xlsx"), None).unwrap();
        s2.audit(&chief2, "exported", Some("b.xlsx"), None).unwrap();
        s2.conn
            .execute_batch(
                "DROP TRIGGER audit_no_update; UPDATE audit SET target = 'khac.xlsx' WHERE target = 'a.xlsx';",
            )
            .unwrap();
        let r = s2.verify().unwrap();
        assert!(
            r.problems.iter().any(|p| p.contains("đứt ở dòng số 2")),
            "{:?}",
            r.problems
        );
    }

    /// A restore keeps the audit rows written since the backup, and the chain goes on.
    #[test]
    fn a_restore_keeps_the_audit_rows_written_since_the_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let (mut s, chief) = chief_store(&path);
        let backup = dir.path().join("b.db");
        s.backup(&chief, &backup).unwrap();
        s.audit(&chief, "exported", Some("sau-sao-luu.xlsx"), None)
            .unwrap();
        s.audit(&chief, "reporter_revealed", Some("vu-1"), None)
            .unwrap();
        drop(s);
        let r = Store::restore(&backup, &path, "k").unwrap();
        assert_eq!(
            r.audit_carried, 3,
            "the backup's own row and the two after it"
        );
        assert!(r.audit_lost.is_none());
        let mut s = Store::open(&path, "k").unwrap();
        s.audit(&chief, "restore_done", None, None).unwrap();
        let actions: Vec<String> = s
            .audit_log(&chief, 50)
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert!(
            actions.contains(&"reporter_revealed".to_string()),
            "{actions:?}"
        );
        let v = s.verify().unwrap();
        assert!(v.ok, "{:?}", v.problems);
    }
}
