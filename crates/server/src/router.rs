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
use std::time::Instant;
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
}

impl Default for Limits {
    fn default() -> Self {
        // A station syncing 10,000 cases sends about a hundred requests; a burst of 200 and 50
        // a second keeps that unhindered while throttling a client gone wild.
        Limits {
            per_second: 50,
            burst: 200,
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
