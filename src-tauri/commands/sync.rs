//! Enrolment and sync with the provincial server, through tinbao-sync-client.
//!
//! Enrolment runs on the session's own Store. A sync runs on a second connection to the same
//! database, on a blocking thread, so officers keep working while a long pull comes in over a
//! slow link (the core keeps stamps ordered across connections; SQLite serialises the writes).
//! It never counts as the officer's activity, so it cannot keep an unattended PC unlocked.
use crate::state::{AppState, CmdError, CmdResult, ErrorKind};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tinbao_core::replica::SyncState;
use tinbao_core::store::RefusedChange;
use tinbao_sync_client::{SyncError, SyncOptions};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    #[ts(type = "number")]
    pub pushed: u64,
    #[ts(type = "number")]
    pub pulled: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Changes the server refused, each with its reason; they stay waiting on this PC.
    pub rejected: Vec<String>,
    #[ts(type = "number")]
    pub pending_after: u64,
    pub state: SyncState,
}

fn sync_error(e: SyncError) -> CmdError {
    let kind = if matches!(e, SyncError::NotEnrolled) {
        ErrorKind::Invalid
    } else {
        ErrorKind::Other
    };
    CmdError::new(kind, e.to_string())
}

/// Runs `f` with the session's store on a blocking thread, the sync client's futures driven
/// by Tauri's runtime.
async fn on_session<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut tinbao_core::Store) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.peek(|s| match s {
            Some(s) => f(&mut s.store),
            None => Err(CmdError::locked()),
        })
    })
    .await
    .map_err(|e| CmdError::other(format!("Tác vụ đồng bộ bị gián đoạn: {e}")))?
}

/// Enrols this PC with a one-time code from the provincial administrator (the station chief,
/// or the supervisor on a provincial laptop).
pub async fn enrol_device(
    app: AppHandle,
    server: String,
    code: String,
    device_name: String,
) -> CmdResult<SyncState> {
    // The station chief enrols a station PC; the supervisor enrols their own laptop.
    let allowed = app.state::<AppState>().with(|s| {
        Ok(matches!(
            s.actor.role,
            tinbao_core::Role::Chief | tinbao_core::Role::Supervisor
        ))
    })?;
    if !allowed {
        return Err(CmdError::new(
            ErrorKind::Forbidden,
            "Chỉ trưởng Công an (hoặc cán bộ kiểm tra cấp tỉnh trên máy của mình) được đăng ký máy với máy chủ tỉnh.",
        ));
    }
    on_session(app, move |store| {
        tauri::async_runtime::block_on(tinbao_sync_client::enrol(
            store,
            &server,
            &code,
            &device_name,
        ))
        .map_err(sync_error)?;
        Ok(store.sync_state()?)
    })
    .await
}

/// One full sync now (the UI also calls it every few minutes while enrolled and unlocked).
pub async fn sync_now(app: AppHandle) -> CmdResult<SyncSummary> {
    let state = app.state::<AppState>();
    // Only the path and the key leave the session lock; the key copy is wiped when dropped.
    let (path, key) = state.peek(|s| match s {
        Some(s) => Ok((state.db_path(), s.key.sqlcipher_key())),
        None => Err(CmdError::locked()),
    })?;
    tauri::async_runtime::spawn_blocking(move || {
        // The timer and "Sync now" may overlap: one sync at a time, the second waits its turn.
        static RUNNING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
        let mut store = tinbao_core::Store::open(&path, &key)?;
        let report = tauri::async_runtime::block_on(tinbao_sync_client::sync_store(
            &mut store,
            &SyncOptions::default(),
            &|_| {},
        ))
        .map_err(sync_error)?;
        Ok(SyncSummary {
            pushed: report.pushed,
            pulled: report.pulled,
            conflicts: report.conflicts,
            rejected: report.rejected.iter().map(|r| r.message.clone()).collect(),
            pending_after: report.pending_after,
            state: store.sync_state()?,
        })
    })
    .await
    .map_err(|e| CmdError::other(format!("Tác vụ đồng bộ bị gián đoạn: {e}")))?
}

/// The changes the province refused for good, for the chief (Settings): each with the server's
/// reason, set aside on this PC and never pushed again.
pub async fn refused_changes(state: &AppState) -> CmdResult<Vec<RefusedChange>> {
    state.with(|s| Ok(s.store.refused_changes(200)?))
}

/// Hands back every register number leased to this PC and not used (a PC being retired or
/// moved); they reach the province at the next sync. The chief only (the core checks).
pub async fn hand_back_numbers(state: &AppState) -> CmdResult<u32> {
    state.with(|s| Ok(s.store.hand_back_numbers(&s.actor)?))
}
