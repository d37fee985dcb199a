//! Mounts the Sportello SPA on the page's body.
fn main() {}
