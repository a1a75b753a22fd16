//! The server's storage interface: one flat list of operations, each a sentence of intent, so
//! that a PostgreSQL store can sit beside the embedded SQLite one. Methods are synchronous and
//! the HTTP layer calls them on the blocking pool. Nothing here names a backend: each
//! implementation maps its own errors to [`StorageError`] and keeps its own versioned
//! migrations, and [`conformance`] (feature `conformance`) holds the properties every
//! implementation must pass.
use serde::Serialize;
use std::collections::BTreeSet;
use tinbao_sync::protocol::{
    AuditHead, DeviceScope, Ledger, NumberRequest, NumberResponse, Numbering, Sequenced,
};
use tinbao_sync::{Change, EntityKind};
use uuid::Uuid;

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod sqlite;

/// A storage failure, whatever the backend.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The backend failed (I/O, locking, a refused statement); its own message is kept.
    #[error("lỗi cơ sở dữ liệu máy chủ: {0}")]
    Backend(String),
    /// Stored data could not be read back as what was written.
    #[error("dữ liệu lưu trên máy chủ bị hỏng: {0}")]
    Corrupt(String),
    /// The operation contradicts what is stored (an id already taken).
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Station {
    pub code: String,
    pub province: String,
    pub name: String,
    pub created_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    /// A station user's station, or None for a province user.
    pub station: Option<String>,
    pub province: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: Uuid,
    pub name: String,
    pub scope: DeviceScope,
    pub enrolled_ms: u64,
    pub last_seen_ms: Option<u64>,
    pub revoked_ms: Option<u64>,
    /// A station device's numbering slot (1-based), given in enrolment order.
    pub slot: Option<u32>,
    /// Hash of the credential; never the credential itself.
    #[serde(skip)]
    pub credential_hash: String,
}

/// A one-time enrolment code as stored: only the hash of its secret.
#[derive(Debug, Clone)]
pub struct EnrolCode {
    pub secret_hash: String,
    pub scope: DeviceScope,
    pub created_ms: u64,
    pub expires_ms: u64,
}

/// Why a code could not be redeemed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedeemError {
    Unknown,
    Used,
    Expired,
    /// The device id is revoked: only an administrator lifts that (`device unrevoke`).
    Revoked,
    /// The device id is enrolled for another station or province.
    TakenElsewhere,
    /// The device id is enrolled, and the request does not hold that device's credential: only
    /// the device itself enrols its id again.
    NotTheDevice,
}

/// What the server knows of an entity: its kind and the station (or, for province-shared data,
/// the province) that owns it, i.e. the station of the first accepted change that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub kind: EntityKind,
    pub owner: String,
}

/// What a pull may see: derived from the device's scope.
#[derive(Debug, Clone)]
pub enum ReadScope {
    /// A station's own records and its province's shared ones.
    Station { station: String, province: String },
    /// Every record of the province's stations except their local accounts (which carry
    /// password hashes a supervisor's laptop has no use for), and the province's own.
    Province { province: String },
}

pub trait Storage: Send + Sync + 'static {
    /// Brings the schema to the latest version (creating it if missing); safe to call on
    /// every start, and keeps what is stored.
    fn migrate(&self) -> Result<()>;

    /// Registers a station; false if it already existed.
    fn add_station(&self, station: &Station) -> Result<bool>;
    fn station(&self, code: &str) -> Result<Option<Station>>;
    fn stations(&self) -> Result<Vec<Station>>;

    /// Registers a user; an existing id is an error.
    fn add_user(&self, user: &User) -> Result<()>;
    fn user(&self, id: Uuid) -> Result<Option<User>>;

    fn add_enrol_code(&self, code: &EnrolCode) -> Result<()>;
    /// The scope an unused code grants, without using it.
    fn enrol_code_scope(&self, secret_hash: &str) -> Result<Option<DeviceScope>>;
    /// Consumes the code and records the device in one step, so a code enrols one device only.
    /// A device id already known, not revoked and of the scope the code grants gets the new
    /// credential and keeps its numbering slot (re-enrolment after a reinstall); a revoked one
    /// is refused ([`RedeemError::Revoked`]), one of another scope too
    /// ([`RedeemError::TakenElsewhere`]), and one whose new credential is not the one it has
    /// ([`RedeemError::NotTheDevice`]: only the device itself, with its own secret, enrols its
    /// id again), all without using the code up. A new station device
    /// gets the station's next slot.
    fn redeem_enrol_code(
        &self,
        secret_hash: &str,
        device: &Device,
        now_ms: u64,
    ) -> Result<std::result::Result<Device, RedeemError>>;

    fn device(&self, id: Uuid) -> Result<Option<Device>>;
    fn devices(&self) -> Result<Vec<Device>>;
    /// Revokes a device at once; false if unknown. Revoking twice keeps the first time. The
    /// numbers leased to it and not used are handed back (a revoked device's cases never
    /// reach the province), and its fallback class is no longer reserved.
    fn revoke_device(&self, id: Uuid, now_ms: u64) -> Result<bool>;
    /// Lifts a revocation (an administrator's explicit act); false if the device is unknown.
    fn unrevoke_device(&self, id: Uuid) -> Result<bool>;
    fn touch_device(&self, id: Uuid, now_ms: u64) -> Result<()>;
    /// How many numbering slots a station's devices share (its highest slot).
    fn station_slots(&self, station: &str) -> Result<u32>;

    /// Stores changes that passed the checks (each with the province it is filed under), in
    /// one transaction, and returns each one's sequence number. The first stored change of an
    /// entity (other than a reporter) records its kind and owner (the change's station) for
    /// [`Storage::entity_owner`]; later ones never change them. A change id already stored
    /// keeps its first sequence number and body: re-pushing is harmless. Sequence numbers must
    /// become visible in increasing order (a reader never sees seq n+1 before n), or cursors
    /// would skip changes. A stored case change's `register_no` (`<seq>/<year>`) records that
    /// number of its station as used: through a lease when it was leased to the change's
    /// device, outside one otherwise (see [`Storage::exchange_numbers`]).
    fn add_changes(&self, changes: &[(Change, String)], now_ms: u64) -> Result<Vec<u64>>;
    /// The kind and owner of the entity with this id, as recorded by [`Storage::add_changes`]
    /// from the first stored change that wrote it (a reporter, stored under its case's id,
    /// records nothing: its case answers). None if no stored change wrote it.
    fn entity_owner(&self, id: Uuid) -> Result<Option<Owned>>;
    /// Changes after `since` within `scope`, excluding those `exclude_device` made, at most
    /// `limit`, in sequence order; the cursor to resume from (at least `since`; resuming from
    /// it neither skips nor repeats a change in scope); and whether more are waiting.
    fn changes_since(
        &self,
        scope: &ReadScope,
        exclude_device: Uuid,
        since: u64,
        limit: u32,
    ) -> Result<(Vec<Sequenced>, u64, bool)>;
    /// The highest sequence number assigned.
    fn head(&self) -> Result<u64>;
    fn change_count(&self) -> Result<u64>;

    /// Records that `station` may read the attachment with this hash.
    fn add_attachment_owner(&self, sha256: &str, station: &str, size: u64) -> Result<()>;
    /// The stations that uploaded the attachment.
    fn attachment_owners(&self, sha256: &str) -> Result<Vec<String>>;

    /// One of the server's own keys (its device identity and clock for the changes the
    /// administrator's command line issues).
    fn server_meta(&self, key: &str) -> Result<Option<String>>;
    fn set_server_meta(&self, key: &str, value: &str) -> Result<()>;
    /// Every stored change of the province's reference data (of one province when given), in
    /// sequence order.
    fn reference_changes(&self, province: Option<&str>) -> Result<Vec<Sequenced>>;
    /// A station device's register-number exchange, in one transaction (see
    /// [`NumberRequest`]): record the device's fallback class and the floor it holds per year
    /// (never above the one granted), its fallback numbers as used outside a lease, its
    /// hand-backs as returned (only numbers leased to it and unused); then top its unused
    /// leases up to `want` with the lowest numbers that are neither leased nor used nor in
    /// another active device's reserved class ([`pick_free`]), raise its floor when the
    /// numbers handed out come near it ([`next_floor`]), and answer every number leased to it
    /// and unused, its floor and the year's [`Ledger`]. Two exchanges never lease one number
    /// twice. A device that never exchanged (an older app) reserves its slot's whole class.
    fn exchange_numbers(
        &self,
        device: Uuid,
        station: &str,
        req: &NumberRequest,
        now_ms: u64,
    ) -> Result<NumberResponse>;
    /// The station's numbers of a year as the province knows them.
    fn number_ledger(&self, station: &str, year: i32) -> Result<Ledger>;

    /// The head of a device's audit chain as last seen (see `audit_watch`).
    fn audit_head(&self, device: Uuid) -> Result<Option<AuditHead>>;
    fn set_audit_head(&self, device: Uuid, head: &AuditHead, now_ms: u64) -> Result<()>;
    /// Records what the watch found wrong with a device's audit chain.
    fn add_audit_alarm(&self, device: Uuid, detail: &str, now_ms: u64) -> Result<()>;
    /// Every alarm, oldest first.
    fn audit_alarms(&self) -> Result<Vec<AuditAlarm>>;
}

/// A device whose audit log no longer extended what the province had seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditAlarm {
    pub device: Uuid,
    pub at_ms: u64,
    pub detail: String,
}

/// How far above the numbers handed out a device's fallback floor is set: other devices lease
/// this many numbers contiguously while it is away before their leases start skipping its
/// class, and a device that falls back offline leaves at most this many numbers below its
/// first fallback number for later leases to fill.
pub const FLOOR_HEADROOM: u32 = 20;

/// The floor to grant a device, given the one granted before and the highest number handed
/// out for the year: raised to `high + 1 + FLOOR_HEADROOM` once the numbers handed out come
/// within half the headroom of it, so that a device acknowledges a new floor only now and then.
pub fn next_floor(granted: u32, high: u32) -> u32 {
    if granted < high.saturating_add(1 + FLOOR_HEADROOM / 2) {
        high.saturating_add(1 + FLOOR_HEADROOM)
    } else {
        granted
    }
}

/// The `need` lowest numbers that are not `taken` and not in another device's reserved class
/// (`(class, from)`: the class from that number up). Looks at most a bounded distance above
/// the highest taken number, so a station whose classes cover everything (an older app
/// numbering alone) gets fewer numbers, or none, rather than a search without end.
pub fn pick_free(taken: &BTreeSet<u32>, reserved: &[(Numbering, u32)], need: usize) -> Vec<u32> {
    let high = taken.last().copied().unwrap_or(0);
    let limit = high
        .saturating_add(FLOOR_HEADROOM)
        .saturating_add((need as u32).saturating_mul(64))
        .min(tinbao_sync::protocol::number_limits::MAX_SEQ);
    let mut out = Vec::with_capacity(need);
    let mut n = 0u32;
    while out.len() < need && n < limit {
        n += 1;
        if taken.contains(&n) || reserved.iter().any(|(c, from)| n >= *from && c.holds(n)) {
            continue;
        }
        out.push(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_numbers_are_the_lowest_outside_other_classes() {
        let taken: BTreeSet<u32> = [1, 2, 3, 7].into();
        assert_eq!(pick_free(&taken, &[], 4), vec![4, 5, 6, 8]);
        // Slot 2 of 2 holds its class (even numbers) from 6 up.
        let other = Numbering { slot: 2, slots: 2 };
        assert_eq!(pick_free(&taken, &[(other, 6)], 4), vec![4, 5, 9, 11]);
        // An older app alone at slot 1 of 1 covers everything: nothing to lease, and no hang.
        let alone = Numbering { slot: 1, slots: 1 };
        assert!(pick_free(&taken, &[(alone, 0)], 10).is_empty());
    }

    #[test]
    fn floors_rise_by_the_headroom_only_when_needed() {
        assert_eq!(next_floor(0, 0), 1 + FLOOR_HEADROOM);
        assert_eq!(next_floor(21, 5), 21);
        assert_eq!(next_floor(21, 11), 12 + FLOOR_HEADROOM);
        assert!(next_floor(0, 40) > 40);
    }
}
