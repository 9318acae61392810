//! Revocation by the certificate's owner or the service desk.

use shared::api::{RevocationReason, Revoked, Role};

use crate::Result;
use crate::ca::{BuiltinCa, crl};
use crate::config::Config;
use crate::domain::Env;
use crate::domain::certificates::{RevokeRefusal, may_revoke};
use crate::mail::{self, certificate_mails};
use crate::store::issuance as repo;
use crate::store::{Store, audit, users};

/// Who asks for the revocation.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub email: &'a str,
    pub role: Role,
    pub client: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    Revoked(Revoked),
    /// No such certificate, or not the caller's to see.
    Unknown,
    Refused(RevokeRefusal),
}

/// A serial as people paste it: hex, any case, maybe with colons or spaces.
pub fn normalize_serial(serial: &str) -> Option<String> {
    let hex: String = serial
        .chars()
        .filter(|c| !matches!(c, ':' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let ok = !hex.is_empty() && hex.len() <= 64 && hex.chars().all(|c| c.is_ascii_hexdigit());
    ok.then_some(hex)
}

/// Revokes, records and mails in one transaction, then re-signs the CRL so relying parties
/// learn of it at once (should that fail, the periodic re-signing catches up).
pub async fn revoke(
    store: &Store,
    config: &Config,
    env: &Env,
    ca: Option<&BuiltinCa>,
    actor: Actor<'_>,
    serial: &str,
    reason: RevocationReason,
) -> Result<RevokeOutcome> {
    let Some(serial) = normalize_serial(serial) else {
        return Ok(RevokeOutcome::Unknown);
    };
    let now = env.now();
    let mut tx = store.begin().await?;
    let Some(cert) = repo::certificate_by_serial(&mut tx, &serial).await? else {
        return Ok(RevokeOutcome::Unknown);
    };
    match may_revoke(
        actor.email,
        actor.role,
        &cert.requester,
        reason,
        cert.revoked_at,
        cert.not_after,
        now,
    ) {
        Ok(()) => {}
        // Someone else's certificate does not exist as far as the caller can tell.
        Err(RevokeRefusal::NotYours) => return Ok(RevokeOutcome::Unknown),
        Err(refusal) => return Ok(RevokeOutcome::Refused(refusal)),
    }
    if !repo::revoke(&mut tx, &serial, reason.as_str(), actor.email, now).await? {
        return Ok(RevokeOutcome::Refused(RevokeRefusal::AlreadyRevoked));
    }
    for from in ["issued", "collected"] {
        repo::set_request_state(&mut tx, cert.request_id, from, "revoked", now).await?;
    }
    audit::append(
        &mut tx,
        now,
        &audit::Record {
            actor: actor.email,
            action: "certificate_revoked",
            subject: &cert.request_code,
            client: actor.client,
            detail: &format!("serial {serial}, reason {}", reason.as_str()),
        },
    )
    .await?;
    let language = users::find(&mut tx, &cert.requester)
        .await?
        .map(|u| u.language)
        .unwrap_or_default();
    let message = certificate_mails::revoked(
        language,
        &config.organisation,
        &cert.addresses,
        &serial,
        reason,
    );
    mail::queue(&mut tx, config, env, &cert.requester, &message).await?;
    tx.commit().await?;
    if let Some(ca) = ca
        && let Err(e) = crl::publish(store, ca, now).await
    {
        tracing::error!(code = e.code(), serial = %serial, "CRL not re-signed after revocation: {e}");
    }
    Ok(RevokeOutcome::Revoked(Revoked {
        serial,
        reason,
        revoked_at: now,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_normalised_or_refused() {
        assert_eq!(normalize_serial("0A:1b:FF").as_deref(), Some("0a1bff"));
        assert_eq!(normalize_serial("0a 1b").as_deref(), Some("0a1b"));
        assert_eq!(normalize_serial(""), None);
        assert_eq!(normalize_serial("xyz"), None);
        assert_eq!(normalize_serial(&"a".repeat(65)), None);
    }
}
