//! Hybrid logical clocks: physical milliseconds plus a counter, so that order survives
//! station PCs whose clocks are wrong or go backwards.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How far ahead of our own clock a remote timestamp may be before we refuse it. A PC whose
/// clock runs days ahead would otherwise drag every replica's clock with it.
pub const MAX_FUTURE_DRIFT_MS: u64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    /// Tie-breaker derived from the device id, so that two devices never produce equal stamps.
    pub node: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HlcError {
    #[error(
        "timestamp {remote_ms} is {ahead_ms} ms ahead of this clock; the sending device's clock is wrong"
    )]
    TooFarAhead { remote_ms: u64, ahead_ms: u64 },
    #[error("malformed clock value: {0}")]
    Malformed(String),
}

impl Hlc {
    pub const ZERO: Hlc = Hlc {
        wall_ms: 0,
        counter: 0,
        node: 0,
    };

    pub fn node_of(device: &uuid::Uuid) -> u32 {
        // The last bytes of a UUIDv7 are random; the first are time.
        let b = device.as_bytes();
        u32::from_be_bytes([b[12], b[13], b[14], b[15]])
    }
}

/// Fixed-width text whose byte order equals the clock order, so SQL can compare stamps.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:013}-{:010}-{:08x}",
            self.wall_ms, self.counter, self.node
        )
    }
}

impl FromStr for Hlc {
    type Err = HlcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || HlcError::Malformed(s.chars().take(40).collect());
        let mut it = s.split('-');
        let (Some(w), Some(c), Some(n), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        Ok(Hlc {
            wall_ms: w.parse().map_err(|_| bad())?,
            counter: c.parse().map_err(|_| bad())?,
            node: u32::from_str_radix(n, 16).map_err(|_| bad())?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One replica's clock. `now` stamps a local write; `observe` folds in a remote stamp.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
    node: u32,
}

impl HlcClock {
    pub fn new(node: u32, last: Hlc) -> Self {
        HlcClock { last, node }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    pub fn now(&mut self, physical_ms: u64) -> Hlc {
        let next = if physical_ms > self.last.wall_ms {
            Hlc {
                wall_ms: physical_ms,
                counter: 0,
                node: self.node,
            }
        } else {
            Hlc {
                wall_ms: self.last.wall_ms,
                counter: self.last.counter.saturating_add(1),
                node: self.node,
            }
        };
        self.last = next;
        next
    }

    pub fn observe(&mut self, remote: Hlc, physical_ms: u64) -> Result<(), HlcError> {
        if remote.wall_ms > physical_ms.saturating_add(MAX_FUTURE_DRIFT_MS) {
            return Err(HlcError::TooFarAhead {
                remote_ms: remote.wall_ms,
                ahead_ms: remote.wall_ms - physical_ms,
            });
        }
        if remote.wall_ms > self.last.wall_ms
            || (remote.wall_ms == self.last.wall_ms && remote.counter > self.last.counter)
        {
            self.last = Hlc {
                wall_ms: remote.wall_ms,
                counter: remote.counter,
                node: self.node,
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_form_round_trips_and_orders() {
        let a = Hlc {
            wall_ms: 1_700_000_000_000,
            counter: 3,
            node: 0xabc,
        };
        let b = Hlc {
            wall_ms: 1_700_000_000_000,
            counter: 12,
            node: 1,
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a < b && a.to_string() < b.to_string());
        assert!("12-x-3".parse::<Hlc>().is_err());
    }

    #[test]
    fn clock_going_backwards_still_moves_forward() {
        let mut c = HlcClock::new(7, Hlc::ZERO);
        let a = c.now(1000);
        let b = c.now(500);
        assert!(b > a);
    }

    #[test]
    fn refuses_stamps_far_in_the_future() {
        let mut c = HlcClock::new(7, Hlc::ZERO);
        let r = Hlc {
            wall_ms: 10 * MAX_FUTURE_DRIFT_MS,
            counter: 0,
            node: 1,
        };
        assert!(matches!(
            c.observe(r, 1000),
            Err(HlcError::TooFarAhead { .. })
        ));
        assert_eq!(c.last(), Hlc::ZERO);
    }

    proptest! {
        #[test]
        fn stamps_strictly_increase(times in proptest::collection::vec(0u64..10_000, 1..50), remote in 0u64..10_000) {
            let mut c = HlcClock::new(1, Hlc::ZERO);
            let mut prev = Hlc::ZERO;
            for (i, t) in times.iter().enumerate() {
                if i == times.len() / 2 {
                    c.observe(Hlc { wall_ms: remote, counter: 5, node: 2 }, 20_000).unwrap();
                }
                let s = c.now(*t);
                prop_assert!(s > prev);
                prop_assert_eq!(s.to_string().cmp(&prev.to_string()), s.cmp(&prev));
                prev = s;
            }
        }
    }
}
