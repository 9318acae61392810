//! "Collect again" from My certificates: a new collect link is mailed for the requester's own
//! certificate, the old link stops working, and it is audited; refused for a request without
//! a certificate, for someone else's request and for a revoked certificate.

use reqwest::StatusCode;
use serde_json::json;
use shared::api::{Role, routes};

use crate::lifecycle::{
    Inbox, approve, ca_settings, collect_token, request_personal_p256, sign_in, text_of,
};
use crate::support::app::{App, Db, on_both_databases, smtp_config};
use crate::support::smtp::SmtpServer;

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";
const DESK: &str = "desk@example.org";

on_both_databases!(a_new_collect_link_replaces_the_old_one);

async fn a_new_collect_link_replaces_the_old_one(db: Db) {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = App::start_with_ca(db, |c| {
        c.smtp = Some(smtp_config(port));
        ca_settings(c);
    })
    .await;
    let mut inbox = Inbox {
        smtp: &smtp,
        seen: 0,
    };
    certdesk::operators::set_role(&app.store, DESK, Role::Desk)
        .await
        .unwrap();
    let alice = sign_in(&app, &mut inbox, ALICE).await;
    let id = request_personal_p256(&app, &alice).await;
    let _received = inbox.next_to(ALICE).await;
    let relink = routes::with_id(routes::REQUEST_COLLECT_LINK, id);

    // Nothing to collect before the certificate exists.
    let a = app.post(&relink, json!({}), Some(&alice)).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "request_state_conflict"),
        "{:?}",
        a.body
    );

    let desk = sign_in(&app, &mut inbox, DESK).await;
    approve(&app, &desk, id).await;
    let first = collect_token(&inbox.next_to(ALICE).await);
    let collect = |token: &str| routes::COLLECT.replace("{token}", token);
    let a = app.get(&collect(&first), None).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    let serial = a.body["serial"].as_str().unwrap().to_owned();
    let not_after = a.body["not_after"].as_i64().unwrap();

    // The requester's list shows the certificate, collected.
    let list = app.get(routes::REQUESTS, Some(&alice)).await;
    let certificate = &list.body[0]["certificate"];
    assert_eq!(certificate["serial"], serial.as_str(), "{:?}", list.body);
    assert_eq!(certificate["not_after"], not_after);
    assert!(certificate["collected_at"].is_i64(), "{certificate}");
    assert!(certificate.get("revoked_at").is_none(), "{certificate}");

    // Someone else's request does not exist for them.
    let bob = sign_in(&app, &mut inbox, BOB).await;
    let a = app.post(&relink, json!({}), Some(&bob)).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );

    // Collect again: a new link by mail, the old one stops working, and it is audited.
    let a = app.post(&relink, json!({}), Some(&alice)).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body, json!({"sent_to": ALICE, "valid_until": not_after}));
    let mail = inbox.next_to(ALICE).await;
    let second = collect_token(&mail);
    assert_ne!(second, first);
    assert!(text_of(&mail).contains(&second));
    let a = app.get(&collect(&first), None).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "collect_link_invalid")
    );
    let a = app.get(&collect(&second), None).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    assert_eq!(a.body["serial"], serial.as_str());
    let audit = app.store.recent_audit(20).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "collect_link_renewed")
        .expect("an audit entry for the new link");
    assert_eq!(
        (entry.actor.as_str(), entry.detail.as_str()),
        (ALICE, format!("serial {serial}").as_str())
    );

    // A revoked certificate gets no new link.
    let a = app
        .post(
            &routes::REVOKE.replace("{serial}", &serial),
            json!({"reason": "superseded"}),
            Some(&alice),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    let a = app.post(&relink, json!({}), Some(&alice)).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::GONE, "certificate_revoked")
    );
    app.stop().await;
}
