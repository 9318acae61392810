//! The CA's public files, outside `/api`: the root and issuing CA certificates and their CRLs,
//! as DER, at the addresses written into every certificate. Read from the database on each
//! request, so every server answers with the newest CRL whichever signed it.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use crate::ca::{ISSUING_CERT_PATH, ISSUING_CRL_PATH, ROOT_CERT_PATH, ROOT_CRL_PATH};
use crate::store::ca::{self as repo, CaName};

const CERT_TYPE: &str = "application/pkix-cert";
const CRL_TYPE: &str = "application/pkix-crl";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("/{ROOT_CERT_PATH}"), get(root_cert))
        .route(&format!("/{ISSUING_CERT_PATH}"), get(issuing_cert))
        .route(&format!("/{ROOT_CRL_PATH}"), get(root_crl))
        .route(&format!("/{ISSUING_CRL_PATH}"), get(issuing_crl))
}

async fn root_cert(State(state): State<AppState>) -> Response {
    certificate(&state, CaName::Root).await
}

async fn issuing_cert(State(state): State<AppState>) -> Response {
    certificate(&state, CaName::Issuing).await
}

async fn root_crl(State(state): State<AppState>) -> Response {
    crl(&state, CaName::Root).await
}

async fn issuing_crl(State(state): State<AppState>) -> Response {
    crl(&state, CaName::Issuing).await
}

async fn certificate(state: &AppState, name: CaName) -> Response {
    let found = match state.store.conn().await {
        Ok(mut conn) => repo::get(&mut conn, name)
            .await
            .map(|c| c.map(|c| c.certificate)),
        Err(e) => Err(e),
    };
    answer(found, CERT_TYPE, name)
}

async fn crl(state: &AppState, name: CaName) -> Response {
    let found = match state.store.conn().await {
        Ok(mut conn) => repo::crl(&mut conn, name).await.map(|c| c.map(|c| c.der)),
        Err(e) => Err(e),
    };
    answer(found, CRL_TYPE, name)
}

fn answer(
    found: crate::Result<Option<Vec<u8>>>,
    content_type: &'static str,
    name: CaName,
) -> Response {
    match found {
        Ok(Some(der)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                // Mail clients and proxies may keep it briefly; a new CRL shows within minutes.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=300"),
                ),
            ],
            der,
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            format!(
                "no {} CA file here: the certificate authority is not set up\n",
                name.as_str()
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(code = e.code(), "CA file: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    }
}
