//! The "area riservata" entry bundle (`area.html`): the application for the indemnity and "Le mie
//! domande", for a citizen who is logged in. Everything else is in the library (ADR 0008).

fn main() {
    frontend::app::mount(frontend::bundles::AREA);
}
