//! The sign-in benchmark: wrk on loopback against a release build of certdesk, once with
//! SQLite and once with PostgreSQL, each `POST /api/auth/link` for a new address.

use std::path::Path;

use crate::bench::Machine;
use crate::cmd::Ctx;
use crate::measure::{Target, on_both_databases, publish, spread};
use crate::server::{Scratch, Server};

const CONNECTIONS: u32 = 200;
const THREADS: u32 = 2;
pub const HEADING: &str = "## Sign-in (`POST /api/auth/link`)";

/// Every request asks a link for a new address, so the per-address limit never applies and
/// every answer does the full work: rate check, token, queued mail. wrk loads the script once
/// per thread; `setup` numbers the threads so that their addresses differ too, and the
/// script's argument, different in each run, moves every run to addresses of its own.
const SCRIPT: &str = r#"
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  n = tonumber(args[1]) or 0
end
function request()
  n = n + 1
  local body = string.format('{"email": "user%d@example.org"}', n * 16 + id)
  return wrk.format("POST", nil, nil, body)
end
"#;

struct Plan {
    runs: usize,
    seconds: u32,
}

const FULL: Plan = Plan {
    runs: 3,
    seconds: 8,
};
const QUICK: Plan = Plan {
    runs: 2,
    seconds: 2,
};

/// One wrk run.
pub struct Run {
    pub requests: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// The runs on one database.
struct Figures {
    database: String,
    runs: Vec<Run>,
    peak_rss_kb: u64,
}

/// Loads certdesk on SQLite, then on PostgreSQL, and records the results in docs/perf.md if
/// no run had an error (a quick run only prints them).
pub fn bench(ctx: &Ctx, bin: &Path, quick: bool) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let scratch = Scratch::new()?;
    let script = scratch.0.join("signin.lua");
    std::fs::write(&script, SCRIPT).map_err(|e| format!("cannot write the wrk script: {e}"))?;
    let machine = Machine::now(ctx);
    let figures = on_both_databases(ctx, &scratch.0, "signin", &mut |t| {
        run(ctx, bin, t, &script, plan)
    })?;
    let failed: Vec<String> = figures
        .iter()
        .map(|f| (f, f.runs.iter().map(|r| r.errors).sum::<u64>()))
        .filter(|(_, errors)| *errors > 0)
        .map(|(f, errors)| format!("{}: {errors}", f.database))
        .collect();
    if !failed.is_empty() {
        for line in table(&figures) {
            println!("{line}");
        }
        return Err(format!(
            "the sign-in benchmark had errors ({}); docs/perf.md is left as it was",
            failed.join(", ")
        ));
    }
    publish(ctx, quick, "sign-in", &table(&figures), HEADING, &|| {
        section(&machine, plan, &figures)
    })
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

/// One database: start certdesk, load it run after run, read its peak memory, stop it.
fn run(ctx: &Ctx, bin: &Path, t: &Target, script: &Path, plan: &Plan) -> Result<Figures, String> {
    // Raised so that throughput is measured, not the limiter: one client sends every request.
    let extra = t.config() + crate::session::AUTH_LIMITS;
    let mut server = Server::start(bin, &t.dir, &ctx.root.join("dist"), &extra, &t.label)?;
    let origin = server.origin.clone();
    let url = format!("{origin}{}", "/api/auth/link");
    let mut runs = Vec::new();
    for r in 0..plan.runs {
        let out = ctx
            .command("wrk")
            .args(wrk_args(plan.seconds))
            .arg("-s")
            .arg(script)
            .args(["-H", &format!("Origin: {origin}")])
            .args(["-H", "Content-Type: application/json"])
            .arg(&url)
            .args(["--", &(r * 100_000_000).to_string()])
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
        runs.push(parse_wrk(&report)?);
    }
    let peak_rss_kb = server.peak_rss_kb();
    server.stop();
    Ok(Figures {
        database: t.label.clone(),
        runs,
        peak_rss_kb,
    })
}

/// The figures of wrk's report (run with `--latency`).
fn parse_wrk(report: &str) -> Result<Run, String> {
    let mut run = Run {
        requests: 0,
        per_second: 0.0,
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        errors: 0,
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

fn table(figures: &[Figures]) -> Vec<String> {
    let mut lines = vec![
        "| database | requests per run | req/s | p50 | p99 | errors | peak RSS |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for f in figures {
        let of = |get: fn(&Run) -> f64| f.runs.iter().map(get).collect::<Vec<f64>>();
        lines.push(format!(
            "| {} | {} | {} | {} ms | {} ms | {} | {:.1} MB |",
            f.database,
            spread(&of(|r| r.requests as f64), 0),
            spread(&of(|r| r.per_second), 0),
            spread(&of(|r| r.p50_ms), 1),
            spread(&of(|r| r.p99_ms), 1),
            f.runs.iter().map(|r| r.errors).sum::<u64>(),
            f.peak_rss_kb as f64 / 1024.0
        ));
    }
    lines
}

fn section(m: &Machine, plan: &Plan, figures: &[Figures]) -> String {
    let command = format!(
        "wrk {} -s signin.lua -H 'Origin: http://127.0.0.1:PORT' -H 'Content-Type: application/json' http://127.0.0.1:PORT/api/auth/link -- OFFSET",
        wrk_args(plan.seconds).join(" ")
    );
    let mut s = format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench signin` on {date}: {cores} cores ({cpu}), wrk and \
         certdesk (release build) on the same machine over loopback, {CONNECTIONS} concurrent \
         connections. Every figure is the median of {runs} runs of {seconds} s on the same \
         server, with min and max in brackets. Each request asks a sign-in link for a new \
         address, so each one checks the rate limits, stores a token and queues a mail; \
         without an SMTP server the mails are written as .eml files into the data directory \
         (the default). The rate limits are raised (`links_per_client = 100000` per minute) so \
         that throughput is measured, not the limiter. Errors are non-2xx answers and socket \
         errors; peak RSS is the server's `VmHWM` after all runs. Each database starts empty. \
         Load average (1 min) before the runs: {load}.\n\n",
        date = m.date,
        cores = m.cores,
        cpu = m.cpu,
        runs = plan.runs,
        seconds = plan.seconds,
        load = m.load,
    );
    for line in table(figures) {
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n```sh\n{command}\n```\n\nsignin.lua posts `{{\"email\": \"user<N>@example.org\"}}` \
         with a new N for every request; OFFSET moves each run to addresses of its own.\n"
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
