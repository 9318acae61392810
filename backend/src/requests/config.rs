//! The `[requests]` configuration table.

use serde::{Deserialize, Serialize};
use shared::pki::KeyType;

use crate::domain::requests::intake::VettingRules;
use crate::{Error, Result};

/// The S/MIME Baseline Requirements let identity evidence be reused for at most 825 days.
pub const MAX_EVIDENCE_REUSE_DAYS: u32 = 825;

/// The `[requests]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequestsConfig {
    /// Open requests (not yet collected, rejected, withdrawn or expired) one person may have.
    pub max_open_per_user: u32,
    /// Days an identity check, or an imported verification, approves later requests of the
    /// same person without a new check (0 to 825; 0 turns reuse off).
    pub evidence_reuse_days: u32,
    /// Key types accepted in certificate requests.
    pub key_types: Vec<KeyType>,
    /// Approve every request that passes the checks at once, without an identity check
    /// (mailbox-validated certificates: the address only, no vetted name).
    pub skip_identity_check: bool,
    /// Days a request waits for its identity check before it expires.
    pub pending_days: u32,
    /// Where and when to come for the identity check, or how to book a video call; put into
    /// the mail a requester gets when a check is needed.
    pub desk_instructions: Option<String>,
}

impl Default for RequestsConfig {
    fn default() -> Self {
        Self {
            max_open_per_user: 3,
            evidence_reuse_days: MAX_EVIDENCE_REUSE_DAYS,
            key_types: KeyType::ALL.to_vec(),
            skip_identity_check: false,
            pending_days: 60,
            desk_instructions: None,
        }
    }
}

impl RequestsConfig {
    /// The part of the table intake's approval rules read.
    pub fn vetting_rules(&self) -> VettingRules {
        VettingRules {
            skip_identity_check: self.skip_identity_check,
            evidence_reuse_days: self.evidence_reuse_days,
        }
    }

    pub fn validate(&self) -> Result<()> {
        let range = |key: &str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(Error::Config(format!(
                    "requests.{key}: {value} is out of range; allowed are {min} to {max}"
                )))
            }
        };
        range("max_open_per_user", self.max_open_per_user, 1, 100)?;
        range(
            "evidence_reuse_days",
            self.evidence_reuse_days,
            0,
            MAX_EVIDENCE_REUSE_DAYS,
        )?;
        range("pending_days", self.pending_days, 1, 365)?;
        if self.key_types.is_empty() {
            return Err(Error::Config(
                "requests.key_types: name at least one key type, e.g. [\"rsa-3072\"]".into(),
            ));
        }
        if self
            .desk_instructions
            .as_deref()
            .is_some_and(|s| s.trim().is_empty() || s.len() > 2000)
        {
            return Err(Error::Config(
                "requests.desk_instructions: must be a text of 1 to 2000 characters (or left out)"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use crate::config::Config;
    use shared::pki::KeyType;

    fn load(toml: &str) -> Result<Config, String> {
        let mut out = Err(String::new());
        figment::Jail::expect_with(|jail| {
            jail.create_file("certdesk.toml", toml)?;
            out = Config::load(None).map_err(|e| e.to_string());
            Ok(())
        });
        out
    }

    #[test]
    fn the_requests_table() {
        let c = load(
            "[requests]\nmax_open_per_user = 5\nevidence_reuse_days = 365\n\
             key_types = [\"rsa-3072\", \"ecdsa-p256\"]\nskip_identity_check = true\n\
             desk_instructions = \"Room 0.12\"\n",
        )
        .unwrap();
        let r = &c.requests;
        assert_eq!((r.max_open_per_user, r.evidence_reuse_days), (5, 365));
        assert_eq!(r.key_types, [KeyType::Rsa3072, KeyType::EcdsaP256]);
        assert!(r.skip_identity_check);
        assert_eq!(load("").unwrap().requests, super::RequestsConfig::default());
    }

    #[test]
    fn bad_values_are_named() {
        for (toml, key) in [
            ("evidence_reuse_days = 826", "requests.evidence_reuse_days"),
            ("max_open_per_user = 0", "requests.max_open_per_user"),
            ("pending_days = 0", "requests.pending_days"),
            ("key_types = []", "requests.key_types"),
            ("key_types = [\"rsa-1024\"]", "rsa-1024"),
            ("desk_instructions = \" \"", "requests.desk_instructions"),
            ("max_open = 3", "max_open"),
        ] {
            let e = load(&format!("[requests]\n{toml}\n")).unwrap_err();
            assert!(e.contains(key), "{toml}: {e}");
        }
    }
}
