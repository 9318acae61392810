//! One request as the desk sees it: everything on file, and the decisions that apply.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use shared::api::{
    ApiError, CertificateSummary, DeskRequestDetail, EvidenceView, IdentitySource, IdentityView,
    Rejection, RequestKind, RequestState, RequestView, RevocationReason, RevokeRequest, Revoked,
    routes,
};
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::evidence::{Done, EvidenceFormView, Outcome, Report};
use super::{DeskOnly, focus};
use crate::api;
use crate::components::evidence_form::{document_label, method_label};
use crate::components::labels::{api_error_text, kind_label, reason_label, state_label};
use crate::i18n::{Lang, use_lang};
use crate::route::{Link, Route};

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub id: i64,
}

#[function_component(Detail)]
pub fn detail(props: &DetailProps) -> Html {
    html! { <DeskOnly><DetailPage id={props.id} /></DeskOnly> }
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Box<DeskRequestDetail>),
    Failed(ApiError),
}

#[function_component(DetailPage)]
fn detail_page(props: &DetailProps) -> Html {
    let lang = use_lang();
    let load = use_state(|| Load::Loading);
    // Bumped to load the request again after an action.
    let generation = use_state(|| 0_u32);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Outcome>);
    {
        let load = load.clone();
        use_effect_with((props.id, *generation), move |(id, _)| {
            let path = routes::with_id(routes::DESK_REQUEST, *id);
            wasm_bindgen_futures::spawn_local(async move {
                load.set(match api::get::<DeskRequestDetail>(&path).await {
                    Ok(d) => Load::Loaded(Box::new(d)),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }
    // Once the success line is on screen, screen readers and keyboards go there; again after
    // the request is loaded anew, which replaces the form that had the focus.
    use_effect_with(((*outcome).clone(), (*load).clone()), |(o, _)| {
        if matches!(o, Some(Outcome::Done(_))) {
            focus("desk-result");
        }
    });
    // Issuance follows approval within seconds: look again until the certificate is there.
    {
        let generation = generation.clone();
        let issuing =
            matches!(&*load, Load::Loaded(d) if d.request.state == RequestState::Approved);
        use_effect_with((issuing, *generation), move |(issuing, _)| {
            let live = Rc::new(Cell::new(true));
            if *issuing {
                let live = live.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    yew::platform::time::sleep(Duration::from_secs(3)).await;
                    if live.get() {
                        generation.set(*generation + 1);
                    }
                });
            }
            move || live.set(false)
        });
    }
    let report = Report {
        busy: {
            let busy = busy.clone();
            Callback::from(move |b| busy.set(b))
        },
        outcome: {
            let outcome = outcome.clone();
            Callback::from(move |o: Outcome| outcome.set(Some(o)))
        },
        done: {
            let generation = generation.clone();
            Callback::from(move |()| generation.set(*generation + 1))
        },
    };
    let back = html! {
        <p><Link to={Route::Desk}><span id="desk-back">{ lang.t("← Back to the queue", "← Zurück zur Warteschlange") }</span></Link></p>
    };
    let d = match &*load {
        Load::Loading => {
            return html! {
                <section>{ back }<p role="status"><span class="spinner" aria-hidden="true"></span>{ lang.t("Loading…", "Wird geladen …") }</p></section>
            };
        }
        Load::Failed(e) => {
            return html! {
                <section>
                    { back }
                    <h1>{ lang.t("Request", "Antrag") }</h1>
                    <p id="desk-error" class="error" role="alert" data-code={e.code.as_str()}>{ api_error_text(lang, e) }</p>
                </section>
            };
        }
        Load::Loaded(d) => d,
    };
    let r = &d.request;
    let decidable = r.state == RequestState::AwaitingIdentityCheck;
    let names = d.identity.as_ref().map_or_else(
        || {
            (
                r.given_name.clone().unwrap_or_default(),
                r.surname.clone().unwrap_or_default(),
            )
        },
        |i| (i.given_name.clone(), i.surname.clone()),
    );
    let revocable = r
        .certificate
        .as_ref()
        .filter(|c| c.revoked_at.is_none())
        .filter(|_| matches!(r.state, RequestState::Issued | RequestState::Collected));
    html! {
        <section id="desk-detail" class="desk-detail" data-state={r.state.as_str()}>
            { back }
            <h1>{ lang.t("Request ", "Antrag ") }<span id="desk-request-code">{ r.code.clone() }</span></h1>
            { outcome_line(lang, outcome.as_ref()) }
            { request_facts(lang, r) }
            { identity_facts(lang, d.identity.as_ref()) }
            if let Some(e) = &d.evidence {
                { evidence_facts(lang, e) }
            }
            if let Some(c) = &r.certificate {
                { certificate_facts(lang, c) }
            }
            if decidable && d.own_request {
                <p id="desk-own-request" class="notice">
                    { lang.t("You made this request yourself, so you cannot approve or reject it: \
                        another service-desk officer must check your identity and decide it.",
                        "Sie haben diesen Antrag selbst gestellt und können ihn daher weder genehmigen \
                        noch ablehnen: Eine andere Person am Service-Desk muss Ihre Identität prüfen \
                        und entscheiden.") }
                </p>
            }
            if decidable && !d.own_request {
                <section class="decide" aria-labelledby="desk-decide-title">
                    <h2 id="desk-decide-title">{ lang.t("Decide", "Entscheiden") }</h2>
                    if d.identity.as_ref().is_some_and(|i| i.reusable) {
                        <p class="notice" id="desk-identity-reusable">
                            { lang.t("A recent identity check is on file; the form starts with its name. \
                                Approving still records the document you see now.",
                                "Eine aktuelle Identitätsprüfung liegt vor; das Formular beginnt mit deren \
                                Namen. Die Genehmigung speichert trotzdem den Ausweis, den Sie jetzt sehen.") }
                        </p>
                    }
                    <EvidenceFormView id={r.id} {names} busy={*busy} report={report.clone()} />
                    <RejectForm id={r.id} busy={*busy} report={report.clone()} />
                </section>
            }
            if let Some(c) = revocable {
                <RevokeForm serial={c.serial.clone()} busy={*busy} {report} />
            }
        </section>
    }
}

fn outcome_line(lang: Lang, outcome: Option<&Outcome>) -> Html {
    match outcome {
        None => html! {},
        Some(Outcome::Done(done)) => {
            let text = match done {
                Done::Approved => lang.t(
                    "Approved. The certificate is being issued; the requester gets a mail with the collect link.",
                    "Genehmigt. Das Zertifikat wird ausgestellt; die antragstellende Person erhält eine Mail mit dem Abholungslink.",
                ).to_owned(),
                Done::Rejected => lang.t(
                    "Rejected. The reason was mailed to the requester.",
                    "Abgelehnt. Der Grund wurde der antragstellenden Person gemailt.",
                ).to_owned(),
                Done::Revoked(at) => lang.s(
                    format!("Revoked on {}. The requester is told by mail.", lang.date_time(*at)),
                    format!("Widerrufen am {}. Die antragstellende Person wird per Mail informiert.", lang.date_time(*at)),
                ),
            };
            html! { <p id="desk-result" class="success" role="status" tabindex="-1">{ text }</p> }
        }
        Some(Outcome::Invalid(e)) => html! {
            <p id="desk-error" class="error" role="alert" data-code="evidence_invalid" data-field={e.field.id()}>
                { e.text(lang) }
            </p>
        },
        Some(Outcome::Refused { error, field }) => {
            let text = match field {
                Some(f) => format!("{}: {}", f.label(lang), api_error_text(lang, error)),
                None => api_error_text(lang, error),
            };
            html! {
                <p id="desk-error" class="error" role="alert" data-code={error.code.as_str()}
                    data-field={field.map(|f| f.id())}>{ text }</p>
            }
        }
    }
}

fn fact(label: &'static str, value: Html) -> Html {
    html! { <><dt>{ label }</dt><dd>{ value }</dd></> }
}

fn request_facts(lang: Lang, r: &RequestView) -> Html {
    let name = match r.kind {
        RequestKind::Personal => {
            let typed = [r.given_name.as_deref(), r.surname.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            fact(lang.t("Name", "Name"), html! { typed })
        }
        _ => fact(
            lang.t("Mailbox name", "Name des Postfachs"),
            html! { r.display_name.clone().unwrap_or_default() },
        ),
    };
    html! {
        <dl class="facts" id="desk-request">
            { fact(lang.t("State", "Status"), html! { <span id="desk-request-state">{ state_label(lang, r.state) }</span> }) }
            { fact(lang.t("Kind", "Art"), html! { kind_label(lang, r.kind) }) }
            { fact(lang.t("Requester", "Antragsteller/in"), html! { r.requester.clone() }) }
            { fact(lang.t("Addresses", "Adressen"), html! { r.addresses.join(", ") }) }
            { name }
            { fact(lang.t("Key type", "Schlüsseltyp"), html! { r.key_type.as_str() }) }
            { fact(lang.t("Requested", "Beantragt"), html! { lang.date_time(r.created_at) }) }
            { fact(lang.t("Last change", "Letzte Änderung"), html! { lang.date_time(r.updated_at) }) }
            if let Some(at) = r.decided_at {
                { fact(lang.t("Decided", "Entschieden"), html! {
                    format!("{} ({})", lang.date_time(at), r.decided_by.clone().unwrap_or_default())
                }) }
            }
            if let Some(reason) = &r.reason {
                { fact(lang.t("Reason", "Grund"), html! { reason.clone() }) }
            }
        </dl>
    }
}

fn identity_facts(lang: Lang, identity: Option<&IdentityView>) -> Html {
    let body = match identity {
        None => html! {
            <p>{ lang.t("No verified identity on file: check a photo ID before approving.",
                "Keine geprüfte Identität hinterlegt: Prüfen Sie vor der Genehmigung einen Lichtbildausweis.") }</p>
        },
        Some(i) => html! {
            <dl class="facts">
                { fact(lang.t("Verified name", "Geprüfter Name"), html! { format!("{} {}", i.given_name, i.surname) }) }
                { fact(lang.t("Verified", "Geprüft"), html! { lang.date(i.verified_at) }) }
                { fact(lang.t("Source", "Quelle"), html! { match i.source {
                    IdentitySource::Desk => lang.t("Service desk", "Service-Desk"),
                    IdentitySource::Import => lang.t("Imported staff list", "Importierte Personalliste"),
                } }) }
                { fact(lang.t("Still usable", "Noch verwendbar"), html! {
                    if i.reusable { { lang.t("Yes", "Ja") } } else { { lang.t("No, too old", "Nein, zu alt") } }
                }) }
            </dl>
        },
    };
    html! {
        <section id="desk-identity" aria-labelledby="desk-identity-title">
            <h2 id="desk-identity-title">{ lang.t("Identity on file", "Hinterlegte Identität") }</h2>
            { body }
        </section>
    }
}

fn evidence_facts(lang: Lang, e: &EvidenceView) -> Html {
    let i = &e.input;
    html! {
        <section id="desk-evidence" aria-labelledby="desk-evidence-title">
            <h2 id="desk-evidence-title">{ lang.t("Evidence", "Nachweis") }</h2>
            <dl class="facts">
                { fact(lang.t("Checked", "Geprüft"), html! { format!("{} · {} · {}", lang.date_time(e.checked_at), method_label(lang, i.method), e.officer) }) }
                { fact(lang.t("Document", "Ausweis"), html! { format!("{} · {} · {}", document_label(lang, i.document_type), i.issuing_authority, i.issuing_country) }) }
                { fact(lang.t("Document number", "Ausweisnummer"), html! { i.document_number.clone() }) }
                { fact(lang.t("Valid until", "Gültig bis"), html! { i.document_expiry.clone() }) }
                { fact(lang.t("Name on the document", "Name im Ausweis"), html! { i.name_on_document.clone() }) }
                { fact(lang.t("Name for the certificate", "Name für das Zertifikat"), html! { format!("{} {}", i.given_name, i.surname) }) }
            </dl>
        </section>
    }
}

fn certificate_facts(lang: Lang, c: &CertificateSummary) -> Html {
    html! {
        <section id="desk-certificate" aria-labelledby="desk-certificate-title">
            <h2 id="desk-certificate-title">{ lang.t("Certificate", "Zertifikat") }</h2>
            <dl class="facts">
                { fact(lang.t("Serial number", "Seriennummer"), html! { <code class="wrap">{ c.serial.clone() }</code> }) }
                { fact(lang.t("Valid", "Gültig"), html! { format!("{} – {}", lang.date(c.not_before), lang.date(c.not_after)) }) }
                { fact(lang.t("Collected", "Abgeholt"), html! {
                    c.collected_at.map_or_else(|| lang.t("Not yet", "Noch nicht").to_owned(), |t| lang.date_time(t))
                }) }
                if let Some(at) = c.revoked_at {
                    { fact(lang.t("Revoked", "Widerrufen"), html! {
                        format!("{} · {}", lang.date_time(at), c.revocation_reason.map(|r| reason_label(lang, r)).unwrap_or_default())
                    }) }
                }
            </dl>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RejectProps {
    id: i64,
    busy: bool,
    report: Report,
}

#[function_component(RejectForm)]
fn reject_form(props: &RejectProps) -> Html {
    let lang = use_lang();
    let reason = use_state(String::new);
    let missing = use_state(|| false);
    let oninput = {
        let reason = reason.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            reason.set(area.value());
        })
    };
    let onsubmit = {
        let reason = reason.clone();
        let missing = missing.clone();
        let (id, busy, report) = (props.id, props.busy, props.report.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if busy {
                return;
            }
            let text = reason.trim().to_owned();
            missing.set(text.is_empty());
            if text.is_empty() {
                focus("desk-reject-reason");
                return;
            }
            let path = routes::with_id(routes::DESK_REQUEST_REJECT, id);
            report.run(
                async move { api::post::<_, RequestView>(&path, &Rejection { reason: text }).await },
                |_| Done::Rejected,
                |_| None,
            );
        })
    };
    html! {
        <form id="desk-reject-form" class="reject-form" {onsubmit} novalidate=true aria-labelledby="desk-reject-title">
            <h3 id="desk-reject-title">{ lang.t("Or reject", "Oder ablehnen") }</h3>
            <label for="desk-reject-reason">
                { lang.t("Reason", "Grund") }
                <span class="hint">{ lang.t("Mailed to the requester as you write it.", "Wird der antragstellenden Person so gemailt, wie Sie ihn schreiben.") }</span>
            </label>
            <textarea id="desk-reject-reason" rows="3" maxlength="1000" value={(*reason).clone()} {oninput}
                aria-invalid={missing.to_string()} aria-describedby={missing.then_some("desk-reject-missing")} />
            if *missing {
                <p id="desk-reject-missing" class="error" role="alert">
                    { lang.t("Please give the reason for the rejection.", "Bitte geben Sie den Grund der Ablehnung an.") }
                </p>
            }
            <div class="actions">
                <button type="submit" id="desk-reject" class="danger" disabled={props.busy}>{ lang.t("Reject", "Ablehnen") }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct RevokeProps {
    serial: String,
    busy: bool,
    report: Report,
}

#[function_component(RevokeForm)]
fn revoke_form(props: &RevokeProps) -> Html {
    let lang = use_lang();
    let reason = use_state(|| None::<RevocationReason>);
    let missing = use_state(|| false);
    let onchange = {
        let reason = reason.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            reason.set(RevocationReason::parse(&select.value()));
        })
    };
    let onsubmit = {
        let reason = reason.clone();
        let missing = missing.clone();
        let (busy, report) = (props.busy, props.report.clone());
        let serial = props.serial.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if busy {
                return;
            }
            let Some(chosen) = *reason else {
                missing.set(true);
                focus("desk-revoke-reason");
                return;
            };
            missing.set(false);
            let path = routes::REVOKE.replace("{serial}", &serial);
            report.run(
                async move { api::post::<_, Revoked>(&path, &RevokeRequest { reason: chosen }).await },
                |r| Done::Revoked(r.revoked_at),
                |_| None,
            );
        })
    };
    html! {
        <form id="desk-revoke-form" class="revoke-form" {onsubmit} novalidate=true aria-labelledby="desk-revoke-title">
            <h2 id="desk-revoke-title">{ lang.t("Revoke the certificate", "Zertifikat widerrufen") }</h2>
            <p class="hint">{ lang.t("Revocation cannot be undone. The requester is told by mail.",
                "Ein Widerruf lässt sich nicht rückgängig machen. Die antragstellende Person wird per Mail informiert.") }</p>
            <label for="desk-revoke-reason">{ lang.t("Reason", "Grund") }</label>
            <select id="desk-revoke-reason" {onchange} aria-invalid={missing.to_string()}>
                <option value="" selected={reason.is_none()}>{ lang.t("Choose a reason…", "Grund wählen …") }</option>
                { for RevocationReason::ALL.iter().map(|r| html! {
                    <option value={r.as_str()} selected={*reason == Some(*r)}>{ reason_label(lang, *r) }</option>
                }) }
            </select>
            if *missing {
                <p id="desk-revoke-missing" class="error" role="alert">
                    { lang.t("Please choose the reason for the revocation.", "Bitte wählen Sie den Grund für den Widerruf.") }
                </p>
            }
            <div class="actions">
                <button type="submit" id="desk-revoke" class="danger" disabled={props.busy}>{ lang.t("Revoke", "Widerrufen") }</button>
            </div>
        </form>
    }
}
