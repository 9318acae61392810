//! Issued certificates as the API carries them: the collect link's answer and revocation.

use serde::{Deserialize, Serialize};

use super::RequestKind;

/// Answer of `GET` [`crate::api::routes::COLLECT`]: what the download page needs to merge
/// the certificate with the user's key file. Public data only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Collected {
    /// The request's human code, e.g. `CD-7K3P-Q9XA`.
    pub request_code: String,
    pub kind: RequestKind,
    /// The certificate's addresses; the first is the primary one.
    pub addresses: Vec<String>,
    /// The name mail clients show for the key: the person's name or the mailbox's name.
    pub friendly_name: String,
    /// Serial number, lower-case hex.
    pub serial: String,
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The issuing CA up to the root, PEM, leaf's issuer first.
    pub chain_pem: String,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// File name without extension, e.g. `alice@example.org_20261121` or
    /// `GRP_secretariat@example.org_20261121`; the page appends `.p12`.
    pub file_stem: String,
}

/// The certificate of a request, as the requester's list and the service desk show it.
/// Public data only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CertificateSummary {
    /// Serial number, lower-case hex: what revocation names.
    pub serial: String,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// When the requester first opened the collect link and built the .p12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<i64>,
    /// When and why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<RevocationReason>,
}

/// Answer of `POST` [`crate::api::routes::REQUEST_COLLECT_LINK`]: a new collect link was
/// mailed; the one mailed before no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CollectLinkSent {
    /// Where the mail went: the requester's address.
    pub sent_to: String,
    /// The link works until the certificate expires (seconds since the Unix epoch).
    pub valid_until: i64,
}

/// Why a certificate is revoked: the RFC 5280 reason codes the S/MIME Baseline Requirements
/// allow for subscriber certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// No reason given (code 0).
    Unspecified,
    /// The private key or its password may be known to someone else (code 1).
    KeyCompromise,
    /// Name or organisation changed (code 3).
    AffiliationChanged,
    /// Replaced by a new certificate (code 4).
    Superseded,
    /// The mailbox or the person's role no longer exists (code 5).
    CessationOfOperation,
    /// The CA withdrew the right to use it (code 9); only the service desk.
    PrivilegeWithdrawn,
}

impl RevocationReason {
    pub const ALL: [Self; 6] = [
        Self::Unspecified,
        Self::KeyCompromise,
        Self::AffiliationChanged,
        Self::Superseded,
        Self::CessationOfOperation,
        Self::PrivilegeWithdrawn,
    ];

    /// The reason code in a CRL entry (RFC 5280, 5.3.1).
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::PrivilegeWithdrawn => 9,
        }
    }

    /// The name used on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "key_compromise",
            Self::AffiliationChanged => "affiliation_changed",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessation_of_operation",
            Self::PrivilegeWithdrawn => "privilege_withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Body of `POST` [`crate::api::routes::REVOKE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RevokeRequest {
    pub reason: RevocationReason,
}

/// Answer of a revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Revoked {
    pub serial: String,
    pub reason: RevocationReason,
    /// Seconds since the Unix epoch.
    pub revoked_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_with_their_rfc_5280_codes() {
        let codes: Vec<u8> = RevocationReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes, [0, 1, 3, 4, 5, 9]);
        for r in RevocationReason::ALL {
            assert_eq!(RevocationReason::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(RevocationReason::parse("certificate_hold"), None);
    }
}
