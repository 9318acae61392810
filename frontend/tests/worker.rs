//! The pure-Rust generator in its Web Worker, in headless Chromium: valid keys of every type,
//! and a page that keeps running while RSA primes are searched.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use certdesk_frontend::{bundle, crypto};
use shared::pki::KeyType;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// What the keygen bundle exports: the worker loads this test's own module in its place.
#[wasm_bindgen(js_name = certdeskGeneratePkcs8)]
pub fn generate_pkcs8(key_type: &str) -> Result<Vec<u8>, JsValue> {
    crypto::generate_pkcs8(key_type)
}

fn use_this_module_in_the_worker() {
    bundle::replace(bundle::KEYGEN, &bundle::own_glue_url());
}

#[wasm_bindgen_test]
async fn the_worker_generates_a_valid_key_of_every_type() {
    use_this_module_in_the_worker();
    for t in KeyType::ALL {
        let t0 = js_sys::Date::now();
        let key = crypto::generate_key_in_worker(t).await.unwrap();
        wasm_bindgen_test::console_log!("{t}: {} ms", js_sys::Date::now() - t0);
        common::assert_valid_key(&key, t);
    }
}

#[wasm_bindgen_test]
async fn the_page_stays_responsive_while_the_worker_generates_rsa_3072() {
    use_this_module_in_the_worker();
    let (key, page) = common::watch_page(crypto::generate_key_in_worker(KeyType::Rsa3072)).await;
    common::assert_valid_key(&key.unwrap(), KeyType::Rsa3072);
    page.assert_responsive();
}
