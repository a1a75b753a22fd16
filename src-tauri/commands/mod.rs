//! The app's commands: the one list of them, and the modules that implement them.
//!
//! Every command is declared once, in the `app_commands!` block below, as
//! `module::name(context, argument: Type, …) -> Result;`. From that line come (see
//! `registry.rs`):
//! - the `#[tauri::command]` registered with Tauri, which forwards to the plain function
//!   `module::name`, so the declared arguments and result are checked by the compiler;
//! - its `allow-…` permission, which `build.rs` makes from the names in this block and
//!   `src-tauri/capabilities/main.json` must grant (a test checks the capability);
//! - its typed caller in `ui/src/lib/bindings/commands.ts`, and the TypeScript types of its
//!   arguments and result, written by `cargo test -p tinbao-desktop`.
//!
//! The context comes first and is not sent by the UI: `state` gives the function `&AppState`,
//! `app` gives it the `AppHandle` (for work that outlives the call, as a sync on a blocking
//! thread), and a command with neither takes only its arguments. The result is the `Ok` type:
//! every function returns `CmdResult<…>`, the UI's `ApiError` on failure.
//!
//! Every command is `async`: Tauri runs synchronous commands on the main thread, where a search
//! over 100,000 cases would freeze the window while it runs.
//!
//! How to add one: CONTRIBUTING.md, "Adding a command".

#[macro_use]
mod registry;
pub mod admin;
pub mod cases;
pub mod community;
pub mod reports;
pub mod session;
pub mod sync;

use crate::report::ReportDoc;
use admin::{AppSettings, RekeyResult, StationClockSettings};
use cases::{AttachmentData, FileUpload, IntakeResult, Label, Vocab};
use community::TemplateInput;
use reports::{BackupFile, ExportResult, Period, RestoreResult};
use session::{AppStatus, LockedAccount, SessionInfo, SetupInput};
use sync::SyncSummary;
use tinbao_core::admin_units::{Commune, Province};
use tinbao_core::alerts::ClockAlert;
use tinbao_core::audit::AuditRecord;
use tinbao_core::catalog::{NewReference, ReferenceConflict, ReferenceVersion};
use tinbao_core::community::{
    AnswerTemplate, ChannelInfo, Inquiry, NewChannel, NewInquiry, NewPost, Post,
};
use tinbao_core::deadlines::DeadlineRule;
use tinbao_core::holidays::Holiday;
use tinbao_core::hotspots::Hotspots;
use tinbao_core::numbers::RegisterBook;
use tinbao_core::replica::SyncState;
use tinbao_core::sanctions::FineCap;
use tinbao_core::search::{SearchPage, SearchQuery};
use tinbao_core::stats::{PeriodKind, Stats};
use tinbao_core::store::RefusedChange;
use tinbao_core::today::Today;
use tinbao_core::{Action, CaseDetail, CaseRow, NewCase, NewPerson, NewUser, Reporter, User};
use uuid::Uuid;

// One line per command. build.rs reads the names from this block (`module::name(`), so keep
// one declaration per line and comments on lines of their own.
app_commands! {
    // First run, login, lock (session.rs).
    session::app_status(state) -> AppStatus;
    session::admin_provinces() -> Vec<Province>;
    session::admin_communes(province: Option<String>) -> Vec<Commune>;
    session::setup(state, input: SetupInput) -> SessionInfo;
    session::login(state, username: String, password: String) -> SessionInfo;
    session::lock(state) -> ();
    session::logout(state) -> ();
    session::touch(state) -> ();
    session::locked_accounts(state) -> Vec<LockedAccount>;
    session::unlock_account(state, username: String) -> ();

    // The register: intake, search, a case and its workflow (cases.rs).
    cases::vocab(state) -> Vocab;
    cases::intake(state, case: NewCase, files: Vec<FileUpload>) -> IntakeResult;
    cases::suggest_duplicates(state, case: NewCase) -> Vec<CaseRow>;
    cases::search(state, query: SearchQuery) -> SearchPage;
    cases::case_detail(state, id: Uuid) -> CaseDetail;
    cases::reveal_reporter(state, id: Uuid) -> Option<Reporter>;
    cases::act(state, id: Uuid, action: Action) -> CaseDetail;
    cases::fine_caps(state) -> Vec<FineCap>;
    cases::add_person(state, id: Uuid, person: NewPerson) -> CaseDetail;
    cases::add_attachment(state, id: Uuid, file: FileUpload) -> CaseDetail;
    cases::attachment_data(state, sha256: String) -> AttachmentData;
    cases::record_print(state, id: Uuid, what: String) -> ();
    cases::register_book(state, year: i32) -> RegisterBook;
    cases::record_register_print(state, year: i32) -> ();

    // Accounts, the lock delay, the audit log (admin.rs).
    admin::users(state) -> Vec<User>;
    admin::create_user(state, user: NewUser) -> User;
    admin::set_user_active(state, id: Uuid, active: bool) -> ();
    admin::set_investigator(state, id: Uuid, investigator: bool) -> ();
    admin::set_station_remote(state, station: String, remote: bool) -> ();
    admin::station_clock_settings(state) -> StationClockSettings;
    admin::set_notice_sender(state, sender: String) -> ();
    admin::set_vks_name(state, name: String) -> ();
    admin::change_password(state, old: String, new: String) -> ();
    admin::reset_user_password(state, id: Uuid, password: String) -> ();
    admin::users_without_key(state) -> Vec<Uuid>;
    admin::settings(state) -> AppSettings;
    admin::set_lock_minutes(state, minutes: u32) -> ();
    admin::audit_log(state) -> Vec<AuditRecord>;
    admin::rekey_register(state) -> RekeyResult;
    admin::deadline_rules(state) -> Vec<DeadlineRule>;
    admin::holidays(state, year: Option<i32>) -> Vec<Holiday>;
    admin::set_holiday(state, holiday: Holiday) -> ();
    admin::remove_holiday(state, date: String) -> ();
    admin::reference(state, set: Option<String>) -> Vec<ReferenceVersion>;
    admin::set_reference(state, version: NewReference) -> ReferenceVersion;
    admin::reference_conflicts(state) -> Vec<ReferenceConflict>;
    admin::resolve_reference_conflict(state, id: Uuid, take_other: bool) -> ();

    // Inquiries and answer templates; channels and posts (community.rs).
    community::inquiry_topics() -> Vec<Label>;
    community::inquiries(state) -> Vec<Inquiry>;
    community::add_inquiry(state, inquiry: NewInquiry) -> Uuid;
    community::answer_templates(state) -> Vec<AnswerTemplate>;
    community::save_answer_template(state, template: TemplateInput) -> Uuid;
    community::channels(state) -> Vec<ChannelInfo>;
    community::add_channel(state, channel: NewChannel) -> Uuid;
    community::record_followers(state, channel: Uuid, on: String, followers: i64) -> ();
    community::posts(state) -> Vec<Post>;
    community::add_post(state, post: NewPost) -> Uuid;
    community::set_post_reach(state, id: Uuid, views: i64, reactions: i64) -> ();

    // Today, statistics and exports, backup and restore (reports.rs).
    reports::today(state) -> Today;
    reports::sync_status(state) -> Option<SyncState>;
    reports::report_period(state, kind: Option<PeriodKind>, year: Option<i32>, n: Option<u32>) -> Period;
    reports::report(state, kind: PeriodKind, year: i32, n: u32) -> ReportDoc;
    reports::stats(state, from: i64, to: i64) -> Stats;
    reports::hotspots(state, from: i64, to: i64) -> Hotspots;
    reports::take_alerts(app) -> Vec<ClockAlert>;
    reports::export_stats_xlsx(state, kind: PeriodKind, year: i32, n: u32) -> ExportResult;
    reports::export_stats_pdf(state, kind: PeriodKind, year: i32, n: u32) -> ExportResult;
    reports::export_register_csv(state, include_reporter: bool) -> ExportResult;
    reports::backup(state) -> ExportResult;
    reports::backups(state) -> Vec<BackupFile>;
    reports::restore(state, path: String) -> RestoreResult;
    reports::damaged_backups(state, username: String, password: String) -> Vec<BackupFile>;
    reports::restore_damaged(state, username: String, password: String, path: String) -> RestoreResult;

    // Enrolment and sync with the provincial server (sync.rs).
    sync::enrol_device(app, server: String, code: String, device_name: String) -> SyncState;
    sync::sync_now(app) -> SyncSummary;
    sync::refused_changes(state) -> Vec<RefusedChange>;
    sync::hand_back_numbers(state) -> u32;
}
