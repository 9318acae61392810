//! The session cookie and the signed-in caller.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use shared::api::{ErrorCode, Language, Role};

use super::{AppState, HttpError};
use crate::domain::auth::{AuthPolicy, SESSION_TOUCH_INTERVAL, secret_hash, token_is_well_formed};
use crate::store::auth as repo;

/// Name of the session cookie.
pub const COOKIE: &str = "certdesk_session";

/// The caller of a request that carries a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub email: String,
    pub role: Role,
    pub language: Language,
    /// Hash of the session id, to end it.
    pub session: String,
}

/// The session id from the request's cookies, if it looks like one.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|v| token_is_well_formed(v))
}

/// The caller's live session, if any. Ends expired sessions and restarts the idle timer.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, HttpError> {
    let Some(id) = session_id(headers) else {
        return Ok(None);
    };
    let hash = secret_hash(&id);
    let now = state.env.now();
    let policy = AuthPolicy::from_config(&state.config.auth);
    let mut conn = state.store.conn().await?;
    let Some(row) = repo::session(&mut conn, &hash).await? else {
        return Ok(None);
    };
    if !policy.session_alive(row.created_at, row.last_seen, now) {
        repo::delete_session(&mut conn, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen >= SESSION_TOUCH_INTERVAL {
        repo::touch_session(&mut conn, &hash, now).await?;
    }
    Ok(Some(CurrentUser {
        email: row.email,
        role: row.role,
        language: row.language,
        session: hash,
    }))
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure unless explicitly in
/// local development over http.
pub fn set_cookie(state: &AppState, id: &str) -> HeaderValue {
    let policy = AuthPolicy::from_config(&state.config.auth);
    cookie(state, id, policy.session_absolute)
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear_cookie(state: &AppState) -> HeaderValue {
    cookie(state, "", 0)
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.auth.dev_insecure_cookies {
        ""
    } else {
        "; Secure"
    };
    let text =
        format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    // Built only from a fixed name, base64url characters and digits.
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("certdesk_session=; Max-Age=0"))
}

/// Put into the request by the access check; handlers of signed-in endpoints take it.
impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| HttpError::new(ErrorCode::NotSignedIn, "Please sign in first."))
    }
}

/// The caller's session if there is one (for public endpoints that act on it).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<CurrentUser>().cloned()))
    }
}

/// The client's IP address as the server saw it ("unknown" without connection info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        let id = "a".repeat(43);
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("x=1; {COOKIE}={id}; y=2")).unwrap(),
        );
        assert_eq!(session_id(&h), Some(id));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("certdesk_session=short"),
        );
        assert_eq!(session_id(&h), None);
    }
}
