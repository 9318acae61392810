//! The served web app in the real browser, and the headers it is served with.

use fantoccini::Locator;
use reqwest::header::HeaderMap;
use shared::api::{DatabaseStatus, Health, routes};

use crate::support::app::{App, Db};
use crate::support::browser::Browser;
use crate::support::web_root;

#[tokio::test]
async fn page_starts_under_the_csp_and_reaches_the_server() {
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.unwrap();
    let status = browser.wait_for("#server-status[data-state='ready']").await;
    let status_text = match &status {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let boot_left = browser
        .client
        .find_all(Locator::Id("boot"))
        .await
        .unwrap()
        .len();
    let heading = browser
        .client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    browser.close().await;
    server.stop().await;

    status.unwrap();
    assert!(status_text.contains(certdesk::VERSION), "{status_text}");
    assert_eq!(boot_left, 0, "the app replaces the loading notice");
    assert!(heading.contains("S/MIME"), "{heading}");
}

#[tokio::test]
async fn the_app_starts_on_a_deep_link() {
    // A bookmarked or reloaded page two levels down: its files must not be looked for there.
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/desk/requests/7", server.url))
        .await
        .unwrap();
    let status = browser.wait_for("#server-status[data-state='ready']").await;
    let failed = browser
        .client
        .find_all(Locator::Css("#boot-failed:not([hidden])"))
        .await
        .unwrap()
        .len();
    browser.close().await;
    server.stop().await;

    status.unwrap();
    assert_eq!(failed, 0, "the app started");
}

#[tokio::test]
async fn a_second_mailed_link_in_the_same_tab_is_read() {
    // Mail programs often reuse a tab: only the part after `#` changes, and the page must
    // take the new token (and clear it from the address bar) instead of keeping the first.
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    let browser = Browser::start().await;
    let page = format!("{}{}", server.url, routes::SIGNIN_PAGE);
    browser.client.goto(&format!("{page}#first")).await.unwrap();
    let first = browser.wait_for("#signin-continue").await;
    let hash = "return location.hash";
    let cleared_first = browser.client.execute(hash, vec![]).await.unwrap();
    browser
        .client
        .execute("location.hash = 'second'", vec![])
        .await
        .unwrap();
    let mut cleared_second = serde_json::Value::Null;
    for _ in 0..50 {
        cleared_second = browser.client.execute(hash, vec![]).await.unwrap();
        if cleared_second == "" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.close().await;
    server.stop().await;

    first.unwrap();
    assert_eq!(cleared_first, "", "the first token leaves the address bar");
    assert_eq!(cleared_second, "", "the second token is taken too");
}

#[tokio::test]
async fn a_broken_wasm_download_is_explained_in_plain_words() {
    // The same app with its WebAssembly damaged, as a filtering proxy might deliver it.
    let web = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(web_root()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, web.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let wasm = web.path().join("certdesk-frontend_bg.wasm");
    assert!(
        wasm.is_file(),
        "the build names its WebAssembly certdesk-frontend_bg.wasm"
    );
    std::fs::write(&wasm, b"<html>blocked by your proxy</html>").unwrap();
    let web_root = web.path().to_path_buf();
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root).await;
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.unwrap();
    let failed = browser.wait_for("#boot-failed:not([hidden])").await;
    let text = match &failed {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    browser.close().await;
    server.stop().await;

    failed.unwrap();
    assert!(text.contains("could not start"), "{text}");
    assert!(text.contains("WebAssembly"), "{text}");
}

fn assert_security_headers(path: &str, headers: &HeaderMap) {
    let get = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{path}: no {name} header"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = get("content-security-policy");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.starts_with(name))
            .unwrap_or_else(|| panic!("{path}: CSP has no {name}: {csp}"))
            .to_owned()
    };
    assert_eq!(directive("default-src"), "default-src 'none'", "{path}");
    assert_eq!(
        directive("script-src"),
        "script-src 'self' 'wasm-unsafe-eval'",
        "{path}"
    );
    assert_eq!(
        directive("frame-ancestors"),
        "frame-ancestors 'none'",
        "{path}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{path}: {csp}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
    assert_eq!(get("x-frame-options"), "DENY", "{path}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    let http = reqwest::Client::new();
    for path in [
        "/",
        "/boot.js",
        "/certdesk-frontend_bg.wasm",
        "/some/app/route",
        routes::HEALTH,
        "/api/nope",
    ] {
        let r = http
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_security_headers(path, r.headers());
    }
    // No inline script anywhere in the page: the CSP could not allow it.
    let index = http
        .get(&server.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scripts: Vec<&str> = index.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for s in scripts {
        let tag = &s[..s.find('>').unwrap()];
        assert!(
            tag.contains("src="),
            "inline script in index.html: <script{tag}>"
        );
        assert!(
            s[s.find('>').unwrap() + 1..]
                .trim_start()
                .starts_with("</script>")
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn health_reports_version_and_database() {
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    let r = reqwest::get(format!("{}{}", server.url, routes::HEALTH))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let health: Health = r.json().await.unwrap();
    assert_eq!(health.version, certdesk::VERSION);
    assert_eq!(health.database, DatabaseStatus::Reachable);
    server.stop().await;
}

#[tokio::test]
async fn unknown_api_paths_answer_json_and_app_routes_get_the_page() {
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root()).await;
    for path in ["/api/nope", "/api", "/api/health/extra"] {
        let r = reqwest::get(format!("{}{path}", server.url)).await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
    let r = reqwest::get(format!("{}/signin/abc", server.url))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<div id=\"app\">"));
    server.stop().await;
}

#[tokio::test]
async fn a_missing_web_app_is_explained() {
    let empty = tempfile::tempdir().unwrap();
    let web_root = empty.path().to_path_buf();
    let server = App::start_with(Db::Sqlite, |c| c.web_root = web_root).await;
    let r = reqwest::get(&server.url).await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("web app is missing"));
    // The API still works without the web app.
    let r = reqwest::get(format!("{}{}", server.url, routes::HEALTH))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.stop().await;
}
