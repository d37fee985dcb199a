//! Why a configuration is refused: the variable to change and what it should hold.

use thiserror::Error;

/// Why the configuration cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A value that cannot be used.
    #[error("configuration: {var} = {value:?} is not valid: {reason}")]
    Invalid {
        /// The environment variable.
        var: &'static str,
        /// What it held.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// Dev mode asked for beside a setting only production has: dev mode opens every citizen's
    /// outbox and a settable clock to anyone, so the two together are a deploy mistake.
    #[error(
        "configuration: SPORTELLO_DEV_MODE=1 cannot run beside {clash}: dev mode opens every citizen's \
         outbox and the settable clock to anyone; unset SPORTELLO_DEV_MODE, or {}",
        clash.remedy()
    )]
    DevModeBesideProduction {
        /// The production setting found.
        clash: DevModeClash,
    },
}

impl ConfigError {
    /// The environment variable to change.
    pub fn var(&self) -> &'static str {
        match self {
            ConfigError::Invalid { var, .. } => var,
            ConfigError::DevModeBesideProduction { .. } => "SPORTELLO_DEV_MODE",
        }
    }
}

/// A production setting that dev mode must never run beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DevModeClash {
    /// A PIN key was given (`SPORTELLO_PIN_KEY` or `SPORTELLO_PIN_KEY_SECRET_ARN`): dev mode makes
    /// its own.
    #[error("a given PIN key (SPORTELLO_PIN_KEY or SPORTELLO_PIN_KEY_SECRET_ARN)")]
    PinKey,
    /// Cookies marked Secure (`SPORTELLO_SECURE_COOKIES=1`): the service is on HTTPS, for real users.
    #[error("Secure cookies (SPORTELLO_SECURE_COOKIES=1)")]
    SecureCookies,
    /// The DynamoDB store (`SPORTELLO_STORE=dynamodb`): the deployed table.
    #[error("the DynamoDB store (SPORTELLO_STORE=dynamodb)")]
    DynamoDb,
    /// The Lambda runtime (`AWS_LAMBDA_RUNTIME_API`, which only Lambda sets).
    #[error("the Lambda runtime (AWS_LAMBDA_RUNTIME_API is set)")]
    LambdaRuntime,
}

impl DevModeClash {
    fn remedy(self) -> &'static str {
        match self {
            DevModeClash::PinKey => "remove the PIN key (dev mode keeps its own in the data directory)",
            DevModeClash::SecureCookies => "unset SPORTELLO_SECURE_COOKIES",
            DevModeClash::DynamoDb => "use the SQLite store",
            DevModeClash::LambdaRuntime => "remove SPORTELLO_DEV_MODE from the function's environment",
        }
    }
}
