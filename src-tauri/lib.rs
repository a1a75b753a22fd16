//! Desktop shell: Tauri commands as thin adapters over tinbao-core, the app's state and the
//! database key's keeping. No business rule lives here.
#![forbid(unsafe_code)]

mod commands;
#[cfg(test)]
mod commands_list;
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
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::admin_provinces,
            commands::session::admin_communes,
            commands::session::setup,
            commands::session::login,
            commands::session::lock,
            commands::session::logout,
            commands::session::touch,
            commands::session::locked_accounts,
            commands::session::unlock_account,
            commands::cases::vocab,
            commands::cases::intake,
            commands::cases::suggest_duplicates,
            commands::cases::search,
            commands::cases::case_detail,
            commands::cases::reveal_reporter,
            commands::cases::act,
            commands::cases::add_person,
            commands::cases::add_attachment,
            commands::cases::attachment_data,
            commands::cases::record_print,
            commands::admin::users,
            commands::admin::create_user,
            commands::admin::set_user_active,
            commands::admin::change_password,
            commands::admin::reset_user_password,
            commands::admin::users_without_key,
            commands::admin::settings,
            commands::admin::set_lock_minutes,
            commands::admin::audit_log,
            commands::community::inquiry_topics,
            commands::community::inquiries,
            commands::community::add_inquiry,
            commands::community::answer_templates,
            commands::community::save_answer_template,
            commands::community::channels,
            commands::community::add_channel,
            commands::community::record_followers,
            commands::community::posts,
            commands::community::add_post,
            commands::community::set_post_reach,
            commands::reports::today,
            commands::reports::sync_status,
            commands::reports::report_period,
            commands::reports::stats,
            commands::reports::export_stats_xlsx,
            commands::reports::export_stats_pdf,
            commands::reports::export_register_csv,
            commands::reports::backup,
            commands::reports::backups,
            commands::reports::restore,
            commands::reports::damaged_backups,
            commands::reports::restore_damaged,
            commands::sync::enrol_device,
            commands::sync::sync_now,
        ])
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

#[cfg(test)]
mod tests {
    use super::commands_list::COMMANDS;

    /// The main window's capability grants exactly the app's commands: nothing of Tauri's
    /// core plugins, no command forgotten.
    #[test]
    fn capability_grants_exactly_the_app_commands() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src-tauri/capabilities/main.json"
        ))
        .expect("capability file");
        let v: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
        let mut granted: Vec<String> = v["permissions"]
            .as_array()
            .expect("permissions list")
            .iter()
            .map(|p| p.as_str().expect("plain permission id").to_owned())
            .collect();
        granted.sort();
        let mut expected: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        expected.sort();
        assert_eq!(granted, expected);
    }
}

/// Writes the TypeScript types of everything that crosses the command boundary into
/// ui/src/lib/bindings/ (run by `cargo test -p tinbao-desktop`; the UI imports them).
#[cfg(test)]
mod bindings {
    use ts_rs::TS;

    #[test]
    fn export_typescript_bindings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
        // Same settings as the core's own export (TS_RS_EXPORT_DIR), so both write identical files.
        let cfg = ts_rs::Config::new().with_out_dir(&dir);
        macro_rules! export {
            ($($t:ty),* $(,)?) => { $( <$t>::export_all(&cfg).expect(concat!("export ", stringify!($t))); )* };
        }
        export!(
            crate::state::CmdError,
            crate::commands::session::AppStatus,
            crate::commands::session::LockedAccount,
            crate::commands::session::SetupInput,
            crate::commands::cases::Vocab,
            crate::commands::cases::FileUpload,
            crate::commands::cases::IntakeResult,
            crate::commands::cases::AttachmentData,
            crate::commands::admin::AppSettings,
            crate::commands::community::TemplateInput,
            crate::commands::reports::Period,
            crate::commands::reports::ExportResult,
            crate::commands::reports::BackupFile,
            crate::commands::reports::RestoreResult,
            crate::commands::sync::SyncSummary,
            tinbao_core::today::Today,
            tinbao_core::stats::Stats,
            tinbao_core::backup::VerifyReport,
            tinbao_core::audit::AuditRecord,
            tinbao_core::community::Inquiry,
            tinbao_core::community::NewInquiry,
            tinbao_core::community::AnswerTemplate,
            tinbao_core::community::ChannelInfo,
            tinbao_core::community::NewChannel,
            tinbao_core::community::Post,
            tinbao_core::community::NewPost,
            tinbao_core::NewCase,
            tinbao_core::CaseDetail,
            tinbao_core::Action,
            tinbao_core::search::SearchQuery,
            tinbao_core::search::SearchPage,
            tinbao_core::User,
            tinbao_core::NewUser,
            tinbao_core::Reporter,
            tinbao_core::admin_units::Province,
            tinbao_core::admin_units::Commune,
        );
    }
}
