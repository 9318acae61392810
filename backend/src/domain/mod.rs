//! Rules of certdesk that need neither HTTP nor a database. Time and randomness come in from
//! outside ([`Clock`], [`Random`]) so tests control them.

pub mod auth;
pub mod certificates;
pub mod requests;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch: what the database stores and policies compare.
pub type UnixTime = i64;

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> UnixTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

/// A clock that stands still until told to move: tests expire tokens without waiting.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: UnixTime) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }

    /// Starts at the system's current time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now())
    }

    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        self.0.load(Ordering::SeqCst)
    }
}

/// Where secret random bytes come from.
pub trait Random: Send + Sync + 'static {
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, buf);
    }
}

/// The time and randomness one server instance uses.
#[derive(Clone)]
pub struct Env {
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
}

impl Default for Env {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            random: Arc::new(OsRandom),
        }
    }
}

impl Env {
    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// A fresh random 256-bit secret, URL-safe base64 without padding (43 characters).
    pub fn secret_token(&self) -> String {
        let mut bytes = [0u8; 32];
        self.random.fill(&mut bytes);
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
    }

    /// Random hex for identifiers that are not secret (Message-IDs, lease owners).
    pub fn random_hex(&self, bytes: usize) -> String {
        let mut buf = vec![0u8; bytes];
        self.random.fill(&mut buf);
        hex::encode(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(1000);
        assert_eq!(c.now(), 1000);
        c.advance(60);
        assert_eq!(c.now(), 1060);
    }

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let env = Env::default();
        let a = env.secret_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, env.secret_token());
        assert!(auth::token_is_well_formed(&a));
    }
}
