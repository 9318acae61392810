use std::fmt;
use std::str::FromStr;

use der::{Decode, Encode};
use p256::elliptic_curve::Generate;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, PrivateKeyInfoRef};
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use spki::SubjectPublicKeyInfoOwned;
use zeroize::Zeroizing;

use super::{PkiError, Result};

/// rsaEncryption (RFC 8017).
pub(crate) const RSA_ENCRYPTION: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480).
pub(crate) const EC_PUBLIC_KEY: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const SECP256R1: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const SECP384R1: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// The only public exponent certdesk makes or accepts.
pub const RSA_EXPONENT: u32 = 65_537;

/// The key types a person can choose. Never a loose number: sizes and curves come from here.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum KeyType {
    #[serde(rename = "rsa-2048")]
    Rsa2048,
    #[default]
    #[serde(rename = "rsa-3072")]
    Rsa3072,
    #[serde(rename = "rsa-4096")]
    Rsa4096,
    #[serde(rename = "ecdsa-p256")]
    EcdsaP256,
    #[serde(rename = "ecdsa-p384")]
    EcdsaP384,
}

impl KeyType {
    pub const ALL: [KeyType; 5] = [
        Self::Rsa2048,
        Self::Rsa3072,
        Self::Rsa4096,
        Self::EcdsaP256,
        Self::EcdsaP384,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
        }
    }

    /// Modulus length for RSA types.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            Self::Rsa2048 => Some(2048),
            Self::Rsa3072 => Some(3072),
            Self::Rsa4096 => Some(4096),
            Self::EcdsaP256 | Self::EcdsaP384 => None,
        }
    }

    pub fn is_rsa(self) -> bool {
        self.rsa_bits().is_some()
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or(PkiError::UnknownKeyType)
    }
}

/// A private key of one of the supported types.
#[derive(Clone)]
pub enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    // Never print key material, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({})", self.key_type())
    }
}

impl PrivateKey {
    /// Generates a key in pure Rust, then checks that it is exactly what was asked for.
    pub fn generate<R: CryptoRng + ?Sized>(key_type: KeyType, rng: &mut R) -> Result<Self> {
        let key = match key_type.rsa_bits() {
            Some(bits) => Self::Rsa(Box::new(
                rsa::RsaPrivateKey::new(rng, bits).map_err(|_| PkiError::KeyGenerationFailed)?,
            )),
            None if key_type == KeyType::EcdsaP256 => {
                Self::P256(p256::ecdsa::SigningKey::generate_from_rng(rng))
            }
            None => Self::P384(p384::ecdsa::SigningKey::generate_from_rng(rng)),
        };
        key.check_type(key_type)
            .map_err(|_| PkiError::KeyGenerationFailed)?;
        Ok(key)
    }

    /// Reads an unencrypted PKCS#8 `PrivateKeyInfo` (e.g. what WebCrypto exports).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(|_| PkiError::KeyFileDamaged)?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            let key =
                rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| PkiError::KeyFileDamaged)?;
            let key = Self::Rsa(Box::new(key));
            // Sizes other than ours (e.g. 1024 bits) are a key type we do not support.
            if key.key_type_opt().is_none() {
                return Err(PkiError::UnsupportedKeyType);
            }
            Ok(key)
        } else if oid == EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| PkiError::UnsupportedKeyType)?;
            if curve == SECP256R1 {
                p256::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map(Self::P256)
                    .map_err(|_| PkiError::KeyFileDamaged)
            } else if curve == SECP384R1 {
                p384::ecdsa::SigningKey::from_pkcs8_der(der)
                    .map(Self::P384)
                    .map_err(|_| PkiError::KeyFileDamaged)
            } else {
                Err(PkiError::UnsupportedKeyType)
            }
        } else {
            Err(PkiError::UnsupportedKeyType)
        }
    }

    /// Unencrypted PKCS#8 DER; wiped from memory when dropped.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = match self {
            Self::Rsa(k) => k.to_pkcs8_der(),
            Self::P256(k) => k.to_pkcs8_der(),
            Self::P384(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| PkiError::Internal)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    fn key_type_opt(&self) -> Option<KeyType> {
        match self {
            Self::Rsa(k) => match k.size() * 8 {
                2048 => Some(KeyType::Rsa2048),
                3072 => Some(KeyType::Rsa3072),
                4096 => Some(KeyType::Rsa4096),
                _ => None,
            },
            Self::P256(_) => Some(KeyType::EcdsaP256),
            Self::P384(_) => Some(KeyType::EcdsaP384),
        }
    }

    /// The key's type. Keys of other sizes cannot be constructed, so this always answers.
    pub fn key_type(&self) -> KeyType {
        self.key_type_opt().unwrap_or(KeyType::Rsa2048)
    }

    /// Checks that the key is exactly of `expected` type: modulus length exact, e = 65537.
    pub fn check_type(&self, expected: KeyType) -> Result<()> {
        if self.key_type_opt() != Some(expected) {
            return Err(PkiError::UnsupportedKeyType);
        }
        if let Self::Rsa(k) = self {
            if Some(k.n().as_ref().bits() as usize) != expected.rsa_bits() {
                return Err(PkiError::UnsupportedKeyType);
            }
            if trim_be(&k.e().to_be_bytes()) != &RSA_EXPONENT.to_be_bytes()[1..] {
                return Err(PkiError::RsaBadExponent);
            }
        }
        Ok(())
    }

    /// SubjectPublicKeyInfo, as it goes into the CSR and must come back in the certificate.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned> {
        let der = match self {
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
            Self::P256(k) => k.verifying_key().to_public_key_der(),
            Self::P384(k) => k.verifying_key().to_public_key_der(),
        }
        .map_err(|_| PkiError::Internal)?;
        SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|_| PkiError::Internal)
    }

    /// DER of the SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>> {
        Ok(self.public_key_info()?.to_der()?)
    }
}

/// Big-endian bytes without leading zeros.
pub(crate) fn trim_be(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_type_names_round_trip() {
        for t in KeyType::ALL {
            assert_eq!(t.to_string().parse::<KeyType>().unwrap(), t);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{t}\""));
            assert_eq!(serde_json::from_str::<KeyType>(&json).unwrap(), t);
        }
        assert_eq!(KeyType::default(), KeyType::Rsa3072);
        assert_eq!("rsa-1024".parse::<KeyType>(), Err(PkiError::UnknownKeyType));
        assert_eq!("RSA-2048".parse::<KeyType>(), Err(PkiError::UnknownKeyType));
    }
}
