//! The error summary (GOV.UK Design System pattern): at the top of the page after a submit that
//! found problems, it takes focus so that screen readers read it, and links each problem to its
//! field — on this page (`#id`) or on the page that asks it (`/richiesta-pin/contatti#mobile`).

use crate::form::SummaryItem;
use leptos::prelude::*;

use crate::browser;
use crate::i18n::Text;
use crate::ui::tr;

/// Lists the problems of a form; renders nothing while there are none.
#[component]
pub fn ErrorSummary(
    /// The problems, in the order their fields appear on the page.
    #[prop(into)]
    items: Signal<Vec<SummaryItem>>,
    /// Changes each time the summary must take focus (each submit that found problems), so that
    /// fixing one field later does not pull focus away from the citizen.
    #[prop(into)]
    focus_token: Signal<u32>,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let focused_token = StoredValue::new(0u32);
    crate::ui::effect(move || {
        let token = focus_token.get();
        if let Some(el) = node.get()
            && token != focused_token.get_value()
        {
            focused_token.set_value(token);
            let _ = el.focus();
        }
    });

    // A memo, so that the summary is built when it appears rather than at each change of its items.
    let shown = Memo::new(move |_| !items.read().is_empty());
    let item_view = move |item: SummaryItem| match item.link {
        Some(href) => {
            // Focus is moved by hand: a fragment link alone would scroll without moving focus.
            // Links to another page are left to the router, which focuses the fragment on arrival.
            let jump = {
                let href = href.clone();
                move |ev: leptos::ev::MouseEvent| {
                    if let Some(id) = href.strip_prefix('#') {
                        ev.prevent_default();
                        browser::focus_by_id(id);
                    }
                }
            };
            view! {
                <li>
                    <a href=href on:click=jump>{item.message}</a>
                </li>
            }
            .into_any()
        }
        None => view! { <li>{item.message}</li> }.into_any(),
    };

    view! {
        {move || shown.get().then(|| view! {
            <div
                class="error-summary"
                role="alert"
                aria-labelledby="error-summary-title"
                tabindex="-1"
                node_ref=node
            >
                <h2 id="error-summary-title" class="error-summary__title">
                    {tr(Text::ErrorSummaryTitle)}
                </h2>
                <ul class="error-summary__list">{move || items.get().into_iter().map(item_view).collect_view()}</ul>
            </div>
        })}
    }
}
