//! Password strength by zxcvbn, in a Web Worker with a bundle of its own
//! (`src/bin/strength.rs`, `static/strength-worker.js`): the dictionaries are several hundred
//! KB, so they load only when the request wizard's password step opens, never with the app.

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::bundle;
use crate::i18n::Lang;

#[wasm_bindgen(module = "/static/strength-worker.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = strengthStart)]
    fn strength_start(glue_url: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(catch, js_name = strengthEstimate)]
    fn strength_estimate(password: &str, inputs: Array) -> Result<Promise, JsValue>;
}

/// Starts the worker and loads its bundle (once; later calls wait for the same start).
pub async fn start() -> Result<(), JsValue> {
    JsFuture::from(strength_start(&bundle::glue_url(bundle::STRENGTH)?)?).await?;
    Ok(())
}

/// How hard a password is to guess, as zxcvbn estimates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    /// 0 (guessed at once) to 4 (more than 10¹⁰ guesses).
    pub score: u8,
    /// Why it is weak, a zxcvbn warning's name (e.g. `ThisIsATop10Password`).
    pub warning: Option<String>,
    /// zxcvbn suggestions' names (e.g. `AddAnotherWordOrTwo`).
    pub suggestions: Vec<String>,
}

/// The strength of `password`, avoiding `inputs` (the person's address and names); starts
/// the worker if needed.
pub async fn estimate(password: &str, inputs: &[String]) -> Result<Strength, JsValue> {
    start().await?;
    let inputs: Array = inputs.iter().map(|s| JsValue::from_str(s)).collect();
    let answer = JsFuture::from(strength_estimate(password, inputs)?).await?;
    let get = |key: &str| Reflect::get(&answer, &JsValue::from_str(key));
    let score = get("score")?.as_f64().unwrap_or(0.0).clamp(0.0, 4.0) as u8;
    let warning = get("warning")?.as_string();
    let suggestions = Array::from(&get("suggestions")?)
        .iter()
        .filter_map(|s| s.as_string())
        .collect();
    Ok(Strength {
        score,
        warning,
        suggestions,
    })
}

/// The worker's side: zxcvbn's estimate as `{score, warning, suggestions}`. A bundle exports
/// it as `certdeskStrength` for `strength-worker.js`.
pub fn evaluate(password: &str, inputs: &Array) -> JsValue {
    let inputs: Vec<String> = inputs.iter().filter_map(|v| v.as_string()).collect();
    let words: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(password, &words);
    let out = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        // Only fails on a frozen object, which this one is not.
        let _ = Reflect::set(&out, &JsValue::from_str(key), &value);
    };
    set("score", JsValue::from(u8::from(entropy.score())));
    let feedback = entropy.feedback();
    set(
        "warning",
        feedback
            .and_then(|f| f.warning())
            .map_or(JsValue::NULL, |w| JsValue::from_str(&format!("{w:?}"))),
    );
    let suggestions: Array = feedback
        .map(|f| f.suggestions())
        .unwrap_or_default()
        .iter()
        .map(|s| JsValue::from_str(&format!("{s:?}")))
        .collect();
    set("suggestions", suggestions.into());
    out.into()
}

/// A zxcvbn warning or suggestion (by name) in the page's language; `None` for names this
/// version does not know.
pub fn hint(lang: Lang, name: &str) -> Option<&'static str> {
    let t = |en, de| Some(lang.t(en, de));
    match name {
        "StraightRowsOfKeysAreEasyToGuess" => t(
            "Straight rows of keys are easy to guess.",
            "Gerade Tastenreihen sind leicht zu erraten.",
        ),
        "ShortKeyboardPatternsAreEasyToGuess" => t(
            "Short keyboard patterns are easy to guess.",
            "Kurze Tastaturmuster sind leicht zu erraten.",
        ),
        "RepeatsLikeAaaAreEasyToGuess" => t(
            "Repeats like \"aaa\" are easy to guess.",
            "Wiederholungen wie „aaa“ sind leicht zu erraten.",
        ),
        "RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess" => t(
            "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
            "Wiederholungen wie „abcabcabc“ sind kaum schwerer zu erraten als „abc“.",
        ),
        "ThisIsATop10Password" => t(
            "This is one of the 10 most common passwords.",
            "Dies ist eines der 10 häufigsten Passwörter.",
        ),
        "ThisIsATop100Password" => t(
            "This is one of the 100 most common passwords.",
            "Dies ist eines der 100 häufigsten Passwörter.",
        ),
        "ThisIsACommonPassword" => t(
            "This is a very common password.",
            "Dies ist ein sehr häufiges Passwort.",
        ),
        "ThisIsSimilarToACommonlyUsedPassword" => t(
            "This is similar to a commonly used password.",
            "Dies ähnelt einem häufig verwendeten Passwort.",
        ),
        "SequencesLikeAbcAreEasyToGuess" => t(
            "Sequences like abc or 6543 are easy to guess.",
            "Folgen wie abc oder 6543 sind leicht zu erraten.",
        ),
        "RecentYearsAreEasyToGuess" => t(
            "Recent years are easy to guess.",
            "Jahreszahlen der letzten Zeit sind leicht zu erraten.",
        ),
        "AWordByItselfIsEasyToGuess" => t(
            "A single word is easy to guess.",
            "Ein einzelnes Wort ist leicht zu erraten.",
        ),
        "DatesAreOftenEasyToGuess" => t(
            "Dates are often easy to guess.",
            "Daten sind oft leicht zu erraten.",
        ),
        "NamesAndSurnamesByThemselvesAreEasyToGuess" => t(
            "Names and surnames by themselves are easy to guess.",
            "Vor- und Nachnamen allein sind leicht zu erraten.",
        ),
        "CommonNamesAndSurnamesAreEasyToGuess" => t(
            "Common names and surnames are easy to guess.",
            "Häufige Vor- und Nachnamen sind leicht zu erraten.",
        ),
        "UseAFewWordsAvoidCommonPhrases" => t(
            "Use a few words, avoid common phrases.",
            "Nehmen Sie mehrere Wörter, vermeiden Sie gängige Redewendungen.",
        ),
        "NoNeedForSymbolsDigitsOrUppercaseLetters" => t(
            "No need for symbols, digits, or uppercase letters.",
            "Sonderzeichen, Ziffern oder Großbuchstaben sind nicht nötig.",
        ),
        "AddAnotherWordOrTwo" => t(
            "Add another word or two. Uncommon words are better.",
            "Fügen Sie ein oder zwei Wörter hinzu. Ungewöhnliche Wörter sind besser.",
        ),
        "CapitalizationDoesntHelpVeryMuch" => t(
            "Capital letters do not help very much.",
            "Großbuchstaben helfen nicht viel.",
        ),
        "AllUppercaseIsAlmostAsEasyToGuessAsAllLowercase" => t(
            "All-uppercase is almost as easy to guess as all-lowercase.",
            "Nur Großbuchstaben sind fast so leicht zu erraten wie nur Kleinbuchstaben.",
        ),
        "ReversedWordsArentMuchHarderToGuess" => t(
            "Reversed words are not much harder to guess.",
            "Rückwärts geschriebene Wörter sind kaum schwerer zu erraten.",
        ),
        "PredictableSubstitutionsDontHelpVeryMuch" => t(
            "Predictable substitutions like '@' instead of 'a' do not help very much.",
            "Vorhersehbare Ersetzungen wie „@“ statt „a“ helfen nicht viel.",
        ),
        "UseALongerKeyboardPatternWithMoreTurns" => t(
            "Use a longer keyboard pattern with more turns.",
            "Nehmen Sie ein längeres Tastaturmuster mit mehr Richtungswechseln.",
        ),
        "AvoidRepeatedWordsAndCharacters" => t(
            "Avoid repeated words and characters.",
            "Vermeiden Sie wiederholte Wörter und Zeichen.",
        ),
        "AvoidSequences" => t("Avoid sequences.", "Vermeiden Sie Folgen."),
        "AvoidRecentYears" => t(
            "Avoid recent years.",
            "Vermeiden Sie Jahreszahlen der letzten Zeit.",
        ),
        "AvoidYearsThatAreAssociatedWithYou" => t(
            "Avoid years that are associated with you.",
            "Vermeiden Sie Jahreszahlen, die mit Ihnen zu tun haben.",
        ),
        "AvoidDatesAndYearsThatAreAssociatedWithYou" => t(
            "Avoid dates and years that are associated with you.",
            "Vermeiden Sie Daten und Jahre, die mit Ihnen zu tun haben.",
        ),
        _ => None,
    }
}
