//! tinbao-core: a commune police station's register of crime reports and security
//! information, kept in an encrypted SQLite database. No Tauri and no HTTP here: the desktop
//! app, the command line and the sync client are thin layers over this crate.
#![forbid(unsafe_code)]

pub mod admin_units;
pub mod audit;
pub mod backup;
mod case_row;
pub mod cases;
pub mod community;
pub mod deadlines;
pub mod error;
pub mod interchange;
pub mod model;
pub mod replica;
pub mod search;
mod search_index;
pub mod stats;
pub mod store;
pub mod text;
pub mod time;
pub mod today;
pub mod users;
pub mod workflow;

pub use error::{Error, Result};
pub use model::*;
pub use store::{SCHEMA_VERSION, Store, create_at_version, system_actor};
pub use tinbao_sync::{Change, EntityKind};
