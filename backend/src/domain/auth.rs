//! Sign-in and session policy: which addresses may sign in, how long links and sessions
//! live, rate limits, and what each role may reach.

use sha2::{Digest, Sha256};
use shared::api::Role;

use super::UnixTime;
use crate::config::AuthConfig;

/// A sign-in link may live at most a day: it sits in a mailbox that others may read later.
pub const MAX_TOKEN_LIFETIME_MINUTES: u32 = 24 * 60;

/// Sessions are touched (idle timer restarted) at most this often, to spare the database a
/// write on every request.
pub const SESSION_TOUCH_INTERVAL: i64 = 60;

/// The lifetimes and limits in force, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthPolicy {
    pub token_lifetime: i64,
    pub session_idle: i64,
    pub session_absolute: i64,
    pub links_per_address: u32,
    pub links_per_client: u32,
    pub rate_window: i64,
}

impl AuthPolicy {
    pub fn from_config(c: &AuthConfig) -> Self {
        Self {
            token_lifetime: i64::from(c.token_lifetime_minutes.min(MAX_TOKEN_LIFETIME_MINUTES))
                * 60,
            session_idle: i64::from(c.session_idle_minutes) * 60,
            session_absolute: i64::from(c.session_absolute_hours) * 3600,
            links_per_address: c.links_per_address,
            links_per_client: c.links_per_client,
            rate_window: i64::from(c.rate_window_minutes) * 60,
        }
    }

    pub fn token_expires_at(&self, now: UnixTime) -> UnixTime {
        now + self.token_lifetime
    }

    /// Whether a session created at `created` and last used at `last_seen` is alive at `now`.
    pub fn session_alive(&self, created: UnixTime, last_seen: UnixTime, now: UnixTime) -> bool {
        now < created + self.session_absolute && now < last_seen + self.session_idle
    }

    /// Whether one more link request fits, given the requests already in the current window.
    pub fn rate(&self, earlier: RateCounts, now: UnixTime) -> RateDecision {
        let limited = if earlier.address >= self.links_per_address {
            Some((RateScope::Address, earlier.oldest_address))
        } else if earlier.client >= self.links_per_client {
            Some((RateScope::Client, earlier.oldest_client))
        } else {
            None
        };
        match limited {
            None => RateDecision::Allowed,
            Some((scope, oldest_in_window)) => {
                let retry_after = oldest_in_window
                    .map_or(self.rate_window, |t| t + self.rate_window - now)
                    .clamp(1, self.rate_window);
                RateDecision::Limited { scope, retry_after }
            }
        }
    }

    /// Start of the rate window that ends at `now`.
    pub fn rate_window_start(&self, now: UnixTime) -> UnixTime {
        now - self.rate_window
    }
}

/// Link requests in the current window, per address and per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateCounts {
    pub address: u32,
    pub client: u32,
    pub oldest_address: Option<UnixTime>,
    pub oldest_client: Option<UnixTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateScope {
    Address,
    Client,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    /// Refused; `retry_after` seconds until the oldest counted request leaves the window.
    Limited {
        scope: RateScope,
        retry_after: i64,
    },
}

/// Why an address may not sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailRejected {
    Malformed,
    ForeignDomain,
}

/// Normalises an address (trimmed, lower case) and checks it is in one of `domains`.
pub fn sign_in_address(email: &str, domains: &[String]) -> Result<String, EmailRejected> {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(EmailRejected::Malformed);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && email.parse::<lettre::Address>().is_ok();
    if !local_ok {
        return Err(EmailRejected::Malformed);
    }
    if domains.iter().any(|d| d == domain) {
        Ok(email)
    } else {
        Err(EmailRejected::ForeignDomain)
    }
}

/// Sign-in tokens and session ids are stored only as this hash, so a copy of the database
/// signs nobody in.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Tokens are 32 random bytes in URL-safe base64 without padding; anything else is refused
/// before the database is asked.
pub fn token_is_well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Why a token could not be traded for a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Unknown,
    Used,
    Expired,
}

/// Classifies a stored token that could not be consumed.
pub fn token_problem(
    used_at: Option<UnixTime>,
    expires_at: UnixTime,
    now: UnixTime,
) -> TokenProblem {
    if used_at.is_some() {
        TokenProblem::Used
    } else if now >= expires_at {
        TokenProblem::Expired
    } else {
        TokenProblem::Unknown
    }
}

/// What an endpoint requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A session whose role is at least this one.
    AtLeast(Role),
}

/// Outcome of checking a caller against an endpoint's [`Access`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    NotSignedIn,
    Forbidden,
}

impl Access {
    /// `role` is `None` for a caller without a session.
    pub fn admit(self, role: Option<Role>) -> Admission {
        match (self, role) {
            (Self::Public, _) => Admission::Allowed,
            (Self::AtLeast(_), None) => Admission::NotSignedIn,
            (Self::AtLeast(need), Some(have)) if have >= need => Admission::Allowed,
            (Self::AtLeast(_), Some(_)) => Admission::Forbidden,
        }
    }
}

/// Exponential back-off for mail delivery: `initial`, doubled per earlier failure, capped.
pub fn retry_delay(failures: u32, initial: i64, max: i64) -> i64 {
    let factor = 1i64
        .checked_shl(failures.saturating_sub(1).min(30))
        .unwrap_or(i64::MAX);
    initial.saturating_mul(factor).min(max).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> AuthPolicy {
        AuthPolicy::from_config(&AuthConfig::default())
    }

    #[test]
    fn defaults() {
        let p = policy();
        assert_eq!(p.token_lifetime, 15 * 60);
        assert_eq!(p.token_expires_at(100), 100 + 900);
    }

    #[test]
    fn token_lifetime_is_capped_at_a_day() {
        let c = AuthConfig {
            token_lifetime_minutes: 100_000,
            ..AuthConfig::default()
        };
        assert_eq!(AuthPolicy::from_config(&c).token_lifetime, 24 * 3600);
    }

    #[test]
    fn sessions_end_idle_or_absolute() {
        let p = policy();
        assert!(p.session_alive(0, 0, 59 * 60));
        assert!(!p.session_alive(0, 0, 60 * 60), "idle");
        assert!(p.session_alive(0, 11 * 3600 + 1800, 11 * 3600 + 1900));
        assert!(!p.session_alive(0, 12 * 3600 - 10, 12 * 3600), "absolute");
    }

    #[test]
    fn rate_limits_per_address_then_client() {
        let p = policy();
        let now = 10_000;
        assert_eq!(p.rate(RateCounts::default(), now), RateDecision::Allowed);
        let r = p.rate(
            RateCounts {
                address: 5,
                client: 5,
                oldest_address: Some(now - 600),
                oldest_client: None,
            },
            now,
        );
        assert_eq!(
            r,
            RateDecision::Limited {
                scope: RateScope::Address,
                retry_after: 3000
            }
        );
        let r = p.rate(
            RateCounts {
                address: 1,
                client: 30,
                oldest_address: None,
                oldest_client: Some(now - 3599),
            },
            now,
        );
        assert_eq!(
            r,
            RateDecision::Limited {
                scope: RateScope::Client,
                retry_after: 1
            }
        );
    }

    #[test]
    fn addresses() {
        let d = vec!["example.org".to_owned()];
        assert_eq!(
            sign_in_address(" Alice@Example.ORG ", &d),
            Ok("alice@example.org".into())
        );
        assert_eq!(
            sign_in_address("a@evil.org", &d),
            Err(EmailRejected::ForeignDomain)
        );
        assert_eq!(
            sign_in_address("a@sub.example.org", &d),
            Err(EmailRejected::ForeignDomain)
        );
        assert_eq!(
            sign_in_address("example.org", &d),
            Err(EmailRejected::Malformed)
        );
        assert_eq!(
            sign_in_address("@example.org", &d),
            Err(EmailRejected::Malformed)
        );
        assert_eq!(
            sign_in_address("a b@example.org", &d),
            Err(EmailRejected::Malformed)
        );
    }

    #[test]
    fn token_shapes_and_problems() {
        assert!(!token_is_well_formed("short"));
        assert!(!token_is_well_formed(&format!("{}=", "a".repeat(42))));
        assert_eq!(secret_hash("x").len(), 64);
        assert_eq!(token_problem(Some(1), 100, 50), TokenProblem::Used);
        assert_eq!(token_problem(None, 100, 100), TokenProblem::Expired);
        assert_eq!(token_problem(None, 100, 50), TokenProblem::Unknown);
    }

    #[test]
    fn access_matrix() {
        use Admission::*;
        let desk = Access::AtLeast(Role::Desk);
        assert_eq!(Access::Public.admit(None), Allowed);
        assert_eq!(desk.admit(None), NotSignedIn);
        assert_eq!(desk.admit(Some(Role::Requester)), Forbidden);
        assert_eq!(desk.admit(Some(Role::Desk)), Allowed);
        assert_eq!(desk.admit(Some(Role::Admin)), Allowed);
        assert_eq!(
            Access::AtLeast(Role::Admin).admit(Some(Role::Desk)),
            Forbidden
        );
    }

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        assert_eq!(retry_delay(1, 30, 3600), 30);
        assert_eq!(retry_delay(2, 30, 3600), 60);
        assert_eq!(retry_delay(4, 30, 3600), 240);
        assert_eq!(retry_delay(40, 30, 3600), 3600);
    }
}
