use std::fmt;

use serde::{Deserialize, Serialize};

/// Every error the API can answer with. The code is stable and searchable: clients and
/// operators key on it, the message is for people and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No route at this path.
    NotFound,
    /// The request body or parameters could not be understood.
    BadRequest,
    /// Something failed on the server; details are in the server log only.
    Internal,
    /// The database did not answer.
    DatabaseUnavailable,
    /// The address is not in one of the configured mail domains.
    EmailNotAllowed,
    /// Too many requests; the message says when to try again.
    RateLimited,
    /// The sign-in link is unknown or malformed.
    LinkInvalid,
    /// The sign-in link was already used.
    LinkUsed,
    /// The sign-in link has expired.
    LinkExpired,
    /// This needs a session and there is none (or it has expired).
    NotSignedIn,
    /// Signed in, but the role does not allow this.
    Forbidden,
    /// A state-changing request came from another site.
    CrossSiteRequest,
    /// The collect link is unknown or malformed.
    CollectLinkInvalid,
    /// The certificate was revoked; it can no longer be collected.
    CertificateRevoked,
    /// The certificate has expired.
    CertificateExpired,
    /// The certificate was already revoked.
    AlreadyRevoked,
    /// Only the service desk may give this revocation reason.
    ReasonNotAllowed,
}

impl ErrorCode {
    /// The stable code as it appears on the wire and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest => "bad_request",
            Self::Internal => "internal",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::EmailNotAllowed => "email_not_allowed",
            Self::RateLimited => "rate_limited",
            Self::LinkInvalid => "link_invalid",
            Self::LinkUsed => "link_used",
            Self::LinkExpired => "link_expired",
            Self::NotSignedIn => "not_signed_in",
            Self::Forbidden => "forbidden",
            Self::CrossSiteRequest => "cross_site_request",
            Self::CollectLinkInvalid => "collect_link_invalid",
            Self::CertificateRevoked => "certificate_revoked",
            Self::CertificateExpired => "certificate_expired",
            Self::AlreadyRevoked => "already_revoked",
            Self::ReasonNotAllowed => "reason_not_allowed",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer: `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code})")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_code_matches_as_str() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::BadRequest,
            ErrorCode::Internal,
            ErrorCode::DatabaseUnavailable,
            ErrorCode::EmailNotAllowed,
            ErrorCode::RateLimited,
            ErrorCode::LinkInvalid,
            ErrorCode::LinkUsed,
            ErrorCode::LinkExpired,
            ErrorCode::NotSignedIn,
            ErrorCode::Forbidden,
            ErrorCode::CrossSiteRequest,
            ErrorCode::CollectLinkInvalid,
            ErrorCode::CertificateRevoked,
            ErrorCode::CertificateExpired,
            ErrorCode::AlreadyRevoked,
            ErrorCode::ReasonNotAllowed,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn error_body_shape() {
        let e = ApiError::new(ErrorCode::NotFound, "no such page");
        let v: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "not_found", "message": "no such page"})
        );
    }
}
