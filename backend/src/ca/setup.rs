//! Making the built-in CA (`certdesk ca init`), taking over an existing one (`ca import`),
//! storing it with its keys sealed by the passphrase, and describing it (`ca show`).

use std::fmt::Write as _;

use der::Decode;
use shared::pki::rand_core::{TryCryptoRng, TryRng};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use super::builtin::CaCertificate;
use super::cert::{self, Common, Distribution};
use super::config::MIN_PASSPHRASE_CHARS;
use super::crl;
use super::key::CaKey;
use super::x509::{self, Attribute, COMMON_NAME, COUNTRY, EMAIL_PROTECTION, ORGANISATION};
use crate::config::Config;
use crate::domain::{Env, Random, UnixTime};
use crate::store::Store;
use crate::store::ca::{self as repo, CaName, StoredCa};
use crate::{Error, Result};

const DAY: i64 = 86_400;
/// A root lives 20 years, the issuing CA 10 (and never longer than its root).
const ROOT_DAYS: i64 = 7305;
const ISSUING_DAYS: i64 = 3653;

/// [`Random`] as the random-number generator key generation and encryption take.
pub struct RandomRng<'a>(pub &'a dyn Random);

impl TryRng for RandomRng<'_> {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> std::result::Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> std::result::Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Self::Error> {
        self.0.fill(dst);
        Ok(())
    }
}

/// Only ever wraps a secret source ([`Random`] is the operating system's generator outside tests).
impl TryCryptoRng for RandomRng<'_> {}

/// A CA hierarchy about to be stored.
pub struct NewCa {
    pub root: CaCertificate,
    pub issuing: CaCertificate,
    /// `None` when an imported root's key stays offline.
    pub root_key: Option<CaKey>,
    pub issuing_key: CaKey,
}

fn ca_subject(config: &Config, common_name: String) -> Result<x509_cert::name::Name> {
    let mut attributes = Vec::new();
    if let Some(c) = &config.ca.country {
        attributes.push(Attribute::new(COUNTRY, c.clone()));
    }
    attributes.push(Attribute::new(ORGANISATION, config.organisation.clone()));
    attributes.push(Attribute::new(COMMON_NAME, common_name));
    x509::name(&attributes)
}

/// Makes a new root and issuing CA with keys of `ca.key_type`.
pub fn create(config: &Config, env: &Env) -> Result<NewCa> {
    let now = env.now();
    let mut rng = RandomRng(env.random.as_ref());
    let root_key = CaKey::generate(config.ca.key_type, &mut rng)?;
    let issuing_key = CaKey::generate(config.ca.key_type, &mut rng)?;
    let urls = Distribution::under(&config.ca.distribution_base(&config.public_url))?;
    let root_end = now + ROOT_DAYS * DAY - 1;
    let root = cert::root(
        Common {
            subject: ca_subject(config, config.ca.checked_root_name(config)?)?,
            spki: root_key.public_key()?,
            serial: cert::random_serial(env.random.as_ref())?.0,
            not_before: now,
            not_after: root_end,
            issuer: None,
        },
        &root_key,
    )?;
    let issuing = cert::issuing(
        Common {
            subject: ca_subject(config, config.ca.checked_issuing_name(config)?)?,
            spki: issuing_key.public_key()?,
            serial: cert::random_serial(env.random.as_ref())?.0,
            not_before: now,
            not_after: (now + ISSUING_DAYS * DAY - 1).min(root_end),
            issuer: Some(&root),
        },
        &root_key,
        &urls,
    )?;
    Ok(NewCa {
        root: CaCertificate::from_der(cert::der(&root)?)?,
        issuing: CaCertificate::from_der(cert::der(&issuing)?)?,
        root_key: Some(root_key),
        issuing_key,
    })
}

/// Reads a certificate in PEM or DER.
pub fn parse_certificate(bytes: &[u8], what: &str) -> Result<CaCertificate> {
    let der = if bytes.windows(10).any(|w| w == b"-----BEGIN") {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Error::CaImport(format!("the {what} certificate is neither PEM nor DER"))
        })?;
        let start = text
            .find("-----BEGIN CERTIFICATE-----")
            .ok_or_else(|| Error::CaImport(format!("the {what} file holds no PEM CERTIFICATE")))?;
        let (label, der) =
            der::pem::decode_vec(text[start..].trim_end().as_bytes()).map_err(|e| {
                Error::CaImport(format!("the {what} certificate's PEM is damaged: {e}"))
            })?;
        if label != "CERTIFICATE" {
            return Err(Error::CaImport(format!(
                "the {what} file holds no PEM CERTIFICATE"
            )));
        }
        der
    } else {
        bytes.to_vec()
    };
    Certificate::from_der(&der)
        .map_err(|e| Error::CaImport(format!("the {what} certificate cannot be read: {e}")))?;
    CaCertificate::from_der(der)
}

/// Whether a certificate may act as a CA that signs certificates (and, if `crls`, CRLs).
fn is_ca(cert: &Certificate, crls: bool) -> bool {
    let tbs = cert.tbs_certificate();
    let ca = matches!(tbs.get_extension::<BasicConstraints>(), Ok(Some((_, bc))) if bc.ca);
    let usage = match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) => ku.key_cert_sign() && (!crls || ku.crl_sign()),
        _ => false,
    };
    ca && usage
}

/// Checks an existing hierarchy before it is taken over: the root signed itself, the issuing
/// CA was signed by the root, both are CAs, the issuing CA may protect e-mail and is still
/// valid, and each key belongs to its certificate.
pub fn import(
    root: CaCertificate,
    issuing: CaCertificate,
    issuing_key: CaKey,
    root_key: Option<CaKey>,
    now: UnixTime,
) -> Result<NewCa> {
    let root_tbs = root.cert.tbs_certificate();
    let issuing_tbs = issuing.cert.tbs_certificate();
    if root_tbs.issuer() != root_tbs.subject()
        || !x509::signed_by(&root.cert, root_tbs.subject_public_key_info())
    {
        return Err(Error::CaImport(
            "the root certificate is not self-signed".into(),
        ));
    }
    if issuing_tbs.issuer() != root_tbs.subject()
        || !x509::signed_by(&issuing.cert, root_tbs.subject_public_key_info())
    {
        return Err(Error::CaImport(
            "the issuing certificate was not signed by the root certificate".into(),
        ));
    }
    // Subscriber certificates come from an intermediate, never from the root directly.
    if issuing_tbs.subject_public_key_info() == root_tbs.subject_public_key_info() {
        return Err(Error::CaImport(
            "the issuing certificate has the root's key; give the intermediate CA that the root signed"
                .into(),
        ));
    }
    if !is_ca(&root.cert, false) {
        return Err(Error::CaImport(
            "the root certificate is not a CA certificate (basicConstraints cA, keyCertSign)"
                .into(),
        ));
    }
    if !is_ca(&issuing.cert, true) {
        return Err(Error::CaImport(
            "the issuing certificate is not a CA that signs certificates and CRLs \
             (basicConstraints cA, keyCertSign, cRLSign)"
                .into(),
        ));
    }
    match issuing_tbs.get_extension::<ExtendedKeyUsage>() {
        Ok(None) => {}
        Ok(Some((_, eku))) if eku.0.contains(&EMAIL_PROTECTION) => {}
        _ => {
            return Err(Error::CaImport(
                "the issuing certificate's extended key usage does not include emailProtection"
                    .into(),
            ));
        }
    }
    if issuing.not_after() <= now || root.not_after() <= now {
        return Err(Error::CaImport("a certificate has expired".into()));
    }
    if &issuing_key.public_key()? != issuing_tbs.subject_public_key_info() {
        return Err(Error::CaKeyMismatch("issuing"));
    }
    if let Some(key) = &root_key
        && &key.public_key()? != root_tbs.subject_public_key_info()
    {
        return Err(Error::CaKeyMismatch("root"));
    }
    Ok(NewCa {
        root,
        issuing,
        root_key,
        issuing_key,
    })
}

/// Refuses a passphrase too short to protect the CA keys.
pub fn check_passphrase_strength(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::CaPassphraseWeak(MIN_PASSPHRASE_CHARS));
    }
    Ok(())
}

/// Whether a CA is stored.
pub async fn exists(store: &Store) -> Result<bool> {
    let mut conn = store.conn().await?;
    Ok(repo::get(&mut conn, CaName::Root).await?.is_some())
}

/// Stores `ca` with its keys sealed by `passphrase`, and signs its first CRLs, in one
/// transaction. An existing CA is replaced only with `force`.
pub async fn save(
    store: &Store,
    ca: &NewCa,
    passphrase: &str,
    force: bool,
    env: &Env,
) -> Result<()> {
    check_passphrase_strength(passphrase)?;
    if !force && exists(store).await? {
        return Err(Error::CaExists);
    }
    let now = env.now();
    let mut rng = RandomRng(env.random.as_ref());
    let root = StoredCa {
        certificate: ca.root.der.clone(),
        encrypted_key: ca
            .root_key
            .as_ref()
            .map(|k| k.seal(passphrase, &mut rng))
            .transpose()?,
        created_at: now,
    };
    let issuing = StoredCa {
        certificate: ca.issuing.der.clone(),
        encrypted_key: Some(ca.issuing_key.seal(passphrase, &mut rng)?),
        created_at: now,
    };
    let mut tx = store.begin().await?;
    // Checked again inside the transaction: another `ca init` may have run meanwhile.
    if !force && repo::get(&mut tx, CaName::Root).await?.is_some() {
        return Err(Error::CaExists);
    }
    repo::replace(&mut tx, &root, &issuing).await?;
    // A new issuing CA has revoked nothing yet.
    crl::publish_in(
        &mut tx,
        CaName::Issuing,
        &ca.issuing,
        &ca.issuing_key,
        &[],
        now,
    )
    .await?;
    if let Some(key) = &ca.root_key {
        crl::publish_in(&mut tx, CaName::Root, &ca.root, key, &[], now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Subjects, validity, key types and SHA-256 fingerprints of the stored CA, and its CRLs.
pub async fn describe(store: &Store) -> Result<String> {
    let mut conn = store.conn().await?;
    let mut out = String::new();
    for name in [CaName::Root, CaName::Issuing] {
        let stored = repo::get(&mut conn, name).await?.ok_or(Error::CaMissing)?;
        let key_held = stored.encrypted_key.is_some();
        let ca = CaCertificate::from_der(stored.certificate)?;
        let crl = repo::crl(&mut conn, name).await?;
        let _ = writeln!(out, "{} CA", name.as_str());
        let _ = writeln!(out, "  subject:     {}", ca.subject());
        let _ = writeln!(
            out,
            "  valid:       {} to {}",
            date(ca.not_before()),
            date(ca.not_after())
        );
        let _ = writeln!(
            out,
            "  serial:      {}",
            serial_hex(ca.cert.tbs_certificate().serial_number().as_bytes())
        );
        let _ = writeln!(
            out,
            "  key:         {}",
            key_description(&ca.cert, key_held)
        );
        let _ = writeln!(out, "  SHA-256:     {}", x509::fingerprint(&ca.der));
        match crl {
            Some(c) => {
                let _ = writeln!(
                    out,
                    "  CRL:         number {}, next update {}",
                    c.number,
                    date(c.next_update)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  CRL:         none (published by whoever holds this key)"
                );
            }
        }
    }
    Ok(out)
}

/// Lower-case hex without the sign octet DER may put in front.
fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    hex::encode(&bytes[start..])
}

fn key_description(cert: &Certificate, held: bool) -> String {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let kind = der::Encode::to_der(spki)
        .ok()
        .and_then(|d| shared::pki::check_public_key_der(&d).ok())
        .map_or_else(|| spki.algorithm.oid.to_string(), |t| t.to_string());
    let held = if held {
        "private key stored, encrypted with the passphrase"
    } else {
        "private key not stored"
    };
    format!("{kind} ({held})")
}

/// `2026-11-21 08:00:00 UTC`.
pub fn date(t: UnixTime) -> String {
    x509::time(t)
        .map(|t| {
            let d = t.to_date_time();
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                d.year(),
                d.month(),
                d.day(),
                d.hour(),
                d.minutes(),
                d.seconds()
            )
        })
        .unwrap_or_else(|_| t.to_string())
}
