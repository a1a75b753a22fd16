//! Settings: accounts, the inactivity lock. Key copies follow the accounts (keyring.rs).
use crate::state::{AppState, CmdError, CmdResult, ErrorKind};
use serde::Serialize;
use tauri::State;
use tinbao_core::audit::AuditRecord;
use tinbao_core::{NewUser, User};
use ts_rs::TS;
use uuid::Uuid;

#[tauri::command]
pub async fn users(state: State<'_, AppState>) -> CmdResult<Vec<User>> {
    state.with(|s| Ok(s.store.users()?))
}

/// The chief creates an account; the new user's password gets its own copy of the database
/// key so that they can log in on this PC.
#[tauri::command]
pub async fn create_user(state: State<'_, AppState>, user: NewUser) -> CmdResult<User> {
    state.with(|s| {
        let (username, password) = (user.username.clone(), user.password.clone());
        let created = s.store.create_user(Some(&s.actor), user)?;
        state.keyring().wrap(&username, &password, &s.key)?;
        Ok(created)
    })
}

#[tauri::command]
pub async fn set_user_active(state: State<'_, AppState>, id: Uuid, active: bool) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_user_active(&s.actor, id, active)?))
}

/// The chief sets a new password for an officer (forgotten, or an account that arrived by sync
/// and has no copy of the key on this PC): the core checks the right and audits it, then the
/// officer's new password gets its own copy of the key so that they can log in here.
#[tauri::command]
pub async fn reset_user_password(
    state: State<'_, AppState>,
    id: Uuid,
    password: String,
) -> CmdResult<()> {
    state.with(|s| {
        let user = s
            .store
            .users()?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| CmdError::new(ErrorKind::NotFound, "Không tìm thấy tài khoản."))?;
        if !user.active {
            return Err(CmdError::invalid(
                "Tài khoản đang bị khóa; mở khóa trước khi đặt mật khẩu.",
            ));
        }
        s.store.reset_password(&s.actor, id, &password)?;
        state.keyring().wrap(&user.username, &password, &s.key)?;
        Ok(())
    })
}

/// Active accounts with no copy of the key on this PC (they arrived by sync): they cannot log
/// in here until the chief sets them a password.
#[tauri::command]
pub async fn users_without_key(state: State<'_, AppState>) -> CmdResult<Vec<Uuid>> {
    state.with(|s| {
        let ring = state.keyring();
        let mut out = Vec::new();
        for u in s.store.users()? {
            if u.active && !ring.has_user(&u.username)? {
                out.push(u.id);
            }
        }
        Ok(out)
    })
}

/// Changes one's own password and re-wraps one's copy of the key with it.
#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    old: String,
    new: String,
) -> CmdResult<()> {
    state.with(|s| {
        s.store.change_password(&s.actor, &old, &new)?;
        state.keyring().wrap(&s.actor.username, &new, &s.key)?;
        Ok(())
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppSettings {
    pub lock_minutes: u32,
    /// True when the lock delay is fixed by the environment (TINBAO_LOCK_SECONDS).
    pub lock_fixed: bool,
    pub data_dir: String,
    pub export_dir: String,
}

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> CmdResult<AppSettings> {
    state.with(|s| {
        Ok(AppSettings {
            lock_minutes: (state.lock_after(Some(&s.store)).as_secs() / 60).max(1) as u32,
            lock_fixed: state.lock_override.is_some(),
            data_dir: state.data_dir.display().to_string(),
            export_dir: state.export_dir.display().to_string(),
        })
    })
}

#[tauri::command]
pub async fn set_lock_minutes(state: State<'_, AppState>, minutes: u32) -> CmdResult<()> {
    if !(1..=240).contains(&minutes) {
        return Err(CmdError::invalid(
            "Thời gian tự khóa phải từ 1 đến 240 phút.",
        ));
    }
    state.with(|s| {
        Ok(s.store
            .set_setting(&s.actor, "lock_minutes", &minutes.to_string())?)
    })
}

/// Who saw a reporter, printed, exported, logged in, changed a setting (chief and above).
#[tauri::command]
pub async fn audit_log(state: State<'_, AppState>) -> CmdResult<Vec<AuditRecord>> {
    state.with(|s| Ok(s.store.audit_log(&s.actor, 200)?))
}
