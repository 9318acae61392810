//! Certificate requests as the API carries them: intake, the requester's own view, role and
//! group mailboxes, and the service desk's queue, evidence and decisions.

use serde::{Deserialize, Serialize};

use super::CertificateSummary;
use crate::pki::KeyType;

/// What kind of certificate is requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    pub const ALL: [RequestKind; 3] = [Self::Personal, Self::Role, Self::Group];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Personal => "personal",
            Self::Role => "role",
            Self::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a request stands. The server's state machine decides which changes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// Received; intake is deciding. Never seen outside the intake itself.
    Submitted,
    /// Waiting for the requester to show a photo ID at the service desk.
    AwaitingIdentityCheck,
    /// Identity confirmed; the certificate is being issued.
    Approved,
    /// The certificate exists; the requester was mailed a link to collect it.
    Issued,
    /// The requester collected the certificate.
    Collected,
    /// The service desk refused the request (the reason is given).
    Rejected,
    /// The requester took the request back before it was issued.
    Withdrawn,
    /// Nobody checked the requester's identity in time.
    Expired,
    /// The certificate was revoked.
    Revoked,
}

impl RequestState {
    pub const ALL: [RequestState; 9] = [
        Self::Submitted,
        Self::AwaitingIdentityCheck,
        Self::Approved,
        Self::Issued,
        Self::Collected,
        Self::Rejected,
        Self::Withdrawn,
        Self::Expired,
        Self::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::AwaitingIdentityCheck => "awaiting_identity_check",
            Self::Approved => "approved",
            Self::Issued => "issued",
            Self::Collected => "collected",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still under way: counts against the limit of open requests per person.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::AwaitingIdentityCheck | Self::Approved | Self::Issued
        )
    }
}

/// How the certificate request in [`NewRequest::csr`] is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CsrEncoding {
    /// PEM text, `-----BEGIN CERTIFICATE REQUEST-----`.
    #[default]
    Pem,
    /// The DER bytes in standard base64 (with or without padding).
    DerBase64,
}

/// Body of `POST` [`crate::api::routes::REQUESTS`]: a new certificate request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewRequest {
    pub kind: RequestKind,
    /// The mailboxes the certificate is for; the CSR's subjectAltName must name exactly these.
    /// Personal: the signed-in address. Role and group: mailboxes the requester owns.
    pub addresses: Vec<String>,
    /// Personal certificates: the given name as the requester types it. Role and group
    /// certificates carry the mailbox's registered name instead: leave empty.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Personal certificates: the surname as the requester types it.
    #[serde(default)]
    pub surname: Option<String>,
    /// The PKCS#10 certificate request, signed by the key made in the browser.
    pub csr: String,
    #[serde(default)]
    pub csr_encoding: CsrEncoding,
    /// The requester accepted the subscriber terms.
    pub terms_accepted: bool,
}

/// A request as its requester and the service desk see it. The CSR itself is not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestView {
    pub id: i64,
    /// Short code for people to quote, e.g. `CD-7K3P-Q9XA`.
    pub code: String,
    pub kind: RequestKind,
    pub state: RequestState,
    /// Who asked (signed-in address).
    pub requester: String,
    /// The certificate's mailboxes, the first being the primary one.
    pub addresses: Vec<String>,
    /// Personal: the name for the certificate (as typed until the desk vetted it, then as
    /// vetted).
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// Role and group: the mailbox's registered name, which goes into the certificate.
    pub display_name: Option<String>,
    pub key_type: KeyType,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
    pub updated_at: i64,
    /// When and by whom it was approved or rejected (by whom: the desk officer, or
    /// `certdesk` when approved at intake).
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The issued certificate, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateSummary>,
}

/// A role or group mailbox and the name that goes into its certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MailboxView {
    pub address: String,
    pub kind: RequestKind,
    pub display_name: String,
}

/// Answer of [`crate::api::routes::REQUEST_OPTIONS`]: what the signed-in person can request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestOptions {
    /// The signed-in address: the only one a personal certificate can name.
    pub email: String,
    /// Role and group mailboxes the person is a registered owner of.
    pub mailboxes: Vec<MailboxView>,
    /// Key types this installation accepts.
    pub key_types: Vec<KeyType>,
    /// Open requests (not yet collected, rejected, withdrawn or expired) and the limit.
    pub open_requests: u32,
    pub max_open_requests: u32,
    /// A personal request with this name would need a visit to the service desk (no usable
    /// identity check on file); `false` when it would be approved at once.
    pub identity_check_needed: bool,
    /// Where and when to come for the identity check, or how to book a video call, as the
    /// administrators wrote it (in the organisation's language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk_instructions: Option<String>,
}

/// How an officer saw the identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckMethod {
    InPerson,
    VideoCall,
}

impl CheckMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::VideoCall => "video_call",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::InPerson, Self::VideoCall]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The photo IDs the service desk accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    Passport,
    IdCard,
    ResidencePermit,
    DrivingLicence,
}

impl DocumentType {
    pub const ALL: [DocumentType; 4] = [
        Self::Passport,
        Self::IdCard,
        Self::ResidencePermit,
        Self::DrivingLicence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passport => "passport",
            Self::IdCard => "id_card",
            Self::ResidencePermit => "residence_permit",
            Self::DrivingLicence => "driving_licence",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// What the officer records from the photo ID. The officer and the time are added by the
/// server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EvidenceInput {
    pub method: CheckMethod,
    pub document_type: DocumentType,
    /// E.g. "Stadt Köln" or "HM Passport Office".
    pub issuing_authority: String,
    /// ISO 3166-1 alpha-2, e.g. `DE`.
    pub issuing_country: String,
    pub document_number: String,
    /// `YYYY-MM-DD`; the document must be valid on the day of the check.
    pub document_expiry: String,
    /// The full name exactly as printed on the document.
    pub name_on_document: String,
    /// The name for the certificate, as the officer confirmed it.
    pub given_name: String,
    pub surname: String,
}

/// Body of `POST` [`crate::api::routes::DESK_REQUEST_APPROVE`]: the identity check's
/// evidence; approving records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Approval {
    pub evidence: EvidenceInput,
}

/// Body of `POST` [`crate::api::routes::DESK_REQUEST_REJECT`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rejection {
    /// Mailed to the requester as written.
    pub reason: String,
}

/// Recorded evidence as the desk sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EvidenceView {
    pub id: i64,
    pub email: String,
    #[serde(flatten)]
    pub input: EvidenceInput,
    /// The officer who saw the document.
    pub officer: String,
    /// When the document was checked.
    pub checked_at: i64,
}

/// Where a verified identity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentitySource {
    /// The service desk checked a photo ID.
    Desk,
    /// An imported list of already-verified staff.
    Import,
}

impl IdentitySource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desk => "desk",
            Self::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Desk, Self::Import]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// A person's verified name on file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdentityView {
    pub email: String,
    pub given_name: String,
    pub surname: String,
    pub verified_at: i64,
    pub source: IdentitySource,
    /// Still recent enough that new requests of this person are approved without a check.
    pub reusable: bool,
}

/// Answer of [`crate::api::routes::DESK_REQUEST`]: a request with what the desk needs to
/// decide it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeskRequestDetail {
    pub request: RequestView,
    /// The requester's verified identity on file, if any.
    pub identity: Option<IdentityView>,
    /// The evidence this request was approved with, once approved by the desk.
    pub evidence: Option<EvidenceView>,
    /// The signed-in officer made this request and so may not decide it.
    pub own_request: bool,
}

/// Query of `GET` [`crate::api::routes::DESK_REQUESTS`]: filters, search and a page.
/// Requests come oldest first, so the longest waiting are at the top.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeskQuery {
    /// Only requests in this state (all states if absent).
    #[serde(default)]
    pub state: Option<RequestState>,
    #[serde(default)]
    pub kind: Option<RequestKind>,
    /// Only requests at least this many days old.
    #[serde(default)]
    pub min_age_days: Option<u32>,
    /// Only requests at most this many days old.
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// Words that must each begin a name, an address (or its part before `@`) or the
    /// request code, e.g. `müller` or `CD-7K3P`.
    #[serde(default)]
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Answer of `GET` [`crate::api::routes::DESK_REQUESTS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeskPage {
    pub items: Vec<RequestView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(k));
        }
        for d in DocumentType::ALL {
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.as_str())
            );
        }
        assert_eq!(
            serde_json::to_string(&CheckMethod::VideoCall).unwrap(),
            "\"video_call\""
        );
    }

    #[test]
    fn new_request_defaults_to_pem_without_names() {
        let r: NewRequest = serde_json::from_str(
            r#"{"kind":"role","addresses":["dpo@example.org"],"csr":"x","terms_accepted":true}"#,
        )
        .unwrap();
        assert_eq!(r.csr_encoding, CsrEncoding::Pem);
        assert_eq!((r.given_name, r.surname), (None, None));
    }
}
