//! A CA's private key: made, sealed with the passphrase for the database, opened again, and
//! used to sign certificates and CRLs. RSA signs with PKCS#1 v1.5 and SHA-256, P-256 with
//! ECDSA/SHA-256, P-384 with ECDSA/SHA-384.

use shared::pki::rand_core::CryptoRng;
use shared::pki::{Iterations, KeyType, PkiError, PrivateKey};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::Builder;

use super::x509::internal;
use crate::{Error, Result};

enum Signer {
    Rsa(Box<rsa::pkcs1v15::SigningKey<rsa::sha2::Sha256>>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

/// A CA's private key, ready to sign.
pub struct CaKey {
    key: PrivateKey,
    signer: Signer,
}

impl std::fmt::Debug for CaKey {
    // Never print key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CaKey({})", self.key.key_type())
    }
}

impl CaKey {
    pub fn new(key: PrivateKey) -> Self {
        let signer = match &key {
            PrivateKey::Rsa(k) => {
                Signer::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k.as_ref().clone())))
            }
            PrivateKey::P256(k) => Signer::P256(k.clone()),
            PrivateKey::P384(k) => Signer::P384(k.clone()),
        };
        Self { key, signer }
    }

    /// Makes a new key of a type a CA may have (ECDSA P-384 or RSA-4096).
    pub fn generate<R: CryptoRng + ?Sized>(key_type: KeyType, rng: &mut R) -> Result<Self> {
        Ok(Self::new(PrivateKey::generate(key_type, rng)?))
    }

    /// Reads an unencrypted PKCS#8 key (`PRIVATE KEY`), e.g. one to import.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        Ok(Self::new(PrivateKey::from_pkcs8_der(der)?))
    }

    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    pub fn public_key(&self) -> Result<SubjectPublicKeyInfoOwned> {
        Ok(self.key.public_key_info()?)
    }

    /// The key as a PEM `ENCRYPTED PRIVATE KEY` (PBES2: PBKDF2-HMAC-SHA256 with 600,000
    /// iterations, AES-256-CBC), the same file format as a user's key file.
    pub fn seal<R: CryptoRng + ?Sized>(&self, passphrase: &str, rng: &mut R) -> Result<String> {
        Ok(shared::pki::write_key_file(
            &self.key,
            passphrase,
            Iterations::PRODUCTION,
            rng,
        )?)
    }

    /// Opens a sealed key; a passphrase that does not decrypt it is [`Error::CaWrongPassphrase`].
    pub fn open(pem: &str, passphrase: &str) -> Result<Self> {
        match shared::pki::read_key_file(pem, passphrase) {
            Ok(key) => Ok(Self::new(key)),
            Err(PkiError::WrongPassword | PkiError::EmptyPassword) => Err(Error::CaWrongPassphrase),
            Err(e) => Err(Error::CaDamaged(format!(
                "a stored CA key cannot be read: {e}"
            ))),
        }
    }

    /// Signs what `builder` assembled (a certificate or a CRL).
    pub fn sign<B: Builder>(&self, builder: B) -> Result<B::Output> {
        match &self.signer {
            Signer::Rsa(k) => builder.build::<_, rsa::pkcs1v15::Signature>(k.as_ref()),
            Signer::P256(k) => builder.build::<_, p256::ecdsa::DerSignature>(k),
            Signer::P384(k) => builder.build::<_, p384::ecdsa::DerSignature>(k),
        }
        .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::pki::rand_core::UnwrapErr;

    #[test]
    fn sealed_keys_open_only_with_the_passphrase() {
        let mut rng = UnwrapErr(getrandom::SysRng);
        let key = CaKey::generate(KeyType::EcdsaP384, &mut rng).unwrap();
        let pem = key.seal("correct horse battery", &mut rng).unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{pem}"
        );
        let opened = CaKey::open(&pem, "correct horse battery").unwrap();
        assert_eq!(opened.public_key().unwrap(), key.public_key().unwrap());
        let e = CaKey::open(&pem, "wrong horse battery").unwrap_err();
        assert_eq!(e.code(), "ca_wrong_passphrase");
        let e = CaKey::open("not a key", "x").unwrap_err();
        assert_eq!(e.code(), "ca_damaged");
        assert!(!format!("{key:?}").contains("0x"), "{key:?}");
    }
}
