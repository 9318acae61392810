//! The browser side of `shared::pki`: WebCrypto where the browser has it (native code that does
//! not block the page), the pure-Rust core otherwise. Everything a page needs for the request
//! and collect flows: key + CSR + key file, reading the key file back, building the .p12.

mod webcrypto;

use shared::pki::Certificate;
use shared::pki::{
    self, DerivedKey, EncryptedKeyFile, Iterations, KeyType, Pbkdf2Request, Pkcs12Options,
    PkiError, PrivateKey, rand_core::UnwrapErr,
};

pub use webcrypto::{pbkdf2_sha256 as webcrypto_pbkdf2_sha256, subtle_available};

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

/// A new key of `key_type`, checked to be exactly that type. WebCrypto failures (a browser
/// that lacks a size, say) fall back to pure Rust.
pub async fn generate_key(key_type: KeyType, engine: Engine) -> Result<PrivateKey, PkiError> {
    if engine.webcrypto()
        && let Ok(key) = webcrypto::generate_key(key_type).await
    {
        return Ok(key);
    }
    generate_key_pure_rust(key_type)
}

/// Pure-Rust key generation. It blocks for seconds with RSA, so pages should run it off the
/// main thread.
pub fn generate_key_pure_rust(key_type: KeyType) -> Result<PrivateKey, PkiError> {
    PrivateKey::generate(key_type, &mut rng())
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

/// Key, CSR and encrypted key file in one go, as the request page needs them.
pub async fn new_request(
    key_type: KeyType,
    emails: &[String],
    password: &str,
    iterations: Iterations,
    engine: Engine,
) -> Result<NewRequest, PkiError> {
    if password.is_empty() {
        return Err(PkiError::EmptyPassword);
    }
    let emails = pki::normalize_emails(emails)?;
    let key = generate_key(key_type, engine).await?;
    let csr_pem = pki::build_csr_pem(&key, &emails)?;
    let key_file_pem = write_key_file(&key, password, iterations, engine).await?;
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
    let mut derived = Vec::new();
    for request in job.pbkdf2_requests() {
        derived.push(derive(&request, password, engine).await);
    }
    job.finish(&derived)
}
