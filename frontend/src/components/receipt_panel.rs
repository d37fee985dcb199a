//! The receipt's confirmation panel: its heading and the protocol number, large, for the citizen
//! to write down or the operator to read out.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::ui::tr;

/// The panel at the top of a receipt.
#[component]
pub fn ReceiptPanel(
    /// The application's protocol number.
    protocol: String,
) -> impl IntoView {
    view! {
        <div class="panel panel--confirmation">
            <h1 class="panel__title">{tr(Text::ReceiptHeading)}</h1>
            <div class="panel__body">
                {tr(Text::ProtocolLabel)}
                <br />
                <strong>{protocol}</strong>
            </div>
        </div>
    }
}
