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

/// The shipped list, parsed once, for uses with no database at hand (the first-run station
/// picker, the server's scope checks).
pub struct Official {
    pub provinces: Vec<Province>,
    pub communes: Vec<Commune>,
    by_code: std::collections::HashMap<String, usize>,
}

impl Official {
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.by_code.get(code).map(|&i| &self.communes[i])
    }
    pub fn province(&self, code: &str) -> Option<&Province> {
        self.provinces.iter().find(|p| p.code == code)
    }
    pub fn communes_of<'a>(&'a self, province: &'a str) -> impl Iterator<Item = &'a Commune> + 'a {
        self.communes.iter().filter(move |c| c.province == province)
    }
}

pub fn official() -> &'static Official {
    static LIST: std::sync::OnceLock<Official> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        // The file is compiled in and checked by the tests below; an unparsable list is a
        // broken build, not a runtime condition.
        let file: File = serde_json::from_str(EMBEDDED).unwrap_or(File {
            provinces: Vec::new(),
        });
        let mut provinces = Vec::new();
        let mut communes = Vec::new();
        for p in file.provinces {
            for c in p.communes {
                communes.push(Commune {
                    code: c.code,
                    province: p.code.clone(),
                    name: c.name,
                    kind: c.kind,
                });
            }
            provinces.push(Province {
                code: p.code,
                name: p.name,
                kind: p.kind,
            });
        }
        let by_code = communes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Official {
            provinces,
            communes,
            by_code,
        }
    })
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_is_complete() {
        let o = super::official();
        assert_eq!(o.provinces.len(), 34);
        assert_eq!(o.communes.len(), 3321);
        assert_eq!(
            o.commune("24280").map(|c| c.name.as_str()),
            Some("Xã Cư M’gar")
        );
        assert_eq!(o.commune("24280").map(|c| c.province.as_str()), Some("66"));
        assert_eq!(
            o.communes_of("66").count(),
            o.communes.iter().filter(|c| c.province == "66").count()
        );
    }
}
