//! The server's status in the page footer: shows at a glance that the app reached its server.

use shared::api::{ApiError, Health};
use yew::prelude::*;

use crate::api;

#[derive(Clone, PartialEq)]
pub enum Status {
    Checking,
    Answered(Health),
    Failed(ApiError),
}

#[derive(Properties, PartialEq)]
pub struct StatusLineProps {
    pub status: Status,
}

/// Pure view of a status, so it can be tested without a server.
#[function_component(StatusLine)]
pub fn status_line(props: &StatusLineProps) -> Html {
    let (state, text) = match &props.status {
        Status::Checking => ("checking", "Connecting to the server…".to_owned()),
        Status::Answered(h) if h.is_ready() => {
            ("ready", format!("certdesk {} · server ready", h.version))
        }
        Status::Answered(h) => (
            "degraded",
            format!(
                "certdesk {} · the server's database does not answer",
                h.version
            ),
        ),
        Status::Failed(e) => (
            "unreachable",
            format!("Server not reachable: {}", e.message),
        ),
    };
    html! {
        <p id="server-status" class={classes!("server-status", state)} data-state={state} role="status">
            { text }
        </p>
    }
}

/// Asks the server once on mount and shows the answer.
#[function_component(ServerStatus)]
pub fn server_status() -> Html {
    let status = use_state(|| Status::Checking);
    {
        let status = status.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                status.set(match api::health().await {
                    Ok(h) => Status::Answered(h),
                    Err(e) => Status::Failed(e),
                });
            });
        });
    }
    html! { <StatusLine status={(*status).clone()} /> }
}
