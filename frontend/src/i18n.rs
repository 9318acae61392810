//! English and German. Each text is written in both languages where it is used
//! (`lang.t("Sign in", "Anmelden")`), so no page can miss a translation and a reader sees both.
//! The choice starts from the browser's languages and, once switched, is remembered.

use shared::api::Language;
use yew::prelude::*;

const STORAGE_KEY: &str = "certdesk.language";

/// The page's language, handed to every component through the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(pub Language);

impl Lang {
    /// The text in this language.
    pub fn t(self, en: &'static str, de: &'static str) -> &'static str {
        match self.0 {
            Language::En => en,
            Language::De => de,
        }
    }

    /// Like [`Lang::t`] for texts built at run time.
    pub fn s(self, en: String, de: String) -> String {
        match self.0 {
            Language::En => en,
            Language::De => de,
        }
    }

    /// BCP 47 tag for `lang` attributes and `Intl`.
    pub fn tag(self) -> &'static str {
        self.0.as_str()
    }

    /// A date (Unix seconds) as the user's locale writes it, e.g. "21 Nov 2026" / "21.11.2026".
    pub fn date(self, unix_seconds: i64) -> String {
        self.format(unix_seconds, false)
    }

    /// A date with the time of day.
    pub fn date_time(self, unix_seconds: i64) -> String {
        self.format(unix_seconds, true)
    }

    fn format(self, unix_seconds: i64, with_time: bool) -> String {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
            unix_seconds as f64 * 1000.0,
        ));
        let options = js_sys::Object::new();
        let set = |k: &str, v: &str| {
            // Only fails on a frozen object, which this one is not.
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        };
        set("dateStyle", "medium");
        if with_time {
            set("timeStyle", "short");
        }
        String::from(date.to_locale_string(&self.locale(), &options))
    }

    /// The browser's own locale when it is in this language (so a Swiss German user gets
    /// Swiss dates), else the bare language.
    fn locale(self) -> String {
        browser_languages()
            .into_iter()
            .find(|l| language_of(l) == Some(self.0))
            .unwrap_or_else(|| self.tag().to_owned())
    }
}

/// What the app shares: the language and how to change it.
#[derive(Clone, PartialEq)]
pub struct LangContext {
    pub lang: Lang,
    pub set: Callback<Language>,
}

/// The page's language.
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>()
        .map(|c| c.lang)
        .unwrap_or(Lang(Language::En))
}

/// Switches the page's language (and remembers it).
#[hook]
pub fn use_set_lang() -> Callback<Language> {
    use_context::<LangContext>()
        .map(|c| c.set)
        .unwrap_or_default()
}

/// The remembered choice, else the first of the browser's languages we speak, else English.
pub fn initial() -> Language {
    stored()
        .or_else(|| browser_languages().iter().find_map(|l| language_of(l)))
        .unwrap_or_default()
}

/// Remembers the user's choice in this browser.
pub fn remember(language: Language) {
    if let Some(storage) = local_storage() {
        // Private modes may refuse storage: the choice then lasts for this page only.
        let _ = storage.set_item(STORAGE_KEY, language.as_str());
    }
}

/// `de-CH` → German; anything we do not speak → `None`.
pub fn language_of(tag: &str) -> Option<Language> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some(Language::En),
        "de" => Some(Language::De),
        _ => None,
    }
}

fn stored() -> Option<Language> {
    let value = local_storage()?.get_item(STORAGE_KEY).ok()??;
    language_of(&value)
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn browser_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let mut tags: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if tags.is_empty()
        && let Some(tag) = navigator.language()
    {
        tags.push(tag);
    }
    tags
}
