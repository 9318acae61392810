//! The mailed collect link: the certificate, its chain and what the download page needs.

use der::pem::LineEnding;
use shared::api::{Collected, RequestKind};

use crate::domain::Env;
use crate::domain::auth::{secret_hash, token_is_well_formed};
use crate::domain::certificates::{CollectRefusal, collect_refusal, file_stem};
use crate::store::issuance::{self as repo, CertificateRow};
use crate::store::{Store, audit};
use crate::{Error, Result};

/// What a collect link leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectOutcome {
    Ready(Box<Collected>),
    /// Malformed, or no certificate has this token.
    Unknown,
    Refused(CollectRefusal),
}

/// Looks up the certificate behind `token`; the first successful look marks it collected.
pub async fn collect(store: &Store, env: &Env, token: &str) -> Result<CollectOutcome> {
    if !token_is_well_formed(token) {
        return Ok(CollectOutcome::Unknown);
    }
    let now = env.now();
    let mut tx = store.begin().await?;
    let Some(cert) = repo::certificate_by_token(&mut tx, &secret_hash(token)).await? else {
        return Ok(CollectOutcome::Unknown);
    };
    if let Some(refusal) = collect_refusal(cert.revoked_at, cert.not_after, now) {
        return Ok(CollectOutcome::Refused(refusal));
    }
    if repo::mark_collected(&mut tx, &cert.serial, now).await? {
        repo::set_request_state(&mut tx, cert.request_id, "issued", "collected", now).await?;
        audit::append(
            &mut tx,
            now,
            &audit::Record {
                actor: &cert.requester,
                action: "certificate_collected",
                subject: &cert.request_code,
                client: "",
                detail: &format!("serial {}", cert.serial),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(CollectOutcome::Ready(Box::new(collected(&cert)?)))
}

fn collected(cert: &CertificateRow) -> Result<Collected> {
    let kind = parse_kind(&cert.kind)?;
    let primary = cert.addresses.first().cloned().unwrap_or_default();
    let certificate_pem = der::pem::encode_string("CERTIFICATE", LineEnding::LF, &cert.der)
        .map_err(|e| Error::Usage(format!("stored certificate: {e}")))?;
    Ok(Collected {
        request_code: cert.request_code.clone(),
        kind,
        addresses: cert.addresses.clone(),
        friendly_name: cert
            .friendly_name
            .clone()
            .unwrap_or_else(|| primary.clone()),
        serial: cert.serial.clone(),
        certificate_pem,
        chain_pem: cert.chain_pem.clone(),
        not_before: cert.not_before,
        not_after: cert.not_after,
        file_stem: file_stem(kind, &primary, cert.not_before),
    })
}

pub(crate) fn parse_kind(kind: &str) -> Result<RequestKind> {
    match kind {
        "personal" => Ok(RequestKind::Personal),
        "role" => Ok(RequestKind::Role),
        "group" => Ok(RequestKind::Group),
        other => Err(Error::Usage(format!("unknown request kind {other}"))),
    }
}
