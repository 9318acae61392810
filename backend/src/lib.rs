//! certdesk's server: configuration, storage, mail and the HTTP API, as a library so the
//! integration tests run the real thing in-process.

pub mod ca;
pub mod cli;
pub mod cli_pki;
pub mod config;
pub mod domain;
mod error;
pub mod http;
pub mod issuance;
pub mod mail;
pub mod operators;
pub mod requests;
pub mod server;
pub mod store;

pub use error::{Error, Result};

/// The server's version, as reported by `/api/health` and `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
