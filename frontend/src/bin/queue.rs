//! The waiting room's entry bundle (`queue.html`): the page `/coda` alone, which on click day is
//! every citizen's first load (issue 15, ADR 0022). Everything else is in the library.

fn main() {
    frontend::app::mount(frontend::bundles::QUEUE);
}
