//! Sportello's AWS Lambda function (`bootstrap` on `provided.al2023`, arm64), in one of two roles
//! chosen by `SPORTELLO_ROLE`: `api` (the default), the API on DynamoDB behind API Gateway's HTTP
//! API, which writes messages to the outbox; or `delivery`, the worker that takes the delivery
//! queue's batches and hands each message to its carrier (docs/adr/0016). One binary, one build,
//! one artifact: the two functions differ only in their environment and their role.
//! Configuration comes from `SPORTELLO_*` and the AWS variables Lambda sets (see `api::config`,
//! `api::lambda` and `api::lambda_worker`); a wrong value stops the function at start with a
//! line naming it, which CloudWatch keeps.

use std::process::ExitCode;

use api::Config;

// One event at a time per execution environment: one thread is enough, and starts quicker.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sportello-lambda: {e}");
            return ExitCode::from(2);
        }
    };
    api::logging::init(api::logging::Destination::Lambda, config.log_json);
    match std::env::var("SPORTELLO_ROLE").as_deref() {
        Err(_) | Ok("" | "api") => api_role(config).await,
        Ok("delivery") => delivery_role(config).await,
        Ok(other) => {
            eprintln!("sportello-lambda: SPORTELLO_ROLE = {other}: expected api (the default) or delivery");
            ExitCode::from(2)
        }
    }
}

async fn api_role(config: Config) -> ExitCode {
    let state = match api::lambda::state(config).await {
        Ok(state) => state,
        Err(e) => {
            eprintln!("sportello-lambda: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(store = state.store.kind(), "ready for events");
    match api::lambda::run(state).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sportello-lambda: runtime error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn delivery_role(config: Config) -> ExitCode {
    let settings = match api::lambda_worker::WorkerSettings::from_lookup(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("sportello-lambda: {e}");
            return ExitCode::from(2);
        }
    };
    let sdk = api::lambda::sdk_config(&config).await;
    let worker = match api::lambda_worker::worker_with(config, settings, &sdk).await {
        Ok(worker) => worker,
        Err(e) => {
            eprintln!("sportello-lambda: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!("delivery worker ready for events");
    match api::lambda_worker::run(worker).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sportello-lambda: runtime error: {e}");
            ExitCode::from(1)
        }
    }
}
