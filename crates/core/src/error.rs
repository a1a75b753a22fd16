//! The core's one error type. Its `Display` is Vietnamese because it reaches officers as is.
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error(
        "Sai khóa cơ sở dữ liệu hoặc tệp không phải cơ sở dữ liệu tinbao. Kiểm tra lại khóa (TINBAO_KEY) hoặc đường dẫn tệp."
    )]
    WrongKey,
    /// The key opened the file, but some of its pages fail their check.
    #[error(
        "Tệp cơ sở dữ liệu bị hỏng: có phần không đọc được (ổ đĩa lỗi, hoặc tệp bị sửa ngoài tinbao). Cần khôi phục từ bản sao lưu gần nhất; lệnh “tinbao verify” cho quản trị viên biết phần nào hỏng."
    )]
    Damaged,
    #[error("Không tìm thấy {what}.")]
    NotFound { what: String },
    #[error("Bạn không có quyền {action}.")]
    Forbidden { action: String },
    #[error("Tên đăng nhập hoặc mật khẩu không đúng.")]
    BadCredentials,
    #[error("Tài khoản đã bị khóa. Liên hệ trưởng Công an xã/phường.")]
    InactiveUser,
    #[error("Không thể chuyển vụ việc từ trạng thái “{from}” sang “{to}”.")]
    InvalidTransition { from: String, to: String },
    #[error("{0}")]
    Invalid(String),
    #[error("Cơ sở dữ liệu đã tồn tại tại {0}; không ghi đè.")]
    AlreadyExists(String),
    #[error(
        "Ổ đĩa đã đầy: không ghi được dữ liệu. Giải phóng dung lượng rồi thử lại; dữ liệu cũ không bị ảnh hưởng."
    )]
    DiskFull,
    #[error("Tệp sao lưu hỏng hoặc không hợp lệ: {0}. Dữ liệu hiện tại chưa bị thay thế.")]
    BadBackup(String),
    #[error(
        "Cơ sở dữ liệu được tạo bởi phiên bản mới hơn (lược đồ {found}, phiên bản này hiểu đến {supported}). Hãy cập nhật tinbao."
    )]
    TooNew { found: i64, supported: i64 },
    #[error("Lỗi cơ sở dữ liệu: {0}")]
    Db(rusqlite::Error),
    #[error("Lỗi nâng cấp lược đồ: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("Lỗi đọc/ghi tệp: {0}")]
    Io(#[from] std::io::Error),
    #[error("Dữ liệu JSON không hợp lệ: {0}")]
    Json(#[from] serde_json::Error),
    #[error("Lỗi đồng bộ: {0}")]
    Clock(#[from] tinbao_sync::HlcError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::DiskFull => {
                Error::DiskFull
            }
            // A wrong key is found when the file is opened (store::open_keyed); a page that
            // fails SQLCipher's check afterwards is damage.
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) =>
            {
                Error::Damaged
            }
            _ => Error::Db(e),
        }
    }
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
    pub fn forbidden(action: impl Into<String>) -> Self {
        Error::Forbidden {
            action: action.into(),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
