//! The browser side of `shared::pki`: WebCrypto where the browser has it (native code that does
//! not block the page), the pure-Rust core otherwise, with key generation in a Web Worker.
//! Everything the request and collect flows need: key + CSR + key file, reading the key file
//! back, building the .p12.
//!
//! The app's pages never call this module: it is the crypto bundle (`src/bin/crypto.rs`),
//! loaded when a step needs it, and the pages reach it through [`crate::crypto_bundle`]. So
//! the app's first load carries none of it.

pub mod collect;
pub mod exports;
mod slices;
mod webcrypto;
mod worker;

use futures::future::{join, join_all};
use shared::pki::Certificate;
use shared::pki::{
    self, DerivedKey, EncryptedKeyFile, Iterations, KeyType, Pbkdf2Request, Pkcs12Options,
    PkiError, PrivateKey, rand_core::UnwrapErr,
};
use wasm_bindgen::JsValue;
use web_sys::CryptoKey;

pub use webcrypto::{
    pbkdf2_sha256 as webcrypto_pbkdf2_sha256, sign as webcrypto_sign, subtle_available,
};
pub use worker::{generate_key as generate_key_in_worker, generate_pkcs8};

/// The browser's random source (`crypto.getRandomValues`).
pub fn rng() -> UnwrapErr<getrandom::SysRng> {
    UnwrapErr(getrandom::SysRng)
}

/// Which implementation does the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `crypto.subtle` if present, else pure Rust.
    Auto,
    /// Always the pure-Rust core (the fallback; also what tests pin).
    PureRust,
}

impl Engine {
    fn webcrypto(self) -> bool {
        self == Engine::Auto && subtle_available()
    }
}

/// A new key of `key_type`, checked to be exactly that type. Where WebCrypto is missing or
/// refuses the type (a browser that lacks a size, say), pure Rust in a Web Worker; only where
/// no worker can start, pure Rust on this thread, which blocks the page but still works.
pub async fn generate_key(key_type: KeyType, engine: Engine) -> Result<PrivateKey, PkiError> {
    new_key(key_type, engine).await.map(|k| k.key)
}

/// A new key and, where WebCrypto made it, WebCrypto's handle on it, which signs natively.
pub struct NewKey {
    pub key: PrivateKey,
    web: Option<CryptoKey>,
}

impl NewKey {
    /// WebCrypto's handle, if WebCrypto made the key: [`csr_pem`] then signs with it.
    pub fn webcrypto_key(&self) -> Option<&CryptoKey> {
        self.web.as_ref()
    }
}

/// Like [`generate_key`], keeping WebCrypto's handle.
pub async fn new_key(key_type: KeyType, engine: Engine) -> Result<NewKey, PkiError> {
    if engine.webcrypto()
        && let Ok((key, web)) = webcrypto::generate_key(key_type).await
    {
        return Ok(NewKey {
            key,
            web: Some(web),
        });
    }
    let key = match worker::generate_key(key_type).await {
        Ok(key) => key,
        Err(_) => generate_key_pure_rust(key_type)?,
    };
    Ok(NewKey { key, web: None })
}

/// The certificate request (PEM), signed in WebCrypto where it made the key: native code,
/// and off the page's thread, where an RSA-4096 signature in WebAssembly takes some 100 ms.
pub async fn csr_pem(key: &NewKey, emails: &[String]) -> Result<String, PkiError> {
    if let Some(web) = &key.web {
        let (unsigned, to_sign) = pki::prepare_csr(&key.key, emails)?;
        if let Ok(signature) = webcrypto::sign(web, key.key.key_type(), &to_sign).await {
            return unsigned.finish_pem(&signature);
        }
    }
    pki::build_csr_pem(&key.key, emails)
}

/// Pure-Rust key generation on the calling thread. It blocks for seconds with RSA: pages use
/// [`generate_key`], which runs it in a worker.
pub fn generate_key_pure_rust(key_type: KeyType) -> Result<PrivateKey, PkiError> {
    PrivateKey::generate(key_type, &mut rng())
}

/// Reads an exported PKCS#8 key (from WebCrypto or the worker), wipes the JavaScript copy and
/// checks that the key is exactly `key_type`.
fn key_from_pkcs8(pkcs8: js_sys::Uint8Array, key_type: KeyType) -> Result<PrivateKey, JsValue> {
    let der = zeroize::Zeroizing::new(pkcs8.to_vec());
    pkcs8.fill(0, 0, pkcs8.length());
    let key = PrivateKey::from_pkcs8_der(&der).map_err(|e| JsValue::from_str(e.code()))?;
    key.check_type(key_type)
        .map_err(|e| JsValue::from_str(e.code()))?;
    Ok(key)
}

/// Runs one PBKDF2-HMAC-SHA256 derivation, in WebCrypto where possible.
pub async fn derive(request: &Pbkdf2Request, password: &str, engine: Engine) -> DerivedKey {
    if engine.webcrypto()
        && let Ok(key) = webcrypto::pbkdf2_sha256(password, &request.salt, request.iterations).await
    {
        return key;
    }
    request.derive(password)
}

/// What the request page hands on: the CSR to submit and the key file the user must save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub csr_pem: String,
    pub key_file_pem: String,
}

/// The key file's encryption key, derived from the password before there is a key. The
/// request page starts it as soon as the password has been entered twice, so that pressing
/// *Generate* costs about the key generation alone (docs/perf.md).
pub struct KeyFileKey {
    seal: pki::KeyFileSeal,
    derived: DerivedKey,
}

impl KeyFileKey {
    /// Runs the key file's PBKDF2 (in WebCrypto where possible) for `password`.
    pub async fn derive(
        password: &str,
        iterations: Iterations,
        engine: Engine,
    ) -> Result<Self, PkiError> {
        if password.is_empty() {
            return Err(PkiError::EmptyPassword);
        }
        let seal = pki::KeyFileSeal::new(&mut rng(), iterations);
        let derived = derive(&seal.pbkdf2_request(), password, engine).await;
        Ok(Self { seal, derived })
    }
}

/// Key, CSR and encrypted key file in one go, as the request page needs them.
pub async fn new_request(
    key_type: KeyType,
    emails: &[String],
    password: &str,
    iterations: Iterations,
    engine: Engine,
) -> Result<NewRequest, PkiError> {
    let key_file_key = KeyFileKey::derive(password, iterations, engine).await?;
    new_request_sealed(key_type, emails, &key_file_key, engine).await
}

/// Key, CSR and key file with a key-file key derived beforehand. The key file's PBKDF2 needs
/// no key, but run side by side with the key generation (both in WebCrypto) it measured
/// slower on two cores than one after the other (docs/perf.md): hence ahead of time.
/// `key_file_key` may seal several key files (a retry): each gets its own IV.
pub async fn new_request_sealed(
    key_type: KeyType,
    emails: &[String],
    key_file_key: &KeyFileKey,
    engine: Engine,
) -> Result<NewRequest, PkiError> {
    let emails = pki::normalize_emails(emails)?;
    let key = new_key(key_type, engine).await?;
    let csr_pem = csr_pem(&key, &emails).await?;
    let seal = key_file_key.seal.with_new_iv(&mut rng());
    let key_file_pem = seal.seal(&key.key, &key_file_key.derived)?;
    Ok(NewRequest {
        csr_pem,
        key_file_pem,
    })
}

/// Encrypts the key into the PEM key file.
pub async fn write_key_file(
    key: &PrivateKey,
    password: &str,
    iterations: Iterations,
    engine: Engine,
) -> Result<String, PkiError> {
    if password.is_empty() {
        return Err(PkiError::EmptyPassword);
    }
    let seal = pki::KeyFileSeal::new(&mut rng(), iterations);
    let derived = derive(&seal.pbkdf2_request(), password, engine).await;
    seal.seal(key, &derived)
}

/// Opens the key file with its password.
pub async fn read_key_file(
    text: &str,
    password: &str,
    engine: Engine,
) -> Result<PrivateKey, PkiError> {
    if password.is_empty() {
        return Err(PkiError::EmptyPassword);
    }
    let file = EncryptedKeyFile::parse(text)?;
    match file.pbkdf2_request() {
        Some(request) => {
            let derived = derive(&request, password, engine).await;
            file.decrypt_with_derived_key(&derived)
        }
        None => file.decrypt(password),
    }
}

/// Builds the .p12 (DER) for the collect page.
pub async fn build_pkcs12(
    key: &PrivateKey,
    leaf: &Certificate,
    chain: &[Certificate],
    friendly_name: &str,
    password: &str,
    options: Pkcs12Options,
    engine: Engine,
) -> Result<Vec<u8>, PkiError> {
    let job = pki::prepare_pkcs12(
        key,
        leaf,
        chain,
        friendly_name,
        password,
        options,
        &mut rng(),
    )?;
    // WebCrypto derives the bags' keys on its own threads while the MAC's key, which only
    // WebAssembly can derive, is worked out here in slices.
    let requests = job.pbkdf2_requests();
    let mut mac_key = job.mac_key_derivation();
    let (derived, ()) = join(
        join_all(requests.iter().map(|r| derive(r, password, engine))),
        slices::run(&mut mac_key),
    )
    .await;
    job.finish_with_mac_key(&derived, &mac_key)
}
