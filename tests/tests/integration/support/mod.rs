//! Test support: the real server in-process, the real browser, the real binary.

pub mod app;
pub mod browser;
pub mod postgres;
pub mod proxy;
pub mod smtp;
pub mod tools;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace root.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
}

/// The built web app: `CERTDESK_TEST_WEB_ROOT`, or the workspace's `dist/`.
pub fn web_root() -> PathBuf {
    let root = std::env::var_os("CERTDESK_TEST_WEB_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    assert!(
        root.join("index.html").is_file(),
        "the web app is not built in {}: run `cargo xtask test`, which builds it with trunk",
        root.display()
    );
    root
}

/// The `certdesk` binary: `CERTDESK_TEST_BIN` (set by `cargo xtask test`), otherwise built
/// here once with cargo.
pub fn certdesk_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("CERTDESK_TEST_BIN") {
            return PathBuf::from(p);
        }
        escargot::CargoBuild::new()
            .manifest_path(workspace_root().join("backend/Cargo.toml"))
            .bin("certdesk")
            .run()
            .expect("build the certdesk binary")
            .path()
            .to_path_buf()
    })
}
