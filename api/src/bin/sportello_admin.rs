//! `sportello-admin`: staff commands on the store the configuration names (the same
//! `SPORTELLO_*` variables as the server).
//!
//! ```text
//! sportello-admin status <PROTOCOL> <submitted|under_review|accepted|rejected|paid> --by <NAME>
//! ```

use std::process::ExitCode;

use api::Config;

const USAGE: &str = "usage: sportello-admin status <PROTOCOL> <under_review|accepted|rejected|paid> --by <NAME>";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (protocol, status, by) = match args.as_slice() {
        [cmd, protocol, status, flag, by] if cmd == "status" && flag == "--by" && !by.trim().is_empty() => {
            (protocol, status, by)
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            return ExitCode::from(2);
        }
    };
    let state = match api::server::local_state(config) {
        Ok((state, _)) => state,
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            return ExitCode::from(1);
        }
    };
    let now = state.clock.now();
    match api::admin::move_status(state.store.as_ref(), protocol, status, &format!("admin:{by}"), now).await {
        Ok(application) => {
            println!("{} is now {}", application.protocol, application.status().as_str());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            ExitCode::from(1)
        }
    }
}
