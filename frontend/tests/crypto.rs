//! The crypto core in headless Chromium: the WebCrypto path and the pure-Rust path.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use certdesk_frontend::crypto::{self, Engine};
use shared::pki::{self, Iterations, KeyType, Pbkdf2Request, PkiError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const FAST: Iterations = Iterations::weak_for_tests(1_000);
const PASSWORD: &str = "Grüße 中文 😀";

#[wasm_bindgen_test]
fn webcrypto_is_there() {
    // Tests below would silently exercise the fallback otherwise.
    assert!(crypto::subtle_available());
}

#[wasm_bindgen_test]
async fn pure_rust_generates_keys_in_the_browser() {
    for t in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Rsa2048] {
        let key = crypto::generate_key(t, Engine::PureRust).await.unwrap();
        common::assert_valid_key(&key, t);
    }
}

#[wasm_bindgen_test]
async fn webcrypto_makes_every_key_type_and_signs_its_request() {
    let emails = vec!["alice@example.org".to_owned()];
    for t in KeyType::ALL {
        let key = crypto::new_key(t, Engine::Auto).await.unwrap();
        common::assert_valid_key(&key.key, t);
        // Not the fallback: that would hide a broken WebCrypto path.
        let web = key.webcrypto_key().expect("WebCrypto made the key");
        let (unsigned, to_sign) = pki::prepare_csr(&key.key, &emails).unwrap();
        let signature = crypto::webcrypto_sign(web, t, &to_sign).await.unwrap();
        let by_webcrypto = unsigned.finish_pem(&signature).unwrap();
        for pem in [by_webcrypto, crypto::csr_pem(&key, &emails).await.unwrap()] {
            let verified = pki::verify_csr(&pki::parse_csr_pem(&pem).unwrap()).unwrap();
            assert_eq!(verified.key_type, t);
            assert_eq!(verified.public_key_der, key.key.public_key_der().unwrap());
            assert_eq!(verified.emails, emails);
        }
    }
}

#[wasm_bindgen_test]
async fn webcrypto_pbkdf2_matches_rust() {
    let request = Pbkdf2Request {
        salt: vec![7; 16],
        iterations: 2_000,
    };
    let web = crypto::webcrypto_pbkdf2_sha256(PASSWORD, &request.salt, request.iterations)
        .await
        .unwrap();
    assert_eq!(*web, *request.derive(PASSWORD));
}

#[wasm_bindgen_test]
async fn key_file_written_by_one_engine_is_read_by_the_other() {
    let key = crypto::generate_key(KeyType::EcdsaP256, Engine::Auto)
        .await
        .unwrap();
    let by_web = crypto::write_key_file(&key, PASSWORD, FAST, Engine::Auto)
        .await
        .unwrap();
    let by_rust = crypto::write_key_file(&key, PASSWORD, FAST, Engine::PureRust)
        .await
        .unwrap();
    for (file, engine) in [(&by_web, Engine::PureRust), (&by_rust, Engine::Auto)] {
        let back = crypto::read_key_file(file, PASSWORD, engine).await.unwrap();
        assert_eq!(
            back.public_key_der().unwrap(),
            key.public_key_der().unwrap()
        );
        assert_eq!(
            crypto::read_key_file(file, "wrong", engine)
                .await
                .unwrap_err(),
            PkiError::WrongPassword
        );
    }
    assert_eq!(
        crypto::read_key_file("hello", PASSWORD, Engine::Auto)
            .await
            .unwrap_err(),
        PkiError::NotAKeyFile
    );
}

#[wasm_bindgen_test]
async fn new_request_makes_csr_and_key_file() {
    let emails = vec!["alice@example.org".to_owned()];
    for engine in [Engine::Auto, Engine::PureRust] {
        let made = crypto::new_request(KeyType::EcdsaP384, &emails, PASSWORD, FAST, engine)
            .await
            .unwrap();
        assert!(
            made.key_file_pem
                .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        );
        let key = crypto::read_key_file(&made.key_file_pem, PASSWORD, engine)
            .await
            .unwrap();
        assert_eq!(key.key_type(), KeyType::EcdsaP384);
    }
    assert_eq!(
        crypto::new_request(KeyType::EcdsaP256, &emails, "", FAST, Engine::Auto)
            .await
            .unwrap_err(),
        PkiError::EmptyPassword
    );
}

#[wasm_bindgen_test]
async fn a_key_file_key_derived_ahead_seals_each_request() {
    let emails = vec!["alice@example.org".to_owned()];
    let ahead = crypto::KeyFileKey::derive(PASSWORD, FAST, Engine::Auto)
        .await
        .unwrap();
    let first = crypto::new_request_sealed(KeyType::EcdsaP256, &emails, &ahead, Engine::Auto)
        .await
        .unwrap();
    // A retry after going back: a new key, sealed with the same derived key.
    let second = crypto::new_request_sealed(KeyType::EcdsaP256, &emails, &ahead, Engine::Auto)
        .await
        .unwrap();
    assert_ne!(first.csr_pem, second.csr_pem);
    for made in [&first, &second] {
        let key = crypto::read_key_file(&made.key_file_pem, PASSWORD, Engine::PureRust)
            .await
            .unwrap();
        assert_eq!(key.key_type(), KeyType::EcdsaP256);
        let wrong = crypto::read_key_file(&made.key_file_pem, "Grusse", Engine::PureRust).await;
        assert_eq!(wrong.unwrap_err(), PkiError::WrongPassword);
    }
    assert!(matches!(
        crypto::KeyFileKey::derive("", FAST, Engine::Auto).await,
        Err(PkiError::EmptyPassword)
    ));
}

#[wasm_bindgen_test]
async fn pkcs12_is_built_with_either_engine() {
    let key = crypto::generate_key(KeyType::EcdsaP256, Engine::Auto)
        .await
        .unwrap();
    let other = crypto::generate_key(KeyType::EcdsaP256, Engine::Auto)
        .await
        .unwrap();
    // A self-issued certificate is enough: the builder only pairs key and certificate.
    let leaf = common::self_signed(&key);
    for engine in [Engine::Auto, Engine::PureRust] {
        for format in [pki::P12Format::Modern, pki::P12Format::Compatible] {
            let options = pki::Pkcs12Options::new(format).with_iterations(1_000);
            let der = crypto::build_pkcs12(
                &key,
                &leaf,
                &[],
                "alice@example.org",
                PASSWORD,
                options,
                engine,
            )
            .await
            .unwrap();
            assert_eq!(der[0], 0x30);
        }
    }
    let options = pki::Pkcs12Options::new(pki::P12Format::Modern).with_iterations(1_000);
    assert_eq!(
        crypto::build_pkcs12(&other, &leaf, &[], "a", PASSWORD, options, Engine::Auto)
            .await
            .unwrap_err(),
        PkiError::KeyMismatch
    );
}

#[wasm_bindgen_test]
async fn a_modern_pkcs12_at_full_strength_leaves_the_page_responsive() {
    let key = crypto::generate_key(KeyType::EcdsaP256, Engine::Auto)
        .await
        .unwrap();
    let leaf = common::self_signed(&key);
    // 600,000 iterations for the bags in WebCrypto and for the MAC in WebAssembly.
    let options = pki::Pkcs12Options::new(pki::P12Format::Modern);
    let (der, page) = common::watch_page(crypto::build_pkcs12(
        &key,
        &leaf,
        &[],
        "alice@example.org",
        PASSWORD,
        options,
        Engine::Auto,
    ))
    .await;
    assert_eq!(der.unwrap()[0], 0x30);
    page.assert_responsive();
}
