//! The collect page, opened from the mailed link `/collect#TOKEN`: shows what was issued,
//! takes the key file and its password, checks that the key belongs to the certificate and
//! builds the two .p12 files. The key file, its password and the key never leave the browser.
//!
//! Element ids (for the end-to-end test):
//! - `collect-loading` while the certificate loads; `collect-link-error` (role=alert, with
//!   `data-code` = the API's error code, or `no_token`) when the link is not usable;
//! - `collect-summary`: `collect-addresses`, `collect-kind`, `collect-valid-from`,
//!   `collect-valid-until`, `collect-issuer`, `collect-code`;
//! - the form: `collect-key-file` (file input; its drop zone `collect-key-file-zone`, the
//!   chosen name `collect-key-file-name`), `collect-password`, `collect-build` (submit);
//! - `collect-progress` (role=status, `data-stage` = `opening`, `modern`, `compatible`)
//!   while working; `collect-error` (role=alert, `data-code` = the PkiError code);
//! - `collect-ready` once both files are built: `collect-download-modern`,
//!   `collect-download-compatible` (buttons; the files are `<stem>.p12` and
//!   `<stem>_compatible.p12`);
//! - import guides: `guide-thunderbird`, `guide-outlook`, `guide-apple-mail`, `guide-ios`,
//!   `guide-android` (`<details>`).

mod guides;

use std::rc::Rc;

use shared::api::{ApiError, Collected, ErrorCode, routes};
use shared::pki::{P12Format, PkiError};
use yew::prelude::*;

use crate::api;
use crate::components::download::save_bytes;
use crate::components::key_file_input::{ChooseError, ChosenFile, KeyFileInput};
use crate::components::labels::kind_label;
use crate::components::p12_files::{common_name, p12_file_name};
use crate::components::pki_messages::pki_error_text;
use crate::crypto_bundle::{self, CollectInput, CollectStage as Stage, P12Files};
use crate::i18n::{Lang, use_lang};
use crate::route::{self, Link, Route};

/// The certificate behind the link, and who issued it.
#[derive(PartialEq)]
struct Issued {
    collected: Collected,
    issuer: String,
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    /// The address has no `#token` (opened without the mail's link, or reloaded).
    NoToken,
    Failed(ApiError),
    Ready(Rc<Issued>),
}

#[derive(Clone, PartialEq)]
enum Work {
    Idle,
    Working(Stage),
    Failed(PkiError),
    Done(Rc<P12Files>),
}

async fn load(token: &str, lang: Lang) -> Result<Issued, ApiError> {
    // The crypto bundle loads while the certificate does: the page needs it for the
    // issuer's name and for the files.
    crypto_bundle::preload();
    // The token is in the path: a token is URL-safe base64 and gets no escaping.
    let collected: Collected = api::get(&routes::COLLECT.replace("{token}", token)).await?;
    let issuer = crypto_bundle::issuer_name(&collected.certificate_pem)
        .await
        .map_err(|e| {
            let why = match e {
                PkiError::CryptoUnavailable => pki_error_text(lang, e),
                _ => "the server's certificate cannot be read",
            };
            ApiError::new(ErrorCode::Internal, why)
        })?;
    Ok(Issued {
        collected,
        issuer: common_name(&issuer),
    })
}

#[function_component(Collect)]
pub fn page() -> Html {
    let lang = use_lang();
    // Read once: taking it also clears it from the address bar.
    let token = use_state(route::take_fragment);
    let loaded = use_state(|| Load::Loading);
    {
        let loaded = loaded.clone();
        let token = (*token).clone();
        use_effect_with((), move |_| match token {
            None => loaded.set(Load::NoToken),
            Some(token) => wasm_bindgen_futures::spawn_local(async move {
                loaded.set(match load(&token, lang).await {
                    Ok(issued) => Load::Ready(Rc::new(issued)),
                    Err(e) => Load::Failed(e),
                });
            }),
        });
    }
    let body = match &*loaded {
        Load::Loading => html! {
            <p id="collect-loading" role="status">
                <span class="spinner" aria-hidden="true"></span>
                { lang.t("Loading your certificate…", "Ihr Zertifikat wird geladen …") }
            </p>
        },
        Load::NoToken => link_error(lang, "no_token", None),
        Load::Failed(e) => link_error(lang, e.code.as_str(), Some(e)),
        Load::Ready(issued) => html! {
            <>
                <Summary issued={issued.clone()} />
                <BuildFiles issued={issued.clone()} />
                <guides::ImportGuides />
            </>
        },
    };
    html! {
        <section class="collect">
            <h1>{ lang.t("Collect your certificate", "Zertifikat abholen") }</h1>
            { body }
        </section>
    }
}

/// Why the link cannot be used, and what to do instead.
fn link_error(lang: Lang, code: &str, error: Option<&ApiError>) -> Html {
    let again = lang.t(
        "You can open the collect link again at any time: sign in, go to My certificates and \
         choose \"Collect\" next to the certificate.",
        "Sie können den Abholungslink jederzeit erneut öffnen: Melden Sie sich an, gehen Sie zu \
         „Meine Zertifikate“ und wählen Sie „Abholen“ beim Zertifikat.",
    );
    let new_one = lang.t(
        "Please request a new certificate.",
        "Bitte beantragen Sie ein neues Zertifikat.",
    );
    let (what, todo, to) = match error.map(|e| e.code) {
        None => (
            lang.t(
                "This page needs the complete link from the mail that told you your certificate \
                 is ready.",
                "Diese Seite braucht den vollständigen Link aus der Mail, mit der Ihnen die \
                 Ausstellung Ihres Zertifikats mitgeteilt wurde.",
            ),
            again,
            Route::Certificates,
        ),
        Some(ErrorCode::CollectLinkInvalid) => (
            lang.t(
                "This collect link is not valid. Perhaps only part of it was copied.",
                "Dieser Abholungslink ist ungültig. Vielleicht wurde nur ein Teil davon kopiert.",
            ),
            again,
            Route::Certificates,
        ),
        Some(ErrorCode::CertificateRevoked) => (
            lang.t(
                "This certificate has been revoked and can no longer be collected.",
                "Dieses Zertifikat wurde widerrufen und kann nicht mehr abgeholt werden.",
            ),
            new_one,
            Route::Request,
        ),
        Some(ErrorCode::CertificateExpired) => (
            lang.t(
                "This certificate has expired and can no longer be collected.",
                "Dieses Zertifikat ist abgelaufen und kann nicht mehr abgeholt werden.",
            ),
            new_one,
            Route::Request,
        ),
        Some(_) => (
            lang.t(
                "The certificate could not be loaded.",
                "Das Zertifikat konnte nicht geladen werden.",
            ),
            lang.t(
                "Please try again in a moment. If it keeps failing, open the link again from My \
                 certificates or contact the service desk.",
                "Bitte versuchen Sie es gleich noch einmal. Wenn es weiterhin scheitert, öffnen \
                 Sie den Link erneut über „Meine Zertifikate“ oder wenden Sie sich an den \
                 Service-Desk.",
            ),
            Route::Certificates,
        ),
    };
    let link_text = match to {
        Route::Request => lang.t("Request a certificate", "Zertifikat beantragen"),
        _ => lang.t("My certificates", "Meine Zertifikate"),
    };
    html! {
        <div id="collect-link-error" class="error" role="alert" data-code={code.to_owned()}>
            <p><strong>{ what }</strong></p>
            <p>{ todo }</p>
            if let Some(e) = error.filter(|e| e.code == ErrorCode::Internal) {
                <p class="muted">{ e.message.clone() }</p>
            }
            <p><Link {to}>{ link_text }</Link></p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct IssuedProps {
    issued: Rc<Issued>,
}

/// What was issued: addresses, kind, validity, issuer.
#[function_component(Summary)]
fn summary(props: &IssuedProps) -> Html {
    let lang = use_lang();
    let c = &props.issued.collected;
    html! {
        <section id="collect-summary" aria-labelledby="collect-summary-title">
            <h2 id="collect-summary-title">{ lang.t("Your certificate", "Ihr Zertifikat") }</h2>
            <dl class="facts">
                <dt>{ lang.t("For", "Für") }</dt>
                <dd id="collect-addresses">{ c.addresses.join(", ") }</dd>
                <dt>{ lang.t("Name in mail programs", "Name in Mailprogrammen") }</dt>
                <dd id="collect-friendly-name">{ c.friendly_name.clone() }</dd>
                <dt>{ lang.t("Kind", "Art") }</dt>
                <dd id="collect-kind">{ kind_label(lang, c.kind) }</dd>
                <dt>{ lang.t("Valid from", "Gültig ab") }</dt>
                <dd id="collect-valid-from">{ lang.date(c.not_before) }</dd>
                <dt>{ lang.t("Valid until", "Gültig bis") }</dt>
                <dd id="collect-valid-until">{ lang.date(c.not_after) }</dd>
                <dt>{ lang.t("Issued by", "Ausgestellt von") }</dt>
                <dd id="collect-issuer">{ props.issued.issuer.clone() }</dd>
                <dt>{ lang.t("Request code", "Antragsnummer") }</dt>
                <dd id="collect-code">{ c.request_code.clone() }</dd>
            </dl>
        </section>
    }
}

fn stage_text(lang: Lang, stage: Stage) -> &'static str {
    match stage {
        Stage::Opening => lang.t(
            "Opening the key file and checking it against the certificate…",
            "Die Schlüsseldatei wird geöffnet und mit dem Zertifikat abgeglichen …",
        ),
        Stage::Modern => lang.t(
            "Building the modern file (1 of 2)…",
            "Die moderne Datei wird erstellt (1 von 2) …",
        ),
        Stage::Compatible => lang.t(
            "Building the compatible file (2 of 2)…",
            "Die kompatible Datei wird erstellt (2 von 2) …",
        ),
    }
}

fn choose_error_text(lang: Lang, e: ChooseError) -> &'static str {
    match e {
        ChooseError::TooLarge => lang.t(
            "This file is far too large to be a key file. Choose the key file you saved when you \
             made the request.",
            "Diese Datei ist viel zu groß für eine Schlüsseldatei. Wählen Sie die \
             Schlüsseldatei, die Sie beim Antrag gespeichert haben.",
        ),
        ChooseError::Unreadable => lang.t(
            "The file could not be read. Choose it again or use another copy.",
            "Die Datei konnte nicht gelesen werden. Wählen Sie sie erneut oder verwenden Sie \
             eine andere Kopie.",
        ),
    }
}

/// Key file and password in, two .p12 files out.
#[function_component(BuildFiles)]
fn build_files(props: &IssuedProps) -> Html {
    let lang = use_lang();
    let file = use_state(|| None::<ChosenFile>);
    let choose_error = use_state(|| None::<ChooseError>);
    let password = use_state(String::new);
    let work = use_state(|| Work::Idle);
    let busy = matches!(*work, Work::Working(_));

    let onchoose = {
        let file = file.clone();
        let choose_error = choose_error.clone();
        let work = work.clone();
        Callback::from(move |chosen: Result<ChosenFile, ChooseError>| {
            work.set(Work::Idle);
            match chosen {
                Ok(f) => {
                    choose_error.set(None);
                    file.set(Some(f));
                }
                Err(e) => {
                    choose_error.set(Some(e));
                    file.set(None);
                }
            }
        })
    };
    let oninput = {
        let password = password.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            password.set(input.value());
        })
    };
    let onsubmit = {
        let file = file.clone();
        let password = password.clone();
        let work = work.clone();
        let issued = props.issued.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if matches!(*work, Work::Working(_)) {
                return;
            }
            let Some(chosen) = (*file).clone() else {
                work.set(Work::Failed(PkiError::NotAKeyFile));
                return;
            };
            let secret = (*password).clone();
            let work = work.clone();
            let password = password.clone();
            let issued = issued.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let c = &issued.collected;
                let files = CollectInput {
                    certificate_pem: &c.certificate_pem,
                    chain_pem: &c.chain_pem,
                    key_file: &chosen.text,
                    password: &secret,
                    friendly_name: &c.friendly_name,
                };
                let stage = {
                    let work = work.clone();
                    move |s| work.set(Work::Working(s))
                };
                match crypto_bundle::p12_files(files, stage).await {
                    Ok(built) => {
                        // Done with the password: nothing keeps it once the files exist.
                        password.set(String::new());
                        work.set(Work::Done(Rc::new(built)));
                    }
                    Err(e) => work.set(Work::Failed(e)),
                }
            });
        })
    };

    let stem = props.issued.collected.file_stem.clone();
    let status = match &*work {
        Work::Idle => html! {},
        Work::Working(stage) => html! {
            <p id="collect-progress" role="status" data-stage={stage.as_str()}>
                <span class="spinner" aria-hidden="true"></span>{ stage_text(lang, *stage) }
            </p>
        },
        Work::Failed(e) => {
            let no_file = *e == PkiError::NotAKeyFile && file.is_none();
            html! {
                <p id="collect-error" class="error" role="alert" data-code={e.code()}>
                    { if no_file {
                        lang.t("Please choose your key file first.", "Bitte wählen Sie zuerst Ihre Schlüsseldatei.")
                    } else {
                        pki_error_text(lang, *e)
                    } }
                </p>
            }
        }
        Work::Done(built) => html! { <Downloads built={built.clone()} {stem} /> },
    };
    html! {
        <section aria-labelledby="collect-build-title">
            <h2 id="collect-build-title">{ lang.t("Make the file for your mail program", "Datei für Ihr Mailprogramm erstellen") }</h2>
            <p>
                { lang.t("You need the key file you saved when you made the request, and its password. \
                    Both stay on this computer: nothing is sent to the server.",
                    "Sie brauchen die Schlüsseldatei, die Sie beim Antrag gespeichert haben, und ihr \
                    Passwort. Beides bleibt auf diesem Rechner: Nichts wird an den Server gesendet.") }
            </p>
            <form class="collect-form" {onsubmit} novalidate=true>
                <KeyFileInput id="collect-key-file" {onchoose} disabled={busy}
                    chosen={(*file).as_ref().map(|f| f.name.clone())} />
                if let Some(e) = *choose_error {
                    <p id="collect-file-error" class="error" role="alert">{ choose_error_text(lang, e) }</p>
                }
                <label for="collect-password">
                    { lang.t("Password of the key file", "Passwort der Schlüsseldatei") }
                    <span class="hint">
                        { lang.t("The .p12 files get the same password.", "Die .p12-Dateien erhalten dasselbe Passwort.") }
                    </span>
                </label>
                <input type="password" id="collect-password" autocomplete="off"
                    value={(*password).clone()} {oninput} disabled={busy} />
                <div class="actions">
                    <button type="submit" id="collect-build" class="primary" disabled={busy}>
                        { lang.t("Make the .p12 files", ".p12-Dateien erstellen") }
                    </button>
                </div>
            </form>
            { status }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DownloadsProps {
    built: Rc<P12Files>,
    stem: String,
}

/// The two files and which to pick.
#[function_component(Downloads)]
fn downloads(props: &DownloadsProps) -> Html {
    let lang = use_lang();
    let failed = use_state(|| false);
    let save = |format: P12Format| {
        let built = props.built.clone();
        let name = p12_file_name(&props.stem, format);
        let failed = failed.clone();
        Callback::from(move |_: MouseEvent| {
            let bytes = match format {
                P12Format::Modern => &built.modern,
                P12Format::Compatible => &built.compatible,
            };
            failed.set(save_bytes(bytes, &name, "application/x-pkcs12").is_err());
        })
    };
    let modern = p12_file_name(&props.stem, P12Format::Modern);
    let compatible = p12_file_name(&props.stem, P12Format::Compatible);
    html! {
        <div id="collect-ready" class="success" role="status">
            <p><strong>{ lang.t("The key file matches the certificate. Your files are ready.",
                "Die Schlüsseldatei passt zum Zertifikat. Ihre Dateien sind bereit.") }</strong></p>
            <p>
                { lang.t("Pick modern for current Thunderbird, Outlook and Apple Mail; pick compatible \
                    for older Windows, the macOS Keychain, iOS and Android. The compatible file's name \
                    ends in \"_compatible\". Both are protected with your key file's password.",
                    "Wählen Sie „modern“ für aktuelle Versionen von Thunderbird, Outlook und Apple Mail, \
                    „kompatibel“ für ältere Windows-Versionen, den macOS-Schlüsselbund, iOS und Android. \
                    Der Name der kompatiblen Datei endet auf „_compatible“. Beide sind mit dem Passwort \
                    Ihrer Schlüsseldatei geschützt.") }
            </p>
            <div class="actions">
                <button type="button" id="collect-download-modern" class="primary" onclick={save(P12Format::Modern)}>
                    { lang.t("Download modern", "Modern herunterladen") }
                    <span class="file-name">{ modern }</span>
                </button>
                <button type="button" id="collect-download-compatible" class="secondary" onclick={save(P12Format::Compatible)}>
                    { lang.t("Download compatible", "Kompatibel herunterladen") }
                    <span class="file-name">{ compatible }</span>
                </button>
            </div>
            if *failed {
                <p id="collect-download-error" class="error" role="alert">
                    { lang.t("This browser refused to save the file. Please try another browser.",
                        "Dieser Browser hat das Speichern verweigert. Bitte versuchen Sie es mit einem anderen Browser.") }
                </p>
            }
        </div>
    }
}
