//! The case's state is what its events say. `fold` derives it; `check` tells whether an actor
//! may take a transition from the current state, and which event it appends (`Store::act`, in
//! `cases`, appends it). Both local writes and events arriving from other devices go through
//! `fold`, so every replica derives the same.
pub(crate) use crate::clocks::StoredEvent;
use crate::clocks::time_of;
use crate::error::{Error, Result};
use crate::model::{
    Action, Actor, CaseClass, Outcome, ProsecutionDecision, ResolutionStep, Role, Status,
};
use crate::time::{vn_offset, vn_time};
use chrono::{NaiveDate, Utc};
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
    /// Concurrent, incompatible transitions were seen (two outcomes recorded offline, say).
    pub conflict: bool,
    /// When the report was received (unix seconds): actions' real times are not before it.
    pub received_utc: Option<i64>,
    pub class: Option<CaseClass>,
    /// The commune investigator assigned to a case kept at the commune.
    pub investigator: Option<Uuid>,
    /// The resolution limit's extensions taken so far.
    pub extensions: Vec<ResolutionStep>,
    /// An administrative violation record was drawn up, and its decision limit extended.
    pub violation_recorded: bool,
    pub decision_extended: bool,
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
                // Receipt may precede registration.
                p.received_utc = Some(
                    e.data
                        .get("received_utc")
                        .and_then(Value::as_i64)
                        .unwrap_or(e.at_utc),
                );
            }
            "imported" => {
                // When an imported case was closed is not known: it stays out of the median.
                p.status = Some(
                    e.data
                        .get("status")
                        .and_then(Value::as_str)
                        .and_then(Status::parse)
                        .unwrap_or(Status::Received),
                );
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
            }
            "reopened" | "reviewed_returned" => {
                stale(&mut p);
                p.status = Some(Status::Verifying);
                p.outcome = None;
                p.outcome_utc = None;
                p.duplicate_of = None;
                if e.kind == "reviewed_returned" {
                    p.review = Some(format!(
                        "returned: {}",
                        e.data.get("comment").and_then(Value::as_str).unwrap_or("")
                    ));
                }
            }
            "reviewed_approved" => p.review = Some("approved".into()),
            "conflict_resolved" => p.conflict = false,
            "classified" => {
                if let Some(c) = e
                    .data
                    .get("class")
                    .and_then(Value::as_str)
                    .and_then(CaseClass::parse)
                {
                    p.class = Some(c);
                }
            }
            "investigator_assigned" => {
                p.investigator = e
                    .data
                    .get("user")
                    .and_then(Value::as_str)
                    .and_then(|s| s.parse().ok());
            }
            // On a case the commune keeps, the investigator's decision is its outcome; on a
            // transferred case it records the agency's decision and changes nothing.
            "prosecution_decision" => {
                let d = e
                    .data
                    .get("decision")
                    .and_then(Value::as_str)
                    .and_then(ProsecutionDecision::parse);
                let to = match d {
                    Some(ProsecutionDecision::KhoiTo) if cur.is_open() => Some(Status::Prosecuted),
                    Some(ProsecutionDecision::KhongKhoiTo) if cur.is_open() => {
                        Some(Status::NotProsecuted)
                    }
                    Some(ProsecutionDecision::TamDinhChi) if cur.is_open() => {
                        Some(Status::Suspended)
                    }
                    Some(ProsecutionDecision::PhucHoi) if cur == Status::Suspended => {
                        Some(Status::Verifying)
                    }
                    _ => None,
                };
                if let Some(to) = to {
                    stale(&mut p);
                    p.status = Some(to);
                    p.outcome_utc = (!to.is_open()).then(|| time_of(e));
                    p.review = None;
                }
            }
            "resolution_extended" => {
                if let Some(s) = e
                    .data
                    .get("step")
                    .and_then(Value::as_str)
                    .and_then(ResolutionStep::parse)
                {
                    p.extensions.push(s);
                }
            }
            "violation_recorded" => {
                p.violation_recorded = true;
                p.decision_extended = false;
            }
            "decision_extended" => p.decision_extended = true,
            _ => {}
        }
    }
    p
}

/// Five minutes of difference between PCs' clocks are tolerated.
const SKEW_SECS: i64 = 300;

/// An action's real time: not in the future, not before the report was received.
fn real_time(t: i64, current: &Projection, what: &str) -> Result<i64> {
    if t > Utc::now().timestamp() + SKEW_SECS {
        return Err(Error::invalid(format!(
            "Thời điểm {what} không được ở tương lai."
        )));
    }
    if current.received_utc.is_some_and(|r| t < r) {
        return Err(Error::invalid(format!(
            "Thời điểm {what} không được trước thời điểm tiếp nhận tin báo."
        )));
    }
    Ok(t)
}

fn real_date(d: NaiveDate, current: &Projection, what: &str) -> Result<String> {
    let tz = vn_offset();
    let today = Utc::now().with_timezone(&tz).date_naive();
    if d > today {
        return Err(Error::invalid(format!(
            "Ngày {what} không được ở tương lai."
        )));
    }
    if let Some(r) = current.received_utc
        && d < vn_time(r).date_naive()
    {
        return Err(Error::invalid(format!(
            "Ngày {what} không được trước ngày tiếp nhận tin báo."
        )));
    }
    Ok(d.format("%Y-%m-%d").to_string())
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
        Action::Step { text, occurred_at } => {
            need(station_worker, "ghi nhận bước xác minh")?;
            nonempty(text, "nội dung")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi ghi nhận thêm.",
                ));
            }
            let mut data = json!({ "text": text.trim() });
            if let Some(t) = occurred_at {
                data["occurred_utc"] = json!(real_time(t.timestamp(), current, "thực hiện")?);
            }
            ("step".into(), data)
        }
        Action::Classify {
            kind,
            category,
            urgency,
            class,
            agency,
        } => {
            need(station_worker, "phân loại vụ việc")?;
            let mut data = json!({ "kind": kind, "category": category, "urgency": urgency });
            if let Some(c) = class {
                data["class"] = json!(c);
            }
            match (class, agency.as_deref().map(str::trim)) {
                (Some(CaseClass::OtherAgency), Some(a)) if !a.is_empty() => {
                    data["agency"] = json!(a);
                }
                (Some(CaseClass::OtherAgency), _) => {
                    return Err(Error::invalid(
                        "Việc của cơ quan khác: cần ghi cơ quan có thẩm quyền.",
                    ));
                }
                _ => {}
            }
            ("classified".into(), data)
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
            if status == Status::Suspended {
                return Err(Error::invalid(
                    "Vụ việc đang tạm đình chỉ: giải quyết lại bằng quyết định phục hồi.",
                ));
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
            date,
        } => {
            // A transferred case: the chief records the agency's decision. A case kept at the
            // commune: its commune investigator decides (the flag is checked by `Store::act`).
            let commune = status != Status::Transferred;
            if commune {
                need(
                    station_worker,
                    "ra quyết định giải quyết nguồn tin (Điều tra viên ở Công an xã)",
                )?;
                if current.class != Some(CaseClass::CrimeCommune) {
                    return Err(Error::invalid(
                        "Chỉ ghi quyết định khởi tố/không khởi tố cho vụ việc đã chuyển Cơ quan điều tra hoặc vụ việc do Điều tra viên ở Công an xã giải quyết.",
                    ));
                }
                let ok = match decision {
                    ProsecutionDecision::PhucHoi => status == Status::Suspended,
                    _ => status.is_open(),
                };
                if !ok {
                    return Err(Error::invalid(match decision {
                        ProsecutionDecision::PhucHoi => {
                            "Chỉ phục hồi được vụ việc đang tạm đình chỉ giải quyết nguồn tin."
                        }
                        _ if status == Status::Suspended => {
                            "Vụ việc đang tạm đình chỉ: cần quyết định phục hồi trước."
                        }
                        _ => "Vụ việc đã kết thúc; cần mở lại trước khi ra quyết định.",
                    }));
                }
            } else {
                need(
                    chief,
                    "ghi quyết định của Cơ quan điều tra (trưởng/phó Công an được phân công)",
                )?;
            }
            nonempty(number, "số quyết định")?;
            nonempty(issuing_body, "cơ quan ban hành")?;
            nonempty(signatory, "người ký")?;
            let today = Utc::now().with_timezone(&vn_offset()).date_naive();
            let date = real_date(date.unwrap_or(today), current, "quyết định")?;
            (
                "prosecution_decision".into(),
                json!({ "from": from, "decision": decision, "number": number.trim(), "date": date,
                        "issuing_body": issuing_body.trim(), "signatory": signatory.trim() }),
            )
        }
        Action::ResolveConflict { note } => {
            need(chief, "xử lý xung đột dữ liệu (chỉ trưởng/phó Công an)")?;
            nonempty(note, "cách xử lý")?;
            ("conflict_resolved".into(), json!({ "note": note.trim() }))
        }
        // Issue 14, the clocks: one block, at the end.
        Action::AssignInvestigator { user } => {
            need(chief, "phân công Điều tra viên (chỉ trưởng/phó Công an)")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi phân công.",
                ));
            }
            (
                "investigator_assigned".into(),
                json!({ "user": user.to_string() }),
            )
        }
        Action::ExtendResolution { step, number, date } => {
            need(
                station_worker,
                "gia hạn giải quyết nguồn tin (Điều tra viên ở Công an xã)",
            )?;
            if current.class != Some(CaseClass::CrimeCommune) || !status.is_open() {
                return Err(Error::invalid(
                    "Chỉ gia hạn giải quyết nguồn tin cho vụ việc đang do Điều tra viên ở Công an xã giải quyết.",
                ));
            }
            let has = |s: ResolutionStep| current.extensions.contains(&s);
            match step {
                ResolutionStep::TwoMonths if has(ResolutionStep::TwoMonths) => {
                    return Err(Error::invalid("Vụ việc đã được gia hạn đến 02 tháng."));
                }
                ResolutionStep::PlusTwoMonths if !has(ResolutionStep::TwoMonths) => {
                    return Err(Error::invalid(
                        "Gia hạn thêm 02 tháng chỉ sau khi đã gia hạn đến 02 tháng.",
                    ));
                }
                ResolutionStep::PlusTwoMonths if has(ResolutionStep::PlusTwoMonths) => {
                    return Err(Error::invalid(
                        "Viện kiểm sát chỉ gia hạn thêm một lần (02 tháng).",
                    ));
                }
                _ => {}
            }
            nonempty(number, "số quyết định gia hạn")?;
            let date = real_date(*date, current, "quyết định gia hạn")?;
            (
                "resolution_extended".into(),
                json!({ "step": step, "number": number.trim(), "date": date }),
            )
        }
        Action::SendNotice { to, number, date } => {
            need(station_worker, "gửi thông báo tiếp nhận")?;
            nonempty(number, "số văn bản thông báo")?;
            let date = real_date(*date, current, "thông báo")?;
            (
                "notice_sent".into(),
                json!({ "to": to, "number": number.trim(), "date": date }),
            )
        }
        Action::ReportUrgent { to, how, at } => {
            need(station_worker, "báo cáo khẩn lên cấp trên")?;
            nonempty(to, "nơi nhận báo cáo")?;
            nonempty(how, "hình thức báo cáo")?;
            let at = real_time(at.timestamp(), current, "báo cáo")?;
            (
                "urgent_reported".into(),
                json!({ "to": to.trim(), "how": how.trim(), "at_utc": at }),
            )
        }
        Action::ViolationFound { at, complex } => {
            need(station_worker, "ghi nhận phát hiện vi phạm hành chính")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi ghi nhận thêm.",
                ));
            }
            let at = real_time(at.timestamp(), current, "phát hiện vi phạm")?;
            (
                "violation_found".into(),
                json!({ "at_utc": at, "complex": complex }),
            )
        }
        Action::RecordViolation {
            record_no,
            at,
            complex,
            persons,
        } => {
            need(station_worker, "lập biên bản vi phạm hành chính")?;
            if !status.is_open() {
                return Err(Error::invalid(
                    "Vụ việc đã kết thúc; cần mở lại trước khi lập biên bản.",
                ));
            }
            nonempty(record_no, "số biên bản vi phạm hành chính")?;
            if persons.is_empty() {
                return Err(Error::invalid(
                    "Biên bản vi phạm hành chính cần ít nhất một người vi phạm.",
                ));
            }
            let at = real_time(at.timestamp(), current, "lập biên bản")?;
            let persons: Vec<String> = persons.iter().map(Uuid::to_string).collect();
            (
                "violation_recorded".into(),
                json!({ "record_no": record_no.trim(), "at_utc": at, "complex": complex, "persons": persons }),
            )
        }
        Action::ExtendDecision { reason } => {
            need(
                chief,
                "gia hạn ra quyết định xử phạt (chỉ trưởng/phó Công an)",
            )?;
            nonempty(reason, "lý do gia hạn")?;
            if !current.violation_recorded {
                return Err(Error::invalid(
                    "Chưa có biên bản vi phạm hành chính để gia hạn thời hạn ra quyết định.",
                ));
            }
            if current.decision_extended {
                return Err(Error::invalid(
                    "Thời hạn ra quyết định xử phạt chỉ được gia hạn một lần.",
                ));
            }
            (
                "decision_extended".into(),
                json!({ "reason": reason.trim(), "days": 30 }),
            )
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
        Outcome::Transferred {
            to_agency,
            documents,
            ..
        } => {
            need(to_agency, "tên cơ quan tiếp nhận")?;
            if documents.len() > 100 {
                return Err(Error::invalid(
                    "Danh sách tài liệu, đồ vật chuyển kèm dài quá 100 mục: lập bảng kê riêng và ghi số bảng kê.",
                ));
            }
            if documents.iter().any(|d| d.chars().count() > 500) {
                return Err(Error::invalid(
                    "Mỗi tài liệu, đồ vật chuyển kèm ghi tối đa 500 ký tự.",
                ));
            }
            Ok(())
        }
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
        // Received at the epoch, so every real time in these tests is after receipt.
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

    /// Law 99/2025: a decision ends a case the commune keeps; on a transferred case it records
    /// the agency's decision. Suspension waits for phục hồi.
    #[test]
    fn decisions_change_a_commune_cases_state_only() {
        let class = ev("classified", json!({"class": "crime_commune"}));
        let dec = |d: &str| ev("prosecution_decision", json!({"decision": d}));
        let p = fold(&[ev("created", json!({})), class.clone(), dec("tam_dinh_chi")]);
        assert_eq!(p.status, Some(Status::Suspended));
        assert!(
            check(
                &actor(Role::Chief),
                &p,
                &Action::Reopen { reason: "x".into() }
            )
            .is_err()
        );
        let p = fold(&[
            ev("created", json!({})),
            class.clone(),
            dec("tam_dinh_chi"),
            dec("phuc_hoi"),
            dec("khong_khoi_to"),
        ]);
        assert_eq!(p.status, Some(Status::NotProsecuted));
        let transferred = ev(
            "outcome_recorded",
            json!({"outcome": {"type": "transferred", "to_agency": "CQĐT"}}),
        );
        let p = fold(&[ev("created", json!({})), transferred, dec("khoi_to")]);
        assert_eq!(p.status, Some(Status::Transferred));
        // A case not kept at the commune gets no commune decision.
        let p = fold(&[ev("created", json!({}))]);
        let d = Action::ProsecutionDecision {
            decision: ProsecutionDecision::KhoiTo,
            number: "1".into(),
            issuing_body: "b".into(),
            signatory: "s".into(),
            date: None,
        };
        assert!(check(&actor(Role::Chief), &p, &d).is_err());
        let p = fold(&[ev("created", json!({})), class]);
        assert!(check(&actor(Role::Officer), &p, &d).is_ok());
    }

    #[test]
    fn another_agencys_matter_names_the_agency_and_urgent_reports_are_not_in_the_future() {
        let p = fold(&[ev("created", json!({}))]);
        let other = |agency: Option<&str>| Action::Classify {
            kind: None,
            category: None,
            urgency: None,
            class: Some(CaseClass::OtherAgency),
            agency: agency.map(str::to_owned),
        };
        assert!(check(&actor(Role::Officer), &p, &other(Some(" "))).is_err());
        let (_, data) = check(&actor(Role::Officer), &p, &other(Some("Ban CHQS xã"))).unwrap();
        assert_eq!(data["class"], "other_agency");
        assert_eq!(data["agency"], "Ban CHQS xã");
        let later = Action::ReportUrgent {
            to: "CQĐT tỉnh".into(),
            how: "điện thoại".into(),
            at: (Utc::now() + chrono::Duration::minutes(10)).fixed_offset(),
        };
        let err = check(&actor(Role::Officer), &p, &later).unwrap_err();
        assert_eq!(err.to_string(), "Thời điểm báo cáo không được ở tương lai.");
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
