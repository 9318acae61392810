//! `cargo xtask setup`: installs what is missing, and nothing else, into the tool cache or
//! (Debian packages) the system. Every step says what it found or did; a second run only checks.

use std::time::Instant;

use crate::cmd::Ctx;

const TRUNK: &str = "0.21.14";
const BINARYEN: &str = "132.0.0";
const PKILINT: &str = "0.13.3";
const NODE_FORGE: &str = "1.4.3";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Debian packages the tests need: the browser and its driver, the tools that judge our
/// files, a real PostgreSQL and a real SMTP server, and brotli for the size measurements.
const TEST_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "openssl",
    "postgresql",
    "python3-aiosmtpd",
    "brotli",
];

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Run,
    Test,
}

pub fn setup(ctx: &Ctx, purpose: Purpose) -> Result<(), String> {
    let started = Instant::now();
    println!("setup: tool cache {}", ctx.tools.display());
    std::fs::create_dir_all(&ctx.tools)
        .map_err(|e| format!("cannot create the tool cache {}: {e}", ctx.tools.display()))?;
    wasm_target(ctx)?;
    if purpose == Purpose::Test {
        debian_packages(ctx, TEST_PACKAGES)?;
    }
    trunk(ctx)?;
    wasm_bindgen(ctx)?;
    wasm_opt(ctx)?;
    if purpose == Purpose::Test {
        pkilint(ctx)?;
    }
    println!("setup: done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn have(what: &str) {
    println!("setup: {what}: already there");
}

fn wasm_target(ctx: &Ctx) -> Result<(), String> {
    let installed = ctx
        .probe("rustup", &["target", "list", "--installed"])
        .map(|out| out.lines().any(|l| l.trim() == WASM_TARGET));
    match installed {
        Some(true) => {
            have("Rust target wasm32-unknown-unknown");
            Ok(())
        }
        Some(false) => ctx.step(
            "setup: Rust target wasm32-unknown-unknown: installing",
            ctx.command("rustup").args(["target", "add", WASM_TARGET]),
        ),
        None => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot = ctx
                .probe("rustc", &["--print", "sysroot"])
                .unwrap_or_default();
            if std::path::Path::new(&sysroot)
                .join("lib/rustlib")
                .join(WASM_TARGET)
                .is_dir()
            {
                have("Rust target wasm32-unknown-unknown");
                Ok(())
            } else {
                Err(
                    "the Rust target wasm32-unknown-unknown is missing and rustup is not \
                     available: install the target for your Rust toolchain"
                        .into(),
                )
            }
        }
    }
}

fn cargo_install(ctx: &Ctx, krate: &str, version: &str, binary: &str) -> Result<(), String> {
    let bin = ctx.tools.join("bin").join(binary);
    let want = format!("{binary} {version}");
    if ctx
        .probe(&bin, &["--version"])
        .is_some_and(|v| v.starts_with(&want))
    {
        have(&want);
        return Ok(());
    }
    let root = ctx.tools.to_string_lossy().into_owned();
    let mut locked = ctx.cargo(&[
        "install",
        krate,
        "--version",
        version,
        "--locked",
        "--root",
        &root,
    ]);
    let what = format!("setup: {want}: installing with cargo (takes minutes, once)");
    if ctx.step(&what, &mut locked).is_ok() {
        return Ok(());
    }
    // A crate's lock file can name a dependency version the registry no longer offers.
    let mut unlocked = ctx.cargo(&["install", krate, "--version", version, "--root", &root]);
    ctx.step(
        &format!("setup: {want}: retrying without --locked"),
        &mut unlocked,
    )
}

fn trunk(ctx: &Ctx) -> Result<(), String> {
    cargo_install(ctx, "trunk", TRUNK, "trunk")
}

/// The CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
fn wasm_bindgen(ctx: &Ctx) -> Result<(), String> {
    let version = locked_version(ctx, "wasm-bindgen")?;
    cargo_install(ctx, "wasm-bindgen-cli", &version, "wasm-bindgen")
}

pub fn locked_version(ctx: &Ctx, krate: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(ctx.root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{krate}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    Err(format!("Cargo.lock names no {krate}"))
}

fn wasm_opt(ctx: &Ctx) -> Result<(), String> {
    let bin = ctx.tools.join("node_modules/.bin/wasm-opt");
    let major = BINARYEN.split('.').next().unwrap_or(BINARYEN);
    if ctx
        .probe(&bin, &["--version"])
        .is_some_and(|v| v.contains(&format!("version {major}")))
    {
        have(&format!("wasm-opt (binaryen {BINARYEN})"));
        return Ok(());
    }
    npm_install(ctx, "wasm-opt", "binaryen", BINARYEN)
}

/// node-forge, the pure-JavaScript RSA generator the browser benchmark compares against. Only
/// the benchmark page loads it; the app never ships it.
pub(crate) fn node_forge(ctx: &Ctx) -> Result<(), String> {
    let manifest = ctx.tools.join("node_modules/node-forge/package.json");
    let want = format!("\"version\": \"{NODE_FORGE}\"");
    if std::fs::read_to_string(&manifest).is_ok_and(|m| m.contains(&want)) {
        have(&format!("node-forge {NODE_FORGE}"));
        return Ok(());
    }
    npm_install(ctx, "node-forge", "node-forge", NODE_FORGE)
}

fn npm_install(ctx: &Ctx, what: &str, package: &str, version: &str) -> Result<(), String> {
    if ctx.probe("npm", &["--version"]).is_none() {
        return Err(format!(
            "{what} comes from npm, and npm is missing: install Node.js with npm \
             (Debian: apt-get install npm), then run cargo xtask setup again"
        ));
    }
    let prefix = ctx.tools.to_string_lossy().into_owned();
    let pkg = format!("{package}@{version}");
    ctx.step(
        &format!("setup: {what} (npm {pkg}): installing"),
        ctx.command("npm").args([
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            &prefix,
            &pkg,
        ]),
    )
}

pub(crate) fn debian_packages(ctx: &Ctx, packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            ctx.probe("dpkg-query", &["-W", "-f=${Status}", p])
                .is_none_or(|s| !s.ends_with("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        have(&format!("Debian packages {}", packages.join(" ")));
        return Ok(());
    }
    let list = missing.join(" ");
    let is_root = ctx.probe("id", &["-u"]).as_deref() == Some("0");
    let has_apt = ctx.probe("apt-get", &["--version"]).is_some();
    if !(is_root && has_apt) {
        return Err(format!(
            "these system packages are missing: {list}\n  install them as administrator, on \
             Debian or Ubuntu: sudo apt-get install --no-install-recommends {list}\n  then run \
             cargo xtask setup again"
        ));
    }
    ctx.step(
        "setup: apt-get update",
        ctx.command("apt-get")
            .args(["update", "-q"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let mut install = ctx.command("apt-get");
    install
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive");
    ctx.step(
        &format!("setup: Debian packages {list}: installing"),
        &mut install,
    )
}

/// pkilint judges our certificates; it lives in its own virtual environment in the cache.
fn pkilint(ctx: &Ctx) -> Result<(), String> {
    let venv = ctx.tools.join("venv");
    let python = venv.join("bin/python");
    let query = "import importlib.metadata as m; print(m.version('pkilint'))";
    if ctx.probe(&python, &["-c", query]).as_deref() == Some(PKILINT) {
        have(&format!("pkilint {PKILINT}"));
        return Ok(());
    }
    if !python.exists() {
        let dir = venv.to_string_lossy().into_owned();
        ctx.step(
            "setup: Python virtual environment for pkilint: creating",
            ctx.command("python3").args(["-m", "venv", &dir]),
        )
        .map_err(|e| {
            format!("{e}\n  python3 with the venv module is needed (Debian: apt-get install python3-venv)")
        })?;
    }
    ctx.step(
        &format!("setup: pkilint {PKILINT}: installing"),
        ctx.command(&python)
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .arg(format!("pkilint=={PKILINT}")),
    )
}
