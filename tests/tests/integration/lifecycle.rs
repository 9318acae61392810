//! The whole life of certificates through the API with the real SMTP server and the built-in
//! CA: sign-in by mailed link, a personal request vetted by the desk, a group request approved
//! at once on the evidence just recorded, issuance, the mailed collect link, the certificates
//! judged by openssl and pkilint, revocation and the CRL. And a crash in the middle of
//! issuance that must end with exactly one certificate.

use std::path::Path;
use std::sync::Arc;

use certdesk::ca::{BuiltinCa, IssueFuture, Issued, Issuer, Order};
use certdesk::config::Config;
use certdesk::domain::{Clock, Env, OsRandom, Random, UnixTime};
use certdesk::issuance::{IssuanceHandle, IssuanceWorker, LEASE};
use certdesk::mail::WorkerHandle;
use certdesk::store::mailboxes;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::api::{MailboxView, RequestKind, Role, routes};
use shared::pki::KeyType;
use tokio::sync::Notify;

use crate::requests::keys::{csr, key};
use crate::support::app::{App, Db, on_both_databases, smtp_config};
use crate::support::smtp::{SmtpServer, parse, recipient, token_in};
use crate::support::tools::{lint, openssl, openssl_fails};

const ALICE: &str = "alice@example.org";
const BOB: &str = "bob@example.org";
const DESK: &str = "desk@example.org";
const GROUP: &str = "secretariat@example.org";

on_both_databases!(
    life_of_a_personal_and_a_group_certificate,
    crash_during_issuance_issues_once
);

/// Names and addresses pkilint accepts (no internal IP in the CRL and CA certificate URLs).
pub(crate) fn ca_settings(c: &mut Config) {
    c.organisation = "Example University".into();
    c.ca.organisation_identifier = Some("GOVDE+BY".into());
    c.ca.country = Some("DE".into());
    c.ca.distribution_url = Some("http://certs.example.org/".parse().unwrap());
}

/// Reads mails from the test SMTP server in the order they arrive.
pub(crate) struct Inbox<'a> {
    pub(crate) smtp: &'a SmtpServer,
    pub(crate) seen: usize,
}

impl Inbox<'_> {
    /// The next mail, which must be for `to`.
    pub(crate) async fn next_to(&mut self, to: &str) -> Vec<u8> {
        self.seen += 1;
        let raw = self.smtp.wait_for(self.seen).await[self.seen - 1].clone();
        assert_eq!(recipient(&raw), to, "mail number {}", self.seen);
        raw
    }
}

pub(crate) fn text_of(raw: &[u8]) -> String {
    parse(raw).body_text(0).expect("a text part").into_owned()
}

/// The collect token from a "ready" mail (`…/collect#TOKEN`).
pub(crate) fn collect_token(raw: &[u8]) -> String {
    let text = text_of(raw);
    let start = text.find("/collect#").expect("a collect link") + "/collect#".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

pub(crate) async fn sign_in(app: &App, inbox: &mut Inbox<'_>, email: &str) -> String {
    let a = app
        .post(routes::AUTH_LINK, json!({ "email": email }), None)
        .await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{:?}", a.body);
    let token = token_in(&inbox.next_to(email).await);
    let a = app
        .post(routes::AUTH_SESSION, json!({ "token": token }), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    a.session_cookie().unwrap()
}

pub(crate) fn evidence() -> Value {
    json!({"evidence": {
        "method": "in_person",
        "document_type": "id_card",
        "issuing_authority": "Stadt München",
        "issuing_country": "DE",
        "document_number": "L01X00T47",
        "document_expiry": "2031-06-30",
        "name_on_document": "Alice Müller",
        "given_name": "Alice",
        "surname": "Müller",
    }})
}

/// Collects the certificate behind `token` into `dir/<name>.pem` with the chain split into
/// issuing.pem and root.pem; returns the collect answer.
async fn collect(app: &App, token: &str, dir: &Path, name: &str) -> Value {
    let a = app
        .get(&routes::COLLECT.replace("{token}", token), None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    std::fs::write(
        dir.join(format!("{name}.pem")),
        a.body["certificate_pem"].as_str().unwrap(),
    )
    .unwrap();
    let chain = a.body["chain_pem"].as_str().unwrap();
    let end = "-----END CERTIFICATE-----";
    let parts: Vec<String> = chain
        .split_inclusive(end)
        .filter(|p| p.contains(end))
        .map(|p| format!("{}\n", p.trim()))
        .collect();
    assert_eq!(parts.len(), 2, "issuing CA and root: {chain}");
    std::fs::write(dir.join("issuing.pem"), &parts[0]).unwrap();
    std::fs::write(dir.join("root.pem"), &parts[1]).unwrap();
    a.body
}

/// The certificate chains to the root, passes pkilint, and carries the CSR's public key.
fn judge(dir: &Path, name: &str, csr_pem: &str) {
    let file = format!("{name}.pem");
    let verified = openssl(
        dir,
        &[
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            &file,
        ],
    );
    assert!(verified.contains(": OK"), "{verified}");
    lint(dir, "lint_cabf_smime_cert", &["-d"], &file);
    std::fs::write(dir.join(format!("{name}.csr")), csr_pem).unwrap();
    let from_csr = openssl(
        dir,
        &["req", "-in", &format!("{name}.csr"), "-noout", "-pubkey"],
    );
    let from_cert = openssl(dir, &["x509", "-in", &file, "-noout", "-pubkey"]);
    assert_eq!(
        from_csr, from_cert,
        "the certificate holds the requester's key"
    );
}

async fn life_of_a_personal_and_a_group_certificate(db: Db) {
    let smtp = SmtpServer::start().await;
    let port = smtp.port;
    let app = App::start_with_ca(db, |c| {
        c.smtp = Some(smtp_config(port));
        ca_settings(c);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut inbox = Inbox {
        smtp: &smtp,
        seen: 0,
    };
    certdesk::operators::set_role(&app.store, DESK, Role::Desk)
        .await
        .unwrap();
    {
        let mut conn = app.store.conn().await.unwrap();
        let group = mailboxes::Mailbox {
            view: MailboxView {
                address: GROUP.into(),
                kind: RequestKind::Group,
                display_name: "Secretariat of the Physics Department".into(),
            },
            owners: vec![ALICE.into()],
        };
        mailboxes::put(&mut conn, &group, app.clock.now())
            .await
            .unwrap();
    }
    let alice = sign_in(&app, &mut inbox, ALICE).await;

    // A personal RSA-3072 certificate: waits for the identity check.
    let personal_csr = csr(key(KeyType::Rsa3072), &[ALICE]);
    let a = app
        .post(
            routes::REQUESTS,
            json!({"kind": "personal", "addresses": [ALICE], "given_name": "Alice",
                   "surname": "Müller", "csr": personal_csr, "terms_accepted": true}),
            Some(&alice),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    assert_eq!(a.body["state"], "awaiting_identity_check");
    let personal_id = a.body["id"].as_i64().unwrap();
    let received = text_of(&inbox.next_to(ALICE).await);
    assert!(
        received.contains(a.body["code"].as_str().unwrap()),
        "{received}"
    );

    // The desk records the evidence and approves; the CA issues and the mail brings the link.
    let desk = sign_in(&app, &mut inbox, DESK).await;
    approve(&app, &desk, personal_id).await;
    let ready = inbox.next_to(ALICE).await;
    let personal_token = collect_token(&ready);
    let personal = collect(&app, &personal_token, d, "personal").await;
    assert_eq!(personal["kind"], "personal");
    assert_eq!(personal["addresses"], json!([ALICE]));
    assert_eq!(personal["friendly_name"], "Alice Müller");
    assert!(
        personal["file_stem"]
            .as_str()
            .unwrap()
            .starts_with("alice@example.org_20"),
        "{personal}"
    );
    judge(d, "personal", &personal_csr);
    let subject = openssl(
        d,
        &[
            "x509",
            "-in",
            "personal.pem",
            "-noout",
            "-subject",
            "-nameopt",
            "utf8",
        ],
    );
    assert!(
        subject.contains("Müller") && subject.contains("Alice"),
        "vetted name: {subject}"
    );
    let mine = app
        .get(&routes::with_id(routes::REQUEST, personal_id), Some(&alice))
        .await;
    assert_eq!(mine.body["state"], "collected", "{:?}", mine.body);

    // A group mailbox with a P-256 key: Alice's identity was just checked, so it is approved
    // at once and issued without the desk.
    let group_csr = csr(key(KeyType::EcdsaP256), &[GROUP]);
    let a = app
        .post(
            routes::REQUESTS,
            json!({"kind": "group", "addresses": [GROUP], "csr": group_csr, "terms_accepted": true}),
            Some(&alice),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    let group_id = a.body["id"].as_i64().unwrap();
    assert_eq!(a.body["state"], "approved", "{:?}", a.body);
    let _received = inbox.next_to(ALICE).await;
    let group_token = collect_token(&inbox.next_to(ALICE).await);
    let group = collect(&app, &group_token, d, "group").await;
    assert_eq!(
        group["friendly_name"],
        "Secretariat of the Physics Department"
    );
    assert!(
        group["file_stem"]
            .as_str()
            .unwrap()
            .starts_with("GRP_secretariat@example.org_20")
    );
    judge(d, "group", &group_csr);

    // Revocation: not by a stranger, not with the CA's own reason, once by the owner.
    let serial = personal["serial"].as_str().unwrap();
    let revoke = routes::REVOKE.replace("{serial}", serial);
    let bob = sign_in(&app, &mut inbox, BOB).await;
    let a = app
        .post(&revoke, json!({"reason": "key_compromise"}), Some(&bob))
        .await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    let a = app
        .post(
            &revoke,
            json!({"reason": "privilege_withdrawn"}),
            Some(&alice),
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::FORBIDDEN, "reason_not_allowed")
    );
    let a = app
        .post(&revoke, json!({"reason": "key_compromise"}), Some(&alice))
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    let a = app
        .post(&revoke, json!({"reason": "superseded"}), Some(&desk))
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::CONFLICT, "already_revoked")
    );
    let revoked_mail = text_of(&inbox.next_to(ALICE).await);
    assert!(revoked_mail.contains(serial), "{revoked_mail}");

    // The CRL served at the distribution point lists it, and only it.
    let crl = reqwest::get(format!("{}/ca/issuing.crl", app.url))
        .await
        .unwrap();
    assert_eq!(crl.headers()["content-type"], "application/pkix-crl");
    std::fs::write(d.join("crl.der"), crl.bytes().await.unwrap()).unwrap();
    openssl(
        d,
        &["crl", "-inform", "DER", "-in", "crl.der", "-out", "crl.pem"],
    );
    let checked = openssl(
        d,
        &[
            "crl",
            "-in",
            "crl.pem",
            "-CAfile",
            "issuing.pem",
            "-noout",
            "-verify",
            "-text",
        ],
    );
    assert!(checked.contains("Key Compromise"), "{checked}");
    let crl_check = |file: &str| {
        vec![
            "verify",
            "-crl_check",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "issuing.pem",
            "-CRLfile",
            "crl.pem",
            file,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let args = crl_check("personal.pem");
    let refused = openssl_fails(d, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(refused.contains("certificate revoked"), "{refused}");
    let args = crl_check("group.pem");
    openssl(d, &args.iter().map(String::as_str).collect::<Vec<_>>());

    // The revoked certificate can no longer be collected; the group one still can.
    let a = app
        .get(&routes::COLLECT.replace("{token}", &personal_token), None)
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::GONE, "certificate_revoked")
    );
    let a = app
        .get(
            &routes::COLLECT.replace("{token}", "A".repeat(43).as_str()),
            None,
        )
        .await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "collect_link_invalid")
    );
    let list = app.get(routes::REQUESTS, Some(&alice)).await;
    let states: Vec<(i64, String)> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        states.contains(&(personal_id, "revoked".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&(group_id, "collected".into())),
        "{states:?}"
    );

    // Each step is in the audit log, whose chain is intact.
    let log = app.store.recent_audit(500).await.unwrap();
    for action in [
        "certificate_issued",
        "certificate_collected",
        "certificate_revoked",
    ] {
        assert!(
            log.iter().any(|e| e.action == action),
            "{action} not audited"
        );
    }
    assert_eq!(app.store.verify_audit().await.unwrap().first_broken, None);
    app.stop().await;
}

/// Signs with the real CA, then never returns: the process "dies" after the signature and
/// before anything is stored.
struct SignsThenHangs {
    ca: Arc<BuiltinCa>,
    signed: Arc<Notify>,
}

impl Issuer for SignsThenHangs {
    fn name(&self) -> &'static str {
        "builtin"
    }

    fn issue<'a>(
        &'a self,
        order: &'a Order,
        now: UnixTime,
        random: &'a dyn Random,
    ) -> IssueFuture<'a> {
        Box::pin(async move {
            let _signed: Issued = self.ca.issue_now(order, now, random)?;
            self.signed.notify_one();
            std::future::pending().await
        })
    }
}

/// The desk approves request `id` with [`evidence`].
pub(crate) async fn approve(app: &App, desk: &str, id: i64) {
    let a = app
        .post(
            &routes::with_id(routes::DESK_REQUEST_APPROVE, id),
            evidence(),
            Some(desk),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
}

/// Alice asks for a personal P-256 certificate; the new request's id.
pub(crate) async fn request_personal_p256(app: &App, alice: &str) -> i64 {
    let a = app
        .post(
            routes::REQUESTS,
            json!({"kind": "personal", "addresses": [ALICE], "given_name": "Alice",
                   "surname": "Müller", "csr": csr(key(KeyType::EcdsaP256), &[ALICE]),
                   "terms_accepted": true}),
            Some(alice),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    a.body["id"].as_i64().unwrap()
}

async fn crash_during_issuance_issues_once(db: Db) {
    // The server runs without a CA, so only the workers below issue.
    let app = App::start_with(db, |c| {
        ca_settings(c);
        c.ca.passphrase = Some(certdesk::config::Secret(
            crate::support::app::CA_PASSPHRASE.into(),
        ));
    })
    .await;
    certdesk::operators::set_role(&app.store, DESK, Role::Desk)
        .await
        .unwrap();
    let alice = app.sign_in(ALICE).await;
    let desk = app.sign_in(DESK).await;
    let id = request_personal_p256(&app, &alice).await;
    approve(&app, &desk, id).await;

    let env = Env {
        clock: Arc::new(app.clock.clone()),
        random: Arc::new(OsRandom),
    };
    crate::support::app::make_ca(&app.config, &env).await;
    let ca = Arc::new(
        BuiltinCa::load(&app.store, &app.config)
            .await
            .unwrap()
            .unwrap(),
    );
    let config = Arc::new(app.config.clone());
    let worker = |issuer: Arc<dyn Issuer>| {
        IssuanceWorker::new(
            app.store.clone(),
            config.clone(),
            env.clone(),
            issuer,
            IssuanceHandle::default(),
            WorkerHandle::default(),
        )
    };

    // The first worker signs and dies before storing.
    let signed = Arc::new(Notify::new());
    let doomed = worker(Arc::new(SignsThenHangs {
        ca: ca.clone(),
        signed: signed.clone(),
    }));
    let task = tokio::spawn(async move { doomed.issue_due().await });
    signed.notified().await;
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert_eq!(app.store.certificate_count(id).await.unwrap(), 0);
    let (state, attempts, _) = app.store.issue_job_state(id).await.unwrap().unwrap();
    assert_eq!((state.as_str(), attempts), ("pending", 1));

    // After a restart the job waits for the dead worker's lease, then issues exactly once.
    let survivor = worker(ca.clone());
    assert_eq!(survivor.issue_due().await.unwrap(), 0, "still leased");
    app.clock.advance(LEASE + 1);
    assert_eq!(survivor.issue_due().await.unwrap(), 1);
    assert_eq!(survivor.issue_due().await.unwrap(), 0);
    assert_eq!(worker(ca).issue_due().await.unwrap(), 0);
    assert_eq!(app.store.certificate_count(id).await.unwrap(), 1);
    let (state, attempts, _) = app.store.issue_job_state(id).await.unwrap().unwrap();
    assert_eq!((state.as_str(), attempts), ("done", 2));
    let mine = app
        .get(&routes::with_id(routes::REQUEST, id), Some(&alice))
        .await;
    assert_eq!(mine.body["state"], "issued");
    app.stop().await;
}
