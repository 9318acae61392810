//! Every API endpoint × signed out, requester, desk and admin: allowed or refused, as the
//! endpoint table declares and as this table expects. A new endpoint fails this test until
//! it is added here.

use certdesk::domain::auth::{Access, Admission};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{Role, routes};

use crate::support::app::{App, Db, on_both_databases};

on_both_databases!(
    every_endpoint_for_every_role,
    audit_endpoint_reports_tampering
);

/// Allowed for: signed out, requester, desk, admin.
const EXPECTED: &[(&str, &str, [bool; 4])] = &[
    ("GET", routes::HEALTH, [true, true, true, true]),
    ("POST", routes::AUTH_LINK, [true, true, true, true]),
    ("POST", routes::AUTH_SESSION, [true, true, true, true]),
    ("GET", routes::AUTH_ME, [false, true, true, true]),
    ("GET", routes::OPERATORS, [false, false, true, true]),
    ("GET", routes::AUDIT, [false, false, false, true]),
    ("GET", routes::OPENAPI, [true, true, true, true]),
    ("GET", routes::COLLECT, [true, true, true, true]),
    ("POST", routes::REVOKE, [false, true, true, true]),
    ("POST", routes::REQUESTS, [false, true, true, true]),
    ("GET", routes::REQUESTS, [false, true, true, true]),
    ("GET", routes::REQUEST, [false, true, true, true]),
    ("POST", routes::REQUEST_WITHDRAW, [false, true, true, true]),
    (
        "POST",
        routes::REQUEST_COLLECT_LINK,
        [false, true, true, true],
    ),
    ("GET", routes::REQUEST_OPTIONS, [false, true, true, true]),
    ("GET", routes::DESK_REQUESTS, [false, false, true, true]),
    ("GET", routes::DESK_REQUEST, [false, false, true, true]),
    (
        "POST",
        routes::DESK_REQUEST_APPROVE,
        [false, false, true, true],
    ),
    (
        "POST",
        routes::DESK_REQUEST_REJECT,
        [false, false, true, true],
    ),
    // Last: it ends the session it is called with.
    ("POST", routes::AUTH_LOGOUT, [true, true, true, true]),
];

const CALLERS: [Option<Role>; 4] = [
    None,
    Some(Role::Requester),
    Some(Role::Desk),
    Some(Role::Admin),
];

fn body_for(path: &str) -> Option<Value> {
    match path {
        routes::AUTH_LINK => Some(json!({"email": "someone@example.org"})),
        routes::AUTH_SESSION => Some(json!({"token": "A".repeat(43)})),
        routes::AUTH_LOGOUT => Some(json!({})),
        _ => None,
    }
}

#[test]
fn the_table_covers_exactly_the_declared_endpoints() {
    let declared = certdesk::http::endpoints();
    assert_eq!(declared.len(), EXPECTED.len(), "{declared:?}");
    for (method, path, allowed) in EXPECTED {
        let e = declared
            .iter()
            .find(|e| e.method.as_str() == *method && e.path == *path)
            .unwrap_or_else(|| panic!("{method} {path} is not declared"));
        for (caller, allowed) in CALLERS.iter().zip(allowed) {
            let admitted = e.access.admit(*caller) == Admission::Allowed;
            assert_eq!(admitted, *allowed, "{method} {path} for {caller:?}");
        }
    }
    assert!(declared.iter().any(|e| e.access == Access::Public));
}

async fn every_endpoint_for_every_role(db: Db) {
    let app = App::start(db).await;
    let mut cookies = Vec::new();
    for caller in CALLERS {
        cookies.push(match caller {
            None => None,
            Some(role) => {
                let email = format!("{}@example.org", role.as_str());
                certdesk::operators::set_role(&app.store, &email, role)
                    .await
                    .unwrap();
                Some(app.sign_in(&email).await)
            }
        });
    }
    for (method, path, allowed) in EXPECTED {
        for ((caller, cookie), allowed) in CALLERS.iter().zip(&cookies).zip(allowed) {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let a = app
                .call(method.clone(), path, body_for(path), cookie.as_deref(), &[])
                .await;
            let refused = matches!(a.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            assert_eq!(
                !refused, *allowed,
                "{method} {path} as {caller:?}: {} {:?}",
                a.status, a.body
            );
            if !allowed {
                let expected = if caller.is_none() {
                    "not_signed_in"
                } else {
                    "forbidden"
                };
                assert_eq!(a.code(), expected, "{method} {path} as {caller:?}");
            }
        }
    }
    app.stop().await;
}

async fn audit_endpoint_reports_tampering(db: Db) {
    let app = App::start(db).await;
    certdesk::operators::set_role(&app.store, "boss@example.org", Role::Admin)
        .await
        .unwrap();
    let cookie = app.sign_in("boss@example.org").await;
    let ops = app.get(routes::OPERATORS, Some(&cookie)).await;
    assert_eq!(
        ops.body,
        json!([{"email": "boss@example.org", "role": "admin"}])
    );
    let log = app.get(routes::AUDIT, Some(&cookie)).await;
    assert_eq!(log.body["first_broken"], Value::Null);
    let actions: Vec<_> = log.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["signin", "role_change"], "newest first");

    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE id = 1")
        .execute(app.store.pool())
        .await
        .unwrap();
    let log = app.get(routes::AUDIT, Some(&cookie)).await;
    assert_eq!(log.body["first_broken"], 1);
    app.stop().await;
}
