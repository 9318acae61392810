//! Route paths, one constant each, so the server's router and the browser's client cannot drift.

/// Liveness and readiness: version and whether the database answers.
pub const HEALTH: &str = "/api/health";

/// `POST` [`crate::api::LinkRequest`]: mail a sign-in link.
pub const AUTH_LINK: &str = "/api/auth/link";
/// `POST` [`crate::api::SessionRequest`]: trade the link's token for a session (the
/// *Continue* button), answers [`crate::api::Me`].
pub const AUTH_SESSION: &str = "/api/auth/session";
/// `GET`: who is signed in ([`crate::api::Me`]).
pub const AUTH_ME: &str = "/api/auth/me";
/// `POST`: sign out, destroying the session.
pub const AUTH_LOGOUT: &str = "/api/auth/logout";
/// `GET`: the operators (desk and admin) and their roles.
pub const OPERATORS: &str = "/api/operators";
/// `GET`: the newest audit entries and whether the chain is intact.
pub const AUDIT: &str = "/api/audit";

/// `GET` [`crate::api::Collected`]: the certificate behind a mailed collect link; the path
/// ends in the link's token. Public: the token is the credential.
pub const COLLECT: &str = "/api/collect/{token}";
/// `POST` [`crate::api::RevokeRequest`]: revoke a certificate by its serial (its owner or the
/// service desk), answers [`crate::api::Revoked`].
pub const REVOKE: &str = "/api/certificates/{serial}/revoke";

/// `POST` [`crate::api::NewRequest`]: request a certificate, answers 201 with
/// [`crate::api::RequestView`]. `GET`: the caller's own requests, newest first.
pub const REQUESTS: &str = "/api/requests";
/// `GET` [`crate::api::RequestView`]: one of the caller's own requests.
pub const REQUEST: &str = "/api/requests/{id}";
/// `POST`: withdraw one of the caller's own requests before it is issued.
pub const REQUEST_WITHDRAW: &str = "/api/requests/{id}/withdraw";
/// `POST`: mail a new collect link for the certificate of one of the caller's own requests,
/// answers [`crate::api::CollectLinkSent`]; the link mailed before stops working.
pub const REQUEST_COLLECT_LINK: &str = "/api/requests/{id}/collect-link";
/// `GET` [`crate::api::RequestOptions`]: the addresses, mailboxes and key types the caller
/// can request.
pub const REQUEST_OPTIONS: &str = "/api/request-options";
/// `GET` [`crate::api::DeskPage`] with [`crate::api::DeskQuery`]: the service desk's queue.
pub const DESK_REQUESTS: &str = "/api/desk/requests";
/// `GET` [`crate::api::DeskRequestDetail`]: one request with the identity on file.
pub const DESK_REQUEST: &str = "/api/desk/requests/{id}";
/// `POST` [`crate::api::Approval`]: record the identity check's evidence and approve.
pub const DESK_REQUEST_APPROVE: &str = "/api/desk/requests/{id}/approve";
/// `POST` [`crate::api::Rejection`]: reject with a reason that is mailed to the requester.
pub const DESK_REQUEST_REJECT: &str = "/api/desk/requests/{id}/reject";

/// A route with its `{id}` filled in.
pub fn with_id(route: &str, id: i64) -> String {
    route.replace("{id}", &id.to_string())
}

/// `GET`: this API described as an OpenAPI 3.1 document.
pub const OPENAPI: &str = "/api/openapi.json";

/// The web app's page a mailed collect link opens; the token follows after `#`.
pub const COLLECT_PAGE: &str = "/collect";

/// The web app's page a mailed sign-in link opens; the token follows after `#`.
pub const SIGNIN_PAGE: &str = "/signin";

/// Prefix of every API route; anything else below it is an unknown API path, never the web app.
pub const API_PREFIX: &str = "/api/";
