//! Running commands with the tool cache on PATH, printing each step.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Ctx {
    /// The workspace root.
    pub root: PathBuf,
    /// The tool cache (outside the repository).
    pub tools: PathBuf,
    /// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/` in the workspace).
    pub target: PathBuf,
    /// PATH with the tool cache first.
    path: OsString,
}

impl Ctx {
    pub fn new() -> Result<Self, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask is not inside the workspace")?
            .to_path_buf();
        let tools = match std::env::var_os("CERTDESK_TOOLS") {
            Some(t) => PathBuf::from(t),
            None => {
                let cache = std::env::var_os("XDG_CACHE_HOME")
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                    .ok_or("set HOME or CERTDESK_TOOLS to say where tools may be installed")?;
                cache.join("certdesk-tools")
            }
        };
        let mut dirs = vec![
            tools.join("bin"),
            tools.join("node_modules/.bin"),
            tools.join("venv/bin"),
        ];
        if let Some(p) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&p));
        }
        let path = std::env::join_paths(dirs).map_err(|e| e.to_string())?;
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        Ok(Self {
            root,
            tools,
            target,
            path,
        })
    }

    /// A command run in the workspace root with the tool cache on PATH.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        c.current_dir(&self.root).env("PATH", &self.path);
        c
    }

    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut c = self.command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c.args(args);
        c
    }

    /// Runs a command in the foreground, announcing it; fails on a non-zero exit.
    pub fn step(&self, what: &str, cmd: &mut Command) -> Result<(), String> {
        println!("xtask: {what}");
        let status = cmd
            .status()
            .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{what}: failed ({status})"))
        }
    }

    /// Like [`Ctx::step`], but also returns the lines the command printed on stdout.
    pub fn step_captured(&self, what: &str, cmd: &mut Command) -> Captured {
        let (outcome, lines) = self.run_captured(what, cmd);
        Captured {
            what: what.to_owned(),
            outcome,
            lines,
        }
    }

    fn run_captured(&self, what: &str, cmd: &mut Command) -> (Result<(), String>, Vec<String>) {
        println!("xtask: {what}");
        let mut child = match cmd.stdout(Stdio::piped()).spawn() {
            Ok(c) => c,
            Err(e) => return (Err(format!("{what}: cannot start: {e}")), Vec::new()),
        };
        let mut lines = Vec::new();
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                lines.push(line);
            }
        }
        let result = match child.wait() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!("{what}: failed ({s})")),
            Err(e) => Err(format!("{what}: {e}")),
        };
        (result, lines)
    }

    /// Runs a command quietly and returns its trimmed stdout, or None if it did not succeed.
    pub fn probe(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
        let out = self
            .command(program)
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

/// A finished step whose output was kept.
pub struct Captured {
    pub what: String,
    pub outcome: Result<(), String>,
    pub lines: Vec<String>,
}
