//! The issuance benchmark: certificates per second that a release build of certdesk issues
//! with its built-in CA, per CA key type, next to `openssl speed`'s signatures per second for
//! the same key type measured in the same run.
//!
//! The requests are made once, through the API, by people whose identity was imported (so
//! intake approves them and records an issuance job), on a server that has no CA yet, so
//! the jobs wait. Each run then starts a server on a copy of that database with a CA made
//! for the key type, and times its issuance worker from the first stored certificate to the
//! last by counting the `certificates` table.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::bench::Machine;
use crate::cmd::Ctx;
use crate::measure::{Call, Db, Spread, load, spread};
use crate::server::{Scratch, Server, cli};
use crate::session::{self, AUTH_LIMITS};

pub const HEADING: &str = "## Issuance (built-in CA)";
/// The open-request limit's highest value: the requests spread over enough people.
const PER_PERSON: usize = 100;
const POLL: Duration = Duration::from_millis(50);
const PASSPHRASE: &str = "bench passphrase, not a secret";

/// A CA key type: certdesk's name, `openssl speed`'s, and the one people read.
struct KeyType {
    certdesk: &'static str,
    openssl: &'static str,
    label: &'static str,
    /// Requests each run issues: enough for a few seconds of work.
    full: usize,
    quick: usize,
}

const KEY_TYPES: [KeyType; 2] = [
    KeyType {
        certdesk: "ecdsa-p384",
        openssl: "ecdsap384",
        label: "ECDSA P-384",
        full: 600,
        quick: 60,
    },
    KeyType {
        certdesk: "rsa-4096",
        openssl: "rsa4096",
        label: "RSA-4096",
        full: 200,
        quick: 20,
    },
];

struct Plan {
    runs: usize,
    openssl_seconds: u32,
    quick: bool,
}

const FULL: Plan = Plan {
    runs: 5,
    openssl_seconds: 2,
    quick: false,
};
const QUICK: Plan = Plan {
    runs: 2,
    openssl_seconds: 1,
    quick: true,
};

/// The figures of one key type over the runs.
struct Figures<'k> {
    key: &'k KeyType,
    /// The database on tmpfs instead of the disk.
    in_memory: bool,
    requests: usize,
    certdesk: Vec<f64>,
    openssl: Vec<f64>,
    ratio: Vec<f64>,
    peak_rss_kb: Vec<f64>,
}

pub fn bench(ctx: &Ctx, bin: &Path, quick: bool) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let machine = Machine::now(ctx);
    let scratch = Scratch::new()?;
    let web_root = ctx.root.join("dist");
    let fsync_ms = fsync_ms(ctx, &scratch.0)?;
    println!("xtask: issuance: a synchronous 4 KiB write (fsync) takes {fsync_ms:.1} ms here");
    let counts: Vec<usize> = KEY_TYPES.iter().map(|k| count(k, plan)).collect();
    let templates = waiting_requests(ctx, bin, &scratch.0, &web_root, &counts)?;
    // One database with a CA per key type; each run starts from a copy of it.
    let mut with_ca = Vec::new();
    for (key, template) in KEY_TYPES.iter().zip(&templates) {
        let dir = scratch.0.join(key.certdesk);
        copy_database(template, &dir.join("data"))?;
        println!("xtask: issuance: a {} CA", key.label);
        cli(
            bin,
            &dir,
            &web_root,
            &config(&scratch.0, key),
            &["ca", "init"],
        )?;
        with_ca.push(dir);
    }
    // The first key type once more with the database in memory (tmpfs), where a commit's
    // synchronous write costs next to nothing: the difference is what the disk costs.
    let memory = Path::new("/dev/shm");
    let memory = if memory.is_dir() {
        Some(Scratch::new_in(memory)?)
    } else {
        None
    };
    let mut setups: Vec<(usize, Option<&Path>)> = (0..KEY_TYPES.len()).map(|k| (k, None)).collect();
    setups.extend(memory.as_ref().map(|m| (0, Some(m.0.as_path()))));
    let mut figures: Vec<Figures> = setups
        .iter()
        .map(|&(k, in_memory)| Figures {
            key: &KEY_TYPES[k],
            in_memory: in_memory.is_some(),
            requests: counts[k],
            certdesk: Vec::new(),
            openssl: Vec::new(),
            ratio: Vec::new(),
            peak_rss_kb: Vec::new(),
        })
        .collect();
    for run in 0..plan.runs {
        // The key types take turns, and openssl runs right before certdesk: a slow stretch
        // of the machine hits both sides of a ratio alike.
        for (f, &(k, in_memory)) in figures.iter_mut().zip(&setups) {
            let signs = openssl_speed(ctx, f.key.openssl, plan.openssl_seconds)?;
            let run_dir = in_memory
                .unwrap_or(&scratch.0)
                .join(format!("{}-run{run}", f.key.certdesk));
            copy_database(&with_ca[k].join("data"), &run_dir.join("data"))?;
            let extra = config(&scratch.0, f.key);
            let (rate, rss) = issue_all(ctx, bin, &run_dir, &web_root, &extra, f.requests)?;
            println!(
                "xtask: issuance {} run {}: {rate:.1} certificates/s, openssl {signs:.1} signatures/s",
                f.label(),
                run + 1
            );
            f.certdesk.push(rate);
            f.openssl.push(signs);
            f.ratio.push(rate / signs);
            f.peak_rss_kb.push(rss as f64);
            let _ = std::fs::remove_dir_all(&run_dir);
        }
    }
    println!();
    for line in table(&figures) {
        println!("{line}");
    }
    if quick {
        println!("xtask: quick run: docs/perf.md keeps its issuance figures");
        return Ok(());
    }
    crate::bench::write_section(ctx, HEADING, &section(&machine, plan, &figures, fsync_ms))?;
    println!("xtask: issuance results written to docs/perf.md");
    Ok(())
}

impl Figures<'_> {
    fn label(&self) -> String {
        if self.in_memory {
            format!("{}, database in memory (tmpfs)", self.key.label)
        } else {
            self.key.label.to_owned()
        }
    }
}

fn count(key: &KeyType, plan: &Plan) -> usize {
    if plan.quick { key.quick } else { key.full }
}

/// The certdesk.toml additions: the open-request limit at its highest, the CA of `key`.
fn config(scratch: &Path, key: &KeyType) -> String {
    format!(
        "\n[requests]\nmax_open_per_user = {PER_PERSON}\n\n[ca]\nkey_type = \"{}\"\n\
         passphrase_file = {}\norganisation_identifier = \"NTRDE-DEK1101R.HRB123456\"\n\
         country = \"DE\"\n{AUTH_LIMITS}",
        key.certdesk,
        crate::server::quote(&scratch.join("ca-passphrase")),
    )
}

/// Makes the approved requests on a server without a CA; returns one database file per
/// entry of `counts`, holding that many waiting issuance jobs.
fn waiting_requests(
    ctx: &Ctx,
    bin: &Path,
    scratch: &Path,
    web_root: &Path,
    counts: &[usize],
) -> Result<Vec<std::path::PathBuf>, String> {
    let passphrase = scratch.join("ca-passphrase");
    std::fs::write(&passphrase, PASSPHRASE).map_err(|e| format!("cannot write: {e}"))?;
    // certdesk warns about a passphrase file others can read.
    let _ = ctx.command("chmod").arg("600").arg(&passphrase).status();
    let dir = scratch.join("requests");
    let most = counts.iter().copied().max().unwrap_or(0);
    let people: Vec<String> = (0..most.div_ceil(PER_PERSON))
        .map(|i| format!("issued{i}@example.org"))
        .collect();
    // Verified 30 days ago, under the name the requests give: intake approves at once.
    let verified_on = ctx
        .probe("date", &["-u", "-d", "30 days ago", "+%Y-%m-%d"])
        .ok_or("cannot compute a date with date -d")?;
    let csv = dir.join("staff.csv");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create: {e}"))?;
    let mut lines = vec!["address,given_name,surname,verified_on".to_owned()];
    lines.extend(
        people
            .iter()
            .map(|p| format!("{p},Bench,Person,{verified_on}")),
    );
    std::fs::write(&csv, lines.join("\n") + "\n").map_err(|e| format!("cannot write: {e}"))?;
    let extra = config(scratch, &KEY_TYPES[0]);
    let csv_arg = csv.to_string_lossy().into_owned();
    cli(
        bin,
        &dir,
        web_root,
        &extra,
        &["identity", "import", &csv_arg],
    )?;
    let server = Server::start(bin, &dir, web_root, &extra, "issuance (no CA yet)")?;
    let cookies = session::sign_in(&server.origin, &dir.join("data"), &people)?;
    // Subscriber keys are P-256, quick to make; the CA's key type decides the signing.
    let key = dir.join("subscriber.key");
    session::key(
        ctx,
        &key,
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    )?;
    let bodies = people
        .iter()
        .map(|p| Ok(session::personal_request(p, &session::csr(ctx, &key, p)?)))
        .collect::<Result<Vec<String>, String>>()?;
    let db = Db::Sqlite(dir.join("data/certdesk.sqlite"));
    let mut sorted: Vec<usize> = counts.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut made = 0;
    let mut files = std::collections::HashMap::new();
    for n in sorted {
        let submitted = load(&server.origin, n - made, 4, &|i| {
            let who = (made + i) / PER_PERSON;
            Call {
                path: "/api/requests".into(),
                cookie: cookies.get(who).map(String::as_str),
                body: bodies.get(who).map(String::as_str),
                expect: 201,
            }
        });
        if let Some(e) = submitted.first_error {
            return Err(format!("submitting the requests to issue: {e}"));
        }
        made = n;
        let waiting = db.number(
            ctx,
            "SELECT count(*) FROM issue_jobs WHERE state = 'pending'",
        )?;
        if waiting != n as i64 {
            return Err(format!("{waiting} issuance jobs wait, not {n}"));
        }
        // A consistent copy while the server runs.
        let file = scratch.join(format!("waiting-{n}.sqlite"));
        db.sql(ctx, &format!("VACUUM INTO '{}'", file.display()))?;
        files.insert(n, file);
    }
    drop(server);
    counts
        .iter()
        .map(|n| {
            files
                .remove(n)
                .ok_or_else(|| format!("no database with {n} requests"))
        })
        .collect()
}

/// Copies the SQLite database `from` (a file, or the data directory holding
/// certdesk.sqlite) into the data directory `to` as certdesk.sqlite. A database that a
/// command left in WAL mode keeps its last transactions in the `-wal` file: it goes along.
fn copy_database(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let file = if from.is_dir() {
        from.join("certdesk.sqlite")
    } else {
        from.to_path_buf()
    };
    std::fs::copy(&file, to.join("certdesk.sqlite"))
        .map_err(|e| format!("cannot copy {}: {e}", file.display()))?;
    let wal = file.with_file_name(format!(
        "{}-wal",
        file.file_name().unwrap_or_default().to_string_lossy()
    ));
    if wal.is_file() {
        std::fs::copy(&wal, to.join("certdesk.sqlite-wal"))
            .map_err(|e| format!("cannot copy {}: {e}", wal.display()))?;
    }
    Ok(())
}

/// Starts certdesk on the database in `dir` and waits until `requests` certificates are
/// stored; returns certificates per second from the first to the last, and the peak RSS.
fn issue_all(
    ctx: &Ctx,
    bin: &Path,
    dir: &Path,
    web_root: &Path,
    extra: &str,
    requests: usize,
) -> Result<(f64, u64), String> {
    let db = Db::Sqlite(dir.join("data/certdesk.sqlite"));
    let mut server = Server::start(bin, dir, web_root, extra, "issuance")?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(600);
    let mut first: Option<(Instant, i64)> = None;
    let done = loop {
        let stored = db.number(ctx, "SELECT count(*) FROM certificates")?;
        let now = Instant::now();
        if stored > 0 && first.is_none() {
            first = Some((now, stored));
        }
        if stored >= requests as i64 {
            break now;
        }
        let failed = db.number(
            ctx,
            "SELECT count(*) FROM issue_jobs WHERE state = 'failed'",
        )?;
        // A server without its CA (or a stuck worker) would never start.
        let stuck = first.is_none() && now > started + Duration::from_secs(60);
        if failed > 0 || stuck || now > deadline {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!(
                "issuance stopped at {stored} of {requests} certificates ({failed} failed)\n{log}"
            ));
        }
        std::thread::sleep(POLL);
    };
    let rss = server.peak_rss_kb();
    server.stop();
    let (start, at_start) = first.ok_or("no certificate was seen")?;
    let seconds = done.duration_since(start).as_secs_f64();
    if at_start >= requests as i64 || seconds <= 0.0 {
        return Err(format!(
            "{requests} certificates were issued too fast to time; issue more"
        ));
    }
    Ok(((requests as i64 - at_start) as f64 / seconds, rss))
}

/// How long one synchronous 4 KiB write takes in `dir` (the scratch directory, where the
/// database is), the cost of each SQLite commit: `dd oflag=dsync`, 100 writes.
fn fsync_ms(ctx: &Ctx, dir: &Path) -> Result<f64, String> {
    let file = dir.join("fsync-probe");
    let out = ctx
        .command("dd")
        .args(["if=/dev/zero", "bs=4k", "count=100", "oflag=dsync"])
        .arg(format!("of={}", file.display()))
        .output()
        .map_err(|e| format!("cannot run dd: {e}"))?;
    let _ = std::fs::remove_file(&file);
    let report = String::from_utf8_lossy(&out.stderr);
    dd_seconds(&report)
        .map(|s| s * 1000.0 / 100.0)
        .ok_or_else(|| format!("cannot read dd's report: {report}"))
}

/// The seconds in dd's last line, e.g. `409600 bytes (410 kB, 400 KiB) copied, 0.75 s, 545 kB/s`.
pub fn dd_seconds(report: &str) -> Option<f64> {
    let line = report.lines().rev().find(|l| l.contains(" copied, "))?;
    let after = line.split(" copied, ").nth(1)?;
    after.split_whitespace().next()?.parse().ok()
}

/// `openssl speed`'s signatures per second for `algorithm` (one process, one core).
fn openssl_speed(ctx: &Ctx, algorithm: &str, seconds: u32) -> Result<f64, String> {
    let out = ctx
        .command("openssl")
        .args(["speed", "-seconds", &seconds.to_string(), algorithm])
        .output()
        .map_err(|e| format!("cannot run openssl speed: {e}"))?;
    let report = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "openssl speed {algorithm} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    signs_per_second(&report)
        .ok_or_else(|| format!("cannot read openssl speed's report:\n{report}"))
}

/// The `sign/s` column of `openssl speed`'s table for RSA or ECDSA: the header names the
/// last columns of the result line below it.
pub fn signs_per_second(report: &str) -> Option<f64> {
    let mut lines = report.lines();
    while let Some(line) = lines.next() {
        let header: Vec<&str> = line.split_whitespace().collect();
        let Some(column) = header.iter().position(|w| *w == "sign/s") else {
            continue;
        };
        let values: Vec<&str> = lines.next()?.split_whitespace().collect();
        let first = values.len().checked_sub(header.len())?;
        return values.get(first + column)?.parse().ok();
    }
    None
}

fn table(figures: &[Figures]) -> Vec<String> {
    let mut lines = vec![
        "| CA key | certificates per run | certdesk: certificates/s | openssl speed: signatures/s | ratio | time per certificate beyond openssl's signature | peak RSS |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for f in figures {
        let beyond = match (Spread::of(&f.certdesk), Spread::of(&f.openssl)) {
            (Some(c), Some(o)) => format!("{:.2} ms", 1000.0 / c.median - 1000.0 / o.median),
            _ => "—".into(),
        };
        let rss: Vec<f64> = f.peak_rss_kb.iter().map(|k| k / 1024.0).collect();
        lines.push(format!(
            "| {} | {} | {} | {} | {} | {beyond} | {} MB |",
            f.label(),
            f.requests,
            spread(&f.certdesk, 1),
            spread(&f.openssl, 1),
            spread(&f.ratio, 3),
            spread(&rss, 1),
        ));
    }
    lines
}

fn section(m: &Machine, plan: &Plan, figures: &[Figures], fsync_ms: f64) -> String {
    let mut s = format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench issuance` on {date}: {cores} cores ({cpu}), certdesk \
         (release build) on SQLite. Every figure is the median of {runs} runs, with min and \
         max in brackets; in each run `openssl speed` signs right before certdesk issues, the \
         key types taking turns, and the ratio is certdesk's certificates per second over \
         openssl's signatures per second of that run. The requests (P-256 subscriber keys) \
         were made through the API by people whose identity was imported, so intake approved \
         them and recorded an issuance job each, on a server without a CA, where the jobs \
         wait. Each run starts certdesk on a copy of that database with a CA of the key type \
         (`certdesk ca init`) and counts the stored certificates every {poll} ms: the rate is \
         from the first certificate seen to the last. Peak RSS is the server's `VmHWM`. Load \
         average (1 min) before the runs: {load}.\n\n",
        date = m.date,
        cores = m.cores,
        cpu = m.cpu,
        runs = plan.runs,
        poll = POLL.as_millis(),
        load = m.load,
    );
    for line in table(figures) {
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n```sh\nopenssl speed -seconds {sec} ecdsap384\nopenssl speed -seconds {sec} rsa4096\n```\n\n\
         certdesk issues **one certificate at a time**: a server runs one issuance worker, \
         which claims a job (one transaction), reads the request, has the CA sign, and stores \
         the certificate with the request's new state, the audit entry and the \"ready\" mail \
         (a second transaction), before it claims the next job. So a server uses one core for \
         issuance however many it has. The column \"beyond openssl's signature\" is the rest \
         of the time per certificate (1/certdesk − 1/openssl, from the medians): certdesk's \
         own signature, in pure Rust (RustCrypto), which is slower than OpenSSL's assembly, \
         above all for RSA; the certificate's construction and profile check; and the \
         transactions, each of which SQLite ends with a synchronous write of its log: one such \
         4 KiB write took {fsync_ms:.1} ms on the disk the database was on (`dd oflag=dsync`, \
         100 writes). The row \"database in memory\" runs the same issuance with the \
         database on tmpfs, where that write costs next to nothing: the difference to the row \
         above it is what the disk costs. Several servers \
         on one PostgreSQL database issue side by side, each with its own worker.\n",
        sec = plan.openssl_seconds,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::signs_per_second;

    const ECDSA: &str = "Doing 384 bits sign ecdsa's for 1s: 912 384 bits ECDSA signs in 1.00s
version: 3.0.19
built on: Tue Jan 27 00:00:00 2026 UTC
options: bn(64,64)
CPUINFO: OPENSSL_ia32cap=0xfffa3203078bffff:0x400684219c07ab
                              sign    verify    sign/s verify/s
 384 bits ecdsa (nistp384)   0.0011s   0.0008s    912.4   1257.7
";
    const RSA: &str = "                  sign    verify    sign/s verify/s
rsa 4096 bits 0.004863s 0.000085s    205.6  11778.1
";
    const RSA_31: &str =
        "                  sign    verify    encrypt   decrypt   sign/s verify/s  encr./s  decr./s
rsa 4096 bits 0.004854s 0.000078s 0.000080s 0.004773s    206.0  12820.5  12500.0    209.5
";

    #[test]
    fn reads_dd_report() {
        let report = "100+0 records in\n100+0 records out\n\
                      409600 bytes (410 kB, 400 KiB) copied, 0.751575 s, 545 kB/s\n";
        assert_eq!(super::dd_seconds(report), Some(0.751575));
        assert_eq!(super::dd_seconds("dd: failed to open"), None);
    }

    #[test]
    fn reads_openssl_speed() {
        assert_eq!(signs_per_second(ECDSA), Some(912.4));
        assert_eq!(signs_per_second(RSA), Some(205.6));
        assert_eq!(signs_per_second(RSA_31), Some(206.0));
        assert_eq!(signs_per_second("no table"), None);
        assert_eq!(signs_per_second("  sign/s\n"), None);
    }
}
