//! Sign-in by magic link against the real server, on SQLite and on PostgreSQL: the whole
//! flow through a real SMTP server, and the enumeration, rate-limit, expiry, replay, session
//! and cross-site cases.

use std::time::{Duration, Instant};

use certdesk::domain::Clock;
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use shared::api::routes;

use crate::support::app::{App, Db, on_both_databases};
use crate::support::smtp::{self, SmtpServer};

on_both_databases!(
    full_sign_in_through_smtp,
    known_and_unknown_addresses_look_the_same,
    foreign_domains_are_refused,
    rate_limits_per_address_and_per_client,
    expired_guessed_and_replayed_tokens_change_nothing,
    token_lifetime_is_configurable,
    sessions_end_when_idle_or_too_old,
    cross_site_requests_are_refused,
    german_mail_for_german_requests,
    session_cookie_is_secure_by_default,
);

async fn full_sign_in_through_smtp(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |_| {}).await;

    let a = app
        .post(
            routes::AUTH_LINK,
            json!({"email": "Alice@Example.org"}),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
    assert_eq!(a.body["expires_in_minutes"], 15);

    let mails = smtp.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    let raw = &mails[0];
    let message = smtp::parse(raw);
    assert_eq!(smtp::recipient(raw), "alice@example.org");
    assert!(message.message_id().is_some(), "Message-ID");
    assert!(message.date().is_some(), "Date");
    assert!(message.subject().unwrap().contains("sign-in link"));
    let html = message.body_html(0).expect("an HTML part");
    let text = message.body_text(0).expect("a text part");
    let token = smtp::token_in(raw);
    assert_eq!(token.len(), 43, "256 bits in base64url");
    let link = format!("{}/signin#{token}", app.url);
    assert!(text.contains(&link), "{text}");
    assert!(html.contains(&link), "{html}");

    // Only the hash of the token is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM signin_tokens")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token);
    assert_eq!(stored[0].len(), 64, "hex SHA-256");

    let me = app.get(routes::AUTH_ME, None).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::UNAUTHORIZED, "not_signed_in")
    );

    let s = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    assert_eq!(s.body["email"], "alice@example.org");
    assert_eq!(s.body["role"], "requester");
    let set = s.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Secure"), "dev_insecure_cookies: {set}");
    let cookie = s.session_cookie().unwrap();
    assert!(!cookie.contains(&token), "the session id is not the token");

    let me = app.get(routes::AUTH_ME, Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "alice@example.org");

    // The same link again: clear error, no second session.
    let again = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::BAD_REQUEST, "link_used")
    );
    assert!(again.session_cookie().is_none());

    let out = app
        .post(routes::AUTH_LOGOUT, json!({}), Some(&cookie))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let me = app.get(routes::AUTH_ME, Some(&cookie)).await;
    assert_eq!(
        me.status,
        StatusCode::UNAUTHORIZED,
        "the session is gone server-side"
    );

    let audit = app.store.recent_audit(10).await.unwrap();
    let actions: Vec<_> = audit.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["signin", "signout"]);
    assert_eq!(audit[1].client, "127.0.0.1");
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);

    // Exactly one mail went out, and the outbox says so.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 1);
    let states = app.store.mail_states(app.clock.now()).await.unwrap();
    assert!(states.iter().all(|m| m.sent));
    // A delivered mail's body (it held the link) is not kept.
    let kept: Vec<Vec<u8>> = sqlx::query_scalar("SELECT message FROM outbox")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert!(kept.iter().all(Vec::is_empty));
    app.stop().await;
}

async fn known_and_unknown_addresses_look_the_same(db: Db) {
    let app = App::start(db).await;
    app.sign_in("known@example.org").await;
    let mut times = [Duration::ZERO; 2];
    let mut answers = Vec::new();
    for round in 0..4 {
        for (i, email) in ["known@example.org", "nobody@example.org"]
            .iter()
            .enumerate()
        {
            let started = Instant::now();
            let a = app
                .post(routes::AUTH_LINK, json!({"email": email}), None)
                .await;
            times[i] += started.elapsed();
            if round == 0 {
                answers.push((a.status, a.body));
            }
        }
    }
    assert_eq!(answers[0], answers[1], "same status and body");
    let (known, unknown) = (times[0] / 4, times[1] / 4);
    let gap = known.abs_diff(unknown);
    assert!(
        gap < Duration::from_millis(150),
        "known {known:?} vs unknown {unknown:?}"
    );
    app.stop().await;
}

async fn foreign_domains_are_refused(db: Db) {
    let app = App::start(db).await;
    for email in ["a@evil.org", "not-an-address", "a@sub.example.org"] {
        let a = app
            .post(routes::AUTH_LINK, json!({"email": email}), None)
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::BAD_REQUEST, "email_not_allowed"),
            "{email}"
        );
    }
    assert!(smtp::read_dir_sorted(&app.mail_dir()).is_empty());
    app.stop().await;
}

async fn rate_limits_per_address_and_per_client(db: Db) {
    let app = App::start_with(db, |c| {
        c.auth.links_per_address = 3;
        c.auth.links_per_client = 5;
        c.auth.rate_window_minutes = 60;
    })
    .await;
    let link = |email: &'static str| {
        let app = &app;
        async move {
            app.post(routes::AUTH_LINK, json!({"email": email}), None)
                .await
        }
    };
    for _ in 0..3 {
        assert_eq!(link("a@example.org").await.status, StatusCode::ACCEPTED);
    }
    let limited = link("a@example.org").await;
    assert_eq!(
        (limited.status, limited.code()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .contains("this address")
    );
    let retry: i64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3600).contains(&retry), "{retry}");

    // Another address from the same client still works, until the client's limit.
    assert_eq!(link("b@example.org").await.status, StatusCode::ACCEPTED);
    assert_eq!(link("c@example.org").await.status, StatusCode::ACCEPTED);
    let limited = link("d@example.org").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .contains("network address")
    );

    // A refused request sent no mail; after the window everything works again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp::read_dir_sorted(&app.mail_dir()).len(), 5);
    app.clock.advance(3601);
    assert_eq!(link("a@example.org").await.status, StatusCode::ACCEPTED);
    app.stop().await;
}

async fn expired_guessed_and_replayed_tokens_change_nothing(db: Db) {
    let app = App::start(db).await;
    let token = app.link_token("late@example.org").await;

    let guessed = "A".repeat(43);
    for (token, code) in [
        (guessed.as_str(), "link_invalid"),
        ("short", "link_invalid"),
        ("../../etc/passwd", "link_invalid"),
    ] {
        let a = app
            .post(routes::AUTH_SESSION, json!({"token": token}), None)
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::BAD_REQUEST, code),
            "{token}"
        );
        assert!(a.session_cookie().is_none());
    }

    app.clock.advance(15 * 60);
    let a = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::BAD_REQUEST, "link_expired")
    );
    assert!(a.session_cookie().is_none());
    // Nothing changed: no sign-in recorded, and the expired link stays expired (not "used").
    assert!(app.store.recent_audit(10).await.unwrap().is_empty());
    let a = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(a.code(), "link_expired");

    // A fresh link works once; replaying it is refused.
    let token = app.link_token("late@example.org").await;
    let ok = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let replay = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(replay.code(), "link_used");
    assert_eq!(app.store.recent_audit(10).await.unwrap().len(), 1);
    app.stop().await;
}

async fn token_lifetime_is_configurable(db: Db) {
    let app = App::start_with(db, |c| c.auth.token_lifetime_minutes = 30).await;
    let token = app.link_token("slow@example.org").await;
    app.clock.advance(29 * 60);
    let a = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    app.stop().await;
}

async fn me(app: &App, cookie: &str) -> StatusCode {
    app.get(routes::AUTH_ME, Some(cookie)).await.status
}

async fn sessions_end_when_idle_or_too_old(db: Db) {
    let app = App::start(db).await;
    let cookie = app.sign_in("idle@example.org").await;
    app.clock.advance(59 * 60);
    assert_eq!(me(&app, &cookie).await, StatusCode::OK);
    app.clock.advance(60 * 60);
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);

    // Active all the time, the session still ends 12 hours after sign-in.
    let cookie = app.sign_in("busy@example.org").await;
    for _ in 0..14 {
        app.clock.advance(50 * 60);
        assert_eq!(me(&app, &cookie).await, StatusCode::OK);
    }
    app.clock.advance(50 * 60);
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn cross_site_requests_are_refused(db: Db) {
    let app = App::start(db).await;
    let cookie = app.sign_in("victim@example.org").await;
    let body = json!({"email": "victim@example.org"});
    let ours = app.url.clone();
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", ours.as_str())],
    ] {
        let a = app
            .call(
                Method::POST,
                routes::AUTH_LOGOUT,
                Some(json!({})),
                Some(&cookie),
                &headers,
            )
            .await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::FORBIDDEN, "cross_site_request"),
            "{headers:?}"
        );
        let a = app
            .call(
                Method::POST,
                routes::AUTH_LINK,
                Some(body.clone()),
                None,
                &headers,
            )
            .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(
        app.get(routes::AUTH_ME, Some(&cookie)).await.status,
        StatusCode::OK,
        "still signed in"
    );
    // Reading is not state-changing; the browser's own requests pass.
    let a = app
        .call(
            Method::GET,
            routes::AUTH_ME,
            None,
            Some(&cookie),
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let same = [("origin", ours.as_str()), ("sec-fetch-site", "same-origin")];
    let a = app
        .call(
            Method::POST,
            routes::AUTH_LOGOUT,
            Some(json!({})),
            Some(&cookie),
            &same,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    app.stop().await;
}

async fn german_mail_for_german_requests(db: Db) {
    let app = App::start(db).await;
    let a = app
        .call(
            Method::POST,
            routes::AUTH_LINK,
            Some(json!({"email": "b@example.org"})),
            None,
            &[("accept-language", "de-DE,de;q=0.9,en;q=0.5")],
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED);
    let raw = app.wait_for_eml(1).await;
    let m = smtp::parse(&raw);
    assert!(
        m.subject().unwrap().starts_with("Ihr Anmeldelink"),
        "{:?}",
        m.subject()
    );
    assert!(m.body_text(0).unwrap().contains("läuft in 15 Minuten ab"));
    // The stored language wins over the request's later on.
    let token = smtp::token_in(&raw);
    app.post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    app.post(
        routes::AUTH_LINK,
        json!({"email": "b@example.org", "language": "en"}),
        None,
    )
    .await;
    let raw = app.wait_for_eml(2).await;
    assert!(
        smtp::parse(&raw)
            .subject()
            .unwrap()
            .starts_with("Ihr Anmeldelink")
    );
    app.stop().await;
}

async fn session_cookie_is_secure_by_default(db: Db) {
    let app = App::start_with(db, |c| c.auth.dev_insecure_cookies = false).await;
    let token = app.link_token("s@example.org").await;
    let a = app
        .post(routes::AUTH_SESSION, json!({"token": token}), None)
        .await;
    let set = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set.ends_with("; Secure"), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    app.stop().await;
}
