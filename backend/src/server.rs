//! `certdesk serve`: prepares the data directory and database, binds, and serves until told
//! to stop.

use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::http::{AppState, router};
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
        prepare_data_dir(&config.data_dir)?;
        let store = Store::connect(&config.database_url()).await?;
        Ok(Self {
            listener,
            state: AppState {
                config: Arc::new(config),
                store,
            },
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes, then finishes open requests and closes the database.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let store = self.state.store.clone();
        axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await?;
        store.close().await;
        Ok(())
    }
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
