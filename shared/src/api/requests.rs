//! Certificate requests as the API carries them.

use serde::{Deserialize, Serialize};

/// What kind of certificate is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// The requester's own address(es) and vetted name.
    Personal,
    /// A functional role's mailbox (e.g. the data-protection officer); no person's name.
    Role,
    /// A mailbox a group shares (e.g. a secretariat); no person's name.
    Group,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Personal => "personal",
            Self::Role => "role",
            Self::Group => "group",
        }
    }
}
