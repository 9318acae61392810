//! The HTTP surface: routes, security headers, the web app's files. Handlers stay thin.

mod access;
mod admin;
mod auth;
mod ca;
mod certificates;
mod desk;
mod error;
mod health;
mod openapi;
mod requests;
mod security;
mod session;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::any;

use crate::config::Config;
use crate::domain::Env;
use crate::issuance::IssuanceHandle;
use crate::mail::WorkerHandle;
use crate::store::Store;

pub use access::{Endpoint, endpoints};
pub use auth::signin_link;
pub use error::HttpError;
pub use session::{COOKIE as SESSION_COOKIE, CurrentUser};

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
    /// Time and randomness.
    pub env: Env,
    /// Wakes the mail worker after a mail was queued.
    pub mail: WorkerHandle,
    /// Wakes the issuance worker after a request was approved.
    pub issuance: IssuanceHandle,
    /// The built-in CA, loaded at start-up; `None` until `certdesk ca init` ran (then issuance
    /// by it waits, and a restart picks the new CA up).
    pub ca: Option<Arc<crate::ca::BuiltinCa>>,
}

/// The whole application: API, web app, and the headers every answer carries.
pub fn router(state: AppState) -> Router {
    // Route paths carry their full `/api/...` prefix (shared with the client), so the API is
    // merged, not nested; unknown API paths answer in JSON instead of with the web app.
    let mut api = Router::new();
    for (endpoint, handler) in access::api_routes() {
        // Each endpoint's declared access is enforced here, from the same table tests read.
        let check = axum::middleware::from_fn_with_state(
            (state.clone(), endpoint.access),
            access::authorize,
        );
        api = api.route(endpoint.path, handler.route_layer(check));
    }
    let api = api
        .route("/api", any(error::api_not_found))
        .route("/api/{*rest}", any(error::api_not_found))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::same_origin,
        ))
        .layer(security::api_cache_layer())
        .layer(axum::middleware::from_fn(run_to_completion))
        .merge(ca::routes())
        .with_state(state.clone());
    security::apply(
        api.fallback_service(web::service(&state.config.web_root)),
        state.config.public_url.scheme() == "https",
    )
}

/// Runs an API request to its end even when the client goes away. A handler dropped mid-way
/// would drop its open transaction, and on SQLite the pooled connection could come back still
/// inside it, failing the next requests that use it (503 under load, seen with 200 clients).
/// A request that was sent is also better finished than half done.
async fn run_to_completion(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "an API request's task failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
