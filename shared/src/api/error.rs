use std::fmt;

use serde::{Deserialize, Serialize};

/// Every error the API can answer with. The code is stable and searchable: clients and
/// operators key on it, the message is for people and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// The subscriber terms were not accepted.
    TermsNotAccepted,
    /// An address is missing, malformed or given twice.
    AddressInvalid,
    /// A personal certificate needs the given name and surname.
    NameRequired,
    /// A name is too long, holds control characters, or is given where none is used.
    NameInvalid,
    /// The certificate request (CSR) cannot be read.
    CsrMalformed,
    /// The CSR is not signed by its own key.
    CsrSignatureInvalid,
    /// The CSR is signed with an algorithm certdesk does not accept for its key type.
    CsrAlgorithmUnsupported,
    /// The CSR's addresses are not exactly the requested ones.
    CsrAddressMismatch,
    /// RSA key below 2048 bits.
    RsaTooSmall,
    /// RSA key length not a multiple of 8.
    #[serde(rename = "rsa_modulus_not_multiple_of_8")]
    RsaModulusNotMultipleOf8,
    /// RSA public exponent other than 65537.
    RsaBadExponent,
    /// RSA modulus divisible by a small prime.
    RsaSmallFactor,
    /// RSA primes so close that Fermat's method factors the key.
    RsaFermatFactorable,
    /// RSA key from the flawed Infineon generator (ROCA).
    RsaRoca,
    /// EC public key not a point on its curve.
    EcPointInvalid,
    /// Neither an RSA nor an ECDSA P-256/P-384 key, or damaged.
    PublicKeyInvalid,
    /// The key type is not among those this installation accepts.
    KeyTypeNotAllowed,
    /// A personal certificate can only be for the signed-in address.
    AddressNotOwn,
    /// The address is not a registered role or group mailbox of the requested kind.
    MailboxNotRegistered,
    /// The signed-in person is not a registered owner of the mailbox.
    NotMailboxOwner,
    /// The person already has as many open requests as allowed.
    TooManyOpenRequests,
    /// No such request (or not the caller's to see).
    RequestNotFound,
    /// The request's state does not allow this (e.g. withdrawing an issued one).
    RequestStateConflict,
    /// Service-desk officers do not decide their own requests.
    OwnRequest,
    /// A field of the identity-check evidence is missing or not valid.
    EvidenceInvalid,
    /// A rejection needs a reason.
    ReasonRequired,
    /// The page cursor is not one this server handed out.
    CursorInvalid,
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
            Self::PayloadTooLarge => "payload_too_large",
            Self::TermsNotAccepted => "terms_not_accepted",
            Self::AddressInvalid => "address_invalid",
            Self::NameRequired => "name_required",
            Self::NameInvalid => "name_invalid",
            Self::CsrMalformed => "csr_malformed",
            Self::CsrSignatureInvalid => "csr_signature_invalid",
            Self::CsrAlgorithmUnsupported => "csr_algorithm_unsupported",
            Self::CsrAddressMismatch => "csr_address_mismatch",
            Self::RsaTooSmall => "rsa_too_small",
            Self::RsaModulusNotMultipleOf8 => "rsa_modulus_not_multiple_of_8",
            Self::RsaBadExponent => "rsa_bad_exponent",
            Self::RsaSmallFactor => "rsa_small_factor",
            Self::RsaFermatFactorable => "rsa_fermat_factorable",
            Self::RsaRoca => "rsa_roca",
            Self::EcPointInvalid => "ec_point_invalid",
            Self::PublicKeyInvalid => "public_key_invalid",
            Self::KeyTypeNotAllowed => "key_type_not_allowed",
            Self::AddressNotOwn => "address_not_own",
            Self::MailboxNotRegistered => "mailbox_not_registered",
            Self::NotMailboxOwner => "not_mailbox_owner",
            Self::TooManyOpenRequests => "too_many_open_requests",
            Self::RequestNotFound => "request_not_found",
            Self::RequestStateConflict => "request_state_conflict",
            Self::OwnRequest => "own_request",
            Self::EvidenceInvalid => "evidence_invalid",
            Self::ReasonRequired => "reason_required",
            Self::CursorInvalid => "cursor_invalid",
        }
    }

    /// The code for a refused key or certificate request; the same text as the pki error's
    /// own code, so the browser's and the server's checks speak alike.
    pub fn from_pki(e: crate::pki::PkiError) -> Self {
        use crate::pki::PkiError as P;
        match e {
            P::RsaTooSmall => Self::RsaTooSmall,
            P::RsaModulusNotMultipleOf8 => Self::RsaModulusNotMultipleOf8,
            P::RsaBadExponent => Self::RsaBadExponent,
            P::RsaSmallFactor => Self::RsaSmallFactor,
            P::RsaFermatFactorable => Self::RsaFermatFactorable,
            P::RsaRoca => Self::RsaRoca,
            P::EcPointInvalid => Self::EcPointInvalid,
            P::PublicKeyInvalid => Self::PublicKeyInvalid,
            P::CsrMalformed => Self::CsrMalformed,
            P::CsrSignatureInvalid => Self::CsrSignatureInvalid,
            P::CsrAlgorithmUnsupported => Self::CsrAlgorithmUnsupported,
            P::Internal => Self::Internal,
            _ => Self::BadRequest,
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
            ErrorCode::PayloadTooLarge,
            ErrorCode::TermsNotAccepted,
            ErrorCode::AddressInvalid,
            ErrorCode::NameRequired,
            ErrorCode::NameInvalid,
            ErrorCode::CsrMalformed,
            ErrorCode::CsrSignatureInvalid,
            ErrorCode::CsrAlgorithmUnsupported,
            ErrorCode::CsrAddressMismatch,
            ErrorCode::RsaTooSmall,
            ErrorCode::RsaModulusNotMultipleOf8,
            ErrorCode::RsaBadExponent,
            ErrorCode::RsaSmallFactor,
            ErrorCode::RsaFermatFactorable,
            ErrorCode::RsaRoca,
            ErrorCode::EcPointInvalid,
            ErrorCode::PublicKeyInvalid,
            ErrorCode::KeyTypeNotAllowed,
            ErrorCode::AddressNotOwn,
            ErrorCode::MailboxNotRegistered,
            ErrorCode::NotMailboxOwner,
            ErrorCode::TooManyOpenRequests,
            ErrorCode::RequestNotFound,
            ErrorCode::RequestStateConflict,
            ErrorCode::OwnRequest,
            ErrorCode::EvidenceInvalid,
            ErrorCode::ReasonRequired,
            ErrorCode::CursorInvalid,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn key_and_request_refusals_keep_the_pki_code() {
        use crate::pki::PkiError;
        for e in PkiError::ALL {
            let code = ErrorCode::from_pki(e);
            if !matches!(code, ErrorCode::BadRequest | ErrorCode::Internal) {
                assert_eq!(code.as_str(), e.code(), "{e:?}");
            }
        }
        assert_eq!(ErrorCode::from_pki(PkiError::RsaRoca).as_str(), "rsa_roca");
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
