//! The official two-tier administrative units (34 provinces, 3,321 communes and wards, in force
//! since 1 July 2025), shipped inside the binary from `data/admin-units.json`, a copy of
//! `shared/data/admin-units.json` (refresh it with `scripts/update-admin-units`). The table is
//! reloaded whenever the shipped list changes, so a new release brings the new list.
use crate::error::Result;
use crate::text::fold;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

const EMBEDDED: &str = include_str!("../data/admin-units.json");

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Commune {
    pub code: String,
    pub province: String,
    pub name: String,
    pub kind: String,
}

#[derive(Deserialize)]
struct File {
    provinces: Vec<FileProvince>,
}
#[derive(Deserialize)]
struct FileProvince {
    code: String,
    name: String,
    kind: String,
    communes: Vec<FileCommune>,
}
#[derive(Deserialize)]
struct FileCommune {
    code: String,
    name: String,
    kind: String,
}

fn version() -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(EMBEDDED.as_bytes())[..8])
}

/// Loads the shipped list into the database unless it is already the current one.
pub(crate) fn ensure_loaded(conn: &Connection) -> Result<()> {
    let v = version();
    let have: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'admin_units_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if have.as_deref() == Some(v.as_str()) {
        return Ok(());
    }
    let file: File = serde_json::from_str(EMBEDDED)?;
    let tx = conn.unchecked_transaction()?;
    {
        let mut p = tx.prepare(
            "INSERT INTO provinces(code, name, kind) VALUES (?1, ?2, ?3)
             ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind",
        )?;
        let mut c = tx.prepare(
            "INSERT INTO communes(code, province, name, kind, name_folded) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(code) DO UPDATE SET province = excluded.province, name = excluded.name,
               kind = excluded.kind, name_folded = excluded.name_folded",
        )?;
        for pr in &file.provinces {
            p.execute(params![pr.code, pr.name, pr.kind])?;
            for co in &pr.communes {
                c.execute(params![co.code, pr.code, co.name, co.kind, fold(&co.name)])?;
            }
        }
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('admin_units_version', ?1)",
        [v],
    )?;
    tx.commit()?;
    Ok(())
}

pub(crate) fn commune(conn: &Connection, code: &str) -> Result<Option<Commune>> {
    Ok(conn
        .query_row(
            "SELECT code, province, name, kind FROM communes WHERE code = ?1",
            [code],
            |r| {
                Ok(Commune {
                    code: r.get(0)?,
                    province: r.get(1)?,
                    name: r.get(2)?,
                    kind: r.get(3)?,
                })
            },
        )
        .optional()?)
}

pub(crate) fn province(conn: &Connection, code: &str) -> Result<Option<Province>> {
    Ok(conn
        .query_row(
            "SELECT code, name, kind FROM provinces WHERE code = ?1",
            [code],
            |r| {
                Ok(Province {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub(crate) fn provinces(conn: &Connection) -> Result<Vec<Province>> {
    let mut st = conn.prepare("SELECT code, name, kind FROM provinces ORDER BY code")?;
    let rows = st.query_map([], |r| {
        Ok(Province {
            code: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Communes of a province (or all), optionally filtered by a folded name fragment.
pub(crate) fn communes(
    conn: &Connection,
    province: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<Commune>> {
    let q = query.map(|q| format!("%{}%", fold(q.trim())));
    let mut st = conn.prepare(
        "SELECT code, province, name, kind FROM communes
         WHERE (?1 IS NULL OR province = ?1) AND (?2 IS NULL OR name_folded LIKE ?2)
         ORDER BY province, name_folded",
    )?;
    let rows = st.query_map(params![province, q], |r| {
        Ok(Commune {
            code: r.get(0)?,
            province: r.get(1)?,
            name: r.get(2)?,
            kind: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
