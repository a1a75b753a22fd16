//! Backups, the checked restore, damage told from a wrong key, and what reaches the database file.
mod common;

use common::*;
use std::io::Write;
use tinbao_core::*;

#[test]
fn backup_and_verified_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let bk = dir.path().join("sao-luu.tinbao");
    s.backup(&chief, &bk).unwrap();
    s.intake(&chief, wheelies()).unwrap();
    let target = s.path().to_path_buf();
    drop(s);
    // A corrupt backup is refused and the database stays as it was.
    let bad = dir.path().join("hong.tinbao");
    let mut bytes = std::fs::read(&bk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 64].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::File::create(&bad)
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    assert!(Store::restore(&bad, &target, KEY).is_err());
    assert!(Store::restore(&bk, &target, "sai").is_err());
    // A mistyped path is reported as missing, and no empty file is made there.
    let typo = dir.path().join("sao-luu.tinbo");
    assert!(matches!(
        Store::restore(&typo, &target, KEY),
        Err(Error::NotFound { .. })
    ));
    assert!(!typo.exists());
    let s = Store::open(&target, KEY).unwrap();
    assert_eq!(s.verify().unwrap().cases, 2);
    drop(s);
    Store::restore(&bk, &target, KEY).unwrap();
    let s = Store::open(&target, KEY).unwrap();
    assert_eq!(s.verify().unwrap().cases, 1);
}

/// A restore keeps the PC's hybrid clock where it was: what it writes after the restore is
/// stamped after everything it wrote before, the changes made after the backup included, so an
/// edit after the restore never loses to an older one at the province.
#[test]
fn a_restore_keeps_the_clock_ahead_of_every_stamp_the_pc_gave() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let bk = dir.path().join("sao-luu.tinbao");
    s.backup(&chief, &bk).unwrap();
    s.intake(&chief, wheelies()).unwrap();
    let target = s.path().to_path_buf();
    drop(s);
    // This PC's wall clock ran an hour fast after the backup and has been put right since (a
    // CMOS battery, a wrong time zone): its last stamp is an hour ahead of the wall, and the
    // stored clock is all that keeps the order.
    let before = {
        let c = rusqlite::Connection::open(&target).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        let last: String = c
            .query_row("SELECT value FROM meta WHERE key = 'hlc_last'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let mut before: tinbao_sync::Hlc = last.parse().unwrap();
        before.wall_ms += 3_600_000;
        c.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'hlc_last'",
            [before.to_string()],
        )
        .unwrap();
        before
    };
    Store::restore(&bk, &target, KEY).unwrap();
    let mut s = Store::open(&target, KEY).unwrap();
    let chief = s.login("truong", "matkhau-123").unwrap();
    let known: std::collections::HashSet<_> = s
        .pending_changes(10_000)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    s.intake(&chief, wheelies()).unwrap();
    let after = s
        .pending_changes(10_000)
        .unwrap()
        .into_iter()
        .filter(|c| !known.contains(&c.id))
        .map(|c| c.hlc)
        .min()
        .unwrap();
    assert!(after > before, "{after:?} after {before:?}");
}

/// A page damaged on disk (a bad sector, a byte changed outside tinbao) is not told as a wrong
/// key: opening says the file is damaged, and verify names the page, even when the register
/// cannot be opened at all.
#[test]
fn a_damaged_page_is_not_a_wrong_key_and_verify_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    s.intake(&chief, wheelies()).unwrap();
    let path = s.path().to_path_buf();
    drop(s);
    let page_of = |table: &str| -> i64 {
        let c = rusqlite::Connection::open(&path).unwrap();
        tinbao_core::store::key_connection(&c, KEY).unwrap();
        c.query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get(0),
        )
        .unwrap()
    };
    let damage = |page: i64| {
        let mut bytes = std::fs::read(&path).unwrap();
        let at = (page as usize - 1) * 4096 + 2000;
        bytes[at..at + 8].iter_mut().for_each(|b| *b ^= 0xa5);
        std::fs::write(&path, bytes).unwrap();
    };
    let said = |page: i64| {
        vec![format!(
            "trang {page} của tệp bị hỏng (không khớp mã xác thực)"
        )]
    };

    // A page the register does not read to open: it opens, and verify finds the page.
    let holidays = page_of("holidays");
    damage(holidays);
    let s = Store::open(&path, KEY).unwrap();
    let r = s.verify().unwrap();
    assert_eq!((r.ok, r.problems), (false, said(holidays)));
    drop(s);

    // The page of the register's settings: it no longer opens, but not for a wrong key.
    let meta = page_of("meta");
    damage(meta);
    let e = Store::open(&path, KEY).err().unwrap();
    assert!(matches!(e, Error::Damaged), "{e:?}");
    assert!(e.to_string().contains("bị hỏng"));
    assert!(matches!(Store::open(&path, "sai"), Err(Error::WrongKey)));
    let r = Store::verify_file(&path, KEY).unwrap();
    let mut want = said(meta);
    want.extend(said(holidays));
    want.sort();
    let mut got = r.problems.clone();
    got.sort();
    assert_eq!((r.ok, got), (false, want));
    assert!(matches!(
        Store::verify_file(&path, "sai"),
        Err(Error::WrongKey)
    ));
    // Nor is it accepted as a backup.
    let target = dir.path().join("b.db");
    assert!(matches!(
        Store::restore(&path, &target, KEY),
        Err(Error::BadBackup(_))
    ));
    assert!(!target.exists());
}

#[test]
fn a_background_checkpoint_leaves_saves_alone_and_copies_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    for _ in 0..20 {
        s.intake(&chief, wheelies()).unwrap();
    }
    // Saves did not checkpoint on their own (the threshold is far above 20 saves)...
    let (log, copied) = s.checkpoint().unwrap();
    assert!(log > 0, "the saves are in the write-ahead log");
    // ...and a checkpoint at an idle moment copies all of it.
    assert_eq!(log, copied);
    drop(s);
    assert_eq!(
        Store::open(dir.path().join("a.db"), KEY)
            .unwrap()
            .verify()
            .unwrap()
            .cases,
        20
    );
}
