//! After the steps: generating, saving the key file, and the submitted request.

use shared::api::{RequestOptions, RequestState, RequestView};
use yew::prelude::*;

use crate::i18n::Lang;
use crate::route::{Link, Route};

/// The key is being made: a spinner, read out once.
pub fn generating(lang: Lang) -> Html {
    html! {
        <div id="wizard-generating" class="generating" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            { lang.t("Making your key and the request … This takes a few seconds; you can keep using the page.",
                     "Ihr Schlüssel und der Antrag werden erstellt … Das dauert einige Sekunden; Sie können die Seite weiter benutzen.") }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SaveKeyProps {
    pub file_name: AttrValue,
    pub saved: bool,
    pub sending: bool,
    pub on_download: Callback<()>,
    pub on_saved: Callback<bool>,
    pub on_submit: Callback<()>,
}

/// Save the key file (its download has started), confirm, then send the request.
#[function_component(SaveKey)]
pub fn save_key(props: &SaveKeyProps) -> Html {
    let lang = crate::i18n::use_lang();
    let on_download = props.on_download.reform(|_: MouseEvent| ());
    let on_saved = props.on_saved.reform(|e: Event| {
        e.target_unchecked_into::<web_sys::HtmlInputElement>()
            .checked()
    });
    let on_submit = props.on_submit.reform(|_: MouseEvent| ());
    html! {
        <>
            <p class="success" role="status">
                { lang.t("Your key is ready. Its file is being downloaded as ", "Ihr Schlüssel ist fertig. Seine Datei wird heruntergeladen als ") }
                <strong id="wizard-key-file-name">{ props.file_name.clone() }</strong>{ "." }
            </p>
            <div class="notice">
                <p><strong>{ lang.t("Keep this file and its password safe.", "Bewahren Sie diese Datei und ihr Passwort sicher auf.") }</strong></p>
                <ul>
                    <li>{ lang.t("Without the file and its password the certificate cannot be used: you need both to collect it.",
                                 "Ohne die Datei und ihr Passwort ist das Zertifikat nicht nutzbar: Sie brauchen beides zum Abholen.") }</li>
                    <li>{ lang.t("Nobody else has a copy, not the service desk: the key was made in this browser and never left it.",
                                 "Niemand sonst hat eine Kopie, auch nicht der Service-Desk: Der Schlüssel entstand in diesem Browser und hat ihn nie verlassen.") }</li>
                    <li>{ lang.t("Keep it even after the certificate expires: old encrypted mail can only be read with it.",
                                 "Behalten Sie sie auch nach Ablauf des Zertifikats: Alte verschlüsselte Mails lassen sich nur damit lesen.") }</li>
                </ul>
                <p>{ lang.t("Move it from the download folder to a place that is backed up, e.g. your personal network drive.",
                            "Verschieben Sie sie aus dem Download-Ordner an einen Ort mit Datensicherung, z. B. Ihr persönliches Netzlaufwerk.") }</p>
            </div>
            <p>
                <button type="button" class="secondary" id="wizard-key-download" onclick={on_download}>
                    { lang.t("Download the key file again", "Schlüsseldatei erneut herunterladen") }
                </button>
            </p>
            <label class="choice" for="wizard-key-saved">
                <input type="checkbox" id="wizard-key-saved" checked={props.saved} onchange={on_saved} />
                { lang.t("I have saved my key file and know its password.", "Ich habe meine Schlüsseldatei gespeichert und kenne ihr Passwort.") }
            </label>
            <div class="actions">
                <button type="button" class="primary" id="wizard-submit" onclick={on_submit}
                    disabled={!props.saved || props.sending}>
                    { if props.sending { lang.t("Sending …", "Wird gesendet …") } else { lang.t("Send the request", "Antrag senden") } }
                </button>
            </div>
        </>
    }
}

/// The request is in: its code and what happens next.
pub fn submitted(lang: Lang, view: &RequestView, options: &RequestOptions) -> Html {
    let next = match view.state {
        RequestState::AwaitingIdentityCheck => html! {
            <>
                <h2>{ lang.t("Next: the identity check", "Als Nächstes: die Identitätsprüfung") }</h2>
                <p id="wizard-next-steps">
                    { lang.t("The service desk checks your identity once, in person or by video call. Bring \
                              your passport or ID card and quote the request code. When the check is done, \
                              the certificate is issued and you get a mail with the link to collect it.",
                             "Der Service-Desk prüft Ihre Identität einmal, persönlich oder per Videoanruf. \
                              Halten Sie Ihren Pass oder Personalausweis bereit und nennen Sie die \
                              Antragsnummer. Nach der Prüfung wird das Zertifikat ausgestellt und Sie \
                              erhalten eine Mail mit dem Link zum Abholen.") }
                </p>
                if let Some(text) = &options.desk_instructions {
                    <div class="notice desk-instructions" id="wizard-desk-instructions">
                        <p>{ text.clone() }</p>
                    </div>
                }
            </>
        },
        _ => html! {
            <p id="wizard-next-steps">
                { lang.t("No identity check is needed: the certificate is being issued now. You will get a \
                          mail with the link to collect it in a few minutes.",
                         "Eine Identitätsprüfung ist nicht nötig: Das Zertifikat wird jetzt ausgestellt. \
                          Sie erhalten in wenigen Minuten eine Mail mit dem Link zum Abholen.") }
            </p>
        },
    };
    html! {
        <div id="wizard-submitted">
            <p class="success" role="status">
                { lang.t("Your request has been received. Its code is ", "Ihr Antrag ist eingegangen. Seine Nummer ist ") }
                <strong id="wizard-request-code">{ view.code.clone() }</strong>{ "." }
            </p>
            { next }
            <p>{ lang.t("Open the collect link on the computer where your key file is.",
                        "Öffnen Sie den Link zum Abholen auf dem Rechner, auf dem Ihre Schlüsseldatei liegt.") }</p>
            <p class="actions">
                <Link to={Route::Certificates} id="wizard-to-certificates" classes={classes!("button", "secondary")}>
                    { lang.t("My certificates", "Meine Zertifikate") }
                </Link>
            </p>
        </div>
    }
}
