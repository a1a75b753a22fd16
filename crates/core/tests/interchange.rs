//! Import and export: JSON Lines and the stations' Excel CSV.
mod common;

use chrono::{Duration, Utc};
use common::*;
use tinbao_core::*;
use uuid::Uuid;

#[test]
fn import_reports_bad_lines_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", "24280");
    let sample = sample();
    let mut file: String = sample
        .lines()
        .filter(|l| l.contains("\"station\": \"24280\""))
        .take(40)
        .map(|l| format!("{l}\n"))
        .collect();
    let good = file.lines().count() as u64;
    file.push_str("{not json\n");
    let future = (Utc::now() + Duration::days(30)).format("%Y-%m-%dT%H:%M:%S+07:00");
    let template = sample
        .lines()
        .find(|l| l.contains("\"station\": \"24280\""))
        .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(template).unwrap();
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!(future.to_string());
    v["register_no"] = serde_json::json!(format!(
        "999/{}",
        (Utc::now() + Duration::days(30)).format("%Y")
    ));
    file.push_str(&format!("{v}\n"));
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!("1999-05-01T10:00:00+07:00");
    v["register_no"] = serde_json::json!("5/1999");
    file.push_str(&format!("{v}\n"));
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["received_at"] = serde_json::json!("2024-05-01T10:00:00+07:00");
    v["register_no"] = serde_json::json!("77/2024");
    v["location"]["commune"] = serde_json::json!("99999");
    file.push_str(&format!("{v}\n"));
    v["location"]["commune"] = serde_json::json!("24280");
    v["id"] = serde_json::json!(Uuid::now_v7().to_string());
    v["summary"] = serde_json::json!("x".repeat(5000));
    file.push_str(&format!("{v}\n"));
    let rep = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!(rep.imported, good);
    // A station's own imported register goes to the server like its intake.
    let queued = s.pending_changes(100_000).unwrap();
    let cases: std::collections::HashSet<Uuid> = queued
        .iter()
        .filter(|c| c.entity == tinbao_sync::EntityKind::Case)
        .map(|c| c.entity_id)
        .collect();
    assert_eq!(cases.len() as u64, good);
    let lines: Vec<u64> = rep.rejected.iter().map(|r| r.line).collect();
    assert_eq!(
        lines,
        vec![good + 1, good + 2, good + 3, good + 4, good + 5],
        "{:?}",
        rep.rejected
    );
    assert!(rep.rejected[1].reason.contains("tương lai"));
    assert!(rep.rejected[3].reason.contains("99999"));
    let again = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!((again.imported, again.already_present), (0, good));
    // The round trip through the interchange format and CSV gives back the same cases.
    let mut jsonl = Vec::new();
    assert_eq!(s.export_jsonl(&chief, false, &mut jsonl).unwrap(), good);
    let mut csv = Vec::new();
    s.export_csv(&chief, true, &mut csv).unwrap();
    let dir2 = tempfile::tempdir().unwrap();
    let (mut t, chief2) = station(&dir2, "b.db", "24280");
    let r = t.import_csv(&chief2, csv.as_slice(), &mut |_| {}).unwrap();
    assert_eq!(
        (r.imported, r.rejected.len()),
        (good, 0),
        "{:?}",
        r.rejected
    );
    let mut jsonl2 = Vec::new();
    t.export_jsonl(&chief2, false, &mut jsonl2).unwrap();
    let (a, b) = (
        String::from_utf8(jsonl).unwrap(),
        String::from_utf8(jsonl2).unwrap(),
    );
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y);
    }
}

#[test]
fn csv_from_an_excel_register() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let csv = "\u{feff}Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt,Người liên quan,Kết quả\n\
               3/2025,05/03/2025 08:30,Tố giác,Trực tiếp tại trụ sở,Trộm cắp tài sản,Mất trộm xe máy,Bị hại: Trần Văn An (1980),Đang xác minh\n\
               4/2025,32/03/2025 08:30,Tố giác,Zalo,theft,Mất trộm,,\n\
               5/2025,06/03/2025,Tin báo,Zalo,Không có loại này,Mất trộm,,\n\
               6/2025,06/03/2025,Tin báo,TikTok,theft,Mất trộm,,\n";
    let r = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(r.imported, 1);
    let reasons: Vec<(u64, &str)> = r
        .rejected
        .iter()
        .map(|x| (x.line, x.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                3,
                "Ngày giờ tiếp nhận “32/03/2025 08:30” không đúng dạng dd/MM/yyyy HH:mm."
            ),
            (
                4,
                "Loại vụ việc “Không có loại này” không có trong danh mục."
            ),
            (
                5,
                "Kênh tiếp nhận “TikTok” không có trong danh mục (chấp nhận: Zalo, Facebook, Đường dây nóng, Tin nhắn SMS, Trực tiếp tại trụ sở, Thư điện tử, Đơn vị khác chuyển đến, Lực lượng tuần tra phát hiện)."
            ),
        ]
    );
    let rows = text_search(&s, &chief, "tran van an");
    assert_eq!(rows[0].status, Status::Verifying);
    let again = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(again.already_present, 1);
    // Numbering continues after the imported register.
    let c = s.intake(&chief, wheelies()).unwrap();
    assert_eq!(c.row.register_no, "4/2025");
}

/// A description with line breaks (Excel keeps them inside a quoted cell) spans several lines
/// of the file; a rejected record is still named by the line where it starts.
#[test]
fn csv_rejections_name_the_line_where_the_record_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let csv = "Số thụ lý,Ngày giờ tiếp nhận,Nguồn tin,Kênh tiếp nhận,Loại vụ việc,Tóm tắt,Nội dung\n\
               3/2025,05/03/2025 08:30,Tố giác,Zalo,Trộm cắp tài sản,Mất trộm xe máy,\"Sáng nay\nmất xe\ntrước nhà\"\n\
               4/2025,32/03/2025 08:30,Tố giác,Zalo,theft,Mất trộm,\n";
    let r = s.import_csv(&chief, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!(r.imported, 1);
    assert_eq!(
        r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(),
        vec![5],
        "{:?}",
        r.rejected
    );
}

/// Dates of birth and guardian links leave in JSON Lines and CSV and come back on import: the
/// guardian still answers for the same minor of the same case.
#[test]
fn birth_dates_and_guardians_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    // The guardian answers for the second boy, so that a position of 0 by accident would show.
    c.persons[2].guardian_of_index = Some(1);
    s.intake(&chief, c).unwrap();

    let mut jsonl = Vec::new();
    s.export_jsonl(&chief, false, &mut jsonl).unwrap();
    let jsonl = String::from_utf8(jsonl).unwrap();
    assert!(jsonl.contains(r#""birth_date":"2008-05-20""#), "{jsonl}");
    assert!(jsonl.contains(r#""guardian_of":1"#), "{jsonl}");
    let mut csv = Vec::new();
    s.export_csv(&chief, false, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("Người giám hộ: Hoàng Văn Sáng (1979) [giám hộ người số 2]"),
        "{csv}"
    );
    assert!(csv.contains("Lý Văn Thắng (20/05/2008)"), "{csv}");

    let check = |s: &Store, a: &Actor, how: &str| {
        let row = &text_search(s, a, "boc dau")[0];
        let d = s.case_detail(a, row.id).unwrap();
        let thang = d.persons.iter().find(|p| p.name == "Lý Văn Thắng").unwrap();
        let sang = d
            .persons
            .iter()
            .find(|p| p.name == "Hoàng Văn Sáng")
            .unwrap();
        assert_eq!(thang.birth_date.as_deref(), Some("2008-05-20"), "{how}");
        assert_eq!(thang.birth_year, Some(2008), "{how}");
        assert_eq!(sang.guardian_of, Some(thang.id), "{how}");
    };
    let (mut b, chief_b) = station(&dir, "b.db", BAC_KAN);
    let r = b
        .import_jsonl(&chief_b, jsonl.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!((r.imported, r.rejected.len()), (1, 0), "{:?}", r.rejected);
    check(&b, &chief_b, "JSON Lines");
    let (mut c, chief_c) = station(&dir, "c.db", BAC_KAN);
    let r = c.import_csv(&chief_c, csv.as_bytes(), &mut |_| {}).unwrap();
    assert_eq!((r.imported, r.rejected.len()), (1, 0), "{:?}", r.rejected);
    check(&c, &chief_c, "CSV");

    // A guardian link to a person the line does not have is refused, with the line.
    let bad = jsonl.replace(r#""guardian_of":1"#, r#""guardian_of":9"#);
    let (mut d, chief_d) = station(&dir, "d.db", BAC_KAN);
    let r = d
        .import_jsonl(&chief_d, bad.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!(r.imported, 0);
    assert!(
        r.rejected[0]
            .reason
            .contains("Người giám hộ “Hoàng Văn Sáng”"),
        "{:?}",
        r.rejected
    );
}
