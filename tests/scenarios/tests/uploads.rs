//! Unfinished attachment uploads against the real server: a device keeps at most
//! `MAX_PARTIALS_PER_DEVICE` of them, finishing one or sweeping those untouched for a day frees
//! a slot; and a request whose body stops half-way is answered and closed, not kept for ever.
//!
//! An earlier version of this test hung: it started an upload with a body it never finished,
//! and the server, which read every body whole with no deadline (before even checking the
//! credential), waited for the rest as long as the test waited for an answer. The server now
//! gives headers and bodies `serve --body-timeout` seconds; every request here also has a
//! client-side timeout, so a regression fails instead of hanging.
use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime};
use tinbao_scenarios::*;
use tinbao_sync::protocol::*;
use tinbao_sync_client::SyncClient;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_scenario-server");
/// The server's quota (handlers/attachments.rs), restated: the test checks the number.
const QUOTA: usize = 8;

/// An enrolled station device seen from the wire.
struct Dev {
    id: Uuid,
    credential: String,
    client: SyncClient,
}

fn enrol(server: &ServerProc, rt: &tokio::runtime::Runtime, station: &str) -> Result<Dev> {
    let code: EnrolmentCode = server.enrol_code(Some(station), None)?.parse()?;
    let anon = SyncClient::new(&server.url(), code.fingerprint, None)?;
    let id = Uuid::now_v7();
    let resp = rt.block_on(anon.enrol(&EnrolRequest {
        secret: code.secret.clone(),
        device_name: "thử tải tệp".into(),
        device_id: id,
        scope_code: None,
        credential_secret: Some(random_secret(32)),
    }))?;
    let client = SyncClient::new(
        &server.url(),
        code.fingerprint,
        Some(resp.credential.clone()),
    )?
    .with_retry(tinbao_sync_client::RetryPolicy {
        attempts: 1,
        ..Default::default()
    });
    Ok(Dev {
        id,
        credential: resp.credential,
        client,
    })
}

impl Dev {
    /// The same device with a fresh connection pool: after a server restart, the pooled
    /// connections of the old process are dead, and a runtime idle between calls has not
    /// noticed.
    fn reconnect(self, server: &ServerProc) -> Result<Dev> {
        let client = SyncClient::new(
            &server.url(),
            server.fingerprint,
            Some(self.credential.clone()),
        )?
        .with_retry(tinbao_sync_client::RetryPolicy {
            attempts: 1,
            ..Default::default()
        });
        Ok(Dev { client, ..self })
    }
}

/// A file of the test, its content hash, and the first half of it.
struct Blob {
    bytes: Vec<u8>,
    sha: String,
}

fn blob(i: usize) -> Blob {
    let bytes = format!("ảnh chụp tin nhắn số {i} ")
        .repeat(100)
        .into_bytes();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    Blob { bytes, sha }
}

/// The raw `PUT` of a piece of an upload, as the client sends it, but free to stop half-way.
struct Wire {
    http: reqwest::Client,
    rt: tokio::runtime::Runtime,
}

/// What the server answered a `PUT`: the upload's status, or the refusal.
type PutAnswer = std::result::Result<AttachmentStatus, (u16, ErrorBody)>;

impl Wire {
    fn new(server: &ServerProc) -> Result<Wire> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tinbao_sync_client::pin::client_config(server.fingerprint)?)
            // Never wait on the server for ever: a hang is a failure of this test.
            .timeout(Duration::from_secs(20))
            .build()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Wire { http, rt })
    }

    /// Sends `b`'s bytes `from..to` at offset `from`.
    fn put(
        &self,
        server: &ServerProc,
        d: &Dev,
        b: &Blob,
        from: usize,
        to: usize,
    ) -> Result<PutAnswer> {
        let url = format!(
            "{}{}/{}?offset={from}&size={}",
            server.url(),
            paths::ATTACHMENTS,
            b.sha,
            b.bytes.len()
        );
        // Built inside the runtime: the request's timeout needs its timer.
        let resp = self.rt.block_on(async {
            self.http
                .put(url)
                .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
                .bearer_auth(&d.credential)
                .body(b.bytes[from..to].to_vec())
                .send()
                .await
        })?;
        let status = resp.status().as_u16();
        let gz = resp
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .is_some_and(|v| v.as_bytes() == BODY_ENCODING.as_bytes());
        let body = self.rt.block_on(resp.bytes())?;
        Ok(if status == 200 {
            Ok(decode_body(&body, gz, MAX_BODY_BYTES)?)
        } else {
            Err((status, decode_body(&body, gz, MAX_BODY_BYTES)?))
        })
    }

    /// Starts an upload of `b`: its first half.
    fn start(&self, server: &ServerProc, d: &Dev, b: &Blob) -> Result<PutAnswer> {
        self.put(server, d, b, 0, b.bytes.len() / 2)
    }

    /// Sends the rest of `b` after its first half.
    fn finish(&self, server: &ServerProc, d: &Dev, b: &Blob) -> Result<PutAnswer> {
        self.put(server, d, b, b.bytes.len() / 2, b.bytes.len())
    }

    fn received(&self, d: &Dev, b: &Blob) -> Result<u64> {
        Ok(self
            .rt
            .block_on(d.client.attachment_status(&b.sha, &|_| {}))?
            .received)
    }
}

fn started(a: PutAnswer) -> Result<AttachmentStatus> {
    match a {
        Ok(s) if !s.present && s.received > 0 => Ok(s),
        other => Err(format!("the upload did not start: {other:?}").into()),
    }
}

fn refused_for_quota(a: PutAnswer) -> Result<String> {
    match a {
        Err((413, body)) if body.code == ErrorCode::TooLarge => Ok(body.message),
        other => Err(format!("a start past the quota was not refused: {other:?}").into()),
    }
}

/// Makes the partial upload of `b` by `d` look untouched for 25 hours.
fn age(server: &ServerProc, d: &Dev, b: &Blob) -> Result<()> {
    let path = server
        .data
        .join(tinbao_server::BLOB_DIR)
        .join("partial")
        .join(format!("{}.{}", b.sha, d.id.simple()));
    let f = std::fs::OpenOptions::new().append(true).open(&path)?;
    f.set_modified(SystemTime::now() - Duration::from_secs(25 * 3600))?;
    Ok(())
}

#[test]
fn the_upload_quota_is_per_device_and_finishing_or_sweeping_frees_a_slot() -> Result<()> {
    let t0 = Instant::now();
    let dir = tempfile::tempdir()?;
    let mut server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    let mut wire = Wire::new(&server)?;
    let mut a = enrol(&server, &wire.rt, STATION_A)?;
    let mut a2 = enrol(&server, &wire.rt, STATION_A)?;
    let blobs: Vec<Blob> = (0..16).map(blob).collect();

    // The quota's worth of unfinished uploads, then one more.
    for b in &blobs[..QUOTA] {
        started(wire.start(&server, &a, b)?)?;
    }
    let message = refused_for_quota(wire.start(&server, &a, &blobs[QUOTA])?)?;
    // The chief reads why, and what to do, in Vietnamese.
    assert!(message.contains("tối đa 8"), "{message}");
    assert!(message.contains("gửi dở"), "{message}");
    assert!(message.contains("gửi xong"), "{message}");
    // The refused start left nothing behind; another PC of the same station has its own quota.
    assert_eq!(wire.received(&a, &blobs[QUOTA])?, 0);
    started(wire.start(&server, &a2, &blobs[QUOTA])?)?;
    // Resuming an upload already under way is never refused.
    let done = wire.finish(&server, &a, &blobs[0])?;
    assert!(matches!(&done, Ok(s) if s.present), "{done:?}");

    // Finishing one freed its slot: the ninth starts, and the next one is refused again.
    started(wire.start(&server, &a, &blobs[QUOTA])?)?;
    refused_for_quota(wire.start(&server, &a, &blobs[QUOTA + 1])?)?;

    // Two uploads untouched for a day are swept by the administrator's command; the others,
    // touched just now, are kept.
    age(&server, &a, &blobs[1])?;
    age(&server, &a, &blobs[2])?;
    let swept = server.admin(&["sweep-uploads"])?;
    assert_eq!(swept["removed"], 2, "{swept}");
    assert_eq!(wire.received(&a, &blobs[1])?, 0);
    assert_eq!(wire.received(&a, &blobs[2])?, 0);
    for b in &blobs[3..=QUOTA] {
        assert!(wire.received(&a, b)? > 0, "a fresh upload was swept");
    }
    started(wire.start(&server, &a, &blobs[QUOTA + 1])?)?;
    started(wire.start(&server, &a, &blobs[QUOTA + 2])?)?;
    refused_for_quota(wire.start(&server, &a, &blobs[QUOTA + 3])?)?;

    // The server's own sweep (at start, then hourly) does the same, with no command.
    age(&server, &a, &blobs[3])?;
    server.kill();
    server.start()?;
    wire = Wire::new(&server)?;
    a = a.reconnect(&server)?;
    a2 = a2.reconnect(&server)?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while wire.received(&a, &blobs[3])? > 0 {
        assert!(
            Instant::now() < deadline,
            "the server did not sweep at start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(wire.received(&a, &blobs[4])? > 0);
    started(wire.start(&server, &a, &blobs[QUOTA + 3])?)?;
    refused_for_quota(wire.start(&server, &a, &blobs[QUOTA + 4])?)?;
    // A swept upload starts again from nothing, and completes.
    started(wire.start(&server, &a2, &blobs[1])?)?;
    let done = wire.finish(&server, &a2, &blobs[1])?;
    assert!(matches!(&done, Ok(s) if s.present), "{done:?}");
    eprintln!("upload quota scenario: {:?}", t0.elapsed());
    Ok(())
}

/// Opens a TLS connection to the server with a read timeout, as no HTTP client would use it.
fn raw_tls(
    server: &ServerProc,
    read_timeout: Duration,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>> {
    let cfg = std::sync::Arc::new(tinbao_sync_client::pin::client_config(server.fingerprint)?);
    let tcp = std::net::TcpStream::connect(&server.addr)?;
    tcp.set_read_timeout(Some(read_timeout))?;
    let conn = rustls::ClientConnection::new(cfg, "localhost".try_into()?)?;
    Ok(rustls::StreamOwned::new(conn, tcp))
}

/// Reads until the server closes the connection (or the read timeout passes, an error).
fn read_to_close(
    tls: &mut rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>,
) -> Result<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            // A close without TLS close_notify, or a reset: closed all the same.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                break;
            }
            Err(e) => return Err(format!("the server kept the connection: {e}").into()),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn a_request_that_stops_half_way_is_answered_and_closed() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = ServerProc::start_fresh(&server_bin(BIN), &dir.path().join("server"))?;
    server.kill();
    server
        .serve_args
        .extend(["--body-timeout", "2"].map(String::from));
    server.start()?;
    let wire = Wire::new(&server)?;
    let a = enrol(&server, &wire.rt, STATION_A)?;
    let b = blob(0);

    // An upload whose body stops after 10 of the 1,000 bytes it announced.
    let t = Instant::now();
    let mut tls = raw_tls(&server, Duration::from_secs(15))?;
    write!(
        tls,
        "PUT {}/{}?offset=0&size=1000 HTTP/1.1\r\nhost: localhost\r\n{PROTOCOL_HEADER}: {PROTOCOL_VERSION}\r\n\
         authorization: Bearer {}\r\ncontent-length: 1000\r\n\r\n0123456789",
        paths::ATTACHMENTS,
        b.sha,
        a.credential
    )?;
    tls.flush()?;
    let answer = read_to_close(&mut tls)?;
    let waited = t.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    // Nothing of it was kept.
    assert_eq!(wire.received(&a, &b)?, 0);

    // Headers that stop half-way, and a connection that sends nothing: closed as well.
    for partial in [
        format!("PUT {}/{} HTTP/1.1\r\nhost: loc", paths::ATTACHMENTS, b.sha),
        String::new(),
    ] {
        let t = Instant::now();
        let mut tls = raw_tls(&server, Duration::from_secs(15))?;
        tls.write_all(partial.as_bytes())?;
        tls.flush()?;
        read_to_close(&mut tls)?;
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    }

    // The server serves on: the same upload, sent whole, is stored.
    started(wire.start(&server, &a, &b)?)?;
    let done = wire.finish(&server, &a, &b)?;
    assert!(matches!(&done, Ok(s) if s.present), "{done:?}");
    Ok(())
}
