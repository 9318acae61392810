//! The HTTP API as both sides see it. No type here can carry a private key: a typed client
//! built on these types cannot send one.

mod error;
mod health;
pub mod routes;

pub use error::{ApiError, ErrorCode};
pub use health::{DatabaseStatus, Health};
