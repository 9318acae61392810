//! `cargo xtask bench`: measurements written to docs/perf.md: the web app's transfer size
//! (printed), the browser's crypto and first load, and the server's parts, each printed and
//! written to a section of its own: sign-in throughput, request intake, the desk's queue as
//! it grows (those three on SQLite and PostgreSQL) and issuance with the built-in CA.

use crate::cmd::Ctx;

/// One file of the built web app: name, raw, gzip -9 and brotli -q 11 bytes.
pub struct Size {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// The parts that load a release build of certdesk.
const SERVER_PARTS: [&str; 4] = ["signin", "intake", "queue", "issuance"];

/// `args`: `--quick`, and optionally one part (`browser`, `server` for all of the server's,
/// or one of [`SERVER_PARTS`]) to run alone.
pub fn bench(ctx: &Ctx, args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let part = match args.iter().find(|a| *a != "--quick").map(String::as_str) {
        None => None,
        Some(p) if p == "browser" || p == "server" || SERVER_PARTS.contains(&p) => Some(p),
        Some(other) => {
            return Err(format!(
                "unknown benchmark `{other}`; use browser, server, {}, or name none for all",
                SERVER_PARTS.join(", ")
            ));
        }
    };
    let runs = |p: &str| match part {
        None => true,
        Some("server") => p != "browser",
        Some(one) => one == p,
    };
    crate::setup::setup(ctx, crate::setup::Purpose::Test)?;
    // The load generator, the SQLite client that seeds the queue, and the JavaScript
    // generator compared with are needed by the benchmark only, not by the tests.
    if SERVER_PARTS.iter().any(|p| runs(p)) {
        crate::setup::debian_packages(ctx, &["wrk", "sqlite3"])?;
    }
    if runs("browser") {
        crate::setup::node_forge(ctx)?;
    }
    // The server parts only need some build of the web app to serve; the sizes belong with
    // the browser's figures.
    if runs("browser") || !ctx.root.join("dist/index.html").is_file() {
        crate::build_web(ctx)?;
    }
    if runs("browser") {
        let sizes = sizes(ctx)?;
        print_sizes(&sizes);
        crate::browser::bench(ctx, quick, &sizes, None)?;
    }
    if !SERVER_PARTS.iter().any(|p| runs(p)) {
        return Ok(());
    }
    let bin = crate::server::build_release(ctx)?;
    server_parts(ctx, &bin, quick, &runs)
}

/// `cargo xtask bench --quick` on a build of certdesk that is already there: `cargo xtask
/// test` runs it on its debug build as a smoke test of the benchmark. It prints its figures
/// and writes nothing.
pub fn smoke(ctx: &Ctx, bin: &std::path::Path) -> Result<(), String> {
    crate::setup::debian_packages(ctx, &["wrk", "sqlite3"])?;
    crate::setup::node_forge(ctx)?;
    // The browser page too: its script and bundle would otherwise only break on the next
    // full benchmark.
    crate::browser::bench(ctx, true, &sizes(ctx)?, Some(bin))?;
    server_parts(ctx, bin, true, &|p: &str| SERVER_PARTS.contains(&p))
}

fn server_parts(
    ctx: &Ctx,
    bin: &std::path::Path,
    quick: bool,
    runs: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    if runs("signin") {
        crate::signin::bench(ctx, bin, quick)?;
    }
    if runs("intake") {
        crate::intake::bench(ctx, bin, quick)?;
    }
    if runs("queue") {
        crate::queue::bench(ctx, bin, quick)?;
    }
    if runs("issuance") {
        crate::issuance::bench(ctx, bin, quick)?;
    }
    Ok(())
}

/// Every file of `dist/` (the snippets directory included), compressed as a server would.
fn sizes(ctx: &Ctx) -> Result<Vec<Size>, String> {
    let dist = ctx.root.join("dist");
    let mut files = Vec::new();
    let mut dirs = vec![dist.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut sizes = Vec::new();
    for path in files {
        let p = path.to_string_lossy().into_owned();
        sizes.push(Size {
            name: path
                .strip_prefix(&dist)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            raw: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            gzip: compressed_len(ctx, "gzip", &["-9", "-c", &p])?,
            brotli: compressed_len(ctx, "brotli", &["-q", "11", "-c", &p])?,
        });
    }
    Ok(sizes)
}

fn print_sizes(sizes: &[Size]) {
    let width = sizes
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0)
        .max(10);
    let row = |name: &str, raw: &str, gzip: &str, brotli: &str| {
        println!("{name:<width$} {raw:>10} {gzip:>10} {brotli:>10}");
    };
    row("file", "raw", "gzip -9", "brotli 11");
    for s in sizes {
        row(&s.name, &kb(s.raw), &kb(s.gzip), &kb(s.brotli));
    }
    let (raw, gzip, brotli) = sizes.iter().fold((0, 0, 0), |(r, g, b), s| {
        (r + s.raw, g + s.gzip, b + s.brotli)
    });
    row("all files", &kb(raw), &kb(gzip), &kb(brotli));
}

fn compressed_len(ctx: &Ctx, tool: &str, args: &[&str]) -> Result<u64, String> {
    let out = ctx
        .command(tool)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {tool}: {e} (cargo xtask setup installs it)"))?;
    if !out.status.success() {
        return Err(format!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout.len() as u64)
}

/// What a server benchmark says about where it ran, taken before its runs.
pub struct Machine {
    pub date: String,
    pub cores: String,
    pub cpu: String,
    /// The 1-minute load average before the runs.
    pub load: String,
}

impl Machine {
    pub fn now(ctx: &Ctx) -> Self {
        Self {
            date: ctx
                .probe("date", &["-u", "+%Y-%m-%d"])
                .unwrap_or_else(|| "unknown date".into()),
            cores: ctx.probe("nproc", &[]).unwrap_or_else(|| "?".into()),
            cpu: std::fs::read_to_string("/proc/cpuinfo")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find_map(|l| l.strip_prefix("model name"))
                        .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
                })
                .unwrap_or_else(|| "unknown CPU".into()),
            load: load_average(),
        }
    }
}

/// The 1-minute load average: the machine may be busy with other work, and this says how busy.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Replaces the section under `heading` in docs/perf.md, or appends it.
pub fn write_section(ctx: &Ctx, heading: &str, section: &str) -> Result<(), String> {
    let perf = ctx.root.join("docs/perf.md");
    let old = std::fs::read_to_string(&perf)
        .map_err(|e| format!("cannot read {}: {e}", perf.display()))?;
    std::fs::write(&perf, replace_section(&old, heading, section))
        .map_err(|e| format!("cannot write {}: {e}", perf.display()))
}

/// `doc` with the section under `heading` replaced by `section`, or `section` appended.
pub fn replace_section(doc: &str, heading: &str, section: &str) -> String {
    let Some(start) = doc.find(heading) else {
        return format!("{}\n\n{section}", doc.trim_end());
    };
    let after = start + heading.len();
    let end = doc
        .get(after..)
        .and_then(|rest| rest.find("\n## "))
        .map_or(doc.len(), |i| after + i + 1);
    let head = doc.get(..start).unwrap_or("");
    let tail = doc.get(end..).unwrap_or("");
    if tail.is_empty() {
        format!("{head}{section}")
    } else {
        format!("{head}{section}\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::replace_section;

    const HEADING: &str = "## Sign-in";

    #[test]
    fn replaces_only_its_section() {
        let new = format!("{HEADING}\n\nnew\n");
        let doc = "# Performance\n\n## Setup\n\nA\n\n## `cargo xtask test`\n\nB\n";
        let added = replace_section(doc, HEADING, &new);
        assert_eq!(added, format!("{}\n\n{new}", doc.trim_end()));
        let middle = format!("# P\n\n## A\n\na\n\n{HEADING}\n\nold\n\n## B\n\nb\n");
        assert_eq!(
            replace_section(&middle, HEADING, &new),
            format!("# P\n\n## A\n\na\n\n{new}\n## B\n\nb\n")
        );
        assert_eq!(replace_section(&added, HEADING, &new), added);
    }
}
