//! PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, split so that the slow PBKDF2 step can be
//! done elsewhere (WebCrypto `deriveBits` in the browser) and handed back as a derived key.

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use pkcs5::pbes2::{EncryptionScheme, Kdf, Parameters, Pbkdf2Prf};
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::{PkiError, Result};

/// Salt length for every PBKDF2 run certdesk starts.
pub const SALT_LEN: usize = 16;

/// A 256-bit key derived from the password; wiped from memory when dropped.
pub type DerivedKey = Zeroizing<[u8; 32]>;

/// How many PBKDF2 iterations protect a file certdesk writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iterations(u32);

impl Iterations {
    /// What every production path uses: OWASP's recommendation for PBKDF2-HMAC-SHA256.
    pub const PRODUCTION: Iterations = Iterations(600_000);

    /// A count of at least [`Iterations::PRODUCTION`].
    pub fn at_least_production(n: u32) -> Result<Self> {
        if n < Self::PRODUCTION.0 {
            return Err(PkiError::IterationsTooLow);
        }
        Ok(Self(n))
    }

    /// Any positive count. Only for tests: a low count makes a file fast to brute-force.
    pub const fn weak_for_tests(n: u32) -> Self {
        Self(if n == 0 { 1 } else { n })
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for Iterations {
    fn default() -> Self {
        Self::PRODUCTION
    }
}

/// One PBKDF2-HMAC-SHA256 derivation to be done (by [`pbkdf2_sha256`] or by WebCrypto).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pbkdf2Request {
    pub salt: Vec<u8>,
    pub iterations: u32,
}

impl Pbkdf2Request {
    /// Runs the derivation in Rust. The password is taken as UTF-8, as OpenSSL does.
    pub fn derive(&self, password: &str) -> DerivedKey {
        pbkdf2_sha256(password.as_bytes(), &self.salt, self.iterations)
    }
}

/// PBKDF2-HMAC-SHA256 with a 32-byte output (the AES-256 key).
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> DerivedKey {
    let mut out = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out.as_mut());
    out
}

/// Fresh salt and IV for one encryption.
pub(crate) struct Pbes2Seal {
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) iv: [u8; 16],
    pub(crate) iterations: u32,
}

impl Pbes2Seal {
    pub(crate) fn new<R: CryptoRng + ?Sized>(rng: &mut R, iterations: u32) -> Self {
        let mut salt = [0u8; SALT_LEN];
        let mut iv = [0u8; 16];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut iv);
        Self {
            salt,
            iv,
            iterations,
        }
    }

    pub(crate) fn request(&self) -> Pbkdf2Request {
        Pbkdf2Request {
            salt: self.salt.to_vec(),
            iterations: self.iterations,
        }
    }

    pub(crate) fn parameters(&self) -> Result<Parameters> {
        Parameters::generate_pbkdf2_sha256_aes256cbc(self.iterations, &self.salt, self.iv)
            .map_err(|_| PkiError::Internal)
    }

    pub(crate) fn encrypt(&self, key: &DerivedKey, plaintext: &[u8]) -> Vec<u8> {
        cbc::Encryptor::<aes::Aes256>::new((&**key).into(), (&self.iv).into())
            .encrypt_padded_vec::<Pkcs7>(plaintext)
    }
}

/// The parts of PBES2 parameters certdesk can decrypt with a pre-derived key: PBKDF2 with
/// HMAC-SHA256 and AES-256-CBC. Anything else is `None`.
pub(crate) fn sha256_aes256_request(params: &Parameters) -> Option<(Pbkdf2Request, [u8; 16])> {
    let (Kdf::Pbkdf2(kdf), EncryptionScheme::Aes256Cbc { iv }) = (&params.kdf, &params.encryption)
    else {
        return None;
    };
    if kdf.prf != Pbkdf2Prf::HmacWithSha256 || kdf.key_length.is_some_and(|l| l != 32) {
        return None;
    }
    Some((
        Pbkdf2Request {
            salt: kdf.salt.as_ref().to_vec(),
            iterations: kdf.iteration_count,
        },
        *iv,
    ))
}

/// AES-256-CBC decryption. Bad padding almost always means a wrong key, i.e. a wrong password.
pub(crate) fn decrypt_aes256_cbc(
    key: &DerivedKey,
    iv: &[u8; 16],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(PkiError::KeyFileDamaged);
    }
    cbc::Decryptor::<aes::Aes256>::new((&**key).into(), iv.into())
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| PkiError::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterations_floor() {
        assert_eq!(Iterations::default().get(), 600_000);
        assert_eq!(
            Iterations::at_least_production(599_999),
            Err(PkiError::IterationsTooLow)
        );
        assert_eq!(
            Iterations::at_least_production(1_000_000).unwrap().get(),
            1_000_000
        );
    }

    #[test]
    fn pbkdf2_sha256_vector() {
        // RFC 7914 section 11 (PBKDF2-HMAC-SHA256, "passwd"/"salt", c = 1).
        let k = pbkdf2_sha256(b"passwd", b"salt", 1);
        assert_eq!(
            k[..16],
            [
                0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44,
                0xb6, 0x05
            ]
        );
    }
}
