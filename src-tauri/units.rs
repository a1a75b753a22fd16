//! The official administrative units before any register exists: the first run must offer the
//! station list before it can create the database. The list is the core's shipped one.
use tinbao_core::admin_units::{Commune, Province, official};

pub fn provinces() -> Vec<Province> {
    official().provinces.clone()
}

pub fn communes(province: Option<&str>) -> Vec<Commune> {
    official()
        .communes
        .iter()
        .filter(|c| province.is_none_or(|p| p == c.province))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_list_has_every_province_and_the_seed_station() {
        assert_eq!(super::provinces().len(), 34);
        assert!(super::communes(None).len() > 3000);
        assert!(
            super::communes(Some("19"))
                .iter()
                .any(|c| c.code == "01843")
        );
        assert!(
            super::communes(Some("19"))
                .iter()
                .all(|c| c.province == "19")
        );
    }
}
