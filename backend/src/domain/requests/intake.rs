//! What intake checks before anything is stored: terms, addresses, names, the CSR (read,
//! key checks, signature, addresses), who may request which address, the open-request
//! limit, and whether an identity on file approves the request at once.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use shared::api::{ApiError, CsrEncoding, ErrorCode, IdentitySource, RequestKind};
use shared::pki::{KeyType, PkiError, VerifiedCsr};

use super::{Vetting, identity_reusable};
use crate::domain::UnixTime;

/// More addresses than this in one certificate is a mistake, not a need.
pub const MAX_ADDRESSES: usize = 10;
/// Longest given name or surname, and longest "given surname" (ub-common-name is 64).
pub const MAX_NAME: usize = 64;

fn refuse(code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::new(code, message)
}

pub fn terms(accepted: bool) -> Result<(), ApiError> {
    if accepted {
        Ok(())
    } else {
        Err(refuse(
            ErrorCode::TermsNotAccepted,
            "Please read and accept the terms of use before requesting a certificate.",
        ))
    }
}

/// The requested addresses, trimmed and in lower case: one to ten, each a mailbox that fits
/// a certificate, none twice.
pub fn addresses(list: &[String]) -> Result<Vec<String>, ApiError> {
    if list.is_empty() || list.len() > MAX_ADDRESSES {
        return Err(refuse(
            ErrorCode::AddressInvalid,
            format!("Name between one and {MAX_ADDRESSES} e-mail addresses."),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for raw in list {
        let address = raw.trim().to_lowercase();
        if shared::pki::normalize_emails(&[&address]).is_err() {
            return Err(refuse(
                ErrorCode::AddressInvalid,
                format!("`{}` is not a valid e-mail address.", raw.trim()),
            ));
        }
        if out.contains(&address) {
            return Err(refuse(
                ErrorCode::AddressInvalid,
                format!("{address} is named twice."),
            ));
        }
        out.push(address);
    }
    Ok(out)
}

/// A personal certificate's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub given_name: String,
    pub surname: String,
}

impl Names {
    /// The same person's name, however spaced or capitalised.
    pub fn same_as(&self, given_name: &str, surname: &str) -> bool {
        fold(&self.given_name) == fold(given_name) && fold(&self.surname) == fold(surname)
    }
}

fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One name field: whitespace collapsed, not empty, no control characters, not too long.
/// The error is a sentence naming `field`.
pub fn clean_name(field: &str, value: &str) -> Result<String, String> {
    let cleaned = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(format!("Please enter the {field}."));
    }
    if cleaned.chars().any(char::is_control) {
        return Err(format!(
            "The {field} contains characters that are not allowed."
        ));
    }
    if cleaned.chars().count() > MAX_NAME {
        return Err(format!(
            "The {field} is too long (at most {MAX_NAME} characters)."
        ));
    }
    Ok(cleaned)
}

/// Given name and surname together, as the certificate's common name takes them.
pub fn full_name_fits(given_name: &str, surname: &str) -> Result<(), String> {
    if given_name.chars().count() + 1 + surname.chars().count() > MAX_NAME {
        Err(format!(
            "Given name and surname together are too long for a certificate (at most {} characters).",
            MAX_NAME - 1
        ))
    } else {
        Ok(())
    }
}

/// Personal: both names, cleaned. Role and group: none (the mailbox's registered name is used).
pub fn names(
    kind: RequestKind,
    given_name: Option<&str>,
    surname: Option<&str>,
) -> Result<Option<Names>, ApiError> {
    let present = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    if kind != RequestKind::Personal {
        if present(given_name) || present(surname) {
            return Err(refuse(
                ErrorCode::NameInvalid,
                "Role and group certificates carry the mailbox's registered name; leave the name fields empty.",
            ));
        }
        return Ok(None);
    }
    let field = |label: &str, value: Option<&str>| match value {
        Some(v) if !v.trim().is_empty() => {
            clean_name(label, v).map_err(|m| refuse(ErrorCode::NameInvalid, m))
        }
        _ => Err(refuse(
            ErrorCode::NameRequired,
            format!("Please enter your {label} as on your photo ID."),
        )),
    };
    let given_name = field("given name", given_name)?;
    let surname = field("surname", surname)?;
    full_name_fits(&given_name, &surname).map_err(|m| refuse(ErrorCode::NameInvalid, m))?;
    Ok(Some(Names {
        given_name,
        surname,
    }))
}

/// A pki refusal in the API's words: the same code, the message a person understands.
pub fn pki_refusal(e: PkiError) -> ApiError {
    refuse(ErrorCode::from_pki(e), e.message())
}

/// The CSR's DER bytes, from PEM or base64 as the request says.
pub fn csr_der(csr: &str, encoding: CsrEncoding) -> Result<Vec<u8>, ApiError> {
    let req = match encoding {
        CsrEncoding::Pem => shared::pki::parse_csr_pem(csr),
        CsrEncoding::DerBase64 => {
            let compact: String = csr.chars().filter(|c| !c.is_whitespace()).collect();
            let engine = GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                GeneralPurposeConfig::new()
                    .with_decode_padding_mode(DecodePaddingMode::Indifferent),
            );
            engine
                .decode(compact)
                .map_err(|_| PkiError::CsrMalformed)
                .and_then(|der| shared::pki::parse_csr_der(&der))
        }
    }
    .map_err(pki_refusal)?;
    der::Encode::to_der(&req).map_err(|_| pki_refusal(PkiError::CsrMalformed))
}

/// Key checks, then the signature with that key (proof of possession).
pub fn verify_csr(der: &[u8]) -> Result<VerifiedCsr, ApiError> {
    shared::pki::parse_csr_der(der)
        .and_then(|req| shared::pki::verify_csr(&req))
        .map_err(pki_refusal)
}

pub fn key_allowed(key_type: KeyType, allowed: &[KeyType]) -> Result<(), ApiError> {
    if allowed.contains(&key_type) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
    Err(refuse(
        ErrorCode::KeyTypeNotAllowed,
        format!(
            "Keys of type {key_type} are not accepted here. Please make a new request with one of: {}.",
            names.join(", ")
        ),
    ))
}

/// The CSR must ask for exactly the requested mailboxes: no more, no fewer, nothing else.
pub fn csr_names_match(requested: &[String], csr: &VerifiedCsr) -> Result<(), ApiError> {
    let mut in_csr: Vec<String> = csr.emails.iter().map(|e| e.to_lowercase()).collect();
    in_csr.sort();
    in_csr.dedup();
    let mut wanted = requested.to_vec();
    wanted.sort();
    if csr.other_names || in_csr != wanted {
        return Err(refuse(
            ErrorCode::CsrAddressMismatch,
            format!(
                "The certificate request names {} but the request is for {}. Please make the request again.",
                if csr.emails.is_empty() {
                    "no e-mail address".to_owned()
                } else {
                    csr.emails.join(", ")
                },
                requested.join(", ")
            ),
        ));
    }
    Ok(())
}

/// A personal certificate is for the signed-in address only.
pub fn own_addresses(addresses: &[String], signed_in: &str) -> Result<(), ApiError> {
    match addresses.iter().find(|a| *a != signed_in) {
        None => Ok(()),
        Some(other) => Err(refuse(
            ErrorCode::AddressNotOwn,
            format!(
                "A personal certificate can only be for your own address, {signed_in}; {other} is not it."
            ),
        )),
    }
}

/// What the mailbox register says about one requested address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxFacts {
    pub kind: RequestKind,
    pub display_name: String,
    /// The signed-in person is among its registered owners.
    pub requester_owns: bool,
}

/// Role and group: every address is a registered mailbox of that kind which the requester
/// owns. Returns the primary (first) mailbox's registered name for the certificate.
pub fn mailboxes(
    kind: RequestKind,
    addresses: &[String],
    facts: &[Option<MailboxFacts>],
) -> Result<String, ApiError> {
    let noun = if kind == RequestKind::Group {
        "group mailbox"
    } else {
        "role mailbox"
    };
    for (address, fact) in addresses.iter().zip(facts) {
        match fact {
            Some(f) if f.kind == kind && f.requester_owns => {}
            Some(f) if f.kind == kind => {
                return Err(refuse(
                    ErrorCode::NotMailboxOwner,
                    format!(
                        "You are not a registered owner of {address}. Ask the administrators to add you."
                    ),
                ));
            }
            _ => {
                return Err(refuse(
                    ErrorCode::MailboxNotRegistered,
                    format!("{address} is not a registered {noun}."),
                ));
            }
        }
    }
    facts
        .first()
        .and_then(|f| f.as_ref())
        .map(|f| f.display_name.clone())
        .ok_or_else(|| refuse(ErrorCode::AddressInvalid, "Name at least one address."))
}

pub fn open_limit(open: u32, max: u32) -> Result<(), ApiError> {
    if open < max {
        Ok(())
    } else {
        Err(refuse(
            ErrorCode::TooManyOpenRequests,
            format!(
                "You already have {open} open certificate requests, the most allowed. Withdraw one or wait until they are done."
            ),
        ))
    }
}

/// A verified identity on file for the requester.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityOnFile {
    pub given_name: String,
    pub surname: String,
    pub verified_at: UnixTime,
    pub source: IdentitySource,
}

/// What intake does with a request that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve(Vetting),
    AwaitIdentityCheck,
}

/// The rules of approval at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VettingRules {
    /// Mailbox-validated deployments: intake approves everything that passed the checks.
    pub skip_identity_check: bool,
    /// Days an identity check (or an imported verification) stands in for a new one.
    pub evidence_reuse_days: u32,
}

/// Approve at once when checks are skipped, or when the requester's identity was verified
/// recently enough (and, for a personal certificate, under the name now typed; a changed
/// name goes to the desk). Otherwise the desk checks the requester's photo ID, for role and
/// group mailboxes as for personal certificates: the requester is the one accountable.
pub fn decide(
    rules: VettingRules,
    names: Option<&Names>,
    identity: Option<&IdentityOnFile>,
    now: UnixTime,
) -> Decision {
    if rules.skip_identity_check {
        return Decision::Approve(Vetting::Skipped);
    }
    let Some(identity) = identity else {
        return Decision::AwaitIdentityCheck;
    };
    let recent = identity_reusable(identity.verified_at, now, rules.evidence_reuse_days);
    let same_name = names.is_none_or(|n| n.same_as(&identity.given_name, &identity.surname));
    if !(recent && same_name) {
        return Decision::AwaitIdentityCheck;
    }
    Decision::Approve(match identity.source {
        IdentitySource::Desk => Vetting::Reuse,
        IdentitySource::Import => Vetting::Import,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::requests::DAY;

    #[test]
    fn addresses_are_cleaned_and_checked() {
        assert_eq!(
            addresses(&[" Alice@Example.ORG ".into()]).unwrap(),
            ["alice@example.org"]
        );
        for bad in [
            vec![],
            vec!["nope".to_owned()],
            vec!["a@example.org".into(), "A@example.org".into()],
            vec!["x@example.org".to_owned(); 11],
        ] {
            assert_eq!(
                addresses(&bad).unwrap_err().code,
                ErrorCode::AddressInvalid,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn names_by_kind() {
        let n = names(RequestKind::Personal, Some(" Anna  Lena "), Some("Müller"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (n.given_name.as_str(), n.surname.as_str()),
            ("Anna Lena", "Müller")
        );
        assert!(n.same_as("anna lena", "MÜLLER"));
        let code = |k, g, s| names(k, g, s).unwrap_err().code;
        assert_eq!(
            code(RequestKind::Personal, None, Some("M")),
            ErrorCode::NameRequired
        );
        assert_eq!(
            code(RequestKind::Personal, Some("A"), Some(" ")),
            ErrorCode::NameRequired
        );
        assert_eq!(
            code(RequestKind::Personal, Some("A\u{7}"), Some("M")),
            ErrorCode::NameInvalid
        );
        let long = "x".repeat(40);
        assert_eq!(
            code(RequestKind::Personal, Some(&long), Some(&long)),
            ErrorCode::NameInvalid
        );
        assert_eq!(
            code(RequestKind::Role, Some("A"), None),
            ErrorCode::NameInvalid
        );
        assert_eq!(names(RequestKind::Group, None, Some("")).unwrap(), None);
    }

    #[test]
    fn mailbox_rules() {
        let addrs = vec!["dpo@example.org".to_owned()];
        let fact = |kind, owns| {
            Some(MailboxFacts {
                kind,
                display_name: "Data Protection".into(),
                requester_owns: owns,
            })
        };
        assert_eq!(
            mailboxes(RequestKind::Role, &addrs, &[fact(RequestKind::Role, true)]).unwrap(),
            "Data Protection"
        );
        let code = |kind, f| mailboxes(kind, &addrs, &[f]).unwrap_err().code;
        assert_eq!(
            code(RequestKind::Role, fact(RequestKind::Role, false)),
            ErrorCode::NotMailboxOwner
        );
        assert_eq!(
            code(RequestKind::Group, fact(RequestKind::Role, true)),
            ErrorCode::MailboxNotRegistered
        );
        assert_eq!(
            code(RequestKind::Role, None),
            ErrorCode::MailboxNotRegistered
        );
        assert_eq!(
            own_addresses(&addrs, "alice@example.org").unwrap_err().code,
            ErrorCode::AddressNotOwn
        );
    }

    #[test]
    fn approval_at_intake() {
        let now = 2_000 * DAY;
        let rules = VettingRules {
            skip_identity_check: false,
            evidence_reuse_days: 825,
        };
        let names = Names {
            given_name: "Alice".into(),
            surname: "Liddell".into(),
        };
        let on_file = |source, days_ago| IdentityOnFile {
            given_name: "alice".into(),
            surname: "LIDDELL".into(),
            verified_at: now - days_ago * DAY,
            source,
        };
        let d = |rules, names, id: Option<&IdentityOnFile>| decide(rules, names, id, now);
        assert_eq!(d(rules, Some(&names), None), Decision::AwaitIdentityCheck);
        assert_eq!(
            d(
                rules,
                Some(&names),
                Some(&on_file(IdentitySource::Desk, 10))
            ),
            Decision::Approve(Vetting::Reuse)
        );
        assert_eq!(
            d(rules, None, Some(&on_file(IdentitySource::Import, 10))),
            Decision::Approve(Vetting::Import)
        );
        assert_eq!(
            d(
                rules,
                Some(&names),
                Some(&on_file(IdentitySource::Desk, 825))
            ),
            Decision::AwaitIdentityCheck
        );
        let renamed = Names {
            surname: "Hargreaves".into(),
            ..names.clone()
        };
        assert_eq!(
            d(
                rules,
                Some(&renamed),
                Some(&on_file(IdentitySource::Desk, 10))
            ),
            Decision::AwaitIdentityCheck
        );
        let skip = VettingRules {
            skip_identity_check: true,
            ..rules
        };
        assert_eq!(
            d(skip, Some(&names), None),
            Decision::Approve(Vetting::Skipped)
        );
    }

    #[test]
    fn open_limit_counts() {
        assert!(open_limit(2, 3).is_ok());
        assert_eq!(
            open_limit(3, 3).unwrap_err().code,
            ErrorCode::TooManyOpenRequests
        );
    }
}
