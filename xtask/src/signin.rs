//! The sign-in benchmark: wrk on loopback against a release build of certdesk, once with
//! SQLite and once with PostgreSQL, each `POST /api/auth/link` for a new address.

use std::path::Path;

use crate::cmd::Ctx;
use crate::postgres::Postgres;
use crate::server::{Scratch, Server, quote, unique};

const CONNECTIONS: u32 = 200;
const THREADS: u32 = 2;
pub const HEADING: &str = "## Sign-in (`POST /api/auth/link`)";

/// Every request asks a link for a new address, so the per-address limit never applies and
/// every answer does the full work: rate check, token, queued mail. wrk loads the script once
/// per thread; `setup` numbers the threads so that their addresses differ too.
const SCRIPT: &str = r#"
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  local body = string.format('{"email": "user%d@example.org"}', n * 16 + id)
  return wrk.format("POST", nil, nil, body)
end
"#;

pub struct Run {
    pub database: String,
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub peak_rss_kb: u64,
}

/// Builds certdesk, loads it on SQLite, then on PostgreSQL, and records the results in
/// docs/perf.md if neither run had an error.
pub fn bench(ctx: &Ctx, quick: bool) -> Result<(), String> {
    let bin = crate::server::build_release(ctx)?;
    let scratch = Scratch::new()?;
    let script = scratch.0.join("signin.lua");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("cannot write the wrk script: {e}"))?;
    let seconds = if quick { 3 } else { 15 };
    let load = crate::bench::load_average();
    let mut runs = Vec::new();
    runs.push(run(
        ctx,
        &bin,
        &scratch.0.join("sqlite"),
        None,
        &script,
        seconds,
        "SQLite",
    )?);
    let pg_name = format!("certdesk_bench_{}", unique());
    let pg = Postgres::start(ctx, &scratch.0, &pg_name)?;
    let version = pg.version.split_whitespace().next().unwrap_or("?");
    let label = format!("PostgreSQL {version} ({})", pg.origin);
    runs.push(run(
        ctx,
        &bin,
        &scratch.0.join("postgres"),
        Some(&pg.url),
        &script,
        seconds,
        &label,
    )?);
    drop(pg);

    println!();
    for line in table(&runs) {
        println!("{line}");
    }
    let failed: Vec<&Run> = runs.iter().filter(|r| r.errors > 0).collect();
    if !failed.is_empty() {
        return Err(format!(
            "the sign-in benchmark had errors ({}); docs/perf.md is left as it was",
            failed
                .iter()
                .map(|r| format!("{}: {}", r.database, r.errors))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    crate::bench::write_section(ctx, HEADING, &section(ctx, &runs, seconds, &load))?;
    println!("xtask: sign-in results written to docs/perf.md");
    Ok(())
}

fn wrk_args(seconds: u32) -> Vec<String> {
    vec![
        format!("-t{THREADS}"),
        format!("-c{CONNECTIONS}"),
        format!("-d{seconds}s"),
        "--timeout".into(),
        "10s".into(),
        "--latency".into(),
    ]
}

/// One database: start certdesk, load it, read its peak memory, stop it.
fn run(
    ctx: &Ctx,
    bin: &Path,
    dir: &Path,
    database_url: Option<&str>,
    script: &Path,
    seconds: u32,
    label: &str,
) -> Result<Run, String> {
    let mut extra = String::new();
    if let Some(url) = database_url {
        extra.push_str(&format!("database_url = {}\n", quote(Path::new(url))));
    }
    // Raised so that throughput is measured, not the limiter: one client sends every request.
    extra.push_str(
        "\n[auth]\nlinks_per_address = 1000\nlinks_per_client = 100000\nrate_window_minutes = 1\n",
    );
    let mut server = Server::start(bin, dir, &ctx.root.join("dist"), &extra, label)?;
    let origin = server.origin.clone();
    let url = format!("{origin}{}", "/api/auth/link");
    let out = ctx
        .command("wrk")
        .args(wrk_args(seconds))
        .arg("-s")
        .arg(script)
        .args(["-H", &format!("Origin: {origin}")])
        .args(["-H", "Content-Type: application/json"])
        .arg(&url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{report}");
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let peak_rss_kb = peak_rss_kb(server.pid());
    server.stop();
    let mut result = parse_wrk(&report)?;
    result.database = label.to_owned();
    result.peak_rss_kb = peak_rss_kb;
    Ok(result)
}

/// The highest resident set size of the process so far, in kB (0 if unknown).
fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The figures of wrk's report (run with `--latency`).
fn parse_wrk(report: &str) -> Result<Run, String> {
    let mut run = Run {
        database: String::new(),
        requests: 0,
        per_second: 0.0,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        errors: 0,
        peak_rss_kb: 0,
    };
    let mut seen_rate = false;
    for line in report.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", n] => {
                run.per_second = n.parse().map_err(|_| format!("bad line: {line}"))?;
                seen_rate = true;
            }
            ["50%", t] => run.p50_ms = millis(t).ok_or(format!("bad line: {line}"))?,
            ["99%", t] => run.p99_ms = millis(t).ok_or(format!("bad line: {line}"))?,
            [n, "requests", "in", ..] => {
                run.requests = n.parse().map_err(|_| format!("bad line: {line}"))?
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => {
                run.errors += n.parse::<u64>().map_err(|_| format!("bad line: {line}"))?
            }
            // "Socket errors: connect 0, read 0, write 0, timeout 0"
            ["Socket", "errors:", rest @ ..] => {
                run.errors += rest
                    .iter()
                    .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    if !seen_rate || run.p99_ms.is_nan() || run.p50_ms.is_nan() {
        return Err(format!("cannot read wrk's report:\n{report}"));
    }
    Ok(run)
}

/// wrk's durations: "850.00us", "12.34ms", "1.20s", "2.00m".
fn millis(t: &str) -> Option<f64> {
    let (number, factor) = if let Some(n) = t.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

fn table(runs: &[Run]) -> Vec<String> {
    let mut lines = vec![
        "| database | requests | req/s | p50 | p99 | errors | peak RSS |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for r in runs {
        lines.push(format!(
            "| {} | {} | {:.0} | {:.1} ms | {:.1} ms | {} | {:.1} MB |",
            r.database,
            r.requests,
            r.per_second,
            r.p50_ms,
            r.p99_ms,
            r.errors,
            r.peak_rss_kb as f64 / 1024.0
        ));
    }
    lines
}

fn section(ctx: &Ctx, runs: &[Run], seconds: u32, load: &str) -> String {
    let date = ctx
        .probe("date", &["-u", "+%Y-%m-%d"])
        .unwrap_or_else(|| "unknown date".into());
    let cores = ctx.probe("nproc", &[]).unwrap_or_else(|| "?".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let command = format!(
        "wrk {} -s signin.lua -H 'Origin: http://127.0.0.1:PORT' -H 'Content-Type: application/json' http://127.0.0.1:PORT/api/auth/link",
        wrk_args(seconds).join(" ")
    );
    let mut s = format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench` on {date}: {cores} cores ({cpu}), wrk and certdesk \
         (release build) on the same machine over loopback, {CONNECTIONS} concurrent \
         connections. Each request asks a sign-in link for a new address, so each one checks \
         the rate limits, stores a token and queues a mail; without an SMTP server the mails are \
         written as .eml files into the data directory (the default). The rate limits are raised \
         (`links_per_client = 100000` per minute) so that throughput is measured, not the \
         limiter. Errors are non-2xx answers and socket errors; peak RSS is the server's \
         `VmHWM`. Each database starts empty. Load average (1 min) before the runs: {load}.\n\n"
    );
    for line in table(runs) {
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n```sh\n{command}\n```\n\nsignin.lua posts `{{\"email\": \"user<N>@example.org\"}}` \
         with a new N for every request.\n"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 15s test @ http://127.0.0.1:4000/api/auth/link
  2 threads and 200 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    40.12ms   10.00ms 200.00ms   90.00%
    Req/Sec     2.50k   200.00     3.00k    70.00%
  Latency Distribution
     50%   38.50ms
     75%   45.00ms
     90%   52.00ms
     99%    1.20s
  75000 requests in 15.00s, 12.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   4999.50
Transfer/sec:      0.80MB
";

    #[test]
    fn reads_wrk_report() {
        let r = parse_wrk(REPORT).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.requests, 75_000);
        assert!((r.per_second - 4999.5).abs() < 1e-9);
        assert!((r.p50_ms - 38.5).abs() < 1e-9);
        assert!((r.p99_ms - 1200.0).abs() < 1e-9);
        assert_eq!(r.errors, 7);
        assert_eq!(millis("850.00us"), Some(0.85));
        assert!(parse_wrk("garbage").is_err());
    }
}
