//! Trust chains (being written).
