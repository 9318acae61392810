//! The request wizard's rules, the password rules, the strength worker's answers and My
//! certificates' actions, in headless Chromium without a server.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use certdesk_frontend::bundle;
use certdesk_frontend::components::password_rules::{Meter, PasswordProblem, check};
use certdesk_frontend::components::strength;
use certdesk_frontend::pages::certificates::{Actions, actions};
use certdesk_frontend::pages::request::state::{
    Draft, Problem, Step, kinds_offered, problem, step_of,
};
use shared::api::{
    CertificateSummary, ErrorCode, MailboxView, RequestKind, RequestOptions, RequestState,
    RequestView,
};
use shared::pki::KeyType;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// What the strength bundle exports: the worker loads this test's own module in its place.
#[wasm_bindgen(js_name = certdeskStrength)]
pub fn strength_in_worker(password: &str, inputs: js_sys::Array) -> JsValue {
    strength::evaluate(password, &inputs)
}

const ALICE: &str = "alice@example.org";
const GOOD: &str = "Grüne Äpfel tanzen leise";

fn options(mailboxes: &[(&str, RequestKind)]) -> RequestOptions {
    RequestOptions {
        email: ALICE.into(),
        mailboxes: mailboxes
            .iter()
            .map(|(a, k)| MailboxView {
                address: (*a).into(),
                kind: *k,
                display_name: format!("Mailbox {a}"),
            })
            .collect(),
        key_types: vec![KeyType::Rsa3072, KeyType::EcdsaP256],
        open_requests: 0,
        max_open_requests: 3,
        identity_check_needed: true,
        desk_instructions: None,
    }
}

#[wasm_bindgen_test]
fn password_rules_are_enforced_in_order() {
    use PasswordProblem::*;
    assert_eq!(check("kurz", "kurz", Meter::Score(4)), [TooShort]);
    assert_eq!(
        check("password12", "password12", Meter::Score(0)),
        [TooEasyToGuess]
    );
    assert_eq!(check(GOOD, GOOD, Meter::Score(4)), []);
    assert_eq!(
        check("Grüne Äpfel", "Grüne Äpfel", Meter::Unavailable),
        [TooShortWithoutMeter]
    );
    assert_eq!(check(GOOD, GOOD, Meter::Unavailable), []);
    assert_eq!(check(GOOD, "grüne äpfel", Meter::Score(3)), [Mismatch]);
    // Characters, not bytes: ten umlauts are ten characters.
    assert_eq!(check("ääääääääää", "ääääääääää", Meter::Score(3)), []);
    assert_eq!(check("äääääääää", "äääääääää", Meter::Score(3)), [TooShort]);
}

#[wasm_bindgen_test]
fn steps_go_forward_and_back_in_order() {
    assert_eq!(Step::Kind.number(), 1);
    assert_eq!(Step::Terms.number(), 6);
    assert_eq!(Step::Kind.previous(), None);
    assert_eq!(Step::Terms.next(), None);
    let mut s = Step::Kind;
    let mut seen = vec![s];
    while let Some(n) = s.next() {
        assert_eq!(n.previous(), Some(s));
        s = n;
        seen.push(s);
    }
    assert_eq!(seen, Step::ALL);
}

#[wasm_bindgen_test]
fn role_and_group_are_offered_only_with_an_owned_mailbox() {
    assert_eq!(kinds_offered(&options(&[])), [RequestKind::Personal]);
    let o = options(&[("secretariat@example.org", RequestKind::Group)]);
    assert_eq!(
        kinds_offered(&o),
        [RequestKind::Personal, RequestKind::Group]
    );
}

#[wasm_bindgen_test]
fn the_draft_keeps_what_was_typed_and_checks_each_step() {
    let o = options(&[
        ("secretariat@example.org", RequestKind::Group),
        ("dpo@example.org", RequestKind::Role),
    ]);
    let mut d = Draft::new(&o);
    assert_eq!(d.key_type, KeyType::Rsa3072, "the safe default");
    assert_eq!(d.addresses, [ALICE]);
    let m = Meter::Score(4);
    assert_eq!(problem(Step::Kind, &d, &o, m), None);
    assert_eq!(problem(Step::Addresses, &d, &o, m), None);
    assert_eq!(
        problem(Step::Names, &d, &o, m),
        Some(Problem::GivenNameMissing)
    );
    d.given_name = "Jörg".into();
    assert_eq!(
        problem(Step::Names, &d, &o, m),
        Some(Problem::SurnameMissing)
    );
    d.surname = "Müller-Lüdenscheidt".into();
    assert_eq!(problem(Step::Names, &d, &o, m), None);
    d.surname = "x".repeat(64);
    assert_eq!(problem(Step::Names, &d, &o, m), Some(Problem::NameTooLong));
    d.surname = "Müller".into();

    // To a group and back: the names stay, the addresses follow the kind.
    d.set_kind(RequestKind::Group, &o);
    assert_eq!(d.addresses, ["secretariat@example.org"], "the only one");
    assert_eq!(problem(Step::Names, &d, &o, m), None, "no names for groups");
    d.toggle_address("secretariat@example.org", false);
    assert_eq!(
        problem(Step::Addresses, &d, &o, m),
        Some(Problem::NoAddress)
    );
    d.toggle_address("dpo@example.org", true);
    assert_eq!(
        problem(Step::Addresses, &d, &o, m),
        Some(Problem::NoAddress),
        "a role mailbox is no group mailbox"
    );
    d.toggle_address("dpo@example.org", false);
    d.toggle_address("secretariat@example.org", true);
    let r = d.to_request("CSR".into());
    assert_eq!(
        (r.kind, r.given_name, r.surname),
        (RequestKind::Group, None, None)
    );
    assert_eq!(
        d.key_file_name("20261121"),
        "GRP_secretariat@example.org_20261121_key.pem"
    );
    d.set_kind(RequestKind::Personal, &o);
    assert_eq!(d.given_name, "Jörg");
    let r = d.to_request("CSR".into());
    assert_eq!(r.addresses, [ALICE]);
    assert_eq!(r.given_name.as_deref(), Some("Jörg"));
    assert_eq!(
        d.key_file_name("20261121"),
        "alice@example.org_20261121_key.pem"
    );

    d.key_type = KeyType::Rsa4096;
    assert_eq!(
        problem(Step::KeyType, &d, &o, m),
        Some(Problem::KeyTypeNotAllowed)
    );
    d.password = GOOD.into();
    d.confirm = GOOD.into();
    assert_eq!(problem(Step::Password, &d, &o, m), None);
    assert_eq!(
        problem(Step::Password, &d, &o, Meter::Score(2)),
        Some(Problem::Password(vec![PasswordProblem::TooEasyToGuess]))
    );
    assert_eq!(
        problem(Step::Terms, &d, &o, m),
        Some(Problem::TermsNotAccepted)
    );
    d.terms_accepted = true;
    assert!(d.to_request("CSR".into()).terms_accepted);
}

#[wasm_bindgen_test]
fn refusals_lead_back_to_their_step() {
    assert_eq!(step_of(ErrorCode::NotMailboxOwner), Some(Step::Addresses));
    assert_eq!(step_of(ErrorCode::NameInvalid), Some(Step::Names));
    assert_eq!(step_of(ErrorCode::RsaRoca), Some(Step::KeyType));
    assert_eq!(step_of(ErrorCode::TermsNotAccepted), Some(Step::Terms));
    assert_eq!(step_of(ErrorCode::TooManyOpenRequests), None);
}

#[wasm_bindgen_test]
async fn the_strength_worker_answers() {
    bundle::replace(bundle::STRENGTH, &bundle::own_glue_url());
    let weak = strength::estimate("password", &[]).await.unwrap();
    assert_eq!(weak.score, 0);
    assert_eq!(weak.warning.as_deref(), Some("ThisIsATop10Password"));
    let own = strength::estimate("alice@example.org", &[ALICE.into()])
        .await
        .unwrap();
    assert!(
        own.score < 3,
        "the person's own address is easy to guess: {own:?}"
    );
    let good = strength::estimate(GOOD, &[]).await.unwrap();
    assert!(good.score >= 3, "{good:?}");
    for name in good.suggestions.iter().chain(weak.suggestions.iter()) {
        let lang = certdesk_frontend::i18n::Lang(shared::api::Language::De);
        assert!(strength::hint(lang, name).is_some(), "untranslated: {name}");
    }
}

fn request(state: RequestState, not_after: i64, revoked: bool) -> RequestView {
    RequestView {
        id: 1,
        code: "CD-AAAA-AAAA".into(),
        kind: RequestKind::Personal,
        state,
        requester: ALICE.into(),
        addresses: vec![ALICE.into()],
        given_name: None,
        surname: None,
        display_name: None,
        key_type: KeyType::Rsa3072,
        created_at: 0,
        updated_at: 0,
        decided_at: None,
        decided_by: None,
        reason: None,
        certificate: matches!(
            state,
            RequestState::Issued | RequestState::Collected | RequestState::Revoked
        )
        .then(|| CertificateSummary {
            serial: "0a".into(),
            not_before: 0,
            not_after,
            collected_at: None,
            revoked_at: revoked.then_some(50),
            revocation_reason: None,
        }),
    }
}

#[wasm_bindgen_test]
fn my_certificates_offers_what_the_state_allows() {
    let none = Actions::default();
    let open = Actions {
        withdraw: true,
        ..none
    };
    let live = Actions {
        revoke: true,
        collect_again: true,
        ..none
    };
    assert_eq!(
        actions(&request(RequestState::AwaitingIdentityCheck, 0, false), 100),
        open
    );
    assert_eq!(
        actions(&request(RequestState::Approved, 0, false), 100),
        open
    );
    assert_eq!(
        actions(&request(RequestState::Collected, 200, false), 100),
        live
    );
    assert_eq!(
        actions(&request(RequestState::Issued, 200, false), 100),
        live
    );
    assert_eq!(
        actions(&request(RequestState::Collected, 50, false), 100),
        none,
        "expired"
    );
    assert_eq!(
        actions(&request(RequestState::Revoked, 200, true), 100),
        none
    );
    assert_eq!(
        actions(&request(RequestState::Rejected, 0, false), 100),
        none
    );
}
