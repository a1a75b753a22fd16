//! The HTTP API: enrolment, push, pull, attachments, health and metrics.
use crate::metrics::Metrics;
use crate::storage::{Device, ReadScope, RedeemError, Storage, StorageError, User};
use crate::units::AdminUnits;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;
use tinbao_sync::hlc::MAX_FUTURE_DRIFT_MS;
use tinbao_sync::protocol::*;
use tinbao_sync::{Change, EntityKind, Op};
use uuid::Uuid;

pub struct App {
    pub store: Arc<dyn Storage>,
    /// Where attachment files live: `<sha256>` when complete, `partial/<sha256>.<device>` while
    /// an upload is under way.
    pub blobs: PathBuf,
    pub metrics: Metrics,
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An error answer: an HTTP status and an uncompressed JSON [`ErrorBody`], so that any app
/// version, and curl, can read it.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub ErrorBody);

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, msg: impl Into<String>) -> Self {
        ApiError(status, ErrorBody::new(code, msg))
    }
    fn bad(msg: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, msg)
    }
    fn forbidden(msg: impl Into<String>) -> Self {
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

type ApiResult<T> = Result<T, ApiError>;

/// Runs storage work on the blocking pool.
async fn blocking<T: Send + 'static>(
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

fn decode<T: DeserializeOwned>(app: &App, headers: &HeaderMap, body: &[u8]) -> ApiResult<T> {
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

fn encode<T: Serialize>(app: &App, msg: &T) -> ApiResult<Response> {
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

/// The device id, put in response extensions so the request log can name the device.
#[derive(Clone, Copy)]
struct DeviceTag(Uuid);

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Finds the device a request's credential belongs to; refuses unknown and revoked ones.
async fn authenticate(app: &Arc<App>, headers: &HeaderMap) -> ApiResult<Device> {
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

async fn enrol(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: EnrolRequest = decode(&app, &headers, &body)?;
    let name = req.device_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad("Tên thiết bị phải có từ 1 đến 100 ký tự."));
    }
    if req.device_id.is_nil() {
        return Err(ApiError::bad("Mã thiết bị không hợp lệ."));
    }
    let secret = random_secret(32);
    let device = Device {
        id: req.device_id,
        name,
        scope: DeviceScope::Province {
            province: String::new(),
        },
        enrolled_ms: 0,
        last_seen_ms: None,
        revoked_ms: None,
        slot: None,
        credential_hash: secret_hash(&secret),
    };
    let code_hash = secret_hash(&req.secret.to_ascii_lowercase());
    if let Some(want) = &req.scope_code {
        let (st, h) = (app.clone(), code_hash.clone());
        let granted = blocking(move || Ok(st.store.enrol_code_scope(&h)?)).await?;
        if let Some(granted) = granted.filter(|g| g.code() != want) {
            app.metrics.auth_failures.fetch_add(1, Relaxed);
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InvalidCode,
                format!(
                    "Mã đăng ký này dành cho đơn vị {}, còn cơ sở dữ liệu của máy là của {want}; mã vẫn còn hiệu lực cho đúng đơn vị.",
                    granted.code()
                ),
            ));
        }
    }
    let st = app.clone();
    let redeemed =
        blocking(move || Ok(st.store.redeem_enrol_code(&code_hash, &device, now_ms())?)).await?;
    let device = redeemed.map_err(|e| {
        app.metrics.auth_failures.fetch_add(1, Relaxed);
        let msg = match e {
            RedeemError::Unknown => "Mã đăng ký không đúng.",
            RedeemError::Used => "Mã đăng ký này đã được dùng; mỗi mã chỉ dùng cho một thiết bị.",
            RedeemError::Expired => "Mã đăng ký đã hết hạn; hãy xin quản trị viên tỉnh mã mới.",
        };
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::InvalidCode, msg)
    })?;
    let numbering = numbering_of(&app, &device).await?;
    app.metrics.enrolments.fetch_add(1, Relaxed);
    tracing::info!(device = %device.id, scope = ?device.scope, "device enrolled");
    let mut resp = encode(
        &app,
        &EnrolResponse {
            device_id: device.id,
            credential: make_credential(device.id, &secret),
            scope: device.scope.clone(),
            numbering,
        },
    )?;
    resp.extensions_mut().insert(DeviceTag(device.id));
    Ok(resp)
}

/// A station device's register numbering: its slot among the station's devices.
async fn numbering_of(app: &Arc<App>, device: &Device) -> ApiResult<Option<Numbering>> {
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

async fn whoami(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let st = app.clone();
    let head = blocking(move || Ok(st.store.head()?)).await?;
    let mut resp = encode(
        &app,
        &WhoAmI {
            device_id: device.id,
            scope: device.scope,
            server_time_ms: now_ms(),
            head,
        },
    )?;
    resp.extensions_mut().insert(DeviceTag(device.id));
    Ok(resp)
}

/// Whether `device` (with its registered `user`, if the server knows the user) may write `c`.
/// Returns the province the change belongs to.
pub fn check_change(
    scope: &DeviceScope,
    device: Uuid,
    c: &Change,
    user: Option<&User>,
    now_ms: u64,
) -> Result<String, (RejectReason, String)> {
    let reject = |r, m: &str| Err((r, m.to_string()));
    if c.device != device {
        return reject(
            RejectReason::WrongDevice,
            "Thay đổi ghi tên một thiết bị khác; thiết bị chỉ được gửi thay đổi của chính mình.",
        );
    }
    if c.hlc.wall_ms > now_ms.saturating_add(MAX_FUTURE_DRIFT_MS) {
        return reject(
            RejectReason::ClockAhead,
            "Đồng hồ máy tính chạy nhanh hơn giờ thực; hãy chỉnh lại ngày giờ của máy. Thay đổi vẫn được giữ và sẽ gửi lại.",
        );
    }
    let units = AdminUnits::get();
    // A change belongs to a station (commune code) or, for province-wide shared data such as
    // answer templates, to the province itself (province code).
    let (province, shared) = match units.province_of(&c.station) {
        Some(p) => (p.to_string(), false),
        None if units.province_name(&c.station).is_some() => (c.station.clone(), true),
        None => {
            return reject(
                RejectReason::Invalid,
                "Mã đơn vị của thay đổi không có trong danh mục.",
            );
        }
    };
    match scope {
        DeviceScope::Station { station, .. } => {
            if &c.station != station {
                return reject(
                    RejectReason::OutOfScope,
                    "Thay đổi thuộc đơn vị khác; công an xã chỉ ghi được hồ sơ của mình.",
                );
            }
        }
        DeviceScope::Province { province: own } => {
            if &province != own {
                return reject(RejectReason::OutOfScope, "Thay đổi thuộc tỉnh khác.");
            }
            let allowed = if shared {
                c.entity == EntityKind::AnswerTemplate
            } else {
                let review = c.entity == EntityKind::Event
                    && c.op == Op::Insert
                    && c.fields
                        .get("type")
                        .and_then(|t| t.as_str())
                        .is_some_and(|t| REVIEW_EVENT_TYPES.contains(&t));
                // A supervisor's reveal of a reporter is audited where the case lives.
                let audit = c.entity == EntityKind::Audit && c.op == Op::Insert;
                review || audit
            };
            if !allowed {
                return reject(
                    RejectReason::NotReviewEvent,
                    "Thiết bị cấp tỉnh chỉ được ghi ý kiến duyệt (duyệt hoặc trả lại) vào hồ sơ của công an xã.",
                );
            }
        }
    }
    if let Some(u) = user {
        let ok = u.active
            && match scope {
                DeviceScope::Station { station, .. } => u.station.as_deref() == Some(station),
                DeviceScope::Province { province } => {
                    u.station.is_none()
                        && &u.province == province
                        && matches!(u.role.as_str(), "supervisor" | "admin")
                }
            };
        if !ok {
            return reject(
                RejectReason::UserNotAllowed,
                "Người dùng ghi thay đổi này không thuộc đơn vị của thiết bị hoặc đã bị khoá.",
            );
        }
    }
    Ok(province)
}

async fn push(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
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
        let mut users: HashMap<Uuid, Option<User>> = HashMap::new();
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
            match check_change(&dev.scope, dev.id, &c, user.as_ref(), now) {
                Ok(province) => ok.push((c, province)),
                Err((reason, message)) => {
                    st.metrics.rejected(reason_name(reason));
                    rejected.push(Rejected {
                        id: c.id,
                        reason,
                        message,
                    });
                }
            }
        }
        let before = st.store.head()?;
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

async fn pull(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let req: PullRequest = decode(&app, &headers, &body)?;
    let limit = req.limit.clamp(1, MAX_PULL_LIMIT);
    let st = app.clone();
    let scope = read_scope(&device.scope);
    let id = device.id;
    let (changes, next, more) =
        blocking(move || Ok(st.store.changes_since(&scope, id, req.since, limit)?)).await?;
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

fn check_sha(sha: &str) -> ApiResult<String> {
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha.to_ascii_lowercase())
    } else {
        Err(ApiError::bad(
            "Mã băm SHA-256 của tệp đính kèm không hợp lệ.",
        ))
    }
}

/// Whether the device may read an attachment uploaded by `owners`.
fn may_read(scope: &DeviceScope, owners: &[String]) -> bool {
    match scope {
        DeviceScope::Station { station, .. } => owners.iter().any(|o| o == station),
        DeviceScope::Province { province } => {
            let units = AdminUnits::get();
            owners
                .iter()
                .any(|o| units.province_of(o) == Some(province.as_str()))
        }
    }
}

impl App {
    fn partial_path(&self, sha: &str, device: Uuid) -> PathBuf {
        self.blobs
            .join("partial")
            .join(format!("{sha}.{}", device.simple()))
    }
    fn blob_path(&self, sha: &str) -> PathBuf {
        self.blobs.join(sha)
    }
}

fn io_err(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "attachment file i/o failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "Máy chủ tỉnh không ghi được tệp đính kèm; hãy thử lại sau.",
    )
}

async fn attachment_status_for(
    app: &Arc<App>,
    device: &Device,
    sha: &str,
) -> ApiResult<AttachmentStatus> {
    let st = app.clone();
    let key = sha.to_string();
    let owners = blocking(move || Ok(st.store.attachment_owners(&key)?)).await?;
    let present = may_read(&device.scope, &owners)
        && tokio::fs::try_exists(app.blob_path(sha))
            .await
            .unwrap_or(false);
    let received = if present {
        0
    } else {
        tokio::fs::metadata(app.partial_path(sha, device.id))
            .await
            .map_or(0, |m| m.len())
    };
    Ok(AttachmentStatus {
        sha256: sha.to_string(),
        present,
        received,
    })
}

async fn attachment_status(
    State(app): State<Arc<App>>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let sha = check_sha(&sha)?;
    let status = attachment_status_for(&app, &device, &sha).await?;
    encode(&app, &status)
}

#[derive(Deserialize)]
struct PutQuery {
    offset: u64,
    size: u64,
}

async fn attachment_put(
    State(app): State<Arc<App>>,
    Path(sha): Path<String>,
    Query(q): Query<PutQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    use tokio::io::AsyncWriteExt;
    let device = authenticate(&app, &headers).await?;
    let sha = check_sha(&sha)?;
    let DeviceScope::Station { station, .. } = &device.scope else {
        return Err(ApiError::forbidden(
            "Thiết bị cấp tỉnh không gửi tệp đính kèm vào hồ sơ của công an xã.",
        ));
    };
    if q.size > MAX_ATTACHMENT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!(
                "Tệp đính kèm quá lớn (tối đa {} MB).",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            ),
        ));
    }
    let status = attachment_status_for(&app, &device, &sha).await?;
    if status.present {
        return encode(&app, &status);
    }
    if q.offset != status.received || q.offset + body.len() as u64 > q.size {
        // The device's idea of what arrived is stale (a lost acknowledgement): tell it where to
        // resume instead of writing at the wrong place.
        return Err(ApiError(
            StatusCode::CONFLICT,
            ErrorBody::new(
                ErrorCode::Conflict,
                format!("resume at {}", status.received),
            ),
        ));
    }
    let partial = app.partial_path(&sha, device.id);
    if let Some(dir) = partial.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io_err)?;
    }
    let mut f = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&partial)
        .await
        .map_err(io_err)?;
    f.write_all(&body).await.map_err(io_err)?;
    f.sync_all().await.map_err(io_err)?;
    drop(f);
    app.metrics
        .attachment_bytes_in
        .fetch_add(body.len() as u64, Relaxed);
    let received = q.offset + body.len() as u64;
    if received < q.size {
        return encode(
            &app,
            &AttachmentStatus {
                sha256: sha,
                present: false,
                received,
            },
        );
    }
    // Complete: keep it only if the content is what its name says.
    let p = partial.clone();
    let digest = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let mut f = std::fs::File::open(&p)?;
        std::io::copy(&mut f, &mut h)?;
        Ok(hex::encode(h.finalize()))
    })
    .await
    .map_err(|e| io_err(std::io::Error::other(e)))?
    .map_err(io_err)?;
    if digest != sha {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(ApiError::bad(
            "Nội dung tệp đính kèm không khớp mã băm; tệp đã bị hỏng trên đường truyền, hãy gửi lại.",
        ));
    }
    let blob = app.blob_path(&sha);
    if tokio::fs::try_exists(&blob).await.unwrap_or(false) {
        let _ = tokio::fs::remove_file(&partial).await;
    } else {
        tokio::fs::rename(&partial, &blob).await.map_err(io_err)?;
    }
    let st = app.clone();
    let (key, stn, size) = (sha.clone(), station.clone(), q.size);
    blocking(move || Ok(st.store.add_attachment_owner(&key, &stn, size)?)).await?;
    tracing::info!(device = %device.id, size, "attachment stored");
    encode(
        &app,
        &AttachmentStatus {
            sha256: sha,
            present: true,
            received: 0,
        },
    )
}

#[derive(Deserialize)]
struct GetQuery {
    #[serde(default)]
    offset: u64,
}

async fn attachment_get(
    State(app): State<Arc<App>>,
    Path(sha): Path<String>,
    Query(q): Query<GetQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let device = authenticate(&app, &headers).await?;
    let sha = check_sha(&sha)?;
    let status = attachment_status_for(&app, &device, &sha).await?;
    if !status.present {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Máy chủ tỉnh chưa có tệp đính kèm này.",
        ));
    }
    let mut f = tokio::fs::File::open(app.blob_path(&sha))
        .await
        .map_err(io_err)?;
    let total = f.metadata().await.map_err(io_err)?.len();
    let offset = q.offset.min(total);
    f.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(io_err)?;
    let mut buf = Vec::with_capacity(ATTACHMENT_CHUNK_BYTES);
    f.take(ATTACHMENT_CHUNK_BYTES as u64)
        .read_to_end(&mut buf)
        .await
        .map_err(io_err)?;
    app.metrics
        .attachment_bytes_out
        .fetch_add(buf.len() as u64, Relaxed);
    let mut resp = buf.into_response();
    resp.headers_mut().insert(
        paths::TOTAL_HEADER,
        HeaderValue::from_str(&total.to_string()).map_err(|_| ApiError::bad("size"))?,
    );
    resp.extensions_mut().insert(DeviceTag(device.id));
    Ok(resp)
}

async fn health(State(app): State<Arc<App>>) -> ApiResult<Response> {
    let st = app.clone();
    let head = blocking(move || Ok(st.store.head()?)).await?;
    Ok(axum::Json(
        serde_json::json!({ "status": "ok", "head": head, "protocol": PROTOCOL_VERSION }),
    )
    .into_response())
}

async fn metrics(State(app): State<Arc<App>>) -> ApiResult<Response> {
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
        .route(paths::ENROL, post(enrol))
        .route(paths::PUSH, post(push))
        .route(paths::PULL, post(pull))
        .route(paths::WHOAMI, get(whoami))
        .route(
            &format!("{}/{{sha}}/status", paths::ATTACHMENTS),
            get(attachment_status),
        )
        .route(
            &format!("{}/{{sha}}", paths::ATTACHMENTS),
            get(attachment_get).put(attachment_put),
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
        .route(paths::HEALTH, get(health))
        .route(paths::METRICS, get(metrics))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}
