//! The app's pages, one per route: the public bundle's (start, PIN request, login) and the
//! area's (the application, "Le mie domande"); `crate::bundles` says which bundle has which.

mod application_start;
mod application_step;
mod application_summary;
mod area;
mod home;
mod in_my_name;
mod login;
mod my_applications;
mod not_found;
mod pin_confirmation;
mod pin_step;
mod pin_summary;
mod queue;
mod receipt;
mod signed_out;

pub use application_start::ApplicationStartPage;
pub use application_step::ApplicationStepPage;
pub use application_summary::ApplicationSummaryPage;
pub use home::HomePage;
pub use in_my_name::InMyNamePage;
pub use login::LoginPage;
pub use my_applications::MyApplicationsPage;
pub use not_found::NotFoundPage;
pub use pin_confirmation::PinConfirmationPage;
pub use pin_step::{FROM_SUMMARY, PinStepPage};
pub use pin_summary::PinSummaryPage;
pub use queue::{QueuePage, first_view as queue_first_view};
pub use receipt::ReceiptPage;
pub use signed_out::SignedOutPage;
