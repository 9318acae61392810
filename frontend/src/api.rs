//! Typed client of the certdesk API; request and response types come from `shared::api`.

use gloo_net::http::{Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::{ApiError, ErrorCode, Health, Me, routes};

/// Reads a JSON answer, or the API's `{code, message}` error, or describes the failure.
async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response
            .json::<T>()
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("unreadable answer: {e}")));
    }
    match response.json::<ApiError>().await {
        Ok(e) => Err(e),
        Err(_) => Err(ApiError::new(
            ErrorCode::Internal,
            format!("the server answered {}", response.status()),
        )),
    }
}

fn unreachable(e: gloo_net::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("the server cannot be reached: {e}"),
    )
}

/// `GET /api/health`. A 503 carries a `Health` body too (database unreachable).
pub async fn health() -> Result<Health, ApiError> {
    let response = Request::get(routes::HEALTH)
        .send()
        .await
        .map_err(unreachable)?;
    if response.status() == 503 {
        // The body is read once: a 503 is either a Health or nothing we understand.
        return response
            .json::<Health>()
            .await
            .map_err(|_| ApiError::new(ErrorCode::Internal, "the server is not available (503)"));
    }
    read(response).await
}

/// `GET path`, the JSON answer or the API's error.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(Request::get(path).send().await.map_err(unreachable)?).await
}

/// `POST path` with a JSON body, the JSON answer or the API's error.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let request = Request::post(path).json(body).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("cannot encode the request: {e}"),
        )
    })?;
    read(request.send().await.map_err(unreachable)?).await
}

/// `POST path` without a body, for answers without one (204) or with JSON.
pub async fn post_empty(path: &str) -> Result<(), ApiError> {
    let response = Request::post(path).send().await.map_err(unreachable)?;
    if response.ok() {
        return Ok(());
    }
    match response.json::<ApiError>().await {
        Ok(e) => Err(e),
        Err(_) => Err(ApiError::new(
            ErrorCode::Internal,
            format!("the server answered {}", response.status()),
        )),
    }
}

/// `GET /api/auth/me`: who is signed in (`not_signed_in` when nobody).
pub async fn me() -> Result<Me, ApiError> {
    get(routes::AUTH_ME).await
}

/// `POST /api/auth/logout`.
pub async fn logout() -> Result<(), ApiError> {
    post_empty(routes::AUTH_LOGOUT).await
}
