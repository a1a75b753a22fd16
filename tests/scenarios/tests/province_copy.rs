//! Issue 13's property: random work from random devices, forgeries among it (a station's PC
//! rewriting another station's case under its own label, an event on another station's case),
//! synced in random order: the province's copy of each station equals that station's own copy.
use proptest::prelude::*;
use tinbao_core::model::Action;
use tinbao_scenarios::*;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

#[derive(Debug, Clone)]
enum Step {
    /// Device 0 (station A) or 1 (station B) registers a case.
    Intake(usize),
    /// A station device notes on one of its own cases.
    Note(usize, usize),
    /// A station device changes one of its cases' category.
    Category(usize, usize, &'static str),
    /// The supervisor returns a case of either station.
    Return(usize),
    /// Station A's PC forges a change to one of station B's cases (its summary, under station
    /// A's label) or an event on it.
    Forge(usize, bool),
    /// Device 0, 1 or 2 (the supervisor) syncs.
    Sync(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..2usize).prop_map(Step::Intake),
        2 => (0..2usize, 0..8usize).prop_map(|(d, c)| Step::Note(d, c)),
        1 => (0..2usize, 0..8usize, prop_oneof![Just("fraud"), Just("drugs"), Just("gambling")])
            .prop_map(|(d, c, k)| Step::Category(d, c, k)),
        1 => (0..16usize).prop_map(Step::Return),
        2 => (0..8usize, any::<bool>()).prop_map(|(c, e)| Step::Forge(c, e)),
        3 => (0..3usize).prop_map(Step::Sync),
    ]
}

/// Puts a forged change straight into a device's outbox, as a tampered PC would.
fn inject(dir: &std::path::Path, name: &str, change: &tinbao_core::Change) -> Result<()> {
    let c = rusqlite::Connection::open(dir.join(format!("{name}.db")))?;
    tinbao_core::store::key_connection(&c, KEY)?;
    c.execute(
        "INSERT INTO outbox(change_id, body) VALUES (?1, ?2)",
        rusqlite::params![change.id.to_string(), serde_json::to_string(change)?],
    )?;
    Ok(())
}

fn run(steps: &[Step]) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let w = dir.path();
    let mut devs = [
        Device::station(w, "a", STATION_A)?,
        Device::station(w, "b", STATION_B)?,
        Device::supervisor(w, "sup", PROVINCE)?,
    ];
    devs[0].enrol(&server.url(), &server.enrol_code(Some(STATION_A), None)?)?;
    devs[1].enrol(&server.url(), &server.enrol_code(Some(STATION_B), None)?)?;
    devs[2].enrol(&server.url(), &server.enrol_code(None, Some(PROVINCE))?)?;
    let mut cases: [Vec<Uuid>; 2] = [Vec::new(), Vec::new()];
    // A template of a station A change to forge from: its first case's creation.
    let mut template: Option<tinbao_core::Change> = None;
    // Station B's cases the province has: a forger learns ids only from what was shared (ids are
    // random, so one not yet pushed cannot be guessed and claimed first).
    let mut b_pushed = 0usize;
    for (i, s) in steps.iter().enumerate() {
        match *s {
            Step::Intake(d) => {
                let id = devs[d].intake(&format!("Vụ {i} của trạm {d}"))?;
                cases[d].push(id);
                if d == 0 && template.is_none() {
                    template = devs[0]
                        .store
                        .pending_changes(1000)?
                        .into_iter()
                        .find(|c| c.entity == tinbao_core::EntityKind::Case);
                }
            }
            Step::Note(d, c) if !cases[d].is_empty() => {
                let id = cases[d][c % cases[d].len()];
                devs[d].note(id, &format!("Ghi chú bước {i}"))?;
            }
            Step::Category(d, c, k) if !cases[d].is_empty() => {
                let id = cases[d][c % cases[d].len()];
                devs[d].set_category(id, k)?;
            }
            Step::Return(c) => {
                let all: Vec<Uuid> = cases.iter().flatten().copied().collect();
                // The supervisor returns only what it has pulled.
                if !all.is_empty() {
                    let id = all[c % all.len()];
                    if devs[2].store.case_detail(&devs[2].actor, id).is_ok() {
                        devs[2].act(
                            id,
                            Action::Return {
                                comment: format!("Bổ sung hồ sơ (bước {i})"),
                            },
                        )?;
                    }
                }
            }
            Step::Forge(c, as_event) if b_pushed > 0 => {
                let Some(t) = &template else { continue };
                let victim = cases[1][c % b_pushed];
                let mut f = t.clone();
                f.id = Uuid::now_v7();
                f.station = STATION_A.into();
                if as_event {
                    f.entity = tinbao_core::EntityKind::Event;
                    f.entity_id = Uuid::now_v7();
                    f.op = tinbao_sync::Op::Insert;
                    f.fields = [
                        ("case_id".to_string(), serde_json::json!(victim.to_string())),
                        ("type".to_string(), serde_json::json!("note")),
                        ("data".to_string(), serde_json::json!({"text": "giả mạo"})),
                    ]
                    .into_iter()
                    .collect();
                } else {
                    f.entity_id = victim;
                    f.op = tinbao_sync::Op::Upsert;
                    f.fields = [("summary".to_string(), serde_json::json!("Giả mạo"))]
                        .into_iter()
                        .collect();
                }
                inject(w, "a", &f)?;
            }
            Step::Sync(d) => {
                devs[d].sync()?;
                if d == 1 {
                    b_pushed = cases[1].len();
                }
            }
            _ => {}
        }
    }
    for _ in 0..2 {
        for d in devs.iter_mut() {
            d.sync()?;
        }
    }
    let [a, b, sup] = &devs;
    for d in &devs {
        assert_eq!(d.pending()?, 0, "{} still has changes to send", d.name);
    }
    assert_converged(STATION_A, &[a, sup])?;
    assert_converged(STATION_B, &[b, sup])?;
    assert_eq!(sup.snapshot(STATION_B)?.cases(), cases[1].len());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn the_province_holds_what_each_station_holds(steps in prop::collection::vec(step(), 5..30)) {
        run(&steps).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}
