//! Issue 15's upward report: a fixture register with known events across three police months
//! (July, August, September 2025, cut-off the 15th) at two stations of one province, every
//! figure of the monthly, quarterly and yearly report asserted. Outcomes cannot be recorded
//! in the past through the API (an act happens now), so the stations' journals are written
//! now and reach the province's copy through sync with each event's time set to its day in
//! the story, as a station that synced late would send them.
mod common;

use chrono::{DateTime, FixedOffset};
use common::*;
use std::collections::HashMap;
use tinbao_core::community::{NewChannel, NewInquiry, NewPost};
use tinbao_core::stats::{PeriodKind, StationFigures, period};
use tinbao_core::*;

const DUC_XUAN: &str = "01840";

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn case(received: &str, channel: Channel, kind: Kind, category: &str) -> NewCase {
    NewCase {
        received_at: Some(t(received)),
        channel,
        kind,
        category: category.into(),
        persons: vec![],
        ..wheelies()
    }
}

fn classify(class: CaseClass) -> Action {
    Action::Classify {
        kind: None,
        category: None,
        urgency: None,
        class: Some(class),
        agency: None,
    }
}

fn outcome(o: Outcome) -> Action {
    Action::RecordOutcome { outcome: o }
}

fn transferred() -> Outcome {
    Outcome::Transferred {
        to_agency: "Cơ quan CSĐT Công an tỉnh Thái Nguyên".into(),
        note: None,
        documents: vec![],
    }
}

/// When each event of the story happened: by case and event type.
type Story = HashMap<(uuid::Uuid, &'static str), DateTime<FixedOffset>>;

/// The station's pending changes, each event (and inquiry) moved to its time in the story.
fn moved(
    s: &Store,
    story: &Story,
    inquiries: &HashMap<uuid::Uuid, (i64, i64)>,
) -> Vec<tinbao_sync::Change> {
    s.pending_changes(10_000)
        .unwrap()
        .into_iter()
        .map(|mut c| {
            if c.entity == tinbao_sync::EntityKind::Event {
                let case: uuid::Uuid = c.fields["case_id"].as_str().unwrap().parse().unwrap();
                let ty = c.fields["type"].as_str().unwrap().to_owned();
                let at = story
                    .iter()
                    .find(|((id, k), _)| *id == case && *k == ty)
                    .map(|(_, at)| at.timestamp())
                    .unwrap_or_else(|| story[&(case, "created")].timestamp());
                c.fields.insert("at_utc".into(), at.into());
            }
            if c.entity == tinbao_sync::EntityKind::Inquiry
                && let Some((rec, ans)) = inquiries.get(&c.entity_id)
            {
                c.fields.insert("received_utc".into(), (*rec).into());
                c.fields.insert("answered_utc".into(), (*ans).into());
            }
            c
        })
        .collect()
}

fn counts(v: &[stats::Count]) -> Vec<(&str, u32)> {
    let mut v: Vec<(&str, u32)> = v.iter().map(|c| (c.key.as_str(), c.count)).collect();
    v.sort();
    v
}

struct Register {
    province: Store,
    sup: Actor,
}

fn register(dir: &tempfile::TempDir) -> Register {
    let (mut a, chief_a) = station(dir, "a.db", BAC_KAN);
    let (mut b, chief_b) = station(dir, "b.db", DUC_XUAN);
    let mut story: Story = HashMap::new();
    let mut inq = HashMap::new();
    let at = |s: &mut Store,
              a: &Actor,
              id: uuid::Uuid,
              act: Action,
              ty: &'static str,
              when: &str,
              story: &mut Story| {
        s.act(a, id, act).unwrap();
        story.insert((id, ty), t(when));
    };
    // 1. July (15/06–14/07): a Zalo crime report transferred 10 hours after receipt: on time.
    let c1 = a
        .intake(
            &chief_a,
            case(
                "2025-06-20T10:00:00+07:00",
                Channel::Zalo,
                Kind::TinBao,
                "theft",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c1, "created"), t("2025-06-20T10:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c1,
        classify(CaseClass::CrimeTransfer),
        "classified",
        "2025-06-20T11:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c1,
        outcome(transferred()),
        "outcome_recorded",
        "2025-06-20T20:00:00+07:00",
        &mut story,
    );
    // 2. Received in July, transferred in August, six days late: open and overdue at the end
    //    of July, though closed now.
    let c2 = a
        .intake(
            &chief_a,
            case(
                "2025-07-10T08:00:00+07:00",
                Channel::Facebook,
                Kind::ToGiac,
                "fraud",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c2, "created"), t("2025-07-10T08:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c2,
        classify(CaseClass::CrimeTransfer),
        "classified",
        "2025-07-10T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c2,
        outcome(transferred()),
        "outcome_recorded",
        "2025-07-16T09:00:00+07:00",
        &mut story,
    );
    // 3. A walk-in dispute received in August, mediated in September: open (not overdue) at
    //    the end of August.
    let c3 = a
        .intake(
            &chief_a,
            case(
                "2025-08-01T08:00:00+07:00",
                Channel::WalkIn,
                Kind::PhanAnh,
                "dispute",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c3, "created"), t("2025-08-01T08:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c3,
        classify(CaseClass::CivilDispute),
        "classified",
        "2025-08-01T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c3,
        outcome(Outcome::Mediated {
            note: "Hai bên thỏa thuận".into(),
        }),
        "outcome_recorded",
        "2025-08-20T10:00:00+07:00",
        &mut story,
    );
    // 4. September: a hotline report found unfounded five days later.
    let c4 = a
        .intake(
            &chief_a,
            case(
                "2025-08-20T08:00:00+07:00",
                Channel::Hotline,
                Kind::PhanAnh,
                "other",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c4, "created"), t("2025-08-20T08:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c4,
        classify(CaseClass::NotPolice),
        "classified",
        "2025-08-20T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c4,
        outcome(Outcome::Unfounded {
            reason: "Không có sự việc".into(),
        }),
        "outcome_recorded",
        "2025-08-25T08:00:00+07:00",
        &mut story,
    );
    // 5. September: an SMS never classified: open, and overdue (classification, 12 h) at every
    //    end from September on.
    let c5 = a
        .intake(
            &chief_a,
            case(
                "2025-09-01T08:00:00+07:00",
                Channel::Sms,
                Kind::PhanAnh,
                "theft",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c5, "created"), t("2025-09-01T08:00:00+07:00"));
    // 6. The other station, July: a Zalo report transferred on time.
    let c6 = b
        .intake(
            &chief_b,
            case(
                "2025-07-05T08:00:00+07:00",
                Channel::Zalo,
                Kind::TinBao,
                "gambling",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c6, "created"), t("2025-07-05T08:00:00+07:00"));
    at(
        &mut b,
        &chief_b,
        c6,
        classify(CaseClass::CrimeTransfer),
        "classified",
        "2025-07-05T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut b,
        &chief_b,
        c6,
        outcome(transferred()),
        "outcome_recorded",
        "2025-07-05T20:00:00+07:00",
        &mut story,
    );
    // 7. September: a Facebook video of an adult's wheelies, sanctioned (decision dated
    //    20/08, a commune police chief's fine) and closed the next day.
    let mut w = case(
        "2025-08-16T08:00:00+07:00",
        Channel::Facebook,
        Kind::PhanAnh,
        "traffic_order",
    );
    w.persons = vec![NewPerson {
        role: PersonRole::Suspect,
        name: "Trần Văn Bạc".into(),
        birth_year: Some(1990),
        id_number: None,
        phone: None,
        address: None,
        birth_date: Some("1990-01-01".into()),
        guardian_of: None,
        guardian_of_index: None,
    }];
    let c7 = a.intake(&chief_a, w).unwrap();
    let (c7, bac) = (c7.row.id, c7.persons[0].id);
    story.insert((c7, "created"), t("2025-08-16T08:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c7,
        classify(CaseClass::AdminViolation),
        "classified",
        "2025-08-16T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c7,
        sanction(
            bac,
            SanctionForm::Fine,
            1_500_000,
            None,
            None,
            "07/QĐ-XPHC",
            "2025-08-20",
        ),
        "sanction_decided",
        "2025-08-20T10:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c7,
        outcome(Outcome::Sanctioned {
            record_no: "02/BB-VPHC".into(),
            decision_no: None,
            fine_vnd: None,
            decided_by: None,
            note: None,
        }),
        "outcome_recorded",
        "2025-08-21T08:00:00+07:00",
        &mut story,
    );
    // 8. July: a walk-in denunciation kept at the commune, no notice to the procuracy sent
    //    (overdue at the ends of July and August), decided (khởi tố) on 16/08, September.
    let off = officer(&mut a, &chief_a);
    a.set_investigator(&chief_a, off.user_id, true).unwrap();
    let c8 = a
        .intake(
            &chief_a,
            case(
                "2025-07-01T08:00:00+07:00",
                Channel::WalkIn,
                Kind::ToGiac,
                "theft",
            ),
        )
        .unwrap()
        .row
        .id;
    story.insert((c8, "created"), t("2025-07-01T08:00:00+07:00"));
    at(
        &mut a,
        &chief_a,
        c8,
        classify(CaseClass::CrimeCommune),
        "classified",
        "2025-07-01T09:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &chief_a,
        c8,
        Action::AssignInvestigator { user: off.user_id },
        "investigator_assigned",
        "2025-07-01T10:00:00+07:00",
        &mut story,
    );
    at(
        &mut a,
        &off,
        c8,
        Action::ProsecutionDecision {
            decision: ProsecutionDecision::KhoiTo,
            number: "5/QĐ-KTVA".into(),
            issuing_body: "Cơ quan CSĐT Công an tỉnh Thái Nguyên".into(),
            signatory: "Lê Thị Cán Bộ".into(),
            date: Some(chrono::NaiveDate::from_ymd_opt(2025, 8, 16).unwrap()),
        },
        "prosecution_decision",
        "2025-08-16T10:00:00+07:00",
        &mut story,
    );
    // A warning post in July, with its views.
    let ch = a
        .add_channel(
            &chief_a,
            NewChannel {
                platform: "zalo".into(),
                name: "Nhóm Zalo TDP Xuất Hóa".into(),
                link: None,
                area: None,
                officer: None,
            },
        )
        .unwrap();
    let post = a
        .add_post(
            &chief_a,
            NewPost {
                published_on: chrono::NaiveDate::from_ymd_opt(2025, 7, 10).unwrap(),
                channels: vec![ch],
                title: "Cảnh báo lừa đảo".into(),
                body: "Không chuyển tiền cho người lạ.".into(),
            },
        )
        .unwrap();
    a.set_post_reach(&chief_a, post, 350, 12).unwrap();
    // Questions: one answered the same day (July), one received late on 3 August and answered
    // the next morning (August: within 24 hours, not within the day).
    let q = |topic: &str| NewInquiry {
        channel: "zalo".into(),
        topic: topic.into(),
        question: "Hỏi thủ tục".into(),
        answer: Some("Trả lời".into()),
        template_id: None,
    };
    let q1 = a.add_inquiry(&chief_a, q("cccd")).unwrap();
    inq.insert(
        q1,
        (
            t("2025-07-02T09:00:00+07:00").timestamp(),
            t("2025-07-02T15:00:00+07:00").timestamp(),
        ),
    );
    let q2 = a.add_inquiry(&chief_a, q("cu_tru")).unwrap();
    inq.insert(
        q2,
        (
            t("2025-08-03T22:00:00+07:00").timestamp(),
            t("2025-08-04T08:00:00+07:00").timestamp(),
        ),
    );

    let mut p = Store::create(dir.path().join("p.db"), KEY, Scope::Province("19".into())).unwrap();
    p.create_user(
        None,
        NewUser {
            username: "giamsat".into(),
            full_name: "Giám sát".into(),
            rank: None,
            role: Role::Supervisor,
            password: "matkhau-123".into(),
        },
    )
    .unwrap();
    let sup = p.login("giamsat", "matkhau-123").unwrap();
    for s in [&a, &b] {
        let rep = p.apply_remote(&moved(s, &story, &inq)).unwrap();
        assert_eq!(rep.rejected, 0);
    }
    Register { province: p, sup }
}

/// The report of a period as station A's chief (on the province's copy) and the province.
fn report(r: &Register, kind: PeriodKind, n: u32) -> (stats::Stats, stats::Stats) {
    let (from, to) = period(kind, 2025, n, 15);
    let chief = Actor {
        role: Role::Chief,
        station: Some(BAC_KAN.into()),
        province: None,
        ..r.sup.clone()
    };
    (
        r.province.stats(&chief, from, to).unwrap(),
        r.province.stats(&r.sup, from, to).unwrap(),
    )
}

#[test]
fn the_monthly_quarterly_and_yearly_figures_count_each_event_in_its_own_period() {
    let dir = tempfile::tempdir().unwrap();
    let r = register(&dir);
    let row = |p: &stats::Stats, code: &str| {
        p.stations
            .iter()
            .find(|s| s.station == code)
            .cloned()
            .unwrap()
    };

    // July: c1 (transferred on time), c2, c8 received; c6 at the other station.
    let (a, p) = report(&r, PeriodKind::Month, 7);
    assert_eq!(a.received, 3);
    assert_eq!(
        counts(&a.by_channel),
        [("facebook", 1), ("walk_in", 1), ("zalo", 1)]
    );
    assert_eq!(counts(&a.by_kind), [("tin_bao", 1), ("to_giac", 2)]);
    assert_eq!(counts(&a.by_category), [("fraud", 1), ("theft", 2)]);
    assert_eq!(
        counts(&a.by_legal_group),
        [("economic", 1), ("social_order", 2)],
        "theft counts as a crime against social order, fraud as an economic one"
    );
    assert_eq!(
        (a.social_media, counts(&a.social_media_by_channel)),
        (2, vec![("facebook", 1), ("zalo", 1)])
    );
    assert_eq!(
        (a.transferred, a.transferred_on_time, a.transferred_late),
        (1, 1, 0)
    );
    assert_eq!((a.mediated, a.unfounded, a.sanctions), (0, 0, 0));
    assert_eq!(counts(&a.outcomes), [("transferred", 1)]);
    assert!(a.decisions.is_empty());
    assert_eq!((a.sanction_decisions.decisions, a.fines_vnd), (0, 0));
    assert_eq!(
        (a.open, a.overdue),
        (2, 2),
        "c2 and c8 at the end of July, not as of now"
    );
    assert_eq!(a.median_hours_to_outcome, Some(10.0));
    assert_eq!(
        (
            counts(&a.inquiries_by_topic),
            a.answered,
            a.answered_same_day
        ),
        (vec![("cccd", 1)], 1, 1)
    );
    assert_eq!((a.posts, a.post_views), (1, 350));
    assert!(
        a.stations.is_empty() && a.total.is_none(),
        "a station's own report"
    );
    assert_eq!(p.received, 4);
    assert_eq!(
        (p.transferred, p.transferred_on_time, p.transferred_late),
        (2, 2, 0)
    );
    assert_eq!(
        row(&p, DUC_XUAN),
        StationFigures {
            station: DUC_XUAN.into(),
            received: 1,
            social_media: 1,
            transferred: 1,
            transferred_on_time: 1,
            ..Default::default()
        }
    );
    assert_eq!(
        row(&p, BAC_KAN),
        StationFigures {
            station: BAC_KAN.into(),
            received: 3,
            social_media: 2,
            transferred: 1,
            transferred_on_time: 1,
            open: 2,
            overdue: 2,
            inquiries: 1,
            answered: 1,
            answered_same_day: 1,
            posts: 1,
            post_views: 350,
            ..Default::default()
        }
    );
    let total = p.total.clone().unwrap();
    assert_eq!(
        total,
        StationFigures {
            station: String::new(),
            received: 4,
            social_media: 3,
            transferred: 2,
            transferred_on_time: 2,
            open: 2,
            overdue: 2,
            inquiries: 1,
            answered: 1,
            answered_same_day: 1,
            posts: 1,
            post_views: 350,
            ..Default::default()
        }
    );

    // August: c3 received; c2 transferred late (received in July); c8 still open, overdue.
    let (a, _) = report(&r, PeriodKind::Month, 8);
    assert_eq!((a.received, a.social_media), (1, 0));
    assert_eq!(counts(&a.by_channel), [("walk_in", 1)]);
    assert_eq!(
        (a.transferred, a.transferred_on_time, a.transferred_late),
        (1, 0, 1)
    );
    assert_eq!(
        (a.open, a.overdue),
        (2, 1),
        "c3 (mediated since) and c8 open at the end of August"
    );
    assert_eq!(a.median_hours_to_outcome, Some(145.0));
    assert_eq!(
        (
            counts(&a.answered_by_topic),
            a.answered,
            a.answered_same_day
        ),
        (vec![("cu_tru", 1)], 1, 0)
    );
    assert!(a.inquiries_by_topic.iter().all(|c| c.key == "cu_tru"));
    assert_eq!((a.posts, a.post_views), (0, 0));

    // September: c4, c5, c7 received; c3 mediated, c4 unfounded, c7 sanctioned, c8 decided.
    let (a, p) = report(&r, PeriodKind::Month, 9);
    assert_eq!(a.received, 3);
    assert_eq!(
        counts(&a.by_channel),
        [("facebook", 1), ("hotline", 1), ("sms", 1)]
    );
    assert_eq!(a.social_media, 1);
    assert_eq!(
        (a.mediated, a.unfounded, a.transferred, a.sanctions),
        (1, 1, 0, 1)
    );
    assert_eq!(
        counts(&a.outcomes),
        [("mediated", 1), ("sanctioned", 1), ("unfounded", 1)]
    );
    assert_eq!(counts(&a.decisions), [("khoi_to", 1)]);
    let sd = &a.sanction_decisions;
    assert_eq!(
        (sd.decisions, sd.warnings, sd.fines_vnd, a.fines_vnd),
        (1, 0, 1_500_000, 1_500_000)
    );
    assert_eq!(
        sd.by_title
            .iter()
            .map(|t| (t.title.as_str(), t.decisions, t.fines_vnd))
            .collect::<Vec<_>>(),
        [("commune_police_chief", 1, 1_500_000)]
    );
    assert_eq!((a.open, a.overdue), (1, 1), "c5, never classified");
    // c7 sanctioned and c4 unfounded after 120 h, c3 mediated after 458 h, c8 decided after
    // 1 106 h: the median is between the middle two.
    assert_eq!(a.median_hours_to_outcome, Some((120.0 + 458.0) / 2.0));
    assert_eq!(
        row(&p, DUC_XUAN),
        StationFigures {
            station: DUC_XUAN.into(),
            ..Default::default()
        }
    );
    assert_eq!(p.total.unwrap().decisions, 1);

    // The third quarter holds the three months; the year too.
    for kind in [PeriodKind::Quarter, PeriodKind::Year] {
        let (a, p) = report(&r, kind, 3);
        assert_eq!(a.received, 7, "{kind:?}");
        assert_eq!(a.social_media, 3);
        assert_eq!(
            (a.transferred, a.transferred_on_time, a.transferred_late),
            (2, 1, 1)
        );
        assert_eq!((a.mediated, a.unfounded, a.sanctions), (1, 1, 1));
        assert_eq!(counts(&a.decisions), [("khoi_to", 1)]);
        assert_eq!(
            (a.sanction_decisions.decisions, a.fines_vnd),
            (1, 1_500_000)
        );
        assert_eq!((a.open, a.overdue), (1, 1));
        assert_eq!(
            a.median_hours_to_outcome,
            Some(132.5),
            "10, 120, 120, 145, 458, 1 106 hours"
        );
        assert_eq!((a.answered, a.answered_same_day), (2, 1));
        assert_eq!((a.posts, a.post_views), (1, 350));
        assert_eq!(p.received, 8);
        assert_eq!(p.stations.len(), 2);
        let total = p.total.unwrap();
        assert_eq!(
            total,
            StationFigures {
                station: String::new(),
                received: 8,
                social_media: 4,
                transferred: 3,
                transferred_on_time: 2,
                transferred_late: 1,
                decisions: 1,
                sanction_decisions: 1,
                fines_vnd: 1_500_000,
                mediated: 1,
                unfounded: 1,
                open: 1,
                overdue: 1,
                inquiries: 2,
                answered: 2,
                answered_same_day: 1,
                posts: 1,
                post_views: 350,
            }
        );
        // The total row is the sum of the stations' rows and the province's own figures.
        assert_eq!((total.received, total.open), (p.received, p.open));
    }
    // The day of c8's decision alone: the decision is c8's outcome, 1 106 h after receipt.
    let chief = Actor {
        role: Role::Chief,
        station: Some(BAC_KAN.into()),
        province: None,
        ..r.sup.clone()
    };
    let day = r
        .province
        .stats(
            &chief,
            t("2025-08-16T00:00:00+07:00").timestamp(),
            t("2025-08-17T00:00:00+07:00").timestamp(),
        )
        .unwrap();
    assert_eq!(
        (counts(&day.decisions), day.median_hours_to_outcome),
        (vec![("khoi_to", 1)], Some(1106.0))
    );
    // The second quarter (to 14/06) saw nothing.
    let (a, _) = report(&r, PeriodKind::Quarter, 2);
    assert_eq!((a.received, a.open), (0, 0));
}
