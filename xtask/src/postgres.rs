//! PostgreSQL for the benchmark: the server named by `CERTDESK_TEST_POSTGRES`, or a throw-away
//! cluster from Debian's packages that is stopped and removed when the guard drops.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cmd::Ctx;
use xtask::pg::{as_server_user, bin_dir, is_root, replace_database};

pub struct Postgres {
    /// `postgres://…` of the database made for this run.
    pub url: String,
    /// `SHOW server_version`, for the record.
    pub version: String,
    /// Where it runs: "throw-away cluster" or "CERTDESK_TEST_POSTGRES".
    pub origin: &'static str,
    admin_url: String,
    database: String,
    cluster: Option<Cluster>,
}

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
}

impl Postgres {
    /// A fresh, empty database; `scratch` is an empty directory for a throw-away cluster.
    pub fn start(ctx: &Ctx, scratch: &Path, name: &str) -> Result<Self, String> {
        // The name goes into SQL unquoted.
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad database name {name}"));
        }
        let (base, cluster, origin) = match std::env::var("CERTDESK_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => (url, None, "CERTDESK_TEST_POSTGRES"),
            _ => {
                let (base, cluster) = start_cluster(ctx, scratch)?;
                (base, Some(cluster), "throw-away cluster")
            }
        };
        let mut pg = Self {
            url: replace_database(&base, name),
            version: String::new(),
            origin,
            admin_url: replace_database(&base, "postgres"),
            database: name.to_owned(),
            cluster,
        };
        pg.psql(&pg.admin_url, &format!("CREATE DATABASE {name}"))?;
        // Created now: dropped again when the guard drops.
        pg.version = pg.psql(&pg.url, "SHOW server_version")?;
        Ok(pg)
    }

    /// Runs `sql` in the benchmark's database and returns what it printed.
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        self.psql(&self.url, sql)
    }

    fn psql(&self, url: &str, sql: &str) -> Result<String, String> {
        let psql = self
            .cluster
            .as_ref()
            .map_or_else(|| PathBuf::from("psql"), |c| c.bin.join("psql"));
        let out = Command::new(&psql)
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                url,
                "-c",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", psql.display()))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(format!(
                "psql `{sql}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A throw-away cluster goes as a whole (its own guard); on a shared server only our
        // database goes.
        if self.cluster.is_none() {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database);
            if let Err(e) = self.psql(&self.admin_url, &drop) {
                eprintln!("xtask: {e}");
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .args(["stop", "-m", "fast", "-w", "-t", "30", "-D"])
            .arg(self.dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts a cluster in `scratch/pg` and returns its base URL.
fn start_cluster(ctx: &Ctx, scratch: &Path) -> Result<(String, Cluster), String> {
    let bin = bin_dir()?;
    let dir = scratch.join("pg");
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    if is_root() {
        // initdb and postgres refuse to run as root: the postgres user owns the cluster.
        ctx.step(
            "hand the PostgreSQL directory to the postgres user",
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir),
        )?;
    }
    // From here on the guard stops the server and removes the directory on every path.
    let cluster = Cluster {
        bin: bin.clone(),
        dir: dir.clone(),
    };
    let out = as_server_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = crate::server::free_port()?;
    let options = format!(
        "-h 127.0.0.1 -p {port} -k {} -c max_connections=100",
        dir.display()
    );
    ctx.step(
        &format!("start a throw-away PostgreSQL on 127.0.0.1:{port}"),
        as_server_user(&bin.join("pg_ctl"))
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-o", &options])
            .stdout(Stdio::null()),
    )
    .map_err(|e| {
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        format!("{e}\n{log}")
    })?;
    Ok((format!("postgres://postgres@127.0.0.1:{port}/"), cluster))
}
