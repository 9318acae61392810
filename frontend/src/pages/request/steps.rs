//! The views of the wizard's six steps. Each reads the draft and changes it through
//! [`Edit`]; none keeps state of its own, so back and forth loses nothing.

use shared::api::{RequestKind, RequestOptions};
use shared::pki::KeyType;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::state::{Draft, MAX_NAME, Problem, mailboxes};
use crate::components::labels::kind_label;
use crate::components::password_rules::{
    MIN_LENGTH, MIN_LENGTH_WITHOUT_METER, Meter, PasswordProblem,
};
use crate::components::strength::Strength;
use crate::components::strength_meter::StrengthMeter;
use crate::i18n::Lang;

/// Changes the draft: the wizard applies the function to its current draft.
pub type Edit = Callback<Box<dyn FnOnce(&mut Draft)>>;

fn edit(on: &Edit, f: impl FnOnce(&mut Draft) + 'static) {
    on.emit(Box::new(f));
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// The heading of each step.
pub fn title(lang: Lang, step: super::state::Step) -> &'static str {
    use super::state::Step::*;
    match step {
        Kind => lang.t("Kind of certificate", "Art des Zertifikats"),
        Addresses => lang.t("Addresses", "Adressen"),
        Names => lang.t("Name in the certificate", "Name im Zertifikat"),
        KeyType => lang.t("Key type", "Schlüsseltyp"),
        Password => lang.t(
            "Password for your key file",
            "Passwort für Ihre Schlüsseldatei",
        ),
        Terms => lang.t("Terms of use", "Nutzungsbedingungen"),
    }
}

/// Step 1: personal, role or group, with a table that tells which to choose.
pub fn kind(lang: Lang, draft: &Draft, options: &RequestOptions, on: &Edit) -> Html {
    let offered = super::state::kinds_offered(options);
    let rows = [
        (
            RequestKind::Personal,
            lang.t("Your own mailbox", "Ihr eigenes Postfach"),
            lang.t(
                "Your name and your address; for signing and encrypting your own mail.",
                "Ihr Name und Ihre Adresse; zum Signieren und Verschlüsseln Ihrer eigenen Mails.",
            ),
        ),
        (
            RequestKind::Role,
            lang.t(
                "A function's mailbox, e.g. the data-protection officer",
                "Postfach einer Funktion, z. B. Datenschutzbeauftragte",
            ),
            lang.t(
                "The function's name and address; whoever holds the function uses it.",
                "Name und Adresse der Funktion; wer die Funktion innehat, nutzt es.",
            ),
        ),
        (
            RequestKind::Group,
            lang.t(
                "A mailbox a team shares, e.g. a secretariat",
                "Ein Postfach, das ein Team teilt, z. B. ein Sekretariat",
            ),
            lang.t(
                "The mailbox's name and address; everyone in the team can use it.",
                "Name und Adresse des Postfachs; alle im Team können es nutzen.",
            ),
        ),
    ];
    let choice = |k: RequestKind| {
        let on = on.clone();
        let options = options.clone();
        Callback::from(move |_: Event| {
            let options = options.clone();
            edit(&on, move |d| d.set_kind(k, &options));
        })
    };
    html! {
        <>
            <div class="table-wrap">
                <table class="kind-table">
                    <caption>{ lang.t("Which certificate do you need?", "Welches Zertifikat brauchen Sie?") }</caption>
                    <thead><tr>
                        <th scope="col">{ lang.t("Kind", "Art") }</th>
                        <th scope="col">{ lang.t("For", "Für") }</th>
                        <th scope="col">{ lang.t("What it holds", "Was es enthält") }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(k, when, holds)| html! {
                            <tr><th scope="row">{ kind_label(lang, *k) }</th><td>{ *when }</td><td>{ *holds }</td></tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <fieldset>
                <legend>{ lang.t("Choose the kind", "Wählen Sie die Art") }</legend>
                { for offered.iter().map(|k| {
                    let id = format!("wizard-kind-{}", k.as_str());
                    html! {
                        <label class="choice" for={id.clone()}>
                            <input type="radio" name="kind" id={id} checked={draft.kind == *k}
                                onchange={choice(*k)} />
                            { kind_label(lang, *k) }
                        </label>
                    }
                }) }
            </fieldset>
            if offered.len() == 1 {
                <p class="hint">
                    { lang.t("Role and group mailboxes appear here once an administrator has registered \
                              you as an owner of one.",
                             "Funktions- und Gruppenpostfächer erscheinen hier, sobald eine \
                              Administratorin oder ein Administrator Sie als Verantwortliche(n) \
                              eingetragen hat.") }
                </p>
            }
        </>
    }
}

/// Step 2: the own address, or the owned mailboxes of the kind.
pub fn addresses(lang: Lang, draft: &Draft, options: &RequestOptions, on: &Edit) -> Html {
    if draft.kind == RequestKind::Personal {
        return html! {
            <>
                <p>{ lang.t("A personal certificate is for the address you signed in with:",
                            "Ein persönliches Zertifikat gilt für die Adresse, mit der Sie angemeldet sind:") }</p>
                <p class="choice">
                    <input type="checkbox" id="wizard-address-own" checked=true disabled=true />
                    <label for="wizard-address-own">{ options.email.clone() }</label>
                </p>
            </>
        };
    }
    let boxes = mailboxes(options, draft.kind);
    html! {
        <fieldset>
            <legend>{ lang.t("Mailboxes to include", "Postfächer im Zertifikat") }</legend>
            <p class="hint">{ lang.t("Only mailboxes you are registered as an owner of. The first one you tick is the main address.",
                                     "Nur Postfächer, für die Sie als verantwortlich eingetragen sind. Das zuerst angekreuzte ist die Hauptadresse.") }</p>
            { for boxes.iter().enumerate().map(|(i, m)| {
                let id = format!("wizard-address-{i}");
                let address = m.address.clone();
                let on = on.clone();
                let onchange = Callback::from(move |e: Event| {
                    let on_now = checked(&e);
                    let address = address.clone();
                    edit(&on, move |d| d.toggle_address(&address, on_now));
                });
                html! {
                    <label class="choice" for={id.clone()}>
                        <input type="checkbox" {id} data-address={m.address.clone()}
                            checked={draft.addresses.contains(&m.address)} {onchange} />
                        <span>{ m.address.clone() }<span class="hint">{ m.display_name.clone() }</span></span>
                    </label>
                }
            }) }
        </fieldset>
    }
}

/// Step 3: given name and surname (personal), or the mailbox's registered name.
pub fn names(lang: Lang, draft: &Draft, options: &RequestOptions, on: &Edit) -> Html {
    if draft.kind != RequestKind::Personal {
        let name = draft
            .addresses
            .first()
            .and_then(|a| options.mailboxes.iter().find(|m| &m.address == a))
            .map(|m| m.display_name.clone())
            .unwrap_or_default();
        return html! {
            <>
                <p>{ lang.t("The certificate names the mailbox, as it is registered:",
                            "Das Zertifikat nennt das Postfach, wie es eingetragen ist:") }</p>
                <p class="facts-name" id="wizard-display-name"><strong>{ name }</strong></p>
                <p class="notice">
                    { lang.t("Your own name is not put in this certificate: it belongs to the mailbox, \
                              not to you. To change the mailbox's name, ask an administrator.",
                             "Ihr eigener Name steht nicht in diesem Zertifikat: Es gehört zum Postfach, \
                              nicht zu Ihnen. Um den Namen des Postfachs zu ändern, wenden Sie sich an \
                              die Administration.") }
                </p>
            </>
        };
    }
    let field = |id: &'static str,
                 label: &'static str,
                 value: &str,
                 autocomplete: &'static str,
                 set: fn(&mut Draft, String)| {
        let on = on.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let v = input_value(&e);
            edit(&on, move |d| set(d, v));
        });
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <input type="text" {id} value={value.to_owned()} {oninput} {autocomplete}
                    maxlength={MAX_NAME.to_string()} required=true aria-describedby="wizard-names-hint" />
            </div>
        }
    };
    let hint = if options.identity_check_needed {
        lang.t(
            "Type your names exactly as they are printed on your passport or ID card: the service \
             desk compares them when it checks your identity.",
            "Geben Sie Ihre Namen genau so ein, wie sie in Ihrem Pass oder Personalausweis stehen: \
             Der Service-Desk vergleicht sie bei der Identitätsprüfung.",
        )
    } else {
        lang.t(
            "Your identity is already on file: the certificate carries the name that was checked.",
            "Ihre Identität ist bereits geprüft: Das Zertifikat trägt den geprüften Namen.",
        )
    };
    html! {
        <>
            <p class="hint" id="wizard-names-hint">{ hint }</p>
            { field("wizard-given-name", lang.t("Given name(s)", "Vorname(n)"), &draft.given_name, "given-name", |d, v| d.given_name = v) }
            { field("wizard-surname", lang.t("Surname", "Nachname"), &draft.surname, "family-name", |d, v| d.surname = v) }
        </>
    }
}

fn key_type_line(lang: Lang, t: KeyType) -> (&'static str, &'static str) {
    match t {
        KeyType::Rsa2048 => (
            "RSA 2048",
            lang.t(
                "The oldest mail programs; shortest key still allowed.",
                "Für sehr alte Mailprogramme; die kürzeste noch erlaubte Länge.",
            ),
        ),
        KeyType::Rsa3072 => (
            "RSA 3072",
            lang.t(
                "Recommended: works in every mail program and stays safe for years.",
                "Empfohlen: funktioniert in jedem Mailprogramm und bleibt auf Jahre sicher.",
            ),
        ),
        KeyType::Rsa4096 => (
            "RSA 4096",
            lang.t(
                "Longer RSA key; slower to make, no practical gain over 3072.",
                "Längerer RSA-Schlüssel; langsamer zu erzeugen, praktisch kein Gewinn gegenüber 3072.",
            ),
        ),
        KeyType::EcdsaP256 => (
            "ECDSA P-256",
            lang.t(
                "Small and fast; some older mail programs cannot encrypt with it.",
                "Klein und schnell; manche älteren Mailprogramme können damit nicht verschlüsseln.",
            ),
        ),
        KeyType::EcdsaP384 => (
            "ECDSA P-384",
            lang.t(
                "Like P-256 with a larger curve; the same limits in older programs.",
                "Wie P-256 mit größerer Kurve; dieselben Grenzen in älteren Programmen.",
            ),
        ),
    }
}

/// Step 4: the key types the server allows, RSA-3072 first chosen.
pub fn key_type(lang: Lang, draft: &Draft, options: &RequestOptions, on: &Edit) -> Html {
    html! {
        <fieldset>
            <legend>{ lang.t("Choose the key type", "Wählen Sie den Schlüsseltyp") }</legend>
            <p class="hint">{ lang.t("If unsure, keep the recommended one.", "Im Zweifel behalten Sie den empfohlenen.") }</p>
            { for options.key_types.iter().map(|t| {
                let t = *t;
                let id = format!("wizard-key-type-{}", t.as_str());
                let (name, line) = key_type_line(lang, t);
                let on = on.clone();
                let onchange = Callback::from(move |_: Event| edit(&on, move |d| d.key_type = t));
                html! {
                    <label class="choice" for={id.clone()}>
                        <input type="radio" name="key-type" {id} checked={draft.key_type == t} {onchange} />
                        <span><strong>{ name }</strong>{ " – " }{ line }</span>
                    </label>
                }
            }) }
        </fieldset>
    }
}

/// Step 5: the password twice, the rules first, the meter below.
pub fn password(
    lang: Lang,
    draft: &Draft,
    strength: Option<Strength>,
    meter: Meter,
    on_password: Callback<String>,
    on: &Edit,
) -> Html {
    let on_confirm = {
        let on = on.clone();
        Callback::from(move |e: InputEvent| {
            let v = input_value(&e);
            edit(&on, move |d| d.confirm = v);
        })
    };
    let oninput = Callback::from(move |e: InputEvent| on_password.emit(input_value(&e)));
    html! {
        <>
            <div class="notice" id="wizard-password-rules">
                <p>{ lang.t("Your key will be saved in a file locked with this password. The same password \
                             opens it when you collect the certificate, and protects the file you import \
                             into your mail program. Nobody can reset it: not even the service desk.",
                            "Ihr Schlüssel wird in einer Datei gespeichert, die dieses Passwort schützt. \
                             Dasselbe Passwort öffnet sie beim Abholen des Zertifikats und schützt die \
                             Datei, die Sie in Ihr Mailprogramm importieren. Niemand kann es zurücksetzen, \
                             auch nicht der Service-Desk.") }</p>
                <ul>
                    <li>{ lang.s(format!("At least {MIN_LENGTH} characters; a few unusual words make a good password."),
                                 format!("Mindestens {MIN_LENGTH} Zeichen; einige ungewöhnliche Wörter ergeben ein gutes Passwort.")) }</li>
                    <li>{ lang.t("Hard to guess: the meter must show at least \"good\" (no common passwords, \
                                  names, dates or keyboard rows).",
                                 "Schwer zu erraten: Die Anzeige muss mindestens „gut“ zeigen (keine häufigen \
                                  Passwörter, Namen, Daten oder Tastaturreihen).") }</li>
                    <li>{ lang.t("Typed twice, the same.", "Zweimal gleich eingegeben.") }</li>
                    <li>{ lang.t("Any characters may be used, umlauts too.", "Alle Zeichen sind erlaubt, auch Umlaute.") }</li>
                </ul>
            </div>
            <div class="field">
                <label for="wizard-password">{ lang.t("Password", "Passwort") }</label>
                <input type="password" id="wizard-password" autocomplete="new-password"
                    value={draft.password.clone()} {oninput} aria-describedby="wizard-password-rules wizard-strength" />
            </div>
            <StrengthMeter id="wizard-strength" strength={(!draft.password.is_empty()).then_some(strength).flatten()} {meter} />
            <div class="field">
                <label for="wizard-password-confirm">{ lang.t("Password again", "Passwort wiederholen") }</label>
                <input type="password" id="wizard-password-confirm" autocomplete="new-password"
                    value={draft.confirm.clone()} oninput={on_confirm} />
            </div>
        </>
    }
}

/// Step 6: the subscriber's obligations, to accept.
pub fn terms(lang: Lang, draft: &Draft, on: &Edit) -> Html {
    let on = on.clone();
    let onchange = Callback::from(move |e: Event| {
        let v = checked(&e);
        edit(&on, move |d| d.terms_accepted = v);
    });
    html! {
        <>
            <p>{ lang.t("As the holder of the certificate you agree to:", "Als Inhaberin oder Inhaber des Zertifikats verpflichten Sie sich:") }</p>
            <ul class="terms">
                <li>{ lang.t("give correct information in this request;", "in diesem Antrag richtige Angaben zu machen;") }</li>
                <li>{ lang.t("keep the key file and its password to yourself (for a shared mailbox: to its team) and protect them;",
                             "Schlüsseldatei und Passwort für sich zu behalten (bei einem geteilten Postfach: im Team) und zu schützen;") }</li>
                <li>{ lang.t("use the certificate only for the mailboxes it names;", "das Zertifikat nur für die genannten Postfächer zu verwenden;") }</li>
                <li>{ lang.t("revoke it at once (My certificates) if the key or the password may be known to someone else, or if its data are no longer correct;",
                             "es sofort zu widerrufen (Meine Zertifikate), wenn Schlüssel oder Passwort anderen bekannt sein könnten oder seine Angaben nicht mehr stimmen;") }</li>
                <li>{ lang.t("stop using it when it has expired or was revoked.", "es nach Ablauf oder Widerruf nicht mehr zu verwenden.") }</li>
            </ul>
            <label class="choice" for="wizard-terms">
                <input type="checkbox" id="wizard-terms" checked={draft.terms_accepted} {onchange} />
                { lang.t("I accept these terms.", "Ich akzeptiere diese Bedingungen.") }
            </label>
            <p class="hint">{ lang.t("Next, your browser makes the key. This takes a few seconds; the page stays usable.",
                                     "Als Nächstes erzeugt Ihr Browser den Schlüssel. Das dauert einige Sekunden; die Seite bleibt bedienbar.") }</p>
        </>
    }
}

/// A problem of a step in the page's language.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    let t = |en: &'static str, de: &'static str| lang.t(en, de).to_owned();
    match problem {
        Problem::KindNotOffered => t("Please choose one of the kinds offered.", "Bitte wählen Sie eine der angebotenen Arten."),
        Problem::NoAddress => t("Please choose at least one mailbox.", "Bitte wählen Sie mindestens ein Postfach."),
        Problem::GivenNameMissing => t("Please type your given name.", "Bitte geben Sie Ihren Vornamen ein."),
        Problem::SurnameMissing => t("Please type your surname.", "Bitte geben Sie Ihren Nachnamen ein."),
        Problem::NameTooLong => lang.s(
            format!("Given name and surname together may have at most {MAX_NAME} characters."),
            format!("Vor- und Nachname zusammen dürfen höchstens {MAX_NAME} Zeichen haben."),
        ),
        Problem::NameInvalid => t("The names may not contain control characters.", "Die Namen dürfen keine Steuerzeichen enthalten."),
        Problem::KeyTypeNotAllowed => t("Please choose one of the key types offered.", "Bitte wählen Sie einen der angebotenen Schlüsseltypen."),
        Problem::Password(problems) => problems
            .iter()
            .map(|p| match p {
                PasswordProblem::TooShort => lang.s(
                    format!("The password needs at least {MIN_LENGTH} characters."),
                    format!("Das Passwort braucht mindestens {MIN_LENGTH} Zeichen."),
                ),
                PasswordProblem::TooEasyToGuess => t(
                    "The password is too easy to guess: add a word or two until the meter shows \"good\".",
                    "Das Passwort ist zu leicht zu erraten: Fügen Sie ein oder zwei Wörter hinzu, bis die Anzeige „gut“ zeigt.",
                ),
                PasswordProblem::TooShortWithoutMeter => lang.s(
                    format!("Without the strength meter the password needs at least {MIN_LENGTH_WITHOUT_METER} characters."),
                    format!("Ohne Stärkeanzeige braucht das Passwort mindestens {MIN_LENGTH_WITHOUT_METER} Zeichen."),
                ),
                PasswordProblem::Mismatch => t("The two passwords differ.", "Die beiden Passwörter unterscheiden sich."),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Problem::TermsNotAccepted => t("Please accept the terms to continue.", "Bitte akzeptieren Sie die Bedingungen, um fortzufahren."),
    }
}
