//! `sportello-admin`: staff commands on the store the configuration names (the same
//! `SPORTELLO_*` variables as the server).
//!
//! ```text
//! sportello-admin status <PROTOCOL> <submitted|under_review|accepted|rejected|paid> --by <NAME>
//! sportello-admin operator create <USERNAME> --name "<FULL NAME>"
//! ```
//!
//! `operator create` prints the new Contact Center operator's initial password and TOTP secret
//! once; the store keeps only an argon2id hash and the sealed secret (docs/adr/0009).

use std::process::ExitCode;

use api::Config;

const USAGE: &str = "usage: sportello-admin status <PROTOCOL> <under_review|accepted|rejected|paid> --by <NAME>
       sportello-admin operator create <USERNAME> --name \"<FULL NAME>\"";

/// What the command line asks for.
enum Command<'a> {
    Status {
        protocol: &'a str,
        status: &'a str,
        by: &'a str,
    },
    CreateOperator {
        username: &'a str,
        name: &'a str,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [cmd, protocol, status, flag, by] if cmd == "status" && flag == "--by" && !by.trim().is_empty() => {
            Command::Status { protocol, status, by }
        }
        [cmd, sub, username, flag, name] if cmd == "operator" && sub == "create" && flag == "--name" => {
            Command::CreateOperator { username, name }
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
    let (protocol, status, by) = match command {
        Command::Status { protocol, status, by } => (protocol, status, by),
        Command::CreateOperator { username, name } => {
            return create_operator(&state, username, name).await;
        }
    };
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

/// Creates an operator and prints, once, what they need to log in.
async fn create_operator(state: &api::AppState, username: &str, name: &str) -> ExitCode {
    let now = state.clock.now();
    match api::operators::create_operator(state.store.as_ref(), &state.pin_key, username, name, now).await {
        Ok(created) => {
            println!(
                "operator {} ({}) created",
                created.record.username, created.record.full_name
            );
            println!("initial password: {}", created.password);
            println!("TOTP secret (base32): {}", created.totp_secret);
            println!("TOTP URI: {}", created.otpauth_uri);
            println!("These are shown only now: hand them over in person.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            ExitCode::from(1)
        }
    }
}
