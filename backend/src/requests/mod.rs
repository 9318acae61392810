//! Certificate requests as a service: intake, the requester's own requests, the service
//! desk's queue and decisions, expiry, and the mailbox and identity commands. Each change
//! runs in one transaction with its audit entries, mails and (on approval) the issuance job;
//! the rules come from [`crate::domain::requests`], the rows from the store.

pub mod cli;
mod config;
mod csv;
mod desk;
mod expiry;
mod intake;
mod own;

use shared::api::{ApiError, ErrorCode, Language, RequestState};

pub use config::{MAX_EVIDENCE_REUSE_DAYS, RequestsConfig};
pub use desk::{approve, detail, queue, reject};
pub use expiry::{expire_stale, run_expiry};
pub use intake::{Submitted, submit};
pub use own::{get, list, options, withdraw};

use crate::Result;
use crate::config::Config;
use crate::domain::requests::{Event, transition};
use crate::domain::{Env, UnixTime};
use crate::mail::{self, request_mails::RequestMail, templates::Rendered};
use crate::store::requests::{self as repo, Change, RequestRow};
use crate::store::{Conn, audit, users};

/// The issuer named in the issuance jobs that approvals record.
pub const ISSUER: &str = "builtin";

/// Who is acting, as the audit log records it.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub email: &'a str,
    pub client: &'a str,
}

/// "No such request", also for someone else's: whether it exists is not the caller's to know.
fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::RequestNotFound,
        "There is no such request among yours.",
    )
}

/// Applies `event` to the request: checks the transition, changes the row (only if it is
/// still in the state read), and writes the audit entry. Returns the new state.
async fn apply(
    conn: &mut Conn,
    request: &RequestRow,
    event: Event,
    change: &Change<'_>,
    caller: Caller<'_>,
    detail: &str,
    now: UnixTime,
) -> Result<RequestState> {
    let from = request.view.state;
    let to = transition(from, event).map_err(ApiError::from)?;
    if !repo::change_state(conn, request.view.id, from, to, change, now).await? {
        // Changed since it was read: explain from the state it has now.
        let current = repo::get(conn, request.view.id)
            .await?
            .map_or(from, |r| r.view.state);
        let e =
            transition(current, event)
                .err()
                .unwrap_or(crate::domain::requests::TransitionError {
                    from: current,
                    event,
                });
        return Err(ApiError::from(e).into());
    }
    let mut full = format!("{} -> {}", from.as_str(), to.as_str());
    if !detail.is_empty() {
        full.push_str("; ");
        full.push_str(detail);
    }
    audit::append(
        conn,
        now,
        &audit::Record {
            actor: caller.email,
            action: event.audit_action(),
            subject: &request.view.code,
            client: caller.client,
            detail: &full,
        },
    )
    .await?;
    Ok(to)
}

/// Renders a request mail in the requester's language and queues it in the transaction.
async fn mail_requester(
    conn: &mut Conn,
    config: &Config,
    env: &Env,
    request: &RequestRow,
    render: impl FnOnce(Language, &RequestMail<'_>) -> Rendered,
) -> Result<()> {
    let language = users::find(&mut *conn, &request.view.requester)
        .await?
        .map(|u| u.language)
        .unwrap_or_default();
    let portal = config.public_url.to_string();
    let m = RequestMail {
        organisation: &config.organisation,
        portal: &portal,
        request_code: &request.view.code,
        addresses: &request.view.addresses,
    };
    let rendered = render(language, &m);
    mail::queue(conn, config, env, &request.view.requester, &rendered).await?;
    Ok(())
}
