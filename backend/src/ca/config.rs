//! The `[ca]` table: how the built-in CA is made, what goes into the certificates it signs,
//! and where its passphrase comes from. Checked at start-up with the rest of the configuration.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use shared::pki::KeyType;
use url::Url;
use zeroize::Zeroizing;

use crate::config::{Config, Secret};
use crate::{Error, Result};

/// Certificates valid this long or longer draw a finding: the S/MIME Baseline Requirements
/// allow 825 days and expect less than the maximum.
pub const MAX_VALIDITY_DAYS: u32 = 824;
/// The longest subject attribute certdesk writes (ub-common-name, ub-organization-name).
pub const MAX_NAME_CHARS: usize = 64;
/// A passphrase shorter than this protects the CA keys too little.
pub const MIN_PASSPHRASE_CHARS: usize = 16;
/// Name of the passphrase file in the data directory when none is configured.
pub const DEFAULT_PASSPHRASE_FILE: &str = "ca-passphrase";

/// The `[ca]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaConfig {
    /// Key type of the root and issuing CA `certdesk ca init` makes: `ecdsa-p384` or `rsa-4096`.
    pub key_type: KeyType,
    /// How long issued certificates are valid, in days (1 to 824).
    pub validity_days: u32,
    /// The organisation's registration, as the S/MIME BR want it in organization-validated
    /// and sponsor-validated certificates, e.g. `NTRDE-DEK1101R.HRB123456`, `VATDE-123456789`,
    /// `GOVDE+BY` or `LEIXG-…`.
    pub organisation_identifier: Option<String>,
    /// Two-letter country code (ISO 3166-1) put into the CA and the organisation's certificates.
    pub country: Option<String>,
    /// The passphrase that encrypts the CA keys; better from `CERTDESK_CA__PASSPHRASE`.
    pub passphrase: Option<Secret>,
    /// A file whose first line is the passphrase [default: `<data_dir>/ca-passphrase`].
    pub passphrase_file: Option<PathBuf>,
    /// Common name of the root CA [default: `<organisation> S/MIME Root CA`].
    pub root_name: Option<String>,
    /// Common name of the issuing CA [default: `<organisation> S/MIME Issuing CA`].
    pub issuing_name: Option<String>,
    /// Plain-http address under which `/ca/…` (CRLs, CA certificates) is reachable; written into
    /// every certificate [default: `public_url` with `http://`].
    pub distribution_url: Option<Url>,
}

impl Default for CaConfig {
    fn default() -> Self {
        Self {
            key_type: KeyType::EcdsaP384,
            validity_days: 730,
            organisation_identifier: None,
            country: None,
            passphrase: None,
            passphrase_file: None,
            root_name: None,
            issuing_name: None,
            distribution_url: None,
        }
    }
}

fn invalid(key: &str, message: impl std::fmt::Display) -> Error {
    Error::Config(format!("ca.{key}: {message}"))
}

impl CaConfig {
    /// Checks the table against the rest of the configuration.
    pub fn validate(&self, config: &Config) -> Result<()> {
        if !matches!(self.key_type, KeyType::EcdsaP384 | KeyType::Rsa4096) {
            return Err(invalid(
                "key_type",
                format!(
                    "`{}` is not for a CA; use ecdsa-p384 or rsa-4096",
                    self.key_type
                ),
            ));
        }
        if self.validity_days == 0 || self.validity_days > MAX_VALIDITY_DAYS {
            return Err(invalid(
                "validity_days",
                format!(
                    "{} is out of range; allowed are 1 to {MAX_VALIDITY_DAYS} (the S/MIME BR \
                     allow at most 825 days)",
                    self.validity_days
                ),
            ));
        }
        if config.organisation.chars().count() > MAX_NAME_CHARS {
            return Err(Error::Config(format!(
                "organisation: at most {MAX_NAME_CHARS} characters, it goes into certificates"
            )));
        }
        if let Some(country) = &self.country
            && !is_country_code(country)
        {
            return Err(invalid(
                "country",
                format!("`{country}` is not a two-letter country code like DE"),
            ));
        }
        if let Some(id) = &self.organisation_identifier {
            let parsed = OrganisationIdentifier::parse(id)
                .map_err(|why| invalid("organisation_identifier", why))?;
            if let Some(country) = &self.country
                && parsed.country != "XG"
                && parsed.country != *country
            {
                return Err(invalid(
                    "organisation_identifier",
                    format!(
                        "names the country {} but ca.country is {country}; they must agree",
                        parsed.country
                    ),
                ));
            }
        }
        // Names derived from a long organisation name are checked by `ca init`, which uses them;
        // a server with an existing CA does not care.
        for (key, name) in [
            ("root_name", &self.root_name),
            ("issuing_name", &self.issuing_name),
        ] {
            if let Some(name) = name {
                check_ca_name(key, name)?;
            }
        }
        if let Some(url) = &self.distribution_url
            && (url.scheme() != "http" || url.host().is_none())
        {
            return Err(invalid(
                "distribution_url",
                format!(
                    "`{url}` must be an http:// address with a host: mail clients fetch CRLs \
                     over plain http"
                ),
            ));
        }
        if self.passphrase.is_some() && self.passphrase_file.is_some() {
            return Err(invalid(
                "passphrase",
                "set either ca.passphrase or ca.passphrase_file, not both",
            ));
        }
        Ok(())
    }

    /// The root's common name, checked to fit a certificate.
    pub fn checked_root_name(&self, config: &Config) -> Result<String> {
        let name = self.root_name(config);
        check_ca_name("root_name", &name)?;
        Ok(name)
    }

    /// The issuing CA's common name, checked to fit a certificate.
    pub fn checked_issuing_name(&self, config: &Config) -> Result<String> {
        let name = self.issuing_name(config);
        check_ca_name("issuing_name", &name)?;
        Ok(name)
    }

    pub fn root_name(&self, config: &Config) -> String {
        self.root_name
            .clone()
            .unwrap_or_else(|| format!("{} S/MIME Root CA", config.organisation))
    }

    pub fn issuing_name(&self, config: &Config) -> String {
        self.issuing_name
            .clone()
            .unwrap_or_else(|| format!("{} S/MIME Issuing CA", config.organisation))
    }

    /// The passphrase file in effect (configured, or the default in the data directory).
    pub fn passphrase_path(&self, data_dir: &Path) -> PathBuf {
        self.passphrase_file
            .clone()
            .unwrap_or_else(|| data_dir.join(DEFAULT_PASSPHRASE_FILE))
    }

    /// The base of the CRL and CA certificate addresses written into certificates: the
    /// configured one, or `public_url` over plain http (same host and path, default port).
    pub fn distribution_base(&self, public_url: &Url) -> Url {
        if let Some(url) = &self.distribution_url {
            return with_trailing_slash(url.clone());
        }
        let mut url = public_url.clone();
        if url.scheme() == "https" {
            // Both schemes are "special" in the URL standard, so switching cannot fail; the
            // https port means nothing for http.
            let _ = url.set_port(None);
            let _ = url.set_scheme("http");
        }
        url.set_query(None);
        url.set_fragment(None);
        with_trailing_slash(url)
    }
}

fn check_ca_name(key: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            key,
            format!("`{name}` must be 1 to {MAX_NAME_CHARS} characters; set ca.{key}"),
        ));
    }
    Ok(())
}

fn with_trailing_slash(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// An organisation identifier split into its parts (S/MIME BR 7.1.4.2.2 d).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationIdentifier {
    pub scheme: String,
    pub country: String,
    pub subdivision: Option<String>,
    pub reference: Option<String>,
}

impl OrganisationIdentifier {
    /// Parses and checks the value; the error says what is wrong in words.
    pub fn parse(value: &str) -> std::result::Result<Self, String> {
        let form = "expected the form SCHEME + country + optional +subdivision + -reference, \
                    e.g. NTRDE-DEK1101R.HRB123456 or GOVDE+BY";
        let (head, reference) = match value.split_once('-') {
            Some((h, r)) => (h, Some(r.to_owned())),
            None => (value, None),
        };
        let (prefix, subdivision) = match head.split_once('+') {
            Some((p, s)) => (p, Some(s.to_owned())),
            None => (head, None),
        };
        if prefix.len() != 5 || !prefix.is_ascii() {
            return Err(format!("`{value}`: {form}"));
        }
        let (scheme, country) = prefix.split_at(3);
        if !is_country_code(country) {
            return Err(format!(
                "`{value}`: `{country}` is not a country code; {form}"
            ));
        }
        if subdivision.as_deref().is_some_and(|s| {
            s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphanumeric())
        }) {
            return Err(format!(
                "`{value}`: the subdivision after + is 1 to 3 letters or digits"
            ));
        }
        if reference
            .as_deref()
            .is_some_and(|r| r.is_empty() || r.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(format!(
                "`{value}`: the registration reference after - is empty or has spaces"
            ));
        }
        let global = country == "XG";
        let rule_broken = match scheme {
            "NTR" | "VAT" | "PSD" => (global || reference.is_none())
                .then_some("names a country and a registration reference"),
            "GOV" => (global || reference.is_some())
                .then_some("names a country (and subdivision), no reference"),
            "INT" => (!global || subdivision.is_some() || reference.is_some())
                .then_some("is INTXG with nothing after it"),
            "LEI" => {
                (!global || subdivision.is_some() || !reference.as_deref().is_some_and(is_lei))
                    .then_some("is LEIXG- followed by a valid 20-character LEI")
            }
            _ => {
                return Err(format!(
                    "`{value}`: the scheme `{scheme}` is none of NTR, VAT, PSD, LEI, GOV, INT"
                ));
            }
        };
        if let Some(rule) = rule_broken {
            return Err(format!(
                "`{value}`: an identifier of the {scheme} scheme {rule}"
            ));
        }
        // The BR ask German register numbers in EUID form (country, register, ".", number).
        if scheme == "NTR" && country == "DE" {
            let euid = reference
                .as_deref()
                .and_then(|r| r.split_once('.'))
                .is_some_and(|(register, number)| {
                    register.len() > 2 && register.starts_with("DE") && !number.is_empty()
                });
            if subdivision.is_some() || !euid {
                return Err(format!(
                    "`{value}`: German register numbers go in EUID form without a subdivision, \
                     e.g. NTRDE-DEK1101R.HRB123456 (court code, \".\", register number)"
                ));
            }
        }
        Ok(Self {
            scheme: scheme.to_owned(),
            country: country.to_owned(),
            subdivision,
            reference,
        })
    }
}

/// An ISO 17442 Legal Entity Identifier: 20 letters or digits, check digits by ISO 7064 mod 97-10.
fn is_lei(s: &str) -> bool {
    if s.len() != 20
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let remainder = s.bytes().fold(0u32, |r, b| {
        let v = u32::from(if b.is_ascii_digit() {
            b - b'0'
        } else {
            b - b'A' + 10
        });
        if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        }
    });
    remainder == 1
}

/// Reads the CA passphrase: `ca.passphrase` if set, else the first line of the passphrase file.
/// Never logged; wiped from memory when dropped.
pub fn read_passphrase(config: &Config) -> Result<Zeroizing<String>> {
    if let Some(Secret(p)) = &config.ca.passphrase {
        if p.is_empty() {
            return Err(Error::CaPassphraseMissing(
                "ca.passphrase is set but empty".into(),
            ));
        }
        return Ok(Zeroizing::new(p.clone()));
    }
    let path = config.ca.passphrase_path(&config.data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => Zeroizing::new(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::CaPassphraseMissing(format!(
                "{} does not exist; put the passphrase there, set ca.passphrase_file, or set \
                 CERTDESK_CA__PASSPHRASE",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Error::CaPassphraseMissing(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    warn_if_readable_by_others(&path);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(Error::CaPassphraseMissing(format!(
            "the first line of {} is empty",
            path.display()
        )));
    }
    Ok(Zeroizing::new(line.to_owned()))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            file = %path.display(),
            "the CA passphrase file is readable by other users; chmod 600 it"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// Writes a fresh random passphrase into a new file readable only by its owner. An existing
/// file is left alone (and used).
pub fn create_passphrase_file(path: &Path, random: &dyn crate::domain::Random) -> Result<bool> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => {
            return Err(Error::CaPassphraseMissing(format!(
                "cannot create {}: {e}",
                path.display()
            )));
        }
    };
    let mut bytes = Zeroizing::new([0u8; 32]);
    random.fill(bytes.as_mut());
    let passphrase = Zeroizing::new(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        bytes.as_ref(),
    ));
    file.write_all(format!("{}\n", passphrase.as_str()).as_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_with(adjust: impl FnOnce(&mut CaConfig)) -> Config {
        let mut c = Config::default();
        adjust(&mut c.ca);
        c
    }

    fn check(adjust: impl FnOnce(&mut CaConfig)) -> std::result::Result<(), String> {
        let c = config_with(adjust);
        c.ca.validate(&c).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_are_valid() {
        check(|_| {}).unwrap();
        let c = Config::default();
        assert_eq!(c.ca.validity_days, 730);
        assert_eq!(c.ca.root_name(&c), "Example Organisation S/MIME Root CA");
    }

    #[test]
    fn bad_values_are_named() {
        for (adjust, key) in [
            (
                Box::new(|c: &mut CaConfig| c.key_type = KeyType::EcdsaP256)
                    as Box<dyn FnOnce(&mut CaConfig)>,
                "ca.key_type",
            ),
            (Box::new(|c| c.validity_days = 825), "ca.validity_days"),
            (Box::new(|c| c.validity_days = 0), "ca.validity_days"),
            (Box::new(|c| c.country = Some("de".into())), "ca.country"),
            (
                Box::new(|c| c.root_name = Some("x".repeat(65))),
                "ca.root_name",
            ),
            (
                Box::new(|c| c.distribution_url = Some("https://x.example.org/".parse().unwrap())),
                "ca.distribution_url",
            ),
            (
                Box::new(|c| {
                    c.passphrase = Some(Secret("p".into()));
                    c.passphrase_file = Some("f".into());
                }),
                "ca.passphrase",
            ),
            (
                Box::new(|c| {
                    c.country = Some("AT".into());
                    c.organisation_identifier = Some("VATDE-123456789".into());
                }),
                "ca.organisation_identifier",
            ),
        ] {
            let e = check(adjust).unwrap_err();
            assert!(e.contains(key), "{key}: {e}");
        }
        check(|c| c.validity_days = 824).unwrap();
        // A long organisation makes default CA names too long only for `ca init`.
        let mut c = Config {
            organisation: "x".repeat(60),
            ..Config::default()
        };
        c.ca.validate(&c).unwrap();
        let e = c.ca.checked_root_name(&c).unwrap_err().to_string();
        assert!(e.contains("ca.root_name"), "{e}");
        c.ca.root_name = Some("Root".into());
        assert_eq!(c.ca.checked_root_name(&c).unwrap(), "Root");
    }

    #[test]
    fn organisation_identifiers() {
        for good in [
            "NTRDE-DEK1101R.HRB123456",
            "VATDE-123456789",
            "NTRFR-123456789",
            "NTRUS+CA-12345",
            "GOVDE+BY",
            "GOVDE",
            "INTXG",
            "LEIXG-5493001KJTIIGC8Y1R12",
        ] {
            OrganisationIdentifier::parse(good).unwrap_or_else(|e| panic!("{good}: {e}"));
        }
        for bad in [
            "",
            "NTRDE-HRB123456",
            "NTRDE",
            "VATXG-1",
            "GOVDE-123",
            "INTDE",
            "LEIXG-5493001KJTIIGC8Y1R13",
            "XYZDE-1",
            "NTRde-1",
            "NTRDE+TOOLONG-1",
            "VATDE-12 34",
        ] {
            assert!(OrganisationIdentifier::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn distribution_base_is_plain_http() {
        let c = CaConfig::default();
        let https: Url = "https://certs.example.org:8443/desk?x=1".parse().unwrap();
        assert_eq!(
            c.distribution_base(&https).as_str(),
            "http://certs.example.org/desk/"
        );
        let http: Url = "http://127.0.0.1:8080/".parse().unwrap();
        assert_eq!(
            c.distribution_base(&http).as_str(),
            "http://127.0.0.1:8080/"
        );
        let c = CaConfig {
            distribution_url: Some("http://pki.example.org/certdesk".parse().unwrap()),
            ..CaConfig::default()
        };
        assert_eq!(
            c.distribution_base(&https).as_str(),
            "http://pki.example.org/certdesk/"
        );
    }

    #[test]
    fn passphrase_sources() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let e = read_passphrase(&c).unwrap_err();
        assert_eq!(e.code(), "ca_passphrase_missing");
        let path = c.ca.passphrase_path(&c.data_dir);
        assert!(create_passphrase_file(&path, &crate::domain::OsRandom).unwrap());
        let first = read_passphrase(&c).unwrap();
        assert_eq!(first.len(), 43);
        // A second call keeps the existing file.
        assert!(!create_passphrase_file(&path, &crate::domain::OsRandom).unwrap());
        assert_eq!(read_passphrase(&c).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        c.ca.passphrase = Some(Secret("from the environment".into()));
        assert_eq!(
            read_passphrase(&c).unwrap().as_str(),
            "from the environment"
        );
    }
}
