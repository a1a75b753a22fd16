//! Authorisation against the real server: every endpoint × device role × scope, a revoked
//! device, missing and wrong credentials, wrong protocol versions, and enrolment codes.
use std::collections::BTreeMap;
use tinbao_scenarios::*;
use tinbao_sync::protocol::*;
use tinbao_sync::{Change, EntityKind, Hlc, Op};
use tinbao_sync_client::{SyncClient, SyncError};
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// An enrolled device seen from the wire: its id and a client holding its credential.
struct Dev {
    id: Uuid,
    client: SyncClient,
    rt: tokio::runtime::Runtime,
    /// The secret of its credential, chosen by the device (as the app's store does).
    secret: String,
}

impl Dev {
    fn enrol(server: &ServerProc, code: &str) -> Result<Dev> {
        Dev::enrol_as(server, code, Uuid::now_v7())
    }

    /// Enrols under a given device id (the client proposes its core store's id), with a
    /// credential secret of its own.
    fn enrol_as(server: &ServerProc, code: &str, id: Uuid) -> Result<Dev> {
        Dev::enrol_with(server, code, id, tinbao_sync::protocol::random_secret(32))
    }

    /// Enrols under `id` with the credential secret `secret` (the same device enrolling again).
    fn enrol_with(server: &ServerProc, code: &str, id: Uuid, secret: String) -> Result<Dev> {
        let code: EnrolmentCode = code.parse()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let anon = SyncClient::new(&server.url(), code.fingerprint, None)?;
        let resp = rt.block_on(anon.enrol(&EnrolRequest {
            secret: code.secret.clone(),
            device_name: "thử".into(),
            device_id: id,
            scope_code: None,
            credential_secret: Some(secret.clone()),
        }))?;
        let client = SyncClient::new(&server.url(), code.fingerprint, Some(resp.credential))?
            .with_retry(no_retry());
        Ok(Dev {
            id,
            client,
            rt,
            secret,
        })
    }

    fn change(&self, entity: EntityKind, op: Op, station: &str, fields: &[(&str, &str)]) -> Change {
        Change {
            id: Uuid::now_v7(),
            entity,
            entity_id: Uuid::now_v7(),
            station: station.into(),
            op,
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect::<BTreeMap<_, _>>(),
            base: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: now_ms(),
                counter: 0,
                node: Hlc::node_of(&self.id),
            },
            device: self.id,
            user: Uuid::now_v7(),
        }
    }

    /// Pushes one change: Ok(seq) or Err(reason).
    fn push(&self, c: Change) -> Result<Result<u64, RejectReason>> {
        let r = self.rt.block_on(self.client.push(
            &PushRequest {
                device: self.id,
                changes: vec![c],
                audit_head: None,
            },
            &|_| {},
        ))?;
        Ok(match (r.accepted.first(), r.rejected.first()) {
            (Some(a), None) => Ok(a.seq),
            (None, Some(rj)) => Err(rj.reason),
            other => return Err(format!("unexpected push answer {other:?}").into()),
        })
    }

    fn pull_all(&self) -> Result<Vec<Change>, SyncError> {
        let r = self.rt.block_on(self.client.pull(
            &PullRequest {
                since: 0,
                limit: 5000,
                include_own: false,
            },
            &|_| {},
        ))?;
        Ok(r.changes.into_iter().map(|s| s.change).collect())
    }
}

/// `c` with `case` as its parent case (`case_id`), as the core writes events, persons and
/// attachments.
fn of(mut c: Change, case: Uuid) -> Change {
    c.fields
        .insert("case_id".into(), serde_json::json!(case.to_string()));
    c
}

fn no_retry() -> tinbao_sync_client::RetryPolicy {
    tinbao_sync_client::RetryPolicy {
        attempts: 1,
        ..Default::default()
    }
}

fn server_code(e: &SyncError) -> Option<(u16, ErrorCode)> {
    match e {
        SyncError::Server { status, body } => Some((*status, body.code)),
        _ => None,
    }
}

#[test]
fn every_endpoint_checks_role_scope_and_revocation() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let (other_province, other_stations) = province_stations(5, 1)?;
    assert_ne!(other_province, PROVINCE);
    let other_station = other_stations[0].clone();
    server.admin(&["station", "add", "--code", &other_station])?;

    let a = Dev::enrol(&server, &server.enrol_code(Some(STATION_A), None)?)?;
    let a_spare = Dev::enrol(&server, &server.enrol_code(Some(STATION_A), None)?)?;
    let b = Dev::enrol(&server, &server.enrol_code(Some(STATION_B), None)?)?;
    let sup = Dev::enrol(&server, &server.enrol_code(None, Some(PROVINCE))?)?;
    let far = Dev::enrol(&server, &server.enrol_code(None, Some(&other_province))?)?;
    let far_station = Dev::enrol(&server, &server.enrol_code(Some(&other_station), None)?)?;

    use EntityKind::*;
    use Op::*;
    use RejectReason::*;
    let review = [("type", "reviewed_returned")];
    let approve = [("type", "reviewed_approved")];
    let note = [("type", "note")];
    let case = [("summary", "Trộm cắp")];

    // Station devices: their own station only.
    let case_a = a.change(Case, Upsert, STATION_A, &case);
    let case_a_id = case_a.entity_id;
    assert!(a.push(case_a)?.is_ok());
    assert!(
        a.push(of(a.change(Event, Insert, STATION_A, &note), case_a_id))?
            .is_ok()
    );
    assert_eq!(
        a.push(a.change(Case, Upsert, STATION_B, &case))?,
        Err(OutOfScope)
    );
    assert_eq!(
        a.push(a.change(Event, Insert, STATION_B, &review))?,
        Err(OutOfScope)
    );
    assert_eq!(
        a.push(a.change(Case, Upsert, &other_station, &case))?,
        Err(OutOfScope)
    );
    assert_eq!(
        a.push(a.change(AnswerTemplate, Upsert, PROVINCE, &[("title", "CCCD")]))?,
        Err(OutOfScope),
        "a station does not write the province's shared templates"
    );
    assert_eq!(
        a.push(a.change(Case, Upsert, "99999", &case))?,
        Err(Invalid)
    );
    let case_b = b.change(Case, Upsert, STATION_B, &case);
    let case_b_id = case_b.entity_id;
    assert!(b.push(case_b)?.is_ok());
    // A change naming another device as its author.
    let mut forged = a.change(Case, Upsert, STATION_A, &case);
    forged.device = b.id;
    assert_eq!(a.push(forged)?, Err(WrongDevice));
    // A PC whose clock runs a day ahead.
    let mut ahead = a.change(Case, Upsert, STATION_A, &case);
    ahead.hlc.wall_ms += 24 * 3600 * 1000;
    assert_eq!(a.push(ahead)?, Err(ClockAhead));

    // Supervisor device: review events and audit records in its province's stations, answer
    // templates at province level, nothing else.
    assert!(
        sup.push(of(sup.change(Event, Insert, STATION_A, &review), case_a_id))?
            .is_ok()
    );
    assert!(
        sup.push(of(
            sup.change(Event, Insert, STATION_B, &approve),
            case_b_id
        ))?
        .is_ok()
    );
    let mut reveal = sup.change(Audit, Insert, STATION_A, &[("action", "reveal")]);
    reveal
        .fields
        .insert("user_id".into(), serde_json::json!(reveal.user.to_string()));
    assert!(sup.push(reveal)?.is_ok());
    assert!(
        sup.push(sup.change(AnswerTemplate, Upsert, PROVINCE, &[("title", "CCCD")]))?
            .is_ok()
    );
    assert_eq!(
        sup.push(sup.change(Event, Insert, STATION_A, &note))?,
        Err(NotReviewEvent)
    );
    assert_eq!(
        sup.push(sup.change(Event, Upsert, STATION_A, &review))?,
        Err(NotReviewEvent)
    );
    assert_eq!(
        sup.push(sup.change(Case, Upsert, STATION_A, &case))?,
        Err(NotReviewEvent)
    );
    assert_eq!(
        sup.push(sup.change(Person, Upsert, STATION_A, &[("name", "X")]))?,
        Err(NotReviewEvent)
    );
    assert_eq!(
        sup.push(sup.change(Event, Insert, &other_station, &review))?,
        Err(OutOfScope)
    );
    assert_eq!(
        sup.push(sup.change(AnswerTemplate, Upsert, &other_province, &[("title", "x")]))?,
        Err(OutOfScope)
    );
    assert_eq!(
        far.push(far.change(Event, Insert, STATION_A, &review))?,
        Err(OutOfScope)
    );

    // Registered users: their station, role and province are checked too.
    let officer = server.admin(&[
        "user",
        "add",
        "--name",
        "Lê Văn Bình",
        "--role",
        "officer",
        "--station",
        STATION_A,
    ])?;
    let officer: Uuid = officer["id"].as_str().ok_or("id")?.parse()?;
    let supervisor = server.admin(&[
        "user",
        "add",
        "--name",
        "Trần Thị Hoa",
        "--role",
        "supervisor",
        "--province",
        PROVINCE,
    ])?;
    let supervisor: Uuid = supervisor["id"].as_str().ok_or("id")?.parse()?;
    let as_user = |d: &Dev, mut c: Change, u: Uuid| {
        c.user = u;
        d.push(c)
    };
    assert!(as_user(&a, a.change(Case, Upsert, STATION_A, &case), officer)?.is_ok());
    assert_eq!(
        as_user(&b, b.change(Case, Upsert, STATION_B, &case), officer)?,
        Err(UserNotAllowed)
    );
    assert_eq!(
        as_user(&sup, sup.change(Event, Insert, STATION_A, &review), officer)?,
        Err(UserNotAllowed)
    );
    assert!(
        as_user(
            &sup,
            of(sup.change(Event, Insert, STATION_A, &review), case_a_id),
            supervisor
        )?
        .is_ok()
    );
    assert_eq!(
        as_user(&a, a.change(Case, Upsert, STATION_A, &case), supervisor)?,
        Err(UserNotAllowed)
    );

    // Re-pushing an accepted change keeps its sequence number and stores nothing new.
    let c = a.change(Case, Upsert, STATION_A, &case);
    let s1 = a.push(c.clone())?;
    let s2 = a.push(c)?;
    assert!(s1.is_ok());
    assert_eq!(s1, s2);

    // Pulls see exactly the scope.
    let stations = |cs: &[Change]| {
        let mut s: Vec<String> = cs.iter().map(|c| c.station.clone()).collect();
        s.sort();
        s.dedup();
        s
    };
    // A station's local account reaches the station's other devices, never the supervisor's
    // laptop; a password hash never leaves the PC that set it, so a change carrying one is
    // refused.
    let with_hash = a.change(
        User,
        Upsert,
        STATION_A,
        &[("username", "binh"), ("password_hash", "$argon2id$…")],
    );
    assert_eq!(a.push(with_hash)?, Err(RejectReason::Invalid));
    let account = a.change(User, Upsert, STATION_A, &[("username", "binh")]);
    let account_id = account.id;
    assert!(a.push(account)?.is_ok());
    assert!(a_spare.pull_all()?.iter().any(|c| c.id == account_id));
    assert!(!sup.pull_all()?.iter().any(|c| c.entity == User));
    let (a_, b_, p_) = (
        STATION_A.to_string(),
        STATION_B.to_string(),
        PROVINCE.to_string(),
    );
    // A station: its own station's changes by others and the province's shared ones.
    assert_eq!(stations(&a.pull_all()?), vec![a_.clone(), p_.clone()]);
    assert_eq!(stations(&b.pull_all()?), vec![b_.clone(), p_.clone()]);
    // The supervisor: every station of the province.
    assert_eq!(stations(&sup.pull_all()?), vec![a_.clone(), b_.clone()]);
    // Another province's devices see none of it.
    assert!(far.pull_all()?.is_empty());
    assert!(far_station.pull_all()?.is_empty());
    // Nobody gets their own changes back.
    assert!(a.pull_all()?.iter().all(|c| c.device != a.id));

    // Attachments: readable within the uploader's scope only; province devices do not upload.
    let blob = b"anh chup man hinh tin nhan lua dao".repeat(100);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&blob))
    };
    assert!(a.rt.block_on(a.client.upload_attachment(&sha, &blob, &|_| {}))?);
    // A second upload of the same file is skipped.
    assert!(
        !a.rt
            .block_on(a.client.upload_attachment(&sha, &blob, &|_| {}))?
    );
    assert!(
        a.rt.block_on(a.client.attachment_status(&sha, &|_| {}))?
            .present
    );
    assert_eq!(
        a.rt.block_on(a.client.download_attachment(&sha, &|_| {}))?,
        blob
    );
    assert_eq!(
        sup.rt
            .block_on(sup.client.download_attachment(&sha, &|_| {}))?,
        blob
    );
    assert!(
        !b.rt
            .block_on(b.client.attachment_status(&sha, &|_| {}))?
            .present
    );
    for d in [&b, &far, &far_station] {
        let e =
            d.rt.block_on(d.client.download_attachment(&sha, &|_| {}))
                .err()
                .ok_or("read out of scope")?;
        assert_eq!(server_code(&e), Some((404, ErrorCode::NotFound)));
    }
    let e = sup
        .rt
        .block_on(sup.client.upload_attachment(&"0".repeat(64), b"x", &|_| {}))
        .err()
        .ok_or("province upload")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::Forbidden)));
    // Content that does not match its hash is refused.
    let e =
        b.rt.block_on(b.client.upload_attachment(&sha, b"something else", &|_| {}))
            .err()
            .ok_or("bad hash")?;
    assert_eq!(server_code(&e), Some((400, ErrorCode::BadRequest)));

    // A revoked device is refused at once on every endpoint.
    assert!(a_spare.pull_all().is_ok());
    server.admin(&["device", "revoke", &a_spare.id.to_string()])?;
    let d = &a_spare;
    let refused: Vec<SyncError> = vec![
        d.pull_all().err().ok_or("pull")?,
        d.push(d.change(Case, Upsert, STATION_A, &case))
            .err()
            .ok_or("push")?
            .downcast::<SyncError>()
            .map(|b| *b)
            .map_err(|_| "push error type")?,
        d.rt.block_on(d.client.whoami()).err().ok_or("whoami")?,
        d.rt.block_on(d.client.attachment_status(&sha, &|_| {}))
            .err()
            .ok_or("status")?,
        d.rt.block_on(d.client.download_attachment(&sha, &|_| {}))
            .err()
            .ok_or("get")?,
        d.rt.block_on(d.client.upload_attachment(&"1".repeat(64), b"x", &|_| {}))
            .err()
            .ok_or("put")?,
    ];
    for e in &refused {
        assert_eq!(server_code(e), Some((403, ErrorCode::Revoked)), "{e}");
    }
    let listed = server.admin(&["device", "list"])?;
    let revoked = listed
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|v| v["id"] == serde_json::json!(d.id))
        .ok_or("listed")?;
    assert!(revoked["revoked_ms"].is_u64());
    // A new code does not lift the revocation, nor is it used up by the attempt; the
    // administrator's explicit unrevoke does.
    let code = server.enrol_code(Some(STATION_A), None)?;
    let e = Dev::enrol_as(&server, &code, d.id)
        .err()
        .ok_or("a revoked id re-enrolled")?
        .downcast::<SyncError>()
        .map_err(|_| "enrol error type")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::InvalidCode)), "{e}");
    // Nor does another scope's code take the id over.
    let e = Dev::enrol_as(&server, &server.enrol_code(Some(STATION_B), None)?, a.id)
        .err()
        .ok_or("an id taken over by another station")?
        .downcast::<SyncError>()
        .map_err(|_| "enrol error type")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::InvalidCode)), "{e}");
    // Nor does another PC of the same station, with a fresh code of its own.
    let sibling_code = server.enrol_code(Some(STATION_A), None)?;
    let e = Dev::enrol_as(&server, &sibling_code, a.id)
        .err()
        .ok_or("an id taken over by a sibling PC")?
        .downcast::<SyncError>()
        .map_err(|_| "enrol error type")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::InvalidCode)), "{e}");
    assert!(
        a.pull_all().is_ok(),
        "the owner of the id keeps its credential"
    );
    // The device itself enrolling again (an answer lost on the way) is let through.
    let a_again = Dev::enrol_with(&server, &sibling_code, a.id, a.secret.clone())?;
    assert!(a_again.pull_all().is_ok());
    server.admin(&["device", "unrevoke", &d.id.to_string()])?;
    let back = Dev::enrol_with(&server, &code, d.id, d.secret.clone())?;
    assert!(back.pull_all().is_ok());
    server.admin(&["device", "revoke", &d.id.to_string()])?;

    // /metrics is the administrator's: no token, a device's credential or a wrong token get
    // 401; the token from `metrics-token` gets the text.
    {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tinbao_sync_client::pin::client_config(
                server
                    .enrol_code(Some(STATION_A), None)?
                    .parse::<EnrolmentCode>()?
                    .fingerprint,
            )?)
            .build()?;
        let device_cred = format!("{}.{}", a.id.simple(), "00".repeat(32));
        let token = server.metrics_token()?;
        for (auth, want) in [
            (None, 401),
            (Some(device_cred.as_str()), 401),
            (Some("x"), 401),
            (Some(token.as_str()), 200),
        ] {
            let mut req = http.get(format!("{}/metrics", server.url()));
            if let Some(t) = auth {
                req = req.bearer_auth(t);
            }
            let status = a.rt.block_on(req.send())?.status().as_u16();
            assert_eq!(status, want, "/metrics with {auth:?}");
        }
        assert!(server.metric("tinbao_changes_stored")? > 0);
    }

    // No credential, or a wrong one: 401 everywhere.
    let fp: EnrolmentCode = server.enrol_code(Some(STATION_A), None)?.parse()?;
    let wrong = format!("{}.{}", a.id.simple(), "00".repeat(32));
    for cred in [None, Some(wrong)] {
        let c = SyncClient::new(&server.url(), fp.fingerprint, cred)?.with_retry(no_retry());
        let rt = &a.rt;
        let errs = vec![
            rt.block_on(c.whoami()).err().ok_or("whoami")?,
            rt.block_on(c.pull(
                &PullRequest {
                    since: 0,
                    limit: 10,
                    include_own: false,
                },
                &|_| {},
            ))
            .err()
            .ok_or("pull")?,
            rt.block_on(c.push(
                &PushRequest {
                    device: a.id,
                    changes: vec![],
                    audit_head: None,
                },
                &|_| {},
            ))
            .err()
            .ok_or("push")?,
            rt.block_on(c.attachment_status(&sha, &|_| {}))
                .err()
                .ok_or("status")?,
            rt.block_on(c.download_attachment(&sha, &|_| {}))
                .err()
                .ok_or("get")?,
        ];
        for e in &errs {
            assert_eq!(server_code(e), Some((401, ErrorCode::Unauthorized)), "{e}");
        }
    }

    // A push naming another device in its envelope.
    let e =
        a.rt.block_on(a.client.push(
            &PushRequest {
                device: b.id,
                changes: vec![],
                audit_head: None,
            },
            &|_| {},
        ))
        .err()
        .ok_or("envelope")?;
    assert_eq!(server_code(&e), Some((400, ErrorCode::BadRequest)));
    Ok(())
}

#[test]
fn enrolment_codes_are_one_time_pinned_and_versioned() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let text = server.enrol_code(Some(STATION_A), None)?;
    let code: EnrolmentCode = text.parse()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let anon = SyncClient::new(&server.url(), code.fingerprint, None)?.with_retry(no_retry());
    let req = |secret: &str| EnrolRequest {
        secret: secret.into(),
        device_name: "Máy trực ban".into(),
        device_id: Uuid::now_v7(),
        scope_code: None,
        credential_secret: None,
    };
    // Wrong secret, then the right one, then the right one again.
    let e = rt
        .block_on(anon.enrol(&req(&"ab".repeat(16))))
        .err()
        .ok_or("wrong secret")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::InvalidCode)));
    assert!(rt.block_on(anon.enrol(&req(&code.secret))).is_ok());
    let e = rt
        .block_on(anon.enrol(&req(&code.secret)))
        .err()
        .ok_or("reuse")?;
    assert_eq!(server_code(&e), Some((403, ErrorCode::InvalidCode)));

    // A code whose fingerprint is not this server's: the device refuses to talk to it.
    let mut other = code.clone();
    other.fingerprint[0] ^= 0xff;
    let dir2 = tempfile::tempdir()?;
    let mut dev = Device::station(dir2.path(), "x", STATION_A)?;
    let e = dev
        .enrol(&server.url(), &other.to_string())
        .err()
        .ok_or("pin")?;
    assert!(
        matches!(e.downcast_ref::<SyncError>(), Some(SyncError::CertMismatch)),
        "{e}"
    );
    // A supervisor's code used on a station database is refused before anything is saved.
    let pcode = server.enrol_code(None, Some(PROVINCE))?;
    let e = dev.enrol(&server.url(), &pcode).err().ok_or("scope")?;
    let e = e.downcast_ref::<SyncError>().ok_or("error type")?;
    assert_eq!(server_code(e), Some((403, ErrorCode::InvalidCode)), "{e}");
    // ...and the code is still good for a supervisor's database.
    let mut sup = Device::supervisor(dir2.path(), "sup", PROVINCE)?;
    sup.enrol(&server.url(), &pcode)?;
    assert!(dev.store.enrolment()?.is_none());

    // An app speaking another protocol version is told what to update, in Vietnamese.
    for (version, status, want) in [
        (0u32, 426u16, ErrorCode::UpdateRequired),
        (PROTOCOL_VERSION + 1, 426, ErrorCode::ServerTooOld),
    ] {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tinbao_sync_client::pin::client_config(code.fingerprint)?)
            .build()?;
        let resp = rt.block_on(
            http.get(format!("{}{}", server.url(), paths::WHOAMI))
                .header(PROTOCOL_HEADER, version.to_string())
                .send(),
        )?;
        assert_eq!(resp.status().as_u16(), status);
        let body: ErrorBody = serde_json::from_slice(&rt.block_on(resp.bytes())?)?;
        assert_eq!(body.code, want);
        assert!(body.message.contains("cập nhật"), "{}", body.message);
    }
    // Health answers without a credential; metrics with the administrator's token, and both
    // show the traffic.
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tinbao_sync_client::pin::client_config(code.fingerprint)?)
        .build()?;
    let health = rt.block_on(
        rt.block_on(http.get(format!("{}/health", server.url())).send())?
            .text(),
    )?;
    assert!(health.contains("\"ok\""), "{health}");
    let metrics = rt.block_on(
        rt.block_on(
            http.get(format!("{}/metrics", server.url()))
                .bearer_auth(server.metrics_token()?)
                .send(),
        )?
        .text(),
    )?;
    assert!(metrics.contains("tinbao_enrolments_total 2"), "{metrics}");
    assert!(
        metrics.contains("tinbao_http_requests_total{route=\"/v1/enrol\",status=\"403\"} 3"),
        "{metrics}"
    );
    Ok(())
}

#[test]
fn a_client_gone_wild_is_rate_limited() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    server.kill();
    server.serve_args = ["--rate", "1", "--burst", "3"].map(String::from).to_vec();
    server.start()?;
    let code: EnrolmentCode = server.enrol_code(Some(STATION_A), None)?.parse()?;
    let c = SyncClient::new(&server.url(), code.fingerprint, None)?.with_retry(no_retry());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let statuses: Vec<Option<u16>> = (0..8)
        .map(|_| {
            rt.block_on(c.whoami())
                .err()
                .and_then(|e| server_code(&e))
                .map(|s| s.0)
        })
        .collect();
    // The first requests are refused for want of a credential, the rest for their rate.
    assert_eq!(statuses[0], Some(401), "{statuses:?}");
    assert!(statuses.contains(&Some(429)), "{statuses:?}");
    let e = rt.block_on(c.whoami()).err().ok_or("limited")?;
    assert!(e.transient(), "a rate limit is retried later: {e}");
    assert!(e.to_string().contains("quá nhiều yêu cầu"), "{e}");
    Ok(())
}

/// Issue 13's forgeries against the real server: each refused with its reason, the legitimate
/// writes around them accepted, a refusal never blocking the changes behind it in the batch,
/// and the supervisor's pulled copy unchanged by every refused attempt. STATION_A plays the
/// owner (24133 in the issue), STATION_B the forger (24163).
#[test]
fn forged_changes_are_refused_from_what_the_server_knows() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let a = Dev::enrol(&server, &server.enrol_code(Some(STATION_A), None)?)?;
    let b = Dev::enrol(&server, &server.enrol_code(Some(STATION_B), None)?)?;
    let sup = Dev::enrol(&server, &server.enrol_code(None, Some(PROVINCE))?)?;

    use EntityKind::*;
    use Op::*;
    use RejectReason::*;
    let case = [("summary", "Trộm cắp")];
    let note = [("type", "note")];

    // The owner files a case; the forger files its own.
    let owned = a.change(Case, Upsert, STATION_A, &case);
    let owned_id = owned.entity_id;
    assert!(a.push(owned)?.is_ok());
    let own_b = b.change(Case, Upsert, STATION_B, &case);
    let own_b_id = own_b.entity_id;
    assert!(b.push(own_b)?.is_ok());

    let supervisor_copy = || -> Result<Vec<Change>> { Ok(sup.pull_all()?) };
    let before = supervisor_copy()?;
    assert_eq!(before.len(), 2);
    let refused = |c: Change, why: RejectReason, what: &str| -> Result<()> {
        assert_eq!(b.push(c)?, Err(why), "{what}");
        assert_eq!(
            supervisor_copy()?,
            before,
            "{what}: the supervisor's copy changed"
        );
        Ok(())
    };

    // Another station's case under the forger's own label, and under the owner's.
    let mut takeover = b.change(Case, Upsert, STATION_B, &[("summary", "Đã xử lý")]);
    takeover.entity_id = owned_id;
    refused(takeover, OutOfScope, "a case owned elsewhere, own label")?;
    let mut takeover = b.change(Case, Upsert, STATION_A, &[("summary", "Đã xử lý")]);
    takeover.entity_id = owned_id;
    refused(
        takeover,
        OutOfScope,
        "a case owned elsewhere, owner's label",
    )?;
    // Children of another station's case.
    for kind in [Event, Person, Attachment] {
        let fields: &[(&str, &str)] = if kind == Event { &note } else { &[] };
        refused(
            of(
                b.change(
                    kind,
                    if kind == Person { Upsert } else { Insert },
                    STATION_B,
                    fields,
                ),
                owned_id,
            ),
            OutOfScope,
            "a child of another station's case",
        )?;
    }
    let mut reporter = b.change(Reporter, Upsert, STATION_B, &[("name", "X")]);
    reporter.entity_id = owned_id;
    refused(
        reporter,
        OutOfScope,
        "the reporter of another station's case",
    )?;
    // A child of a case the server does not have; an id of another kind.
    refused(
        of(b.change(Event, Insert, STATION_B, &note), Uuid::now_v7()),
        Invalid,
        "an event of an unknown case",
    )?;
    let mut collision = b.change(Person, Upsert, STATION_B, &[("name", "X")]);
    collision.entity_id = own_b_id;
    refused(
        of(collision, own_b_id),
        Invalid,
        "a person with a case's id",
    )?;
    // The province's review decision, from a station, on its own case.
    refused(
        of(
            b.change(Event, Insert, STATION_B, &[("type", "reviewed_approved")]),
            own_b_id,
        ),
        OutOfScope,
        "a station's reviewed_approved",
    )?;
    // Accounts above chief.
    for role in ["admin", "supervisor"] {
        refused(
            b.change(
                User,
                Upsert,
                STATION_B,
                &[("username", "x"), ("role", role)],
            ),
            UserNotAllowed,
            "an account above chief",
        )?;
    }
    // An audit row in another user's name.
    let mut audit = b.change(Audit, Insert, STATION_B, &[("action", "login")]);
    audit.fields.insert(
        "user_id".into(),
        serde_json::json!(Uuid::now_v7().to_string()),
    );
    refused(audit, UserNotAllowed, "an audit row in another user's name")?;
    // A field no record has.
    refused(
        b.change(Case, Upsert, STATION_B, &[("password_hash", "x")]),
        Invalid,
        "a stray field",
    )?;

    // The legitimate writes, in one batch with forgeries between them: a new case and its
    // event (the case earlier in the same batch), an officer's account, an audit row in the
    // writer's own name, and an update of its own case.
    let new_case = b.change(Case, Upsert, STATION_B, &case);
    let new_case_id = new_case.entity_id;
    let mut own_audit = b.change(Audit, Insert, STATION_B, &[("action", "login")]);
    own_audit.fields.insert(
        "user_id".into(),
        serde_json::json!(own_audit.user.to_string()),
    );
    let mut update = b.change(Case, Upsert, STATION_B, &[("summary", "Lừa đảo")]);
    update.entity_id = own_b_id;
    let mut forged = b.change(Case, Upsert, STATION_B, &case);
    forged.entity_id = owned_id;
    let batch = vec![
        forged.clone(),
        new_case,
        of(b.change(Event, Insert, STATION_B, &note), new_case_id),
        of(
            b.change(Event, Insert, STATION_B, &[("type", "reviewed_approved")]),
            new_case_id,
        ),
        b.change(
            User,
            Upsert,
            STATION_B,
            &[("username", "binh"), ("role", "officer")],
        ),
        own_audit,
        update,
    ];
    let r = b.rt.block_on(b.client.push(
        &PushRequest {
            device: b.id,
            changes: batch,
            audit_head: None,
        },
        &|_| {},
    ))?;
    assert_eq!(r.accepted.len(), 5, "{r:?}");
    assert_eq!(r.rejected.len(), 2, "{r:?}");
    assert_eq!(r.rejected[0].id, forged.id);
    assert_eq!(r.rejected[0].reason, OutOfScope);
    assert!(!r.rejected[0].message.is_empty());
    assert_eq!(r.rejected[1].reason, OutOfScope);
    // The supervisor sees the legitimate ones (not the account) and still nothing forged.
    let after = supervisor_copy()?;
    assert_eq!(after.len(), before.len() + 4);
    assert!(after.iter().all(|c| c.id != forged.id));
    // The owner's own writes to its case still go through.
    let mut mine = a.change(Case, Upsert, STATION_A, &[("summary", "Đã xử lý")]);
    mine.entity_id = owned_id;
    assert!(a.push(mine)?.is_ok());
    assert!(
        a.push(of(a.change(Event, Insert, STATION_A, &note), owned_id))?
            .is_ok()
    );
    Ok(())
}
