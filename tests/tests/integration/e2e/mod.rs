//! The web app end to end, in headless Chromium against the real server with the built-in CA
//! and the real SMTP server: a person signs in from the mailed link, requests a personal
//! (RSA-3072) and a group (P-256) certificate and saves the key files; a desk officer records
//! the identity check and approves both; the person collects both from the mailed links, and
//! every .p12 opens with openssl and holds the key of its certificate. Everything the browser
//! sends passes a recording proxy, which must never see the password, a key file or a key.
//! The run's screenshots are the ones in docs/screenshots/.

mod files;
mod harness;
mod leaks;

use std::path::{Path, PathBuf};

use serde_json::json;
use shared::api::routes;

use self::harness::{DESKTOP, PHONE, QUICK, Run, SLOW, link_in};
use self::leaks::Secrets;
use crate::support::web_root;

const ALICE: &str = "alice@example.org";
const DESK: &str = "desk@example.org";
const GROUP: &str = "secretariat@example.org";
const GROUP_NAME: &str = "Secretariat of the Physics Department";
/// Umlauts and a sharp s: the key file (PBES2) takes them as UTF-8, the .p12 as UTF-16.
const PASSWORD: &str = "Grüße-Kölner-Dom-2026";

/// The crypto bundle's WebAssembly: fetched when a step needs it, never on the first load.
const CRYPTO_BUNDLE: &str = "/certdesk-crypto_bg.wasm";

/// What `openssl pkcs12 -info` tells of each kind of .p12 file.
const MODERN: &[&str] = &["MAC: sha256", "PBES2, PBKDF2, AES-256-CBC"];
const COMPATIBLE: &[&str] = &["MAC: sha1", "pbeWithSHA1And3-KeyTripleDES-CBC"];

/// One request made in the browser: its code and the key file the browser saved.
struct Requested {
    code: String,
    key_file: PathBuf,
    address: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_gets_two_certificates_through_the_web_app() {
    let mut run = Run::start(ALICE, (GROUP, GROUP_NAME), DESK, true).await;
    let work = tempfile::tempdir().unwrap();

    sign_in(&mut run, ALICE, true).await;
    let crypto_before_request = fetched(&run, CRYPTO_BUNDLE);
    let personal = request_personal(&run, work.path()).await;
    let group = request_group(&run, work.path()).await;
    sign_out(&run).await;

    sign_in(&mut run, DESK, false).await;
    approve(&run, &personal.code, true).await;
    approve(&run, &group.code, false).await;
    sign_out(&run).await;

    let mut collected = Vec::new();
    for shots in [true, false] {
        collected.push(collect(&mut run, &[&personal, &group], shots).await);
    }

    // What the browser sent, searched for every secret of this run.
    let mut secrets = Secrets::default();
    secrets.password("the password", PASSWORD);
    for (name, r) in [("personal", &personal), ("group", &group)] {
        files::add_key_secrets(&mut secrets, work.path(), name, &r.key_file, PASSWORD);
    }
    let sent = run.proxy.sent();
    let leaked = secrets.find(&sent);
    // The search must find what the page sends: secrets sent on purpose, after the run.
    plant_secrets(&run, &personal.key_file).await;
    let planted = secrets.find(&run.proxy.sent()[sent.len()..]);
    let _downloads = run.stop().await;

    assert!(sent.len() > 20, "the proxy saw the run: {}", sent.len());
    assert!(
        !crypto_before_request,
        "the start and sign-in pages fetched the crypto bundle"
    );
    assert!(
        sent.iter().any(|s| s.target.ends_with(CRYPTO_BUNDLE)),
        "the request and collect pages fetched the crypto bundle through the proxy"
    );
    assert!(
        sent.iter()
            .any(|s| s.target.contains(routes::REQUESTS) && s.method == "POST"),
        "the requests were sent through the proxy"
    );
    assert_eq!(leaked, Vec::<String>::new(), "secrets left the browser");
    for (what, place) in [
        ("password (UTF-8)", "body"),
        ("password (percent-encoded)", "URL"),
        ("personal key file (body line", "body"),
    ] {
        assert!(
            planted
                .iter()
                .any(|p| p.contains(what) && p.contains(&format!("in the {place}"))),
            "the planted {what} in a {place} was not found: {planted:?}"
        );
    }
    assert_ne!(collected[0].0.code, collected[1].0.code, "one link each");
    for (requested, [modern, compatible]) in &collected {
        let public_key = files::key_file_public_key(work.path(), &requested.key_file, PASSWORD);
        for (p12, protection) in [(modern, MODERN), (compatible, COMPATIBLE)] {
            files::judge_p12(
                work.path(),
                p12,
                PASSWORD,
                protection,
                requested.address,
                &public_key,
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crypto_bundle_that_does_not_load_is_explained_and_tried_again() {
    // The app as a filtering proxy might deliver it: the crypto bundle's WebAssembly damaged.
    let web = tempfile::tempdir().unwrap();
    copy_dir(&web_root(), web.path());
    let wasm = web.path().join(CRYPTO_BUNDLE.trim_start_matches('/'));
    let good = std::fs::read(&wasm).unwrap();
    std::fs::write(&wasm, b"<html>blocked by your proxy</html>").unwrap();
    let mut run =
        Run::start_serving(web.path().into(), ALICE, (GROUP, GROUP_NAME), DESK, false).await;

    sign_in(&mut run, ALICE, false).await;
    personal_to_key_type(&run, false).await;
    run.click("#wizard-key-type-ecdsa-p256").await;
    next(&run, "key-type", "password").await;
    password_terms_generate(&run, false).await;
    let refused = run
        .wait_for("#wizard-error", SLOW)
        .await
        .text()
        .await
        .unwrap();
    // The download works again: the same button tries again, without a reload.
    std::fs::write(&wasm, good).unwrap();
    run.click("#wizard-generate").await;
    let key_file = run
        .wait_for("#wizard-key-file-name", SLOW)
        .await
        .text()
        .await
        .unwrap();
    run.stop().await;

    assert!(
        refused.contains("could not load the part of certdesk"),
        "{refused}"
    );
    assert!(key_file.ends_with(".pem"), "{key_file}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Whether the browser has fetched `path` so far.
fn fetched(run: &Run, path: &str) -> bool {
    run.proxy.sent().iter().any(|s| s.target.ends_with(path))
}

/// Sends the password (in a URL and a body) and a key file from the page, as a broken page
/// would.
async fn plant_secrets(run: &Run, key_file: &Path) {
    let pem = std::fs::read_to_string(key_file).unwrap();
    run.browser
        .client
        .execute(
            "return Promise.all([
                fetch('/api/health?p=' + encodeURIComponent(arguments[0])),
                fetch('/api/health', {method: 'POST', body: JSON.stringify({p: arguments[0]})}),
                fetch('/api/health', {method: 'POST', body: JSON.stringify({k: arguments[1]})}),
            ]).then(() => true)",
            vec![json!(PASSWORD), json!(pem)],
        )
        .await
        .unwrap();
}

/// Signs `email` in: the address form, the mailed link, the Continue page.
async fn sign_in(run: &mut Run, email: &str, shots: bool) {
    run.open("/").await;
    run.fill("#signin-email", email).await;
    if shots {
        run.shot("01-signin", None).await;
    }
    run.click("#signin-submit").await;
    run.wait_for("#signin-sent", QUICK).await;
    assert_eq!(run.text("#signin-sent-address").await, email);
    if shots {
        run.shot("02-check-mail", None).await;
    }
    let mail = run.mail(email, "/signin#").await;
    let link = link_in(&mail, "/signin#");
    assert!(link.starts_with(&run.proxy.url), "{link}");
    run.open(&link).await;
    run.wait_for("#signin-continue", QUICK).await;
    if shots {
        run.shot("03-continue", None).await;
    }
    run.click("#signin-continue").await;
    run.wait_for("#sign-out", QUICK).await;
}

async fn sign_out(run: &Run) {
    run.click("#sign-out").await;
    // Signed out: the start page offers the sign-in form again.
    run.wait_for("#signin-email", QUICK).await;
}

/// Opens the wizard from the start page and waits for its first step.
async fn open_wizard(run: &Run) {
    run.open("/").await;
    run.click("#home-request").await;
    wizard_at(run, "kind").await;
}

async fn wizard_at(run: &Run, step: &str) {
    run.wait_for(&format!("#wizard-progress[data-step='{step}']"), QUICK)
        .await;
}

/// Goes on from the wizard's step `from` to the step `to`.
async fn next(run: &Run, from: &str, to: &str) {
    wizard_at(run, from).await;
    run.click("#wizard-next").await;
    wizard_at(run, to).await;
}

/// The password typed twice and judged strong, the terms accepted, *Make my key* pressed.
async fn password_terms_generate(run: &Run, shots: bool) {
    run.fill("#wizard-password", PASSWORD).await;
    run.fill("#wizard-password-confirm", PASSWORD).await;
    run.wait_for(
        "#wizard-strength:is([data-score='3'], [data-score='4'])",
        QUICK,
    )
    .await;
    if shots {
        run.shot("06-wizard-password", Some("#wizard-progress"))
            .await;
    }
    next(run, "password", "terms").await;
    run.click("#wizard-terms").await;
    run.click("#wizard-generate").await;
}

/// The password step, the terms, generating the key, saving the key file (a copy goes to
/// `dir`), confirming and sending.
async fn finish_wizard(run: &Run, dir: &Path, address: &'static str, shots: bool) -> Requested {
    password_terms_generate(run, shots).await;
    // Key generation (RSA-3072 in particular) takes a while on a busy machine.
    let name = run
        .wait_for("#wizard-key-file-name", SLOW)
        .await
        .text()
        .await
        .unwrap();
    let saved = run.download(&name).await;
    let key_file = dir.join(&name);
    std::fs::copy(&saved, &key_file).unwrap();
    if shots {
        run.shot("07-key-file", None).await;
    }
    run.click("#wizard-key-saved").await;
    run.click("#wizard-submit").await;
    run.wait_for("#wizard-submitted", QUICK).await;
    let code = run.text("#wizard-request-code").await;
    if shots {
        run.shot("08-submitted", None).await;
    }
    Requested {
        code,
        key_file,
        address,
    }
}

/// From the start page through the wizard's first steps of a personal certificate, to the
/// key type; screenshots of the first step, also at a phone's width, when `shots`.
async fn personal_to_key_type(run: &Run, shots: bool) {
    open_wizard(run).await;
    run.click("#wizard-kind-personal").await;
    if shots {
        run.shot("04-wizard-kind", None).await;
        run.window(PHONE).await;
        run.shot("05-wizard-phone", None).await;
        run.window(DESKTOP).await;
    }
    next(run, "kind", "addresses").await;
    assert!(
        run.is_selected("#wizard-address-own").await,
        "#wizard-address-own"
    );
    next(run, "addresses", "names").await;
    run.fill("#wizard-given-name", "Alice").await;
    run.fill("#wizard-surname", "Müller").await;
    next(run, "names", "key-type").await;
}

/// A personal certificate with the recommended RSA-3072 key, through the wizard.
async fn request_personal(run: &Run, dir: &Path) -> Requested {
    personal_to_key_type(run, true).await;
    // The recommended key type is chosen already.
    assert!(
        run.is_selected("#wizard-key-type-rsa-3072").await,
        "#wizard-key-type-rsa-3072"
    );
    next(run, "key-type", "password").await;
    finish_wizard(run, dir, ALICE, true).await
}

/// A certificate for the group mailbox Alice owns, with a P-256 key, through the wizard.
async fn request_group(run: &Run, dir: &Path) -> Requested {
    open_wizard(run).await;
    run.click("#wizard-kind-group").await;
    next(run, "kind", "addresses").await;
    let mailbox = format!("input[data-address='{GROUP}']");
    // The only mailbox may come ticked already.
    if !run.is_selected(&mailbox).await {
        run.click(&mailbox).await;
    }
    next(run, "addresses", "names").await;
    assert_eq!(run.text("#wizard-display-name").await, GROUP_NAME);
    next(run, "names", "key-type").await;
    run.click("#wizard-key-type-ecdsa-p256").await;
    next(run, "key-type", "password").await;
    finish_wizard(run, dir, GROUP, false).await
}

/// The desk officer opens the request `code` from the queue, records the identity check
/// and approves.
async fn approve(run: &Run, code: &str, shots: bool) {
    run.open("/desk").await;
    run.wait_for("#desk-queue", QUICK).await;
    let row = format!("#desk-queue tr[data-code='{code}']");
    run.wait_for(&row, QUICK).await;
    if shots {
        run.shot("09-desk-queue", None).await;
        // On a phone the queue is a list of cards that fits the screen, not a wide table.
        run.window(PHONE).await;
        let fits = run
            .browser
            .client
            .execute(
                "const t = document.getElementById('desk-queue');
                 return t.scrollWidth <= t.parentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        run.shot("09-desk-queue-phone", Some("#desk-queue")).await;
        run.window(DESKTOP).await;
        assert_eq!(
            fits,
            json!(true),
            "the queue is wider than a phone's screen"
        );
    }
    run.click(&format!("#desk-open-{code}")).await;
    run.wait_for("#desk-evidence-form", QUICK).await;
    assert_eq!(run.text("#desk-request-code").await, code);
    run.click("#evidence-method-in-person").await;
    run.click("#evidence-document-type option[value='id_card']")
        .await;
    for (field, value) in [
        ("#evidence-issuing-authority", "Stadt München"),
        ("#evidence-issuing-country", "DE"),
        ("#evidence-document-number", "L01X00T47"),
        ("#evidence-document-expiry", "2031-06-30"),
        ("#evidence-name-on-document", "Alice Müller"),
        ("#evidence-given-name", "Alice"),
        ("#evidence-surname", "Müller"),
    ] {
        run.fill(field, value).await;
    }
    if shots {
        run.shot("10-desk-evidence", Some("#desk-evidence-form"))
            .await;
    }
    run.click("#desk-approve").await;
    run.wait_for("#desk-result", QUICK).await;
    run.wait_for(
        "#desk-detail:is([data-state='approved'], [data-state='issued'])",
        QUICK,
    )
    .await;
}

/// Opens the next mailed collect link, gives the key file and password of the request it
/// is for, and saves both .p12 files; returns the request and the files (modern,
/// compatible).
async fn collect<'a>(
    run: &mut Run,
    requests: &[&'a Requested],
    shots: bool,
) -> (&'a Requested, [PathBuf; 2]) {
    let mail = run.mail(ALICE, "/collect#").await;
    let link = link_in(&mail, "/collect#");
    assert!(link.starts_with(&run.proxy.url), "{link}");
    run.open(&link).await;
    run.wait_for("#collect-summary", QUICK).await;
    let code = run.text("#collect-code").await;
    let requested = *requests
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("a collect link for {code}, not one of this run's requests"));
    assert!(
        mail.contains(requested.address),
        "the mail names the address: {mail}"
    );
    assert!(
        run.text("#collect-addresses")
            .await
            .contains(requested.address)
    );
    run.wait_for("#collect-key-file", QUICK)
        .await
        .send_keys(requested.key_file.to_str().unwrap())
        .await
        .unwrap();
    let file_name = requested.key_file.file_name().unwrap().to_str().unwrap();
    assert!(run.text("#collect-key-file-name").await.contains(file_name));
    run.fill("#collect-password", PASSWORD).await;
    if shots {
        run.shot("11-collect", Some("#collect-summary")).await;
    }
    run.click("#collect-build").await;
    run.wait_for("#collect-ready", SLOW).await;
    let mut saved = Vec::new();
    for button in ["#collect-download-modern", "#collect-download-compatible"] {
        let name = run.text(&format!("{button} .file-name")).await;
        run.click(button).await;
        saved.push(run.download(&name).await);
    }
    if shots {
        run.shot("12-collect-done", Some("#collect-ready")).await;
    }
    (requested, [saved.remove(0), saved.remove(0)])
}
