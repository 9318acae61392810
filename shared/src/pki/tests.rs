//! Round trips and bad-input tests for the whole module. Keys are generated once per type
//! and shared, since RSA generation is slow in debug builds.

use std::sync::OnceLock;

use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{BmpString, OctetString};
use der::{Decode, DecodePem, Encode};
use hmac::{KeyInit, Mac};
use pkcs8::EncodePublicKey;
use rand_core::UnwrapErr;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, profile::BuilderProfile};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::request::CertReq;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crypto_bigint::{ConcatenatingMul, Resize};

use super::*;

pub(crate) fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

fn key(t: KeyType) -> &'static PrivateKey {
    static KEYS: [OnceLock<PrivateKey>; 5] = [const { OnceLock::new() }; 5];
    let i = KeyType::ALL.iter().position(|k| *k == t).unwrap();
    KEYS[i].get_or_init(|| PrivateKey::generate(t, &mut rng()).unwrap())
}

const FAST: Iterations = Iterations::weak_for_tests(1_000);

/// Issues a certificate for `subject_key` from a throwaway P-256 CA.
struct TestProfile;
impl BuilderProfile for TestProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        "CN=certdesk test CA".parse().unwrap()
    }
    fn get_subject(&self) -> Name {
        "CN=alice@example.org".parse().unwrap()
    }
    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<x509_cert::ext::Extension>> {
        Ok(Vec::new())
    }
}

fn issue(subject_key: &PrivateKey) -> Certificate {
    let ca = p256::ecdsa::SigningKey::generate_from_rng(&mut rng());
    let time = |y| {
        Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(
            der::DateTime::new(y, 1, 1, 0, 0, 0).unwrap(),
        ))
    };
    let validity = Validity::new(time(2026), time(2027));
    let builder = CertificateBuilder::new(
        TestProfile,
        SerialNumber::generate(&mut rng()),
        validity,
        subject_key.public_key_info().unwrap(),
    )
    .unwrap();
    builder.build::<_, p256::ecdsa::DerSignature>(&ca).unwrap()
}
use p256::elliptic_curve::Generate;

#[test]
fn generated_keys_are_what_was_asked_for() {
    for t in KeyType::ALL {
        let k = key(t);
        assert_eq!(k.key_type(), t);
        k.check_type(t).unwrap();
        assert_eq!(
            check_public_key_der(&k.public_key_der().unwrap()),
            Ok(t),
            "{t}"
        );
        // Unencrypted PKCS#8 (as WebCrypto exports it) reads back to the same key.
        let again = PrivateKey::from_pkcs8_der(&k.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(again.public_key_der().unwrap(), k.public_key_der().unwrap());
    }
    assert_eq!(
        key(KeyType::EcdsaP256).check_type(KeyType::EcdsaP384),
        Err(PkiError::UnsupportedKeyType)
    );
}

#[test]
fn csr_carries_addresses_usage_and_the_right_signature() {
    for t in KeyType::ALL {
        let k = key(t);
        let pem = build_csr_pem(k, &["alice@example.org", "dpo@example.org"]).unwrap();
        let req = CertReq::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(req.info.subject.to_string(), "CN=alice@example.org");
        assert_eq!(
            req.info.public_key.to_der().unwrap(),
            k.public_key_der().unwrap()
        );
        let sig = match t {
            KeyType::EcdsaP256 => "1.2.840.10045.4.3.2",
            KeyType::EcdsaP384 => "1.2.840.10045.4.3.3",
            _ => "1.2.840.113549.1.1.11",
        };
        assert_eq!(req.algorithm.oid.to_string(), sig, "{t}");
        let ext_req = req
            .info
            .attributes
            .iter()
            .find(|a| a.oid.to_string() == "1.2.840.113549.1.9.14")
            .unwrap();
        let exts: Vec<x509_cert::ext::Extension> =
            ext_req.values.get(0).unwrap().decode_as().unwrap();
        let oids: Vec<String> = exts.iter().map(|e| e.extn_id.to_string()).collect();
        assert_eq!(oids, ["2.5.29.17", "2.5.29.15", "2.5.29.37"]);
        let san = SubjectAltName::from_der(exts[0].extn_value.as_bytes()).unwrap();
        let names: Vec<String> = san
            .0
            .iter()
            .map(|n| match n {
                GeneralName::Rfc822Name(s) => s.to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["alice@example.org", "dpo@example.org"]);
        let eku = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(exts[2].extn_value.as_bytes())
            .unwrap();
        let eku: Vec<String> = eku.0.iter().map(|o| o.to_string()).collect();
        assert_eq!(eku, ["1.3.6.1.5.5.7.3.4"], "emailProtection only");
        let usage =
            x509_cert::ext::pkix::KeyUsage::from_der(exts[1].extn_value.as_bytes()).unwrap();
        assert!(usage.digital_signature());
        assert_eq!(usage.key_encipherment(), t.is_rsa(), "{t}");
        assert_eq!(usage.key_agreement(), !t.is_rsa(), "{t}");
    }
    assert_eq!(
        build_csr_pem(key(KeyType::EcdsaP256), &["not an address"]),
        Err(PkiError::EmailInvalid)
    );
}

#[test]
fn key_file_round_trips_for_every_type() {
    for t in KeyType::ALL {
        let k = key(t);
        let pem = write_key_file(k, "correct horse", FAST, &mut rng()).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        let back = read_key_file(&pem, "correct horse").unwrap();
        assert_eq!(
            back.public_key_der().unwrap(),
            k.public_key_der().unwrap(),
            "{t}"
        );
    }
}

#[test]
fn key_file_uses_pbkdf2_sha256_aes256_with_16_byte_salt() {
    let pem = write_key_file(
        key(KeyType::EcdsaP256),
        "pw",
        Iterations::PRODUCTION,
        &mut rng(),
    )
    .unwrap();
    let file = EncryptedKeyFile::parse(&pem).unwrap();
    let req = file.pbkdf2_request().unwrap();
    assert_eq!(req.iterations, 600_000);
    assert_eq!(req.salt.len(), 16);
    // The split path (derive elsewhere, then decrypt) gives the same key.
    let k = file.decrypt_with_derived_key(&req.derive("pw")).unwrap();
    assert_eq!(k.key_type(), KeyType::EcdsaP256);
}

#[test]
fn a_key_derived_ahead_seals_several_key_files_with_fresh_ivs() {
    let seal = KeyFileSeal::new(&mut rng(), FAST);
    let derived = seal.pbkdf2_request().derive("Grüße");
    let k = key(KeyType::EcdsaP256);
    let first = seal.with_new_iv(&mut rng()).seal(k, &derived).unwrap();
    let second = seal.with_new_iv(&mut rng()).seal(k, &derived).unwrap();
    // Same key and plaintext: only a new IV makes the files differ.
    assert_ne!(first, second);
    for pem in [&first, &second] {
        let file = EncryptedKeyFile::parse(pem).unwrap();
        assert_eq!(
            file.pbkdf2_request().unwrap().salt,
            seal.pbkdf2_request().salt
        );
        assert_eq!(
            file.decrypt("Grüße").unwrap().key_type(),
            KeyType::EcdsaP256
        );
    }
}

#[test]
fn key_file_errors() {
    let k = key(KeyType::EcdsaP256);
    let pem = write_key_file(k, "right", FAST, &mut rng()).unwrap();
    assert_eq!(
        read_key_file(&pem, "wrong").unwrap_err(),
        PkiError::WrongPassword
    );
    assert_eq!(
        read_key_file(&pem, "").unwrap_err(),
        PkiError::EmptyPassword
    );
    assert_eq!(
        write_key_file(k, "", FAST, &mut rng()).unwrap_err(),
        PkiError::EmptyPassword
    );
    assert_eq!(
        read_key_file("hello", "right").unwrap_err(),
        PkiError::NotAKeyFile
    );
    let csr = build_csr_pem(k, &["a@example.org"]).unwrap();
    assert_eq!(
        read_key_file(&csr, "right").unwrap_err(),
        PkiError::NotAKeyFile
    );
    // Truncated: half the file.
    assert_eq!(
        read_key_file(&pem[..pem.len() / 2], "right").unwrap_err(),
        PkiError::KeyFileDamaged
    );
    // Corrupted: a character that is not base64.
    let body = pem.find('\n').unwrap() + 5;
    let broken = format!("{}!{}", &pem[..body], &pem[body + 1..]);
    assert_eq!(
        read_key_file(&broken, "right").unwrap_err(),
        PkiError::KeyFileDamaged
    );
    // Ciphertext cut by a few bytes inside a well-formed file.
    let (_, der) = der::pem::decode_vec(pem.as_bytes()).unwrap();
    let mut info = pkcs8::EncryptedPrivateKeyInfoOwned::from_der(&der).unwrap();
    let short = info.encrypted_data.as_bytes()[..40].to_vec();
    info.encrypted_data = OctetString::new(short).unwrap();
    let cut = der::EncodePem::to_pem(&info, der::pem::LineEnding::LF).unwrap();
    assert_eq!(
        read_key_file(&cut, "right").unwrap_err(),
        PkiError::KeyFileDamaged
    );
}

#[test]
fn key_file_with_a_foreign_key_type_is_unsupported() {
    // An Ed25519 PKCS#8 key (RFC 8410), sealed like ours.
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend([7u8; 32]);
    let seal = KeyFileSeal::new(&mut rng(), FAST);
    let pem = seal
        .seal_der(&der, &seal.pbkdf2_request().derive("pw"))
        .unwrap();
    assert_eq!(
        read_key_file(&pem, "pw").unwrap_err(),
        PkiError::UnsupportedKeyType
    );
    // A 1024-bit RSA key is a type we do not support either.
    let small = rsa::RsaPrivateKey::new(&mut rng(), 1024).unwrap();
    let der = pkcs8::EncodePrivateKey::to_pkcs8_der(&small).unwrap();
    assert_eq!(
        PrivateKey::from_pkcs8_der(der.as_bytes()).unwrap_err(),
        PkiError::UnsupportedKeyType
    );
}

/// Test-only reader: checks the MAC, decrypts both parts, returns key and certificates with
/// the friendly names found on them.
struct Opened {
    key: PrivateKey,
    certs: Vec<Vec<u8>>,
    names: Vec<String>,
    key_ids: Vec<Vec<u8>>,
    mac_oid: String,
}

fn attrs(bag: &::pkcs12::SafeBag) -> (Vec<String>, Vec<Vec<u8>>) {
    let mut names = Vec::new();
    let mut ids = Vec::new();
    for a in bag.bag_attributes.iter().flat_map(|s| s.iter()) {
        for v in a.values.iter() {
            match a.oid.to_string().as_str() {
                "1.2.840.113549.1.9.20" => {
                    names.push(v.decode_as::<BmpString>().unwrap().to_string())
                }
                "1.2.840.113549.1.9.21" => ids.push(
                    v.decode_as::<OctetString>()
                        .unwrap()
                        .into_bytes()
                        .into_vec(),
                ),
                _ => {}
            }
        }
    }
    (names, ids)
}

/// Strips the `[0]` wrapper that `SafeBag` keeps on decode.
fn bag_value(bag: &::pkcs12::SafeBag) -> Vec<u8> {
    der::Any::from_der(&bag.bag_value).unwrap().value().to_vec()
}

fn decrypt(alg: &spki::AlgorithmIdentifierOwned, password: &str, data: &[u8]) -> Vec<u8> {
    if alg.oid == ::pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
        let p: ::pkcs12::pbe_params::Pkcs12PbeParams =
            alg.parameters.as_ref().unwrap().decode_as().unwrap();
        super::pkcs12::tdes_decrypt(
            &pkcs12_password_bytes(password),
            p.salt.as_bytes(),
            p.iterations,
            data,
        )
        .unwrap()
    } else {
        let scheme = pkcs5::EncryptionScheme::from_der(&alg.to_der().unwrap()).unwrap();
        scheme.decrypt(password, data).unwrap()
    }
}

fn open_p12(der: &[u8], password: &str) -> Opened {
    let pfx = ::pkcs12::Pfx::from_der(der).unwrap();
    let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>().unwrap();
    let mac = pfx.mac_data.unwrap();
    let pw = pkcs12_password_bytes(password);
    let iters = mac.iterations;
    let mac_oid = mac.mac.algorithm.oid.to_string();
    let ok = if mac_oid == "2.16.840.1.101.3.4.2.1" {
        let k = ::pkcs12::kdf::derive_key::<sha2::Sha256>(
            &pw,
            mac.mac_salt.as_bytes(),
            ::pkcs12::kdf::Pkcs12KeyType::Mac,
            iters,
            32,
        );
        let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&k).unwrap();
        m.update(auth_safe.as_bytes());
        m.verify_slice(mac.mac.digest.as_bytes()).is_ok()
    } else {
        let k = ::pkcs12::kdf::derive_key::<sha1::Sha1>(
            &pw,
            mac.mac_salt.as_bytes(),
            ::pkcs12::kdf::Pkcs12KeyType::Mac,
            iters,
            20,
        );
        let mut m = hmac::Hmac::<sha1::Sha1>::new_from_slice(&k).unwrap();
        m.update(auth_safe.as_bytes());
        m.verify_slice(mac.mac.digest.as_bytes()).is_ok()
    };
    assert!(ok, "MAC does not verify");
    let parts = Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).unwrap();
    assert_eq!(parts.len(), 2);
    let enc: EncryptedData = parts[0].content.decode_as().unwrap();
    let eci = enc.enc_content_info;
    let cert_contents = decrypt(
        &eci.content_enc_alg,
        password,
        eci.encrypted_content.unwrap().as_bytes(),
    );
    let mut certs = Vec::new();
    let mut names = Vec::new();
    let mut key_ids = Vec::new();
    for bag in Vec::<::pkcs12::SafeBag>::from_der(&cert_contents).unwrap() {
        assert_eq!(bag.bag_id, ::pkcs12::PKCS_12_CERT_BAG_OID);
        let cb = ::pkcs12::CertBag::from_der(&bag_value(&bag)).unwrap();
        certs.push(cb.cert_value.into_bytes().into_vec());
        let (n, i) = attrs(&bag);
        names.extend(n);
        key_ids.extend(i);
    }
    let key_contents = parts[1].content.decode_as::<OctetString>().unwrap();
    let bags = Vec::<::pkcs12::SafeBag>::from_der(key_contents.as_bytes()).unwrap();
    assert_eq!(bags.len(), 1, "exactly one key");
    let shrouded =
        ::pkcs12::pbe_params::EncryptedPrivateKeyInfo::from_der(&bag_value(&bags[0])).unwrap();
    let key_der = decrypt(
        &shrouded.encryption_algorithm,
        password,
        shrouded.encrypted_data.as_bytes(),
    );
    let (n, i) = attrs(&bags[0]);
    names.extend(n);
    key_ids.extend(i);
    Opened {
        key: PrivateKey::from_pkcs8_der(&key_der).unwrap(),
        certs,
        names,
        key_ids,
        mac_oid,
    }
}

#[test]
fn pkcs12_round_trips_for_every_type_and_format() {
    let chain = vec![issue(key(KeyType::EcdsaP384))];
    for t in KeyType::ALL {
        let k = key(t);
        let leaf = issue(k);
        for format in [P12Format::Modern, P12Format::Compatible] {
            let password = "Grüße 中文 😀";
            let options = Pkcs12Options::new(format).with_iterations(50);
            let der = build_pkcs12(
                k,
                &leaf,
                &chain,
                "alice@example.org",
                password,
                options,
                &mut rng(),
            )
            .unwrap();
            let opened = open_p12(&der, password);
            assert_eq!(
                opened.key.public_key_der().unwrap(),
                k.public_key_der().unwrap(),
                "{t} {format}"
            );
            assert_eq!(
                opened.certs,
                vec![leaf.to_der().unwrap(), chain[0].to_der().unwrap()]
            );
            assert_eq!(opened.names, ["alice@example.org", "alice@example.org"]);
            assert_eq!(opened.key_ids.len(), 2);
            assert_eq!(opened.key_ids[0], opened.key_ids[1]);
            let mac = if format == P12Format::Modern {
                "2.16.840.1.101.3.4.2.1"
            } else {
                "1.3.14.3.2.26"
            };
            assert_eq!(opened.mac_oid, mac);
        }
    }
}

#[test]
fn pkcs12_split_path_matches_options() {
    let k = key(KeyType::EcdsaP256);
    let leaf = issue(k);
    let job = prepare_pkcs12(
        k,
        &leaf,
        &[],
        "a",
        "pw",
        Pkcs12Options::new(P12Format::Modern),
        &mut rng(),
    )
    .unwrap();
    let requests = job.pbkdf2_requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.iterations == 600_000 && r.salt.len() == 16)
    );
    assert_ne!(requests[0].salt, requests[1].salt);
    let job = prepare_pkcs12(
        k,
        &leaf,
        &[],
        "a",
        "pw",
        Pkcs12Options::new(P12Format::Compatible),
        &mut rng(),
    )
    .unwrap();
    assert!(job.pbkdf2_requests().is_empty());
    assert_eq!(P12Format::Compatible.default_iterations(), 2_048);
    // A fast derivation handed in is used as given.
    let job = prepare_pkcs12(
        k,
        &leaf,
        &[],
        "a",
        "pw",
        Pkcs12Options::new(P12Format::Modern).with_iterations(10),
        &mut rng(),
    )
    .unwrap();
    let derived: Vec<DerivedKey> = job
        .pbkdf2_requests()
        .iter()
        .map(|r| r.derive("pw"))
        .collect();
    let der = job.finish(&derived).unwrap();
    assert_eq!(open_p12(&der, "pw").key.key_type(), KeyType::EcdsaP256);
}

#[test]
fn pkcs12_errors() {
    let k = key(KeyType::EcdsaP256);
    let other = issue(key(KeyType::EcdsaP384));
    let options = Pkcs12Options::new(P12Format::Modern).with_iterations(10);
    assert_eq!(
        build_pkcs12(k, &other, &[], "a", "pw", options, &mut rng()).unwrap_err(),
        PkiError::KeyMismatch
    );
    let leaf = issue(k);
    assert_eq!(
        build_pkcs12(k, &leaf, &[], "a", "", options, &mut rng()).unwrap_err(),
        PkiError::EmptyPassword
    );
    assert_eq!(
        build_pkcs12(k, &leaf, &[], "team 😀", "pw", options, &mut rng()).unwrap_err(),
        PkiError::FriendlyNameInvalid
    );
    assert_eq!(
        "legacy".parse::<P12Format>(),
        Err(PkiError::UnknownP12Format)
    );
    assert_eq!(
        parse_certificates(b"nonsense"),
        Err(PkiError::CertificateInvalid)
    );
    let pem = der::EncodePem::to_pem(&leaf, der::pem::LineEnding::LF).unwrap();
    assert_eq!(
        parse_certificates(pem.as_bytes()).unwrap(),
        vec![leaf.clone()]
    );
    assert_eq!(
        parse_certificates(&leaf.to_der().unwrap()).unwrap(),
        vec![leaf]
    );
}

#[test]
fn pkcs12_password_encoding_vectors() {
    // BMP characters: one big-endian unit each, then the terminating zero.
    assert_eq!(*pkcs12_password_bytes("a"), [0x00, 0x61, 0x00, 0x00]);
    assert_eq!(*pkcs12_password_bytes("ä"), [0x00, 0xe4, 0x00, 0x00]);
    assert_eq!(*pkcs12_password_bytes("中"), [0x4e, 0x2d, 0x00, 0x00]);
    // Outside the BMP: U+1F600 as the surrogate pair D83D DE00.
    assert_eq!(
        *pkcs12_password_bytes("😀"),
        [0xd8, 0x3d, 0xde, 0x00, 0x00, 0x00]
    );
    assert_eq!(*pkcs12_password_bytes(""), [0x00, 0x00]);
}

/// A SubjectPublicKeyInfo built by hand: the `rsa` crate refuses to hold most weak keys.
fn rsa_spki(n: &crypto_bigint::BoxedUint, e: u32) -> Vec<u8> {
    let n = n.to_be_bytes();
    let e = e.to_be_bytes();
    let pkcs1 = rsa::pkcs1::RsaPublicKey {
        modulus: der::asn1::UintRef::new(super::key::trim_be(&n)).unwrap(),
        public_exponent: der::asn1::UintRef::new(super::key::trim_be(&e)).unwrap(),
    };
    let spki = spki::SubjectPublicKeyInfoOwned {
        algorithm: spki::AlgorithmIdentifierOwned {
            oid: super::key::RSA_ENCRYPTION,
            parameters: Some(der::Any::null()),
        },
        subject_public_key: der::asn1::BitString::from_bytes(&pkcs1.to_der().unwrap()).unwrap(),
    };
    spki.to_der().unwrap()
}

fn random_prime(bits: u32) -> crypto_bigint::BoxedUint {
    crypto_primes::random_prime(&mut rng(), crypto_primes::Flavor::Any, bits)
}

fn bits(n: &crypto_bigint::BoxedUint) -> u32 {
    n.bits()
}

#[test]
fn key_checks_accept_good_keys_and_name_each_weakness() {
    use crypto_bigint::BoxedUint;
    for t in KeyType::ALL {
        assert_eq!(
            check_public_key_der(&key(t).public_key_der().unwrap()),
            Ok(t)
        );
    }
    let PrivateKey::Rsa(good) = key(KeyType::Rsa2048) else {
        unreachable!()
    };
    let n = rsa::traits::PublicKeyParts::n(good.as_ref())
        .as_ref()
        .clone();
    assert_eq!(
        check_public_key_der(&rsa_spki(&n, 3)),
        Err(PkiError::RsaBadExponent)
    );

    let small = rsa::RsaPrivateKey::new(&mut rng(), 1024).unwrap();
    let der = small.to_public_key().to_public_key_der().unwrap();
    assert_eq!(
        check_public_key_der(der.as_bytes()),
        Err(PkiError::RsaTooSmall)
    );

    let PrivateKey::Rsa(big) = key(KeyType::Rsa3072) else {
        unreachable!()
    };
    let big = rsa::traits::PublicKeyParts::n(big.as_ref())
        .as_ref()
        .clone();
    let shifted = big.shr_vartime(4).unwrap();
    assert_eq!(
        check_public_key_der(&rsa_spki(&shifted, 65_537)),
        Err(PkiError::RsaModulusNotMultipleOf8)
    );

    // A modulus with a small prime factor: 65521 times a large prime.
    let n = loop {
        let n = random_prime(2032).concatenating_mul(BoxedUint::from(65_521u32));
        if bits(&n) == 2048 {
            break n;
        }
    };
    assert_eq!(
        check_public_key_der(&rsa_spki(&n, 65_537)),
        Err(PkiError::RsaSmallFactor)
    );

    // Fermat: q is the next prime after p.
    let n = loop {
        let p = random_prime(1024);
        let two = BoxedUint::from(2u32).resize_unchecked(p.bits_precision());
        let mut q = p.wrapping_add(&two);
        while !crypto_primes::is_prime(crypto_primes::Flavor::Any, &q) {
            q = q.wrapping_add(&two);
        }
        let n = p.concatenating_mul(&q);
        if bits(&n) == 2048 {
            break n;
        }
    };
    assert_eq!(
        check_public_key_der(&rsa_spki(&n, 65_537)),
        Err(PkiError::RsaFermatFactorable)
    );

    // ROCA: primes of the shape k·M + (65537^a mod M), M the product of the primes up to 167.
    let n = roca_shaped_modulus();
    assert_eq!(
        check_public_key_der(&rsa_spki(&n, 65_537)),
        Err(PkiError::RsaRoca)
    );

    // EC: a point moved off the curve.
    let mut der = key(KeyType::EcdsaP256).public_key_der().unwrap();
    *der.last_mut().unwrap() ^= 1;
    assert_eq!(check_public_key_der(&der), Err(PkiError::EcPointInvalid));
    let mut der = key(KeyType::EcdsaP384).public_key_der().unwrap();
    *der.last_mut().unwrap() ^= 1;
    assert_eq!(check_public_key_der(&der), Err(PkiError::EcPointInvalid));

    assert_eq!(
        check_public_key_der(b"\x30\x00"),
        Err(PkiError::PublicKeyInvalid)
    );
}

fn roca_shaped_modulus() -> crypto_bigint::BoxedUint {
    use crypto_bigint::{BoxedUint, NonZero, RandomBits};
    const PRECISION: u32 = 2048 + 64;
    let small_primes: Vec<u32> = (2..=167u32)
        .filter(|p| (2..*p).all(|d| p % d != 0))
        .collect();
    let m = small_primes
        .iter()
        .fold(BoxedUint::one().resize_unchecked(PRECISION), |acc, p| {
            acc.wrapping_mul(BoxedUint::from(*p).resize_unchecked(PRECISION))
        });
    let m_nz = NonZero::new(m.clone()).unwrap();
    let pow = |a: u32| {
        let mut x = BoxedUint::one().resize_unchecked(PRECISION);
        for _ in 0..a {
            x = x
                .wrapping_mul(BoxedUint::from(65_537u32).resize_unchecked(PRECISION))
                .rem_vartime(&m_nz);
        }
        x
    };
    // k has one bit more than 1024 − bits(M), so that a good share of k·M + c has exactly 1024 bits.
    let prime = |a: u32| {
        let c = pow(a);
        loop {
            let k = BoxedUint::random_bits_with_precision(&mut rng(), 1025 - m.bits(), PRECISION);
            let p = k.wrapping_mul(&m).wrapping_add(&c);
            // Cheap trial division first; Miller-Rabin only on survivors, at 1024-bit width.
            let bytes = p.to_be_bytes();
            if p.bits() == 1024
                && (170..3000u32).all(|d| super::checks::rem_small(&bytes, d) != 0)
                && crypto_primes::is_prime(
                    crypto_primes::Flavor::Any,
                    &p.clone().resize_unchecked(1024),
                )
            {
                return p;
            }
        }
    };
    loop {
        let n = prime(37).wrapping_mul(prime(1_234));
        if n.bits() == 2048 {
            return n;
        }
    }
}

#[test]
fn requests_verify_for_every_type_and_name_their_addresses() {
    for t in KeyType::ALL {
        let k = key(t);
        let der = build_csr_der(k, &["alice@example.org", "dpo@example.org"]).unwrap();
        let verified = verify_csr(&parse_csr_der(&der).unwrap()).unwrap();
        assert_eq!(verified.key_type, t);
        assert_eq!(verified.public_key_der, k.public_key_der().unwrap());
        assert_eq!(verified.emails, ["alice@example.org", "dpo@example.org"]);
        assert!(!verified.other_names);
        let pem = build_csr_pem(k, &["alice@example.org"]).unwrap();
        assert_eq!(
            verify_csr(&parse_csr_pem(&pem).unwrap()).unwrap().key_type,
            t
        );
    }
}

/// What WebCrypto returns for the bytes to sign: PKCS#1 v1.5, or ECDSA as fixed-width r‖s.
fn sign_as_webcrypto(key: &PrivateKey, data: &[u8]) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer};
    match key {
        PrivateKey::Rsa(k) => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(k.as_ref().clone())
            .sign(data)
            .to_vec(),
        PrivateKey::P256(k) => Signer::<p256::ecdsa::Signature>::sign(k, data).to_vec(),
        PrivateKey::P384(k) => Signer::<p384::ecdsa::Signature>::sign(k, data).to_vec(),
    }
}

#[test]
fn requests_signed_outside_verify_for_every_type() {
    for t in KeyType::ALL {
        let k = key(t);
        let (unsigned, to_sign) = prepare_csr(k, &["alice@example.org"]).unwrap();
        let pem = unsigned
            .finish_pem(&sign_as_webcrypto(k, &to_sign))
            .unwrap();
        let verified = verify_csr(&parse_csr_pem(&pem).unwrap()).unwrap();
        assert_eq!(verified.key_type, t);
        assert_eq!(verified.emails, ["alice@example.org"]);
        // The same request as when signed here, but for ECDSA's random signature.
        let here = parse_csr_pem(&build_csr_pem(k, &["alice@example.org"]).unwrap()).unwrap();
        assert_eq!(parse_csr_pem(&pem).unwrap().info, here.info);

        let (unsigned, to_sign) = prepare_csr(k, &["alice@example.org"]).unwrap();
        let mut wrong = sign_as_webcrypto(k, &to_sign);
        wrong[7] ^= 1;
        let outcome = unsigned
            .finish_pem(&wrong)
            .and_then(|pem| verify_csr(&parse_csr_pem(&pem)?));
        assert_eq!(outcome.unwrap_err(), PkiError::CsrSignatureInvalid, "{t}");
    }
}

#[test]
fn broken_requests_are_named() {
    let k = key(KeyType::EcdsaP256);
    let der = build_csr_der(k, &["alice@example.org"]).unwrap();
    // One bit of the signed part changed: the signature no longer fits.
    let mut req = parse_csr_der(&der).unwrap();
    req.info.subject = "CN=mallory@example.org".parse().unwrap();
    assert_eq!(verify_csr(&req), Err(PkiError::CsrSignatureInvalid));
    // Signed by another key of the same type.
    let mut req = parse_csr_der(&der).unwrap();
    let other = PrivateKey::generate(KeyType::EcdsaP256, &mut rng()).unwrap();
    req.info.public_key = other.public_key_info().unwrap();
    assert_eq!(verify_csr(&req), Err(PkiError::CsrSignatureInvalid));
    // An RSA request whose signature bytes were altered.
    let rsa = build_csr_der(key(KeyType::Rsa2048), &["alice@example.org"]).unwrap();
    let mut req = parse_csr_der(&rsa).unwrap();
    let mut sig = req.signature.raw_bytes().to_vec();
    sig[10] ^= 1;
    req.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    assert_eq!(verify_csr(&req), Err(PkiError::CsrSignatureInvalid));
    // The right key, but an algorithm the key type is not used with here.
    let mut req = parse_csr_der(&der).unwrap();
    req.algorithm.oid = "1.2.840.10045.4.3.3".parse().unwrap();
    assert_eq!(verify_csr(&req), Err(PkiError::CsrAlgorithmUnsupported));
    // Not a request at all.
    assert_eq!(
        parse_csr_der(&der[..der.len() - 3]).unwrap_err(),
        PkiError::CsrMalformed
    );
    assert_eq!(
        parse_csr_pem(
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
        )
        .unwrap_err(),
        PkiError::CsrMalformed
    );
    assert_eq!(parse_csr_pem("hello").unwrap_err(), PkiError::CsrMalformed);
    // A weak key is refused for its weakness, whatever its signature.
    let small = PrivateKey::Rsa(Box::new(rsa::RsaPrivateKey::new(&mut rng(), 1024).unwrap()));
    let der = build_csr_der(&small, &["alice@example.org"]).unwrap();
    assert_eq!(
        verify_csr(&parse_csr_der(&der).unwrap()),
        Err(PkiError::RsaTooSmall)
    );
}
