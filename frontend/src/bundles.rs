//! The citizens' entry bundles of the SPA (ADR 0008, 0022): the public pages (`index.html`,
//! `src/main.rs`), the "area riservata" of the application (`area.html`, `src/bin/area.rs`) and
//! the waiting room (`queue.html`, `src/bin/queue.rs`). Each names only its own pages, so that
//! link-time optimisation drops the other bundles' pages from its wasm. (The Contact Center's
//! console has a shell of its own, `crate::console`, ADR 0010.)

use leptos::prelude::*;

use crate::app::Pages;
use crate::pages::{
    ApplicationStartPage, ApplicationStepPage, ApplicationSummaryPage, HomePage, InMyNamePage, LoginPage,
    MyApplicationsPage, NotFoundPage, PinConfirmationPage, PinStepPage, PinSummaryPage, QueuePage, ReceiptPage,
    SignedOutPage,
};
use crate::router::{Bundle, Route};
use crate::{application_draft, pin_draft};

/// Start page, PIN request, login, unknown addresses.
pub const PUBLIC: Pages = Pages {
    bundle: Bundle::Public,
    provide: pin_draft::provide_draft,
    page: public_page,
};

/// The application and "Le mie domande".
pub const AREA: Pages = Pages {
    bundle: Bundle::Area,
    provide: application_draft::provide_draft,
    page: area_page,
};

/// The waiting room, alone: on click day the first load of every citizen (ADR 0022).
pub const QUEUE: Pages = Pages {
    bundle: Bundle::Queue,
    // The room shares no draft: what was typed stays in the other bundles' saved drafts.
    provide: || {},
    page: queue_page,
};

fn public_page(route: Route) -> AnyView {
    match route {
        Route::Home => view! { <HomePage /> }.into_any(),
        Route::PinStep(step) => view! { <PinStepPage step=step /> }.into_any(),
        Route::PinSummary => view! { <PinSummaryPage /> }.into_any(),
        Route::PinConfirmation => view! { <PinConfirmationPage /> }.into_any(),
        Route::Login => view! { <LoginPage /> }.into_any(),
        Route::SignedOut => view! { <SignedOutPage /> }.into_any(),
        // The other bundles' pages are never shown here: the router loads their page for them.
        _ => view! { <NotFoundPage /> }.into_any(),
    }
}

fn area_page(route: Route) -> AnyView {
    match route {
        Route::Application => view! { <ApplicationStartPage /> }.into_any(),
        Route::ApplicationStep(step) => view! { <ApplicationStepPage step=step /> }.into_any(),
        Route::ApplicationSummary => view! { <ApplicationSummaryPage /> }.into_any(),
        Route::Receipt(protocol) => view! { <ReceiptPage protocol=protocol /> }.into_any(),
        Route::MyApplications => view! { <MyApplicationsPage /> }.into_any(),
        Route::InMyName => view! { <InMyNamePage /> }.into_any(),
        _ => view! { <NotFoundPage /> }.into_any(),
    }
}

fn queue_page(route: Route) -> AnyView {
    match route {
        Route::Queue => view! { <QueuePage /> }.into_any(),
        // An address under `/coda` that is not the room.
        _ => view! { <NotFoundPage /> }.into_any(),
    }
}
