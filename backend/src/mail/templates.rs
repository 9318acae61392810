//! The mails certdesk sends, in English and German. Each template gives a subject, a plain
//! text part and an HTML part; values put into HTML are escaped.

use shared::api::Language;

/// A rendered mail, ready to be wrapped in MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The sign-in mail: the link and how long it is valid.
pub fn sign_in(lang: Language, organisation: &str, link: &str, minutes: u32) -> Rendered {
    let (subject, greeting, body, validity, ignore, button) = match lang {
        Language::En => (
            format!("Your sign-in link for {organisation} certificates"),
            "Hello,",
            "to sign in to the certificate portal, open this link and press Continue:",
            format!("The link works once and expires in {minutes} minutes."),
            "If you did not ask for it, ignore this mail; nobody can sign in without the link.",
            "Sign in",
        ),
        Language::De => (
            format!("Ihr Anmeldelink für die Zertifikate von {organisation}"),
            "Guten Tag,",
            "um sich im Zertifikatsportal anzumelden, öffnen Sie diesen Link und klicken Sie auf \
             „Weiter“:",
            format!("Der Link gilt einmal und läuft in {minutes} Minuten ab."),
            "Falls Sie ihn nicht angefordert haben, ignorieren Sie diese Mail; ohne den Link \
             kann sich niemand anmelden.",
            "Anmelden",
        ),
    };
    let text =
        format!("{greeting}\n\n{body}\n\n{link}\n\n{validity}\n{ignore}\n\n-- \n{organisation}\n");
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body><p>{greeting}</p><p>{body}</p><p><a href=\"{link}\">{button}</a></p>\
         <p>{validity}<br>{ignore}</p><p>{organisation}</p></body></html>",
        lang = lang.as_str(),
        subject = escape(&subject),
        greeting = escape(greeting),
        body = escape(body),
        link = escape(link),
        button = escape(button),
        validity = escape(&validity),
        ignore = escape(ignore),
        organisation = escape(organisation),
    );
    Rendered {
        subject,
        text,
        html,
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_carry_the_link_and_lifetime() {
        for lang in [Language::En, Language::De] {
            let m = sign_in(lang, "Uni <A>", "https://x.org/signin#abc", 15);
            assert!(m.text.contains("https://x.org/signin#abc"));
            assert!(m.text.contains("15"));
            assert!(m.html.contains("href=\"https://x.org/signin#abc\""));
            assert!(m.html.contains("Uni &lt;A&gt;"), "escaped");
        }
        assert!(
            sign_in(Language::De, "U", "l", 15)
                .subject
                .starts_with("Ihr Anmeldelink")
        );
    }
}
