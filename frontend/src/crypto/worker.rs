//! The pure-Rust generator in a Web Worker (`static/keygen-worker.js`): an RSA prime search
//! takes seconds in WebAssembly, and on the page's thread it would freeze the page.
//!
//! The worker loads a bundle of its own, `certdesk-keygen` (`src/bin/keygen.rs`), built by
//! Trunk next to the app. Only browsers that need the fallback download it, and the app's
//! first load carries no prime search.

use std::cell::RefCell;

use js_sys::{Promise, Uint8Array};
use shared::pki::{KeyType, PrivateKey};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The keygen bundle's glue, relative to the glue of the module that runs this code.
pub const KEYGEN_BUNDLE: &str = "certdesk-keygen.js";

#[wasm_bindgen(module = "/static/keygen-worker.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = generateInWorker)]
    fn generate_in_worker(glue_url: &str, key_type: &str) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    type ImportMeta;

    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;

    /// `import.meta` of the glue that loaded this module.
    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
}

thread_local! {
    static BUNDLE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The URL of the glue that loaded this WebAssembly module.
pub fn own_glue_url() -> String {
    IMPORT_META.with(ImportMeta::url)
}

/// Makes the worker load another bundle (absolute URL, or relative to this module's glue).
/// Any bundle works that exports `certdeskGeneratePkcs8` as `src/bin/keygen.rs` does; tests
/// hand in their own module.
pub fn use_keygen_bundle(glue_url: &str) {
    BUNDLE.with(|b| *b.borrow_mut() = Some(glue_url.to_owned()));
}

fn keygen_glue_url() -> Result<String, JsValue> {
    let bundle = BUNDLE.with(|b| b.borrow().clone());
    let bundle = bundle.as_deref().unwrap_or(KEYGEN_BUNDLE);
    Ok(web_sys::Url::new_with_base(bundle, &own_glue_url())?.href())
}

/// Generates a key of `key_type` in a new worker, which ends when the key is back. Fails if
/// the browser cannot start a module worker or the bundle does not load.
pub async fn generate_key(key_type: KeyType) -> Result<PrivateKey, JsValue> {
    let promise = generate_in_worker(&keygen_glue_url()?, key_type.as_str())?;
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
