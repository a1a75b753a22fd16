//! The official administrative units before any register exists: the first run must offer the
//! station list before it can create the database. Read from the very file the core ships
//! (crates/core/data/admin-units.json), so there is one list.
use serde::Deserialize;
use std::sync::OnceLock;
use tinbao_core::admin_units::{Commune, Province};

const EMBEDDED: &str = include_str!("../crates/core/data/admin-units.json");

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

fn file() -> &'static File {
    static F: OnceLock<File> = OnceLock::new();
    F.get_or_init(|| serde_json::from_str(EMBEDDED).expect("the shipped admin-units.json parses"))
}

pub fn provinces() -> Vec<Province> {
    file()
        .provinces
        .iter()
        .map(|p| Province {
            code: p.code.clone(),
            name: p.name.clone(),
            kind: p.kind.clone(),
        })
        .collect()
}

pub fn communes(province: Option<&str>) -> Vec<Commune> {
    file()
        .provinces
        .iter()
        .filter(|p| province.is_none_or(|c| c == p.code))
        .flat_map(|p| {
            p.communes.iter().map(|c| Commune {
                code: c.code.clone(),
                province: p.code.clone(),
                name: c.name.clone(),
                kind: c.kind.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_has_every_province_and_the_seed_station() {
        assert_eq!(super::provinces().len(), 34);
        let all = super::communes(None);
        assert!(all.len() > 3000);
        assert!(
            super::communes(Some("19"))
                .iter()
                .any(|c| c.code == "01843")
        );
    }
}
