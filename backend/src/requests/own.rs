//! The requester's own requests: list, one, withdraw, and what they can request. Someone
//! else's request answers exactly as a request that does not exist.

use shared::api::{RequestOptions, RequestState, RequestView};

use super::{Caller, apply, not_found};
use crate::Result;
use crate::config::Config;
use crate::domain::Env;
use crate::domain::requests::intake::decide;
use crate::domain::requests::{Event, intake::Decision};
use crate::store::requests::{self as repo, Change, RequestRow};
use crate::store::{Conn, Store, identities, issuance, mailboxes};

async fn own(conn: &mut Conn, requester: &str, id: i64) -> Result<RequestRow> {
    match repo::get(conn, id).await? {
        Some(r) if r.view.requester == requester => Ok(r),
        _ => Err(not_found().into()),
    }
}

/// The requester's requests, newest first.
pub async fn list(store: &Store, requester: &str) -> Result<Vec<RequestView>> {
    let mut conn = store.conn().await?;
    let rows = repo::by_requester(&mut conn, requester).await?;
    Ok(rows.into_iter().map(|r| r.view).collect())
}

pub async fn get(store: &Store, requester: &str, id: i64) -> Result<RequestView> {
    let mut conn = store.conn().await?;
    Ok(own(&mut conn, requester, id).await?.view)
}

/// Withdraws a request that is not issued yet. An approved one loses its issuance job in
/// the same transaction, before the request row is touched (the worker's lock order).
pub async fn withdraw(
    store: &Store,
    env: &Env,
    caller: Caller<'_>,
    id: i64,
) -> Result<RequestView> {
    let now = env.now();
    let mut tx = store.begin().await?;
    let request = own(&mut tx, caller.email, id).await?;
    if request.view.state == RequestState::Approved {
        issuance::cancel(&mut tx, id, now).await?;
    }
    apply(
        &mut tx,
        &request,
        Event::Withdraw,
        &Change::default(),
        caller,
        "",
        now,
    )
    .await?;
    let view = own(&mut tx, caller.email, id).await?.view;
    tx.commit().await?;
    Ok(view)
}

/// What the signed-in person can request, and whether a personal request would need a
/// visit to the desk (assuming the name on file, if any, is the one they type).
pub async fn options(
    store: &Store,
    config: &Config,
    env: &Env,
    email: &str,
) -> Result<RequestOptions> {
    let settings = &config.requests;
    let mut conn = store.conn().await?;
    let mailboxes = mailboxes::owned_by(&mut conn, email).await?;
    let open_requests = repo::count_open(&mut conn, email).await?;
    let on_file = identities::identity(&mut conn, email)
        .await?
        .map(|i| i.on_file());
    let decision = decide(settings.vetting_rules(), None, on_file.as_ref(), env.now());
    Ok(RequestOptions {
        email: email.to_owned(),
        mailboxes,
        key_types: settings.key_types.clone(),
        open_requests,
        max_open_requests: settings.max_open_per_user,
        identity_check_needed: decision == Decision::AwaitIdentityCheck,
        desk_instructions: settings.desk_instructions.clone(),
    })
}
