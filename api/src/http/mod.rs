//! The HTTP edge: extractors that say who is calling and what they sent, the cookies, and the
//! middleware every answer passes through. Handlers in `routes/` take these and call `services/`.

pub mod admission;
pub mod citizen;
pub mod client_addr;
pub mod cookies;
pub mod fault;
pub mod fields;
pub mod idempotency;
pub mod json;
pub mod lang;
pub mod operator;
pub mod origin_guard;
pub mod personal_headers;
pub mod refusal;
pub mod slow_clients;
pub mod waiting_room;

pub use citizen::{Citizen, FullCitizen, SubmittingCitizen, current_session};
pub use client_addr::{ClientAddr, MutualTlsPeer, forwarded_client};
pub use cookies::{
    OPERATOR_COOKIE, SESSION_COOKIE, cookie_value, operator_cookie, session_cookie, session_cookie_for, session_token,
};
pub use json::ApiJson;
pub use lang::request_lang;
pub use operator::Operator;
