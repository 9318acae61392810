//! PostgreSQL for tests: the server named by `CERTDESK_TEST_POSTGRES`, or a throw-away cluster
//! from Debian's packages started once per test binary. Each test gets a fresh database.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use sqlx::Connection;
use xtask::pg::{self, as_server_user, is_root, replace_database};

struct Cluster {
    /// `postgres://…/` without a database name.
    base: String,
    /// The watchdog shell; its stdin closing (when the test binary ends) stops the server.
    _watchdog: Mutex<std::process::Child>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// A URL of a new, empty database.
pub async fn fresh_database() -> String {
    let base = match std::env::var("CERTDESK_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => CLUSTER.get_or_init(start_cluster).base.clone(),
    };
    let name = format!("certdesk_test_{:016x}", rand::random::<u64>());
    let admin_url = replace_database(&base, "postgres");
    // A server that just started may still refuse connections for a moment.
    let mut attempt = 0;
    let mut conn = loop {
        match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => break c,
            Err(e) if attempt >= 50 => panic!("cannot connect to PostgreSQL at {admin_url}: {e}"),
            Err(_) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    replace_database(&base, &name)
}

fn bin_dir() -> PathBuf {
    pg::bin_dir().unwrap_or_else(|e| panic!("{e}"))
}

fn start_cluster() -> Cluster {
    let bin = bin_dir();
    // Not a TempDir: the watchdog removes it after the server stopped.
    let dir = std::env::temp_dir().join(format!("certdesk-pg-{:016x}", rand::random::<u64>()));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot hand {} to the postgres user", dir.display());
    }
    let out = as_server_user(&bin.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = super::smtp::free_port();
    let mut words = Vec::new();
    if is_root() {
        words.extend(["runuser", "-u", "postgres", "--"].map(String::from));
    }
    words.push(bin.join("postgres").to_string_lossy().into_owned());
    words.extend(["-D".into(), data.to_string_lossy().into_owned()]);
    words.extend(["-h", "127.0.0.1", "-p"].map(String::from));
    words.push(port.to_string());
    words.extend(["-k".into(), dir.to_string_lossy().into_owned()]);
    for setting in ["fsync=off", "synchronous_commit=off", "max_connections=300"] {
        words.extend(["-c".into(), setting.to_owned()]);
    }
    let command: Vec<String> = words.iter().map(|w| shell_quote(w)).collect();
    // The shell starts the server, then waits for its stdin to close: that happens when the
    // test binary exits however it exits, and the shell then stops the server and cleans up.
    let script = format!(
        "{command} >{log} 2>&1 & pid=$!; cat >/dev/null; \
         kill -INT $(head -n 1 {pidfile}); wait $pid; \
         for i in $(seq 100); do [ -e {pidfile} ] || break; sleep 0.1; done; rm -rf {dir}",
        command = command.join(" "),
        log = shell_quote(&dir.join("log").to_string_lossy()),
        // runuser does not pass signals on: stop the server itself (fast shutdown).
        pidfile = shell_quote(&data.join("postmaster.pid").to_string_lossy()),
        dir = shell_quote(&dir.to_string_lossy()),
    );
    let mut watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        // Not the test's own output: the harness waits for those to close.
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Its stdin stays open (never written) for the life of the test binary.
    let base = format!("postgres://postgres@127.0.0.1:{port}/");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Cluster {
                base,
                _watchdog: Mutex::new(watchdog),
            };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    drop(watchdog.stdin.take());
    let _ = watchdog.wait();
    panic!("PostgreSQL did not start on 127.0.0.1:{port}: {log}");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
