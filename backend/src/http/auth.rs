//! Sign-in by magic link: request a link, trade its token for a session, who am I, sign out.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use shared::api::{ErrorCode, Language, LinkRequest, LinkSent, Me, SessionRequest, routes};

use super::session::{self, ClientAddr, CurrentUser, MaybeUser};
use super::{AppState, HttpError};
use crate::domain::auth::{
    AuthPolicy, EmailRejected, RateCounts, RateDecision, RateScope, TokenProblem, secret_hash,
    sign_in_address, token_is_well_formed, token_problem,
};
use crate::mail::{self, templates};
use crate::store::{audit, auth as repo, users};

/// `POST /api/auth/link`: mails a sign-in link. Known and unknown addresses take the same
/// path (a first sign-in creates the account), so the answer reveals nothing.
pub async fn request_link(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<LinkRequest>,
) -> Result<(StatusCode, Json<LinkSent>), HttpError> {
    let config = &state.config;
    let email = sign_in_address(&body.email, &config.mail_domains).map_err(|e| match e {
        EmailRejected::Malformed => HttpError::new(
            ErrorCode::EmailNotAllowed,
            "This is not a valid mail address.",
        ),
        EmailRejected::ForeignDomain => HttpError::new(
            ErrorCode::EmailNotAllowed,
            format!(
                "Sign-in is open to addresses in {} only.",
                config.mail_domains.join(", ")
            ),
        ),
    })?;
    let hint = body.language.unwrap_or_else(|| accept_language(&headers));
    let policy = AuthPolicy::from_config(&config.auth);
    let now = state.env.now();
    let token = state.env.secret_token();
    let link = signin_link(&config.public_url, &token);

    let mut tx = state.store.begin().await?;
    let since = policy.rate_window_start(now);
    let address_bucket = format!("link:address:{email}");
    let client_bucket = format!("link:client:{client}");
    let (address, oldest_address) = repo::rate_count(&mut tx, &address_bucket, since).await?;
    let (client_n, oldest_client) = repo::rate_count(&mut tx, &client_bucket, since).await?;
    let counts = RateCounts {
        address,
        client: client_n,
        oldest_address,
        oldest_client,
    };
    if let RateDecision::Limited { scope, retry_after } = policy.rate(counts, now) {
        let minutes = (retry_after + 59) / 60;
        let whom = match scope {
            RateScope::Address => "this address",
            RateScope::Client => "your network address",
        };
        return Err(HttpError::new(
            ErrorCode::RateLimited,
            format!("Too many sign-in links were requested for {whom}. Please try again in {minutes} minutes."),
        )
        .retry_after(retry_after));
    }
    repo::rate_record(&mut tx, &[&address_bucket, &client_bucket], now, since).await?;
    let language = users::find(&mut tx, &email)
        .await?
        .map_or(hint, |u| u.language);
    repo::insert_token(
        &mut tx,
        &secret_hash(&token),
        &email,
        language,
        now,
        policy.token_expires_at(now),
    )
    .await?;
    let minutes = config.auth.token_lifetime_minutes;
    let rendered = templates::sign_in(language, &config.organisation, link.as_str(), minutes);
    mail::queue(&mut tx, config, &state.env, &email, &rendered).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    state.mail.wake();
    if config.smtp.is_none() {
        // Development default: no mail server, so the link must be reachable somehow.
        tracing::info!(%email, %link, "sign-in link (no SMTP server configured; mail written to the data directory)");
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(LinkSent {
            expires_in_minutes: minutes,
        }),
    ))
}

/// `POST /api/auth/session`: the *Continue* button. Trades a link's token for a session.
pub async fn start_session(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    MaybeUser(previous): MaybeUser,
    Json(body): Json<SessionRequest>,
) -> Result<Response, HttpError> {
    let invalid = || {
        HttpError::new(
            ErrorCode::LinkInvalid,
            "This sign-in link is not valid. Please copy the whole link from the mail, or ask for a new one.",
        )
    };
    if !token_is_well_formed(&body.token) {
        return Err(invalid());
    }
    let hash = secret_hash(&body.token);
    let now = state.env.now();
    let mut tx = state.store.begin().await?;
    let Some((email, language)) = repo::consume_token(&mut tx, &hash, now).await? else {
        let found = repo::token_state(&mut tx, &hash).await?;
        tx.rollback().await.map_err(crate::Error::from)?;
        return Err(
            match found.map(|(used, expires)| token_problem(used, expires, now)) {
                Some(TokenProblem::Used) => HttpError::new(
                    ErrorCode::LinkUsed,
                    "This sign-in link was already used. Please ask for a new one.",
                ),
                Some(TokenProblem::Expired) => HttpError::new(
                    ErrorCode::LinkExpired,
                    "This sign-in link has expired. Please ask for a new one.",
                ),
                Some(TokenProblem::Unknown) | None => invalid(),
            },
        );
    };
    if let Some(previous) = previous {
        repo::delete_session(&mut tx, &previous.session).await?;
    }
    let user = users::ensure(&mut tx, &email, language, now).await?;
    let id = state.env.secret_token();
    repo::create_session(&mut tx, &secret_hash(&id), &email, now, &client).await?;
    let record = audit::Record {
        actor: &email,
        action: "signin",
        subject: &email,
        client: &client,
        detail: "",
    };
    audit::append(&mut tx, now, &record).await?;
    tx.commit().await.map_err(crate::Error::from)?;
    let me = Me {
        email: user.email,
        role: user.role,
        language: user.language,
    };
    Ok((
        [(header::SET_COOKIE, session::set_cookie(&state, &id))],
        Json(me),
    )
        .into_response())
}

/// `GET /api/auth/me`.
pub async fn me(user: CurrentUser) -> Json<Me> {
    Json(Me {
        email: user.email,
        role: user.role,
        language: user.language,
    })
}

/// `POST /api/auth/logout`: ends the session (if any) and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    MaybeUser(user): MaybeUser,
) -> Result<Response, HttpError> {
    if let Some(user) = user {
        let now = state.env.now();
        let mut tx = state.store.begin().await?;
        repo::delete_session(&mut tx, &user.session).await?;
        let record = audit::Record {
            actor: &user.email,
            action: "signout",
            subject: &user.email,
            client: &client,
            detail: "",
        };
        audit::append(&mut tx, now, &record).await?;
        tx.commit().await.map_err(crate::Error::from)?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session::clear_cookie(&state))],
    )
        .into_response())
}

/// The link in the mail: the web app's sign-in page with the token after `#`. A fragment
/// never leaves the browser: it is not in request lines, server or proxy logs, nor in
/// `Referer`; the page reads it and POSTs it when the person presses *Continue*.
pub fn signin_link(public_url: &url::Url, token: &str) -> url::Url {
    let mut link = public_url
        .join(routes::SIGNIN_PAGE.trim_start_matches('/'))
        .unwrap_or_else(|_| public_url.clone());
    link.set_fragment(Some(token));
    link
}

fn accept_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map_or(Language::En, Language::parse_lossy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_keeps_a_path_prefix_and_puts_the_token_in_the_fragment() {
        let u = url::Url::parse("https://x.org/certdesk/").unwrap();
        assert_eq!(
            signin_link(&u, "abc").as_str(),
            "https://x.org/certdesk/signin#abc"
        );
        let u = url::Url::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            signin_link(&u, "abc").as_str(),
            "http://127.0.0.1:8080/signin#abc"
        );
    }
}
