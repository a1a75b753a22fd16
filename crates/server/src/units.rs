//! The official list of provinces and communes, read from the copy the core ships
//! (`crates/core/data/admin-units.json`), so server and stations agree on every code.
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const EMBEDDED: &str = include_str!("../../core/data/admin-units.json");

#[derive(Deserialize)]
struct File {
    provinces: Vec<FileProvince>,
}
#[derive(Deserialize)]
struct FileProvince {
    code: String,
    name: String,
    communes: Vec<FileCommune>,
}
#[derive(Deserialize)]
struct FileCommune {
    code: String,
    name: String,
}

pub struct AdminUnits {
    /// commune code → (province code, commune name)
    communes: HashMap<String, (String, String)>,
    /// province code → name
    provinces: HashMap<String, String>,
}

impl AdminUnits {
    pub fn get() -> &'static AdminUnits {
        static UNITS: OnceLock<AdminUnits> = OnceLock::new();
        UNITS.get_or_init(|| {
            // The file is compiled in and checked by the test below: a parse failure here is
            // a build defect, not an input error.
            let file: File = serde_json::from_str(EMBEDDED).unwrap_or(File {
                provinces: Vec::new(),
            });
            let mut communes = HashMap::new();
            let mut provinces = HashMap::new();
            for p in file.provinces {
                for c in p.communes {
                    communes.insert(c.code, (p.code.clone(), c.name));
                }
                provinces.insert(p.code, p.name);
            }
            AdminUnits {
                communes,
                provinces,
            }
        })
    }

    /// The province a commune (a station's code) belongs to.
    pub fn province_of(&self, commune: &str) -> Option<&str> {
        self.communes.get(commune).map(|(p, _)| p.as_str())
    }

    pub fn commune_name(&self, commune: &str) -> Option<&str> {
        self.communes.get(commune).map(|(_, n)| n.as_str())
    }

    pub fn province_name(&self, province: &str) -> Option<&str> {
        self.provinces.get(province).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_loads() {
        let u = AdminUnits::get();
        assert_eq!(u.provinces.len(), 34);
        assert!(u.communes.len() > 3000);
        assert_eq!(u.province_of("00004"), Some("01"));
        assert_eq!(u.province_name("01"), Some("Thành phố Hà Nội"));
        assert_eq!(u.province_of("99999"), None);
    }
}
