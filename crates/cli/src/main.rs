//! `tinbao`: the station register's command line for administrators and scripts, a thin
//! layer over tinbao-core. Exit status: 0 full success, 1 some input rejected, 2 an error.
#![forbid(unsafe_code)]

mod sync_cmd;

use chrono::{DateTime, NaiveDate, TimeZone};
use clap::{Parser, Subcommand};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tinbao_core::interchange::ImportReport;
use tinbao_core::search::SearchQuery;
use tinbao_core::stats::Count;
use tinbao_core::text::group_thousands;
use tinbao_core::time::vn_offset;
use tinbao_core::{Actor, CaseDetail, Channel, Error, Kind, Scope, Status, Store, system_actor};

#[derive(Parser)]
#[command(
    name = "tinbao",
    version,
    about = "Sổ tiếp nhận tin báo, tố giác tội phạm của Công an xã/phường — dòng lệnh quản trị"
)]
struct Cli {
    /// The database file (default: the app's data folder, or TINBAO_DATA_DIR/tinbao.db).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Print one JSON document instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a station's database (--station COMMUNE_CODE) or a supervisor's (--province CODE).
    Init {
        #[arg(
            long,
            conflicts_with = "province",
            required_unless_present = "province"
        )]
        station: Option<String>,
        #[arg(long)]
        province: Option<String>,
    },
    /// Import cases from JSON Lines (.jsonl) or CSV (.csv), by extension.
    Import { file: PathBuf },
    /// Export the register to JSON Lines (.jsonl) or CSV (.csv), by extension; without the
    /// reporter unless --with-reporter (recorded in the audit log).
    Export {
        file: PathBuf,
        #[arg(long)]
        with_reporter: bool,
    },
    /// Search the register (diacritics optional: `lang lach` finds `lạng lách`).
    Search {
        text: Option<String>,
        /// From this day (dd/mm/yyyy or yyyy-mm-dd).
        #[arg(long)]
        from: Option<String>,
        /// Up to and including this day.
        #[arg(long)]
        to: Option<String>,
        /// A status, by code or Vietnamese label (verifying, "Đang xác minh", ...).
        #[arg(long)]
        status: Option<String>,
        /// A category of the register's list, by code or label (theft, "Trộm cắp tài sản", ...).
        #[arg(long)]
        category: Option<String>,
        /// A channel, by code or label (zalo, facebook, hotline, ...).
        #[arg(long)]
        channel: Option<String>,
        /// The source, by code or label (to_giac, tin_bao, kien_nghi_khoi_to, phan_anh).
        #[arg(long)]
        kind: Option<String>,
        /// The hamlet or residential group, as registered.
        #[arg(long)]
        hamlet: Option<String>,
        /// The officer the cases are assigned to, by username.
        #[arg(long)]
        assignee: Option<String>,
        /// One station's cases, by commune code (a province's database).
        #[arg(long)]
        station: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        page: u32,
    },
    /// Statistics for a period (default: the current monthly period, 15th to 14th).
    Stats {
        #[arg(long, conflicts_with_all = ["month", "quarter"])]
        from: Option<String>,
        #[arg(long, conflicts_with_all = ["month", "quarter"])]
        to: Option<String>,
        /// The police month (1–12) of --year, from the cut-off day of the month before.
        #[arg(long, requires = "year", conflicts_with = "quarter", value_parser = clap::value_parser!(u32).range(1..=12))]
        month: Option<u32>,
        /// The quarter (1–4) of --year.
        #[arg(long, requires = "year", value_parser = clap::value_parser!(u32).range(1..=4))]
        quarter: Option<u32>,
        /// The year; alone, the whole statistics year.
        #[arg(long, conflicts_with_all = ["from", "to"], value_parser = clap::value_parser!(i32).range(2000..=2100))]
        year: Option<i32>,
    },
    /// Write an encrypted backup (same key) to FILE.
    Backup { file: PathBuf },
    /// Replace the database by a backup, after checking the backup completely.
    Restore { file: PathBuf },
    /// Check the integrity of the database and of every attachment.
    Verify,
    /// Enrol this database's device with the provincial server using a one-time code.
    Enrol {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Push unsent changes and pull what is new.
    Sync,
    /// One case of the register.
    Case {
        #[command(subcommand)]
        cmd: CaseCmd,
    },
}

#[derive(Subcommand)]
enum CaseCmd {
    /// A case, its journal and each of its clocks: rule, legal basis, start, due instant
    /// (ISO 8601, +07:00) and state (running, met, late, stopped). Never the reporter.
    Show {
        /// The case's id, or its register number (12/2025; in a province's database, with
        /// --station).
        id: String,
        #[arg(long)]
        station: Option<String>,
    },
}

/// An error for the person at the terminal, and exit status 2.
struct Fail(String);

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail(e.to_string())
    }
}
impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Self {
        Fail(format!("Lỗi đọc/ghi tệp: {e}"))
    }
}

fn default_db() -> PathBuf {
    if let Some(d) = std::env::var_os("TINBAO_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("tinbao.db");
    }
    // The desktop app's folder (Tauri's app_data_dir for identifier vn.congan.tinbao).
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("vn.congan.tinbao")
        .join("tinbao.db")
}

fn key() -> Result<String, Fail> {
    if let Ok(k) = std::env::var("TINBAO_KEY")
        && !k.is_empty()
    {
        return Ok(k);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Fail(
            "Chưa có khóa cơ sở dữ liệu: đặt biến môi trường TINBAO_KEY.".into(),
        ));
    }
    rpassword::prompt_password("Khóa cơ sở dữ liệu: ")
        .map_err(|e| Fail(format!("Không đọc được khóa: {e}")))
}

fn parse_day(s: &str) -> Result<NaiveDate, Fail> {
    NaiveDate::parse_from_str(s, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
        .map_err(|_| {
            Fail(format!(
                "Ngày “{s}” không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)."
            ))
        })
}

fn day_start(d: NaiveDate) -> i64 {
    vn_offset()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

fn fmt_time(t: &DateTime<chrono::FixedOffset>) -> String {
    t.with_timezone(&vn_offset())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Prints a line; a closed pipe (`tinbao search … | head`) ends output quietly, not in a panic.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

fn print_json(v: serde_json::Value) {
    say!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Fail(msg)) => {
            // A script that asked for JSON still gets one document, and a person the message.
            if json {
                print_json(json!({ "error": msg }));
            }
            eprintln!("Lỗi: {msg}");
            ExitCode::from(2)
        }
    }
}

fn open(db: &Path) -> Result<Store, Fail> {
    Ok(Store::open(db, &key()?)?)
}

fn run(cli: Cli) -> Result<u8, Fail> {
    let db = cli.db.clone().unwrap_or_else(default_db);
    let json = cli.json;
    match cli.cmd {
        Cmd::Init { station, province } => {
            let scope = match (station, province) {
                (Some(s), _) => Scope::Station(s),
                (None, Some(p)) => Scope::Province(p),
                (None, None) => return Err(Fail("Cần --station hoặc --province.".into())),
            };
            let store = Store::create(&db, &key()?, scope.clone())?;
            let name = match &scope {
                Scope::Station(c) => store.admin_commune(c)?.map(|c| c.name),
                Scope::Province(p) => store
                    .admin_provinces()?
                    .into_iter()
                    .find(|x| &x.code == p)
                    .map(|x| x.name),
            };
            if json {
                print_json(
                    json!({ "db": db, "scope": scope, "name": name, "device_id": store.device_id() }),
                );
            } else {
                say!(
                    "Đã tạo cơ sở dữ liệu mã hóa {} cho {}.",
                    db.display(),
                    name.unwrap_or_default()
                );
            }
            Ok(0)
        }
        Cmd::Import { file } => {
            let mut store = open(&db)?;
            let actor = system_actor(store.scope());
            let size = std::fs::metadata(&file)
                .map_err(|e| Fail(format!("Không mở được {}: {e}", file.display())))?
                .len();
            let f = std::fs::File::open(&file)?;
            let bar = (!json && std::io::stderr().is_terminal()).then(|| {
                let b = indicatif::ProgressBar::new(size);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {bytes}/{total_bytes} ({eta})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let mut tick = |done: u64| {
                if let Some(b) = &bar {
                    b.set_position(done);
                }
            };
            let started = std::time::Instant::now();
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_lowercase();
            let report: ImportReport = match ext.as_str() {
                "csv" => store.import_csv(&actor, f, &mut tick)?,
                "jsonl" | "ndjson" | "json" => store.import_jsonl(&actor, f, &mut tick)?,
                _ => return Err(Fail("Tệp phải có đuôi .jsonl hoặc .csv.".into())),
            };
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let secs = started.elapsed().as_secs_f64();
            if json {
                print_json(json!({
                    "lines": report.lines, "imported": report.imported, "already_present": report.already_present,
                    "rejected": report.rejected, "seconds": secs,
                }));
            } else {
                say!(
                    "Đã nhập {} vụ việc ({} đã có sẵn, {} dòng bị từ chối) trong {:.1} giây.",
                    report.imported,
                    report.already_present,
                    report.rejected.len(),
                    secs
                );
                for r in &report.rejected {
                    say!("  dòng {}: {}", r.line, r.reason);
                }
            }
            Ok(if report.rejected.is_empty() { 0 } else { 1 })
        }
        Cmd::Export {
            file,
            with_reporter,
        } => {
            let mut store = open(&db)?;
            let actor = system_actor(store.scope());
            let actor = if with_reporter {
                tinbao_core::Actor {
                    role: tinbao_core::Role::Chief,
                    ..actor
                }
            } else {
                actor
            };
            let tmp = file.with_extension("partial");
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            let ext = file
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_lowercase();
            let n = match ext.as_str() {
                "csv" => store.export_csv(&actor, with_reporter, &mut out),
                "jsonl" | "ndjson" => store.export_jsonl(&actor, with_reporter, &mut out),
                _ => Err(Error::invalid("Tệp phải có đuôi .jsonl hoặc .csv.")),
            };
            let n = match n {
                Ok(n) => n,
                Err(e) => {
                    drop(out);
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e.into());
                }
            };
            std::io::Write::flush(&mut out)?;
            drop(out);
            std::fs::rename(&tmp, &file)?;
            if json {
                print_json(json!({ "file": file, "cases": n, "with_reporter": with_reporter }));
            } else {
                say!("Đã xuất {n} vụ việc ra {}.", file.display());
            }
            Ok(0)
        }
        Cmd::Search {
            text,
            from,
            to,
            status,
            category,
            channel,
            kind,
            hamlet,
            assignee,
            station,
            limit,
            page,
        } => {
            let store = open(&db)?;
            let actor = system_actor(store.scope());
            // A value outside a list is an error that names what it may be, not a search that
            // silently finds nothing.
            fn pick<T: Copy>(
                what: &str,
                v: Option<String>,
                all: &[T],
                parse: fn(&str) -> Option<T>,
                code: fn(T) -> &'static str,
            ) -> Result<Option<T>, Fail> {
                v.map(|s| {
                    parse(&s).ok_or_else(|| {
                        let codes: Vec<&str> = all.iter().map(|x| code(*x)).collect();
                        Fail(format!(
                            "{what} “{s}” không hợp lệ (chấp nhận: {}).",
                            codes.join(", ")
                        ))
                    })
                })
                .transpose()
            }
            let status = pick(
                "Tình trạng",
                status,
                Status::ALL,
                Status::parse,
                Status::as_str,
            )?;
            let channel = pick(
                "Kênh",
                channel,
                Channel::ALL,
                Channel::parse,
                Channel::as_str,
            )?;
            let kind = pick("Nguồn tin", kind, Kind::ALL, Kind::parse, Kind::as_str)?;
            let category = match category {
                None => None,
                Some(c) => {
                    let list = store.categories()?;
                    match tinbao_core::cases::category_code(&list, &c) {
                        Some(code) => Some(code),
                        None => {
                            let codes: Vec<&str> = list.iter().map(|x| x.0.as_str()).collect();
                            return Err(Fail(format!(
                                "Lĩnh vực “{c}” không có trong danh mục (chấp nhận: {}).",
                                codes.join(", ")
                            )));
                        }
                    }
                }
            };
            let assignee = match assignee {
                None => None,
                Some(name) => Some(
                    store
                        .users()?
                        .into_iter()
                        .find(|u| u.username.eq_ignore_ascii_case(name.trim()))
                        .map(|u| u.id)
                        .ok_or_else(|| {
                            Fail(format!(
                                "Không có tài khoản “{name}” trong cơ sở dữ liệu này."
                            ))
                        })?,
                ),
            };
            if let Some(code) = &station
                && !store.in_scope(code)?
            {
                return Err(Fail(format!(
                    "Đơn vị “{code}” nằm ngoài phạm vi của cơ sở dữ liệu này."
                )));
            }
            let q = SearchQuery {
                text,
                from: from.as_deref().map(parse_day).transpose()?.map(day_start),
                to: to
                    .as_deref()
                    .map(parse_day)
                    .transpose()?
                    .map(|d| day_start(d) + 86_400),
                status: status.map(|s| vec![s]),
                category,
                channel,
                kind,
                hamlet,
                assignee,
                station,
                page,
                page_size: limit,
                ..Default::default()
            };
            let res = store.search(&actor, &q)?;
            if json {
                print_json(serde_json::to_value(&res).map_err(Error::from)?);
            } else {
                let more = if res.total_capped { "hơn " } else { "" };
                say!("{more}{} vụ việc khớp.", res.total);
                for r in &res.rows {
                    let flag = if r.overdue {
                        " [QUÁ HẠN]"
                    } else if r.due_soon {
                        " [sắp hết hạn]"
                    } else {
                        ""
                    };
                    say!(
                        "{:>10}  {}  {:<16} {}{}",
                        r.register_no,
                        fmt_time(&r.received_at),
                        r.status.label_vi(),
                        r.summary,
                        flag
                    );
                }
            }
            Ok(0)
        }
        Cmd::Stats {
            from,
            to,
            month,
            quarter,
            year,
        } => {
            let store = open(&db)?;
            let actor = system_actor(store.scope());
            let (f, t) = match (from, to, year) {
                (Some(f), Some(t), None) => (
                    day_start(parse_day(&f)?),
                    day_start(parse_day(&t)?) + 86_400,
                ),
                (None, None, Some(y)) => {
                    use tinbao_core::stats::{PeriodKind, period};
                    let (kind, n) = match (month, quarter) {
                        (Some(m), _) => (PeriodKind::Month, m),
                        (None, Some(q)) => (PeriodKind::Quarter, q),
                        (None, None) => (PeriodKind::Year, 1),
                    };
                    period(kind, y, n, store.stats_cutoff_day()?)
                }
                (None, None, None) => store.current_period()?,
                _ => return Err(Fail("Cần cả --from và --to.".into())),
            };
            let s = store.stats(&actor, f, t)?;
            if json {
                print_json(serde_json::to_value(&s).map_err(Error::from)?);
            } else {
                let d = |x: i64| tinbao_core::time::vn_time(x).format("%d/%m/%Y").to_string();
                say!("Thống kê từ ngày {} đến hết ngày {}:", d(f), d(t - 1));
                let n = group_thousands;
                say!("  Nguồn tin tiếp nhận trong kỳ: {}", n(s.received.into()));
                say!(
                    "  Qua mạng xã hội (Zalo, Facebook): {}",
                    n(s.social_media.into())
                );
                say!(
                    "  Đã chuyển CQĐT: {} (đúng hạn {}, quá hạn {})",
                    n(s.transferred.into()),
                    n(s.transferred_on_time.into()),
                    n(s.transferred_late.into())
                );
                say!(
                    "  Hòa giải: {}   Không có căn cứ: {}",
                    n(s.mediated.into()),
                    n(s.unfounded.into())
                );
                say!(
                    "  Còn đang giải quyết cuối kỳ: {}   Quá hạn cuối kỳ: {}",
                    n(s.open.into()),
                    n(s.overdue.into())
                );
                say!(
                    "  Xử phạt hành chính: {} quyết định, tổng {} đ",
                    n(s.sanction_decisions.decisions.into()),
                    n(s.fines_vnd)
                );
                say!(
                    "  Câu hỏi đã trả lời: {} (trong ngày {})",
                    n(s.answered.into()),
                    n(s.answered_same_day.into())
                );
                if let Some(h) = s.median_hours_to_outcome {
                    say!(
                        "  Thời gian giải quyết (trung vị): {} giờ",
                        format!("{h:.1}").replace('.', ",")
                    );
                }
                let l = store.key_labels(&s)?;
                let labelled = |rows: &[Count], label: &dyn Fn(&str) -> String| {
                    rows.iter()
                        .map(|c| (label(&c.key), c.count))
                        .collect::<Vec<_>>()
                };
                // A station's own database has one station: no breakdown to show.
                let stations = match s.by_station.len() {
                    0 | 1 => Vec::new(),
                    _ => labelled(&s.by_station, &|k| format!("{} ({k})", l.station(k))),
                };
                let sections = [
                    ("Theo loại nguồn tin", labelled(&s.by_kind, &|k| l.kind(k))),
                    (
                        "Theo kênh tiếp nhận",
                        labelled(&s.by_channel, &|k| l.channel(k)),
                    ),
                    (
                        "Theo lĩnh vực",
                        labelled(&s.by_category, &|k| l.category(k)),
                    ),
                    (
                        "Theo nhóm pháp lý",
                        labelled(&s.by_legal_group, &|k| l.legal_group(k)),
                    ),
                    ("Theo tình trạng", labelled(&s.by_status, &|k| l.status(k))),
                    (
                        "Quyết định giải quyết nguồn tin",
                        labelled(&s.decisions, &|k| l.decision(k)),
                    ),
                    ("Theo đơn vị", stations),
                    (
                        "Câu hỏi về thủ tục hành chính",
                        labelled(&s.inquiries_by_topic, &|k| l.topic(k)),
                    ),
                ];
                // One column of figures for all the sections.
                let width = sections
                    .iter()
                    .flat_map(|(_, rows)| rows.iter().map(|r| r.0.chars().count()))
                    .max()
                    .unwrap_or(0);
                for (title, rows) in sections {
                    if rows.is_empty() {
                        continue;
                    }
                    say!("  {title}:");
                    for (label, count) in &rows {
                        let pad = width - label.chars().count();
                        say!("    {label}{:pad$}  {:>7}", "", n((*count).into()));
                    }
                }
                say!(
                    "  Bài viết tuyên truyền đã đăng: {} ({} lượt xem)",
                    n(s.posts.into()),
                    n(s.post_views)
                );
                if !s.channels.is_empty() {
                    say!("  Trang, nhóm đang quản lý:");
                    for c in &s.channels {
                        let followers = c
                            .followers
                            .map(|f| format!(", {} người theo dõi", n(f)))
                            .unwrap_or_default();
                        say!(
                            "    {} ({}): {} bài{followers}",
                            c.name,
                            c.platform,
                            c.posts
                        );
                    }
                }
            }
            Ok(0)
        }
        Cmd::Backup { file } => {
            let mut store = open(&db)?;
            let actor = system_actor(store.scope());
            store.backup(&actor, &file)?;
            if json {
                print_json(json!({ "backup": file }));
            } else {
                say!("Đã sao lưu (mã hóa) ra {}.", file.display());
            }
            Ok(0)
        }
        Cmd::Restore { file } => {
            let r = Store::restore(&file, &db, &key()?)?;
            if json {
                print_json(serde_json::to_value(&r).map_err(Error::from)?);
            } else {
                say!(
                    "Đã kiểm tra và khôi phục {} vụ việc, {} tệp đính kèm từ {}.",
                    r.cases,
                    r.attachments,
                    file.display()
                );
            }
            Ok(0)
        }
        Cmd::Verify => {
            // Not through `open`: a file too damaged to open as a register is still checked,
            // page by page.
            let r = Store::verify_file(&db, &key()?)?;
            if json {
                print_json(serde_json::to_value(&r).map_err(Error::from)?);
            } else if r.ok {
                say!(
                    "Cơ sở dữ liệu toàn vẹn: {} vụ việc, {} tệp đính kèm.",
                    r.cases,
                    r.attachments
                );
            } else {
                say!("Phát hiện {} vấn đề:", r.problems.len());
                for p in &r.problems {
                    say!("  - {p}");
                }
            }
            Ok(if r.ok { 0 } else { 1 })
        }
        Cmd::Enrol { server, code, name } => {
            let mut store = open(&db)?;
            sync_cmd::enrol(&mut store, &server, &code, name.as_deref(), json)
                .map_err(|e| Fail(e.to_string()))?;
            Ok(0)
        }
        Cmd::Case {
            cmd: CaseCmd::Show { id, station },
        } => {
            let store = open(&db)?;
            let actor = system_actor(store.scope());
            let d = find_case(&store, &actor, &id, station.as_deref())?;
            if json {
                print_json(serde_json::to_value(&d).map_err(|e| Fail(e.to_string()))?);
            } else {
                print_case(&store, &d);
            }
            Ok(0)
        }
        Cmd::Sync => {
            let mut store = open(&db)?;
            sync_cmd::sync(&mut store, json).map_err(|e| Fail(e.to_string()))?;
            Ok(0)
        }
    }
}

/// A case by its id, or by its register number (in one station).
fn find_case(
    store: &Store,
    actor: &Actor,
    id: &str,
    station: Option<&str>,
) -> Result<CaseDetail, Fail> {
    if let Ok(u) = id.trim().parse() {
        return Ok(store.case_detail(actor, u)?);
    }
    let no = tinbao_core::cases::parse_register_no(id)?;
    let q = SearchQuery {
        text: Some(id.trim().to_owned()),
        station: station.map(str::to_owned),
        page_size: 50,
        ..Default::default()
    };
    let found: Vec<_> = store
        .search(actor, &q)?
        .rows
        .into_iter()
        .filter(|r| tinbao_core::cases::parse_register_no(&r.register_no).ok() == Some(no))
        .collect();
    match found.as_slice() {
        [one] => Ok(store.case_detail(actor, one.id)?),
        [] => Err(Fail(format!("Không tìm thấy vụ việc số {}.", id.trim()))),
        _ => Err(Fail(format!(
            "Có {} vụ việc số {} ở các đơn vị khác nhau: cần --station.",
            found.len(),
            id.trim()
        ))),
    }
}

fn print_case(store: &Store, d: &CaseDetail) {
    let r = &d.row;
    let category = store
        .categories()
        .ok()
        .and_then(|l| l.into_iter().find(|c| c.0 == r.category).map(|c| c.1))
        .unwrap_or_else(|| r.category.clone());
    say!("Vụ việc số {} — {}", r.register_no, r.summary);
    say!("  Mã: {}", r.id);
    say!(
        "  Tiếp nhận: {} · {} · {} · {}",
        fmt_time(&r.received_at),
        r.kind.label_vi(),
        r.channel.label_vi(),
        category
    );
    say!(
        "  Mức độ: {} · Tình trạng: {}",
        r.urgency.label_vi(),
        r.status.label_vi()
    );
    if let Some(a) = &r.assignee_name {
        say!("  Cán bộ thụ lý: {a}");
    }
    say!("Diễn biến:");
    for e in &d.events {
        say!("  {}  {}  ({})", fmt_time(&e.at), e.kind, e.author_name);
    }
    say!("Thời hạn:");
    if d.clocks.is_empty() {
        say!("  (không có thời hạn nào áp dụng)");
    }
    for c in &d.clocks {
        say!("  {}  [{}]  {}", c.rule, c.state.as_str(), c.label_vi);
        say!(
            "    bắt đầu {}  hạn {}",
            c.started_at.to_rfc3339(),
            c.due_at.to_rfc3339()
        );
        if let Some(t) = &c.ended_at {
            say!("    kết thúc {}", t.to_rfc3339());
        }
        if let Some(why) = &c.reason {
            say!("    {why}");
        }
        say!("    căn cứ: {}", c.basis);
    }
}
