//! The official list of provinces and communes: the one the stations ship too
//! (`tinbao_reference::admin_units::official`), so server and stations agree on every code.
use tinbao_reference::admin_units::{Official, official};

pub struct AdminUnits(&'static Official);

impl AdminUnits {
    pub fn get() -> AdminUnits {
        AdminUnits(official())
    }

    /// The province a commune (a station's code) belongs to.
    pub fn province_of(&self, commune: &str) -> Option<&'static str> {
        self.0.commune(commune).map(|c| c.province.as_str())
    }

    pub fn commune_name(&self, commune: &str) -> Option<&'static str> {
        self.0.commune(commune).map(|c| c.name.as_str())
    }

    pub fn province_name(&self, province: &str) -> Option<&'static str> {
        self.0.province(province).map(|p| p.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_loads() {
        let u = AdminUnits::get();
        assert_eq!(u.0.provinces.len(), 34);
        assert!(u.0.communes.len() > 3000);
        assert_eq!(u.province_of("00004"), Some("01"));
        assert_eq!(u.province_name("01"), Some("Thành phố Hà Nội"));
        assert_eq!(u.province_of("99999"), None);
    }
}
