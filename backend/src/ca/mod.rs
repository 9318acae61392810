//! Certificate authorities: the S/MIME certificate profiles and the [`Issuer`] trait that
//! every CA implements. The built-in CA is one implementation; upstream CAs (HARICA,
//! Sectigo) are others and fit the same issuance job.

pub mod builtin;
pub mod cert;
pub mod cli;
pub mod config;
pub mod crl;
pub mod key;
pub mod profile;
pub mod setup;
pub mod x509;

use std::future::Future;
use std::pin::Pin;

use shared::api::RequestKind;

use crate::Result;
use crate::domain::{Random, UnixTime};

pub use builtin::BuiltinCa;
pub use config::CaConfig;
pub use profile::ProfileViolation;

/// Where the CA's files are served, relative to the distribution address (see
/// [`CaConfig::distribution_base`]); written into every certificate, so never change them.
pub const ROOT_CERT_PATH: &str = "ca/root.crt";
pub const ROOT_CRL_PATH: &str = "ca/root.crl";
pub const ISSUING_CERT_PATH: &str = "ca/issuing.crt";
pub const ISSUING_CRL_PATH: &str = "ca/issuing.crl";

/// Under which validation type of the S/MIME Baseline Requirements a certificate is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Only control of the mailbox was checked (configured to skip identity checks).
    Mailbox,
    /// Role and group mailboxes: the organisation is named, no person.
    Organization,
    /// Personal certificates with a name the service desk vetted.
    Sponsor,
}

/// Everything an issuer needs to make one certificate. The subject comes from here (vetted
/// data), never from the CSR; only the public key is taken from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The request this certificate is for; issuers use it to stay idempotent.
    pub request_id: i64,
    pub kind: RequestKind,
    pub validation: Validation,
    /// The mailbox addresses, in order; the first is the primary one.
    pub addresses: Vec<String>,
    /// Vetted given name and surname (personal certificates).
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// The registered name of a role or group mailbox.
    pub display_name: Option<String>,
    /// The requester's public key (DER SubjectPublicKeyInfo) from the verified CSR.
    pub public_key_der: Vec<u8>,
}

/// A certificate an issuer made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// Serial number, lower-case hex.
    pub serial: String,
    pub certificate_der: Vec<u8>,
    /// The issuing CA's certificate(s) up to and including the root, PEM, leaf's issuer first.
    pub chain_pem: String,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
}

/// A future an issuer returns; boxed so that `dyn Issuer` works.
pub type IssueFuture<'a> = Pin<Box<dyn Future<Output = Result<Issued>> + Send + 'a>>;

/// A certificate authority certdesk can ask for certificates.
pub trait Issuer: Send + Sync + 'static {
    /// Short name recorded with each issuance job (e.g. `builtin`).
    fn name(&self) -> &'static str;

    /// Issues the certificate for `order`. Must be safe to call again for the same request
    /// after a crash (an upstream CA is asked for its existing order first).
    fn issue<'a>(
        &'a self,
        order: &'a Order,
        now: UnixTime,
        random: &'a dyn Random,
    ) -> IssueFuture<'a>;
}
