//! The end-to-end run's parts: the real server with the built-in CA, the real SMTP server, the
//! recording proxy in front of the server and headless Chromium behind it; waiting for
//! elements, mails and downloads; screenshots.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::elements::Element;
use shared::api::{MailboxView, RequestKind, Role};
use tempfile::TempDir;

use certdesk::domain::Clock;
use certdesk::store::mailboxes;

use crate::lifecycle::{ca_settings, text_of};
use crate::support::app::{App, Db, smtp_config};
use crate::support::browser::{Browser, Options};
use crate::support::proxy::{ProxyListener, RecordingProxy};
use crate::support::smtp::{SmtpServer, recipient};
use crate::support::{web_root, workspace_root};

/// Long enough for RSA-3072 key generation and .p12 building in the browser on a busy machine.
pub const SLOW: Duration = Duration::from_secs(90);
/// For anything that only waits for the server or a page change.
pub const QUICK: Duration = Duration::from_secs(30);

/// The desktop window of the screenshots, and a phone's.
pub const DESKTOP: (u32, u32) = (1000, 800);
pub const PHONE: (u32, u32) = (390, 844);

pub struct Run {
    pub smtp: SmtpServer,
    pub app: App,
    pub proxy: RecordingProxy,
    pub browser: Browser,
    pub downloads: TempDir,
    /// Mails already taken by a step, by their place in the maildir.
    taken: Vec<usize>,
    shots: Option<PathBuf>,
}

impl Run {
    /// Starts everything; `group` is registered with `owner` as its owner and `desk` is a
    /// desk officer. Screenshots go to docs/screenshots/ when `screenshots` is set.
    pub async fn start(owner: &str, group: (&str, &str), desk: &str, screenshots: bool) -> Self {
        Self::start_serving(web_root(), owner, group, desk, screenshots).await
    }

    /// Like [`start`](Self::start), with the web app served from `web`.
    pub async fn start_serving(
        web: PathBuf,
        owner: &str,
        group: (&str, &str),
        desk: &str,
        screenshots: bool,
    ) -> Self {
        let smtp = SmtpServer::start().await;
        let port = smtp.port;
        let listener = ProxyListener::bind().await;
        let public_url = format!("{}/", listener.url);
        let app = App::start_with_ca(Db::Sqlite, |c| {
            c.smtp = Some(smtp_config(port));
            ca_settings(c);
            c.web_root = web;
            // Mailed links lead through the proxy, like everything else the browser does.
            c.public_url = public_url.parse().unwrap();
        })
        .await;
        let proxy = listener.serve(&app.url);
        certdesk::operators::set_role(&app.store, desk, Role::Desk)
            .await
            .unwrap();
        {
            let mut conn = app.store.conn().await.unwrap();
            let mailbox = mailboxes::Mailbox {
                view: MailboxView {
                    address: group.0.into(),
                    kind: RequestKind::Group,
                    display_name: group.1.into(),
                },
                owners: vec![owner.into()],
            };
            mailboxes::put(&mut conn, &mailbox, app.clock.now())
                .await
                .unwrap();
        }
        let downloads = tempfile::tempdir().unwrap();
        let mut args = proxy.browser_args();
        args.push("--lang=en-US".into());
        let browser = Browser::start_with(Options {
            args,
            downloads: Some(downloads.path().to_path_buf()),
        })
        .await;
        let run = Self {
            smtp,
            app,
            proxy,
            browser,
            downloads,
            taken: Vec::new(),
            shots: screenshots.then(|| workspace_root().join("docs/screenshots")),
        };
        run.window(DESKTOP).await;
        run
    }

    /// Stops the browser, the proxy, the server and the SMTP server; returns the downloads.
    pub async fn stop(self) -> TempDir {
        self.browser.close().await;
        self.proxy.stop().await;
        self.app.stop().await;
        drop(self.smtp);
        self.downloads
    }

    /// Sizes the window so the page's viewport is `width` × `height`.
    pub async fn window(&self, (width, height): (u32, u32)) {
        let client = &self.browser.client;
        client.set_window_size(width, height).await.unwrap();
        let inner = client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .unwrap();
        let size = |i: usize| u32::try_from(inner[i].as_u64().unwrap()).unwrap();
        let (w, h) = (2 * width - size(0), 2 * height - size(1));
        client.set_window_size(w, h).await.unwrap();
    }

    /// Opens `path` (or a full URL) through the proxy.
    pub async fn open(&self, path_or_url: &str) {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.proxy.url)
        };
        if url.contains('#') {
            // A mailed link opens the page afresh, as from a mail program; in the same tab a
            // link that differs only after `#` would not load the page again.
            self.browser.client.goto("about:blank").await.unwrap();
        }
        self.browser.client.goto(&url).await.unwrap();
    }

    /// Waits up to `within` for an element matching `css` that is shown.
    pub async fn wait_for(&self, css: &str, within: Duration) -> Element {
        let started = Instant::now();
        loop {
            if let Ok(found) = self.browser.client.find_all(Locator::Css(css)).await {
                for e in found {
                    if e.is_displayed().await.unwrap_or(false) {
                        return e;
                    }
                }
            }
            if started.elapsed() > within {
                let alerts = self.alerts().await;
                panic!(
                    "no `{css}` within {within:?} at {}; alerts on the page: {alerts:?}",
                    self.browser.client.current_url().await.unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The texts of the page's `role=alert` elements, to explain a failed wait.
    async fn alerts(&self) -> Vec<String> {
        let mut texts = Vec::new();
        for e in self
            .browser
            .client
            .find_all(Locator::Css("[role=alert]"))
            .await
            .unwrap_or_default()
        {
            texts.push(e.text().await.unwrap_or_default());
        }
        texts
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css, QUICK).await.click().await.unwrap();
    }

    /// Replaces the text of the field `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css, QUICK).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Whether the checkbox or radio button `css` is ticked.
    pub async fn is_selected(&self, css: &str) -> bool {
        self.wait_for(css, QUICK).await.is_selected().await.unwrap()
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css, QUICK).await.text().await.unwrap()
    }

    /// Saves a screenshot as docs/screenshots/`name`.png (when this run takes them), with
    /// the element `top` (if given) at the top of the window.
    pub async fn shot(&self, name: &str, top: Option<&str>) {
        let Some(dir) = &self.shots else { return };
        if let Some(css) = top {
            let element = self.wait_for(css, QUICK).await;
            self.browser
                .client
                .execute(
                    "arguments[0].scrollIntoView({block: 'start'})",
                    vec![serde_json::to_value(element).unwrap()],
                )
                .await
                .unwrap();
        }
        // Let the page finish painting what it just rendered (fonts, focus rings).
        self.browser
            .client
            .execute(
                "return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))",
                vec![],
            )
            .await
            .unwrap();
        let png = self.browser.client.screenshot().await.unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// The next mail to `to` whose text contains `marker`, waiting for it to arrive.
    pub async fn mail(&mut self, to: &str, marker: &str) -> String {
        let started = Instant::now();
        loop {
            let found = self
                .smtp
                .messages()
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.taken.contains(i))
                .find(|(_, raw)| recipient(raw) == to && text_of(raw).contains(marker))
                .map(|(i, raw)| (i, text_of(raw)));
            if let Some((i, text)) = found {
                self.taken.push(i);
                return text;
            }
            assert!(started.elapsed() < QUICK, "no mail to {to} with `{marker}`");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for a finished download named `name` and returns its path.
    pub async fn download(&self, name: &str) -> PathBuf {
        wait_for_file(&self.downloads.path().join(name)).await
    }
}

/// The full link in `mail` that contains `marker` (such as `/signin#`).
pub fn link_in(mail: &str, marker: &str) -> String {
    let at = mail
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in {mail}"));
    let start = mail[..at].rfind("http").unwrap();
    mail[start..]
        .split(|c: char| c.is_whitespace() || c == '>' || c == '"')
        .next()
        .unwrap()
        .to_owned()
}

/// Waits until `path` exists with a size that stays the same, while the browser has no
/// partial download left beside it.
async fn wait_for_file(path: &Path) -> PathBuf {
    let started = Instant::now();
    let mut last_size = None;
    loop {
        let partial = std::fs::read_dir(path.parent().unwrap()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".crdownload")
        });
        let size = std::fs::metadata(path).ok().map(|m| m.len());
        if !partial && size.is_some_and(|s| s > 0) && size == last_size {
            return path.to_path_buf();
        }
        last_size = size;
        assert!(
            started.elapsed() < QUICK,
            "no download {} (the directory holds {:?})",
            path.display(),
            std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
