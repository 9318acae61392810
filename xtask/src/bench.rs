//! `cargo xtask bench`: measurements written to docs/perf.md: the web app's transfer size
//! (printed) and the sign-in throughput on both databases (printed and written).

use crate::cmd::Ctx;

pub fn bench(ctx: &Ctx, quick: bool) -> Result<(), String> {
    crate::setup::setup(ctx, crate::setup::Purpose::Test)?;
    // The load generator is needed by the benchmark only, not by the tests.
    crate::setup::debian_packages(ctx, &["wrk"])?;
    crate::build_web(ctx)?;
    let dist = ctx.root.join("dist");
    let mut rows = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dist)
        .map_err(|e| format!("cannot read {}: {e}", dist.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    let (mut raw_total, mut gz_total, mut br_total) = (0u64, 0u64, 0u64);
    for path in entries {
        let raw = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let p = path.to_string_lossy().into_owned();
        let gz = compressed_len(ctx, "gzip", &["-9", "-c", &p])?;
        let br = compressed_len(ctx, "brotli", &["-q", "11", "-c", &p])?;
        raw_total += raw;
        gz_total += gz;
        br_total += br;
        rows.push((name, raw, gz, br));
    }
    println!(
        "{:<32} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for (name, raw, gz, br) in &rows {
        println!(
            "{name:<32} {:>10} {:>10} {:>10}",
            kb(*raw),
            kb(*gz),
            kb(*br)
        );
    }
    println!(
        "{:<32} {:>10} {:>10} {:>10}",
        "first load (all files)",
        kb(raw_total),
        kb(gz_total),
        kb(br_total)
    );
    crate::signin::bench(ctx, quick)
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

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}
