//! Mounts Sportello's single-page app on the page's body; everything else is in the library.

fn main() {
    leptos::mount::mount_to_body(frontend::app::App);
}
