//! What must never leave the browser — the password, the key file and the private key — in
//! every encoding a page could plausibly send it, and the search through recorded requests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use crate::support::proxy::Sent;

/// Binary secrets are searched window by window, so a part of one is found too.
const WINDOW: usize = 24;
/// Shorter lines of a PEM body are too short to be telling.
const MIN_LINE: usize = 16;

/// Byte strings that must not appear in any request, each with what it is.
#[derive(Default)]
pub struct Secrets {
    needles: Vec<(String, Vec<u8>)>,
}

impl Secrets {
    fn add(&mut self, what: impl Into<String>, needle: impl Into<Vec<u8>>) {
        let needle = needle.into();
        assert!(!needle.is_empty());
        self.needles.push((what.into(), needle));
    }

    /// A password: as UTF-8, percent-encoded, JSON-escaped, in UTF-16 and Latin-1, in hex
    /// and in base64.
    pub fn password(&mut self, what: &str, password: &str) {
        let utf8 = password.as_bytes();
        self.add(format!("{what} (UTF-8)"), utf8);
        for upper in [true, false] {
            self.add(
                format!("{what} (percent-encoded)"),
                percent_encode(utf8, upper, false),
            );
            self.add(
                format!("{what} (form-encoded)"),
                percent_encode(utf8, upper, true),
            );
            self.add(
                format!("{what} (JSON \\u escapes)"),
                json_escape(password, upper, false),
            );
            self.add(
                format!("{what} (JSON, every character escaped)"),
                json_escape(password, upper, true),
            );
        }
        let utf16 = |be: bool| -> Vec<u8> {
            password
                .encode_utf16()
                .flat_map(|u| if be { u.to_be_bytes() } else { u.to_le_bytes() })
                .collect()
        };
        self.add(format!("{what} (UTF-16BE)"), utf16(true));
        self.add(format!("{what} (UTF-16LE)"), utf16(false));
        if let Some(latin1) = password
            .chars()
            .map(|c| u8::try_from(u32::from(c)).ok())
            .collect::<Option<Vec<u8>>>()
        {
            self.add(format!("{what} (Latin-1)"), latin1);
        }
        self.encoded(what, utf8);
    }

    /// Text such as a PEM file: whole, with its line breaks escaped as JSON does, each
    /// line of its body, and its bytes in hex and base64.
    pub fn pem(&mut self, what: &str, pem: &str) {
        self.add(format!("{what} (as is)"), pem);
        self.add(
            format!("{what} (JSON-escaped)"),
            pem.replace('\r', "\\r").replace('\n', "\\n"),
        );
        for (i, line) in pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.trim().len() >= MIN_LINE)
            .enumerate()
        {
            let line = line.trim();
            self.add(format!("{what} (body line {})", i + 1), line);
            self.add(
                format!("{what} (body line {}, percent-encoded)", i + 1),
                percent_encode(line.as_bytes(), true, false),
            );
        }
        self.encoded(what, pem.as_bytes());
    }

    /// A secret value (a private key's number): every window of it raw, in hex and in
    /// base64.
    pub fn secret_bytes(&mut self, what: &str, bytes: &[u8]) {
        for (i, window) in bytes.chunks(WINDOW).enumerate() {
            if window.len() < WINDOW / 2 {
                continue;
            }
            let what = format!("{what} (bytes {}..)", i * WINDOW);
            self.add(format!("{what} raw"), window);
            self.encoded(&what, window);
        }
    }

    /// A whole structure (a DER file) that holds secrets next to public parts: only whole.
    pub fn whole(&mut self, what: &str, bytes: &[u8]) {
        self.add(format!("{what} (raw)"), bytes);
        self.encoded(what, bytes);
    }

    /// Hex (both cases) and base64 (standard and URL-safe, at each of the three alignments
    /// the bytes may have inside a longer encoded text).
    fn encoded(&mut self, what: &str, bytes: &[u8]) {
        self.add(format!("{what} (hex)"), hex(bytes, false));
        self.add(format!("{what} (HEX)"), hex(bytes, true));
        for offset in 0..3 {
            let b64 = base64_inner(bytes, offset);
            if b64.len() < MIN_LINE {
                continue;
            }
            self.add(format!("{what} (base64 at +{offset})"), b64.clone());
            let url_safe = b64.replace('+', "-").replace('/', "_");
            if url_safe != b64 {
                self.add(format!("{what} (base64url at +{offset})"), url_safe);
            }
        }
    }

    /// Every place where a secret shows up in `sent`: what it is, in which request, where.
    pub fn find(&self, sent: &[Sent]) -> Vec<String> {
        let mut found = Vec::new();
        for s in sent {
            let mut places: Vec<(String, Vec<u8>)> = vec![
                ("URL".into(), s.target.as_bytes().to_vec()),
                ("URL, decoded".into(), percent_decode(s.target.as_bytes())),
                ("body".into(), s.body.clone()),
                ("body, decoded".into(), percent_decode(&s.body)),
            ];
            for (name, value) in &s.headers {
                places.push((format!("header {name}"), value.clone()));
            }
            for (what, needle) in &self.needles {
                for (place, haystack) in &places {
                    if contains(haystack, needle) {
                        found.push(format!(
                            "{what} in the {place} of {} {}",
                            s.method, s.target
                        ));
                    }
                }
            }
        }
        found
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

/// The base64 characters that depend only on `bytes` when they follow `offset` other
/// bytes in a longer encoded text (the edges depend on the neighbours too).
fn base64_inner(bytes: &[u8], offset: usize) -> String {
    let mut padded = vec![0u8; offset];
    padded.extend_from_slice(bytes);
    let text = STANDARD_NO_PAD.encode(&padded);
    let start = (8 * offset).div_ceil(6);
    let end = (8 * (offset + bytes.len())) / 6;
    text.get(start..end).unwrap_or_default().to_owned()
}

/// `encodeURIComponent`'s escaping; `form` also turns spaces into `+`.
fn percent_encode(bytes: &[u8], upper: bool, form: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => out.push(char::from(b)),
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{}", hex(&[b], upper))),
        }
    }
    out
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    out
}

/// JSON string escapes for non-ASCII characters (or every character), as `\u00fc`.
fn json_escape(text: &str, upper: bool, all: bool) -> String {
    let mut out = String::new();
    for unit in text.encode_utf16() {
        if !all && unit < 0x80 {
            out.push(char::from(u8::try_from(unit).unwrap_or(b'?')));
        } else if upper {
            out.push_str(&format!("\\u{unit:04X}"));
        } else {
            out.push_str(&format!("\\u{unit:04x}"));
        }
    }
    out
}

/// The private numbers of a key as `openssl pkey -text` prints them (RSA: private exponent,
/// primes and CRT values; EC: the private scalar), by name.
pub fn private_numbers(text: &str) -> Vec<(String, Vec<u8>)> {
    const PRIVATE: &[&str] = &[
        "privateExponent",
        "prime1",
        "prime2",
        "exponent1",
        "exponent2",
        "coefficient",
        "priv",
    ];
    let mut numbers: Vec<(String, Vec<u8>)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in text.lines() {
        if !line.starts_with(' ') {
            let name = line.trim_end_matches(':');
            current = (line.ends_with(':') && PRIVATE.contains(&name)).then(|| {
                numbers.push((name.to_owned(), Vec::new()));
                numbers.len() - 1
            });
        } else if let Some(i) = current {
            numbers[i].1.extend(
                line.trim()
                    .split(':')
                    .filter(|h| !h.is_empty())
                    .map(|h| u8::from_str_radix(h, 16).unwrap()),
            );
        }
    }
    // A leading zero only keeps the number positive; it is not part of the secret.
    for (_, bytes) in &mut numbers {
        if bytes.first() == Some(&0) {
            bytes.remove(0);
        }
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &str = "Grüße-Kölner-Dom-2026";

    fn sent(target: &str, body: &[u8]) -> Sent {
        Sent {
            method: "POST".into(),
            target: target.into(),
            headers: vec![("content-type".into(), b"application/json".to_vec())],
            body: body.to_vec(),
        }
    }

    fn password_only() -> Secrets {
        let mut s = Secrets::default();
        s.password("the password", PASSWORD);
        s
    }

    /// The checker itself must see each encoding; a clean request passes.
    #[test]
    fn finds_the_password_in_each_encoding() {
        let secrets = password_only();
        let b64 = base64::engine::general_purpose::STANDARD.encode(PASSWORD);
        let b64_in_longer =
            base64::engine::general_purpose::STANDARD.encode(format!("xy{PASSWORD}tail"));
        let leaks: Vec<Sent> = vec![
            sent("/api/x", format!("{{\"p\":\"{PASSWORD}\"}}").as_bytes()),
            sent("/api/x?p=Gr%C3%BC%C3%9Fe-K%C3%B6lner-Dom-2026", b""),
            sent("/api/x?p=Gr%c3%bc%c3%9fe-K%c3%b6lner-Dom-2026", b""),
            sent("/api/x", br#"{"p":"Gr\u00fc\u00dfe-K\u00f6lner-Dom-2026"}"#),
            sent("/api/x", br#"{"p":"Gr\u00FC\u00DFe-K\u00F6lner-Dom-2026"}"#),
            sent("/api/x", b64.as_bytes()),
            sent("/api/x", b64_in_longer.as_bytes()),
            sent("/api/x", hex(PASSWORD.as_bytes(), false).as_bytes()),
            sent(
                "/api/x",
                &PASSWORD
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ),
        ];
        for leak in &leaks {
            assert!(
                !secrets.find(std::slice::from_ref(leak)).is_empty(),
                "not found: {leak:?}"
            );
        }
        let clean = sent("/api/requests", br#"{"kind":"personal","csr":"MIIB..."}"#);
        assert_eq!(secrets.find(&[clean]), Vec::<String>::new());
    }

    #[test]
    fn finds_part_of_a_secret_number_in_base64() {
        let number: Vec<u8> = (0u8..=200).map(|i| i.wrapping_mul(37)).collect();
        let mut secrets = Secrets::default();
        secrets.secret_bytes("a prime", &number);
        for start in [0, 1, 2, 50, 101] {
            let part = &number[start..start + 60];
            let text = STANDARD_NO_PAD.encode(part);
            assert!(
                !secrets.find(&[sent("/", text.as_bytes())]).is_empty(),
                "{start}"
            );
        }
    }

    #[test]
    fn reads_private_numbers_from_openssl_text() {
        let text = "Private-Key: (256 bit)\npriv:\n    00:8a:01:\n    02\npub:\n    04:aa\nASN1 OID: prime256v1\n";
        assert_eq!(
            private_numbers(text),
            vec![("priv".to_owned(), vec![0x8a, 1, 2])]
        );
    }
}
