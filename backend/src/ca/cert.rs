//! Assembles and signs certificates: the root, the issuing CA, and subscriber certificates
//! from a [`Vetted`] order. Every extension is written here, in one place per certificate
//! kind, so what a certificate contains can be read off this file.

use der::Encode;
use spki::SubjectPublicKeyInfoOwned;
use url::Url;
use x509_cert::Certificate;
use x509_cert::builder::CertificateBuilder;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use super::key::CaKey;
use super::profile::{MAILBOX_STRICT, ORGANIZATION_STRICT, SPONSOR_STRICT, Vetted};
use super::x509::{self, EMAIL_PROTECTION, internal};
use super::{ISSUING_CERT_PATH, ISSUING_CRL_PATH, ROOT_CERT_PATH, ROOT_CRL_PATH};
use crate::domain::{Random, UnixTime};
use crate::{Error, Result};

/// The addresses written into certificates: where the CRLs and CA certificates are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub root_cert: Url,
    pub root_crl: Url,
    pub issuing_cert: Url,
    pub issuing_crl: Url,
}

impl Distribution {
    /// The four addresses under `base` (which ends in `/`).
    pub fn under(base: &Url) -> Result<Self> {
        let join = |path: &str| base.join(path).map_err(internal);
        Ok(Self {
            root_cert: join(ROOT_CERT_PATH)?,
            root_crl: join(ROOT_CRL_PATH)?,
            issuing_cert: join(ISSUING_CERT_PATH)?,
            issuing_crl: join(ISSUING_CRL_PATH)?,
        })
    }
}

/// A builder profile that writes exactly the given names and extensions.
struct Exactly {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for Exactly {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

/// A fresh serial: 128 random bits, positive, the first octet non-zero so the encoding keeps
/// its full length. Returned with its lower-case hex form.
pub fn random_serial(random: &dyn Random) -> Result<(SerialNumber, String)> {
    let mut bytes = [0u8; 16];
    // A zero first octet happens once in 256 draws; a source that keeps giving zeros is broken.
    for _ in 0..16 {
        random.fill(&mut bytes);
        if bytes[0] != 0 {
            let serial = SerialNumber::new(&bytes).map_err(internal)?;
            return Ok((serial, hex::encode(bytes)));
        }
    }
    Err(Error::CaInternal(
        "the random source gives only zeros".into(),
    ))
}

/// What every certificate needs besides its extensions.
pub struct Common<'a> {
    pub subject: Name,
    pub spki: SubjectPublicKeyInfoOwned,
    pub serial: SerialNumber,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    /// The issuer's certificate; `None` for the self-signed root.
    pub issuer: Option<&'a Certificate>,
}

fn sign(common: Common<'_>, extensions: Vec<Extension>, key: &CaKey) -> Result<Certificate> {
    let issuer = match common.issuer {
        Some(c) => c.tbs_certificate().subject().clone(),
        None => common.subject.clone(),
    };
    let validity = Validity::new(
        x509::time(common.not_before)?,
        x509::time(common.not_after)?,
    );
    let profile = Exactly {
        subject: common.subject,
        issuer,
        extensions,
    };
    let builder =
        CertificateBuilder::new(profile, common.serial, validity, common.spki).map_err(internal)?;
    key.sign(builder)
}

fn ca_extensions(spki: &SubjectPublicKeyInfoOwned, path_len: Option<u8>) -> Result<Vec<Extension>> {
    Ok(vec![
        x509::extension(
            true,
            &BasicConstraints {
                ca: true,
                path_len_constraint: path_len,
            },
        )?,
        x509::extension(true, &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign))?,
        x509::extension(
            false,
            &x509_cert::ext::pkix::SubjectKeyIdentifier(x509::key_identifier(spki)?),
        )?,
    ])
}

/// The self-signed root: CA without a path length limit, certificate and CRL signing only.
pub fn root(common: Common<'_>, key: &CaKey) -> Result<Certificate> {
    let extensions = ca_extensions(&common.spki, None)?;
    sign(common, extensions, key)
}

/// The issuing CA under the root: may sign only subscriber certificates (path length 0), only
/// for e-mail protection, under the three strict S/MIME policies.
pub fn issuing(common: Common<'_>, root_key: &CaKey, urls: &Distribution) -> Result<Certificate> {
    let root = common
        .issuer
        .ok_or_else(|| Error::CaInternal("an issuing CA needs its root".into()))?;
    let mut extensions = ca_extensions(&common.spki, Some(0))?;
    extensions.push(x509::extension(
        false,
        &ExtendedKeyUsage(vec![EMAIL_PROTECTION]),
    )?);
    extensions.push(policies(&[
        MAILBOX_STRICT,
        ORGANIZATION_STRICT,
        SPONSOR_STRICT,
    ])?);
    extensions.push(x509::crl_distribution_point(&urls.root_crl)?);
    extensions.push(x509::ca_issuers(&urls.root_cert)?);
    extensions.push(x509::extension(
        false,
        &x509::authority_key_identifier(root.tbs_certificate().subject_public_key_info())?,
    )?);
    sign(common, extensions, root_key)
}

fn policies(oids: &[der::oid::ObjectIdentifier]) -> Result<Extension> {
    x509::extension(
        false,
        &CertificatePolicies(
            oids.iter()
                .map(|oid| PolicyInformation {
                    policy_identifier: *oid,
                    policy_qualifiers: None,
                })
                .collect(),
        ),
    )
}

/// A subscriber certificate exactly as the profile check decided it.
pub fn subscriber(
    vetted: &Vetted,
    serial: SerialNumber,
    issuing: &Certificate,
    key: &CaKey,
    urls: &Distribution,
) -> Result<Certificate> {
    let subject = x509::name(&vetted.subject)?;
    let usage = if vetted.key.key_type.is_rsa() {
        KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment
    } else {
        KeyUsages::DigitalSignature | KeyUsages::KeyAgreement
    };
    let san = vetted
        .addresses
        .iter()
        .map(|a| {
            der::asn1::Ia5String::new(a)
                .map(GeneralName::Rfc822Name)
                .map_err(internal)
        })
        .collect::<Result<Vec<_>>>()?;
    let (ski, aki) = x509::key_identifiers(
        &vetted.key.spki,
        issuing.tbs_certificate().subject_public_key_info(),
    )?;
    let extensions = vec![
        x509::extension(true, &KeyUsage(usage))?,
        x509::extension(false, &ExtendedKeyUsage(vec![EMAIL_PROTECTION]))?,
        // With an empty subject the addresses are the only name: then SAN is critical.
        x509::extension(vetted.subject.is_empty(), &SubjectAltName(san))?,
        policies(&[vetted.policy])?,
        x509::crl_distribution_point(&urls.issuing_crl)?,
        x509::ca_issuers(&urls.issuing_cert)?,
        aki,
        ski,
    ];
    let common = Common {
        subject,
        spki: vetted.key.spki.clone(),
        serial,
        not_before: vetted.not_before,
        not_after: vetted.not_after,
        issuer: Some(issuing),
    };
    sign(common, extensions, key)
}

/// DER of a certificate.
pub fn der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(internal)
}
