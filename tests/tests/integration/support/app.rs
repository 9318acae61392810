//! The real server in-process for the sign-in, mail and role tests: on SQLite or PostgreSQL,
//! with a clock the test moves, mail to a test SMTP server or to .eml files, and a small HTTP
//! client that carries the session cookie by hand (so tests see exactly what is sent).

use std::path::PathBuf;
use std::time::Duration;

use certdesk::config::{Config, Secret, SmtpConfig, SmtpSecurity};
use certdesk::domain::{Env, ManualClock, OsRandom};
use certdesk::server::Server;
use certdesk::store::Store;
use reqwest::{Method, StatusCode, header};
use serde_json::Value;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Defines one `#[tokio::test]` per database for an `async fn(Db)`.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::app::Db::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::support::app::Db::Postgres).await })*
        }
    };
}
pub(crate) use on_both_databases;

/// Plain SMTP to the test server on `port`, retrying quickly.
pub fn smtp_config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        security: SmtpSecurity::Plain,
        retry_initial_seconds: 1,
        retry_max_seconds: 2,
        ..SmtpConfig::default()
    }
}

/// Passphrase of the CA made by [`App::start_with_ca`].
pub const CA_PASSPHRASE: &str = "correct horse battery staple of the test CA";

/// Creates and stores a CA in the configured database, as `certdesk ca init` does.
pub async fn make_ca(config: &Config, env: &Env) {
    let store = Store::connect(&config.database_url()).await.unwrap();
    let ca = certdesk::ca::setup::create(config, env).unwrap();
    let passphrase = config.ca.passphrase.as_ref().map(|s| s.0.clone()).unwrap();
    certdesk::ca::setup::save(&store, &ca, &passphrase, false, env)
        .await
        .unwrap();
    store.close().await;
}

#[allow(dead_code)] // not every test reads every field
pub struct App {
    /// Base URL without a trailing slash.
    pub url: String,
    pub clock: ManualClock,
    pub store: Store,
    pub config: Config,
    pub data_dir: TempDir,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<certdesk::Result<()>>>,
}

/// An answer: status, `Set-Cookie` (if any) and the JSON body (`Null` if none).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The session cookie's `name=value`, if the answer sets one.
    pub fn session_cookie(&self) -> Option<String> {
        let set = self.headers.get(header::SET_COOKIE)?.to_str().ok()?;
        let pair = set.split(';').next()?.trim().to_owned();
        (!pair.ends_with('=')).then_some(pair)
    }
}

impl App {
    /// Mails go to .eml files in the data directory.
    pub async fn start(db: Db) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// Mails go to the SMTP server on `smtp_port` (plain).
    pub async fn with_smtp(db: Db, smtp_port: u16, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(db, |c| {
            c.smtp = Some(smtp_config(smtp_port));
            adjust(c);
        })
        .await
    }

    pub async fn start_with(db: Db, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_inner(db, adjust, false).await
    }

    /// With a built-in CA (the configured key type) made before the server starts, so the
    /// server loads it and issues; its keys are sealed with [`CA_PASSPHRASE`].
    pub async fn start_with_ca(db: Db, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_inner(db, adjust, true).await
    }

    async fn start_inner(db: Db, adjust: impl FnOnce(&mut Config), with_ca: bool) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let data_dir = tempfile::tempdir().unwrap();
        let database_url = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(super::postgres::fresh_database().await),
        };
        let mut config = Config {
            listen: addr,
            public_url: format!("http://{addr}/").parse().unwrap(),
            data_dir: data_dir.path().to_path_buf(),
            database_url,
            // The API alone is under test here; the web app answers "not built".
            web_root: data_dir.path().join("no-web-app"),
            ..Config::default()
        };
        config.auth.dev_insecure_cookies = true;
        if with_ca {
            config.ca.passphrase = Some(Secret(CA_PASSPHRASE.into()));
        }
        adjust(&mut config);
        config.validate().unwrap();
        let clock = ManualClock::starting_now();
        let env = Env {
            clock: std::sync::Arc::new(clock.clone()),
            random: std::sync::Arc::new(OsRandom),
        };
        if with_ca {
            make_ca(&config, &env).await;
        }
        let server = Server::prepare_with(config.clone(), listener, env)
            .await
            .unwrap();
        let store = server.state().store.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            url: format!("http://{addr}"),
            clock,
            store,
            config,
            data_dir,
            http: reqwest::Client::new(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }

    /// Sends a request; `cookie` is the session's `name=value`; `extra` are more headers.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: Value, cookie: Option<&str>) -> Answer {
        self.call(Method::POST, path, Some(body), cookie, &[]).await
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        self.call(Method::GET, path, None, cookie, &[]).await
    }

    /// Where .eml files land without SMTP.
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    /// Waits for the `n`-th .eml file (1-based) and returns it.
    pub async fn wait_for_eml(&self, n: usize) -> Vec<u8> {
        for _ in 0..200 {
            let mails = super::smtp::read_dir_sorted(&self.mail_dir());
            if mails.len() >= n {
                return mails[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail number {n} in {}", self.mail_dir().display());
    }

    /// Requests a link for `email` (.eml mode) and returns its token.
    pub async fn link_token(&self, email: &str) -> String {
        let before = super::smtp::read_dir_sorted(&self.mail_dir()).len();
        let a = self
            .post(
                shared::api::routes::AUTH_LINK,
                serde_json::json!({ "email": email }),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
        let raw = self.wait_for_eml(before + 1).await;
        assert_eq!(super::smtp::recipient(&raw), email);
        super::smtp::token_in(&raw)
    }

    /// Signs `email` in through the mailed link; returns the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let token = self.link_token(email).await;
        let a = self
            .post(
                shared::api::routes::AUTH_SESSION,
                serde_json::json!({ "token": token }),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
        a.session_cookie().expect("a session cookie")
    }
}
