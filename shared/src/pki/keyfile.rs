//! The key file the user keeps: PEM `ENCRYPTED PRIVATE KEY`, PBES2 = PBKDF2-HMAC-SHA256 +
//! AES-256-CBC, readable by `openssl pkcs8`.

use der::asn1::OctetString;
use der::{Decode, EncodePem, pem::LineEnding};
use pkcs5::EncryptionScheme;
use pkcs8::EncryptedPrivateKeyInfoOwned;
use rand_core::CryptoRng;

use super::pbes2::{Pbes2Seal, decrypt_aes256_cbc, sha256_aes256_request};
use super::{DerivedKey, Iterations, Pbkdf2Request, PkiError, PrivateKey, Result};

const PEM_LABEL: &str = "ENCRYPTED PRIVATE KEY";
const PEM_BEGIN: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

/// Salt, IV and iteration count for writing one key file. Two steps so the browser can run
/// PBKDF2 in WebCrypto: take [`KeyFileSeal::pbkdf2_request`], derive, then [`KeyFileSeal::seal`].
pub struct KeyFileSeal(Pbes2Seal);

impl KeyFileSeal {
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R, iterations: Iterations) -> Self {
        Self(Pbes2Seal::new(rng, iterations.get()))
    }

    /// The same salt and work factor (so the same derived key) with a new IV: a key derived
    /// once, ahead of time, can then seal more than one key file without repeating an IV.
    pub fn with_new_iv<R: CryptoRng + ?Sized>(&self, rng: &mut R) -> Self {
        let mut seal = Pbes2Seal::new(rng, self.0.iterations);
        seal.salt = self.0.salt;
        Self(seal)
    }

    /// The PBKDF2-HMAC-SHA256 run whose output [`KeyFileSeal::seal`] needs.
    pub fn pbkdf2_request(&self) -> Pbkdf2Request {
        self.0.request()
    }

    /// Encrypts the key with the derived key and returns the PEM file.
    pub fn seal(&self, key: &PrivateKey, derived: &DerivedKey) -> Result<String> {
        self.seal_der(&key.to_pkcs8_der()?, derived)
    }

    /// Encrypts any PKCS#8 DER; tests use it to make key files of types we do not support.
    pub(crate) fn seal_der(&self, plaintext: &[u8], derived: &DerivedKey) -> Result<String> {
        let info = EncryptedPrivateKeyInfoOwned {
            encryption_algorithm: EncryptionScheme::Pbes2(self.0.parameters()?),
            encrypted_data: OctetString::new(self.0.encrypt(derived, plaintext))?,
        };
        Ok(info.to_pem(LineEnding::LF)?)
    }
}

/// Writes the key file in one step, PBKDF2 in Rust. An empty password is refused.
pub fn write_key_file<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    password: &str,
    iterations: Iterations,
    rng: &mut R,
) -> Result<String> {
    if password.is_empty() {
        return Err(PkiError::EmptyPassword);
    }
    let seal = KeyFileSeal::new(rng, iterations);
    let derived = seal.pbkdf2_request().derive(password);
    seal.seal(key, &derived)
}

/// A parsed, still encrypted key file.
#[derive(Debug)]
pub struct EncryptedKeyFile(EncryptedPrivateKeyInfoOwned);

impl EncryptedKeyFile {
    /// Reads the PEM text. Text without the key-file header is [`PkiError::NotAKeyFile`];
    /// a header followed by something unreadable is [`PkiError::KeyFileDamaged`].
    pub fn parse(text: &str) -> Result<Self> {
        let Some(start) = text.find(PEM_BEGIN) else {
            return Err(PkiError::NotAKeyFile);
        };
        let (label, der) = der::pem::decode_vec(text[start..].trim_end().as_bytes())
            .map_err(|_| PkiError::KeyFileDamaged)?;
        if label != PEM_LABEL {
            return Err(PkiError::NotAKeyFile);
        }
        let info =
            EncryptedPrivateKeyInfoOwned::from_der(&der).map_err(|_| PkiError::KeyFileDamaged)?;
        Ok(Self(info))
    }

    /// The PBKDF2 run to do before [`EncryptedKeyFile::decrypt_with_derived_key`], when the
    /// file uses PBKDF2-HMAC-SHA256 with AES-256-CBC (all files certdesk writes do).
    pub fn pbkdf2_request(&self) -> Option<Pbkdf2Request> {
        match &self.0.encryption_algorithm {
            EncryptionScheme::Pbes2(p) => sha256_aes256_request(p).map(|(r, _)| r),
            _ => None,
        }
    }

    /// Decrypts with a key derived by the caller (see [`EncryptedKeyFile::pbkdf2_request`]).
    pub fn decrypt_with_derived_key(&self, derived: &DerivedKey) -> Result<PrivateKey> {
        let iv = match &self.0.encryption_algorithm {
            EncryptionScheme::Pbes2(p) => sha256_aes256_request(p).map(|(_, iv)| iv),
            _ => None,
        }
        .ok_or(PkiError::UnsupportedEncryption)?;
        let plaintext = decrypt_aes256_cbc(derived, &iv, self.0.encrypted_data.as_bytes())?;
        Self::key_from_plaintext(&plaintext)
    }

    /// Decrypts with the password. Files from other tools with other PBES2 choices (PBKDF2
    /// with SHA-1, scrypt, AES-128) are read too.
    pub fn decrypt(&self, password: &str) -> Result<PrivateKey> {
        if password.is_empty() {
            return Err(PkiError::EmptyPassword);
        }
        if let Some(request) = self.pbkdf2_request() {
            return self.decrypt_with_derived_key(&request.derive(password));
        }
        let EncryptionScheme::Pbes2(params) = &self.0.encryption_algorithm else {
            return Err(PkiError::UnsupportedEncryption);
        };
        let ciphertext = self.0.encrypted_data.as_bytes();
        if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
            return Err(PkiError::KeyFileDamaged);
        }
        let plaintext = params.decrypt(password, ciphertext).map_err(|e| match e {
            pkcs5::Error::DecryptFailed => PkiError::WrongPassword,
            _ => PkiError::UnsupportedEncryption,
        })?;
        Self::key_from_plaintext(&zeroize::Zeroizing::new(plaintext))
    }

    fn key_from_plaintext(plaintext: &[u8]) -> Result<PrivateKey> {
        // Garbage that happens to end in valid padding: the key was wrong, not the file.
        PrivateKey::from_pkcs8_der(plaintext).map_err(|e| match e {
            PkiError::KeyFileDamaged => PkiError::WrongPassword,
            other => other,
        })
    }
}

/// Reads and decrypts a key file in one step, PBKDF2 in Rust.
pub fn read_key_file(text: &str, password: &str) -> Result<PrivateKey> {
    EncryptedKeyFile::parse(text)?.decrypt(password)
}
