//! Where reports cluster: counts by commune, hamlet and category over a period, so that a chief
//! sees where fights, gambling and thefts come back.
use crate::error::Result;
use crate::model::{Actor, Role};
use crate::store::Store;
use crate::text::fold;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hotspot {
    /// The commune's code, or none when the report named no commune.
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    /// The hamlet as most reports of it spell it; none when not given.
    pub hamlet: Option<String>,
    pub count: u32,
    /// The categories reported there, most frequent first.
    pub by_category: Vec<CategoryCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CategoryCount {
    pub category: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Hotspots {
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    /// Communes, most reports first.
    pub communes: Vec<Hotspot>,
    /// Hamlets (within their commune), most reports first.
    pub hamlets: Vec<Hotspot>,
}

#[derive(Default)]
struct Tally {
    count: u32,
    categories: HashMap<String, u32>,
    spellings: HashMap<String, u32>,
}

impl Tally {
    fn add(&mut self, category: &str, spelling: Option<&str>) {
        self.count += 1;
        *self.categories.entry(category.to_owned()).or_default() += 1;
        if let Some(s) = spelling {
            *self.spellings.entry(s.to_owned()).or_default() += 1;
        }
    }

    fn categories(&self) -> Vec<CategoryCount> {
        let mut v: Vec<CategoryCount> = self
            .categories
            .iter()
            .map(|(c, n)| CategoryCount {
                category: c.clone(),
                count: *n,
            })
            .collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.category.cmp(&b.category))
        });
        v
    }

    /// The spelling most reports used; on a tie the one with its diacritics ("Tổ" over
    /// "To"), then the first in sort order, so every PC shows the same.
    fn spelling(&self) -> Option<String> {
        let marks = |s: &str| s.chars().filter(|c| !c.is_ascii()).count();
        self.spellings
            .iter()
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then_with(|| marks(a.0).cmp(&marks(b.0)))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(s, _)| s.clone())
    }
}

impl Store {
    /// Reports received in `[from, to)` (unix seconds) by commune and by hamlet, with their
    /// categories. A case merged into another is the same incident and is not counted twice.
    /// Hamlets are grouped without diacritics or case, as officers type them differently.
    pub fn hotspots(&self, actor: &Actor, from: i64, to: i64) -> Result<Hotspots> {
        let station = match actor.role {
            Role::Officer | Role::Chief => actor.station.clone(),
            Role::Supervisor | Role::Admin => None,
        };
        let mut st = self.conn.prepare_cached(
            "SELECT commune, hamlet, category FROM cases
             WHERE received_utc >= ?1 AND received_utc < ?2 AND status <> 'duplicate'
               AND (?3 IS NULL OR station = ?3)",
        )?;
        let mut rows = st.query(params![from, to, station])?;
        let mut communes: HashMap<Option<String>, Tally> = HashMap::new();
        let mut hamlets: HashMap<(Option<String>, String), Tally> = HashMap::new();
        while let Some(r) = rows.next()? {
            let commune: Option<String> = r.get(0)?;
            let hamlet: Option<String> = r.get(1)?;
            let category: String = r.get(2)?;
            communes
                .entry(commune.clone())
                .or_default()
                .add(&category, None);
            if let Some(h) = hamlet.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
                hamlets
                    .entry((commune, fold(h)))
                    .or_default()
                    .add(&category, Some(h));
            }
        }
        let name = |code: &Option<String>| -> Result<Option<String>> {
            Ok(match code {
                Some(c) => self.admin_commune(c)?.map(|c| c.name),
                None => None,
            })
        };
        let mut out_communes = Vec::with_capacity(communes.len());
        for (code, t) in &communes {
            out_communes.push(Hotspot {
                commune_name: name(code)?,
                commune: code.clone(),
                hamlet: None,
                count: t.count,
                by_category: t.categories(),
            });
        }
        let mut out_hamlets = Vec::with_capacity(hamlets.len());
        for ((code, _), t) in &hamlets {
            out_hamlets.push(Hotspot {
                commune_name: name(code)?,
                commune: code.clone(),
                hamlet: t.spelling(),
                count: t.count,
                by_category: t.categories(),
            });
        }
        let order = |a: &Hotspot, b: &Hotspot| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.commune_name.cmp(&b.commune_name))
                .then_with(|| a.hamlet.cmp(&b.hamlet))
        };
        out_communes.sort_by(order);
        out_hamlets.sort_by(order);
        Ok(Hotspots {
            from,
            to,
            communes: out_communes,
            hamlets: out_hamlets,
        })
    }
}
