//! The province's reference data as it travels: one dated version of one entry of a set
//! (`EntityKind::Reference`), the id every device gives it, and the rules on its values that
//! the server's policy and the app's own writer both apply, so a province laptop cannot write
//! what the server would refuse.
use serde_json::{Map, Value};
use uuid::Uuid;

/// The sets of reference data the province owns.
pub const SETS: &[&str] = &[
    "deadline_rule",
    "holiday",
    "category",
    "cutoff_day",
    "fine_cap",
    "remote_station",
    "answer_template",
];

/// Units a deadline rule may count in.
pub const RULE_UNITS: &[&str] = &["hours", "days", "working_days", "minutes"];

/// The id of the version of `key` in `set` taking effect on `effective_from`, in `province`:
/// the same on every device, so two administrators writing the same version write the same
/// record, and the merge rules see their edits as concurrent (a conflict for review) rather
/// than as two versions.
pub fn reference_id(province: &str, set: &str, key: &str, effective_from: &str) -> Uuid {
    const NS: Uuid = Uuid::from_u128(0x6f0b_6b1c_2f4e_4d8a_9a51_7c3e_0d2a_5e11);
    Uuid::new_v5(
        &NS,
        format!("{province}\u{1f}{set}\u{1f}{key}\u{1f}{effective_from}").as_bytes(),
    )
}

/// Whether `s` is a calendar date `YYYY-MM-DD` between 2000 and 2100.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !(2000..=2100).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// The rules on the fields of a reference change (those present: an update may carry only
/// some). The message is the Vietnamese sentence shown to whoever wrote it.
pub fn check_fields(
    fields: &std::collections::BTreeMap<String, Value>,
) -> Result<(), &'static str> {
    let text = |k: &str| fields.get(k).map(|v| v.as_str());
    let set = match text("set_name") {
        None => None,
        Some(Some(s)) if SETS.contains(&s) => Some(s),
        Some(_) => return Err("Danh mục không có trong các danh mục dùng chung của tỉnh."),
    };
    if let Some(k) = text("key")
        && !k.is_some_and(|k| !k.trim().is_empty() && k.chars().count() <= 100)
    {
        return Err("Mã mục danh mục trống hoặc quá dài.");
    }
    if let Some(d) = text("effective_from")
        && !d.is_some_and(is_date)
    {
        return Err("Ngày áp dụng phải là ngày hợp lệ dạng YYYY-MM-DD (2000–2100).");
    }
    for flag in ["retired", "resolved"] {
        if let Some(v) = fields.get(flag)
            && !v.is_boolean()
        {
            return Err("Trường đánh dấu của danh mục phải là đúng/sai.");
        }
    }
    if let Some(v) = fields.get("value") {
        let Some(obj) = v.as_object() else {
            return Err("Nội dung của mục danh mục phải là một đối tượng JSON.");
        };
        if v.to_string().len() > 8_000 {
            return Err("Nội dung của mục danh mục quá dài.");
        }
        if let Some(set) = set {
            check_value(set, text("key").flatten(), obj)?;
        }
    }
    Ok(())
}

/// The rules on one set's values.
pub fn check_value(
    set: &str,
    key: Option<&str>,
    v: &Map<String, Value>,
) -> Result<(), &'static str> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim);
    let positive = |k: &str| v.get(k).and_then(Value::as_i64).is_some_and(|n| n > 0);
    match set {
        "deadline_rule" => {
            if !positive("amount") || v["amount"].as_i64().is_some_and(|n| n > 100_000) {
                return Err("Thời hạn phải là số nguyên dương.");
            }
            if !text("unit").is_some_and(|u| RULE_UNITS.contains(&u)) {
                return Err("Đơn vị thời hạn phải là giờ, ngày, ngày làm việc hoặc phút.");
            }
            if let Some(r) = v.get("remote_amount")
                && !(r.is_null() || positive("remote_amount"))
            {
                return Err(
                    "Thời hạn cho xã vùng sâu, vùng xa phải là số nguyên dương hoặc để trống.",
                );
            }
            if text("basis").is_none_or(str::is_empty) {
                return Err("Mỗi quy định thời hạn phải ghi căn cứ pháp lý.");
            }
        }
        "holiday" => {
            if !key.is_none_or(is_date) {
                return Err("Mã của ngày nghỉ phải là chính ngày đó, dạng YYYY-MM-DD.");
            }
            if text("name").is_none_or(str::is_empty) {
                return Err("Chưa nhập tên ngày nghỉ.");
            }
            if let Some(k) = v.get("kind")
                && !matches!(k.as_str(), Some("day_off" | "workday"))
            {
                return Err("Loại ngày phải là ngày nghỉ (day_off) hoặc ngày làm bù (workday).");
            }
        }
        "category" => {
            if text("label_vi").is_none_or(str::is_empty) {
                return Err("Loại vụ việc phải có tên tiếng Việt.");
            }
        }
        "cutoff_day" => {
            if !v
                .get("day")
                .and_then(Value::as_i64)
                .is_some_and(|d| (1..=28).contains(&d))
            {
                return Err("Ngày chốt số liệu phải từ 1 đến 28.");
            }
        }
        "fine_cap" => {
            if !positive("amount_vnd") {
                return Err("Mức phạt tối đa phải là số tiền dương (đồng).");
            }
        }
        "remote_station" => {
            if !v.get("remote").is_some_and(Value::is_boolean) {
                return Err("Phải ghi xã có thuộc vùng sâu, vùng xa hay không (đúng/sai).");
            }
        }
        "answer_template" => {
            if text("title").is_none_or(str::is_empty) || text("body").is_none_or(str::is_empty) {
                return Err("Mẫu trả lời phải có tiêu đề và nội dung.");
            }
        }
        _ => return Err("Danh mục không có trong các danh mục dùng chung của tỉnh."),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn fields(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn dates_are_checked_to_the_day() {
        for ok in ["2026-07-01", "2024-02-29", "2000-01-01", "2100-12-31"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2026-7-1",
            "2025-02-29",
            "1999-12-31",
            "2026-13-01",
            "2026-04-31",
            "abcd-ef-gh",
            "",
            "2026-07-01x",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn the_id_names_the_version_not_the_writer() {
        let a = reference_id("01", "deadline_rule", "crime_transfer", "2026-07-01");
        assert_eq!(
            a,
            reference_id("01", "deadline_rule", "crime_transfer", "2026-07-01")
        );
        assert_ne!(
            a,
            reference_id("02", "deadline_rule", "crime_transfer", "2026-07-01")
        );
        assert_ne!(
            a,
            reference_id("01", "deadline_rule", "crime_transfer", "2026-07-02")
        );
    }

    #[test]
    fn values_are_checked_per_set() {
        let rule = |v: Value| {
            check_fields(&fields(json!({
                "set_name": "deadline_rule", "key": "crime_transfer",
                "effective_from": "2026-07-01", "value": v
            })))
        };
        assert_eq!(
            rule(json!({"amount": 36, "unit": "hours", "basis": "TT 01/2017", "label_vi": "x"})),
            Ok(())
        );
        assert!(rule(json!({"amount": 0, "unit": "hours", "basis": "b"})).is_err());
        assert!(rule(json!({"amount": 36, "unit": "weeks", "basis": "b"})).is_err());
        assert!(rule(json!({"amount": 36, "unit": "hours", "basis": " "})).is_err());
        assert!(
            rule(json!({"amount": 36, "unit": "hours", "basis": "b", "remote_amount": -1}))
                .is_err()
        );
        assert!(rule(json!("36 giờ")).is_err());
        let day = |key: &str, v: Value| {
            check_fields(&fields(json!({
                "set_name": "holiday", "key": key, "effective_from": "2026-01-01", "value": v
            })))
        };
        assert_eq!(
            day(
                "2026-09-02",
                json!({"name": "Quốc khánh", "kind": "day_off"})
            ),
            Ok(())
        );
        assert!(day("quoc-khanh", json!({"name": "Quốc khánh"})).is_err());
        assert!(day("2026-09-02", json!({"name": "Q", "kind": "half"})).is_err());
        assert!(check_fields(&fields(json!({"set_name": "weather"}))).is_err());
        assert!(check_fields(&fields(json!({"effective_from": "01/07/2026"}))).is_err());
        assert!(check_fields(&fields(json!({"retired": "yes"}))).is_err());
        assert!(check_value("cutoff_day", None, json!({"day": 29}).as_object().unwrap()).is_err());
        assert!(check_value("cutoff_day", None, json!({"day": 25}).as_object().unwrap()).is_ok());
    }
}
