//! The pure-Rust generator in a Web Worker (`static/keygen-worker.js`): an RSA prime search
//! takes seconds in WebAssembly, and on the page's thread it would freeze the page.
//!
//! The worker loads a bundle of its own, `certdesk-keygen` (`src/bin/keygen.rs`), built by
//! Trunk next to the app. Only browsers that need the fallback download it, and the app's
//! first load carries no prime search.

use js_sys::{Promise, Uint8Array};
use shared::pki::{KeyType, PrivateKey};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bundle;

#[wasm_bindgen(module = "/static/keygen-worker.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = generateInWorker)]
    fn generate_in_worker(glue_url: &str, key_type: &str) -> Result<Promise, JsValue>;
}

/// Generates a key of `key_type` in a new worker, which ends when the key is back. Fails if
/// the browser cannot start a module worker or the bundle does not load.
pub async fn generate_key(key_type: KeyType) -> Result<PrivateKey, JsValue> {
    let promise = generate_in_worker(&bundle::glue_url(bundle::KEYGEN)?, key_type.as_str())?;
    let pkcs8: Uint8Array = JsFuture::from(promise).await?.dyn_into()?;
    super::key_from_pkcs8(pkcs8, key_type)
}

/// The worker's side: one new key as unencrypted PKCS#8 DER, which goes straight back to the
/// page. A bundle exports it as `certdeskGeneratePkcs8` for `keygen-worker.js`.
pub fn generate_pkcs8(key_type: &str) -> Result<Vec<u8>, JsValue> {
    let code = |e: shared::pki::PkiError| JsValue::from_str(e.code());
    let key_type: KeyType = key_type.parse().map_err(code)?;
    let key = super::generate_key_pure_rust(key_type).map_err(code)?;
    Ok(key.to_pkcs8_der().map_err(code)?.to_vec())
}
