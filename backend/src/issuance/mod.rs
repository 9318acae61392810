//! After approval: issuing through the configured CA, handing the certificate out through
//! the mailed collect link, and revocation.

mod collect;
mod collect_again;
mod revoke;
mod worker;

pub use collect::{CollectOutcome, collect};
pub use collect_again::collect_again;
pub use revoke::{Actor, RevokeOutcome, normalize_serial, revoke};
pub use worker::{IssuanceHandle, IssuanceWorker, LEASE, collect_link};
