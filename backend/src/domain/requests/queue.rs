//! The service desk's queue: its filters, the search words and the opaque page cursor.
//!
//! Pages follow the keyset `(created_at, id)`, oldest first: a page is "the next `limit`
//! rows after the last one seen", which an index walks directly however deep the page, and
//! which stays correct while new requests arrive.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use shared::api::{ApiError, DeskQuery, ErrorCode, RequestKind, RequestState};

use super::DAY;
use crate::domain::UnixTime;

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;
/// More search words than this narrow nothing further in practice.
const MAX_WORDS: usize = 5;
const MAX_WORD: usize = 100;
/// Longest term stored; longer ones are cut (a prefix search still finds them).
const MAX_TERM: usize = 200;

/// One search word as the index range of terms it begins: `low <= term < high`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    pub low: String,
    pub high: String,
}

impl Prefix {
    /// `word` (already in lower case) as a range; `None` if it is empty.
    pub fn of(word: &str) -> Option<Self> {
        let mut chars: Vec<char> = word.chars().collect();
        let last = chars.pop()?;
        // The next character after the last: every string that begins with `word` sorts
        // below `word` with its last character raised by one, in UTF-8 byte order too.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32)?;
        let high: String = chars.iter().chain(std::iter::once(&next)).collect();
        Some(Self {
            low: word.to_owned(),
            high,
        })
    }
}

/// A checked [`DeskQuery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub state: Option<RequestState>,
    pub kind: Option<RequestKind>,
    /// `created_at >= created_from`
    pub created_from: Option<UnixTime>,
    /// `created_at <= created_to`
    pub created_to: Option<UnixTime>,
    /// Each must begin one of the request's terms.
    pub words: Vec<Prefix>,
    /// Only rows after this `(created_at, id)`.
    pub after: Option<(UnixTime, i64)>,
    pub limit: u32,
}

pub fn filter(q: &DeskQuery, now: UnixTime) -> Result<QueueFilter, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("limit must be between 1 and {MAX_PAGE}."),
        ));
    }
    let words: Vec<String> =
        q.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    if words.len() > MAX_WORDS || words.iter().any(|w| w.chars().count() > MAX_WORD) {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            format!("Search with at most {MAX_WORDS} words of at most {MAX_WORD} characters."),
        ));
    }
    let days_ago = |d: u32| now - i64::from(d) * DAY;
    Ok(QueueFilter {
        state: q.state,
        kind: q.kind,
        created_from: q.max_age_days.map(days_ago),
        created_to: q.min_age_days.map(days_ago),
        words: words.iter().filter_map(|w| Prefix::of(w)).collect(),
        after: q.cursor.as_deref().map(parse_cursor).transpose()?,
        limit,
    })
}

/// The cursor that continues after a row.
pub fn cursor(created_at: UnixTime, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{created_at}:{id}"))
}

fn parse_cursor(s: &str) -> Result<(UnixTime, i64), ApiError> {
    let invalid = || {
        ApiError::new(
            ErrorCode::CursorInvalid,
            "This page cursor is not valid; start again from the first page.",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (t, id) = text.split_once(':').ok_or_else(invalid)?;
    Ok((
        t.parse().map_err(|_| invalid())?,
        id.parse().map_err(|_| invalid())?,
    ))
}

/// Everything a request can be found by: its code (with and without `CD-`), each address
/// whole, its part before `@` and that part's pieces, and each word of the names.
pub fn search_terms<'a>(
    code: &str,
    addresses: impl IntoIterator<Item = &'a str>,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    let code = code.to_lowercase();
    if let Some(rest) = code.strip_prefix("cd-") {
        terms.push(rest.to_owned());
    }
    terms.push(code);
    let pieces = |s: &str, seps: &[char]| -> Vec<String> {
        s.split(seps)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    for address in addresses {
        let address = address.to_lowercase();
        if let Some((local, _)) = address.split_once('@') {
            terms.push(local.to_owned());
            terms.extend(pieces(local, &['.', '_', '-', '+']));
        }
        terms.push(address);
    }
    for name in names {
        for word in name.to_lowercase().split_whitespace() {
            terms.push(word.to_owned());
            terms.extend(pieces(word, &['-', '\'']));
        }
    }
    for t in &mut terms {
        if let Some((cut, _)) = t.char_indices().nth(MAX_TERM) {
            t.truncate(cut);
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_bound_every_continuation() {
        let p = Prefix::of("mül").unwrap();
        assert_eq!(p.high, "müm");
        for s in ["mül", "müller", "mül\u{10FFFF}"] {
            assert!(p.low.as_str() <= s && s < p.high.as_str(), "{s}");
            assert!(p.low.as_bytes() <= s.as_bytes() && s.as_bytes() < p.high.as_bytes());
        }
        assert!("müma" >= p.high.as_str());
        // U+D7FF is followed by U+E000: surrogates are no characters.
        assert_eq!(Prefix::of("\u{D7FF}").unwrap().high, "\u{E000}");
        assert_eq!(Prefix::of(""), None);
    }

    #[test]
    fn terms_cover_code_addresses_and_names() {
        let t = search_terms(
            "CD-7K3P-Q9XA",
            ["anna-lena.mueller@example.org", "dpo@example.org"],
            ["Anna-Lena", "Müller Schmidt"],
        );
        for want in [
            "cd-7k3p-q9xa",
            "7k3p-q9xa",
            "anna-lena.mueller@example.org",
            "anna-lena.mueller",
            "mueller",
            "anna",
            "lena",
            "anna-lena",
            "dpo",
            "müller",
            "schmidt",
        ] {
            assert!(t.contains(&want.to_owned()), "{want} in {t:?}");
        }
        assert!(
            !t.contains(&"example.org".to_owned()),
            "no bare domains: {t:?}"
        );
    }

    #[test]
    fn filters_and_cursors() {
        let now = 100 * DAY;
        let q = DeskQuery {
            state: Some(RequestState::AwaitingIdentityCheck),
            min_age_days: Some(7),
            max_age_days: Some(30),
            q: Some(" Müller  CD-7K ".into()),
            cursor: Some(cursor(5, 42)),
            ..DeskQuery::default()
        };
        let f = filter(&q, now).unwrap();
        assert_eq!(f.created_to, Some(93 * DAY));
        assert_eq!(f.created_from, Some(70 * DAY));
        assert_eq!(f.words.len(), 2);
        assert_eq!(f.words[0].low, "müller");
        assert_eq!(f.after, Some((5, 42)));
        assert_eq!(f.limit, DEFAULT_PAGE);
        let bad = |q: DeskQuery| filter(&q, now).unwrap_err().code;
        assert_eq!(
            bad(DeskQuery {
                cursor: Some("bm9wZQ".into()),
                ..DeskQuery::default()
            }),
            ErrorCode::CursorInvalid
        );
        assert_eq!(
            bad(DeskQuery {
                limit: Some(0),
                ..DeskQuery::default()
            }),
            ErrorCode::BadRequest
        );
        assert_eq!(
            bad(DeskQuery {
                q: Some("a b c d e f".into()),
                ..DeskQuery::default()
            }),
            ErrorCode::BadRequest
        );
    }
}
