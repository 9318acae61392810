//! Certificate requests against the real server on SQLite and PostgreSQL: intake and its
//! every refusal, the open-request limit, withdrawal, privacy between requesters, role and
//! group mailboxes, expiry, and the mails, read from a real SMTP server.

pub mod keys;

use std::time::Duration;

use certdesk::domain::{Env, OsRandom};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::api::{MailboxView, RequestKind, routes};
use shared::pki::KeyType;

use crate::support::app::{Answer, App, Db, on_both_databases};
use crate::support::smtp::{self, SmtpServer};
use keys::{csr, csr_base64, csr_with_broken_signature, key, weak};

on_both_databases!(
    personal_request_waits_for_the_desk_and_mails_how,
    every_refusal_has_its_code_and_changes_nothing,
    open_requests_are_limited_and_withdrawing_frees_one,
    the_limit_holds_for_requests_sent_at_once,
    requesters_see_only_their_own,
    role_and_group_requests_need_a_registered_owner,
    waiting_requests_expire_and_are_mailed,
    skipping_the_identity_check_approves_at_once,
);

pub const ALICE: &str = "alice@example.org";
pub const BOB: &str = "bob@example.org";
pub const DESK: &str = "desk@example.org";

/// A personal request body with an ECDSA P-256 key.
pub fn personal(email: &str, given: &str, surname: &str) -> Value {
    json!({
        "kind": "personal",
        "addresses": [email],
        "given_name": given,
        "surname": surname,
        "csr": csr(key(KeyType::EcdsaP256), &[email]),
        "terms_accepted": true,
    })
}

/// A role or group request body for `address`.
pub fn mailbox_request(kind: &str, address: &str) -> Value {
    json!({
        "kind": kind,
        "addresses": [address],
        "csr": csr(key(KeyType::EcdsaP256), &[address]),
        "terms_accepted": true,
    })
}

pub async fn submit(app: &App, cookie: &str, body: Value) -> Answer {
    app.post(routes::REQUESTS, body, Some(cookie)).await
}

/// Submits and expects success; returns the stored request.
pub async fn submit_ok(app: &App, cookie: &str, body: Value) -> Value {
    let a = submit(app, cookie, body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    a.body
}

pub async fn scalar(app: &App, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// Asserts the audit log has an entry with `action`.
pub async fn assert_audited(app: &App, action: &str) {
    let actions = audit_actions(app).await;
    assert!(
        actions.iter().any(|a| a == action),
        "{action} in {actions:?}"
    );
}

/// Gives `email` the desk role.
pub async fn make_officer(app: &App, email: &str) {
    certdesk::operators::set_role(&app.store, email, shared::api::Role::Desk)
        .await
        .unwrap();
}

/// A personal request for Alice, changed by `spoil`.
fn alice_with(spoil: impl FnOnce(&mut Value)) -> Value {
    let mut b = personal(ALICE, "Alice", "Liddell");
    spoil(&mut b);
    b
}

/// Audit actions, oldest first.
pub async fn audit_actions(app: &App) -> Vec<String> {
    let mut entries = app.store.recent_audit(1000).await.unwrap();
    entries.reverse();
    entries.into_iter().map(|e| e.action).collect()
}

/// Registers a mailbox with its owners, as `certdesk mailbox add` does.
pub async fn register(app: &App, address: &str, kind: RequestKind, name: &str, owners: &[&str]) {
    let mut tx = app.store.begin().await.unwrap();
    let m = certdesk::store::mailboxes::Mailbox {
        view: MailboxView {
            address: address.into(),
            kind,
            display_name: name.into(),
        },
        owners: owners.iter().map(|o| o.to_string()).collect(),
    };
    certdesk::store::mailboxes::put(&mut tx, &m, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// Registers dpo@example.org, the data-protection officer's role mailbox.
pub async fn register_dpo(app: &App, owners: &[&str]) {
    register(
        app,
        "dpo@example.org",
        RequestKind::Role,
        "Data Protection Officer",
        owners,
    )
    .await;
}

/// Time and randomness of the app, for calling its services directly.
pub fn env_of(app: &App) -> Env {
    Env {
        clock: std::sync::Arc::new(app.clock.clone()),
        random: std::sync::Arc::new(OsRandom),
    }
}

/// Whether a raw mail is a sign-in mail to `email`.
fn is_sign_in_mail(raw: &[u8], email: &str) -> bool {
    smtp::recipient(raw) == email
        && smtp::parse(raw)
            .body_text(0)
            .is_some_and(|t| t.contains("/signin#"))
}

/// Trades the token of a sign-in mail for a session; returns the cookie.
async fn start_session(app: &App, raw: &[u8]) -> String {
    let s = app
        .post(
            routes::AUTH_SESSION,
            json!({"token": smtp::token_in(raw)}),
            None,
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    s.session_cookie().unwrap()
}

async fn ask_for_link(app: &App, email: &str, language: &str) {
    let a = app
        .post(
            routes::AUTH_LINK,
            json!({"email": email, "language": language}),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
}

/// Waits (up to 20 seconds) for sign-in mail number `n` to `email` among `mails()`.
async fn nth_sign_in_mail(mails: impl Fn() -> Vec<Vec<u8>>, email: &str, n: usize) -> Vec<u8> {
    for _ in 0..200 {
        let found: Vec<Vec<u8>> = mails()
            .into_iter()
            .filter(|m| is_sign_in_mail(m, email))
            .collect();
        if found.len() >= n {
            return found[n - 1].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no sign-in mail number {n} to {email}");
}

/// Signs in through the real SMTP server, in `language`; returns the session cookie. Other
/// mails arriving meanwhile do not confuse it.
pub async fn sign_in_smtp(app: &App, smtp: &SmtpServer, email: &str, language: &str) -> String {
    let earlier = smtp
        .messages()
        .iter()
        .filter(|m| is_sign_in_mail(m, email))
        .count();
    ask_for_link(app, email, language).await;
    let raw = nth_sign_in_mail(|| smtp.messages(), email, earlier + 1).await;
    start_session(app, &raw).await
}

/// Signs in with mail written to files, however many other mails are being written.
pub async fn sign_in(app: &App, email: &str) -> String {
    let dir = app.mail_dir();
    let files = || smtp::read_dir_sorted(&dir);
    let earlier = files().iter().filter(|m| is_sign_in_mail(m, email)).count();
    ask_for_link(app, email, "en").await;
    let raw = nth_sign_in_mail(files, email, earlier + 1).await;
    start_session(app, &raw).await
}

/// A mail to `to` whose subject contains `subject`, waiting up to 20 seconds: (subject,
/// text, html).
pub async fn mail(smtp: &SmtpServer, to: &str, subject: &str) -> (String, String, String) {
    for _ in 0..200 {
        for raw in smtp.messages() {
            let m = smtp::parse(&raw);
            let s = m.subject().unwrap_or_default().to_owned();
            if smtp::recipient(&raw) == to && s.contains(subject) {
                return (
                    s,
                    m.body_text(0).unwrap().into_owned(),
                    m.body_html(0).unwrap().into_owned(),
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} about {subject:?}");
}

async fn personal_request_waits_for_the_desk_and_mails_how(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |c| {
        c.requests.desk_instructions = Some("IT service desk, room 0.12, Mon to Fri 9-12.".into());
    })
    .await;
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;

    let options = app.get(routes::REQUEST_OPTIONS, Some(&alice)).await;
    assert_eq!(options.body["email"], ALICE);
    assert_eq!(options.body["identity_check_needed"], true);
    assert_eq!(options.body["key_types"].as_array().unwrap().len(), 5);

    let r = submit_ok(&app, &alice, personal(ALICE, " Alice ", "Liddell")).await;
    assert_eq!(r["state"], "awaiting_identity_check");
    assert_eq!(r["kind"], "personal");
    assert_eq!(r["key_type"], "ecdsa-p256");
    assert_eq!(r["given_name"], "Alice", "trimmed");
    assert_eq!(r["addresses"], json!([ALICE]));
    let code = r["code"].as_str().unwrap().to_owned();
    assert!(
        code.len() == 12
            && code.starts_with("CD-")
            && code[3..]
                .chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"01OIL".contains(c))),
        "{code}"
    );

    let (subject, text, html) = mail(&smtp, ALICE, &code).await;
    assert!(subject.contains("identity"), "{subject}");
    for needle in ["photo ID", "video call", "room 0.12", &code, "60 days"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    assert!(html.contains(&code));

    let id = r["id"].as_i64().unwrap();
    let mine = app.get(routes::REQUESTS, Some(&alice)).await;
    assert_eq!(mine.body, json!([r]));
    let one = app
        .get(&routes::with_id(routes::REQUEST, id), Some(&alice))
        .await;
    assert_eq!(one.body, r);
    let actions = audit_actions(&app).await;
    assert_eq!(
        actions[actions.len() - 2..],
        ["request_submitted", "request_awaiting_identity_check"]
    );

    // German for a German requester; the request as base64 DER.
    let bob = sign_in_smtp(&app, &smtp, BOB, "de").await;
    let mut body = personal(BOB, "Bob", "Müller");
    body["csr"] = csr_base64(key(KeyType::Rsa2048), &[BOB]).into();
    body["csr_encoding"] = "der_base64".into();
    let r = submit_ok(&app, &bob, body).await;
    assert_eq!(r["key_type"], "rsa-2048");
    let (subject, text, _) = mail(&smtp, BOB, r["code"].as_str().unwrap()).await;
    assert!(subject.starts_with("Zertifikatsantrag"), "{subject}");
    assert!(text.contains("Lichtbildausweis"), "{text}");
    app.stop().await;
}

async fn every_refusal_has_its_code_and_changes_nothing(db: Db) {
    let app = App::start_with(db, |c| {
        c.requests.key_types = vec![
            KeyType::Rsa2048,
            KeyType::Rsa3072,
            KeyType::Rsa4096,
            KeyType::EcdsaP256,
        ];
    })
    .await;
    register_dpo(&app, &["carol@example.org"]).await;
    let alice = sign_in(&app, ALICE).await;
    let before = audit_actions(&app).await;
    let weak = weak();
    let with_csr = |csr: String, encoding: &'static str| {
        alice_with(move |b| {
            b["csr"] = csr.into();
            b["csr_encoding"] = encoding.into();
        })
    };
    let signed_by = |k| with_csr(keys::csr(k, &[ALICE]), "pem");
    let (bad, forbidden) = (StatusCode::BAD_REQUEST, StatusCode::FORBIDDEN);
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "terms",
            alice_with(|b| b["terms_accepted"] = false.into()),
            bad,
            "terms_not_accepted",
        ),
        (
            "no address",
            alice_with(|b| b["addresses"] = json!([])),
            bad,
            "address_invalid",
        ),
        (
            "no name",
            alice_with(|b| b["surname"] = Value::Null),
            bad,
            "name_required",
        ),
        (
            "unknown kind",
            alice_with(|b| b["kind"] = "team".into()),
            bad,
            "bad_request",
        ),
        (
            "foreign address",
            personal(BOB, "Alice", "Liddell"),
            forbidden,
            "address_not_own",
        ),
        (
            "not an owner",
            mailbox_request("role", "dpo@example.org"),
            forbidden,
            "not_mailbox_owner",
        ),
        (
            "not registered",
            mailbox_request("role", "boss@example.org"),
            forbidden,
            "mailbox_not_registered",
        ),
        (
            "registered as another kind",
            mailbox_request("group", "dpo@example.org"),
            forbidden,
            "mailbox_not_registered",
        ),
        (
            "signature broken",
            with_csr(csr_with_broken_signature(&[ALICE]), "der_base64"),
            bad,
            "csr_signature_invalid",
        ),
        (
            "SAN names another address too",
            with_csr(
                keys::csr(key(KeyType::EcdsaP256), &[ALICE, "mallory@example.org"]),
                "pem",
            ),
            bad,
            "csr_address_mismatch",
        ),
        (
            "SAN names another address instead",
            with_csr(keys::csr(key(KeyType::EcdsaP256), &[BOB]), "pem"),
            bad,
            "csr_address_mismatch",
        ),
        (
            "key type not allowed here",
            signed_by(key(KeyType::EcdsaP384)),
            bad,
            "key_type_not_allowed",
        ),
        ("RSA-1024", signed_by(&weak.too_small), bad, "rsa_too_small"),
        (
            "e = 3",
            signed_by(&weak.exponent_3),
            bad,
            "rsa_bad_exponent",
        ),
        (
            "small factor",
            signed_by(&weak.small_factor),
            bad,
            "rsa_small_factor",
        ),
        (
            "Fermat",
            signed_by(&weak.fermat),
            bad,
            "rsa_fermat_factorable",
        ),
        ("ROCA", signed_by(&weak.roca), bad, "rsa_roca"),
        (
            "malformed DER",
            with_csr("MIIBIjANBgkqhkiG9w0BAQEFAAOC".into(), "der_base64"),
            bad,
            "csr_malformed",
        ),
        (
            "not base64",
            with_csr("*** not base64 ***".into(), "der_base64"),
            bad,
            "csr_malformed",
        ),
        (
            "not PEM",
            with_csr("hello".into(), "pem"),
            bad,
            "csr_malformed",
        ),
        (
            "a CSR of 1 MB",
            with_csr("A".repeat(1024 * 1024), "der_base64"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (what, body, status, code) in cases {
        let a = submit(&app, &alice, body).await;
        assert_eq!((a.status, a.code()), (status, code), "{what}: {:?}", a.body);
        assert!(
            a.body["message"].as_str().is_some_and(|m| m.len() > 10),
            "{what}: a message a person understands: {:?}",
            a.body
        );
    }
    let a = app
        .call(
            Method::POST,
            routes::REQUESTS,
            None,
            Some(&alice),
            &[("content-type", "application/json")],
        )
        .await;
    assert_eq!(a.code(), "bad_request", "no body");

    // Nothing was stored, audited or mailed.
    for table in [
        "requests",
        "request_addresses",
        "request_terms",
        "issue_jobs",
    ] {
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(audit_actions(&app).await, before);
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM outbox").await,
        1,
        "only the sign-in mail"
    );
    app.stop().await;
}

async fn open_requests_are_limited_and_withdrawing_frees_one(db: Db) {
    let app = App::start_with(db, |c| c.requests.max_open_per_user = 2).await;
    let alice = sign_in(&app, ALICE).await;
    let first = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    let a = submit(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "too_many_open_requests")
    );
    assert!(a.body["message"].as_str().unwrap().contains('2'));
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM requests").await, 2);

    let withdraw = routes::with_id(routes::REQUEST_WITHDRAW, first["id"].as_i64().unwrap());
    let w = app.post(&withdraw, json!({}), Some(&alice)).await;
    assert_eq!(w.status, StatusCode::OK, "{:?}", w.body);
    assert_eq!(w.body["state"], "withdrawn");
    let again = app.post(&withdraw, json!({}), Some(&alice)).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "request_state_conflict")
    );
    let third = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    let options = app.get(routes::REQUEST_OPTIONS, Some(&alice)).await;
    assert_eq!(options.body["open_requests"], 2);
    let mine = app.get(routes::REQUESTS, Some(&alice)).await;
    let ids: Vec<i64> = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], third["id"].as_i64().unwrap(), "newest first");
    assert_eq!(ids[2], first["id"].as_i64().unwrap());
    assert_audited(&app, "request_withdrawn").await;
    app.stop().await;
}

async fn the_limit_holds_for_requests_sent_at_once(db: Db) {
    let app = App::start_with(db, |c| c.requests.max_open_per_user = 1).await;
    let alice = sign_in(&app, ALICE).await;
    let send = || submit(&app, &alice, personal(ALICE, "Alice", "Liddell"));
    let answers = [send(), send(), send(), send(), send(), send()];
    let answers = futures_join_all(answers).await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        answers.iter().map(|a| a.code()).collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .all(|a| a.status == StatusCode::CREATED || a.code() == "too_many_open_requests")
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM requests").await, 1);
    app.stop().await;
}

/// Runs the futures at once and waits for all of them.
async fn futures_join_all<F: std::future::Future>(futures: [F; 6]) -> Vec<F::Output> {
    let [a, b, c, d, e, f] = futures;
    let (a, b, c, d, e, f) = tokio::join!(a, b, c, d, e, f);
    vec![a, b, c, d, e, f]
}

async fn requesters_see_only_their_own(db: Db) {
    let app = App::start(db).await;
    make_officer(&app, DESK).await;
    let alice = sign_in(&app, ALICE).await;
    let bob = sign_in(&app, BOB).await;
    let desk = sign_in(&app, DESK).await;
    let r = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    let id = r["id"].as_i64().unwrap();
    let missing = app
        .get(&routes::with_id(routes::REQUEST, 999_999), Some(&bob))
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );
    for cookie in [&bob, &desk] {
        let other = app
            .get(&routes::with_id(routes::REQUEST, id), Some(cookie))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.body, missing.body,
            "indistinguishable from no request"
        );
        let w = app
            .post(
                &routes::with_id(routes::REQUEST_WITHDRAW, id),
                json!({}),
                Some(cookie),
            )
            .await;
        assert_eq!(w.body, missing.body);
        assert_eq!(
            app.get(routes::REQUESTS, Some(cookie)).await.body,
            json!([])
        );
    }
    let nonsense = app.get("/api/requests/abc", Some(&alice)).await;
    assert_eq!(
        (nonsense.status, nonsense.code()),
        (StatusCode::NOT_FOUND, "request_not_found")
    );
    let still = app
        .get(&routes::with_id(routes::REQUEST, id), Some(&alice))
        .await;
    assert_eq!(still.body["state"], "awaiting_identity_check", "unchanged");
    app.stop().await;
}

async fn role_and_group_requests_need_a_registered_owner(db: Db) {
    let app = App::start(db).await;
    register_dpo(&app, &[ALICE, "carol@example.org"]).await;
    register(
        &app,
        "secretariat@example.org",
        RequestKind::Group,
        "Secretariat, Physics",
        &[ALICE],
    )
    .await;
    let alice = sign_in(&app, ALICE).await;
    let options = app.get(routes::REQUEST_OPTIONS, Some(&alice)).await;
    let owned: Vec<&str> = options.body["mailboxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(owned, ["dpo@example.org", "secretariat@example.org"]);

    let mut named = mailbox_request("role", "dpo@example.org");
    named["given_name"] = "Alice".into();
    let a = submit(&app, &alice, named).await;
    assert_eq!(a.code(), "name_invalid", "{:?}", a.body);

    let role = submit_ok(&app, &alice, mailbox_request("role", "dpo@example.org")).await;
    assert_eq!(role["display_name"], "Data Protection Officer");
    assert_eq!(role["given_name"], Value::Null);
    assert_eq!(role["state"], "awaiting_identity_check");
    let group = submit_ok(
        &app,
        &alice,
        mailbox_request("group", "secretariat@example.org"),
    )
    .await;
    assert_eq!(group["display_name"], "Secretariat, Physics");
    assert_eq!(group["kind"], "group");
    app.stop().await;
}

async fn waiting_requests_expire_and_are_mailed(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |c| c.requests.pending_days = 10).await;
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let r = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    let env = env_of(&app);
    app.clock.advance(10 * 86_400 - 1);
    assert_eq!(
        certdesk::requests::expire_stale(&app.store, &app.config, &env)
            .await
            .unwrap(),
        0
    );
    app.clock.advance(1);
    assert_eq!(
        certdesk::requests::expire_stale(&app.store, &app.config, &env)
            .await
            .unwrap(),
        1
    );
    // Ten days later the session has long ended.
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let one = app
        .get(
            &routes::with_id(routes::REQUEST, r["id"].as_i64().unwrap()),
            Some(&alice),
        )
        .await;
    assert_eq!(one.body["state"], "expired");
    let (subject, text, _) = mail(&smtp, ALICE, "expired").await;
    assert!(subject.contains(r["code"].as_str().unwrap()), "{subject}");
    assert!(text.contains("10 days"), "{text}");
    assert_audited(&app, "request_expired").await;
    let options = app.get(routes::REQUEST_OPTIONS, Some(&alice)).await;
    assert_eq!(options.body["open_requests"], 0, "expired is closed");
    app.stop().await;
}

async fn skipping_the_identity_check_approves_at_once(db: Db) {
    let smtp = SmtpServer::start().await;
    let app = App::with_smtp(db, smtp.port, |c| c.requests.skip_identity_check = true).await;
    let alice = sign_in_smtp(&app, &smtp, ALICE, "en").await;
    let r = submit_ok(&app, &alice, personal(ALICE, "Alice", "Liddell")).await;
    assert_eq!(r["state"], "approved");
    assert_eq!(r["decided_by"], "certdesk");
    let id = r["id"].as_i64().unwrap();
    let (state, _, _) = app.store.issue_job_state(id).await.unwrap().unwrap();
    assert_eq!(state, "pending", "issuance recorded with the approval");
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT COUNT(*) FROM requests WHERE id = {id} AND vetting = 'skipped'")
        )
        .await,
        1
    );
    let (subject, text, _) = mail(&smtp, ALICE, "approved").await;
    assert!(subject.contains(r["code"].as_str().unwrap()));
    assert!(text.contains("another mail"), "{text}");
    assert!(!text.contains("photo ID"), "{text}");
    app.stop().await;
}
