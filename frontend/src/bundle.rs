//! Where the app's other bundles are: the crypto core, the pure-Rust key generator and the
//! strength meter each have a glue file of their own next to the app's, loaded only when a
//! step needs them. Tests hand in their own module in place of a bundle.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

/// The crypto core's glue (`src/bin/crypto.rs`): the request and collect pages' crypto.
pub const CRYPTO: &str = "certdesk-crypto.js";
/// The pure-Rust key generator's glue (`src/bin/keygen.rs`), for the keygen worker.
pub const KEYGEN: &str = "certdesk-keygen.js";
/// The strength meter's glue (`src/bin/strength.rs`), for the strength worker.
pub const STRENGTH: &str = "certdesk-strength.js";

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
    static REPLACED: RefCell<Vec<(&'static str, String)>> = const { RefCell::new(Vec::new()) };
}

/// The URL of the glue that loaded this WebAssembly module.
pub fn own_glue_url() -> String {
    IMPORT_META.with(ImportMeta::url)
}

/// Loads `glue_url` (absolute, or relative to this module's glue) wherever `bundle` is asked
/// for. Any module with the same exports serves; tests hand in their own.
pub fn replace(bundle: &'static str, glue_url: &str) {
    REPLACED.with(|r| {
        let mut r = r.borrow_mut();
        r.retain(|(b, _)| *b != bundle);
        r.push((bundle, glue_url.to_owned()));
    });
}

/// The absolute URL of `bundle`'s glue.
pub fn glue_url(bundle: &'static str) -> Result<String, JsValue> {
    let replaced = REPLACED.with(|r| {
        r.borrow()
            .iter()
            .find(|(b, _)| *b == bundle)
            .map(|(_, url)| url.clone())
    });
    let relative = replaced.as_deref().unwrap_or(bundle);
    Ok(web_sys::Url::new_with_base(relative, &own_glue_url())?.href())
}
