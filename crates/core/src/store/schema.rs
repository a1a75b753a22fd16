//! The schema's versions. Shipped migrations are never edited; one that changes how the search
//! index is built rebuilds it from the cases (`search_index::rebuild_index`).
use super::open::open_raw;
use crate::error::{Error, Result};
use crate::{clocks, search_index};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use std::path::Path;

/// Every schema version, in order. Shipped entries are never edited.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/001_init.sql")),
        M::up(include_str!("../migrations/002_defaults.sql")),
        M::up_with_hook(
            include_str!("../migrations/003_search_index.sql"),
            |tx: &rusqlite::Transaction| Ok(search_index::rebuild_index(tx)?),
        ),
        M::up_with_hook(
            include_str!("../migrations/004_audit_chain_local_passwords_refusals.sql"),
            |tx: &rusqlite::Transaction| Ok(super::audit_entry::chain_existing(tx)?),
        ),
        M::up(include_str!("../migrations/005_holiday_calendar.sql")),
        M::up_with_hook(
            include_str!("../migrations/006_clocks.sql"),
            |tx: &rusqlite::Transaction| {
                clocks::recompute_all(tx)
                    .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("../migrations/007_alerts_sent.sql")),
        M::up(include_str!("../migrations/008_reference_data.sql")),
        M::up(include_str!("../migrations/009_register_numbers.sql")),
        M::up(include_str!("../migrations/010_sanctions.sql")),
        M::up(include_str!("../migrations/011_category_groups_labels.sql")),
        M::up(include_str!("../migrations/012_report_indexes.sql")),
    ])
}

pub const SCHEMA_VERSION: i64 = 12;

/// Makes an empty database at an earlier schema version, as an older release left it, so
/// tests can prove that every upgrade path works. Not for production use.
#[doc(hidden)]
pub fn create_at_version(path: &Path, key: &str, version: usize) -> Result<()> {
    let mut conn = open_raw(path, key)?;
    migrations().to_version(&mut conn, version)?;
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    migrations().to_latest(conn)?;
    Ok(())
}
