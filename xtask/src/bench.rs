//! `cargo xtask bench`: measurements written to docs/perf.md: the web app's transfer size
//! (printed), the browser's crypto and first load, and the sign-in throughput on both
//! databases (printed and written).

use crate::cmd::Ctx;

/// One file of the built web app: name, raw, gzip -9 and brotli -q 11 bytes.
pub struct Size {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// `args`: `--quick`, and optionally one part (`browser` or `signin`) to run alone.
pub fn bench(ctx: &Ctx, args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let part = match args.iter().find(|a| *a != "--quick").map(String::as_str) {
        None => None,
        Some(p @ ("browser" | "signin")) => Some(p),
        Some(other) => {
            return Err(format!(
                "unknown benchmark `{other}`; use browser or signin, or name none for all"
            ));
        }
    };
    crate::setup::setup(ctx, crate::setup::Purpose::Test)?;
    // The load generator and the JavaScript generator compared with are needed by the
    // benchmark only, not by the tests.
    if part != Some("browser") {
        crate::setup::debian_packages(ctx, &["wrk"])?;
    }
    if part != Some("signin") {
        crate::setup::node_forge(ctx)?;
    }
    crate::build_web(ctx)?;
    let sizes = sizes(ctx)?;
    print_sizes(&sizes);
    if part != Some("signin") {
        crate::browser::bench(ctx, quick, &sizes)?;
    }
    if part != Some("browser") {
        crate::signin::bench(ctx, quick)?;
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
