use yew::prelude::*;

#[function_component(Continue)]
pub fn page() -> Html {
    html! { <section><h1>{ "signin" }</h1></section> }
}
