//! Administrative sanctions, one decision per violator (issue 14): the fining caps of each title
//! as dated data, a minor's age at the date of the violation, and the checks a
//! `sanction_decided` passes (cap, minors, guardian). A closing `sanctioned` outcome is derived
//! from the decisions, so the two never disagree.
use crate::error::{Error, Result};
use crate::model::{Action, MinorBand, NewPerson, Outcome, Person, PersonRole, SanctionForm};
use crate::store::Store;
use crate::text::group_thousands;
use crate::time::vn_time;
use crate::workflow::StoredEvent;
use chrono::{Datelike, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;
use uuid::Uuid;

/// The fining power of a title in a sector from a date (Decree 189/2025/NĐ-CP and the Law on
/// Handling Administrative Violations, Art. 24), with its legal basis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FineCap {
    pub title: String,
    pub title_vi: String,
    pub sector: String,
    pub sector_vi: String,
    #[ts(type = "number")]
    pub sector_max_vnd: i64,
    #[ts(type = "number")]
    pub percent: i64,
    #[ts(type = "number")]
    pub cap_vnd: i64,
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    pub basis: String,
}

const CAP_COLS: &str =
    "title, title_vi, sector, sector_vi, sector_max_vnd, percent, cap_vnd, effective_from, basis";

fn cap_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<FineCap> {
    Ok(FineCap {
        title: r.get(0)?,
        title_vi: r.get(1)?,
        sector: r.get(2)?,
        sector_vi: r.get(3)?,
        sector_max_vnd: r.get(4)?,
        percent: r.get(5)?,
        cap_vnd: r.get(6)?,
        effective_from: r.get(7)?,
        basis: r.get(8)?,
    })
}

/// The cap of `title` in `sector` in force on `on`: the latest row not starting after it.
pub(crate) fn cap_in_force(
    conn: &Connection,
    title: &str,
    sector: &str,
    on: NaiveDate,
) -> Result<Option<FineCap>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CAP_COLS} FROM fine_caps WHERE title = ?1 AND sector = ?2 AND effective_from <= ?3
             ORDER BY effective_from DESC LIMIT 1"
        ))?
        .query_row(params![title, sector, on.format("%Y-%m-%d").to_string()], cap_from)
        .optional()?)
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The day of the violation in Vietnam time: when it was found or recorded (the clocks
/// branch's `violation_found` / `violation_recorded`, their `at_utc`), else a date written in
/// the case's occurrence ("tối 29/9/2022"), else the day of receipt.
pub(crate) fn violation_date(
    events: &[StoredEvent],
    occurred: Option<&str>,
    received_utc: i64,
) -> NaiveDate {
    for kind in ["violation_found", "violation_recorded"] {
        if let Some(e) = events.iter().find(|e| e.kind == kind) {
            let at = e
                .data
                .get("at_utc")
                .and_then(Value::as_i64)
                .unwrap_or(e.at_utc);
            return vn_time(at).date_naive();
        }
    }
    occurred
        .and_then(date_in_text)
        .unwrap_or_else(|| vn_time(received_utc).date_naive())
}

/// The first `d/m/yyyy` or `yyyy-mm-dd` in free text.
fn date_in_text(s: &str) -> Option<NaiveDate> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .find_map(|w| {
            let w = w.trim_end_matches('.');
            NaiveDate::parse_from_str(w, "%d/%m/%Y")
                .or_else(|_| NaiveDate::parse_from_str(w, "%Y-%m-%d"))
                .ok()
        })
}

pub(crate) fn band(age: i32) -> Option<MinorBand> {
    match age {
        a if a < 14 => Some(MinorBand::Under14),
        14..=15 => Some(MinorBand::From14To16),
        16..=17 => Some(MinorBand::From16To18),
        _ => None,
    }
}

/// A person's age on a day: exact from the date of birth; from the year alone, the younger of
/// the two possible ages (a doubt counts for the person), with a warning when the two fall in
/// different bands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgeAt {
    pub years: i32,
    pub warning: Option<String>,
}

pub(crate) fn age_on(
    birth_date: Option<NaiveDate>,
    birth_year: Option<i32>,
    on: NaiveDate,
) -> Option<AgeAt> {
    if let Some(b) = birth_date {
        let mut years = on.year() - b.year();
        if (on.month(), on.day()) < (b.month(), b.day()) {
            years -= 1;
        }
        return Some(AgeAt {
            years,
            warning: None,
        });
    }
    let y = birth_year?;
    let older = on.year() - y;
    // On 31 December everyone born in the year has had their birthday.
    let younger = if (on.month(), on.day()) == (12, 31) {
        older
    } else {
        older - 1
    };
    let warning = (band(younger) != band(older)).then(|| {
        format!(
            "Chỉ biết năm sinh {y}: ngày {} người này có thể {younger} hoặc {older} tuổi, hai mức xử lý khác nhau đối với người chưa thành niên. Cần xác định ngày sinh; tạm tính {younger} tuổi.",
            on.format("%d/%m/%Y")
        )
    });
    Some(AgeAt {
        years: younger,
        warning,
    })
}

pub(crate) fn person_view(p: NewPerson, id: Uuid, violation: NaiveDate) -> Person {
    let age = age_on(
        p.birth_date.as_deref().and_then(parse_date),
        p.birth_year,
        violation,
    );
    Person {
        id,
        role: p.role,
        name: p.name,
        birth_year: p.birth_year,
        id_number: p.id_number,
        phone: p.phone,
        address: p.address,
        birth_date: p.birth_date,
        guardian_of: p.guardian_of,
        age_at_violation: age.as_ref().map(|a| a.years),
        minor: age.as_ref().and_then(|a| band(a.years)),
        age_warning: age.and_then(|a| a.warning),
    }
}

/// The persons of a case, in the order they were added.
pub(crate) fn load_persons(conn: &Connection, case_id: &str) -> Result<Vec<(Uuid, NewPerson)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, role, name, birth_year, id_number, phone, address, birth_date, guardian_of
         FROM persons WHERE case_id = ?1 ORDER BY hlc",
    )?;
    let rows = st.query_map([case_id], |r| {
        let id: String = r.get(0)?;
        Ok((
            id.parse().unwrap_or_default(),
            NewPerson {
                role: PersonRole::parse(&r.get::<_, String>(1)?).unwrap_or(PersonRole::Witness),
                name: r.get(2)?,
                birth_year: r.get(3)?,
                id_number: r.get(4)?,
                phone: r.get(5)?,
                address: r.get(6)?,
                birth_date: r.get(7)?,
                guardian_of: r.get::<_, Option<String>>(8)?.and_then(|s| s.parse().ok()),
                guardian_of_index: None,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The violation day of a stored case.
pub(crate) fn case_violation_date(
    conn: &Connection,
    case_id: &str,
    events: &[StoredEvent],
) -> Result<NaiveDate> {
    let (occurred, received): (Option<String>, i64) = conn.query_row(
        "SELECT occurred, received_utc FROM cases WHERE id = ?1",
        [case_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(violation_date(events, occurred.as_deref(), received))
}

/// Checks a person's date of birth against their birth year, and fills the year from it.
pub(crate) fn normalise_birth(p: &mut NewPerson, today: NaiveDate) -> Result<()> {
    p.birth_date = crate::text::clean_opt(p.birth_date.as_deref());
    let Some(s) = &p.birth_date else {
        return Ok(());
    };
    let d = parse_date(s).ok_or_else(|| {
        Error::invalid(format!(
            "Ngày sinh “{s}” không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 2007-03-08)."
        ))
    })?;
    if d > today || d.year() < 1900 {
        return Err(Error::invalid(format!(
            "Ngày sinh {} không hợp lệ.",
            d.format("%d/%m/%Y")
        )));
    }
    match p.birth_year {
        Some(y) if y != d.year() => {
            return Err(Error::invalid(format!(
                "Ngày sinh {} không khớp năm sinh {y}.",
                d.format("%d/%m/%Y")
            )));
        }
        _ => p.birth_year = Some(d.year()),
    }
    p.birth_date = Some(d.format("%Y-%m-%d").to_string());
    Ok(())
}

/// A guardian names a minor of the same case; only a guardian names one.
pub(crate) fn check_guardian_link(p: &NewPerson, persons: &[(Uuid, NewPerson)]) -> Result<()> {
    let Some(minor) = p.guardian_of else {
        return Ok(());
    };
    if p.role != PersonRole::Guardian {
        return Err(Error::invalid(
            "Chỉ người giám hộ mới ghi “là người giám hộ của” một người chưa thành niên.",
        ));
    }
    if !persons.iter().any(|(id, _)| *id == minor) {
        return Err(Error::invalid(
            "Người chưa thành niên được giám hộ phải là một người đã ghi trong vụ việc này.",
        ));
    }
    Ok(())
}

/// The guardians of a new report's persons name their minor by position in the same list:
/// a guardian, pointing at another person of the list, who is not a guardian.
pub(crate) fn check_guardian_indexes(persons: &[NewPerson]) -> Result<()> {
    for (i, p) in persons.iter().enumerate() {
        // An id would point at a person of another case: a new report's persons have none yet.
        if p.guardian_of.is_some() {
            return Err(Error::invalid(
                "Người giám hộ của một tin báo mới chỉ gắn với người chưa thành niên trong cùng tin báo.",
            ));
        }
        let Some(m) = p.guardian_of_index else {
            continue;
        };
        if p.role != PersonRole::Guardian {
            return Err(Error::invalid(format!(
                "“{}” không phải người giám hộ: chỉ người giám hộ mới ghi “là người giám hộ của”.",
                p.name.trim()
            )));
        }
        match persons.get(m) {
            Some(minor) if m != i && minor.role != PersonRole::Guardian => {}
            _ => {
                return Err(Error::invalid(format!(
                    "Người giám hộ “{}” phải gắn với một người chưa thành niên khác trong danh sách người liên quan của tin báo này.",
                    p.name.trim()
                )));
            }
        }
    }
    Ok(())
}

fn money(v: i64) -> String {
    format!("{} đ", group_thousands(v))
}

/// The decisions already recorded on a case: (person, decision number, fine, decider, title).
fn decisions(events: &[StoredEvent]) -> impl Iterator<Item = &Value> {
    events
        .iter()
        .filter(|e| e.kind == "sanction_decided")
        .map(|e| &e.data)
}

/// Checks a `Sanction` action against the case: the person is a suspect without a decision
/// yet, old enough, within the bands for minors, their guardian pays, and the fine is within
/// the cap of the decider's title on the decision date. Returns what the event adds to the
/// contract's fields: the cap and its basis, and the age it was checked with.
pub(crate) fn check_sanction(
    conn: &Connection,
    case_id: &str,
    events: &[StoredEvent],
    action: &Action,
    today: NaiveDate,
) -> Result<Value> {
    let Action::Sanction {
        person,
        form,
        fine_vnd,
        adult_fine_vnd,
        sector,
        decider_name,
        decider_title,
        decision_no,
        decided_on,
        payer,
    } = action
    else {
        return Ok(json!({}));
    };
    for (v, what) in [
        (decider_name, "họ tên người ra quyết định"),
        (decision_no, "số quyết định xử phạt"),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid(format!("Chưa nhập {what}.")));
        }
        if v.chars().count() > 200 {
            return Err(Error::invalid(format!(
                "{what} quá dài (tối đa 200 ký tự)."
            )));
        }
    }
    let decided = parse_date(decided_on).ok_or_else(|| {
        Error::invalid(format!(
            "Ngày quyết định “{decided_on}” không hợp lệ (cần dạng năm-tháng-ngày)."
        ))
    })?;
    if decided > today {
        return Err(Error::invalid("Ngày quyết định xử phạt ở tương lai."));
    }
    let violation = case_violation_date(conn, case_id, events)?;
    if decided < violation {
        return Err(Error::invalid(format!(
            "Ngày quyết định {} trước ngày vi phạm {}.",
            decided.format("%d/%m/%Y"),
            violation.format("%d/%m/%Y")
        )));
    }
    let persons = load_persons(conn, case_id)?;
    let (_, p) = persons
        .iter()
        .find(|(id, _)| id == person)
        .ok_or_else(|| Error::not_found("người vi phạm trong vụ việc"))?;
    if p.role != PersonRole::Suspect {
        return Err(Error::invalid(format!(
            "{} không phải đối tượng vi phạm của vụ việc: chỉ ra quyết định xử phạt đối với đối tượng.",
            p.name
        )));
    }
    let pid = person.to_string();
    if let Some(d) =
        decisions(events).find(|d| d.get("person").and_then(Value::as_str) == Some(&pid))
    {
        return Err(Error::invalid(format!(
            "{} đã có quyết định xử phạt số {}: mỗi người vi phạm chỉ một quyết định trong vụ việc.",
            p.name,
            d.get("decision_no").and_then(Value::as_str).unwrap_or("?")
        )));
    }
    let age = age_on(
        p.birth_date.as_deref().and_then(parse_date),
        p.birth_year,
        violation,
    );
    let on = violation.format("%d/%m/%Y");
    let minor = age.as_ref().and_then(|a| band(a.years));
    let years = age.as_ref().map(|a| a.years).unwrap_or_default();
    if minor == Some(MinorBand::Under14) {
        return Err(Error::invalid(format!(
            "{} dưới 14 tuổi vào ngày vi phạm {on} ({years} tuổi): không bị xử phạt vi phạm hành chính (Điều 5 Luật Xử lý vi phạm hành chính).",
            p.name
        )));
    }
    // The caps are looked up for warnings too: the title and sector must be known codes.
    let known: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM fine_caps WHERE title = ?1 AND sector = ?2)",
        params![decider_title, sector],
        |r| r.get(0),
    )?;
    if !known {
        return Err(Error::invalid(format!(
            "Chức danh “{decider_title}” hoặc lĩnh vực “{sector}” không có trong danh mục thẩm quyền xử phạt."
        )));
    }
    let cap = cap_in_force(conn, decider_title, sector, decided)?;
    let mut extra = json!({
        "age_at_violation": age.as_ref().map(|a| a.years),
        "minor": minor,
    });
    match form {
        SanctionForm::Warning => {
            if *fine_vnd != 0 {
                return Err(Error::invalid(
                    "Hình thức cảnh cáo không kèm tiền phạt: để số tiền 0 hoặc chọn phạt tiền.",
                ));
            }
        }
        SanctionForm::Fine => {
            if *fine_vnd <= 0 {
                return Err(Error::invalid("Chưa nhập số tiền phạt."));
            }
            if minor == Some(MinorBand::From14To16) {
                return Err(Error::invalid(format!(
                    "{} từ đủ 14 đến dưới 16 tuổi vào ngày vi phạm {on} ({years} tuổi): chỉ bị phạt cảnh cáo, không bị phạt tiền (Điều 134 Luật Xử lý vi phạm hành chính).",
                    p.name
                )));
            }
            if minor == Some(MinorBand::From16To18) {
                let adult = adult_fine_vnd.filter(|a| *a > 0).ok_or_else(|| {
                    Error::invalid(format!(
                        "{} từ đủ 16 đến dưới 18 tuổi vào ngày vi phạm: cần nhập mức phạt đối với người thành niên của hành vi, để tính mức tối đa bằng một nửa.",
                        p.name
                    ))
                })?;
                if fine_vnd.saturating_mul(2) > adult {
                    return Err(Error::invalid(format!(
                        "{} từ đủ 16 đến dưới 18 tuổi vào ngày vi phạm {on} ({years} tuổi): mức phạt tiền không quá một nửa mức đối với người thành niên, tối đa {} (1/2 của {}) (Điều 134 Luật Xử lý vi phạm hành chính).",
                        p.name,
                        money(adult / 2),
                        money(adult)
                    )));
                }
                let guardian_ok = payer.is_some_and(|payer| {
                    persons.iter().any(|(id, g)| {
                        *id == payer
                            && g.role == PersonRole::Guardian
                            && g.guardian_of == Some(*person)
                    })
                });
                if !guardian_ok {
                    return Err(Error::invalid(format!(
                        "Tiền phạt của người chưa thành niên {} do cha mẹ hoặc người giám hộ nộp: chọn người giám hộ đã ghi trong vụ việc và gắn với người này.",
                        p.name
                    )));
                }
                extra["adult_fine_vnd"] = json!(adult);
            }
            let cap = cap.as_ref().ok_or_else(|| {
                Error::invalid(format!(
                    "Chưa có mức thẩm quyền phạt tiền của chức danh này trong lĩnh vực này áp dụng vào ngày {}.",
                    decided.format("%d/%m/%Y")
                ))
            })?;
            if *fine_vnd > cap.cap_vnd {
                return Err(Error::invalid(format!(
                    "Mức phạt {} vượt thẩm quyền của {} trong lĩnh vực {}: tối đa {} vào ngày {} (căn cứ: {}).",
                    money(*fine_vnd),
                    cap.title_vi,
                    cap.sector_vi,
                    money(cap.cap_vnd),
                    decided.format("%d/%m/%Y"),
                    cap.basis
                )));
            }
        }
    }
    if let Some(payer) = payer
        && !persons.iter().any(|(id, _)| id == payer)
    {
        return Err(Error::not_found("người nộp tiền phạt trong vụ việc"));
    }
    if let Some(cap) = cap {
        extra["cap_vnd"] = json!(cap.cap_vnd);
        extra["cap_basis"] = json!(cap.basis);
    }
    Ok(extra)
}

/// A new `sanctioned` outcome takes its decision numbers, total fine and deciders from the
/// case's `sanction_decided` events; without one it is refused.
pub(crate) fn complete_outcome(action: Action, events: &[StoredEvent]) -> Result<Action> {
    let Action::RecordOutcome {
        outcome: Outcome::Sanctioned {
            record_no, note, ..
        },
    } = action
    else {
        return Ok(action);
    };
    let (mut numbers, mut deciders, mut total) = (Vec::new(), Vec::new(), 0i64);
    for d in decisions(events) {
        let s = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        numbers.push(s("decision_no"));
        let who = s("decider_name");
        if !deciders.contains(&who) {
            deciders.push(who);
        }
        total = total.saturating_add(d.get("fine_vnd").and_then(Value::as_i64).unwrap_or(0));
    }
    if numbers.is_empty() {
        return Err(Error::invalid(
            "Chưa có quyết định xử phạt nào: ghi quyết định xử phạt cho từng người vi phạm trước khi kết thúc vụ việc.",
        ));
    }
    Ok(Action::RecordOutcome {
        outcome: Outcome::Sanctioned {
            record_no,
            decision_no: Some(numbers.join(", ")),
            fine_vnd: Some(total),
            decided_by: Some(deciders.join(", ")),
            note,
        },
    })
}

/// The sanction figures of a period, per decision (`stats`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SanctionFigures {
    pub decisions: u32,
    pub warnings: u32,
    #[ts(type = "number")]
    pub fines_vnd: i64,
    /// Per decider title code: number of decisions and their fines.
    pub by_title: Vec<TitleFigure>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TitleFigure {
    pub title: String,
    pub decisions: u32,
    #[ts(type = "number")]
    pub fines_vnd: i64,
}

/// Decisions dated in [from, to) (unix seconds, Vietnam days) of the cases of `station` (all
/// in scope when none), counted one per violator. A decision carries a date, not a time: it
/// counts when its day is the day of `from` or later and the day of the period's last second
/// or earlier, so a period ending now (mid-day) keeps today's decisions.
pub(crate) fn figures(
    conn: &Connection,
    from: i64,
    to: i64,
    station: Option<&str>,
) -> Result<SanctionFigures> {
    // An open-ended period (`i64::MAX`) is beyond chrono's range: the last day then.
    let day = |t: i64| match chrono::DateTime::from_timestamp(t, 0) {
        Some(d) => d
            .with_timezone(&crate::time::vn_offset())
            .format("%Y-%m-%d")
            .to_string(),
        None if t > 0 => "9999-12-31".to_owned(),
        None => "0000-01-01".to_owned(),
    };
    let mut st = conn.prepare_cached(
        "SELECT json_extract(e.data, '$.decider_title'), json_extract(e.data, '$.form'),
                coalesce(json_extract(e.data, '$.fine_vnd'), 0)
           FROM events e JOIN cases c ON c.id = e.case_id
          WHERE e.type = 'sanction_decided' AND (?3 IS NULL OR c.station = ?3)
            AND json_extract(e.data, '$.decided_on') >= ?1 AND json_extract(e.data, '$.decided_on') <= ?2",
    )?;
    let mut rows = st.query(params![day(from), day(to.saturating_sub(1)), station])?;
    let mut f = SanctionFigures::default();
    while let Some(r) = rows.next()? {
        let title: Option<String> = r.get(0)?;
        let form: Option<String> = r.get(1)?;
        let fine: i64 = r.get(2)?;
        f.decisions += 1;
        f.fines_vnd = f.fines_vnd.saturating_add(fine);
        if form.as_deref() == Some(SanctionForm::Warning.as_str()) {
            f.warnings += 1;
        }
        let title = title.unwrap_or_default();
        match f.by_title.iter_mut().find(|t| t.title == title) {
            Some(t) => {
                t.decisions += 1;
                t.fines_vnd = t.fines_vnd.saturating_add(fine);
            }
            None => f.by_title.push(TitleFigure {
                title,
                decisions: 1,
                fines_vnd: fine,
            }),
        }
    }
    f.by_title.sort_by(|a, b| a.title.cmp(&b.title));
    Ok(f)
}

impl Store {
    /// The fining caps of each title and sector, with their dates and legal basis.
    pub fn fine_caps(&self) -> Result<Vec<FineCap>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {CAP_COLS} FROM fine_caps ORDER BY sector, title, effective_from"
        ))?;
        let rows = st.query_map([], cap_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Today in Vietnam.
pub(crate) fn today() -> NaiveDate {
    vn_time(Utc::now().timestamp()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn age_from_the_date_of_birth_counts_to_the_day() {
        let a = age_on(Some(d("2007-10-01")), Some(2007), d("2022-09-29")).unwrap();
        assert_eq!((a.years, a.warning), (14, None));
        let a = age_on(Some(d("2007-09-29")), None, d("2022-09-29")).unwrap();
        assert_eq!(a.years, 15);
    }

    #[test]
    fn year_only_across_a_threshold_warns_and_takes_the_younger_age() {
        let a = age_on(None, Some(2006), d("2022-09-29")).unwrap();
        assert_eq!(a.years, 15);
        assert!(a.warning.unwrap().contains("15 hoặc 16"));
        // 16 or 17: the same band, no warning.
        let a = age_on(None, Some(2005), d("2022-09-29")).unwrap();
        assert_eq!((a.years, a.warning), (16, None));
        // On 31 December the age is certain.
        let a = age_on(None, Some(2006), d("2022-12-31")).unwrap();
        assert_eq!((a.years, a.warning), (16, None));
    }

    #[test]
    fn the_violation_date_is_found_recorded_occurred_or_received() {
        let received = 1_664_460_900; // 29/09/2022 21:15 +07
        assert_eq!(violation_date(&[], None, received), d("2022-09-29"));
        assert_eq!(
            violation_date(&[], Some("tối 27/9/2022, khoảng 21 giờ"), received),
            d("2022-09-27")
        );
        let found = StoredEvent {
            kind: "violation_found".into(),
            data: json!({ "at_utc": 1_664_200_000 }),
            at_utc: received,
        };
        assert_eq!(
            violation_date(&[found], Some("27/9/2022"), received),
            d("2022-09-26")
        );
    }
}
