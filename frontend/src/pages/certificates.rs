//! My certificates at `/certificates`: the signed-in person's requests, newest first, with
//! state, dates and the certificate's validity, and what can be done with each: withdraw an
//! open request, revoke a certificate with a reason, and have the collect link mailed again.
//!
//! Element ids for the end-to-end tests (`ID` is the request's numeric id):
//! `certificates-list`, `certificates-empty`, `certificates-notice` (role=status),
//! `certificates-error` (role=alert, `data-code`); per request `request-ID` (the card, with
//! `data-code` and `data-state`), `request-ID-expiry`, `request-ID-serial`,
//! `withdraw-ID` → `withdraw-confirm-ID` / `withdraw-cancel-ID`,
//! `revoke-ID` → `revoke-reason-ID` (a select), `revoke-confirm-ID` / `revoke-cancel-ID`,
//! `collect-again-ID`.

use shared::api::{
    ApiError, CollectLinkSent, RequestState, RequestView, RevocationReason, RevokeRequest, Revoked,
    routes,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api;
use crate::components::labels::{api_error_text, kind_label, reason_label, state_label};
use crate::i18n::{Lang, use_lang};
use crate::pages::signin::LinkForm;
use crate::route::{Link, Route};
use crate::session::{Session, use_session};

/// The reasons a requester may give (the last, privilege withdrawn, is the desk's).
pub const OWNER_REASONS: [RevocationReason; 5] = [
    RevocationReason::KeyCompromise,
    RevocationReason::Superseded,
    RevocationReason::AffiliationChanged,
    RevocationReason::CessationOfOperation,
    RevocationReason::Unspecified,
];

/// What can be done with a request now (`now` in Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actions {
    pub withdraw: bool,
    pub revoke: bool,
    pub collect_again: bool,
}

pub fn actions(r: &RequestView, now: i64) -> Actions {
    let withdraw = matches!(
        r.state,
        RequestState::Submitted | RequestState::AwaitingIdentityCheck | RequestState::Approved
    );
    let live = r
        .certificate
        .as_ref()
        .is_some_and(|c| c.revoked_at.is_none() && c.not_after > now);
    let holds = matches!(r.state, RequestState::Issued | RequestState::Collected);
    Actions {
        withdraw,
        revoke: live && holds,
        collect_again: live && holds,
    }
}

#[derive(Clone, PartialEq)]
enum Open {
    Withdraw(i64),
    Revoke(i64, RevocationReason),
}

#[derive(Clone, PartialEq)]
enum Loaded {
    Loading,
    Failed(ApiError),
    Ready(Vec<RequestView>),
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[function_component(MyCertificates)]
pub fn page() -> Html {
    let lang = use_lang();
    let session = use_session();
    let list = use_state(|| Loaded::Loading);
    let reload = use_state(|| 0u32);
    let open = use_state(|| None::<Open>);
    let busy = use_state(|| false);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let signed_in = session.session.me().map(|m| m.email.clone());
    {
        let list = list.clone();
        use_effect_with((signed_in.clone(), *reload), move |(who, _)| {
            if who.is_some() {
                wasm_bindgen_futures::spawn_local(async move {
                    list.set(match api::get::<Vec<RequestView>>(routes::REQUESTS).await {
                        Ok(v) => Loaded::Ready(v),
                        Err(e) => Loaded::Failed(e),
                    });
                });
            }
        });
    }

    // Runs one action against the API, then shows its outcome and reloads the list.
    let run = {
        let busy = busy.clone();
        let notice = notice.clone();
        let error = error.clone();
        let open = open.clone();
        let reload = reload.clone();
        Callback::from(move |job: Job| {
            let busy = busy.clone();
            let notice = notice.clone();
            let error = error.clone();
            let open = open.clone();
            let reload = reload.clone();
            busy.set(true);
            notice.set(None);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match job.await {
                    Ok(text) => {
                        notice.set(Some(text));
                        open.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
                reload.set(*reload + 1);
            });
        })
    };

    let content = match (&session.session, &*list) {
        (Session::Loading, _) | (Session::SignedIn(_), Loaded::Loading) => {
            html! { <p class="muted" aria-live="polite">{ lang.t("Loading …", "Wird geladen …") }</p> }
        }
        (Session::SignedOut, _) => html! {
            <>
                <p>{ lang.t("Please sign in to see your certificates.", "Bitte melden Sie sich an, um Ihre Zertifikate zu sehen.") }</p>
                <LinkForm />
            </>
        },
        (Session::SignedIn(_), Loaded::Failed(e)) => html! {
            <p class="error" role="alert" id="certificates-error" data-code={e.code.as_str()}>{ api_error_text(lang, e) }</p>
        },
        (Session::SignedIn(_), Loaded::Ready(items)) if items.is_empty() => html! {
            <p id="certificates-empty">
                { lang.t("You have no requests yet. ", "Sie haben noch keine Anträge. ") }
                <Link to={Route::Request}>{ lang.t("Request a certificate", "Zertifikat beantragen") }</Link>
            </p>
        },
        (Session::SignedIn(_), Loaded::Ready(items)) => {
            let t = now();
            html! {
                <ul class="requests" id="certificates-list">
                    { for items.iter().map(|r| card(lang, r, t, &open, *busy, &run)) }
                </ul>
            }
        }
    };
    html! {
        <section class="certificates">
            <h1>{ lang.t("My certificates", "Meine Zertifikate") }</h1>
            <p class="muted">{ lang.t("Your requests and certificates, newest first.", "Ihre Anträge und Zertifikate, die neuesten zuerst.") }</p>
            <div role="status" aria-live="polite">
                if let Some(text) = &*notice {
                    <p class="success" id="certificates-notice">{ text.clone() }</p>
                }
            </div>
            if let Some(e) = &*error {
                <p class="error" role="alert" id="certificates-error" data-code={e.code.as_str()}>{ api_error_text(lang, e) }</p>
            }
            { content }
        </section>
    }
}

type Job = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, ApiError>>>>;

fn card(
    lang: Lang,
    r: &RequestView,
    now: i64,
    open: &UseStateHandle<Option<Open>>,
    busy: bool,
    run: &Callback<Job>,
) -> Html {
    let id = r.id;
    let can = actions(r, now);
    let name = match (&r.given_name, &r.surname, &r.display_name) {
        (_, _, Some(d)) => d.clone(),
        (Some(g), Some(s), _) => format!("{g} {s}"),
        _ => String::new(),
    };
    let certificate = r.certificate.as_ref().map(|c| {
        html! {
            <>
                <dt>{ lang.t("Valid", "Gültig") }</dt>
                <dd id={format!("request-{id}-expiry")}>
                    { lang.s(format!("{} to {}", lang.date(c.not_before), lang.date(c.not_after)),
                             format!("{} bis {}", lang.date(c.not_before), lang.date(c.not_after))) }
                    if c.not_after <= now {
                        { lang.t(" (expired)", " (abgelaufen)") }
                    }
                </dd>
                <dt>{ lang.t("Serial number", "Seriennummer") }</dt>
                <dd id={format!("request-{id}-serial")} class="wrap">{ c.serial.clone() }</dd>
                if let Some(at) = c.collected_at {
                    <dt>{ lang.t("Collected", "Abgeholt") }</dt><dd>{ lang.date_time(at) }</dd>
                }
                if let Some(at) = c.revoked_at {
                    <dt>{ lang.t("Revoked", "Widerrufen") }</dt>
                    <dd>
                        { lang.date_time(at) }
                        if let Some(reason) = c.revocation_reason {
                            { ": " }{ reason_label(lang, reason) }
                        }
                    </dd>
                }
            </>
        }
    });
    let open_now = (**open).clone();
    let set_open = |what: Option<Open>| {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(what.clone()))
    };
    let withdraw_confirm = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| {
            run.emit(Box::pin(async move {
                api::post_empty(&routes::with_id(routes::REQUEST_WITHDRAW, id)).await?;
                Ok(lang
                    .t(
                        "The request was withdrawn.",
                        "Der Antrag wurde zurückgezogen.",
                    )
                    .to_owned())
            }))
        })
    };
    let collect_again = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| {
            run.emit(Box::pin(async move {
                let path = routes::with_id(routes::REQUEST_COLLECT_LINK, id);
                let sent: CollectLinkSent = api::post(&path, &()).await?;
                Ok(lang.s(
                    format!("A new collect link was mailed to {}. The link mailed before no longer works.", sent.sent_to),
                    format!("Ein neuer Link zum Abholen wurde an {} gesendet. Der zuvor gesendete Link gilt nicht mehr.", sent.sent_to),
                ))
            }))
        })
    };
    let confirm = match open_now {
        Some(Open::Withdraw(i)) if i == id => html! {
            <div class="confirm notice">
                <p>{ lang.s(format!("Withdraw request {}? This cannot be undone.", r.code),
                            format!("Antrag {} zurückziehen? Das lässt sich nicht rückgängig machen.", r.code)) }</p>
                <div class="actions">
                    <button type="button" class="danger" id={format!("withdraw-confirm-{id}")} disabled={busy} onclick={withdraw_confirm}>
                        { lang.t("Withdraw", "Zurückziehen") }
                    </button>
                    <button type="button" class="secondary" id={format!("withdraw-cancel-{id}")} onclick={set_open(None)}>
                        { lang.t("Cancel", "Abbrechen") }
                    </button>
                </div>
            </div>
        },
        Some(Open::Revoke(i, reason)) if i == id => {
            let serial = r
                .certificate
                .as_ref()
                .map(|c| c.serial.clone())
                .unwrap_or_default();
            let onchange = {
                let open = open.clone();
                Callback::from(move |e: Event| {
                    let value = e.target_unchecked_into::<HtmlSelectElement>().value();
                    if let Some(reason) = RevocationReason::parse(&value) {
                        open.set(Some(Open::Revoke(id, reason)));
                    }
                })
            };
            let revoke_confirm = {
                let run = run.clone();
                let serial = serial.clone();
                Callback::from(move |_: MouseEvent| {
                    let serial = serial.clone();
                    run.emit(Box::pin(async move {
                        let path = routes::REVOKE.replace("{serial}", &serial);
                        let done: Revoked = api::post(&path, &RevokeRequest { reason }).await?;
                        Ok(lang.s(
                            format!("The certificate {} was revoked. Keep its key file: you need it to read old encrypted mail.", done.serial),
                            format!("Das Zertifikat {} wurde widerrufen. Behalten Sie die Schlüsseldatei: Sie brauchen sie, um alte verschlüsselte Mails zu lesen.", done.serial),
                        ))
                    }))
                })
            };
            let select_id = format!("revoke-reason-{id}");
            html! {
                <div class="confirm notice">
                    <p>{ lang.t("Revoking ends the certificate for good: mail programs stop trusting new signatures made with it. Request a new one if you still need one.",
                                "Ein Widerruf beendet das Zertifikat endgültig: Mailprogramme vertrauen neuen Signaturen damit nicht mehr. Beantragen Sie ein neues, wenn Sie weiter eines brauchen.") }</p>
                    <label for={select_id.clone()}>{ lang.t("Reason", "Grund") }</label>
                    <select id={select_id} {onchange}>
                        { for OWNER_REASONS.iter().map(|r| html! {
                            <option value={r.as_str()} selected={*r == reason}>{ reason_label(lang, *r) }</option>
                        }) }
                    </select>
                    <div class="actions">
                        <button type="button" class="danger" id={format!("revoke-confirm-{id}")} disabled={busy} onclick={revoke_confirm}>
                            { lang.t("Revoke the certificate", "Zertifikat widerrufen") }
                        </button>
                        <button type="button" class="secondary" id={format!("revoke-cancel-{id}")} onclick={set_open(None)}>
                            { lang.t("Cancel", "Abbrechen") }
                        </button>
                    </div>
                </div>
            }
        }
        _ => html! {},
    };
    html! {
        <li class="request-card" id={format!("request-{id}")} data-code={r.code.clone()} data-state={r.state.as_str()}>
            <h2>
                <span>{ r.code.clone() }</span>
                <span class="muted">{ kind_label(lang, r.kind) }</span>
                <span class={classes!("state", format!("state-{}", r.state.as_str()))}>{ state_label(lang, r.state) }</span>
            </h2>
            <dl class="facts">
                <dt>{ lang.t("Addresses", "Adressen") }</dt><dd>{ r.addresses.join(", ") }</dd>
                if !name.is_empty() {
                    <dt>{ lang.t("Name", "Name") }</dt><dd>{ name }</dd>
                }
                <dt>{ lang.t("Requested", "Beantragt") }</dt><dd>{ lang.date_time(r.created_at) }</dd>
                <dt>{ lang.t("Key type", "Schlüsseltyp") }</dt><dd>{ r.key_type.as_str() }</dd>
                if let Some(reason) = &r.reason {
                    <dt>{ lang.t("Reason", "Begründung") }</dt><dd>{ reason.clone() }</dd>
                }
                { for certificate }
            </dl>
            if r.state == RequestState::AwaitingIdentityCheck {
                <p class="hint">{ lang.t("Waiting for your identity check: see the service desk with a photo ID, in person or by video call, and quote the code.",
                                         "Wartet auf Ihre Identitätsprüfung: Wenden Sie sich mit einem Lichtbildausweis an den Service-Desk, persönlich oder per Videoanruf, und nennen Sie die Nummer.") }</p>
            }
            if can.withdraw || can.revoke || can.collect_again {
                <div class="actions">
                    if can.collect_again {
                        <button type="button" class="secondary" id={format!("collect-again-{id}")} disabled={busy} onclick={collect_again}>
                            { lang.t("Mail the collect link again", "Link zum Abholen erneut senden") }
                        </button>
                    }
                    if can.withdraw {
                        <button type="button" class="secondary" id={format!("withdraw-{id}")} onclick={set_open(Some(Open::Withdraw(id)))}>
                            { lang.t("Withdraw", "Zurückziehen") }
                        </button>
                    }
                    if can.revoke {
                        <button type="button" class="secondary" id={format!("revoke-{id}")} onclick={set_open(Some(Open::Revoke(id, RevocationReason::Superseded)))}>
                            { lang.t("Revoke", "Widerrufen") }
                        </button>
                    }
                </div>
            }
            { confirm }
        </li>
    }
}
