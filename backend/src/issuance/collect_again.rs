//! "Collect again": a new collect link for the requester's own certificate. Only the hash of
//! a collect token is stored, so the link cannot be mailed a second time: a new token
//! replaces the old one, and the old link stops working.

use shared::api::{ApiError, CollectLinkSent, ErrorCode};

use super::worker::ready_mail;
use crate::Result;
use crate::config::Config;
use crate::domain::Env;
use crate::domain::auth::secret_hash;
use crate::domain::certificates::{CollectRefusal, collect_refusal};
use crate::mail;
use crate::requests::Caller;
use crate::store::issuance as repo;
use crate::store::requests as requests_repo;
use crate::store::{Store, audit, users};

/// Mails `caller` a new collect link for the certificate of their request `request_id`, in
/// one transaction with the new token's hash and the audit entry.
pub async fn collect_again(
    store: &Store,
    config: &Config,
    env: &Env,
    caller: Caller<'_>,
    request_id: i64,
) -> Result<CollectLinkSent> {
    let now = env.now();
    let mut tx = store.begin().await?;
    let request = match requests_repo::get(&mut tx, request_id).await? {
        Some(r) if r.view.requester == caller.email => r,
        // Someone else's request answers as one that does not exist.
        _ => {
            return Err(ApiError::new(
                ErrorCode::RequestNotFound,
                "There is no such request among yours.",
            )
            .into());
        }
    };
    let Some(summary) = request.view.certificate else {
        return Err(ApiError::new(
            ErrorCode::RequestStateConflict,
            "This request has no certificate yet; the collect link is mailed once it is issued.",
        )
        .into());
    };
    let cert = repo::certificate_by_serial(&mut tx, &summary.serial)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the certificate row is missing"))?;
    if let Some(refusal) = collect_refusal(cert.revoked_at, cert.not_after, now) {
        return Err(refused(refusal).into());
    }
    let token = env.secret_token();
    if !repo::replace_collect_token(&mut tx, &cert.serial, &secret_hash(&token)).await? {
        // Revoked between the read and the update.
        return Err(refused(CollectRefusal::Revoked).into());
    }
    audit::append(
        &mut tx,
        now,
        &audit::Record {
            actor: caller.email,
            action: "collect_link_renewed",
            subject: &cert.request_code,
            client: caller.client,
            detail: &format!("serial {}", cert.serial),
        },
    )
    .await?;
    let language = users::find(&mut tx, &cert.requester)
        .await?
        .map(|u| u.language)
        .unwrap_or_default();
    let message = ready_mail(
        config,
        language,
        &cert.addresses,
        &cert.request_code,
        &token,
        cert.not_after,
    );
    mail::queue(&mut tx, config, env, &cert.requester, &message).await?;
    tx.commit().await?;
    Ok(CollectLinkSent {
        sent_to: cert.requester,
        valid_until: cert.not_after,
    })
}

fn refused(refusal: CollectRefusal) -> ApiError {
    match refusal {
        CollectRefusal::Revoked => ApiError::new(
            ErrorCode::CertificateRevoked,
            "This certificate has been revoked and can no longer be collected.",
        ),
        CollectRefusal::Expired => ApiError::new(
            ErrorCode::CertificateExpired,
            "This certificate has expired. Please request a new one.",
        ),
    }
}
