use yew::prelude::*;

#[function_component(Queue)]
pub fn queue() -> Html {
    html! { <section><h1>{ "desk" }</h1></section> }
}

#[derive(Properties, PartialEq)]
pub struct DetailProps {
    pub id: i64,
}

#[function_component(Detail)]
pub fn detail(props: &DetailProps) -> Html {
    html! { <section><h1>{ format!("request {}", props.id) }</h1></section> }
}
