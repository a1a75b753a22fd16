//! The replica's side of sync: convergence, conflicts, and stamps across connections.
mod common;

use chrono::{Duration, Utc};
use common::*;
use tinbao_core::*;

#[test]
fn replicas_converge_and_flag_concurrent_edits() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, chief_a) = station(&dir, "a.db", BAC_KAN);
    let (mut b, _) = station(&dir, "b.db", BAC_KAN);
    let case = a.intake(&chief_a, wheelies()).unwrap();
    let id = case.row.id;
    let first = a.pending_changes(1000).unwrap();
    let rep = b.apply_remote(&first).unwrap();
    assert_eq!(rep.rejected, 0);
    assert_eq!(
        b.apply_remote(&first).unwrap().applied,
        0,
        "re-applying a batch changes nothing"
    );
    a.mark_pushed(&first.iter().map(|c| c.id).collect::<Vec<_>>())
        .unwrap();
    // Both classify the same case differently while offline, and both record an outcome.
    let b_chief = b.login("truong", "matkhau-123").unwrap();
    let b_chief = Actor {
        user_id: b_chief.user_id,
        ..b_chief
    };
    a.act(
        &chief_a,
        id,
        Action::Classify {
            kind: None,
            category: Some("affray".into()),
            urgency: None,
            class: None,
            agency: None,
        },
    )
    .unwrap();
    b.act(
        &b_chief,
        id,
        Action::Classify {
            kind: None,
            category: Some("drugs".into()),
            urgency: Some(Urgency::Urgent),
            class: None,
            agency: None,
        },
    )
    .unwrap();
    a.act(
        &chief_a,
        id,
        Action::RecordOutcome {
            outcome: Outcome::Unfounded {
                reason: "Không có dấu hiệu".into(),
            },
        },
    )
    .unwrap();
    b.act(
        &b_chief,
        id,
        Action::RecordOutcome {
            outcome: Outcome::Transferred {
                to_agency: "CQĐT Công an tỉnh".into(),
                note: None,
                documents: vec![],
            },
        },
    )
    .unwrap();
    let from_a = a.pending_changes(1000).unwrap();
    let from_b: Vec<_> = b
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .filter(|c| !first.iter().any(|f| f.id == c.id))
        .collect();
    a.apply_remote(&from_b).unwrap();
    b.apply_remote(&from_a).unwrap();
    let da = a.case_detail(&chief_a, id).unwrap();
    let db = b.case_detail(&b_chief, id).unwrap();
    assert_eq!(da.row.category, db.row.category);
    assert_eq!(da.row.urgency, Urgency::Urgent);
    assert_eq!(da.row.status, db.row.status);
    assert_eq!(da.events.len(), db.events.len());
    assert!(
        da.row.conflict && db.row.conflict,
        "concurrent edits are never silent"
    );
    assert!(!a.conflicts().unwrap().is_empty());
    let ok = a
        .act(
            &chief_a,
            id,
            Action::ResolveConflict {
                note: "Giữ phân loại ma túy".into(),
            },
        )
        .unwrap();
    assert!(!ok.row.conflict);
    b.apply_remote(&a.pending_changes(1000).unwrap()).unwrap();
    assert!(!b.case_detail(&b_chief, id).unwrap().row.conflict);
}

#[test]
fn two_connections_to_one_database_keep_their_stamps_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ui, chief) = station(&dir, "a.db", BAC_KAN);
    // The sync task's own connection applies a change from a PC whose clock runs 10 minutes ahead.
    let mut sync = Store::open(ui.path(), KEY).unwrap();
    let (mut other, other_chief) = station(&dir, "b.db", BAC_KAN);
    other.intake(&other_chief, wheelies()).unwrap();
    let ahead = tinbao_sync::Hlc {
        wall_ms: (Utc::now() + Duration::minutes(10)).timestamp_millis() as u64,
        counter: 0,
        node: 7,
    };
    let changes: Vec<_> = other
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .map(|mut c| {
            c.hlc = ahead;
            c
        })
        .collect();
    sync.apply_remote(&changes).unwrap();
    // A write on the UI's connection afterwards must still be stamped after it.
    ui.intake(&chief, wheelies()).unwrap();
    let mine = ui
        .pending_changes(1000)
        .unwrap()
        .into_iter()
        .rfind(|c| c.entity == EntityKind::Case)
        .unwrap();
    assert!(mine.hlc > ahead, "{} must follow {}", mine.hlc, ahead);
}
