//! The command line of `tinbao-server`, in the library so that test harnesses can run the very
//! same program as a separate process. Exit status, as for `tinbao`: 0 success, 1 the input was
//! refused (unknown code, unregistered station, unknown device), 2 an error (usage, files, TLS,
//! database).
use crate::{DataDir, ServerError, admin, router};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Parser)]
#[command(
    name = "tinbao-server",
    version,
    about = "Máy chủ đồng bộ cấp tỉnh của tinbao"
)]
struct Cli {
    /// Data directory (database, certificate, attachments).
    #[arg(long, global = true, default_value = "tinbao-server-data")]
    data: PathBuf,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create the data directory, its database and a self-signed certificate.
    Init {
        /// Extra host names or IP addresses for the certificate (localhost is always in it).
        #[arg(long = "name")]
        names: Vec<String>,
        /// Use this certificate (PEM) instead of a self-signed one; needs --key.
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Run the server.
    Serve {
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: SocketAddr,
        /// Requests per second allowed per client address (average).
        #[arg(long, default_value_t = router::Limits::default().per_second)]
        rate: u64,
        /// Requests allowed per client address in a burst.
        #[arg(long, default_value_t = router::Limits::default().burst)]
        burst: u32,
        /// Seconds a client may take to send a request's headers or its whole body before the
        /// server answers 408 and closes the connection.
        #[arg(long, default_value_t = router::Limits::default().body_timeout.as_secs(),
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        body_timeout: u64,
    },
    /// Manage stations.
    Station {
        #[command(subcommand)]
        cmd: StationCmd,
    },
    /// Manage users known to the server.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Issue a one-time enrolment code for a station's device or a supervisor's device.
    EnrolCode(EnrolCodeArgs),
    /// Manage enrolled devices.
    Device {
        #[command(subcommand)]
        cmd: DeviceCmd,
    },
    /// Print the administrator's token for GET /metrics (send it as "Authorization: Bearer
    /// TOKEN"; kept in the data directory's metrics.token, owner-only). /metrics refuses
    /// requests without it.
    MetricsToken,
    /// Delete the unfinished attachment uploads untouched for longer than --older-than-hours
    /// (serve does this for a day's age at start and every hour); prints how many.
    SweepUploads {
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=8760))]
        older_than_hours: u64,
    },
    /// List the devices whose audit log (who saw a reporter, exported, printed…) no longer
    /// extends what the province had seen: entries deleted or rewritten on the PC.
    AuditAlarms,
    /// The province's holiday calendar, sent to every station with its next sync.
    Holiday {
        #[command(subcommand)]
        cmd: HolidayCmd,
    },
    /// The province's deadline rules, each version dated with the day it takes effect; sent to
    /// every station with its next sync.
    Rule {
        #[command(subcommand)]
        cmd: RuleCmd,
    },
    /// The province's remote, isolated or island communes (48 hours to transfer a crime report
    /// instead of 24); sent to the station with its next sync.
    Remote {
        #[command(subcommand)]
        cmd: RemoteCmd,
    },
    /// A station's register numbers of a year as the province knows them: used ranges, and
    /// every number leased and not used, handed back, or used outside a lease, with its device.
    Numbers {
        #[arg(long)]
        station: String,
        #[arg(long)]
        year: i32,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DayKind {
    /// A day off (public holiday, Tết, a day swapped off).
    #[value(name = "day_off")]
    DayOff,
    /// A Saturday or Sunday worked in exchange for a day off.
    #[value(name = "workday")]
    Workday,
}

#[derive(Clone, Copy, ValueEnum)]
enum RuleUnit {
    #[value(name = "hours")]
    Hours,
    #[value(name = "days")]
    Days,
    #[value(name = "working_days")]
    WorkingDays,
    #[value(name = "minutes")]
    Minutes,
}

impl RuleUnit {
    fn as_str(self) -> &'static str {
        match self {
            RuleUnit::Hours => "hours",
            RuleUnit::Days => "days",
            RuleUnit::WorkingDays => "working_days",
            RuleUnit::Minutes => "minutes",
        }
    }
}

#[derive(Subcommand)]
enum HolidayCmd {
    /// Add (or correct) one day of the calendar.
    Add {
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value = "day_off")]
        kind: DayKind,
        /// The decision the day comes from.
        #[arg(long, default_value = "")]
        basis: String,
        /// The province (code) whose calendar this is.
        #[arg(long)]
        province: String,
        /// The day this entry takes effect (YYYY-MM-DD); today when left out.
        #[arg(long)]
        effective_from: Option<String>,
    },
    /// List the calendar's days as the province issued them.
    List {
        #[arg(long)]
        province: Option<String>,
    },
}

#[derive(Subcommand)]
enum RuleCmd {
    /// List the rule versions the province issued.
    List {
        #[arg(long)]
        province: Option<String>,
    },
    /// Set a rule from a date: cases received from that day follow it, older ones keep theirs.
    Set {
        /// The rule's code (crime_transfer, admin_record, admin_decision…).
        code: String,
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        amount: i64,
        #[arg(long, value_enum)]
        unit: RuleUnit,
        /// The amount for remote, isolated or island communes.
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        remote_amount: Option<i64>,
        /// The legal basis (law, article, decision).
        #[arg(long)]
        basis: String,
        /// The day the version takes effect, YYYY-MM-DD.
        #[arg(long)]
        effective_from: String,
        /// The rule's Vietnamese label, when it changes.
        #[arg(long)]
        label: Option<String>,
        /// The province (code); may be left out when the server serves one province.
        #[arg(long)]
        province: Option<String>,
    },
}

#[derive(Subcommand)]
enum RemoteCmd {
    /// Mark a commune remote from a date (or, with --not, no longer remote).
    Set {
        /// The commune/ward code of the station.
        #[arg(long)]
        station: String,
        /// The commune is no longer remote from that date.
        #[arg(long)]
        not: bool,
        /// The decision it comes from.
        #[arg(long, default_value = "")]
        basis: String,
        /// The day it takes effect (YYYY-MM-DD); today when left out.
        #[arg(long)]
        effective_from: Option<String>,
    },
    /// List the communes the province marked, with their dates.
    List {
        #[arg(long)]
        province: Option<String>,
    },
}

/// A reference list as text: its header and one line a version, or what applies when the
/// province has issued none.
fn versions_text(
    list: &[crate::reference_data::Version],
    none: &str,
    header: &str,
    line: fn(&crate::reference_data::Version) -> String,
) -> String {
    if list.is_empty() {
        return none.to_string();
    }
    let mut text = String::from(header);
    for v in list {
        text.push('\n');
        text.push_str(&line(v));
    }
    text
}

fn remote_line(v: &crate::reference_data::Version) -> String {
    let remote = v.value.get("remote") == Some(&serde_json::Value::Bool(true));
    let name = crate::units::AdminUnits::get()
        .commune_name(&v.key)
        .unwrap_or("");
    format!(
        "{}\t{name}\t{}\t{}\t{}\t{}",
        v.key,
        if remote && !v.retired {
            "vùng sâu, vùng xa"
        } else {
            "không"
        },
        dmy(&v.effective_from),
        v.province,
        v.value.get("basis").and_then(|b| b.as_str()).unwrap_or("")
    )
}

fn dmy(d: &str) -> String {
    match (d.get(0..4), d.get(5..7), d.get(8..10)) {
        (Some(y), Some(m), Some(dd)) => format!("{dd}/{m}/{y}"),
        _ => d.to_string(),
    }
}

fn unit_vi(u: &str) -> &str {
    match u {
        "hours" => "giờ",
        "days" => "ngày",
        "working_days" => "ngày làm việc",
        "minutes" => "phút",
        other => other,
    }
}

fn rule_line(v: &crate::reference_data::Version) -> String {
    let x = &v.value;
    let amount = x.get("amount").map(|a| a.to_string()).unwrap_or_default();
    let unit = unit_vi(x.get("unit").and_then(|u| u.as_str()).unwrap_or(""));
    let remote = x
        .get("remote_amount")
        .and_then(|r| r.as_i64())
        .map_or("-".to_string(), |r| format!("{r} {unit}"));
    let basis = x.get("basis").and_then(|b| b.as_str()).unwrap_or("");
    format!(
        "{}\t{amount} {unit}\t{remote}\t{}{}\t{}\t{basis}",
        v.key,
        dmy(&v.effective_from),
        if v.retired { " (bãi bỏ)" } else { "" },
        v.province
    )
}

fn holiday_line(v: &crate::reference_data::Version) -> String {
    let s = |k: &str| {
        v.value
            .get(k)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .to_string()
    };
    let kind = if s("kind") == "workday" {
        "làm bù"
    } else {
        "nghỉ"
    };
    format!(
        "{}\t{}\t{kind}\t{}\t{}\t{}",
        dmy(&v.key),
        s("name"),
        dmy(&v.effective_from),
        v.province,
        s("basis")
    )
}

#[derive(Subcommand)]
enum StationCmd {
    /// Register a station by its official commune/ward code.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// List registered stations.
    List,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Register a user (officer/chief of a station, supervisor/admin of a province).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long, conflicts_with = "province")]
        station: Option<String>,
        #[arg(long)]
        province: Option<String>,
        /// The user's id as created in the app, to register an existing account.
        #[arg(long)]
        id: Option<Uuid>,
    },
}

#[derive(Args)]
struct EnrolCodeArgs {
    #[command(flatten)]
    target: EnrolTarget,
    /// Hours the code stays valid (1 to 720, i.e. at most 30 days).
    #[arg(long, default_value_t = 72, value_parser = clap::value_parser!(u64).range(1..=720))]
    valid_hours: u64,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct EnrolTarget {
    /// A station's device (commune/ward code).
    #[arg(long)]
    station: Option<String>,
    /// A supervisor's device for the whole province (province code).
    #[arg(long)]
    province: Option<String>,
}

#[derive(Subcommand)]
enum DeviceCmd {
    List,
    /// Revoke a device at once (a stolen laptop).
    Revoke {
        id: Uuid,
    },
    /// Lift a revocation (the device may enrol again with a new code); logged.
    Unrevoke {
        id: Uuid,
    },
}

fn fmt_ms(ms: Option<u64>) -> String {
    match ms {
        None => "-".into(),
        Some(ms) => {
            let secs = ms / 1000;
            // UTC, ISO-like; the administrator's terminal has no locale we can trust.
            let days = secs / 86_400;
            let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
            let (y, mo, d) = civil_from_days(days as i64);
            format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
        }
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn scope_text(s: &tinbao_sync::protocol::DeviceScope) -> String {
    match s {
        tinbao_sync::protocol::DeviceScope::Station { station, .. } => format!("xã {station}"),
        tinbao_sync::protocol::DeviceScope::Province { province } => format!("tỉnh {province}"),
    }
}

fn run(cli: Cli) -> Result<(), ServerError> {
    let data = DataDir(cli.data.clone());
    let json = cli.json;
    let out = |v: serde_json::Value, text: String| {
        if json {
            println!("{v}");
        } else {
            println!("{text}");
        }
    };
    let to_json = |v: &dyn erased::Ser| v.to_value();
    match cli.cmd {
        Cmd::Init { names, cert, key } => {
            let pair = cert.as_deref().zip(key.as_deref());
            let r = admin::init(&data, &names, pair)?;
            out(
                to_json(&r),
                format!(
                    "Đã khởi tạo {}.\nDấu vân tay chứng chỉ (SHA-256): {}\nChạy máy chủ: tinbao-server --data {} serve",
                    r.data, r.fingerprint, r.data
                ),
            );
        }
        Cmd::Serve {
            listen,
            rate,
            burst,
            body_timeout,
        } => {
            init_logs();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| ServerError::Invalid(format!("không khởi động được: {e}")))?;
            rt.block_on(crate::serve(
                &data,
                listen,
                router::Limits {
                    per_second: rate,
                    burst,
                    body_timeout: std::time::Duration::from_secs(body_timeout),
                },
            ))?;
        }
        Cmd::Station { cmd } => match cmd {
            StationCmd::Add { code, name } => {
                let r = admin::station_add(&data, &code, name.as_deref())?;
                let text = if r.created {
                    format!(
                        "Đã thêm đơn vị {} ({}), tỉnh {}.",
                        r.station.code, r.station.name, r.station.province
                    )
                } else {
                    format!("Đơn vị {} đã có sẵn ({}).", r.station.code, r.station.name)
                };
                out(to_json(&r), text);
            }
            StationCmd::List => {
                let list = data.open()?.stations()?;
                let text = list
                    .iter()
                    .map(|s| format!("{}\t{}\t{}", s.code, s.province, s.name))
                    .collect::<Vec<_>>()
                    .join("\n");
                out(to_json(&list), text);
            }
        },
        Cmd::User {
            cmd:
                UserCmd::Add {
                    name,
                    role,
                    station,
                    province,
                    id,
                },
        } => {
            let u = admin::user_add(
                &data,
                id,
                &name,
                &role,
                station.as_deref(),
                province.as_deref(),
            )?;
            let text = format!("Đã thêm người dùng {} ({}), mã {}.", u.name, u.role, u.id);
            out(to_json(&u), text);
        }
        Cmd::EnrolCode(a) => {
            let c = admin::enrol_code(
                &data,
                a.target.station.as_deref(),
                a.target.province.as_deref(),
                a.valid_hours,
            )?;
            let text = format!(
                "Mã đăng ký một lần cho {} (hết hạn {}):\n{}",
                scope_text(&c.scope),
                fmt_ms(Some(c.expires_ms)),
                c.code
            );
            out(to_json(&c), text);
        }
        Cmd::AuditAlarms => {
            let list = admin::audit_alarms(&data)?;
            let mut text = if list.is_empty() {
                String::from("Không có cảnh báo nào về nhật ký truy cập của các thiết bị.")
            } else {
                String::from("THỜI GIAN	MÃ THIẾT BỊ	PHÁT HIỆN")
            };
            for a in &list {
                text.push_str(&format!(
                    "\n{}\t{}\t{}",
                    fmt_ms(Some(a.at_ms)),
                    a.device,
                    a.detail
                ));
            }
            out(to_json(&list), text);
        }
        Cmd::SweepUploads { older_than_hours } => {
            let removed = admin::sweep_uploads(
                &data,
                std::time::Duration::from_secs(older_than_hours * 3600),
            )?;
            out(
                serde_json::json!({ "removed": removed }),
                format!(
                    "Đã xoá {removed} tệp đính kèm gửi dở quá {older_than_hours} giờ không được gửi tiếp."
                ),
            );
        }
        Cmd::Holiday { cmd } => match cmd {
            HolidayCmd::Add {
                date,
                name,
                kind,
                basis,
                province,
                effective_from,
            } => {
                let kind = match kind {
                    DayKind::DayOff => "day_off",
                    DayKind::Workday => "workday",
                };
                let r = crate::reference_data::holiday_add(
                    &data,
                    &province,
                    &date,
                    &name,
                    kind,
                    &basis,
                    effective_from.as_deref(),
                )?;
                let text = format!(
                    "Đã ghi ngày {} ({}) vào lịch nghỉ của tỉnh {}, áp dụng từ {}; các công an xã nhận ở lần đồng bộ sau (số thứ tự {}).",
                    dmy(&r.version.key),
                    name.trim(),
                    r.version.province,
                    dmy(&r.version.effective_from),
                    r.version.seq
                );
                out(to_json(&r), text);
            }
            HolidayCmd::List { province } => {
                let list = crate::reference_data::list(&data, "holiday", province.as_deref())?;
                let text = versions_text(
                    &list,
                    "Tỉnh chưa ban hành ngày nghỉ nào; các máy dùng lịch nghỉ kèm phần mềm.",
                    "NGÀY\tTÊN\tLOẠI\tÁP DỤNG TỪ\tTỈNH\tCĂN CỨ",
                    holiday_line,
                );
                out(to_json(&list), text);
            }
        },
        Cmd::Rule { cmd } => match cmd {
            RuleCmd::List { province } => {
                let list =
                    crate::reference_data::list(&data, "deadline_rule", province.as_deref())?;
                let text = versions_text(
                    &list,
                    "Tỉnh chưa ban hành quy định thời hạn nào; các máy dùng quy định kèm phần mềm.",
                    "MÃ\tTHỜI HẠN\tXÃ VÙNG SÂU\tÁP DỤNG TỪ\tTỈNH\tCĂN CỨ",
                    rule_line,
                );
                out(to_json(&list), text);
            }
            RuleCmd::Set {
                code,
                amount,
                unit,
                remote_amount,
                basis,
                effective_from,
                label,
                province,
            } => {
                let r = crate::reference_data::rule_set(
                    &data,
                    province.as_deref(),
                    &code,
                    amount,
                    unit.as_str(),
                    remote_amount,
                    &basis,
                    label.as_deref(),
                    &effective_from,
                )?;
                let text = format!(
                    "Đã ghi quy định {}: {} {}, áp dụng từ {} cho hồ sơ tiếp nhận từ ngày đó (tỉnh {}); các công an xã nhận ở lần đồng bộ sau (số thứ tự {}).",
                    code,
                    amount,
                    unit_vi(unit.as_str()),
                    dmy(&effective_from),
                    r.version.province,
                    r.version.seq
                );
                out(to_json(&r), text);
            }
        },
        Cmd::Remote { cmd } => match cmd {
            RemoteCmd::Set {
                station,
                not,
                basis,
                effective_from,
            } => {
                let r = crate::reference_data::remote_set(
                    &data,
                    &station,
                    !not,
                    &basis,
                    effective_from.as_deref(),
                )?;
                let text = format!(
                    "Đã ghi xã {station} {} từ {} (tỉnh {}): thời hạn chuyển Cơ quan điều tra {}; công an xã nhận ở lần đồng bộ sau (số thứ tự {}).",
                    if not {
                        "không còn là xã vùng sâu, vùng xa"
                    } else {
                        "là xã vùng sâu, vùng xa"
                    },
                    dmy(&r.version.effective_from),
                    r.version.province,
                    if not { "24 giờ" } else { "48 giờ" },
                    r.version.seq
                );
                out(to_json(&r), text);
            }
            RemoteCmd::List { province } => {
                let list =
                    crate::reference_data::list(&data, "remote_station", province.as_deref())?;
                let text = versions_text(
                    &list,
                    "Tỉnh chưa đặt xã vùng sâu, vùng xa nào.",
                    "MÃ XÃ\tTÊN\tVÙNG SÂU\tÁP DỤNG TỪ\tTỈNH\tCĂN CỨ",
                    remote_line,
                );
                out(to_json(&list), text);
            }
        },
        Cmd::Numbers { station, year } => {
            let l = admin::number_ledger(&data, &station, year)?;
            let used: Vec<String> = l
                .used
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}–{b}")
                    }
                })
                .collect();
            let mut text = format!(
                "Số đã dùng năm {year}: {}",
                if used.is_empty() {
                    "không có".into()
                } else {
                    used.join(", ")
                }
            );
            if !l.entries.is_empty() {
                text.push_str("\nSỐ\tTÌNH TRẠNG\tTHIẾT BỊ\tTỪ LÚC");
            }
            for e in &l.entries {
                let state = match e.state {
                    tinbao_sync::protocol::NumberState::Leased => "đã cấp, chưa dùng",
                    tinbao_sync::protocol::NumberState::Returned => "đã trả lại",
                    tinbao_sync::protocol::NumberState::Unleased => "dùng ngoài số được cấp",
                };
                text.push_str(&format!(
                    "\n{}\t{state}\t{} ({})\t{}",
                    e.seq,
                    e.device_name,
                    e.device,
                    fmt_ms(Some(e.at_ms))
                ));
            }
            out(to_json(&l), text);
        }
        Cmd::MetricsToken => {
            let t = data.metrics_token()?;
            out(serde_json::json!({ "token": t }), t.clone());
        }
        Cmd::Device { cmd } => match cmd {
            DeviceCmd::List => {
                let list = admin::device_list(&data)?;
                let mut text =
                    String::from("MÃ THIẾT BỊ\tTÊN\tPHẠM VI\tĐĂNG KÝ\tLẦN CUỐI\tTHU HỒI");
                for d in &list {
                    text.push_str(&format!(
                        "\n{}\t{}\t{}\t{}\t{}\t{}",
                        d.id,
                        d.name,
                        scope_text(&d.scope),
                        fmt_ms(Some(d.enrolled_ms)),
                        fmt_ms(d.last_seen_ms),
                        fmt_ms(d.revoked_ms)
                    ));
                }
                out(to_json(&list), text);
            }
            DeviceCmd::Revoke { id } => {
                init_logs();
                let d = admin::device_revoke(&data, id)?;
                out(
                    to_json(&d),
                    format!("Đã thu hồi thiết bị {} ({}).", d.id, d.name),
                );
            }
            DeviceCmd::Unrevoke { id } => {
                init_logs();
                let d = admin::device_unrevoke(&data, id)?;
                out(
                    to_json(&d),
                    format!("Đã gỡ thu hồi thiết bị {} ({}).", d.id, d.name),
                );
            }
        },
    }
    Ok(())
}

/// Structured JSON logs on stderr; `RUST_LOG` narrows them.
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

mod erased {
    /// Lets `run` turn any of its results into JSON through one closure.
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            } else {
                eprintln!("Lỗi: {e}");
            }
            match e {
                ServerError::Invalid(_) | ServerError::NotFound(_) => ExitCode::from(1),
                _ => ExitCode::from(2),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_hours_out_of_range_is_a_clear_error_not_a_panic() {
        for bad in ["0", "721", "18446744073709551615", "18446744073709551616"] {
            let r = Cli::try_parse_from([
                "tinbao-server",
                "enrol-code",
                "--station",
                "00004",
                "--valid-hours",
                bad,
            ]);
            let e = r.err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation, "{bad}");
        }
        assert!(
            Cli::try_parse_from([
                "tinbao-server",
                "enrol-code",
                "--station",
                "00004",
                "--valid-hours",
                "720",
            ])
            .is_ok()
        );
    }

    #[test]
    fn reference_commands_parse_and_refuse_bad_values_without_panic() {
        let parse = |a: &[&str]| {
            let mut v = vec!["tinbao-server"];
            v.extend_from_slice(a);
            Cli::try_parse_from(v)
        };
        assert!(
            parse(&[
                "holiday",
                "add",
                "--date",
                "2026-09-02",
                "--name",
                "Quốc khánh",
                "--province",
                "01"
            ])
            .is_ok()
        );
        assert!(
            parse(&[
                "holiday",
                "add",
                "--date",
                "2026-09-02",
                "--name",
                "X",
                "--kind",
                "workday",
                "--basis",
                "QĐ",
                "--province",
                "01"
            ])
            .is_ok()
        );
        assert!(
            parse(&[
                "holiday",
                "add",
                "--date",
                "2026-09-02",
                "--name",
                "X",
                "--kind",
                "half",
                "--province",
                "01"
            ])
            .is_err()
        );
        assert!(
            parse(&["holiday", "add", "--date", "2026-09-02", "--name", "X"]).is_err(),
            "--province is required"
        );
        assert!(parse(&["holiday", "list", "--json"]).is_ok());
        assert!(parse(&["rule", "list"]).is_ok());
        let set = [
            "rule",
            "set",
            "crime_transfer",
            "--amount",
            "36",
            "--unit",
            "hours",
            "--remote-amount",
            "48",
            "--basis",
            "TT",
            "--effective-from",
            "2026-07-01",
        ];
        assert!(parse(&set).is_ok());
        for (i, bad) in [
            (4, "0"),
            (4, "-1"),
            (4, "99999999999999999999"),
            (6, "weeks"),
            (8, "0"),
        ] {
            let mut a = set.to_vec();
            a[i] = bad;
            let e = parse(&a).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(
                matches!(
                    e.kind(),
                    clap::error::ErrorKind::ValueValidation
                        | clap::error::ErrorKind::InvalidValue
                        // "-1" reads as an option
                        | clap::error::ErrorKind::UnknownArgument
                ),
                "{bad}: {:?}",
                e.kind()
            );
        }
    }

    /// Each command run through `run`, as the program does, on a fresh data directory.
    #[test]
    fn reference_commands_run() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("srv");
        let d = data.to_str().unwrap();
        let go = |a: &[&str]| {
            let mut v = vec!["tinbao-server", "--data", d, "--json"];
            v.extend_from_slice(a);
            run(Cli::try_parse_from(v).unwrap())
        };
        go(&["init"]).unwrap();
        go(&["station", "add", "--code", "00004"]).unwrap();
        go(&[
            "holiday",
            "add",
            "--date",
            "2026-09-02",
            "--name",
            "Quốc khánh",
            "--province",
            "01",
        ])
        .unwrap();
        go(&["holiday", "list"]).unwrap();
        go(&[
            "rule",
            "set",
            "crime_transfer",
            "--amount",
            "36",
            "--unit",
            "hours",
            "--basis",
            "TT 01/2017",
            "--effective-from",
            "2026-07-01",
        ])
        .unwrap();
        go(&["rule", "list", "--province", "01"]).unwrap();
        assert!(matches!(
            go(&[
                "rule",
                "set",
                "crime_transfer",
                "--amount",
                "36",
                "--unit",
                "hours",
                "--basis",
                "TT",
                "--effective-from",
                "2026-02-30"
            ]),
            Err(ServerError::Invalid(_))
        ));
        assert!(matches!(
            go(&[
                "holiday",
                "add",
                "--date",
                "2026-09-02",
                "--name",
                "X",
                "--province",
                "77"
            ]),
            Err(ServerError::Invalid(_))
        ));
        let data = DataDir(data);
        assert_eq!(
            crate::reference_data::list(&data, "holiday", None)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            crate::reference_data::list(&data, "deadline_rule", Some("01"))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn device_unrevoke_parses() {
        let id = uuid::Uuid::now_v7().to_string();
        assert!(Cli::try_parse_from(["tinbao-server", "device", "unrevoke", &id]).is_ok());
    }
}
