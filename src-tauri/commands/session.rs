//! First run, login, lock, switch user.
use crate::keyring::{DbKey, Keyring, KeyringError, normalize_username};
use crate::state::{AppState, CmdError, CmdResult, DB_FILE, ErrorKind, Session};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tinbao_core::admin_units::{Commune, Province};
use tinbao_core::{Actor, NewUser, Role, Scope, Store};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StationInfo {
    pub code: String,
    pub name: String,
    pub province: String,
    pub province_name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SessionInfo {
    pub actor: Actor,
    pub scope: Scope,
    pub station: Option<StationInfo>,
    /// Seconds of inactivity after which the app locks.
    pub lock_after_secs: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    /// False until the first run has created the register and the chief's account.
    pub initialized: bool,
    pub session: Option<SessionInfo>,
    /// The user whose session is locked, offered first on the lock screen.
    pub locked_user: Option<String>,
    pub data_dir: String,
}

/// What this PC is: a commune/ward station's PC, or a provincial supervisor's laptop.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum SetupUnit {
    /// The commune/ward code of the station (official list).
    Station(String),
    /// The province code (official list) whose stations the supervisor reviews.
    Province(String),
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct SetupInput {
    pub unit: SetupUnit,
    /// The first account: the station chief, or the provincial supervisor.
    pub first_user: NewUser,
}

pub(crate) fn session_info(state: &AppState, s: &Session) -> CmdResult<SessionInfo> {
    let scope = s.store.scope().clone();
    let station = match &scope {
        Scope::Station(code) => station_info(&s.store, code)?,
        Scope::Province(_) => None,
    };
    Ok(SessionInfo {
        actor: s.actor.clone(),
        scope,
        station,
        lock_after_secs: state
            .lock_after(Some(&s.store))
            .as_secs()
            .min(u64::from(u32::MAX)) as u32,
    })
}

fn station_info(store: &Store, code: &str) -> CmdResult<Option<StationInfo>> {
    let Some(c) = store.admin_commune(code)? else {
        return Ok(None);
    };
    let province_name = store
        .admin_provinces()?
        .into_iter()
        .find(|p| p.code == c.province)
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(Some(StationInfo {
        code: c.code,
        name: c.name,
        province: c.province,
        province_name,
    }))
}

pub async fn app_status(state: &AppState) -> CmdResult<AppStatus> {
    let session = state.peek(|s| s.map(|s| session_info(state, s)).transpose())?;
    Ok(AppStatus {
        initialized: state.initialized(),
        session,
        locked_user: state.locked_user(),
        data_dir: state.data_dir.display().to_string(),
    })
}

/// The official units, available before the register exists (the first run needs them).
pub async fn admin_provinces() -> CmdResult<Vec<Province>> {
    Ok(crate::units::provinces())
}

pub async fn admin_communes(province: Option<String>) -> CmdResult<Vec<Commune>> {
    Ok(crate::units::communes(province.as_deref()))
}

/// First run: a random database key, the encrypted register for the chosen station (or the
/// province of a supervisor's laptop), the first account, and its copy of the key. Nothing is
/// left behind if a step fails.
pub async fn setup(state: &AppState, input: SetupInput) -> CmdResult<SessionInfo> {
    if state.initialized() {
        return Err(CmdError::invalid(
            "Máy này đã được thiết lập. Hãy đăng nhập.",
        ));
    }
    let session = create_register(&state.data_dir, input)?;
    let info = session_info(state, &session)?;
    state.start(session);
    Ok(info)
}

/// Tests' station: Phường Bắc Kạn's register in `dir`, its chief `truong` logged in.
#[cfg(test)]
pub(crate) fn chief_of_a_test_station(dir: &Path) -> (AppState, Session) {
    let state = AppState::new(dir.into(), dir.join("x"), None);
    let session = create_register(
        dir,
        SetupInput {
            unit: SetupUnit::Station("01843".into()),
            first_user: tinbao_core::NewUser {
                username: "truong".into(),
                full_name: "Cán bộ truong".into(),
                rank: None,
                role: tinbao_core::Role::Chief,
                password: "matkhau-truong".into(),
            },
        },
    )
    .expect("a test register");
    (state, session)
}

/// Creates the register in `data_dir` (the first-run screen and the headless mode both).
pub(crate) fn create_register(data_dir: &Path, input: SetupInput) -> CmdResult<Session> {
    let first = input.first_user;
    let (scope, role) = match input.unit {
        SetupUnit::Station(code) => {
            let code = code.trim().to_owned();
            if crate::units::communes(None).iter().all(|c| c.code != code) {
                return Err(CmdError::invalid(
                    "Chọn xã/phường của đơn vị trong danh mục chính thức.",
                ));
            }
            (Scope::Station(code), Role::Chief)
        }
        SetupUnit::Province(code) => {
            let code = code.trim().to_owned();
            if crate::units::provinces().iter().all(|p| p.code != code) {
                return Err(CmdError::invalid(
                    "Chọn tỉnh/thành phố trong danh mục chính thức.",
                ));
            }
            (Scope::Province(code), Role::Supervisor)
        }
    };
    if first.role != role {
        return Err(CmdError::invalid(if role == Role::Chief {
            "Tài khoản đầu tiên của máy Công an xã/phường phải là trưởng (hoặc phó) Công an."
        } else {
            "Tài khoản đầu tiên của máy cấp tỉnh phải là cán bộ kiểm tra cấp tỉnh."
        }));
    }
    if first.password.chars().count() < tinbao_core::users::MIN_PASSWORD_LEN {
        return Err(CmdError::invalid(format!(
            "Mật khẩu cần ít nhất {} ký tự.",
            tinbao_core::users::MIN_PASSWORD_LEN
        )));
    }
    crate::files::private_dir(data_dir)?;
    let key = DbKey::random();
    let path = data_dir.join(DB_FILE);
    let ring = Keyring::new(data_dir);
    // A register without a keyring is unusable: remove one left by an earlier failed attempt.
    if path.exists() && !ring.exists() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    if path.exists() {
        return Err(CmdError::invalid(format!(
            "Đã có cơ sở dữ liệu tại {}.",
            path.display()
        )));
    }
    let mut store = Store::create(&path, &key.sqlcipher_key(), scope)?;
    // SQLite gives its -wal and -shm files the database file's mode.
    crate::files::restrict(&path)?;
    let username = first.username.clone();
    let password = first.password.clone();
    let result = (|| -> CmdResult<Actor> {
        store.create_user(None, first)?;
        ring.wrap(&username, &password, &key)?;
        Ok(store.login(&username, &password)?)
    })();
    match result {
        Ok(actor) => Ok(Session { store, key, actor }),
        Err(e) => {
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let _ = std::fs::remove_file(data_dir.join("keys.json"));
            Err(e)
        }
    }
}

/// Offline login: the password unwraps this user's copy of the key, the register opens, and
/// the core checks the password hash and the account's state.
pub async fn login(state: &AppState, username: String, password: String) -> CmdResult<SessionInfo> {
    if !state.initialized() {
        return Err(CmdError::new(
            ErrorKind::NotInitialized,
            "Máy này chưa được thiết lập.",
        ));
    }
    let password = zeroize::Zeroizing::new(password);
    let user = normalize_username(&username);
    if user.is_empty() || password.is_empty() {
        return Err(CmdError::new(
            ErrorKind::BadCredentials,
            "Nhập tên đăng nhập và mật khẩu.",
        ));
    }
    let session = open_session(state, &user, &password)?;
    let info = session_info(state, &session)?;
    state.start(session);
    // A province version dated today comes into force even before the next sync. Best effort:
    // the next sync does it again, and a failure here must not refuse the login.
    let _ = state.with(|s| Ok(s.store.refresh_reference()?));
    Ok(info)
}

/// The login itself, behind the lockout of a shared PC: a locked account is refused before
/// any password is tried, a wrong password counts, a good one clears the count, and what the
/// lockout saw since the register was last open goes into its audit log.
pub(crate) fn open_session(state: &AppState, user: &str, password: &str) -> CmdResult<Session> {
    let guard = state.login_guard();
    let now = chrono::Utc::now().timestamp();
    guard.check(user, now)?;
    let wrong = |e: CmdError| -> CmdError {
        if e.kind != ErrorKind::BadCredentials {
            return e;
        }
        match guard.failed(user, now) {
            Ok(()) => e,
            Err(locked) => locked.into(),
        }
    };
    let ring = state.keyring();
    let (key, previous) = match ring.unwrap_both(user, password) {
        Ok(k) => k,
        // An unknown name is not counted: there is no account to lock.
        Err(e @ KeyringError::NoKeyForUser(_)) => return Err(e.into()),
        Err(e) => return Err(wrong(e.into())),
    };
    // A re-key cut short: the key file has the new key, the register may still have the old.
    let (key, mut store) = match (Store::open(state.db_path(), &key.sqlcipher_key()), previous) {
        (Ok(store), prev) => {
            if prev.is_some() {
                ring.finish_reseal()?;
            }
            (key, store)
        }
        (Err(tinbao_core::Error::WrongKey), Some(old)) => {
            let store = Store::open(state.db_path(), &old.sqlcipher_key())?;
            ring.undo_reseal()?;
            (old, store)
        }
        (Err(e), _) => return Err(e.into()),
    };
    let actor = match store.login(user, password) {
        Ok(a) => a,
        Err(tinbao_core::Error::BadCredentials) => {
            return Err(wrong(tinbao_core::Error::BadCredentials.into()));
        }
        Err(e) => return Err(e.into()),
    };
    guard.succeeded(user)?;
    // An entry from before key pairs becomes one, now that the password is at hand.
    if ring.is_old_entry(user)? {
        ring.wrap(user, password, &key)?;
    }
    write_lockout_audit(state, &mut store)?;
    Ok(Session { store, key, actor })
}

/// Writes the lockout's events into the register's audit log, in the system's name (the officer
/// who logs in did not do them), with the time they happened.
fn write_lockout_audit(state: &AppState, store: &mut Store) -> CmdResult<()> {
    let guard = state.login_guard();
    let pending = guard.pending();
    if pending.is_empty() {
        return Ok(());
    }
    let system = tinbao_core::system_actor(store.scope());
    for p in &pending {
        let at = tinbao_core::time::vn_time(p.at)
            .format("%d/%m/%Y %H:%M:%S")
            .to_string();
        store.audit(&system, &p.action, Some(&p.username), Some(&at))?;
    }
    guard.clear_pending(pending.len())?;
    Ok(())
}

/// Accounts locked on this PC after wrong passwords, with the minutes left (Settings).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LockedAccount {
    pub username: String,
    pub minutes_left: u32,
}

pub async fn locked_accounts(state: &AppState) -> CmdResult<Vec<LockedAccount>> {
    state.with(|_| Ok(locked_accounts_here(state)))
}

fn locked_accounts_here(state: &AppState) -> Vec<LockedAccount> {
    let now = chrono::Utc::now().timestamp();
    state
        .login_guard()
        .locked(now)
        .into_iter()
        .map(|(username, secs)| LockedAccount {
            username,
            minutes_left: ((secs + 59) / 60).clamp(0, i64::from(u32::MAX)) as u32,
        })
        .collect()
}

/// The chief lets a locked account try again before its time is up; the core checks the
/// right and writes the audit row.
pub async fn unlock_account(state: &AppState, username: String) -> CmdResult<()> {
    unlock_account_here(state, &username)
}

fn unlock_account_here(state: &AppState, username: &str) -> CmdResult<()> {
    let user = normalize_username(username);
    state.with(|s| {
        s.store.record_login_unlock(&s.actor, &user)?;
        state
            .login_guard()
            .unlock(&user, chrono::Utc::now().timestamp())?;
        Ok(())
    })
}

pub async fn lock(state: &AppState) -> CmdResult<()> {
    state.lock();
    Ok(())
}

pub async fn logout(state: &AppState) -> CmdResult<()> {
    state.logout();
    Ok(())
}

/// The UI reports keyboard and mouse activity (at most every few seconds) so that typing a
/// long description does not lock the app.
pub async fn touch(state: &AppState) -> CmdResult<()> {
    state.touch()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockout::MAX_FAILURES;

    #[test]
    fn five_wrong_passwords_lock_the_account_until_the_chief_unlocks_it() {
        let dir = tempfile::tempdir().unwrap();
        let (state, session) = chief_of_a_test_station(dir.path());
        state.start(session);
        state
            .with(|s| {
                let actor = s.actor.clone();
                for name in ["canbo", "canbo2"] {
                    s.store.create_user(
                        Some(&actor),
                        NewUser {
                            username: name.into(),
                            full_name: format!("Cán bộ {name}"),
                            rank: None,
                            role: Role::Officer,
                            password: "matkhau-dung".into(),
                        },
                    )?;
                    state.keyring().wrap(name, "matkhau-dung", &s.key)?;
                }
                Ok(())
            })
            .unwrap();
        state.logout();
        for _ in 1..MAX_FAILURES {
            let e = open_session(&state, "canbo", "sai-mat-khau").err().unwrap();
            assert_eq!(e.kind, ErrorKind::BadCredentials);
        }
        let e = open_session(&state, "canbo", "sai-mat-khau").err().unwrap();
        assert_eq!(e.kind, ErrorKind::AccountLocked);
        assert!(e.message.contains("15 phút"), "{}", e.message);
        // The right password is refused while locked.
        let e = open_session(&state, "canbo", "matkhau-dung").err().unwrap();
        assert_eq!(e.kind, ErrorKind::AccountLocked);

        // An officer cannot unlock; the chief can, and both the lock and the unlock are audited.
        state.start(open_session(&state, "canbo2", "matkhau-dung").unwrap());
        assert_eq!(
            unlock_account_here(&state, "canbo").unwrap_err().kind,
            ErrorKind::Forbidden
        );
        state.start(open_session(&state, "truong", "matkhau-truong").unwrap());
        assert_eq!(locked_accounts_here(&state).len(), 1);
        unlock_account_here(&state, "canbo").unwrap();
        assert!(locked_accounts_here(&state).is_empty());
        let actions: Vec<String> = state
            .with(|s| Ok(s.store.audit_log(&s.actor, 50)?))
            .unwrap()
            .into_iter()
            .filter(|r| r.target.as_deref() == Some("canbo"))
            .map(|r| r.action)
            .collect();
        assert_eq!(
            actions.iter().filter(|a| *a == "login_failed").count(),
            MAX_FAILURES as usize
        );
        assert!(actions.contains(&"account_locked".to_string()));
        assert!(actions.contains(&"account_unlocked".to_string()));
        state.logout();
        assert_eq!(
            open_session(&state, "canbo", "matkhau-dung")
                .unwrap()
                .actor
                .username,
            "canbo"
        );
    }

    #[test]
    fn the_data_folder_and_its_files_are_the_users_own() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("du-lieu");
        let (_state, session) = chief_of_a_test_station(&data);
        drop(session);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&data), 0o700);
            assert_eq!(mode(&data.join("keys.json")), 0o600);
            assert_eq!(mode(&data.join(crate::state::DB_FILE)), 0o600);
        }
    }
}
