//! Sign-in by mailed link: the address form (on the start page and wherever a link failed),
//! the "check your mail" view, and the link's *Continue* page, which trades the token only
//! when the button is pressed (mail scanners open links, and must not use them up).
//!
//! Element ids for the end-to-end tests:
//! - address form: `signin-email`, `signin-submit`, `signin-error` (role=alert);
//! - check your mail: `signin-sent` (the view), `signin-sent-address`, `signin-resend`,
//!   `signin-other-address`;
//! - Continue page: `signin-continue`, `signin-continue-error` (role=alert; also carries
//!   `data-code` with the API's error code, e.g. `link_expired`), `signin-no-token`.

use shared::api::{ApiError, ErrorCode, LinkRequest, LinkSent, Me, SessionRequest, routes};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::api;
use crate::i18n::{Lang, use_lang};
use crate::route::{Route, take_fragment, use_navigate};
use crate::session::{Session, use_session};

/// A refusal of the sign-in endpoints in the page's language.
pub fn error_text(lang: Lang, e: &ApiError) -> String {
    let t = |en: &'static str, de: &'static str| lang.t(en, de).to_owned();
    match e.code {
        ErrorCode::EmailNotAllowed => lang.s(
            format!("This address cannot sign in here. {}", e.message),
            format!(
                "Mit dieser Adresse ist hier keine Anmeldung möglich. {}",
                e.message
            ),
        ),
        ErrorCode::RateLimited => lang.s(
            format!("Too many sign-in links in a short time. {}", e.message),
            format!(
                "Zu viele Anmeldelinks in kurzer Zeit. Bitte versuchen Sie es später erneut. ({})",
                e.message
            ),
        ),
        ErrorCode::LinkExpired => t(
            "This sign-in link has expired: links work for a short time only. Ask for a new \
             one below; it arrives within a minute.",
            "Dieser Anmeldelink ist abgelaufen: Links gelten nur kurze Zeit. Fordern Sie unten \
             einen neuen an; er kommt innerhalb einer Minute.",
        ),
        ErrorCode::LinkUsed => t(
            "This sign-in link was already used: each link works once. If you did not use it \
             yourself, tell the IT service desk. Ask for a new link below.",
            "Dieser Anmeldelink wurde bereits verwendet: Jeder Link gilt nur einmal. Falls Sie \
             ihn nicht selbst verwendet haben, informieren Sie den IT-Service-Desk. Fordern Sie \
             unten einen neuen Link an.",
        ),
        ErrorCode::LinkInvalid => t(
            "This sign-in link is not valid. Please open the complete link from the mail, or \
             ask for a new one below.",
            "Dieser Anmeldelink ist ungültig. Bitte öffnen Sie den vollständigen Link aus der \
             Mail oder fordern Sie unten einen neuen an.",
        ),
        _ => crate::components::labels::api_error_text(lang, e),
    }
}

#[derive(Clone, PartialEq)]
enum FormState {
    Editing,
    Sending,
    Sent { email: String, minutes: u32 },
}

#[derive(Properties, PartialEq)]
pub struct LinkFormProps {
    /// The form's heading.
    #[prop_or_default]
    pub heading: Option<AttrValue>,
}

/// The address form and, once the link is mailed, the "check your mail" view.
#[function_component(LinkForm)]
pub fn link_form(props: &LinkFormProps) -> Html {
    let lang = use_lang();
    let email = use_state(String::new);
    let state = use_state(|| FormState::Editing);
    let error = use_state(|| None::<ApiError>);
    let heading_ref = use_node_ref();

    let send = {
        let state = state.clone();
        let error = error.clone();
        Callback::from(move |address: String| {
            let state = state.clone();
            let error = error.clone();
            let address = address.trim().to_owned();
            state.set(FormState::Sending);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let body = LinkRequest {
                    email: address.clone(),
                    language: Some(lang.0),
                };
                match api::post::<_, LinkSent>(routes::AUTH_LINK, &body).await {
                    Ok(sent) => state.set(FormState::Sent {
                        email: address,
                        minutes: sent.expires_in_minutes,
                    }),
                    Err(e) => {
                        error.set(Some(e));
                        state.set(FormState::Editing);
                    }
                }
            });
        })
    };
    {
        // The "check your mail" view replaces the form: move focus to its heading.
        let heading_ref = heading_ref.clone();
        let sent = matches!(*state, FormState::Sent { .. });
        use_effect_with(sent, move |sent| {
            if *sent && let Some(h) = heading_ref.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }

    if let FormState::Sent {
        email: sent_to,
        minutes,
    } = &*state
    {
        let resend = {
            let send = send.clone();
            let sent_to = sent_to.clone();
            Callback::from(move |_| send.emit(sent_to.clone()))
        };
        let other = {
            let state = state.clone();
            Callback::from(move |_| state.set(FormState::Editing))
        };
        return html! {
            <section class="signin-sent" id="signin-sent">
                <h2 tabindex="-1" ref={heading_ref}>{ lang.t("Check your mail", "Sehen Sie in Ihr Postfach") }</h2>
                <p>
                    { lang.t("We sent a sign-in link to ", "Wir haben einen Anmeldelink an ") }
                    <strong id="signin-sent-address">{ sent_to.clone() }</strong>
                    { lang.t(".", " gesendet.") }
                </p>
                <p>
                    { lang.s(
                        format!("Open the link within {minutes} minutes on this device and press \
                                 Continue. It works once."),
                        format!("Öffnen Sie den Link innerhalb von {minutes} Minuten auf diesem \
                                 Gerät und klicken Sie auf „Weiter“. Er gilt nur einmal."),
                    ) }
                </p>
                <p class="muted">
                    { lang.t("Nothing arrived after a few minutes? Look in the spam folder, check \
                              the address, or send the link again.",
                             "Nach einigen Minuten nichts angekommen? Sehen Sie im Spam-Ordner \
                              nach, prüfen Sie die Adresse oder senden Sie den Link erneut.") }
                </p>
                <div class="actions">
                    <button type="button" class="secondary" id="signin-resend" onclick={resend}>
                        { lang.t("Send again", "Erneut senden") }
                    </button>
                    <button type="button" class="link-button" id="signin-other-address" onclick={other}>
                        { lang.t("Use another address", "Andere Adresse verwenden") }
                    </button>
                </div>
            </section>
        };
    }

    let sending = *state == FormState::Sending;
    let oninput = {
        let email = email.clone();
        Callback::from(move |e: InputEvent| {
            email.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let onsubmit = {
        let email = email.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit((*email).clone());
        })
    };
    let heading = props
        .heading
        .clone()
        .unwrap_or_else(|| lang.t("Sign in", "Anmelden").into());
    html! {
        <form class="signin-form" {onsubmit} novalidate=true>
            <h2>{ heading }</h2>
            <p>
                { lang.t("Type your work e-mail address. We mail you a link that signs you in: \
                          no password needed.",
                         "Geben Sie Ihre dienstliche E-Mail-Adresse ein. Wir senden Ihnen einen \
                          Link, der Sie anmeldet: Ein Passwort ist nicht nötig.") }
            </p>
            <div class="field">
                <label for="signin-email">{ lang.t("E-mail address", "E-Mail-Adresse") }</label>
                <input id="signin-email" type="email" name="email" autocomplete="email"
                    required=true spellcheck="false" value={(*email).clone()} {oninput}
                    aria-describedby={error.is_some().then_some("signin-error")} />
            </div>
            if let Some(e) = &*error {
                <p class="error" id="signin-error" role="alert" data-code={e.code.as_str()}>
                    { error_text(lang, e) }
                </p>
            }
            <button type="submit" class="primary" id="signin-submit" disabled={sending}>
                { if sending { lang.t("Sending …", "Wird gesendet …") } else { lang.t("Send me a sign-in link", "Anmeldelink senden") } }
            </button>
        </form>
    }
}

#[derive(Clone, PartialEq)]
enum ContinueState {
    Ready,
    Working,
    Failed(ApiError),
}

/// Where a newly signed-in person goes: the service desk to its queue, everyone else to the
/// start page with the next steps.
pub fn after_sign_in(me: &Me) -> Route {
    if me.role >= shared::api::Role::Desk {
        Route::Desk
    } else {
        Route::Home
    }
}

/// The mailed link's page: `/signin#TOKEN`.
#[function_component(Continue)]
pub fn page() -> Html {
    let lang = use_lang();
    // Read once and removed from the address bar, so it stays out of the history.
    let token = use_state(take_fragment);
    let state = use_state(|| ContinueState::Ready);
    let session = use_session();
    let navigate = use_navigate();

    let Some(value) = (*token).clone() else {
        return html! {
            <section class="signin">
                <h1>{ lang.t("Sign in", "Anmelden") }</h1>
                <p id="signin-no-token">
                    { lang.t("This page is opened by the link in the sign-in mail. Ask for a link here:",
                             "Diese Seite öffnet der Link aus der Anmeldemail. Fordern Sie hier einen Link an:") }
                </p>
                <LinkForm />
            </section>
        };
    };
    let onclick = {
        let state = state.clone();
        Callback::from(move |_| {
            let state = state.clone();
            let set = session.set.clone();
            let navigate = navigate.clone();
            let token = value.clone();
            state.set(ContinueState::Working);
            wasm_bindgen_futures::spawn_local(async move {
                match api::post::<_, Me>(routes::AUTH_SESSION, &SessionRequest { token }).await {
                    Ok(me) => {
                        let to = after_sign_in(&me);
                        set.emit(Session::SignedIn(me));
                        navigate.emit(to);
                    }
                    Err(e) => state.set(ContinueState::Failed(e)),
                }
            });
        })
    };
    match &*state {
        ContinueState::Failed(e) => html! {
            <section class="signin">
                <h1>{ lang.t("This sign-in link cannot be used", "Dieser Anmeldelink ist nicht verwendbar") }</h1>
                <p class="error" id="signin-continue-error" role="alert" data-code={e.code.as_str()}>
                    { error_text(lang, e) }
                </p>
                <LinkForm heading={AttrValue::from(lang.t("Ask for a new link", "Neuen Link anfordern"))} />
            </section>
        },
        _ => {
            let working = *state == ContinueState::Working;
            html! {
                <section class="signin">
                    <h1>{ lang.t("Sign in to certdesk", "Bei certdesk anmelden") }</h1>
                    <p>
                        { lang.t("Press Continue to finish signing in on this device.",
                                 "Klicken Sie auf „Weiter“, um die Anmeldung auf diesem Gerät abzuschließen.") }
                    </p>
                    <button type="button" class="primary" id="signin-continue" {onclick} disabled={working}>
                        { if working { lang.t("Signing in …", "Anmeldung läuft …") } else { lang.t("Continue", "Weiter") } }
                    </button>
                </section>
            }
        }
    }
}
