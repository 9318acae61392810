//! The real certdesk server, in-process, on 127.0.0.1 and a free port, with its own data
//! directory.

use certdesk::config::Config;
use certdesk::server::Server;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[allow(dead_code)] // not every test module reads every field
pub struct TestServer {
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    pub config: Config,
    /// Kept so the directory lives as long as the server.
    pub data_dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<certdesk::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the defaults and the built web app.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed its configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            listen: addr,
            public_url: format!("http://{addr}/").parse().unwrap(),
            data_dir: data_dir.path().to_path_buf(),
            web_root: super::web_root(),
            ..Config::default()
        };
        adjust(&mut config);
        let server = Server::prepare_on(config.clone(), listener).await.unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            url: format!("http://{addr}"),
            config,
            data_dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and waits until it has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}
