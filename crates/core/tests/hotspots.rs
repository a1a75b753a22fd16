//! Hotspots: where a period's reports cluster, by commune, hamlet and category.
mod common;

use chrono::{DateTime, Duration};
use common::*;
use tinbao_core::*;

fn report(hamlet: &str, category: &str, days_after: i64) -> NewCase {
    let mut c = wheelies();
    c.category = category.into();
    c.location.hamlet = Some(hamlet.into());
    c.received_at = Some(
        DateTime::parse_from_rfc3339("2025-09-01T08:00:00+07:00").unwrap()
            + Duration::days(days_after),
    );
    c.summary = format!("{category} tại {hamlet}");
    c
}

#[test]
fn hotspots_rank_hamlets_and_communes_by_count() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    // Spelled three ways by three officers: one hamlet.
    for (h, cat) in [
        ("Tổ dân phố 7", "gambling"),
        ("tổ dân phố 7", "gambling"),
        ("To dan pho 7 ", "affray"),
        ("Thôn Nà Cù", "theft"),
    ] {
        s.intake(&chief, report(h, cat, 1)).unwrap();
    }
    let mut none = report("x", "theft", 2);
    none.location.hamlet = None;
    s.intake(&chief, none).unwrap();
    // Outside the period, and a duplicate: neither counts.
    s.intake(&chief, report("Thôn Nà Cù", "theft", 40)).unwrap();
    let dup = s.intake(&chief, report("Thôn Nà Cù", "theft", 3)).unwrap();
    let first = s.intake(&chief, report("Thôn Nà Cù", "theft", 3)).unwrap();
    s.act(&chief, dup.row.id, Action::Merge { into: first.row.id })
        .unwrap();

    let from = DateTime::parse_from_rfc3339("2025-09-01T00:00:00+07:00")
        .unwrap()
        .timestamp();
    let h = s.hotspots(&chief, from, from + 30 * 86_400).unwrap();
    let top = &h.hamlets[0];
    assert_eq!(top.count, 3);
    assert_eq!(top.hamlet.as_deref(), Some("Tổ dân phố 7"));
    assert_eq!(top.commune.as_deref(), Some(BAC_KAN));
    assert!(top.commune_name.is_some());
    assert_eq!(
        top.by_category
            .iter()
            .map(|c| (c.category.as_str(), c.count))
            .collect::<Vec<_>>(),
        vec![("gambling", 2), ("affray", 1)]
    );
    assert_eq!(h.hamlets[1].hamlet.as_deref(), Some("Thôn Nà Cù"));
    assert_eq!(h.hamlets[1].count, 2, "the merged duplicate is not counted");
    assert_eq!(h.hamlets.len(), 2);
    assert_eq!(h.communes.len(), 1);
    assert_eq!(h.communes[0].count, 6);

    // Another station's officer sees nothing of this one.
    let dir2 = tempfile::tempdir().unwrap();
    let (s2, chief2) = station(&dir2, "b.db", TAN_AN);
    assert!(
        s2.hotspots(&chief2, from, from + 30 * 86_400)
            .unwrap()
            .communes
            .is_empty()
    );
}
