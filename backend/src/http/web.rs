//! The built web app. Unknown paths get `index.html` so the app's own routes work on reload.

use std::path::Path;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Html;
use axum::routing::{MethodRouter, any, any_service};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Shown when the web app has not been built, instead of a bare 404.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
<title>certdesk</title><h1>certdesk is running, but its web app is missing</h1>\
<p>The server found no built web app in its <code>web_root</code> directory. Build it with \
<code>cargo xtask run</code>, or point <code>web_root</code> in certdesk.toml at the \
directory that holds <code>index.html</code>.</p></html>";

pub fn service(root: &Path) -> MethodRouter {
    let index = root.join("index.html");
    if !index.is_file() {
        tracing::warn!(web_root = %root.display(), "no index.html in web_root: the web app is not built");
        return any(|| async { (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)) });
    }
    let files = ServeDir::new(root).fallback(ServeFile::new(index));
    // File names carry no content hash, so browsers must revalidate (cheap: Last-Modified).
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(files);
    any_service(files)
}
