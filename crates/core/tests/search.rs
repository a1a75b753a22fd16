//! Search: folding, prefixes, broad queries, and the index's upkeep.
mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use tinbao_core::search::SearchQuery;
use tinbao_core::*;
use uuid::Uuid;

#[test]
fn search_folds_d_and_apostrophes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", "24280");
    let mut c = wheelies();
    c.location = Location {
        commune: Some("24280".into()),
        hamlet: Some("Buôn Cư M’gar, Đắk Lắk".into()),
        ..Default::default()
    };
    c.summary = "Nhóm đối tượng đánh bạc tại chợ".into();
    c.description = "Tụ tập đánh bạc".into();
    c.persons.clear();
    s.intake(&chief, c).unwrap();
    for q in [
        "danh bac",
        "Dak Lak",
        "dak lak",
        "Cư M'gar",
        "cu mgar",
        "M’gar",
    ] {
        assert_eq!(text_search(&s, &chief, q).len(), 1, "query {q}");
    }
    assert!(text_search(&s, &chief, "\"*) OR (").is_empty());
}

/// The last word is a prefix whether it is short enough for the index's prefix terms (read
/// first, so a query that finds nothing stops after one read) or longer (a complete word is
/// read whole, one that starts longer words is expanded); a word that matches nothing, or a
/// filter that leaves nothing, finds nothing either way.
#[test]
fn last_word_prefixes_short_and_long_and_empty_results() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let mut c = wheelies();
    c.description
        .push_str(" Sau đó nhóm này vào quán karaoke Hoàng Gia.");
    s.intake(&chief, c).unwrap();
    let mut other = wheelies();
    other.summary = "Trộm cắp xe máy".into();
    other.description = "Mất xe máy trước cổng chợ.".into();
    other.category = "theft".into();
    other.persons.clear();
    s.intake(&chief, other).unwrap();
    let mut third = wheelies();
    third.summary = "Gây rối tại Karaokebox Phố Núi".into();
    third.description = "Hai nhóm thanh niên cãi nhau lúc nửa đêm.".into();
    third.category = "affray".into();
    third.persons.clear();
    s.intake(&chief, third).unwrap();
    let find = |t: &str, category: Option<&str>| {
        s.search(
            &chief,
            &SearchQuery {
                text: Some(t.into()),
                category: category.map(Into::into),
                page_size: 50,
                ..Default::default()
            },
        )
        .unwrap()
    };
    for q in [
        "lang lac",
        "lang la",
        "boc dau",
        "quan karaok",
        "quan karaoke",
        "xe may",
    ] {
        let r = find(q, None);
        assert!(r.ranked, "query {q}");
        assert!(!r.rows.is_empty(), "query {q}");
    }
    assert_eq!(find("xe", None).rows.len(), 2);
    assert_eq!(find("xe may", None).rows.len(), 1);
    assert_eq!(find("lang lach", None).rows.len(), 1);
    // Seven letters and more, beyond the prefix indexes: the word whole, and every longer word.
    assert_eq!(find("quan karaoke", None).rows.len(), 1);
    assert_eq!(find("karaoke", None).rows.len(), 2);
    assert_eq!(find("karaokeb", None).rows.len(), 1);
    assert_eq!(find("karaoke", Some("affray")).rows.len(), 1);
    for (q, category) in [
        ("lang xyz", None),
        ("quan karaokex", None),
        ("karaokex", None),
        ("karaoke", Some("theft")),
        ("karaokebox", Some("theft")),
        ("lang lach", Some("theft")),
        ("trom cap", Some("traffic_order")),
    ] {
        let r = find(q, category);
        assert!(r.rows.is_empty() && r.total == 0, "query {q} {category:?}");
    }
}

/// A word in more cases than can be ranked lists them newest first, page after page, and a
/// filter that few of those newest matches pass still finds every case it should.
#[test]
fn broad_searches_list_newest_first_and_filters_reach_older_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let template: serde_json::Value =
        serde_json::from_str(sample().lines().next().unwrap()).unwrap();
    let n = 1200;
    let mut file = String::new();
    for i in 0..n {
        let mut c = template.clone();
        let at = DateTime::parse_from_rfc3339("2024-01-01T08:00:00+07:00").unwrap()
            + Duration::minutes(i * 37);
        c["id"] = serde_json::json!(Uuid::now_v7().to_string());
        c["register_no"] = serde_json::json!(format!("{}/{}", i + 1, at.format("%Y")));
        c["received_at"] = serde_json::json!(at.to_rfc3339());
        // Every 50th is in another hamlet: 24 in all, about ten among the 501 newest
        // matches. (Hamlets are filtered in SQL only, not by index tokens.)
        if i % 50 == 0 {
            c["location"]["hamlet"] = serde_json::json!("Thôn Nà Vị");
        }
        // Every fifth of the others: a page of them spans several slices of the matches.
        if i % 5 == 1 {
            c["location"]["hamlet"] = serde_json::json!("Thôn Bản Chang");
        }
        file.push_str(&format!("{c}\n"));
    }
    let rep = s
        .import_jsonl(&chief, file.as_bytes(), &mut |_| {})
        .unwrap();
    assert_eq!(rep.imported, n as u64);
    let page = |p: u32, hamlet: Option<&str>| {
        s.search(
            &chief,
            &SearchQuery {
                text: Some("lạng lách".into()),
                hamlet: hamlet.map(Into::into),
                page: p,
                page_size: 50,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (first, second) = (page(0, None), page(1, None));
    assert!(!first.ranked && first.total_capped);
    let times: Vec<_> = first
        .rows
        .iter()
        .chain(&second.rows)
        .map(|r| r.received_at)
        .collect();
    assert_eq!(times.len(), 100);
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    let at = |i: i64| {
        DateTime::parse_from_rfc3339("2024-01-01T08:00:00+07:00").unwrap()
            + Duration::minutes(i * 37)
    };
    let every_fifth: Vec<_> = (0..n).rev().filter(|i| i % 5 == 1).map(at).collect();
    for p in 0..3u32 {
        let got: Vec<_> = page(p, Some("Thôn Bản Chang"))
            .rows
            .iter()
            .map(|r| r.received_at)
            .collect();
        let from = p as usize * 50;
        assert_eq!(got, every_fifth[from..from + 50], "page {p}");
    }
    let hamlet = page(0, Some("Thôn Nà Vị"));
    assert!(!hamlet.ranked);
    assert_eq!(hamlet.rows.len(), 24);
    assert!(
        hamlet
            .rows
            .iter()
            .all(|r| r.hamlet.as_deref() == Some("Thôn Nà Vị"))
    );
    assert!(
        hamlet
            .rows
            .windows(2)
            .all(|w| w[0].received_at > w[1].received_at)
    );
}

/// Each save adds a segment to the search index; they are merged when the app is idle (and
/// after imports), never by an officer's save.
#[test]
fn search_index_segments_merge_at_idle_not_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..20 {
        s.intake(&chief, wheelies()).unwrap();
    }
    assert!(s.merge_search_index(1000).unwrap(), "20 saves, 20 segments");
    while s.merge_search_index(1000).unwrap() {}
    assert!(!s.merge_search_index(1000).unwrap());
    assert_eq!(text_search(&s, &chief, "lang lach").len(), 20);
    drop(s);
    let c = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    tinbao_core::store::key_connection(&c, KEY).unwrap();
    let automerge: i64 = c
        .query_row(
            "SELECT v FROM case_fts_config WHERE k = 'automerge'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(automerge, 0);
}

/// The app's idle upkeep gives way when another connection (the sync task) is writing: the
/// merge waits for a later idle moment instead of failing the status poll.
#[test]
fn idle_upkeep_gives_way_to_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..8 {
        s.intake(&chief, wheelies()).unwrap();
    }
    let other = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    tinbao_core::store::key_connection(&other, KEY).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    s.idle_upkeep().unwrap();
    other.execute_batch("COMMIT").unwrap();
    assert!(
        s.merge_search_index(1000).unwrap(),
        "the merge was left for later"
    );
    s.idle_upkeep().unwrap();
}

/// Issue 14's finding: `danh bac cho tan an` in Phường Tân An listed the market gambling case
/// "Đánh bạc tại chợ Tân An" last of three, below cases that match only through the hamlet or
/// the description. A case whose summary holds every word comes first.
#[test]
fn a_case_whose_summary_holds_every_word_ranks_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", TAN_AN);
    let case = |summary: &str, hamlet: &str, description: &str, minutes_ago: i64| {
        let mut c = wheelies();
        c.kind = Kind::PhanAnh;
        c.category = "gambling".into();
        c.summary = summary.into();
        c.description = description.into();
        c.location.commune = Some(TAN_AN.into());
        c.location.hamlet = Some(hamlet.into());
        c.persons.clear();
        c.received_at = Some((Utc::now() - Duration::minutes(minutes_ago)).fixed_offset());
        c
    };
    let market = s
        .intake(
            &chief,
            case(
                "Đánh bạc tại chợ Tân An",
                "Khu phố 3",
                "Nhiều người tụ tập sát phạt.",
                50,
            ),
        )
        .unwrap()
        .row
        .id;
    s.intake(
        &chief,
        case(
            "Tụ tập đánh bạc ban đêm",
            "Khu phố Chợ",
            "Người dân phường Tân An phản ánh đánh bạc ăn tiền.",
            20,
        ),
    )
    .unwrap();
    s.intake(
        &chief,
        case(
            "Gây mất trật tự",
            "Khu phố Chợ Cũ",
            "Đánh bạc gần chợ, phường Tân An, đánh bạc nhiều lần.",
            10,
        ),
    )
    .unwrap();
    let found = text_search(&s, &chief, "danh bac cho tan an");
    assert_eq!(found.len(), 3);
    assert_eq!(
        found[0].id,
        market,
        "{:?}",
        found.iter().map(|r| &r.summary).collect::<Vec<_>>()
    );
}
