//! The evidence form: what the officer saw on the photo ID, then approve. The officer and the
//! time are added by the server.

use shared::api::{ApiError, Approval, CheckMethod, DocumentType, ErrorCode, RequestView, routes};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::focus;
use crate::api;
use crate::components::evidence_form::{
    Checked, EvidenceForm, Field, FieldError, blank_form, document_label, method_label,
};
use crate::i18n::use_lang;

/// What an action on the detail page did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Approved,
    Rejected,
    /// Revoked at this time (Unix seconds).
    Revoked(i64),
}

/// The outcome of an action on the detail page, for its status and error lines.
#[derive(Clone, PartialEq)]
pub enum Outcome {
    Done(Done),
    Refused {
        error: ApiError,
        field: Option<Field>,
    },
    Invalid(FieldError),
}

/// How an action's form reports to the detail page.
#[derive(Clone, PartialEq)]
pub struct Report {
    /// A request is under way (`true`) or answered.
    pub busy: Callback<bool>,
    pub outcome: Callback<Outcome>,
    /// After success, to load the request again.
    pub done: Callback<()>,
}

impl Report {
    /// Runs one action's request, keeping the page's busy flag and outcome; `field` names
    /// the form field a refusal is about.
    pub fn run<T: 'static>(
        &self,
        call: impl std::future::Future<Output = Result<T, ApiError>> + 'static,
        done: impl FnOnce(T) -> Done + 'static,
        field: fn(&ApiError) -> Option<Field>,
    ) {
        let report = self.clone();
        report.busy.emit(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = call.await;
            report.busy.emit(false);
            match answer {
                Ok(value) => {
                    report.outcome.emit(Outcome::Done(done(value)));
                    report.done.emit(());
                }
                Err(error) => {
                    let field = field(&error);
                    if let Some(f) = field {
                        focus(f.id());
                    }
                    report.outcome.emit(Outcome::Refused { error, field });
                }
            }
        });
    }
}

#[derive(Properties, PartialEq)]
pub struct EvidenceFormProps {
    pub id: i64,
    /// The verified name on file, to start from.
    pub names: (String, String),
    pub busy: bool,
    pub report: Report,
}

#[function_component(EvidenceFormView)]
pub fn evidence_form(props: &EvidenceFormProps) -> Html {
    let lang = use_lang();
    let form = use_state(|| EvidenceForm {
        given_name: props.names.0.clone(),
        surname: props.names.1.clone(),
        ..blank_form()
    });
    let text = |field: Field, value: &str, update: fn(&mut EvidenceForm, String), extra: Html| {
        let form = form.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            update(&mut next, input.value());
            form.set(next);
        });
        let id = field.id();
        html! {
            <div class="field">
                <label for={id}>{ field.label(lang) }{ extra }</label>
                <input type="text" {id} value={value.to_owned()} {oninput} autocomplete="off" />
            </div>
        }
    };
    let hint =
        |en: &'static str, de: &'static str| html! { <span class="hint">{ lang.t(en, de) }</span> };
    let set_method = |m: CheckMethod| {
        let form = form.clone();
        Callback::from(move |_: Event| {
            form.set(EvidenceForm {
                method: m,
                ..(*form).clone()
            })
        })
    };
    let on_document = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Some(d) = DocumentType::parse(&select.value()) {
                form.set(EvidenceForm {
                    document_type: d,
                    ..(*form).clone()
                });
            }
        })
    };
    let onsubmit = {
        let form = form.clone();
        let (id, busy, report) = (props.id, props.busy, props.report.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if busy {
                return;
            }
            let evidence = match form.to_input() {
                Ok(evidence) => evidence,
                Err(err) => {
                    focus(err.field.id());
                    report.outcome.emit(Outcome::Invalid(err));
                    return;
                }
            };
            let path = routes::with_id(routes::DESK_REQUEST_APPROVE, id);
            report.run(
                async move { api::post::<_, RequestView>(&path, &Approval { evidence }).await },
                |_| Done::Approved,
                |error| {
                    (error.code == ErrorCode::EvidenceInvalid)
                        .then(|| Field::named_in(&error.message))
                        .flatten()
                },
            );
        })
    };
    let f = &*form;
    html! {
        <form id="desk-evidence-form" class="evidence-form" {onsubmit} novalidate=true
            aria-labelledby="desk-evidence-form-title">
            <h3 id="desk-evidence-form-title">{ lang.t("Record the identity check and approve", "Identitätsprüfung erfassen und genehmigen") }</h3>
            <p class="hint">
                { lang.t("Check the photo ID in person or by video call. Your name and the time are recorded with it.",
                    "Prüfen Sie den Lichtbildausweis persönlich oder per Videoanruf. Ihr Name und der Zeitpunkt werden dazu gespeichert.") }
            </p>
            <fieldset>
                <legend>{ Field::Method.label(lang) }</legend>
                { for [CheckMethod::InPerson, CheckMethod::VideoCall].into_iter().map(|m| {
                    let id = format!("evidence-method-{}", m.as_str().replace('_', "-"));
                    html! {
                        <label class="choice" for={id.clone()}>
                            <input type="radio" name="evidence-method" id={id} value={m.as_str()}
                                checked={f.method == m} onchange={set_method(m)} />
                            { method_label(lang, m) }
                        </label>
                    }
                }) }
            </fieldset>
            <div class="field">
                <label for={Field::DocumentType.id()}>{ Field::DocumentType.label(lang) }</label>
                <select id={Field::DocumentType.id()} onchange={on_document}>
                    { for DocumentType::ALL.iter().map(|d| html! {
                        <option value={d.as_str()} selected={f.document_type == *d}>{ document_label(lang, *d) }</option>
                    }) }
                </select>
            </div>
            { text(Field::IssuingAuthority, &f.issuing_authority, |f, v| f.issuing_authority = v,
                hint("E.g. Stadt Köln or HM Passport Office.", "Z. B. Stadt Köln oder HM Passport Office.")) }
            { text(Field::IssuingCountry, &f.issuing_country, |f, v| f.issuing_country = v,
                hint("Two-letter code, e.g. DE.", "Zweistelliger Code, z. B. DE.")) }
            { text(Field::DocumentNumber, &f.document_number, |f, v| f.document_number = v, html! {}) }
            { text(Field::DocumentExpiry, &f.document_expiry, |f, v| f.document_expiry = v,
                hint("E.g. 2030-12-31 or 31.12.2030. The document must be valid today.",
                    "Z. B. 31.12.2030 oder 2030-12-31. Der Ausweis muss heute gültig sein.")) }
            { text(Field::NameOnDocument, &f.name_on_document, |f, v| f.name_on_document = v,
                hint("Exactly as printed.", "Genau wie aufgedruckt.")) }
            { text(Field::GivenName, &f.given_name, |f, v| f.given_name = v,
                hint("As confirmed from the document; personal certificates carry this name.",
                    "Wie im Ausweis bestätigt; persönliche Zertifikate tragen diesen Namen.")) }
            { text(Field::Surname, &f.surname, |f, v| f.surname = v, html! {}) }
            <div class="actions">
                <button type="submit" id="desk-approve" class="primary" disabled={props.busy}>
                    { lang.t("Record evidence and approve", "Nachweis speichern und genehmigen") }
                </button>
            </div>
        </form>
    }
}
