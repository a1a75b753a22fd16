pub mod admin;
pub mod cases;
pub mod community;
pub mod reports;
pub mod session;
pub mod sync;
