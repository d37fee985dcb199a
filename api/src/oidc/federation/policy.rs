//! Metadata policy (being written).
