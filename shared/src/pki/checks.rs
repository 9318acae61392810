//! Checks the server runs on the public key of a request before anything is issued. Pure
//! functions on a SubjectPublicKeyInfo; each failure has its own error code.

use crypto_bigint::{BoxedUint, Resize};
use der::Decode;
use der::asn1::UintRef;
use spki::SubjectPublicKeyInfoRef;

use super::key::{EC_PUBLIC_KEY, RSA_ENCRYPTION, RSA_EXPONENT, SECP256R1, SECP384R1, trim_be};
use super::{KeyType, PkiError, Result};

/// Trial division bound: every prime below it is tried as a factor.
const SMALL_PRIME_BOUND: u32 = 1 << 16;
/// Fermat rounds: enough to catch primes generated "next to each other".
const FERMAT_ROUNDS: u32 = 100;
/// The ROCA fingerprint uses the odd primes up to here (Nemec et al., CCS 2017).
const ROCA_PRIME_BOUND: u32 = 167;

/// Checks a DER SubjectPublicKeyInfo and tells which key type it is.
pub fn check_public_key_der(spki_der: &[u8]) -> Result<KeyType> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| PkiError::PublicKeyInvalid)?;
    check_public_key(&spki)
}

/// Checks a public key: RSA (size, exponent, small factors, Fermat, ROCA) or an EC point on
/// P-256/P-384. Returns the key type; RSA sizes other than ours pass as the nearest below.
pub fn check_public_key(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<KeyType> {
    let oid = spki.algorithm.oid;
    let key_bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or(PkiError::PublicKeyInvalid)?;
    if oid == RSA_ENCRYPTION {
        let key = rsa::pkcs1::RsaPublicKey::<UintRef<'_>>::from_der(key_bytes)
            .map_err(|_| PkiError::PublicKeyInvalid)?;
        check_rsa(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    } else if oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| PkiError::PublicKeyInvalid)?;
        if curve == SECP256R1 {
            p256::PublicKey::from_sec1_bytes(key_bytes).map_err(|_| PkiError::EcPointInvalid)?;
            Ok(KeyType::EcdsaP256)
        } else if curve == SECP384R1 {
            p384::PublicKey::from_sec1_bytes(key_bytes).map_err(|_| PkiError::EcPointInvalid)?;
            Ok(KeyType::EcdsaP384)
        } else {
            Err(PkiError::PublicKeyInvalid)
        }
    } else {
        Err(PkiError::PublicKeyInvalid)
    }
}

/// Checks an RSA modulus and exponent, given as big-endian bytes.
pub fn check_rsa(modulus: &[u8], exponent: &[u8]) -> Result<KeyType> {
    let n = trim_be(modulus);
    let bits = n
        .first()
        .map_or(0, |b| n.len() * 8 - b.leading_zeros() as usize);
    if bits < 2048 {
        return Err(PkiError::RsaTooSmall);
    }
    if !bits.is_multiple_of(8) {
        return Err(PkiError::RsaModulusNotMultipleOf8);
    }
    if trim_be(exponent) != &RSA_EXPONENT.to_be_bytes()[1..] {
        return Err(PkiError::RsaBadExponent);
    }
    if has_small_factor(n) {
        return Err(PkiError::RsaSmallFactor);
    }
    if is_fermat_factorable(n, FERMAT_ROUNDS) {
        return Err(PkiError::RsaFermatFactorable);
    }
    if has_roca_fingerprint(n) {
        return Err(PkiError::RsaRoca);
    }
    Ok(match bits {
        ..3072 => KeyType::Rsa2048,
        3072..4096 => KeyType::Rsa3072,
        _ => KeyType::Rsa4096,
    })
}

/// Odd primes below `bound`, by a sieve.
fn odd_primes_below(bound: u32) -> impl Iterator<Item = u32> {
    let size = bound as usize;
    let mut composite = vec![false; size];
    let mut i = 2;
    while i * i < size {
        if !composite[i] {
            let mut j = i * i;
            while j < size {
                composite[j] = true;
                j += i;
            }
        }
        i += 1;
    }
    (3..bound).filter(move |&p| !composite[p as usize])
}

/// `n mod m` for a big-endian `n` and a small `m`.
pub(crate) fn rem_small(n: &[u8], m: u32) -> u32 {
    let m = u64::from(m);
    let r = n.iter().fold(0u64, |r, &b| ((r << 8) | u64::from(b)) % m);
    // r < m, and m fits in u32.
    r as u32
}

/// Any prime below [`SMALL_PRIME_BOUND`] (2 included) dividing `n`.
pub(crate) fn has_small_factor(n: &[u8]) -> bool {
    n.last().is_some_and(|b| b % 2 == 0)
        || odd_primes_below(SMALL_PRIME_BOUND).any(|p| rem_small(n, p) == 0)
}

/// Fermat's method: if p and q are close, a = ceil(sqrt(n)) + i makes a² − n a square for
/// some small i, and n = (a − b)(a + b).
pub(crate) fn is_fermat_factorable(n: &[u8], rounds: u32) -> bool {
    let n = BoxedUint::from_be_slice_vartime(n);
    // Room for a², which is barely above n.
    let precision = n.bits_precision() + 128;
    let n = n.resize(precision);
    let one = BoxedUint::one().resize(precision);
    let mut a = n.floor_sqrt_vartime();
    if a.wrapping_mul(&a) < n {
        a = a.wrapping_add(&one);
    }
    let mut b2 = a.wrapping_mul(&a).wrapping_sub(&n);
    for _ in 0..rounds {
        if b2.checked_sqrt_vartime().is_some() {
            return true;
        }
        // (a + 1)² − n = a² − n + 2a + 1
        let step = a.wrapping_add(&a).wrapping_add(&one);
        b2 = b2.wrapping_add(&step);
        a = a.wrapping_add(&one);
    }
    false
}

/// The ROCA fingerprint: Infineon's primes are k·M + (65537^a mod M), M a primorial, so
/// n mod p lies in the subgroup generated by 65537 modulo every small prime p dividing M.
/// A random modulus does so for all of them with negligible probability.
pub(crate) fn has_roca_fingerprint(n: &[u8]) -> bool {
    odd_primes_below(ROCA_PRIME_BOUND + 1).all(|p| {
        let residue = rem_small(n, p);
        let generator = RSA_EXPONENT % p;
        // Walk the cyclic subgroup <65537> mod p.
        let mut x = 1u32;
        loop {
            if x == residue {
                break true;
            }
            x = x * generator % p;
            if x == 1 {
                break false;
            }
        }
    })
}
