//! The audit log is tamper-evident at the province: a station PC whose log is cut after the
//! province saw it (a holder of the database key drops the append-only trigger and deletes the
//! entries of an export, say) is reported to the provincial administrator at its next sync.
use tinbao_scenarios::*;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

#[test]
fn a_log_cut_on_the_pc_is_reported_at_the_province() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut a = Device::station(dir.path(), "a", STATION_A)?;
    a.enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    let actor = a.actor.clone();
    for i in 0..4 {
        a.store
            .audit(&actor, "exported", Some(&format!("so-{i}.xlsx")), None)?;
    }
    a.sync()?;
    a.store.audit(&actor, "printed", Some("bien-ban"), None)?;
    a.sync()?;
    let alarms = server.admin(&["audit-alarms"])?;
    assert_eq!(alarms.as_array().map(Vec::len), Some(0), "{alarms}");

    // The cut: the last three entries go, and the PC goes on working.
    {
        let c = rusqlite::Connection::open(dir.path().join("a.db"))?;
        tinbao_core::store::key_connection(&c, KEY)?;
        c.execute_batch(
            "DROP TRIGGER audit_no_delete;
             DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit);",
        )?;
    }
    a.store.audit(&actor, "login", None, None)?;
    a.sync()?;
    let alarms = server.admin(&["audit-alarms"])?;
    let list = alarms.as_array().ok_or("a list")?;
    assert!(!list.is_empty(), "the cut was not noticed");
    assert_eq!(list[0]["device"], a.store.device_id().to_string());
    let detail = list[0]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("sửa") || detail.contains("xóa"), "{detail}");
    Ok(())
}
