//! The start page: the sign-in form when signed out; what to do next when signed in.
//!
//! Element ids for the end-to-end tests: `home-request`, `home-certificates`, `home-desk`
//! (links when signed in); the sign-in form's ids are in [`super::signin`].

use yew::prelude::*;

use super::signin::LinkForm;
use crate::i18n::use_lang;
use crate::route::{Link, Route};
use crate::session::{Session, use_session};

#[function_component(Home)]
pub fn home() -> Html {
    let lang = use_lang();
    let session = use_session();
    let intro = html! {
        <>
            <h1>{ lang.t("S/MIME certificates for your e-mail", "S/MIME-Zertifikate für Ihre E-Mail") }</h1>
            <p>
                { lang.t("Request a certificate to sign and encrypt your e-mail. Your key is made in \
                   this browser and never leaves it; the service desk checks your identity once.",
                   "Beantragen Sie ein Zertifikat, um Ihre E-Mails zu signieren und zu verschlüsseln. \
                   Ihr Schlüssel entsteht in diesem Browser und verlässt ihn nie; der Service-Desk \
                   prüft Ihre Identität einmal.") }
            </p>
        </>
    };
    let body = match &session.session {
        Session::Loading => {
            html! { <p class="muted" aria-live="polite">{ lang.t("Loading …", "Wird geladen …") }</p> }
        }
        Session::SignedOut => html! { <LinkForm /> },
        Session::SignedIn(me) => html! {
            <>
                <h2>{ lang.t("What happens", "So geht es") }</h2>
                <ol class="home-steps">
                    <li>{ lang.t("Request: choose the kind of certificate, its addresses and a password. \
                                  Your browser makes the key and you save it as a key file.",
                                 "Beantragen: Wählen Sie die Art des Zertifikats, seine Adressen und ein \
                                  Passwort. Ihr Browser erzeugt den Schlüssel, den Sie als \
                                  Schlüsseldatei speichern.") }</li>
                    <li>{ lang.t("Identity check: unless your identity is already on file, show a photo ID \
                                  at the service desk, in person or by video call.",
                                 "Identitätsprüfung: Sofern Ihre Identität noch nicht geprüft ist, zeigen \
                                  Sie dem Service-Desk einen Lichtbildausweis, persönlich oder per \
                                  Videoanruf.") }</li>
                    <li>{ lang.t("Collect: a mail brings a link; with your key file and password the page \
                                  makes the file to import into your mail program.",
                                 "Abholen: Eine Mail bringt einen Link; mit Schlüsseldatei und Passwort \
                                  erstellt die Seite die Datei für Ihr Mailprogramm.") }</li>
                </ol>
                <p class="actions">
                    <Link to={Route::Request} id="home-request" classes={classes!("button", "primary")}>
                        { lang.t("Request a certificate", "Zertifikat beantragen") }
                    </Link>
                    <Link to={Route::Certificates} id="home-certificates" classes={classes!("button", "secondary")}>
                        { lang.t("My certificates", "Meine Zertifikate") }
                    </Link>
                    if session.session.is_desk() {
                        <Link to={Route::Desk} id="home-desk" classes={classes!("button", "secondary")}>
                            { lang.t("Service desk", "Service-Desk") }
                        </Link>
                    }
                </p>
                <p class="muted">{ lang.s(format!("Signed in as {}.", me.email), format!("Angemeldet als {}.", me.email)) }</p>
            </>
        },
    };
    html! {
        <section class="home">
            { intro }
            { body }
        </section>
    }
}

#[function_component(NotFound)]
pub fn not_found() -> Html {
    let lang = use_lang();
    html! {
        <section>
            <h1>{ lang.t("Page not found", "Seite nicht gefunden") }</h1>
            <p><Link to={Route::Home}>{ lang.t("To the start page", "Zur Startseite") }</Link></p>
        </section>
    }
}
