//! The HTTP API as both sides see it. No type here can carry a private key: a typed client
//! built on these types cannot send one.

mod auth;
mod certificates;
mod error;
mod health;
mod requests;
pub mod routes;

pub use auth::{
    AuditEntry, AuditLog, Language, LinkRequest, LinkSent, Me, Operator, Role, SessionRequest,
};
pub use certificates::{
    CertificateSummary, CollectLinkSent, Collected, RevocationReason, RevokeRequest, Revoked,
};
pub use error::{ApiError, ErrorCode};
pub use health::{DatabaseStatus, Health};
pub use requests::{
    Approval, CheckMethod, CsrEncoding, DeskPage, DeskQuery, DeskRequestDetail, DocumentType,
    EvidenceInput, EvidenceView, IdentitySource, IdentityView, MailboxView, NewRequest, Rejection,
    RequestKind, RequestOptions, RequestState, RequestView,
};
