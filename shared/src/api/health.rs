use serde::{Deserialize, Serialize};

/// Answer of [`crate::api::routes::HEALTH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    /// The server's version (its crate version).
    pub version: String,
    pub database: DatabaseStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DatabaseStatus {
    Reachable,
    Unreachable,
}

impl Health {
    /// Ready to serve requests: a health check behind a load balancer keys on this.
    pub fn is_ready(&self) -> bool {
        self.database == DatabaseStatus::Reachable
    }
}
