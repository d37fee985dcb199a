//! `sportello-admin`: staff commands on the store the configuration names (the same
//! `SPORTELLO_*` variables as the server).
//!
//! ```text
//! sportello-admin status <PROTOCOL> <submitted|under_review|accepted|rejected|paid> --by <NAME>
//! sportello-admin operator create <USERNAME> --name "<FULL NAME>" [--role agent|supervisor]
//! sportello-admin operator role <USERNAME> agent|supervisor
//! sportello-admin operator reset <USERNAME>
//! sportello-admin operator disable <USERNAME>
//! sportello-admin operator enable <USERNAME>
//! sportello-admin registry import <FILE.csv>
//! sportello-admin registry synthetic <COUNT>
//! sportello-admin queue pause|resume [--room <OPENING>] --by <NAME>
//! sportello-admin queue rate <PASSES_PER_SECOND> [--room <OPENING>] --by <NAME>
//! sportello-admin federation keys <DIR>
//! ```
//!
//! `federation keys` makes the SPID/CIE relying party's three keys in `DIR` (`federation.pem`,
//! `rp.pem`, `enc.pem`, for `SPORTELLO_FEDERATION_KEY`, `SPORTELLO_OIDC_RP_KEY` and
//! `SPORTELLO_OIDC_ENC_KEY`; never over existing files) and prints the federation key's public
//! JWK set, which the trust anchor registers at onboarding (docs/adr/0024).
//!
//! `queue` pauses the click-day waiting room, resumes it at the rate it opened with, or sets its
//! rate (within `SPORTELLO_QUEUE_MIN_RATE` and `_MAX_RATE`), from now, on the audit log with the
//! name given. The room is the one standing now unless `--room` names an opening
//! (`2020-04-01T14:00:00Z`, as `GET /api/queue/status` gives it in `opens_at`).
//!
//! `operator create` prints the new Contact Center operator's initial password and TOTP secret
//! once; the store keeps only an argon2id hash and the sealed secret (docs/adr/0009). `reset`
//! issues new ones (a forgotten password, a lost phone) and ends the operator's sessions;
//! `disable` locks the operator out at once (someone leaving), `enable` lets them log in again.
//! An operator is an agent unless made a supervisor, the only role that reads the audit log;
//! `role` changes it from the operator's next request.
//!
//! `registry import` loads the embedded population registry (docs/adr/0013) from a CSV file with
//! the header `codice_fiscale,given_name,surname,sex,birth_date,birth_place_code,address,postcode,
//! municipality,province,country`; a re-import updates. It works while the server runs. Rows that
//! break a rule are listed by line and reason and left out; the rest is imported (exit status 1
//! when any row was left out). `registry synthetic` prints an import file of made-up residents for
//! dev mode and the benchmarks.
//!
//! With `SPORTELLO_STORE=dynamodb` the command works on the deployed table and reads the server key
//! from Secrets Manager as the Lambda function does (`api::lambda::state`).

use std::process::ExitCode;

use api::Config;
use api::store::OperatorRole;

const USAGE: &str = "usage: sportello-admin status <PROTOCOL> <under_review|accepted|rejected|paid> --by <NAME>
       sportello-admin operator create <USERNAME> --name \"<FULL NAME>\" [--role agent|supervisor]
       sportello-admin operator role <USERNAME> agent|supervisor
       sportello-admin operator reset|disable|enable <USERNAME>
       sportello-admin registry import <FILE.csv>
       sportello-admin registry synthetic <COUNT>
       sportello-admin queue pause|resume [--room <OPENING>] --by <NAME>
       sportello-admin queue rate <PASSES_PER_SECOND> [--room <OPENING>] --by <NAME>
       sportello-admin federation keys <DIR>";

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
        role: OperatorRole,
    },
    SetRole {
        username: &'a str,
        role: OperatorRole,
    },
    ResetOperator {
        username: &'a str,
    },
    DisableOperator {
        username: &'a str,
        disabled: bool,
    },
    ImportRegistry {
        file: &'a str,
    },
    Queue {
        order: api::services::queue_control::QueueOrder,
        room: Option<&'a str>,
        by: &'a str,
    },
}

/// `queue …`'s arguments after the order: `[--room R] --by NAME`.
fn queue_command(order: api::services::queue_control::QueueOrder, rest: &[String]) -> Option<Command<'_>> {
    match rest {
        [flag, by] if flag == "--by" && !by.trim().is_empty() => Some(Command::Queue { order, room: None, by }),
        [room_flag, room, flag, by] if room_flag == "--room" && flag == "--by" && !by.trim().is_empty() => {
            Some(Command::Queue {
                order,
                room: Some(room),
                by,
            })
        }
        _ => None,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [cmd, protocol, status, flag, by] if cmd == "status" && flag == "--by" && !by.trim().is_empty() => {
            Command::Status { protocol, status, by }
        }
        [cmd, sub, username, flag, name] if cmd == "operator" && sub == "create" && flag == "--name" => {
            Command::CreateOperator {
                username,
                name,
                role: OperatorRole::Agent,
            }
        }
        [cmd, sub, username, flag, name, role_flag, role]
            if cmd == "operator" && sub == "create" && flag == "--name" && role_flag == "--role" =>
        {
            match OperatorRole::parse(role) {
                Some(role) => Command::CreateOperator { username, name, role },
                None => return bad_role(role),
            }
        }
        [cmd, sub, username, role] if cmd == "operator" && sub == "role" => match OperatorRole::parse(role) {
            Some(role) => Command::SetRole { username, role },
            None => return bad_role(role),
        },
        [cmd, sub, username] if cmd == "operator" && sub == "reset" => Command::ResetOperator { username },
        [cmd, sub, username] if cmd == "operator" && (sub == "disable" || sub == "enable") => {
            Command::DisableOperator {
                username,
                disabled: sub == "disable",
            }
        }
        [cmd, sub, file] if cmd == "registry" && sub == "import" => Command::ImportRegistry { file },
        [cmd, sub, rest @ ..] if cmd == "queue" && (sub == "pause" || sub == "resume") => {
            use api::services::queue_control::QueueOrder;
            let order = if sub == "pause" {
                QueueOrder::Pause
            } else {
                QueueOrder::Resume
            };
            match queue_command(order, rest) {
                Some(command) => command,
                None => return usage(),
            }
        }
        [cmd, sub, rate, rest @ ..] if cmd == "queue" && sub == "rate" => {
            let Some(rate) = rate.parse::<f64>().ok().filter(|r| r.is_finite()) else {
                eprintln!("sportello-admin: {rate:?} is not a number of passes a second");
                return ExitCode::from(2);
            };
            match queue_command(api::services::queue_control::QueueOrder::Rate(rate), rest) {
                Some(command) => command,
                None => return usage(),
            }
        }
        // Needs no store: only prints.
        [cmd, sub, count] if cmd == "registry" && sub == "synthetic" => return print_synthetic(count),
        [cmd, sub, dir] if cmd == "federation" && sub == "keys" => return make_federation_keys(dir),
        _ => return usage(),
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            return ExitCode::from(2);
        }
    };
    let state = match config.store {
        api::config::StoreChoice::Sqlite => api::server::local_state(config)
            .map(|(state, _)| state)
            .map_err(|e| e.to_string()),
        _ => api::lambda::state(config).await.map_err(|e| e.to_string()),
    };
    let state = match state {
        Ok(state) => state,
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            return ExitCode::from(1);
        }
    };
    let now = state.clock.now();
    let (protocol, status, by) = match command {
        Command::Status { protocol, status, by } => (protocol, status, by),
        Command::CreateOperator { username, name, role } => {
            return create_operator(&state, username, name, role).await;
        }
        Command::SetRole { username, role } => {
            return match api::services::operators::set_role(state.store.as_ref(), username, role).await {
                Ok(record) => {
                    println!(
                        "operator {} ({}) is now {}",
                        record.username,
                        record.full_name,
                        record.role.name()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sportello-admin: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Command::ResetOperator { username } => return reset_operator(&state, username).await,
        Command::ImportRegistry { file } => return import_registry(&state, file).await,
        Command::Queue { order, room, by } => {
            let by = format!("admin:{by}");
            let done =
                api::services::queue_control::order(state.store.as_ref(), &state.rooms, room, order, &by, now).await;
            return match done {
                Ok((room, change)) => {
                    println!(
                        "waiting room {room}: {} passes a second from {}",
                        change.per_second,
                        change.from.to_rfc3339()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sportello-admin: {e}");
                    ExitCode::from(1)
                }
            };
        }
        Command::DisableOperator { username, disabled } => {
            return match api::services::operators::set_disabled(state.store.as_ref(), username, disabled).await {
                Ok(record) => {
                    let what = if record.disabled {
                        "disabled: their sessions have ended"
                    } else {
                        "enabled"
                    };
                    println!("operator {} ({}) {what}", record.username, record.full_name);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sportello-admin: {e}");
                    ExitCode::from(1)
                }
            };
        }
    };
    match api::admin::move_status(
        state.store.as_ref(),
        &state.sealer,
        protocol,
        status,
        &format!("admin:{by}"),
        now,
    )
    .await
    {
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

/// The usage, on a command line the command does not understand.
fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// A role name the command does not know: said, with the usage.
fn bad_role(role: &str) -> ExitCode {
    eprintln!("sportello-admin: unknown role {role:?}: agent or supervisor\n{USAGE}");
    ExitCode::from(2)
}

/// Creates an operator and prints, once, what they need to log in.
async fn create_operator(state: &api::AppState, username: &str, name: &str, role: OperatorRole) -> ExitCode {
    let now = state.clock.now();
    match api::services::operators::create_operator(state.store.as_ref(), &state.pin_key, username, name, role, now)
        .await
    {
        Ok(created) => {
            println!(
                "operator {} ({}) created, role {}",
                created.record.username,
                created.record.full_name,
                created.record.role.name()
            );
            print_credentials(&created);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            ExitCode::from(1)
        }
    }
}

/// Gives an operator new credentials and prints them, once.
async fn reset_operator(state: &api::AppState, username: &str) -> ExitCode {
    match api::services::operators::reset_credentials(state.store.as_ref(), &state.pin_key, username).await {
        Ok(reset) => {
            println!(
                "operator {} ({}): new credentials, their sessions have ended",
                reset.record.username, reset.record.full_name
            );
            print_credentials(&reset);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            ExitCode::from(1)
        }
    }
}

/// What an operator needs to log in, printed once.
fn print_credentials(operator: &api::services::operators::NewOperator) {
    println!("initial password: {}", operator.password);
    println!("TOTP secret (base32): {}", operator.totp_secret);
    println!("TOTP URI: {}", operator.otpauth_uri);
    println!("These are shown only now: hand them over in person.");
}

/// Imports a registry file and reports what happened, bad rows by line.
async fn import_registry(state: &api::AppState, file: &str) -> ExitCode {
    let Some(writer) = state.registry.writer() else {
        eprintln!("sportello-admin: SPORTELLO_REGISTRY=http: the national registry is read, not imported into");
        return ExitCode::from(2);
    };
    let input = match std::fs::File::open(file) {
        Ok(f) => std::io::BufReader::new(f),
        Err(e) => {
            eprintln!("sportello-admin: cannot open {file}: {e}");
            return ExitCode::from(1);
        }
    };
    let started = std::time::Instant::now();
    match api::registry::import::import_csv(input, writer).await {
        Ok(report) => {
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "registry ({}): {} rows imported in {seconds:.2} s ({:.0} rows/s), {} bad rows",
                state.registry.kind(),
                report.imported,
                report.imported as f64 / seconds.max(1e-9),
                report.bad_rows.len()
            );
            for bad in &report.bad_rows {
                println!("  line {}: {}", bad.line, bad.reason);
            }
            if report.bad_rows.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("sportello-admin: {file}: {e}");
            ExitCode::from(1)
        }
    }
}

/// Prints an import file of `count` made-up residents.
fn print_synthetic(count: &str) -> ExitCode {
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("sportello-admin: {count:?} is not a number of residents\n{USAGE}");
        return ExitCode::from(2);
    };
    let residents = api::registry::synthetic::residents(count);
    match api::registry::synthetic::write_csv(&residents, std::io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sportello-admin: {e}");
            ExitCode::from(1)
        }
    }
}

/// `federation keys DIR`: the three key files, and the public JWK set to register.
fn make_federation_keys(dir: &str) -> ExitCode {
    match api::oidc::federation::make_keys(std::path::Path::new(dir)) {
        Ok(jwks) => {
            println!("{jwks}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sportello-admin: cannot write the keys in {dir}: {e}");
            ExitCode::from(1)
        }
    }
}
