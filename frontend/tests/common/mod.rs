//! Checks the browser test files share.
#![allow(clippy::unwrap_used)]

use shared::pki::{self, KeyType, PrivateKey};

/// The key is exactly `key_type`, its public key passes the server's checks, and it signs a
/// request.
pub fn assert_valid_key(key: &PrivateKey, key_type: KeyType) {
    assert_eq!(key.key_type(), key_type);
    assert_eq!(
        pki::check_public_key_der(&key.public_key_der().unwrap()),
        Ok(key_type)
    );
    let csr = pki::build_csr_pem(key, &["alice@example.org"]).unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
}
