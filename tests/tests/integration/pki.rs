//! The crypto core checked by an outside implementation: `certdesk keygen` and `certdesk p12`
//! (run in-process), then the `openssl` command line verifies requests, decrypts key files,
//! issues a certificate and opens the .p12 files without `-legacy`.

use std::path::{Path, PathBuf};
use std::process::Command;

use certdesk::cli_pki::{KeygenArgs, P12Args, keygen, p12};
use shared::pki::{KeyType, P12Format};

const OPENSSL: &str = "/usr/bin/openssl";
/// Umlauts, CJK and a character outside the BMP.
const PASSWORD: &str = "Grüße 中文 😀";

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(OPENSSL)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Made {
    dir: tempfile::TempDir,
}

impl Made {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Key file + CSR from `certdesk keygen`, and a certificate for it from an openssl test CA.
fn keygen_and_issue(key_type: KeyType) -> Made {
    let made = Made {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::write(made.path("pw"), format!("{PASSWORD}\n")).unwrap();
    keygen(&KeygenArgs {
        key_type,
        emails: vec!["alice@example.org".into(), "dpo@example.org".into()],
        key_out: made.path("key.pem"),
        csr_out: made.path("req.pem"),
        password_file: Some(made.path("pw")),
    })
    .unwrap();
    let dir = made.dir.path();
    openssl(
        dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "ca.key",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=certdesk test CA",
            "-days",
            "2",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "req.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-days",
            "1",
            "-copy_extensions",
            "copy",
            "-out",
            "leaf.pem",
        ],
    );
    made
}

fn make_p12(made: &Made, format: P12Format, out: &str) -> Result<(), certdesk::Error> {
    p12(&P12Args {
        key: made.path("key.pem"),
        cert: made.path("leaf.pem"),
        chain: Some(made.path("ca.pem")),
        format,
        out: made.path(out),
        password_file: Some(made.path("pw")),
        p12_password_file: None,
        friendly_name: None,
    })
}

#[test]
fn openssl_accepts_requests_key_files_and_p12_of_every_type() {
    for key_type in KeyType::ALL {
        let made = keygen_and_issue(key_type);
        let dir = made.dir.path();
        // The request's signature verifies and it asks for both addresses.
        openssl(dir, &["req", "-verify", "-noout", "-in", "req.pem"]);
        let text = openssl(dir, &["req", "-noout", "-text", "-in", "req.pem"]);
        assert!(
            text.contains("email:alice@example.org, email:dpo@example.org"),
            "{text}"
        );
        assert!(text.contains("E-mail Protection"), "{text}");

        // The key file: PBES2 with PBKDF2-HMAC-SHA256, 600,000 (0x927C0) iterations, AES-256-CBC.
        let info = openssl(dir, &["asn1parse", "-in", "key.pem"]);
        for needle in [
            "PBES2",
            "PBKDF2",
            ":0927C0",
            "hmacWithSHA256",
            "aes-256-cbc",
        ] {
            assert!(
                info.contains(needle),
                "{key_type}: {needle} missing in\n{info}"
            );
        }
        openssl(
            dir,
            &[
                "pkcs8",
                "-in",
                "key.pem",
                "-passin",
                "file:pw",
                "-out",
                "plain.pem",
            ],
        );
        let key_pub = openssl(dir, &["pkey", "-in", "plain.pem", "-pubout"]);
        let csr_pub = openssl(dir, &["req", "-in", "req.pem", "-noout", "-pubkey"]);
        assert_eq!(key_pub, csr_pub, "{key_type}");
        let cert_pub = openssl(dir, &["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
        assert_eq!(key_pub, cert_pub, "{key_type}");

        for (format, mac) in [
            (P12Format::Modern, "MAC: sha256"),
            (P12Format::Compatible, "MAC: sha1"),
        ] {
            let name = format!("{format}.p12");
            make_p12(&made, format, &name).unwrap();
            // Without -legacy: OpenSSL 3's default provider must open both formats.
            let out = Command::new(OPENSSL)
                .args([
                    "pkcs12", "-info", "-noout", "-in", &name, "-passin", "file:pw",
                ])
                .current_dir(dir)
                .output()
                .unwrap();
            let info = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{key_type} {format}: {info}");
            assert!(info.contains(mac), "{key_type} {format}: {info}");
            assert_eq!(info.matches("Certificate bag").count(), 2, "leaf and CA");
            assert_eq!(
                info.matches("Shrouded Keybag").count(),
                1,
                "exactly one key"
            );
            let keys = openssl(
                dir,
                &[
                    "pkcs12", "-in", &name, "-passin", "file:pw", "-nocerts", "-nodes",
                ],
            );
            assert_eq!(keys.matches("BEGIN PRIVATE KEY").count(), 1);
            std::fs::write(dir.join("p12key.pem"), &keys).unwrap();
            let p12_pub = openssl(dir, &["pkey", "-in", "p12key.pem", "-pubout"]);
            assert_eq!(
                p12_pub, cert_pub,
                "{key_type} {format}: key matches the leaf"
            );
            let leaf = openssl(
                dir,
                &[
                    "pkcs12", "-in", &name, "-passin", "file:pw", "-clcerts", "-nokeys",
                ],
            );
            assert!(leaf.contains("friendlyName: alice@example.org"), "{leaf}");
            assert!(leaf.contains("localKeyID"), "{leaf}");
        }
    }
}

#[test]
fn command_line_errors_carry_the_pki_codes() {
    let made = keygen_and_issue(KeyType::EcdsaP256);
    let other = keygen_and_issue(KeyType::EcdsaP384);
    let dir = made.dir.path();

    std::fs::write(made.path("wrong"), "not the password\n").unwrap();
    let mut args = P12Args {
        key: made.path("key.pem"),
        cert: made.path("leaf.pem"),
        chain: None,
        format: P12Format::Modern,
        out: made.path("x.p12"),
        password_file: Some(made.path("wrong")),
        p12_password_file: None,
        friendly_name: None,
    };
    assert_eq!(p12(&args).unwrap_err().code(), "wrong_password");

    args.password_file = Some(made.path("pw"));
    args.cert = other.path("leaf.pem");
    assert_eq!(p12(&args).unwrap_err().code(), "key_mismatch");

    args.cert = made.path("leaf.pem");
    args.key = made.path("req.pem");
    assert_eq!(p12(&args).unwrap_err().code(), "not_a_key_file");

    let key = std::fs::read_to_string(made.path("key.pem")).unwrap();
    std::fs::write(made.path("cut.pem"), &key[..key.len() / 2]).unwrap();
    args.key = made.path("cut.pem");
    assert_eq!(p12(&args).unwrap_err().code(), "key_file_damaged");

    // A key file written by openssl with a key type certdesk does not use.
    openssl(dir, &["genpkey", "-algorithm", "ED25519", "-out", "ed.pem"]);
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "ed.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "file:pw",
            "-out",
            "ed.enc",
        ],
    );
    args.key = made.path("ed.enc");
    assert_eq!(p12(&args).unwrap_err().code(), "unsupported_key_type");

    std::fs::write(made.path("empty"), "\n").unwrap();
    args.key = made.path("key.pem");
    args.password_file = Some(made.path("empty"));
    assert_eq!(p12(&args).unwrap_err().code(), "empty_password");
    assert!(!made.path("x.p12").exists());

    // The key file is never overwritten.
    let again = keygen(&KeygenArgs {
        key_type: KeyType::EcdsaP256,
        emails: vec!["alice@example.org".into()],
        key_out: made.path("key.pem"),
        csr_out: made.path("req2.pem"),
        password_file: Some(made.path("pw")),
    });
    assert!(again.is_err());
    assert_eq!(std::fs::read_to_string(made.path("key.pem")).unwrap(), key);
}

#[test]
fn key_file_written_by_openssl_is_read() {
    // Interoperability the other way: an openssl-made PBES2 key file opens in certdesk.
    let made = keygen_and_issue(KeyType::EcdsaP256);
    let dir = made.dir.path();
    openssl(
        dir,
        &[
            "pkcs8",
            "-in",
            "key.pem",
            "-passin",
            "file:pw",
            "-out",
            "plain.pem",
        ],
    );
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "plain.pem",
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            "-iter",
            "2048",
            "-passout",
            "file:pw",
            "-out",
            "theirs.pem",
        ],
    );
    let text = std::fs::read_to_string(made.path("theirs.pem")).unwrap();
    let key = shared::pki::read_key_file(&text, PASSWORD).unwrap();
    assert_eq!(key.key_type(), KeyType::EcdsaP256);
}

#[test]
fn p12_password_can_differ_from_the_key_password() {
    let made = keygen_and_issue(KeyType::EcdsaP256);
    let dir = made.dir.path();
    std::fs::write(made.path("p12pw"), "other 🔑 Passwort\n").unwrap();
    p12(&P12Args {
        key: made.path("key.pem"),
        cert: made.path("leaf.pem"),
        chain: None,
        format: P12Format::Compatible,
        out: made.path("out.p12"),
        password_file: Some(made.path("pw")),
        p12_password_file: Some(made.path("p12pw")),
        friendly_name: Some("GRP_secretariat@example.org".into()),
    })
    .unwrap();
    let leaf = openssl(
        dir,
        &[
            "pkcs12",
            "-in",
            "out.p12",
            "-passin",
            "file:p12pw",
            "-clcerts",
            "-nokeys",
        ],
    );
    assert!(
        leaf.contains("friendlyName: GRP_secretariat@example.org"),
        "{leaf}"
    );
    let refused = Command::new(OPENSSL)
        .args([
            "pkcs12", "-info", "-noout", "-in", "out.p12", "-passin", "file:pw",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "the key file's password must not open it"
    );
}
