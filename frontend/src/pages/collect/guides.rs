//! Short import guides for the common mail programs; docs/importing.md has the long version.

use yew::prelude::*;

use crate::i18n::{Lang, use_lang};

struct Guide {
    id: &'static str,
    title: (&'static str, &'static str),
    /// Which of the two files to use.
    file: (&'static str, &'static str),
    steps: &'static [(&'static str, &'static str)],
}

const MODERN: (&str, &str) = ("Use the modern file.", "Verwenden Sie die moderne Datei.");
const MODERN_OR_COMPATIBLE: (&str, &str) = (
    "Use the modern file; if the import refuses it (older systems), use the compatible file.",
    "Verwenden Sie die moderne Datei; wenn der Import sie ablehnt (ältere Systeme), die kompatible Datei.",
);
const COMPATIBLE: (&str, &str) = (
    "Use the compatible file.",
    "Verwenden Sie die kompatible Datei.",
);

const GUIDES: [Guide; 5] = [
    Guide {
        id: "guide-thunderbird",
        title: ("Thunderbird", "Thunderbird"),
        file: MODERN,
        steps: &[
            (
                "Open Settings → Privacy & Security, scroll to Certificates and choose Manage Certificates.",
                "Öffnen Sie Einstellungen → Datenschutz & Sicherheit, scrollen Sie zu Zertifikate und wählen Sie Zertifikate verwalten.",
            ),
            (
                "On the Your Certificates tab choose Import…, pick the .p12 file and enter its password.",
                "Wählen Sie auf dem Reiter Ihre Zertifikate Importieren …, wählen Sie die .p12-Datei und geben Sie ihr Passwort ein.",
            ),
            (
                "Open Account Settings → End-To-End Encryption of your account and, under S/MIME, select the certificate for signing and for encryption.",
                "Öffnen Sie Konten-Einstellungen → Ende-zu-Ende-Verschlüsselung Ihres Kontos und wählen Sie unter S/MIME das Zertifikat zum Signieren und Verschlüsseln aus.",
            ),
        ],
    },
    Guide {
        id: "guide-outlook",
        title: ("Outlook (Windows)", "Outlook (Windows)"),
        file: MODERN_OR_COMPATIBLE,
        steps: &[
            (
                "Double-click the .p12 file. The Certificate Import Wizard opens: choose Current User, enter the password and let Windows choose the store.",
                "Doppelklicken Sie auf die .p12-Datei. Der Zertifikatimport-Assistent öffnet sich: Wählen Sie Aktueller Benutzer, geben Sie das Passwort ein und lassen Sie Windows den Speicher wählen.",
            ),
            (
                "In Outlook open File → Options → Trust Center → Trust Center Settings → Email Security.",
                "Öffnen Sie in Outlook Datei → Optionen → Trust Center → Einstellungen für das Trust Center → E-Mail-Sicherheit.",
            ),
            (
                "Under Encrypted email choose Settings… and select the new certificate for signing and encryption.",
                "Wählen Sie unter Verschlüsselte E-Mail-Nachrichten Einstellungen … und wählen Sie das neue Zertifikat zum Signieren und Verschlüsseln.",
            ),
        ],
    },
    Guide {
        id: "guide-apple-mail",
        title: ("Apple Mail (macOS)", "Apple Mail (macOS)"),
        file: MODERN_OR_COMPATIBLE,
        steps: &[
            (
                "Double-click the .p12 file. Keychain Access opens: add it to the login keychain and enter the password.",
                "Doppelklicken Sie auf die .p12-Datei. Die Schlüsselbundverwaltung öffnet sich: Fügen Sie sie dem Schlüsselbund „Anmeldung“ hinzu und geben Sie das Passwort ein.",
            ),
            (
                "Quit and reopen Mail. In a new message, the lock and check-mark buttons now sign and encrypt.",
                "Beenden Sie Mail und öffnen Sie es erneut. In einer neuen E-Mail signieren und verschlüsseln nun die Schaltflächen mit Schloss und Häkchen.",
            ),
        ],
    },
    Guide {
        id: "guide-ios",
        title: ("iPhone and iPad (iOS)", "iPhone und iPad (iOS)"),
        file: COMPATIBLE,
        steps: &[
            (
                "Save the .p12 file in Files (or send it to yourself) and tap it; then open Settings → Profile Downloaded → Install and enter the password.",
                "Speichern Sie die .p12-Datei in „Dateien“ (oder senden Sie sie sich selbst) und tippen Sie darauf; öffnen Sie dann Einstellungen → Profil geladen → Installieren und geben Sie das Passwort ein.",
            ),
            (
                "In Settings → Mail → Accounts → your account → Account → Advanced, turn on S/MIME and choose the certificate for Sign and Encrypt by Default.",
                "Schalten Sie unter Einstellungen → Mail → Accounts → Ihr Account → Account → Erweitert S/MIME ein und wählen Sie das Zertifikat für Signieren und Standardmäßig verschlüsseln.",
            ),
        ],
    },
    Guide {
        id: "guide-android",
        title: ("Android", "Android"),
        file: COMPATIBLE,
        steps: &[
            (
                "Open Settings → Security → Encryption & credentials → Install a certificate → VPN & app user certificate, pick the .p12 file and enter the password.",
                "Öffnen Sie Einstellungen → Sicherheit → Verschlüsselung & Anmeldedaten → Zertifikat installieren → Nutzerzertifikat für VPN und Apps, wählen Sie die .p12-Datei und geben Sie das Passwort ein.",
            ),
            (
                "Use a mail app with S/MIME (for example FairEmail, Nine or Samsung Email) and select the certificate in the app's account settings.",
                "Verwenden Sie eine Mail-App mit S/MIME (etwa FairEmail, Nine oder Samsung E-Mail) und wählen Sie das Zertifikat in den Kontoeinstellungen der App.",
            ),
        ],
    },
];

fn guide(lang: Lang, g: &Guide) -> Html {
    html! {
        <details id={g.id} class="guide">
            <summary>{ lang.t(g.title.0, g.title.1) }</summary>
            <p><strong>{ lang.t(g.file.0, g.file.1) }</strong></p>
            <ol>
                { for g.steps.iter().map(|(en, de)| html! { <li>{ lang.t(en, de) }</li> }) }
            </ol>
        </details>
    }
}

/// The guides, one collapsible section per mail program.
#[function_component(ImportGuides)]
pub fn import_guides() -> Html {
    let lang = use_lang();
    html! {
        <section aria-labelledby="guides-title">
            <h2 id="guides-title">{ lang.t("Import into your mail program", "In Ihr Mailprogramm importieren") }</h2>
            <p>
                { lang.t("Keep the key file and its password even after importing: you need them \
                    to read old encrypted mail and to set up another device.",
                    "Bewahren Sie die Schlüsseldatei und ihr Passwort auch nach dem Import auf: Sie \
                    brauchen sie, um alte verschlüsselte E-Mails zu lesen und weitere Geräte \
                    einzurichten.") }
            </p>
            { for GUIDES.iter().map(|g| guide(lang, g)) }
        </section>
    }
}
