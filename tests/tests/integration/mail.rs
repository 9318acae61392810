//! The outbox against a real SMTP server: a crash between queueing and delivery loses no
//! mail and sends none twice; competing workers deliver each mail once.

use std::process::Stdio;
use std::time::Duration;

use certdesk::config::{Config, SmtpSecurity};
use certdesk::domain::Env;
use certdesk::mail::{self, Worker, WorkerHandle, templates};
use certdesk::store::Store;
use serde_json::json;
use shared::api::{Language, routes};
use tokio::process::{Child, Command};

use crate::support::app::{App, Db, on_both_databases};
use crate::support::smtp::{SmtpServer, free_port, parse};

on_both_databases!(
    killed_before_delivery_sends_exactly_once,
    competing_workers_send_each_mail_once
);

struct Setup {
    dir: tempfile::TempDir,
    http_port: u16,
    smtp_port: u16,
    database_url: String,
}

impl Setup {
    async fn new(db: Db) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match db {
            Db::Sqlite => format!(
                "sqlite://{}",
                dir.path().join("data/certdesk.sqlite").display()
            ),
            Db::Postgres => crate::support::postgres::fresh_database().await,
        };
        Self {
            http_port: free_port(),
            smtp_port: free_port(),
            database_url,
            dir,
        }
    }

    /// Starts `certdesk serve` and waits until it answers.
    async fn serve(&self) -> Child {
        let data = self.dir.path().join("data");
        let log = std::fs::File::create(
            self.dir
                .path()
                .join(format!("serve-{}.log", rand::random::<u32>())),
        )
        .unwrap();
        let child = Command::new(crate::support::certdesk_bin())
            .arg("serve")
            .current_dir(self.dir.path())
            .env("CERTDESK_LISTEN", format!("127.0.0.1:{}", self.http_port))
            .env(
                "CERTDESK_PUBLIC_URL",
                format!("http://127.0.0.1:{}/", self.http_port),
            )
            .env("CERTDESK_DATA_DIR", &data)
            .env("CERTDESK_DATABASE_URL", &self.database_url)
            .env("CERTDESK_WEB_ROOT", self.dir.path().join("no-web-app"))
            .env("CERTDESK_SMTP__HOST", "127.0.0.1")
            .env("CERTDESK_SMTP__PORT", self.smtp_port.to_string())
            .env("CERTDESK_SMTP__SECURITY", "plain")
            .env("CERTDESK_SMTP__RETRY_INITIAL_SECONDS", "1")
            .env("CERTDESK_SMTP__RETRY_MAX_SECONDS", "1")
            .env("CERTDESK_AUTH__DEV_INSECURE_COOKIES", "true")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let health = format!("http://127.0.0.1:{}{}", self.http_port, routes::HEALTH);
        for _ in 0..300 {
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "certdesk serve did not come up; see the logs in {}",
            self.dir.path().display()
        );
    }
}

async fn killed_before_delivery_sends_exactly_once(db: Db) {
    let setup = Setup::new(db).await;
    let mut first = setup.serve().await;
    let a = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{}{}",
            setup.http_port,
            routes::AUTH_LINK
        ))
        .json(&json!({"email": "crash@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), reqwest::StatusCode::ACCEPTED);

    // The SMTP server is not up yet: wait until the worker tried, failed and released the
    // mail, then kill the server without warning.
    let store = Store::connect(&setup.database_url).await.unwrap();
    let now = || certdesk::domain::Clock::now(&certdesk::domain::SystemClock);
    for _ in 0..100 {
        let s = store.mail_states(now()).await.unwrap();
        if s.len() == 1 && s[0].attempts >= 1 && !s[0].leased {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let s = store.mail_states(now()).await.unwrap();
    assert_eq!(s.len(), 1);
    assert!(!s[0].sent, "not delivered before the kill");
    assert!(s[0].attempts >= 1 && s[0].last_error.is_some(), "{s:?}");

    let smtp = SmtpServer::start_on(setup.smtp_port).await;
    let _second = setup.serve().await;
    let mails = smtp.wait_for(1).await;
    // Retries are due every second: give a duplicate every chance to appear.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(smtp.messages().len(), 1, "exactly one delivery");
    assert_eq!(
        parse(&mails[0]).to().unwrap().first().unwrap().address(),
        Some("crash@example.org")
    );
    let s = store.mail_states(now()).await.unwrap();
    assert!(s[0].sent);
    store.close().await;
}

async fn competing_workers_send_each_mail_once(db: Db) {
    let setup = Setup::new(db).await;
    let smtp = SmtpServer::start_on(setup.smtp_port).await;
    let mut config = Config {
        data_dir: setup.dir.path().to_path_buf(),
        database_url: Some(setup.database_url.clone()),
        ..Config::default()
    };
    config.smtp = Some(certdesk::config::SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(setup.smtp_port),
        security: SmtpSecurity::Plain,
        ..Default::default()
    });
    std::fs::create_dir_all(setup.dir.path().join("data")).unwrap();
    let store = Store::connect(&setup.database_url).await.unwrap();
    let env = Env::default();
    const N: usize = 12;
    let mut tx = store.begin().await.unwrap();
    for i in 0..N {
        let m = templates::sign_in(Language::En, "Org", &format!("http://x/signin#{i}"), 15);
        mail::queue(&mut tx, &config, &env, &format!("u{i}@example.org"), &m)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let mut running = Vec::new();
    for _ in 0..3 {
        let worker = Worker::new(
            store.clone(),
            &config,
            Env::default(),
            WorkerHandle::default(),
        )
        .unwrap();
        running.push(tokio::spawn(async move { worker.deliver_due().await }));
    }
    let mut sent = 0;
    for r in running {
        sent += r.await.unwrap().unwrap();
    }
    assert_eq!(sent, N);
    let mails = smtp.wait_for(N).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), N);
    let mut ids: Vec<String> = mails
        .iter()
        .map(|m| parse(m).message_id().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "distinct Message-IDs");
    store.close().await;
}

/// STARTTLS and TLS from the first byte, with the organisation's CA configured; without it
/// the server's certificate is not trusted and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_and_tls_check_the_certificate() {
    for (implicit, security) in [(false, SmtpSecurity::Starttls), (true, SmtpSecurity::Tls)] {
        let (smtp, ca) = SmtpServer::start_tls(implicit).await;
        let untrusting = App::with_smtp(Db::Sqlite, smtp.port, |c| {
            c.smtp.as_mut().unwrap().security = security;
        })
        .await;
        untrusting
            .post(routes::AUTH_LINK, json!({"email": "t@example.org"}), None)
            .await;
        let now = || certdesk::domain::Clock::now(&untrusting.clock);
        for _ in 0..100 {
            let s = untrusting.store.mail_states(now()).await.unwrap();
            if s[0].attempts >= 1 && !s[0].leased {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let s = untrusting.store.mail_states(now()).await.unwrap();
        assert!(
            !s[0].sent && s[0].last_error.is_some(),
            "{security:?}: {s:?}"
        );
        untrusting.stop().await;

        let app = App::with_smtp(Db::Sqlite, smtp.port, |c| {
            let smtp = c.smtp.as_mut().unwrap();
            smtp.security = security;
            smtp.ca_file = Some(ca.ca_file());
        })
        .await;
        app.post(routes::AUTH_LINK, json!({"email": "t@example.org"}), None)
            .await;
        let mails = smtp.wait_for(1).await;
        assert_eq!(
            crate::support::smtp::recipient(&mails[0]),
            "t@example.org",
            "{security:?}"
        );
        app.stop().await;
    }
}
