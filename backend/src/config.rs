//! One configuration table, read from `certdesk.toml` and `CERTDESK_*` environment variables,
//! validated once at start-up so a mistake is reported before anything listens.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, Result};

/// Name of the configuration file looked for in the working directory.
pub const DEFAULT_FILE: &str = "certdesk.toml";
/// Prefix of environment overrides; nested keys use `__`, e.g. `CERTDESK_SMTP__HOST`.
pub const ENV_PREFIX: &str = "CERTDESK_";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port the HTTP server binds to.
    pub listen: SocketAddr,
    /// The address users reach certdesk at; links in mails point here. Set it whenever
    /// `listen` changes or a reverse proxy is in front.
    pub public_url: Url,
    /// Where certdesk keeps its database, outgoing mail and CA files.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// The built web app (Trunk's `dist/`).
    pub web_root: PathBuf,
    /// Organisation name shown to users and put into certificates.
    pub organisation: String,
    /// Mail domains whose addresses may sign in and request certificates.
    pub mail_domains: Vec<String>,
    /// Log filter, e.g. `info` or `certdesk=debug,info`.
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: default_public_url(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            web_root: PathBuf::from("dist"),
            organisation: "Example Organisation".into(),
            mail_domains: vec!["example.org".into()],
            log: "info".into(),
        }
    }
}

impl Config {
    /// Reads the configuration: defaults, then the file, then `CERTDESK_*` variables.
    ///
    /// `file` is the path given by `--config`/`CERTDESK_CONFIG`, which must exist; without it
    /// `./certdesk.toml` is read if present.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.is_file() => {
                return Err(Error::Config(format!(
                    "configuration file {} does not exist or is not a file",
                    path.display()
                )));
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE));
            }
            None => {}
        }
        let env = Env::prefixed(ENV_PREFIX).split("__").filter(|key| {
            // CERTDESK_CONFIG names the file itself; CERTDESK_TEST_* belong to the test suite.
            let key = key.as_str().to_ascii_lowercase();
            key != "config" && !key.starts_with("test_")
        });
        figment = figment.merge(env);
        let config: Config = figment.extract().map_err(|e| Error::Config(one_line(&e)))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot: relations between values and their plausibility.
    pub fn validate(&self) -> Result<()> {
        let url = &self.public_url;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(Error::Config(format!(
                "public_url: `{url}` must be an http:// or https:// address with a host"
            )));
        }
        if let Some(db) = &self.database_url
            && !["sqlite:", "postgres://", "postgresql://"]
                .iter()
                .any(|p| db.starts_with(p))
        {
            return Err(Error::Config(
                "database_url: must start with sqlite:, postgres:// or postgresql://".into(),
            ));
        }
        if self.mail_domains.is_empty() {
            return Err(Error::Config(
                "mail_domains: name at least one mail domain, e.g. [\"example.org\"]".into(),
            ));
        }
        for d in &self.mail_domains {
            let plausible = !d.is_empty()
                && d.contains('.')
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !plausible || d.to_ascii_lowercase() != *d {
                return Err(Error::Config(format!(
                    "mail_domains: `{d}` is not a lower-case domain name like example.org"
                )));
            }
        }
        if self.organisation.trim().is_empty() {
            return Err(Error::Config("organisation: must not be empty".into()));
        }
        Ok(())
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => format!(
                "sqlite://{}",
                self.data_dir.join("certdesk.sqlite").display()
            ),
        }
    }
}

fn default_public_url() -> Url {
    // A constant literal: parsing cannot fail, and a unit test proves it.
    #[allow(clippy::expect_used)]
    Url::parse("http://127.0.0.1:8080/").expect("default public_url parses")
}

/// Figment's errors can span several lines (one per nested error); a start-up error is one line.
fn one_line(e: &figment::Error) -> String {
    e.clone()
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in_jail(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Config, String> {
        let mut out = Err(String::new());
        Jail::expect_with(|jail| {
            if let Some(t) = toml {
                jail.create_file("certdesk.toml", t)?;
            }
            for (k, v) in env {
                jail.set_env(k, v);
            }
            out = Config::load(None).map_err(|e| e.to_string());
            Ok(())
        });
        out
    }

    #[test]
    fn defaults_without_file() {
        let c = load_in_jail(None, &[]).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn file_then_environment() {
        let c = load_in_jail(
            Some("listen = \"127.0.0.1:9000\"\norganisation = \"Uni A\"\n"),
            &[
                ("CERTDESK_ORGANISATION", "Uni B"),
                ("CERTDESK_TEST_POSTGRES", "x"),
            ],
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.organisation, "Uni B");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = load_in_jail(Some("lisen = \"127.0.0.1:9000\"\n"), &[]).unwrap_err();
        assert!(e.contains("lisen"), "{e}");
        assert!(!e.contains('\n'), "one line: {e}");
        let e = load_in_jail(None, &[("CERTDESK_PORTT", "1")]).unwrap_err();
        assert!(e.contains("portt"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = load_in_jail(Some("listen = \"localhost\"\n"), &[]).unwrap_err();
        assert!(e.contains("listen"), "{e}");
        let e = load_in_jail(Some("mail_domains = [\"Example.ORG\"]\n"), &[]).unwrap_err();
        assert!(e.contains("mail_domains"), "{e}");
        let e = load_in_jail(Some("public_url = \"ftp://x.org/\"\n"), &[]).unwrap_err();
        assert!(e.contains("public_url"), "{e}");
        let e = load_in_jail(Some("database_url = \"mysql://x\"\n"), &[]).unwrap_err();
        assert!(e.contains("database_url"), "{e}");
    }

    #[test]
    fn missing_explicit_file() {
        let e = Config::load(Some(Path::new("/nonexistent/certdesk.toml"))).unwrap_err();
        assert_eq!(e.code(), "config_invalid");
        assert!(e.to_string().contains("/nonexistent/certdesk.toml"));
    }
}
