use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::api::{DatabaseStatus, Health};

use super::AppState;

/// `GET /api/health`: 200 when ready, 503 (same body) when the database does not answer, so a
/// load balancer can key on the status alone.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let database = if state.store.ping().await {
        DatabaseStatus::Reachable
    } else {
        DatabaseStatus::Unreachable
    };
    let health = Health {
        version: crate::VERSION.to_owned(),
        database,
    };
    let status = if health.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
