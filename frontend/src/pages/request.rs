use yew::prelude::*;

#[function_component(RequestWizard)]
pub fn page() -> Html {
    html! { <section><h1>{ "request" }</h1></section> }
}
