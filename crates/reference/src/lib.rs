//! tinbao-reference: reference data shipped inside the app and the server, with no database
//! and no I/O, so both sides agree on every code. Today the official administrative units;
//! the holiday calendar and legal reference data belong here too.
#![forbid(unsafe_code)]

pub mod admin_units;
