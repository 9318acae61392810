use der::asn1::{Ia5String, SetOfVec, Utf8StringRef};
use der::{Any, Decode, Encode, EncodePem, pem::LineEnding};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, RequestBuilder};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::CertReq;

use super::{PkiError, PrivateKey, Result};

const COMMON_NAME: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("2.5.4.3");
/// id-kp-emailProtection (RFC 5280).
const EMAIL_PROTECTION: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// ub-common-name (RFC 5280): a longer address cannot be the CN.
const MAX_COMMON_NAME: usize = 64;

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

/// Builds the PKCS#10 request: CN = first address, SAN rfc822Name for each, and an extension
/// request for keyUsage and EKU emailProtection. The CA builds the real subject from vetted
/// data; this only has to be valid, signed, and say which addresses are meant.
pub fn build_csr<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<CertReq> {
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

    let req = match key {
        PrivateKey::Rsa(k) => {
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.as_ref().clone());
            builder.build::<_, rsa::pkcs1v15::Signature>(&signer)
        }
        PrivateKey::P256(k) => builder.build::<_, p256::ecdsa::DerSignature>(k),
        PrivateKey::P384(k) => builder.build::<_, p384::ecdsa::DerSignature>(k),
    }
    .map_err(|_| PkiError::Internal)?;
    Ok(req)
}

/// The request as PEM (`CERTIFICATE REQUEST`), as the server takes it.
pub fn build_csr_pem<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<String> {
    Ok(build_csr(key, emails)?.to_pem(LineEnding::LF)?)
}

/// The request as DER.
pub fn build_csr_der<S: AsRef<str>>(key: &PrivateKey, emails: &[S]) -> Result<Vec<u8>> {
    Ok(build_csr(key, emails)?.to_der()?)
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
