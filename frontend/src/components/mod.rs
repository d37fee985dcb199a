//! Reusable pieces of page, one component per file.

mod error_summary;
mod footer;
mod header;
mod service_info;
mod skip_link;
mod text_input;

pub use error_summary::{ErrorSummary, SummaryItem};
pub use footer::Footer;
pub use header::Header;
pub use service_info::ServiceInfo;
pub use skip_link::SkipLink;
pub use text_input::TextInput;
