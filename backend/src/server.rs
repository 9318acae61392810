//! `certdesk serve`: prepares the data directory and database, binds, and serves until told
//! to stop.

use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::ca::BuiltinCa;
use crate::ca::Issuer;
use crate::config::Config;
use crate::domain::Env;
use crate::http::{AppState, router};
use crate::issuance::{IssuanceHandle, IssuanceWorker};
use crate::mail::{Worker, WorkerHandle};
use crate::store::Store;
use crate::{Error, Result};

/// A server that has bound its port and opened its database, ready to run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    /// Does everything that can fail before serving, so failures are reported before the
    /// server claims to be up.
    pub async fn prepare(config: Config) -> Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Listen {
                addr: config.listen,
                hint: match source.kind() {
                    ErrorKind::AddrInUse => {
                        " (is certdesk already running? choose another port with `listen` in certdesk.toml or CERTDESK_LISTEN)"
                    }
                    ErrorKind::PermissionDenied => " (ports below 1024 need privileges; use a reverse proxy)",
                    _ => "",
                },
                source,
            })?;
        Self::prepare_on(config, listener).await
    }

    /// [`Server::prepare`] on a listener bound by the caller, e.g. on port 0 by a test that
    /// must know the address (for `public_url`) before the server is built.
    pub async fn prepare_on(config: Config, listener: TcpListener) -> Result<Self> {
        Self::prepare_with(config, listener, Env::default()).await
    }

    /// [`Server::prepare_on`] with the given time and randomness (tests pass a clock they
    /// can move).
    pub async fn prepare_with(config: Config, listener: TcpListener, env: Env) -> Result<Self> {
        prepare_data_dir(&config.data_dir)?;
        if config.public_url.scheme() == "http" && !config.auth.dev_insecure_cookies {
            tracing::warn!(
                "public_url is http but session cookies are Secure: browsers may not send them back; \
                 for local development set auth.dev_insecure_cookies = true"
            );
        }
        let store = Store::connect(&config.database_url()).await?;
        let ca = load_ca(&store, &config).await?;
        Ok(Self {
            listener,
            state: AppState {
                config: Arc::new(config),
                store,
                env,
                mail: WorkerHandle::default(),
                issuance: IssuanceHandle::default(),
                ca,
            },
        })
    }

    /// The state handlers see (tests use its store and clock).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes, then finishes open requests and closes the database.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let state = self.state;
        let store = state.store.clone();
        let worker = Worker::new(
            store.clone(),
            &state.config,
            state.env.clone(),
            state.mail.clone(),
        )?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let crls = state.ca.clone().map(|ca| {
            tokio::spawn(crate::ca::crl::run(
                store.clone(),
                ca,
                state.env.clone(),
                stopped.clone(),
            ))
        });
        // Issuance needs a CA; without one, approved requests wait in their jobs.
        let issuance = state.ca.clone().map(|ca| {
            let issuer: Arc<dyn Issuer> = ca;
            let worker = IssuanceWorker::new(
                store.clone(),
                state.config.clone(),
                state.env.clone(),
                issuer,
                state.issuance.clone(),
                state.mail.clone(),
            );
            tokio::spawn(worker.run(stopped.clone()))
        });
        let expiry = tokio::spawn(crate::requests::run_expiry(
            store.clone(),
            state.config.clone(),
            state.env.clone(),
            state.mail.clone(),
            stopped.clone(),
        ));
        let worker = tokio::spawn(worker.run(stopped));
        let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        // The worker finishes the mail in hand; what is left stays queued for the next start.
        let _ = stop.send(true);
        let _ = worker.await;
        let _ = expiry.await;
        if let Some(crls) = crls {
            let _ = crls.await;
        }
        if let Some(issuance) = issuance {
            let _ = issuance.await;
        }
        store.close().await;
        Ok(served?)
    }
}

/// Loads the built-in CA. Serving without one is allowed (issuance waits, CRLs are not
/// published), but said clearly; a CA that cannot be opened stops the start.
async fn load_ca(store: &Store, config: &Config) -> Result<Option<Arc<BuiltinCa>>> {
    let ca = BuiltinCa::load(store, config).await?;
    match &ca {
        Some(ca) => tracing::info!(issuing = %ca.issuing().subject(), "built-in CA loaded"),
        None => tracing::warn!(
            "no certificate authority yet: certificates are not issued until an operator runs \
             `certdesk ca init` (or `certdesk ca import`) and restarts certdesk"
        ),
    }
    if ca.is_some() && config.ca.organisation_identifier.is_none() {
        tracing::warn!(
            "ca.organisation_identifier is not set: only mailbox-validated certificates can be \
             issued (personal, role and group certificates name the organisation's registration)"
        );
    }
    Ok(ca.map(Arc::new))
}

/// Creates the data directory if needed and proves it is a writable directory.
fn prepare_data_dir(dir: &Path) -> Result<()> {
    let fail = |reason: String| Error::DataDir {
        path: dir.to_owned(),
        reason,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(fail("exists but is not a directory".into()));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create it: {e}")))?;
    std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read it: {e}")))?;
    let probe = dir.join(".certdesk-write-test");
    std::fs::write(&probe, b"").map_err(|e| fail(format!("cannot write into it: {e}")))?;
    std::fs::remove_file(&probe).map_err(|e| fail(format!("cannot write into it: {e}")))?;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
