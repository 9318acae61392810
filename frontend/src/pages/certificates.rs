use yew::prelude::*;

#[function_component(MyCertificates)]
pub fn page() -> Html {
    html! { <section><h1>{ "certificates" }</h1></section> }
}
