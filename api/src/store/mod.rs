//! Where citizens' data lives. The [`Store`] trait is shaped for DynamoDB (access by key,
//! conditional writes, no joins); SQLite implements the same contract with constraints and
//! transactions, and is the default for local runs.

pub mod sqlite;

use async_trait::async_trait;
use thiserror::Error;

/// A store failure. Callers never see the details; the log does.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The store cannot be reached or is over capacity: worth retrying.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error("store failure: {0}")]
    Other(String),
}

/// The storage port.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// A short name of the implementation, e.g. `sqlite`.
    fn kind(&self) -> &'static str;

    /// Reads from the store to prove it answers.
    async fn health(&self) -> Result<(), StoreError>;
}
