//! A release build of certdesk for the benchmarks: configured only by a file of its own, on a
//! free loopback port, stopped by its own PID when dropped. Plus the scratch directory and
//! port helpers the benchmarks share.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cmd::Ctx;

/// Builds the release binary and returns its path.
pub fn build_release(ctx: &Ctx) -> Result<PathBuf, String> {
    ctx.step(
        "build the server (release)",
        &mut ctx.cargo(&[
            "build",
            "--release",
            "-p",
            "certdesk-backend",
            "--bin",
            "certdesk",
        ]),
    )?;
    Ok(ctx.target.join("release/certdesk"))
}

/// The server process; stopped on every path, by its own PID.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
}

impl Server {
    /// Starts `bin serve` in `dir` with data in `dir/data`, the web app from `web_root`, and
    /// `extra` appended to the generated certdesk.toml (top-level keys first, then tables).
    /// Returns once `/api/health` answers 200.
    pub fn start(
        bin: &Path,
        dir: &Path,
        web_root: &Path,
        extra: &str,
        label: &str,
    ) -> Result<Self, String> {
        let port = free_port()?;
        let origin = format!("http://127.0.0.1:{port}");
        let config = write_config(dir, web_root, extra, port)?;
        let log_path = dir.join("server.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut serve = command(bin, &config);
        serve
            .arg("serve")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        println!("xtask: {label}: certdesk on {origin}");
        let mut server = Server {
            child: serve
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}", bin.display()))?,
            origin,
        };
        server.wait_healthy(port).map_err(|e| {
            format!(
                "{e}\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            )
        })?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The highest resident set size of the server so far, in kB (0 if unknown).
    pub fn peak_rss_kb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }

    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGTERM lets certdesk shut down gracefully; SIGKILL if it does not within 10 s.
        let _ = Command::new("kill").arg(self.pid().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn wait_healthy(&mut self, port: u16) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("certdesk exited at start-up ({status})"));
            }
            if health(port).is_some_and(|status| status.contains(" 200 ")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "certdesk did not answer /api/health on port {port} within 60 s"
        ))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Writes `dir/certdesk.toml` as [`Server::start`] describes it, for `port`.
fn write_config(dir: &Path, web_root: &Path, extra: &str, port: u16) -> Result<PathBuf, String> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let toml = format!(
        "listen = \"127.0.0.1:{port}\"\npublic_url = \"http://127.0.0.1:{port}/\"\n\
         data_dir = {}\nweb_root = {}\nlog = \"warn\"\n{extra}",
        quote(&data),
        quote(web_root),
    );
    let config = dir.join("certdesk.toml");
    std::fs::write(&config, toml).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
    Ok(config)
}

/// `bin --config config`, configured only by that file.
fn command(bin: &Path, config: &Path) -> Command {
    let mut c = Command::new(bin);
    c.arg("--config").arg(config);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CERTDESK_") || key == "RUST_LOG" {
            c.env_remove(key);
        }
    }
    c
}

/// Runs a command of certdesk's command line (`args`, e.g. `["ca", "init"]`) on the data
/// of a server in `dir` configured as [`Server::start`] would, while no server runs there.
pub fn cli(
    bin: &Path,
    dir: &Path,
    web_root: &Path,
    extra: &str,
    args: &[&str],
) -> Result<String, String> {
    let config = write_config(dir, web_root, extra, free_port()?)?;
    let out = command(bin, &config)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "certdesk {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The status line of `GET /api/health`.
fn health(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.lines().next().map(str::to_owned)
}

pub fn free_port() -> Result<u16, String> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

/// A TOML basic string.
pub fn quote(path: &Path) -> String {
    let s = path.to_string_lossy();
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

/// A temporary directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Result<Self, String> {
        Self::new_in(&std::env::temp_dir())
    }

    /// A scratch directory below `parent`.
    pub fn new_in(parent: &Path) -> Result<Self, String> {
        let dir = parent.join(format!("certdesk-bench-{}", unique()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
