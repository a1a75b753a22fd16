//! The province's reference data as this database holds it: every dated version of every entry
//! (`reference_versions`, synced as `EntityKind::Reference`), and which version is in force on
//! a given day. Reads only, over a bare connection, so the deadline engine may ask which rule
//! applied to a case received on a date (`rule_at`) without a `Store`. Writing versions and
//! keeping the local tables to the versions in force is `catalog`'s.
use crate::error::Result;
use crate::time::vn_offset;
use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Row};
use serde_json::{Map, Value};

pub use tinbao_sync::reference::{RULE_UNITS, SETS, reference_id};

/// One stored version.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub id: String,
    pub set_name: String,
    pub key: String,
    /// `YYYY-MM-DD`, Vietnam date.
    pub effective_from: String,
    pub value: Map<String, Value>,
    /// The entry is out of force from this version's date.
    pub retired: bool,
    pub hlc: String,
}

const COLS: &str = "id, set_name, key, effective_from, value, retired, hlc";

fn version(r: &Row<'_>) -> rusqlite::Result<Version> {
    let value: String = r.get(4)?;
    Ok(Version {
        id: r.get(0)?,
        set_name: r.get(1)?,
        key: r.get(2)?,
        effective_from: r.get(3)?,
        // A value that is not an object cannot have passed the checks; it reads as empty.
        value: serde_json::from_str::<Value>(&value)
            .ok()
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default(),
        retired: r.get(5)?,
        hlc: r.get(6)?,
    })
}

/// Every version of `set` (all sets when None), by key, oldest first.
pub fn versions(conn: &Connection, set: Option<&str>) -> Result<Vec<Version>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM reference_versions WHERE ?1 IS NULL OR set_name = ?1
         ORDER BY set_name, key, effective_from"
    ))?;
    let rows = st.query_map([set], version)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The version of `key` in `set` in force on `day`: the one with the latest effective date not
/// after it, retired or not (a retired one says the entry is out of force). None when the
/// province has issued no version taking effect by then.
pub fn version_at(
    conn: &Connection,
    set: &str,
    key: &str,
    day: NaiveDate,
) -> Result<Option<Version>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLS} FROM reference_versions
             WHERE set_name = ?1 AND key = ?2 AND effective_from <= ?3
             ORDER BY effective_from DESC LIMIT 1"
        ))?
        .query_row(
            rusqlite::params![set, key, day.format("%Y-%m-%d").to_string()],
            version,
        )
        .optional()?)
}

/// The value of `key` in `set` in force on `day`; None when no version is in force or the one
/// in force retires the entry. For sets without a local table of their own (fine caps).
pub fn value_at(
    conn: &Connection,
    set: &str,
    key: &str,
    day: NaiveDate,
) -> Result<Option<Map<String, Value>>> {
    Ok(version_at(conn, set, key, day)?
        .filter(|v| !v.retired)
        .map(|v| v.value))
}

/// The Vietnam date of a unix time.
pub fn vn_date(at_utc: i64) -> NaiveDate {
    DateTime::from_timestamp(at_utc, 0)
        .unwrap_or_default()
        .with_timezone(&vn_offset())
        .date_naive()
}

/// The deadline rule `code` as the province had it in force at `at_utc` (a case's receipt):
/// the version's fields laid over the rule's local row (`deadline_rules`, every column), so
/// fields a version leaves out (its Vietnamese label, what it applies to, columns rules gain
/// later) keep the local value. None when the province had issued no version of this rule by
/// that day, or the one in force retires it: the caller then uses the local row as it is.
///
/// The object has at least the local row's columns (`code`, `applies_to`, `amount`, `unit`,
/// `remote_amount`, `basis`, `label_vi`), so `serde_json::from_value::<DeadlineRule>` reads it.
pub fn rule_at(conn: &Connection, code: &str, at_utc: i64) -> Result<Option<Value>> {
    let Some(v) = value_at(conn, "deadline_rule", code, vn_date(at_utc))? else {
        return Ok(None);
    };
    let mut out = local_row(conn, "deadline_rules", "code", code)?.unwrap_or_default();
    for (k, x) in v {
        out.insert(k, x);
    }
    out.insert("code".into(), Value::String(code.to_owned()));
    for (k, default) in [
        ("applies_to", Value::String(String::new())),
        ("label_vi", Value::String(code.to_owned())),
        ("remote_amount", Value::Null),
    ] {
        out.entry(k).or_insert(default);
    }
    Ok(Some(Value::Object(out)))
}

/// The deadline rule `code` that applies to a case received at `received_utc`: the
/// province's version in force that day ([`rule_at`]); for a case received before the
/// province's first version of the rule (or after a version retiring it), the rule this
/// database had before that first version replaced it. None when the province never issued a
/// version of this rule: the local row (`deadline_rules`) is then the rule for every case.
///
/// This is the one call the deadline engine needs: read the result with
/// `serde_json::from_value::<DeadlineRule>` and fall back to the local row on None.
pub fn rule_for_receipt(conn: &Connection, code: &str, received_utc: i64) -> Result<Option<Value>> {
    if let Some(v) = rule_at(conn, code, received_utc)? {
        return Ok(Some(v));
    }
    Ok(base_rule(conn, code)?.map(Value::Object))
}

/// The rule `code` as this database had it before the province's first version replaced it.
pub fn base_rule(conn: &Connection, code: &str) -> Result<Option<Map<String, Value>>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([format!("{BASE_RULE}{code}")], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| match v {
            Value::Object(m) => Some(m),
            _ => None,
        }))
}

/// Where the rule a province version first replaced is kept (`meta`), for the cases received
/// before it.
pub(crate) const BASE_RULE: &str = "reference_base.deadline_rule.";

/// The names of a local table's columns.
pub(crate) fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT name FROM pragma_table_info(?1)")?;
    let rows = st.query_map([table], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One row of a local table as a JSON object of all its columns. `table` and `key` are the
/// caller's constants, never input.
pub(crate) fn local_row(
    conn: &Connection,
    table: &str,
    key: &str,
    id: &str,
) -> Result<Option<Map<String, Value>>> {
    let cols = columns(conn, table)?;
    let mut st = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE {key} = ?1"))?;
    Ok(st
        .query_row([id], |r| {
            let mut m = Map::new();
            for (i, c) in cols.iter().enumerate() {
                use rusqlite::types::ValueRef as V;
                let v = match r.get_ref(i)? {
                    V::Null => Value::Null,
                    V::Integer(n) => Value::from(n),
                    V::Real(f) => Value::from(f),
                    V::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    V::Blob(_) => Value::Null,
                };
                m.insert(c.clone(), v);
            }
            Ok(m)
        })
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn db() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(include_str!("migrations/008_reference_data.sql"))
            .unwrap();
        c.execute_batch(
            "CREATE TABLE deadline_rules (code TEXT PRIMARY KEY, applies_to TEXT NOT NULL, amount INTEGER NOT NULL,
               unit TEXT NOT NULL, remote_amount INTEGER, basis TEXT NOT NULL, label_vi TEXT NOT NULL);
             INSERT INTO deadline_rules VALUES ('crime_transfer', 'crime_report', 24, 'hours', 48, 'TT 01/2017', 'Chuyển CQĐT');",
        )
        .unwrap();
        c
    }

    fn put(c: &Connection, key: &str, from: &str, value: Value, retired: bool) {
        c.execute(
            "INSERT INTO reference_versions(id, set_name, key, effective_from, value, retired, hlc)
             VALUES (?1, 'deadline_rule', ?2, ?3, ?4, ?5, '0')",
            rusqlite::params![
                reference_id("01", "deadline_rule", key, from).to_string(),
                key,
                from,
                value.to_string(),
                retired
            ],
        )
        .unwrap();
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str, h: u32) -> i64 {
        use chrono::TimeZone;
        vn_offset()
            .from_local_datetime(&day(s).and_hms_opt(h, 0, 0).unwrap())
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_version_in_force_is_the_latest_taking_effect_by_that_day() {
        let c = db();
        put(
            &c,
            "crime_transfer",
            "2026-01-01",
            json!({"amount": 24, "unit": "hours", "basis": "a"}),
            false,
        );
        put(
            &c,
            "crime_transfer",
            "2026-07-01",
            json!({"amount": 36, "unit": "hours", "basis": "b"}),
            false,
        );
        put(
            &c,
            "crime_transfer",
            "2027-01-01",
            json!({"amount": 1, "unit": "hours", "basis": "c"}),
            true,
        );
        let amount = |d: &str| {
            value_at(&c, "deadline_rule", "crime_transfer", day(d))
                .unwrap()
                .map(|v| v["amount"].as_i64().unwrap())
        };
        assert_eq!(amount("2025-12-31"), None, "before the first version");
        assert_eq!(amount("2026-01-01"), Some(24));
        assert_eq!(amount("2026-06-30"), Some(24));
        assert_eq!(amount("2026-07-01"), Some(36), "from its first day");
        assert_eq!(amount("2026-12-31"), Some(36));
        assert_eq!(amount("2027-03-01"), None, "retired from its date");
        assert_eq!(
            version_at(&c, "deadline_rule", "crime_transfer", day("2027-03-01"))
                .unwrap()
                .map(|v| v.retired),
            Some(true)
        );
        assert_eq!(
            value_at(&c, "deadline_rule", "admin_record", day("2026-08-01")).unwrap(),
            None
        );
    }

    #[test]
    fn a_rule_at_a_date_is_the_version_over_the_local_row_in_vietnam_time() {
        let c = db();
        put(
            &c,
            "crime_transfer",
            "2026-07-01",
            json!({"amount": 36, "unit": "hours", "basis": "b"}),
            false,
        );
        // 30 June 23:00 in Vietnam is still the old rule; 1 July 00:00 is the new one.
        assert_eq!(
            rule_at(&c, "crime_transfer", at("2026-06-30", 23)).unwrap(),
            None
        );
        let r = rule_at(&c, "crime_transfer", at("2026-07-01", 0))
            .unwrap()
            .unwrap();
        assert_eq!(r["amount"], 36);
        assert_eq!(r["basis"], "b");
        assert_eq!(r["label_vi"], "Chuyển CQĐT", "kept from the local row");
        assert_eq!(r["remote_amount"], 48);
        assert_eq!(r["code"], "crime_transfer");
        // A rule the station does not have yet still reads whole.
        put(
            &c,
            "new_rule",
            "2026-01-01",
            json!({"amount": 2, "unit": "days", "basis": "x"}),
            false,
        );
        let n = rule_at(&c, "new_rule", at("2026-03-01", 9))
            .unwrap()
            .unwrap();
        assert_eq!(n["label_vi"], "new_rule");
        assert_eq!(n["remote_amount"], Value::Null);
    }
}
