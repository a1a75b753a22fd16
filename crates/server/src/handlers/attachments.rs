//! Attachments by content hash: `GET …/{sha256}/status`, `PUT …/{sha256}?offset=&size=`,
//! `GET …/{sha256}?offset=`. Skipped when present, resumable both ways, hash verified.
use super::{ApiError, ApiResult, DeviceTag, authenticate, blocking, encode};
use crate::policy::may_read_attachment;
use crate::router::App;
use crate::storage::Device;
use crate::units::AdminUnits;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use tinbao_sync::protocol::*;
use uuid::Uuid;

fn check_sha(sha: &str) -> ApiResult<String> {
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha.to_ascii_lowercase())
    } else {
        Err(ApiError::bad(
            "Mã băm SHA-256 của tệp đính kèm không hợp lệ.",
        ))
    }
}

/// How many unfinished uploads one device may keep on the server at once (each at most
/// `MAX_ATTACHMENT_BYTES`). The client uploads one file at a time and resumes it, so only a
/// misbehaving device reaches this.
pub const MAX_PARTIALS_PER_DEVICE: usize = 8;

/// Unfinished uploads untouched for this long are deleted by [`sweep_partials`].
pub const PARTIAL_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Deletes the partial uploads in `dir` last written more than `max_age` before `now`; returns
/// how many. Run at start and every hour by `serve`.
pub fn sweep_partials(
    dir: &std::path::Path,
    now: std::time::SystemTime,
    max_age: std::time::Duration,
) -> std::io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// How many partial uploads in `dir` belong to `device`.
fn partials_of(dir: &std::path::Path, device: Uuid) -> std::io::Result<usize> {
    let suffix = format!(".{}", device.simple());
    match std::fs::read_dir(dir) {
        Ok(entries) => Ok(entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(&suffix))
            .count()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
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

async fn status_for(app: &Arc<App>, device: &Device, sha: &str) -> ApiResult<AttachmentStatus> {
    let st = app.clone();
    let key = sha.to_string();
    let owners = blocking(move || Ok(st.store.attachment_owners(&key)?)).await?;
    let present = may_read_attachment(&device.scope, &AdminUnits::get(), &owners)
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

pub async fn status(
    State(app): State<Arc<App>>,
    Path(sha): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let device = authenticate(&app, &headers).await?;
    let sha = check_sha(&sha)?;
    let status = status_for(&app, &device, &sha).await?;
    encode(&app, &status)
}

#[derive(Deserialize)]
pub struct PutQuery {
    offset: u64,
    size: u64,
}

pub async fn put(
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
    let status = status_for(&app, &device, &sha).await?;
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
        if q.offset == 0 && !tokio::fs::try_exists(&partial).await.unwrap_or(false) {
            let (d, id) = (dir.to_path_buf(), device.id);
            let n = tokio::task::spawn_blocking(move || partials_of(&d, id))
                .await
                .map_err(|e| io_err(std::io::Error::other(e)))?
                .map_err(io_err)?;
            if n >= MAX_PARTIALS_PER_DEVICE {
                tracing::warn!(device = %device.id, partials = n, "partial upload quota reached");
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::TooLarge,
                    format!(
                        "Thiết bị đang có {n} tệp đính kèm gửi dở trên máy chủ (tối đa {MAX_PARTIALS_PER_DEVICE}); hãy gửi xong các tệp đó trước."
                    ),
                ));
            }
        }
    }
    let mut opts = tokio::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(&partial).await.map_err(io_err)?;
    // Encrypted as it arrives: nothing of an attachment is written to disk in clear.
    let mut body = body.to_vec();
    app.blob_key.apply(&sha, q.offset, &mut body);
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
    let (p, key, name) = (partial.clone(), app.blob_key.clone(), sha.clone());
    let digest = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        crate::blob_cipher::plain_digest(&key, &name, &p)
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
pub struct GetQuery {
    #[serde(default)]
    offset: u64,
}

pub async fn get(
    State(app): State<Arc<App>>,
    Path(sha): Path<String>,
    Query(q): Query<GetQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let device = authenticate(&app, &headers).await?;
    let sha = check_sha(&sha)?;
    let status = status_for(&app, &device, &sha).await?;
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
    app.blob_key.apply(&sha, offset, &mut buf);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn partial_uploads_older_than_a_day_are_swept_and_counted_per_device() {
        let dir = tempfile::tempdir().unwrap();
        let (mine, other) = (Uuid::now_v7(), Uuid::now_v7());
        let now = SystemTime::now();
        let file = |name: String, age: Duration| {
            let f = std::fs::File::create(dir.path().join(name)).unwrap();
            f.set_modified(now - age).unwrap();
        };
        file(
            format!("{}.{}", "a".repeat(64), mine.simple()),
            Duration::from_secs(90_000),
        );
        file(
            format!("{}.{}", "b".repeat(64), mine.simple()),
            Duration::from_secs(60),
        );
        file(
            format!("{}.{}", "c".repeat(64), other.simple()),
            Duration::from_secs(60),
        );
        assert_eq!(partials_of(dir.path(), mine).unwrap(), 2);
        assert_eq!(partials_of(dir.path(), other).unwrap(), 1);
        assert_eq!(sweep_partials(dir.path(), now, PARTIAL_MAX_AGE).unwrap(), 1);
        assert_eq!(partials_of(dir.path(), mine).unwrap(), 1);
        assert_eq!(sweep_partials(dir.path(), now, PARTIAL_MAX_AGE).unwrap(), 0);
        let missing = dir.path().join("none");
        assert_eq!(sweep_partials(&missing, now, PARTIAL_MAX_AGE).unwrap(), 0);
        assert_eq!(partials_of(&missing, mine).unwrap(), 0);
    }
}
