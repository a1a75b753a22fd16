use crate::storage::StorageError;

/// Errors of the server and its admin command line. Messages are Vietnamese: the provincial
/// administrator reads them as they are.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("lỗi tệp {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("lỗi TLS: {0}")]
    Tls(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
}

impl ServerError {
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ServerError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
