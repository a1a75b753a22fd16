//! `GET /health` (liveness, head sequence) and `GET /metrics` (Prometheus text).
use super::{ApiResult, blocking};
use crate::router::App;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tinbao_sync::protocol::PROTOCOL_VERSION;

pub async fn health(State(app): State<Arc<App>>) -> ApiResult<Response> {
    let st = app.clone();
    let head = blocking(move || Ok(st.store.head()?)).await?;
    Ok(axum::Json(
        serde_json::json!({ "status": "ok", "head": head, "protocol": PROTOCOL_VERSION }),
    )
    .into_response())
}

pub async fn metrics(State(app): State<Arc<App>>) -> ApiResult<Response> {
    let st = app.clone();
    let (head, changes, devices) = blocking(move || {
        Ok((
            st.store.head()?,
            st.store.change_count()?,
            st.store.devices()?,
        ))
    })
    .await?;
    let revoked = devices.iter().filter(|d| d.revoked_ms.is_some()).count() as u64;
    let text = app
        .metrics
        .render(head, changes, devices.len() as u64, revoked);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
