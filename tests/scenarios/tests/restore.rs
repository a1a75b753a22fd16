//! A station PC restored from a backup (a failing disk, a wrong edit) against the real server:
//! what it sent after the backup was made comes back with its next sync, and no register number
//! used after the backup is given twice, even to a case registered offline before that sync.
use tinbao_core::Store;
use tinbao_scenarios::*;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now()
        .with_timezone(&tinbao_core::time::vn_offset())
        .year()
}

fn numbers(d: &Device) -> Result<Vec<(i64, String)>> {
    let book = d.store.register_book(&d.actor, year())?;
    Ok(book
        .lines
        .iter()
        .filter_map(|l| l.case.as_ref().map(|c| (l.seq, c.summary.clone())))
        .collect())
}

#[test]
fn a_restored_pc_takes_back_what_it_sent_and_gives_no_number_twice() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut a = Device::station(dir.path(), "a", STATION_A)?;
    a.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    a.sync()?;
    a.intake("Trước sao lưu 1")?;
    a.intake("Trước sao lưu 2")?;
    a.sync()?;
    let backup = dir.path().join("a-backup.db");
    let chief = a.actor.clone();
    a.store.backup(&chief, &backup)?;

    for i in 1..=3 {
        a.intake(&format!("Sau sao lưu {i}"))?;
    }
    a.sync()?;
    let before: Vec<i64> = numbers(&a)?.into_iter().map(|(n, _)| n).collect();
    assert_eq!(before, [1, 2, 3, 4, 5]);

    // The disk fails: the chief restores the backup, and registers a case before any sync.
    let path = dir.path().join("a.db");
    drop(a);
    Store::restore(&backup, &path, KEY)?;
    let mut a = Device::open(&path, "a", chief)?;
    assert_eq!(numbers(&a)?.len(), 2, "the backup has the first two");
    a.intake("Sau khôi phục, chưa đồng bộ")?;
    let offline = numbers(&a)?
        .into_iter()
        .find(|(_, s)| s.starts_with("Sau khôi phục"))
        .ok_or("the new case")?
        .0;
    assert!(
        ![3, 4, 5].contains(&offline),
        "a number used after the backup is not given again: {offline}"
    );

    // The sync takes back the three cases sent after the backup.
    let rep = a.sync()?;
    assert!(rep.applied >= 3, "{rep:?}");
    let after = numbers(&a)?;
    let mut seqs: Vec<i64> = after.iter().map(|(n, _)| *n).collect();
    assert_eq!(after.len(), 6, "{after:?}");
    assert!(
        after
            .iter()
            .filter(|(_, s)| s.starts_with("Sau sao lưu"))
            .count()
            == 3,
        "{after:?}"
    );
    seqs.dedup();
    assert_eq!(seqs.len(), 6, "every number once: {after:?}");
    // Leased numbers are taken again once the province has answered, and none twice.
    a.intake("Sau đồng bộ")?;
    let last = numbers(&a)?;
    let mut all: Vec<i64> = last.iter().map(|(n, _)| *n).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 7, "{last:?}");
    // A second sync asks for its own changes no more.
    assert!(!a.store.pull_own_after_restore()?);
    Ok(())
}
