//! Development tooling shared by the `cargo xtask` commands and the integration tests.

pub mod pg;
