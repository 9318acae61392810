//! Who may call what: every API endpoint with the access it needs (one table the router and
//! the tests both read), the access check, and the cross-site request check.

use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use shared::api::{ErrorCode, Role, routes};

use super::{AppState, HttpError, admin, auth, certificates, health, openapi, session};
use super::{desk, requests};
use crate::domain::auth::{Access, Admission};

/// One API endpoint and what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

const fn ep(method: Method, path: &'static str, access: Access) -> Endpoint {
    Endpoint {
        method,
        path,
        access,
    }
}

/// Every API endpoint with its handler.
pub(super) fn api_routes() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use Access::{AtLeast, Public};
    vec![
        (ep(Method::GET, routes::HEALTH, Public), get(health::health)),
        (
            ep(Method::GET, routes::OPENAPI, Public),
            get(openapi::openapi),
        ),
        (
            ep(Method::POST, routes::AUTH_LINK, Public),
            post(auth::request_link),
        ),
        (
            ep(Method::POST, routes::AUTH_SESSION, Public),
            post(auth::start_session),
        ),
        (
            ep(Method::POST, routes::AUTH_LOGOUT, Public),
            post(auth::logout),
        ),
        (
            ep(Method::GET, routes::AUTH_ME, AtLeast(Role::Requester)),
            get(auth::me),
        ),
        (
            ep(Method::GET, routes::OPERATORS, AtLeast(Role::Desk)),
            get(admin::operators),
        ),
        (
            ep(Method::GET, routes::AUDIT, AtLeast(Role::Admin)),
            get(admin::audit),
        ),
        // The mailed token is the credential: whoever holds the link may fetch the
        // (public) certificate.
        (
            ep(Method::GET, routes::COLLECT, Public),
            get(certificates::collect),
        ),
        (
            ep(Method::POST, routes::REVOKE, AtLeast(Role::Requester)),
            post(certificates::revoke),
        ),
        // Requesters see and change only their own requests: checked in the service, where
        // someone else's request answers as one that does not exist.
        (
            ep(Method::POST, routes::REQUESTS, AtLeast(Role::Requester)),
            post(requests::submit).layer(DefaultBodyLimit::max(requests::MAX_BODY)),
        ),
        (
            ep(Method::GET, routes::REQUESTS, AtLeast(Role::Requester)),
            get(requests::list),
        ),
        (
            ep(Method::GET, routes::REQUEST, AtLeast(Role::Requester)),
            get(requests::get),
        ),
        (
            ep(
                Method::POST,
                routes::REQUEST_WITHDRAW,
                AtLeast(Role::Requester),
            ),
            post(requests::withdraw),
        ),
        (
            ep(
                Method::POST,
                routes::REQUEST_COLLECT_LINK,
                AtLeast(Role::Requester),
            ),
            post(requests::collect_link),
        ),
        (
            ep(
                Method::GET,
                routes::REQUEST_OPTIONS,
                AtLeast(Role::Requester),
            ),
            get(requests::options),
        ),
        (
            ep(Method::GET, routes::DESK_REQUESTS, AtLeast(Role::Desk)),
            get(desk::queue),
        ),
        (
            ep(Method::GET, routes::DESK_REQUEST, AtLeast(Role::Desk)),
            get(desk::detail),
        ),
        (
            ep(
                Method::POST,
                routes::DESK_REQUEST_APPROVE,
                AtLeast(Role::Desk),
            ),
            post(desk::approve).layer(DefaultBodyLimit::max(requests::MAX_BODY)),
        ),
        (
            ep(
                Method::POST,
                routes::DESK_REQUEST_REJECT,
                AtLeast(Role::Desk),
            ),
            post(desk::reject).layer(DefaultBodyLimit::max(requests::MAX_BODY)),
        ),
    ]
}

/// Every API endpoint and the access it requires.
pub fn endpoints() -> Vec<Endpoint> {
    api_routes().into_iter().map(|(e, _)| e).collect()
}

/// Resolves the session and admits or refuses the caller per the endpoint's [`Access`].
pub(super) async fn authorize(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Result<Response, HttpError> {
    let user = session::current(&state, request.headers()).await?;
    match access.admit(user.as_ref().map(|u| u.role)) {
        Admission::Allowed => {
            if let Some(user) = user {
                request.extensions_mut().insert(user);
            }
            Ok(next.run(request).await)
        }
        Admission::NotSignedIn => Err(HttpError::new(
            ErrorCode::NotSignedIn,
            "Please sign in first.",
        )),
        Admission::Forbidden => Err(HttpError::new(
            ErrorCode::Forbidden,
            "Your role does not allow this.",
        )),
    }
}

/// Refuses state-changing requests that a browser says come from another site. Together
/// with the SameSite=Lax cookie this stops cross-site request forgery; clients that are not
/// browsers send neither header and carry no victim's cookie.
pub(super) async fn same_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, HttpError> {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !same_origin_headers(&state, request.headers()) {
        return Err(HttpError::new(
            ErrorCode::CrossSiteRequest,
            "This request came from another site and was refused.",
        ));
    }
    Ok(next.run(request).await)
}

fn same_origin_headers(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.to_str(), Ok("same-origin" | "none"))
    {
        return false;
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let ours = state.config.public_url.origin().ascii_serialization();
            origin.to_str().is_ok_and(|o| o == ours)
        }
    }
}
