//! The key of a .p12's MAC: the PKCS#12 key derivation (RFC 7292 B.2, ID 3), resumable.
//!
//! WebCrypto has no PKCS#12 KDF, so in the browser it runs in WebAssembly on the page's
//! thread; at the modern format's 600,000 iterations that is a few hundred milliseconds.
//! Run in slices ([`MacKeyDerivation::run`]), it leaves the page responsive in between, and
//! it can run while WebCrypto derives the bags' keys. The iteration count stays that of the
//! bags: the MAC tells a right password from a wrong one, so a cheaper MAC would be the
//! cheaper way to guess the password.

use hmac::{KeyInit, Mac};
use sha1::Digest;
use zeroize::Zeroizing;

use super::{P12Format, PkiError, Result};

/// Block size of SHA-1 and SHA-256, the `v` of RFC 7292 B.2.
const BLOCK: usize = 64;
/// Diversifier ID 3: the derived bytes are a MAC key.
const MAC_ID: u8 = 3;

/// The MAC key's derivation, started by [`super::Pkcs12Job::mac_key_derivation`]. The key is
/// as long as one digest, so B.2 needs one block only: A = H^c(D || I).
pub struct MacKeyDerivation {
    format: P12Format,
    salt: Vec<u8>,
    /// H^i(D || I) after i iterations; the key once all have run.
    block: Zeroizing<Vec<u8>>,
    remaining: u32,
}

impl MacKeyDerivation {
    /// `bmp_password` as from [`super::pkcs12_password_bytes`]; `iterations` at least 1.
    pub(crate) fn new(
        format: P12Format,
        bmp_password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Self {
        let mut input = Zeroizing::new(vec![MAC_ID; BLOCK]);
        input.extend_from_slice(&repeated(salt));
        input.extend_from_slice(&repeated(bmp_password));
        let block = Zeroizing::new(match format {
            P12Format::Modern => sha2::Sha256::digest(input.as_slice()).to_vec(),
            P12Format::Compatible => sha1::Sha1::digest(input.as_slice()).to_vec(),
        });
        Self {
            format,
            salt: salt.to_vec(),
            block,
            remaining: iterations.max(1) - 1,
        }
    }

    /// Runs at most `rounds` more iterations; true once all have run.
    pub fn run(&mut self, rounds: u32) -> bool {
        let n = rounds.min(self.remaining);
        match self.format {
            P12Format::Modern => chain::<sha2::Sha256>(&mut self.block, n),
            P12Format::Compatible => chain::<sha1::Sha1>(&mut self.block, n),
        }
        self.remaining -= n;
        self.is_done()
    }

    pub fn is_done(&self) -> bool {
        self.remaining == 0
    }

    /// Iterations still to run.
    pub fn remaining(&self) -> u32 {
        self.remaining
    }

    /// The MAC over `data` (HMAC with the format's digest), once the derivation is done and
    /// if it was made with `salt`.
    pub(crate) fn mac(&self, salt: &[u8], data: &[u8]) -> Result<Vec<u8>> {
        if !self.is_done() || self.salt != salt {
            return Err(PkiError::Internal);
        }
        match self.format {
            P12Format::Modern => hmac_digest::<sha2::Sha256>(&self.block, data),
            P12Format::Compatible => hmac_digest::<sha1::Sha1>(&self.block, data),
        }
    }
}

/// `bytes` repeated to fill whole blocks (the S and P of B.2).
fn repeated(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = BLOCK * bytes.len().div_ceil(BLOCK);
    Zeroizing::new(bytes.iter().copied().cycle().take(len).collect())
}

fn chain<D: Digest>(block: &mut [u8], n: u32) {
    for _ in 0..n {
        let next = D::digest(&*block);
        block.copy_from_slice(&next);
    }
}

fn hmac_digest<D>(key: &[u8], data: &[u8]) -> Result<Vec<u8>>
where
    D: Digest + sha1::digest::block_api::BlockSizeUser + hmac::EagerHash,
{
    let mut mac = hmac::Hmac::<D>::new_from_slice(key).map_err(|_| PkiError::Internal)?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs12::kdf::{Pkcs12KeyType, derive_key};

    #[test]
    fn matches_the_pkcs12_crate_in_slices_or_at_once() {
        let password = super::super::pkcs12_password_bytes(
            "Grüße 中文 😀 and a password longer than one block",
        );
        for (format, salt) in [
            (P12Format::Modern, vec![1u8; 16]),
            (P12Format::Compatible, vec![2u8; 8]),
        ] {
            for iterations in [1u32, 2, 2_048, 5_001] {
                let expected = match format {
                    P12Format::Modern => derive_key::<sha2::Sha256>(
                        &password,
                        &salt,
                        Pkcs12KeyType::Mac,
                        iterations as i32,
                        32,
                    ),
                    P12Format::Compatible => derive_key::<sha1::Sha1>(
                        &password,
                        &salt,
                        Pkcs12KeyType::Mac,
                        iterations as i32,
                        20,
                    ),
                };
                let mut at_once = MacKeyDerivation::new(format, &password, &salt, iterations);
                assert!(at_once.run(u32::MAX));
                let mut sliced = MacKeyDerivation::new(format, &password, &salt, iterations);
                while !sliced.run(1_000) {}
                assert_eq!(*at_once.block, expected, "{format} {iterations}");
                assert_eq!(*sliced.block, expected, "{format} {iterations}");
            }
        }
    }

    #[test]
    fn a_mac_needs_the_whole_derivation_and_its_own_salt() {
        let password = super::super::pkcs12_password_bytes("pw");
        let mut d = MacKeyDerivation::new(P12Format::Modern, &password, &[1; 16], 10);
        assert!(!d.run(5));
        assert_eq!(d.remaining(), 4);
        assert_eq!(d.mac(&[1; 16], b"data"), Err(PkiError::Internal));
        assert!(d.run(5));
        assert_eq!(d.mac(&[2; 16], b"data"), Err(PkiError::Internal));
        assert_eq!(d.mac(&[1; 16], b"data").map(|m| m.len()), Ok(32));
    }
}
