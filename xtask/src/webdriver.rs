//! Headless Chromium through chromedriver, spoken to in plain WebDriver (JSON over HTTP on
//! loopback): enough for the browser benchmark to open pages and read results.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Scratch, free_port};

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    version: String,
    profile: Scratch,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a fresh headless Chromium.
    pub fn start() -> Result<Self, String> {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port()?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start {chromedriver}: {e} (cargo xtask setup installs it)")
            })?;
        let profile = Scratch::new()?;
        let mut browser = Self {
            driver,
            port,
            session: String::new(),
            version: String::new(),
            profile,
        };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", browser.profile.0.display()),
                ]
            }
        }}});
        // chromedriver needs a moment before it accepts sessions.
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            match browser.call("POST", "/session", Some(&capabilities)) {
                Ok(v) => break v,
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("chromedriver did not open a session: {e}"));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        };
        browser.session = session["sessionId"]
            .as_str()
            .ok_or("chromedriver answered no session id")?
            .to_owned();
        let capabilities = &session["capabilities"];
        browser.version = format!(
            "Chromium {}",
            capabilities["browserVersion"].as_str().unwrap_or("?")
        );
        Ok(browser)
    }

    /// The browser's name and version, e.g. "Chromium 120.0.6099.224".
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Opens `url` and waits for its load event.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.call_session("POST", "/url", &json!({ "url": url }))
            .map(drop)
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub fn execute(&self, script: &str) -> Result<Value, String> {
        self.call_session(
            "POST",
            "/execute/sync",
            &json!({ "script": script, "args": [] }),
        )
    }

    /// A Chrome DevTools command through chromedriver, e.g. `Network.clearBrowserCache`.
    pub fn devtools(&self, command: &str) -> Result<Value, String> {
        self.call_session(
            "POST",
            "/goog/cdp/execute",
            &json!({ "cmd": command, "params": {} }),
        )
    }

    /// Runs `script` every 200 ms until it returns something other than null.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.execute(script)?;
            if !v.is_null() {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the page did not get there within {} s",
                    timeout.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn call_session(&self, method: &str, path: &str, body: &Value) -> Result<Value, String> {
        self.call(
            method,
            &format!("/session/{}{path}", self.session),
            Some(body),
        )
    }

    /// One WebDriver command; its `value`, or the error it names.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("chromedriver: {e}"))?;
        // Long enough for a page whose script keeps its thread busy for a while.
        stream
            .set_read_timeout(Some(Duration::from_secs(600)))
            .map_err(|e| e.to_string())?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("chromedriver: {e}"))?;
        let json = read_answer(&mut stream)?;
        let v: Value = serde_json::from_str(&json)
            .map_err(|e| format!("chromedriver: unreadable answer ({e}): {json}"))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(format!(
                "WebDriver {path}: {error}: {}",
                value["message"].as_str().unwrap_or("")
            )),
            None => Ok(value),
        }
    }
}

/// The body of an HTTP answer with a Content-Length (chromedriver keeps the connection open,
/// whatever the request asks).
fn read_answer(stream: &mut TcpStream) -> Result<String, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // (where the body starts, its length), once the head is in
    let mut body: Option<(usize, usize)> = None;
    loop {
        if body.is_none()
            && let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .ok_or("chromedriver: an answer without Content-Length")?;
            body = Some((end + 4, length));
        }
        if let Some((start, length)) = body
            && buf.len() >= start + length
        {
            return Ok(String::from_utf8_lossy(&buf[start..start + length]).into_owned());
        }
        let n = stream
            .read(&mut chunk)
            .map_err(|e| format!("chromedriver: {e}"))?;
        if n == 0 {
            return Err("chromedriver: the answer was cut short".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

impl Drop for Browser {
    /// Ends the session (and so Chromium), then chromedriver, by its own PID.
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
