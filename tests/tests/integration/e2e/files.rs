//! The browser's files judged by openssl: the key file opens with the password, each .p12
//! opens without `-legacy` and holds the key that belongs to its certificate. And the
//! secrets they hold, for the search through the browser's requests.

use std::path::Path;

use super::leaks::{Secrets, private_numbers};
use crate::support::tools::{OPENSSL, openssl, run, text};

/// `-passin` for `password` (openssl takes the argument's bytes, UTF-8 here).
fn pass(password: &str) -> String {
    format!("pass:{password}")
}

/// The public key (PEM) in the key file, which must open with `password`.
pub fn key_file_public_key(dir: &Path, key_file: &Path, password: &str) -> String {
    let key_file = key_file.to_str().unwrap();
    openssl(
        dir,
        &[
            "pkey",
            "-in",
            key_file,
            "-passin",
            &pass(password),
            "-pubout",
        ],
    )
}

/// Adds the key file and the key in it to `secrets`, under `name`.
pub fn add_key_secrets(
    secrets: &mut Secrets,
    dir: &Path,
    name: &str,
    key_file: &Path,
    password: &str,
) {
    let pem = std::fs::read_to_string(key_file).unwrap();
    assert!(
        pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{name}: the key file is encrypted PKCS#8: {pem}"
    );
    secrets.pem(&format!("{name} key file"), &pem);
    let key_file = key_file.to_str().unwrap();
    let der_file = format!("{name}-key.der");
    openssl(
        dir,
        &[
            "pkcs8",
            "-in",
            key_file,
            "-passin",
            &pass(password),
            "-topk8",
            "-nocrypt",
            "-outform",
            "DER",
            "-out",
            &der_file,
        ],
    );
    let der = std::fs::read(dir.join(&der_file)).unwrap();
    secrets.whole(&format!("{name} private key (PKCS#8 DER)"), &der);
    let text = openssl(
        dir,
        &[
            "pkey", "-inform", "DER", "-in", &der_file, "-noout", "-text",
        ],
    );
    let numbers = private_numbers(&text);
    assert!(!numbers.is_empty(), "{name}: no private numbers in {text}");
    for (number, bytes) in numbers {
        secrets.secret_bytes(&format!("{name} private key's {number}"), &bytes);
    }
}

/// Opens `p12` with openssl 3 (no `-legacy`) and `password`; requires `protection` in what
/// `-info` tells (each of `protection`), one certificate for `address` and the key that belongs to it, equal to
/// `public_key`.
pub fn judge_p12(
    dir: &Path,
    p12: &Path,
    password: &str,
    protection: &[&str],
    address: &str,
    public_key: &str,
) {
    let p12 = p12.to_str().unwrap();
    let pass = pass(password);
    let info = run(
        Path::new(OPENSSL),
        dir,
        &["pkcs12", "-info", "-noout", "-in", p12, "-passin", &pass],
    );
    assert!(info.status.success(), "{p12}: {}", text(&info));
    let info = text(&info);
    for expected in protection {
        assert!(info.contains(expected), "{p12}: no {expected}: {info}");
    }
    let cert = openssl(
        dir,
        &[
            "pkcs12", "-in", p12, "-passin", &pass, "-clcerts", "-nokeys",
        ],
    );
    std::fs::write(dir.join("leaf.pem"), &cert).unwrap();
    let from_cert = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
    let emails = openssl(
        dir,
        &[
            "x509",
            "-in",
            "leaf.pem",
            "-noout",
            "-ext",
            "subjectAltName",
        ],
    );
    assert!(emails.contains(address), "{p12}: {emails}");
    let key = openssl(
        dir,
        &["pkcs12", "-in", p12, "-passin", &pass, "-nocerts", "-nodes"],
    );
    std::fs::write(dir.join("leaf-key.pem"), &key).unwrap();
    let from_key = openssl(dir, &["pkey", "-in", "leaf-key.pem", "-pubout"]);
    assert_eq!(
        from_key, from_cert,
        "{p12}: the key belongs to the certificate"
    );
    assert_eq!(from_key, public_key, "{p12}: the key is the key file's");
    std::fs::remove_file(dir.join("leaf-key.pem")).unwrap();
}
