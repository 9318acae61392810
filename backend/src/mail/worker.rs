//! Delivers the outbox. A mail is marked sent only after the SMTP server accepted it, so a
//! crash can at worst repeat a delivery the server had accepted in the instant before the
//! crash (SMTP offers nothing better; the fixed Message-ID lets mail systems drop the
//! duplicate) and never loses one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::{Notify, watch};

use crate::config::{Config, SmtpSecurity};
use crate::domain::Env;
use crate::domain::auth::retry_delay;
use crate::store::Store;
use crate::store::outbox::Claimed;
use crate::{Error, Result};

/// How long a claimed mail stays reserved for one worker; longer than an SMTP exchange can
/// take (the transport times out after [`SMTP_TIMEOUT`]).
const LEASE: i64 = 300;
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);
/// Due retries and mails queued by other servers are noticed within this time.
const POLL: Duration = Duration::from_secs(2);

enum Delivery {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        retry_initial: i64,
        retry_max: i64,
    },
    /// No SMTP server configured: one .eml file per mail.
    Files(PathBuf),
}

/// Wakes the worker when a mail was queued, so it goes out without waiting for the poll.
#[derive(Clone, Default)]
pub struct WorkerHandle(Arc<Notify>);

impl WorkerHandle {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

pub struct Worker {
    store: Store,
    env: Env,
    delivery: Delivery,
    owner: String,
    wake: WorkerHandle,
}

impl Worker {
    pub fn new(store: Store, config: &Config, env: Env, wake: WorkerHandle) -> Result<Self> {
        let delivery = match &config.smtp {
            None => Delivery::Files(config.data_dir.join("mail")),
            Some(smtp) => {
                let host = smtp.host.as_str();
                let tls = || tls_parameters(host, smtp.ca_file.as_deref());
                let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host);
                let builder = match smtp.security {
                    SmtpSecurity::Plain => builder,
                    SmtpSecurity::Starttls => builder.tls(Tls::Required(tls()?)),
                    SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
                };
                let mut builder = builder.port(smtp.port()).timeout(Some(SMTP_TIMEOUT));
                if let Some(user) = &smtp.username {
                    let password = smtp
                        .password
                        .as_ref()
                        .map(|p| p.0.clone())
                        .unwrap_or_default();
                    builder = builder.credentials(Credentials::new(user.clone(), password));
                }
                Delivery::Smtp {
                    transport: builder.build(),
                    retry_initial: i64::from(smtp.retry_initial_seconds),
                    retry_max: i64::from(smtp.retry_max_seconds),
                }
            }
        };
        let owner = env.random_hex(8);
        Ok(Self {
            store,
            env,
            delivery,
            owner,
            wake,
        })
    }

    /// Delivers until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(code = e.code(), "mail outbox: {e}");
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

    /// Delivers every mail that is due now; returns how many went out.
    pub async fn deliver_due(&self) -> Result<usize> {
        let mut sent = 0;
        while let Some(mail) = self
            .store
            .claim_mail(&self.owner, self.env.now(), LEASE)
            .await?
        {
            if self.deliver(mail).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    async fn deliver(&self, mail: Claimed) -> Result<bool> {
        let outcome = match &self.delivery {
            Delivery::Files(dir) => write_eml(dir, &mail).await.map_err(|e| (false, e)),
            Delivery::Smtp { transport, .. } => send(transport, &mail).await,
        };
        let now = self.env.now();
        match outcome {
            Ok(()) => {
                if !self.store.mail_sent(mail.id, &self.owner, now).await? {
                    tracing::warn!(mail = mail.id, "mail delivered after its lease ran out");
                }
                tracing::info!(mail = mail.id, to = %mail.recipient, "mail delivered");
                Ok(true)
            }
            Err((true, error)) => {
                tracing::error!(mail = mail.id, to = %mail.recipient, "mail refused for good: {error}");
                self.store
                    .mail_failed(mail.id, &self.owner, now, &error)
                    .await?;
                Ok(false)
            }
            Err((false, error)) => {
                let (initial, max) = match &self.delivery {
                    Delivery::Smtp {
                        retry_initial,
                        retry_max,
                        ..
                    } => (*retry_initial, *retry_max),
                    Delivery::Files(_) => (30, 3600),
                };
                let delay = retry_delay(mail.attempts, initial, max);
                tracing::warn!(
                    mail = mail.id,
                    attempt = mail.attempts,
                    retry_in_s = delay,
                    "mail delivery failed: {error}"
                );
                self.store
                    .mail_retry_at(mail.id, &self.owner, now + delay, &error)
                    .await?;
                Ok(false)
            }
        }
    }
}

/// Certificate checks against the public roots plus, if given, the organisation's own CA.
fn tls_parameters(host: &str, ca_file: Option<&std::path::Path>) -> Result<TlsParameters> {
    let mut builder = TlsParameters::builder(host.to_owned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| Error::Mail(format!("smtp.ca_file {}: {e}", path.display())))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| Error::Mail(format!("smtp.ca_file {}: {e}", path.display())))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| Error::Mail(format!("smtp TLS settings: {e}")))
}

/// Sends over SMTP; on failure says whether the refusal is permanent.
async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    mail: &Claimed,
) -> std::result::Result<(), (bool, String)> {
    let envelope = (|| {
        Ok::<_, lettre::address::AddressError>(Envelope::new(
            Some(mail.sender.parse()?),
            vec![mail.recipient.parse()?],
        ))
    })()
    .map_err(|e| (true, format!("bad address: {e}")))?
    .map_err(|e| (true, format!("bad envelope: {e}")))?;
    transport
        .send_raw(&envelope, &mail.message)
        .await
        .map(|_| ())
        .map_err(|e| (e.is_permanent(), e.to_string()))
}

/// Writes `<dir>/<id>.eml` whole (temporary file, then rename), so a repeated attempt
/// replaces rather than duplicates.
async fn write_eml(dir: &std::path::Path, mail: &Claimed) -> std::result::Result<(), String> {
    let write = async {
        tokio::fs::create_dir_all(dir).await?;
        let tmp = dir.join(format!(".{}.eml.tmp", mail.id));
        tokio::fs::write(&tmp, &mail.message).await?;
        tokio::fs::rename(&tmp, dir.join(format!("{}.eml", mail.id))).await
    };
    write.await.map_err(|e| format!("{}: {e}", dir.display()))
}
