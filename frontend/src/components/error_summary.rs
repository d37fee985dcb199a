//! The error summary (GOV.UK Design System pattern): at the top of the page after a submit that
//! found problems, it takes focus so that screen readers read it, and links each problem to its
//! field.

use leptos::prelude::*;

use crate::app::tr;
use crate::browser;
use crate::i18n::Text;

/// One problem listed in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryItem {
    /// The id of the field to fix; `None` for a problem with no single field.
    pub field: Option<String>,
    /// What is wrong and how to fix it, in the page's language.
    pub message: String,
}

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
    Effect::new(move |_| {
        let token = focus_token.get();
        if let Some(el) = node.get()
            && token != focused_token.get_value()
        {
            focused_token.set_value(token);
            let _ = el.focus();
        }
    });

    let item_view = move |item: SummaryItem| match item.field {
        Some(field) => {
            let href = format!("#{field}");
            // Focus is moved by hand: a fragment link alone would scroll without moving focus.
            let jump = move |ev: leptos::ev::MouseEvent| {
                ev.prevent_default();
                browser::focus_by_id(&field);
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
        <Show when=move || !items.read().is_empty()>
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
        </Show>
    }
}
