//! The app's state: the open register (only while someone is logged in), who is logged in,
//! and the inactivity lock.
use crate::keyring::{DbKey, Keyring, KeyringError};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tinbao_core::{Actor, Store};
use ts_rs::TS;

/// Default inactivity lock (DESIGN.md section 5); a chief may change it in Settings.
pub const DEFAULT_LOCK_MINUTES: u64 = 10;
/// A shared PC must not stay open long after its officer walked away (DESIGN.md section 5).
pub const MAX_LOCK_MINUTES: u64 = 30;
pub const DB_FILE: &str = "tinbao.db";

/// What the UI is told when a command fails: a sentence for the officer and a kind to act on.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CmdError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// The session is locked (inactivity or on demand): show the lock screen, keep the form.
    Locked,
    NotInitialized,
    BadCredentials,
    /// Too many wrong passwords: the account waits (the message says how long) or the chief
    /// unlocks it.
    AccountLocked,
    Forbidden,
    Invalid,
    NotFound,
    /// The register's file is damaged: the login screen offers to restore a backup.
    Damaged,
    Other,
}

impl CmdError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CmdError {
        CmdError {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> CmdError {
        CmdError::new(ErrorKind::Invalid, message)
    }
    pub fn locked() -> CmdError {
        CmdError::new(
            ErrorKind::Locked,
            "Phiên làm việc đã khóa. Nhập mật khẩu để tiếp tục; nội dung đang nhập vẫn được giữ.",
        )
    }
    pub fn other(message: impl Into<String>) -> CmdError {
        CmdError::new(ErrorKind::Other, message)
    }
}

impl From<tinbao_core::Error> for CmdError {
    fn from(e: tinbao_core::Error) -> Self {
        use tinbao_core::Error as E;
        let kind = match &e {
            E::BadCredentials | E::InactiveUser => ErrorKind::BadCredentials,
            E::Forbidden { .. } => ErrorKind::Forbidden,
            E::NotFound { .. } => ErrorKind::NotFound,
            E::Damaged => ErrorKind::Damaged,
            E::Invalid(_) | E::InvalidTransition { .. } | E::AlreadyExists(_) | E::BadBackup(_) => {
                ErrorKind::Invalid
            }
            _ => ErrorKind::Other,
        };
        CmdError::new(kind, e.to_string())
    }
}

impl From<KeyringError> for CmdError {
    fn from(e: KeyringError) -> Self {
        let kind = match e {
            KeyringError::BadCredentials | KeyringError::NoKeyForUser(_) => {
                ErrorKind::BadCredentials
            }
            _ => ErrorKind::Other,
        };
        CmdError::new(kind, e.to_string())
    }
}

impl From<crate::lockout::LockoutError> for CmdError {
    fn from(e: crate::lockout::LockoutError) -> Self {
        let kind = match e {
            crate::lockout::LockoutError::Locked { .. } => ErrorKind::AccountLocked,
            _ => ErrorKind::Other,
        };
        CmdError::new(kind, e.to_string())
    }
}

impl From<std::io::Error> for CmdError {
    fn from(e: std::io::Error) -> Self {
        CmdError::other(format!("Lỗi đọc/ghi tệp: {e}"))
    }
}

pub type CmdResult<T> = Result<T, CmdError>;

pub struct Session {
    pub store: Store,
    pub key: DbKey,
    pub actor: Actor,
}

pub struct Inner {
    pub session: Option<Session>,
    /// Who was logged in when the session locked: the lock screen offers them first.
    pub locked_user: Option<String>,
    pub last_activity: Instant,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub export_dir: PathBuf,
    /// Set from the environment (tests, kiosks); otherwise read from the register's settings.
    pub lock_override: Option<Duration>,
    pub inner: Mutex<Inner>,
}

impl AppState {
    pub fn new(
        data_dir: PathBuf,
        export_dir: PathBuf,
        lock_override: Option<Duration>,
    ) -> AppState {
        AppState {
            data_dir,
            export_dir,
            lock_override,
            inner: Mutex::new(Inner {
                session: None,
                locked_user: None,
                last_activity: Instant::now(),
            }),
        }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    pub fn keyring(&self) -> Keyring {
        Keyring::new(&self.data_dir)
    }

    pub fn login_guard(&self) -> crate::lockout::LoginGuard {
        crate::lockout::LoginGuard::new(&self.data_dir)
    }

    pub fn initialized(&self) -> bool {
        self.db_path().exists() && self.keyring().exists()
    }

    pub fn lock_after(&self, store: Option<&Store>) -> Duration {
        if let Some(d) = self.lock_override {
            return d;
        }
        let minutes = store
            .and_then(|s| s.setting("lock_minutes").ok().flatten())
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|m| *m >= 1)
            .unwrap_or(DEFAULT_LOCK_MINUTES)
            // A register set before the cap existed (up to 240) locks at the cap.
            .min(MAX_LOCK_MINUTES);
        Duration::from_secs(minutes * 60)
    }

    fn lock_inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic inside a command must not brick the app: the data is in SQLite, not here.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` with the logged-in session, locking first if the user has been away too long.
    /// Every such call counts as activity.
    pub fn with<T>(&self, f: impl FnOnce(&mut Session) -> CmdResult<T>) -> CmdResult<T> {
        let mut inner = self.lock_inner();
        self.expire(&mut inner);
        inner.last_activity = Instant::now();
        let session = inner.session.as_mut().ok_or_else(CmdError::locked)?;
        f(session)
    }

    /// Like `with`, but does not count as activity (background polling).
    pub fn peek<T>(&self, f: impl FnOnce(Option<&mut Session>) -> CmdResult<T>) -> CmdResult<T> {
        let mut inner = self.lock_inner();
        self.expire(&mut inner);
        f(inner.session.as_mut())
    }

    pub fn touch(&self) -> CmdResult<()> {
        self.with(|_| Ok(()))
    }

    fn expire(&self, inner: &mut Inner) {
        if let Some(s) = &inner.session
            && inner.last_activity.elapsed() > self.lock_after(Some(&s.store))
        {
            Self::close(inner);
        }
    }

    /// Closes the register and forgets its key: a locked screen holds no key in memory.
    fn close(inner: &mut Inner) {
        if let Some(s) = inner.session.take() {
            inner.locked_user = Some(s.actor.username.clone());
        }
    }

    pub fn lock(&self) {
        let mut inner = self.lock_inner();
        Self::close(&mut inner);
    }

    /// Logs out for good: the next person starts from an empty login form.
    pub fn logout(&self) {
        let mut inner = self.lock_inner();
        inner.session = None;
        inner.locked_user = None;
    }

    pub fn start(&self, session: Session) {
        let mut inner = self.lock_inner();
        inner.locked_user = None;
        inner.session = Some(session);
        inner.last_activity = Instant::now();
    }

    pub fn locked_user(&self) -> Option<String> {
        self.lock_inner().locked_user.clone()
    }
}

/// Where the app keeps its data: `--data-dir DIR` or `TINBAO_DATA_DIR` (tests, portable
/// installs), else the platform's app data folder.
pub fn data_dir_from(args: &[String], env: Option<String>, default: &Path) -> PathBuf {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--data-dir=") {
            return PathBuf::from(v);
        }
        if a == "--data-dir"
            && let Some(v) = it.next()
        {
            return PathBuf::from(v);
        }
    }
    env.filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| default.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_prefers_the_argument_then_the_environment() {
        let d = Path::new("/default");
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            data_dir_from(&args(&["app", "--data-dir", "/a"]), Some("/b".into()), d),
            PathBuf::from("/a")
        );
        assert_eq!(
            data_dir_from(&args(&["app", "--data-dir=/c"]), None, d),
            PathBuf::from("/c")
        );
        assert_eq!(
            data_dir_from(&args(&["app"]), Some("/b".into()), d),
            PathBuf::from("/b")
        );
        assert_eq!(
            data_dir_from(&args(&["app"]), Some(String::new()), d),
            PathBuf::from("/default")
        );
    }

    /// What the app does at exit (lib.rs, `RunEvent::Exit`): locking closes the register, and
    /// with it the write-ahead log goes into the file, so that tinbao.db alone is whole.
    #[test]
    fn locking_closes_the_register_and_its_log_goes_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = crate::commands::session::chief_of_a_test_station(dir.path());
        state.start(session);
        state
            .with(|s| {
                s.store
                    .set_setting(&s.actor.clone(), "lock_minutes", "15")?;
                Ok(())
            })
            .unwrap();
        let wal = dir.path().join(format!("{DB_FILE}-wal"));
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 0,
            "the save is in the log"
        );
        state.lock();
        assert!(
            !wal.exists(),
            "the log went into the file when the register closed"
        );
    }

    #[test]
    fn a_locked_state_refuses_commands_with_the_locked_kind() {
        let s = AppState::new("/x".into(), "/y".into(), Some(Duration::from_secs(1)));
        let e = s.with(|_| Ok(())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Locked);
    }
}
