//! The HTTP surface: routes, security headers, the web app's files. Handlers stay thin.

mod error;
mod health;
mod security;
mod web;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
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
    let api = Router::new()
        .route(routes::HEALTH, get(health::health))
        .fallback(error::api_not_found)
        .layer(security::api_cache_layer());
    let api = Router::new().nest_service("/api", api.with_state(state.clone()));
    security::apply(
        api.fallback_service(web::service(&state.config.web_root)),
        state.config.public_url.scheme() == "https",
    )
}
