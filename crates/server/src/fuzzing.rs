//! Entry point of the `push_body` fuzz target in `fuzz/` (cargo-fuzz): a push request's body
//! decoded by the handlers' own `decode`, then each change checked by
//! [`crate::policy::check_change`], as `POST /v1/push` does before it stores anything. Hidden
//! from the documentation; not an API for anything else.
//!
//! The device, its scope, the users the server knows and the clock are fixed, so a crash
//! reproduces. Besides "no panic", it checks the policy's promise: an accepted change lies in
//! the device's scope.
use crate::handlers::decode;
use crate::metrics::Metrics;
use crate::policy::check_change;
use crate::router::App;
use crate::storage::User;
use crate::units::AdminUnits;
use axum::http::{HeaderMap, HeaderValue, header};
use std::sync::{Arc, OnceLock};
use tinbao_sync::protocol::{BODY_ENCODING, DeviceScope, MAX_PUSH_BATCH, PushRequest};
use uuid::Uuid;

/// The pushing device.
pub const DEVICE: Uuid = Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_3de16debbf11);
/// The station of the station device (a commune of province 19), and its province.
pub const STATION: &str = "01843";
pub const PROVINCE: &str = "19";
/// An active officer of [`STATION`].
pub const OFFICER: Uuid = Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_000000000001);
/// A locked officer of [`STATION`].
pub const LOCKED: Uuid = Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_000000000002);
/// An active supervisor of [`PROVINCE`].
pub const SUPERVISOR: Uuid = Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_000000000003);
/// The server's clock: 2025-06-15, UTC.
pub const NOW_MS: u64 = 1_750_000_000_000;

/// The users the server knows; any other id is unknown (`None`), as for a user the station
/// created offline.
pub fn user(id: Uuid) -> Option<User> {
    let (name, role, station, active) = match id {
        OFFICER => ("Cán bộ", "officer", Some(STATION), true),
        LOCKED => ("Cán bộ đã khoá", "officer", Some(STATION), false),
        SUPERVISOR => ("Giám sát", "supervisor", None, true),
        _ => return None,
    };
    Some(User {
        id,
        name: name.into(),
        role: role.into(),
        station: station.map(str::to_owned),
        province: PROVINCE.into(),
        active,
    })
}

/// What one body came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The body decoded into a push request of this device within the batch limit.
    pub decoded: bool,
    pub accepted: usize,
    pub rejected: usize,
}

fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        // `decode` only counts bytes in the metrics; the store is never touched.
        let key = crate::storage::sqlite::StoreKey::random();
        let store =
            crate::storage::sqlite::SqliteStorage::open(std::path::Path::new(":memory:"), &key)
                .expect("an in-memory SQLite store");
        App {
            store: Arc::new(store),
            metrics_token: String::new(),
            blobs: std::env::temp_dir(),
            blob_key: crate::blob_cipher::BlobKey::from_store_key(key.hex()),
            metrics: Metrics::default(),
        }
    })
}

/// Decodes `body` as `POST /v1/push` does and checks each change for the station device
/// (`province == false`) or a province device of [`PROVINCE`]. `gzip` says whether the request
/// carried `Content-Encoding: gzip`.
pub fn push_body(body: &[u8], gzip: bool, province: bool) -> Outcome {
    let mut headers = HeaderMap::new();
    if gzip {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(BODY_ENCODING),
        );
    }
    let Ok(req) = decode::<PushRequest>(app(), &headers, body) else {
        return Outcome::default();
    };
    // The handler's own refusals of a whole request.
    if req.device != DEVICE || req.changes.len() > MAX_PUSH_BATCH {
        return Outcome::default();
    }
    let scope = if province {
        DeviceScope::Province {
            province: PROVINCE.into(),
        }
    } else {
        DeviceScope::Station {
            station: STATION.into(),
            province: PROVINCE.into(),
        }
    };
    let units = AdminUnits::get();
    let mut out = Outcome {
        decoded: true,
        ..Outcome::default()
    };
    for c in &req.changes {
        let u = user(c.user);
        match check_change(&scope, DEVICE, u.as_ref(), &units, NOW_MS, c) {
            Ok(p) => {
                assert_eq!(p, PROVINCE, "accepted a change of another province: {c:?}");
                if !province {
                    assert_eq!(c.station, STATION, "accepted another station's change");
                }
                assert_eq!(c.device, DEVICE, "accepted another device's change");
                out.accepted += 1;
            }
            Err(refusal) => {
                assert!(!refusal.message.is_empty());
                out.rejected += 1;
            }
        }
    }
    out
}

/// The fuzz target's entry: the first byte chooses the encoding header (bit 0) and the
/// device's scope (bit 1), the rest is the body.
pub fn fuzz_push_body(data: &[u8]) {
    if let Some((&flags, body)) = data.split_first() {
        push_body(body, flags & 1 != 0, flags & 2 != 0);
    }
}

/// A valid push body of the device (uncompressed JSON), one change for each of the policy's
/// answers (accepted, and each reason of refusal) for a station or a province device. The seed
/// of the fuzz corpus.
pub fn sample_body() -> Vec<u8> {
    use tinbao_sync::{Change, EntityKind, Hlc, Op};
    let change = |n: u128, station: &str, entity, op, user: Uuid, typ: &str| Change {
        id: Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_100000000000 + n),
        entity,
        entity_id: Uuid::from_u128(0x0197c3f5_71a0_7a7a_b766_200000000000 + n),
        station: station.into(),
        op,
        // Fields each kind may write (`EntityKind::fields`): a change is otherwise refused
        // for its fields before anything else is looked at.
        fields: match entity {
            EntityKind::Event => [
                ("type".to_string(), serde_json::json!(typ)),
                (
                    "case_id".to_string(),
                    serde_json::json!(Uuid::from_u128(n).to_string()),
                ),
            ]
            .into(),
            EntityKind::Audit => [
                ("action".to_string(), serde_json::json!(typ)),
                ("user_id".to_string(), serde_json::json!(user.to_string())),
            ]
            .into(),
            EntityKind::AnswerTemplate => {
                [("title".to_string(), serde_json::json!("Cấp CCCD"))].into()
            }
            _ => [("summary".to_string(), serde_json::json!("Mất trộm xe máy"))].into(),
        },
        base: [(
            "summary".to_string(),
            Hlc {
                wall_ms: NOW_MS - 60_000,
                counter: 0,
                node: Hlc::node_of(&DEVICE),
            },
        )]
        .into(),
        hlc: Hlc {
            wall_ms: NOW_MS - 1000,
            counter: n as u32,
            node: Hlc::node_of(&DEVICE),
        },
        device: DEVICE,
        user,
    };
    use EntityKind::*;
    use Op::*;
    let unknown_user = Uuid::from_u128(9);
    let mut ahead = change(6, STATION, Case, Upsert, OFFICER, "intake");
    ahead.hlc.wall_ms = NOW_MS + 3_600_000;
    let mut other_device = change(9, STATION, Case, Upsert, OFFICER, "intake");
    other_device.device = Uuid::from_u128(8);
    let req = PushRequest {
        audit_head: None,
        device: DEVICE,
        changes: vec![
            change(1, STATION, Case, Upsert, OFFICER, "intake"),
            // A commune of province 66.
            change(2, "24280", Event, Insert, OFFICER, "note"),
            change(3, STATION, Event, Insert, SUPERVISOR, "reviewed_approved"),
            change(4, STATION, Case, Upsert, unknown_user, "x"),
            // No such unit.
            change(5, "99999", Case, Upsert, OFFICER, "intake"),
            ahead,
            // Province-wide shared data, filed under the province's code.
            change(7, PROVINCE, AnswerTemplate, Upsert, SUPERVISOR, "x"),
            change(8, STATION, Audit, Insert, SUPERVISOR, "reveal_reporter"),
            other_device,
            change(10, STATION, Event, Insert, LOCKED, "note"),
        ],
    };
    serde_json::to_vec_pretty(&req).expect("a push request serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tinbao_sync::protocol::encode_body;

    #[test]
    fn the_sample_body_decodes_and_is_checked() {
        let body = sample_body();
        let out = push_body(&body, false, false);
        // Accepted: the officer's own change and the unknown user's; refused: another
        // station's, the supervisor's on a station device, no such unit, clock ahead, the
        // province's, the supervisor's audit, another device's, the locked officer's.
        assert_eq!(
            out,
            Outcome {
                decoded: true,
                accepted: 2,
                rejected: 8
            }
        );
        // A province device may write the review event, the answer template and the audit
        // entry, as the supervisor.
        let out = push_body(&body, false, true);
        assert_eq!((out.accepted, out.rejected), (3, 7));
        // Compressed, as devices send it; garbage is refused quietly either way.
        let req: PushRequest = serde_json::from_slice(&body).unwrap();
        let gz = encode_body(&req).unwrap();
        assert!(push_body(&gz, true, false).decoded);
        assert!(!push_body(&body, true, false).decoded);
        assert!(!push_body(b"\x1f\x8b\x08garbage", true, false).decoded);
        fuzz_push_body(&[]);
        fuzz_push_body(b"\x00{");
    }

    /// The push_body target's seeds in `fuzz/seeds/push_body` are valid bodies for the device
    /// (`TINBAO_WRITE_FUZZ_SEEDS=1` writes them from [`sample_body`]).
    #[test]
    fn the_fuzz_seeds_are_valid_push_bodies() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/push_body");
        let body = sample_body();
        let req: PushRequest = serde_json::from_slice(&body).unwrap();
        let gz = encode_body(&req).unwrap();
        let seeds: [(&str, u8, &[u8]); 4] = [
            ("station.bin", 0, &body),
            ("province.bin", 2, &body),
            ("station-gzip.bin", 1, &gz),
            ("province-gzip.bin", 3, &gz),
        ];
        for (name, flags, bytes) in seeds {
            let path = dir.join(name);
            if std::env::var_os("TINBAO_WRITE_FUZZ_SEEDS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, [&[flags][..], bytes].concat()).unwrap();
            }
            let seed = std::fs::read(&path).unwrap();
            let (&f, rest) = seed.split_first().unwrap();
            let out = push_body(rest, f & 1 != 0, f & 2 != 0);
            assert!(out.decoded && out.accepted > 0, "{name}: {out:?}");
        }
    }
}
