//! The official administrative units in the station's database: the list itself (types,
//! parsing, the embedded copy) lives in `tinbao-reference` and is re-exported here; this module
//! keeps its table, reloaded whenever the shipped list changes, so a new release brings the new
//! list, and the lookups and the folded-name search over it.
use crate::error::Result;
use crate::text::fold;
use rusqlite::{Connection, OptionalExtension, params};
use tinbao_reference::admin_units::EMBEDDED_JSON;

pub use tinbao_reference::admin_units::{Commune, Official, Province, official};

fn version() -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(EMBEDDED_JSON.as_bytes())[..8])
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
    let list = official();
    if list.provinces.is_empty() {
        return Err(crate::Error::invalid(
            "Danh mục đơn vị hành chính đi kèm bị hỏng; hãy cài lại tinbao.",
        ));
    }
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
        for pr in &list.provinces {
            p.execute(params![pr.code, pr.name, pr.kind])?;
        }
        for co in &list.communes {
            c.execute(params![
                co.code,
                co.province,
                co.name,
                co.kind,
                fold(&co.name)
            ])?;
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
