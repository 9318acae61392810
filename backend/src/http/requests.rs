//! The requester's endpoints: make a request, list and read one's own, withdraw, and what
//! one can request. Thin: the rules live in [`crate::requests`].

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use shared::api::{CollectLinkSent, ErrorCode, NewRequest, RequestOptions, RequestView};

use super::session::{ClientAddr, CurrentUser};
use super::{AppState, HttpError};
use crate::requests::{self, Caller};

/// Largest request body of the request endpoints: a CSR with an RSA-4096 key is under 4 KB,
/// so this leaves room for any honest request and stops a flood early.
pub(super) const MAX_BODY: usize = 64 * 1024;

/// A JSON body, or the error that says what is wrong with it.
pub(super) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, HttpError> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(HttpError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The request is too large (at most {} KB). A certificate request is only a few KB; please make it again.",
                MAX_BODY / 1024
            ),
        )),
        Err(e) => Err(HttpError::new(
            ErrorCode::BadRequest,
            format!("The request body is not valid: {}", e.body_text()),
        )),
    }
}

/// A query string, or the error that says what is wrong with it.
pub(super) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, HttpError> {
    q.map(|Query(v)| v).map_err(|e| {
        HttpError::new(
            ErrorCode::BadRequest,
            format!("The query is not valid: {}", e.body_text()),
        )
    })
}

/// A request id from the path; anything that is not one names no request.
pub(super) fn request_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, HttpError> {
    id.map(|Path(id)| id).map_err(|_| {
        HttpError::new(
            ErrorCode::RequestNotFound,
            "There is no request at this address.",
        )
    })
}

/// The signed-in caller as the services record them.
pub(super) fn caller<'a>(user: &'a CurrentUser, client: &'a str) -> Caller<'a> {
    Caller {
        email: &user.email,
        client,
    }
}

/// `POST /api/requests`: 201 with the stored request.
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    body: Result<Json<NewRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<RequestView>), HttpError> {
    let body = json_body(body)?;
    let caller = caller(&user, &client);
    let done = requests::submit(&state.store, &state.config, &state.env, caller, &body).await?;
    state.mail.wake();
    if done.approved {
        state.issuance.wake();
    }
    Ok((StatusCode::CREATED, Json(done.view)))
}

/// `GET /api/requests`: the caller's requests, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<RequestView>>, HttpError> {
    Ok(Json(requests::list(&state.store, &user.email).await?))
}

/// `GET /api/requests/{id}`: one of the caller's requests.
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<RequestView>, HttpError> {
    let id = request_id(id)?;
    Ok(Json(requests::get(&state.store, &user.email, id).await?))
}

/// `POST /api/requests/{id}/withdraw`.
pub async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<RequestView>, HttpError> {
    let id = request_id(id)?;
    let caller = caller(&user, &client);
    Ok(Json(
        requests::withdraw(&state.store, &state.env, caller, id).await?,
    ))
}

/// `POST /api/requests/{id}/collect-link`: mail a new collect link for the request's
/// certificate.
pub async fn collect_link(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<CollectLinkSent>, HttpError> {
    let id = request_id(id)?;
    let caller = caller(&user, &client);
    let sent =
        crate::issuance::collect_again(&state.store, &state.config, &state.env, caller, id).await?;
    state.mail.wake();
    Ok(Json(sent))
}

/// `GET /api/request-options`.
pub async fn options(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<RequestOptions>, HttpError> {
    Ok(Json(
        requests::options(&state.store, &state.config, &state.env, &user.email).await?,
    ))
}
