//! `certdesk operator …` and `certdesk audit verify` as an administrator runs them.

use std::path::Path;
use std::process::Output;

use certdesk::store::Store;

use crate::support::certdesk_bin;

/// Runs the real binary in `dir` with only the data directory configured.
fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = std::process::Command::new(certdesk_bin())
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("CERTDESK_DATA_DIR", dir.join("data"))
        .output()
        .unwrap();
    (
        status.success(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[tokio::test]
async fn operators_are_managed_and_the_audit_chain_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out, _) = run(d, &["operator", "list"]);
    assert!(ok && out.contains("no operators"), "{out}");
    assert!(
        run(
            d,
            &["operator", "add", "Desk@Example.org", "--role", "desk"]
        )
        .0
    );
    assert!(
        run(
            d,
            &["operator", "add", "boss@example.org", "--role", "admin"]
        )
        .0
    );
    let (ok, _, err) = run(d, &["operator", "add", "x@evil.org", "--role", "admin"]);
    assert!(
        !ok && err.contains("mail_domains") && err.contains("[usage_error]"),
        "{err}"
    );
    let (ok, _, err) = run(d, &["operator", "add", "y@example.org", "--role", "root"]);
    assert!(!ok && err.contains("root"), "{err}");
    let (_, out, _) = run(d, &["operator", "list"]);
    assert_eq!(out, "boss@example.org\tadmin\ndesk@example.org\tdesk\n");
    let (ok, out, _) = run(d, &["operator", "remove", "desk@example.org"]);
    assert!(ok && out.contains("requester (was desk)"), "{out}");
    let (_, out, _) = run(d, &["operator", "list"]);
    assert_eq!(out, "boss@example.org\tadmin\n");

    let (ok, out, _) = run(d, &["audit", "verify"]);
    assert!(ok && out.contains("intact: 3 entries"), "{out}");

    let url = format!("sqlite://{}", d.join("data/certdesk.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = 'requester -> requester' WHERE id = 2")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let (ok, _, err) = run(d, &["audit", "verify"]);
    assert!(!ok, "tampering must fail the check");
    assert_eq!(
        err.trim_end(),
        "error: audit log broken at entry 2: content does not match its hash [audit_chain_broken]"
    );
}
