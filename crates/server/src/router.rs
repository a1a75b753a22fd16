//! The HTTP surface: the shared state, the routes and the layers around them (protocol
//! version, rate limit, body limit, the request log and its counters). The handlers live in
//! [`crate::handlers`], one file per role.
use crate::handlers::{ApiError, DeviceTag, attachments, enrol, health, numbers, pull, push};
use crate::metrics::Metrics;
use crate::storage::Storage;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tinbao_sync::protocol::*;

/// What every handler shares.
pub struct App {
    pub store: Arc<dyn Storage>,
    /// The administrator's bearer token for `GET /metrics` (`metrics-token` prints it).
    pub metrics_token: String,
    /// Where attachment files live: `<sha256>` when complete, `partial/<sha256>.<device>` while
    /// an upload is under way.
    pub blobs: PathBuf,
    /// The attachments' key at rest (see `blob_cipher`).
    pub blob_key: crate::blob_cipher::BlobKey,
    pub metrics: Metrics,
}

pub struct Limits {
    /// Requests a client address may make per second on average.
    pub per_second: u64,
    /// Requests a client address may make in a burst.
    pub burst: u32,
    /// How long a client may take to send a request's headers, or its whole body: a client
    /// that stops half-way (a cut link, or on purpose) is answered 408 and its connection
    /// closed, instead of holding a connection and a task for ever.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        // A station syncing 10,000 cases sends about a hundred requests; a burst of 200 and 50
        // a second keeps that unhindered while throttling a client gone wild.
        Limits {
            per_second: 50,
            burst: 200,
            // A 1 MiB attachment chunk, the largest body a client sends, takes about 10 s at
            // 1 Mbit/s; the client itself gives up after 120 s.
            body_timeout: Duration::from_secs(120),
        }
    }
}

pub fn router(app: Arc<App>, limits: &Limits) -> Router {
    use tower_governor::GovernorLayer;
    use tower_governor::governor::GovernorConfigBuilder;
    let v1 = Router::new()
        .route(paths::ENROL, post(enrol::enrol))
        .route(paths::PUSH, post(push::push))
        .route(paths::PULL, post(pull::pull))
        .route(paths::NUMBERS, post(numbers::numbers))
        .route(paths::WHOAMI, get(enrol::whoami))
        .route(
            &format!("{}/{{sha}}/status", paths::ATTACHMENTS),
            get(attachments::status),
        )
        .route(
            &format!("{}/{{sha}}", paths::ATTACHMENTS),
            get(attachments::get).put(attachments::put),
        )
        .layer(DefaultBodyLimit::max(MAX_WIRE_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            limits.body_timeout,
            body_deadline,
        ))
        .layer(middleware::from_fn(check_protocol));
    let mut governor = GovernorConfigBuilder::default();
    // Replenish one request every 1/per_second seconds.
    governor
        .per_nanosecond((1_000_000_000 / limits.per_second.max(1)).max(1))
        .burst_size(limits.burst.max(1));
    let v1 = match governor.finish() {
        Some(cfg) => v1.layer(GovernorLayer::new(Arc::new(cfg))),
        None => v1,
    };
    Router::new()
        .merge(v1)
        .route(paths::HEALTH, get(health::health))
        .route(paths::METRICS, get(health::metrics))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// Refuses requests from an app whose protocol this server does not speak, with a message
/// that tells the officer (or the administrator) what to update.
async fn check_protocol(req: Request, next: Next) -> Response {
    let version = req
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        None => ApiError::bad(format!(
            "Thiếu phiên bản giao thức ({PROTOCOL_HEADER}); đây không phải ứng dụng tinbao."
        ))
        .into_response(),
        Some(v) => match ErrorBody::for_version(v) {
            Some(body) => ApiError(StatusCode::UPGRADE_REQUIRED, body).into_response(),
            None => next.run(req).await,
        },
    }
}

/// Reads the request body within `deadline` before any handler runs. The handlers take the
/// body whole, and before this a body announced but never finished kept the request waiting
/// for ever (and with it the client, which waits for an answer). A body over the wire limit
/// is refused here too, without reading it all.
async fn body_deadline(State(deadline): State<Duration>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!(
                "Gói dữ liệu vượt quá {} MB.",
                MAX_WIRE_BODY_BYTES / 1024 / 1024
            ),
        )
        .into_response()
    };
    let announced = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_WIRE_BODY_BYTES as u64) {
        return too_large();
    }
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, MAX_WIRE_BODY_BYTES)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        // Over the limit without a length announced; or the client went away, and then
        // nobody reads the answer.
        Ok(Err(_)) => too_large(),
        Err(_) => {
            tracing::warn!(
                secs = deadline.as_secs(),
                "request body not received in time; connection closed"
            );
            let mut resp = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::BadRequest,
                format!(
                    "Máy chủ tỉnh không nhận đủ nội dung yêu cầu trong {} giây; hãy đồng bộ lại.",
                    deadline.as_secs()
                ),
            )
            .into_response();
            // The rest of the body may still come: this connection cannot carry another request.
            resp.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            resp
        }
    }
}

/// Logs every request without personal data (route, status, time, device id) and counts it.
async fn observe(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    app.metrics.request(&route, status);
    let device = resp
        .extensions()
        .get::<DeviceTag>()
        .map(|d| d.0.to_string());
    tracing::info!(
        %method,
        route,
        status,
        ms = start.elapsed().as_millis() as u64,
        device = device.as_deref().unwrap_or("-"),
        "request"
    );
    resp
}
