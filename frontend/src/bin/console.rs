//! The Contact Center's entry bundle (`console.html`): the operators' console under `/operatore`.
//! Everything else is in the library (`frontend::console`, ADR 0010).

fn main() {
    frontend::console::mount();
}
