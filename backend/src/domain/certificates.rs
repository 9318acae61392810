//! Rules for issued certificates: which validation type an order gets, how the download is
//! named, whether a collect link still works, and who may revoke with which reason.

use shared::api::{RequestKind, RevocationReason, Role};

use super::UnixTime;
use crate::ca::Validation;

/// The validation type for a request: personal certificates carry the vetted name
/// (sponsor-validated) when there is one, and only the mailbox otherwise (deployments that
/// skip the identity check); role and group mailboxes name the organisation.
pub fn validation_for(kind: RequestKind, vetted_name: bool) -> Validation {
    match kind {
        RequestKind::Personal if vetted_name => Validation::Sponsor,
        RequestKind::Personal => Validation::Mailbox,
        RequestKind::Role | RequestKind::Group => Validation::Organization,
    }
}

/// The download's file name without extension: the primary address and the issue date,
/// with a prefix that tells shared mailboxes apart, e.g. `GRP_secretariat@example.org_20261121`.
pub fn file_stem(kind: RequestKind, primary: &str, not_before: UnixTime) -> String {
    let prefix = match kind {
        RequestKind::Personal => "",
        RequestKind::Role => "ROLE_",
        RequestKind::Group => "GRP_",
    };
    // Addresses are already restricted to the configured domains; anything a file system
    // could stumble over is replaced all the same.
    let address: String = primary
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@.-_+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}{address}_{}", yyyymmdd(not_before))
}

/// A Unix time as a UTC calendar date `YYYYMMDD`.
pub fn yyyymmdd(t: UnixTime) -> String {
    let secs = u64::try_from(t).unwrap_or(0);
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs)) {
        Ok(d) => format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()),
        Err(_) => "00000000".into(),
    }
}

/// Why a collect link no longer gives out its certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectRefusal {
    Revoked,
    Expired,
}

/// The collect link works until the certificate expires or is revoked.
pub fn collect_refusal(
    revoked_at: Option<UnixTime>,
    not_after: UnixTime,
    now: UnixTime,
) -> Option<CollectRefusal> {
    if revoked_at.is_some() {
        Some(CollectRefusal::Revoked)
    } else if now > not_after {
        Some(CollectRefusal::Expired)
    } else {
        None
    }
}

/// Why a revocation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeRefusal {
    /// Neither the owner nor the service desk: treated as "no such certificate".
    NotYours,
    /// The reason is the CA's to give, not the owner's.
    ReasonNotAllowed,
    AlreadyRevoked,
    Expired,
}

/// The owner (who requested it) and the service desk may revoke; only the desk may say the
/// privilege was withdrawn.
#[allow(clippy::too_many_arguments)]
pub fn may_revoke(
    actor: &str,
    role: Role,
    owner: &str,
    reason: RevocationReason,
    revoked_at: Option<UnixTime>,
    not_after: UnixTime,
    now: UnixTime,
) -> Result<(), RevokeRefusal> {
    let desk = role >= Role::Desk;
    if !desk && actor != owner {
        return Err(RevokeRefusal::NotYours);
    }
    if !desk && reason == RevocationReason::PrivilegeWithdrawn {
        return Err(RevokeRefusal::ReasonNotAllowed);
    }
    if revoked_at.is_some() {
        return Err(RevokeRefusal::AlreadyRevoked);
    }
    if now > not_after {
        return Err(RevokeRefusal::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_21_2026: UnixTime = 1_795_219_200; // 2026-11-21T00:00:00Z

    #[test]
    fn file_names_tell_what_they_hold() {
        assert_eq!(
            file_stem(
                RequestKind::Personal,
                "alice@example.org",
                NOV_21_2026 + 3600
            ),
            "alice@example.org_20261121"
        );
        assert_eq!(
            file_stem(RequestKind::Group, "secretariat@example.org", NOV_21_2026),
            "GRP_secretariat@example.org_20261121"
        );
        assert_eq!(
            file_stem(RequestKind::Role, "dpo@example.org", NOV_21_2026 - 1),
            "ROLE_dpo@example.org_20261120"
        );
        assert_eq!(
            file_stem(RequestKind::Personal, "a/b\\c@x.org", NOV_21_2026),
            "a_b_c@x.org_20261121"
        );
    }

    #[test]
    fn validation_follows_kind_and_vetting() {
        assert_eq!(
            validation_for(RequestKind::Personal, true),
            Validation::Sponsor
        );
        assert_eq!(
            validation_for(RequestKind::Personal, false),
            Validation::Mailbox
        );
        assert_eq!(
            validation_for(RequestKind::Group, false),
            Validation::Organization
        );
        assert_eq!(
            validation_for(RequestKind::Role, true),
            Validation::Organization
        );
    }

    #[test]
    fn collect_link_lives_until_expiry_or_revocation() {
        assert_eq!(collect_refusal(None, 100, 100), None);
        assert_eq!(
            collect_refusal(None, 100, 101),
            Some(CollectRefusal::Expired)
        );
        assert_eq!(
            collect_refusal(Some(50), 100, 60),
            Some(CollectRefusal::Revoked)
        );
    }

    #[test]
    fn owner_and_desk_revoke_strangers_do_not() {
        use RevocationReason::*;
        let ok = |actor, role, reason| may_revoke(actor, role, "alice@x", reason, None, 100, 50);
        assert_eq!(ok("alice@x", Role::Requester, KeyCompromise), Ok(()));
        assert_eq!(
            ok("bob@x", Role::Requester, KeyCompromise),
            Err(RevokeRefusal::NotYours)
        );
        assert_eq!(ok("desk@x", Role::Desk, PrivilegeWithdrawn), Ok(()));
        assert_eq!(ok("admin@x", Role::Admin, Superseded), Ok(()));
        assert_eq!(
            ok("alice@x", Role::Requester, PrivilegeWithdrawn),
            Err(RevokeRefusal::ReasonNotAllowed)
        );
        assert_eq!(
            may_revoke(
                "alice@x",
                Role::Requester,
                "alice@x",
                Unspecified,
                Some(1),
                100,
                50
            ),
            Err(RevokeRefusal::AlreadyRevoked)
        );
        assert_eq!(
            may_revoke(
                "alice@x",
                Role::Requester,
                "alice@x",
                Unspecified,
                None,
                100,
                101
            ),
            Err(RevokeRefusal::Expired)
        );
    }
}
