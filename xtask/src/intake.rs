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
    requests: 40,
};

struct Figures {
    database: String,
    /// Per CSR key type, its runs.
    by_kind: Vec<(&'static str, Vec<Load>)>,
    peak_rss_kb: u64,
}

pub fn bench(ctx: &Ctx, bin: &Path, quick: bool) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let machine = Machine::now(ctx);
    let scratch = Scratch::new()?;
    // One key of each type signs every person's request: intake checks each request's key,
    // not whether it was seen before.
    let mut crowds = Vec::new();
    for kind in &KINDS {
        let key = scratch.0.join(format!("{}.key", kind.name));
        session::key(ctx, &key, kind.genpkey)?;
        let people: Vec<String> = (0..(plan.runs * plan.requests).div_ceil(PER_PERSON))
            .map(|i| format!("intake-{}-{i}@example.org", kind.name))
            .collect();
        crowds.push(Crowd {
            kind,
            bodies: people
                .iter()
                .map(|p| Ok(session::personal_request(p, &session::csr(ctx, &key, p)?)))
                .collect::<Result<Vec<String>, String>>()?,
            people,
        });
    }
    let figures = on_both_databases(ctx, &scratch.0, "intake", &mut |t| {
        run(ctx, bin, t, plan, &crowds)
    })?;
    let all = || figures.iter().flat_map(|f| &f.by_kind).flat_map(|k| &k.1);
    let errors: usize = all().map(|r| r.errors).sum();
    if let Some(first) = all().find_map(|r| r.first_error.clone()) {
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

/// A CSR key type intake is measured with.
struct Kind {
    name: &'static str,
    label: &'static str,
    genpkey: &'static [&'static str],
}

/// RSA-3072 is the request page's default, and its key checks cost intake the most; P-256
/// shows intake without them.
const KINDS: [Kind; 2] = [
    Kind {
        name: "rsa3072",
        label: "RSA-3072",
        genpkey: &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
    },
    Kind {
        name: "p256",
        label: "ECDSA P-256",
        genpkey: &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    },
];

/// The people who send requests with one key type, and the body each sends.
struct Crowd {
    kind: &'static Kind,
    people: Vec<String>,
    bodies: Vec<String>,
}

/// One database: sign everyone in, then the runs, one after the other, the key types taking
/// turns within each run.
fn run(
    ctx: &Ctx,
    bin: &Path,
    t: &Target,
    plan: &Plan,
    crowds: &[Crowd],
) -> Result<Figures, String> {
    let extra =
        t.config() + &format!("\n[requests]\nmax_open_per_user = {PER_PERSON}\n{AUTH_LIMITS}");
    let label = &t.label;
    let mut server = Server::start(bin, &t.dir, &ctx.root.join("dist"), &extra, label)?;
    let mut by_kind = Vec::new();
    let mut cookies = Vec::new();
    for c in crowds {
        cookies.push(session::sign_in(
            &server.origin,
            &t.dir.join("data"),
            &c.people,
        )?);
        by_kind.push((c.kind.label, Vec::new()));
    }
    for r in 0..plan.runs {
        for ((c, cookies), (_, runs)) in crowds.iter().zip(&cookies).zip(&mut by_kind) {
            // Consecutive requests come from different people, as they would: each person's
            // requests take turns for the per-person lock that guards the open-request limit.
            let first = r * plan.requests;
            let l = load(&server.origin, plan.requests, CONNECTIONS, &|i| {
                let who = (first + i) % c.people.len();
                Call {
                    path: "/api/requests".into(),
                    cookie: cookies.get(who).map(String::as_str),
                    body: c.bodies.get(who).map(String::as_str),
                    expect: 201,
                }
            });
            println!(
                "xtask: intake {label} {} run {}: {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
                c.kind.label,
                r + 1,
                l.per_second,
                l.p50_ms,
                l.p99_ms,
                l.errors
            );
            runs.push(l);
        }
    }
    let peak_rss_kb = server.peak_rss_kb();
    server.stop();
    Ok(Figures {
        database: label.clone(),
        by_kind,
        peak_rss_kb,
    })
}

fn table(figures: &[Figures], plan: &Plan) -> Vec<String> {
    let mut lines = vec![
        format!(
            "| database | CSR key | requests per run | requests/s | relative to {} | p50 | p99 | errors | peak RSS |",
            KINDS[1].label
        ),
        "|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for f in figures {
        let baseline = f.by_kind.get(1).map(|k| &k.1);
        for (kind, runs) in &f.by_kind {
            let of = |get: fn(&Load) -> f64| runs.iter().map(get).collect::<Vec<f64>>();
            // Each run's ratio: the key types ran one after the other in the same run.
            let ratio: Vec<f64> = baseline.map_or_else(Vec::new, |b| {
                runs.iter()
                    .zip(b)
                    .map(|(r, b)| r.per_second / b.per_second)
                    .collect()
            });
            lines.push(format!(
                "| {} | {kind} | {} | {} | {}× | {} ms | {} ms | {} | {:.1} MB |",
                f.database,
                plan.requests,
                spread(&of(|l| l.per_second), 0),
                spread(&ratio, 2),
                spread(&of(|l| l.p50_ms), 1),
                spread(&of(|l| l.p99_ms), 1),
                runs.iter().map(|l| l.errors).sum::<usize>(),
                f.peak_rss_kb as f64 / 1024.0
            ));
        }
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
         in through the mailed link) with a CSR made by openssl, with an RSA-3072 key (the \
         request page's default) or an ECDSA P-256 key, the two taking turns run by run, so \
         the ratio compares them within each run: intake parses the CSR, verifies its signature, checks the key (size, \
         exponent, ROCA, close primes, small factors) and its addresses, and in one transaction \
         locks the person, counts their open requests, stores the request with its search words, \
         writes the audit entry and queues the mail. No identity is on file, so every request \
         waits for the desk (no issuance). `[requests] max_open_per_user` is raised to its \
         highest, {PER_PERSON}, and each key type's requests are spread over {people} people, \
         each person's in turn. Errors are answers other than 201; peak RSS is the server's `VmHWM` \
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
    s.push_str(
        "\n```sh\n\
         openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072.key\n\
         openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key\n\
         openssl req -new -sha256 -key rsa3072.key -subj /CN=intake-rsa3072-N@example.org \\\n    \
         -addext subjectAltName=email:intake-rsa3072-N@example.org\n\
         # (and so with p256.key for intake-p256-N@example.org)\n\
         # then, with the session cookie of intake-rsa3072-N@example.org:\n\
         POST /api/requests  {\"kind\": \"personal\", \"addresses\": [\"intake-rsa3072-N@example.org\"], \
         \"given_name\": \"Bench\", \"surname\": \"Person\", \"csr\": \"-----BEGIN CERTIFICATE \
         REQUEST-----…\", \"terms_accepted\": true}\n```\n",
    );
    s
}
