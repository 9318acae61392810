//! The password strength meter: a bar with zxcvbn's score in words and its hints, read out
//! to screen readers as it changes.

use yew::prelude::*;

use super::password_rules::{MIN_SCORE, Meter};
use super::strength::{Strength, hint};
use crate::i18n::use_lang;

#[derive(Properties, PartialEq)]
pub struct StrengthMeterProps {
    /// `None` while nothing is typed.
    pub strength: Option<Strength>,
    pub meter: Meter,
    pub id: AttrValue,
}

#[function_component(StrengthMeter)]
pub fn strength_meter(props: &StrengthMeterProps) -> Html {
    let lang = use_lang();
    let (score, label) = match (props.meter, &props.strength) {
        (Meter::Unavailable, _) => (
            None,
            lang.t(
                "The strength meter could not be loaded: please use at least 16 characters.",
                "Die Stärkeanzeige ließ sich nicht laden: Bitte verwenden Sie mindestens 16 Zeichen.",
            ),
        ),
        (_, None) => (None, lang.t("Strength: nothing typed yet", "Stärke: noch nichts eingegeben")),
        (Meter::Pending, Some(_)) => (None, lang.t("Strength: checking …", "Stärke: wird geprüft …")),
        (Meter::Score(s), Some(_)) => (
            Some(s),
            match s {
                0 => lang.t("Strength: very weak", "Stärke: sehr schwach"),
                1 => lang.t("Strength: weak", "Stärke: schwach"),
                2 => lang.t("Strength: fair, not enough yet", "Stärke: mittel, noch nicht genug"),
                3 => lang.t("Strength: good", "Stärke: gut"),
                _ => lang.t("Strength: very good", "Stärke: sehr gut"),
            },
        ),
    };
    let hints: Vec<&'static str> = props
        .strength
        .iter()
        .filter(|_| score.is_some_and(|s| s < MIN_SCORE + 1))
        .flat_map(|s| s.warning.iter().chain(s.suggestions.iter()))
        .filter_map(|name| hint(lang, name))
        .collect();
    let level = score.map_or("none".to_owned(), |s| s.to_string());
    html! {
        <div class="strength" id={props.id.clone()} data-score={level.clone()}>
            <div class={classes!("strength-bar", format!("strength-{level}"))} aria-hidden="true">
                <span></span><span></span><span></span><span></span>
            </div>
            <p class="strength-label" aria-live="polite">{ label }</p>
            if !hints.is_empty() {
                <ul class="strength-hints">
                    { for hints.iter().map(|h| html! { <li>{ *h }</li> }) }
                </ul>
            }
        </div>
    }
}
