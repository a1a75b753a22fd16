//! First run, login, lock, switch user.
use crate::keyring::{DbKey, Keyring, normalize_username};
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
    std::fs::create_dir_all(data_dir)?;
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
    let user = normalize_username(&username);
    if user.is_empty() || password.is_empty() {
        return Err(CmdError::new(
            ErrorKind::BadCredentials,
            "Nhập tên đăng nhập và mật khẩu.",
        ));
    }
    let key = state.keyring().unwrap(&user, &password)?;
    let mut store = Store::open(state.db_path(), &key.sqlcipher_key())?;
    let actor = store.login(&user, &password)?;
    let session = Session { store, key, actor };
    let info = session_info(state, &session)?;
    state.start(session);
    Ok(info)
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
