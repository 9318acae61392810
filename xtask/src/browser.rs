//! The browser benchmark: certdesk's request and collect crypto in headless Chromium, next to
//! bare WebCrypto and node-forge, the longest task on the page's thread during each, and the
//! app's first load. The pages are served by a release certdesk with its real
//! Content-Security-Policy. Results go to the `## Browser` section of docs/perf.md.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::bench::{Size, kb};
use crate::cmd::Ctx;
use crate::server::{Scratch, Server};
use crate::webdriver::Browser;

pub const HEADING: &str = "## Browser";

const KEY_TYPES: [&str; 5] = [
    "rsa-2048",
    "rsa-3072",
    "rsa-4096",
    "ecdsa-p256",
    "ecdsa-p384",
];

/// What one run measures.
struct Plan {
    /// Runs of every step (the medians' sample size).
    runs: usize,
    /// Runs of bare WebCrypto and certdesk's request path, whose ratio the random time of an
    /// RSA key generation would blur with few runs.
    ratio_runs: usize,
    types: &'static [&'static str],
    /// Key types node-forge makes too (it has no ECDSA).
    forge: &'static [&'static str],
    /// Key types of the .p12 builds.
    p12: &'static [&'static str],
    /// Cold loads of the app for the time to interactive.
    loads: usize,
    /// How long the benchmark page may take.
    timeout: Duration,
}

const FULL: Plan = Plan {
    runs: 7,
    ratio_runs: 41,
    types: &KEY_TYPES,
    // RSA-4096 takes node-forge 10 s to a minute a key: seven of them alone would take the
    // whole benchmark past its 15 minutes.
    forge: &["rsa-2048", "rsa-3072"],
    p12: &KEY_TYPES,
    loads: 7,
    timeout: Duration::from_secs(45 * 60),
};

/// `--quick`: a smoke run of every path in about a minute; nothing is written.
const QUICK: Plan = Plan {
    runs: 2,
    ratio_runs: 2,
    types: &["rsa-2048", "ecdsa-p256"],
    forge: &["rsa-2048"],
    p12: &["rsa-2048"],
    loads: 2,
    timeout: Duration::from_secs(5 * 60),
};

/// `bin`: a build of certdesk to serve the pages; `None` builds the release binary.
pub fn bench(ctx: &Ctx, quick: bool, sizes: &[Size], bin: Option<&Path>) -> Result<(), String> {
    let plan = if quick { &QUICK } else { &FULL };
    let scratch = Scratch::new()?;
    let root = scratch.0.join("web");
    web_root(ctx, &scratch.0, &root, plan)?;
    let bin = match bin {
        Some(bin) => bin.to_path_buf(),
        None => crate::server::build_release(ctx)?,
    };
    let load = crate::bench::load_average();
    let server = Server::start(
        &bin,
        &scratch.0.join("server"),
        &root,
        "",
        "browser benchmark",
    )?;
    let browser = Browser::start()?;
    let version = browser.version().to_owned();
    println!(
        "xtask: {version}: time to interactive, {} cold loads",
        plan.loads
    );
    let first = first_loads(&browser, &server.origin, plan.loads)?;
    let query = format!(
        "runs={}&ratioRuns={}&types={}&forge={}&p12={}",
        plan.runs,
        plan.ratio_runs,
        plan.types.join(","),
        plan.forge.join(","),
        plan.p12.join(",")
    );
    println!("xtask: {version}: benchmark page ({query})");
    browser.goto(&format!("{}/bench.html?{query}", server.origin))?;
    let outcome = browser.wait_for(
        "const r = document.getElementById('results'); \
         return r && r.dataset.state ? [r.dataset.state, r.textContent] : null;",
        plan.timeout,
    )?;
    drop(browser);
    drop(server);

    let report = read_report(&outcome)?;
    let text = section(ctx, plan, &report, &first, sizes, &version, &load);
    println!("\n{text}");
    if quick {
        println!("xtask: quick run: docs/perf.md keeps its browser figures");
        return Ok(());
    }
    crate::bench::write_section(ctx, HEADING, &text)?;
    println!("xtask: browser results written to docs/perf.md");
    Ok(())
}

/// The app as built, the benchmark page next to it, node-forge and the .p12 fixtures.
fn web_root(ctx: &Ctx, scratch: &Path, root: &Path, plan: &Plan) -> Result<(), String> {
    copy_tree(&ctx.root.join("dist"), root)?;
    let page = scratch.join("bench-page");
    let mut trunk = ctx.command(ctx.tools.join("bin/trunk"));
    trunk
        .args([
            "build",
            "--release",
            "--offline",
            "--cargo-profile",
            "wasm-release",
            "--html-output",
            "bench.html",
            "--dist",
        ])
        .arg(&page)
        .arg("frontend/bench/index.html");
    ctx.step("build the benchmark page (trunk)", &mut trunk)?;
    copy_tree(&page, root)?;
    let forge = ctx.tools.join("node_modules/node-forge/dist/forge.min.js");
    std::fs::copy(&forge, root.join("forge.min.js"))
        .map_err(|e| format!("cannot copy {}: {e}", forge.display()))?;
    let fixtures = root.join("fixtures");
    std::fs::create_dir_all(&fixtures).map_err(|e| e.to_string())?;
    for key_type in plan.p12 {
        fixture(ctx, &fixtures, key_type)?;
    }
    Ok(())
}

/// A key (PKCS#8 DER) and a self-signed certificate for it, made by openssl.
fn fixture(ctx: &Ctx, dir: &Path, key_type: &str) -> Result<(), String> {
    let key_pem = dir.join(format!("{key_type}.key.pem"));
    let cert = dir.join(format!("{key_type}.cert.pem"));
    let der = dir.join(format!("{key_type}.key.der"));
    let newkey: Vec<String> = match key_type.strip_prefix("rsa-") {
        Some(bits) => vec!["-newkey".into(), format!("rsa:{bits}")],
        None => vec![
            "-newkey".into(),
            "ec".into(),
            "-pkeyopt".into(),
            format!(
                "ec_paramgen_curve:{}",
                if key_type == "ecdsa-p256" {
                    "P-256"
                } else {
                    "P-384"
                }
            ),
        ],
    };
    ctx.step(
        &format!("{key_type}: key and certificate for the .p12 (openssl)"),
        ctx.command("openssl")
            .args(["req", "-x509", "-noenc", "-days", "2"])
            .args(["-subj", "/CN=bench@example.org"])
            .args(&newkey)
            .arg("-keyout")
            .arg(&key_pem)
            .arg("-out")
            .arg(&cert)
            .stderr(std::process::Stdio::null()),
    )?;
    ctx.step(
        &format!("{key_type}: key as PKCS#8 DER (openssl)"),
        ctx.command("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in"])
            .arg(&key_pem)
            .arg("-out")
            .arg(&der),
    )
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from)
        .map_err(|e| format!("cannot read {}: {e}", from.display()))?
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// The app's first loads, each with an empty cache.
#[derive(Default)]
struct FirstLoad {
    /// Milliseconds from navigation to the app's first render.
    times: Vec<f64>,
    /// The files of `dist/` the page fetched, e.g. `index.html`.
    files: Vec<String>,
}

fn first_loads(browser: &Browser, origin: &str, loads: usize) -> Result<FirstLoad, String> {
    let mut first = FirstLoad {
        times: Vec::new(),
        files: Vec::new(),
    };
    for _ in 0..loads {
        browser.goto("about:blank")?;
        browser.devtools("Network.clearBrowserCache")?;
        browser.goto(&format!("{origin}/"))?;
        let t = browser.wait_for(
            "const m = performance.getEntriesByName('certdesk-interactive'); \
             return m.length ? m[0].startTime : null;",
            Duration::from_secs(60),
        )?;
        first
            .times
            .push(t.as_f64().ok_or("the interactive mark has no time")?);
        let fetched = browser.execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname);",
        )?;
        let paths = fetched
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for path in paths.chain(["/index.html"]) {
            let name = path.trim_start_matches('/');
            if !name.starts_with("api/") && !first.files.iter().any(|f| f == name) {
                first.files.push(name.to_owned());
            }
        }
    }
    Ok(first)
}

/// One step of one key type, over all runs.
struct Step {
    key_type: String,
    step: String,
    ms: Vec<f64>,
    longest: Vec<f64>,
}

#[derive(Default)]
struct Report {
    steps: Vec<Step>,
    cores: u64,
}

impl Report {
    fn get(&self, key_type: &str, step: &str) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| s.key_type == key_type && s.step == step)
    }
}

/// The page's outcome: `["done", json]` or `["failed", message]`.
fn read_report(outcome: &Value) -> Result<Report, String> {
    let state = outcome[0].as_str().unwrap_or("");
    let text = outcome[1].as_str().unwrap_or("");
    if state != "done" {
        return Err(format!("the benchmark page failed: {text}"));
    }
    let v: Value =
        serde_json::from_str(text).map_err(|e| format!("unreadable benchmark results: {e}"))?;
    let violations = v["violations"].as_array().cloned().unwrap_or_default();
    if !violations.is_empty() {
        return Err(format!(
            "the Content-Security-Policy blocked something on the benchmark page: {violations:?}"
        ));
    }
    let mut steps: Vec<Step> = Vec::new();
    for sample in v["samples"].as_array().into_iter().flatten() {
        let key_type = sample["keyType"].as_str().unwrap_or("?");
        let step = sample["step"].as_str().unwrap_or("?");
        let index = match steps
            .iter()
            .position(|s| s.key_type == key_type && s.step == step)
        {
            Some(i) => i,
            None => {
                steps.push(Step {
                    key_type: key_type.to_owned(),
                    step: step.to_owned(),
                    ms: Vec::new(),
                    longest: Vec::new(),
                });
                steps.len() - 1
            }
        };
        steps[index]
            .ms
            .push(sample["ms"].as_f64().unwrap_or(f64::NAN));
        steps[index]
            .longest
            .push(sample["longest"].as_f64().unwrap_or(f64::NAN));
    }
    Ok(Report {
        steps,
        cores: v["cores"].as_u64().unwrap_or(0),
    })
}

/// The median of `values` (mean of the middle two for an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::max)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NAN, f64::min)
}

/// "412 ms (301–980)": median, then min and max.
fn spread(values: &[f64]) -> String {
    format!(
        "{} ms ({}–{})",
        number(median(values)),
        number(min(values)),
        number(max(values))
    )
}

/// Milliseconds, with a decimal below 10.
fn number(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn ms(v: f64) -> String {
    format!("{} ms", number(v))
}

/// Long tasks are reported from 50 ms on.
fn longest(step: &Step) -> String {
    let m = max(&step.longest);
    if m > 0.0 { ms(m) } else { "< 50 ms".into() }
}

fn cell(step: Option<&Step>) -> (String, String) {
    step.map_or(("—".into(), "—".into()), |s| {
        (spread(&s.ms), longest(s))
    })
}

fn keygen_table(plan: &Plan, report: &Report) -> String {
    let mut t = String::from(
        "| key type | WebCrypto `generateKey` | certdesk on *Generate*: key + CSR + key file \
         | ratio | longest task | key file's key, at the password step | longest task \
         | pure Rust in the worker | longest task | node-forge (pure JS) | longest task \
         |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for key_type in plan.types {
        let bare = report.get(key_type, "webcrypto");
        let ours = report.get(key_type, "certdesk");
        let ratio = match (bare, ours) {
            (Some(b), Some(o)) => format!("{:.2}×", median(&o.ms) / median(&b.ms)),
            _ => "—".into(),
        };
        let (bare, _) = cell(bare);
        let (ours, ours_task) = cell(ours);
        let (password, password_task) = cell(report.get(key_type, "password"));
        let (worker, worker_task) = cell(report.get(key_type, "worker"));
        let (forge, forge_task) = cell(report.get(key_type, "forge"));
        let _ = writeln!(
            t,
            "| {key_type} | {bare} | {ours} | {ratio} | {ours_task} | {password} \
             | {password_task} | {worker} | {worker_task} | {forge} | {forge_task} |"
        );
    }
    t
}

fn pkcs12_table(plan: &Plan, report: &Report) -> String {
    let mut t = String::from(
        "| key type | modern | longest task | compatible | longest task |\n|---|---|---|---|---|\n",
    );
    for key_type in plan.p12 {
        let (modern, modern_task) = cell(report.get(key_type, "p12-modern"));
        let (compatible, compatible_task) = cell(report.get(key_type, "p12-compatible"));
        let _ = writeln!(
            t,
            "| {key_type} | {modern} | {modern_task} | {compatible} | {compatible_task} |"
        );
    }
    t
}

/// The files the page fetched on its first load (`fetched`), or the others.
fn first_load_part<'a>(sizes: &'a [Size], first: &FirstLoad, fetched: bool) -> Vec<&'a Size> {
    sizes
        .iter()
        .filter(|s| first.files.contains(&s.name) == fetched)
        .collect()
}

/// What the first load weighs as brotli sends it, the figure its target is set in.
const FIRST_LOAD_TARGET_BYTES: u64 = 300_000;

/// The bundles the page fetches later, by their glue's name (`certdesk-crypto.js` and
/// `certdesk-crypto_bg.wasm` are one), the small scripts their glue imports, and when the
/// page fetches them.
const LATER: &[(&str, &[&str], &str)] = &[
    (
        "certdesk-crypto",
        &["keygen-worker.js"],
        "the request and collect pages' crypto, fetched when the request wizard's password \
         step or the collect page opens",
    ),
    (
        "certdesk-strength",
        &[],
        "the password strength meter (zxcvbn and its dictionaries), fetched by its worker when \
         the request wizard's password step opens",
    ),
    (
        "certdesk-keygen",
        &[],
        "the pure-Rust key generator, fetched by its worker only where WebCrypto cannot make \
         the key",
    ),
];

fn sizes_table(sizes: &[Size], first: &FirstLoad) -> String {
    let row = |files: &[&Size], what: &str, time: &str| {
        let names: Vec<String> = files.iter().map(|s| format!("`{}`", s.name)).collect();
        let raw = files.iter().map(|s| s.raw).sum();
        let brotli = files.iter().map(|s| s.brotli).sum();
        format!(
            "| {what}: {} | {} | {} | {time} |\n",
            names.join(", "),
            kb(raw),
            kb(brotli)
        )
    };
    let mut t =
        String::from("| what | raw | brotli -q 11 | time to interactive |\n|---|---|---|---|\n");
    t.push_str(&row(
        &first_load_part(sizes, first, true),
        "the first load, as the page fetched it",
        &spread(&first.times),
    ));
    let mut rest = first_load_part(sizes, first, false);
    for (stem, scripts, when) in LATER {
        let bundle = |s: &&Size| {
            s.name == format!("{stem}.js")
                || s.name == format!("{stem}_bg.wasm")
                || scripts
                    .iter()
                    .any(|js| s.name.ends_with(&format!("/static/{js}")))
        };
        let (files, others): (Vec<&Size>, Vec<&Size>) = rest.into_iter().partition(bundle);
        rest = others;
        if !files.is_empty() {
            t.push_str(&row(&files, &format!("later, {when}"), "—"));
        }
    }
    if !rest.is_empty() {
        t.push_str(&row(&rest, "not fetched on the first load", "—"));
    }
    t
}

/// The targets, each with what was measured and whether it was met.
fn targets(plan: &Plan, report: &Report, sizes: &[Size], first: &FirstLoad) -> String {
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut s = String::new();
    let first_load: u64 = first_load_part(sizes, first, true)
        .iter()
        .map(|f| f.brotli)
        .sum();
    let _ = writeln!(
        s,
        "- The first load (WebAssembly, JavaScript, CSS, HTML) under {} brotli: {} — {}",
        kb(FIRST_LOAD_TARGET_BYTES),
        kb(first_load),
        verdict(first_load < FIRST_LOAD_TARGET_BYTES)
    );
    if let (Some(bare), Some(ours)) = (
        report.get("rsa-3072", "webcrypto"),
        report.get("rsa-3072", "certdesk"),
    ) {
        let ratio = median(&ours.ms) / median(&bare.ms);
        let _ = writeln!(
            s,
            "- RSA-3072 end to end within 1.2× of bare WebCrypto `generateKey`: {ratio:.2}× — {}",
            verdict(ratio <= 1.2)
        );
    }
    let ours: Vec<&Step> = report
        .steps
        .iter()
        .filter(|st| st.step != "webcrypto" && st.step != "forge")
        .collect();
    let worst = ours.iter().map(|st| max(&st.longest)).fold(0.0, f64::max);
    let _ = writeln!(
        s,
        "- No task over 100 ms on the page's thread in certdesk's steps: longest {} — {}",
        if worst > 0.0 {
            ms(worst)
        } else {
            "< 50 ms".into()
        },
        verdict(worst <= 100.0)
    );
    let p12: Vec<&Step> = plan
        .p12
        .iter()
        .flat_map(|t| [report.get(t, "p12-modern"), report.get(t, "p12-compatible")])
        .flatten()
        .collect();
    let slowest = p12.iter().map(|st| median(&st.ms)).fold(0.0, f64::max);
    let _ = writeln!(
        s,
        "- PKCS#12, both formats, under 0.5 s: slowest median {} — {}",
        ms(slowest),
        verdict(slowest < 500.0)
    );
    s
}

fn section(
    ctx: &Ctx,
    plan: &Plan,
    report: &Report,
    first: &FirstLoad,
    sizes: &[Size],
    version: &str,
    load: &str,
) -> String {
    let machine = crate::bench::Machine::now(ctx);
    let (date, cpu) = (machine.date, machine.cpu);
    format!(
        "{HEADING}\n\n\
         Measured with `cargo xtask bench` on {date}: {version}, headless, {} cores ({cpu}), on pages \
         served by certdesk (release build) over loopback with its Content-Security-Policy. \
         Every figure is the median of {} runs, with min and max in brackets, except bare \
         WebCrypto and certdesk's request path, whose ratio takes {} runs of each: how long an \
         RSA key takes depends on where its primes happen to fall. The steps of a key type \
         take turns run by run, so a slow stretch of the machine hits them alike, and each \
         ratio compares medians of the same run. \"Longest task\" is the longest task \
         on the page's thread while the step ran (PerformanceObserver `longtask`, which \
         reports tasks from 50 ms on), over all runs. Load average (1 min) before the run: \
         {load}.\n\n\
         ### Request: key, CSR and key file\n\n\
         certdesk's path is what the request page runs when the user presses *Generate*: \
         the key from WebCrypto (extractable, exported as PKCS#8 and checked in WebAssembly), \
         the CSR built in WebAssembly and signed by WebCrypto, and the key file sealed with \
         AES-256-CBC. The key file's own key (PBKDF2-HMAC-SHA256 at 600,000 iterations, in \
         WebCrypto) needs the password but no key pair, so the page derives it one step \
         earlier, when the password has been entered twice and the user moves on to the terms; \
         its column shows what that costs there. Run side by side with the key generation it \
         slowed both down on two cores, which is why it runs at a step of its own. \
         The pure-Rust generator is the fallback for browsers whose WebCrypto cannot make the \
         key; it runs in a Web Worker that loads its own bundle, and its first run includes \
         fetching and compiling that bundle. node-forge 1.4 (pure JavaScript, forced off \
         WebCrypto) runs on the page's thread in its documented steps of 100 ms; it makes no \
         ECDSA keys, and RSA-4096 is left out: a key takes it 10 s to a minute (35 s median \
         when last measured), which would take the benchmark past its 15 minutes.\n\n{}\n\
         ### Collect: PKCS#12\n\n\
         The .p12 from a key and certificate (made by openssl), with the default work factors. \
         Modern: the key and certificate bags in PBES2 with PBKDF2-HMAC-SHA256 at 600,000 \
         iterations in WebCrypto, and a SHA-256 MAC whose key takes the PKCS#12 key \
         derivation at the same 600,000 iterations: WebCrypto has none, so it runs in \
         WebAssembly, in slices of 20 ms with the page getting a turn in between, while \
         WebCrypto derives the bags' keys on its own threads (why the MAC keeps that count: \
         see \"The .p12 MAC's iteration count\" below). Compatible: 3DES bags and a SHA-1 \
         MAC at 2,048 iterations, all in WebAssembly.\n\n{}\n\
         ### First load\n\n\
         The files the app's page fetched on its first load, with their transfer size as a \
         compressing proxy would send them, and the other files of `dist/`. Time to \
         interactive is from navigation to the app's first render (the \
         `certdesk-interactive` performance mark), each load with an empty browser cache, \
         over loopback.\n\n{}\n\
         ### Targets\n\n{}",
        report.cores,
        plan.runs,
        plan.ratio_runs,
        keygen_table(plan, report),
        pkcs12_table(plan, report),
        sizes_table(sizes, first),
        targets(plan, report, sizes, first),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_spreads() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(spread(&[10.2, 30.0, 20.0]), "20 ms (10–30)");
        assert_eq!(spread(&[0.4, 0.6]), "0.5 ms (0.4–0.6)");
    }

    #[test]
    fn first_load_counts_only_what_the_page_fetched() {
        let size = |name: &str, raw| Size {
            name: name.into(),
            raw,
            gzip: raw / 2,
            brotli: raw / 4,
        };
        let sizes = [
            size("index.html", 2_000),
            size("app_bg.wasm", 100_000),
            size("certdesk-keygen_bg.wasm", 200_000),
            size("certdesk-crypto.js", 20_000),
            size("snippets/x/static/keygen-worker.js", 4_000),
            size("other.js", 1_000),
        ];
        let first = FirstLoad {
            times: vec![100.0, 120.0, 110.0],
            files: vec!["app_bg.wasm".into(), "index.html".into()],
        };
        let t = sizes_table(&sizes, &first);
        assert!(
            t.contains("`index.html`, `app_bg.wasm` | 102.0 KB | 25.5 KB | 110 ms (100–120) |"),
            "{t}"
        );
        assert!(
            t.contains("the key: `certdesk-keygen_bg.wasm` | 200.0 KB | 50.0 KB | — |"),
            "{t}"
        );
        assert!(
            t.contains(
                "collect page opens: `certdesk-crypto.js`, `snippets/x/static/keygen-worker.js` \
                 | 24.0 KB | 6.0 KB | — |"
            ),
            "{t}"
        );
        assert!(
            t.contains("not fetched on the first load: `other.js` | 1.0 KB | 0.2 KB | — |"),
            "{t}"
        );

        let plan = Plan { p12: &[], ..QUICK };
        let report = Report::default();
        let t = targets(&plan, &report, &sizes, &first);
        assert!(t.contains("under 300.0 KB brotli: 25.5 KB — met"), "{t}");
        let heavy = [size("index.html", 2_000), size("app_bg.wasm", 1_300_000)];
        let t = targets(&plan, &report, &heavy, &first);
        assert!(
            t.contains("under 300.0 KB brotli: 325.5 KB — **missed**"),
            "{t}"
        );
    }

    #[test]
    fn reads_the_page_report() {
        let json = r#"{"cores": 2, "runs": 2, "violations": [], "samples": [
            {"keyType": "rsa-3072", "step": "webcrypto", "ms": 100, "longest": 0},
            {"keyType": "rsa-3072", "step": "certdesk", "ms": 110, "longest": 60},
            {"keyType": "rsa-3072", "step": "webcrypto", "ms": 300, "longest": 0},
            {"keyType": "rsa-3072", "step": "certdesk", "ms": 330, "longest": 0}]}"#;
        let report =
            read_report(&serde_json::json!(["done", json])).unwrap_or_else(|e| panic!("{e}"));
        let ours = report
            .get("rsa-3072", "certdesk")
            .unwrap_or_else(|| panic!("step missing"));
        assert_eq!(ours.ms, vec![110.0, 330.0]);
        assert_eq!(longest(ours), "60 ms");
        let plan = Plan { p12: &[], ..QUICK };
        let t = targets(&plan, &report, &[], &FirstLoad::default());
        assert!(t.contains("1.10× — met"), "{t}");
        assert!(t.contains("longest 60 ms — met"), "{t}");

        let failed = read_report(&serde_json::json!(["failed", "Error: boom"]));
        assert!(failed.is_err_and(|e| e.contains("boom")));
        let blocked = r#"{"violations": ["worker-src: blob"], "samples": []}"#;
        assert!(read_report(&serde_json::json!(["done", blocked])).is_err());
    }
}
