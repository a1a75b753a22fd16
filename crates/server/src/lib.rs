//! tinbao-server, the provincial sync server: stations' devices push their changes here and
//! pull what their scope may see. One data directory holds everything: the SQLite store, the
//! TLS certificate and the attachment files.
//!
//! By role: [`router`] (state, routes, layers), `handlers` (enrol, push, pull, attachments,
//! health and metrics), [`policy`] (what a device may write and read, pure), [`storage`] (the
//! backend-neutral trait, the SQLite store and its migrations, the conformance suite),
//! [`admin`] and [`cli`] (the administrator's command line), [`tls`], [`units`] (the official
//! admin-unit list from `tinbao-reference`).
#![forbid(unsafe_code)]

pub mod admin;
pub mod audit_watch;
pub mod blob_cipher;
pub mod cli;
pub mod error;
mod files;
#[doc(hidden)]
pub mod fuzzing;
mod handlers;
pub mod metrics;
pub mod policy;
pub mod reference_data;
pub mod router;
pub mod storage;
pub mod tls;
pub mod units;

pub use error::ServerError;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DB_FILE: &str = "server.db";
pub const TLS_DIR: &str = "tls";
pub const BLOB_DIR: &str = "attachments";
/// The administrator's token for `GET /metrics`, created on first use, readable by the
/// server's owner only.
pub const METRICS_TOKEN_FILE: &str = "metrics.token";
/// The store's encryption key (64 hex digits), owner-only; `TINBAO_SERVER_KEY` overrides it.
pub const STORE_KEY_FILE: &str = "store.key";
pub const STORE_KEY_ENV: &str = "TINBAO_SERVER_KEY";

/// The data directory's parts.
#[derive(Debug, Clone)]
pub struct DataDir(pub PathBuf);

impl DataDir {
    pub fn db(&self) -> PathBuf {
        self.0.join(DB_FILE)
    }
    pub fn tls(&self) -> PathBuf {
        self.0.join(TLS_DIR)
    }
    pub fn blobs(&self) -> PathBuf {
        self.0.join(BLOB_DIR)
    }

    /// The administrator's `/metrics` token, created (owner-only) if missing.
    pub fn metrics_token(&self) -> Result<String, ServerError> {
        let path = self.0.join(METRICS_TOKEN_FILE);
        match std::fs::read_to_string(&path) {
            Ok(t) if !t.trim().is_empty() => return Ok(t.trim().to_string()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ServerError::io(&path, e)),
        }
        let token = tinbao_sync::protocol::random_secret(32);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        use std::io::Write;
        opts.open(&path)
            .and_then(|mut f| f.write_all(token.as_bytes()).and_then(|()| f.sync_all()))
            .map_err(|e| ServerError::io(&path, e))?;
        Ok(token)
    }

    /// Opens the store of an initialised directory.
    pub fn open(&self) -> Result<Arc<dyn storage::Storage>, ServerError> {
        if !self.db().exists() {
            return Err(ServerError::NotFound(format!(
                "{} chưa được khởi tạo; hãy chạy: tinbao-server --data {} init",
                self.0.display(),
                self.0.display()
            )));
        }
        let store = storage::sqlite::SqliteStorage::open(&self.db(), &self.store_key()?)?;
        storage::Storage::migrate(&store)?;
        Ok(Arc::new(store))
    }

    /// The store's key: `TINBAO_SERVER_KEY` if set, else the key file, made (owner-only) with a
    /// random key if missing. A key file others may read is refused: it would open the
    /// province's copy to every local user.
    pub fn store_key(&self) -> Result<storage::sqlite::StoreKey, ServerError> {
        if let Ok(v) = std::env::var(STORE_KEY_ENV)
            && !v.trim().is_empty()
        {
            return storage::sqlite::StoreKey::from_hex(&v)
                .map_err(|e| ServerError::Invalid(format!("{STORE_KEY_ENV}: {e}")));
        }
        let path = self.0.join(STORE_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                if files::readable_by_others(&path).map_err(|e| ServerError::io(&path, e))? {
                    return Err(ServerError::Invalid(format!(
                        "{} đọc được bởi người dùng khác trên máy: chạy `chmod 600 {}` rồi khởi động lại.",
                        path.display(),
                        path.display()
                    )));
                }
                storage::sqlite::StoreKey::from_hex(&text)
                    .map_err(|e| ServerError::Invalid(format!("{}: {e}", path.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                files::private_dir(&self.0).map_err(|e| ServerError::io(&self.0, e))?;
                let key = storage::sqlite::StoreKey::random();
                files::write_new_private(&path, key.hex().as_bytes())
                    .map_err(|e| ServerError::io(&path, e))?;
                Ok(key)
            }
            Err(e) => Err(ServerError::io(&path, e)),
        }
    }
}

/// Milliseconds since the Unix epoch by the server's clock.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs the server until SIGINT/SIGTERM. Prints `listening on https://ADDR` on stdout once
/// the socket is bound (scripts and tests read the port from it when they asked for port 0).
pub async fn serve(
    data: &DataDir,
    listen: SocketAddr,
    limits: router::Limits,
) -> Result<(), ServerError> {
    let store = data.open()?;
    let tls = tls::server_config(&data.tls())?;
    files::private_dir(&data.blobs()).map_err(|e| ServerError::io(&data.blobs(), e))?;
    files::private_dir(&data.blobs().join("partial"))
        .map_err(|e| ServerError::io(&data.blobs(), e))?;
    let blob_key = blob_cipher::BlobKey::from_store_key(data.store_key()?.hex());
    let encrypted = blob_cipher::encrypt_existing(&data.blobs(), &blob_key)
        .map_err(|e| ServerError::io(&data.blobs(), e))?;
    if encrypted > 0 {
        tracing::info!(
            files = encrypted,
            "attachments stored before encryption at rest are now encrypted"
        );
    }
    let metrics_token = data.metrics_token()?;
    let app = Arc::new(router::App {
        store,
        metrics_token,
        blobs: data.blobs(),
        blob_key,
        metrics: metrics::Metrics::default(),
    });
    // Unfinished uploads older than a day are deleted at start and every hour.
    let partial_dir = data.blobs().join("partial");
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let dir = partial_dir.clone();
            let swept = tokio::task::spawn_blocking(move || {
                handlers::attachments::sweep_partials(
                    &dir,
                    std::time::SystemTime::now(),
                    handlers::attachments::PARTIAL_MAX_AGE,
                )
            })
            .await;
            match swept {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(removed = n, "old partial uploads deleted"),
                Ok(Err(e)) => tracing::warn!(error = %e, "sweeping partial uploads failed"),
                Err(e) => tracing::warn!(error = %e, "sweeping partial uploads failed"),
            }
        }
    });
    let routes = router::router(app, &limits);
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| ServerError::io(Path::new(&listen.to_string()), e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| ServerError::io(Path::new(&listen.to_string()), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServerError::io(Path::new(&listen.to_string()), e))?;
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        h.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls);
    let body_timeout = limits.body_timeout;
    tracing::info!(%addr, "listening");
    println!("listening on https://{addr}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let mut server = axum_server::from_tcp_rustls(listener, config)
        .map_err(|e| ServerError::io(Path::new(&addr.to_string()), e))?
        // A connection that sends no request, or stops in its headers, is closed too (the
        // body's own deadline is the router's).
        .first_request_timeout(body_timeout);
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(body_timeout);
    server
        .handle(handle)
        .serve(routes.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(|e| ServerError::io(Path::new(&addr.to_string()), e))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
