//! The service desk: the queue of requests (`/desk`) and one request (`/desk/requests/{id}`)
//! with the identity on file, the evidence form, approve, reject and revoke. Only for the
//! desk role and above; the server checks again.
//!
//! Element ids (for the end-to-end test):
//! - `desk-checking` while the session loads, `desk-not-allowed` (role=alert) for others,
//!   `desk-sign-in` when signed out;
//! - queue: the filter form `desk-filters` with `desk-filter-state`, `desk-filter-kind`,
//!   `desk-filter-min-age`, `desk-filter-max-age`, `desk-search` (`/` focuses it),
//!   `desk-filter-submit`, `desk-filter-reset`, its error `desk-filter-error`; the table
//!   `desk-queue` with rows `desk-row-{id}` (`data-code`) and in each the link
//!   `desk-open-{code}`; `desk-empty`, `desk-queue-loading`, `desk-queue-error`,
//!   `desk-next-page`, `desk-first-page`;
//! - detail: `desk-detail` (`data-state` = the request's state), `desk-request-code`,
//!   `desk-request-state`, `desk-identity`, `desk-evidence`, `desk-certificate`,
//!   `desk-back`, `desk-own-request` (why no decision is offered), `desk-result`
//!   (role=status, after an action), `desk-error` (role=alert, `data-code` = API code,
//!   `data-field` = the evidence field's id when one is named);
//! - evidence form `desk-evidence-form`: `evidence-method-in-person`,
//!   `evidence-method-video-call`, `evidence-document-type`, `evidence-issuing-authority`,
//!   `evidence-issuing-country`, `evidence-document-number`, `evidence-document-expiry`
//!   (`YYYY-MM-DD` or `DD.MM.YYYY`), `evidence-name-on-document`, `evidence-given-name`,
//!   `evidence-surname`, `desk-approve`;
//! - reject form `desk-reject-form`: `desk-reject-reason`, `desk-reject`;
//! - revoke form `desk-revoke-form`: `desk-revoke-reason`, `desk-revoke`.

mod detail;
mod evidence;
mod queue;

use wasm_bindgen::JsCast;
use yew::prelude::*;

pub use detail::Detail;
pub use queue::Queue;

use crate::i18n::use_lang;
use crate::route::{Link, Route};
use crate::session::{Session, use_session};

/// Moves the keyboard focus to the element with `id`.
fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[derive(Properties, PartialEq)]
struct DeskOnlyProps {
    children: Html,
}

/// Shows its children only to the service desk (and administrators).
#[function_component(DeskOnly)]
fn desk_only(props: &DeskOnlyProps) -> Html {
    let lang = use_lang();
    let session = use_session();
    match &session.session {
        Session::Loading => html! {
            <p id="desk-checking" role="status">
                <span class="spinner" aria-hidden="true"></span>{ lang.t("Checking your sign-in…", "Ihre Anmeldung wird geprüft …") }
            </p>
        },
        Session::SignedOut => html! {
            <section>
                <h1>{ lang.t("Service desk", "Service-Desk") }</h1>
                <p id="desk-sign-in" class="notice">
                    { lang.t("Please sign in first. ", "Bitte melden Sie sich zuerst an. ") }
                    <Link to={Route::Home}>{ lang.t("To the sign-in", "Zur Anmeldung") }</Link>
                </p>
            </section>
        },
        Session::SignedIn(_) if !session.session.is_desk() => not_allowed(lang),
        Session::SignedIn(_) => props.children.clone(),
    }
}

fn not_allowed(lang: crate::i18n::Lang) -> Html {
    html! {
        <section>
            <h1>{ lang.t("Service desk", "Service-Desk") }</h1>
            <p id="desk-not-allowed" class="error" role="alert">
                { lang.t("These pages are only for the service desk. Your role does not allow you \
                    to see or decide other people's requests.",
                    "Diese Seiten sind nur für den Service-Desk. Ihre Rolle erlaubt es nicht, \
                    Anträge anderer Personen einzusehen oder zu entscheiden.") }
            </p>
            <p><Link to={Route::Certificates}>{ lang.t("To my certificates", "Zu meinen Zertifikaten") }</Link></p>
        </section>
    }
}
