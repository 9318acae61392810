//! Mails about certificate requests: received (with how to get the identity checked, or
//! saying it was approved at once), rejected with the desk's reason, and expired. English
//! and German.

use shared::api::Language;

use super::templates::{Rendered, escape};

/// What every request mail names.
pub struct RequestMail<'a> {
    pub organisation: &'a str,
    /// The portal's address, for making a new request.
    pub portal: &'a str,
    pub request_code: &'a str,
    pub addresses: &'a [String],
}

/// How the request stands after intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// The desk must see a photo ID first; `instructions` is the site's own text (where and
    /// when, how to book a video call), if configured.
    IdentityCheck {
        instructions: Option<&'a str>,
        pending_days: u32,
    },
    /// Approved at once: identity on file, or checks skipped.
    Approved,
}

/// Subject, paragraphs, and the closing with the organisation, as text and HTML.
fn layout(lang: Language, subject: String, paragraphs: &[String], organisation: &str) -> Rendered {
    let text = format!("{}\n\n-- \n{organisation}\n", paragraphs.join("\n\n"));
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body>{body}<p>{org}</p></body></html>",
        lang = lang.as_str(),
        title = escape(&subject),
        org = escape(organisation),
    );
    Rendered {
        subject,
        text,
        html,
    }
}

/// The request arrived: what happens next.
pub fn received(lang: Language, m: &RequestMail<'_>, how: Received<'_>) -> Rendered {
    let code = m.request_code;
    let addresses = m.addresses.join(", ");
    let mut p: Vec<String> = Vec::new();
    let subject = match (lang, how) {
        (Language::En, Received::IdentityCheck { .. }) => {
            format!("Certificate request {code}: please have your identity checked")
        }
        (Language::En, Received::Approved) => format!("Certificate request {code} approved"),
        (Language::De, Received::IdentityCheck { .. }) => {
            format!("Zertifikatsantrag {code}: bitte Identität prüfen lassen")
        }
        (Language::De, Received::Approved) => format!("Zertifikatsantrag {code} genehmigt"),
    };
    match lang {
        Language::En => {
            p.push("Hello,".into());
            p.push(format!(
                "we received your request for an S/MIME certificate for {addresses} (request code {code})."
            ));
        }
        Language::De => {
            p.push("Guten Tag,".into());
            p.push(format!(
                "wir haben Ihren Antrag auf ein S/MIME-Zertifikat für {addresses} erhalten (Antragsnummer {code})."
            ));
        }
    }
    match (lang, how) {
        (
            Language::En,
            Received::IdentityCheck {
                instructions,
                pending_days,
            },
        ) => {
            p.push(format!(
                "Before the certificate can be issued, the IT service desk needs to see an official \
                 photo ID of yours (passport, identity card or residence permit) once: in person at \
                 the service desk, or in a video call. Please quote the request code {code}."
            ));
            p.extend(instructions.map(str::to_owned));
            p.push(format!(
                "The request waits {pending_days} days for this check; after that it expires and \
                 you can make a new one at {}.",
                m.portal
            ));
        }
        (
            Language::De,
            Received::IdentityCheck {
                instructions,
                pending_days,
            },
        ) => {
            p.push(format!(
                "Bevor das Zertifikat ausgestellt werden kann, muss der IT-Service einmal einen \
                 amtlichen Lichtbildausweis von Ihnen sehen (Reisepass, Personalausweis oder \
                 Aufenthaltstitel): persönlich am Service-Desk oder in einem Videoanruf. Bitte \
                 nennen Sie dabei die Antragsnummer {code}."
            ));
            p.extend(instructions.map(str::to_owned));
            p.push(format!(
                "Der Antrag wartet {pending_days} Tage auf diese Prüfung; danach verfällt er, und \
                 Sie können unter {} einen neuen stellen.",
                m.portal
            ));
        }
        (Language::En, Received::Approved) => p.push(
            "It has been approved. As soon as the certificate is issued you will receive another \
             mail with a link to collect it."
                .into(),
        ),
        (Language::De, Received::Approved) => p.push(
            "Er wurde genehmigt. Sobald das Zertifikat ausgestellt ist, erhalten Sie eine weitere \
             Mail mit einem Link zum Abholen."
                .into(),
        ),
    }
    p.push(match lang {
        Language::En => "Keep the key file you saved and its password: without them the \
                         certificate cannot be used."
            .into(),
        Language::De => "Bewahren Sie die gespeicherte Schlüsseldatei und ihr Passwort auf: ohne \
                         sie ist das Zertifikat nicht nutzbar."
            .into(),
    });
    layout(lang, subject, &p, m.organisation)
}

/// The desk rejected the request, with its reason.
pub fn rejected(lang: Language, m: &RequestMail<'_>, reason: &str) -> Rendered {
    let code = m.request_code;
    let addresses = m.addresses.join(", ");
    let (subject, p) = match lang {
        Language::En => (
            format!("Certificate request {code} rejected"),
            vec![
                "Hello,".to_owned(),
                format!(
                    "the IT service desk rejected your request for an S/MIME certificate for \
                     {addresses} (request code {code})."
                ),
                format!("Reason: {reason}"),
                format!(
                    "You can make a new request at {}. If anything is unclear, please contact \
                     the service desk.",
                    m.portal
                ),
            ],
        ),
        Language::De => (
            format!("Zertifikatsantrag {code} abgelehnt"),
            vec![
                "Guten Tag,".to_owned(),
                format!(
                    "der IT-Service hat Ihren Antrag auf ein S/MIME-Zertifikat für {addresses} \
                     abgelehnt (Antragsnummer {code})."
                ),
                format!("Grund: {reason}"),
                format!(
                    "Unter {} können Sie einen neuen Antrag stellen. Bei Fragen wenden Sie sich \
                     bitte an den Service-Desk.",
                    m.portal
                ),
            ],
        ),
    };
    layout(lang, subject, &p, m.organisation)
}

/// Nobody checked the identity in time.
pub fn expired(lang: Language, m: &RequestMail<'_>, pending_days: u32) -> Rendered {
    let code = m.request_code;
    let addresses = m.addresses.join(", ");
    let (subject, p) = match lang {
        Language::En => (
            format!("Certificate request {code} expired"),
            vec![
                "Hello,".to_owned(),
                format!(
                    "your request for an S/MIME certificate for {addresses} (request code {code}) \
                     has expired: the identity check did not take place within {pending_days} days."
                ),
                format!("You can make a new request at any time at {}.", m.portal),
            ],
        ),
        Language::De => (
            format!("Zertifikatsantrag {code} verfallen"),
            vec![
                "Guten Tag,".to_owned(),
                format!(
                    "Ihr Antrag auf ein S/MIME-Zertifikat für {addresses} (Antragsnummer {code}) \
                     ist verfallen: Die Identitätsprüfung fand nicht innerhalb von {pending_days} \
                     Tagen statt."
                ),
                format!(
                    "Unter {} können Sie jederzeit einen neuen Antrag stellen.",
                    m.portal
                ),
            ],
        ),
    };
    layout(lang, subject, &p, m.organisation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(addresses: &[String]) -> RequestMail<'_> {
        RequestMail {
            organisation: "Uni <A>",
            portal: "https://certs.example.org/",
            request_code: "CD-7K3P-Q9XA",
            addresses,
        }
    }

    #[test]
    fn received_says_what_comes_next() {
        let a = vec!["alice@example.org".to_owned()];
        for lang in [Language::En, Language::De] {
            let check = received(
                lang,
                &mail(&a),
                Received::IdentityCheck {
                    instructions: Some("Room 0.12, Mon-Fri 9-12"),
                    pending_days: 60,
                },
            );
            for needle in ["CD-7K3P-Q9XA", "alice@example.org", "Room 0.12", "60"] {
                assert!(
                    check.text.contains(needle),
                    "{lang:?} {needle}: {}",
                    check.text
                );
            }
            assert!(check.html.contains("Uni &lt;A&gt;"), "escaped");
            let approved = received(lang, &mail(&a), Received::Approved);
            assert!(approved.subject.contains("CD-7K3P-Q9XA"));
            assert!(!approved.text.contains("Room 0.12"));
        }
        let de = received(Language::De, &mail(&a), Received::Approved);
        assert!(de.text.contains("genehmigt"), "{}", de.text);
    }

    #[test]
    fn rejected_and_expired_carry_reason_and_days() {
        let a = vec!["dpo@example.org".to_owned()];
        for lang in [Language::En, Language::De] {
            let r = rejected(lang, &mail(&a), "The ID had expired & <was> unreadable.");
            assert!(r.text.contains("The ID had expired & <was> unreadable."));
            assert!(r.html.contains("&amp; &lt;was&gt;"));
            let e = expired(lang, &mail(&a), 60);
            assert!(e.text.contains("60") && e.text.contains("dpo@example.org"));
        }
    }
}
