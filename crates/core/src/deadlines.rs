//! Deadlines from configurable rules, each with its legal basis (see `002_defaults.sql` and
//! `shared/domain/legal-process.md`). Nothing here hard-codes a time limit.
use crate::error::{Error, Result};
use crate::holidays::Calendar;
use crate::model::{Actor, Kind, Role};
use crate::store::Store;
use crate::time::vn_offset;
use chrono::{DateTime, TimeZone};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeadlineRule {
    pub code: String,
    /// `crime_report`, `phan_anh`, `violation_record` or `transferred`.
    pub applies_to: String,
    #[ts(type = "number")]
    pub amount: i64,
    /// `hours`, `days` or `working_days`.
    pub unit: String,
    /// The amount for a remote, isolated or island commune, where the law gives more time.
    #[ts(type = "number | null")]
    pub remote_amount: Option<i64>,
    pub basis: String,
    pub label_vi: String,
}

pub(crate) fn rule_for_kind(kind: Kind) -> &'static str {
    if kind.is_crime_report() {
        "crime_transfer"
    } else {
        "admin_record"
    }
}

pub(crate) fn load_rule(conn: &Connection, code: &str) -> Result<Option<DeadlineRule>> {
    Ok(conn
        .prepare_cached(
            "SELECT code, applies_to, amount, unit, remote_amount, basis, label_vi FROM deadline_rules WHERE code = ?1",
        )?
        .query_row(
            [code],
            |r| {
                Ok(DeadlineRule {
                    code: r.get(0)?,
                    applies_to: r.get(1)?,
                    amount: r.get(2)?,
                    unit: r.get(3)?,
                    remote_amount: r.get(4)?,
                    basis: r.get(5)?,
                    label_vi: r.get(6)?,
                })
            },
        )
        .optional()?)
}

/// The deadline (unix seconds) of `rule` counted from `from_utc`. Working days skip weekends
/// and the calendar's days off (counting its working Saturdays), and end at the close of the
/// last day, Vietnam time.
pub fn compute(rule: &DeadlineRule, from_utc: i64, remote: bool, calendar: &Calendar) -> i64 {
    let amount = if remote {
        rule.remote_amount.unwrap_or(rule.amount)
    } else {
        rule.amount
    };
    match rule.unit.as_str() {
        "hours" => from_utc + amount * 3600,
        "days" => from_utc + amount * 86_400,
        _ => {
            let tz = vn_offset();
            let start = DateTime::from_timestamp(from_utc, 0)
                .unwrap_or_default()
                .with_timezone(&tz)
                .date_naive();
            let mut day = start;
            let mut left = amount;
            while left > 0 {
                day = day.succ_opt().unwrap_or(day);
                if calendar.is_working_day(day) {
                    left -= 1;
                }
            }
            let end = day.and_hms_opt(23, 59, 59).unwrap_or_default();
            tz.from_local_datetime(&end)
                .single()
                .map(|d| d.timestamp())
                .unwrap_or(from_utc + amount * 86_400)
        }
    }
}

/// Due soon: within this many seconds.
pub const DUE_SOON_SECS: i64 = 24 * 3600;

impl Store {
    pub fn deadline_rules(&self) -> Result<Vec<DeadlineRule>> {
        let mut st = self
            .conn
            .prepare("SELECT code FROM deadline_rules ORDER BY code")?;
        let codes: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for c in codes {
            out.extend(load_rule(&self.conn, &c)?);
        }
        Ok(out)
    }

    /// The province (an administrator or supervisor) corrects a rule when the law changes.
    pub fn set_deadline_rule(&mut self, actor: &Actor, rule: DeadlineRule) -> Result<()> {
        if !matches!(actor.role, Role::Admin | Role::Supervisor) {
            return Err(Error::forbidden("sửa quy định thời hạn"));
        }
        if rule.amount <= 0 || !matches!(rule.unit.as_str(), "hours" | "days" | "working_days") {
            return Err(Error::invalid(
                "Thời hạn phải là số dương, đơn vị giờ, ngày hoặc ngày làm việc.",
            ));
        }
        if rule.basis.trim().is_empty() {
            return Err(Error::invalid(
                "Mỗi quy định thời hạn phải ghi căn cứ pháp lý.",
            ));
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO deadline_rules(code, applies_to, amount, unit, remote_amount, basis, label_vi)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![rule.code, rule.applies_to, rule.amount, rule.unit, rule.remote_amount, rule.basis, rule.label_vi],
        )?;
        self.audit(
            actor,
            "deadline_rule_changed",
            Some(&rule.code),
            Some(&format!("{} {}", rule.amount, rule.unit)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn rule(amount: i64, unit: &str) -> DeadlineRule {
        DeadlineRule {
            code: "x".into(),
            applies_to: "crime_report".into(),
            amount,
            unit: unit.into(),
            remote_amount: Some(48),
            basis: "b".into(),
            label_vi: "l".into(),
        }
    }

    #[test]
    fn hours_and_remote_communes() {
        let r = rule(24, "hours");
        assert_eq!(
            compute(&r, 1000, false, &Calendar::default()),
            1000 + 24 * 3600
        );
        assert_eq!(
            compute(&r, 1000, true, &Calendar::default()),
            1000 + 48 * 3600
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2025-08-29 10:00 Vietnam time; Tue 2 Sep is National Day.
        let from = vn_offset()
            .with_ymd_and_hms(2025, 8, 29, 10, 0, 0)
            .unwrap()
            .timestamp();
        let mut hol = Calendar::default();
        hol.days_off
            .insert(NaiveDate::from_ymd_opt(2025, 9, 2).unwrap());
        let due = compute(&rule(3, "working_days"), from, false, &hol);
        let due = DateTime::from_timestamp(due, 0)
            .unwrap()
            .with_timezone(&vn_offset());
        // Mon 1, (Tue 2 holiday), Wed 3, Thu 4.
        assert_eq!(
            due.date_naive(),
            NaiveDate::from_ymd_opt(2025, 9, 4).unwrap()
        );
    }
}
