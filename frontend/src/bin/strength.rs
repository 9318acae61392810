//! The password strength worker's bundle: zxcvbn with its dictionaries (several hundred KB),
//! loaded by `strength-worker.js` when the request wizard's password step opens, so the
//! app's first load does not carry it.

use wasm_bindgen::prelude::*;

/// The strength of `password`, given words the person's own data makes easy to guess.
#[wasm_bindgen(js_name = certdeskStrength)]
pub fn strength(password: &str, inputs: js_sys::Array) -> JsValue {
    certdesk_frontend::components::strength::evaluate(password, &inputs)
}

fn main() {}
