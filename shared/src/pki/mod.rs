//! The browser's crypto, pure Rust and free of I/O: key generation, the certificate request,
//! the password-encrypted key file, the .p12 for mail clients, and the checks the server runs
//! on a request's public key. Randomness is always passed in.

mod checks;
mod csr;
mod error;
mod key;
mod keyfile;
mod pbes2;
mod pkcs12;
mod pkcs12_mac;

pub use checks::{check_public_key, check_public_key_der, check_rsa};
pub use csr::{
    UnsignedCsr, VerifiedCsr, build_csr, build_csr_der, build_csr_pem, normalize_emails,
    parse_csr_der, parse_csr_pem, prepare_csr, verify_csr,
};
pub use error::{PkiError, Result};
pub use key::{KeyType, PrivateKey, RSA_EXPONENT};
pub use keyfile::{EncryptedKeyFile, KeyFileSeal, read_key_file, write_key_file};
pub use pbes2::{DerivedKey, Iterations, Pbkdf2Request, SALT_LEN, pbkdf2_sha256};
pub use pkcs12::{
    P12Format, Pkcs12Job, Pkcs12Options, build_pkcs12, check_key_matches_certificate,
    default_friendly_name, parse_certificates, pkcs12_password_bytes, prepare_pkcs12,
};
pub use pkcs12_mac::MacKeyDerivation;
#[cfg(test)]
mod tests;

/// The certificate type the .p12 functions take.
pub use x509_cert::Certificate;

/// The randomness traits callers pass in (`CryptoRng`), so every side uses the same version.
pub use rand_core;
