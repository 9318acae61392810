//! The service desk queue's filter form as data: what the form holds, the [`DeskQuery`] it
//! asks for, and the same query in the address bar, so the back button returns to the
//! filtered queue.

use shared::api::{DeskQuery, RequestKind, RequestState};

use crate::i18n::Lang;

/// The form's fields as typed. `state` and `kind` hold the wire names, or `""` for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueForm {
    pub state: String,
    pub kind: String,
    pub min_age_days: String,
    pub max_age_days: String,
    pub q: String,
}

impl Default for QueueForm {
    /// The queue proper: requests waiting for an identity check.
    fn default() -> Self {
        Self {
            state: RequestState::AwaitingIdentityCheck.as_str().into(),
            kind: String::new(),
            min_age_days: String::new(),
            max_age_days: String::new(),
            q: String::new(),
        }
    }
}

/// A field the form cannot use: its element id and what to tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterError {
    pub field: &'static str,
    pub en: &'static str,
    pub de: &'static str,
}

impl FilterError {
    pub fn text(&self, lang: Lang) -> &'static str {
        lang.t(self.en, self.de)
    }
}

pub const FIELD_STATE: &str = "desk-filter-state";
pub const FIELD_KIND: &str = "desk-filter-kind";
pub const FIELD_MIN_AGE: &str = "desk-filter-min-age";
pub const FIELD_MAX_AGE: &str = "desk-filter-max-age";
pub const FIELD_SEARCH: &str = "desk-search";

/// Largest age filter the form takes (ten years).
const MAX_DAYS: u32 = 3650;

fn days(value: &str, field: &'static str) -> Result<Option<u32>, FilterError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(d) if d <= MAX_DAYS => Ok(Some(d)),
        _ => Err(FilterError {
            field,
            en: "Enter the age as a whole number of days (0 to 3650).",
            de: "Geben Sie das Alter als ganze Zahl von Tagen an (0 bis 3650).",
        }),
    }
}

impl QueueForm {
    /// The first page of the queue this form asks for.
    pub fn to_query(&self) -> Result<DeskQuery, FilterError> {
        let state = match self.state.as_str() {
            "" => None,
            s => Some(RequestState::parse(s).ok_or(FilterError {
                field: FIELD_STATE,
                en: "Choose a state from the list.",
                de: "Wählen Sie einen Status aus der Liste.",
            })?),
        };
        let kind = match self.kind.as_str() {
            "" => None,
            k => Some(RequestKind::parse(k).ok_or(FilterError {
                field: FIELD_KIND,
                en: "Choose a kind from the list.",
                de: "Wählen Sie eine Art aus der Liste.",
            })?),
        };
        let min_age_days = days(&self.min_age_days, FIELD_MIN_AGE)?;
        let max_age_days = days(&self.max_age_days, FIELD_MAX_AGE)?;
        if let (Some(min), Some(max)) = (min_age_days, max_age_days)
            && min > max
        {
            return Err(FilterError {
                field: FIELD_MAX_AGE,
                en: "\"At most\" must not be fewer days than \"at least\".",
                de: "„Höchstens“ darf nicht weniger Tage sein als „mindestens“.",
            });
        }
        let q = self.q.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(DeskQuery {
            state,
            kind,
            min_age_days,
            max_age_days,
            q: (!q.is_empty()).then_some(q),
            cursor: None,
            limit: None,
        })
    }

    /// The form that asks for `query` (for a query read back from the address bar).
    pub fn from_query(query: &DeskQuery) -> Self {
        Self {
            state: query
                .state
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            kind: query
                .kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
            min_age_days: query
                .min_age_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            max_age_days: query
                .max_age_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            q: query.q.clone().unwrap_or_default(),
        }
    }
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

fn decode(s: &str) -> Option<String> {
    // `+` is a space in query strings; encodeURIComponent never writes one.
    js_sys::decode_uri_component(&s.replace('+', " "))
        .ok()
        .map(String::from)
}

/// `state=…&kind=…` as the API and the address bar take it. `state=all` keeps "all states"
/// apart from the default (waiting requests) when read back.
pub fn query_string(query: &DeskQuery) -> String {
    let mut pairs: Vec<(&str, String)> = vec![(
        "state",
        query.state.map_or("all", |s| s.as_str()).to_owned(),
    )];
    if let Some(k) = query.kind {
        pairs.push(("kind", k.as_str().to_owned()));
    }
    if let Some(d) = query.min_age_days {
        pairs.push(("min_age_days", d.to_string()));
    }
    if let Some(d) = query.max_age_days {
        pairs.push(("max_age_days", d.to_string()));
    }
    if let Some(q) = &query.q {
        pairs.push(("q", q.clone()));
    }
    if let Some(c) = &query.cursor {
        pairs.push(("cursor", c.clone()));
    }
    if let Some(l) = query.limit {
        pairs.push(("limit", l.to_string()));
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The API's query for [`query_string`]'s output (with or without `?`); unknown or
/// unreadable parts are left out, an empty string is the default queue.
pub fn parse_query_string(s: &str) -> DeskQuery {
    let s = s.strip_prefix('?').unwrap_or(s);
    if s.is_empty() {
        return QueueForm::default().to_query().unwrap_or_default();
    }
    let mut query = DeskQuery::default();
    for pair in s.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(v) = decode(v) else { continue };
        match k {
            "state" => query.state = RequestState::parse(&v),
            "kind" => query.kind = RequestKind::parse(&v),
            "min_age_days" => query.min_age_days = v.parse().ok(),
            "max_age_days" => query.max_age_days = v.parse().ok(),
            "q" => query.q = (!v.trim().is_empty()).then_some(v),
            "cursor" => query.cursor = (!v.is_empty()).then_some(v),
            "limit" => query.limit = v.parse().ok(),
            _ => {}
        }
    }
    query
}

/// How long a request has waited, e.g. "3 days" / "3 Tage".
pub fn age_text(lang: Lang, seconds: i64) -> String {
    let days = seconds.max(0) / 86_400;
    match days {
        0 => lang.t("today", "heute").to_owned(),
        1 => lang.t("1 day", "1 Tag").to_owned(),
        n => lang.s(format!("{n} days"), format!("{n} Tage")),
    }
}
