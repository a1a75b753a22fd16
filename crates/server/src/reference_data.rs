//! The province's reference data from the administrator's command line (`holiday add`,
//! `holiday list`, `rule list`, `rule set`, `remote set`, `remote list`): each edit becomes a change of the province,
//! stamped with the server's own device identity and hybrid clock, checked by the same policy
//! as a province laptop's, and stored with its sequence number, so stations pull it with their
//! next sync exactly as they would an administrator's edit made in the app.
use crate::error::ServerError;
use crate::policy::{Level, Writer, check_grant, check_ownership};
use crate::storage::Storage;
use crate::units::AdminUnits;
use crate::{DataDir, now_ms};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tinbao_sync::reference::{RULE_UNITS, is_date, reference_id};
use tinbao_sync::{Change, EntityKind, Hlc, HlcClock, Op};
use uuid::Uuid;

/// A version as the province has it now (every stored edit of it folded, later stamp wins).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub id: Uuid,
    pub province: String,
    pub set_name: String,
    pub key: String,
    pub effective_from: String,
    pub value: Map<String, Value>,
    pub retired: bool,
    /// The sequence number of its last stored edit.
    pub seq: u64,
}

/// What an edit issued: the version as it now stands and the change's sequence number.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    #[serde(flatten)]
    pub version: Version,
    pub change_id: Uuid,
}

/// The server's device identity for the changes it issues, made on first use.
fn server_device(store: &dyn Storage) -> Result<Uuid, ServerError> {
    if let Some(s) = store.server_meta("device")? {
        return s.parse().map_err(|_| {
            ServerError::Invalid("mã thiết bị của máy chủ trong cơ sở dữ liệu bị hỏng".into())
        });
    }
    let id = Uuid::now_v7();
    store.set_server_meta("device", &id.to_string())?;
    Ok(id)
}

/// The next stamp of the server's clock, after every stamp it issued before and every stamp
/// of the version it edits (so its edit is the later one wherever it meets them).
fn stamp(store: &dyn Storage, device: Uuid, after: Option<Hlc>) -> Result<Hlc, ServerError> {
    let last: Hlc = store
        .server_meta("hlc_last")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(Hlc::ZERO);
    let last = after.map_or(last, |a| a.max(last));
    let mut clock = HlcClock::new(Hlc::node_of(&device), last);
    let h = clock.now(now_ms());
    store.set_server_meta("hlc_last", &h.to_string())?;
    Ok(h)
}

/// The stamp of each field's value, as the merge rules see it.
type Stamps = BTreeMap<String, Hlc>;

/// Every version of `set` as stored (of one province when given), folded field by field: the
/// later stamp wins, as on every device. Also each version's field stamps, for the next edit.
fn fold(
    store: &dyn Storage,
    set: &str,
    province: Option<&str>,
) -> Result<Vec<(Version, Stamps)>, ServerError> {
    let mut by_id: BTreeMap<Uuid, (Version, Stamps)> = BTreeMap::new();
    let units = AdminUnits::get();
    for s in store.reference_changes(province)? {
        let c = s.change;
        let (v, stamps) = by_id.entry(c.entity_id).or_insert_with(|| {
            (
                Version {
                    id: c.entity_id,
                    province: units
                        .province_of(&c.station)
                        .map_or(c.station.clone(), str::to_string),
                    set_name: String::new(),
                    key: String::new(),
                    effective_from: String::new(),
                    value: Map::new(),
                    retired: false,
                    seq: 0,
                },
                BTreeMap::new(),
            )
        });
        v.seq = v.seq.max(s.seq);
        for (f, x) in &c.fields {
            if stamps.get(f).is_some_and(|h| *h >= c.hlc) {
                continue;
            }
            stamps.insert(f.clone(), c.hlc);
            match (f.as_str(), x) {
                ("set_name", Value::String(t)) => v.set_name = t.clone(),
                ("key", Value::String(t)) => v.key = t.clone(),
                ("effective_from", Value::String(t)) => v.effective_from = t.clone(),
                ("value", Value::Object(m)) => v.value = m.clone(),
                ("retired", Value::Bool(b)) => v.retired = *b,
                _ => {}
            }
        }
    }
    let mut out: Vec<_> = by_id
        .into_values()
        .filter(|(v, _)| v.set_name == set)
        .collect();
    out.sort_by(|(a, _), (b, _)| {
        (&a.province, &a.key, &a.effective_from).cmp(&(&b.province, &b.key, &b.effective_from))
    });
    Ok(out)
}

/// The versions of one set, in province, key and date order.
pub fn list(
    data: &DataDir,
    set: &str,
    province: Option<&str>,
) -> Result<Vec<Version>, ServerError> {
    if let Some(p) = province {
        known_province(p)?;
    }
    let store = data.open()?;
    Ok(fold(&*store, set, province)?
        .into_iter()
        .map(|(v, _)| v)
        .collect())
}

fn known_province(p: &str) -> Result<(), ServerError> {
    if AdminUnits::get().province_name(p).is_none() {
        return Err(ServerError::Invalid(format!(
            "mã tỉnh {p} không có trong danh mục đơn vị hành chính"
        )));
    }
    Ok(())
}

/// The province an edit is for: the one named, or, when none is, the one province of the
/// stations registered on this server.
fn province_for(store: &dyn Storage, named: Option<&str>) -> Result<String, ServerError> {
    if let Some(p) = named {
        known_province(p)?;
        return Ok(p.to_string());
    }
    let mut all: Vec<String> = store.stations()?.into_iter().map(|s| s.province).collect();
    all.sort();
    all.dedup();
    match all.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ServerError::Invalid(
            "chưa có đơn vị nào trên máy chủ; hãy ghi rõ --province MÃ_TỈNH".into(),
        )),
        _ => Err(ServerError::Invalid(format!(
            "máy chủ phục vụ nhiều tỉnh ({}); hãy ghi rõ --province MÃ_TỈNH",
            all.join(", ")
        ))),
    }
}

/// Issues one version (a new one, or an edit of the version of the same entry and date) as a
/// change of the province, checked as a province laptop's would be.
pub fn issue(
    data: &DataDir,
    province: Option<&str>,
    set: &str,
    key: &str,
    effective_from: &str,
    value: Map<String, Value>,
    retired: bool,
) -> Result<Issued, ServerError> {
    if !is_date(effective_from) {
        return Err(ServerError::Invalid(format!(
            "ngày áp dụng “{effective_from}” không hợp lệ; dùng dạng YYYY-MM-DD (2000–2100)"
        )));
    }
    let store = data.open()?;
    let province = province_for(&*store, province)?;
    let id = reference_id(&province, set, key, effective_from);
    let known = fold(&*store, set, Some(&province))?
        .into_iter()
        .find(|(v, _)| v.id == id);
    let device = server_device(&*store)?;
    let latest = known.as_ref().and_then(|(_, s)| s.values().max().copied());
    let hlc = stamp(&*store, device, latest)?;
    let mut fields = BTreeMap::new();
    let base = match &known {
        Some((_, stamps)) => {
            fields.insert("value".to_string(), Value::Object(value));
            fields.insert("retired".to_string(), json!(retired));
            stamps
                .iter()
                .filter(|(f, _)| fields.contains_key(*f))
                .map(|(f, h)| (f.clone(), *h))
                .collect()
        }
        None => {
            fields.insert("set_name".to_string(), json!(set));
            fields.insert("key".to_string(), json!(key));
            fields.insert("effective_from".to_string(), json!(effective_from));
            fields.insert("value".to_string(), Value::Object(value));
            fields.insert("retired".to_string(), json!(retired));
            fields.insert("resolved".to_string(), json!(false));
            BTreeMap::new()
        }
    };
    let change = Change {
        id: Uuid::now_v7(),
        entity: EntityKind::Reference,
        entity_id: id,
        station: province.clone(),
        op: Op::Upsert,
        fields,
        base,
        hlc,
        device,
        user: Uuid::nil(),
    };
    check_grant(Writer::Supervisor, Level::Province, &province, &change)
        .map_err(|r| ServerError::Invalid(r.message.to_string()))?;
    let owner = store.entity_owner(id)?;
    check_ownership(&change, owner.as_ref(), None)
        .map_err(|r| ServerError::Invalid(r.message.to_string()))?;
    store.add_changes(&[(change.clone(), province.clone())], now_ms())?;
    let version = fold(&*store, set, Some(&province))?
        .into_iter()
        .map(|(v, _)| v)
        .find(|v| v.id == id)
        .ok_or_else(|| ServerError::NotFound("phiên bản vừa ghi không đọc lại được".into()))?;
    Ok(Issued {
        version,
        change_id: change.id,
    })
}

/// `holiday add`.
pub fn holiday_add(
    data: &DataDir,
    province: &str,
    date: &str,
    name: &str,
    kind: &str,
    basis: &str,
    effective_from: Option<&str>,
) -> Result<Issued, ServerError> {
    if !is_date(date) {
        return Err(ServerError::Invalid(format!(
            "ngày “{date}” không hợp lệ; dùng dạng YYYY-MM-DD (2000–2100)"
        )));
    }
    if name.trim().is_empty() {
        return Err(ServerError::Invalid(
            "chưa nhập tên ngày nghỉ (--name)".into(),
        ));
    }
    let from = effective_from.map_or_else(today_vn, str::to_string);
    let mut value = Map::new();
    value.insert("name".into(), json!(name.trim()));
    value.insert("kind".into(), json!(kind));
    value.insert("basis".into(), json!(basis.trim()));
    issue(data, Some(province), "holiday", date, &from, value, false)
}

/// `rule set`.
#[allow(clippy::too_many_arguments)]
pub fn rule_set(
    data: &DataDir,
    province: Option<&str>,
    code: &str,
    amount: i64,
    unit: &str,
    remote_amount: Option<i64>,
    basis: &str,
    label: Option<&str>,
    effective_from: &str,
) -> Result<Issued, ServerError> {
    if code.is_empty()
        || code.len() > 64
        || !code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(ServerError::Invalid(format!(
            "mã quy định “{code}” không hợp lệ (chữ thường, số và dấu _, ví dụ crime_transfer)"
        )));
    }
    if !RULE_UNITS.contains(&unit) {
        return Err(ServerError::Invalid(format!(
            "đơn vị phải là một trong: {}",
            RULE_UNITS.join(", ")
        )));
    }
    let mut value = Map::new();
    value.insert("amount".into(), json!(amount));
    value.insert("unit".into(), json!(unit));
    value.insert("remote_amount".into(), json!(remote_amount));
    value.insert("basis".into(), json!(basis.trim()));
    if let Some(l) = label {
        value.insert("label_vi".into(), json!(l.trim()));
    }
    issue(
        data,
        province,
        "deadline_rule",
        code,
        effective_from,
        value,
        false,
    )
}

/// `remote set`: a commune is (or is no longer) remote, isolated or an island from a date, which
/// gives its station 48 hours instead of 24 to transfer a crime report. The province is the
/// commune's own, from the official list.
pub fn remote_set(
    data: &DataDir,
    station: &str,
    remote: bool,
    basis: &str,
    effective_from: Option<&str>,
) -> Result<Issued, ServerError> {
    let units = AdminUnits::get();
    let province = units.province_of(station).ok_or_else(|| {
        ServerError::Invalid(format!(
            "mã xã/phường {station} không có trong danh mục đơn vị hành chính"
        ))
    })?;
    let from = effective_from.map_or_else(today_vn, str::to_string);
    let mut value = Map::new();
    value.insert("remote".into(), json!(remote));
    value.insert("basis".into(), json!(basis.trim()));
    issue(
        data,
        Some(province),
        "remote_station",
        station,
        &from,
        value,
        false,
    )
}

/// Today in Vietnam, `YYYY-MM-DD`.
pub fn today_vn() -> String {
    let days = ((now_ms() / 1000 + 7 * 3600) / 86_400) as i64;
    let (y, m, d) = crate::cli::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> (tempfile::TempDir, DataDir) {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir(dir.path().join("srv"));
        crate::admin::init(&data, &[], None).unwrap();
        crate::admin::station_add(&data, "00004", None).unwrap();
        (dir, data)
    }

    #[test]
    fn a_rule_set_twice_is_one_version_edited_with_its_stamps_as_base() {
        let (_d, data) = server();
        let a = rule_set(
            &data,
            None,
            "crime_transfer",
            36,
            "hours",
            Some(48),
            "TT 01/2017",
            None,
            "2026-07-01",
        )
        .unwrap();
        assert_eq!(
            a.version.province, "01",
            "the one province of the registered stations"
        );
        assert_eq!(a.version.value["amount"], 36);
        let b = rule_set(
            &data,
            Some("01"),
            "crime_transfer",
            30,
            "hours",
            None,
            "TT 01/2017",
            None,
            "2026-07-01",
        )
        .unwrap();
        assert_eq!(a.version.id, b.version.id);
        assert!(b.version.seq > a.version.seq);
        let store = data.open().unwrap();
        let changes = store.reference_changes(Some("01")).unwrap();
        assert_eq!(changes.len(), 2);
        let (first, second) = (&changes[0].change, &changes[1].change);
        assert!(second.hlc > first.hlc);
        assert_eq!(
            second.base.get("value"),
            Some(&first.hlc),
            "an edit, not a concurrent write"
        );
        assert_eq!(first.device, second.device, "the server's own device");
        let listed = list(&data, "deadline_rule", None).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].value["amount"], 30);
        assert_eq!(listed[0].value["remote_amount"], Value::Null);
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let (_d, data) = server();
        let bad = |r: Result<Issued, ServerError>| match r {
            Err(ServerError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(
            bad(rule_set(
                &data,
                None,
                "crime_transfer",
                0,
                "hours",
                None,
                "b",
                None,
                "2026-07-01"
            ))
            .contains("số nguyên dương")
        );
        assert!(
            bad(rule_set(
                &data,
                None,
                "crime_transfer",
                24,
                "weeks",
                None,
                "b",
                None,
                "2026-07-01"
            ))
            .contains("đơn vị")
        );
        assert!(
            bad(rule_set(
                &data,
                None,
                "crime_transfer",
                24,
                "hours",
                None,
                " ",
                None,
                "2026-07-01"
            ))
            .contains("căn cứ")
        );
        assert!(
            bad(rule_set(
                &data,
                None,
                "crime_transfer",
                24,
                "hours",
                None,
                "b",
                None,
                "2026-02-30"
            ))
            .contains("YYYY-MM-DD")
        );
        assert!(
            bad(rule_set(
                &data,
                None,
                "Bad Code",
                24,
                "hours",
                None,
                "b",
                None,
                "2026-07-01"
            ))
            .contains("mã quy định")
        );
        assert!(
            bad(rule_set(
                &data,
                Some("99"),
                "crime_transfer",
                24,
                "hours",
                None,
                "b",
                None,
                "2026-07-01"
            ))
            .contains("mã tỉnh")
        );
        assert!(
            bad(holiday_add(
                &data,
                "01",
                "2026-13-01",
                "X",
                "day_off",
                "",
                None
            ))
            .contains("YYYY-MM-DD")
        );
        assert!(
            bad(holiday_add(
                &data,
                "01",
                "2026-09-02",
                " ",
                "day_off",
                "",
                None
            ))
            .contains("tên")
        );
        assert!(
            bad(holiday_add(
                &data,
                "01",
                "2026-09-02",
                "X",
                "half",
                "",
                None
            ))
            .contains("Loại ngày")
        );
        assert!(list(&data, "holiday", None).unwrap().is_empty());
    }

    #[test]
    fn holidays_are_listed_by_province_and_date() {
        let (_d, data) = server();
        holiday_add(
            &data,
            "01",
            "2026-09-02",
            "Quốc khánh",
            "day_off",
            "BLLĐ 2019",
            None,
        )
        .unwrap();
        holiday_add(
            &data,
            "01",
            "2026-01-10",
            "Làm bù",
            "workday",
            "",
            Some("2025-12-25"),
        )
        .unwrap();
        let l = list(&data, "holiday", Some("01")).unwrap();
        assert_eq!(
            l.iter().map(|v| v.key.as_str()).collect::<Vec<_>>(),
            ["2026-01-10", "2026-09-02"]
        );
        assert_eq!(l[0].effective_from, "2025-12-25");
        assert_eq!(l[1].effective_from, today_vn());
        assert!(list(&data, "holiday", Some("66")).unwrap().is_empty());
    }

    #[test]
    fn a_remote_commune_is_filed_under_its_own_province() {
        let (_d, data) = server();
        let r = remote_set(&data, "00004", true, "QĐ 861/QĐ-TTg", Some("2026-07-01")).unwrap();
        assert_eq!(r.version.province, "01");
        assert_eq!(r.version.set_name, "remote_station");
        assert_eq!(r.version.key, "00004");
        assert_eq!(r.version.value["remote"], true);
        let off = remote_set(&data, "00004", false, "", Some("2027-01-01")).unwrap();
        assert_ne!(
            off.version.id, r.version.id,
            "a later date is a new version"
        );
        let listed = list(&data, "remote_station", Some("01")).unwrap();
        assert_eq!(listed.len(), 2);
        match remote_set(&data, "99999", true, "", None) {
            Err(ServerError::Invalid(m)) => assert!(m.contains("99999"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
