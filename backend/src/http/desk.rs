//! The service desk's endpoints: the queue, a request's detail, approve with evidence,
//! reject with a reason. Thin: the rules live in [`crate::requests`].

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use shared::api::{Approval, DeskPage, DeskQuery, DeskRequestDetail, Rejection, RequestView};

use super::requests::{caller, json_body, query, request_id};
use super::session::{ClientAddr, CurrentUser};
use super::{AppState, HttpError};
use crate::requests;

/// `GET /api/desk/requests`: filters, search and a page (oldest first).
pub async fn queue(
    State(state): State<AppState>,
    q: Result<Query<DeskQuery>, QueryRejection>,
) -> Result<Json<DeskPage>, HttpError> {
    let q = query(q)?;
    Ok(Json(requests::queue(&state.store, &state.env, &q).await?))
}

/// `GET /api/desk/requests/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<DeskRequestDetail>, HttpError> {
    let id = request_id(id)?;
    Ok(Json(
        requests::detail(&state.store, &state.config, &state.env, &user.email, id).await?,
    ))
}

/// `POST /api/desk/requests/{id}/approve`: records the evidence and approves.
pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Approval>, JsonRejection>,
) -> Result<Json<RequestView>, HttpError> {
    let id = request_id(id)?;
    let body = json_body(body)?;
    let officer = caller(&user, &client);
    let view = requests::approve(&state.store, &state.env, officer, id, &body).await?;
    state.issuance.wake();
    Ok(Json(view))
}

/// `POST /api/desk/requests/{id}/reject`: mails the reason to the requester.
pub async fn reject(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(client): ClientAddr,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Rejection>, JsonRejection>,
) -> Result<Json<RequestView>, HttpError> {
    let id = request_id(id)?;
    let body = json_body(body)?;
    let officer = caller(&user, &client);
    let view = requests::reject(
        &state.store,
        &state.config,
        &state.env,
        officer,
        id,
        &body.reason,
    )
    .await?;
    state.mail.wake();
    Ok(Json(view))
}
