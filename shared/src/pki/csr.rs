use der::asn1::{Ia5String, SetOfVec, UintRef, Utf8StringRef};
use der::{Any, Decode, DecodePem, Encode, EncodePem, pem::LineEnding};
use rsa::signature::Verifier;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, RequestBuilder};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::{CertReq, ExtensionReq};
use x509_cert::spki::SignatureBitStringEncoding;

use super::{KeyType, PkiError, PrivateKey, Result, check_public_key_der};

const COMMON_NAME: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
/// id-kp-emailProtection (RFC 5280).
const EMAIL_PROTECTION: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// ub-common-name (RFC 5280): a longer address cannot be the CN.
const MAX_COMMON_NAME: usize = 64;
/// The signature algorithms the browser uses, one per key type (RFC 4055, RFC 5758).
const SHA256_WITH_RSA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// subjectAltName (RFC 5280).
const SUBJECT_ALT_NAME: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.5.29.17");
/// Larger RSA keys than this are refused before any arithmetic is spent on them.
const MAX_RSA_BITS: usize = 8192;

/// Checks and normalises the addresses of a request: at least one, each a plausible ASCII
/// mailbox (rfc822Name is an IA5String), duplicates dropped, order kept.
pub fn normalize_emails<S: AsRef<str>>(emails: &[S]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for e in emails {
        let e = e.as_ref().trim();
        let valid = e.len() <= 254
            && e.is_ascii()
            && !e
                .chars()
                .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
            && matches!(e.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if !valid {
            return Err(PkiError::EmailInvalid);
        }
        // Domain parts are case-insensitive; keep the local part as typed.
        let (local, domain) = e.split_once('@').ok_or(PkiError::EmailInvalid)?;
        let norm = format!("{local}@{}", domain.to_ascii_lowercase());
        if !out.contains(&norm) {
            out.push(norm);
        }
    }
    if out.is_empty() {
        return Err(PkiError::EmailInvalid);
    }
    Ok(out)
}

/// Everything of the request but its signature.
fn request_builder<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<RequestBuilder> {
    let emails = normalize_emails(emails)?;
    let mut rdns = RdnSequence::default();
    if let Some(first) = emails.first().filter(|e| e.len() <= MAX_COMMON_NAME) {
        let value = Any::from(Utf8StringRef::new(first)?);
        let atv = AttributeTypeAndValue {
            oid: COMMON_NAME,
            value,
        };
        rdns.push(RelativeDistinguishedName::from(SetOfVec::try_from(vec![
            atv,
        ])?));
    }
    // The subject is built from parts, never parsed from a string: an address may hold
    // characters (`+`, `,`) that are separators in the string form of a name.
    let subject = Name::from_der(&rdns.to_der()?)?;
    let mut builder = RequestBuilder::new(subject).map_err(|_| PkiError::Internal)?;

    let san = emails
        .iter()
        .map(|e| {
            Ia5String::new(e)
                .map(GeneralName::Rfc822Name)
                .map_err(|_| PkiError::EmailInvalid)
        })
        .collect::<Result<Vec<_>>>()?;
    builder
        .add_extension(&SubjectAltName(san))
        .map_err(|_| PkiError::Internal)?;
    let usage = match key {
        PrivateKey::Rsa(_) => KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment,
        PrivateKey::P256(_) | PrivateKey::P384(_) => {
            KeyUsages::DigitalSignature | KeyUsages::KeyAgreement
        }
    };
    builder
        .add_extension(&KeyUsage(usage))
        .map_err(|_| PkiError::Internal)?;
    builder
        .add_extension(&ExtendedKeyUsage(vec![EMAIL_PROTECTION]))
        .map_err(|_| PkiError::Internal)?;
    Ok(builder)
}

/// Builds the PKCS#10 request: CN = first address, SAN rfc822Name for each, and an extension
/// request for keyUsage and EKU emailProtection. The CA builds the real subject from vetted
/// data; this only has to be valid, signed, and say which addresses are meant.
pub fn build_csr<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<CertReq> {
    let builder = request_builder(key, emails)?;
    let req = match key {
        PrivateKey::Rsa(k) => builder.build::<_, rsa::pkcs1v15::Signature>(&rsa_signer(k)),
        PrivateKey::P256(k) => builder.build::<_, p256::ecdsa::DerSignature>(k),
        PrivateKey::P384(k) => builder.build::<_, p384::ecdsa::DerSignature>(k),
    }
    .map_err(|_| PkiError::Internal)?;
    Ok(req)
}

/// A request waiting for its signature from a signer outside this crate: the browser signs
/// with the key WebCrypto generated, in native code and off the page's thread.
pub struct UnsignedCsr {
    builder: RequestBuilder,
    key: PrivateKey,
}

/// Like [`build_csr`], but returns the bytes to sign (the DER `CertificationRequestInfo`)
/// instead of signing them.
pub fn prepare_csr<S: AsRef<str>>(
    key: &PrivateKey,
    emails: &[S],
) -> Result<(UnsignedCsr, Vec<u8>)> {
    let mut builder = request_builder(key, emails)?;
    let to_sign = match key {
        PrivateKey::Rsa(k) => builder.finalize(&rsa_signer(k)),
        PrivateKey::P256(k) => builder.finalize(k),
        PrivateKey::P384(k) => builder.finalize(k),
    }
    .map_err(|_| PkiError::Internal)?;
    let unsigned = UnsignedCsr {
        builder,
        key: key.clone(),
    };
    Ok((unsigned, to_sign))
}

impl UnsignedCsr {
    /// The request as PEM with `signature` over the bytes from [`prepare_csr`]: RSA PKCS#1
    /// v1.5 with SHA-256; ECDSA with SHA-256 (P-256) or SHA-384 (P-384) as the fixed-width
    /// r‖s that WebCrypto returns, put into DER here.
    pub fn finish_pem(self, signature: &[u8]) -> Result<String> {
        let bad = |_| PkiError::CsrSignatureInvalid;
        let req = match &self.key {
            PrivateKey::Rsa(k) => {
                let bits = der::asn1::BitString::from_bytes(signature)?;
                self.builder.assemble(bits, &rsa_signer(k))
            }
            PrivateKey::P256(k) => {
                let der = p256::ecdsa::Signature::from_slice(signature).map_err(bad)?;
                self.builder.assemble(der.to_der().to_bitstring()?, k)
            }
            PrivateKey::P384(k) => {
                let der = p384::ecdsa::Signature::from_slice(signature).map_err(bad)?;
                self.builder.assemble(der.to_der().to_bitstring()?, k)
            }
        }
        .map_err(|_| PkiError::Internal)?;
        Ok(req.to_pem(LineEnding::LF)?)
    }
}

fn rsa_signer(key: &rsa::RsaPrivateKey) -> rsa::pkcs1v15::SigningKey<sha2::Sha256> {
    rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
}

/// The request as PEM (`CERTIFICATE REQUEST`), as the server takes it.
pub fn build_csr_pem<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<String> {
    Ok(build_csr(key, emails)?.to_pem(LineEnding::LF)?)
}

/// The request as DER.
pub fn build_csr_der<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<Vec<u8>> {
    Ok(build_csr(key, emails)?.to_der()?)
}

/// What the server takes from a request whose key passed the checks and whose signature
/// verified with that key (proof of possession).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCsr {
    pub key_type: KeyType,
    /// DER SubjectPublicKeyInfo, as it will go into the certificate.
    pub public_key_der: Vec<u8>,
    /// The rfc822Name entries of the requested subjectAltName, in order, as written.
    pub emails: Vec<String>,
    /// The requested subjectAltName also names something other than a mailbox (a DNS name,
    /// a URI …), which an S/MIME certificate from certdesk never carries.
    pub other_names: bool,
}

/// Reads a PEM `CERTIFICATE REQUEST`.
pub fn parse_csr_pem(pem: &str) -> Result<CertReq> {
    CertReq::from_pem(pem.trim().as_bytes()).map_err(|_| PkiError::CsrMalformed)
}

/// Reads a DER certificate request.
pub fn parse_csr_der(der: &[u8]) -> Result<CertReq> {
    CertReq::from_der(der).map_err(|_| PkiError::CsrMalformed)
}

/// Verifies an ECDSA signature with the curve's own hash (SHA-256 for P-256, SHA-384 for
/// P-384); the two curves are separate types with the same interface.
macro_rules! verify_ecdsa {
    ($curve:ident, $key:expr, $signed:expr, $signature:expr) => {{
        let key = $curve::ecdsa::VerifyingKey::from_sec1_bytes($key)
            .map_err(|_| PkiError::EcPointInvalid)?;
        let sig = $curve::ecdsa::DerSignature::try_from($signature)
            .map_err(|_| PkiError::CsrSignatureInvalid)?;
        key.verify($signed, &sig)
            .map_err(|_| PkiError::CsrSignatureInvalid)?;
    }};
}

/// Checks the request's public key (type, size, known weaknesses), then its signature with
/// that key: RSA PKCS#1 v1.5 with SHA-256, ECDSA P-256 with SHA-256 or P-384 with SHA-384,
/// the pairs the browser makes. Returns the key and the requested addresses.
pub fn verify_csr(req: &CertReq) -> Result<VerifiedCsr> {
    let public_key_der = req
        .info
        .public_key
        .to_der()
        .map_err(|_| PkiError::CsrMalformed)?;
    let key_type = check_public_key_der(&public_key_der)?;
    let signed = req.info.to_der().map_err(|_| PkiError::CsrMalformed)?;
    let signature = req
        .signature
        .as_bytes()
        .ok_or(PkiError::CsrSignatureInvalid)?;
    let key_bytes = req
        .info
        .public_key
        .subject_public_key
        .as_bytes()
        .ok_or(PkiError::PublicKeyInvalid)?;
    let algorithm = req.algorithm.oid;
    match key_type {
        KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
            expect_algorithm(algorithm, SHA256_WITH_RSA)?;
            verify_rsa_sha256(key_bytes, &signed, signature)?;
        }
        KeyType::EcdsaP256 => {
            expect_algorithm(algorithm, ECDSA_WITH_SHA256)?;
            verify_ecdsa!(p256, key_bytes, &signed, signature);
        }
        KeyType::EcdsaP384 => {
            expect_algorithm(algorithm, ECDSA_WITH_SHA384)?;
            verify_ecdsa!(p384, key_bytes, &signed, signature);
        }
    }
    let (emails, other_names) = requested_names(req)?;
    Ok(VerifiedCsr {
        key_type,
        public_key_der,
        emails,
        other_names,
    })
}

fn expect_algorithm(
    found: der::oid::ObjectIdentifier,
    expected: der::oid::ObjectIdentifier,
) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(PkiError::CsrAlgorithmUnsupported)
    }
}

fn verify_rsa_sha256(key_bytes: &[u8], signed: &[u8], signature: &[u8]) -> Result<()> {
    let key = rsa::pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(key_bytes)
        .map_err(|_| PkiError::PublicKeyInvalid)?;
    let n = rsa::BoxedUint::from_be_slice_vartime(key.modulus.as_bytes());
    let e = rsa::BoxedUint::from_be_slice_vartime(key.public_exponent.as_bytes());
    // The key checks ran before: only the size cap is left to the rsa crate's own limits.
    let key = rsa::RsaPublicKey::new_with_size_limits(n, e, 2048..=MAX_RSA_BITS)
        .map_err(|_| PkiError::PublicKeyInvalid)?;
    let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    let sig =
        rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| PkiError::CsrSignatureInvalid)?;
    verifier
        .verify(signed, &sig)
        .map_err(|_| PkiError::CsrSignatureInvalid)
}

/// The subjectAltName of the request's extension request: its mailboxes, and whether it
/// names anything else.
fn requested_names(req: &CertReq) -> Result<(Vec<String>, bool)> {
    let mut emails = Vec::new();
    let mut other = false;
    for attribute in req.info.attributes.iter() {
        if attribute.oid != <ExtensionReq as der::oid::AssociatedOid>::OID {
            continue;
        }
        for value in attribute.values.iter() {
            let extensions: ExtensionReq = value.decode_as().map_err(|_| PkiError::CsrMalformed)?;
            for ext in extensions
                .0
                .iter()
                .filter(|e| e.extn_id == SUBJECT_ALT_NAME)
            {
                let san = SubjectAltName::from_der(ext.extn_value.as_bytes())
                    .map_err(|_| PkiError::CsrMalformed)?;
                for name in san.0 {
                    match name {
                        GeneralName::Rfc822Name(mailbox) => emails.push(mailbox.to_string()),
                        _ => other = true,
                    }
                }
            }
        }
    }
    Ok((emails, other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_deduplicated() {
        assert_eq!(
            normalize_emails(&["a@Example.org", " a@example.org", "b+x@example.org"]).unwrap(),
            vec!["a@example.org", "b+x@example.org"]
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@example.org",
            "a b@example.org",
            "ä@example.org",
            "a@@example.org",
        ] {
            assert_eq!(
                normalize_emails(&[bad]),
                Err(PkiError::EmailInvalid),
                "{bad}"
            );
        }
        assert_eq!(normalize_emails::<&str>(&[]), Err(PkiError::EmailInvalid));
    }
}
