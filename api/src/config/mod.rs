//! Configuration, read once at start from `SPORTELLO_*` environment variables, with defaults that
//! make the local run work and a clear message when a value is wrong.

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::Duration;
use domain::submission_window::WindowConfig;
use secrecy::SecretString;

pub mod cns;
pub mod connections;
mod env;
mod error;
pub mod faults;
pub mod federation;
pub mod oidc;
pub mod queue;
pub mod registry;

pub use env::secret_arn_region;
use env::{is_region, number, secret_arn};
pub use error::{ConfigError, DevModeClash};

/// Where the table is and how to reach it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DynamoDbSettings {
    /// The table's name.
    pub table: String,
    /// The AWS region; `None` takes the SDK's default chain (`AWS_REGION`, which Lambda sets).
    pub region: Option<String>,
    /// An endpoint other than AWS's (moto or DynamoDB Local); `None` for AWS.
    pub endpoint_url: Option<String>,
}

/// The service's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the local server listens (`SPORTELLO_ADDR`, default `127.0.0.1:8080`).
    pub addr: SocketAddr,
    /// The folder holding the SQLite file (`SPORTELLO_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// The built SPA served by the local server (`SPORTELLO_SPA_DIR`, default `./dist`).
    pub spa_dir: PathBuf,
    /// Development mode (`SPORTELLO_DEV_MODE=1`): enables dev-only endpoints (outbox, test clock).
    /// Off unless asked for, so that nothing dev-only can reach production by default, and refused
    /// beside any production setting ([`DevModeClash`]).
    pub dev_mode: bool,
    /// Log lines as JSON (`SPORTELLO_LOG_JSON=1`), as CloudWatch wants; human-readable otherwise.
    pub log_json: bool,
    /// The funnel's metrics as embedded-metric-format lines on standard output
    /// (`SPORTELLO_METRICS=emf`, as on Lambda; `api::metrics`); off by default.
    pub emf_metrics: bool,
    /// The key PIN hashes are made with, 64 hex digits (`SPORTELLO_PIN_KEY`). Required outside dev
    /// mode; in dev mode a key is generated once and kept in the data directory.
    pub pin_key_hex: Option<SecretString>,
    /// The PIN key as the ARN of a Secrets Manager secret holding the 64 hex digits
    /// (`SPORTELLO_PIN_KEY_SECRET_ARN`), read once at start on Lambda; not with `SPORTELLO_PIN_KEY`.
    pub pin_key_secret_arn: Option<String>,
    /// The SMTP URL as the ARN of a secret (`SPORTELLO_SMTP_URL_SECRET_ARN`), read once at start
    /// on Lambda (e.g. SES's SMTP interface); not with `SPORTELLO_SMTP_URL`.
    pub smtp_url_secret_arn: Option<String>,
    /// The ARN of the secret CloudFront sends in `X-Origin-Verify` with every API request
    /// (`SPORTELLO_ORIGIN_SECRET_ARN`), read once at start on Lambda: when set, a request without
    /// it is refused, so the API's own `execute-api` address does not bypass CloudFront and the
    /// WAF (`api::origin_guard`).
    pub origin_secret_arn: Option<String>,
    /// That secret's value, once read.
    pub origin_secret: Option<SecretString>,
    /// Where citizens' data is kept (`SPORTELLO_STORE`: `sqlite`, the default, or `dynamodb`).
    pub store: StoreChoice,
    /// The AWS region (`AWS_REGION`, which Lambda sets, else `AWS_DEFAULT_REGION`); required with
    /// the DynamoDB store.
    pub aws_region: Option<String>,
    /// One endpoint for every AWS service instead of AWS's own (`SPORTELLO_AWS_ENDPOINT`, e.g. moto
    /// on 127.0.0.1 in tests); unset on AWS.
    pub aws_endpoint: Option<String>,
    /// A session ends after this long without use (`SPORTELLO_SESSION_IDLE_MINUTES`, default 20).
    pub session_idle: Duration,
    /// A session ends this long after login whatever happens (`SPORTELLO_SESSION_MAX_HOURS`, 8).
    pub session_max: Duration,
    /// A Contact Center operator's session ends after this long without use
    /// (`SPORTELLO_OPERATOR_SESSION_IDLE_MINUTES`, default 10): a console left open is a risk.
    pub operator_session_idle: Duration,
    /// An operator's session ends this long after login whatever happens
    /// (`SPORTELLO_OPERATOR_SESSION_MAX_HOURS`, default 9: one shift).
    pub operator_session_max: Duration,
    /// Attempts at one codice fiscale's PIN (or one operator's login) from one caller that go at
    /// once, in a day (`SPORTELLO_LOGIN_FREE_ATTEMPTS`, default 5); from the last of them on, each
    /// attempt makes that caller's next one wait, longer each time (docs/adr/0012). Nobody else
    /// waits: the codice fiscale is never locked.
    pub login_free_attempts: u32,
    /// The first wait (`SPORTELLO_LOGIN_FIRST_DELAY_SECONDS`, default 30); each further attempt
    /// doubles it.
    pub login_first_delay: Duration,
    /// The longest wait (`SPORTELLO_LOGIN_MAX_DELAY_MINUTES`, default 60).
    pub login_max_delay: Duration,
    /// Wrong attempts from one caller, whatever the codice fiscale or username, that go before
    /// that caller waits as above (`SPORTELLO_LOGIN_CLIENT_FREE_ATTEMPTS`, default 30 a day); a
    /// right one is given back.
    pub login_client_free_attempts: u32,
    /// Attempts at one codice fiscale (or username) from anyone in a day after which every caller
    /// gets one attempt before waiting, instead of `login_free_attempts`
    /// (`SPORTELLO_LOGIN_DAILY_CEILING`, default 50): it slows a guesser spread over many
    /// addresses, while a caller that has not been failing is still checked at once.
    pub login_daily_ceiling: u32,
    /// A PIN request never used expires after this (`SPORTELLO_PIN_VALIDITY_DAYS`, default 30).
    pub pin_validity: Duration,
    /// Cookies carry `Secure` (`SPORTELLO_SECURE_COOKIES`; default on, off in dev mode where the
    /// local run is plain http on 127.0.0.1).
    pub secure_cookies: bool,
    /// Where e-mail and PEC go (`SPORTELLO_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or
    /// `smtps://user:password@smtp.example.it`); unset: the outbox only. May hold a password.
    pub smtp_url: Option<SecretString>,
    /// The sender of e-mail and PEC (`SPORTELLO_SMTP_FROM`).
    pub smtp_from: String,
    /// How SMS travel (`SPORTELLO_SMS`: `outbox`, the default, or `sns`, with the optional sender ID
    /// `SPORTELLO_SMS_SENDER_ID`).
    pub sms: SmsChoice,
    /// Login and PIN-request attempts per client address per minute (`SPORTELLO_CLIENT_RATE_PER_MINUTE`, 30).
    pub client_rate_per_minute: u32,
    /// SPID and CIE login through OpenID Connect (`SPORTELLO_OIDC_*`, `SPORTELLO_PUBLIC_URL`).
    pub oidc: oidc::OidcConfig,
    /// CNS login with a TLS client certificate (`SPORTELLO_CNS_*`).
    pub cns: cns::CnsConfig,
    /// The click-day waiting room.
    pub queue: queue::QueueConfig,
    /// When each channel may submit, Europe/Rome time (`SPORTELLO_SUBMISSION_WINDOWS`, default
    /// `web_citizen=16:00-08:00,contact_center=08:00-16:00`).
    pub submission_windows: WindowConfig,
    /// Requests in flight at most (`SPORTELLO_MAX_IN_FLIGHT`, default 512); beyond, 503 + Retry-After.
    /// A request counts once its body has arrived.
    pub max_in_flight: usize,
    /// Deadlines for slow clients and the cap on open connections (`SPORTELLO_*_TIMEOUT_SECONDS`,
    /// `SPORTELLO_MAX_CONNECTIONS`, `SPORTELLO_MAX_BODY_BYTES`).
    pub connections: connections::ConnectionLimits,
    /// How many of our proxies append to `X-Forwarded-For` on the way to a Lambda function
    /// (`SPORTELLO_TRUSTED_PROXY_HOPS`: 1 behind API Gateway, 2 with CloudFront in front; default 1).
    pub trusted_proxy_hops: usize,
    /// Injected faults (`SPORTELLO_FAULTS`, e.g. `before=0.15,after=0.15,latency_ms=200`); dev mode only.
    pub faults: faults::FaultPlan,
    /// The population registry PIN requests are checked against (`SPORTELLO_REGISTRY`:
    /// `embedded`, the default, or `http` with the `SPORTELLO_REGISTRY_*` settings; docs/adr/0013).
    pub registry: RegistryChoice,
    /// How the outbox's messages are delivered (`SPORTELLO_DELIVERY_*`, `SPORTELLO_*_PER_SECOND`,
    /// `SPORTELLO_LETTERS_DIR`; docs/adr/0015).
    pub delivery: DeliveryConfig,
}

/// How the delivery worker hands the outbox's messages over.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryConfig {
    /// Hand-overs per second to the SMTP server, e-mail and PEC together
    /// (`SPORTELLO_SMTP_PER_SECOND`, 14: SES's default sending rate).
    pub smtp_per_second: u32,
    /// SMS per second to the carrier (`SPORTELLO_SMS_PER_SECOND`, 20: SNS's default for
    /// transactional SMS).
    pub sms_per_second: u32,
    /// Attempts before a message is dead (`SPORTELLO_DELIVERY_MAX_ATTEMPTS`, 10).
    pub max_attempts: u32,
    /// The first wait before a retry (`SPORTELLO_DELIVERY_RETRY_MS`, 5000); each further one
    /// doubles, up to 15 minutes, with full jitter.
    pub retry_base: std::time::Duration,
    /// How long a claimed message is its worker's before another may take it
    /// (`SPORTELLO_DELIVERY_LEASE_SECONDS`, 60).
    pub lease: std::time::Duration,
    /// Where the letters feed writes its batch files for the print provider
    /// (`SPORTELLO_LETTERS_DIR`; default `letters` under the data directory). In dev mode letters
    /// go to the dev sink unless this is given.
    pub letters_dir: Option<PathBuf>,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (tests pass a map; nothing calls `set_var`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr = match lookup("SPORTELLO_ADDR") {
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
            Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
                var: "SPORTELLO_ADDR",
                value,
                reason: "expected host:port, e.g. 127.0.0.1:8080",
            })?,
        };
        let dev_mode = flag(&lookup, "SPORTELLO_DEV_MODE")?.unwrap_or(false);
        let pin_key_hex = lookup("SPORTELLO_PIN_KEY").filter(|v| !v.is_empty());
        if let Some(key) = &pin_key_hex
            && !(key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_PIN_KEY",
                value: "<secret, not shown>".into(),
                reason: "expected 64 hex digits (32 random bytes)",
            });
        }
        let pin_key_secret_arn = secret_arn(&lookup, "SPORTELLO_PIN_KEY_SECRET_ARN")?;
        let smtp_url_secret_arn = secret_arn(&lookup, "SPORTELLO_SMTP_URL_SECRET_ARN")?;
        let origin_secret_arn = secret_arn(&lookup, "SPORTELLO_ORIGIN_SECRET_ARN")?;
        if pin_key_hex.is_some() && pin_key_secret_arn.is_some() {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_PIN_KEY_SECRET_ARN",
                value: pin_key_secret_arn.unwrap_or_default(),
                reason: "give the PIN key either by value (SPORTELLO_PIN_KEY) or by ARN, not both",
            });
        }
        if smtp_url_secret_arn.is_some() && lookup("SPORTELLO_SMTP_URL").is_some_and(|v| !v.is_empty()) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_SMTP_URL_SECRET_ARN",
                value: smtp_url_secret_arn.unwrap_or_default(),
                reason: "give the SMTP URL either by value (SPORTELLO_SMTP_URL) or by ARN, not both",
            });
        }
        let (store, aws_region, aws_endpoint) = aws(&lookup)?;
        let sms = sms(&lookup, aws_region.is_some())?;
        let secure_cookies = flag(&lookup, "SPORTELLO_SECURE_COOKIES")?;
        if dev_mode {
            let clash = if pin_key_hex.is_some() || pin_key_secret_arn.is_some() {
                Some(DevModeClash::PinKey)
            } else if secure_cookies == Some(true) {
                Some(DevModeClash::SecureCookies)
            } else if matches!(store, StoreChoice::DynamoDb { .. }) {
                Some(DevModeClash::DynamoDb)
            } else if lookup("AWS_LAMBDA_RUNTIME_API").is_some_and(|v| !v.is_empty()) {
                Some(DevModeClash::LambdaRuntime)
            } else {
                None
            };
            if let Some(clash) = clash {
                return Err(ConfigError::DevModeBesideProduction { clash });
            }
        }
        if pin_key_hex.is_none() && pin_key_secret_arn.is_none() && !dev_mode {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_PIN_KEY",
                value: String::new(),
                reason: "required outside dev mode: 64 hex digits (e.g. `openssl rand -hex 32`)",
            });
        }
        let login_first_delay =
            Duration::seconds(number(&lookup, "SPORTELLO_LOGIN_FIRST_DELAY_SECONDS", 30, 1..=3600)?);
        let login_max_delay = Duration::minutes(number(&lookup, "SPORTELLO_LOGIN_MAX_DELAY_MINUTES", 60, 1..=1440)?);
        if login_max_delay < login_first_delay {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_LOGIN_MAX_DELAY_MINUTES",
                value: login_max_delay.num_minutes().to_string(),
                reason: "the longest wait cannot be shorter than SPORTELLO_LOGIN_FIRST_DELAY_SECONDS",
            });
        }
        Ok(Config {
            addr,
            data_dir: lookup("SPORTELLO_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("data")),
            spa_dir: lookup("SPORTELLO_SPA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("dist")),
            dev_mode,
            log_json: flag(&lookup, "SPORTELLO_LOG_JSON")?.unwrap_or(false),
            emf_metrics: match lookup("SPORTELLO_METRICS").as_deref() {
                None | Some("" | "off") => false,
                Some("emf") => true,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        var: "SPORTELLO_METRICS",
                        value: other.to_owned(),
                        reason: "expected emf or off",
                    });
                }
            },
            pin_key_hex: pin_key_hex.map(SecretString::from),
            pin_key_secret_arn,
            smtp_url_secret_arn,
            origin_secret_arn,
            origin_secret: None,
            store,
            aws_region,
            aws_endpoint,
            session_idle: Duration::minutes(number(&lookup, "SPORTELLO_SESSION_IDLE_MINUTES", 20, 1..=240)?),
            session_max: Duration::hours(number(&lookup, "SPORTELLO_SESSION_MAX_HOURS", 8, 1..=24)?),
            operator_session_idle: Duration::minutes(number(
                &lookup,
                "SPORTELLO_OPERATOR_SESSION_IDLE_MINUTES",
                10,
                1..=60,
            )?),
            operator_session_max: Duration::hours(number(&lookup, "SPORTELLO_OPERATOR_SESSION_MAX_HOURS", 9, 1..=12)?),
            login_free_attempts: number(&lookup, "SPORTELLO_LOGIN_FREE_ATTEMPTS", 5, 1..=100)? as u32,
            login_first_delay,
            login_max_delay,
            login_client_free_attempts: number(&lookup, "SPORTELLO_LOGIN_CLIENT_FREE_ATTEMPTS", 30, 1..=100_000)?
                as u32,
            login_daily_ceiling: number(&lookup, "SPORTELLO_LOGIN_DAILY_CEILING", 50, 1..=1_000_000)? as u32,
            pin_validity: Duration::days(number(&lookup, "SPORTELLO_PIN_VALIDITY_DAYS", 30, 1..=365)?),
            secure_cookies: secure_cookies.unwrap_or(!dev_mode),
            smtp_url: lookup("SPORTELLO_SMTP_URL")
                .filter(|v| !v.is_empty())
                .map(SecretString::from),
            smtp_from: lookup("SPORTELLO_SMTP_FROM")
                .unwrap_or_else(|| "Sportello INPS <noreply@sportello.invalid>".into()),
            sms,
            client_rate_per_minute: number(&lookup, "SPORTELLO_CLIENT_RATE_PER_MINUTE", 30, 1..=100_000)? as u32,
            oidc: oidc::OidcConfig::from_lookup(&lookup, addr, dev_mode)?,
            cns: cns::CnsConfig::from_lookup(&lookup)?,
            queue: queue::QueueConfig::from_lookup(&lookup, dev_mode)?,
            max_in_flight: number(&lookup, "SPORTELLO_MAX_IN_FLIGHT", 512, 1..=100_000)? as usize,
            connections: connections::ConnectionLimits::from_lookup(&lookup)?,
            trusted_proxy_hops: number(&lookup, "SPORTELLO_TRUSTED_PROXY_HOPS", 1, 1..=5)? as usize,
            faults: match lookup("SPORTELLO_FAULTS").filter(|v| !v.is_empty()) {
                None => faults::FaultPlan::default(),
                Some(_) if !dev_mode => {
                    return Err(ConfigError::Invalid {
                        var: "SPORTELLO_FAULTS",
                        value: String::new(),
                        reason: "fault injection exists only in dev mode (SPORTELLO_DEV_MODE=1)",
                    });
                }
                Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
                    var: "SPORTELLO_FAULTS",
                    value,
                    reason: "expected e.g. before=0.15,after=0.15,latency_ms=200",
                })?,
            },
            registry: registry(&lookup)?,
            delivery: DeliveryConfig {
                smtp_per_second: number(&lookup, "SPORTELLO_SMTP_PER_SECOND", 14, 1..=10_000)? as u32,
                sms_per_second: number(&lookup, "SPORTELLO_SMS_PER_SECOND", 20, 1..=10_000)? as u32,
                max_attempts: number(&lookup, "SPORTELLO_DELIVERY_MAX_ATTEMPTS", 10, 1..=100)? as u32,
                retry_base: std::time::Duration::from_millis(number(
                    &lookup,
                    "SPORTELLO_DELIVERY_RETRY_MS",
                    5000,
                    10..=3_600_000,
                )? as u64),
                lease: std::time::Duration::from_secs(
                    number(&lookup, "SPORTELLO_DELIVERY_LEASE_SECONDS", 60, 1..=3600)? as u64,
                ),
                letters_dir: lookup("SPORTELLO_LETTERS_DIR")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from),
            },
            submission_windows: match lookup("SPORTELLO_SUBMISSION_WINDOWS") {
                None => WindowConfig::default(),
                Some(value) => WindowConfig::parse(&value).map_err(|_| ConfigError::Invalid {
                    var: "SPORTELLO_SUBMISSION_WINDOWS",
                    value,
                    reason: "expected e.g. web_citizen=16:00-08:00,contact_center=08:00-16:00",
                })?,
            },
        })
    }

    /// A configuration for tests: a fresh data directory, dev mode on.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        let mut config = Config::from_lookup(|var| (var == "SPORTELLO_DEV_MODE").then(|| "1".to_owned()))
            .expect("the dev defaults are valid");
        config.addr = SocketAddr::from(([127, 0, 0, 1], 0));
        config.data_dir = data_dir;
        config.client_rate_per_minute = 10_000;
        config.queue.tickets_per_minute = 100_000;
        config
    }
}

/// Where citizens' data is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// SQLite in the data directory: the local run.
    Sqlite,
    /// One DynamoDB table (`SPORTELLO_DYNAMODB_TABLE`), laid out as in docs/adr/0006.
    DynamoDb {
        /// The table's name.
        table: String,
    },
}

impl Config {
    /// Where and how to reach the DynamoDB table, when that is the store.
    pub fn dynamodb_settings(&self) -> Option<DynamoDbSettings> {
        match &self.store {
            StoreChoice::Sqlite => None,
            StoreChoice::DynamoDb { table } => Some(DynamoDbSettings {
                table: table.clone(),
                region: self.aws_region.clone(),
                endpoint_url: self.aws_endpoint.clone(),
            }),
        }
    }
}

/// Which population registry PIN requests are checked against.
#[derive(Debug, Clone)]
pub enum RegistryChoice {
    /// The service's own copy, loaded with `sportello-admin registry import`: SQLite in the data
    /// directory locally, the DynamoDB table with the DynamoDB store.
    Embedded,
    /// The national registry's e-service.
    Http(registry::HttpRegistrySettings),
}

fn registry(lookup: &impl Fn(&str) -> Option<String>) -> Result<RegistryChoice, ConfigError> {
    match lookup("SPORTELLO_REGISTRY").as_deref() {
        None | Some("") | Some("embedded") => Ok(RegistryChoice::Embedded),
        Some("http") => Ok(RegistryChoice::Http(registry::HttpRegistrySettings::from_lookup(
            lookup,
        )?)),
        Some(other) => Err(ConfigError::Invalid {
            var: "SPORTELLO_REGISTRY",
            value: other.to_owned(),
            reason: "expected embedded or http",
        }),
    }
}

/// How SMS travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsChoice {
    /// Into the store's outbox, like every other message without a real channel: the local run.
    Outbox,
    /// Amazon SNS `Publish` to the phone number, as transactional SMS (docs/adr/0011).
    Sns {
        /// The alphanumeric name shown as the sender where the country supports it (e.g. `INPS`);
        /// `None`: SNS chooses the origination identity.
        sender_id: Option<String>,
    },
}

/// `SPORTELLO_SMS` and `SPORTELLO_SMS_SENDER_ID`, checked together; SNS needs a region to send from.
fn sms(lookup: &impl Fn(&str) -> Option<String>, has_region: bool) -> Result<SmsChoice, ConfigError> {
    let sender_id = lookup("SPORTELLO_SMS_SENDER_ID").filter(|v| !v.is_empty());
    if let Some(value) = &sender_id
        && !is_sender_id(value)
    {
        return Err(ConfigError::Invalid {
            var: "SPORTELLO_SMS_SENDER_ID",
            value: value.clone(),
            reason: "expected 1 to 11 letters and digits with at least one letter, e.g. INPS",
        });
    }
    match lookup("SPORTELLO_SMS").as_deref() {
        None | Some("") | Some("outbox") => match sender_id {
            // A sender ID with nowhere to use it is a deploy mistake worth hearing about.
            Some(value) => Err(ConfigError::Invalid {
                var: "SPORTELLO_SMS_SENDER_ID",
                value,
                reason: "only used with SPORTELLO_SMS=sns",
            }),
            None => Ok(SmsChoice::Outbox),
        },
        Some("sns") if !has_region => Err(ConfigError::Invalid {
            var: "AWS_REGION",
            value: String::new(),
            reason: "required with SPORTELLO_SMS=sns (Lambda sets it)",
        }),
        Some("sns") => Ok(SmsChoice::Sns { sender_id }),
        Some(other) => Err(ConfigError::Invalid {
            var: "SPORTELLO_SMS",
            value: other.to_owned(),
            reason: "expected outbox or sns",
        }),
    }
}

/// The SMS rule for an alphanumeric sender ID: up to 11 of A-Z a-z 0-9, not digits only (a number
/// would pass for a phone number).
fn is_sender_id(value: &str) -> bool {
    (1..=11).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric())
        && value.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The store, the AWS region and the AWS endpoint override, checked together.
fn aws(lookup: &impl Fn(&str) -> Option<String>) -> Result<(StoreChoice, Option<String>, Option<String>), ConfigError> {
    let region = lookup("AWS_REGION")
        .filter(|v| !v.is_empty())
        .or_else(|| lookup("AWS_DEFAULT_REGION").filter(|v| !v.is_empty()));
    if let Some(value) = &region
        && !is_region(value)
    {
        return Err(ConfigError::Invalid {
            var: "AWS_REGION",
            value: value.clone(),
            reason: "expected an AWS region such as eu-south-1",
        });
    }
    let endpoint = lookup("SPORTELLO_AWS_ENDPOINT").filter(|v| !v.is_empty());
    if let Some(value) = &endpoint
        && !(value.starts_with("http://") || value.starts_with("https://"))
    {
        return Err(ConfigError::Invalid {
            var: "SPORTELLO_AWS_ENDPOINT",
            value: value.clone(),
            reason: "expected a URL such as http://127.0.0.1:5000",
        });
    }
    let store = match lookup("SPORTELLO_STORE").as_deref() {
        None | Some("") | Some("sqlite") => StoreChoice::Sqlite,
        Some("dynamodb") => {
            let table = lookup("SPORTELLO_DYNAMODB_TABLE").unwrap_or_default();
            // DynamoDB's own rule for table names.
            let valid = (3..=255).contains(&table.len())
                && table.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !valid {
                return Err(ConfigError::Invalid {
                    var: "SPORTELLO_DYNAMODB_TABLE",
                    value: table,
                    reason: "required with SPORTELLO_STORE=dynamodb: 3 to 255 of A-Z a-z 0-9 _ . -",
                });
            }
            if region.is_none() {
                return Err(ConfigError::Invalid {
                    var: "AWS_REGION",
                    value: String::new(),
                    reason: "required with SPORTELLO_STORE=dynamodb (Lambda sets it)",
                });
            }
            StoreChoice::DynamoDb { table }
        }
        Some(other) => {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_STORE",
                value: other.to_owned(),
                reason: "expected sqlite or dynamodb",
            });
        }
    };
    Ok((store, region, endpoint))
}

fn flag(lookup: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<Option<bool>, ConfigError> {
    match lookup(var).as_deref() {
        None | Some("") => Ok(None),
        Some("0") | Some("false") => Ok(Some(false)),
        Some("1") | Some("true") => Ok(Some(true)),
        Some(other) => Err(ConfigError::Invalid {
            var,
            value: other.to_owned(),
            reason: "expected 1/true or 0/false",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn production_needs_a_pin_key_and_never_echoes_it() {
        let err = config(&[]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_PIN_KEY");
        let secret = "zz".repeat(32);
        let err = config(&[("SPORTELLO_PIN_KEY", secret.as_str())]).unwrap_err();
        assert!(!err.to_string().contains(&secret));
    }

    #[test]
    fn empty_environment_with_a_key_gives_the_local_defaults_with_dev_mode_off() {
        let key = "ab".repeat(32);
        let c = config(&[("SPORTELLO_PIN_KEY", key.as_str())]).unwrap();
        assert!(c.secure_cookies);
        assert_eq!(c.login_free_attempts, 5);
        assert_eq!(c.login_first_delay, Duration::seconds(30));
        assert_eq!(c.login_max_delay, Duration::minutes(60));
        assert_eq!(c.login_client_free_attempts, 30);
        assert_eq!(c.login_daily_ceiling, 50);
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(!c.dev_mode);
    }

    #[test]
    fn fault_injection_is_refused_outside_dev_mode() {
        let key = "ab".repeat(32);
        let err = config(&[("SPORTELLO_PIN_KEY", key.as_str()), ("SPORTELLO_FAULTS", "before=0.3")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_FAULTS");
        let c = config(&[("SPORTELLO_DEV_MODE", "1"), ("SPORTELLO_FAULTS", "before=0.3")]).unwrap();
        assert_eq!(c.faults.before, 0.3);
        assert!(!config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap().faults.is_active());
        assert_eq!(config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap().max_in_flight, 512);
    }

    #[test]
    fn submission_windows_are_configuration() {
        let c = config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap();
        assert_eq!(c.submission_windows, WindowConfig::default());
        let c = config(&[
            ("SPORTELLO_DEV_MODE", "1"),
            ("SPORTELLO_SUBMISSION_WINDOWS", "web_citizen=00:00-00:00"),
        ])
        .unwrap();
        assert!(c.submission_windows.web_citizen.is_always_open());
        let err = config(&[
            ("SPORTELLO_DEV_MODE", "1"),
            ("SPORTELLO_SUBMISSION_WINDOWS", "citizens=16-8"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_SUBMISSION_WINDOWS");
    }

    #[test]
    fn malformed_address_names_the_variable() {
        let err = config(&[("SPORTELLO_DEV_MODE", "1"), ("SPORTELLO_ADDR", "localhost")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_ADDR");
        assert!(err.to_string().contains("host:port"));
    }

    #[test]
    fn the_store_is_sqlite_unless_dynamodb_is_chosen_with_a_table_and_a_region() {
        let key = "ab".repeat(32);
        let base = [("SPORTELLO_PIN_KEY", key.as_str())];
        assert_eq!(config(&base).unwrap().store, StoreChoice::Sqlite);
        assert!(config(&base).unwrap().dynamodb_settings().is_none());

        let err = config(&[base[0], ("SPORTELLO_STORE", "dynamo")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_STORE");
        let err = config(&[base[0], ("SPORTELLO_STORE", "dynamodb"), ("AWS_REGION", "eu-south-1")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_DYNAMODB_TABLE");
        let err = config(&[
            base[0],
            ("SPORTELLO_STORE", "dynamodb"),
            ("SPORTELLO_DYNAMODB_TABLE", "t1"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_DYNAMODB_TABLE", "two characters are too few");
        let err = config(&[
            base[0],
            ("SPORTELLO_STORE", "dynamodb"),
            ("SPORTELLO_DYNAMODB_TABLE", "sportello"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "AWS_REGION");
        let err = config(&[base[0], ("SPORTELLO_AWS_ENDPOINT", "127.0.0.1:5000")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_AWS_ENDPOINT");

        let c = config(&[
            base[0],
            ("SPORTELLO_STORE", "dynamodb"),
            ("SPORTELLO_DYNAMODB_TABLE", "sportello"),
            ("AWS_DEFAULT_REGION", "eu-south-1"),
            ("SPORTELLO_AWS_ENDPOINT", "http://127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(
            c.dynamodb_settings(),
            Some(DynamoDbSettings {
                table: "sportello".into(),
                region: Some("eu-south-1".into()),
                endpoint_url: Some("http://127.0.0.1:5000".into()),
            })
        );
    }

    #[test]
    fn the_pin_key_may_come_by_secret_arn_but_not_both_ways() {
        let arn = "arn:aws:secretsmanager:eu-south-1:123456789012:secret:sportello/pin-key-AbCdEf";
        let c = config(&[("SPORTELLO_PIN_KEY_SECRET_ARN", arn)]).unwrap();
        assert_eq!(c.pin_key_secret_arn.as_deref(), Some(arn));
        assert!(c.pin_key_hex.is_none());
        assert_eq!(secret_arn_region(arn), Some("eu-south-1"));

        let key = "ab".repeat(32);
        let err = config(&[
            ("SPORTELLO_PIN_KEY", key.as_str()),
            ("SPORTELLO_PIN_KEY_SECRET_ARN", arn),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_PIN_KEY_SECRET_ARN");
        let err = config(&[("SPORTELLO_PIN_KEY_SECRET_ARN", "sportello/pin-key")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_PIN_KEY_SECRET_ARN");
        assert!(secret_arn_region("arn:aws:s3:eu-south-1:123456789012:secret:x").is_none());
        let err = config(&[
            ("SPORTELLO_SMTP_URL", "smtp://127.0.0.1:25"),
            ("SPORTELLO_SMTP_URL_SECRET_ARN", arn),
            ("SPORTELLO_DEV_MODE", "1"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_SMTP_URL_SECRET_ARN");

        let c = config(&[("SPORTELLO_ORIGIN_SECRET_ARN", arn), ("SPORTELLO_DEV_MODE", "1")]).unwrap();
        assert_eq!(c.origin_secret_arn.as_deref(), Some(arn));
        assert!(
            c.origin_secret.is_none(),
            "read at start on Lambda, not from the environment"
        );
        let err = config(&[
            ("SPORTELLO_ORIGIN_SECRET_ARN", "x-origin-verify"),
            ("SPORTELLO_DEV_MODE", "1"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_ORIGIN_SECRET_ARN");
    }

    #[test]
    fn sms_go_to_the_outbox_unless_sns_is_chosen_with_a_region() {
        let dev = ("SPORTELLO_DEV_MODE", "1");
        let region = ("AWS_REGION", "eu-south-1");
        assert_eq!(config(&[dev]).unwrap().sms, SmsChoice::Outbox);
        assert_eq!(
            config(&[dev, ("SPORTELLO_SMS", "outbox")]).unwrap().sms,
            SmsChoice::Outbox
        );
        assert_eq!(
            config(&[dev, region, ("SPORTELLO_SMS", "sns")]).unwrap().sms,
            SmsChoice::Sns { sender_id: None }
        );
        assert_eq!(
            config(&[
                dev,
                region,
                ("SPORTELLO_SMS", "sns"),
                ("SPORTELLO_SMS_SENDER_ID", "INPS")
            ])
            .unwrap()
            .sms,
            SmsChoice::Sns {
                sender_id: Some("INPS".into())
            }
        );

        let err = config(&[dev, region, ("SPORTELLO_SMS", "SNS ")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_SMS");
        assert!(err.to_string().contains("outbox or sns"), "{err}");
        let err = config(&[dev, ("SPORTELLO_SMS", "sns")]).unwrap_err();
        assert_eq!(err.var(), "AWS_REGION");
        let err = config(&[dev, ("SPORTELLO_SMS_SENDER_ID", "INPS")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_SMS_SENDER_ID", "a sender ID without SNS");
        for bad in ["INPS ROMA", "INPSSPORTELLO", "12345", "INPS-IT"] {
            let err = config(&[dev, region, ("SPORTELLO_SMS", "sns"), ("SPORTELLO_SMS_SENDER_ID", bad)]).unwrap_err();
            assert_eq!(err.var(), "SPORTELLO_SMS_SENDER_ID", "{bad}");
        }
    }

    #[test]
    fn dev_mode_refuses_to_start_beside_each_production_setting_and_names_it() {
        let key = "ab".repeat(32);
        let arn = "arn:aws:secretsmanager:eu-south-1:123456789012:secret:sportello/pin-key-AbCdEf";
        let dev = ("SPORTELLO_DEV_MODE", "1");
        /// Production settings, the clash they are, and what the message must name.
        type Case<'a> = (&'a [(&'a str, &'a str)], DevModeClash, &'a str);
        let cases: [Case; 5] = [
            (
                &[("SPORTELLO_PIN_KEY", key.as_str())],
                DevModeClash::PinKey,
                "SPORTELLO_PIN_KEY",
            ),
            (
                &[("SPORTELLO_PIN_KEY_SECRET_ARN", arn)],
                DevModeClash::PinKey,
                "SPORTELLO_PIN_KEY_SECRET_ARN",
            ),
            (
                &[("SPORTELLO_SECURE_COOKIES", "1")],
                DevModeClash::SecureCookies,
                "SPORTELLO_SECURE_COOKIES",
            ),
            (
                &[
                    ("SPORTELLO_STORE", "dynamodb"),
                    ("SPORTELLO_DYNAMODB_TABLE", "sportello"),
                    ("AWS_REGION", "eu-south-1"),
                ],
                DevModeClash::DynamoDb,
                "SPORTELLO_STORE=dynamodb",
            ),
            (
                &[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")],
                DevModeClash::LambdaRuntime,
                "AWS_LAMBDA_RUNTIME_API",
            ),
        ];
        for (production, expected, named) in cases {
            // WHEN dev mode is asked for beside the setting THEN the start is refused, naming both
            let mut vars = production.to_vec();
            vars.push(dev);
            match config(&vars) {
                Err(ConfigError::DevModeBesideProduction { clash }) => assert_eq!(clash, expected),
                other => panic!("{production:?}: {other:?}"),
            }
            let message = config(&vars).unwrap_err().to_string();
            assert!(
                message.contains("SPORTELLO_DEV_MODE") && message.contains(named),
                "{message}"
            );
            assert!(!message.contains(&key), "the key is never shown: {message}");
            // AND without dev mode the same setting is fine (given the PIN key production needs)
            let mut vars = production.to_vec();
            if expected != DevModeClash::PinKey {
                vars.push(("SPORTELLO_PIN_KEY", key.as_str()));
            }
            assert!(config(&vars).is_ok(), "{production:?}");
        }
        // Dev mode with Secure cookies off, said out loud, is still a local run.
        assert!(config(&[dev, ("SPORTELLO_SECURE_COOKIES", "0")]).is_ok());
        assert_eq!(
            config(&[dev, ("AWS_LAMBDA_RUNTIME_API", "")]).map(|c| c.dev_mode).ok(),
            Some(true)
        );
    }

    #[test]
    fn the_registry_is_embedded_unless_http_is_chosen_with_its_settings() {
        let dev = ("SPORTELLO_DEV_MODE", "1");
        assert!(matches!(config(&[dev]).unwrap().registry, RegistryChoice::Embedded));
        let err = config(&[dev, ("SPORTELLO_REGISTRY", "anpr")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_REGISTRY");
        let err = config(&[dev, ("SPORTELLO_REGISTRY", "http")]).unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_REGISTRY_URL");
        let err = config(&[
            dev,
            ("SPORTELLO_REGISTRY", "http"),
            ("SPORTELLO_REGISTRY_URL", "http://registry.example.it/lookup"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_REGISTRY_URL", "plain http only on 127.0.0.1");
        let err = config(&[
            dev,
            ("SPORTELLO_REGISTRY", "http"),
            ("SPORTELLO_REGISTRY_URL", "https://registry.example.it/lookup"),
            ("SPORTELLO_REGISTRY_TOKEN_URL", "https://auth.example.it/token"),
            ("SPORTELLO_REGISTRY_CLIENT_ID", "sportello"),
            ("SPORTELLO_REGISTRY_KEY", "/nonexistent/key.pem"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_REGISTRY_KEY");
    }

    #[test]
    fn a_flag_must_be_a_boolean() {
        assert!(config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap().dev_mode);
        assert!(!config(&[("SPORTELLO_DEV_MODE", "1")]).unwrap().secure_cookies);
        assert!(config(&[("SPORTELLO_DEV_MODE", "1"), ("SPORTELLO_LOGIN_FREE_ATTEMPTS", "0")]).is_err());
        let err = config(&[
            ("SPORTELLO_DEV_MODE", "1"),
            ("SPORTELLO_LOGIN_FIRST_DELAY_SECONDS", "600"),
            ("SPORTELLO_LOGIN_MAX_DELAY_MINUTES", "5"),
        ])
        .unwrap_err();
        assert_eq!(err.var(), "SPORTELLO_LOGIN_MAX_DELAY_MINUTES");
        assert!(config(&[("SPORTELLO_DEV_MODE", "yes please")]).is_err());
    }
}
