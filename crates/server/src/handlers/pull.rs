//! `POST /v1/pull`: what is new since a cursor, within the device's scope.
use super::{ApiResult, DeviceTag, authenticate, blocking, decode, encode, numbering_of};
use crate::router::App;
use crate::storage::ReadScope;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::*;

fn read_scope(scope: &DeviceScope) -> ReadScope {
    match scope {
        DeviceScope::Station { station, province } => ReadScope::Station {
            station: station.clone(),
            province: province.clone(),
        },
        DeviceScope::Province { province } => ReadScope::Province {
            province: province.clone(),
        },
    }
}

pub async fn pull(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let req: PullRequest = decode(&app, &headers, &body)?;
    let limit = req.limit.clamp(1, MAX_PULL_LIMIT);
    let st = app.clone();
    let scope = read_scope(&device.scope);
    // No device has the nil id: excluding it excludes nothing.
    let exclude = if req.include_own {
        uuid::Uuid::nil()
    } else {
        device.id
    };
    let (changes, next, more) =
        blocking(move || Ok(st.store.changes_since(&scope, exclude, req.since, limit)?)).await?;
    app.metrics
        .changes_pulled
        .fetch_add(changes.len() as u64, Relaxed);
    tracing::info!(device = %device.id, since = req.since, sent = changes.len(), next, more, "pull");
    let numbering = numbering_of(&app, &device).await?;
    let mut out = encode(
        &app,
        &PullResponse {
            changes,
            next,
            more,
            numbering,
        },
    )?;
    out.extensions_mut().insert(DeviceTag(device.id));
    Ok(out)
}
