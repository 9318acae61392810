//! The pages' way to the crypto: [`crate::crypto`] built as a bundle of its own
//! (`src/bin/crypto.rs`), which `static/crypto-bundle.js` loads when a step first needs it,
//! so the app's first load carries no crypto. Values cross as strings and bytes; errors as
//! their [`PkiError`] code, and a bundle that does not load as
//! [`PkiError::CryptoUnavailable`].

use js_sys::{Array, Function, Promise, Uint8Array};
use shared::pki::{KeyType, PkiError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bundle;
pub use crate::crypto::collect::{CollectInput, CollectStage, P12Files};

#[wasm_bindgen(module = "/static/crypto-bundle.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = cryptoBundle)]
    fn crypto_bundle(glue_url: &str) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The bundle's module: what `crypto_bundle_exports!` declares.
    type Exports;

    #[wasm_bindgen(method, catch, js_name = deriveKeyFileKey)]
    fn derive_key_file_key(this: &Exports, password: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = issuerName)]
    fn issuer_name(this: &Exports, certificate_pem: &str) -> Result<String, JsValue>;

    #[wasm_bindgen(method, catch, js_name = p12Files)]
    fn p12_files(
        this: &Exports,
        certificate_pem: &str,
        chain_pem: &str,
        key_file: &str,
        password: &str,
        friendly_name: &str,
        on_stage: &Function,
    ) -> Result<Promise, JsValue>;

    /// The bundle's `KeyFileKey`: the key lives in the bundle's memory, this is its handle.
    type KeyHandle;

    #[wasm_bindgen(method, catch, js_name = newRequest)]
    fn new_request(this: &KeyHandle, key_type: &str, emails: Array) -> Result<Promise, JsValue>;

    /// Lets the bundle drop the key now, which wipes it, rather than whenever the garbage
    /// collector runs.
    #[wasm_bindgen(method)]
    fn free(this: &KeyHandle);
}

/// The bundle's error as ours: a code it sends, or an exception of its glue.
fn error(e: JsValue) -> PkiError {
    e.as_string()
        .and_then(|code| PkiError::from_code(&code))
        .unwrap_or(PkiError::Internal)
}

/// The bundle, loaded on the first call; later calls get the same module at once.
async fn exports() -> Result<Exports, PkiError> {
    let unavailable = |_| PkiError::CryptoUnavailable;
    let glue_url = bundle::glue_url(bundle::CRYPTO).map_err(unavailable)?;
    let promise = crypto_bundle(&glue_url).map_err(unavailable)?;
    Ok(JsFuture::from(promise)
        .await
        .map_err(unavailable)?
        .unchecked_into())
}

async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, PkiError> {
    JsFuture::from(promise.map_err(error)?).await.map_err(error)
}

/// Starts loading the bundle, for a step that will need it soon.
pub fn preload() {
    wasm_bindgen_futures::spawn_local(async {
        // A failure shows when the step uses the bundle.
        let _ = exports().await;
    });
}

/// What the request page hands on: the CSR to submit and the key file the user must save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub csr_pem: String,
    pub key_file_pem: String,
}

/// The key file's encryption key, derived (PBKDF2, 600,000 iterations) from the password
/// before there is a key, so that *Generate* costs about the key generation alone.
pub struct KeyFileKey(KeyHandle);

impl KeyFileKey {
    pub async fn derive(password: &str) -> Result<Self, PkiError> {
        let bundle = exports().await?;
        let handle = settle(bundle.derive_key_file_key(password)).await?;
        Ok(Self(handle.unchecked_into()))
    }

    /// A new key of `key_type`, its CSR for `emails`, and the key file sealed with this key.
    /// May run again with the same key (a retry): each key file gets its own IV.
    pub async fn new_request(
        &self,
        key_type: KeyType,
        emails: &[String],
    ) -> Result<NewRequest, PkiError> {
        let emails: Array = emails.iter().map(|e| JsValue::from_str(e)).collect();
        let made = Array::from(&settle(self.0.new_request(key_type.as_str(), emails)).await?);
        match (made.get(0).as_string(), made.get(1).as_string()) {
            (Some(csr_pem), Some(key_file_pem)) => Ok(NewRequest {
                csr_pem,
                key_file_pem,
            }),
            _ => Err(PkiError::Internal),
        }
    }
}

impl Drop for KeyFileKey {
    fn drop(&mut self) {
        self.0.free();
    }
}

/// The issuer's distinguished name, as RFC 4514 writes it.
pub async fn issuer_name(certificate_pem: &str) -> Result<String, PkiError> {
    exports().await?.issuer_name(certificate_pem).map_err(error)
}

/// Opens the key file, checks it against the certificate and builds both .p12 files, telling
/// `stage` where it is.
pub async fn p12_files(
    c: CollectInput<'_>,
    stage: impl Fn(CollectStage) + 'static,
) -> Result<P12Files, PkiError> {
    let bundle = exports().await?;
    let on_stage = Closure::<dyn Fn(JsValue)>::new(move |name: JsValue| {
        if let Some(s) = name
            .as_string()
            .as_deref()
            .and_then(CollectStage::from_name)
        {
            stage(s);
        }
    });
    let files = Array::from(
        &settle(bundle.p12_files(
            c.certificate_pem,
            c.chain_pem,
            c.key_file,
            c.password,
            c.friendly_name,
            on_stage.as_ref().unchecked_ref(),
        ))
        .await?,
    );
    let bytes = |v: JsValue| v.dyn_into::<Uint8Array>().map(|b| b.to_vec());
    match (bytes(files.get(0)), bytes(files.get(1))) {
        (Ok(modern), Ok(compatible)) => Ok(P12Files { modern, compatible }),
        _ => Err(PkiError::Internal),
    }
}
