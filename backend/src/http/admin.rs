//! Endpoints for the service desk and administrators.

use axum::Json;
use axum::extract::State;
use shared::api::{AuditLog, Operator};

use super::{AppState, HttpError};
use crate::store::users;

/// How many audit entries the API shows.
const AUDIT_PAGE: i64 = 200;

/// `GET /api/operators` (desk): who the operators are.
pub async fn operators(State(state): State<AppState>) -> Result<Json<Vec<Operator>>, HttpError> {
    let mut conn = state.store.conn().await?;
    Ok(Json(users::operators(&mut conn).await?))
}

/// `GET /api/audit` (admin): the newest entries and whether the chain is intact.
pub async fn audit(State(state): State<AppState>) -> Result<Json<AuditLog>, HttpError> {
    let entries = state.store.recent_audit(AUDIT_PAGE).await?;
    let verification = state.store.verify_audit().await?;
    Ok(Json(AuditLog {
        entries,
        first_broken: verification.first_broken.map(|(id, _)| id),
    }))
}
