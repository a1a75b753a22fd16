//! The case's state is what its events say. `fold` derives it; `check` tells whether an actor
//! may take a transition from the current state, and which event it appends (`Store::act`, in
//! `cases`, appends it). Both local writes and events arriving from other devices go through
//! `fold`, so every replica derives the same.
use crate::error::{Error, Result};
use crate::model::{Action, Actor, Outcome, Role, Status};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Projection {
    pub status: Option<Status>,
    pub assignee: Option<Uuid>,
    pub outcome: Option<Outcome>,
    pub outcome_utc: Option<i64>,
    pub duplicate_of: Option<Uuid>,
    pub review: Option<String>,
    /// When the current deadline's clock started, if one runs.
    pub deadline_from: Option<i64>,
    /// Concurrent, incompatible transitions were seen (two outcomes recorded offline, say).
    pub conflict: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredEvent {
    pub kind: String,
    pub data: Value,
    pub at_utc: i64,
}

fn status_of(v: &Value) -> Option<Status> {
    v.get("from")
        .and_then(Value::as_str)
        .and_then(Status::parse)
}

/// Events must come in stamp order.
pub(crate) fn fold(events: &[StoredEvent]) -> Projection {
    let mut p = Projection::default();
    for e in events {
        let cur = p.status.unwrap_or(Status::Received);
        // A transition made from a state this replica no longer has: someone else moved the
        // case at the same time. The later stamp still wins; the case is flagged.
        let stale = |p: &mut Projection| {
            if let Some(from) = status_of(&e.data)
                && from != cur
            {
                p.conflict = true;
            }
        };
        match e.kind.as_str() {
            "created" => {
                p.status = Some(Status::Received);
                // The legal time limit runs from receipt, which may precede registration.
                p.deadline_from = Some(
                    e.data
                        .get("received_utc")
                        .and_then(Value::as_i64)
                        .unwrap_or(e.at_utc),
                );
            }
            "imported" => {
                let s = e
                    .data
                    .get("status")
                    .and_then(Value::as_str)
                    .and_then(Status::parse)
                    .unwrap_or(Status::Received);
                p.status = Some(s);
                if !s.is_open() {
                    // When an imported case was closed is not known: it stays out of the median.
                    p.deadline_from = None;
                }
            }
            "assigned" => {
                p.assignee = e
                    .data
                    .get("user")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok());
            }
            "verification_started" => {
                stale(&mut p);
                p.status = Some(Status::Verifying);
            }
            "outcome_recorded" => {
                stale(&mut p);
                if let Some(o) = e
                    .data
                    .get("outcome")
                    .and_then(|o| serde_json::from_value::<Outcome>(o.clone()).ok())
                {
                    p.status = Some(o.status());
                    p.outcome = Some(o);
                    p.outcome_utc = Some(e.at_utc);
                    p.deadline_from = None;
                    p.review = None;
                }
            }
            "merged" => {
                stale(&mut p);
                p.status = Some(Status::Duplicate);
                p.duplicate_of = e
                    .data
                    .get("into")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok());
                p.outcome_utc = Some(e.at_utc);
                p.deadline_from = None;
            }
            "reopened" | "reviewed_returned" => {
                stale(&mut p);
                p.status = Some(Status::Verifying);
                p.outcome = None;
                p.outcome_utc = None;
                p.duplicate_of = None;
                p.deadline_from = Some(e.at_utc);
                if e.kind == "reviewed_returned" {
                    p.review = Some(format!(
                        "returned: {}",
                        e.data.get("comment").and_then(Value::as_str).unwrap_or("")
                    ));
                }
            }
            "reviewed_approved" => p.review = Some("approved".into()),
            "conflict_resolved" => p.conflict = false,
            _ => {}
        }
    }
    p
}

/// Checks that `actor` may take `action` on a case in `current`, and returns the event it
/// appends (type and data). Rules: officers work cases; only a chief assigns, closes, merges
/// and reopens; only a supervisor returns or approves.
pub(crate) fn check(
    actor: &Actor,
    current: &Projection,
    action: &Action,
) -> Result<(String, Value)> {
    let status = current.status.unwrap_or(Status::Received);
    let from = status.as_str();
    let station_worker = matches!(actor.role, Role::Officer | Role::Chief);
    let chief = actor.role == Role::Chief;
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(Error::forbidden(what.to_owned()))
        }
    };
    let bad = |to: Status| Error::InvalidTransition {
        from: status.label_vi().into(),
        to: to.label_vi().into(),
    };
    let nonempty = |s: &str, what: &str| {
        if s.trim().is_empty() {
            Err(Error::invalid(format!("Chưa nhập {what}.")))
        } else {
            Ok(())
        }
    };
    Ok(match action {
        Action::Assign { user } => {
            need(chief, "phân công vụ việc (chỉ trưởng/phó Công an)")?;
            ("assigned".into(), json!({ "user": user.to_string() }))
        }
        Action::StartVerification { note } => {
            need(station_worker, "xác minh vụ việc")?;
            if status != Status::Received {
                return Err(bad(Status::Verifying));
            }
            (
                "verification_started".into(),
                json!({ "from": from, "note": note }),
            )
        }
        Action::Note { text } => {
            need(
                station_worker || actor.role == Role::Supervisor,
                "ghi chú vào vụ việc",
            )?;
            nonempty(text, "nội dung ghi chú")?;
            ("note".into(), json!({ "text": text.trim() }))
        }
        Action::Step { text } => {
            need(station_worker, "ghi nhận bước xác minh")?;
            nonempty(text, "nội dung")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi ghi nhận thêm.",
                ));
            }
            ("step".into(), json!({ "text": text.trim() }))
        }
        Action::Classify {
            kind,
            category,
            urgency,
        } => {
            need(station_worker, "phân loại vụ việc")?;
            (
                "classified".into(),
                json!({ "kind": kind, "category": category, "urgency": urgency }),
            )
        }
        Action::RecordOutcome { outcome } => {
            need(chief, "kết thúc vụ việc (chỉ trưởng/phó Công an)")?;
            if !status.is_open() {
                return Err(bad(outcome.status()));
            }
            validate_outcome(outcome)?;
            (
                "outcome_recorded".into(),
                json!({ "from": from, "outcome": outcome }),
            )
        }
        Action::Merge { into } => {
            need(chief, "gộp vụ việc trùng (chỉ trưởng/phó Công an)")?;
            if !status.is_open() {
                return Err(bad(Status::Duplicate));
            }
            (
                "merged".into(),
                json!({ "from": from, "into": into.to_string() }),
            )
        }
        Action::Reopen { reason } => {
            need(chief, "mở lại vụ việc (chỉ trưởng/phó Công an)")?;
            nonempty(reason, "lý do mở lại")?;
            if status.is_open() {
                return Err(bad(Status::Verifying));
            }
            (
                "reopened".into(),
                json!({ "from": from, "reason": reason.trim() }),
            )
        }
        Action::Return { comment } => {
            need(
                actor.role == Role::Supervisor,
                "trả lại vụ việc (chỉ cán bộ kiểm tra cấp tỉnh)",
            )?;
            nonempty(comment, "ý kiến khi trả lại")?;
            (
                "reviewed_returned".into(),
                json!({ "from": from, "comment": comment.trim() }),
            )
        }
        Action::Approve { comment } => {
            need(
                actor.role == Role::Supervisor,
                "phê duyệt vụ việc (chỉ cán bộ kiểm tra cấp tỉnh)",
            )?;
            if status.is_open() {
                return Err(Error::invalid("Chỉ phê duyệt được vụ việc đã có kết quả."));
            }
            ("reviewed_approved".into(), json!({ "comment": comment }))
        }
        Action::ProsecutionDecision {
            decision,
            number,
            issuing_body,
            signatory,
        } => {
            need(
                chief,
                "ghi quyết định của Cơ quan điều tra (trưởng/phó Công an được phân công)",
            )?;
            if status != Status::Transferred {
                return Err(Error::invalid(
                    "Chỉ ghi quyết định khởi tố/không khởi tố cho vụ việc đã chuyển Cơ quan điều tra.",
                ));
            }
            nonempty(number, "số quyết định")?;
            nonempty(issuing_body, "cơ quan ban hành")?;
            nonempty(signatory, "người ký")?;
            (
                "prosecution_decision".into(),
                json!({ "decision": decision, "number": number.trim(), "issuing_body": issuing_body.trim(), "signatory": signatory.trim() }),
            )
        }
        Action::ResolveConflict { note } => {
            need(chief, "xử lý xung đột dữ liệu (chỉ trưởng/phó Công an)")?;
            nonempty(note, "cách xử lý")?;
            ("conflict_resolved".into(), json!({ "note": note.trim() }))
        }
        // sanctions branch (issue 14): the role and state here; the law's checks (cap, minors,
        // guardian) need the case's persons and caps, in `sanctions::check_sanction`.
        Action::Sanction {
            person,
            form,
            fine_vnd,
            adult_fine_vnd,
            sector,
            decider_name,
            decider_title,
            decision_no,
            decided_on,
            payer,
        } => {
            need(chief, "ghi quyết định xử phạt (chỉ trưởng/phó Công an)")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi ghi quyết định xử phạt.",
                ));
            }
            (
                "sanction_decided".into(),
                json!({
                    "person": person.to_string(), "form": form, "fine_vnd": fine_vnd,
                    "adult_fine_vnd": adult_fine_vnd, "sector": sector,
                    "decider_name": decider_name.trim(), "decider_title": decider_title,
                    "decision_no": decision_no.trim(), "decided_on": decided_on.trim(),
                    "payer": payer.map(|p| p.to_string()),
                }),
            )
        }
    })
}

fn validate_outcome(o: &Outcome) -> Result<()> {
    let need = |s: &str, what: &str| {
        if s.trim().is_empty() {
            Err(Error::invalid(format!(
                "Kết quả “{}” cần {what}.",
                o.status().label_vi()
            )))
        } else {
            Ok(())
        }
    };
    match o {
        Outcome::Transferred { to_agency, .. } => need(to_agency, "tên cơ quan tiếp nhận"),
        // The decisions, total and deciders come from the per-violator decisions
        // (`sanctions::complete_outcome`), each checked against its title's cap there.
        Outcome::Sanctioned {
            record_no,
            decision_no,
            fine_vnd,
            decided_by,
            ..
        } => {
            need(record_no, "số biên bản vi phạm hành chính")?;
            need(
                decision_no.as_deref().unwrap_or(""),
                "quyết định xử phạt của từng người vi phạm",
            )?;
            need(decided_by.as_deref().unwrap_or(""), "người ra quyết định")?;
            if fine_vnd.is_some_and(|f| f < 0) {
                return Err(Error::invalid("Số tiền phạt không được âm."));
            }
            Ok(())
        }
        Outcome::Mediated { note } => need(note, "nội dung hòa giải"),
        Outcome::ResolvedOther { note } => need(note, "nội dung giải quyết"),
        Outcome::Unfounded { reason } => need(reason, "lý do"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            username: "a".into(),
            full_name: "A".into(),
            role,
            station: Some("01843".into()),
            province: None,
        }
    }

    fn ev(kind: &str, data: Value) -> StoredEvent {
        StoredEvent {
            kind: kind.into(),
            data,
            at_utc: 0,
        }
    }

    #[test]
    fn officer_cannot_close_but_chief_can() {
        let p = fold(&[ev("created", json!({}))]);
        let o = Action::RecordOutcome {
            outcome: Outcome::Unfounded {
                reason: "không có dấu hiệu".into(),
            },
        };
        assert!(matches!(
            check(&actor(Role::Officer), &p, &o),
            Err(Error::Forbidden { .. })
        ));
        assert!(check(&actor(Role::Chief), &p, &o).is_ok());
    }

    #[test]
    fn outcome_needs_its_fields() {
        let p = fold(&[ev("created", json!({}))]);
        let o = Outcome::Sanctioned {
            record_no: "".into(),
            decision_no: Some("1".into()),
            fine_vnd: Some(8_000_000),
            decided_by: Some("x".into()),
            note: None,
        };
        assert!(matches!(
            check(
                &actor(Role::Chief),
                &p,
                &Action::RecordOutcome { outcome: o }
            ),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn concurrent_outcomes_are_flagged() {
        let a = json!({"from": "verifying", "outcome": {"type": "unfounded", "reason": "x"}});
        let b = json!({"from": "verifying", "outcome": {"type": "mediated", "note": "y"}});
        let p = fold(&[
            ev("created", json!({})),
            ev("verification_started", json!({"from": "received"})),
            ev("outcome_recorded", a),
            ev("outcome_recorded", b),
        ]);
        assert_eq!(p.status, Some(Status::Mediated));
        assert!(p.conflict);
    }

    #[derive(Debug, Clone)]
    enum Step {
        Verify,
        Close,
        Reopen,
        Return,
        Merge,
    }

    proptest! {
        /// Whatever sequence of actions is tried, what is accepted folds into a state that the
        /// checks agree with, and a closed case never accepts a second outcome.
        #[test]
        fn accepted_sequences_fold_consistently(steps in proptest::collection::vec(prop_oneof![
            Just(Step::Verify), Just(Step::Close), Just(Step::Reopen), Just(Step::Return), Just(Step::Merge)], 0..20)) {
            let mut events = vec![ev("created", json!({}))];
            for s in steps {
                let p = fold(&events);
                let (who, action) = match s {
                    Step::Verify => (Role::Officer, Action::StartVerification { note: None }),
                    Step::Close => (Role::Chief, Action::RecordOutcome { outcome: Outcome::Mediated { note: "ok".into() } }),
                    Step::Reopen => (Role::Chief, Action::Reopen { reason: "r".into() }),
                    Step::Return => (Role::Supervisor, Action::Return { comment: "c".into() }),
                    Step::Merge => (Role::Chief, Action::Merge { into: Uuid::nil() }),
                };
                let was_open = p.status.unwrap_or(Status::Received).is_open();
                match check(&actor(who), &p, &action) {
                    Ok((kind, data)) => {
                        if matches!(s, Step::Close | Step::Merge) { prop_assert!(was_open); }
                        if matches!(s, Step::Reopen) { prop_assert!(!was_open); }
                        events.push(ev(&kind, data));
                    }
                    Err(_) => {
                        if matches!(s, Step::Close | Step::Merge) { prop_assert!(!was_open); }
                    }
                }
                prop_assert!(!fold(&events).conflict);
            }
        }
    }
}
