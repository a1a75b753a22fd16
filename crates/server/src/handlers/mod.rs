//! The endpoints, one file per role, and what they share: the error answer, body decoding and
//! encoding, the blocking pool for storage, and device authentication.
pub mod attachments;
pub mod enrol;
pub mod health;
pub mod numbers;
pub mod pull;
pub mod push;

use crate::now_ms;
use crate::router::App;
use crate::storage::{Device, StorageError};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::*;
use uuid::Uuid;

/// An error answer: an HTTP status and an uncompressed JSON [`ErrorBody`], so that any app
/// version, and curl, can read it.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub ErrorBody);

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: ErrorCode, msg: impl Into<String>) -> Self {
        ApiError(status, ErrorBody::new(code, msg))
    }
    pub(crate) fn bad(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, msg)
    }
    pub(crate) fn forbidden(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, msg)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        // The detail goes to the log (it names no person); the device gets a plain message.
        tracing::error!(error = %e, "storage failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Máy chủ tỉnh đang gặp lỗi lưu trữ; dữ liệu trên máy vẫn được giữ, hãy đồng bộ lại sau.",
        )
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The device id, put in response extensions so the request log can name the device.
#[derive(Clone, Copy)]
pub(crate) struct DeviceTag(pub Uuid);

/// Runs storage work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Lỗi nội bộ của máy chủ tỉnh.",
        )
    })?
}

pub(crate) fn decode<T: DeserializeOwned>(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<T> {
    app.metrics
        .body_bytes_in
        .fetch_add(body.len() as u64, Relaxed);
    let gz = headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(BODY_ENCODING.as_bytes()));
    decode_body(body, gz, MAX_BODY_BYTES).map_err(|e| match e {
        BodyError::TooLarge(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            "Gói dữ liệu quá lớn; hãy gửi thành nhiều đợt nhỏ hơn.",
        ),
        other => ApiError::bad(other.to_string()),
    })
}

pub(crate) fn encode<T: Serialize>(app: &App, msg: &T) -> ApiResult<Response> {
    let body = encode_body(msg).map_err(|e| {
        tracing::error!(error = %e, "encoding a response failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Lỗi nội bộ của máy chủ tỉnh.",
        )
    })?;
    app.metrics
        .body_bytes_out
        .fetch_add(body.len() as u64, Relaxed);
    Ok((
        [
            (header::CONTENT_TYPE, BODY_CONTENT_TYPE),
            (header::CONTENT_ENCODING, BODY_ENCODING),
        ],
        body,
    )
        .into_response())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Finds the device a request's credential belongs to; refuses unknown and revoked ones.
pub(crate) async fn authenticate(app: &Arc<App>, headers: &HeaderMap) -> ApiResult<Device> {
    let fail = |app: &App, code, msg: &str| {
        app.metrics.auth_failures.fetch_add(1, Relaxed);
        ApiError::new(StatusCode::UNAUTHORIZED, code, msg)
    };
    let cred = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(split_credential);
    let Some((id, secret)) = cred else {
        return Err(fail(
            app,
            ErrorCode::Unauthorized,
            "Thiết bị chưa đăng ký với máy chủ tỉnh (thiếu thông tin xác thực).",
        ));
    };
    let hash = secret_hash(secret);
    let st = app.clone();
    let device = blocking(move || Ok(st.store.device(id)?)).await?;
    let Some(device) =
        device.filter(|d| constant_time_eq(d.credential_hash.as_bytes(), hash.as_bytes()))
    else {
        return Err(fail(
            app,
            ErrorCode::Unauthorized,
            "Thông tin xác thực của thiết bị không đúng; hãy đăng ký lại thiết bị.",
        ));
    };
    if device.revoked_ms.is_some() {
        app.metrics.auth_failures.fetch_add(1, Relaxed);
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Revoked,
            "Thiết bị này đã bị quản trị viên tỉnh thu hồi và không được đồng bộ nữa.",
        ));
    }
    let now = now_ms();
    // Record the last contact at most once a minute: a write per request would be waste.
    if device
        .last_seen_ms
        .is_none_or(|t| now.saturating_sub(t) > 60_000)
    {
        let st = app.clone();
        blocking(move || Ok(st.store.touch_device(id, now)?)).await?;
    }
    Ok(device)
}

/// A station device's register numbering: its slot among the station's devices.
pub(crate) async fn numbering_of(app: &Arc<App>, device: &Device) -> ApiResult<Option<Numbering>> {
    let (DeviceScope::Station { station, .. }, Some(slot)) = (&device.scope, device.slot) else {
        return Ok(None);
    };
    let (st, station) = (app.clone(), station.clone());
    let slots = blocking(move || Ok(st.store.station_slots(&station)?)).await?;
    Ok(Some(Numbering {
        slot,
        slots: slots.max(slot),
    }))
}
