//! The app's pages and their paths, with history navigation (no full page loads). Tokens of
//! mailed links travel after `#` and are read by their page, never sent to the server in a URL.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// Every page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Start page; the sign-in form when signed out.
    Home,
    /// The mailed sign-in link's *Continue* page (token after `#`).
    SignIn,
    /// The request wizard.
    Request,
    /// The requester's requests and certificates.
    Certificates,
    /// The mailed collect link's page (token after `#`): build the .p12.
    Collect,
    /// The service desk's queue.
    Desk,
    /// One request in the service desk.
    DeskRequest(i64),
    NotFound,
}

impl Route {
    pub fn parse(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        match path {
            "" => Self::Home,
            "/signin" => Self::SignIn,
            "/request" => Self::Request,
            "/certificates" => Self::Certificates,
            "/collect" => Self::Collect,
            "/desk" => Self::Desk,
            _ => path
                .strip_prefix("/desk/requests/")
                .and_then(|id| id.parse().ok())
                .map_or(Self::NotFound, Self::DeskRequest),
        }
    }

    pub fn path(&self) -> String {
        match self {
            Self::Home | Self::NotFound => "/".into(),
            Self::SignIn => shared::api::routes::SIGNIN_PAGE.into(),
            Self::Request => "/request".into(),
            Self::Certificates => "/certificates".into(),
            Self::Collect => shared::api::routes::COLLECT_PAGE.into(),
            Self::Desk => "/desk".into(),
            Self::DeskRequest(id) => format!("/desk/requests/{id}"),
        }
    }

    /// The page the browser shows now.
    pub fn current() -> Self {
        web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .map_or(Self::Home, |p| Self::parse(&p))
    }
}

/// The current page and how to go to another.
#[derive(Clone, PartialEq)]
pub struct RouterContext {
    pub route: Route,
    /// Counts visits that change only the part after `#`: a second mailed link opened in the
    /// same tab. The page is then shown afresh, so that it reads the new token.
    pub visit: u32,
    pub navigate: Callback<Route>,
}

#[hook]
pub fn use_route() -> Route {
    use_context::<RouterContext>().map_or(Route::Home, |c| c.route)
}

/// See [`RouterContext::visit`].
#[hook]
pub fn use_visit() -> u32 {
    use_context::<RouterContext>().map_or(0, |c| c.visit)
}

/// Goes to a page, adding a history entry, and moves focus to the page's heading.
#[hook]
pub fn use_navigate() -> Callback<Route> {
    use_context::<RouterContext>()
        .map(|c| c.navigate)
        .unwrap_or_default()
}

/// Keeps the route state in step with the address bar (links and the back button).
#[hook]
pub fn use_router() -> RouterContext {
    let route = use_state(Route::current);
    let visit = use_state(|| 0u32);
    {
        let route = route.clone();
        let visit = visit.clone();
        use_effect_with((), move |_| {
            let on_popstate = Closure::<dyn Fn()>::new(move || route.set(Route::current()));
            let on_hashchange = Closure::<dyn Fn()>::new(move || {
                let has_token = web_sys::window()
                    .and_then(|w| w.location().hash().ok())
                    .is_some_and(|h| h.len() > 1);
                if has_token {
                    visit.set(visit.wrapping_add(1));
                }
            });
            let window = web_sys::window();
            let listeners = [("popstate", on_popstate), ("hashchange", on_hashchange)];
            if let Some(w) = &window {
                for (event, listener) in &listeners {
                    let _ = w
                        .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(w) = &window {
                    for (event, listener) in &listeners {
                        let _ = w.remove_event_listener_with_callback(
                            event,
                            listener.as_ref().unchecked_ref(),
                        );
                    }
                }
            }
        });
    }
    let navigate = {
        let route = route.clone();
        Callback::from(move |to: Route| {
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ =
                    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&to.path()));
            }
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
            route.set(to);
        })
    };
    RouterContext {
        route: (*route).clone(),
        visit: *visit,
        navigate,
    }
}

/// Removes the `#token` part from the address bar, so the token does not stay in the
/// browser's history or get copied along with the address.
pub fn take_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = hash.strip_prefix('#').unwrap_or(&hash).to_owned();
    if let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    (!token.is_empty()).then_some(token)
}

#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub to: Route,
    #[prop_or_default]
    pub classes: Classes,
    /// For the end-to-end tests, like every element they reach.
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// An ordinary link (it opens in a new tab with the middle button) that navigates in place.
#[function_component(Link)]
pub fn link(props: &LinkProps) -> Html {
    let navigate = use_navigate();
    let to = props.to.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        if e.ctrl_key() || e.meta_key() || e.shift_key() || e.button() != 0 {
            return;
        }
        e.prevent_default();
        navigate.emit(to.clone());
    });
    html! {
        <a href={props.to.path()} id={props.id.clone()} class={props.classes.clone()} {onclick}>{ props.children.clone() }</a>
    }
}
