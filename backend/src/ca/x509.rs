//! X.509 building blocks the built-in CA shares between CA certificates, subscriber
//! certificates and CRLs: names, times, extensions, key identifiers, fingerprints, and the
//! signature check used when importing a CA.

use der::asn1::{Ia5String, OctetString, PrintableStringRef, SetOfVec, Utf8StringRef};
use der::oid::ObjectIdentifier;
use der::{Any, DateTime, Decode, Encode};
use spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use url::Url;
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, CrlDistributionPoints,
    SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::time::Time;

use crate::domain::UnixTime;
use crate::{Error, Result};

pub const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
pub const ORGANISATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
pub const ORGANISATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");
pub const GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
pub const SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
pub const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// id-kp-emailProtection (RFC 5280).
pub const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// id-ad-caIssuers (RFC 5280).
const CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// One subject attribute, in the order it goes into the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub oid: ObjectIdentifier,
    pub value: String,
}

impl Attribute {
    pub fn new(oid: ObjectIdentifier, value: impl Into<String>) -> Self {
        Self {
            oid,
            value: value.into(),
        }
    }
}

/// Builds a name from parts (never from a string: values may hold `,` or `+`), one attribute
/// per RDN; countryName as PrintableString, everything else UTF8String.
pub fn name(attributes: &[Attribute]) -> Result<Name> {
    let mut rdns = RdnSequence::default();
    for a in attributes {
        let value = if a.oid == COUNTRY {
            Any::from(PrintableStringRef::new(&a.value).map_err(internal)?)
        } else {
            Any::from(Utf8StringRef::new(&a.value).map_err(internal)?)
        };
        let atv = AttributeTypeAndValue { oid: a.oid, value };
        rdns.push(RelativeDistinguishedName::from(
            SetOfVec::try_from(vec![atv]).map_err(internal)?,
        ));
    }
    Name::from_der(&rdns.to_der().map_err(internal)?).map_err(internal)
}

/// A time as X.509 writes it: UTCTime before 2050, GeneralizedTime from then on.
pub fn time(t: UnixTime) -> Result<Time> {
    let secs = u64::try_from(t).map_err(|_| Error::CaInternal(format!("time {t} before 1970")))?;
    let dt =
        DateTime::from_unix_duration(std::time::Duration::from_secs(secs)).map_err(internal)?;
    Ok(Time::from(dt))
}

/// Seconds since the epoch of an X.509 time.
pub fn unix(t: &Time) -> UnixTime {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// Encodes an extension with the criticality given.
pub fn extension<T>(critical: bool, value: &T) -> Result<Extension>
where
    T: der::oid::AssociatedOid + Encode,
{
    (critical, value)
        .to_extension(&Name::default(), &[])
        .map_err(internal)
}

/// Key identifier of a public key: SHA-1 of the key's bits (RFC 5280, 4.2.1.2, method 1).
pub fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Result<OctetString> {
    let der = spki.to_der().map_err(internal)?;
    let spki = SubjectPublicKeyInfoRef::from_der(&der).map_err(internal)?;
    Ok(SubjectKeyIdentifier::try_from(spki).map_err(internal)?.0)
}

/// subjectKeyIdentifier and authorityKeyIdentifier (key identifier only) extensions.
pub fn key_identifiers(
    subject: &SubjectPublicKeyInfoOwned,
    issuer: &SubjectPublicKeyInfoOwned,
) -> Result<(Extension, Extension)> {
    let ski = extension(false, &SubjectKeyIdentifier(key_identifier(subject)?))?;
    let aki = extension(false, &authority_key_identifier(issuer)?)?;
    Ok((ski, aki))
}

pub fn authority_key_identifier(
    issuer: &SubjectPublicKeyInfoOwned,
) -> Result<AuthorityKeyIdentifier> {
    Ok(AuthorityKeyIdentifier {
        key_identifier: Some(key_identifier(issuer)?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    })
}

fn uri(url: &Url) -> Result<GeneralName> {
    Ok(GeneralName::UniformResourceIdentifier(
        Ia5String::new(url.as_str()).map_err(internal)?,
    ))
}

/// cRLDistributionPoints with one HTTP URL.
pub fn crl_distribution_point(url: &Url) -> Result<Extension> {
    let dp = DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(url)?])),
        reasons: None,
        crl_issuer: None,
    };
    extension(false, &CrlDistributionPoints(vec![dp]))
}

/// authorityInfoAccess with the issuer's certificate (caIssuers) at one HTTP URL.
pub fn ca_issuers(url: &Url) -> Result<Extension> {
    extension(
        false,
        &AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: CA_ISSUERS,
            access_location: uri(url)?,
        }]),
    )
}

/// SHA-256 fingerprint as `AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it.
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// PEM of a DER certificate.
pub fn certificate_pem(der: &[u8]) -> Result<String> {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der).map_err(internal)
}

const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// Whether `cert` carries a valid signature by the key `issuer`. RSA PKCS#1 v1.5 with SHA-2 and
/// ECDSA on P-256/SHA-256 and P-384/SHA-384; other algorithms answer `false`.
pub fn signed_by(cert: &Certificate, issuer: &SubjectPublicKeyInfoOwned) -> bool {
    let (Ok(tbs), Ok(key)) = (cert.tbs_certificate().to_der(), issuer.to_der()) else {
        return false;
    };
    let Some(sig) = cert.signature().as_bytes() else {
        return false;
    };
    let alg = cert.signature_algorithm().oid;
    if alg == SHA256_WITH_RSA {
        rsa_verifies::<rsa::sha2::Sha256>(&key, &tbs, sig)
    } else if alg == SHA384_WITH_RSA {
        rsa_verifies::<rsa::sha2::Sha384>(&key, &tbs, sig)
    } else if alg == SHA512_WITH_RSA {
        rsa_verifies::<rsa::sha2::Sha512>(&key, &tbs, sig)
    } else if alg == ECDSA_WITH_SHA256 {
        ec_verifies::<p256::ecdsa::VerifyingKey, p256::ecdsa::DerSignature>(&key, &tbs, sig)
    } else if alg == ECDSA_WITH_SHA384 {
        ec_verifies::<p384::ecdsa::VerifyingKey, p384::ecdsa::DerSignature>(&key, &tbs, sig)
    } else {
        false
    }
}

fn rsa_verifies<D>(key: &[u8], message: &[u8], sig: &[u8]) -> bool
where
    D: rsa::sha2::Digest + der::oid::AssociatedOid,
    rsa::pkcs1v15::VerifyingKey<D>: rsa::signature::Verifier<rsa::pkcs1v15::Signature>,
{
    use rsa::signature::Verifier;
    use spki::DecodePublicKey;
    let (Ok(key), Ok(sig)) = (
        rsa::RsaPublicKey::from_public_key_der(key),
        rsa::pkcs1v15::Signature::try_from(sig),
    ) else {
        return false;
    };
    rsa::pkcs1v15::VerifyingKey::<D>::new(key)
        .verify(message, &sig)
        .is_ok()
}

fn ec_verifies<K, S>(key: &[u8], message: &[u8], sig: &[u8]) -> bool
where
    K: spki::DecodePublicKey + p256::ecdsa::signature::Verifier<S>,
    S: for<'a> TryFrom<&'a [u8]>,
{
    let (Ok(key), Ok(sig)) = (K::from_public_key_der(key), S::try_from(sig)) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Error {
    Error::CaInternal(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_switch_to_generalized_in_2050() {
        assert!(matches!(time(0).unwrap(), Time::UtcTime(_)));
        let y2050 = 2_524_608_000;
        assert!(matches!(time(y2050 - 1).unwrap(), Time::UtcTime(_)));
        assert!(matches!(time(y2050).unwrap(), Time::GeneralTime(_)));
        assert_eq!(unix(&time(y2050).unwrap()), y2050);
        assert!(time(-1).is_err());
    }

    #[test]
    fn names_keep_separators_as_data() {
        let n = name(&[
            Attribute::new(COUNTRY, "DE"),
            Attribute::new(ORGANISATION, "Müller, Meier + Co"),
            Attribute::new(COMMON_NAME, "a+b@example.org"),
        ])
        .unwrap();
        assert_eq!(n.iter_rdn().count(), 3);
        assert!(n.to_string().contains("Müller"), "{n}");
        // A country must be printable; a bad value is an error, not a panic.
        assert!(name(&[Attribute::new(COUNTRY, "D€")]).is_err());
    }

    #[test]
    fn fingerprints_look_like_openssl() {
        let f = fingerprint(b"");
        assert!(f.starts_with("E3:B0:C4:42"), "{f}");
        assert_eq!(f.len(), 32 * 3 - 1);
    }
}
