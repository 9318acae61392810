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
    /// Sign-in links, sessions and rate limits.
    pub auth: AuthConfig,
    /// Outgoing mail server; without it mails are written as .eml files into the data directory.
    pub smtp: Option<SmtpConfig>,
    /// Certificate requests: limits, evidence reuse, key types, identity checks.
    pub requests: crate::requests::RequestsConfig,
    /// The built-in certificate authority.
    pub ca: crate::ca::CaConfig,
}

/// The `[auth]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// How long a mailed sign-in link stays valid (1 minute to 24 hours).
    pub token_lifetime_minutes: u32,
    /// A session ends after this long without a request.
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in, however active.
    pub session_absolute_hours: u32,
    /// Sign-in links one address may request per rate window.
    pub links_per_address: u32,
    /// Sign-in links one client (IP address) may request per rate window.
    pub links_per_client: u32,
    /// Length of the rate-limit window.
    pub rate_window_minutes: u32,
    /// Send the session cookie without `Secure`, so it works over plain http. Only for local
    /// development; refused together with an https public_url.
    pub dev_insecure_cookies: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            token_lifetime_minutes: 15,
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            links_per_address: 5,
            links_per_client: 30,
            rate_window_minutes: 60,
            dev_insecure_cookies: false,
        }
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// No encryption (a relay on the same host or a test server).
    Plain,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// The `[smtp]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    /// Defaults to 25 (plain), 587 (starttls) or 465 (tls).
    pub port: Option<u16>,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Sender address; defaults to certdesk@ the first mail domain.
    pub from: Option<String>,
    /// A CA certificate (PEM) to trust for the SMTP server besides the public roots, e.g.
    /// the organisation's internal CA.
    pub ca_file: Option<PathBuf>,
    /// First wait after a failed delivery; doubles with every further failure.
    pub retry_initial_seconds: u32,
    /// Longest wait between two delivery attempts.
    pub retry_max_seconds: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: None,
            security: SmtpSecurity::default(),
            username: None,
            password: None,
            from: None,
            ca_file: None,
            retry_initial_seconds: 30,
            retry_max_seconds: 3600,
        }
    }
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Plain => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        })
    }
}

/// A value that must never reach a log: its `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
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
            auth: AuthConfig::default(),
            smtp: None,
            requests: crate::requests::RequestsConfig::default(),
            ca: crate::ca::CaConfig::default(),
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
        self.requests.validate()?;
        self.validate_auth()?;
        self.validate_smtp()?;
        self.ca.validate(self)
    }

    fn validate_auth(&self) -> Result<()> {
        let a = &self.auth;
        let range = |key: &str, value: u32, min: u32, max: u32| {
            if value < min || value > max {
                Err(Error::Config(format!(
                    "auth.{key}: {value} is out of range; allowed are {min} to {max}"
                )))
            } else {
                Ok(())
            }
        };
        range(
            "token_lifetime_minutes",
            a.token_lifetime_minutes,
            1,
            crate::domain::auth::MAX_TOKEN_LIFETIME_MINUTES,
        )?;
        range(
            "session_idle_minutes",
            a.session_idle_minutes,
            1,
            7 * 24 * 60,
        )?;
        range(
            "session_absolute_hours",
            a.session_absolute_hours,
            1,
            30 * 24,
        )?;
        range("links_per_address", a.links_per_address, 1, 1000)?;
        range("links_per_client", a.links_per_client, 1, 100_000)?;
        range("rate_window_minutes", a.rate_window_minutes, 1, 24 * 60)?;
        if u64::from(a.session_idle_minutes) > u64::from(a.session_absolute_hours) * 60 {
            return Err(Error::Config(
                "auth.session_idle_minutes: must not be longer than auth.session_absolute_hours"
                    .into(),
            ));
        }
        if a.dev_insecure_cookies && self.public_url.scheme() == "https" {
            return Err(Error::Config(
                "auth.dev_insecure_cookies: only for local development over http; public_url is https"
                    .into(),
            ));
        }
        Ok(())
    }

    fn validate_smtp(&self) -> Result<()> {
        let Some(smtp) = &self.smtp else {
            return Ok(());
        };
        if smtp.host.trim().is_empty() {
            return Err(Error::Config(
                "smtp.host: must name the mail server (or remove the [smtp] table to write .eml files)"
                    .into(),
            ));
        }
        if smtp.password.is_some() && smtp.username.is_none() {
            return Err(Error::Config(
                "smtp.username: required when smtp.password is set".into(),
            ));
        }
        if let Some(from) = &smtp.from
            && from.parse::<lettre::Address>().is_err()
        {
            return Err(Error::Config(format!(
                "smtp.from: `{from}` is not a mail address"
            )));
        }
        if let Some(ca) = &smtp.ca_file
            && !ca.is_file()
        {
            return Err(Error::Config(format!(
                "smtp.ca_file: {} does not exist or is not a file",
                ca.display()
            )));
        }
        if smtp.retry_initial_seconds == 0 || smtp.retry_max_seconds < smtp.retry_initial_seconds {
            return Err(Error::Config(
                "smtp.retry_initial_seconds: must be at least 1 and at most smtp.retry_max_seconds"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Sender address of every mail.
    pub fn mail_from(&self) -> String {
        match self.smtp.as_ref().and_then(|s| s.from.clone()) {
            Some(from) => from,
            None => format!(
                "certdesk@{}",
                self.mail_domains
                    .first()
                    .map_or("localhost", String::as_str)
            ),
        }
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
    fn auth_and_smtp_tables() {
        let c = load_in_jail(
            Some(
                "[auth]\ntoken_lifetime_minutes = 30\n[smtp]\nhost = \"mail.example.org\"\n\
                 security = \"tls\"\nusername = \"u\"\npassword = \"hunter2\"\n",
            ),
            &[("CERTDESK_SMTP__PORT", "2465")],
        )
        .unwrap();
        assert_eq!(c.auth.token_lifetime_minutes, 30);
        let smtp = c.smtp.clone().unwrap();
        assert_eq!(smtp.security, SmtpSecurity::Tls);
        assert_eq!(smtp.port(), 2465);
        assert!(!format!("{c:?}").contains("hunter2"), "password in Debug");
        assert_eq!(c.mail_from(), "certdesk@example.org");
        let c = load_in_jail(None, &[("CERTDESK_SMTP__HOST", "localhost")]).unwrap();
        assert_eq!(c.smtp.unwrap().port(), 587);
    }

    #[test]
    fn bad_auth_and_smtp_values_are_named() {
        let e = load_in_jail(Some("[auth]\ntoken_lifetime_minutes = 1441\n"), &[]).unwrap_err();
        assert!(e.contains("auth.token_lifetime_minutes"), "{e}");
        let e = load_in_jail(Some("[auth]\ntoken_lifetime_minutes = 0\n"), &[]).unwrap_err();
        assert!(e.contains("auth.token_lifetime_minutes"), "{e}");
        let e = load_in_jail(Some("[auth]\ntoken_lifetme = 5\n"), &[]).unwrap_err();
        assert!(e.contains("token_lifetme"), "{e}");
        let e = load_in_jail(
            Some("public_url = \"https://x.org/\"\n[auth]\ndev_insecure_cookies = true\n"),
            &[],
        )
        .unwrap_err();
        assert!(e.contains("auth.dev_insecure_cookies"), "{e}");
        let e = load_in_jail(Some("[smtp]\nport = 25\n"), &[]).unwrap_err();
        assert!(e.contains("smtp.host"), "{e}");
        let e = load_in_jail(Some("[smtp]\nhost = \"h\"\nsecurity = \"ssl\"\n"), &[]).unwrap_err();
        assert!(e.contains("security"), "{e}");
        let e = load_in_jail(Some("[smtp]\nhost = \"h\"\nfrom = \"nope\"\n"), &[]).unwrap_err();
        assert!(e.contains("smtp.from"), "{e}");
        let e = load_in_jail(
            Some("[smtp]\nhost = \"h\"\nca_file = \"/nonexistent/ca.pem\"\n"),
            &[],
        )
        .unwrap_err();
        assert!(e.contains("smtp.ca_file"), "{e}");
    }

    #[test]
    fn missing_explicit_file() {
        let e = Config::load(Some(Path::new("/nonexistent/certdesk.toml"))).unwrap_err();
        assert_eq!(e.code(), "config_invalid");
        assert!(e.to_string().contains("/nonexistent/certdesk.toml"));
    }
}
