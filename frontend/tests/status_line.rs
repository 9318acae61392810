//! The footer's server status, rendered by Yew in the real browser.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use certdesk_frontend::components::health::{Status, StatusLine, StatusLineProps};
use shared::api::{ApiError, DatabaseStatus, ErrorCode, Health};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Renders a status into a fresh element and returns (data-state, text).
async fn render(status: Status) -> (String, String) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle =
        yew::Renderer::<StatusLine>::with_root_and_props(root.clone(), StatusLineProps { status })
            .render();
    // Yew renders on the next tick.
    yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
    let p = root
        .query_selector("#server-status")
        .unwrap()
        .expect("status rendered");
    let out = (
        p.get_attribute("data-state").unwrap_or_default(),
        p.text_content().unwrap_or_default(),
    );
    handle.destroy();
    root.remove();
    out
}

#[wasm_bindgen_test]
async fn ready_server_shows_its_version() {
    let health = Health {
        version: "9.8.7".into(),
        database: DatabaseStatus::Reachable,
    };
    let (state, text) = render(Status::Answered(health)).await;
    assert_eq!(state, "ready");
    assert!(text.contains("9.8.7") && text.contains("ready"), "{text}");
}

#[wasm_bindgen_test]
async fn unreachable_database_is_reported() {
    let health = Health {
        version: "1.0.0".into(),
        database: DatabaseStatus::Unreachable,
    };
    let (state, text) = render(Status::Answered(health)).await;
    assert_eq!(state, "degraded");
    assert!(text.contains("database"), "{text}");
}

#[wasm_bindgen_test]
async fn api_error_message_is_shown() {
    let error = ApiError::new(ErrorCode::Internal, "the server answered 502");
    let (state, text) = render(Status::Failed(error)).await;
    assert_eq!(state, "unreachable");
    assert!(text.contains("the server answered 502"), "{text}");
}
