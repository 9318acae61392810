//! Sign-in by magic link, the session, roles and the audit log as the API shows them.

use serde::{Deserialize, Serialize};

/// Body of [`crate::api::routes::AUTH_LINK`]: mail me a sign-in link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinkRequest {
    pub email: String,
    /// Language of the mail when the address has none stored yet.
    #[serde(default)]
    pub language: Option<Language>,
}

/// Answer of [`crate::api::routes::AUTH_LINK`]; the same whether or not the address is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LinkSent {
    /// How long the mailed link stays valid.
    pub expires_in_minutes: u32,
}

/// Body of [`crate::api::routes::AUTH_SESSION`]: the token from the mailed link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionRequest {
    pub token: String,
}

/// Who is signed in: answer of [`crate::api::routes::AUTH_ME`] and of a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub language: Language,
}

/// What a signed-in person may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anyone who signed in.
    Requester,
    /// Service-desk officer: checks identities, approves, revokes.
    Desk,
    /// Configures certdesk and its operators.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requester => "requester",
            Self::Desk => "desk",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Requester, Self::Desk, Self::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Languages of mails and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// Unknown tags fall back to English.
    pub fn parse_lossy(s: &str) -> Self {
        if s.trim().to_ascii_lowercase().starts_with("de") {
            Self::De
        } else {
            Self::En
        }
    }
}

/// One operator (desk or admin) in [`crate::api::routes::OPERATORS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Operator {
    pub email: String,
    pub role: Role,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// Who did it: an address, or `cli` for the command line.
    pub actor: String,
    /// What happened, e.g. `signin` or `role_change`.
    pub action: String,
    /// What it happened to, e.g. the address whose role changed.
    pub subject: String,
    /// From where: the client address, or `cli`.
    pub client: String,
    pub detail: String,
}

/// Answer of [`crate::api::routes::AUDIT`]: the newest entries and whether the chain is intact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
    /// Id of the first entry whose link to its predecessor is broken, if any.
    pub first_broken: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(Role::Admin > Role::Desk && Role::Desk > Role::Requester);
        for r in [Role::Requester, Role::Desk, Role::Admin] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn language_from_tags() {
        assert_eq!(Language::parse_lossy("de-DE"), Language::De);
        assert_eq!(Language::parse_lossy("en-GB"), Language::En);
        assert_eq!(Language::parse_lossy("fr"), Language::En);
    }

    #[test]
    fn link_request_language_is_optional() {
        let r: LinkRequest = serde_json::from_str(r#"{"email":"a@example.org"}"#).unwrap();
        assert_eq!(r.language, None);
    }
}
