//! The app's pages, one per route.

mod application_start;
mod home;
mod login;
mod not_found;
mod pin_confirmation;
mod pin_step;
mod pin_summary;

pub use application_start::ApplicationStartPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use pin_confirmation::PinConfirmationPage;
pub use pin_step::{FROM_SUMMARY, PinStepPage};
pub use pin_summary::PinSummaryPage;
