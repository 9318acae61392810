//! Keys and certificate requests for the request tests, made with `shared::pki`: good keys of
//! each type, and requests properly signed by weak keys (too short, e = 3, a small factor,
//! primes close together, the ROCA shape), so each is refused for its weakness alone.
//! Keys are made once per test binary: RSA generation is slow.

use std::sync::OnceLock;

use base64::Engine;
use crypto_bigint::{BoxedUint, ConcatenatingMul, NonZero, RandomBits, Resize};
use crypto_primes::Flavor;
use shared::pki::rand_core::UnwrapErr;
use shared::pki::{KeyType, PrivateKey, build_csr_der, build_csr_pem};

pub fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

/// A good key of each type, made once.
pub fn key(t: KeyType) -> &'static PrivateKey {
    static KEYS: [OnceLock<PrivateKey>; 5] = [const { OnceLock::new() }; 5];
    let i = KeyType::ALL.iter().position(|k| *k == t).unwrap();
    KEYS[i].get_or_init(|| PrivateKey::generate(t, &mut rng()).unwrap())
}

/// A PEM request for `emails`, signed by `key`.
pub fn csr(key: &PrivateKey, emails: &[&str]) -> String {
    build_csr_pem(key, emails).unwrap()
}

/// A request as base64 DER.
pub fn csr_base64(key: &PrivateKey, emails: &[&str]) -> String {
    base64::engine::general_purpose::STANDARD.encode(build_csr_der(key, emails).unwrap())
}

/// A request whose signature no longer fits: the last byte of the RSA signature flipped.
pub fn csr_with_broken_signature(emails: &[&str]) -> String {
    let mut der = build_csr_der(key(KeyType::Rsa2048), emails).unwrap();
    *der.last_mut().unwrap() ^= 0x01;
    base64::engine::general_purpose::STANDARD.encode(der)
}

fn prime(bits: u32) -> BoxedUint {
    crypto_primes::random_prime(&mut rng(), Flavor::Any, bits)
}

fn big(n: u32) -> BoxedUint {
    BoxedUint::from(n)
}

fn rsa(key: rsa::RsaPrivateKey) -> PrivateKey {
    PrivateKey::Rsa(Box::new(key))
}

/// The weak keys, one of each kind, made once.
pub struct WeakKeys {
    pub too_small: PrivateKey,
    pub exponent_3: PrivateKey,
    pub small_factor: PrivateKey,
    pub fermat: PrivateKey,
    pub roca: PrivateKey,
}

pub fn weak() -> &'static WeakKeys {
    static WEAK: OnceLock<WeakKeys> = OnceLock::new();
    WEAK.get_or_init(|| WeakKeys {
        too_small: rsa(rsa::RsaPrivateKey::new(&mut rng(), 1024).unwrap()),
        exponent_3: rsa(rsa::RsaPrivateKey::new_with_exp(&mut rng(), 2048, big(3)).unwrap()),
        small_factor: small_factor_key(),
        fermat: fermat_key(),
        roca: roca_key(),
    })
}

/// n = 65521 · q · r with q, r about 1016 bits: a 2048-bit modulus with a factor trial
/// division finds. Three primes, so the rsa crate takes the unbalanced factor.
fn small_factor_key() -> PrivateKey {
    loop {
        let (q, r) = (prime(1016), prime(1016));
        let n = q
            .clone()
            .concatenating_mul(&r)
            .concatenating_mul(&big(65_521));
        if n.bits() != 2048 || q == r {
            continue;
        }
        let primes = vec![big(65_521), q, r];
        if let Ok(k) = rsa::RsaPrivateKey::from_primes(primes, big(65_537)) {
            return rsa(k);
        }
    }
}

/// q is the next prime after p: Fermat's method factors n at once.
fn fermat_key() -> PrivateKey {
    loop {
        let p = prime(1024);
        let two = big(2).resize(p.bits_precision());
        let mut q = p.wrapping_add(&two);
        while !crypto_primes::is_prime(Flavor::Any, &q) {
            q = q.wrapping_add(&two);
        }
        if p.clone().concatenating_mul(&q).bits() != 2048 {
            continue;
        }
        if let Ok(k) = rsa::RsaPrivateKey::from_p_q(p, q, big(65_537)) {
            return rsa(k);
        }
    }
}

/// Primes of the ROCA shape k·M + (65537^a mod M), M the product of the primes up to 167,
/// as the flawed Infineon generator made them.
fn roca_key() -> PrivateKey {
    const WIDTH: u32 = 2048 + 64;
    let m = (2..=167u32)
        .filter(|p| (2..*p).all(|d| p % d != 0))
        .fold(big(1).resize(WIDTH), |acc, p| {
            acc.wrapping_mul(big(p).resize(WIDTH))
        });
    let m_nz = NonZero::new(m.clone()).unwrap();
    let generator_power = |a: u32| {
        (0..a).fold(big(1).resize(WIDTH), |x, _| {
            x.wrapping_mul(big(65_537).resize(WIDTH)).rem_vartime(&m_nz)
        })
    };
    let shaped_prime = |a: u32| {
        let c = generator_power(a);
        loop {
            // One bit more than 1024 − bits(M), so that k·M + c often has 1024 bits.
            let k = BoxedUint::random_bits_with_precision(&mut rng(), 1025 - m.bits(), WIDTH);
            let p = k.wrapping_mul(&m).wrapping_add(&c);
            if p.bits() == 1024
                && crypto_primes::is_prime(Flavor::Any, &p.clone().resize_unchecked(1024))
            {
                return p.resize_unchecked(1024);
            }
        }
    };
    loop {
        let (p, q) = (shaped_prime(37), shaped_prime(1_234));
        if p.clone().concatenating_mul(&q).bits() != 2048 {
            continue;
        }
        if let Ok(k) = rsa::RsaPrivateKey::from_p_q(p, q, big(65_537)) {
            return rsa(k);
        }
    }
}
