//! Deadline alerts: the last quarter and the overdue clock of one's own cases, each once, and
//! the chief's daily summary.
mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use tinbao_core::alerts::AlertKind;
use tinbao_core::time::vn_offset;
use tinbao_core::*;

fn theft_hours_ago(h: i64) -> NewCase {
    let mut c = wheelies();
    c.kind = Kind::ToGiac;
    c.channel = Channel::WalkIn;
    c.category = "theft".into();
    c.summary = "Mất trộm xe máy".into();
    c.received_at = Some((Utc::now() - Duration::hours(h)).fixed_offset());
    c
}

#[test]
fn each_clock_alerts_its_officer_once_and_the_chief_hears_of_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    // Unclassified for 10 of its 12 hours: the classification clock is in its last quarter.
    let mine = s.intake(&chief, theft_hours_ago(10)).unwrap().row.id;
    s.act(&chief, mine, Action::Assign { user: off.user_id })
        .unwrap();
    // Unclassified for 30 hours and nobody's: the chief's.
    let nobodys = s.intake(&chief, theft_hours_ago(30)).unwrap().row.id;
    // Fresh: nothing to say yet.
    let fresh = s.intake(&chief, theft_hours_ago(1)).unwrap().row.id;
    s.act(&chief, fresh, Action::Assign { user: off.user_id })
        .unwrap();

    let now = Utc::now();
    let got = s.take_alerts(&off, now).unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].kind, AlertKind::LastQuarter);
    assert_eq!(got[0].case_id, Some(mine));
    assert_eq!(got[0].rule.as_deref(), Some("classify"));
    assert!(got[0].text.contains("sắp hết hạn"), "{}", got[0].text);
    assert!(s.take_alerts(&off, now).unwrap().is_empty(), "given once");

    // Early in the morning the chief hears only of the unassigned overdue case.
    let early = vn_offset()
        .from_local_datetime(
            &now.with_timezone(&vn_offset())
                .date_naive()
                .and_hms_opt(6, 0, 0)
                .unwrap(),
        )
        .unwrap()
        .with_timezone(&Utc);
    let got = s.take_alerts(&chief, early).unwrap();
    assert_eq!(
        got.iter().map(|a| (a.kind, a.case_id)).collect::<Vec<_>>(),
        vec![(AlertKind::Overdue, Some(nobodys))]
    );
    assert!(got[0].text.contains("quá hạn"));

    // From 7:00 the daily summary, once a day.
    let morning = early + Duration::hours(2);
    let got = s.take_alerts(&chief, morning).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].kind, AlertKind::DailySummary);
    // How many are overdue at 08:00 depends on the hour the test runs; the sentence does not.
    assert!(
        got[0].text.contains("vụ việc quá hạn") && got[0].text.contains("đến hạn trong 24 giờ tới"),
        "{}",
        got[0].text
    );
    assert!(
        s.take_alerts(&chief, morning + Duration::hours(3))
            .unwrap()
            .is_empty()
    );
    let tomorrow = morning + Duration::days(1);
    assert_eq!(
        s.take_alerts(&chief, tomorrow).unwrap().len(),
        1,
        "the next day's summary"
    );

    // The officer's fresh case runs out later (two days on, whatever the hour now): that is
    // its own, new alert.
    let got = s.take_alerts(&off, now + Duration::days(2)).unwrap();
    assert!(
        got.iter()
            .any(|a| a.case_id == Some(fresh) && a.kind == AlertKind::Overdue),
        "{got:?}"
    );
    // Classifying stops the clock: nothing more about it.
    let cls = Action::Classify {
        kind: None,
        category: None,
        urgency: None,
        class: Some(CaseClass::CivilDispute),
        agency: None,
    };
    s.act(&chief, nobodys, cls).unwrap();
    assert!(s.take_alerts(&chief, tomorrow).unwrap().is_empty());
}
