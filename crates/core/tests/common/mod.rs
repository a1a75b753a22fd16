//! What the register's tests share: a key, two stations, a chief and an officer, the seed
//! story's report, a text search, the common data set.
// Each test file uses its own share of these.
#![allow(dead_code)]

use chrono::DateTime;
use tinbao_core::search::SearchQuery;
use tinbao_core::*;

pub const KEY: &str = "khóa-thử-nghiệm";
pub const BAC_KAN: &str = "01843";
pub const TAN_AN: &str = "24163";

pub fn station(dir: &tempfile::TempDir, name: &str, code: &str) -> (Store, Actor) {
    let mut s = Store::create(dir.path().join(name), KEY, Scope::Station(code.into())).unwrap();
    s.create_user(
        None,
        NewUser {
            username: "truong".into(),
            full_name: "Nguyễn Văn Trưởng".into(),
            rank: Some("Thiếu tá".into()),
            role: Role::Chief,
            password: "matkhau-123".into(),
        },
    )
    .unwrap();
    let chief = s.login("truong", "matkhau-123").unwrap();
    (s, chief)
}

pub fn officer(s: &mut Store, chief: &Actor) -> Actor {
    s.create_user(
        Some(chief),
        NewUser {
            username: "canbo".into(),
            full_name: "Lê Thị Cán Bộ".into(),
            rank: None,
            role: Role::Officer,
            password: "matkhau-456".into(),
        },
    )
    .unwrap();
    s.login("canbo", "matkhau-456").unwrap()
}

pub fn wheelies() -> NewCase {
    NewCase {
        received_at: Some(DateTime::parse_from_rfc3339("2025-09-29T21:15:00+07:00").unwrap()),
        channel: Channel::Facebook,
        channel_ref: Some("Trang Facebook “Tin Bắc Kạn”".into()),
        kind: Kind::TinBao,
        category: "traffic_order".into(),
        urgency: Urgency::Normal,
        summary: "Hai thanh thiếu niên bốc đầu, lạng lách, đánh võng".into(),
        description: "Hình ảnh người dân ghi lại và đăng trên Facebook: 02 thanh thiếu niên điều khiển xe mô tô bốc đầu, lạng lách, đánh võng tại phường Xuất Hóa.".into(),
        location: Location { commune: Some(BAC_KAN.into()), hamlet: Some("Tổ dân phố Xuất Hóa".into()), ..Default::default() },
        occurred: Some("tối 29/9".into()),
        reporter: None,
        persons: vec![
            NewPerson { role: PersonRole::Suspect, name: "Hoàng Văn Tùng".into(), birth_year: Some(2009), id_number: None, phone: None, address: None, birth_date: Some("2009-03-10".into()), guardian_of: None, guardian_of_index: None },
            NewPerson { role: PersonRole::Suspect, name: "Lý Văn Thắng".into(), birth_year: Some(2008), id_number: None, phone: None, address: None, birth_date: Some("2008-05-20".into()), guardian_of: None, guardian_of_index: None },
            NewPerson { role: PersonRole::Guardian, name: "Hoàng Văn Sáng".into(), birth_year: Some(1979), id_number: None, phone: None, address: None, birth_date: None, guardian_of: None, guardian_of_index: None },
        ],
        receipt: Default::default(),
    }
}

/// A commune police chief's decision in road traffic for one violator.
pub fn sanction(
    person: uuid::Uuid,
    form: SanctionForm,
    fine_vnd: i64,
    adult_fine_vnd: Option<i64>,
    payer: Option<uuid::Uuid>,
    decision_no: &str,
    decided_on: &str,
) -> Action {
    Action::Sanction {
        person,
        form,
        fine_vnd,
        adult_fine_vnd,
        sector: "road_traffic".into(),
        decider_name: "Nguyễn Văn Trưởng".into(),
        decider_title: "commune_police_chief".into(),
        decision_no: decision_no.into(),
        decided_on: decided_on.into(),
        payer,
    }
}

/// A guardian of `minor`, added on the case screen.
pub fn guardian_of(minor: uuid::Uuid) -> NewPerson {
    NewPerson {
        role: PersonRole::Guardian,
        name: "Lý Văn Cường".into(),
        birth_year: Some(1980),
        id_number: None,
        phone: None,
        address: None,
        birth_date: None,
        guardian_of: Some(minor),
        guardian_of_index: None,
    }
}

pub fn text_search(s: &Store, a: &Actor, t: &str) -> Vec<CaseRow> {
    s.search(
        a,
        &SearchQuery {
            text: Some(t.into()),
            page_size: 50,
            ..Default::default()
        },
    )
    .unwrap()
    .rows
}

/// The first 500 cases of the project's common data set (tests/data/README.md).
pub fn sample() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/sample-500.jsonl"
    ))
    .unwrap()
}
