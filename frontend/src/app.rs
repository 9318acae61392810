use yew::prelude::*;

use crate::components::health::ServerStatus;
use crate::pages::home::Home;

/// Named in the page's performance timeline once the first render is on screen: what
/// `cargo xtask bench` reports as time to interactive.
pub const INTERACTIVE_MARK: &str = "certdesk-interactive";

#[function_component(App)]
pub fn app() -> Html {
    use_effect_with((), |_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            // Only a measurement: the app runs the same without it.
            let _ = performance.mark(INTERACTIVE_MARK);
        }
    });
    html! {
        <>
            <header class="site-header">
                <span class="brand">{ "certdesk" }</span>
            </header>
            <main id="main" class="content">
                <Home />
            </main>
            <footer class="site-footer">
                <ServerStatus />
            </footer>
        </>
    }
}
