//! Reusable pieces of page, one component per file.

mod back_link;
mod date_input;
mod error_message;
mod error_summary;
mod footer;
mod header;
mod pin_field;
mod question;
mod radio_group;
mod send_status;
mod service_info;
mod session_timeout;
mod skip_link;
mod start_links;
mod summary_row;
mod text_input;

pub use back_link::BackLink;
pub use date_input::{DateInput, split_date};
pub use error_summary::{ErrorSummary, SummaryItem};
pub use footer::Footer;
pub use header::Header;
pub use pin_field::PinField;
pub use question::QuestionField;
pub use radio_group::RadioGroup;
pub use send_status::{SendStatus, Sending};
pub use service_info::ServiceInfo;
pub use session_timeout::{EXPIRED_QUERY, SessionTimeout};
pub use skip_link::SkipLink;
pub use start_links::StartLinks;
pub use summary_row::SummaryRow;
pub use text_input::TextInput;
