//! WebCrypto (`crypto.subtle`): key generation with an extractable PKCS#8 export, and PBKDF2.

use js_sys::{Array, Object, Reflect, Uint8Array};
use shared::pki::{DerivedKey, KeyType, PrivateKey};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// `crypto.subtle` of the page or worker; absent on insecure origins and old browsers.
fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    subtle.dyn_into::<SubtleCrypto>().ok()
}

/// Whether WebCrypto can be used here.
pub fn subtle_available() -> bool {
    subtle().is_some()
}

fn object(entries: &[(&str, JsValue)]) -> Result<Object, JsValue> {
    let o = Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &(*k).into(), v)?;
    }
    Ok(o)
}

fn unavailable() -> JsValue {
    JsValue::from_str("crypto.subtle is not available")
}

/// Generates with WebCrypto, exports PKCS#8 and reads it into the Rust key type, which
/// checks size and exponent. Also returns WebCrypto's private key, which signs natively.
pub async fn generate_key(key_type: KeyType) -> Result<(PrivateKey, CryptoKey), JsValue> {
    let subtle = subtle().ok_or_else(unavailable)?;
    let algorithm = match key_type.rsa_bits() {
        Some(bits) => object(&[
            ("name", "RSASSA-PKCS1-v1_5".into()),
            ("modulusLength", JsValue::from(bits as u32)),
            // 65537, big-endian
            ("publicExponent", Uint8Array::from(&[1u8, 0, 1][..]).into()),
            ("hash", "SHA-256".into()),
        ])?,
        None => object(&[
            ("name", "ECDSA".into()),
            (
                "namedCurve",
                if key_type == KeyType::EcdsaP256 {
                    "P-256"
                } else {
                    "P-384"
                }
                .into(),
            ),
        ])?,
    };
    let usages = Array::of1(&"sign".into());
    let pair = JsFuture::from(subtle.generate_key_with_object(&algorithm, true, &usages)?).await?;
    // A plain object {publicKey, privateKey}: CryptoKeyPair is a dictionary, not a class, so
    // a checked cast would always fail.
    let private: CryptoKey = Reflect::get(&pair, &"privateKey".into())?.dyn_into()?;
    let exported = JsFuture::from(subtle.export_key("pkcs8", &private)?).await?;
    let key = super::key_from_pkcs8(Uint8Array::new(&exported), key_type)?;
    Ok((key, private))
}

/// Signs `data` with a key [`generate_key`] made: RSASSA-PKCS1-v1_5 with SHA-256 (fixed at
/// generation), ECDSA with SHA-256 on P-256 and SHA-384 on P-384 (as fixed-width r‖s).
pub async fn sign(key: &CryptoKey, key_type: KeyType, data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let subtle = subtle().ok_or_else(unavailable)?;
    let algorithm = match key_type {
        KeyType::EcdsaP256 => object(&[("name", "ECDSA".into()), ("hash", "SHA-256".into())])?,
        KeyType::EcdsaP384 => object(&[("name", "ECDSA".into()), ("hash", "SHA-384".into())])?,
        _ => object(&[("name", "RSASSA-PKCS1-v1_5".into())])?,
    };
    let signature =
        JsFuture::from(subtle.sign_with_object_and_u8_array(&algorithm, key, data)?).await?;
    Ok(Uint8Array::new(&signature).to_vec())
}

/// PBKDF2-HMAC-SHA256 in WebCrypto, 32 bytes; the password as UTF-8 as everywhere in PBES2.
pub async fn pbkdf2_sha256(
    password: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<DerivedKey, JsValue> {
    let subtle = subtle().ok_or_else(unavailable)?;
    let raw = Uint8Array::from(password.as_bytes());
    let usages = Array::of1(&"deriveBits".into());
    let base: CryptoKey =
        JsFuture::from(subtle.import_key_with_str("raw", &raw, "PBKDF2", false, &usages)?)
            .await?
            .dyn_into()?;
    let algorithm = object(&[
        ("name", "PBKDF2".into()),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", JsValue::from(iterations)),
        ("hash", "SHA-256".into()),
    ])?;
    let bits = JsFuture::from(subtle.derive_bits_with_object(&algorithm, &base, 256)?).await?;
    let bytes = Uint8Array::new(&bits);
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    if bytes.length() != 32 {
        return Err(JsValue::from_str("deriveBits returned a wrong length"));
    }
    bytes.copy_to(out.as_mut());
    Ok(out)
}
