use shared::api::Language;
use yew::prelude::*;

use crate::components::health::ServerStatus;
use crate::i18n::{self, Lang, LangContext, use_lang, use_set_lang};
use crate::pages;
use crate::route::{Link, Route, RouterContext, use_navigate, use_route, use_router, use_visit};
use crate::session::{Session, SessionContext, use_session, use_session_state};

/// Named in the page's performance timeline once the first render is on screen: what
/// `cargo xtask bench` reports as time to interactive.
pub const INTERACTIVE_MARK: &str = "certdesk-interactive";

#[function_component(App)]
pub fn app() -> Html {
    use_effect_with((), |_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            // Only a measurement: the app runs the same without it.
            let _ = performance.mark(INTERACTIVE_MARK);
        }
    });
    let language = use_state(i18n::initial);
    {
        // The document's language, for screen readers and hyphenation.
        let tag = language.as_str();
        use_effect_with(tag, |tag| {
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("lang", tag);
            }
        });
    }
    let lang_context = LangContext {
        lang: Lang(*language),
        set: {
            let language = language.clone();
            Callback::from(move |l: Language| {
                i18n::remember(l);
                language.set(l);
            })
        },
    };
    let router = use_router();
    let session = use_session_state();
    html! {
        <ContextProvider<LangContext> context={lang_context}>
        <ContextProvider<RouterContext> context={router}>
        <ContextProvider<SessionContext> context={session}>
            <a class="skip-link" href="#main">{ Lang(*language).t("Skip to content", "Zum Inhalt springen") }</a>
            <Header />
            <main id="main" class="content" tabindex="-1">
                <Page />
            </main>
            <footer class="site-footer">
                <ServerStatus />
            </footer>
        </ContextProvider<SessionContext>>
        </ContextProvider<RouterContext>>
        </ContextProvider<LangContext>>
    }
}

/// The page for the current route.
#[function_component(Page)]
fn page() -> Html {
    // A new visit (another mailed link in the same tab) shows the page afresh.
    let visit = use_visit().to_string();
    let page = match use_route() {
        Route::Home => html! { <pages::home::Home /> },
        Route::SignIn => html! { <pages::signin::Continue /> },
        Route::Request => html! { <pages::request::RequestWizard /> },
        Route::Certificates => html! { <pages::certificates::MyCertificates /> },
        Route::Collect => html! { <pages::collect::Collect /> },
        Route::Desk => html! { <pages::desk::Queue /> },
        Route::DeskRequest(id) => html! { <pages::desk::Detail {id} /> },
        Route::NotFound => html! { <pages::home::NotFound /> },
    };
    html! { <div class="page" key={visit}>{ page }</div> }
}

#[function_component(Header)]
fn header() -> Html {
    let lang = use_lang();
    let session = use_session();
    let nav = match &session.session {
        Session::SignedIn(me) => html! {
            <nav aria-label={lang.t("Main", "Hauptmenü")}>
                <ul class="nav">
                    <li><Link to={Route::Request}>{ lang.t("Request a certificate", "Zertifikat beantragen") }</Link></li>
                    <li><Link to={Route::Certificates}>{ lang.t("My certificates", "Meine Zertifikate") }</Link></li>
                    if session.session.is_desk() {
                        <li><Link to={Route::Desk}>{ lang.t("Service desk", "Service-Desk") }</Link></li>
                    }
                    <li class="nav-user"><span class="muted">{ me.email.clone() }</span></li>
                    <li><SignOut /></li>
                </ul>
            </nav>
        },
        _ => html! {},
    };
    html! {
        <header class="site-header">
            <Link to={Route::Home} classes={classes!("brand")}>{ "certdesk" }</Link>
            { nav }
            <LanguageSwitch />
        </header>
    }
}

/// One button that names the other language in that language.
#[function_component(LanguageSwitch)]
fn language_switch() -> Html {
    let lang = use_lang();
    let set = use_set_lang();
    let (other, label) = match lang.0 {
        Language::En => (Language::De, "Deutsch"),
        Language::De => (Language::En, "English"),
    };
    html! {
        <button type="button" class="link-button language-switch" id="language-switch"
            lang={other.as_str()} onclick={Callback::from(move |_| set.emit(other))}>
            { label }
        </button>
    }
}

#[function_component(SignOut)]
fn sign_out() -> Html {
    let lang = use_lang();
    let session = use_session();
    let navigate = use_navigate();
    let onclick = Callback::from(move |_| {
        let set = session.set.clone();
        let navigate = navigate.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // Signed out locally even if the server is gone; its session then simply expires.
            let _ = crate::api::logout().await;
            set.emit(Session::SignedOut);
            navigate.emit(Route::Home);
        });
    });
    html! {
        <button type="button" class="link-button" id="sign-out" {onclick}>{ lang.t("Sign out", "Abmelden") }</button>
    }
}
