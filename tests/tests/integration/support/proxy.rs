//! A recording HTTP proxy between the browser and the server: every request the browser sends
//! passes through it and is kept (method, target, headers, body) for the test to inspect.
//!
//! It serves both ways a browser may reach it: as the portal's origin (the server's public URL
//! is the proxy's, so mailed links lead here too) and as the browser's forward proxy for every
//! other address, which it records and refuses. So nothing leaves the browser unseen.

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Largest request body kept; a larger one is refused and fails [`RecordingProxy::sent`].
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Most requests kept; more fail [`RecordingProxy::sent`] rather than going unchecked.
const MAX_REQUESTS: usize = 20_000;

/// One request as the browser sent it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub method: String,
    /// The request target as received: a path, or a full URL when sent as a forward proxy.
    pub target: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Log {
    sent: Vec<Sent>,
    /// Requests that could not be kept whole (too many, too large, unreadable).
    lost: Vec<String>,
}

struct Shared {
    upstream: String,
    /// `host:port` of the proxy, to tell the portal's requests from any other.
    authority: String,
    http: reqwest::Client,
    log: Mutex<Log>,
}

/// The proxy's address, taken before the server starts so the server can name it.
pub struct ProxyListener {
    listener: TcpListener,
    pub url: String,
}

impl ProxyListener {
    pub async fn bind() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        Self { listener, url }
    }

    /// Starts forwarding the portal's requests to `upstream` (a base URL, no trailing slash).
    pub fn serve(self, upstream: &str) -> RecordingProxy {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            authority: self.url.trim_start_matches("http://").to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            log: Mutex::default(),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(self.listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        RecordingProxy {
            url: self.url,
            shared,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

pub struct RecordingProxy {
    /// The portal's origin as the browser sees it.
    pub url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RecordingProxy {
    /// Everything recorded so far, oldest first. Panics if any request could not be kept
    /// whole: an unchecked request must not pass as a clean one.
    pub fn sent(&self) -> Vec<Sent> {
        let log = self.shared.log.lock().unwrap();
        assert!(
            log.lost.is_empty(),
            "requests not recorded whole: {:?}",
            log.lost
        );
        log.sent.clone()
    }

    /// The browser's chromium argument that sends all its traffic, loopback included, here.
    pub fn browser_args(&self) -> Vec<String> {
        vec![
            format!("--proxy-server={}", self.url),
            // Chromium sends loopback addresses around a proxy unless told otherwise.
            "--proxy-bypass-list=<-loopback>".into(),
        ]
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }
}

/// Headers that belong to one hop, not to the request or answer.
fn hop_by_hop(name: &HeaderName) -> bool {
    [
        header::CONNECTION,
        header::HOST,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        header::CONTENT_LENGTH,
    ]
    .contains(name)
        || matches!(name.as_str(), "keep-alive" | "proxy-connection")
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.to_string();
    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            let what = format!("{} {target}: body not read: {e}", parts.method);
            shared.log.lock().unwrap().lost.push(what);
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
    };
    {
        let mut log = shared.log.lock().unwrap();
        if log.sent.len() >= MAX_REQUESTS {
            log.lost
                .push(format!("{} {target}: over the limit", parts.method));
            return StatusCode::TOO_MANY_REQUESTS.into_response();
        }
        log.sent.push(Sent {
            method: parts.method.to_string(),
            target: target.clone(),
            headers,
            body: body.to_vec(),
        });
    }
    // As a forward proxy, only the portal's own address is served; the rest is refused.
    let ours = parts
        .uri
        .authority()
        .is_none_or(|a| a.as_str() == shared.authority);
    if !ours || parts.method == axum::http::Method::CONNECT {
        return (StatusCode::BAD_GATEWAY, "not the portal").into_response();
    }
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut upstream = shared
        .http
        .request(parts.method, format!("{}{path}", shared.upstream))
        .body(body);
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.send().await {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !hop_by_hop(name) {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    response.body(Body::from(bytes)).unwrap()
}
