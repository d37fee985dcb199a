//! Sportello's AWS Lambda function (`bootstrap` on `provided.al2023`, arm64): the API on DynamoDB
//! behind API Gateway's HTTP API. Configuration comes from `SPORTELLO_*` and the AWS variables
//! Lambda sets (see `api::config` and `api::lambda`); a wrong value stops the function at start
//! with a line naming it, which CloudWatch keeps.

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
