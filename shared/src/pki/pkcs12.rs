//! The .p12 (PKCS#12, RFC 7292) that mail clients import, in two flavours:
//! *modern* (PBES2 with PBKDF2-HMAC-SHA256 + AES-256-CBC, MAC HMAC-SHA256) and *compatible*
//! (pbeWithSHAAnd3-KeyTripleDES-CBC, MAC HMAC-SHA1) for older importers. OpenSSL 3 opens both
//! without `-legacy`. The layout follows OpenSSL's: an encrypted bag of certificates, then a
//! plain bag holding the shrouded key.

use std::fmt;
use std::str::FromStr;

#[cfg(test)]
use cbc::cipher::BlockModeDecrypt;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use der::asn1::{BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Version;
use pkcs12::{CertBag, DigestInfo, MacData, Pfx, SafeBag};
use rand_core::CryptoRng;
use sha1::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

use super::pbes2::Pbes2Seal;
use super::pkcs12_mac::MacKeyDerivation;
use super::{DerivedKey, Iterations, Pbkdf2Request, PkiError, PrivateKey, Result};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// Which importers the .p12 is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum P12Format {
    /// AES-256 and SHA-256 throughout; current mail clients.
    #[default]
    Modern,
    /// 3DES and a SHA-1 MAC, for older Windows, macOS, iOS and Android importers.
    Compatible,
}

impl P12Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Modern => "modern",
            Self::Compatible => "compatible",
        }
    }

    /// Iteration count used unless the caller asks for another.
    pub fn default_iterations(self) -> u32 {
        match self {
            Self::Modern => Iterations::PRODUCTION.get(),
            // What OpenSSL and older importers use for the PKCS#12 KDF.
            Self::Compatible => 2_048,
        }
    }
}

impl fmt::Display for P12Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for P12Format {
    type Err = PkiError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "modern" => Ok(Self::Modern),
            "compatible" => Ok(Self::Compatible),
            _ => Err(PkiError::UnknownP12Format),
        }
    }
}

/// Format and work factor of one .p12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pkcs12Options {
    pub format: P12Format,
    /// Used for encryption and for the MAC alike, so the MAC is no cheaper to attack.
    pub iterations: u32,
}

impl Pkcs12Options {
    pub fn new(format: P12Format) -> Self {
        Self {
            format,
            iterations: format.default_iterations(),
        }
    }

    /// Another iteration count (tests use low ones).
    pub fn with_iterations(self, iterations: u32) -> Self {
        Self {
            iterations: iterations.max(1),
            ..self
        }
    }
}

/// The password as the PKCS#12 KDF takes it (RFC 7292 B.1): big-endian UTF-16 with a
/// terminating zero, characters outside the BMP as surrogate pairs, as OpenSSL 3 encodes it.
pub fn pkcs12_password_bytes(password: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        password
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_be_bytes)
            .collect(),
    )
}

/// Reads certificates given as PEM (one or several) or as a single DER certificate.
pub fn parse_certificates(data: &[u8]) -> Result<Vec<Certificate>> {
    // DER starts with a SEQUENCE tag; PEM with text.
    let certs = if data.first() == Some(&0x30) {
        vec![Certificate::from_der(data).map_err(|_| PkiError::CertificateInvalid)?]
    } else {
        Certificate::load_pem_chain(data).map_err(|_| PkiError::CertificateInvalid)?
    };
    if certs.is_empty() {
        return Err(PkiError::CertificateInvalid);
    }
    Ok(certs)
}

/// What mail clients should call the certificate: its first e-mail address (SAN rfc822Name),
/// which every S/MIME certificate has; "certdesk" otherwise.
pub fn default_friendly_name(cert: &Certificate) -> String {
    let san = cert
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectAltName>()
        .ok()
        .flatten()
        .and_then(|(_, san)| {
            san.0.into_iter().find_map(|n| match n {
                x509_cert::ext::pkix::name::GeneralName::Rfc822Name(s) => Some(s.to_string()),
                _ => None,
            })
        });
    san.unwrap_or_else(|| "certdesk".to_owned())
}

/// Checks that the key belongs to the certificate: same algorithm, same public key.
pub fn check_key_matches_certificate(key: &PrivateKey, cert: &Certificate) -> Result<()> {
    let ours = key.public_key_info()?;
    let theirs = &cert.tbs_certificate().subject_public_key_info();
    if ours.algorithm.oid != theirs.algorithm.oid
        || ours.subject_public_key != theirs.subject_public_key
    {
        return Err(PkiError::KeyMismatch);
    }
    Ok(())
}

/// Everything for one .p12 except the PBKDF2 outputs. Two steps so the browser can run the
/// PBKDF2 work in WebCrypto: [`Pkcs12Job::pbkdf2_requests`], derive, [`Pkcs12Job::finish`].
pub struct Pkcs12Job {
    options: Pkcs12Options,
    password: Zeroizing<String>,
    key_der: Zeroizing<Vec<u8>>,
    leaf_der: Vec<u8>,
    chain_der: Vec<Vec<u8>>,
    friendly_name: BmpString,
    local_key_id: Vec<u8>,
    // Modern: PBES2 for the key bag and for the certificates.
    key_seal: Pbes2Seal,
    certs_seal: Pbes2Seal,
    // Compatible: PKCS#12 PBE salts. Both: MAC salt.
    key_salt: [u8; 8],
    certs_salt: [u8; 8],
    mac_salt: Vec<u8>,
}

/// Checks the inputs and fixes all salts and IVs. `friendly_name` is what the mail client
/// shows (the address, or the group name); `chain` is issuer-first and may be empty.
pub fn prepare_pkcs12<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    leaf: &Certificate,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
    options: Pkcs12Options,
    rng: &mut R,
) -> Result<Pkcs12Job> {
    if password.is_empty() {
        return Err(PkiError::EmptyPassword);
    }
    check_key_matches_certificate(key, leaf)?;
    let friendly_name =
        BmpString::from_utf8(friendly_name).map_err(|_| PkiError::FriendlyNameInvalid)?;
    let leaf_der = leaf.to_der()?;
    // OpenSSL's choice of localKeyId: the SHA-1 of the certificate.
    let local_key_id = sha1::Sha1::digest(&leaf_der).to_vec();
    let chain_der = chain
        .iter()
        .map(|c| c.to_der())
        .collect::<der::Result<Vec<_>>>()?;
    let mut key_salt = [0u8; 8];
    let mut certs_salt = [0u8; 8];
    rng.fill_bytes(&mut key_salt);
    rng.fill_bytes(&mut certs_salt);
    let mut mac_salt = vec![
        0u8;
        if options.format == P12Format::Modern {
            16
        } else {
            8
        }
    ];
    rng.fill_bytes(&mut mac_salt);
    Ok(Pkcs12Job {
        options,
        password: Zeroizing::new(password.to_owned()),
        key_der: key.to_pkcs8_der()?,
        leaf_der,
        chain_der,
        friendly_name,
        local_key_id,
        key_seal: Pbes2Seal::new(rng, options.iterations),
        certs_seal: Pbes2Seal::new(rng, options.iterations),
        key_salt,
        certs_salt,
        mac_salt,
    })
}

impl Pkcs12Job {
    /// PBKDF2 runs to do before [`Pkcs12Job::finish`]: key bag, then certificates. Empty for
    /// the compatible format, whose PKCS#12 KDF has no WebCrypto counterpart.
    pub fn pbkdf2_requests(&self) -> Vec<Pbkdf2Request> {
        match self.options.format {
            P12Format::Modern => vec![self.key_seal.request(), self.certs_seal.request()],
            P12Format::Compatible => Vec::new(),
        }
    }

    /// Builds the .p12 (DER) with PBKDF2 done in Rust.
    pub fn finish_in_rust(self) -> Result<Vec<u8>> {
        let derived: Vec<DerivedKey> = self
            .pbkdf2_requests()
            .iter()
            .map(|r| r.derive(&self.password))
            .collect();
        self.finish(&derived)
    }

    /// The derivation of the MAC's key, for [`Pkcs12Job::finish_with_mac_key`]: the browser
    /// runs it in slices while WebCrypto does the PBKDF2 work.
    pub fn mac_key_derivation(&self) -> MacKeyDerivation {
        MacKeyDerivation::new(
            self.options.format,
            &pkcs12_password_bytes(&self.password),
            &self.mac_salt,
            self.options.iterations,
        )
    }

    /// Builds the .p12 (DER) from the outputs of [`Pkcs12Job::pbkdf2_requests`], in order,
    /// deriving the MAC's key here.
    pub fn finish(self, derived: &[DerivedKey]) -> Result<Vec<u8>> {
        let mut mac_key = self.mac_key_derivation();
        mac_key.run(u32::MAX);
        self.finish_with_mac_key(derived, &mac_key)
    }

    /// Like [`Pkcs12Job::finish`], with this job's MAC key derivation run to its end.
    pub fn finish_with_mac_key(
        self,
        derived: &[DerivedKey],
        mac_key: &MacKeyDerivation,
    ) -> Result<Vec<u8>> {
        if derived.len() != self.pbkdf2_requests().len() {
            return Err(PkiError::Internal);
        }
        let bmp_password = pkcs12_password_bytes(&self.password);
        let iterations = i32::try_from(self.options.iterations).map_err(|_| PkiError::Internal)?;

        let (key_alg, key_ciphertext, certs_alg, certs_ciphertext) = match self.options.format {
            P12Format::Modern => {
                let [key_derived, certs_derived] = derived else {
                    return Err(PkiError::Internal);
                };
                (
                    pbes2_algorithm(&self.key_seal)?,
                    self.key_seal.encrypt(key_derived, &self.key_der),
                    pbes2_algorithm(&self.certs_seal)?,
                    self.certs_seal.encrypt(certs_derived, &self.cert_bags()?),
                )
            }
            P12Format::Compatible => (
                tdes_algorithm(&self.key_salt, iterations)?,
                tdes_encrypt(&bmp_password, &self.key_salt, iterations, &self.key_der),
                tdes_algorithm(&self.certs_salt, iterations)?,
                tdes_encrypt(
                    &bmp_password,
                    &self.certs_salt,
                    iterations,
                    &self.cert_bags()?,
                ),
            ),
        };

        let shrouded = EncryptedPrivateKeyInfo {
            encryption_algorithm: key_alg,
            encrypted_data: OctetString::new(key_ciphertext)?,
        };
        let key_bag = SafeBag {
            bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
            bag_value: shrouded.to_der()?,
            bag_attributes: Some(self.attributes()?),
        };
        let key_contents = vec![key_bag].to_der()?;

        let certs_info = EncryptedData {
            version: CmsVersion::V0,
            enc_content_info: EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: certs_alg,
                encrypted_content: Some(OctetString::new(certs_ciphertext)?),
            },
            unprotected_attrs: None,
        };
        let auth_safe = vec![
            ContentInfo {
                content_type: ID_ENCRYPTED_DATA,
                content: Any::from_der(&certs_info.to_der()?)?,
            },
            ContentInfo {
                content_type: ID_DATA,
                content: Any::from_der(&OctetString::new(key_contents)?.to_der()?)?,
            },
        ]
        .to_der()?;

        let mac_data = self.mac(mac_key, iterations, &auth_safe)?;
        let pfx = Pfx {
            version: Version::V3,
            auth_safe: ContentInfo {
                content_type: ID_DATA,
                content: Any::from_der(&OctetString::new(auth_safe)?.to_der()?)?,
            },
            mac_data: Some(mac_data),
        };
        Ok(pfx.to_der()?)
    }

    /// friendlyName and localKeyId, on the key and on the leaf so importers pair them.
    fn attributes(&self) -> Result<x509_cert::attr::Attributes> {
        let name = Attribute {
            oid: FRIENDLY_NAME,
            values: SetOfVec::try_from(vec![Any::from_der(&self.friendly_name.to_der()?)?])?,
        };
        let id = Attribute {
            oid: LOCAL_KEY_ID,
            values: SetOfVec::try_from(vec![Any::from_der(
                &OctetString::new(self.local_key_id.clone())?.to_der()?,
            )?])?,
        };
        Ok(SetOfVec::try_from(vec![name, id])?)
    }

    /// SafeContents with the leaf (with attributes) and the chain.
    fn cert_bags(&self) -> Result<Vec<u8>> {
        let bag = |der: &[u8], attributes| -> Result<SafeBag> {
            let cert_bag = CertBag {
                cert_id: pkcs12::PKCS_12_X509_CERT_OID,
                cert_value: OctetString::new(der)?,
            };
            Ok(SafeBag {
                bag_id: pkcs12::PKCS_12_CERT_BAG_OID,
                bag_value: cert_bag.to_der()?,
                bag_attributes: attributes,
            })
        };
        let mut bags = vec![bag(&self.leaf_der, Some(self.attributes()?))?];
        for der in &self.chain_der {
            bags.push(bag(der, None)?);
        }
        Ok(bags.to_der()?)
    }

    /// MAC over the AuthenticatedSafe; its key comes from the PKCS#12 KDF with the MAC's own
    /// digest, as OpenSSL does for SHA-256 MACs too.
    fn mac(&self, key: &MacKeyDerivation, iterations: i32, data: &[u8]) -> Result<MacData> {
        let oid = match self.options.format {
            P12Format::Modern => SHA256,
            P12Format::Compatible => SHA1,
        };
        Ok(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid,
                    parameters: Some(Any::null()),
                },
                digest: OctetString::new(key.mac(&self.mac_salt, data)?)?,
            },
            mac_salt: OctetString::new(self.mac_salt.clone())?,
            iterations,
        })
    }
}

/// Builds a .p12 in one step, all key derivation in Rust.
pub fn build_pkcs12<R: CryptoRng + ?Sized>(
    key: &PrivateKey,
    leaf: &Certificate,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
    options: Pkcs12Options,
    rng: &mut R,
) -> Result<Vec<u8>> {
    prepare_pkcs12(key, leaf, chain, friendly_name, password, options, rng)?.finish_in_rust()
}

fn pbes2_algorithm(seal: &Pbes2Seal) -> Result<AlgorithmIdentifierOwned> {
    let scheme = pkcs5::EncryptionScheme::Pbes2(seal.parameters()?);
    Ok(AlgorithmIdentifierOwned::from_der(&scheme.to_der()?)?)
}

fn tdes_algorithm(salt: &[u8], iterations: i32) -> Result<AlgorithmIdentifierOwned> {
    let params = Pkcs12PbeParams {
        salt: OctetString::new(salt)?,
        iterations,
    };
    Ok(AlgorithmIdentifierOwned {
        oid: pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC,
        parameters: Some(Any::from_der(&params.to_der()?)?),
    })
}

fn tdes_key_iv(bmp_password: &[u8], salt: &[u8], iterations: i32) -> (Zeroizing<Vec<u8>>, Vec<u8>) {
    let key = Zeroizing::new(derive_key::<sha1::Sha1>(
        bmp_password,
        salt,
        Pkcs12KeyType::EncryptionKey,
        iterations,
        24,
    ));
    let iv = derive_key::<sha1::Sha1>(bmp_password, salt, Pkcs12KeyType::Iv, iterations, 8);
    (key, iv)
}

fn tdes_encrypt(bmp_password: &[u8], salt: &[u8], iterations: i32, plaintext: &[u8]) -> Vec<u8> {
    let (key, iv) = tdes_key_iv(bmp_password, salt, iterations);
    match cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv) {
        Ok(c) => c.encrypt_padded_vec::<Pkcs7>(plaintext),
        // Lengths are fixed above; cannot happen.
        Err(_) => Vec::new(),
    }
}

/// Decrypts 3DES PKCS#12 PBE data; for tests that read our own files back.
#[cfg(test)]
pub(crate) fn tdes_decrypt(
    bmp_password: &[u8],
    salt: &[u8],
    iterations: i32,
    ciphertext: &[u8],
) -> Option<Vec<u8>> {
    let (key, iv) = tdes_key_iv(bmp_password, salt, iterations);
    cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
        .ok()?
        .decrypt_padded_vec::<Pkcs7>(ciphertext)
        .ok()
}
