//! The request wizard at `/request`: six steps, one per screen (kind, addresses, names, key
//! type, password, terms), then generating, saving the key file, and the submitted request.
//! Everything typed lives in one [`state::Draft`] held here, above the steps.
//!
//! The password's key-file key is derived as soon as the password step is left (PBKDF2 with
//! 600,000 iterations takes a moment), so *Generate* costs about the key generation alone.
//!
//! Element ids for the end-to-end tests:
//! - every step: `wizard-progress` (`data-step` = kind, addresses, names, key-type, password,
//!   terms), `wizard-step-heading`, `wizard-back`, `wizard-next`, `wizard-error` (role=alert,
//!   `data-code` with the API's code when the server refused);
//! - kind: `wizard-kind-personal`, `wizard-kind-role`, `wizard-kind-group`;
//! - addresses: `wizard-address-own` (personal), `wizard-address-0`, `-1`, … (mailboxes, each
//!   with `data-address`);
//! - names: `wizard-given-name`, `wizard-surname`, `wizard-display-name` (role/group);
//! - key type: `wizard-key-type-rsa-3072` (and `-rsa-2048`, `-rsa-4096`, `-ecdsa-p256`,
//!   `-ecdsa-p384`);
//! - password: `wizard-password`, `wizard-password-confirm`, `wizard-strength` (`data-score`
//!   0–4 or `none`), `wizard-password-rules`;
//! - terms: `wizard-terms`, and `wizard-generate` in place of `wizard-next`;
//! - after: `wizard-generating`, `wizard-key-file-name`, `wizard-key-download`,
//!   `wizard-key-saved`, `wizard-submit`, `wizard-submitted`, `wizard-request-code`,
//!   `wizard-next-steps`, `wizard-desk-instructions`, `wizard-to-certificates`.

mod finish;
pub mod state;
mod steps;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use shared::api::{ApiError, ErrorCode, RequestOptions, RequestView, routes};
use shared::pki::PkiError;
use yew::prelude::*;

use self::state::{Draft, Step, problem, step_of};
use crate::api;
use crate::components::labels::api_error_text;
use crate::components::password_rules::Meter;
use crate::components::pki_messages::pki_error_text;
use crate::components::strength::{self, Strength};
use crate::crypto_bundle::{self, KeyFileKey};
use crate::i18n::{Lang, use_lang};
use crate::pages::signin::LinkForm;
use crate::route::{Link, Route};
use crate::session::{Session, use_session};

#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Failed(ApiError),
    Ready(Rc<RequestOptions>),
}

#[function_component(RequestWizard)]
pub fn page() -> Html {
    let lang = use_lang();
    let session = use_session();
    let options = use_state(|| Loaded::Loading);
    let email = session.session.me().map(|m| m.email.clone());
    {
        let options = options.clone();
        use_effect_with(email.clone(), move |email| {
            if email.is_some() {
                wasm_bindgen_futures::spawn_local(async move {
                    options.set(
                        match api::get::<RequestOptions>(routes::REQUEST_OPTIONS).await {
                            Ok(o) => Loaded::Ready(Rc::new(o)),
                            Err(e) => Loaded::Failed(e),
                        },
                    );
                });
            }
        });
    }
    let body = match (&session.session, &*options) {
        (Session::Loading, _) | (Session::SignedIn(_), Loaded::Loading) => {
            html! { <p class="muted" aria-live="polite">{ lang.t("Loading …", "Wird geladen …") }</p> }
        }
        (Session::SignedOut, _) => html! {
            <>
                <p>{ lang.t("Please sign in first.", "Bitte melden Sie sich zuerst an.") }</p>
                <LinkForm />
            </>
        },
        (Session::SignedIn(_), Loaded::Failed(e)) => html! {
            <p class="error" role="alert" id="wizard-error" data-code={e.code.as_str()}>{ api_error_text(lang, e) }</p>
        },
        (Session::SignedIn(_), Loaded::Ready(o)) if o.open_requests >= o.max_open_requests => {
            html! {
                <>
                    <p class="notice" id="wizard-limit">
                        { lang.s(
                            format!("You have {} open requests, as many as allowed. Collect or withdraw one before you make another.", o.open_requests),
                            format!("Sie haben {} offene Anträge, so viele wie erlaubt. Holen Sie einen ab oder ziehen Sie einen zurück, bevor Sie einen neuen stellen.", o.open_requests),
                        ) }
                    </p>
                    <p><Link to={Route::Certificates}>{ lang.t("My certificates", "Meine Zertifikate") }</Link></p>
                </>
            }
        }
        (Session::SignedIn(_), Loaded::Ready(o)) => html! { <Wizard options={o.clone()} /> },
    };
    html! {
        <section class="wizard">
            <h1>{ lang.t("Request a certificate", "Zertifikat beantragen") }</h1>
            { body }
        </section>
    }
}

/// One change of the draft.
pub struct Edit(Box<dyn FnOnce(&mut Draft)>);

impl Reducible for Draft {
    type Action = Edit;

    fn reduce(self: Rc<Self>, action: Edit) -> Rc<Self> {
        let mut draft = Rc::unwrap_or_clone(self);
        (action.0)(&mut draft);
        Rc::new(draft)
    }
}

/// What the browser made for the request: the CSR to send and the key file to save.
#[derive(PartialEq)]
struct Generated {
    csr_pem: String,
    key_file_pem: String,
    file_name: String,
}

#[derive(Clone, PartialEq)]
enum Phase {
    Steps,
    Generating,
    Save(Rc<Generated>),
    Sending(Rc<Generated>),
    Submitted(Rc<RequestView>),
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Self::Steps => "steps",
            Self::Generating => "generating",
            Self::Save(_) | Self::Sending(_) => "save",
            Self::Submitted(_) => "submitted",
        }
    }
}

/// The key file's key, derived ahead for the password it was started with.
#[derive(Default)]
struct KeySlot {
    password: String,
    generation: u64,
    result: Option<Result<Rc<KeyFileKey>, PkiError>>,
}

/// Starts deriving the key-file key for `password`, unless it is already under way or done.
/// A failed derivation is tried again: the crypto bundle's download may have failed.
fn derive_ahead(slot: &Rc<RefCell<KeySlot>>, password: &str) {
    let generation = {
        let mut s = slot.borrow_mut();
        if s.generation > 0 && s.password == password && !matches!(s.result, Some(Err(_))) {
            return;
        }
        s.generation += 1;
        s.password = password.to_owned();
        s.result = None;
        s.generation
    };
    let slot = slot.clone();
    let password = password.to_owned();
    wasm_bindgen_futures::spawn_local(async move {
        let key = KeyFileKey::derive(&password).await;
        let mut s = slot.borrow_mut();
        // A later password started another derivation: this one is stale.
        if s.generation == generation {
            s.result = Some(key.map(Rc::new));
        }
    });
}

/// The key-file key for `password`, waiting for the derivation started ahead.
async fn key_file_key(
    slot: &Rc<RefCell<KeySlot>>,
    password: &str,
) -> Result<Rc<KeyFileKey>, PkiError> {
    derive_ahead(slot, password);
    loop {
        if let Some(result) = slot.borrow().result.clone() {
            return result;
        }
        yew::platform::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Today as `YYYYMMDD` in the browser's time zone.
fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}{:02}{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

fn save_key_file(generated: &Generated) -> Result<(), wasm_bindgen::JsValue> {
    crate::components::download::save_bytes(
        generated.key_file_pem.as_bytes(),
        &generated.file_name,
        "application/x-pem-file",
    )
}

/// An error shown at a step, with the API's code when the server refused.
#[derive(Clone, PartialEq)]
struct StepError {
    text: String,
    code: Option<ErrorCode>,
}

#[derive(Properties, PartialEq)]
struct WizardProps {
    options: Rc<RequestOptions>,
}

#[function_component(Wizard)]
fn wizard(props: &WizardProps) -> Html {
    let lang = use_lang();
    let options = props.options.clone();
    let draft = use_reducer(|| Draft::new(&options));
    let step = use_state(|| Step::Kind);
    let phase = use_state(|| Phase::Steps);
    let error = use_state(|| None::<StepError>);
    let strength = use_state(|| None::<Strength>);
    let meter = use_state(|| Meter::Pending);
    let estimate_seq = use_mut_ref(|| 0u64);
    let slot = use_mut_ref(KeySlot::default);
    let key_saved = use_state(|| false);
    let heading = use_node_ref();

    {
        // A new screen: focus its heading, so screen readers start there.
        let heading = heading.clone();
        use_effect_with((*step, phase.name()), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    {
        // The strength meter's and the crypto's bundles load when the password step opens,
        // not before.
        let meter = meter.clone();
        use_effect_with(*step == Step::Password, move |open| {
            if *open {
                crypto_bundle::preload();
                wasm_bindgen_futures::spawn_local(async move {
                    if strength::start().await.is_err() {
                        meter.set(Meter::Unavailable);
                    }
                });
            }
        });
    }

    // Edits go through the reducer, so quick keystrokes in several fields each change the
    // newest draft, never a copy taken at the last render.
    let on_edit: steps::Edit = {
        let dispatch = draft.dispatcher();
        let error = error.clone();
        Callback::from(move |f: Box<dyn FnOnce(&mut Draft)>| {
            dispatch.dispatch(Edit(f));
            error.set(None);
        })
    };
    let on_password = {
        let draft = draft.clone();
        let strength = strength.clone();
        let meter = meter.clone();
        let error = error.clone();
        let email = options.email.clone();
        Callback::from(move |password: String| {
            let words = draft.personal_words(&email);
            let typed = password.clone();
            draft.dispatch(Edit(Box::new(move |d| d.password = typed)));
            error.set(None);
            let seq = {
                let mut n = estimate_seq.borrow_mut();
                *n += 1;
                *n
            };
            if *meter != Meter::Unavailable {
                meter.set(Meter::Pending);
            }
            let strength = strength.clone();
            let meter = meter.clone();
            let estimate_seq = estimate_seq.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = strength::estimate(&password, &words).await;
                // Only the newest password's answer counts.
                if *estimate_seq.borrow() != seq {
                    return;
                }
                match result {
                    Ok(s) => {
                        meter.set(Meter::Score(s.score));
                        strength.set(Some(s));
                    }
                    Err(_) => meter.set(Meter::Unavailable),
                }
            });
        })
    };
    let on_back = {
        let step = step.clone();
        let error = error.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = step.previous() {
                error.set(None);
                step.set(p);
            }
        })
    };
    let generate = {
        let draft = draft.clone();
        let phase = phase.clone();
        let error = error.clone();
        let slot = slot.clone();
        let key_saved = key_saved.clone();
        Callback::from(move |()| {
            let d = (*draft).clone();
            let phase = phase.clone();
            let error = error.clone();
            let slot = slot.clone();
            key_saved.set(false);
            phase.set(Phase::Generating);
            wasm_bindgen_futures::spawn_local(async move {
                let made = match key_file_key(&slot, &d.password).await {
                    Ok(key) => key.new_request(d.key_type, &d.addresses).await,
                    Err(e) => Err(e),
                };
                match made {
                    Ok(made) => {
                        let generated = Rc::new(Generated {
                            csr_pem: made.csr_pem,
                            key_file_pem: made.key_file_pem,
                            file_name: d.key_file_name(&today()),
                        });
                        // The page offers the download again should the browser block this one.
                        let _ = save_key_file(&generated);
                        phase.set(Phase::Save(generated));
                    }
                    Err(e) => {
                        error.set(Some(StepError {
                            text: pki_error_text(lang, e).to_owned(),
                            code: None,
                        }));
                        phase.set(Phase::Steps);
                    }
                }
            });
        })
    };
    let on_next = {
        let draft = draft.clone();
        let step = step.clone();
        let error = error.clone();
        let meter = meter.clone();
        let options = options.clone();
        let slot = slot.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(p) = problem(*step, &draft, &options, *meter) {
                error.set(Some(StepError {
                    text: steps::problem_text(lang, &p),
                    code: None,
                }));
                return;
            }
            error.set(None);
            if *step == Step::Password {
                derive_ahead(&slot, &draft.password);
            }
            match step.next() {
                Some(n) => step.set(n),
                None => generate.emit(()),
            }
        })
    };
    let submit = {
        let draft = draft.clone();
        let phase = phase.clone();
        let step = step.clone();
        let error = error.clone();
        let slot = slot.clone();
        let key_saved = key_saved.clone();
        Callback::from(move |()| {
            let Phase::Save(generated) = &*phase else {
                return;
            };
            if !*key_saved {
                return;
            }
            let generated = generated.clone();
            let body = draft.to_request(generated.csr_pem.clone());
            let draft = draft.clone();
            let phase = phase.clone();
            let step = step.clone();
            let error = error.clone();
            let slot = slot.clone();
            phase.set(Phase::Sending(generated.clone()));
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match api::post::<_, RequestView>(routes::REQUESTS, &body).await {
                    Ok(view) => {
                        // The password is no longer needed on this page.
                        draft.dispatch(Edit(Box::new(|d| {
                            d.password.clear();
                            d.confirm.clear();
                        })));
                        *slot.borrow_mut() = KeySlot::default();
                        phase.set(Phase::Submitted(Rc::new(view)));
                    }
                    Err(e) => {
                        let text = refusal_text(lang, &e);
                        let code = Some(e.code);
                        match step_of(e.code) {
                            Some(s) => {
                                // The input must change: the key made for it is of no use.
                                step.set(s);
                                phase.set(Phase::Steps);
                                error.set(Some(StepError {
                                    text: format!(
                                        "{text} {}",
                                        lang.t(
                                            "The key file you saved for this attempt is not needed; you will save a new one.",
                                            "Die für diesen Versuch gespeicherte Schlüsseldatei wird nicht gebraucht; Sie speichern eine neue.",
                                        )
                                    ),
                                    code,
                                }));
                            }
                            None => {
                                phase.set(Phase::Save(generated));
                                error.set(Some(StepError { text, code }));
                            }
                        }
                    }
                }
            });
        })
    };

    let error_view = (*error).clone().map(|e| {
        html! {
            <p class="error" role="alert" id="wizard-error" data-code={e.code.map(|c| c.as_str())}>{ e.text }</p>
        }
    });
    match &*phase {
        Phase::Steps => {
            let body = match *step {
                Step::Kind => steps::kind(lang, &draft, &options, &on_edit),
                Step::Addresses => steps::addresses(lang, &draft, &options, &on_edit),
                Step::Names => steps::names(lang, &draft, &options, &on_edit),
                Step::KeyType => steps::key_type(lang, &draft, &options, &on_edit),
                Step::Password => steps::password(
                    lang,
                    &draft,
                    (*strength).clone(),
                    *meter,
                    on_password,
                    &on_edit,
                ),
                Step::Terms => steps::terms(lang, &draft, &on_edit),
            };
            let last = step.next().is_none();
            html! {
                <>
                    { progress(lang, *step) }
                    <h2 id="wizard-step-heading" tabindex="-1" ref={heading}>{ steps::title(lang, *step) }</h2>
                    { body }
                    // A fixed slot: the alert coming and going must not shift (and so
                    // re-create) the inputs around it, which would lose their focus.
                    <div class="wizard-error-slot">{ for error_view }</div>
                    <div class="actions wizard-actions">
                        if step.previous().is_some() {
                            <button type="button" class="secondary" id="wizard-back" onclick={on_back}>
                                { lang.t("Back", "Zurück") }
                            </button>
                        }
                        if last {
                            <button type="button" class="primary" id="wizard-generate" onclick={on_next}>
                                { lang.t("Make my key", "Schlüssel erzeugen") }
                            </button>
                        } else {
                            <button type="button" class="primary" id="wizard-next" onclick={on_next}>
                                { lang.t("Next", "Weiter") }
                            </button>
                        }
                    </div>
                </>
            }
        }
        Phase::Generating => html! {
            <>
                <h2 id="wizard-step-heading" tabindex="-1" ref={heading}>{ lang.t("Making your key", "Ihr Schlüssel wird erzeugt") }</h2>
                { finish::generating(lang) }
            </>
        },
        Phase::Save(generated) | Phase::Sending(generated) => {
            let sending = matches!(&*phase, Phase::Sending(_));
            let on_download = {
                let generated = generated.clone();
                Callback::from(move |()| {
                    let _ = save_key_file(&generated);
                })
            };
            let on_saved = {
                let key_saved = key_saved.clone();
                Callback::from(move |v: bool| key_saved.set(v))
            };
            html! {
                <>
                    <h2 id="wizard-step-heading" tabindex="-1" ref={heading}>{ lang.t("Save your key file", "Speichern Sie Ihre Schlüsseldatei") }</h2>
                    <finish::SaveKey file_name={generated.file_name.clone()} saved={*key_saved} {sending}
                        {on_download} {on_saved} on_submit={submit} />
                    // A fixed slot: the alert coming and going must not shift (and so
                    // re-create) the inputs around it, which would lose their focus.
                    <div class="wizard-error-slot">{ for error_view }</div>
                </>
            }
        }
        Phase::Submitted(view) => html! {
            <>
                <h2 id="wizard-step-heading" tabindex="-1" ref={heading}>{ lang.t("Request sent", "Antrag gesendet") }</h2>
                { finish::submitted(lang, view, &options) }
            </>
        },
    }
}

/// "Step 2 of 6" and the list of steps, the current one marked.
fn progress(lang: Lang, step: Step) -> Html {
    let total = Step::ALL.len();
    let n = step.number();
    html! {
        <nav class="wizard-progress" aria-label={lang.t("Progress", "Fortschritt")}>
            <p id="wizard-progress" data-step={step.as_str()}>
                { lang.s(format!("Step {n} of {total}"), format!("Schritt {n} von {total}")) }
            </p>
            <ol class="wizard-steps">
                { for Step::ALL.iter().map(|s| {
                    let state = match s.number().cmp(&n) {
                        std::cmp::Ordering::Less => "done",
                        std::cmp::Ordering::Equal => "current",
                        std::cmp::Ordering::Greater => "todo",
                    };
                    html! {
                        <li class={state} aria-current={(state == "current").then_some("step")}>
                            { steps::title(lang, *s) }
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}

/// A refusal of the request endpoint in the page's language.
fn refusal_text(lang: Lang, e: &ApiError) -> String {
    let t = |en: &'static str, de: &'static str| lang.t(en, de).to_owned();
    match e.code {
        ErrorCode::TooManyOpenRequests => t(
            "You already have as many open requests as allowed. Collect or withdraw one in My certificates first.",
            "Sie haben bereits so viele offene Anträge wie erlaubt. Holen Sie zuerst einen ab oder ziehen Sie einen unter „Meine Zertifikate“ zurück.",
        ),
        ErrorCode::AddressNotOwn | ErrorCode::AddressInvalid => t(
            "A personal certificate can only be for the address you signed in with.",
            "Ein persönliches Zertifikat kann nur für die Adresse gelten, mit der Sie angemeldet sind.",
        ),
        ErrorCode::MailboxNotRegistered | ErrorCode::NotMailboxOwner => t(
            "You are no longer registered as an owner of this mailbox. Choose another one or ask an administrator.",
            "Sie sind für dieses Postfach nicht mehr als verantwortlich eingetragen. Wählen Sie ein anderes oder fragen Sie die Administration.",
        ),
        ErrorCode::NameRequired | ErrorCode::NameInvalid => lang.s(
            format!("The name was not accepted: {}", e.message),
            format!("Der Name wurde nicht angenommen: {}", e.message),
        ),
        ErrorCode::KeyTypeNotAllowed => t(
            "This key type is not accepted here any more. Please choose another one.",
            "Dieser Schlüsseltyp wird hier nicht mehr angenommen. Bitte wählen Sie einen anderen.",
        ),
        ErrorCode::TermsNotAccepted => t("Please accept the terms.", "Bitte akzeptieren Sie die Bedingungen."),
        code if step_of(code) == Some(Step::KeyType) => lang.s(
            format!("The server refused the key this browser made ({}). Please make a new one.", e.message),
            format!("Der Server hat den in diesem Browser erzeugten Schlüssel abgelehnt ({}). Bitte erzeugen Sie einen neuen.", e.message),
        ),
        _ => api_error_text(lang, e),
    }
}
