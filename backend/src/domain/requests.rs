//! The life cycle of a certificate request as an explicit state machine, and the rules
//! around it. No HTTP and no database: callers pass the facts and `now`.
//!
//! | from | event | to | who |
//! |---|---|---|---|
//! | submitted | await identity check | awaiting_identity_check | intake, no usable identity on file |
//! | submitted, awaiting_identity_check | approve | approved | intake (identity on file, or checks skipped), desk |
//! | awaiting_identity_check | reject | rejected | desk, with a reason |
//! | submitted, awaiting_identity_check, approved | withdraw | withdrawn | requester |
//! | awaiting_identity_check | expire | expired | housekeeping, after `requests.pending_days` |
//! | approved | issue | issued | issuance worker |
//! | issued | collect | collected | the mailed collect link |
//! | issued, collected | revoke | revoked | owner or desk |
//!
//! Agreements with the code after approval:
//! - `submitted` exists only inside the intake's transaction: the row is written in the state
//!   intake decided, and both transitions are audited.
//! - Approval records an issuance job in the same transaction (`store::issuance::enqueue`).
//!   Withdrawing an approved request cancels that job in its transaction, first the job and
//!   then the request (the worker's lock order), so a worker holding the job finds nothing
//!   pending to close and stores no certificate.
//! - `revoked` is the request's state once its certificate is revoked; an expired
//!   certificate leaves its request `collected` (or `issued`).

pub mod evidence;
pub mod intake;
pub mod queue;

use std::fmt;

use shared::api::{ApiError, ErrorCode, RequestState};

use super::{Random, UnixTime};

/// Something that happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    AwaitIdentityCheck,
    Approve,
    Reject,
    Withdraw,
    Expire,
    Issue,
    Collect,
    Revoke,
}

impl Event {
    pub const ALL: [Event; 8] = [
        Self::AwaitIdentityCheck,
        Self::Approve,
        Self::Reject,
        Self::Withdraw,
        Self::Expire,
        Self::Issue,
        Self::Collect,
        Self::Revoke,
    ];

    /// The audit log's action for this transition.
    pub fn audit_action(self) -> &'static str {
        match self {
            Self::AwaitIdentityCheck => "request_awaiting_identity_check",
            Self::Approve => "request_approved",
            Self::Reject => "request_rejected",
            Self::Withdraw => "request_withdrawn",
            Self::Expire => "request_expired",
            Self::Issue => "certificate_issued",
            Self::Collect => "certificate_collected",
            Self::Revoke => "certificate_revoked",
        }
    }

    fn past_tense(self) -> &'static str {
        match self {
            Self::AwaitIdentityCheck => "sent to the identity check",
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Withdraw => "withdrawn",
            Self::Expire => "expired",
            Self::Issue => "issued",
            Self::Collect => "collected",
            Self::Revoke => "revoked",
        }
    }
}

/// The transitions, and nothing else.
pub fn transition(from: RequestState, event: Event) -> Result<RequestState, TransitionError> {
    use RequestState as S;
    let to = match (from, event) {
        (S::Submitted, Event::AwaitIdentityCheck) => S::AwaitingIdentityCheck,
        (S::Submitted | S::AwaitingIdentityCheck, Event::Approve) => S::Approved,
        (S::AwaitingIdentityCheck, Event::Reject) => S::Rejected,
        (S::Submitted | S::AwaitingIdentityCheck | S::Approved, Event::Withdraw) => S::Withdrawn,
        (S::AwaitingIdentityCheck, Event::Expire) => S::Expired,
        (S::Approved, Event::Issue) => S::Issued,
        (S::Issued, Event::Collect) => S::Collected,
        (S::Issued | S::Collected, Event::Revoke) => S::Revoked,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

/// A transition the state machine does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionError {
    pub from: RequestState,
    pub event: Event,
}

impl TransitionError {
    /// What the person who tried it reads.
    pub fn message(&self) -> String {
        use RequestState as S;
        let state = human(self.from);
        match (self.event, self.from) {
            (Event::Withdraw, S::Issued | S::Collected) => "The certificate for this request \
                 was already issued, so the request can no longer be withdrawn. Revoke the \
                 certificate instead if it should not be used."
                .into(),
            (Event::Withdraw, _) => format!("This request is already closed ({state})."),
            (Event::Approve | Event::Reject, _) => {
                format!("This request is no longer waiting for an identity check (it is {state}).")
            }
            (event, _) => format!(
                "A request that is {state} cannot be {}.",
                event.past_tense()
            ),
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        ApiError::new(ErrorCode::RequestStateConflict, e.message())
    }
}

/// A state as people read it: `awaiting identity check`.
pub fn human(state: RequestState) -> String {
    state.as_str().replace('_', " ")
}

/// How an approved request was vetted; the issuance picks the validation type from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vetting {
    /// An officer checked a photo ID for this request.
    Desk,
    /// Evidence from an earlier check is recent enough.
    Reuse,
    /// The requester is on an imported list of verified staff.
    Import,
    /// The deployment skips identity checks (mailbox validation only).
    Skipped,
}

impl Vetting {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Desk => "desk",
            Self::Reuse => "reuse",
            Self::Import => "import",
            Self::Skipped => "skipped",
        }
    }
}

/// Who is recorded as having decided a request that intake approved.
pub const INTAKE_DECIDER: &str = "certdesk";

/// Characters of request codes: no 0/O, 1/I/L, so a code read aloud or off paper survives.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A fresh request code, `CD-` and two groups of four (about 40 random bits; the database's
/// unique index catches the rare repeat and intake draws again).
pub fn request_code(random: &dyn Random) -> String {
    let n = CODE_ALPHABET.len();
    // Bytes at or above the largest multiple of n are drawn again, so every character is
    // equally likely.
    let limit = 256 - 256 % n;
    let mut chars = Vec::with_capacity(8);
    while chars.len() < 8 {
        let mut buf = [0u8; 16];
        random.fill(&mut buf);
        for b in buf {
            let b = usize::from(b);
            if b < limit && chars.len() < 8 {
                chars.push(char::from(CODE_ALPHABET[b % n]));
            }
        }
    }
    let (a, b) = chars.split_at(4);
    format!(
        "CD-{}-{}",
        a.iter().collect::<String>(),
        b.iter().collect::<String>()
    )
}

/// Whether identity evidence verified at `verified_at` may still stand in for a new check.
pub fn identity_reusable(verified_at: UnixTime, now: UnixTime, reuse_days: u32) -> bool {
    verified_at <= now && now - verified_at < i64::from(reuse_days) * DAY
}

/// Seconds in a day.
pub const DAY: i64 = 24 * 3600;

/// Requests waiting for their identity check that were created at or before this time have
/// waited `pending_days` days and expire.
pub fn pending_cutoff(now: UnixTime, pending_days: u32) -> UnixTime {
    now - i64::from(pending_days) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OsRandom;
    use RequestState as S;

    #[test]
    fn the_table_and_nothing_else() {
        let allowed = [
            (
                S::Submitted,
                Event::AwaitIdentityCheck,
                S::AwaitingIdentityCheck,
            ),
            (S::Submitted, Event::Approve, S::Approved),
            (S::AwaitingIdentityCheck, Event::Approve, S::Approved),
            (S::AwaitingIdentityCheck, Event::Reject, S::Rejected),
            (S::Submitted, Event::Withdraw, S::Withdrawn),
            (S::AwaitingIdentityCheck, Event::Withdraw, S::Withdrawn),
            (S::Approved, Event::Withdraw, S::Withdrawn),
            (S::AwaitingIdentityCheck, Event::Expire, S::Expired),
            (S::Approved, Event::Issue, S::Issued),
            (S::Issued, Event::Collect, S::Collected),
            (S::Issued, Event::Revoke, S::Revoked),
            (S::Collected, Event::Revoke, S::Revoked),
        ];
        for from in RequestState::ALL {
            for event in Event::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                match (transition(from, event), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} {event:?}"),
                    (Err(e), None) => assert_eq!(e, TransitionError { from, event }),
                    (got, want) => panic!("{from:?} {event:?}: {got:?}, expected {want:?}"),
                }
            }
        }
    }

    #[test]
    fn terminal_states_stay_put() {
        for from in [S::Rejected, S::Withdrawn, S::Expired, S::Revoked] {
            assert!(!from.is_open());
            assert!(Event::ALL.iter().all(|e| transition(from, *e).is_err()));
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        let e = transition(S::Issued, Event::Withdraw).unwrap_err();
        assert!(e.message().contains("Revoke the certificate"), "{e}");
        let e = transition(S::Rejected, Event::Approve).unwrap_err();
        assert_eq!(
            e.message(),
            "This request is no longer waiting for an identity check (it is rejected)."
        );
        let api: ApiError = e.into();
        assert_eq!(api.code, ErrorCode::RequestStateConflict);
    }

    #[test]
    fn codes_are_short_and_unambiguous() {
        let code = request_code(&OsRandom);
        assert_eq!(code.len(), 12, "{code}");
        assert!(
            code.starts_with("CD-") && code.as_bytes()[7] == b'-',
            "{code}"
        );
        for c in code[3..].chars().filter(|c| *c != '-') {
            assert!(CODE_ALPHABET.contains(&(c as u8)), "{c} in {code}");
            assert!(!"01OIL".contains(c));
        }
        assert_ne!(code, request_code(&OsRandom));
    }

    #[test]
    fn evidence_is_reused_within_the_window_only() {
        let now = 1_000 * DAY;
        assert!(identity_reusable(now - 824 * DAY, now, 825));
        assert!(!identity_reusable(now - 825 * DAY, now, 825));
        assert!(!identity_reusable(now - DAY, now, 0), "0 turns reuse off");
        assert!(
            !identity_reusable(now + 10, now, 825),
            "not from the future"
        );
        assert_eq!(pending_cutoff(now, 60), now - 60 * DAY);
    }
}
