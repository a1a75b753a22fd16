//! Encrypted backups and a restore that checks the backup before replacing anything, and the
//! integrity check of the database and its attachment store.
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use crate::store::{PageHmac, SCHEMA_VERSION, Store, apply_key, key_format, open_keyed};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    pub ok: bool,
    pub cases: u32,
    pub attachments: u32,
    pub problems: Vec<String>,
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
        let raw = new_key
            .strip_prefix("x'")
            .and_then(|k| k.strip_suffix('\''))
            .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let sql = zeroize::Zeroizing::new(match raw {
            Some(hex) => format!("PRAGMA rekey = \"x'{hex}'\";"),
            None => format!("PRAGMA rekey = '{}';", new_key.replace('\'', "''")),
        });
        let rekeyed = self.conn.execute_batch(&sql);
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
        let tmp = target.with_extension("restoring");
        std::fs::copy(backup, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        }
        std::fs::rename(&tmp, target)?;
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
