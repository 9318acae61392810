//! certdesk's web app. All crypto lives in `shared::pki`; this crate is what a person sees.
//! Its browser glue, [`crypto`], is a bundle of its own that the pages load through
//! [`crypto_bundle`] when they need it.

pub mod api;
mod app;
pub mod bundle;
pub mod components;
pub mod crypto;
pub mod crypto_bundle;
pub mod i18n;
pub mod pages;
pub mod route;
pub mod session;

pub use app::App;

/// Mounts the app into `#app` and removes the static loading notice of `index.html`.
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(boot) = document.get_element_by_id("boot") {
        boot.remove();
    }
    match document.get_element_by_id("app") {
        Some(root) => {
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
