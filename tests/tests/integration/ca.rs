//! The built-in CA end to end: `certdesk ca init | import | show` through the binary, issuance
//! through `BuiltinCa` for every kind of certificate and every subscriber key type under both
//! CA key types, judged by pkilint and openssl; CRLs from `publish` checked by openssl against
//! revoked rows; the keys in the database encrypted; the CA's files over HTTP.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use certdesk::ca::{BuiltinCa, Issued, Issuer, Order, Validation, crl};
use certdesk::config::{Config, Secret};
use certdesk::domain::{Clock, OsRandom, SystemClock};
use certdesk::store::Store;
use reqwest::StatusCode;
use shared::api::RequestKind;
use shared::pki::{KeyType, PrivateKey};
use sqlx::Row;

use crate::cli::{certdesk, one_error_line};
use crate::support::app::{App, Db, on_both_databases};
use crate::support::tools::{OPENSSL, lint, openssl, openssl_fails, run, text, verify_chain};

/// Names and addresses pkilint accepts (no internal IP in the CRL and CA certificate URLs).
fn ca_settings(c: &mut Config, key_type: KeyType) {
    c.organisation = "Example University".into();
    c.ca.key_type = key_type;
    c.ca.organisation_identifier = Some("GOVDE+BY".into());
    c.ca.country = Some("DE".into());
    c.ca.distribution_url = Some("http://certs.example.org/".parse().unwrap());
}

/// A configuration with its own data directory (and SQLite database) under `dir`.
fn standalone_config(dir: &Path, key_type: KeyType) -> Config {
    let mut config = Config {
        data_dir: dir.join("data"),
        ..Config::default()
    };
    ca_settings(&mut config, key_type);
    config
}

/// `certdesk` with the configuration of `config` in its environment.
#[derive(Clone)]
struct Cli {
    dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Cli {
    fn new(config: &Config, dir: &Path) -> Self {
        let mut env = vec![
            ("CERTDESK_DATA_DIR", config.data_dir.display().to_string()),
            ("CERTDESK_ORGANISATION", config.organisation.clone()),
            ("CERTDESK_CA__KEY_TYPE", config.ca.key_type.to_string()),
        ];
        let ca = &config.ca;
        for (key, value) in [
            ("CERTDESK_DATABASE_URL", config.database_url.clone()),
            (
                "CERTDESK_CA__ORGANISATION_IDENTIFIER",
                ca.organisation_identifier.clone(),
            ),
            ("CERTDESK_CA__COUNTRY", ca.country.clone()),
            (
                "CERTDESK_CA__DISTRIBUTION_URL",
                ca.distribution_url.as_ref().map(|u| u.to_string()),
            ),
            (
                "CERTDESK_CA__PASSPHRASE",
                ca.passphrase.as_ref().map(|s| s.0.clone()),
            ),
        ] {
            if let Some(v) = value {
                env.push((key, v));
            }
        }
        Self {
            dir: dir.to_path_buf(),
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    fn with(&self, key: &str, value: &str) -> Self {
        let mut more = self.clone();
        more.env.push((key.to_owned(), value.to_owned()));
        more
    }

    fn run(&self, args: &[&str]) -> Output {
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        certdesk(&self.dir, args, &env)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "certdesk {args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs a command that must fail with exactly one line carrying `code`.
    fn fails(&self, args: &[&str], code: &str) -> String {
        let line = one_error_line(&self.run(args));
        assert!(
            line.contains(&format!("[{code}]")),
            "expected {code}: {line}"
        );
        line
    }
}

/// One key of each subscriber key type, made by openssl once per test run.
fn subscriber_keys() -> &'static [(KeyType, Vec<u8>)] {
    static KEYS: OnceLock<Vec<(KeyType, Vec<u8>)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        KeyType::ALL
            .iter()
            .map(|&t| {
                let algorithm = match t.rsa_bits() {
                    Some(bits) => vec![
                        "-algorithm".to_owned(),
                        "RSA".into(),
                        "-pkeyopt".into(),
                        format!("rsa_keygen_bits:{bits}"),
                    ],
                    None => {
                        let curve = if t == KeyType::EcdsaP256 {
                            "P-256"
                        } else {
                            "P-384"
                        };
                        vec![
                            "-algorithm".to_owned(),
                            "EC".into(),
                            "-pkeyopt".into(),
                            format!("ec_paramgen_curve:{curve}"),
                        ]
                    }
                };
                let mut args = vec!["genpkey"];
                args.extend(algorithm.iter().map(String::as_str));
                args.extend(["-out", "k.pem"]);
                openssl(dir.path(), &args);
                openssl(
                    dir.path(),
                    &[
                        "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "k.der",
                    ],
                );
                (t, std::fs::read(dir.path().join("k.der")).unwrap())
            })
            .collect()
    })
}

/// The four kinds of certificate and the type pkilint must detect for each.
fn orders(public_key_der: &[u8]) -> Vec<(&'static str, Order)> {
    let order = |kind, validation, addresses: &[&str], names: bool| Order {
        request_id: 1,
        kind,
        validation,
        addresses: addresses.iter().map(|a| a.to_string()).collect(),
        given_name: names.then(|| "Jürgen".to_owned()),
        surname: names.then(|| "Groß-Müller".to_owned()),
        display_name: (!names).then(|| "Secretariat".to_owned()),
        public_key_der: public_key_der.to_vec(),
    };
    vec![
        (
            "SPONSORED-STRICT",
            order(
                RequestKind::Personal,
                Validation::Sponsor,
                &["j.gross@example.org", "jgm@example.org"],
                true,
            ),
        ),
        (
            "ORGANIZATION-STRICT",
            order(
                RequestKind::Role,
                Validation::Organization,
                &["dpo@example.org"],
                false,
            ),
        ),
        (
            "ORGANIZATION-STRICT",
            order(
                RequestKind::Group,
                Validation::Organization,
                &["secretariat@example.org"],
                false,
            ),
        ),
        (
            "MAILBOX-STRICT",
            order(
                RequestKind::Personal,
                Validation::Mailbox,
                &["j.gross@example.org"],
                false,
            ),
        ),
    ]
}

/// Writes a DER certificate as `name` in PEM (what `openssl verify` reads).
fn write_pem(dir: &Path, name: &str, der: &[u8]) {
    let der_file = format!("{name}.der");
    std::fs::write(dir.join(&der_file), der).unwrap();
    openssl(
        dir,
        &["x509", "-inform", "DER", "-in", &der_file, "-out", name],
    );
}

/// Writes root.pem and issuing.pem of `ca` into `dir`.
fn write_chain(dir: &Path, ca: &BuiltinCa) {
    write_pem(dir, "root.pem", &ca.root().der);
    write_pem(dir, "issuing.pem", &ca.issuing().der);
}

/// Writes `der` as leaf.pem; pkilint must find nothing and detect the `expected` type, and
/// `openssl verify` must accept it up to root.pem through issuing.pem.
fn judge(dir: &Path, der: &[u8], expected: &str) {
    write_pem(dir, "leaf.pem", der);
    let detected = lint(dir, "lint_cabf_smime_cert", &["-d", "-o"], "leaf.pem");
    assert_eq!(detected.trim(), expected);
    let verified = text(&verify_chain(dir, &[], "leaf.pem"));
    assert!(verified.contains("leaf.pem: OK"), "{expected}: {verified}");
}

async fn issue(ca: &BuiltinCa, order: &Order) -> Issued {
    ca.issue(order, SystemClock.now(), &OsRandom).await.unwrap()
}

/// `ca init` through the binary into a SQLite database of its own, then every kind of
/// certificate for every subscriber key type, each judged by pkilint and openssl.
async fn every_kind_and_key_type(ca_key: KeyType) {
    let dir = tempfile::tempdir().unwrap();
    let config = standalone_config(dir.path(), ca_key);
    let out = Cli::new(&config, dir.path()).ok(&["ca", "init", "--generate-passphrase"]);
    assert!(out.contains("S/MIME Issuing CA"), "{out}");
    let store = Store::connect(&config.database_url()).await.unwrap();
    let ca = BuiltinCa::load(&store, &config)
        .await
        .unwrap()
        .expect("a CA after init");
    assert_eq!(ca.issuing_key().key_type(), ca_key);
    let d = dir.path();
    write_chain(d, &ca);
    for name in ["root.pem", "issuing.pem"] {
        lint(d, "lint_pkix_cert", &[], name);
    }
    let signature = if ca_key.is_rsa() {
        "sha256WithRSAEncryption"
    } else {
        "ecdsa-with-SHA384"
    };
    for (key_type, spki) in subscriber_keys() {
        for (expected, order) in orders(spki) {
            let issued = issue(&ca, &order).await;
            let what = format!("{expected} {key_type} under a {ca_key} CA");
            judge(d, &issued.certificate_der, expected);
            let dump = openssl(
                d,
                &["x509", "-in", "leaf.pem", "-noout", "-text", "-serial"],
            );
            // 128 random bits, positive: 16 octets (a 17th, zero, only for the sign).
            assert_eq!(issued.serial.len(), 32, "{what}");
            assert!(
                dump.contains(&format!("serial={}", issued.serial.to_uppercase())),
                "{what}: {dump}"
            );
            assert!(
                dump.contains(&format!("Signature Algorithm: {signature}")),
                "{what}: {dump}"
            );
            assert!(
                dump.contains("URI:http://certs.example.org/ca/issuing.crl"),
                "{what}: {dump}"
            );
            assert!(
                dump.contains("CA Issuers - URI:http://certs.example.org/ca/issuing.crt"),
                "{what}: {dump}"
            );
            for address in &order.addresses {
                assert!(dump.contains(&format!("email:{address}")), "{what}: {dump}");
            }
            assert_eq!(issued.chain_pem, ca.chain_pem());
            assert_eq!(issued.not_after - issued.not_before + 1, 730 * 86_400);
        }
    }
    // The CRLs `ca init` signed pass the BR CRL profile too (the root's is an ARL).
    let mut conn = store.conn().await.unwrap();
    for (name, kind) in [("issuing", "CRL"), ("root", "ARL")] {
        let der: Vec<u8> = sqlx::query_scalar("SELECT der FROM crls WHERE ca = $1")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        std::fs::write(d.join(format!("{name}.crl")), der).unwrap();
        lint(
            d,
            "lint_crl",
            &["-t", kind, "-p", "BR"],
            &format!("{name}.crl"),
        );
    }
    drop(conn);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p384_ca_issues_every_kind_for_every_key_type() {
    every_kind_and_key_type(KeyType::EcdsaP384).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rsa4096_ca_issues_every_kind_for_every_key_type() {
    every_kind_and_key_type(KeyType::Rsa4096).await;
}

on_both_databases!(init_serve_revoke_publish);

/// On a running server's database: init through the binary, the files over HTTP, the keys
/// encrypted, a wrong passphrase refused, and CRLs that follow revocations.
async fn init_serve_revoke_publish(db: Db) {
    let app = App::start_with(db, |c| ca_settings(c, KeyType::EcdsaP384)).await;
    let d = app.data_dir.path();
    let cli = Cli::new(&app.config, d);
    cli.fails(&["ca", "show"], "ca_missing");
    assert_eq!(
        app.get("/ca/root.crt", None).await.status,
        StatusCode::NOT_FOUND
    );

    cli.ok(&["ca", "init", "--generate-passphrase"]);
    let passphrase_file = d.join("ca-passphrase");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passphrase_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    cli.fails(&["ca", "init"], "ca_exists");
    assert!(
        cli.ok(&["ca", "init", "--if-missing"])
            .contains("nothing to do")
    );

    // The CA's files over HTTP, as DER with their media types; `ca show` agrees with openssl.
    let show = cli.ok(&["ca", "show"]);
    for (path, media, file) in [
        ("/ca/root.crt", "application/pkix-cert", "root.der"),
        ("/ca/issuing.crt", "application/pkix-cert", "issuing.der"),
        ("/ca/root.crl", "application/pkix-crl", "root-crl.der"),
        ("/ca/issuing.crl", "application/pkix-crl", "issuing-crl.der"),
    ] {
        let (status, content_type, body) = fetch(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(content_type, media, "{path}");
        std::fs::write(d.join(file), body).unwrap();
    }
    for name in ["root", "issuing"] {
        let fp = openssl(
            d,
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                &format!("{name}.der"),
                "-noout",
                "-fingerprint",
                "-sha256",
            ],
        );
        let fp = fp.trim().rsplit('=').next().unwrap();
        assert!(show.contains(fp), "{name} fingerprint {fp} not in:\n{show}");
        openssl(
            d,
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                &format!("{name}.der"),
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }
    assert!(
        show.contains("CN=Example University S/MIME Root CA,O=Example University,C=DE"),
        "{show}"
    );
    let crl_text = openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "issuing-crl.der",
            "-noout",
            "-text",
        ],
    );
    assert!(crl_text.contains("No Revoked Certificates"), "{crl_text}");

    keys_are_encrypted(&app, db, &passphrase_file).await;

    // A wrong passphrase opens nothing.
    let mut wrong = app.config.clone();
    wrong.ca.passphrase = Some(Secret("this is not the passphrase".into()));
    assert_eq!(
        BuiltinCa::load(&app.store, &wrong)
            .await
            .unwrap_err()
            .code(),
        "ca_wrong_passphrase"
    );

    // Two certificates; one is revoked; the CRL `publish` signs tells them apart.
    let ca = BuiltinCa::load(&app.store, &app.config)
        .await
        .unwrap()
        .unwrap();
    let (_, spki) = &subscriber_keys()[3];
    let order = orders(spki).swap_remove(0).1;
    let kept = store_issued(&app.store, issue(&ca, &order).await, "CD-KEPT").await;
    let revoked = store_issued(&app.store, issue(&ca, &order).await, "CD-GONE").await;
    let now = app.clock.now();
    let mut conn = app.store.conn().await.unwrap();
    assert!(
        certdesk::store::issuance::revoke(
            &mut conn,
            &revoked,
            "key_compromise",
            "desk@example.org",
            now
        )
        .await
        .unwrap()
    );
    drop(conn);
    let crl = crl::publish(&app.store, &ca, now).await.unwrap();
    assert_eq!(crl.number, 2, "init signed number 1");
    let (_, _, served) = fetch(&app, "/ca/issuing.crl").await;
    assert_eq!(served, crl.der, "the server hands out the newest CRL");
    std::fs::write(d.join("crl.der"), &crl.der).unwrap();
    openssl(
        d,
        &["crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem"],
    );
    openssl(
        d,
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            "root-crl.der",
            "-out",
            "root-crl.pem",
        ],
    );
    // Signed by the issuing CA, not by the root.
    let by_root = text(&run(
        Path::new(OPENSSL),
        d,
        &[
            "crl", "-in", "crl.pem", "-CAfile", "root.pem", "-noout", "-verify",
        ],
    ));
    assert!(!by_root.contains("verify OK"), "{by_root}");
    let by_issuing = text(&run(
        Path::new(OPENSSL),
        d,
        &[
            "crl",
            "-in",
            "crl.pem",
            "-CAfile",
            "issuing.pem",
            "-noout",
            "-verify",
        ],
    ));
    assert!(by_issuing.contains("verify OK"), "{by_issuing}");
    let listed = openssl(d, &["crl", "-in", "crl.pem", "-noout", "-text"]);
    assert!(listed.contains(&revoked.to_uppercase()), "{listed}");
    assert!(!listed.contains(&kept.to_uppercase()), "{listed}");
    assert!(listed.contains("Key Compromise"), "{listed}");
    assert_eq!(crl_number(&listed), "2", "{listed}");
    lint(d, "lint_crl", &["-t", "CRL", "-p", "BR"], "crl.pem");
    for (serial, file) in [(&kept, "kept.pem"), (&revoked, "revoked.pem")] {
        let der: Vec<u8> = sqlx::query_scalar("SELECT der FROM certificates WHERE serial = $1")
            .bind(serial)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        write_pem(d, file, &der);
    }
    let crls = [
        "-crl_check_all",
        "-CRLfile",
        "crl.pem",
        "-CRLfile",
        "root-crl.pem",
    ];
    let ok = verify_chain(d, &crls, "kept.pem");
    assert!(
        ok.status.success() && text(&ok).contains("kept.pem: OK"),
        "{}",
        text(&ok)
    );
    let refused = verify_chain(d, &crls, "revoked.pem");
    assert!(!refused.status.success(), "{}", text(&refused));
    assert!(
        text(&refused).contains("certificate revoked"),
        "{}",
        text(&refused)
    );

    // Every publish takes the next number.
    assert_eq!(
        crl::publish(&app.store, &ca, now + 60)
            .await
            .unwrap()
            .number,
        3
    );
    app.stop().await;
}

/// The CRL number in `openssl crl -text` output (on the line after its label).
fn crl_number(listed: &str) -> String {
    let mut lines = listed.lines();
    lines.find(|l| l.contains("X509v3 CRL Number"));
    lines.next().unwrap_or("").trim().to_owned()
}

async fn fetch(app: &App, path: &str) -> (StatusCode, String, Vec<u8>) {
    let response = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
    let status = response.status();
    let media = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.bytes().await.unwrap().to_vec())
}

/// Stores an issued certificate as the issuance job would, under a request of its own;
/// returns the serial.
async fn store_issued(store: &Store, issued: Issued, code: &str) -> String {
    let now = SystemClock.now();
    let request_id: i64 = sqlx::query_scalar(
        "INSERT INTO requests (code, requester, kind, state, key_type, csr, created_at, updated_at) \
         VALUES ($1, 'j.gross@example.org', 'personal', 'issued', 'ecdsa-p256', $2, $3, $3) RETURNING id",
    )
    .bind(code)
    .bind(vec![0u8])
    .bind(now)
    .fetch_one(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO certificates (serial, request_id, der, chain_pem, not_before, not_after, collect_token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&issued.serial)
    .bind(request_id)
    .bind(issued.certificate_der.clone())
    .bind(&issued.chain_pem)
    .bind(issued.not_before)
    .bind(issued.not_after)
    .bind(format!("hash-of-{code}"))
    .execute(store.pool())
    .await
    .unwrap();
    issued.serial
}

/// The keys in `ca_keys` are PEM `ENCRYPTED PRIVATE KEY` (PBES2, PBKDF2-HMAC-SHA256 with 600,000
/// iterations, AES-256-CBC) that openssl opens with the passphrase, and the plaintext key is
/// nowhere in the database.
async fn keys_are_encrypted(app: &App, db: Db, passphrase_file: &Path) {
    let d = app.data_dir.path();
    let rows = sqlx::query("SELECT name, certificate, encrypted_key FROM ca_keys ORDER BY name")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    let database = stored_bytes(app, db).await;
    for row in rows {
        let name: String = row.get("name");
        let pem: String = row.get("encrypted_key");
        let cert: Vec<u8> = row.get("certificate");
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
            "{name}: {pem}"
        );
        let file = format!("{name}-key.pem");
        std::fs::write(d.join(&file), &pem).unwrap();
        let info = openssl(d, &["asn1parse", "-in", &file]);
        for needle in [
            "PBES2",
            "PBKDF2",
            ":0927C0",
            "hmacWithSHA256",
            "aes-256-cbc",
        ] {
            assert!(info.contains(needle), "{name}: {needle} missing in\n{info}");
        }
        let pass = format!("file:{}", passphrase_file.display());
        openssl_fails(
            d,
            &[
                "pkey",
                "-in",
                &file,
                "-passin",
                "pass:wrong passphrase",
                "-noout",
            ],
        );
        let plain_file = format!("{name}-plain.der");
        openssl(
            d,
            &[
                "pkcs8",
                "-topk8",
                "-nocrypt",
                "-in",
                &file,
                "-passin",
                &pass,
                "-outform",
                "DER",
                "-out",
                &plain_file,
            ],
        );
        let plain = std::fs::read(d.join(&plain_file)).unwrap();
        let key = PrivateKey::from_pkcs8_der(&plain).unwrap();
        // The key that decrypts belongs to the certificate stored with it.
        let spki = key.public_key_der().unwrap();
        assert!(
            cert.windows(spki.len()).any(|w| w == spki),
            "{name}: key and certificate differ"
        );
        let PrivateKey::P384(signing) = &key else {
            panic!("{name}: a P-384 CA key expected");
        };
        let scalar = signing.to_bytes();
        // Also as it would look in a PEM file or a hex dump.
        let base64 = openssl(d, &["base64", "-A", "-in", &plain_file]);
        let hex: String = scalar.iter().map(|b| format!("{b:02x}")).collect();
        for secret in [
            &plain[..],
            &scalar[..],
            &base64.as_bytes()[..48],
            hex.as_bytes(),
        ] {
            assert!(
                !database.windows(secret.len()).any(|w| w == secret),
                "{name}: plaintext key stored"
            );
        }
    }
}

/// Everything the database holds that could contain a key: for SQLite the files themselves.
async fn stored_bytes(app: &App, db: Db) -> Vec<u8> {
    match db {
        Db::Sqlite => {
            let base = app.data_dir.path().join("certdesk.sqlite");
            let mut all = std::fs::read(&base).unwrap();
            for suffix in ["-wal", "-shm"] {
                all.extend(
                    std::fs::read(base.with_extension(format!("sqlite{suffix}")))
                        .unwrap_or_default(),
                );
            }
            all
        }
        Db::Postgres => {
            let rows = sqlx::query("SELECT certificate, encrypted_key FROM ca_keys")
                .fetch_all(app.store.pool())
                .await
                .unwrap();
            let mut all = Vec::new();
            for r in rows {
                all.extend(r.get::<Vec<u8>, _>("certificate"));
                all.extend(r.get::<String, _>("encrypted_key").into_bytes());
            }
            all
        }
    }
}

/// Key, CSR and certificate made by openssl, as an organisation's existing CA would be.
fn openssl_ca(dir: &Path) {
    for key in ["root.key", "issuing.key", "other.key"] {
        openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
                "-out",
                key,
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "root.key",
            "-subj",
            "/C=DE/O=Example University/CN=Old Root",
            "-days",
            "3650",
            "-sha384",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-out",
            "root.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "issuing.key",
            "-subj",
            "/C=DE/O=Example University/CN=Old Issuing CA",
            "-out",
            "issuing.csr",
        ],
    );
    std::fs::write(
        dir.join("issuing.ext"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n\
         extendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "issuing.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-days",
            "1825",
            "-sha384",
            "-extfile",
            "issuing.ext",
            "-out",
            "issuing.pem",
        ],
    );
}

/// `ca import` takes only parts that belong together, and the imported CA issues.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_checks_that_the_parts_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl_ca(d);
    let mut config = standalone_config(d, KeyType::EcdsaP384);
    config.ca.passphrase = Some(Secret("a passphrase of some length".into()));
    let cli = Cli::new(&config, d);
    let import = |root: &'static str, issuing: &'static str, key: &'static str| {
        [
            "ca",
            "import",
            "--root",
            root,
            "--issuing",
            issuing,
            "--issuing-key",
            key,
        ]
    };
    let line = cli.fails(
        &import("root.pem", "issuing.pem", "other.key"),
        "ca_key_mismatch",
    );
    assert!(line.contains("issuing key"), "{line}");
    let line = cli.fails(
        &import("issuing.pem", "issuing.pem", "issuing.key"),
        "ca_import_invalid",
    );
    assert!(line.contains("not self-signed"), "{line}");
    let line = cli.fails(
        &import("root.pem", "root.pem", "root.key"),
        "ca_import_invalid",
    );
    assert!(line.contains("root's key"), "{line}");
    // Nothing of the refused imports was kept.
    cli.fails(&["ca", "show"], "ca_missing");

    let show = cli.ok(&import("root.pem", "issuing.pem", "issuing.key"));
    assert!(show.contains("CN=Old Issuing CA"), "{show}");
    assert!(
        show.contains("private key not stored"),
        "the root's key stays elsewhere: {show}"
    );
    let store = Store::connect(&config.database_url()).await.unwrap();
    let ca = BuiltinCa::load(&store, &config).await.unwrap().unwrap();
    assert!(ca.root_key().is_none());
    let (_, spki) = &subscriber_keys()[0];
    for (expected, order) in orders(spki) {
        let issued = issue(&ca, &order).await;
        judge(d, &issued.certificate_der, expected);
    }
    // Without the root's key there is no root CRL here, only the issuing CA's.
    let crls: Vec<String> = sqlx::query_scalar("SELECT ca FROM crls")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(crls, ["issuing"]);
    store.close().await;
}

/// `certdesk serve` starts without a CA and says so; with a CA it needs the right passphrase.
#[test]
fn serve_without_a_ca_says_so_and_a_wrong_passphrase_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = standalone_config(d, KeyType::EcdsaP384);
    let cli = Cli::new(&config, d).with("CERTDESK_LISTEN", "127.0.0.1:0");
    let said = first_line_containing(&cli, "no certificate authority yet");
    assert!(said.contains("certdesk ca init"), "{said}");

    let short = Cli::new(&config, d).with("CERTDESK_CA__PASSPHRASE", "too short");
    short.fails(&["ca", "init"], "ca_passphrase_weak");
    cli.fails(&["ca", "init"], "ca_passphrase_missing");
    let right = Cli::new(&config, d).with("CERTDESK_CA__PASSPHRASE", "the right passphrase, long");
    right.ok(&["ca", "init"]);
    let wrong = cli.with("CERTDESK_CA__PASSPHRASE", "a wrong passphrase, also long");
    wrong.fails(&["serve"], "ca_wrong_passphrase");
    let right = right.with("CERTDESK_LISTEN", "127.0.0.1:0");
    first_line_containing(&right, "built-in CA loaded");
}

/// Starts `certdesk serve`, waits for a log line containing `needle`, stops the server.
fn first_line_containing(cli: &Cli, needle: &str) -> String {
    let mut cmd = Command::new(crate::support::certdesk_bin());
    cmd.current_dir(&cli.dir)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("CERTDESK_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(cli.env.iter().map(|(k, v)| (k, v)));
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let found = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.contains(needle) => break Some(line),
            Ok(line) => seen.push(line),
            Err(_) => break None,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    found.unwrap_or_else(|| panic!("no log line with `{needle}`; saw:\n{}", seen.join("\n")))
}
