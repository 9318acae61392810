//! The service desk: the queue, one request with the identity on file, and the decisions.
//! Approving records the evidence, the vetted identity, the approval and the issuance job in
//! one transaction; rejecting mails the reason. Officers do not decide their own requests.

use shared::api::{
    ApiError, Approval, DeskPage, DeskQuery, DeskRequestDetail, ErrorCode, IdentitySource,
    IdentityView, RequestKind, RequestView,
};

use super::{Caller, ISSUER, apply, mail_requester};
use crate::config::Config;
use crate::domain::Env;
use crate::domain::requests::queue::{self, cursor};
use crate::domain::requests::{Event, Vetting, evidence, identity_reusable, transition};
use crate::mail::request_mails;
use crate::store::identities::{self, Identity};
use crate::store::requests::{self as repo, Change, RequestRow};
use crate::store::{Conn, Store, issuance};
use crate::{Error, Result};

/// Longest rejection reason (it is mailed as written).
const MAX_REASON: usize = 1000;

/// One page of the queue.
pub async fn queue(store: &Store, env: &Env, query: &DeskQuery) -> Result<DeskPage> {
    let filter = queue::filter(query, env.now())?;
    let mut conn = store.conn().await?;
    let (rows, more) = repo::queue(&mut conn, &filter).await?;
    let next_cursor = if more {
        rows.last().map(|r| cursor(r.view.created_at, r.view.id))
    } else {
        None
    };
    Ok(DeskPage {
        items: rows.into_iter().map(|r| r.view).collect(),
        next_cursor,
    })
}

fn request_not_found() -> ApiError {
    ApiError::new(ErrorCode::RequestNotFound, "There is no such request.")
}

async fn load(conn: &mut Conn, id: i64) -> Result<RequestRow> {
    repo::get(conn, id)
        .await?
        .ok_or_else(|| request_not_found().into())
}

/// A request with the requester's identity on file and the evidence it was approved with.
pub async fn detail(
    store: &Store,
    config: &Config,
    env: &Env,
    officer: &str,
    id: i64,
) -> Result<DeskRequestDetail> {
    let mut conn = store.conn().await?;
    let request = load(&mut conn, id).await?;
    let identity = identities::identity(&mut conn, &request.view.requester)
        .await?
        .map(|i| IdentityView {
            reusable: identity_reusable(
                i.verified_at,
                env.now(),
                config.requests.evidence_reuse_days,
            ),
            email: i.email,
            given_name: i.given_name,
            surname: i.surname,
            verified_at: i.verified_at,
            source: i.source,
        });
    let evidence = match request.evidence_id {
        Some(e) => identities::evidence(&mut conn, e).await?,
        None => None,
    };
    Ok(DeskRequestDetail {
        own_request: request.view.requester == officer,
        request: request.view,
        identity,
        evidence,
    })
}

/// Loads a request the officer may decide: it exists, is not theirs, and `event` applies.
async fn decidable(conn: &mut Conn, officer: &str, id: i64, event: Event) -> Result<RequestRow> {
    let request = load(conn, id).await?;
    if request.view.requester == officer {
        return Err(ApiError::new(
            ErrorCode::OwnRequest,
            "You made this request yourself; another officer must decide it.",
        )
        .into());
    }
    transition(request.view.state, event).map_err(ApiError::from)?;
    Ok(request)
}

/// Records the identity check's evidence and approves.
pub async fn approve(
    store: &Store,
    env: &Env,
    officer: Caller<'_>,
    id: i64,
    approval: &Approval,
) -> Result<RequestView> {
    let now = env.now();
    let mut tx = store.begin().await?;
    let request = decidable(&mut tx, officer.email, id, Event::Approve).await?;
    let evidence = evidence::validate(&approval.evidence, now)?;
    let requester = &request.view.requester;
    let evidence_id =
        identities::insert_evidence(&mut tx, requester, &evidence, officer.email, now).await?;
    identities::record_identity(
        &mut tx,
        &Identity {
            email: requester.clone(),
            given_name: evidence.given_name.clone(),
            surname: evidence.surname.clone(),
            verified_at: now,
            source: IdentitySource::Desk,
            evidence_id: Some(evidence_id),
        },
    )
    .await?;
    // Personal certificates carry the vetted name; role and group ones the mailbox's.
    let names = (request.view.kind == RequestKind::Personal)
        .then_some((evidence.given_name.as_str(), evidence.surname.as_str()));
    let change = Change {
        vetting: Some(Vetting::Desk.as_str()),
        evidence_id: Some(evidence_id),
        decided_by: Some(officer.email),
        names,
        ..Change::default()
    };
    let detail = format!(
        "evidence {evidence_id}: {} by {}",
        evidence.document_type.as_str(),
        evidence.method.as_str()
    );
    apply(
        &mut tx,
        &request,
        Event::Approve,
        &change,
        officer,
        &detail,
        now,
    )
    .await?;
    issuance::enqueue(&mut tx, id, ISSUER, now).await?;
    let view = load(&mut tx, id).await?.view;
    tx.commit().await?;
    Ok(view)
}

/// Rejects with a reason, which is mailed to the requester as written.
pub async fn reject(
    store: &Store,
    config: &Config,
    env: &Env,
    officer: Caller<'_>,
    id: i64,
    reason: &str,
) -> Result<RequestView> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(Error::Api(ApiError::new(
            ErrorCode::ReasonRequired,
            format!(
                "Please give the reason for the rejection (at most {MAX_REASON} characters); it is mailed to the requester."
            ),
        )));
    }
    let now = env.now();
    let mut tx = store.begin().await?;
    let request = decidable(&mut tx, officer.email, id, Event::Reject).await?;
    let change = Change {
        decided_by: Some(officer.email),
        reason: Some(reason),
        ..Change::default()
    };
    apply(
        &mut tx,
        &request,
        Event::Reject,
        &change,
        officer,
        reason,
        now,
    )
    .await?;
    mail_requester(&mut tx, config, env, &request, |lang, m| {
        request_mails::rejected(lang, m, reason)
    })
    .await?;
    let view = load(&mut tx, id).await?.view;
    tx.commit().await?;
    Ok(view)
}
