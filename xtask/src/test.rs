//! `cargo xtask test`: everything CI checks, in one command. All steps run even when one
//! fails, so one run shows every problem; the exit code is non-zero if any failed.

use std::time::Instant;

use crate::cmd::{Captured, Ctx};
use crate::setup::{self, Purpose};

pub fn test(ctx: &Ctx) -> Result<(), String> {
    let started = Instant::now();
    setup::setup(ctx, Purpose::Test)?;
    let mut report = Report::default();

    report.add(
        "formatting",
        ctx.step(
            "cargo fmt --check",
            &mut ctx.cargo(&["fmt", "--all", "--", "--check"]),
        ),
    );
    report.add(
        "clippy (native)",
        ctx.step(
            "cargo clippy (native)",
            &mut ctx.cargo(&["clippy", "--all-targets", "--", "-D", "warnings"]),
        ),
    );
    report.add(
        "clippy (wasm32)",
        ctx.step(
            "cargo clippy (wasm32)",
            &mut ctx.cargo(&[
                "clippy",
                "-p",
                "certdesk-shared",
                "-p",
                "certdesk-frontend",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
    );
    let web = crate::build_web(ctx);
    let web_built = web.is_ok();
    report.add("web app build", web);

    report.add_tests(ctx.step_captured(
        "unit tests (native)",
        &mut ctx.cargo(&[
            "test",
            "-p",
            "certdesk-shared",
            "-p",
            "certdesk-backend",
            "-p",
            "xtask",
        ]),
    ));
    let mut wasm = ctx.cargo(&[
        "test",
        "-p",
        "certdesk-frontend",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    wasm.env("CHROMEDRIVER", "/usr/bin/chromedriver");
    // The runner's default of 20 s per test file is tight for real RSA key generation in
    // the browser on a busy machine.
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        wasm.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    }
    report.add_tests(ctx.step_captured(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        &mut wasm,
    ));

    let bin = ctx.step(
        "build the certdesk binary for the integration tests",
        &mut ctx.cargo(&["build", "-p", "certdesk-backend", "--bin", "certdesk"]),
    );
    if web_built && bin.is_ok() {
        let mut integration = ctx.cargo(&["test", "-p", "certdesk-tests"]);
        integration
            .env("CERTDESK_TEST_WEB_ROOT", ctx.root.join("dist"))
            .env("CERTDESK_TEST_BIN", ctx.target.join("debug/certdesk"));
        report.add_tests(ctx.step_captured(
            "integration tests (server, browser, openssl)",
            &mut integration,
        ));
    } else {
        report.add(
            "integration tests",
            Err("skipped: the web app or the binary did not build".into()),
        );
    }
    // The benchmarks' short runs (browser and server) on the debug build: the benchmark
    // keeps working, and nothing is written to docs/perf.md.
    if web_built && bin.is_ok() {
        report.add(
            "benchmark smoke run (cargo xtask bench --quick, debug build)",
            crate::bench::smoke(ctx, &ctx.target.join("debug/certdesk")),
        );
    }
    report.add("certdesk binary build", bin);

    report.finish(started)
}

#[derive(Default)]
struct Report {
    steps: Vec<(String, Result<(), String>)>,
    /// The test runners' own `test result:` lines, in order.
    results: Vec<String>,
}

impl Report {
    fn add(&mut self, name: &str, outcome: Result<(), String>) {
        self.steps.push((name.to_owned(), outcome));
    }

    fn add_tests(&mut self, run: Captured) {
        self.results.extend(
            run.lines
                .into_iter()
                .filter(|l| l.trim_start().starts_with("test result:")),
        );
        self.add(&run.what, run.outcome);
    }

    /// Prints every step's outcome, then the runners' summaries and their total, last.
    fn finish(self, started: Instant) -> Result<(), String> {
        println!(
            "\nxtask: summary ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
        let mut failed_steps = 0;
        for (name, outcome) in &self.steps {
            match outcome {
                Ok(()) => println!("  ok      {name}"),
                Err(e) => {
                    failed_steps += 1;
                    println!("  FAILED  {e}");
                }
            }
        }
        let (mut passed, mut failed) = (0u64, 0u64);
        for line in &self.results {
            println!("{}", line.trim());
            passed += count(line, " passed");
            failed += count(line, " failed");
        }
        println!("total: {passed} passed, {failed} failed");
        if failed_steps == 0 && failed == 0 {
            Ok(())
        } else {
            Err(format!("{failed_steps} step(s) failed"))
        }
    }
}

/// The number before `word` in a `test result:` line, e.g. `5` in `5 passed;`.
fn count(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|end| line[..end].rsplit([' ', '.']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_from_cargo_summary() {
        let l = "test result: ok. 12 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out";
        assert_eq!(count(l, " passed"), 12);
        assert_eq!(count(l, " failed"), 3);
        assert_eq!(
            count("test result: FAILED. 0 passed; 1 failed;", " failed"),
            1
        );
        assert_eq!(count("nothing here", " passed"), 0);
    }
}
