//! The queue: filters and search as a form, a table whose codes link to the request, pages
//! by cursor. The query stands in the address bar, so reloading and going back keep it.

use std::cell::RefCell;

use shared::api::{ApiError, DeskPage, DeskQuery, RequestKind, RequestState, routes};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

use super::{DeskOnly, focus};
use crate::api;
use crate::components::desk_filters::{
    FIELD_KIND, FIELD_MAX_AGE, FIELD_MIN_AGE, FIELD_SEARCH, FIELD_STATE, FilterError, QueueForm,
    age_text, parse_query_string, query_string,
};
use crate::components::labels::{api_error_text, kind_label, state_label};
use crate::i18n::{Lang, use_lang};
use crate::route::{Route, use_navigate};

thread_local! {
    /// The queue's last query string, for the way back from a request's page.
    static LAST_QUERY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The query the queue opens with: the address bar's, else the last one used.
fn initial_query() -> DeskQuery {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let search = if search.trim_start_matches('?').is_empty() {
        LAST_QUERY.with(|q| q.borrow().clone())
    } else {
        search
    };
    parse_query_string(&search)
}

/// Shows `query` in the address bar without a new history entry.
fn show_in_address_bar(query: &DeskQuery) {
    let qs = query_string(query);
    LAST_QUERY.with(|q| *q.borrow_mut() = qs.clone());
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{}?{qs}", Route::Desk.path())),
        );
    }
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(DeskPage),
    Failed(ApiError),
}

#[function_component(Queue)]
pub fn queue() -> Html {
    html! { <DeskOnly><QueuePage /></DeskOnly> }
}

/// `/` moves the focus to the search field, unless the user is typing somewhere.
#[hook]
fn use_slash_focuses_search() {
    use_effect_with((), |_| {
        let listener = Closure::<dyn Fn(KeyboardEvent)>::new(|e: KeyboardEvent| {
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if e.key() == "/" && !typing && !e.ctrl_key() && !e.meta_key() && !e.alt_key() {
                e.prevent_default();
                focus(FIELD_SEARCH);
            }
        });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ =
                d.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

#[function_component(QueuePage)]
fn queue_page() -> Html {
    let lang = use_lang();
    let navigate = use_navigate();
    let query = use_state(initial_query);
    let form = use_state(|| QueueForm::from_query(&query));
    let filter_error = use_state(|| None::<FilterError>);
    let load = use_state(|| Load::Loading);
    use_slash_focuses_search();
    {
        let load = load.clone();
        use_effect_with((*query).clone(), move |query| {
            show_in_address_bar(query);
            load.set(Load::Loading);
            let path = format!("{}?{}", routes::DESK_REQUESTS, query_string(query));
            wasm_bindgen_futures::spawn_local(async move {
                load.set(match api::get::<DeskPage>(&path).await {
                    Ok(page) => Load::Loaded(page),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }

    let onsubmit = {
        let form = form.clone();
        let query = query.clone();
        let filter_error = filter_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.to_query() {
                Ok(q) => {
                    filter_error.set(None);
                    query.set(q);
                }
                Err(err) => {
                    focus(err.field);
                    filter_error.set(Some(err));
                }
            }
        })
    };
    let reset = {
        let form = form.clone();
        let query = query.clone();
        let filter_error = filter_error.clone();
        Callback::from(move |_: MouseEvent| {
            let fresh = QueueForm::default();
            filter_error.set(None);
            query.set(fresh.to_query().unwrap_or_default());
            form.set(fresh);
        })
    };
    let set = |update: fn(&mut QueueForm, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            update(&mut next, target_value(&e));
            form.set(next);
        })
    };
    let page_to = |cursor: Option<String>| {
        let query = query.clone();
        Callback::from(move |_: MouseEvent| {
            query.set(DeskQuery {
                cursor: cursor.clone(),
                ..(*query).clone()
            });
            focus("desk-queue-title");
        })
    };
    let invalid = |field: &str| filter_error.as_ref().is_some_and(|e| e.field == field);

    let results = match &*load {
        Load::Loading => html! {
            <p id="desk-queue-loading" role="status"><span class="spinner" aria-hidden="true"></span>{ lang.t("Loading…", "Wird geladen …") }</p>
        },
        Load::Failed(e) => html! {
            <p id="desk-queue-error" class="error" role="alert" data-code={e.code.as_str()}>{ api_error_text(lang, e) }</p>
        },
        Load::Loaded(page) => html! {
            <>
                { table(lang, &navigate, page) }
                <div class="actions">
                    if query.cursor.is_some() {
                        <button type="button" id="desk-first-page" class="secondary" onclick={page_to(None)}>
                            { lang.t("First page", "Erste Seite") }
                        </button>
                    }
                    if let Some(next) = &page.next_cursor {
                        <button type="button" id="desk-next-page" class="secondary" onclick={page_to(Some(next.clone()))}>
                            { lang.t("Next page", "Nächste Seite") }
                        </button>
                    }
                </div>
            </>
        },
    };

    html! {
        <section class="desk">
            <h1>{ lang.t("Service desk", "Service-Desk") }</h1>
            <form id="desk-filters" class="desk-filters" {onsubmit} novalidate=true
                aria-label={lang.t("Filter the requests", "Anträge filtern")}>
                <div class="filter-search">
                    <label for={FIELD_SEARCH}>
                        { lang.t("Search", "Suche") }
                        <span class="hint">{ lang.t("Name, address or request code; press / to come here.",
                            "Name, Adresse oder Antragsnummer; mit / kommen Sie hierher.") }</span>
                    </label>
                    <input type="search" id={FIELD_SEARCH} value={form.q.clone()}
                        oninput={set(|f, v| f.q = v)} />
                </div>
                <div>
                    <label for={FIELD_STATE}>{ lang.t("State", "Status") }</label>
                    <select id={FIELD_STATE} oninput={set(|f, v| f.state = v)} aria-invalid={invalid(FIELD_STATE).to_string()}>
                        <option value="" selected={form.state.is_empty()}>{ lang.t("All states", "Alle") }</option>
                        { for RequestState::ALL.iter().filter(|s| **s != RequestState::Submitted).map(|s| html! {
                            <option value={s.as_str()} selected={form.state == s.as_str()}>{ state_label(lang, *s) }</option>
                        }) }
                    </select>
                </div>
                <div>
                    <label for={FIELD_KIND}>{ lang.t("Kind", "Art") }</label>
                    <select id={FIELD_KIND} oninput={set(|f, v| f.kind = v)} aria-invalid={invalid(FIELD_KIND).to_string()}>
                        <option value="" selected={form.kind.is_empty()}>{ lang.t("All kinds", "Alle") }</option>
                        { for RequestKind::ALL.iter().map(|k| html! {
                            <option value={k.as_str()} selected={form.kind == k.as_str()}>{ kind_label(lang, *k) }</option>
                        }) }
                    </select>
                </div>
                <div>
                    <label for={FIELD_MIN_AGE}>{ lang.t("At least (days old)", "Mindestens (Tage alt)") }</label>
                    <input type="number" min="0" max="3650" inputmode="numeric" id={FIELD_MIN_AGE}
                        value={form.min_age_days.clone()} oninput={set(|f, v| f.min_age_days = v)}
                        aria-invalid={invalid(FIELD_MIN_AGE).to_string()} />
                </div>
                <div>
                    <label for={FIELD_MAX_AGE}>{ lang.t("At most (days old)", "Höchstens (Tage alt)") }</label>
                    <input type="number" min="0" max="3650" inputmode="numeric" id={FIELD_MAX_AGE}
                        value={form.max_age_days.clone()} oninput={set(|f, v| f.max_age_days = v)}
                        aria-invalid={invalid(FIELD_MAX_AGE).to_string()} />
                </div>
                <div class="actions filter-actions">
                    <button type="submit" id="desk-filter-submit" class="primary">{ lang.t("Show", "Anzeigen") }</button>
                    <button type="button" id="desk-filter-reset" class="secondary" onclick={reset}>
                        { lang.t("Waiting requests", "Wartende Anträge") }
                    </button>
                </div>
            </form>
            if let Some(e) = &*filter_error {
                <p id="desk-filter-error" class="error" role="alert" data-field={e.field}>{ e.text(lang) }</p>
            }
            <h2 id="desk-queue-title" tabindex="-1">{ lang.t("Requests", "Anträge") }</h2>
            { results }
        </section>
    }
}

/// The value of the input or select an event came from.
fn target_value(e: &Event) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// A request's code as a link to its page (an `<a>` of its own, so it carries the id).
fn open_link(navigate: &Callback<Route>, id: i64, code: &str) -> Html {
    let to = Route::DeskRequest(id);
    let href = to.path();
    let navigate = navigate.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
            return;
        }
        e.prevent_default();
        navigate.emit(to.clone());
    });
    html! { <a id={format!("desk-open-{code}")} {href} {onclick}>{ code.to_owned() }</a> }
}

fn table(lang: Lang, navigate: &Callback<Route>, page: &DeskPage) -> Html {
    if page.items.is_empty() {
        return html! {
            <p id="desk-empty" class="notice">{ lang.t("No requests match these filters.", "Keine Anträge passen zu diesen Filtern.") }</p>
        };
    }
    let now = now_seconds();
    // On a phone's screen each row becomes a card, its cells labelled from `data-label`.
    let [code, kind, requester, addresses, state, age] = [
        lang.t("Code", "Nummer"),
        lang.t("Kind", "Art"),
        lang.t("Requester", "Antragsteller/in"),
        lang.t("Addresses", "Adressen"),
        lang.t("State", "Status"),
        lang.t("Age", "Alter"),
    ];
    html! {
        <div class="table-wrap">
            <table id="desk-queue" class="desk-queue">
                <caption class="muted">{ lang.t("Oldest first; open a request by its code.",
                    "Älteste zuerst; öffnen Sie einen Antrag über seine Nummer.") }</caption>
                <thead>
                    <tr>
                        { for [code, kind, requester, addresses, state, age].iter().map(|c| html! {
                            <th scope="col">{ *c }</th>
                        }) }
                    </tr>
                </thead>
                <tbody>
                    { for page.items.iter().map(|r| html! {
                        <tr id={format!("desk-row-{}", r.id)} data-code={r.code.clone()}>
                            <td data-label={code}>
                                { open_link(navigate, r.id, &r.code) }
                            </td>
                            <td data-label={kind}>{ kind_label(lang, r.kind) }</td>
                            <td class="wrap" data-label={requester}>{ r.requester.clone() }</td>
                            <td class="wrap" data-label={addresses}>{ r.addresses.join(", ") }</td>
                            <td data-label={state}>{ state_label(lang, r.state) }</td>
                            <td data-label={age} title={lang.date_time(r.created_at)}>{ age_text(lang, now - r.created_at) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
