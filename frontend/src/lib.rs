//! Sportello's single-page app for citizens (Leptos, client-side rendered, wasm32).
//!
//! Pure logic (texts, retry schedule, error parsing) is tested natively with `cargo test -p
//! frontend`; what needs a browser is exercised by the end-to-end tests in `e2e/`.

pub mod api_client;
pub mod app;
mod browser;
mod components;
pub mod i18n;
mod pages;
