//! The province's reference data against the real server process: the administrator changes
//! the transfer rule (24 h → 36 h from a date) and adds a holiday on the server's command line;
//! a station that was offline syncs and its open cases' deadlines follow exactly the version in
//! force on the day each was received, audited on the station. Two administrators editing the
//! same rule offline on their laptops: every device ends on the same value, and the pair is
//! flagged for review until one of them settles it.
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use serde_json::json;
use std::time::Duration as StdDuration;
use tinbao_core::catalog::NewReference;
use tinbao_core::model::{Action, CaseClass, Channel, Kind, Location, NewCase, Urgency};
use tinbao_scenarios::*;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

fn vn() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

/// A crime report received at `at` and classified for transfer, so that the 24 h transfer rule
/// runs from then and is its nearest clock.
fn report(d: &mut Device, at: DateTime<FixedOffset>, summary: &str) -> Result<Uuid> {
    let station = STATION_A.to_string();
    let c = d.store.intake(
        &d.actor,
        NewCase {
            received_at: Some(at),
            channel: Channel::WalkIn,
            channel_ref: None,
            kind: Kind::ToGiac,
            category: "theft".into(),
            urgency: Urgency::Normal,
            summary: summary.into(),
            description: format!("{summary}: mô tả."),
            location: Location {
                commune: Some(station),
                ..Default::default()
            },
            occurred: None,
            reporter: None,
            persons: vec![],
            receipt: Default::default(),
        },
    )?;
    d.store.act(
        &d.actor,
        c.row.id,
        Action::Classify {
            kind: None,
            category: None,
            urgency: None,
            class: Some(CaseClass::CrimeTransfer),
            agency: None,
        },
    )?;
    Ok(c.row.id)
}

fn deadline(d: &Device, id: Uuid) -> Result<(i64, i64)> {
    let c = d.store.case_detail(&d.actor, id)?;
    Ok((
        c.row.received_at.timestamp(),
        c.row.deadline.ok_or("no deadline")?,
    ))
}

#[test]
fn an_offline_station_applies_the_provinces_new_rule_and_holiday_to_the_right_cases() -> Result<()>
{
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut st = Device::station(dir.path(), "a", STATION_A)?;
    st.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;

    let now = Utc::now().with_timezone(&vn());
    let eff = (now - Duration::days(10)).date_naive();
    let eff_s = eff.format("%Y-%m-%d").to_string();
    let eff_start = vn()
        .from_local_datetime(&eff.and_hms_opt(0, 0, 0).ok_or("midnight")?)
        .single()
        .ok_or("local time")?;
    let old = report(
        &mut st,
        eff_start - Duration::days(3),
        "Mất trộm trước ngày áp dụng",
    )?;
    let new = report(
        &mut st,
        eff_start + Duration::days(2),
        "Mất trộm sau ngày áp dụng",
    )?;
    st.sync()?;
    let h = 3600;
    for id in [old, new] {
        let (r, d) = deadline(&st, id)?;
        assert_eq!(d, r + 24 * h, "before the province's change: 24 h");
    }

    // The station is offline; the province issues a new transfer rule and a holiday.
    let set = server.admin(&[
        "rule",
        "set",
        "crime_transfer",
        "--amount",
        "36",
        "--unit",
        "hours",
        "--remote-amount",
        "48",
        "--basis",
        "Quyết định thử nghiệm của Công an tỉnh",
        "--effective-from",
        &eff_s,
        "--province",
        PROVINCE,
    ])?;
    assert_eq!(set["value"]["amount"], 36);
    let day = (now + Duration::days(20))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    server.admin(&[
        "holiday",
        "add",
        "--date",
        &day,
        "--name",
        "Ngày nghỉ của tỉnh",
        "--basis",
        "QĐ 1/2026",
        "--province",
        PROVINCE,
    ])?;
    let rules = server.admin(&["rule", "list"])?;
    assert_eq!(rules.as_array().map(Vec::len), Some(1));
    let days = server.admin(&["holiday", "list", "--province", PROVINCE])?;
    assert_eq!(days[0]["key"], day.as_str());

    // Back online.
    let rep = st.sync()?;
    assert!(rep.pulled >= 2, "{rep:?}");
    assert_eq!(
        st.store.sync_state()?.pending,
        0,
        "what the new data wrote here (its audit entry) went up in the same sync"
    );
    let (r, d) = deadline(&st, old)?;
    assert_eq!(
        d,
        r + 24 * h,
        "received before the effective date: keeps 24 h"
    );
    let (r, d) = deadline(&st, new)?;
    assert_eq!(d, r + 36 * h, "received from the effective date: 36 h");
    let rules = st.store.deadline_rules()?;
    let t = rules
        .iter()
        .find(|r| r.code == "crime_transfer")
        .ok_or("rule")?;
    assert_eq!((t.amount, t.remote_amount), (36, Some(48)));
    assert!(
        st.store
            .holidays(None)?
            .iter()
            .any(|x| x.date.format("%Y-%m-%d").to_string() == day)
    );
    let v = st.store.reference(Some("deadline_rule"))?;
    assert!(v[0].in_force && v[0].effective_from == eff_s, "{v:?}");
    // Audited on the station, once, saying what changed.
    let log = st.store.audit_log(&st.actor, 100)?;
    let synced: Vec<_> = log
        .iter()
        .filter(|e| e.action == "reference_synced")
        .collect();
    assert_eq!(synced.len(), 1, "{log:?}");
    let detail = synced[0].detail.clone().unwrap_or_default();
    assert!(
        detail.contains("thời hạn crime_transfer: 36 giờ"),
        "{detail}"
    );
    assert!(detail.contains("Ngày nghỉ của tỉnh"), "{detail}");
    // A second sync brings nothing new and audits nothing more.
    st.sync()?;
    let again = st.store.audit_log(&st.actor, 100)?;
    assert_eq!(
        again
            .iter()
            .filter(|e| e.action == "reference_synced")
            .count(),
        1
    );
    Ok(())
}

/// Issue 14: the province, not the station, says which communes are remote. The
/// administrator marks the station's commune on the server's command line; after its next sync
/// the station's open crime report has 48 hours to transfer. A later version waits for its day.
#[test]
fn the_province_marks_a_commune_remote_and_its_transfer_clock_gets_48_hours() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut st = Device::station(dir.path(), "a", STATION_A)?;
    st.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    let at = Utc::now().with_timezone(&vn()) - Duration::hours(2);
    let id = report(&mut st, at, "Mất trộm trâu ở bản xa")?;
    st.sync()?;
    let h = 3600;
    let (r, d) = deadline(&st, id)?;
    assert_eq!(d, r + 24 * h);

    let set = server.admin(&[
        "remote",
        "set",
        "--station",
        STATION_A,
        "--basis",
        "Quyết định 861/QĐ-TTg",
    ])?;
    assert_eq!(set["value"]["remote"], true);
    let listed = server.admin(&["remote", "list"])?;
    assert_eq!(listed[0]["key"], STATION_A);
    st.sync()?;
    let (r, d) = deadline(&st, id)?;
    assert_eq!(d, r + 48 * h, "a remote commune has 48 hours");
    assert!(st.store.station_remote(STATION_A)?);

    // No longer remote from tomorrow: today still counts as remote.
    let tomorrow = (Utc::now().with_timezone(&vn()) + Duration::days(1))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    server.admin(&[
        "remote",
        "set",
        "--station",
        STATION_A,
        "--not",
        "--effective-from",
        &tomorrow,
    ])?;
    st.sync()?;
    let (r, d) = deadline(&st, id)?;
    assert_eq!(d, r + 48 * h, "the later version is not in force yet");
    Ok(())
}

fn rule_from(amount: i64, from: &str) -> NewReference {
    let value = json!({"amount": amount, "unit": "hours", "remote_amount": 48,
        "basis": "Quyết định của Công an tỉnh"});
    NewReference {
        set_name: "deadline_rule".into(),
        key: "crime_transfer".into(),
        effective_from: from.into(),
        value: value.as_object().cloned().unwrap_or_default(),
        retired: false,
    }
}

#[test]
fn two_administrators_edit_one_rule_offline_every_device_agrees_and_it_is_flagged() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut st = Device::station(dir.path(), "a", STATION_A)?;
    let mut one = Device::supervisor(dir.path(), "one", PROVINCE)?;
    let mut two = Device::supervisor(dir.path(), "two", PROVINCE)?;
    st.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    one.enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    two.enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    // A station PC may not write it: refused, and the refusal says so.
    assert!(
        st.store
            .set_reference(&st.actor, rule_from(30, "2026-01-01"))
            .is_err()
    );

    // Offline, each sets the same rule from the same day, differently.
    one.store
        .set_reference(&one.actor, rule_from(36, "2026-01-01"))?;
    std::thread::sleep(StdDuration::from_millis(5));
    two.store
        .set_reference(&two.actor, rule_from(48, "2026-01-01"))?;
    one.sync()?;
    two.sync()?;
    one.sync()?;
    st.sync()?;
    let mut seen = Vec::new();
    for d in [&one, &two, &st] {
        let v = d.store.reference(Some("deadline_rule"))?;
        assert_eq!(v.len(), 1, "{}", d.name);
        seen.push(v[0].value["amount"].clone());
        assert!(v[0].conflict, "{}: flagged", d.name);
        let c = d.store.reference_conflicts()?;
        assert_eq!(c.len(), 1, "{}: {c:?}", d.name);
        let mut both = [c[0].kept["amount"].as_i64(), c[0].other["amount"].as_i64()];
        both.sort();
        assert_eq!(both, [Some(36), Some(48)], "{}: both values kept", d.name);
        let rules = d.store.deadline_rules()?;
        let t = rules
            .iter()
            .find(|r| r.code == "crime_transfer")
            .ok_or("rule")?;
        assert_eq!(
            json!(t.amount),
            v[0].value["amount"],
            "{}: in force",
            d.name
        );
    }
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
    assert_eq!(seen[0], 48, "the later write");

    // Settled on one laptop; closed on every device with the next sync.
    let c = one.store.reference_conflicts()?[0].id;
    let actor = one.actor.clone();
    one.store.resolve_reference_conflict(&actor, c, false)?;
    one.sync()?;
    two.sync()?;
    st.sync()?;
    for d in [&one, &two, &st] {
        assert!(d.store.reference_conflicts()?.is_empty(), "{}", d.name);
        assert_eq!(
            d.store.reference(Some("deadline_rule"))?[0].value["amount"],
            48
        );
    }
    Ok(())
}

/// The province's answer templates are a shared library: a supervisor's laptop writes one, a
/// station receives it with its next sync and answers with it. (Stations used to set such a
/// change aside as out of their scope: it is filed under the province, not a commune.)
#[test]
fn the_provinces_answer_template_reaches_a_station() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut st = Device::station(dir.path(), "a", STATION_A)?;
    st.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    let mut sup = Device::supervisor(dir.path(), "sup", PROVINCE)?;
    sup.enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    let id = sup.store.save_answer_template(
        &sup.actor,
        None,
        "cccd",
        "Cấp đổi thẻ căn cước (mẫu của tỉnh)",
        "Mang thẻ cũ đến Công an xã nơi cư trú.",
    )?;
    let rep = sup.sync()?;
    assert!(rep.rejected.is_empty() && rep.pushed >= 1, "{rep:?}");
    let got = st.sync()?;
    assert_eq!(got.applied, 1, "{got:?}");
    let t = st.store.answer_templates(Some("cccd"))?;
    assert!(t.iter().any(|t| t.id == id), "{t:?}");
    Ok(())
}
