//! Collecting an issued certificate by the mailed link, and revoking one.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use shared::api::{Collected, ErrorCode, RevokeRequest, Revoked};

use super::session::{ClientAddr, CurrentUser};
use super::{AppState, HttpError};
use crate::domain::certificates::{CollectRefusal, RevokeRefusal};
use crate::issuance::{self, Actor, CollectOutcome, RevokeOutcome};

/// `GET /api/collect/{token}`: the certificate, its chain and the download's name.
pub async fn collect(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Collected>, HttpError> {
    match issuance::collect(&state.store, &state.env, &token).await? {
        CollectOutcome::Ready(c) => Ok(Json(*c)),
        CollectOutcome::Unknown => Err(HttpError::new(
            ErrorCode::CollectLinkInvalid,
            "This collect link is not valid. Please use the complete link from the mail.",
        )),
        CollectOutcome::Refused(CollectRefusal::Revoked) => Err(HttpError::new(
            ErrorCode::CertificateRevoked,
            "This certificate has been revoked and can no longer be collected.",
        )),
        CollectOutcome::Refused(CollectRefusal::Expired) => Err(HttpError::new(
            ErrorCode::CertificateExpired,
            "This certificate has expired. Please request a new one.",
        )),
    }
}

/// `POST /api/certificates/{serial}/revoke`: by the owner or the service desk.
pub async fn revoke(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    ClientAddr(client): ClientAddr,
    Path(serial): Path<String>,
    Json(body): Json<RevokeRequest>,
) -> Result<Json<Revoked>, HttpError> {
    let actor = Actor {
        email: &user.email,
        role: user.role,
        client: &client,
    };
    let outcome = issuance::revoke(
        &state.store,
        &state.config,
        &state.env,
        state.ca.as_deref(),
        actor,
        &serial,
        body.reason,
    )
    .await?;
    match outcome {
        RevokeOutcome::Revoked(r) => {
            state.mail.wake();
            Ok(Json(r))
        }
        RevokeOutcome::Unknown => Err(HttpError::new(
            ErrorCode::NotFound,
            "There is no certificate with this serial number among yours.",
        )),
        RevokeOutcome::Refused(refusal) => Err(match refusal {
            RevokeRefusal::AlreadyRevoked => HttpError::new(
                ErrorCode::AlreadyRevoked,
                "This certificate is already revoked.",
            ),
            RevokeRefusal::Expired => HttpError::new(
                ErrorCode::CertificateExpired,
                "This certificate has expired; it need not be revoked.",
            ),
            RevokeRefusal::ReasonNotAllowed | RevokeRefusal::NotYours => HttpError::new(
                ErrorCode::ReasonNotAllowed,
                "Only the service desk can give this reason; please choose another one.",
            ),
        }),
    }
}
