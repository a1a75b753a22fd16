//! The wire protocol between station devices and the provincial server.
//!
//! Every body is JSON compressed with gzip (`Content-Encoding: gzip`). gzip rather than zstd:
//! flate2's default backend is pure Rust (no C toolchain for the Windows station builds), every
//! HTTP tool can read it when an administrator debugs with curl, and on change batches, which
//! repeat the same keys over and over, it already shrinks JSON five- to tenfold; zstd would win a
//! further 10–20 % at the price of a C dependency on both ends.
//!
//! Every request carries [`PROTOCOL_HEADER`]; a server that no longer speaks the app's version
//! answers `426 Upgrade Required` with an [`ErrorBody`] whose message tells the officer to update.
use crate::change::Change;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{Read, Write};
use std::str::FromStr;
use uuid::Uuid;

/// The protocol this build speaks. Raise it when a message changes incompatibly.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol a server of this build still serves.
pub const MIN_PROTOCOL_VERSION: u32 = 1;
/// Request header carrying the client's [`PROTOCOL_VERSION`].
pub const PROTOCOL_HEADER: &str = "x-tinbao-protocol";
/// Largest decompressed body either side accepts: a push batch of [`MAX_PUSH_BATCH`] changes
/// with long descriptions fits several times over; a gzip bomb does not.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// Largest compressed body the server reads off the socket.
pub const MAX_WIRE_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Most changes in one push.
pub const MAX_PUSH_BATCH: usize = 2000;
/// Most changes one pull returns, whatever the client asks for.
pub const MAX_PULL_LIMIT: u32 = 5000;
/// Largest attachment the server stores (videos of an incident are the big ones).
pub const MAX_ATTACHMENT_BYTES: u64 = 512 * 1024 * 1024;
/// Largest piece of an attachment in one request, so a cut link loses little.
pub const ATTACHMENT_CHUNK_BYTES: usize = 1024 * 1024;

pub mod paths {
    pub const ENROL: &str = "/v1/enrol";
    pub const PUSH: &str = "/v1/push";
    pub const PULL: &str = "/v1/pull";
    pub const WHOAMI: &str = "/v1/whoami";
    /// `POST`: a station device's register-number exchange ([`super::NumberRequest`]).
    /// Servers older than the leases answer 404; the device then keeps the slot scheme.
    pub const NUMBERS: &str = "/v1/numbers";
    /// `GET {ATTACHMENTS}/{sha256}/status`, `PUT {ATTACHMENTS}/{sha256}?offset=N&size=S`,
    /// `GET {ATTACHMENTS}/{sha256}`.
    pub const ATTACHMENTS: &str = "/v1/attachments";
    /// Response header of an attachment download: the file's full size.
    pub const TOTAL_HEADER: &str = "x-tinbao-total";
    pub const HEALTH: &str = "/health";
    pub const METRICS: &str = "/metrics";
}

/// What a device may see and write, fixed at enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeviceScope {
    /// A station PC: reads and writes its own station's records.
    Station { station: String, province: String },
    /// A supervisor's laptop: reads every station of the province, writes only review events.
    Province { province: String },
}

impl DeviceScope {
    pub fn province(&self) -> &str {
        match self {
            DeviceScope::Station { province, .. } | DeviceScope::Province { province } => province,
        }
    }
}

/// Event types a province device may write into a station's journal.
pub const REVIEW_EVENT_TYPES: &[&str] = &["reviewed_approved", "reviewed_returned"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time secret part of the enrolment code (never the fingerprint: that stays local).
    pub secret: String,
    /// A label the administrator recognises in `device list` ("Máy trực ban 1").
    pub device_name: String,
    /// The device's own id (its core store's device id), so changes it made before enrolment
    /// are already stamped with the id the server will know it by.
    pub device_id: Uuid,
    /// The station (commune code) or province code the device's database is for. The server
    /// refuses a code for another scope without using it up.
    #[serde(default)]
    pub scope_code: Option<String>,
    /// The secret of the credential the device will hold (64 hex digits), made and kept by the
    /// device before it asks, so that only it can enrol its id again: a lost answer is retried
    /// with the same secret, and another device presenting this id with a fresh code is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_secret: Option<String>,
}

impl DeviceScope {
    /// The code a device's database names its scope by.
    pub fn code(&self) -> &str {
        match self {
            DeviceScope::Station { station, .. } => station,
            DeviceScope::Province { province } => province,
        }
    }
}

/// A station device's share of register numbers: it gives numbers `n` with
/// `n ≡ slot (mod slots)`, so devices of one station registering offline never collide. The
/// server hands out slots in enrolment order; `slots` grows as devices are added and reaches
/// every device with its next pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numbering {
    pub slot: u32,
    pub slots: u32,
}

/// Bounds of a [`NumberRequest`], checked by the server before anything is stored.
pub mod number_limits {
    /// Years in one exchange (last year's hand-back, this year, next year's advance).
    pub const MAX_YEARS: usize = 3;
    /// Numbers in one year's `fallback` or `hand_back`.
    pub const MAX_LISTED: usize = 10_000;
    /// Most unused numbers a device may hold for one year.
    pub const MAX_WANT: u32 = 100;
    /// Highest register number the server hands out or records.
    pub const MAX_SEQ: u32 = 1_000_000;
    pub const MIN_YEAR: i32 = 2000;
    pub const MAX_YEAR: i32 = 2100;
}

/// A station device's register-number exchange, made at each sync (`POST /v1/numbers`).
///
/// The server leases each device blocks of consecutive numbers per year (the lowest not leased
/// yet, handed-back ones first), so a station's numbers stay contiguous whichever PC registers.
/// A device that runs out offline still registers at once: it then takes a number of its own
/// class (`n ≡ slot mod slots`) at or above its *fallback floor* for the year, and the server
/// never leases a number of that class at or above the floor the device last said it holds to
/// another device. Every field is idempotent: a lost answer is repaired by the next exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRequest {
    /// The class the device falls back to: its slot of `slots`, as the server gave it.
    pub scheme: Numbering,
    pub years: Vec<YearRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct YearRequest {
    pub year: i32,
    /// How many unused leased numbers the device wants to hold; the server tops up to it.
    pub want: u32,
    /// The fallback floor the device holds for this year (0: none yet, its whole class).
    pub floor: u32,
    /// Numbers the device gave outside its leases when it ran out offline.
    #[serde(default)]
    pub fallback: Vec<u32>,
    /// Leased numbers the device gives back unused (already unusable on the device).
    #[serde(default)]
    pub hand_back: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NumberResponse {
    pub years: Vec<YearGrant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct YearGrant {
    pub year: i32,
    /// Every number leased to this device for the year and not used yet: the whole set, not
    /// only the new ones.
    pub leased: Vec<u32>,
    /// The fallback floor granted: above every number the server has handed out for the year.
    pub floor: u32,
    /// The station's numbers of the year as the province knows them.
    pub ledger: Ledger,
}

/// What the province knows of a station's numbers for one year: enough for a device to print
/// a register that accounts for every number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ledger {
    /// Numbers used by a case the province holds, as inclusive ranges.
    pub used: Vec<(u32, u32)>,
    /// Numbers leased and not used, handed back, or used outside a lease.
    pub entries: Vec<LedgerEntry>,
    /// Each device's fallback class, from its floor up: numbers not leased to others.
    pub reserved: Vec<Reservation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    /// Leased to the device, not used yet.
    Leased,
    /// Handed back unused (at year end, a device retired, a lease grown old); leased again
    /// first.
    Returned,
    /// Used by a case outside any lease of its device (offline fallback, an older app, a PC
    /// registering before its enrolment).
    Unleased,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u32,
    pub state: NumberState,
    /// The device it was leased to (or that used it); nil when unknown.
    pub device: Uuid,
    pub device_name: String,
    /// When it took this state.
    pub at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub device: Uuid,
    pub device_name: String,
    pub slot: u32,
    pub slots: u32,
    /// The class is reserved from this number up.
    pub from: u32,
}

impl Numbering {
    /// Whether `seq` is of this slot's class.
    pub fn holds(&self, seq: u32) -> bool {
        let slots = self.slots.max(1);
        seq % slots == self.slot % slots
    }
}

/// Numbers as inclusive ranges, in order (the ledger's compact form).
pub fn to_ranges(sorted: impl IntoIterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for n in sorted {
        match out.last_mut() {
            Some((_, hi)) if n <= hi.saturating_add(1) => *hi = (*hi).max(n),
            _ => out.push((n, n)),
        }
    }
    out
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub device_id: Uuid,
    /// The device's bearer credential; the server keeps only its hash.
    pub credential: String,
    pub scope: DeviceScope,
    /// For station devices.
    #[serde(default)]
    pub numbering: Option<Numbering>,
}

impl fmt::Debug for EnrolResponse {
    // The credential must never reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrolResponse")
            .field("device_id", &self.device_id)
            .field("credential", &"<redacted>")
            .field("scope", &self.scope)
            .field("numbering", &self.numbering)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub device_id: Uuid,
    pub scope: DeviceScope,
    /// The server's clock, so a station can tell its officers their PC's clock is wrong.
    pub server_time_ms: u64,
    /// Highest sequence number the server has assigned.
    pub head: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device: Uuid,
    pub changes: Vec<Change>,
    /// The head of the device's audit chain (its last entry's number and hash): the province
    /// keeps the heads it saw, so a log rewritten on the PC no longer extends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<AuditHead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub id: Uuid,
    /// The change's sequence number; the same on every re-push of the same id.
    pub seq: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// `Change.station` is not a station the device may write.
    OutOfScope,
    /// A province device may write only review events into a station's journal.
    NotReviewEvent,
    /// The change's clock is implausibly far ahead of the server's; retry once the PC's clock
    /// is corrected (the change is kept).
    ClockAhead,
    /// The change names another device as its author.
    WrongDevice,
    /// The user the change names is not allowed to write it (inactive, other station, role).
    UserNotAllowed,
    /// The change is malformed (unknown station code, empty fields…).
    Invalid,
}

impl RejectReason {
    /// Whether pushing the same change again later can succeed. The client keeps retryable
    /// changes pending; the others are set aside and shown, never silently dropped.
    pub fn retryable(self) -> bool {
        matches!(self, RejectReason::ClockAhead)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub id: Uuid,
    pub reason: RejectReason,
    /// Vietnamese, for the officer.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PushResponse {
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// The last sequence number the device has applied (0 at first).
    pub since: u64,
    pub limit: u32,
    /// Also the device's own changes: a PC restored from a backup takes back what it had sent
    /// after the backup was made. A server older than the field ignores it.
    #[serde(default)]
    pub include_own: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequenced {
    pub seq: u64,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Sequenced>,
    /// The cursor to store once `changes` are applied; may be past the last change shown when
    /// the server skipped changes outside the device's scope.
    pub next: u64,
    pub more: bool,
    /// The device's current numbering (station devices).
    #[serde(default)]
    pub numbering: Option<Numbering>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentStatus {
    pub sha256: String,
    /// The server holds the whole file for this device's scope: nothing to upload.
    pub present: bool,
    /// Bytes of an interrupted upload the server kept; the next `PUT` starts there.
    pub received: u64,
}

/// Machine-readable error kinds; the app decides what to show from these, not from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The app is older than the server supports: update it.
    UpdateRequired,
    /// The server is older than the app: the administrator must update the server.
    ServerTooOld,
    Unauthorized,
    Revoked,
    InvalidCode,
    Forbidden,
    BadRequest,
    TooLarge,
    RateLimited,
    NotFound,
    Conflict,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// Vietnamese, meant for the officer or administrator as is.
    pub message: String,
    /// The protocol versions the server speaks, so any app version can explain a mismatch.
    pub min_protocol: u32,
    pub max_protocol: u32,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            min_protocol: MIN_PROTOCOL_VERSION,
            max_protocol: PROTOCOL_VERSION,
        }
    }

    /// The answer to a client speaking `client`, or None when the server serves that version.
    pub fn for_version(client: u32) -> Option<Self> {
        if client < MIN_PROTOCOL_VERSION {
            Some(Self::new(
                ErrorCode::UpdateRequired,
                format!(
                    "Phiên bản ứng dụng quá cũ (giao thức {client}); máy chủ tỉnh cần giao thức \
                     {MIN_PROTOCOL_VERSION}–{PROTOCOL_VERSION}. Hãy cập nhật ứng dụng tinbao rồi \
                     đồng bộ lại; dữ liệu trên máy vẫn được giữ nguyên."
                ),
            ))
        } else if client > PROTOCOL_VERSION {
            Some(Self::new(
                ErrorCode::ServerTooOld,
                format!(
                    "Máy chủ tỉnh cũ hơn ứng dụng (giao thức {PROTOCOL_VERSION}, ứng dụng \
                     {client}). Hãy báo quản trị viên tỉnh cập nhật máy chủ; dữ liệu trên máy vẫn \
                     được giữ nguyên."
                ),
            ))
        } else {
            None
        }
    }
}

/// The one-time code an administrator hands to a station: the secret that proves the device
/// may enrol, and the SHA-256 fingerprint of the server's certificate, so the device trusts
/// that server and no other even though its certificate is self-signed.
///
/// Text form: `tinbao1.<secret: 32 hex>.<fingerprint: 64 hex>`.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    pub secret: String,
    pub fingerprint: [u8; 32],
}

const CODE_PREFIX: &str = "tinbao1";

impl fmt::Display for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{CODE_PREFIX}.{}.{}",
            self.secret,
            hex::encode(self.fingerprint)
        )
    }
}

impl fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnrolmentCode")
            .field("secret", &"<redacted>")
            .field("fingerprint", &hex::encode(self.fingerprint))
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "mã đăng ký thiết bị không hợp lệ: cần dạng tinbao1.<32 ký tự>.<64 ký tự> do quản trị viên tỉnh cấp"
)]
pub struct BadEnrolmentCode;

impl FromStr for EnrolmentCode {
    type Err = BadEnrolmentCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // People paste codes out of chat messages: tolerate surrounding and inner whitespace.
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let mut it = s.split('.');
        let (Some(prefix), Some(secret), Some(fp), None) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(BadEnrolmentCode);
        };
        if !prefix.eq_ignore_ascii_case(CODE_PREFIX)
            || secret.len() != 32
            || !secret.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(BadEnrolmentCode);
        }
        let fp = hex::decode(fp).map_err(|_| BadEnrolmentCode)?;
        let fingerprint: [u8; 32] = fp.try_into().map_err(|_| BadEnrolmentCode)?;
        Ok(EnrolmentCode {
            secret: secret.to_ascii_lowercase(),
            fingerprint,
        })
    }
}

/// SHA-256 of a DER certificate: what an enrolment code pins.
pub fn cert_fingerprint(der: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(der).into()
}

#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("nội dung vượt quá giới hạn {0} byte")]
    TooLarge(usize),
    #[error("nội dung nén hỏng: {0}")]
    Corrupt(#[from] std::io::Error),
    #[error("nội dung không đúng định dạng: {0}")]
    Json(#[from] serde_json::Error),
}

/// The `Content-Encoding` of every protocol body.
pub const BODY_ENCODING: &str = "gzip";
pub const BODY_CONTENT_TYPE: &str = "application/json";

/// Serialise and compress a message.
pub fn encode_body<T: Serialize>(msg: &T) -> Result<Vec<u8>, BodyError> {
    let json = serde_json::to_vec(msg)?;
    // Level 6: on 1 Mbit/s the wire dominates; higher levels cost CPU for a few percent.
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::new(6),
    );
    enc.write_all(&json)?;
    Ok(enc.finish()?)
}

/// Decompress (refusing anything past `limit` decompressed bytes) and parse a message.
pub fn decode_body<T: DeserializeOwned>(
    bytes: &[u8],
    compressed: bool,
    limit: usize,
) -> Result<T, BodyError> {
    if !compressed {
        if bytes.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        return Ok(serde_json::from_slice(bytes)?);
    }
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit));
    flate2::read::GzDecoder::new(bytes)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)?;
    if out.len() > limit {
        return Err(BodyError::TooLarge(limit));
    }
    Ok(serde_json::from_slice(&out)?)
}

/// A random secret of `bytes` bytes, hex-encoded.
pub fn random_secret(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The device credential's text form: `<device id>.<secret>`, so the server finds the device
/// without scanning and then compares the secret's hash.
pub fn make_credential(device: Uuid, secret: &str) -> String {
    format!("{}.{}", device.simple(), secret)
}

pub fn split_credential(cred: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = cred.split_once('.')?;
    let id = Uuid::try_parse(id).ok()?;
    (!secret.is_empty()).then_some((id, secret))
}

/// What the server stores in place of a secret. The secrets are 256 random bits, so a fast
/// hash is enough: there is nothing to brute-force.
pub fn secret_hash(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntityKind, Hlc, Op};
    use std::collections::BTreeMap;

    fn change() -> Change {
        let mut fields = BTreeMap::new();
        fields.insert("summary".into(), serde_json::json!("Trộm cắp xe máy"));
        Change {
            id: Uuid::now_v7(),
            entity: EntityKind::Case,
            entity_id: Uuid::now_v7(),
            station: "01843".into(),
            op: Op::Upsert,
            fields,
            base: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: 1_750_000_000_000,
                counter: 1,
                node: 9,
            },
            device: Uuid::now_v7(),
            user: Uuid::now_v7(),
        }
    }

    #[test]
    fn body_round_trips_compressed_and_smaller() {
        let req = PushRequest {
            device: Uuid::now_v7(),
            changes: (0..200).map(|_| change()).collect(),
            audit_head: None,
        };
        let bytes = encode_body(&req).unwrap();
        let json = serde_json::to_vec(&req).unwrap();
        assert!(
            bytes.len() * 2 < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );
        let back: PushRequest = decode_body(&bytes, true, MAX_BODY_BYTES).unwrap();
        assert_eq!(back, req);
    }

    #[test]
    fn decompression_bomb_is_refused() {
        let big = vec![b' '; 10_000];
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&big).unwrap();
        let bytes = enc.finish().unwrap();
        let r: Result<serde_json::Value, _> = decode_body(&bytes, true, 1000);
        assert!(matches!(r, Err(BodyError::TooLarge(1000))));
    }

    #[test]
    fn enrolment_code_round_trips_and_rejects_garbage() {
        let code = EnrolmentCode {
            secret: random_secret(16),
            fingerprint: cert_fingerprint(b"cert"),
        };
        let text = code.to_string();
        assert_eq!(text.parse::<EnrolmentCode>().unwrap(), code);
        // Pasted with line breaks out of a chat message.
        let wrapped = format!("  {}\n{} ", &text[..40], &text[40..]);
        assert_eq!(wrapped.parse::<EnrolmentCode>().unwrap(), code);
        assert!("tinbao1.abc.def".parse::<EnrolmentCode>().is_err());
        assert!(
            text.replace("tinbao1", "other")
                .parse::<EnrolmentCode>()
                .is_err()
        );
        assert!(!format!("{code:?}").contains(&code.secret));
    }

    #[test]
    fn versions_outside_the_range_get_an_explanation() {
        assert!(ErrorBody::for_version(PROTOCOL_VERSION).is_none());
        let old = ErrorBody::for_version(MIN_PROTOCOL_VERSION - 1).unwrap();
        assert_eq!(old.code, ErrorCode::UpdateRequired);
        assert!(old.message.contains("cập nhật ứng dụng"));
        let new = ErrorBody::for_version(PROTOCOL_VERSION + 1).unwrap();
        assert_eq!(new.code, ErrorCode::ServerTooOld);
    }

    #[test]
    fn credential_splits_back() {
        let d = Uuid::now_v7();
        let c = make_credential(d, "abc");
        assert_eq!(split_credential(&c), Some((d, "abc")));
        assert_eq!(split_credential("nonsense"), None);
        assert_eq!(split_credential(&format!("{}.", d.simple())), None);
    }

    #[test]
    fn numbers_fold_into_ranges_and_classes() {
        assert_eq!(to_ranges([1, 2, 3, 5, 7, 8]), vec![(1, 3), (5, 5), (7, 8)]);
        assert_eq!(to_ranges([4, 4, 5]), vec![(4, 5)]);
        assert!(to_ranges([]).is_empty());
        let n = Numbering { slot: 2, slots: 2 };
        assert!(n.holds(4) && !n.holds(5));
        let lone = Numbering { slot: 1, slots: 1 };
        assert!(lone.holds(7));
        // An old request without the new lists still reads.
        let y: YearRequest = serde_json::from_str(r#"{"year":2026,"want":10,"floor":0}"#).unwrap();
        assert!(y.fallback.is_empty() && y.hand_back.is_empty());
    }

    #[test]
    fn only_clock_ahead_is_retryable() {
        assert!(RejectReason::ClockAhead.retryable());
        assert!(!RejectReason::OutOfScope.retryable());
    }
}
