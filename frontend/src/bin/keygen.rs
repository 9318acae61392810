//! The keygen worker's bundle: only the pure-Rust generator, loaded by `keygen-worker.js` in
//! browsers whose WebCrypto cannot make the key. Kept out of the app's bundle so that the
//! first load does not carry a prime search almost nobody needs.

use wasm_bindgen::prelude::*;

/// One new key of `key_type` (e.g. `rsa-3072`) as unencrypted PKCS#8 DER.
#[wasm_bindgen(js_name = certdeskGeneratePkcs8)]
pub fn generate_pkcs8(key_type: &str) -> Result<Vec<u8>, JsValue> {
    certdesk_frontend::crypto::generate_pkcs8(key_type)
}

fn main() {}
