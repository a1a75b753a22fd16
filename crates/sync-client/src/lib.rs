//! The station side of sync: enrolment with a one-time code, then push of unsent changes, pull
//! of what is new within the device's scope, and attachments by content hash, over HTTPS to the
//! provincial server whose certificate the enrolment code pins.
//!
//! The HTTP client is reqwest (async, on the same hyper and rustls stack as the server, and it
//! takes a preconfigured rustls configuration, which the pinning verifier needs). Every request
//! is retried with exponential backoff on transient failures (link down, timeout, 5xx, 429);
//! every step is idempotent on the server, so a retry or a crash anywhere is harmless.
#![forbid(unsafe_code)]

pub mod pin;

use rand::Rng;
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tinbao_core::replica::ApplyReport;
use tinbao_core::{Scope, Store};
use tinbao_sync::protocol::*;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "Thiết bị chưa đăng ký với máy chủ tỉnh. Hãy đăng ký trong Cài đặt (hoặc: tinbao enrol)."
    )]
    NotEnrolled,
    #[error(transparent)]
    BadCode(#[from] BadEnrolmentCode),
    #[error("Địa chỉ máy chủ không hợp lệ: {0} (cần dạng https://máy-chủ:8443).")]
    BadUrl(String),
    #[error(
        "Chứng chỉ của máy chủ không khớp mã đăng ký: có thể đây không phải máy chủ tỉnh. Không gửi dữ liệu."
    )]
    CertMismatch,
    #[error(
        "Không kết nối được máy chủ tỉnh ({0}); dữ liệu vẫn được giữ trên máy và sẽ đồng bộ lại sau."
    )]
    Network(String),
    /// The server refused; its message (Vietnamese) says why.
    #[error("{}", .body.message)]
    Server { status: u16, body: ErrorBody },
    #[error("Phản hồi của máy chủ không đúng giao thức: {0}")]
    Protocol(String),
    #[error(
        "Phạm vi của mã đăng ký ({code}) khác phạm vi của cơ sở dữ liệu này ({store}); hãy xin quản trị viên tỉnh mã đúng đơn vị."
    )]
    ScopeMismatch { code: String, store: String },
    #[error(transparent)]
    Store(#[from] tinbao_core::Error),
    #[error("Lỗi hệ thống: {0}")]
    Io(#[from] std::io::Error),
}

impl SyncError {
    /// Whether trying again later can succeed without anyone changing anything.
    pub fn transient(&self) -> bool {
        match self {
            SyncError::Network(_) => true,
            // 408: the server stopped waiting for a body that came too slowly (a poor link).
            SyncError::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    /// The machine-readable kind, for the app to choose what to show.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SyncError::Server { body, .. } => Some(body.code),
            _ => None,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// How requests are retried on transient failures.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            base: Duration::from_millis(300),
            max: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max);
        // Full jitter, so that stations knocked off by the same outage do not return in step.
        let ms = rand::rng().random_range(exp.as_millis() as u64 / 2..=exp.as_millis() as u64);
        Duration::from_millis(ms)
    }
}

/// What the sync is doing, for the app's progress display.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Progress {
    Uploading {
        done: usize,
        total: usize,
    },
    Pushing {
        sent: u64,
        pending: u64,
    },
    Pulling {
        received: u64,
        cursor: u64,
    },
    Downloading {
        done: usize,
        total: usize,
    },
    Retrying {
        attempt: u32,
        wait_ms: u64,
        reason: String,
    },
}

/// Wire figures of one client's traffic: what the benchmark reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Traffic {
    pub requests: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub retries: u64,
}

pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    credential: Option<String>,
    retry: RetryPolicy,
    traffic: std::sync::Mutex<Traffic>,
}

fn is_cert_mismatch(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(rustls::Error::InvalidCertificate(_)) = err.downcast_ref::<rustls::Error>() {
            return true;
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
            && is_cert_mismatch(inner)
        {
            return true;
        }
        cur = err.source();
    }
    false
}

fn net_error(e: reqwest::Error) -> SyncError {
    if is_cert_mismatch(&e) {
        return SyncError::CertMismatch;
    }
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    SyncError::Network(msg)
}

impl SyncClient {
    /// A client for the server at `base` (`https://host:port`) trusting only the certificate
    /// with `fingerprint`.
    pub fn new(base: &str, fingerprint: [u8; 32], credential: Option<String>) -> Result<Self> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !base.starts_with("https://") || base.len() <= "https://".len() {
            return Err(SyncError::BadUrl(base));
        }
        let tls =
            pin::client_config(fingerprint).map_err(|e| SyncError::Network(format!("TLS: {e}")))?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(15))
            // A 2,000-change batch is well under a megabyte compressed: two minutes covers it
            // on a poor 1 Mbit/s link with room to spare.
            .timeout(Duration::from_secs(120))
            .no_proxy()
            .build()
            .map_err(net_error)?;
        Ok(SyncClient {
            http,
            base,
            credential,
            retry: RetryPolicy::default(),
            traffic: Default::default(),
        })
    }

    /// A client from the enrolment the store keeps.
    pub fn for_store(store: &Store) -> Result<Self> {
        let (server, credential, fp) = store.enrolment()?.ok_or(SyncError::NotEnrolled)?;
        let fp: [u8; 32] = hex::decode(&fp)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(SyncError::NotEnrolled)?;
        Self::new(&server, fp, Some(credential))
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn traffic(&self) -> Traffic {
        self.traffic.lock().map(|t| t.clone()).unwrap_or_default()
    }

    fn count(&self, f: impl FnOnce(&mut Traffic)) {
        if let Ok(mut t) = self.traffic.lock() {
            f(&mut t);
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(c) = &self.credential {
            rb = rb.bearer_auth(c);
        }
        rb
    }

    /// Sends one request (built afresh for each attempt) and retries transient failures.
    async fn send_raw(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        sent: u64,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<(reqwest::header::HeaderMap, Vec<u8>)> {
        let mut attempt = 0;
        loop {
            let result = async {
                self.count(|t| {
                    t.requests += 1;
                    t.bytes_sent += sent;
                });
                let resp = build().send().await.map_err(net_error)?;
                let status = resp.status();
                let headers = resp.headers().clone();
                let bytes = resp.bytes().await.map_err(net_error)?;
                self.count(|t| t.bytes_received += bytes.len() as u64);
                if status.is_success() {
                    return Ok((headers, bytes.to_vec()));
                }
                let body = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_else(|_| {
                    let code = match status {
                        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
                        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
                        s if s.is_server_error() => ErrorCode::Internal,
                        _ => ErrorCode::BadRequest,
                    };
                    let msg = match code {
                        ErrorCode::RateLimited => {
                            "Máy chủ tỉnh đang nhận quá nhiều yêu cầu; sẽ tự thử lại sau ít phút."
                                .to_string()
                        }
                        ErrorCode::TooLarge => {
                            "Gói dữ liệu quá lớn so với giới hạn của máy chủ tỉnh.".to_string()
                        }
                        _ => format!(
                            "Máy chủ tỉnh trả lời lỗi {}; hãy đồng bộ lại sau.",
                            status.as_u16()
                        ),
                    };
                    ErrorBody::new(code, msg)
                });
                Err(SyncError::Server {
                    status: status.as_u16(),
                    body,
                })
            }
            .await;
            match result {
                Err(e) if e.transient() && attempt + 1 < self.retry.attempts => {
                    let wait = self.retry.delay(attempt);
                    attempt += 1;
                    self.count(|t| t.retries += 1);
                    tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, error = %e, "retrying");
                    progress(&Progress::Retrying {
                        attempt,
                        wait_ms: wait.as_millis() as u64,
                        reason: e.to_string(),
                    });
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }

    async fn call<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        msg: &Req,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<Resp> {
        let body = encode_body(msg).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let len = body.len() as u64;
        let (headers, bytes) = self
            .send_raw(
                || {
                    self.request(method.clone(), path)
                        .header(reqwest::header::CONTENT_TYPE, BODY_CONTENT_TYPE)
                        .header(reqwest::header::CONTENT_ENCODING, BODY_ENCODING)
                        .body(body.clone())
                },
                len,
                progress,
            )
            .await?;
        decode_reply(&headers, &bytes)
    }

    async fn get<Resp: DeserializeOwned>(
        &self,
        path: &str,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<Resp> {
        let (headers, bytes) = self
            .send_raw(|| self.request(reqwest::Method::GET, path), 0, progress)
            .await?;
        decode_reply(&headers, &bytes)
    }

    pub async fn enrol(&self, req: &EnrolRequest) -> Result<EnrolResponse> {
        self.call(reqwest::Method::POST, paths::ENROL, req, &|_| {})
            .await
    }

    pub async fn whoami(&self) -> Result<WhoAmI> {
        self.get(paths::WHOAMI, &|_| {}).await
    }

    pub async fn push(
        &self,
        req: &PushRequest,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<PushResponse> {
        self.call(reqwest::Method::POST, paths::PUSH, req, progress)
            .await
    }

    pub async fn pull(
        &self,
        req: &PullRequest,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<PullResponse> {
        self.call(reqwest::Method::POST, paths::PULL, req, progress)
            .await
    }

    /// The register-number exchange (leases, hand-backs, fallback numbers, the floor).
    pub async fn numbers(
        &self,
        req: &NumberRequest,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<NumberResponse> {
        self.call(reqwest::Method::POST, paths::NUMBERS, req, progress)
            .await
    }

    pub async fn attachment_status(
        &self,
        sha: &str,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<AttachmentStatus> {
        self.get(&format!("{}/{sha}/status", paths::ATTACHMENTS), progress)
            .await
    }

    /// Uploads an attachment unless the server has it, resuming an interrupted upload where the
    /// server says it stopped. Returns whether bytes were sent.
    pub async fn upload_attachment(
        &self,
        sha: &str,
        bytes: &[u8],
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<bool> {
        let mut status = self.attachment_status(sha, progress).await?;
        let mut sent_any = false;
        let mut conflicts = 0;
        while !status.present {
            let from = (status.received as usize).min(bytes.len());
            let to = (from + ATTACHMENT_CHUNK_BYTES).min(bytes.len());
            let chunk = bytes[from..to].to_vec();
            let path = format!(
                "{}/{sha}?offset={from}&size={}",
                paths::ATTACHMENTS,
                bytes.len()
            );
            let r = self
                .send_raw(
                    || {
                        self.request(reqwest::Method::PUT, &path)
                            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                            .body(chunk.clone())
                    },
                    (to - from) as u64,
                    progress,
                )
                .await;
            match r {
                Ok((h, b)) => {
                    sent_any = true;
                    status = decode_reply(&h, &b)?;
                }
                // Our idea of the offset was stale (an acknowledgement was lost): ask again.
                Err(SyncError::Server { status: 409, .. }) if conflicts < 3 => {
                    conflicts += 1;
                    status = self.attachment_status(sha, progress).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(sent_any)
    }

    /// Downloads an attachment in chunks (each retried on its own).
    pub async fn download_attachment(
        &self,
        sha: &str,
        progress: &(dyn Fn(&Progress) + Send + Sync),
    ) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let path = format!("{}/{sha}?offset={}", paths::ATTACHMENTS, out.len());
            let (h, b) = self
                .send_raw(|| self.request(reqwest::Method::GET, &path), 0, progress)
                .await?;
            let total: usize = h
                .get(paths::TOTAL_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| SyncError::Protocol("thiếu kích thước tệp đính kèm".into()))?;
            if b.is_empty() && out.len() < total {
                return Err(SyncError::Protocol("tệp đính kèm bị cắt ngắn".into()));
            }
            out.extend_from_slice(&b);
            if out.len() >= total {
                out.truncate(total);
                return Ok(out);
            }
        }
    }
}

fn decode_reply<T: DeserializeOwned>(
    headers: &reqwest::header::HeaderMap,
    bytes: &[u8],
) -> Result<T> {
    let gz = headers
        .get(reqwest::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(BODY_ENCODING.as_bytes()));
    decode_body(bytes, gz, MAX_BODY_BYTES).map_err(|e| SyncError::Protocol(e.to_string()))
}

/// Keeps the register-number slot the server gave this device (only when it changed).
fn apply_numbering(store: &mut Store, n: Numbering) -> Result<()> {
    let want = (i64::from(n.slot), i64::from(n.slots));
    if store.numbering()? != want {
        store.set_numbering(want.0, want.1)?;
    }
    Ok(())
}

fn scope_text(s: &Scope) -> String {
    match s {
        Scope::Station(c) => format!("xã {c}"),
        Scope::Province(p) => format!("tỉnh {p}"),
    }
}

/// Enrols this store's device with the server using a one-time code, and keeps the server
/// address, credential and pinned fingerprint in the (encrypted) store.
pub async fn enrol(
    store: &mut Store,
    server: &str,
    code: &str,
    device_name: &str,
) -> Result<EnrolResponse> {
    let code: EnrolmentCode = code.parse()?;
    let client = SyncClient::new(server, code.fingerprint, None)?;
    let resp = client
        .enrol(&EnrolRequest {
            secret: code.secret.clone(),
            device_name: device_name.to_string(),
            device_id: store.device_id(),
            scope_code: Some(match store.scope() {
                Scope::Station(c) | Scope::Province(c) => c.clone(),
            }),
            credential_secret: Some(store.credential_secret()?),
        })
        .await?;
    let matches = match (&resp.scope, store.scope()) {
        (DeviceScope::Station { station, .. }, Scope::Station(s)) => station == s,
        (DeviceScope::Province { province }, Scope::Province(p)) => province == p,
        _ => false,
    };
    if !matches {
        return Err(SyncError::ScopeMismatch {
            code: match &resp.scope {
                DeviceScope::Station { station, .. } => format!("xã {station}"),
                DeviceScope::Province { province } => format!("tỉnh {province}"),
            },
            store: scope_text(store.scope()),
        });
    }
    store.set_enrolment(
        client.base.as_str(),
        &resp.credential,
        &hex::encode(code.fingerprint),
    )?;
    if let Some(n) = resp.numbering {
        apply_numbering(store, n)?;
    }
    Ok(resp)
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub push_batch: u32,
    pub pull_batch: u32,
    pub retry: RetryPolicy,
}

impl Default for SyncOptions {
    fn default() -> Self {
        // 1,000 changes compress to roughly 100 KB: under a second on 1 Mbit/s, so a cut link
        // loses little, while a day's work goes in one round trip.
        SyncOptions {
            push_batch: 1000,
            pull_batch: 2000,
            retry: RetryPolicy::default(),
        }
    }
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub pushed: u64,
    /// Changes the server refused, with its reasons; they stay pending on this device.
    pub rejected: Vec<Rejected>,
    pub pulled: u64,
    pub applied: u64,
    pub duplicates: u64,
    pub deferred: u64,
    pub conflicts: u64,
    pub uploaded_attachments: u64,
    pub downloaded_attachments: u64,
    pub cursor: u64,
    pub pending_after: u64,
    pub traffic: Traffic,
}

fn add_apply(report: &mut SyncReport, a: &ApplyReport) {
    report.applied += u64::from(a.applied);
    report.duplicates += u64::from(a.duplicates);
    report.deferred = u64::from(a.deferred);
    report.conflicts += u64::from(a.conflicts);
}

/// Pushes every pending change in batches. A change refused for now (a clock ahead) waits for
/// the next sync; one refused for good is set aside with its reason.
async fn push_pending(
    store: &mut Store,
    client: &SyncClient,
    opts: &SyncOptions,
    progress: &(dyn Fn(&Progress) + Send + Sync),
    report: &mut SyncReport,
    later: &mut Vec<Uuid>,
) -> Result<()> {
    let device = store.device_id();
    let pending = u64::from(store.sync_state()?.pending);
    let audit_head = store.audit_head()?.map(|h| AuditHead {
        seq: h.seq,
        hash: h.hash,
    });
    loop {
        let batch = store.pending_changes_except(opts.push_batch.max(1), later)?;
        if batch.is_empty() {
            break;
        }
        let resp = client
            .push(
                &PushRequest {
                    device,
                    changes: batch,
                    audit_head: audit_head.clone(),
                },
                progress,
            )
            .await?;
        let ids: Vec<Uuid> = resp.accepted.iter().map(|a| a.id).collect();
        store.mark_pushed(&ids)?;
        report.pushed += ids.len() as u64;
        progress(&Progress::Pushing {
            sent: report.pushed,
            pending,
        });
        // A refusal for good is set aside with its reason for the chief, never pushed again;
        // either way it no longer holds up the changes behind it.
        let mut for_good = Vec::new();
        for r in resp.rejected {
            tracing::warn!(change = %r.id, reason = ?r.reason, "change refused by the server");
            if r.reason.retryable() {
                later.push(r.id);
            } else {
                let reason = serde_json::to_value(r.reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                for_good.push((r.id, reason, r.message.clone()));
            }
            if !report.rejected.iter().any(|x| x.id == r.id) {
                report.rejected.push(r);
            }
        }
        store.set_aside_refused(&for_good)?;
    }

    Ok(())
}

/// One full sync: attachments up, changes up, changes down, attachments down. Each step leaves
/// the store consistent, so an interruption anywhere is resumed by the next sync.
pub async fn sync(
    store: &mut Store,
    client: &SyncClient,
    opts: &SyncOptions,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<SyncReport> {
    let mut report = SyncReport::default();

    // Attachments before the changes that mention them, so a device pulling the change finds
    // the bytes already on the server.
    let unsent = store.unsent_blobs()?;
    for (i, sha) in unsent.iter().enumerate() {
        progress(&Progress::Uploading {
            done: i,
            total: unsent.len(),
        });
        if let Some(bytes) = store.blob(sha)? {
            if client.upload_attachment(sha, &bytes, progress).await? {
                report.uploaded_attachments += 1;
            }
            store.mark_blob_uploaded(sha)?;
        }
    }

    // Refused for now (a clock ahead): kept for the next sync, left out of this one's batches,
    // the second push after the pull included.
    let mut later: Vec<Uuid> = Vec::new();
    push_pending(store, client, opts, progress, &mut report, &mut later).await?;

    let mut cursor = store.sync_state()?.cursor;
    let include_own = store.pull_own_after_restore()?;
    loop {
        let resp = client
            .pull(
                &PullRequest {
                    since: cursor,
                    limit: opts.pull_batch,
                    include_own,
                },
                progress,
            )
            .await?;
        if resp.next < cursor {
            return Err(SyncError::Protocol(format!(
                "máy chủ trả con trỏ lùi ({} < {cursor})",
                resp.next
            )));
        }
        if let Some(n) = resp.numbering {
            apply_numbering(store, n)?;
        }
        let changes: Vec<_> = resp.changes.into_iter().map(|s| s.change).collect();
        report.pulled += changes.len() as u64;
        if !changes.is_empty() {
            let a = store.apply_remote(&changes)?;
            add_apply(&mut report, &a);
        }
        // Applied first, cursor second: a crash in between re-pulls changes the store already
        // knows, which apply_remote skips.
        cursor = resp.next;
        store.set_cursor(cursor)?;
        progress(&Progress::Pulling {
            received: report.pulled,
            cursor,
        });
        if !resp.more {
            break;
        }
    }
    report.cursor = cursor;
    if include_own {
        store.pulled_own_after_restore()?;
    }
    // Applying what arrived can write here too (the audit entry of the province's new
    // reference data, a conflict's record): sent now rather than left for the next sync.
    if report.applied > 0 && store.sync_state()?.pending > 0 {
        push_pending(store, client, opts, progress, &mut report, &mut later).await?;
    }

    // After the pull: the slot is current, and the cases just pushed are on record as used.
    exchange_numbers(store, client, progress).await?;

    let missing = store.missing_blobs()?;
    for (i, sha) in missing.iter().enumerate() {
        progress(&Progress::Downloading {
            done: i,
            total: missing.len(),
        });
        match client.download_attachment(sha, progress).await {
            Ok(bytes) => {
                store.put_blob(sha, &bytes)?;
                report.downloaded_attachments += 1;
            }
            // Not uploaded yet by its station: the next sync fetches it.
            Err(SyncError::Server { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    report.pending_after = u64::from(store.sync_state()?.pending);
    report.traffic = client.traffic();
    Ok(report)
}

/// The register-number exchange of a station PC: hands back what it no longer needs, reports
/// its fallback numbers, tops its leases up, keeps the province's ledger. When the province
/// raised the PC's fallback floor, a second exchange at once tells it the PC holds the new
/// floor (until then the province keeps the PC's class from the old floor up: safe, but it
/// leaves holes in the other PCs' leases). A province server older than the leases answers
/// 404: the PC then keeps numbering by its slot, as before.
pub async fn exchange_numbers(
    store: &mut Store,
    client: &SyncClient,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<()> {
    for _ in 0..2 {
        let Some(req) = store.number_request()? else {
            return Ok(());
        };
        let resp = match client.numbers(&req, progress).await {
            Ok(r) => r,
            Err(SyncError::Server { status: 404, .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        if !store.apply_number_grant(&req, &resp)? {
            break;
        }
    }
    Ok(())
}

/// Sync with the enrolment the store keeps, recording the outcome in the store's sync state
/// (shown in the app: last success, last error).
pub async fn sync_store(
    store: &mut Store,
    opts: &SyncOptions,
    progress: &(dyn Fn(&Progress) + Send + Sync),
) -> Result<SyncReport> {
    let client = SyncClient::for_store(store)?.with_retry(opts.retry.clone());
    let result = sync(store, &client, opts, progress).await;
    match &result {
        Ok(_) => store.record_sync_result(None)?,
        Err(e) => store.record_sync_result(Some(&e.to_string()))?,
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            attempts: 10,
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        for attempt in 0..10 {
            let d = p.delay(attempt);
            let cap = (100u64 << attempt).min(2000);
            assert!(
                d.as_millis() as u64 <= cap && d.as_millis() as u64 >= cap / 2,
                "{attempt}: {d:?}"
            );
        }
    }

    #[test]
    fn only_https_urls_are_accepted() {
        assert!(matches!(
            SyncClient::new("http://example", [0; 32], None),
            Err(SyncError::BadUrl(_))
        ));
        assert!(SyncClient::new("https://127.0.0.1:8443/", [0; 32], None).is_ok());
    }

    #[test]
    fn transient_errors_are_the_retryable_ones() {
        assert!(SyncError::Network("x".into()).transient());
        let server = |status| SyncError::Server {
            status,
            body: ErrorBody::new(ErrorCode::Internal, "x"),
        };
        assert!(server(503).transient());
        assert!(server(429).transient());
        assert!(server(408).transient());
        assert!(!server(403).transient());
        assert!(!server(426).transient());
        assert!(!SyncError::CertMismatch.transient());
    }
}

/// The app runs sync as a background task on a multi-threaded runtime: the futures must be Send.
#[cfg(test)]
mod send_check {
    #[allow(dead_code)]
    fn sync_futures_are_send(store: &mut tinbao_core::Store, client: &super::SyncClient) {
        fn is_send<T: Send>(_: &T) {}
        let opts = super::SyncOptions::default();
        let f = super::sync_store(store, &opts, &|_| {});
        is_send(&f);
        drop(f);
        let f = super::sync(store, client, &opts, &|_| {});
        is_send(&f);
        drop(f);
        let f = super::enrol(store, "https://x", "code", "name");
        is_send(&f);
    }
}
