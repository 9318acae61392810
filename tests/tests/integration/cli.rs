//! The `certdesk` command as a user runs it: help, configuration mistakes, start-up failures.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::certdesk_bin;

/// Runs certdesk in `dir` with a clean CERTDESK_* environment plus `env`.
pub(crate) fn certdesk(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(certdesk_bin());
    cmd.current_dir(dir).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("CERTDESK_") || k == "RUST_LOG" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().unwrap()
}

/// A failed start must be exactly one line on stderr, starting with `error:`, no panic.
pub(crate) fn one_error_line(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected failure, got {:?}",
        out.status
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = certdesk(dir.path(), &["--help"], &[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["Usage: certdesk", "serve", "init", "--config"] {
        assert!(help.contains(word), "{word} missing in:\n{help}");
    }
    let out = certdesk(dir.path(), &["serve", "--help"], &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: certdesk serve"));
    let out = certdesk(dir.path(), &["--version"], &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(certdesk::VERSION));
}

#[test]
fn an_unknown_config_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("certdesk.toml"),
        "lisen = \"127.0.0.1:0\"\n",
    )
    .unwrap();
    let err = one_error_line(&certdesk(dir.path(), &["serve"], &[]));
    assert!(
        err.contains("lisen") && err.contains("certdesk.toml"),
        "{err}"
    );

    let err = one_error_line(&certdesk(
        dir.path(),
        &["serve"],
        &[("CERTDESK_CONFIG", "other.toml")],
    ));
    assert!(err.contains("other.toml"), "{err}");

    std::fs::remove_file(dir.path().join("certdesk.toml")).unwrap();
    let err = one_error_line(&certdesk(
        dir.path(),
        &["serve"],
        &[("CERTDESK_LISTN", "x")],
    ));
    assert!(err.to_lowercase().contains("listn"), "{err}");
}

#[test]
fn a_port_in_use_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let err = one_error_line(&certdesk(
        dir.path(),
        &["serve"],
        &[("CERTDESK_LISTEN", &addr)],
    ));
    assert!(
        err.contains(&addr) && err.contains("already running"),
        "{err}"
    );
}

#[test]
fn an_unusable_data_directory_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let env = [
        ("CERTDESK_LISTEN", "127.0.0.1:0"),
        ("CERTDESK_DATA_DIR", file.to_str().unwrap()),
    ];
    let err = one_error_line(&certdesk(dir.path(), &["serve"], &env));
    assert!(
        err.contains("data directory") && err.contains("not a directory"),
        "{err}"
    );
}

#[test]
fn init_writes_a_configuration_that_serve_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = certdesk(dir.path(), &["init"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("certdesk.toml").is_file());
    assert!(dir.path().join("data").is_dir());
    // A second init refuses to overwrite.
    let err = one_error_line(&certdesk(dir.path(), &["init"], &[]));
    assert!(err.contains("--force"), "{err}");
}
