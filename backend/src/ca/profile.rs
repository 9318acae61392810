//! The S/MIME Baseline Requirements' strict profiles, checked before anything is signed:
//! mailbox-validated (2.23.140.1.5.1.3), organization-validated for role and group mailboxes
//! (2.23.140.1.5.2.3) and sponsor-validated for personal certificates with a vetted name
//! (2.23.140.1.5.3.3). [`check`] turns an [`Order`] into exactly what the certificate will
//! say, or refuses with a [`ProfileViolation`] whose code names the rule.

use der::Decode;
use der::oid::ObjectIdentifier;
use shared::api::RequestKind;
use shared::pki::KeyType;
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};

use super::config::{MAX_NAME_CHARS, MAX_VALIDITY_DAYS};
use super::x509::{
    Attribute, COMMON_NAME, COUNTRY, GIVEN_NAME, ORGANISATION, ORGANISATION_IDENTIFIER, SURNAME,
};
use super::{Order, Validation};
use crate::config::Config;
use crate::domain::UnixTime;
use crate::{Error, Result};

/// The CA/Browser Forum's reserved policy identifiers of the strict generation.
pub const MAILBOX_STRICT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.140.1.5.1.3");
pub const ORGANIZATION_STRICT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.140.1.5.2.3");
pub const SPONSOR_STRICT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.140.1.5.3.3");

const DAY: i64 = 86_400;

/// Why the CA refuses to sign an order. Each has its own stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileViolation {
    #[error("the certificate would name no mail address")]
    NoAddress,
    #[error("`{0}` cannot go into a certificate as a mail address")]
    AddressInvalid(String),
    #[error("`{0}` is listed twice")]
    AddressDuplicate(String),
    #[error("`{0}` is not in one of the configured mail_domains")]
    ForeignDomain(String),
    #[error("a personal certificate needs the vetted given name and surname")]
    NamesMissing,
    #[error(
        "the name `{0}` cannot go into a certificate (1 to 64 characters, a letter or digit, no control characters or <>&\")"
    )]
    NameInvalid(String),
    #[error("{0:?} validation does not fit a {1} certificate")]
    ValidationMismatch(Validation, &'static str),
    #[error(
        "organization- and sponsor-validated certificates name the organisation's registration: set ca.organisation_identifier"
    )]
    OrganisationIdentifierMissing,
    #[error("a validity of {0} days is longer than the {MAX_VALIDITY_DAYS} days allowed")]
    ValidityTooLong(u32),
    #[error("the certificate would outlive the issuing CA's certificate; renew the CA")]
    BeyondCaValidity,
    #[error("the key is not one a certificate may have: {0}")]
    KeyNotAllowed(String),
}

impl ProfileViolation {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoAddress => "profile_no_address",
            Self::AddressInvalid(_) => "profile_address_invalid",
            Self::AddressDuplicate(_) => "profile_address_duplicate",
            Self::ForeignDomain(_) => "profile_foreign_domain",
            Self::NamesMissing => "profile_names_missing",
            Self::NameInvalid(_) => "profile_name_invalid",
            Self::ValidationMismatch(..) => "profile_validation_mismatch",
            Self::OrganisationIdentifierMissing => "profile_organisation_identifier_missing",
            Self::ValidityTooLong(_) => "profile_validity_too_long",
            Self::BeyondCaValidity => "profile_beyond_ca_validity",
            Self::KeyNotAllowed(_) => "profile_key_not_allowed",
        }
    }
}

/// What the profile takes from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub organisation: String,
    pub organisation_identifier: Option<String>,
    pub country: Option<String>,
    pub mail_domains: Vec<String>,
    pub validity_days: u32,
}

impl Settings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            organisation: config.organisation.clone(),
            organisation_identifier: config.ca.organisation_identifier.clone(),
            country: config.ca.country.clone(),
            mail_domains: config.mail_domains.clone(),
            validity_days: config.ca.validity_days,
        }
    }
}

/// The subscriber's key as it goes into the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberKey {
    /// Re-encoded from the parsed key: canonical parameters, uncompressed EC points.
    pub spki: SubjectPublicKeyInfoOwned,
    pub key_type: KeyType,
}

/// An order that passed the profile: everything the certificate states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vetted {
    pub policy: ObjectIdentifier,
    /// Subject attributes in order; may be empty (then the SAN extension is critical).
    pub subject: Vec<Attribute>,
    pub addresses: Vec<String>,
    pub key: SubscriberKey,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
}

/// Checks `order` against the strict profile of its validation type. `ca_not_after` is the
/// end of the issuing CA certificate's validity, which no certificate may outlast.
pub fn check(
    order: &Order,
    settings: &Settings,
    now: UnixTime,
    ca_not_after: UnixTime,
) -> Result<Vetted> {
    let addresses = check_addresses(&order.addresses, &settings.mail_domains)?;
    let key = check_key(&order.public_key_der)?;
    let (not_before, not_after) = validity(settings.validity_days, now, ca_not_after)?;
    let kind = order.kind.as_str();
    let primary = addresses.first().ok_or(ProfileViolation::NoAddress)?;
    // A mailbox is at most 254 characters, a common name at most 64.
    let primary_cn = (primary.len() <= MAX_NAME_CHARS).then(|| primary.clone());
    let (policy, subject) = match (order.validation, order.kind) {
        (Validation::Mailbox, _) => (
            MAILBOX_STRICT,
            primary_cn
                .map(|cn| vec![Attribute::new(COMMON_NAME, cn)])
                .unwrap_or_default(),
        ),
        (Validation::Organization, RequestKind::Role | RequestKind::Group) => {
            let mut subject = organisation(settings)?;
            subject.push(Attribute::new(
                COMMON_NAME,
                primary_cn.unwrap_or_else(|| settings.organisation.clone()),
            ));
            (ORGANIZATION_STRICT, subject)
        }
        (Validation::Sponsor, RequestKind::Personal) => {
            let given = vetted_name(order.given_name.as_deref())?;
            let surname = vetted_name(order.surname.as_deref())?;
            let mut subject = organisation(settings)?;
            let full = format!("{given} {surname}");
            subject.push(Attribute::new(GIVEN_NAME, given));
            subject.push(Attribute::new(SURNAME, surname));
            if full.chars().count() <= MAX_NAME_CHARS {
                subject.push(Attribute::new(COMMON_NAME, full));
            }
            (SPONSOR_STRICT, subject)
        }
        (validation, _) => {
            return Err(ProfileViolation::ValidationMismatch(validation, kind).into());
        }
    };
    Ok(Vetted {
        policy,
        subject,
        addresses,
        key,
        not_before,
        not_after,
    })
}

/// Country, organisation and its identifier: the head of OV and SV subjects.
fn organisation(settings: &Settings) -> Result<Vec<Attribute>> {
    let id = settings
        .organisation_identifier
        .clone()
        .ok_or(ProfileViolation::OrganisationIdentifierMissing)?;
    let mut attributes = Vec::new();
    if let Some(c) = &settings.country {
        attributes.push(Attribute::new(COUNTRY, c.clone()));
    }
    attributes.push(Attribute::new(ORGANISATION, settings.organisation.clone()));
    attributes.push(Attribute::new(ORGANISATION_IDENTIFIER, id));
    Ok(attributes)
}

fn check_addresses(addresses: &[String], domains: &[String]) -> Result<Vec<String>> {
    if addresses.is_empty() {
        return Err(ProfileViolation::NoAddress.into());
    }
    let mut out: Vec<String> = Vec::with_capacity(addresses.len());
    for a in addresses {
        // The same rules as a request's addresses, and already in their normal form.
        let normal = shared::pki::normalize_emails(std::slice::from_ref(a))
            .ok()
            .and_then(|n| n.into_iter().next());
        if normal.as_deref() != Some(a.as_str()) {
            return Err(ProfileViolation::AddressInvalid(a.clone()).into());
        }
        let domain = a.rsplit_once('@').map_or("", |(_, d)| d);
        if !domains.iter().any(|d| d == domain) {
            return Err(ProfileViolation::ForeignDomain(a.clone()).into());
        }
        if out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
            return Err(ProfileViolation::AddressDuplicate(a.clone()).into());
        }
        out.push(a.clone());
    }
    Ok(out)
}

fn vetted_name(name: Option<&str>) -> Result<String> {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or(ProfileViolation::NamesMissing)?;
    let plausible = name.chars().count() <= MAX_NAME_CHARS
        && name.chars().any(char::is_alphanumeric)
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | '&' | '"'));
    if !plausible {
        return Err(ProfileViolation::NameInvalid(name.to_owned()).into());
    }
    Ok(name.to_owned())
}

/// The public key must pass the weak-key checks and be exactly one of the allowed types.
pub fn check_key(spki_der: &[u8]) -> Result<SubscriberKey> {
    let key_type = shared::pki::check_public_key_der(spki_der)?;
    let reencoded = match key_type {
        KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
            let key = <rsa::RsaPublicKey as spki::DecodePublicKey>::from_public_key_der(spki_der)
                .map_err(|e| ProfileViolation::KeyNotAllowed(e.to_string()))?;
            let bits = rsa::traits::PublicKeyParts::size(&key) * 8;
            if Some(bits) != key_type.rsa_bits() {
                return Err(ProfileViolation::KeyNotAllowed(format!(
                    "RSA keys have 2048, 3072 or 4096 bits, this one {bits}"
                ))
                .into());
            }
            key.to_public_key_der()
        }
        KeyType::EcdsaP256 => {
            <p256::PublicKey as spki::DecodePublicKey>::from_public_key_der(spki_der)
                .map_err(|e| ProfileViolation::KeyNotAllowed(e.to_string()))?
                .to_public_key_der()
        }
        KeyType::EcdsaP384 => {
            <p384::PublicKey as spki::DecodePublicKey>::from_public_key_der(spki_der)
                .map_err(|e| ProfileViolation::KeyNotAllowed(e.to_string()))?
                .to_public_key_der()
        }
    }
    .map_err(|e| ProfileViolation::KeyNotAllowed(e.to_string()))?;
    let spki = SubjectPublicKeyInfoOwned::from_der(reencoded.as_bytes())
        .map_err(|e| ProfileViolation::KeyNotAllowed(e.to_string()))?;
    Ok(SubscriberKey { spki, key_type })
}

/// From now for `days` days, counting the last second (RFC 5280 validity is inclusive).
fn validity(days: u32, now: UnixTime, ca_not_after: UnixTime) -> Result<(UnixTime, UnixTime)> {
    if days == 0 || days > MAX_VALIDITY_DAYS {
        return Err(ProfileViolation::ValidityTooLong(days).into());
    }
    let not_after = now + i64::from(days) * DAY - 1;
    if not_after > ca_not_after {
        return Err(ProfileViolation::BeyondCaValidity.into());
    }
    Ok((now, not_after))
}

impl From<ProfileViolation> for Error {
    fn from(v: ProfileViolation) -> Self {
        Error::Profile(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::pki::PrivateKey;
    use shared::pki::rand_core::UnwrapErr;

    const NOW: UnixTime = 1_800_000_000;
    const CA_END: UnixTime = NOW + 3650 * DAY;

    fn settings() -> Settings {
        Settings {
            organisation: "Example University".into(),
            organisation_identifier: Some("GOVDE+BY".into()),
            country: Some("DE".into()),
            mail_domains: vec!["example.org".into(), "uni.example".into()],
            validity_days: 730,
        }
    }

    fn p256_key() -> Vec<u8> {
        PrivateKey::generate(KeyType::EcdsaP256, &mut UnwrapErr(getrandom::SysRng))
            .unwrap()
            .public_key_der()
            .unwrap()
    }

    fn order(kind: RequestKind, validation: Validation) -> Order {
        Order {
            request_id: 1,
            kind,
            validation,
            addresses: vec!["alice@example.org".into(), "a.smith@uni.example".into()],
            given_name: Some("Alice".into()),
            surname: Some("Smith".into()),
            display_name: Some("Secretariat".into()),
            public_key_der: p256_key(),
        }
    }

    type Adjust = Box<dyn Fn(&mut Order)>;

    /// Country, organisation and its identifier, as [`settings`] gives them.
    fn organisation_head() -> Vec<(ObjectIdentifier, &'static str)> {
        vec![
            (COUNTRY, "DE"),
            (ORGANISATION, "Example University"),
            (ORGANISATION_IDENTIFIER, "GOVDE+BY"),
        ]
    }

    fn vetted(kind: RequestKind, validation: Validation) -> Vetted {
        check(&order(kind, validation), &settings(), NOW, CA_END).unwrap()
    }

    fn refusal(order: &Order, settings: &Settings) -> String {
        match check(order, settings, NOW, CA_END) {
            Err(e) => e.code().to_owned(),
            Ok(v) => panic!("accepted: {v:?}"),
        }
    }

    fn values(v: &Vetted) -> Vec<(ObjectIdentifier, &str)> {
        v.subject
            .iter()
            .map(|a| (a.oid, a.value.as_str()))
            .collect()
    }

    #[test]
    fn sponsor_validated_names_the_person_and_organisation() {
        let v = vetted(RequestKind::Personal, Validation::Sponsor);
        assert_eq!(v.policy, SPONSOR_STRICT);
        let mut expected = organisation_head();
        expected.extend([
            (GIVEN_NAME, "Alice"),
            (SURNAME, "Smith"),
            (COMMON_NAME, "Alice Smith"),
        ]);
        assert_eq!(values(&v), expected);
        assert_eq!(v.addresses, ["alice@example.org", "a.smith@uni.example"]);
        assert_eq!(v.not_before, NOW);
        assert_eq!(v.not_after - v.not_before + 1, 730 * DAY);
        assert_eq!(v.key.key_type, KeyType::EcdsaP256);
    }

    #[test]
    fn organization_validated_names_no_person() {
        for kind in [RequestKind::Role, RequestKind::Group] {
            let v = vetted(kind, Validation::Organization);
            assert_eq!(v.policy, ORGANIZATION_STRICT);
            let mut expected = organisation_head();
            expected.push((COMMON_NAME, "alice@example.org"));
            assert_eq!(values(&v), expected);
        }
    }

    #[test]
    fn mailbox_validated_names_only_the_mailbox() {
        let mut s = settings();
        // No organisation data is needed (or allowed) in a mailbox-validated certificate.
        s.organisation_identifier = None;
        for kind in [RequestKind::Personal, RequestKind::Role, RequestKind::Group] {
            let v = check(&order(kind, Validation::Mailbox), &s, NOW, CA_END).unwrap();
            assert_eq!(v.policy, MAILBOX_STRICT);
            assert_eq!(values(&v), vec![(COMMON_NAME, "alice@example.org")]);
        }
        // An address too long for a common name leaves the subject empty.
        let mut o = order(RequestKind::Personal, Validation::Mailbox);
        o.addresses = vec![format!("{}@example.org", "a".repeat(60))];
        assert!(check(&o, &s, NOW, CA_END).unwrap().subject.is_empty());
    }

    #[test]
    fn refusals_have_their_own_codes() {
        let s = settings();
        let personal = || order(RequestKind::Personal, Validation::Sponsor);
        let cases: Vec<(Adjust, &str)> = vec![
            (Box::new(|o| o.addresses.clear()), "profile_no_address"),
            (
                Box::new(|o| o.addresses = vec!["bob@evil.example".into()]),
                "profile_foreign_domain",
            ),
            (
                Box::new(|o| o.addresses = vec!["bob@sub.example.org".into()]),
                "profile_foreign_domain",
            ),
            (
                Box::new(|o| o.addresses = vec!["bob smith@example.org".into()]),
                "profile_address_invalid",
            ),
            (
                Box::new(|o| o.addresses = vec!["Bob@EXAMPLE.org".into()]),
                "profile_address_invalid",
            ),
            (
                Box::new(|o| {
                    o.addresses = vec!["bob@example.org".into(), "Bob@example.org".into()]
                }),
                "profile_address_duplicate",
            ),
            (Box::new(|o| o.given_name = None), "profile_names_missing"),
            (
                Box::new(|o| o.surname = Some("  ".into())),
                "profile_names_missing",
            ),
            (
                Box::new(|o| o.surname = Some("-".into())),
                "profile_name_invalid",
            ),
            (
                Box::new(|o| o.surname = Some("<b>Smith</b>".into())),
                "profile_name_invalid",
            ),
            (
                Box::new(|o| o.surname = Some("x".repeat(65))),
                "profile_name_invalid",
            ),
            (
                Box::new(|o| o.kind = RequestKind::Role),
                "profile_validation_mismatch",
            ),
            (
                Box::new(|o| o.validation = Validation::Organization),
                "profile_validation_mismatch",
            ),
            (
                Box::new(|o| o.public_key_der = vec![0x30, 0x00]),
                "public_key_invalid",
            ),
        ];
        for (adjust, code) in cases {
            let mut o = personal();
            adjust(&mut o);
            assert_eq!(refusal(&o, &s), code, "{o:?}");
        }
        let mut no_id = settings();
        no_id.organisation_identifier = None;
        assert_eq!(
            refusal(&personal(), &no_id),
            "profile_organisation_identifier_missing"
        );
        assert_eq!(
            refusal(&order(RequestKind::Group, Validation::Organization), &no_id),
            "profile_organisation_identifier_missing"
        );
        let mut long = settings();
        long.validity_days = 825;
        assert_eq!(refusal(&personal(), &long), "profile_validity_too_long");
        match check(&personal(), &s, NOW, NOW + 700 * DAY) {
            Err(e) => assert_eq!(e.code(), "profile_beyond_ca_validity"),
            Ok(_) => panic!("signed beyond the CA's validity"),
        }
    }

    #[test]
    fn keys_must_be_exactly_an_allowed_type() {
        let mut rng = UnwrapErr(getrandom::SysRng);
        // RSA-2048 passes, re-encoded identically.
        let rsa = PrivateKey::generate(KeyType::Rsa2048, &mut rng).unwrap();
        let der = rsa.public_key_der().unwrap();
        let key = check_key(&der).unwrap();
        assert_eq!(key.key_type, KeyType::Rsa2048);
        assert_eq!(der::Encode::to_der(&key.spki).unwrap(), der);
        // An RSA-2304 key (a multiple of 8, not one of ours) is refused.
        let odd = rsa::RsaPrivateKey::new(&mut rng, 2304).unwrap();
        let odd = spki::EncodePublicKey::to_public_key_der(&odd.to_public_key()).unwrap();
        let e = check_key(odd.as_bytes()).unwrap_err();
        assert_eq!(e.code(), "profile_key_not_allowed");
        // A compressed P-256 point comes out uncompressed.
        let ec = PrivateKey::generate(KeyType::EcdsaP256, &mut rng).unwrap();
        let PrivateKey::P256(sk) = &ec else {
            unreachable!()
        };
        let compressed = sk.verifying_key().to_sec1_point(true);
        let public = p256::PublicKey::from_sec1_bytes(compressed.as_bytes()).unwrap();
        let mut spki =
            SubjectPublicKeyInfoOwned::from_der(public.to_public_key_der().unwrap().as_bytes())
                .unwrap();
        spki.subject_public_key = der::asn1::BitString::from_bytes(compressed.as_bytes()).unwrap();
        let key = check_key(&der::Encode::to_der(&spki).unwrap()).unwrap();
        assert_eq!(
            der::Encode::to_der(&key.spki).unwrap(),
            ec.public_key_der().unwrap()
        );
        // P-384 passes.
        let p384 = PrivateKey::generate(KeyType::EcdsaP384, &mut rng).unwrap();
        assert_eq!(
            check_key(&p384.public_key_der().unwrap()).unwrap().key_type,
            KeyType::EcdsaP384
        );
    }
}
