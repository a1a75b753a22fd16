//! The holiday calendar that working-day clocks count with: days off (public holidays, Tết,
//! compensatory days) and compensatory working Saturdays, each with the decision it comes
//! from. Shipped for 2025–2027 by `007_holiday_calendar.sql`; the station's chief or the
//! province corrects it when the Ministry of Home Affairs announces a year's schedule.
use crate::clocks;
pub use crate::clocks::Calendar;
use crate::error::{Error, Result};
use crate::model::{Actor, Role};
use crate::store::{Store, record_in};
use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum HolidayKind {
    /// No work that day: a public holiday, Tết, or a day off swapped for a working Saturday.
    DayOff,
    /// A Saturday or Sunday worked in exchange for a day off (làm bù).
    Workday,
}

impl HolidayKind {
    fn as_str(self) -> &'static str {
        match self {
            HolidayKind::DayOff => "day_off",
            HolidayKind::Workday => "workday",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Holiday {
    /// `YYYY-MM-DD`.
    #[ts(type = "string")]
    pub date: NaiveDate,
    pub name: String,
    pub kind: HolidayKind,
    /// The decision the day comes from.
    pub basis: String,
}

fn may_edit(conn: &Connection, actor: &Actor) -> Result<()> {
    // Once the province's calendar has arrived (reference data, `catalog`), it is the
    // calendar: a station's own corrections would be overwritten by the next version anyway.
    let from_province: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM reference_versions WHERE set_name = 'holiday')",
        [],
        |r| r.get(0),
    )?;
    if from_province && actor.role == Role::Chief {
        return Err(Error::forbidden(
            "sửa lịch nghỉ lễ ở công an xã: lịch nghỉ do Công an tỉnh ban hành đã được đồng bộ về, chỉ xem",
        ));
    }
    if matches!(actor.role, Role::Admin | Role::Supervisor | Role::Chief) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "sửa lịch nghỉ lễ (chỉ trưởng/phó Công an hoặc cấp tỉnh)",
        ))
    }
}

impl Store {
    /// The calendar, in date order; one year's days when `year` is given.
    pub fn holidays(&self, year: Option<i32>) -> Result<Vec<Holiday>> {
        let mut st = self.conn.prepare(
            "SELECT on_date, name, kind, basis FROM holidays
             WHERE ?1 IS NULL OR substr(on_date, 1, 4) = printf('%04d', ?1) ORDER BY on_date",
        )?;
        let rows = st.query_map([year], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (d, name, kind, basis) = row?;
            let Ok(date) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") else {
                continue;
            };
            let kind = if kind == "workday" {
                HolidayKind::Workday
            } else {
                HolidayKind::DayOff
            };
            out.push(Holiday {
                date,
                name,
                kind,
                basis,
            });
        }
        Ok(out)
    }

    /// Adds or corrects one day of the calendar, audited.
    pub fn set_holiday(&mut self, actor: &Actor, h: Holiday) -> Result<()> {
        may_edit(&self.conn, actor)?;
        let name = h.name.trim();
        if name.is_empty() {
            return Err(Error::invalid("Chưa nhập tên ngày nghỉ."));
        }
        if name.chars().count() > 200 || h.basis.chars().count() > 500 {
            return Err(Error::invalid("Tên ngày nghỉ hoặc căn cứ quá dài."));
        }
        if !(2000..=2100).contains(&h.date.year()) {
            return Err(Error::invalid("Ngày nghỉ phải trong khoảng năm 2000–2100."));
        }
        let weekend = matches!(h.date.weekday(), Weekday::Sat | Weekday::Sun);
        if h.kind == HolidayKind::Workday && !weekend {
            return Err(Error::invalid(
                "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật: ngày thường vốn là ngày làm việc.",
            ));
        }
        let date = h.date.format("%Y-%m-%d").to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO holidays(on_date, name, kind, basis) VALUES (?1, ?2, ?3, ?4)",
            params![date, name, h.kind.as_str(), h.basis.trim()],
        )?;
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            "holiday_set",
            Some(&date),
            Some(&format!("{} ({})", name, h.kind.as_str())),
        )?;
        // A day off moves the working-day clocks that run over it.
        clocks::recompute_all(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes a day out of the calendar, audited.
    pub fn remove_holiday(&mut self, actor: &Actor, date: NaiveDate) -> Result<()> {
        may_edit(&self.conn, actor)?;
        let d = date.format("%Y-%m-%d").to_string();
        let tx = self.conn.transaction()?;
        let name: Option<String> = tx
            .query_row("SELECT name FROM holidays WHERE on_date = ?1", [&d], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(name) = name else {
            return Err(Error::not_found("ngày nghỉ này trong lịch"));
        };
        tx.execute("DELETE FROM holidays WHERE on_date = ?1", [&d])?;
        record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            "holiday_removed",
            Some(&d),
            Some(&name),
        )?;
        clocks::recompute_all(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_working_saturday_counts_and_a_day_off_does_not() {
        let mut cal = Calendar::default();
        cal.days_off.insert(d(2026, 1, 2));
        cal.workdays.insert(d(2026, 1, 10));
        assert!(!cal.is_working_day(d(2026, 1, 2)), "Friday swapped off");
        assert!(cal.is_working_day(d(2026, 1, 10)), "Saturday worked");
        assert!(!cal.is_working_day(d(2026, 1, 3)), "ordinary Saturday");
        assert!(cal.is_working_day(d(2026, 1, 5)), "ordinary Monday");
    }
}
