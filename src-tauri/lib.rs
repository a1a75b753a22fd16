//! Desktop shell: Tauri commands as thin adapters over tinbao-core, the app's state and the
//! database key's keeping. No business rule lives here.
//!
//! The commands are declared once, in `commands/mod.rs`; the typed TypeScript callers in
//! `ui/src/lib/bindings/commands.ts` are generated from that list by `cargo test`. Adding a
//! command: see CONTRIBUTING.md at the repository's root.
#![forbid(unsafe_code)]

mod commands;
mod files;
pub mod headless;
pub mod keyring;
pub mod lockout;
mod report;
pub mod state;
mod units;

use state::AppState;
use std::path::PathBuf;
use std::time::Duration;
use tauri::Manager;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let args: Vec<String> = std::env::args().collect();
            let default_dir = app
                .path()
                .app_data_dir()
                .unwrap_or_else(|_| PathBuf::from("tinbao-data"));
            let data_dir =
                state::data_dir_from(&args, std::env::var("TINBAO_DATA_DIR").ok(), &default_dir);
            let export_dir = std::env::var("TINBAO_EXPORT_DIR")
                .ok()
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| app.path().document_dir().ok().map(|d| d.join("Tinbao")))
                .unwrap_or_else(|| data_dir.join("exports"));
            // Tests and kiosks fix the lock delay; otherwise the chief sets it in Settings.
            let lock_override = std::env::var("TINBAO_LOCK_SECONDS")
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map(Duration::from_secs);
            app.manage(AppState::new(data_dir, export_dir, lock_override));
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!())
        .expect("error while building tauri application")
        .run(|app, event| {
            // Closing the register at exit copies its write-ahead log into the file, so that
            // tinbao.db alone is whole (an officer's own copy of it on a USB stick, say).
            if let tauri::RunEvent::Exit = event
                && let Some(state) = app.try_state::<AppState>()
            {
                state.lock();
            }
        });
}
