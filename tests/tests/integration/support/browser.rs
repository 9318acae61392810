//! Headless Chromium through chromedriver, driven with WebDriver.

use std::time::Duration;

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use tempfile::TempDir;
use tokio::process::{Child, Command};

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

/// Choices beyond the defaults, for [`Browser::start_with`].
#[derive(Debug, Default)]
pub struct Options {
    /// More Chromium arguments (e.g. a proxy).
    pub args: Vec<String>,
    /// Where downloads land, without asking.
    pub downloads: Option<std::path::PathBuf>,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a fresh headless Chromium.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// Like [`Browser::start`], with more arguments and a download directory.
    pub async fn start_with(options: Options) -> Self {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            // Its own process group, which its Chromium joins: see `Drop`.
            .process_group(0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {chromedriver}: {e}; `cargo xtask setup` installs it")
            });
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1000,700",
        ]
        .map(String::from)
        .into();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(options.args);
        let mut chrome = serde_json::json!({
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": args,
        });
        if let Some(dir) = &options.downloads {
            chrome["prefs"] = serde_json::json!({
                "download.default_directory": dir,
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            });
        }
        let caps: Capabilities =
            serde_json::from_value(serde_json::json!({ "goog:chromeOptions": chrome })).unwrap();
        let webdriver = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last_error = None;
        // chromedriver needs a moment before it accepts sessions.
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        _profile: profile,
                    };
                }
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not accept a session: {last_error:?}");
    }

    /// Waits up to 20 s for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("no element `{css}` appeared: {e}"))
    }

    /// Ends the browser session and chromedriver. Call before asserting, so a failing test
    /// leaves no browser behind.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

impl Drop for Browser {
    /// A test that fails before [`Browser::close`] must not leave Chromium running: ends
    /// chromedriver's whole process group. After `close` there is nothing left to end.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}
