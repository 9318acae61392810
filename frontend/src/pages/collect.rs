use yew::prelude::*;

#[function_component(Collect)]
pub fn page() -> Html {
    html! { <section><h1>{ "collect" }</h1></section> }
}
