//! The public entry bundle (`index.html`): start page, PIN request, login. Everything else is in
//! the library; the application's pages are in the other bundle (`src/bin/area.rs`, ADR 0008).

fn main() {
    frontend::app::mount(frontend::bundles::PUBLIC);
}
