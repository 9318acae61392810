//! The intake benchmark: `POST /api/requests` from signed-in people, each with a CSR that
//! intake parses and verifies (signature, key checks, addresses), on SQLite and PostgreSQL.
//! The people's identity is not on file, so each request goes to the desk's queue: this
//! measures intake, not issuance.

use std::path::Path;

use crate::bench::Machine;
use crate::cmd::Ctx;
use crate::measure::{Call, Load, Target, load, on_both_databases, publish, spread};
use crate::server::{Scratch, Server};
use crate::session::{self, AUTH_LIMITS};

pub const HEADING: &str = "## Request intake (`POST /api/requests`)";
/// `[requests] max_open_per_user` at its highest.
const PER_PERSON: usize = 100;
const CONNECTIONS: usize = 16;

struct Plan {
    runs: usize,
    requests: usize,
}

const FULL: Plan = Plan {
    runs: 5,
    requests: 300,
};
const QUICK: Plan = Plan {
    runs: 2,
    requests: 60,
};

struct Figures {
    database: String,
    runs: Vec<Load>,
    peak_rss_kb: u64,
}

pub fn bench(ctx: &Ctx, bin: &Path, quick: bool) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let machine = Machine::now(ctx);
    let scratch = Scratch::new()?;
    // RSA-3072, the request page's default key type, whose checks cost intake the most. One
    // key signs every person's request: intake checks each key, not whether it was seen.
    let key = scratch.0.join("subscriber.key");
    session::key(
        ctx,
        &key,
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
    )?;
    let people: Vec<String> = (0..(plan.runs * plan.requests).div_ceil(PER_PERSON))
        .map(|i| format!("intake{i}@example.org"))
        .collect();
    let crowd = Crowd {
        bodies: people
            .iter()
            .map(|p| Ok(session::personal_request(p, &session::csr(ctx, &key, p)?)))
            .collect::<Result<Vec<String>, String>>()?,
        people,
    };
    let figures = on_both_databases(ctx, &scratch.0, "intake", &mut |t| {
        run(ctx, bin, t, plan, &crowd)
    })?;
    let errors: usize = figures.iter().flat_map(|f| &f.runs).map(|r| r.errors).sum();
    if let Some(first) = figures
        .iter()
        .flat_map(|f| &f.runs)
        .find_map(|r| r.first_error.clone())
    {
        return Err(format!(
            "the intake benchmark had {errors} errors, the first: {first}"
        ));
    }
    publish(
        ctx,
        quick,
        "intake",
        &table(&figures, plan),
        HEADING,
        &|| section(&machine, plan, &figures),
    )
}

/// The people who send requests, and the body each sends.
struct Crowd {
    people: Vec<String>,
    bodies: Vec<String>,
}

/// One database: sign everyone in, then the runs, one after the other.
fn run(ctx: &Ctx, bin: &Path, t: &Target, plan: &Plan, crowd: &Crowd) -> Result<Figures, String> {
    let Crowd { people, bodies } = crowd;
    let extra =
        t.config() + &format!("\n[requests]\nmax_open_per_user = {PER_PERSON}\n{AUTH_LIMITS}");
    let label = &t.label;
    let mut server = Server::start(bin, &t.dir, &ctx.root.join("dist"), &extra, label)?;
    let cookies = session::sign_in(&server.origin, &t.dir.join("data"), people)?;
    let mut runs = Vec::new();
    for r in 0..plan.runs {
        // Consecutive requests come from different people, as they would: each person's
        // requests take turns for the per-person lock that guards the open-request limit.
        let first = r * plan.requests;
        let l = load(&server.origin, plan.requests, CONNECTIONS, &|i| {
            let who = (first + i) % people.len();
            Call {
                path: "/api/requests".into(),
                cookie: cookies.get(who).map(String::as_str),
                body: bodies.get(who).map(String::as_str),
                expect: 201,
            }
        });
        println!(
            "xtask: intake {label} run {}: {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            r + 1,
            l.per_second,
            l.p50_ms,
            l.p99_ms,
            l.errors
        );
        runs.push(l);
    }
    let peak_rss_kb = server.peak_rss_kb();
    server.stop();
    Ok(Figures {
        database: label.clone(),
        runs,
        peak_rss_kb,
    })
}

fn table(figures: &[Figures], plan: &Plan) -> Vec<String> {
    let mut lines = vec![
        "| database | requests per run | requests/s | p50 | p99 | errors | peak RSS |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for f in figures {
        let of = |get: fn(&Load) -> f64| f.runs.iter().map(get).collect::<Vec<f64>>();
        lines.push(format!(
            "| {} | {} | {} | {} ms | {} ms | {} | {:.1} MB |",
            f.database,
            plan.requests,
            spread(&of(|l| l.per_second), 0),
            spread(&of(|l| l.p50_ms), 1),
            spread(&of(|l| l.p99_ms), 1),
            f.runs.iter().map(|l| l.errors).sum::<usize>(),
            f.peak_rss_kb as f64 / 1024.0
        ));
    }
    lines
}

fn section(m: &Machine, plan: &Plan, figures: &[Figures]) -> String {
    let mut s = format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench intake` on {date}: {cores} cores ({cpu}), certdesk \
         (release build) and the load on the same machine over loopback, {CONNECTIONS} \
         connections each sending its next request as soon as the last was answered. Every \
         figure is the median of {runs} runs of {requests} requests, with min and max in \
         brackets. Each request is a personal certificate request of a signed-in person (signed \
         in through the mailed link) with an RSA-3072 CSR made by openssl, the request page's \
         default key type: intake parses it, verifies its signature, checks the key (size, \
         exponent, ROCA, close primes, small factors) and its addresses, and in one transaction \
         locks the person, counts their open requests, stores the request with its search words, \
         writes the audit entry and queues the mail. No identity is on file, so every request \
         waits for the desk (no issuance). `[requests] max_open_per_user` is raised to its \
         highest, {PER_PERSON}, and the requests are spread over {people} people, each \
         person's in turn. Errors are answers other than 201; peak RSS is the server's `VmHWM` \
         after all runs. Load average (1 min) before the runs: {load}.\n\n",
        date = m.date,
        cores = m.cores,
        cpu = m.cpu,
        runs = plan.runs,
        requests = plan.requests,
        people = (plan.runs * plan.requests).div_ceil(PER_PERSON),
        load = m.load,
    );
    for line in table(figures, plan) {
        s.push_str(&line);
        s.push('\n');
    }
    s
}
