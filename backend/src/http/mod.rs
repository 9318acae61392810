//! The HTTP surface: routes, security headers, the web app's files. Handlers stay thin.

mod error;
mod health;
mod security;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get};
use shared::api::routes;

use crate::config::Config;
use crate::store::Store;

pub use error::HttpError;

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub store: Store,
}

/// The whole application: API, web app, and the headers every answer carries.
pub fn router(state: AppState) -> Router {
    // Route paths carry their full `/api/...` prefix (shared with the client), so the API is
    // merged, not nested; unknown API paths answer in JSON instead of with the web app.
    let api = Router::new()
        .route(routes::HEALTH, get(health::health))
        .route("/api", any(error::api_not_found))
        .route("/api/{*rest}", any(error::api_not_found))
        .layer(security::api_cache_layer())
        .with_state(state.clone());
    security::apply(
        api.fallback_service(web::service(&state.config.web_root)),
        state.config.public_url.scheme() == "https",
    )
}
