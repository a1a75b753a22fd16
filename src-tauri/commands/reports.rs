//! Today, monthly statistics and their XLSX/PDF export, the register's CSV export, sync
//! state, backup and restore.
use crate::keyring::{DbKey, normalize_username};
use crate::report::{self, ReportDoc};
use crate::state::{AppState, CmdError, CmdResult, ErrorKind, Session};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Manager};
use tinbao_core::Store;
use tinbao_core::alerts::{AlertKind, ClockAlert};
use tinbao_core::backup::VerifyReport;
use tinbao_core::hotspots::Hotspots;
use tinbao_core::replica::SyncState;
use tinbao_core::stats::{PeriodKind, Stats, period, period_label, police_month_of};
use tinbao_core::today::Today;
use ts_rs::TS;

pub async fn today(state: &AppState) -> CmdResult<Today> {
    state.with(|s| Ok(s.store.today(&s.actor)?))
}

/// Deadline alerts not yet given to the logged-in user, shown as desktop notifications and
/// returned for the screen. Background polling: does not count as activity; a locked session
/// gets none (a notification would show case details over the lock screen).
pub async fn take_alerts(app: AppHandle) -> CmdResult<Vec<ClockAlert>> {
    let state = app.state::<AppState>();
    let alerts = state.peek(|s| match s {
        Some(s) => Ok(s.store.take_alerts(&s.actor, chrono::Utc::now())?),
        None => Ok(Vec::new()),
    })?;
    notify(&app, &alerts);
    Ok(alerts)
}

/// At most three notifications at once; more become one that counts them, so that a PC back
/// from a long weekend does not bury the screen.
fn notify(app: &AppHandle, alerts: &[ClockAlert]) {
    use tauri_plugin_notification::NotificationExt;
    let show = |title: &str, body: &str| {
        // No notification service (a bare Linux session, the e2e display): the alerts still
        // reach the screen through the result.
        let _ = app.notification().builder().title(title).body(body).show();
    };
    if alerts.len() > 3 {
        show(
            "tinbao: thời hạn giải quyết",
            &format!(
                "{} cảnh báo thời hạn mới. Mở màn hình Hôm nay để xem.",
                alerts.len()
            ),
        );
        return;
    }
    for a in alerts {
        let title = match a.kind {
            AlertKind::Overdue => "tinbao: quá hạn",
            AlertKind::LastQuarter => "tinbao: sắp hết hạn",
            AlertKind::DailySummary => "tinbao: tình hình thời hạn hôm nay",
        };
        show(title, &a.text);
    }
}

/// Background polling: does not count as the user's activity.
pub async fn sync_status(state: &AppState) -> CmdResult<Option<SyncState>> {
    // The sidebar polls this every few seconds: an idle moment to merge the search index's
    // segments and checkpoint the WAL, so that an officer's save never pays for either.
    state.peek(|s| {
        s.map(|s| {
            s.store.idle_upkeep()?;
            Ok(s.store.sync_state()?)
        })
        .transpose()
    })
}

/// A report period: its kind and number, its bounds and its name for the heading.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    /// The month (1–12), the quarter (1–4), or 0 for a year.
    pub n: u32,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    /// "Tháng 10/2025 (từ 15/09/2025 đến 14/10/2025)".
    pub label: String,
}

/// The period of a kind (police months run from the cut-off day, 15th by default, of the
/// month before; quarters and years are three and twelve such months). Without a year, the
/// period of that kind holding today.
fn resolve(
    store: &Store,
    kind: PeriodKind,
    year: Option<i32>,
    n: Option<u32>,
) -> CmdResult<Period> {
    let cut = store.stats_cutoff_day()?.clamp(1, 28);
    let (year, n) = match (year, n) {
        (Some(y), _) if kind == PeriodKind::Year => (y, 0),
        (Some(y), Some(n)) => {
            let max = if kind == PeriodKind::Month { 12 } else { 4 };
            if !(1..=max).contains(&n) {
                return Err(CmdError::invalid(if kind == PeriodKind::Month {
                    "Tháng phải từ 1 đến 12."
                } else {
                    "Quý phải từ 1 đến 4."
                }));
            }
            (y, n)
        }
        _ => {
            let today = chrono::Utc::now()
                .with_timezone(&tinbao_core::time::vn_offset())
                .date_naive();
            let (y, m) = police_month_of(today, cut);
            match kind {
                PeriodKind::Month => (y, m),
                PeriodKind::Quarter => (y, m.div_ceil(3)),
                PeriodKind::Year => (y, 0),
            }
        }
    };
    if !(2000..=2100).contains(&year) {
        return Err(CmdError::invalid("Năm báo cáo không hợp lệ."));
    }
    let (from, to) = period(kind, year, n, cut);
    Ok(Period {
        kind,
        year,
        n,
        from,
        to,
        label: period_label(kind, year, n, from, to),
    })
}

/// The period of a kind and number; with no year, the current one of that kind.
pub async fn report_period(
    state: &AppState,
    kind: Option<PeriodKind>,
    year: Option<i32>,
    n: Option<u32>,
) -> CmdResult<Period> {
    state.with(|s| resolve(&s.store, kind.unwrap_or(PeriodKind::Month), year, n))
}

/// The report of a period as the screen shows it: the sections of the exported report, in
/// its order, and the province's table by station.
pub async fn report(state: &AppState, kind: PeriodKind, year: i32, n: u32) -> CmdResult<ReportDoc> {
    state.with(|s| build_doc(s, kind, year, n))
}

fn check_range(from: i64, to: i64) -> CmdResult<()> {
    if to <= from {
        return Err(CmdError::invalid(
            "Khoảng thời gian không hợp lệ: ngày kết thúc phải sau ngày bắt đầu.",
        ));
    }
    Ok(())
}

pub async fn stats(state: &AppState, from: i64, to: i64) -> CmdResult<Stats> {
    check_range(from, to)?;
    state.with(|s| Ok(s.store.stats(&s.actor, from, to)?))
}

pub async fn hotspots(state: &AppState, from: i64, to: i64) -> CmdResult<Hotspots> {
    check_range(from, to)?;
    state.with(|s| Ok(s.store.hotspots(&s.actor, from, to)?))
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportResult {
    pub path: String,
}

/// A file name in the export folder that does not overwrite an earlier export.
fn free_path(dir: &Path, stem: &str, ext: &str) -> CmdResult<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CmdError::other(format!(
            "Không tạo được thư mục xuất {}: {e}. Kiểm tra quyền ghi hoặc đổi thư mục.",
            dir.display()
        ))
    })?;
    let mut p = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while p.exists() {
        p = dir.join(format!("{stem}-{n}.{ext}"));
        n += 1;
    }
    Ok(p)
}

fn build_doc(s: &mut Session, kind: PeriodKind, year: i32, n: u32) -> CmdResult<ReportDoc> {
    let p = resolve(&s.store, kind, Some(year), Some(n))?;
    let stats = s.store.stats(&s.actor, p.from, p.to)?;
    let stem = match kind {
        PeriodKind::Month => format!("bao-cao-thang-{year}-{n:02}"),
        PeriodKind::Quarter => format!("bao-cao-quy-{year}-{n}"),
        PeriodKind::Year => format!("bao-cao-nam-{year}"),
    };
    report::build(&s.store, &s.actor, &stats, &p.label, &stem)
}

fn export(
    state: &AppState,
    kind: PeriodKind,
    year: i32,
    n: u32,
    ext: &str,
) -> CmdResult<ExportResult> {
    state.with(|s| {
        let doc = build_doc(s, kind, year, n)?;
        let path = free_path(&state.export_dir, &doc.file_stem, ext)?;
        let bytes = match ext {
            "xlsx" => report::to_xlsx(&doc)?,
            _ => report::to_pdf(&doc)?,
        };
        std::fs::write(&path, bytes)?;
        s.store.audit(
            &s.actor,
            "exported",
            Some(&path.display().to_string()),
            Some(ext),
        )?;
        Ok(ExportResult {
            path: path.display().to_string(),
        })
    })
}

pub async fn export_stats_xlsx(
    state: &AppState,
    kind: PeriodKind,
    year: i32,
    n: u32,
) -> CmdResult<ExportResult> {
    export(state, kind, year, n, "xlsx")
}

pub async fn export_stats_pdf(
    state: &AppState,
    kind: PeriodKind,
    year: i32,
    n: u32,
) -> CmdResult<ExportResult> {
    export(state, kind, year, n, "pdf")
}

/// The register as CSV for Excel; the reporter only when an authorised user asks on purpose
/// (the core checks and audits).
pub async fn export_register_csv(
    state: &AppState,
    include_reporter: bool,
) -> CmdResult<ExportResult> {
    state.with(|s| {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M");
        let path = free_path(&state.export_dir, &format!("so-tiep-nhan-{stamp}"), "csv")?;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        s.store.export_csv(&s.actor, include_reporter, &mut out)?;
        use std::io::Write;
        out.flush()?;
        Ok(ExportResult {
            path: path.display().to_string(),
        })
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupFile {
    pub name: String,
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub modified: i64,
}

fn backup_dir(state: &AppState) -> PathBuf {
    state.export_dir.join("sao-luu")
}

/// An encrypted copy of the register (same key). The key file stays in the data folder: a copy
/// of it in Documents would let a disabled officer's old password open every later backup.
pub async fn backup(state: &AppState) -> CmdResult<ExportResult> {
    state.with(|s| {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let dir = backup_dir(state);
        let path = free_path(&dir, &format!("tinbao-sao-luu-{stamp}"), "db")?;
        s.store.backup(&s.actor, &path)?;
        Ok(ExportResult {
            path: path.display().to_string(),
        })
    })
}

fn list_backups(dir: &Path) -> CmdResult<Vec<BackupFile>> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().and_then(|x| x.to_str()) != Some("db") {
                continue;
            }
            let md = e.metadata()?;
            let modified = md
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            out.push(BackupFile {
                name: e.file_name().to_string_lossy().into_owned(),
                path: p.display().to_string(),
                size: md.len(),
                modified,
            });
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.modified));
    Ok(out)
}

pub async fn backups(state: &AppState) -> CmdResult<Vec<BackupFile>> {
    state.with(|_| list_backups(&backup_dir(state)))
}

/// A backup of the app's own: a file inside its backup folder. The path is resolved first, so
/// one that starts with the folder and leaves it (`…/sao-luu/../x.db`) is refused.
fn backup_in_folder(dir: &Path, path: &str) -> CmdResult<PathBuf> {
    let refused =
        || CmdError::invalid("Chỉ khôi phục được bản sao lưu trong thư mục sao lưu của ứng dụng.");
    let file = std::fs::canonicalize(path).map_err(|_| {
        CmdError::new(
            ErrorKind::NotFound,
            format!("Không tìm thấy bản sao lưu {path}."),
        )
    })?;
    let dir = std::fs::canonicalize(dir).map_err(|_| refused())?;
    if file.starts_with(&dir) && file.is_file() {
        Ok(file)
    } else {
        Err(refused())
    }
}

/// What a restore did: the core's check of the backup, and the officers of the restored
/// register who cannot log in on this PC (this PC's key copies are kept, not the backup's:
/// an account added since, or disabled since, has none), so the chief knows whom to give a
/// new password.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RestoreResult {
    pub report: VerifyReport,
    pub without_key: Vec<String>,
}

fn restore_result(
    state: &AppState,
    store: &Store,
    report: VerifyReport,
) -> CmdResult<RestoreResult> {
    let ring = state.keyring();
    let mut without_key = Vec::new();
    for u in store.users()? {
        if u.active && !ring.has_user(&u.username)? {
            without_key.push(u.username);
        }
    }
    Ok(RestoreResult {
        report,
        without_key,
    })
}

/// When the register's file is damaged no one can log in, so the restore of Settings (a
/// chief's, in a session) cannot be reached. These two take the chief's name and password
/// instead: the password must unlock this PC's copy of the key, the current file must really be
/// damaged, and (for the restore) the backup's own accounts must make that user a chief.
fn damaged_key(state: &AppState, username: &str, password: &str) -> CmdResult<DbKey> {
    if !state.initialized() {
        return Err(CmdError::new(
            ErrorKind::NotInitialized,
            "Máy này chưa được thiết lập.",
        ));
    }
    let key = state
        .keyring()
        .unwrap(&normalize_username(username), password)?;
    match Store::open(state.db_path(), &key.sqlcipher_key()) {
        Err(tinbao_core::Error::Damaged) => Ok(key),
        Ok(_) => Err(CmdError::invalid(
            "Cơ sở dữ liệu không bị hỏng: hãy đăng nhập, rồi khôi phục trong Cài đặt nếu cần.",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The backups a damaged register can be restored from.
pub async fn damaged_backups(
    state: &AppState,
    username: String,
    password: String,
) -> CmdResult<Vec<BackupFile>> {
    damaged_key(state, &username, &password)?;
    list_backups(&backup_dir(state))
}

/// Restores a backup over a damaged register, for a chief of that backup.
pub async fn restore_damaged(
    state: &AppState,
    username: String,
    password: String,
    path: String,
) -> CmdResult<RestoreResult> {
    let backup = backup_in_folder(&backup_dir(state), &path)?;
    let key = damaged_key(state, &username, &password)?;
    let sk = key.sqlcipher_key();
    let user = normalize_username(&username);
    // Who may restore is decided by the backup's accounts, read from a copy: opening a register
    // may upgrade its schema, and the backup stays as it was made.
    let probe = state.data_dir.join("khoi-phuc-kiem-tra.db");
    let remove_probe = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", probe.display()));
        }
    };
    remove_probe();
    std::fs::copy(&backup, &probe)?;
    let role = Store::open(&probe, &sk).and_then(|mut s| s.login(&user, &password));
    remove_probe();
    if role?.role != tinbao_core::Role::Chief {
        return Err(CmdError::new(
            ErrorKind::Forbidden,
            "Chỉ trưởng Công an được khôi phục dữ liệu.",
        ));
    }
    let report = Store::restore(&backup, &state.db_path(), &sk)?;
    let mut store = Store::open(state.db_path(), &sk)?;
    let actor = store.login(&user, &password)?;
    store.audit(&actor, "restore_damaged", Some(&path), None)?;
    restore_result(state, &store, report)
}

/// Restores a backup of this register. The core checks the whole backup before anything is
/// replaced; afterwards the session is locked so that the restored accounts apply.
pub async fn restore(state: &AppState, path: String) -> CmdResult<RestoreResult> {
    restore_here(state, &path)
}

fn restore_here(state: &AppState, path: &str) -> CmdResult<RestoreResult> {
    let backup = backup_in_folder(&backup_dir(state), path)?;
    let (key, user) = state.with(|s| {
        if s.actor.role != tinbao_core::Role::Chief {
            return Err(CmdError::new(
                crate::state::ErrorKind::Forbidden,
                "Chỉ trưởng Công an được khôi phục dữ liệu.",
            ));
        }
        s.store
            .audit(&s.actor, "restore_started", Some(path), None)?;
        Ok((s.key.clone(), s.actor.username.clone()))
    })?;
    // The register must be closed while its file is replaced.
    state.lock();
    let sk = key.sqlcipher_key();
    let report = Store::restore(&backup, &state.db_path(), &sk)?;
    // The restore is written into the restored register too, or it would leave no trace there.
    let mut store = Store::open(state.db_path(), &sk)?;
    let system = tinbao_core::system_actor(store.scope());
    store.audit(&system, "restore_done", Some(path), Some(&user))?;
    restore_result(state, &store, report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backup holds no key file; a restore keeps this PC's key copies, so an officer
    /// disabled after the backup (their copy removed) does not come back through it, and the
    /// chief is told who cannot log in.
    #[test]
    fn a_restore_keeps_this_pcs_key_copies_and_names_who_cannot_log_in() {
        let dir = tempfile::tempdir().unwrap();
        let (mut state, session) = crate::commands::session::chief_of_a_test_station(dir.path());
        state.export_dir = dir.path().join("xuat");
        state.start(session);
        let officer = state
            .with(|s| {
                let actor = s.actor.clone();
                let u = s.store.create_user(
                    Some(&actor),
                    tinbao_core::NewUser {
                        username: "canbo.cu".into(),
                        full_name: "Cán bộ cũ".into(),
                        rank: None,
                        role: tinbao_core::Role::Officer,
                        password: "matkhau-cu-1".into(),
                    },
                )?;
                state.keyring().wrap("canbo.cu", "matkhau-cu-1", &s.key)?;
                Ok(u)
            })
            .unwrap();
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let folder = backup_dir(&state);
        let path = free_path(&folder, &format!("tinbao-sao-luu-{stamp}"), "db").unwrap();
        state
            .with(|s| Ok(s.store.backup(&s.actor, &path)?))
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(files.iter().all(|f| !f.contains("keys")), "{files:?}");

        crate::commands::admin::set_user_active_here(&state, officer.id, false).unwrap();
        let r = restore_here(&state, path.to_str().unwrap()).unwrap();
        assert_eq!(r.without_key, vec!["canbo.cu".to_string()]);
        assert!(state.keyring().unwrap("canbo.cu", "matkhau-cu-1").is_err());
        let s = crate::commands::session::open_session(&state, "truong", "matkhau-truong").unwrap();
        let actions: Vec<String> = s
            .store
            .audit_log(&s.actor, 20)
            .unwrap()
            .into_iter()
            .map(|a| a.action)
            .collect();
        assert!(actions.contains(&"restore_done".to_string()), "{actions:?}");
    }

    #[test]
    fn only_a_file_inside_the_backup_folder_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("sao-luu");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("a.db"), b"x").unwrap();
        std::fs::write(dir.path().join("ngoai.db"), b"x").unwrap();
        let inside = folder.join("a.db");
        assert_eq!(
            backup_in_folder(&folder, inside.to_str().unwrap()).unwrap(),
            std::fs::canonicalize(&inside).unwrap()
        );
        let kind = |p: &Path| {
            backup_in_folder(&folder, p.to_str().unwrap())
                .unwrap_err()
                .kind
        };
        assert_eq!(kind(&folder.join("../ngoai.db")), ErrorKind::Invalid);
        assert_eq!(kind(&dir.path().join("ngoai.db")), ErrorKind::Invalid);
        assert_eq!(kind(&folder), ErrorKind::Invalid);
        assert_eq!(kind(&folder.join("khong-co.db")), ErrorKind::NotFound);
    }
}
