//! Register numbers an inspector can account for.
//!
//! A station's numbers must be unique per year, given offline, and as contiguous as offline
//! work allows, because a procuracy inspection reads a gap as a deleted record. So:
//!
//! - **A lone PC** (never enrolled) numbers 1, 2, 3… above every number it knows.
//! - **An enrolled PC** leases blocks of consecutive numbers from the province at each sync
//!   ([`Store::number_request`] / [`Store::apply_number_grant`], [`LEASE_BLOCK`] at a time,
//!   topped up when fewer than half remain), and intake takes the smallest number it holds.
//! - **Out of numbers offline**, intake never waits: it takes the smallest number of its own
//!   class (`n ≡ slot mod slots`, the slot the province gave it) at or above its *fallback
//!   floor* and above every number it knows, and records that it did. The province never
//!   leases a number of that class from the floor the device holds up to another device, so
//!   this cannot collide; the numbers it jumps over are leased later, so the gap closes.
//! - **Unused numbers go back** (a past year's, a lease older than [`LEASE_MAX_AGE_DAYS`]
//!   days, all of them when a PC is retired: [`Store::hand_back_numbers`]); the province
//!   leases handed-back numbers again first.
//! - **The printed register** ([`Store::register_book`]) lists every number of the year in
//!   order; a number without a case says why, from this PC's own records and the province's
//!   ledger as last received.
//!
//! Before the first exchange with the province (and with a province server older than the
//! leases) an enrolled PC numbers by its slot alone, as it always did.
use crate::error::{Error, Result};
use crate::model::{Actor, Channel, Kind, Role, Scope, Status};
use crate::store::Store;
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use tinbao_sync::protocol::{
    Ledger, NumberRequest, NumberResponse, NumberState, Numbering, YearRequest,
    number_limits::MAX_YEARS,
};
use ts_rs::TS;
use uuid::Uuid;

/// Numbers leased at a time; topped up when fewer than half remain.
pub const LEASE_BLOCK: u32 = 10;
/// A lease unused this long is handed back at the next sync (and may come back re-leased).
pub const LEASE_MAX_AGE_DAYS: i64 = 30;

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The highest number of `station`'s `year` this PC knows: its cases, its own numbers, the
/// province's ledger.
fn known_high(tx: &Connection, station: &str, year: i32) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT MAX(
               (SELECT COALESCE(MAX(reg_seq), 0) FROM cases WHERE station = ?1 AND reg_year = ?2),
               (SELECT COALESCE(MAX(seq), 0) FROM register_numbers WHERE station = ?1 AND year = ?2),
               (SELECT COALESCE(MAX(ledger_high), 0) FROM register_years WHERE station = ?1 AND year = ?2))",
        )?
        .query_row(params![station, year], |r| r.get(0))?)
}

/// The register number of a new case of `station` received in `year`, taken in the caller's
/// transaction: the smallest number leased to this PC, or, once it has leased (`leases`) and
/// has none left, a fallback of its class above its floor, recorded as such. Returns the
/// number and whether it is a fallback.
pub(crate) fn take_number(
    tx: &Connection,
    station: &str,
    year: i32,
    scheme: Numbering,
    leases: bool,
    case: Uuid,
) -> Result<(i64, bool)> {
    let now = now_ms();
    // Restored from a backup: some leased numbers may have been used after it (see
    // `Store::restore`); none is taken until the province's next answer.
    let restored: bool = tx
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'numbers_after_restore' AND value = '1')",
        )?
        .query_row([], |r| r.get(0))?;
    if leases && !restored {
        let held: Vec<i64> = tx
            .prepare_cached(
                "SELECT seq FROM register_numbers
                 WHERE station = ?1 AND year = ?2 AND state = 'leased' ORDER BY seq",
            )?
            .query_map(params![station, year], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for seq in held {
            let taken: bool = tx
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM cases
                     WHERE station = ?1 AND reg_year = ?2 AND reg_seq = ?3)",
                )?
                .query_row(params![station, year, seq], |r| r.get(0))?;
            // A case already there (imported under that number): the number is spent.
            tx.prepare_cached(
                "UPDATE register_numbers SET state = 'used', case_id = ?4, at_ms = ?5
                 WHERE station = ?1 AND year = ?2 AND seq = ?3",
            )?
            .execute(params![
                station,
                year,
                seq,
                (!taken).then(|| case.to_string()),
                now
            ])?;
            if !taken {
                return Ok((seq, false));
            }
        }
    }
    let floor: i64 = tx
        .prepare_cached("SELECT floor FROM register_years WHERE station = ?1 AND year = ?2")?
        .query_row(params![station, year], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let slots = i64::from(scheme.slots.max(1));
    let residue = i64::from(scheme.slot).rem_euclid(slots);
    let mut next = floor.max(known_high(tx, station, year)? + 1).max(1);
    next += (residue - next.rem_euclid(slots)).rem_euclid(slots);
    if leases {
        tx.prepare_cached(
            "INSERT INTO register_numbers(station, year, seq, state, case_id, at_ms)
             VALUES (?1, ?2, ?3, 'fallback', ?4, ?5)",
        )?
        .execute(params![station, year, next, case.to_string(), now])?;
    }
    Ok((next, leases))
}

/// Why a number of the year has no case in this PC's register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GapReason {
    /// Leased to a PC, not used yet.
    Leased,
    /// Leased to a PC and handed back unused; it will be leased again.
    Returned,
    /// Used by a case of another PC that has not reached this one yet.
    UsedElsewhere,
    /// Kept for a PC's numbers when it runs out of leased numbers offline.
    Reserved,
    /// Jumped over when a PC ran out of leased numbers offline and took a higher number.
    Skipped,
    /// Not leased yet although higher numbers were (it was kept for a PC's offline use while
    /// that PC was away); the next lease takes it before any higher number.
    NotLeased,
    /// Nothing this PC or the province's ledger (as last received) knows of.
    Unknown,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Gap {
    pub reason: GapReason,
    /// The PC concerned, as the province names it.
    pub device_name: Option<String>,
    /// When it took this state (leased, handed back), Unix milliseconds.
    #[ts(type = "number | null")]
    pub at_ms: Option<i64>,
    /// For `skipped`: the fallback number taken above it.
    #[ts(type = "number | null")]
    pub by_seq: Option<i64>,
}

/// A case as the printed register shows it: no reporter, no persons.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BookCase {
    pub id: Uuid,
    pub received_at: DateTime<FixedOffset>,
    pub kind: Kind,
    pub channel: Channel,
    pub category: String,
    pub summary: String,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BookLine {
    #[ts(type = "number")]
    pub seq: i64,
    pub register_no: String,
    pub case: Option<BookCase>,
    /// Why there is no case, when there is none.
    pub gap: Option<Gap>,
    /// The number was taken outside a lease by a PC out of leased numbers offline (as the
    /// case's own journal says, so every PC of the station shows it).
    pub fallback: bool,
}

/// The sổ tiếp nhận of one year for printing: every number from 1 to the highest known, in
/// order.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RegisterBook {
    pub station: String,
    pub station_name: Option<String>,
    pub year: i32,
    pub lines: Vec<BookLine>,
    pub used: u32,
    pub unused: u32,
    /// Numbers without a case and without an explanation (should be none).
    pub unexplained: u32,
    /// When the province's ledger of the year was last received (Unix ms); none: never
    /// (a lone PC, or not synced this year).
    #[ts(type = "number | null")]
    pub ledger_at_ms: Option<i64>,
}

fn station_of(scope: &Scope) -> Option<&str> {
    match scope {
        Scope::Station(s) => Some(s),
        Scope::Province(_) => None,
    }
}

fn vn_year() -> i32 {
    Utc::now().with_timezone(&crate::time::vn_offset()).year()
}

impl Store {
    /// The exchange to make with the province at this sync, or None (a province laptop, a PC
    /// not enrolled). Leases of past years and leases grown old are handed back first: from
    /// here on they are no longer taken, whatever becomes of the request.
    pub fn number_request(&mut self) -> Result<Option<NumberRequest>> {
        let Some(station) = station_of(&self.scope).map(str::to_owned) else {
            return Ok(None);
        };
        if self.meta("sync_credential")?.is_none_or(|c| c.is_empty()) {
            return Ok(None);
        }
        let (slot, slots) = self.numbering()?;
        let year = vn_year();
        let old = now_ms() - LEASE_MAX_AGE_DAYS * 86_400_000;
        self.conn.execute(
            "UPDATE register_numbers SET state = 'returned', at_ms = ?4, reported = 0
             WHERE station = ?1 AND state = 'leased' AND (year < ?2 OR leased_ms < ?3)",
            params![station, year, old, now_ms()],
        )?;
        let mut years: BTreeSet<i32> = [year].into();
        if Utc::now().with_timezone(&crate::time::vn_offset()).month() == 12 {
            years.insert(year + 1);
        }
        let pending: Vec<i32> = self
            .conn
            .prepare(
                "SELECT DISTINCT year FROM register_numbers
                 WHERE station = ?1 AND reported = 0 AND state IN ('fallback', 'returned')
                 ORDER BY year DESC",
            )?
            .query_map([&station], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Most recent first; what does not fit goes at the next sync.
        for y in pending {
            if years.len() >= MAX_YEARS {
                break;
            }
            years.insert(y);
        }
        let mut out = Vec::new();
        for y in years {
            let list = |state: &str| -> Result<Vec<u32>> {
                Ok(self
                    .conn
                    .prepare_cached(
                        "SELECT seq FROM register_numbers
                         WHERE station = ?1 AND year = ?2 AND state = ?3 AND reported = 0
                         ORDER BY seq LIMIT 10000",
                    )?
                    .query_map(params![station, y, state], |r| r.get::<_, i64>(0))?
                    .map(|r| r.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32))
                    .collect::<rusqlite::Result<_>>()?)
            };
            let unused: i64 = self.conn.query_row(
                "SELECT COUNT(*) FROM register_numbers
                 WHERE station = ?1 AND year = ?2 AND state = 'leased'",
                params![station, y],
                |r| r.get(0),
            )?;
            let floor: i64 = self
                .conn
                .query_row(
                    "SELECT floor FROM register_years WHERE station = ?1 AND year = ?2",
                    params![station, y],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let hand_back = list("returned")?;
            // An exchange that gives numbers back asks for none: a PC being retired does
            // not lease its own numbers again on the way out.
            let want = if hand_back.is_empty() && y >= year && unused < i64::from(LEASE_BLOCK / 2) {
                LEASE_BLOCK
            } else {
                0
            };
            out.push(YearRequest {
                year: y,
                want,
                floor: floor.clamp(0, i64::from(u32::MAX)) as u32,
                fallback: list("fallback")?,
                hand_back,
            });
        }
        Ok(Some(NumberRequest {
            scheme: Numbering {
                slot: slot.clamp(1, i64::from(u32::MAX)) as u32,
                slots: slots.clamp(1, i64::from(u32::MAX)) as u32,
            },
            years: out,
        }))
    }

    /// Keeps what the province answered to `sent`: the numbers leased to this PC (the whole
    /// set: one it no longer lists is not taken again), the fallback floor, the ledger; what
    /// was reported is marked so. Returns whether the floor rose, so that the caller tells
    /// the province at once that this PC holds it (until then the province keeps the class
    /// from the old floor up, which is safe but leaves holes).
    pub fn apply_number_grant(
        &mut self,
        sent: &NumberRequest,
        got: &NumberResponse,
    ) -> Result<bool> {
        let Some(station) = station_of(&self.scope).map(str::to_owned) else {
            return Ok(false);
        };
        let now = now_ms();
        let tx = self.conn.transaction()?;
        let mut rose = false;
        for y in &sent.years {
            let mut st = tx.prepare_cached(
                "UPDATE register_numbers SET reported = 1
                 WHERE station = ?1 AND year = ?2 AND seq = ?3 AND state IN ('fallback', 'returned')",
            )?;
            for seq in y.fallback.iter().chain(&y.hand_back) {
                st.execute(params![station, y.year, seq])?;
            }
        }
        for g in &got.years {
            if !sent.years.iter().any(|y| y.year == g.year) {
                continue;
            }
            let leased: BTreeSet<i64> = g.leased.iter().map(|&n| i64::from(n)).collect();
            let held: Vec<i64> = tx
                .prepare_cached(
                    "SELECT seq FROM register_numbers
                     WHERE station = ?1 AND year = ?2 AND state = 'leased'",
                )?
                .query_map(params![station, g.year], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for seq in held.iter().filter(|n| !leased.contains(n)) {
                tx.execute(
                    "UPDATE register_numbers SET state = 'returned', at_ms = ?4, reported = 1
                     WHERE station = ?1 AND year = ?2 AND seq = ?3",
                    params![station, g.year, seq, now],
                )?;
            }
            for seq in &leased {
                // A number this PC handed back (and the province heard so) may come back in a
                // later lease: it is this PC's again. One used here stays used.
                tx.prepare_cached(
                    "INSERT INTO register_numbers(station, year, seq, state, leased_ms, at_ms)
                     VALUES (?1, ?2, ?3, 'leased', ?4, ?4)
                     ON CONFLICT(station, year, seq) DO UPDATE SET state = 'leased',
                       leased_ms = excluded.leased_ms, at_ms = excluded.at_ms, reported = 0
                     WHERE register_numbers.state = 'returned' AND register_numbers.reported = 1",
                )?
                .execute(params![station, g.year, seq, now])?;
            }
            let high = g
                .ledger
                .used
                .iter()
                .map(|r| r.1)
                .chain(g.ledger.entries.iter().map(|e| e.seq))
                .max()
                .unwrap_or(0);
            let ledger = serde_json::to_string(&g.ledger).map_err(|e| {
                Error::invalid(format!("Sổ số thụ lý của tỉnh không đọc được: {e}"))
            })?;
            let before: i64 = tx
                .query_row(
                    "SELECT floor FROM register_years WHERE station = ?1 AND year = ?2",
                    params![station, g.year],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let floor = before.max(i64::from(g.floor));
            let asked = sent
                .years
                .iter()
                .find(|y| y.year == g.year)
                .map_or(0, |y| i64::from(y.floor));
            rose |= floor > asked;
            tx.execute(
                "INSERT INTO register_years(station, year, floor, ledger, ledger_high, ledger_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(station, year) DO UPDATE SET floor = ?3, ledger = ?4,
                   ledger_high = ?5, ledger_ms = ?6",
                params![station, g.year, floor, ledger, high, now],
            )?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('numbering_leases', '1')",
            [],
        )?;
        // The province has now said which numbers are still this PC's.
        tx.execute("DELETE FROM meta WHERE key = 'numbers_after_restore'", [])?;
        tx.commit()?;
        Ok(rose)
    }

    /// Whether this PC takes its numbers from leases (it has exchanged with the province).
    pub fn numbers_leased(&self) -> Result<bool> {
        Ok(self.meta("numbering_leases")?.as_deref() == Some("1"))
    }

    /// Hands back every number leased to this PC and not used (a PC being retired or moved):
    /// they are no longer taken here and go back to the province at the next sync (which
    /// leases none). The station's chief only; audited. Returns how many.
    pub fn hand_back_numbers(&mut self, actor: &Actor) -> Result<u32> {
        if !matches!(actor.role, Role::Chief | Role::Admin) {
            return Err(Error::forbidden("trả lại số thụ lý chưa dùng"));
        }
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE register_numbers SET state = 'returned', at_ms = ?1, reported = 0
             WHERE state = 'leased'",
            [now_ms()],
        )?;

        crate::store::record_in(
            &tx,
            actor,
            self.device,
            &mut self.clock,
            &self.scope,
            "numbers_handed_back",
            None,
            Some(&format!("{n} số")),
        )?;
        tx.commit()?;
        Ok(n as u32)
    }

    /// The year's register for printing: every number from 1 to the highest known, each with
    /// its case (never the reporter) or why it has none.
    pub fn register_book(&self, actor: &Actor, year: i32) -> Result<RegisterBook> {
        let station = match (&self.scope, &actor.station) {
            (Scope::Station(s), Some(a)) if s == a => s.clone(),
            (Scope::Station(s), None) if actor.role == Role::Admin => s.clone(),
            _ => return Err(Error::forbidden("in sổ tiếp nhận của đơn vị này")),
        };
        // Each case with whether its journal says its number was taken outside a lease.
        let mut cases: BTreeMap<i64, Vec<(bool, BookCase)>> = BTreeMap::new();
        {
            let mut st = self.conn.prepare(
                "SELECT c.id, c.reg_seq, c.received_at, c.kind, c.channel, c.category, c.summary,
                        c.status,
                        EXISTS(SELECT 1 FROM events e WHERE e.case_id = c.id AND e.type = 'created'
                               AND json_extract(e.data, '$.number_outside_lease') = 1)
                 FROM cases c WHERE c.station = ?1 AND c.reg_year = ?2 ORDER BY c.reg_seq, c.id",
            )?;
            let rows = st.query_map(params![station, year], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, bool>(8)?,
                ))
            })?;
            for row in rows {
                let (id, seq, received, kind, channel, category, summary, status, outside) = row?;
                let bad = |what: &str| Error::invalid(format!("Vụ việc số {seq}: {what} hỏng."));
                cases.entry(seq).or_default().push((
                    outside,
                    BookCase {
                        id: Uuid::parse_str(&id).map_err(|_| bad("mã"))?,
                        received_at: DateTime::parse_from_rfc3339(&received)
                            .map_err(|_| bad("thời điểm tiếp nhận"))?,
                        kind: Kind::parse(&kind).ok_or_else(|| bad("loại tin"))?,
                        channel: Channel::parse(&channel).ok_or_else(|| bad("kênh"))?,
                        category,
                        summary,
                        status: Status::parse(&status).ok_or_else(|| bad("trạng thái"))?,
                    },
                ));
            }
        }
        let mut own: BTreeMap<i64, (String, i64)> = BTreeMap::new();
        {
            let mut st = self.conn.prepare(
                "SELECT seq, state, at_ms FROM register_numbers WHERE station = ?1 AND year = ?2",
            )?;
            let rows = st.query_map(params![station, year], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (seq, state, at) = row?;
                own.insert(seq, (state, at));
            }
        }
        let stored: Option<(Option<String>, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT ledger, ledger_ms FROM register_years WHERE station = ?1 AND year = ?2",
                params![station, year],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (ledger, ledger_at_ms) = match stored {
            Some((Some(text), at)) => (
                serde_json::from_str::<Ledger>(&text).unwrap_or_default(),
                at,
            ),
            _ => (Ledger::default(), None),
        };
        let ledger_high = ledger
            .used
            .iter()
            .map(|r| i64::from(r.1))
            .chain(ledger.entries.iter().map(|e| i64::from(e.seq)))
            .max()
            .unwrap_or(0);
        let me = self.device;
        let my_name = ledger
            .reserved
            .iter()
            .find(|r| r.device == me)
            .map(|r| r.device_name.clone());
        let name_of = |d: Uuid, n: &str| -> Option<String> {
            if !n.is_empty() {
                Some(n.to_owned())
            } else if d == me {
                my_name.clone()
            } else {
                None
            }
        };
        let entries: BTreeMap<i64, &tinbao_sync::protocol::LedgerEntry> = ledger
            .entries
            .iter()
            .map(|e| (i64::from(e.seq), e))
            .collect();
        let used_there = |n: i64| {
            ledger
                .used
                .iter()
                .any(|&(a, b)| i64::from(a) <= n && n <= i64::from(b))
        };
        // Numbers taken outside a lease, here or (as the province says) elsewhere: what a
        // lower number without a lease was jumped over for.
        let mut outside: BTreeMap<i64, Option<String>> = BTreeMap::new();
        for (seq, (state, _)) in &own {
            if state == "fallback" {
                outside.insert(*seq, my_name.clone());
            }
        }
        for e in &ledger.entries {
            if e.state == NumberState::Unleased {
                outside
                    .entry(i64::from(e.seq))
                    .or_insert_with(|| name_of(e.device, &e.device_name));
            }
        }
        let high = [
            cases.keys().next_back().copied(),
            own.iter()
                .filter(|(_, (s, _))| s == "used" || s == "fallback")
                .map(|(n, _)| *n)
                .next_back(),
            ledger.used.last().map(|r| i64::from(r.1)),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        let mut book = RegisterBook {
            station: station.clone(),
            station_name: self.admin_commune(&station)?.map(|c| c.name),
            year,
            lines: Vec::new(),
            used: 0,
            unused: 0,
            unexplained: 0,
            ledger_at_ms,
        };
        for seq in 1..=high {
            let register_no = format!("{seq}/{year}");
            if let Some(list) = cases.remove(&seq) {
                book.used += 1;
                for (outside, case) in list {
                    book.lines.push(BookLine {
                        seq,
                        register_no: register_no.clone(),
                        case: Some(case),
                        gap: None,
                        fallback: outside,
                    });
                }
                continue;
            }
            let gap = |reason, device_name, at_ms, by_seq| Gap {
                reason,
                device_name,
                at_ms,
                by_seq,
            };
            let g = match (own.get(&seq), entries.get(&seq)) {
                (Some((s, at)), _) if s == "leased" => {
                    gap(GapReason::Leased, my_name.clone(), Some(*at), None)
                }
                (Some((s, at)), _) if s == "returned" => {
                    gap(GapReason::Returned, my_name.clone(), Some(*at), None)
                }
                (_, Some(e)) => gap(
                    match e.state {
                        NumberState::Leased => GapReason::Leased,
                        NumberState::Returned => GapReason::Returned,
                        NumberState::Unleased => GapReason::UsedElsewhere,
                    },
                    name_of(e.device, &e.device_name),
                    i64::try_from(e.at_ms).ok(),
                    None,
                ),
                _ if used_there(seq) => gap(GapReason::UsedElsewhere, None, None, None),
                _ => {
                    let kept = ledger.reserved.iter().find(|r| {
                        i64::from(r.from.max(1)) <= seq
                            && u32::try_from(seq).is_ok_and(|n| {
                                Numbering {
                                    slot: r.slot,
                                    slots: r.slots,
                                }
                                .holds(n)
                            })
                    });
                    match (kept, outside.range(seq + 1..).next()) {
                        (Some(r), _) => gap(
                            GapReason::Reserved,
                            name_of(r.device, &r.device_name),
                            None,
                            None,
                        ),
                        (None, Some((by, name))) => {
                            gap(GapReason::Skipped, name.clone(), None, Some(*by))
                        }
                        (None, None) if ledger_at_ms.is_some() && seq <= ledger_high => {
                            gap(GapReason::NotLeased, None, None, None)
                        }
                        (None, None) => gap(GapReason::Unknown, None, None, None),
                    }
                }
            };
            book.unused += 1;
            if g.reason == GapReason::Unknown {
                book.unexplained += 1;
            }
            book.lines.push(BookLine {
                seq,
                register_no,
                case: None,
                gap: Some(g),
                fallback: false,
            });
        }
        Ok(book)
    }
}
