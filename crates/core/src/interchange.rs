//! The case interchange format (JSON Lines, one case a line, as in shared/data/sample-cases.jsonl)
//! and the CSV that stations export from their Excel registers today (Vietnamese headers, see
//! `CSV_HEADERS`). Import rejects bad lines with their number and reason and imports the rest;
//! importing the same file twice adds nothing.
use crate::case_row::{WriteCache, parse_register_no};
use crate::cases::{Creation, category_code, create_case, validate_case};
use crate::error::{Error, Result};
use crate::model::*;
use crate::search_index::search_text;
use crate::store::{Store, Writer, scope_station};
use crate::text::fold;
use crate::time::vn_offset;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read, Write};
use ts_rs::TS;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterLocation {
    pub commune: Option<String>,
    pub hamlet: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterReporter {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterPerson {
    pub role: PersonRole,
    pub name: String,
    pub birth_year: Option<i32>,
    /// `YYYY-MM-DD`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// For a guardian: the position (from 0) of the minor they answer for in this case's
    /// `persons`. Person ids are not exported, so the link is carried by position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_of: Option<usize>,
}

/// A person as the export query reads them, before guardian links become positions.
#[derive(Deserialize)]
struct StoredPerson {
    id: String,
    role: PersonRole,
    name: String,
    birth_year: Option<i32>,
    birth_date: Option<String>,
    guardian_of: Option<String>,
}

fn inter_persons(stored: Vec<StoredPerson>) -> Vec<InterPerson> {
    let position = |id: &str| stored.iter().position(|p| p.id == id);
    stored
        .iter()
        .map(|p| InterPerson {
            role: p.role,
            name: p.name.clone(),
            birth_year: p.birth_year,
            birth_date: p.birth_date.clone(),
            guardian_of: p.guardian_of.as_deref().and_then(position),
        })
        .collect()
}

/// One line of the interchange format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterchangeCase {
    pub id: Uuid,
    pub station: String,
    pub register_no: String,
    pub received_at: DateTime<FixedOffset>,
    pub channel: Channel,
    pub channel_ref: Option<String>,
    pub kind: Kind,
    pub category: String,
    pub urgency: Urgency,
    pub summary: String,
    #[serde(default)]
    pub description: String,
    pub location: InterLocation,
    pub reporter: Option<InterReporter>,
    #[serde(default)]
    pub persons: Vec<InterPerson>,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rejection {
    #[ts(type = "number")]
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    #[ts(type = "number")]
    pub lines: u64,
    #[ts(type = "number")]
    pub imported: u64,
    /// Already in the register (same id): importing a file twice adds nothing.
    #[ts(type = "number")]
    pub already_present: u64,
    pub rejected: Vec<Rejection>,
}

/// Lines per transaction: a crash loses at most the batch in progress, which a re-run imports.
const BATCH: usize = 10_000;
/// A line longer than this is refused before it is parsed.
pub const MAX_LINE_BYTES: usize = 256 * 1024;

pub const CSV_HEADERS: [&str; 19] = [
    "Mã hồ sơ",
    "Đơn vị",
    "Số thụ lý",
    "Ngày giờ tiếp nhận",
    "Nguồn tin",
    "Kênh tiếp nhận",
    "Nơi đăng / số điện thoại",
    "Loại vụ việc",
    "Mức độ",
    "Tóm tắt",
    "Nội dung",
    "Mã xã/phường",
    "Thôn/Tổ dân phố",
    "Địa chỉ",
    "Người báo tin",
    "SĐT người báo tin",
    "Địa chỉ người báo tin",
    "Người liên quan",
    "Kết quả",
];

pub type Progress<'a> = &'a mut dyn FnMut(u64);

/// A case read and prepared on the reading thread, ready for the writer.
pub(crate) struct Incoming {
    pub(crate) line: u64,
    id: Uuid,
    /// A CSV row's id as registers made before secret import ids gave it, so that a sheet
    /// imported then is still recognised as present.
    legacy_id: Option<Uuid>,
    station: String,
    register_no: String,
    received_at: DateTime<FixedOffset>,
    status: Status,
    new: NewCase,
    /// `search_index::search_text`, folded: the search index's share of the work that needs no database.
    folded: String,
}

impl Incoming {
    fn of(line: u64, c: InterchangeCase) -> Self {
        let new = NewCase {
            received_at: Some(c.received_at),
            channel: c.channel,
            channel_ref: c.channel_ref,
            kind: c.kind,
            category: c.category,
            urgency: c.urgency,
            summary: c.summary.trim().to_owned(),
            description: c.description.trim().to_owned(),
            location: Location {
                commune: c.location.commune,
                hamlet: c.location.hamlet,
                address: c.location.address,
                lat: None,
                lon: None,
            },
            occurred: None,
            reporter: c.reporter.map(|r| Reporter {
                name: r.name,
                phone: r.phone,
                address: r.address,
                id_number: None,
            }),
            persons: c
                .persons
                .into_iter()
                .map(|p| NewPerson {
                    role: p.role,
                    name: p.name,
                    birth_year: p.birth_year,
                    id_number: None,
                    phone: None,
                    address: None,
                    birth_date: p.birth_date,
                    guardian_of: None,
                    guardian_of_index: p.guardian_of,
                })
                .collect(),
            receipt: Default::default(),
        };
        let folded = fold(&search_text(&new, &c.register_no));
        Incoming {
            line,
            id: c.id,
            legacy_id: None,
            station: c.station,
            register_no: c.register_no,
            received_at: c.received_at,
            status: c.status,
            new,
            folded,
        }
    }
}

/// What the reading thread hands the writer: up to `BATCH` cases and the lines it refused.
#[derive(Default)]
pub(crate) struct Chunk {
    pub(crate) cases: Vec<Incoming>,
    pub(crate) rejected: Vec<Rejection>,
    /// Lines read (blank ones not counted).
    pub(crate) lines: u64,
    /// Bytes of input read so far, for the progress bar.
    pub(crate) position: u64,
}

impl Chunk {
    fn full(&self) -> bool {
        self.cases.len() >= BATCH
    }
    fn reject(&mut self, line: u64, reason: impl Into<String>) {
        self.rejected.push(Rejection {
            line,
            reason: reason.into(),
        });
    }
}

/// Hands a chunk to the writer; false when the writer has stopped (an error), so reading stops.
pub(crate) type Handoff<'a> = &'a mut dyn FnMut(Chunk) -> bool;

impl Store {
    /// Imports JSON Lines. `progress` is told how many bytes have been read.
    pub fn import_jsonl(
        &mut self,
        actor: &Actor,
        input: impl Read + Send,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        self.import_chunks(
            actor,
            move |send: Handoff<'_>| read_jsonl(input, send),
            progress,
        )
    }

    /// Imports the CSV of the stations' Excel registers (headers in `CSV_HEADERS`; order free).
    pub fn import_csv(
        &mut self,
        actor: &Actor,
        input: impl Read + Send,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let reader = CsvCases::open(input)?;
        let default_station = scope_station(&self.scope).to_owned();
        let namespace = self.import_namespace()?;
        let categories = self.categories()?;
        self.import_chunks(
            actor,
            move |send: Handoff<'_>| reader.read(&default_station, &categories, namespace, send),
            progress,
        )
    }

    /// The secret namespace of the ids this register gives CSV rows that carry none, made once.
    fn import_namespace(&self) -> Result<Uuid> {
        if let Some(u) = self.meta("import_namespace")?.and_then(|v| v.parse().ok()) {
            return Ok(u);
        }
        let u = Uuid::new_v4();
        self.set_meta("import_namespace", &u.to_string())?;
        Ok(u)
    }

    /// Reads and parses on a thread of its own while this one writes: parsing and folding
    /// the text for the index overlap SQLite's work instead of adding to it. At most two
    /// chunks wait in memory, whatever the file's size.
    fn import_chunks(
        &mut self,
        actor: &Actor,
        read: impl FnOnce(Handoff<'_>) -> Result<()> + Send,
        progress: Progress<'_>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        std::thread::scope(|s| {
            let (to_writer, chunks) = std::sync::mpsc::sync_channel::<Chunk>(1);
            let reader = std::thread::Builder::new()
                .name("tinbao-import-reader".into())
                .spawn_scoped(s, move || read(&mut |c| to_writer.send(c).is_ok()))?;
            let mut written = Ok(());
            for mut chunk in chunks.iter() {
                report.lines += chunk.lines;
                report.rejected.append(&mut chunk.rejected);
                written = self.import_batch(actor, chunk.cases, &mut report);
                if written.is_err() {
                    break;
                }
                progress(chunk.position);
            }
            // The reader, if still going, finds no one to send to and stops.
            drop(chunks);
            let read = reader
                .join()
                .unwrap_or_else(|_| {
                    Err(Error::invalid(
                        "Lỗi nội bộ khi đọc tệp nhập. Những lô đã nhập được giữ lại; chạy lại lệnh nhập để nhập phần còn lại.",
                    ))
                });
            written.and(read)
        })?;
        report.rejected.sort_by_key(|r| r.line);
        self.finish_import(actor, &report)?;
        Ok(report)
    }

    /// Merges the search index's new segments (part of the import's time, so the register
    /// searches at full speed straight after) and records the import in the audit.
    fn finish_import(&mut self, actor: &Actor, report: &ImportReport) -> Result<()> {
        while self.merge_search_index(2000)? {}
        let detail = format!(
            "đã nhập {}, từ chối {} dòng",
            report.imported,
            report.rejected.len()
        );
        self.audit(actor, "import", None, Some(&detail))
    }

    fn import_batch(
        &mut self,
        actor: &Actor,
        batch: Vec<Incoming>,
        report: &mut ImportReport,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let today = crate::sanctions::today();
        let tx = self.conn.transaction()?;
        let mut w = Writer::new(&tx, self.device, actor.user_id, &mut self.clock);
        if matches!(self.scope, Scope::Province(_)) {
            w.keep_local();
        }
        let mut scope_cache: HashMap<String, bool> = HashMap::new();
        let mut cache = WriteCache::default();
        // What of the batch the register already holds, read in two queries rather than two
        // per line; what the batch itself adds is added to these sets as it goes.
        let ids: Vec<String> = batch
            .iter()
            .flat_map(|c| std::iter::once(c.id).chain(c.legacy_id))
            .map(|id| id.to_string())
            .collect();
        let mut known: HashSet<String> = tx
            .prepare("SELECT id FROM cases WHERE id IN (SELECT value FROM json_each(?1))")?
            .query_map([serde_json::to_string(&ids)?], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let numbers: Vec<(&str, i32, i64)> = batch
            .iter()
            .filter_map(|c| {
                let (seq, year) = parse_register_no(&c.register_no).ok()?;
                Some((c.station.as_str(), year, seq))
            })
            .collect();
        let mut taken: HashSet<(String, i32, i64)> = tx
            .prepare(
                "SELECT c.station, c.reg_year, c.reg_seq FROM json_each(?1) j CROSS JOIN cases c
                 ON c.station = j.value ->> 0 AND c.reg_year = j.value ->> 1 AND c.reg_seq = j.value ->> 2",
            )?
            .query_map([serde_json::to_string(&numbers)?], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for c in batch {
            let line = c.line;
            let in_scope = match scope_cache.get(&c.station) {
                Some(v) => *v,
                None => {
                    let v = match &self.scope {
                        Scope::Station(s) => *s == c.station,
                        Scope::Province(p) => tx
                            .prepare_cached("SELECT EXISTS(SELECT 1 FROM communes WHERE code = ?1 AND province = ?2)")?
                            .query_row(params![c.station, p], |r| r.get(0))?,
                    };
                    scope_cache.insert(c.station.clone(), v);
                    v
                }
            };
            if !in_scope {
                report.rejected.push(Rejection {
                    line,
                    reason: format!(
                        "Đơn vị “{}” nằm ngoài phạm vi của cơ sở dữ liệu này.",
                        c.station
                    ),
                });
                continue;
            }
            if known.contains(&c.id.to_string())
                || c.legacy_id.is_some_and(|l| known.contains(&l.to_string()))
            {
                report.already_present += 1;
                continue;
            }
            let (seq, year) = match parse_register_no(&c.register_no) {
                Ok(v) => v,
                Err(e) => {
                    report.rejected.push(Rejection {
                        line,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            if year != c.received_at.year() {
                report.rejected.push(Rejection {
                    line,
                    reason: format!(
                        "Năm của số thụ lý {} khác năm tiếp nhận {}.",
                        c.register_no,
                        c.received_at.year()
                    ),
                });
                continue;
            }
            if taken.contains(&(c.station.clone(), year, seq)) {
                report.rejected.push(Rejection {
                    line,
                    reason: format!(
                        "Số thụ lý {} đã được dùng cho hồ sơ khác của đơn vị.",
                        c.register_no
                    ),
                });
                continue;
            }
            let mut c = c;
            let birth = c
                .new
                .persons
                .iter_mut()
                .try_for_each(|p| crate::sanctions::normalise_birth(p, today));
            if let Err(e) = birth.and_then(|()| validate_case(&tx, &mut cache, &c.new, now)) {
                report.rejected.push(Rejection {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
            create_case(
                &mut w,
                &mut cache,
                Creation {
                    id: c.id,
                    new: &c.new,
                    station: &c.station,
                    register_no: &c.register_no,
                    received: c.received_at,
                    author_name: &actor.full_name,
                    created: json!({ "register_no": c.register_no, "received_utc": c.received_at.timestamp(), "imported": true }),
                    imported_status: Some(c.status),
                    folded: Some(c.folded),
                },
            )?;
            known.insert(c.id.to_string());
            taken.insert((c.station, year, seq));
            report.imported += 1;
        }
        w.finish()?;
        tx.commit()?;
        Ok(())
    }

    fn export_rows(
        &mut self,
        actor: &Actor,
        include_reporter: bool,
        mut each: impl FnMut(InterchangeCase) -> Result<()>,
    ) -> Result<u64> {
        if include_reporter && !matches!(actor.role, Role::Chief | Role::Supervisor) {
            return Err(Error::forbidden("xuất kèm danh tính người báo tin"));
        }
        let station = match actor.role {
            Role::Officer | Role::Chief => actor.station.clone(),
            _ => None,
        };
        let mut n = 0;
        {
            let mut st = self.conn.prepare(
                "SELECT c.id, c.station, c.register_no, c.received_at, c.channel, c.channel_ref, c.kind, c.category, c.urgency,
                   c.summary, c.description, c.commune, c.hamlet, c.address, c.status,
                   r.name, r.phone, r.address, r.case_id IS NOT NULL,
                   (SELECT json_group_array(json_object('id', p.id, 'role', p.role, 'name', p.name, 'birth_year', p.birth_year, 'birth_date', p.birth_date, 'guardian_of', p.guardian_of))
                    FROM (SELECT * FROM persons WHERE case_id = c.id ORDER BY hlc) p)
                 FROM cases c LEFT JOIN reporters r ON r.case_id = c.id
                 WHERE (?1 IS NULL OR c.station = ?1) ORDER BY c.station, c.reg_year, c.reg_seq",
            )?;
            let mut rows = st.query([station])?;
            while let Some(r) = rows.next()? {
                let s = |i: usize| -> rusqlite::Result<String> { r.get(i) };
                let o = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
                let has_reporter: bool = r.get(18)?;
                let persons = inter_persons(
                    serde_json::from_str(&o(19)?.unwrap_or_else(|| "[]".into()))
                        .unwrap_or_default(),
                );
                let c = InterchangeCase {
                    id: s(0)?.parse().unwrap_or_default(),
                    station: s(1)?,
                    register_no: s(2)?,
                    received_at: DateTime::parse_from_rfc3339(&s(3)?).unwrap_or_default(),
                    channel: Channel::parse(&s(4)?).unwrap_or(Channel::WalkIn),
                    channel_ref: o(5)?,
                    kind: Kind::parse(&s(6)?).unwrap_or(Kind::PhanAnh),
                    category: s(7)?,
                    urgency: Urgency::parse(&s(8)?).unwrap_or(Urgency::Normal),
                    summary: s(9)?,
                    description: s(10)?,
                    location: InterLocation {
                        commune: o(11)?,
                        hamlet: o(12)?,
                        address: o(13)?,
                    },
                    status: Status::parse(&s(14)?).unwrap_or(Status::Received),
                    reporter: (include_reporter && has_reporter)
                        .then(|| -> rusqlite::Result<InterReporter> {
                            Ok(InterReporter {
                                name: o(15)?,
                                phone: o(16)?,
                                address: o(17)?,
                            })
                        })
                        .transpose()?,
                    persons,
                };
                each(c)?;
                n += 1;
            }
        }
        self.audit(
            actor,
            if include_reporter {
                "export_with_reporter"
            } else {
                "export"
            },
            None,
            Some(&format!("{n} vụ việc")),
        )?;
        Ok(n)
    }

    /// Writes the register as JSON Lines. The reporter is left out unless an authorised user
    /// asks for it on purpose (and that is audited).
    pub fn export_jsonl(
        &mut self,
        actor: &Actor,
        include_reporter: bool,
        out: &mut dyn Write,
    ) -> Result<u64> {
        self.export_rows(actor, include_reporter, |c| {
            serde_json::to_writer(&mut *out, &c)?;
            out.write_all(b"\n")?;
            Ok(())
        })
    }

    /// Writes the register as CSV for Excel (UTF-8 with BOM, Vietnamese headers and labels).
    pub fn export_csv(
        &mut self,
        actor: &Actor,
        include_reporter: bool,
        out: &mut dyn Write,
    ) -> Result<u64> {
        out.write_all("\u{feff}".as_bytes())?;
        let labels: HashMap<String, String> = self
            .categories()?
            .into_iter()
            .map(|(c, vi, _)| (c, vi))
            .collect();
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADERS).map_err(csv_err)?;
        let tz = vn_offset();
        self.export_rows(actor, include_reporter, |c| {
            let persons = c
                .persons
                .iter()
                .map(csv_person)
                .collect::<Vec<_>>()
                .join("; ");
            let r = c.reporter.clone();
            w.write_record([
                c.id.to_string(),
                c.station.clone(),
                c.register_no.clone(),
                {
                    let t = c.received_at.with_timezone(&tz);
                    // Seconds only when there are some, so a round trip loses nothing.
                    t.format(if t.second() == 0 {
                        "%d/%m/%Y %H:%M"
                    } else {
                        "%d/%m/%Y %H:%M:%S"
                    })
                    .to_string()
                },
                c.kind.label_vi().into(),
                c.channel.label_vi().into(),
                c.channel_ref.clone().unwrap_or_default(),
                labels
                    .get(&c.category)
                    .cloned()
                    .unwrap_or(c.category.clone()),
                c.urgency.label_vi().into(),
                c.summary.clone(),
                c.description.clone(),
                c.location.commune.clone().unwrap_or_default(),
                c.location.hamlet.clone().unwrap_or_default(),
                c.location.address.clone().unwrap_or_default(),
                r.as_ref().and_then(|r| r.name.clone()).unwrap_or_default(),
                r.as_ref().and_then(|r| r.phone.clone()).unwrap_or_default(),
                r.as_ref()
                    .and_then(|r| r.address.clone())
                    .unwrap_or_default(),
                persons,
                c.status.label_vi().into(),
            ])
            .map_err(csv_err)
        })
        .and_then(|n| {
            w.flush()?;
            Ok(n)
        })
    }
}

const GUARDIAN_OF_CSV: &str = "giám hộ người số";

/// One person in the CSV's "Người liên quan" cell: "Vai trò: Họ tên (năm hoặc ngày sinh)",
/// and for a guardian "[giám hộ người số N]", N counted from 1 in the same cell.
fn csv_person(p: &InterPerson) -> String {
    let mut s = format!("{}: {}", p.role.label_vi(), p.name);
    let date = p
        .birth_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    match (date, p.birth_year) {
        (Some(d), _) => s.push_str(&format!(" ({})", d.format("%d/%m/%Y"))),
        (None, Some(y)) => s.push_str(&format!(" ({y})")),
        (None, None) => {}
    }
    if let Some(m) = p.guardian_of {
        s.push_str(&format!(" [{GUARDIAN_OF_CSV} {}]", m + 1));
    }
    s
}

/// The reading half of `Store::import_jsonl`, which needs no database: splits the input into
/// lines and turns each into a case or a rejection, handing them over a chunk at a time.
pub(crate) fn read_jsonl(input: impl Read, send: Handoff<'_>) -> Result<()> {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, input);
    let mut chunk = Chunk::default();
    let mut buf = Vec::new();
    let (mut bytes, mut line) = (0u64, 0u64);
    loop {
        buf.clear();
        let n = reader
            .by_ref()
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        // Line numbers are the file's own, blank lines included, so an officer
        // finds a rejected line where the report says.
        line += 1;
        if n > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
            bytes += skip_line(&mut reader)?;
            chunk.lines += 1;
            chunk.reject(
                line,
                format!("Dòng quá dài (trên {} KB).", MAX_LINE_BYTES / 1024),
            );
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            // Notepad and Excel start a UTF-8 file with a byte-order mark.
            Ok(t) if line == 1 => t.trim_start_matches('\u{feff}').trim(),
            Ok(t) => t.trim(),
            Err(_) => {
                chunk.lines += 1;
                chunk.reject(line, "Không phải văn bản UTF-8.");
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        chunk.lines += 1;
        match serde_json::from_str::<InterchangeCase>(text) {
            Ok(c) => chunk.cases.push(Incoming::of(line, c)),
            Err(_) => chunk.reject(line, json_rejection(text)),
        }
        if chunk.full() {
            chunk.position = bytes;
            if !send(std::mem::take(&mut chunk)) {
                return Ok(());
            }
        }
    }
    chunk.position = bytes;
    send(chunk);
    Ok(())
}

/// The reading half of `Store::import_csv`, which needs no database: the header row read and
/// checked by [`CsvCases::open`], then each record turned into a case or a rejection.
pub(crate) struct CsvCases<R> {
    rdr: csv::Reader<WatchedReader<R>>,
    state: std::sync::Arc<std::sync::Mutex<QuoteState>>,
    /// For each of `CSV_HEADERS`, its column in the file.
    idx: Vec<Option<usize>>,
}

impl<R: Read> CsvCases<R> {
    /// Reads the header row; refuses a file without one or without a required column.
    pub(crate) fn open(input: R) -> Result<Self> {
        let quotes = QuoteWatch::default();
        let state = quotes.state.clone();
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(WatchedReader {
                inner: input,
                watch: quotes,
            });
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| Error::invalid(format!("Không đọc được dòng tiêu đề CSV: {e}")))?
            .iter()
            .map(|h| fold(h.trim_start_matches('\u{feff}').trim()))
            .collect();
        let col = |name: &str| headers.iter().position(|h| *h == fold(name));
        let idx: Vec<Option<usize>> = CSV_HEADERS.iter().map(|h| col(h)).collect();
        for required in [2usize, 3, 4, 5, 7, 9] {
            if idx[required].is_none() {
                return Err(Error::invalid(format!(
                    "Tệp CSV thiếu cột “{}”.",
                    CSV_HEADERS[required]
                )));
            }
        }
        Ok(CsvCases { rdr, state, idx })
    }

    /// Reads the records, handing cases and rejections over a chunk at a time; a record
    /// without a station is filed under `default_station`.
    pub(crate) fn read(
        mut self,
        default_station: &str,
        categories: &[(String, String, String)],
        namespace: Uuid,
        send: Handoff<'_>,
    ) -> Result<()> {
        let mut chunk = Chunk::default();
        let mut records = self.rdr.records().enumerate().peekable();
        while let Some((i, rec)) = records.next() {
            // A record's first line in the file: a quoted cell may span lines (Excel
            // keeps a description's line breaks), so the record's index is not enough.
            let counted = i as u64 + 2;
            chunk.lines += 1;
            // A quote opened and never closed makes the csv reader take the rest of the
            // file as one cell of the last record: refuse that record, and say so.
            if records.peek().is_none()
                && let Some(open) = unclosed_quote(&self.state)
            {
                let line = rec
                    .as_ref()
                    .ok()
                    .and_then(|r| r.position())
                    .map_or(counted, |p| p.line());
                chunk.reject(
                    line,
                    format!(
                        "Dấu ngoặc kép mở ở dòng {open} không được đóng: từ dòng {line} đến hết tệp không được nhập. Sửa tệp (đóng dấu \" của ô đó) rồi nhập lại."
                    ),
                );
                break;
            }
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(counted, |p| p.line());
                    chunk.reject(line, format!("Dòng CSV hỏng: {e}"));
                    continue;
                }
            };
            let line = rec.position().map_or(counted, |p| p.line());
            let get = |k: usize| {
                self.idx[k]
                    .and_then(|i| rec.get(i))
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            match csv_case(&get, default_station, categories, namespace) {
                Ok((c, legacy_id)) => {
                    let mut incoming = Incoming::of(line, c);
                    incoming.legacy_id = legacy_id;
                    chunk.cases.push(incoming);
                }
                Err(reason) => chunk.reject(line, reason),
            }
            if chunk.full() {
                chunk.position = rec.position().map_or(0, |p| p.byte());
                if !send(std::mem::take(&mut chunk)) {
                    return Ok(());
                }
            }
        }
        drop(records);
        chunk.position = self.rdr.position().byte();
        send(chunk);
        Ok(())
    }
}

/// Follows the CSV quoting of the bytes the csv reader reads (RFC 4180, as the reader reads
/// it: a quote opens a quoted cell only at the cell's start, `""` inside is a quote), to know
/// at the end of the file whether a quoted cell was left open, and on which line it opened.
#[derive(Default, Clone)]
struct QuoteWatch {
    state: std::sync::Arc<std::sync::Mutex<QuoteState>>,
}

#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Cell {
    #[default]
    Start,
    Plain,
    Quoted,
    /// A quote inside a quoted cell: `""` goes on, anything else closes it.
    QuoteInQuoted,
}

#[derive(Default)]
struct QuoteState {
    cell: Cell,
    line: u64,
    opened_on: u64,
    at_end: bool,
}

impl QuoteState {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
            }
            self.cell = match (self.cell, b) {
                (Cell::Start, b'"') => {
                    self.opened_on = self.line + 1;
                    Cell::Quoted
                }
                (Cell::Quoted, b'"') => Cell::QuoteInQuoted,
                (Cell::Quoted, _) => Cell::Quoted,
                (Cell::QuoteInQuoted, b'"') => Cell::Quoted,
                (_, b',' | b'\n' | b'\r') => Cell::Start,
                _ => Cell::Plain,
            };
        }
    }
}

struct WatchedReader<R> {
    inner: R,
    watch: QuoteWatch,
}

impl<R: Read> Read for WatchedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut st = self.watch.state.lock().unwrap_or_else(|p| p.into_inner());
        st.feed(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            st.at_end = true;
        }
        Ok(n)
    }
}

/// The line on which a quoted cell opened that the file never closed, once the file is read.
fn unclosed_quote(state: &std::sync::Arc<std::sync::Mutex<QuoteState>>) -> Option<u64> {
    let st = state.lock().unwrap_or_else(|p| p.into_inner());
    (st.at_end && st.cell == Cell::Quoted).then_some(st.opened_on)
}

fn csv_err(e: csv::Error) -> Error {
    Error::invalid(format!("Lỗi ghi CSV: {e}"))
}

/// Reads past the rest of a line without keeping it (a file that is not JSON Lines at all
/// may have no line break in a gigabyte). Returns the bytes read.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(skipped);
        }
        let (used, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        reader.consume(used);
        skipped += used as u64;
        if done {
            return Ok(skipped);
        }
    }
}

/// Why a line is not a case, naming the field an administrator has to fix. The field's path
/// comes from a second, path-tracking parse of the refused line only, which costs nothing on the
/// lines that parse.
fn json_rejection(text: &str) -> String {
    let mut de = serde_json::Deserializer::from_str(text);
    let e = match serde_path_to_error::deserialize::<_, InterchangeCase>(&mut de) {
        Ok(_) => return "Dòng JSON không hợp lệ.".into(),
        Err(e) => e,
    };
    let path = e.path().to_string();
    let e = e.into_inner();
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Io => {
            return format!(
                "Dòng không phải JSON hợp lệ (sai cú pháp ở cột {}).",
                e.column()
            );
        }
        Category::Eof => return "Dòng JSON bị cắt cụt: thiếu phần cuối.".into(),
        Category::Data => {}
    }
    // serde's message without its " at line 1 column N".
    let full = e.to_string();
    let msg = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    let quoted =
        |m: &str| -> Vec<String> { m.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let field = |name: &str| {
        if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if msg.starts_with("missing field") {
        let name = quoted(msg).into_iter().next().unwrap_or_default();
        return format!("Thiếu trường “{}”.", field(&name));
    }
    if msg.starts_with("unknown variant") {
        let q = quoted(msg);
        let (value, allowed) = q
            .split_first()
            .map_or(("", &[][..]), |(v, a)| (v.as_str(), a));
        return format!(
            "Trường “{path}”: giá trị “{value}” không có trong danh mục (chấp nhận: {}).",
            allowed.join(", ")
        );
    }
    let last = path.rsplit('.').next().unwrap_or_default();
    let what = match last {
        "id" => "không phải mã UUID (ví dụ 0197c3f5-71a0-7a7a-b766-3de16debbf11)".to_owned(),
        "received_at" => {
            "không đúng dạng ngày giờ RFC 3339 (ví dụ 2025-09-29T21:15:00+07:00)".to_owned()
        }
        _ => match msg
            .strip_prefix("invalid type: ")
            .and_then(|m| m.split_once(", expected "))
        {
            Some((found, expected)) => format!(
                "sai kiểu dữ liệu: cần {}, nhận được {}",
                json_kind(expected),
                json_kind(found)
            ),
            None => msg.to_owned(),
        },
    };
    format!("Trường “{path}” {what}.")
}

/// serde's name of a JSON value's kind ("a string", "integer `5`", "struct X"), in Vietnamese.
fn json_kind(s: &str) -> String {
    let (kind, value) = s.split_once(' ').unwrap_or((s, ""));
    let value = value.trim_matches('`');
    let named = |word: &str| {
        if value.is_empty() {
            word.to_owned()
        } else {
            format!("{word} {value}")
        }
    };
    match kind {
        "a" | "an" => json_kind(value),
        "string" => named("văn bản"),
        "integer" | "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => {
            named("số nguyên")
        }
        "floating" | "f32" | "f64" => "số".into(),
        "boolean" => named("giá trị đúng/sai"),
        "sequence" => "danh sách [...]".into(),
        "map" | "struct" => "đối tượng {...}".into(),
        "null" | "unit" => "null".into(),
        _ => s.to_owned(),
    }
}

/// A date as Excel registers write it: `dd/MM/yyyy HH:mm`, `dd/MM/yyyy`, or RFC 3339.
pub fn parse_vn_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    let tz = vn_offset();
    for f in [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %Hh%M",
        "%d-%m-%Y %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return tz.from_local_datetime(&n).single();
        }
    }
    for f in ["%d/%m/%Y", "%d-%m-%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single();
        }
    }
    None
}

/// A value of one of the closed lists, by its code or label; otherwise the labels it can be.
fn from_list<T: Copy>(
    what: &str,
    value: &str,
    all: &[T],
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
) -> Result<T, String> {
    parse(value).ok_or_else(|| {
        let allowed: Vec<&str> = all.iter().map(|v| label(*v)).collect();
        format!(
            "{what} “{value}” không có trong danh mục (chấp nhận: {}).",
            allowed.join(", ")
        )
    })
}

/// A CSV row as a case, with the id registers made before secret import ids would have given it
/// (for a row that carries no id).
fn csv_case(
    get: &dyn Fn(usize) -> Option<String>,
    default_station: &str,
    categories: &[(String, String, String)],
    namespace: Uuid,
) -> Result<(InterchangeCase, Option<Uuid>), String> {
    let station = get(1).unwrap_or_else(|| default_station.to_owned());
    let register_no = get(2).ok_or("Thiếu số thụ lý.")?;
    let received_at = get(3).ok_or("Thiếu ngày giờ tiếp nhận.")?;
    let received_at = parse_vn_datetime(&received_at).ok_or_else(|| {
        format!("Ngày giờ tiếp nhận “{received_at}” không đúng dạng dd/MM/yyyy HH:mm.")
    })?;
    let kind = get(4).ok_or("Thiếu nguồn tin.")?;
    let kind = from_list("Nguồn tin", &kind, Kind::ALL, Kind::parse, Kind::label_vi)?;
    let channel = get(5).ok_or("Thiếu kênh tiếp nhận.")?;
    let channel = from_list(
        "Kênh tiếp nhận",
        &channel,
        Channel::ALL,
        Channel::parse,
        Channel::label_vi,
    )?;
    let cat_in = get(7).ok_or("Thiếu loại vụ việc.")?;
    let category = category_code(categories, &cat_in)
        .ok_or_else(|| format!("Loại vụ việc “{cat_in}” không có trong danh mục."))?;
    let urgency = match get(8) {
        Some(s) => from_list(
            "Mức độ",
            &s,
            Urgency::ALL,
            Urgency::parse,
            Urgency::label_vi,
        )?,
        None => Urgency::Normal,
    };
    let status = match get(18) {
        Some(s) => from_list(
            "Kết quả/tình trạng",
            &s,
            Status::ALL,
            Status::parse,
            Status::label_vi,
        )?,
        None => Status::Received,
    };
    let persons = get(17)
        .map(|s| {
            s.split(';')
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    let (role, rest) = p
                        .split_once(':')
                        .map(|(a, b)| (PersonRole::parse(a.trim()), b))
                        .unwrap_or((None, p));
                    let rest = rest.trim();
                    // "[giám hộ người số N]": the minor's position in this list, from 1.
                    let (rest, guardian_of) =
                        match rest.strip_suffix(']').and_then(|r| r.rsplit_once('[')) {
                            Some((r, g)) => (
                                r.trim(),
                                g.trim()
                                    .strip_prefix(GUARDIAN_OF_CSV)
                                    .and_then(|n| n.trim().parse::<usize>().ok())
                                    .and_then(|n| n.checked_sub(1)),
                            ),
                            None => (rest, None),
                        };
                    let (name, birth) = match rest.rsplit_once('(') {
                        Some((n, y)) => (n.trim(), Some(y.trim_end_matches(')').trim())),
                        None => (rest, None),
                    };
                    // A full date of birth (dd/mm/yyyy) or only the year.
                    let birth_date =
                        birth.and_then(|b| NaiveDate::parse_from_str(b, "%d/%m/%Y").ok());
                    InterPerson {
                        role: role.unwrap_or(PersonRole::Witness),
                        name: name.to_owned(),
                        birth_year: birth_date
                            .map(|d| d.year())
                            .or_else(|| birth.and_then(|b| b.parse().ok())),
                        birth_date: birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
                        guardian_of,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let reporter = match (get(14), get(15), get(16)) {
        (None, None, None) => None,
        (name, phone, address) => Some(InterReporter {
            name,
            phone,
            address,
        }),
    };
    let (id, legacy_id) = match get(0) {
        Some(s) => (
            s.parse()
                .map_err(|_| "Mã hồ sơ không phải UUID.".to_owned())?,
            None,
        ),
        // Stable, so importing the same sheet twice adds nothing; keyed by this register's
        // secret namespace, so no one else can compute it from the station and number and
        // write a case under it first.
        None => {
            let name = format!("tinbao:{station}:{register_no}");
            (
                Uuid::new_v5(&namespace, name.as_bytes()),
                Some(Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())),
            )
        }
    };
    Ok((
        InterchangeCase {
            id,
            station,
            register_no,
            received_at,
            channel,
            channel_ref: get(6),
            kind,
            category,
            urgency,
            summary: get(9).ok_or("Thiếu tóm tắt.")?,
            description: get(10).unwrap_or_default(),
            location: InterLocation {
                commune: get(11),
                hamlet: get(12),
                address: get(13),
            },
            reporter,
            persons,
            status,
        },
        legacy_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case_row::reproject;
    use crate::search_index::reindex;
    use crate::store::system_actor;

    type Snapshot = (Vec<Vec<Option<String>>>, Vec<(String, Vec<i64>)>);

    /// The derived columns of every case and every token of the search index.
    fn snapshot(s: &Store) -> Snapshot {
        let mut st = s
            .conn
            .prepare(
                "SELECT id, status, assignee, outcome, outcome_utc, duplicate_of, review, deadline_utc,
                   deadline_rule, conflict FROM cases ORDER BY id",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| {
                (0..10)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| Some(format!("{v:?}")))
                    })
                    .collect()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<Vec<Option<String>>>>>()
            .unwrap();
        s.conn
            .execute_batch(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, case_fts, 'row')",
            )
            .unwrap();
        let terms: Vec<String> = s
            .conn
            .prepare("SELECT term FROM temp.v")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // Which entries hold each term (the index keeps no positions to list).
        let mut tokens = Vec::new();
        let mut st = s
            .conn
            .prepare("SELECT rowid FROM case_fts WHERE case_fts MATCH ?1 ORDER BY rowid")
            .unwrap();
        for t in terms {
            let docs: Vec<i64> = st
                .query_map([format!("\"{t}\"")], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            tokens.push((t, docs));
        }
        (rows, tokens)
    }

    /// Import writes each case already derived and indexed from memory; deriving it again from
    /// its stored events and row must change nothing. A province database writes the same
    /// rows without building the sync changes it does not queue.
    #[test]
    fn imported_cases_are_derived_and_indexed_as_their_events_say() {
        for scope in [Scope::Station("01843".into()), Scope::Province("66".into())] {
            let dir = tempfile::tempdir().unwrap();
            let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
            let sample = include_str!("../../../tests/data/sample-500.jsonl");
            let report = s
                .import_jsonl(&system_actor(&scope), sample.as_bytes(), &mut |_| {})
                .unwrap();
            assert!(report.imported > 20, "{report:?}");
            let before = snapshot(&s);
            assert!(
                before
                    .0
                    .iter()
                    .any(|r| r[1].as_deref() != Some("Text(\"received\")"))
            );
            assert!(before.0.iter().any(|r| r[7].as_deref() != Some("Null")));
            let ids: Vec<String> = s
                .conn
                .prepare("SELECT id FROM cases")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let tx = s.conn.transaction().unwrap();
            for id in &ids {
                reproject(&tx, id).unwrap();
                reindex(&tx, id).unwrap();
            }
            tx.commit().unwrap();
            assert_eq!(before, snapshot(&s), "{scope:?}");
        }
    }

    /// Rejections name the file's own line numbers, blank lines counted, in order, though the
    /// lines are read on another thread than the one that checks them against the register.
    /// Each refused line says which field is wrong and how, in Vietnamese.
    #[test]
    fn a_refused_line_names_its_field() {
        let good = include_str!("../../../tests/data/sample-500.jsonl")
            .lines()
            .next()
            .unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v: serde_json::Value = serde_json::from_str(good).unwrap();
            f(&mut v);
            v.to_string()
        };
        let cases = [
            ("{oops".to_owned(), "sai cú pháp ở cột 2"),
            (good[..good.len() / 2].to_owned(), "bị cắt cụt"),
            (
                with(&|v| {
                    v.as_object_mut().unwrap().remove("station");
                }),
                "Thiếu trường “station”.",
            ),
            (
                with(&|v| v["channel"] = json!("tiktok")),
                "Trường “channel”: giá trị “tiktok” không có trong danh mục (chấp nhận: zalo, facebook,",
            ),
            (
                with(&|v| v["persons"] = json!([{ "role": "boss", "name": "A" }])),
                "Trường “persons[0].role”: giá trị “boss”",
            ),
            (
                with(&|v| v["persons"] = json!([{ "role": "suspect" }])),
                "Thiếu trường “persons[0].name”.",
            ),
            (
                with(&|v| v["id"] = json!("x")),
                "Trường “id” không phải mã UUID",
            ),
            (
                with(&|v| v["received_at"] = json!("29/09/2025 21:15")),
                "Trường “received_at” không đúng dạng ngày giờ RFC 3339",
            ),
            (
                with(&|v| v["summary"] = json!(5)),
                "Trường “summary” sai kiểu dữ liệu: cần văn bản, nhận được số nguyên 5.",
            ),
            (
                with(&|v| v["reporter"] = json!("anh Ba")),
                "Trường “reporter” sai kiểu dữ liệu: cần đối tượng {...}, nhận được văn bản \"anh Ba\".",
            ),
            (
                with(&|v| {
                    v["persons"] = json!([{ "role": "suspect", "name": "A", "birth_year": "1990" }])
                }),
                "Trường “persons[0].birth_year” sai kiểu dữ liệu: cần số nguyên, nhận được văn bản \"1990\".",
            ),
        ];
        for (line, want) in &cases {
            let got = json_rejection(line);
            assert!(got.contains(want), "{line}\n  → {got}\n  (want {want})");
        }
        // And the import reports them so, with their line numbers.
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let file: String = cases.iter().map(|(l, _)| format!("{l}\n")).collect();
        let rep = s
            .import_jsonl(&system_actor(&scope), file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 0);
        let got: Vec<(u64, bool)> = rep
            .rejected
            .iter()
            .zip(&cases)
            .map(|(r, (_, want))| (r.line, r.reason.contains(want)))
            .collect();
        let want: Vec<(u64, bool)> = (1..=cases.len() as u64).map(|l| (l, true)).collect();
        assert_eq!(got, want, "{:?}", rep.rejected);
    }

    /// A line far longer than any case (here 20 MB with no line break, as a file that is not
    /// JSON Lines may be) is refused, the next line imports, and progress counts every byte.
    #[test]
    fn an_endless_line_is_refused_and_the_next_one_imports() {
        let good = include_str!("../../../tests/data/sample-500.jsonl")
            .lines()
            .find(|l| l.contains("\"station\": \"01843\""))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let endless = std::io::repeat(b'x').take(20 << 20);
        let tail = format!("\n{good}\n").into_bytes();
        let input = endless.chain(tail.as_slice());
        let mut read = 0;
        let rep = s
            .import_jsonl(&system_actor(&scope), input, &mut |b| read = b)
            .unwrap();
        assert_eq!((rep.lines, rep.imported), (2, 1));
        assert_eq!(rep.rejected.len(), 1);
        assert_eq!(rep.rejected[0].line, 1);
        assert!(rep.rejected[0].reason.contains("Dòng quá dài"));
        assert_eq!(read, (20 << 20) + good.len() as u64 + 2);
    }

    #[test]
    fn rejected_lines_keep_the_files_numbering() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let own: Vec<&str> = sample
            .lines()
            .filter(|l| l.contains("\"station\": \"01843\""))
            .take(3)
            .collect();
        let other = sample
            .lines()
            .find(|l| !l.contains("\"station\": \"01843\""))
            .unwrap();
        // 1 case, 2 blank, 3 case, 4 other station (refused by the writer), 5 blank,
        // 6 not JSON (refused by the reader), 7 case.
        let file = format!(
            "{}\n\n{}\n{other}\n   \n{{oops\n{}\n",
            own[0], own[1], own[2]
        );
        let mut seen = Vec::new();
        let rep = s
            .import_jsonl(&system_actor(&scope), file.as_bytes(), &mut |b| {
                seen.push(b)
            })
            .unwrap();
        assert_eq!(rep.imported, 3);
        assert_eq!(rep.lines, 5);
        let lines: Vec<u64> = rep.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 6], "{:?}", rep.rejected);
        assert_eq!(seen.last().copied(), Some(file.len() as u64));
    }

    const CSV_HEAD: &str =
        "Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt,Nội dung\n";

    fn csv_row(no: u32, description: &str) -> String {
        format!(
            "{no}/2025,05/03/2025 08:30,Tố giác,Zalo,Trộm cắp tài sản,Mất trộm xe số {no},{description}\n"
        )
    }

    /// A quote opened and never closed must not swallow the rows after it into one cell.
    #[test]
    fn an_unclosed_csv_quote_is_refused_with_its_line_and_swallows_nothing_silently() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let file = format!(
            "{CSV_HEAD}{}{}{}{}{}",
            csv_row(1, "\"Có \"\"ngoặc\"\" và\nxuống dòng\""),
            csv_row(2, ""),
            csv_row(3, "\"Quên đóng ngoặc"),
            csv_row(4, ""),
            csv_row(5, ""),
        );
        let rep = s
            .import_csv(&system_actor(&scope), file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 2, "{:?}", rep.rejected);
        assert_eq!(rep.rejected.len(), 1, "{:?}", rep.rejected);
        assert_eq!(rep.rejected[0].line, 5);
        assert!(
            rep.rejected[0].reason.contains("dòng 5 không được đóng"),
            "{}",
            rep.rejected[0].reason
        );
        // The rows that were whole imported with their cells intact.
        let found = s
            .search(
                &system_actor(&scope),
                &crate::search::SearchQuery {
                    text: Some("ngoac xuong dong".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(found.rows.len(), 1);

        // A closed quote at the very end of the file is not taken for an open one.
        let mut s2 = Store::create(dir.path().join("t2.db"), "k", scope.clone()).unwrap();
        let file = format!("{CSV_HEAD}{}", csv_row(7, "\"đóng ở cuối\"").trim_end());
        let rep = s2
            .import_csv(&system_actor(&scope), file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(
            (rep.imported, rep.rejected.len()),
            (1, 0),
            "{:?}",
            rep.rejected
        );
    }

    /// Another station must not be able to compute the id a CSV row will get (and write a
    /// case under it first); the same sheet imported twice still adds nothing, including a
    /// sheet imported before ids were keyed.
    #[test]
    fn a_csv_rows_id_cannot_be_computed_from_its_station_and_number() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let admin = system_actor(&scope);
        let file = format!("{CSV_HEAD}{}", csv_row(1, ""));
        let public = Uuid::new_v5(&Uuid::NAMESPACE_OID, b"tinbao:01843:1/2025");
        let ids = |s: &Store| -> Vec<String> {
            s.conn
                .prepare("SELECT id FROM cases")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let mut a = Store::create(dir.path().join("a.db"), "k", scope.clone()).unwrap();
        let mut b = Store::create(dir.path().join("b.db"), "k", scope.clone()).unwrap();
        a.import_csv(&admin, file.as_bytes(), &mut |_| {}).unwrap();
        b.import_csv(&admin, file.as_bytes(), &mut |_| {}).unwrap();
        let (ia, ib) = (ids(&a), ids(&b));
        assert_eq!(ia.len(), 1);
        assert_ne!(ia, ib, "each register keys its own ids");
        assert_ne!(ia[0], public.to_string());
        let again = a.import_csv(&admin, file.as_bytes(), &mut |_| {}).unwrap();
        assert_eq!((again.imported, again.already_present), (0, 1));

        // A register that imported the sheet with the old, public id.
        let mut old = Store::create(dir.path().join("c.db"), "k", scope.clone()).unwrap();
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let mut line: serde_json::Value = serde_json::from_str(
            sample
                .lines()
                .find(|l| l.contains("\"station\": \"01843\""))
                .unwrap(),
        )
        .unwrap();
        line["id"] = public.to_string().into();
        line["register_no"] = "1/2025".into();
        line["received_at"] = "2025-03-05T08:30:00+07:00".into();
        let rep = old
            .import_jsonl(&admin, line.to_string().as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 1, "{:?}", rep.rejected);
        let again = old
            .import_csv(&admin, file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(
            (again.imported, again.already_present),
            (0, 1),
            "{:?}",
            again.rejected
        );
    }

    #[test]
    fn a_json_lines_file_may_start_with_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let own: Vec<&str> = sample
            .lines()
            .filter(|l| l.contains("\"station\": \"01843\""))
            .take(2)
            .collect();
        let file = format!("\u{feff}{}\n{}\n", own[0], own[1]);
        let rep = s
            .import_jsonl(&system_actor(&scope), file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(
            (rep.imported, rep.rejected.len()),
            (2, 0),
            "{:?}",
            rep.rejected
        );
    }

    #[test]
    fn control_characters_in_a_text_field_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let file = format!(
            "{CSV_HEAD}{}{}",
            csv_row(1, "Nội dung\u{0}ẩn"),
            csv_row(2, "Có tab\tvà bình thường"),
        );
        let rep = s
            .import_csv(&system_actor(&scope), file.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 1, "{:?}", rep.rejected);
        assert_eq!(rep.rejected[0].line, 2);
        assert!(
            rep.rejected[0].reason.contains("U+0000"),
            "{}",
            rep.rejected[0].reason
        );
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let line = sample
            .lines()
            .find(|l| l.contains("\"station\": \"01843\""))
            .unwrap()
            .replacen("\"summary\": \"", "\"summary\": \"\\u001b[31m", 1);
        assert!(line.contains("\\u001b"));
        let rep = s
            .import_jsonl(&system_actor(&scope), line.as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 0);
        assert!(
            rep.rejected[0].reason.contains("U+001B"),
            "{:?}",
            rep.rejected
        );
    }

    /// A full disk (here SQLite's own size limit, which fails the same way: SQLITE_FULL) ends
    /// the import with the Vietnamese message; the batch it was writing leaves nothing behind,
    /// the register is intact, and the same file imports whole once there is room.
    #[test]
    fn a_full_disk_ends_the_import_and_nothing_is_half_written() {
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let admin = system_actor(&scope);
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let (first, rest): (Vec<&str>, Vec<&str>) = {
            let own: Vec<&str> = sample.lines().filter(|l| l.contains("\"01843\"")).collect();
            let (a, b) = own.split_at(5);
            (a.to_vec(), b.to_vec())
        };
        assert!(rest.len() > 20);
        let rep = s
            .import_jsonl(&admin, first.join("\n").as_bytes(), &mut |_| {})
            .unwrap();
        assert_eq!(rep.imported, 5);
        let before = snapshot(&s);
        let pages: i64 = s
            .conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        s.conn
            .pragma_update(None, "max_page_count", pages + 2)
            .unwrap();
        let err = s
            .import_jsonl(&admin, rest.join("\n").as_bytes(), &mut |_| {})
            .unwrap_err();
        assert!(matches!(err, Error::DiskFull), "{err:?}");
        assert!(err.to_string().starts_with("Ổ đĩa đã đầy"), "{err}");
        assert_eq!(snapshot(&s), before);
        assert!(s.verify().unwrap().ok);

        s.conn
            .pragma_update(None, "max_page_count", 1_000_000_000)
            .unwrap();
        let all = [first, rest].concat().join("\n");
        let rep = s.import_jsonl(&admin, all.as_bytes(), &mut |_| {}).unwrap();
        assert_eq!((rep.already_present, rep.rejected.len()), (5, 0));
        let cases: i64 = s
            .conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
            .unwrap();
        assert_eq!(cases as u64, 5 + rep.imported);
    }

    /// A file that cannot be read to its end (a pulled USB stick) ends the import with the
    /// error; what was read before it is imported, and the reading thread does not hang.
    #[test]
    fn a_read_error_ends_the_import_with_the_error() {
        struct Failing<'a>(&'a [u8]);
        impl Read for Failing<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() {
                    return Err(std::io::Error::other("thiết bị bị rút ra"));
                }
                let n = buf.len().min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let scope = Scope::Station("01843".into());
        let mut s = Store::create(dir.path().join("t.db"), "k", scope.clone()).unwrap();
        let sample = include_str!("../../../tests/data/sample-500.jsonl");
        let err = s
            .import_jsonl(
                &system_actor(&scope),
                Failing(sample.as_bytes()),
                &mut |_| {},
            )
            .unwrap_err();
        assert!(matches!(err, Error::Io(_)), "{err}");
    }
}
