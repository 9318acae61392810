//! What the server benchmarks share: figures as a median with min and max over runs,
//! latency percentiles, a closed-loop load of HTTP requests, and SQL against the bench
//! database.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::cmd::Ctx;
use crate::http::Conn;
use crate::postgres::Postgres;
use crate::server::{quote, unique};

/// A figure measured over several runs: the median, and the lowest and highest run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no runs.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        let (&min, &max) = (v.first()?, v.last()?);
        let mid = v.len() / 2;
        let median = if v.len() % 2 == 1 {
            v[mid]
        } else {
            (v[mid - 1] + v[mid]) / 2.0
        };
        Some(Self { median, min, max })
    }

    /// `median (min–max)` with `decimals` places, e.g. `412 (398–430)`.
    pub fn show(&self, decimals: usize) -> String {
        if self.min == self.max {
            return format!("{:.decimals$}", self.median);
        }
        format!(
            "{:.decimals$} ({:.decimals$}–{:.decimals$})",
            self.median, self.min, self.max
        )
    }
}

/// Median over runs with min and max, or "—" when there were none.
pub fn spread(values: &[f64], decimals: usize) -> String {
    Spread::of(values).map_or_else(|| "—".to_owned(), |s| s.show(decimals))
}

/// The `p`-th percentile (0–100) of `sorted`, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One load run: its throughput and the latencies of its requests.
pub struct Load {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Answers with another status than expected, and failed exchanges.
    pub errors: usize,
    /// The first error, to say what went wrong.
    pub first_error: Option<String>,
}

/// One HTTP request of a load: a GET when `body` is `None`, else a JSON POST.
pub struct Call<'a> {
    pub path: String,
    pub cookie: Option<&'a str>,
    pub body: Option<&'a str>,
    pub expect: u16,
}

/// Sends `total` requests from `connections` kept-alive connections, each sending its next
/// request as soon as the answer to the last arrived; `call(i)` makes request number `i`.
pub fn load<'a>(
    origin: &str,
    total: usize,
    connections: usize,
    call: &(dyn Fn(usize) -> Call<'a> + Sync),
) -> Load {
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(total));
    let errors = Mutex::new((0usize, None::<String>));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..connections.max(1) {
            s.spawn(|| {
                let mut conn = Conn::new(origin);
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let c = call(i);
                    let t = Instant::now();
                    let answer = match c.body {
                        Some(b) => conn.post_json(&c.path, c.cookie, b),
                        None => conn.get(&c.path, c.cookie),
                    };
                    mine.push(t.elapsed().as_secs_f64() * 1000.0);
                    let failure = match answer {
                        Ok(a) if a.status == c.expect => None,
                        Ok(a) => Some(format!("{} {}: {}", a.status, c.path, a.text())),
                        Err(e) => Some(e),
                    };
                    if let Some(f) = failure
                        && let Ok(mut e) = errors.lock()
                    {
                        e.0 += 1;
                        e.1.get_or_insert(f);
                    }
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut all = latencies.into_inner().unwrap_or_default();
    all.sort_by(f64::total_cmp);
    let (errors, first_error) = errors.into_inner().unwrap_or_default();
    Load {
        per_second: all.len() as f64 / seconds,
        p50_ms: percentile(&all, 50.0),
        p99_ms: percentile(&all, 99.0),
        errors,
        first_error,
    }
}

/// Where one database's runs of a part happen.
pub struct Target<'a> {
    /// An empty directory for the server.
    pub dir: PathBuf,
    pub label: String,
    pg: Option<&'a Postgres>,
}

impl Target<'_> {
    /// The `database_url` line of certdesk.toml (nothing for the default SQLite file).
    pub fn config(&self) -> String {
        self.pg.map_or_else(String::new, |pg| {
            format!("database_url = {}\n", quote(Path::new(&pg.url)))
        })
    }

    pub fn db(&self) -> Db<'_> {
        match self.pg {
            Some(pg) => Db::Postgres(pg),
            None => Db::Sqlite(self.dir.join("data/certdesk.sqlite")),
        }
    }
}

/// Runs `part` on SQLite, then on a fresh database of a throw-away PostgreSQL (or the one
/// `CERTDESK_TEST_POSTGRES` names); `name` names the database.
pub fn on_both_databases<T>(
    ctx: &Ctx,
    scratch: &Path,
    name: &str,
    part: &mut dyn FnMut(&Target) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let sqlite = part(&Target {
        dir: scratch.join("sqlite"),
        label: "SQLite".into(),
        pg: None,
    })?;
    let pg = Postgres::start(ctx, scratch, &format!("certdesk_{name}_{}", unique()))?;
    let version = pg.version.split_whitespace().next().unwrap_or("?");
    let postgres = part(&Target {
        dir: scratch.join("postgres"),
        label: format!("PostgreSQL {version} ({})", pg.origin),
        pg: Some(&pg),
    })?;
    Ok(vec![sqlite, postgres])
}

/// Prints a part's table; a full run also writes its section of docs/perf.md, a quick run
/// leaves the file alone.
pub fn publish(
    ctx: &Ctx,
    quick: bool,
    part: &str,
    table: &[String],
    heading: &str,
    section: &dyn Fn() -> String,
) -> Result<(), String> {
    println!();
    for line in table {
        println!("{line}");
    }
    if quick {
        println!("xtask: quick run: docs/perf.md keeps its {part} figures");
        return Ok(());
    }
    crate::bench::write_section(ctx, heading, &section())?;
    println!("xtask: {part} results written to docs/perf.md");
    Ok(())
}

/// The database a benchmark server uses, for seeding and polling with the command-line
/// clients (`sqlite3`, `psql`).
pub enum Db<'a> {
    Sqlite(PathBuf),
    Postgres(&'a Postgres),
}

impl Db<'_> {
    /// Runs `sql` and returns what it printed, unaligned, `|` between columns.
    pub fn sql(&self, ctx: &Ctx, sql: &str) -> Result<String, String> {
        match self {
            Db::Postgres(pg) => pg.sql(sql),
            Db::Sqlite(file) => {
                let out = ctx
                    .command("sqlite3")
                    .args(["-batch", "-bail", "-cmd", ".timeout 30000"])
                    .arg(file)
                    .arg(sql)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .map_err(|e| {
                        format!("cannot run sqlite3: {e} (cargo xtask bench installs it)")
                    })?;
                if out.status.success() {
                    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
                } else {
                    Err(format!(
                        "sqlite3 failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ))
                }
            }
        }
    }

    /// A single number the query returns.
    pub fn number(&self, ctx: &Ctx, sql: &str) -> Result<i64, String> {
        let out = self.sql(ctx, sql)?;
        out.trim()
            .parse()
            .map_err(|_| format!("`{sql}` gave {out:?}, not a number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_and_percentiles() {
        let s = Spread::of(&[3.0, 1.0, 2.0]).unwrap_or_else(|| panic!("runs"));
        assert_eq!((s.median, s.min, s.max), (2.0, 1.0, 3.0));
        let even = Spread::of(&[4.0, 1.0, 2.0, 3.0]).unwrap_or_else(|| panic!("runs"));
        assert_eq!(even.median, 2.5);
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(s.show(0), "2 (1–3)");
        assert_eq!(spread(&[5.0], 1), "5.0");
        assert_eq!(spread(&[], 1), "—");
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 50.0), 50.0);
        assert_eq!(percentile(&sorted, 99.0), 99.0);
        assert_eq!(percentile(&sorted[..10], 99.0), 10.0);
        assert!(percentile(&[], 50.0).is_nan());
    }
}
