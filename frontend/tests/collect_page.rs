//! The collect page's logic in the browser: each key-file failure gets its own text in both
//! languages, the .p12 files' names, and the issuer's name.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use certdesk_frontend::components::p12_files::{common_name, p12_file_name};
use certdesk_frontend::components::pki_messages::pki_error_text;
use certdesk_frontend::crypto::{self, Engine};
use certdesk_frontend::i18n::Lang;
use shared::api::Language;
use shared::pki::{P12Format, PkiError};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const EN: Lang = Lang(Language::En);
const DE: Lang = Lang(Language::De);

#[wasm_bindgen_test]
fn every_pki_error_has_its_own_text_in_both_languages() {
    for lang in [EN, DE] {
        let mut seen = HashSet::new();
        for e in PkiError::ALL {
            let text = pki_error_text(lang, e);
            assert!(!text.is_empty(), "{e:?}");
            assert!(seen.insert(text), "{e:?} shares its text in {lang:?}");
        }
    }
    for e in PkiError::ALL {
        assert_ne!(pki_error_text(EN, e), pki_error_text(DE, e), "{e:?}");
    }
    assert!(pki_error_text(EN, PkiError::KeyMismatch).contains("belongs to another request"));
    assert!(pki_error_text(DE, PkiError::KeyMismatch).contains("gehört zu einem anderen Antrag"));
}

/// The failures a person meets on the collect page come from the real crypto layer as the
/// error whose text tells them apart.
#[wasm_bindgen_test]
async fn key_file_failures_are_told_apart() {
    const PASSWORD: &str = "Schlüssel-Passwort ü";
    let (key, file) = common::p256_with_key_file(PASSWORD).await;
    let read = |text: String, password: &'static str| async move {
        crypto::read_key_file(&text, password, Engine::Auto).await
    };
    assert_eq!(
        read(file.clone(), "wrong").await.unwrap_err(),
        PkiError::WrongPassword
    );
    assert_eq!(
        read("a shopping list".into(), PASSWORD).await.unwrap_err(),
        PkiError::NotAKeyFile
    );
    // Cut in the middle of the base64 body, but with its armour intact.
    let lines: Vec<&str> = file.lines().collect();
    let truncated = format!(
        "{}\n{}\n{}\n",
        lines[0],
        lines[1..lines.len() / 2].join("\n"),
        lines[lines.len() - 1]
    );
    assert_eq!(
        read(truncated, PASSWORD).await.unwrap_err(),
        PkiError::KeyFileDamaged
    );
    assert_eq!(
        read(file.clone(), "").await.unwrap_err(),
        PkiError::EmptyPassword
    );
    let opened = read(file, PASSWORD).await.unwrap();
    assert_eq!(
        opened.public_key_der().unwrap(),
        key.public_key_der().unwrap()
    );
    let texts: HashSet<&str> = [
        PkiError::WrongPassword,
        PkiError::NotAKeyFile,
        PkiError::KeyFileDamaged,
        PkiError::KeyMismatch,
    ]
    .into_iter()
    .map(|e| pki_error_text(DE, e))
    .collect();
    assert_eq!(texts.len(), 4);
}

#[wasm_bindgen_test]
fn file_names_tell_the_two_files_apart() {
    let stem = "alice@example.org_20261121";
    assert_eq!(
        p12_file_name(stem, P12Format::Modern),
        "alice@example.org_20261121.p12"
    );
    assert_eq!(
        p12_file_name(stem, P12Format::Compatible),
        "alice@example.org_20261121_compatible.p12"
    );
    assert_eq!(
        p12_file_name("GRP_secretariat@example.org_20261121", P12Format::Modern),
        "GRP_secretariat@example.org_20261121.p12"
    );
    // Nothing the server sends can name a folder or hide the file.
    assert_eq!(p12_file_name("../x/y", P12Format::Modern), "_x_y.p12");
    assert_eq!(p12_file_name("a\\b:c\n", P12Format::Modern), "a_b_c.p12");
    assert_eq!(
        p12_file_name("  ", P12Format::Compatible),
        "certificate_compatible.p12"
    );
}

#[wasm_bindgen_test]
fn issuer_is_shown_by_its_common_name() {
    assert_eq!(
        common_name("CN=Example S/MIME Issuing CA,O=Example Organisation,C=DE"),
        "Example S/MIME Issuing CA"
    );
    assert_eq!(common_name("C=DE,O=Universität,CN=Foo\\, Inc"), "Foo, Inc");
    assert_eq!(
        common_name("O=No Common Name,C=DE"),
        "O=No Common Name,C=DE"
    );
}
