//! The queue benchmark: how long the service desk waits for a page of its queue
//! (`GET /api/desk/requests`) as the requests pile up to 1,000, 10,000 and 100,000, on
//! SQLite and PostgreSQL. The requests are inserted with SQL, as intake stores them (with
//! their addresses and search words); only the desk officer signs in through the API.

use std::path::Path;

use crate::bench::Machine;
use crate::cmd::Ctx;
use crate::http::Conn;
use crate::measure::{Call, Db, Load, Target, load, on_both_databases, publish, spread};
use crate::server::{Scratch, Server, cli};
use crate::session::{self, AUTH_LIMITS};

pub const HEADING: &str = "## The desk's queue (`GET /api/desk/requests`)";
const DESK: &str = "desk@example.org";
/// Seconds between two seeded requests: 100,000 of them span about 29 days, all younger
/// than `[requests] pending_days`, so none expires while measured.
const STEP: i64 = 25;
const FIRST_PAGE: &str = "/api/desk/requests?state=awaiting_identity_check";
/// A surname word that begins 11 of every 1,000 seeded surnames (surname42, surname420…).
const SEARCH: &str = "surname42";
/// The queue's default page size.
const PAGE: usize = 50;

struct Plan {
    sizes: &'static [i64],
    runs: usize,
    requests: usize,
}

const FULL: Plan = Plan {
    sizes: &[1_000, 10_000, 100_000],
    runs: 3,
    requests: 100,
};
const QUICK: Plan = Plan {
    sizes: &[1_000, 10_000],
    runs: 2,
    requests: 20,
};

/// What is measured at one size: the first page, a page 90 % down, a search.
const QUERIES: [&str; 3] = ["first page", "deep page (90 % down)", "search"];

struct Figures {
    database: String,
    /// Per size: the rows, and per query its runs.
    sizes: Vec<(i64, Vec<Vec<Load>>)>,
    peak_rss_kb: u64,
}

pub fn bench(ctx: &Ctx, bin: &Path, quick: bool) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let machine = Machine::now(ctx);
    let scratch = Scratch::new()?;
    let figures = on_both_databases(ctx, &scratch.0, "queue", &mut |t| run(ctx, bin, t, plan))?;
    if let Some(e) = figures
        .iter()
        .flat_map(|f| &f.sizes)
        .flat_map(|(_, q)| q.iter().flatten())
        .find_map(|l| l.first_error.clone())
    {
        return Err(format!("the queue benchmark had errors, the first: {e}"));
    }
    publish(ctx, quick, "queue", &table(&figures), HEADING, &|| {
        section(&machine, plan, &figures)
    })
}

fn run(ctx: &Ctx, bin: &Path, t: &Target, plan: &Plan) -> Result<Figures, String> {
    let extra = t.config() + AUTH_LIMITS;
    let db = t.db();
    let label = &t.label;
    let dir = &t.dir;
    let web_root = ctx.root.join("dist");
    cli(
        bin,
        dir,
        &web_root,
        &extra,
        &["operator", "add", DESK, "--role", "desk"],
    )?;
    let mut server = Server::start(bin, dir, &web_root, &extra, label)?;
    let cookie = session::sign_in(&server.origin, &dir.join("data"), &[DESK.to_owned()])?
        .pop()
        .ok_or("no session for the desk")?;
    let now = ctx
        .probe("date", &["-u", "+%s"])
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or("cannot read the time with date +%s")?;
    let mut seeded = 0;
    let mut sizes = Vec::new();
    for &size in plan.sizes {
        println!("xtask: queue {label}: {size} requests");
        seed(ctx, &db, seeded, size, now)?;
        seeded = size;
        let deep = format!(
            "{FIRST_PAGE}&cursor={}",
            cursor_at(ctx, &db, size * 9 / 10)?
        );
        let search = format!("{FIRST_PAGE}&q={SEARCH}");
        // At 1,000 requests the search finds 11.
        let expect = [PAGE, PAGE, PAGE.min(size as usize * 11 / 1000)];
        for (path, items) in [FIRST_PAGE, deep.as_str(), search.as_str()]
            .iter()
            .zip(expect)
        {
            page_holds(&server.origin, path, &cookie, items)?;
        }
        let mut queries = Vec::new();
        for path in [FIRST_PAGE, deep.as_str(), search.as_str()] {
            let mut runs = Vec::new();
            for _ in 0..plan.runs {
                runs.push(load(&server.origin, plan.requests, 1, &|_| Call {
                    path: path.to_owned(),
                    cookie: Some(&cookie),
                    body: None,
                    expect: 200,
                }));
            }
            queries.push(runs);
        }
        sizes.push((size, queries));
    }
    let peak_rss_kb = server.peak_rss_kb();
    server.stop();
    Ok(Figures {
        database: label.clone(),
        sizes,
        peak_rss_kb,
    })
}

/// Fails unless the page at `path` holds `expect` requests: what is timed must be the work of
/// finding them.
fn page_holds(origin: &str, path: &str, cookie: &str, expect: usize) -> Result<(), String> {
    let answer = Conn::new(origin).get(path, Some(cookie))?;
    let page: serde_json::Value = serde_json::from_slice(&answer.body)
        .map_err(|e| format!("{path}: {} {e}: {}", answer.status, answer.text()))?;
    let items = page["items"].as_array().map_or(0, Vec::len);
    if answer.status != 200 || items != expect {
        return Err(format!(
            "{path} answered {} with {items} requests, not {expect}",
            answer.status
        ));
    }
    Ok(())
}

/// Adds requests number `from + 1` to `to`, waiting for the desk, with their address and
/// search words as intake stores them, oldest first.
fn seed(ctx: &Ctx, db: &Db, from: i64, to: i64, now: i64) -> Result<(), String> {
    let base = now - 35 * 86_400;
    let csr = match db {
        Db::Sqlite(_) => "X'3000'",
        Db::Postgres(_) => "'\\x3000'::bytea",
    };
    let last_id = db.number(ctx, "SELECT coalesce(max(id), 0) FROM requests")?;
    let sql = format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {to})
         INSERT INTO requests (code, requester, kind, state, given_name, surname, key_type,
             csr, created_at, updated_at)
         SELECT 'CD-S' || i, 'person' || i || '@example.org', 'personal',
             'awaiting_identity_check', 'Given' || i, 'Surname' || (i % 1000), 'rsa-3072',
             {csr}, {base} + i * {STEP}, {base} + i * {STEP} FROM n;
         INSERT INTO request_addresses (request_id, position, address)
             SELECT id, 0, requester FROM requests WHERE id > {last_id};
         INSERT INTO request_terms (term, request_id)
             SELECT lower(code), id FROM requests WHERE id > {last_id}
             UNION ALL SELECT lower(substr(code, 4)), id FROM requests WHERE id > {last_id}
             UNION ALL SELECT requester, id FROM requests WHERE id > {last_id}
             UNION ALL SELECT substr(requester, 1, length(requester) - 12), id
                 FROM requests WHERE id > {last_id}
             UNION ALL SELECT lower(given_name), id FROM requests WHERE id > {last_id}
             UNION ALL SELECT lower(surname), id FROM requests WHERE id > {last_id};
         COMMIT;
         ANALYZE;",
        first = from + 1,
    );
    db.sql(ctx, &sql)?;
    let count = db.number(
        ctx,
        "SELECT count(*) FROM requests WHERE state = 'awaiting_identity_check'",
    )?;
    if count != to {
        return Err(format!("{count} requests wait after seeding, not {to}"));
    }
    Ok(())
}

/// The page cursor that continues after the `rank`-th waiting request, oldest first.
fn cursor_at(ctx: &Ctx, db: &Db, rank: i64) -> Result<String, String> {
    let key = db.sql(
        ctx,
        &format!(
            "SELECT created_at || ':' || id FROM requests \
             WHERE state = 'awaiting_identity_check' ORDER BY created_at, id \
             LIMIT 1 OFFSET {}",
            rank.saturating_sub(1)
        ),
    )?;
    Ok(base64url(key.trim().as_bytes()))
}

/// Base64url without padding, as the queue's cursors are written.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn table(figures: &[Figures]) -> Vec<String> {
    let mut header = "| database | requests waiting |".to_owned();
    for q in QUERIES {
        header.push_str(&format!(" {q}: p50 | p99 |"));
    }
    let mut lines = vec![
        header,
        format!("|---|---|{}", "---|---|".repeat(QUERIES.len())),
    ];
    for f in figures {
        for (size, queries) in &f.sizes {
            let mut line = format!("| {} | {size} |", f.database);
            for runs in queries {
                let p50: Vec<f64> = runs.iter().map(|l| l.p50_ms).collect();
                let p99: Vec<f64> = runs.iter().map(|l| l.p99_ms).collect();
                line.push_str(&format!(
                    " {} ms | {} ms |",
                    spread(&p50, 1),
                    spread(&p99, 1)
                ));
            }
            lines.push(line);
        }
    }
    lines
}

fn section(m: &Machine, plan: &Plan, figures: &[Figures]) -> String {
    let mut s = format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench queue` on {date}: {cores} cores ({cpu}), certdesk \
         (release build) on the same machine over loopback. A desk officer (signed in through \
         the mailed link) asks for one page of the queue after the other, one connection, \
         each request as soon as the last was answered: the queue of requests waiting for \
         the identity check (`?state=awaiting_identity_check`, 50 a page, oldest first), its \
         first page, the page after the request 90 % of the way down (`&cursor=…`: a keyset \
         page, which the index reaches directly however deep), and a search for a surname \
         word (`&q={SEARCH}`, which begins 11 of every 1,000 surnames). The requests are \
         inserted with SQL as intake stores them, with their address and search words, spread \
         over 29 days; the database grows from one size to the next, and the statistics are \
         refreshed (`ANALYZE`) after each. Every latency is the median of {runs} runs of \
         {requests} requests, with min and max in brackets. Peak RSS is the server's `VmHWM` \
         after all sizes: {rss}. Load average (1 min) before the runs: {load}.\n\n",
        date = m.date,
        cores = m.cores,
        cpu = m.cpu,
        runs = plan.runs,
        requests = plan.requests,
        rss = figures
            .iter()
            .map(|f| format!("{} {:.1} MB", f.database, f.peak_rss_kb as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(", "),
        load = m.load,
    );
    for line in table(figures) {
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(&format!(
        "\n```sh\nGET {FIRST_PAGE}\nGET {FIRST_PAGE}&cursor=BASE64URL(CREATED_AT:ID)\n\
         GET {FIRST_PAGE}&q={SEARCH}\n```\n"
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::base64url;

    #[test]
    fn cursors_in_base64url() {
        assert_eq!(base64url(b"5:42"), "NTo0Mg");
        assert_eq!(base64url(b"1774000000:900"), "MTc3NDAwMDAwMDo5MDA");
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(base64url(b"abc"), "YWJj");
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
        assert_eq!(base64url(b""), "");
    }
}
