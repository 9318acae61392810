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
        let data = dir.join("data");
        std::fs::create_dir_all(&data)
            .map_err(|e| format!("cannot create {}: {e}", data.display()))?;
        let port = free_port()?;
        let origin = format!("http://127.0.0.1:{port}");
        let toml = format!(
            "listen = \"127.0.0.1:{port}\"\npublic_url = \"{origin}/\"\ndata_dir = {}\n\
             web_root = {}\nlog = \"warn\"\n{extra}",
            quote(&data),
            quote(web_root),
        );
        let config = dir.join("certdesk.toml");
        std::fs::write(&config, toml)
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let log_path = dir.join("server.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut serve = Command::new(bin);
        serve
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        // Only the file above configures this server.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("CERTDESK_") || key == "RUST_LOG" {
                serve.env_remove(key);
            }
        }
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
        let dir = std::env::temp_dir().join(format!("certdesk-bench-{}", unique()));
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
