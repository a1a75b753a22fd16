//! Failed logins on a shared station PC: after `MAX_FAILURES` wrong passwords in a row an
//! account is locked for `LOCK_SECS`, unless the chief unlocks it earlier.
//!
//! The count lives in `logins.json` beside the key file, not in the register: a wrong password
//! never opens the encrypted register, so it cannot be written there. What happened is kept in
//! the file until the register is next opened, and then written to the audit log
//! (`take_pending`). Someone who can edit the data folder can reset the count, but could also
//! copy `keys.json` and guess offline; this guards the login screen of a shared PC.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const MAX_FAILURES: u32 = 5;
pub const LOCK_SECS: i64 = 15 * 60;

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Account {
    /// Wrong passwords since the last good login or unlock.
    failures: u32,
    /// Unix seconds until which the account refuses every login.
    locked_until: Option<i64>,
}

/// An event to write to the audit log once the register is open.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    pub action: String,
    pub username: String,
    pub at: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    accounts: BTreeMap<String, Account>,
    pending: Vec<Pending>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockoutError {
    #[error(
        "Tài khoản “{username}” tạm bị khóa vì nhập sai mật khẩu {MAX_FAILURES} lần liên tiếp. Thử lại sau {minutes} phút, hoặc nhờ trưởng Công an mở khóa."
    )]
    Locked {
        username: String,
        minutes: i64,
        secs_left: i64,
    },
    #[error("Không ghi được tệp đăng nhập {0}: {1}")]
    Io(String, std::io::Error),
}

pub struct LoginGuard {
    path: PathBuf,
}

impl LoginGuard {
    pub fn new(data_dir: &Path) -> LoginGuard {
        LoginGuard {
            path: data_dir.join("logins.json"),
        }
    }

    /// A damaged or unreadable file counts as empty: the lockout must never keep every officer
    /// out of the register.
    fn read(&self) -> File {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    fn write(&self, f: &File) -> Result<(), LockoutError> {
        let io = |e| LockoutError::Io(self.path.display().to_string(), e);
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_string(f).unwrap_or_default();
        crate::files::write_private(&tmp, text.as_bytes()).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }

    /// Refuses a login attempt while the account is locked.
    pub fn check(&self, username: &str, now: i64) -> Result<(), LockoutError> {
        let f = self.read();
        match f.accounts.get(username).and_then(|a| a.locked_until) {
            Some(until) if until > now => {
                let secs_left = until - now;
                Err(LockoutError::Locked {
                    username: username.to_owned(),
                    minutes: (secs_left + 59) / 60,
                    secs_left,
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong password; the `MAX_FAILURES`-th in a row locks the account.
    pub fn failed(&self, username: &str, now: i64) -> Result<(), LockoutError> {
        let mut f = self.read();
        let a = f.accounts.entry(username.to_owned()).or_default();
        if a.locked_until.is_some_and(|u| u <= now) {
            *a = Account::default();
        }
        a.failures += 1;
        let locks = a.failures >= MAX_FAILURES && a.locked_until.is_none();
        if locks {
            a.locked_until = Some(now + LOCK_SECS);
        }
        f.pending.push(Pending {
            action: "login_failed".into(),
            username: username.to_owned(),
            at: now,
        });
        if locks {
            f.pending.push(Pending {
                action: "account_locked".into(),
                username: username.to_owned(),
                at: now,
            });
        }
        self.write(&f)?;
        if locks {
            self.check(username, now)
        } else {
            Ok(())
        }
    }

    /// A good login clears the count.
    pub fn succeeded(&self, username: &str) -> Result<(), LockoutError> {
        let mut f = self.read();
        if f.accounts.remove(username).is_some() {
            self.write(&f)?;
        }
        Ok(())
    }

    /// The chief's early unlock. Returns whether the account was locked.
    pub fn unlock(&self, username: &str, now: i64) -> Result<bool, LockoutError> {
        let was = self.check(username, now).is_err();
        let mut f = self.read();
        if f.accounts.remove(username).is_some() {
            self.write(&f)?;
        }
        Ok(was)
    }

    /// Accounts locked now, with the seconds left.
    pub fn locked(&self, now: i64) -> Vec<(String, i64)> {
        self.read()
            .accounts
            .into_iter()
            .filter_map(|(u, a)| a.locked_until.filter(|t| *t > now).map(|t| (u, t - now)))
            .collect()
    }

    /// The events not yet in the audit log; the caller writes them, then calls `clear_pending`.
    pub fn pending(&self) -> Vec<Pending> {
        self.read().pending
    }

    pub fn clear_pending(&self, written: usize) -> Result<(), LockoutError> {
        let mut f = self.read();
        let n = written.min(f.pending.len());
        if n > 0 {
            f.pending.drain(..n);
            self.write(&f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_for_fifteen_minutes() {
        let dir = tempfile::tempdir().unwrap();
        let g = LoginGuard::new(dir.path());
        let t0 = 1_750_000_000;
        for i in 0..4 {
            g.failed("canbo", t0 + i).unwrap();
            g.check("canbo", t0 + i).unwrap();
        }
        let e = g.failed("canbo", t0 + 4).unwrap_err();
        assert!(matches!(e, LockoutError::Locked { minutes: 15, .. }), "{e}");
        assert!(e.to_string().contains("15 phút"));
        // The right password is refused too while locked; another account is not.
        assert!(g.check("canbo", t0 + 4 + 14 * 60).is_err());
        g.check("truong", t0 + 5).unwrap();
        match g.check("canbo", t0 + 4 + 10 * 60 + 30) {
            Err(LockoutError::Locked { minutes, .. }) => assert_eq!(minutes, 5),
            other => panic!("{other:?}"),
        }
        assert_eq!(g.locked(t0 + 10).len(), 1);
        g.check("canbo", t0 + 4 + LOCK_SECS).unwrap();
        // After the lock ends, one more wrong password does not lock again at once.
        g.failed("canbo", t0 + 4 + LOCK_SECS + 1).unwrap();
        g.check("canbo", t0 + 4 + LOCK_SECS + 1).unwrap();
        let actions: Vec<_> = g.pending().into_iter().map(|p| p.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "login_failed").count(), 6);
        assert_eq!(actions.iter().filter(|a| *a == "account_locked").count(), 1);
        g.clear_pending(actions.len()).unwrap();
        assert!(g.pending().is_empty());
    }

    #[test]
    fn a_good_login_or_the_chief_clears_the_count() {
        let dir = tempfile::tempdir().unwrap();
        let g = LoginGuard::new(dir.path());
        for i in 0..4 {
            g.failed("canbo", i).unwrap();
        }
        g.succeeded("canbo").unwrap();
        for i in 0..4 {
            g.failed("canbo", 10 + i).unwrap();
        }
        g.check("canbo", 20).unwrap();
        g.failed("canbo", 20).unwrap_err();
        assert!(g.unlock("canbo", 21).unwrap());
        g.check("canbo", 21).unwrap();
        assert!(!g.unlock("canbo", 22).unwrap());
    }

    #[test]
    fn a_damaged_file_locks_no_one_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("logins.json"), b"{not json").unwrap();
        let g = LoginGuard::new(dir.path());
        g.check("canbo", 0).unwrap();
        g.failed("canbo", 0).unwrap();
    }
}
