//! The pages' way to the crypto bundle, in headless Chromium: this test's own module stands
//! in for the bundle (it declares the same exports), and everything crosses the same border
//! of JavaScript values as in the app: the key-file key's handle, the request, the issuer's
//! name, the .p12 files with their stages, and each error as itself.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use certdesk_frontend::bundle;
use certdesk_frontend::crypto::{self, Engine};
use certdesk_frontend::crypto_bundle::{self, CollectInput, CollectStage, KeyFileKey, P12Files};
use der::EncodePem;
use shared::pki::{self, Iterations, KeyType, PkiError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

certdesk_frontend::crypto_bundle_exports!();

const PASSWORD: &str = "Grüße-Kölner-Dom 😀";

fn use_this_module_as_the_bundle() {
    bundle::replace(bundle::CRYPTO, &bundle::own_glue_url());
}

#[wasm_bindgen_test]
async fn a_request_made_through_the_bundle_opens_with_its_password() {
    use_this_module_as_the_bundle();
    let emails = vec!["alice@example.org".to_owned()];
    let key = KeyFileKey::derive(PASSWORD).await.unwrap();
    let made = key.new_request(KeyType::EcdsaP256, &emails).await.unwrap();
    let csr = pki::verify_csr(&pki::parse_csr_pem(&made.csr_pem).unwrap()).unwrap();
    assert_eq!(csr.key_type, KeyType::EcdsaP256);
    assert_eq!(csr.emails, emails);
    let opened = crypto::read_key_file(&made.key_file_pem, PASSWORD, Engine::Auto)
        .await
        .unwrap();
    assert_eq!(opened.public_key_der().unwrap(), csr.public_key_der);
    // The key file's key is at full strength, not a test's weak count.
    let file = pki::EncryptedKeyFile::parse(&made.key_file_pem).unwrap();
    assert_eq!(
        file.pbkdf2_request().unwrap().iterations,
        Iterations::default().get()
    );
    // A retry with the same key-file key: a new key, and the key file still opens.
    let again = key.new_request(KeyType::EcdsaP256, &emails).await.unwrap();
    assert_ne!(again.key_file_pem, made.key_file_pem);
    crypto::read_key_file(&again.key_file_pem, PASSWORD, Engine::Auto)
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_bundles_refusals_arrive_as_themselves() {
    use_this_module_as_the_bundle();
    assert!(matches!(
        KeyFileKey::derive("").await,
        Err(PkiError::EmptyPassword)
    ));
    let key = KeyFileKey::derive(PASSWORD).await.unwrap();
    assert_eq!(
        key.new_request(KeyType::EcdsaP256, &["not an address".to_owned()])
            .await
            .unwrap_err(),
        PkiError::EmailInvalid
    );
    assert_eq!(
        crypto_bundle::issuer_name("no certificate")
            .await
            .unwrap_err(),
        PkiError::CertificateInvalid
    );
}

#[wasm_bindgen_test]
async fn a_bundle_that_does_not_load_is_told_as_such() {
    bundle::replace(bundle::CRYPTO, "certdesk-no-such-bundle.js");
    let failed = KeyFileKey::derive(PASSWORD).await;
    use_this_module_as_the_bundle();
    assert!(matches!(failed, Err(PkiError::CryptoUnavailable)));
    // The next step loads the bundle in its place.
    KeyFileKey::derive(PASSWORD).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_collect_page_gets_both_files_and_each_failure_as_itself() {
    use_this_module_as_the_bundle();
    let (key, key_file) = common::p256_with_key_file(PASSWORD).await;
    let (_, other_file) = common::p256_with_key_file(PASSWORD).await;
    let certificate_pem = common::self_signed(&key)
        .to_pem(der::pem::LineEnding::LF)
        .unwrap();
    assert_eq!(
        crypto_bundle::issuer_name(&certificate_pem).await.unwrap(),
        "CN=alice@example.org"
    );
    let (files, stages) = collect(&certificate_pem, &key_file, PASSWORD).await;
    let files = files.unwrap();
    assert_eq!(
        stages,
        [
            CollectStage::Opening,
            CollectStage::Modern,
            CollectStage::Compatible
        ]
    );
    assert_eq!(files.modern[0], 0x30);
    assert_eq!(files.compatible[0], 0x30);
    assert_ne!(files.modern, files.compatible);

    for (file, password, error) in [
        (key_file.as_str(), "wrong", PkiError::WrongPassword),
        (other_file.as_str(), PASSWORD, PkiError::KeyMismatch),
        ("a shopping list", PASSWORD, PkiError::NotAKeyFile),
    ] {
        let (files, _) = collect(&certificate_pem, file, password).await;
        assert_eq!(files.unwrap_err(), error);
    }
}

/// The files for `key_file`, and the stages the bundle reported on the way.
async fn collect(
    certificate_pem: &str,
    key_file: &str,
    password: &str,
) -> (Result<P12Files, PkiError>, Vec<CollectStage>) {
    let stages = Rc::new(RefCell::new(Vec::new()));
    let seen = stages.clone();
    let c = CollectInput {
        certificate_pem,
        chain_pem: "",
        key_file,
        password,
        friendly_name: "Alice Example",
    };
    let files = crypto_bundle::p12_files(c, move |s| seen.borrow_mut().push(s)).await;
    (files, stages.take())
}
