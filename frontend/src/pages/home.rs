use yew::prelude::*;

use crate::i18n::use_lang;
use crate::route::{Link, Route};

#[function_component(Home)]
pub fn home() -> Html {
    let lang = use_lang();
    html! {
        <section class="home">
            <h1>{ lang.t("S/MIME certificates for your e-mail", "S/MIME-Zertifikate für Ihre E-Mail") }</h1>
            <p>
                { lang.t("Request a certificate to sign and encrypt your e-mail. Your key is made in \
                   this browser and never leaves it; the service desk checks your identity once.",
                   "Beantragen Sie ein Zertifikat, um Ihre E-Mails zu signieren und zu verschlüsseln. \
                   Ihr Schlüssel entsteht in diesem Browser und verlässt ihn nie; der Service-Desk \
                   prüft Ihre Identität einmal.") }
            </p>
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
