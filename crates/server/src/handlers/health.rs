//! `GET /health` (liveness, head sequence) and `GET /metrics` (Prometheus text).
use super::{ApiError, ApiResult, blocking, constant_time_eq};
use crate::router::App;
use axum::extract::State;
use axum::http::header;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::ErrorCode;
use tinbao_sync::protocol::PROTOCOL_VERSION;

pub async fn health(State(app): State<Arc<App>>) -> ApiResult<Response> {
    let st = app.clone();
    let head = blocking(move || Ok(st.store.head()?)).await?;
    Ok(axum::Json(
        serde_json::json!({ "status": "ok", "head": head, "protocol": PROTOCOL_VERSION }),
    )
    .into_response())
}

/// Metrics name devices and counts, so only the administrator reads them: the request must carry
/// `Authorization: Bearer <metrics token>` (the data directory's `metrics.token`).
pub async fn metrics(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(given.as_bytes(), app.metrics_token.as_bytes()) {
        app.metrics.auth_failures.fetch_add(1, Relaxed);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Cần mã quản trị để đọc số liệu máy chủ (tinbao-server metrics-token).",
        ));
    }
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
