//! Settings: accounts, the inactivity lock. Key copies follow the accounts (keyring.rs).
use crate::state::{AppState, CmdError, CmdResult};
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
