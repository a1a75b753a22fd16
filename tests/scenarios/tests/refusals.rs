//! A change the province refuses for good (here: a forged change naming another station) is set
//! aside with the server's reason for the chief, never pushed again, and does not hold up the
//! changes behind it, even when a whole batch is refusals.
use tinbao_scenarios::*;
use tinbao_sync_client::SyncOptions;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

#[test]
fn a_refused_change_is_set_aside_and_the_rest_goes_through() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut a = Device::station(dir.path(), "a", STATION_A)?;
    a.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;

    // Forged changes first in the outbox, a whole batch of them, then the station's real work.
    let first = a.intake("Mất trộm xe máy")?;
    let template = a.store.pending_changes(1)?.remove(0);
    {
        let c = rusqlite::Connection::open(dir.path().join("a.db"))?;
        tinbao_core::store::key_connection(&c, KEY)?;
        c.execute("UPDATE outbox SET seq = seq + 1000", [])?;
        for i in 0..3 {
            let mut forged = template.clone();
            forged.id = uuid::Uuid::now_v7();
            forged.entity_id = uuid::Uuid::now_v7();
            forged.station = STATION_B.into();
            c.execute(
                "INSERT INTO outbox(seq, change_id, body) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    i + 1,
                    forged.id.to_string(),
                    serde_json::to_string(&forged)?
                ],
            )?;
        }
    }
    let second = a.intake("Đánh bạc tại chợ")?;
    let opts = SyncOptions {
        push_batch: 3,
        ..SyncOptions::default()
    };
    let client = a.client_via(&server.url())?;
    let r = a.sync_via(&client, &opts)?;
    assert_eq!(r.rejected.len(), 3, "{:?}", r.rejected);
    assert_eq!(
        a.pending()?,
        0,
        "the real work went through behind the refusals"
    );
    let refused = a.store.refused_changes(10)?;
    assert_eq!(refused.len(), 3);
    assert!(
        refused.iter().all(|x| x.reason == "out_of_scope"),
        "{refused:?}"
    );
    assert!(!refused[0].message.is_empty());
    assert_eq!(a.store.sync_state()?.refused, 3);

    // The next sync sends nothing again.
    let r = a.sync_via(&client, &opts)?;
    assert_eq!((r.pushed, r.rejected.len()), (0, 0));

    // The supervisor sees the station's two cases and nothing forged.
    let mut sup = Device::supervisor(dir.path(), "sup", PROVINCE)?;
    sup.enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    sup.sync()?;
    let a_cases = sup.snapshot(STATION_A)?;
    assert_eq!(a_cases.cases(), 2);
    assert_eq!(sup.snapshot(STATION_B)?.cases(), 0);
    let _ = (first, second);
    Ok(())
}
