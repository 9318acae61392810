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

/// The web app's page a mailed collect link opens; the token follows after `#`.
pub const COLLECT_PAGE: &str = "/collect";

/// The web app's page a mailed sign-in link opens; the token follows after `#`.
pub const SIGNIN_PAGE: &str = "/signin";

/// Prefix of every API route; anything else below it is an unknown API path, never the web app.
pub const API_PREFIX: &str = "/api/";
