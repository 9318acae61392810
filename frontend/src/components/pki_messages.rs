//! What a person reads when the browser's crypto refuses something, in English and German.
//! Every [`PkiError`] has its own text, so a wrong password, a wrong file and a damaged file
//! are told apart.

use shared::pki::PkiError;

use crate::i18n::Lang;

/// The text for `e` in the page's language.
pub fn pki_error_text(lang: Lang, e: PkiError) -> &'static str {
    use PkiError as P;
    match e {
        P::WrongPassword => lang.t(
            "The password does not open this key file. Check the password (upper and lower case, \
             keyboard layout) and try again.",
            "Das Passwort öffnet diese Schlüsseldatei nicht. Prüfen Sie das Passwort (Groß- und \
             Kleinschreibung, Tastaturbelegung) und versuchen Sie es erneut.",
        ),
        P::EmptyPassword => lang.t(
            "Please enter the key file's password.",
            "Bitte geben Sie das Passwort der Schlüsseldatei ein.",
        ),
        P::NotAKeyFile => lang.t(
            "This is not a certdesk key file. Choose the key file you saved when you made the \
             request (it ends in .pem).",
            "Dies ist keine Schlüsseldatei von certdesk. Wählen Sie die Schlüsseldatei, die Sie \
             beim Antrag gespeichert haben (sie endet auf .pem).",
        ),
        P::UnsupportedKeyType => lang.t(
            "This key file holds a kind of key that certdesk does not support.",
            "Diese Schlüsseldatei enthält eine Schlüsselart, die certdesk nicht unterstützt.",
        ),
        P::KeyFileDamaged => lang.t(
            "The key file is damaged or incomplete. Use another copy of it, for example from \
             your backup.",
            "Die Schlüsseldatei ist beschädigt oder unvollständig. Verwenden Sie eine andere \
             Kopie, etwa aus Ihrer Sicherung.",
        ),
        P::UnsupportedEncryption => lang.t(
            "This key file is protected in a way certdesk cannot read.",
            "Diese Schlüsseldatei ist auf eine Weise geschützt, die certdesk nicht lesen kann.",
        ),
        P::KeyMismatch => lang.t(
            "This key file belongs to another request: it does not match this certificate. \
             Choose the key file you saved for this request.",
            "Diese Schlüsseldatei gehört zu einem anderen Antrag: Sie passt nicht zu diesem \
             Zertifikat. Wählen Sie die Schlüsseldatei, die Sie für diesen Antrag gespeichert \
             haben.",
        ),
        P::CertificateInvalid => lang.t(
            "The certificate could not be read. Please reload the page; if it happens again, \
             contact the service desk.",
            "Das Zertifikat konnte nicht gelesen werden. Bitte laden Sie die Seite neu; wenn es \
             wieder geschieht, wenden Sie sich an den Service-Desk.",
        ),
        P::EmailInvalid => lang.t(
            "An e-mail address is missing or not valid.",
            "Eine E-Mail-Adresse fehlt oder ist ungültig.",
        ),
        P::FriendlyNameInvalid => lang.t(
            "The name for the certificate file contains characters that cannot be stored.",
            "Der Name für die Zertifikatsdatei enthält Zeichen, die nicht gespeichert werden \
             können.",
        ),
        P::UnknownKeyType => lang.t("Unknown key type.", "Unbekannte Schlüsselart."),
        P::UnknownP12Format => lang.t(
            "Unknown .p12 format. Choose modern or compatible.",
            "Unbekanntes .p12-Format. Wählen Sie „modern“ oder „kompatibel“.",
        ),
        P::KeyGenerationFailed => lang.t(
            "The key could not be generated. Please try again.",
            "Der Schlüssel konnte nicht erzeugt werden. Bitte versuchen Sie es erneut.",
        ),
        P::IterationsTooLow => lang.t(
            "The password protection is set too weak.",
            "Der Passwortschutz ist zu schwach eingestellt.",
        ),
        P::RsaTooSmall => lang.t(
            "The RSA key is too short: it must have at least 2048 bits.",
            "Der RSA-Schlüssel ist zu kurz: Er muss mindestens 2048 Bit haben.",
        ),
        P::RsaModulusNotMultipleOf8 => lang.t(
            "The RSA key length must be a multiple of 8 bits.",
            "Die Länge des RSA-Schlüssels muss ein Vielfaches von 8 Bit sein.",
        ),
        P::RsaBadExponent => lang.t(
            "The RSA key must use the public exponent 65537.",
            "Der RSA-Schlüssel muss den öffentlichen Exponenten 65537 verwenden.",
        ),
        P::RsaSmallFactor => lang.t(
            "The RSA key is weak: it is divisible by a small prime number. Make a new key.",
            "Der RSA-Schlüssel ist schwach: Er ist durch eine kleine Primzahl teilbar. Erzeugen \
             Sie einen neuen Schlüssel.",
        ),
        P::RsaFermatFactorable => lang.t(
            "The RSA key is weak: its two primes are too close together. Make a new key.",
            "Der RSA-Schlüssel ist schwach: Seine beiden Primzahlen liegen zu nah beieinander. \
             Erzeugen Sie einen neuen Schlüssel.",
        ),
        P::RsaRoca => lang.t(
            "The RSA key was made by a flawed generator (ROCA) and can be broken. Make a new \
             key, and have the device that made it updated.",
            "Der RSA-Schlüssel stammt aus einem fehlerhaften Generator (ROCA) und ist angreifbar. \
             Erzeugen Sie einen neuen Schlüssel und lassen Sie das Gerät, das ihn erzeugt hat, \
             aktualisieren.",
        ),
        P::EcPointInvalid => lang.t(
            "The elliptic-curve key is not valid.",
            "Der Schlüssel auf elliptischer Kurve ist ungültig.",
        ),
        P::PublicKeyInvalid => lang.t(
            "The public key is not an RSA or ECDSA P-256/P-384 key, or it is damaged.",
            "Der öffentliche Schlüssel ist kein RSA- oder ECDSA-P-256/P-384-Schlüssel oder er \
             ist beschädigt.",
        ),
        P::CsrMalformed => lang.t(
            "The certificate request could not be read. Please make the request again.",
            "Der Zertifikatsantrag konnte nicht gelesen werden. Bitte stellen Sie den Antrag \
             erneut.",
        ),
        P::CsrSignatureInvalid => lang.t(
            "The certificate request is not signed by its own key. Please make the request again.",
            "Der Zertifikatsantrag ist nicht mit seinem eigenen Schlüssel signiert. Bitte \
             stellen Sie den Antrag erneut.",
        ),
        P::CsrAlgorithmUnsupported => lang.t(
            "The certificate request is signed in a way certdesk does not accept.",
            "Der Zertifikatsantrag ist auf eine Weise signiert, die certdesk nicht annimmt.",
        ),
        P::CryptoUnavailable => lang.t(
            "This page could not load the part of certdesk that makes keys and files (a download \
             failed). Check your connection, reload the page and try again.",
            "Diese Seite konnte den Teil von certdesk, der Schlüssel und Dateien erstellt, nicht \
             laden (ein Download ist gescheitert). Prüfen Sie Ihre Verbindung, laden Sie die \
             Seite neu und versuchen Sie es erneut.",
        ),
        P::Internal => lang.t(
            "Something went wrong while building the file. Please report this to the service desk.",
            "Beim Erstellen der Datei ist ein Fehler aufgetreten. Bitte melden Sie dies dem \
             Service-Desk.",
        ),
    }
}
