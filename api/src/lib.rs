//! Sportello's HTTP API.
