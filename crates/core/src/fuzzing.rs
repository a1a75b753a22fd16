//! Entry points of the fuzz targets in `fuzz/` (cargo-fuzz): the readers of `import_jsonl` and
//! `import_csv` without a database, each input read as an import reads it. Hidden from the
//! documentation; not an API for anything else.
//!
//! Besides "no panic", each entry checks what the import report relies on: every line read is
//! either a case or a rejection, line numbers lie within the file, and the JSON Lines reader's
//! progress ends at the input's last byte.
use crate::interchange::{Chunk, CsvCases, read_jsonl};

/// What a reader made of one input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Lines (records, for CSV) read, blank lines not counted.
    pub lines: u64,
    pub cases: u64,
    pub rejected: u64,
    /// The CSV header row was refused (no header, or a required column missing).
    pub header_refused: bool,
}

/// The station a CSV record without a station column is filed under.
pub const STATION: &str = "01843";

/// A few of the shipped categories (`migrations/002_defaults.sql`), as `Store::categories`
/// lists them: code, Vietnamese label, English label.
pub fn categories() -> Vec<(String, String, String)> {
    [
        ("theft", "Trộm cắp tài sản", "Theft"),
        ("online_fraud", "Lừa đảo qua mạng", "Online fraud"),
        (
            "affray",
            "Gây rối, đánh nhau, tụ tập mang hung khí",
            "Affray, armed gangs",
        ),
        (
            "traffic_order",
            "Trật tự giao thông (đua xe, bốc đầu, lạng lách)",
            "Traffic order (racing, wheelies)",
        ),
        ("other", "Khác", "Other"),
    ]
    .into_iter()
    .map(|(c, vi, en)| (c.to_owned(), vi.to_owned(), en.to_owned()))
    .collect()
}

/// Collects the chunks a reader hands over, checking each.
struct Collect {
    summary: Summary,
    /// The highest line number the input can have.
    max_line: u64,
    position: u64,
}

impl Collect {
    fn new(max_line: u64) -> Self {
        Collect {
            summary: Summary::default(),
            max_line,
            position: 0,
        }
    }

    fn take(&mut self, chunk: Chunk) -> bool {
        let (cases, rejected) = (chunk.cases.len() as u64, chunk.rejected.len() as u64);
        assert_eq!(
            chunk.lines,
            cases + rejected,
            "every line read is a case or a rejection"
        );
        let lines = chunk
            .cases
            .iter()
            .map(|c| c.line)
            .chain(chunk.rejected.iter().map(|r| r.line));
        for line in lines {
            assert!(
                (1..=self.max_line).contains(&line),
                "line {line} outside the file's 1..={}",
                self.max_line
            );
        }
        for r in &chunk.rejected {
            assert!(!r.reason.is_empty(), "a rejection without a reason");
        }
        self.summary.lines += chunk.lines;
        self.summary.cases += cases;
        self.summary.rejected += rejected;
        self.position = chunk.position;
        true
    }
}

/// Reads `bytes` as `Store::import_jsonl` does, without the writer.
pub fn import_jsonl(bytes: &[u8]) -> Summary {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
    let mut collect = Collect::new(newlines + 1);
    read_jsonl(bytes, &mut |c| collect.take(c)).expect("reading a byte slice cannot fail");
    assert_eq!(
        collect.position,
        bytes.len() as u64,
        "progress ends at the last byte"
    );
    collect.summary
}

/// Reads `bytes` as `Store::import_csv` does for a database of station [`STATION`] with
/// [`categories`], without the writer.
pub fn import_csv(bytes: &[u8]) -> Summary {
    let breaks = bytes.iter().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64;
    let reader = match CsvCases::open(bytes) {
        Ok(r) => r,
        Err(_) => {
            return Summary {
                header_refused: true,
                ..Summary::default()
            };
        }
    };
    let mut collect = Collect::new(breaks + 1);
    reader
        .read(STATION, &categories(), uuid::Uuid::nil(), &mut |c| {
            collect.take(c)
        })
        .expect("reading a byte slice cannot fail");
    collect.summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_reads_whole() {
        let sample = include_bytes!("../../../tests/data/sample-500.jsonl");
        let s = import_jsonl(sample);
        assert_eq!((s.lines, s.cases, s.rejected), (500, 500, 0));
        let s = import_jsonl(b"\n{oops\n\xff\n");
        assert_eq!((s.lines, s.cases, s.rejected), (2, 0, 2));
    }

    #[test]
    fn a_csv_reads_with_its_rejections() {
        let csv = "Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt\n\
                   1/2025,05/03/2025 08:30,Tố giác,Zalo,Trộm cắp tài sản,Mất xe\n\
                   2/2025,31/02/2025 08:30,Tố giác,Zalo,Trộm cắp tài sản,Mất xe\n";
        let s = import_csv(csv.as_bytes());
        assert_eq!((s.lines, s.cases, s.rejected), (2, 1, 1));
        assert!(import_csv(b"a,b\n1,2\n").header_refused);
    }
}
