//! The browser benchmark's bundle (`cargo xtask bench`, page `frontend/bench/`): the request
//! and collect steps exported for the page's script, built with the app's release profile.
//! Only the benchmark builds it; the app never ships it.

use std::cell::RefCell;
use std::rc::Rc;

use certdesk_frontend::crypto::{self, Engine, KeyFileKey};
use shared::pki::{self, Iterations, KeyType, P12Format, Pkcs12Options, PkiError, PrivateKey};
use wasm_bindgen::prelude::*;

const EMAIL: &str = "bench@example.org";
const PASSWORD: &str = "Grüße aus Köln 😀";

fn code(e: PkiError) -> JsValue {
    JsValue::from_str(e.code())
}

fn key_type(name: &str) -> Result<KeyType, JsValue> {
    name.parse().map_err(code)
}

thread_local! {
    /// The key file's key, derived by [`derive_key_file_key`] as the request page does when
    /// the password has been entered twice.
    static KEY_FILE_KEY: RefCell<Option<Rc<KeyFileKey>>> = const { RefCell::new(None) };
}

/// What the request page does at the password step: the key file's PBKDF2 at the production
/// iteration count, kept for [`new_request`].
#[wasm_bindgen(js_name = deriveKeyFileKey)]
pub async fn derive_key_file_key() -> Result<(), JsValue> {
    let key = KeyFileKey::derive(PASSWORD, Iterations::PRODUCTION, Engine::Auto)
        .await
        .map_err(code)?;
    KEY_FILE_KEY.with(|k| *k.borrow_mut() = Some(Rc::new(key)));
    Ok(())
}

/// What the request page does on *Generate*: a key (WebCrypto where the browser makes it),
/// the CSR and the key file sealed with the key derived at the password step. Returns the
/// bytes made.
#[wasm_bindgen(js_name = newRequest)]
pub async fn new_request(key_type_name: String) -> Result<usize, JsValue> {
    let key_file_key = KEY_FILE_KEY
        .with(|k| k.borrow().clone())
        .ok_or_else(|| JsValue::from_str("deriveKeyFileKey first"))?;
    let made = crypto::new_request_sealed(
        key_type(&key_type_name)?,
        &[EMAIL.to_owned()],
        &key_file_key,
        Engine::Auto,
    )
    .await
    .map_err(code)?;
    Ok(made.csr_pem.len() + made.key_file_pem.len())
}

/// The pure-Rust fallback in its worker, which loads the app's keygen bundle next to this page.
#[wasm_bindgen(js_name = workerKeygen)]
pub async fn worker_keygen(key_type_name: String) -> Result<(), JsValue> {
    crypto::generate_key_in_worker(key_type(&key_type_name)?)
        .await
        .map(drop)
}

/// What the collect page does last: the .p12 from key and certificate, with the default
/// work factors of `format`. Returns its length.
#[wasm_bindgen(js_name = buildPkcs12)]
pub async fn build_pkcs12(
    key_pkcs8: Vec<u8>,
    cert_pem: String,
    format: String,
) -> Result<usize, JsValue> {
    let key = PrivateKey::from_pkcs8_der(&key_pkcs8).map_err(code)?;
    let certs = pki::parse_certificates(cert_pem.as_bytes()).map_err(code)?;
    let leaf = certs
        .first()
        .ok_or(PkiError::CertificateInvalid)
        .map_err(code)?;
    let format: P12Format = format.parse().map_err(code)?;
    let der = crypto::build_pkcs12(
        &key,
        leaf,
        &[],
        EMAIL,
        PASSWORD,
        Pkcs12Options::new(format),
        Engine::Auto,
    )
    .await
    .map_err(code)?;
    Ok(der.len())
}

fn main() {}
