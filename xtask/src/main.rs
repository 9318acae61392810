//! `cargo xtask setup | run | test | bench`: the commands the README names.

mod bench;
mod browser;
mod cmd;
mod http;
mod intake;
mod issuance;
mod measure;
mod postgres;
mod queue;
mod server;
mod session;
mod setup;
mod signin;
mod test;
mod webdriver;

use std::process::ExitCode;

use cmd::Ctx;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup [run|test]   install what is missing (default: everything the tests need)
  run                set up, build the web app and start certdesk on http://127.0.0.1:8080
  test               set up, then formatting, lints, unit, browser and integration tests
  bench [--quick] [browser|server|signin|intake|queue|issuance]
                     measure sizes and speeds and write docs/perf.md (--quick: a short
                     smoke run that writes nothing); only one part if named, or all the
                     server's parts (server)

The tools go into a cache outside the repository: $CERTDESK_TOOLS, or
$XDG_CACHE_HOME/certdesk-tools, or ~/.cache/certdesk-tools.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ctx = match Ctx::new() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xtask: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match args.first().map(String::as_str) {
        Some("setup") => match args.get(1).map(String::as_str) {
            Some("run") => setup::setup(&ctx, setup::Purpose::Run),
            None | Some("test") => setup::setup(&ctx, setup::Purpose::Test),
            Some(other) => Err(format!("unknown setup purpose `{other}`; use run or test")),
        },
        Some("run") => run(&ctx),
        Some("test") => test::test(&ctx),
        Some("bench") => bench::bench(&ctx, &args[1..]),
        Some("-h" | "--help" | "help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the web app and the server, then runs `certdesk serve` in the foreground.
fn run(ctx: &Ctx) -> Result<(), String> {
    setup::setup(ctx, setup::Purpose::Run)?;
    build_web(ctx)?;
    ctx.step(
        "build the server",
        &mut ctx.cargo(&["build", "-p", "certdesk-backend", "--bin", "certdesk"]),
    )?;
    let bin = ctx.target.join("debug/certdesk");
    // The embedded defaults come with a working built-in CA, made once with a random passphrase
    // in ./data/ca-passphrase (mode 0600). A certdesk.toml of the user's own decides itself.
    let own_config = ctx.root.join("certdesk.toml").exists();
    if !own_config {
        ctx.step(
            "certificate authority (made once; passphrase in ./data/ca-passphrase)",
            ctx.command(&bin)
                .args(["ca", "init", "--if-missing", "--generate-passphrase"]),
        )?;
    }
    println!(
        "xtask: starting certdesk (data in ./data, mail as .eml files in ./data/mail; Ctrl-C stops it)"
    );
    let mut serve = ctx.command(&bin);
    serve.arg("serve");
    // An example registration, so that personal and role certificates can be tried out.
    let org_id = "CERTDESK_CA__ORGANISATION_IDENTIFIER";
    if !own_config && std::env::var_os(org_id).is_none() {
        serve.env(org_id, "NTRDE-DEK1101R.HRB123456");
    }
    // The embedded defaults serve plain http on 127.0.0.1: without this explicit development
    // switch a browser would not send the Secure session cookie back. A certdesk.toml of the
    // user's own decides for itself.
    let insecure = "CERTDESK_AUTH__DEV_INSECURE_COOKIES";
    if std::env::var_os(insecure).is_none() && !ctx.root.join("certdesk.toml").exists() {
        println!("xtask: local development: session cookie without the Secure flag (plain http)");
        serve.env(insecure, "true");
    }
    // Ctrl-C reaches both processes (same process group); certdesk shuts down gracefully.
    ctx.step("certdesk serve", &mut serve)
}

/// `trunk build --release --offline` into `dist/`, with the size-optimised profile.
pub fn build_web(ctx: &Ctx) -> Result<(), String> {
    ctx.step("fetch crates", &mut ctx.cargo(&["fetch"]))?;
    let mut trunk = ctx.command(ctx.tools.join("bin/trunk"));
    trunk.args([
        "build",
        "--release",
        "--offline",
        "--cargo-profile",
        "wasm-release",
    ]);
    ctx.step("build the web app (trunk)", &mut trunk)
}
