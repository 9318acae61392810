//! Typed client of the certdesk API; request and response types come from `shared::api`.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use shared::api::{ApiError, ErrorCode, Health, routes};

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
