//! The use cases: what the service does for a citizen or an operator, with typed inputs and the
//! error catalogue's answers; no HTTP here beyond what a use case returns.

pub mod attempts;
pub mod audit;
pub mod calls;
pub mod cns_login;
pub mod filing;
pub mod idempotency;
pub mod identity;
pub mod load;
pub mod operator_login;
pub mod operators;
pub mod pin_check;
pub mod pin_requests;
pub mod pin_validation;
pub mod queue_control;
pub mod sessions;
pub mod waiting_room;
