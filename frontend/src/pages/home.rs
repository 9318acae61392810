use yew::prelude::*;

#[function_component(Home)]
pub fn home() -> Html {
    html! {
        <section class="home">
            <h1>{ "S/MIME certificates for your e-mail" }</h1>
            <p>
                { "Request a certificate to sign and encrypt your e-mail. Your key is made in \
                   this browser and never leaves it; the service desk checks your identity once." }
            </p>
        </section>
    }
}
