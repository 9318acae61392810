//! Requests that waited too long for their identity check expire: each in its own
//! transaction with its audit entry and a mail to the requester.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{Caller, apply, mail_requester};
use crate::Result;
use crate::config::Config;
use crate::domain::Env;
use crate::domain::requests::{Event, INTAKE_DECIDER, pending_cutoff};
use crate::mail::{WorkerHandle, request_mails};
use crate::store::Store;
use crate::store::requests::{self as repo, Change};

/// How often the server looks for expired requests.
const INTERVAL: Duration = Duration::from_secs(3600);
/// Requests handled per transaction.
const BATCH: i64 = 100;

/// Expires every request waiting for its identity check longer than
/// `requests.pending_days`; returns how many.
pub async fn expire_stale(store: &Store, config: &Config, env: &Env) -> Result<usize> {
    let days = config.requests.pending_days;
    let caller = Caller {
        email: INTAKE_DECIDER,
        client: "",
    };
    let mut expired = 0;
    loop {
        let now = env.now();
        let mut tx = store.begin().await?;
        let cutoff = pending_cutoff(now, days);
        let ids = repo::waiting_since_before(&mut tx, cutoff + 1, BATCH).await?;
        if ids.is_empty() {
            return Ok(expired);
        }
        for id in ids {
            let Some(request) = repo::get(&mut tx, id).await? else {
                continue;
            };
            let detail = format!("no identity check within {days} days");
            apply(
                &mut tx,
                &request,
                Event::Expire,
                &Change::default(),
                caller,
                &detail,
                now,
            )
            .await?;
            mail_requester(&mut tx, config, env, &request, |lang, m| {
                request_mails::expired(lang, m, days)
            })
            .await?;
            expired += 1;
        }
        tx.commit().await?;
    }
}

/// Expires stale requests now and then every hour until `stop` turns true.
pub async fn run_expiry(
    store: Store,
    config: Arc<Config>,
    env: Env,
    mail: WorkerHandle,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        match expire_stale(&store, &config, &env).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(
                    requests = n,
                    "expired requests that waited too long for their identity check"
                );
                mail.wake();
            }
            Err(e) => tracing::warn!(code = e.code(), "request expiry: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}
