//! Runs issuance jobs. A job was recorded with the approval; the worker claims it with a
//! lease, asks the issuer, and stores the certificate, the request's new state, the audit
//! entry and the mail in one transaction. A crash before that commit leaves the job pending
//! and the lease runs out, so the next attempt issues again and only one certificate is ever
//! stored (one per request, by the schema); the built-in CA's unused signature is never
//! published.

use std::sync::Arc;
use std::time::Duration;

use der::{Decode, Encode};
use shared::api::{Language, RequestKind};
use tokio::sync::{Notify, watch};
use x509_cert::request::CertReq;

use crate::ca::{Issued, Issuer, Order};
use crate::config::Config;
use crate::domain::auth::{retry_delay, secret_hash};
use crate::domain::certificates::{validation_for, yyyymmdd};
use crate::domain::{Env, UnixTime};
use crate::mail::templates::Rendered;
use crate::mail::{self, WorkerHandle as MailHandle, certificate_mails};
use crate::store::issuance::{self as repo, Job, JobOutcome, NewCertificate, OrderData};
use crate::store::{Store, audit, users};
use crate::{Error, Result};

/// How long a claimed job stays reserved for one worker: longer than an issuer may take.
pub const LEASE: i64 = 300;
/// Due retries and jobs recorded by other servers are noticed within this time.
const POLL: Duration = Duration::from_secs(2);
const RETRY_INITIAL: i64 = 30;
const RETRY_MAX: i64 = 3600;

/// Wakes the worker when a job was recorded, so issuance starts at once.
#[derive(Clone, Default)]
pub struct IssuanceHandle(Arc<Notify>);

impl IssuanceHandle {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

pub struct IssuanceWorker {
    store: Store,
    config: Arc<Config>,
    env: Env,
    issuer: Arc<dyn Issuer>,
    owner: String,
    wake: IssuanceHandle,
    mail: MailHandle,
}

impl IssuanceWorker {
    pub fn new(
        store: Store,
        config: Arc<Config>,
        env: Env,
        issuer: Arc<dyn Issuer>,
        wake: IssuanceHandle,
        mail: MailHandle,
    ) -> Self {
        let owner = env.random_hex(8);
        Self {
            store,
            config,
            env,
            issuer,
            owner,
            wake,
            mail,
        }
    }

    /// Issues until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.issue_due().await {
                tracing::warn!(code = e.code(), "issuance: {e}");
            }
            tokio::select! {
                () = self.wake.0.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                break;
            }
        }
    }

    /// Runs every job that is due now; returns how many certificates were stored.
    pub async fn issue_due(&self) -> Result<usize> {
        let mut issued = 0;
        while let Some(job) = self
            .store
            .claim_issue_job(&self.owner, self.env.now(), LEASE)
            .await?
        {
            if self.attempt(&job).await? {
                issued += 1;
            }
        }
        Ok(issued)
    }

    async fn attempt(&self, job: &Job) -> Result<bool> {
        let e = match self.order_and_issue(job).await {
            Ok((data, issued)) => return self.store_issued(job, &data, &issued).await,
            Err(e) => e,
        };
        let now = self.env.now();
        let how = if permanent(&e) {
            tracing::error!(
                request = job.request_id,
                code = e.code(),
                "issuance refused: {e}"
            );
            JobOutcome::FailedAt(now)
        } else {
            let delay = retry_delay(job.attempts, RETRY_INITIAL, RETRY_MAX);
            tracing::warn!(
                request = job.request_id,
                attempt = job.attempts,
                retry_in_s = delay,
                code = e.code(),
                "issuance failed: {e}"
            );
            JobOutcome::RetryAt(now + delay)
        };
        self.store
            .release_issue_job(
                job.request_id,
                &self.owner,
                how,
                &format!("{} [{}]", e, e.code()),
            )
            .await?;
        Ok(false)
    }

    async fn order_and_issue(&self, job: &Job) -> Result<(OrderData, Issued)> {
        let data = {
            let mut conn = self.store.conn().await?;
            repo::order_data(&mut conn, job.request_id).await?
        }
        .ok_or_else(|| Error::Usage(format!("request {} does not exist", job.request_id)))?;
        let order = order_for(&data)?;
        let issued = self
            .issuer
            .issue(&order, self.env.now(), &*self.env.random)
            .await?;
        Ok((data, issued))
    }

    /// Stores the certificate with everything that follows from it, in one transaction.
    async fn store_issued(&self, job: &Job, data: &OrderData, issued: &Issued) -> Result<bool> {
        let now = self.env.now();
        let token = self.env.secret_token();
        let mut tx = self.store.begin().await?;
        let stored = repo::store_certificate(
            &mut tx,
            &self.owner,
            &NewCertificate {
                request_id: job.request_id,
                serial: &issued.serial,
                der: &issued.certificate_der,
                chain_pem: &issued.chain_pem,
                not_before: issued.not_before,
                not_after: issued.not_after,
                collect_token_hash: &secret_hash(&token),
            },
            now,
        )
        .await?;
        if !stored {
            // Another worker took the job over after our lease ran out; it stores its own.
            tracing::warn!(
                request = job.request_id,
                "issuance finished after its lease ran out"
            );
            tx.rollback().await?;
            return Ok(false);
        }
        repo::set_request_state(&mut tx, job.request_id, "approved", "issued", now).await?;
        audit::append(
            &mut tx,
            now,
            &audit::Record {
                actor: "certdesk",
                action: "certificate_issued",
                subject: &data.code,
                client: "",
                detail: &format!("serial {} by {}", issued.serial, self.issuer.name()),
            },
        )
        .await?;
        let language = users::find(&mut tx, &data.requester)
            .await?
            .map(|u| u.language)
            .unwrap_or_default();
        let mail = ready_mail(
            &self.config,
            language,
            &data.addresses,
            &data.code,
            &token,
            issued.not_after,
        );
        mail::queue(&mut tx, &self.config, &self.env, &data.requester, &mail).await?;
        tx.commit().await?;
        self.mail.wake();
        tracing::info!(request = job.request_id, serial = %issued.serial, "certificate issued");
        Ok(true)
    }
}

/// The link in the "ready" mail; the token follows `#` so it stays out of server logs and
/// Referer headers when the page opens.
pub fn collect_link(public_url: &url::Url, token: &str) -> String {
    let mut url = public_url.clone();
    url.set_path(shared::api::routes::COLLECT_PAGE);
    url.set_query(None);
    url.set_fragment(Some(token));
    url.to_string()
}

/// The "ready to collect" mail with the link for `token`.
pub(super) fn ready_mail(
    config: &Config,
    language: Language,
    addresses: &[String],
    request_code: &str,
    token: &str,
    not_after: UnixTime,
) -> Rendered {
    let link = collect_link(&config.public_url, token);
    certificate_mails::issued(
        language,
        &certificate_mails::IssuedMail {
            organisation: &config.organisation,
            addresses,
            request_code,
            link: &link,
            valid_until: &iso_date(not_after),
        },
    )
}

fn iso_date(t: UnixTime) -> String {
    let d = yyyymmdd(t);
    format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])
}

/// Failures that another attempt cannot cure.
fn permanent(e: &Error) -> bool {
    matches!(e, Error::Pki(_) | Error::Usage(_) | Error::Profile(_))
}

/// Builds the order from vetted data; only the public key comes from the request.
fn order_for(data: &OrderData) -> Result<Order> {
    let kind = super::collect::parse_kind(&data.kind)?;
    let csr = CertReq::from_der(&data.csr_der)
        .map_err(|e| Error::Usage(format!("stored request does not parse: {e}")))?;
    let public_key_der = csr
        .info
        .public_key
        .to_der()
        .map_err(|e| Error::Usage(format!("stored request's key: {e}")))?;
    let personal = kind == RequestKind::Personal;
    let (given_name, surname) = match (&data.identity, personal) {
        (Some((g, s)), true) => (Some(g.clone()), Some(s.clone())),
        _ => (None, None),
    };
    Ok(Order {
        request_id: data.request_id,
        kind,
        validation: validation_for(kind, given_name.is_some()),
        addresses: data.addresses.clone(),
        given_name,
        surname,
        display_name: if personal {
            None
        } else {
            data.mailbox_name.clone()
        },
        public_key_der,
    })
}
