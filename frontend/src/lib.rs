//! Sportello's single-page app for citizens (Leptos, client-side rendered, wasm32).
//!
//! Pure logic (texts, routes, retry schedule, error parsing, the draft's rules, the session's
//! deadline) is tested natively with `cargo test -p
//! frontend`; what needs a browser is exercised by the end-to-end tests in `e2e/`.

pub mod api_client;
pub mod app;
mod application_answers;
mod application_draft;
mod application_questions;
mod area_texts;
mod browser;
pub mod bundles;
mod components;
pub mod console;
mod form;
pub mod i18n;
pub use domain::wire::json;
mod pages;
mod panic_page;
mod pin_draft;
mod pin_questions;
pub mod prerender;
mod queued_messages;
pub mod router;
mod session;
pub mod ui;
