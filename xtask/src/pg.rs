//! A throw-away PostgreSQL from Debian's packages, for the test suite and the benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest installed PostgreSQL's `bin` directory (Debian's layout).
pub fn bin_dir() -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    // The test suite runs `postgres` itself, the benchmark `pg_ctl`: both must be there.
    dirs.retain(|d| {
        ["initdb", "postgres", "pg_ctl"]
            .iter()
            .all(|b| d.join(b).is_file())
    });
    // The newest major version.
    dirs.sort_by_key(|d| {
        d.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop().ok_or_else(|| {
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run cargo xtask \
         setup, or set CERTDESK_TEST_POSTGRES to a postgres:// URL"
            .to_owned()
    })
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `initdb` and `postgres` refuse to run as root: run them as the `postgres` user then.
pub fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// `url` with its database part set to `db`.
pub fn replace_database(url: &str, db: &str) -> String {
    let (without_query, query) = url
        .split_once('?')
        .map_or((url, None), |(a, b)| (a, Some(b)));
    let after_scheme = without_query.find("://").map_or(0, |i| i + 3);
    let host_end = without_query
        .get(after_scheme..)
        .and_then(|rest| rest.find('/'))
        .map_or(without_query.len(), |i| after_scheme + i);
    let mut out = format!("{}/{db}", without_query.get(..host_end).unwrap_or(""));
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_part_of_urls() {
        assert_eq!(
            replace_database("postgres://u:p@h:5/x?sslmode=disable", "d"),
            "postgres://u:p@h:5/d?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "d"), "postgres://h/d");
        assert_eq!(replace_database("postgres://h/", "d"), "postgres://h/d");
    }
}
