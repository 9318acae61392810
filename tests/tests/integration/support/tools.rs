//! The outside judges: the `openssl` command line and DigiCert's pkilint.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const OPENSSL: &str = "/usr/bin/openssl";

/// Runs `program` in `dir`.
pub fn run(program: &Path, dir: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", program.display()))
}

/// Everything a command wrote, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs openssl and requires success; returns stdout.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = run(Path::new(OPENSSL), dir, args);
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs openssl and requires failure; returns everything it said.
pub fn openssl_fails(dir: &Path, args: &[&str]) -> String {
    let out = run(Path::new(OPENSSL), dir, args);
    assert!(
        !out.status.success(),
        "openssl {args:?} succeeded: {}",
        text(&out)
    );
    text(&out)
}

/// `openssl verify` of `leaf` up to root.pem through issuing.pem (all in `dir`), with `extra`
/// options such as CRL checks; what it said and whether it accepted.
pub fn verify_chain(dir: &Path, extra: &[&str], leaf: &str) -> Output {
    let mut args = vec!["verify", "-CAfile", "root.pem", "-untrusted", "issuing.pem"];
    args.extend_from_slice(extra);
    args.push(leaf);
    run(Path::new(OPENSSL), dir, &args)
}

/// A pkilint command: on PATH (`cargo xtask test` puts the tool cache's venv there), else in the
/// tool cache where `cargo xtask setup` installs it.
pub fn pkilint(tool: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(tool))
        .find(|p| p.is_file());
    let cache = || {
        std::env::var_os("CERTDESK_TOOLS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("certdesk-tools"))
            })
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/certdesk-tools"))
            })
            .map(|t| t.join("venv/bin").join(tool))
    };
    let path = on_path.or_else(cache).filter(|p| p.is_file());
    path.unwrap_or_else(|| panic!("{tool} (pkilint) is not installed: run `cargo xtask setup`"))
}

/// Runs a pkilint linter on `file`, requiring no finding at WARNING or worse; returns what it
/// wrote to stderr (the detected type with `-o`).
pub fn lint(dir: &Path, tool: &str, args: &[&str], file: &str) -> String {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-s", "WARNING", file]);
    let out = run(&pkilint(tool), dir, &all);
    let findings = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && findings.trim().is_empty(),
        "{tool} {file}: {}",
        text(&out)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}
