//! `POST /v1/push`: a batch of a device's changes, each checked by [`crate::policy`], the
//! accepted ones stored with their sequence numbers.
use super::{ApiError, ApiResult, DeviceTag, authenticate, blocking, decode, encode};
use crate::now_ms;
use crate::policy::{Refusal, check_change, check_ownership, parent_of};
use crate::router::App;
use crate::storage::{Owned, Result as StorageResult, Storage, User};
use crate::units::AdminUnits;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::*;
use uuid::Uuid;

pub async fn push(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let req: PushRequest = decode(&app, &headers, &body)?;
    if req.device != device.id {
        return Err(ApiError::bad(
            "Gói dữ liệu ghi tên một thiết bị khác với thiết bị đã xác thực.",
        ));
    }
    if req.changes.len() > MAX_PUSH_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!("Mỗi đợt gửi tối đa {MAX_PUSH_BATCH} thay đổi."),
        ));
    }
    let st = app.clone();
    let dev = device.clone();
    let resp = blocking(move || {
        let now = now_ms();
        let units = AdminUnits::get();
        let mut users: HashMap<Uuid, Option<User>> = HashMap::new();
        // Entities accepted earlier in this batch, not yet stored: a case and its events may
        // travel together. The first accepted writer owns, as in the store.
        let mut batch: HashMap<Uuid, Owned> = HashMap::new();
        let mut ok = Vec::new();
        let mut rejected = Vec::new();
        for c in req.changes {
            let user = match users.get(&c.user) {
                Some(u) => u.clone(),
                None => {
                    let u = st.store.user(c.user)?;
                    users.insert(c.user, u.clone());
                    u
                }
            };
            let checked = match check_change(&dev.scope, dev.id, user.as_ref(), &units, now, &c) {
                Ok(province) => owned_by_server(&*st.store, &batch, &c)?.map(|()| province),
                Err(r) => Err(r),
            };
            match checked {
                Ok(province) => {
                    if c.entity != tinbao_sync::EntityKind::Reporter {
                        batch.entry(c.entity_id).or_insert(Owned {
                            kind: c.entity,
                            owner: c.station.clone(),
                        });
                    }
                    ok.push((c, province))
                }
                Err(refusal) => {
                    st.metrics.rejected(reason_name(refusal.reason));
                    rejected.push(Rejected {
                        id: c.id,
                        reason: refusal.reason,
                        message: refusal.message.to_string(),
                    });
                }
            }
        }
        watch_audit_chain(&*st.store, dev.id, &ok, req.audit_head.as_ref(), now)?;
        let before = st.store.head()?;
        // Between the checks above and this insert another push may have taken an id: the
        // store keeps the first owner either way.
        let seqs = st.store.add_changes(&ok, now)?;
        let fresh = seqs.iter().filter(|s| **s > before).count() as u64;
        st.metrics.changes_accepted.fetch_add(fresh, Relaxed);
        st.metrics
            .changes_duplicate
            .fetch_add(seqs.len() as u64 - fresh, Relaxed);
        let accepted = ok
            .iter()
            .zip(seqs)
            .map(|((c, _), seq)| Accepted { id: c.id, seq })
            .collect();
        Ok(PushResponse { accepted, rejected })
    })
    .await?;
    tracing::info!(
        device = %device.id,
        accepted = resp.accepted.len(),
        rejected = resp.rejected.len(),
        "push"
    );
    let mut out = encode(&app, &resp)?;
    out.extensions_mut().insert(DeviceTag(device.id));
    Ok(out)
}

/// Follows the device's audit chain through this push (its accepted audit entries and the head
/// it reports); what no longer extends what the province saw is recorded for the administrator
/// and logged, without personal data. The push itself goes on: the entries are evidence.
fn watch_audit_chain(
    store: &dyn Storage,
    device: Uuid,
    accepted: &[(tinbao_sync::Change, String)],
    reported: Option<&AuditHead>,
    now: u64,
) -> StorageResult<()> {
    let entries: Vec<crate::audit_watch::Entry> = accepted
        .iter()
        .filter(|(c, _)| c.entity == tinbao_sync::EntityKind::Audit && c.device == device)
        .filter_map(|(c, _)| {
            Some(crate::audit_watch::Entry {
                seq: c.fields.get("seq")?.as_i64()?,
                prev_hash: c.fields.get("prev_hash")?.as_str()?.to_owned(),
                hash: c.fields.get("hash")?.as_str()?.to_owned(),
            })
        })
        .collect();
    if entries.is_empty() && reported.is_none() {
        return Ok(());
    }
    let known = store.audit_head(device)?;
    let (head, alarms) = crate::audit_watch::watch(known.clone(), &entries, reported);
    for a in &alarms {
        tracing::warn!(device = %device, alarm = %a, "audit chain of a device no longer extends what the province saw");
        store.add_audit_alarm(device, a, now)?;
    }
    if let Some(h) = head
        && Some(&h) != known.as_ref()
    {
        store.set_audit_head(device, &h, now)?;
    }
    Ok(())
}

/// Looks up the change's entity and its parent (the batch first, then the store) and applies
/// [`check_ownership`]. A storage failure fails the whole push (never admits a change).
fn owned_by_server(
    store: &dyn Storage,
    batch: &HashMap<Uuid, Owned>,
    c: &tinbao_sync::Change,
) -> StorageResult<Result<(), Refusal>> {
    let lookup = |id: Uuid| -> StorageResult<Option<Owned>> {
        match batch.get(&id) {
            Some(o) => Ok(Some(o.clone())),
            None => store.entity_owner(id),
        }
    };
    let entity = lookup(c.entity_id)?;
    let parent = match parent_of(c) {
        Ok(Some((id, _))) => lookup(id)?,
        Ok(None) => None,
        Err(r) => return Ok(Err(r)),
    };
    Ok(check_ownership(c, entity.as_ref(), parent.as_ref()))
}

/// The reason's label in `/metrics`.
fn reason_name(r: RejectReason) -> &'static str {
    match r {
        RejectReason::OutOfScope => "out_of_scope",
        RejectReason::NotReviewEvent => "not_review_event",
        RejectReason::ClockAhead => "clock_ahead",
        RejectReason::WrongDevice => "wrong_device",
        RejectReason::UserNotAllowed => "user_not_allowed",
        RejectReason::Invalid => "invalid",
    }
}
