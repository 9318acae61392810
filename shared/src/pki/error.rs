use std::fmt;

/// Everything that can go wrong with keys, requests, key files and .p12 files. The code is
/// stable (people search for it, the API carries it); the message is meant for someone who
/// knows nothing about certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PkiError {
    /// The password does not open the key file (or .p12).
    WrongPassword,
    /// A password is required and none was given.
    EmptyPassword,
    /// The file is not an encrypted key file at all.
    NotAKeyFile,
    /// The key file decrypts but holds a key type certdesk does not use.
    UnsupportedKeyType,
    /// The key file is truncated or corrupted.
    KeyFileDamaged,
    /// The key file is encrypted with a scheme certdesk does not read.
    UnsupportedEncryption,
    /// The key does not belong to the certificate.
    KeyMismatch,
    /// A certificate could not be read.
    CertificateInvalid,
    /// An e-mail address is missing or cannot go into a certificate request.
    EmailInvalid,
    /// A name cannot be stored in the .p12 (it must be in the Basic Multilingual Plane).
    FriendlyNameInvalid,
    /// The key type name is not one of ours.
    UnknownKeyType,
    /// The .p12 format name is not one of ours.
    UnknownP12Format,
    /// Key generation failed or produced a key that does not meet its own type.
    KeyGenerationFailed,
    /// Too few PBKDF2 iterations were requested.
    IterationsTooLow,
    /// RSA modulus below 2048 bits.
    RsaTooSmall,
    /// RSA modulus length not a multiple of 8.
    #[serde(rename = "rsa_modulus_not_multiple_of_8")]
    RsaModulusNotMultipleOf8,
    /// RSA public exponent other than 65537.
    RsaBadExponent,
    /// RSA modulus divisible by a small prime.
    RsaSmallFactor,
    /// RSA primes so close that Fermat's method factors the modulus.
    RsaFermatFactorable,
    /// RSA key made by the flawed Infineon generator (ROCA, CVE-2017-15361).
    RsaRoca,
    /// EC public key not a valid point on its curve.
    EcPointInvalid,
    /// The public key is neither RSA nor ECDSA P-256/P-384, or cannot be parsed.
    PublicKeyInvalid,
    /// A certificate request could not be read (not PEM or DER of a PKCS#10 request).
    CsrMalformed,
    /// The request's signature does not verify with its own key: no proof of possession.
    CsrSignatureInvalid,
    /// The request is signed with an algorithm other than the one its key type uses here.
    CsrAlgorithmUnsupported,
    /// The browser could not load the code that does the crypto (a download that failed).
    CryptoUnavailable,
    /// Encoding or building a structure failed; a bug rather than bad input.
    #[serde(rename = "pki_internal")]
    Internal,
}

impl PkiError {
    /// Every variant, for exhaustive tests and documentation.
    pub const ALL: [PkiError; 27] = [
        Self::WrongPassword,
        Self::EmptyPassword,
        Self::NotAKeyFile,
        Self::UnsupportedKeyType,
        Self::KeyFileDamaged,
        Self::UnsupportedEncryption,
        Self::KeyMismatch,
        Self::CertificateInvalid,
        Self::EmailInvalid,
        Self::FriendlyNameInvalid,
        Self::UnknownKeyType,
        Self::UnknownP12Format,
        Self::KeyGenerationFailed,
        Self::IterationsTooLow,
        Self::RsaTooSmall,
        Self::RsaModulusNotMultipleOf8,
        Self::RsaBadExponent,
        Self::RsaSmallFactor,
        Self::RsaFermatFactorable,
        Self::RsaRoca,
        Self::EcPointInvalid,
        Self::PublicKeyInvalid,
        Self::CsrMalformed,
        Self::CsrSignatureInvalid,
        Self::CsrAlgorithmUnsupported,
        Self::CryptoUnavailable,
        Self::Internal,
    ];

    /// The stable code, as on the wire and in logs.
    pub fn code(self) -> &'static str {
        match self {
            Self::WrongPassword => "wrong_password",
            Self::EmptyPassword => "empty_password",
            Self::NotAKeyFile => "not_a_key_file",
            Self::UnsupportedKeyType => "unsupported_key_type",
            Self::KeyFileDamaged => "key_file_damaged",
            Self::UnsupportedEncryption => "unsupported_encryption",
            Self::KeyMismatch => "key_mismatch",
            Self::CertificateInvalid => "certificate_invalid",
            Self::EmailInvalid => "email_invalid",
            Self::FriendlyNameInvalid => "friendly_name_invalid",
            Self::UnknownKeyType => "unknown_key_type",
            Self::UnknownP12Format => "unknown_p12_format",
            Self::KeyGenerationFailed => "key_generation_failed",
            Self::IterationsTooLow => "iterations_too_low",
            Self::RsaTooSmall => "rsa_too_small",
            Self::RsaModulusNotMultipleOf8 => "rsa_modulus_not_multiple_of_8",
            Self::RsaBadExponent => "rsa_bad_exponent",
            Self::RsaSmallFactor => "rsa_small_factor",
            Self::RsaFermatFactorable => "rsa_fermat_factorable",
            Self::RsaRoca => "rsa_roca",
            Self::EcPointInvalid => "ec_point_invalid",
            Self::PublicKeyInvalid => "public_key_invalid",
            Self::CsrMalformed => "csr_malformed",
            Self::CsrSignatureInvalid => "csr_signature_invalid",
            Self::CsrAlgorithmUnsupported => "csr_algorithm_unsupported",
            Self::CryptoUnavailable => "crypto_unavailable",
            Self::Internal => "pki_internal",
        }
    }

    /// The error whose [`code`](Self::code) is `code`, as it crosses from one WebAssembly
    /// module to another.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// What a person reads.
    pub fn message(self) -> &'static str {
        match self {
            Self::WrongPassword => {
                "The password does not fit this file. Check the password and try again."
            }
            Self::EmptyPassword => "Please enter a password.",
            Self::NotAKeyFile => {
                "This is not a certdesk key file. Choose the key file you saved when you made the request."
            }
            Self::UnsupportedKeyType => {
                "This key file holds a kind of key that certdesk does not support."
            }
            Self::KeyFileDamaged => {
                "The key file is damaged or incomplete. Use another copy of it."
            }
            Self::UnsupportedEncryption => {
                "This key file is protected in a way certdesk cannot read."
            }
            Self::KeyMismatch => {
                "This key file belongs to another request: it does not match the certificate."
            }
            Self::CertificateInvalid => "The certificate could not be read.",
            Self::EmailInvalid => "An e-mail address is missing or not valid.",
            Self::FriendlyNameInvalid => {
                "The name for the certificate file contains characters that cannot be stored."
            }
            Self::UnknownKeyType => {
                "Unknown key type. Choose one of rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384."
            }
            Self::UnknownP12Format => "Unknown .p12 format. Choose modern or compatible.",
            Self::KeyGenerationFailed => "The key could not be generated. Please try again.",
            Self::IterationsTooLow => "The password protection is set too weak.",
            Self::RsaTooSmall => "The RSA key is too short: it must have at least 2048 bits.",
            Self::RsaModulusNotMultipleOf8 => "The RSA key length must be a multiple of 8 bits.",
            Self::RsaBadExponent => "The RSA key must use the public exponent 65537.",
            Self::RsaSmallFactor => {
                "The RSA key is weak: it is divisible by a small prime number. Make a new key."
            }
            Self::RsaFermatFactorable => {
                "The RSA key is weak: its two primes are too close together. Make a new key."
            }
            Self::RsaRoca => {
                "The RSA key was made by a flawed generator (ROCA) and can be broken. Make a new key, and have the device that made it updated."
            }
            Self::EcPointInvalid => "The elliptic-curve key is not valid.",
            Self::PublicKeyInvalid => {
                "The public key is not an RSA or ECDSA P-256/P-384 key, or it is damaged."
            }
            Self::CsrMalformed => {
                "The certificate request could not be read. Please make the request again."
            }
            Self::CsrSignatureInvalid => {
                "The certificate request is not signed by its own key. Please make the request again."
            }
            Self::CsrAlgorithmUnsupported => {
                "The certificate request is signed in a way certdesk does not accept (RSA with SHA-256, ECDSA P-256 with SHA-256 or P-384 with SHA-384)."
            }
            Self::CryptoUnavailable => {
                "This page could not load the part of certdesk that makes keys and files. Reload the page and try again."
            }
            Self::Internal => "Something went wrong while building the file. Please report this.",
        }
    }
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for PkiError {}

/// Encoding errors of the DER layer only occur on our own bugs: inputs are parsed elsewhere.
impl From<der::Error> for PkiError {
    fn from(_: der::Error) -> Self {
        Self::Internal
    }
}

pub type Result<T, E = PkiError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_and_match_serde() {
        let mut seen = HashSet::new();
        for e in PkiError::ALL {
            assert!(seen.insert(e.code()), "duplicate {}", e.code());
            assert!(
                e.code()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            );
            assert_eq!(
                serde_json::to_string(&e).unwrap(),
                format!("\"{}\"", e.code())
            );
            assert!(!e.message().is_empty());
            assert_eq!(PkiError::from_code(e.code()), Some(e));
        }
        assert_eq!(PkiError::from_code("no_such_code"), None);
    }
}
