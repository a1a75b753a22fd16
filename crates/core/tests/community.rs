//! Community work (channels, posts, inquiries) in the monthly figures.
mod common;

use chrono::{Duration, Utc};
use common::*;
use tinbao_core::*;

#[test]
fn community_work_is_counted_in_the_monthly_figures() {
    use tinbao_core::community::*;
    let dir = tempfile::tempdir().unwrap();
    let (mut s, chief) = station(&dir, "a.db", BAC_KAN);
    let off = officer(&mut s, &chief);
    let zalo = s
        .add_channel(
            &off,
            NewChannel {
                platform: "zalo".into(),
                name: "Nhóm Zalo Tổ dân phố 7".into(),
                link: None,
                area: Some("Tổ 7".into()),
                officer: Some("Lê Thị Cán Bộ".into()),
            },
        )
        .unwrap();
    let today = Utc::now()
        .with_timezone(&tinbao_core::time::vn_offset())
        .date_naive();
    s.record_followers(&off, zalo, today - Duration::days(40), 410)
        .unwrap();
    s.record_followers(&off, zalo, today, 523).unwrap();
    assert_eq!(s.channels().unwrap()[0].followers, Some(523));
    let post = s
        .add_post(
            &off,
            NewPost {
                published_on: today,
                channels: vec![zalo],
                title: "Cảnh giác lừa đảo giả danh ngân hàng".into(),
                body: "Không bấm vào đường link lạ…".into(),
            },
        )
        .unwrap();
    s.set_post_reach(&off, post, 1200, 85).unwrap();
    let t = s
        .save_answer_template(
            &chief,
            None,
            "cccd",
            "Cấp đổi CCCD",
            "Mang CCCD cũ đến Công an xã…",
        )
        .unwrap();
    s.add_inquiry(
        &off,
        NewInquiry {
            channel: "zalo".into(),
            topic: "cccd".into(),
            question: "Làm lại CCCD cần gì?".into(),
            answer: Some("Mang CCCD cũ…".into()),
            template_id: Some(t),
        },
    )
    .unwrap();
    assert!(
        s.add_inquiry(
            &off,
            NewInquiry {
                channel: "zalo".into(),
                topic: "khong_co".into(),
                question: "?".into(),
                answer: None,
                template_id: None
            }
        )
        .is_err()
    );
    let from = (Utc::now() - Duration::days(1)).timestamp();
    let st = s.stats(&chief, from, from + 2 * 86_400).unwrap();
    assert_eq!((st.posts, st.post_views), (1, 1200));
    assert_eq!(st.inquiries_by_topic[0].key, "cccd");
    assert_eq!(st.channels[0].followers, Some(523));
    assert_eq!(st.channels[0].posts, 1);
    // Officers of the station do this work; a supervisor does not post for the station.
    let sup = Actor {
        role: Role::Supervisor,
        station: None,
        province: Some("19".into()),
        ..off.clone()
    };
    assert!(
        s.add_post(
            &sup,
            NewPost {
                published_on: today,
                channels: vec![],
                title: "x".into(),
                body: "y".into()
            }
        )
        .is_err()
    );
}
