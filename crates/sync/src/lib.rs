//! The sync protocol shared by the station app and the provincial server: changes stamped
//! with hybrid logical clocks, the merge rules every replica applies, and the wire messages.
#![forbid(unsafe_code)]

pub mod change;
pub mod hlc;
pub mod merge;
pub mod protocol;
pub mod reference;

pub use change::{Change, EntityKind, Op};
pub use hlc::{Hlc, HlcClock, HlcError};
