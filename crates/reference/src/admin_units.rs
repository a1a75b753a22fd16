//! The official two-tier administrative units (34 provinces, 3,321 communes and wards, in force
//! since 1 July 2025), shipped inside the binary from `data/admin-units.json`, a copy of
//! `shared/data/admin-units.json` (refresh it with `scripts/update-admin-units`).
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The shipped list as compiled in; the core hashes it to know when to reload its table.
pub const EMBEDDED_JSON: &str = include_str!("../data/admin-units.json");

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
        let file: File = serde_json::from_str(EMBEDDED_JSON).unwrap_or(File {
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
