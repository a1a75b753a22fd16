//! Vietnam time (UTC+7, no daylight saving): how the register shows and groups times that it
//! stores in UTC.
use chrono::{DateTime, FixedOffset};

pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600)
        .unwrap_or(FixedOffset::east_opt(0).expect("zero offset is valid"))
}

/// A stored time (unix seconds) in Vietnam time, for display.
pub fn vn_time(unix: i64) -> DateTime<FixedOffset> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&vn_offset())
}
