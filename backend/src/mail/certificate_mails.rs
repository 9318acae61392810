//! Mails about issued certificates: ready to collect, and revoked. English and German.

use shared::api::{Language, RevocationReason};

use super::templates::{Rendered, escape};

/// Everything the "your certificate is ready" mail says.
pub struct IssuedMail<'a> {
    pub organisation: &'a str,
    pub addresses: &'a [String],
    pub request_code: &'a str,
    pub link: &'a str,
    /// Expiry date as shown to the reader, e.g. `2028-11-21`.
    pub valid_until: &'a str,
}

/// The certificate is ready: the collect link and what to have at hand.
pub fn issued(lang: Language, m: &IssuedMail<'_>) -> Rendered {
    let addresses = m.addresses.join(", ");
    let (subject, greeting, body, steps, validity, button) = match lang {
        Language::En => (
            format!("Your certificate {} is ready", m.request_code),
            "Hello,",
            format!("the S/MIME certificate for {addresses} has been issued."),
            "Open the link on the computer where you saved the key file. The page asks for the \
             key file and its password and makes the file to import into your mail program."
                .to_owned(),
            format!(
                "The link can be used again until the certificate expires on {}.",
                m.valid_until
            ),
            "Collect the certificate",
        ),
        Language::De => (
            format!("Ihr Zertifikat {} ist bereit", m.request_code),
            "Guten Tag,",
            format!("das S/MIME-Zertifikat für {addresses} wurde ausgestellt."),
            "Öffnen Sie den Link auf dem Rechner, auf dem Sie die Schlüsseldatei gespeichert \
             haben. Die Seite fragt nach der Schlüsseldatei und ihrem Passwort und erstellt die \
             Datei für Ihr Mailprogramm."
                .to_owned(),
            format!(
                "Der Link lässt sich bis zum Ablauf des Zertifikats am {} erneut verwenden.",
                m.valid_until
            ),
            "Zertifikat abholen",
        ),
    };
    let org = m.organisation;
    let link = m.link;
    Rendered {
        text: format!("{greeting}\n\n{body}\n{steps}\n\n{link}\n\n{validity}\n\n-- \n{org}\n"),
        html: format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><p>{greeting}</p><p>{body}<br>{steps}</p><p><a href=\"{link}\">{button}</a></p>\
             <p>{validity}</p><p>{org}</p></body></html>",
            lang = lang.as_str(),
            title = escape(&subject),
            greeting = escape(greeting),
            body = escape(&body),
            steps = escape(&steps),
            link = escape(link),
            button = escape(button),
            validity = escape(&validity),
            org = escape(org),
        ),
        subject,
    }
}

/// The certificate was revoked: which one, why, and what it means.
pub fn revoked(
    lang: Language,
    organisation: &str,
    addresses: &[String],
    serial: &str,
    reason: RevocationReason,
) -> Rendered {
    let addresses = addresses.join(", ");
    let (subject, greeting, body, why, meaning) = match lang {
        Language::En => (
            format!("Your certificate for {addresses} was revoked"),
            "Hello,",
            format!(
                "the S/MIME certificate for {addresses} (serial number {serial}) has been revoked."
            ),
            format!("Reason: {}.", reason_text(lang, reason)),
            "Mail programs will no longer accept new signatures made with it. Keep the key file: \
             you still need it to read mail encrypted to this certificate. You can request a new \
             certificate in the portal.",
        ),
        Language::De => (
            format!("Ihr Zertifikat für {addresses} wurde gesperrt"),
            "Guten Tag,",
            format!(
                "das S/MIME-Zertifikat für {addresses} (Seriennummer {serial}) wurde gesperrt."
            ),
            format!("Grund: {}.", reason_text(lang, reason)),
            "Mailprogramme erkennen neue Signaturen damit nicht mehr an. Bewahren Sie die \
             Schlüsseldatei auf: Sie brauchen sie weiter, um an dieses Zertifikat verschlüsselte \
             Mails zu lesen. Im Portal können Sie ein neues Zertifikat beantragen.",
        ),
    };
    Rendered {
        text: format!("{greeting}\n\n{body}\n{why}\n\n{meaning}\n\n-- \n{organisation}\n"),
        html: format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><p>{greeting}</p><p>{body}<br>{why}</p><p>{meaning}</p><p>{org}</p></body></html>",
            lang = lang.as_str(),
            title = escape(&subject),
            greeting = escape(greeting),
            body = escape(&body),
            why = escape(&why),
            meaning = escape(meaning),
            org = escape(organisation),
        ),
        subject,
    }
}

fn reason_text(lang: Language, reason: RevocationReason) -> &'static str {
    use RevocationReason::*;
    match (lang, reason) {
        (Language::En, Unspecified) => "not given",
        (Language::En, KeyCompromise) => "the key or its password may be known to others",
        (Language::En, AffiliationChanged) => "the name or affiliation changed",
        (Language::En, Superseded) => "replaced by a new certificate",
        (Language::En, CessationOfOperation) => "no longer needed",
        (Language::En, PrivilegeWithdrawn) => "withdrawn by the certificate authority",
        (Language::De, Unspecified) => "nicht angegeben",
        (Language::De, KeyCompromise) => {
            "der Schlüssel oder sein Passwort könnte anderen bekannt sein"
        }
        (Language::De, AffiliationChanged) => "Name oder Zugehörigkeit haben sich geändert",
        (Language::De, Superseded) => "durch ein neues Zertifikat ersetzt",
        (Language::De, CessationOfOperation) => "wird nicht mehr gebraucht",
        (Language::De, PrivilegeWithdrawn) => "von der Zertifizierungsstelle entzogen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_mail_carries_link_and_expiry_in_both_languages() {
        let addresses = vec!["alice@x.org".to_owned(), "a.b@x.org".to_owned()];
        for lang in [Language::En, Language::De] {
            let m = issued(
                lang,
                &IssuedMail {
                    organisation: "Uni <X>",
                    addresses: &addresses,
                    request_code: "CD-AAAA-BBBB",
                    link: "https://x.org/collect#tok",
                    valid_until: "2028-11-21",
                },
            );
            assert!(m.subject.contains("CD-AAAA-BBBB"));
            assert!(m.text.contains("https://x.org/collect#tok"));
            assert!(m.text.contains("alice@x.org, a.b@x.org"));
            assert!(m.text.contains("2028-11-21"));
            assert!(m.html.contains("href=\"https://x.org/collect#tok\""));
            assert!(m.html.contains("Uni &lt;X&gt;"));
        }
    }

    #[test]
    fn revoked_mail_names_serial_and_reason() {
        let m = revoked(
            Language::De,
            "U",
            &["a@x.org".to_owned()],
            "0a1b",
            RevocationReason::KeyCompromise,
        );
        assert!(m.subject.contains("gesperrt"));
        assert!(m.text.contains("0a1b") && m.text.contains("Passwort"));
    }
}
