//! The ground floor: the station's encrypted database and what every write stands on. `Store`
//! itself is declared here; the features above extend it, each in its own module (see the
//! crate's documentation for which module adds which methods).
//!
//! | file | holds |
//! |---|---|
//! | `open.rs` | keying (SQLCipher, page format), connection settings, `Store::create` / `open` |
//! | `schema.rs` | the migrations and `SCHEMA_VERSION` |
//! | `outbox.rs` | `Writer` (stamps and field clocks) and the outbox, both its write and read end |
//! | `tables.rs` | the entity-to-table map: where each synced kind lives, which columns a change may write |
//! | `settings.rs` | the `meta` table: settings and the store's own keys |
//! | `audit_entry.rs` | writing one audit entry in a caller's transaction |
//! | `upkeep.rs` | idle-time index merging and WAL checkpoints |
//!
//! Nothing here calls a feature: a module of this folder imports only the floor beneath it
//! (`error`, `model`, `text`, `time`, `admin_units`, `search_index`), as `tests/layers.rs`
//! checks.
pub(crate) mod audit_entry;
mod open;
mod outbox;
mod schema;
mod settings;
mod tables;
mod upkeep;

pub(crate) use audit_entry::record_in;
#[doc(hidden)]
pub use open::key_connection;
pub(crate) use open::{PageHmac, apply_key, key_format, key_statement, open_keyed};
pub use outbox::RefusedChange;
pub(crate) use outbox::Writer;
pub use schema::SCHEMA_VERSION;
#[doc(hidden)]
pub use schema::create_at_version;
pub(crate) use settings::{meta_get, meta_set};
pub(crate) use tables::{row_hlc, sql_value, table, write_case_fields};

use crate::admin_units;
use crate::error::Result;
use crate::model::{Actor, Role, Scope};
use chrono::Utc;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use tinbao_sync::HlcClock;
use uuid::Uuid;

pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) device: Uuid,
    pub(crate) scope: Scope,
    pub(crate) clock: HlcClock,
}

/// The author of writes made by the command line and by imports rather than by a person.
pub fn system_actor(scope: &Scope) -> Actor {
    let (station, province) = match scope {
        Scope::Station(s) => (Some(s.clone()), None),
        Scope::Province(p) => (None, Some(p.clone())),
    };
    Actor {
        user_id: Uuid::nil(),
        username: "system".into(),
        full_name: "Hệ thống (dòng lệnh)".into(),
        role: Role::Admin,
        station,
        province,
    }
}

pub(crate) fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

/// The code a scope's own records are filed under: its station's, or its province's.
pub(crate) fn scope_station(scope: &Scope) -> &str {
    match scope {
        Scope::Station(s) | Scope::Province(s) => s,
    }
}

/// How long a write waits for another connection's (the sync task's, say) to finish.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Store {
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    pub fn device_id(&self) -> Uuid {
        self.device
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Whether this database holds a station's cases: its own station's, or a province's.
    pub fn in_scope(&self, station: &str) -> Result<bool> {
        Ok(match &self.scope {
            Scope::Station(s) => s == station,
            Scope::Province(p) => {
                admin_units::commune(&self.conn, station)?.is_some_and(|c| &c.province == p)
            }
        })
    }

    pub fn admin_provinces(&self) -> Result<Vec<admin_units::Province>> {
        admin_units::provinces(&self.conn)
    }
    pub fn admin_communes(
        &self,
        province: Option<&str>,
        query: Option<&str>,
    ) -> Result<Vec<admin_units::Commune>> {
        admin_units::communes(&self.conn, province, query)
    }
    pub fn admin_commune(&self, code: &str) -> Result<Option<admin_units::Commune>> {
        admin_units::commune(&self.conn, code)
    }
}
