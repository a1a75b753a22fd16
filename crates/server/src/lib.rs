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
pub mod cli;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod handlers;
pub mod metrics;
pub mod policy;
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

    /// Opens the store of an initialised directory.
    pub fn open(&self) -> Result<Arc<dyn storage::Storage>, ServerError> {
        if !self.db().exists() {
            return Err(ServerError::NotFound(format!(
                "{} chưa được khởi tạo; hãy chạy: tinbao-server --data {} init",
                self.0.display(),
                self.0.display()
            )));
        }
        let store = storage::sqlite::SqliteStorage::open(&self.db())?;
        storage::Storage::migrate(&store)?;
        Ok(Arc::new(store))
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
    std::fs::create_dir_all(data.blobs().join("partial"))
        .map_err(|e| ServerError::io(&data.blobs(), e))?;
    let app = Arc::new(router::App {
        store,
        blobs: data.blobs(),
        metrics: metrics::Metrics::default(),
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
    tracing::info!(%addr, "listening");
    println!("listening on https://{addr}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum_server::from_tcp_rustls(listener, config)
        .map_err(|e| ServerError::io(Path::new(&addr.to_string()), e))?
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
