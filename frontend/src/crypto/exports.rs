//! What the crypto bundle exports to the app (`crate::crypto_bundle` calls it): the request
//! and collect pages' crypto with plain JavaScript values at the border. Errors cross as the
//! [`PkiError`] code. [`crypto_bundle_exports!`](crate::crypto_bundle_exports) declares the
//! exports in the crate that builds the bundle, and in browser tests that stand in for it.

use std::rc::Rc;

use js_sys::{Array, Function, Promise, Uint8Array};
use shared::pki::{Iterations, KeyType, PkiError};
use wasm_bindgen::JsValue;

use super::collect::{self, CollectInput};
use super::{Engine, KeyFileKey};

fn code(e: PkiError) -> JsValue {
    JsValue::from_str(e.code())
}

fn strings(values: &Array) -> Vec<String> {
    values.iter().filter_map(|v| v.as_string()).collect()
}

/// The key-file key for `password`, at full strength.
pub async fn derive_key_file_key(password: &str) -> Result<Rc<KeyFileKey>, JsValue> {
    KeyFileKey::derive(password, Iterations::default(), Engine::Auto)
        .await
        .map(Rc::new)
        .map_err(code)
}

/// Resolves to `[csrPem, keyFilePem]` for a new key of `key_type` sealed with `key`.
pub fn new_request(key: Rc<KeyFileKey>, key_type: String, emails: Array) -> Promise {
    let emails = strings(&emails);
    wasm_bindgen_futures::future_to_promise(async move {
        let key_type: KeyType = key_type.parse().map_err(code)?;
        let made = super::new_request_sealed(key_type, &emails, &key, Engine::Auto)
            .await
            .map_err(code)?;
        Ok(Array::of2(&made.csr_pem.into(), &made.key_file_pem.into()).into())
    })
}

/// The issuer's distinguished name.
pub fn issuer_name(certificate_pem: &str) -> Result<String, JsValue> {
    collect::issuer_name(certificate_pem).map_err(code)
}

/// Resolves to `[modern, compatible]` (.p12 DER); calls `on_stage` with each stage's name.
pub async fn p12_files(
    certificate_pem: &str,
    chain_pem: &str,
    key_file: &str,
    password: &str,
    friendly_name: &str,
    on_stage: &Function,
) -> Result<Array, JsValue> {
    let c = CollectInput {
        certificate_pem,
        chain_pem,
        key_file,
        password,
        friendly_name,
    };
    let stage = |s: collect::CollectStage| {
        // The page only shows it: a failing callback must not stop the files.
        let _ = on_stage.call1(&JsValue::NULL, &JsValue::from_str(s.as_str()));
    };
    let files = collect::p12_files(c, Engine::Auto, stage)
        .await
        .map_err(code)?;
    let bytes = |b: &[u8]| JsValue::from(Uint8Array::from(b));
    Ok(Array::of2(&bytes(&files.modern), &bytes(&files.compatible)))
}

/// Declares the crypto bundle's exports, with the names `crypto_bundle` calls them by, in
/// the crate that invokes it.
#[macro_export]
macro_rules! crypto_bundle_exports {
    () => {
        /// A key-file key derived ahead. The app frees it when the wizard is done with it.
        #[::wasm_bindgen::prelude::wasm_bindgen(js_name = KeyFileKey)]
        pub struct CryptoBundleKeyFileKey(::std::rc::Rc<$crate::crypto::KeyFileKey>);

        #[::wasm_bindgen::prelude::wasm_bindgen(js_class = KeyFileKey)]
        impl CryptoBundleKeyFileKey {
            /// Resolves to `[csrPem, keyFilePem]`.
            #[wasm_bindgen(js_name = newRequest)]
            pub fn new_request(
                &self,
                key_type: String,
                emails: ::js_sys::Array,
            ) -> ::js_sys::Promise {
                $crate::crypto::exports::new_request(self.0.clone(), key_type, emails)
            }
        }

        #[::wasm_bindgen::prelude::wasm_bindgen(js_name = deriveKeyFileKey)]
        pub async fn crypto_bundle_derive_key_file_key(
            password: String,
        ) -> Result<CryptoBundleKeyFileKey, ::wasm_bindgen::JsValue> {
            $crate::crypto::exports::derive_key_file_key(&password)
                .await
                .map(CryptoBundleKeyFileKey)
        }

        #[::wasm_bindgen::prelude::wasm_bindgen(js_name = issuerName)]
        pub fn crypto_bundle_issuer_name(
            certificate_pem: &str,
        ) -> Result<String, ::wasm_bindgen::JsValue> {
            $crate::crypto::exports::issuer_name(certificate_pem)
        }

        /// Resolves to `[modern, compatible]`.
        #[::wasm_bindgen::prelude::wasm_bindgen(js_name = p12Files)]
        pub async fn crypto_bundle_p12_files(
            certificate_pem: String,
            chain_pem: String,
            key_file: String,
            password: String,
            friendly_name: String,
            on_stage: ::js_sys::Function,
        ) -> Result<::js_sys::Array, ::wasm_bindgen::JsValue> {
            $crate::crypto::exports::p12_files(
                &certificate_pem,
                &chain_pem,
                &key_file,
                &password,
                &friendly_name,
                &on_stage,
            )
            .await
        }
    };
}
