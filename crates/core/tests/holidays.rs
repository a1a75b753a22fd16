//! The shipped holiday calendar and its editing: working-day clocks skip Tết and count a
//! compensatory working Saturday.
mod common;

use chrono::{DateTime, NaiveDate, TimeZone};
use common::*;
use tinbao_core::deadlines::add;
use tinbao_core::holidays::{Calendar, Holiday, HolidayKind};
use tinbao_core::time::vn_offset;
use tinbao_core::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn calendar(s: &Store) -> Calendar {
    let mut cal = Calendar::default();
    for h in s.holidays(None).unwrap() {
        match h.kind {
            HolidayKind::DayOff => cal.days_off.insert(h.date),
            HolidayKind::Workday => cal.workdays.insert(h.date),
        };
    }
    cal
}

fn due_day(cal: &Calendar, y: i32, m: u32, day: u32, hour: u32) -> NaiveDate {
    let from = vn_offset()
        .with_ymd_and_hms(y, m, day, hour, 0, 0)
        .unwrap()
        .timestamp();
    // The notices of receipt: three working days (Joint Circular 01/2017, Art. 14(1)).
    let due = add(3, "working_days", from, cal);
    DateTime::from_timestamp(due, 0)
        .unwrap()
        .with_timezone(&vn_offset())
        .date_naive()
}

#[test]
fn the_shipped_calendar_moves_working_day_clocks() {
    let dir = tempfile::tempdir().unwrap();
    let (s, _chief) = station(&dir, "a.db", BAC_KAN);
    let y2026 = s.holidays(Some(2026)).unwrap();
    assert!(
        y2026
            .iter()
            .all(|h| h.date.format("%Y").to_string() == "2026")
    );
    let tet = y2026.iter().find(|h| h.date == d(2026, 2, 17)).unwrap();
    assert_eq!(tet.kind, HolidayKind::DayOff);
    assert!(!tet.basis.is_empty(), "every day names its decision");
    for y in [2025, 2026, 2027] {
        assert!(
            s.holidays(Some(y)).unwrap().len() >= 8,
            "{y} has its public holidays"
        );
    }
    let cal = calendar(&s);

    // Friday 13/02/2026 17:00, before the Bính Ngọ Tết break (14–22/02): three working days
    // are Mon 23, Tue 24, Wed 25.
    assert_eq!(due_day(&cal, 2026, 2, 13, 17), d(2026, 2, 25));
    // Wednesday 31/12/2025: Thu 1 and Fri 2 are off (Fri swapped for Sat 10); Mon 5, Tue 6, Wed 7.
    assert_eq!(due_day(&cal, 2025, 12, 31, 9), d(2026, 1, 7));
    // Friday 09/01/2026: Saturday 10 is worked, so Sat 10, Mon 12, Tue 13.
    assert_eq!(due_day(&cal, 2026, 1, 9, 9), d(2026, 1, 13));
    // Without the calendar the same clock would end before Tết is over.
    assert_eq!(
        due_day(&Calendar::default(), 2026, 2, 13, 17),
        d(2026, 2, 18)
    );
}

#[test]
fn the_chief_edits_the_calendar_audited_and_an_officer_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let day = Holiday {
        date: d(2027, 11, 24),
        name: "Ngày Văn hóa Việt Nam".into(),
        kind: HolidayKind::DayOff,
        basis: "Thông báo của Bộ Nội vụ (ví dụ)".into(),
    };
    assert!(matches!(
        s.set_holiday(&off, day.clone()),
        Err(Error::Forbidden { .. })
    ));
    s.set_holiday(&chief, day.clone()).unwrap();
    assert!(s.holidays(Some(2027)).unwrap().contains(&day));
    assert!(calendar(&s).days_off.contains(&d(2027, 11, 24)));

    // A working day that is already a weekday makes no sense.
    let e = s
        .set_holiday(
            &chief,
            Holiday {
                kind: HolidayKind::Workday,
                ..day.clone()
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("thứ Bảy"), "{e}");
    let e = s
        .set_holiday(
            &chief,
            Holiday {
                name: "  ".into(),
                ..day.clone()
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)));

    s.remove_holiday(&chief, d(2027, 11, 24)).unwrap();
    assert!(!s.holidays(Some(2027)).unwrap().contains(&day));
    assert!(s.remove_holiday(&chief, d(2027, 11, 24)).is_err());
    let log = s.audit_log(&chief, 20).unwrap();
    assert!(log.iter().any(|a| a.action == "holiday_set"));
    assert!(log.iter().any(|a| a.action == "holiday_removed"));
}
