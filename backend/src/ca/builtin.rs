//! The built-in CA: a root and an issuing CA whose keys live passphrase-encrypted in the
//! database. Loaded once at start-up (the issuing key is decrypted then, never again), it
//! issues subscriber certificates that passed the profile check and signs CRLs.

use der::Decode;
use x509_cert::Certificate;

use super::cert::{self, Distribution};
use super::config::read_passphrase;
use super::key::CaKey;
use super::profile::{self, Settings};
use super::x509::{self, internal};
use super::{IssueFuture, Issued, Issuer, Order};
use crate::config::Config;
use crate::domain::{Random, UnixTime};
use crate::store::Store;
use crate::store::ca::{self as repo, CaName, StoredCa};
use crate::{Error, Result};

/// One CA certificate, kept both as stored and parsed.
#[derive(Debug, Clone)]
pub struct CaCertificate {
    pub der: Vec<u8>,
    pub cert: Certificate,
}

impl CaCertificate {
    pub fn from_der(der: Vec<u8>) -> Result<Self> {
        let cert = Certificate::from_der(&der).map_err(|e| {
            Error::CaDamaged(format!("a stored CA certificate cannot be read: {e}"))
        })?;
        Ok(Self { der, cert })
    }

    pub fn not_before(&self) -> UnixTime {
        x509::unix(&self.cert.tbs_certificate().validity().not_before)
    }

    pub fn not_after(&self) -> UnixTime {
        x509::unix(&self.cert.tbs_certificate().validity().not_after)
    }

    pub fn subject(&self) -> String {
        self.cert.tbs_certificate().subject().to_string()
    }

    pub fn pem(&self) -> Result<String> {
        x509::certificate_pem(&self.der)
    }
}

/// The built-in certificate authority, ready to sign.
pub struct BuiltinCa {
    root: CaCertificate,
    issuing: CaCertificate,
    issuing_key: CaKey,
    /// Absent when an imported root's key stays offline.
    root_key: Option<CaKey>,
    settings: Settings,
    urls: Distribution,
    chain_pem: String,
}

impl std::fmt::Debug for BuiltinCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltinCa")
            .field("issuing", &self.issuing.subject())
            .finish_non_exhaustive()
    }
}

impl BuiltinCa {
    /// Loads the CA from the database and decrypts its keys with the configured passphrase.
    /// `Ok(None)` when no CA was created yet.
    pub async fn load(store: &Store, config: &Config) -> Result<Option<Self>> {
        let mut conn = store.conn().await?;
        let root = repo::get(&mut conn, CaName::Root).await?;
        let issuing = repo::get(&mut conn, CaName::Issuing).await?;
        drop(conn);
        let (root, issuing) = match (root, issuing) {
            (None, None) => return Ok(None),
            (Some(r), Some(i)) => (r, i),
            _ => {
                return Err(Error::CaDamaged(
                    "only one of the root and issuing CA is stored; run `certdesk ca init --force`"
                        .into(),
                ));
            }
        };
        let passphrase = read_passphrase(config)?;
        // PBKDF2 with 600,000 iterations per key: keep it off the async workers.
        let config = config.clone();
        tokio::task::spawn_blocking(move || Self::open(root, issuing, &passphrase, &config))
            .await
            .map_err(internal)?
            .map(Some)
    }

    /// Decrypts the stored keys and checks that they belong to their certificates.
    pub fn open(
        root: StoredCa,
        issuing: StoredCa,
        passphrase: &str,
        config: &Config,
    ) -> Result<Self> {
        let root_cert = CaCertificate::from_der(root.certificate)?;
        let issuing_cert = CaCertificate::from_der(issuing.certificate)?;
        let issuing_pem = issuing.encrypted_key.ok_or_else(|| {
            Error::CaDamaged("the issuing CA's key is missing from the database".into())
        })?;
        // Each key costs 600,000 PBKDF2 rounds: open both at once.
        let (issuing_key, root_key) = std::thread::scope(|s| {
            let root_key = s.spawn(|| {
                root.encrypted_key
                    .as_deref()
                    .map(|pem| CaKey::open(pem, passphrase))
                    .transpose()
            });
            let issuing_key = CaKey::open(&issuing_pem, passphrase);
            let root_key = root_key
                .join()
                .unwrap_or_else(|_| Err(Error::CaInternal("opening the root key failed".into())));
            (issuing_key, root_key)
        });
        let (issuing_key, root_key) = (issuing_key?, root_key?);
        for (what, key, cert) in [
            ("issuing", Some(&issuing_key), &issuing_cert),
            ("root", root_key.as_ref(), &root_cert),
        ] {
            if let Some(key) = key
                && &key.public_key()? != cert.cert.tbs_certificate().subject_public_key_info()
            {
                return Err(Error::CaDamaged(format!(
                    "the stored {what} key does not belong to the {what} certificate"
                )));
            }
        }
        let urls = Distribution::under(&config.ca.distribution_base(&config.public_url))?;
        let chain_pem = format!("{}{}", issuing_cert.pem()?, root_cert.pem()?);
        Ok(Self {
            root: root_cert,
            issuing: issuing_cert,
            issuing_key,
            root_key,
            settings: Settings::from_config(config),
            urls,
            chain_pem,
        })
    }

    pub fn root(&self) -> &CaCertificate {
        &self.root
    }

    pub fn issuing(&self) -> &CaCertificate {
        &self.issuing
    }

    pub fn issuing_key(&self) -> &CaKey {
        &self.issuing_key
    }

    pub fn root_key(&self) -> Option<&CaKey> {
        self.root_key.as_ref()
    }

    /// The issuing and root CA certificates, PEM, issuing first.
    pub fn chain_pem(&self) -> &str {
        &self.chain_pem
    }

    /// Where the certificates point for CRLs and issuer certificates.
    pub fn distribution(&self) -> &Distribution {
        &self.urls
    }

    /// Checks `order` against its profile and signs the certificate.
    pub fn issue_now(&self, order: &Order, now: UnixTime, random: &dyn Random) -> Result<Issued> {
        let vetted = profile::check(order, &self.settings, now, self.issuing.not_after())?;
        let (serial, serial_hex) = cert::random_serial(random)?;
        let cert = cert::subscriber(
            &vetted,
            serial,
            &self.issuing.cert,
            &self.issuing_key,
            &self.urls,
        )?;
        // A faulty signature (a hardware or arithmetic fault) must never leave the CA: with RSA
        // it could even leak the key.
        if !x509::signed_by(
            &cert,
            self.issuing
                .cert
                .tbs_certificate()
                .subject_public_key_info(),
        ) {
            return Err(Error::CaInternal("a fresh signature did not verify".into()));
        }
        Ok(Issued {
            serial: serial_hex,
            certificate_der: cert::der(&cert)?,
            chain_pem: self.chain_pem.clone(),
            not_before: vetted.not_before,
            not_after: vetted.not_after,
        })
    }
}

impl Issuer for BuiltinCa {
    fn name(&self) -> &'static str {
        "builtin"
    }

    /// Signing is quick and local; a retry after a crash just signs again, and only the
    /// certificate that was stored is ever published.
    fn issue<'a>(
        &'a self,
        order: &'a Order,
        now: UnixTime,
        random: &'a dyn Random,
    ) -> IssueFuture<'a> {
        Box::pin(async move { self.issue_now(order, now, random) })
    }
}
