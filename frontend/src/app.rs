use yew::prelude::*;

use crate::components::health::ServerStatus;
use crate::pages::home::Home;

#[function_component(App)]
pub fn app() -> Html {
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
