//! The app binary without a window, for preparing a PC or a demo from a script:
//!
//! ```text
//! tinbao-desktop --data-dir DIR --user truong [--setup-station 01843 --full-name "…"] --import cases.jsonl
//! tinbao-desktop --data-dir DIR --user giamsat --setup-province 66 --full-name "…"
//! ```
//!
//! The password comes from TINBAO_PASSWORD (not the command line, which other users can
//! read). With `--setup-station` (a station's PC, first account the chief) or `--setup-province`
//! (a provincial supervisor's laptop, first account the supervisor) on a fresh data folder it
//! makes the register exactly as the first-run screen does (the same code: a random key wrapped
//! by the first user's password); `--import` then loads
//! JSON Lines or CSV through the core's import. It prints one JSON line and exits.
use crate::commands::session::{SetupInput, SetupUnit, create_register};
use crate::keyring::Keyring;
use crate::state::{DB_FILE, data_dir_from};
use std::path::{Path, PathBuf};
use tinbao_core::{NewUser, Role, Store};

fn arg(args: &[String], name: &str) -> Option<String> {
    let eq = format!("{name}=");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix(&eq) {
            return Some(v.to_owned());
        }
        if a == name {
            return it.next().cloned();
        }
    }
    None
}

/// Runs the headless mode if the arguments ask for it; returns the process exit code.
pub fn run_from_args() -> Option<i32> {
    let args: Vec<String> = std::env::args().collect();
    if arg(&args, "--import").is_none()
        && arg(&args, "--setup-station").is_none()
        && arg(&args, "--setup-province").is_none()
    {
        return None;
    }
    Some(match run(&args) {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    })
}

fn run(args: &[String]) -> Result<serde_json::Value, String> {
    let default = PathBuf::from("tinbao-data");
    let data_dir = data_dir_from(args, std::env::var("TINBAO_DATA_DIR").ok(), &default);
    let user = arg(args, "--user").ok_or("Thiếu --user (tên đăng nhập).")?;
    let password = std::env::var("TINBAO_PASSWORD")
        .map_err(|_| "Đặt mật khẩu trong biến môi trường TINBAO_PASSWORD.")?;
    let ring = Keyring::new(&data_dir);
    let db = data_dir.join(DB_FILE);
    let mut out = serde_json::Map::new();
    let unit = match (arg(args, "--setup-station"), arg(args, "--setup-province")) {
        (Some(_), Some(_)) => {
            return Err("Chọn một trong --setup-station hoặc --setup-province.".into());
        }
        (Some(code), None) => Some((SetupUnit::Station(code.clone()), code, Role::Chief)),
        (None, Some(code)) => Some((SetupUnit::Province(code.clone()), code, Role::Supervisor)),
        (None, None) => None,
    };
    let (mut store, actor) = if let Some((unit, code, role)) = unit {
        if db.exists() {
            return Err(format!(
                "Đã có cơ sở dữ liệu tại {}; bỏ --setup-station/--setup-province.",
                db.display()
            ));
        }
        let default_name = if role == Role::Chief {
            "Trưởng Công an"
        } else {
            "Cán bộ kiểm tra cấp tỉnh"
        };
        let full_name = arg(args, "--full-name").unwrap_or_else(|| default_name.to_owned());
        let session = create_register(
            &data_dir,
            SetupInput {
                unit,
                first_user: NewUser {
                    username: user.clone(),
                    full_name,
                    rank: None,
                    role,
                    password: password.clone(),
                },
            },
        )
        .map_err(|e| e.message)?;
        out.insert("created".into(), code.into());
        (session.store, session.actor)
    } else {
        let key = ring.unwrap(&user, &password).map_err(|e| e.to_string())?;
        let mut store = Store::open(&db, &key.sqlcipher_key()).map_err(|e| e.to_string())?;
        let actor = store.login(&user, &password).map_err(|e| e.to_string())?;
        (store, actor)
    };
    if let Some(file) = arg(args, "--import") {
        let started = std::time::Instant::now();
        let f = std::fs::File::open(&file).map_err(|e| format!("Không mở được {file}: {e}"))?;
        let mut tick = |_: u64| {};
        let report = if Path::new(&file).extension().and_then(|e| e.to_str()) == Some("csv") {
            store.import_csv(&actor, f, &mut tick)
        } else {
            store.import_jsonl(&actor, f, &mut tick)
        }
        .map_err(|e| e.to_string())?;
        out.insert("lines".into(), report.lines.into());
        out.insert("imported".into(), report.imported.into());
        out.insert("already_present".into(), report.already_present.into());
        out.insert("rejected".into(), report.rejected.len().into());
        if let Some(r) = report.rejected.first() {
            out.insert(
                "first_rejection".into(),
                format!("dòng {}: {}", r.line, r.reason).into(),
            );
        }
        out.insert("seconds".into(), started.elapsed().as_secs_f64().into());
    }
    Ok(serde_json::Value::Object(out))
}
