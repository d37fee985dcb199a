//! Delivery of the durable outbox (docs/adr/0015): a message written with its event is claimed
//! (its attempt recorded before the hand-off), opened, handed to its channel's carrier, and
//! recorded as sent (its content removed for good) or failed (retried with exponential backoff
//! and full jitter, dead after the configured attempts, with an alarm).
//!
//! Locally [`worker`] runs inside the server over the SQLite outbox, one lane per carrier at the
//! carrier's rate; on AWS the table's stream feeds an SQS queue whose worker Lambda calls
//! [`deliver_one`] and [`letters::export`] for each message, the same code.

pub mod attempt;
pub mod carriers;
pub mod letters;
pub mod pace;
pub mod s3;
pub mod wake;
pub mod worker;

pub use attempt::{Delivered, RetryPolicy, deliver_one, failed, jitter, notification, record};
pub use carriers::Carriers;
pub use letters::LetterSink;
