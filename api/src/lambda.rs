//! Sportello on AWS Lambda: the state built from the environment — the DynamoDB store, secrets
//! read by ARN from Secrets Manager — and the same [`crate::app`]
//! Router served by `lambda_http` behind API Gateway's HTTP API (payload v2). No route is written
//! twice: Lambda only changes how requests arrive. The state is built once per execution
//! environment, before the first event.

use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use secrecy::{ExposeSecret, SecretString};

use axum::response::IntoResponse;

use crate::cns::{CNS_LOGIN_PATH, ClientCertificate};
use crate::config::{ConfigError, RegistryChoice, secret_arn_region};
use crate::delivery::Carriers;
use crate::http::MutualTlsPeer;
use crate::http::origin_guard::{self, OriginGuard};
use crate::notifier::NotifyError;
use crate::registry::Registry;
use crate::registry::dynamodb::DynamoDbRegistry;
use crate::registry::http::HttpRegistry;
use crate::secrets::PinKey;
use crate::store::dynamodb::{self, DynamoDbStore};
use crate::{ApiError, AppState, Config, app};
use lambda_http::request::RequestContext;

/// Why the function cannot start. Each names what to change; none carries a secret's value.
#[derive(Debug, thiserror::Error)]
pub enum LambdaStartError {
    /// An environment variable is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store is not DynamoDB.
    #[error(
        "on Lambda the store must be DynamoDB (SPORTELLO_STORE=dynamodb, SPORTELLO_DYNAMODB_TABLE): \
         a SQLite file would hold each instance's own data"
    )]
    NotDynamoDb,
    /// There is no PIN key (on Lambda there is no data directory to keep a generated one in).
    #[error("no PIN key: set SPORTELLO_PIN_KEY_SECRET_ARN (or SPORTELLO_PIN_KEY), dev mode included")]
    NoPinKey,
    /// A secret named by ARN cannot be read or is not what it should be.
    #[error("{var} = {arn}: {reason}")]
    Secret {
        /// The variable holding the ARN.
        var: &'static str,
        /// The secret's ARN (not secret itself).
        arn: String,
        /// What went wrong, without the secret's value.
        reason: String,
    },
    /// The notifier's configuration is wrong.
    #[error("cannot set up delivery: {0}")]
    Notifier(#[from] NotifyError),
    /// The population registry's settings are wrong.
    #[error("cannot set up the population registry: {0}")]
    Registry(#[from] crate::registry::RegistryError),
}

/// The state for a Lambda execution environment, from the process environment.
pub async fn state_from_env() -> Result<AppState, LambdaStartError> {
    state(Config::from_env()?).await
}

/// The state for `config`, which must choose the DynamoDB store. Credentials come from the SDK's
/// default chain (on Lambda: the function role's, from the environment).
pub async fn state(config: Config) -> Result<AppState, LambdaStartError> {
    let sdk = sdk_config(&config).await;
    state_with(config, &sdk).await
}

/// The state for `config` with AWS clients made from `sdk`; `state` with explicit AWS settings.
/// The API only writes the outbox: it has no carrier, the delivery worker ([`crate::lambda_worker`],
/// the same binary with `SPORTELLO_ROLE=delivery`) hands the messages over (docs/adr/0016).
pub async fn state_with(config: Config, sdk: &SdkConfig) -> Result<AppState, LambdaStartError> {
    let settings = config.dynamodb_settings().ok_or(LambdaStartError::NotDynamoDb)?;
    let client = aws_sdk_dynamodb::Client::new(sdk);
    // The embedded registry lives in the same table as the citizens' data (docs/adr/0006, 0013).
    let registry: Arc<dyn Registry> = match &config.registry {
        RegistryChoice::Embedded => Arc::new(DynamoDbRegistry::new(client.clone(), settings.table.clone())),
        RegistryChoice::Http(registry) => Arc::new(HttpRegistry::new(registry.clone())?),
    };
    let store = DynamoDbStore::new(client, settings.table);
    // Every secret at once: each read is a round trip to Secrets Manager, and a cold start
    // waits for the slowest, not for their sum (issue 19: init measured by benches/lambda_init.rs).
    let origin_arn = config.origin_secret_arn.clone();
    let origin = async {
        match &origin_arn {
            Some(arn) => read_secret(sdk, "SPORTELLO_ORIGIN_SECRET_ARN", arn).await.map(Some),
            None => Ok(None),
        }
    };
    let (mut config, origin) = tokio::try_join!(read_secrets(config, sdk), origin)?;
    if let (Some(arn), Some(value)) = (origin_arn, origin) {
        if value.expose_secret().len() < origin_guard::MIN_SECRET_LEN {
            return Err(LambdaStartError::Secret {
                var: "SPORTELLO_ORIGIN_SECRET_ARN",
                arn,
                reason: format!("the secret is shorter than {} characters", origin_guard::MIN_SECRET_LEN),
            });
        }
        config.origin_secret = Some(value);
    }
    let pin_key = pin_key(&config)?;
    // Dev mode never gets here: the configuration refuses it beside DynamoDB and the Lambda
    // runtime (`ConfigError::DevModeBesideProduction`).
    Ok(AppState::with_carriers(
        config,
        Arc::new(store),
        registry,
        pin_key,
        Carriers::default(),
    ))
}

/// `config` with the PIN key, the SMTP URL and the SPID/CIE federation's keys read from Secrets
/// Manager when given by ARN. All are read at once.
pub(crate) async fn read_secrets(mut config: Config, sdk: &SdkConfig) -> Result<Config, LambdaStartError> {
    let read = |var: &'static str, arn: Option<String>| async move {
        match arn {
            Some(arn) => read_secret(sdk, var, &arn).await.map(Some),
            None => Ok(None),
        }
    };
    let federation_keys_arn = config.oidc.federation.as_ref().and_then(|f| f.keys_secret_arn.clone());
    let (pin_key, smtp_url, federation_keys) = tokio::try_join!(
        read("SPORTELLO_PIN_KEY_SECRET_ARN", config.pin_key_secret_arn.clone()),
        read("SPORTELLO_SMTP_URL_SECRET_ARN", config.smtp_url_secret_arn.clone()),
        read("SPORTELLO_FEDERATION_KEYS_SECRET_ARN", federation_keys_arn.clone()),
    )?;
    if let (Some(arn), Some(keys)) = (federation_keys_arn, federation_keys) {
        config
            .oidc
            .apply_federation_keys(keys.expose_secret())
            .map_err(|reason| LambdaStartError::Secret {
                var: "SPORTELLO_FEDERATION_KEYS_SECRET_ARN",
                arn,
                reason: reason.to_owned(),
            })?;
    }
    if pin_key.is_some() {
        config.pin_key_hex = pin_key;
    }
    if smtp_url.is_some() {
        config.smtp_url = smtp_url;
    }
    Ok(config)
}

/// The PIN key of `config` (after [`read_secrets`]).
pub(crate) fn pin_key(config: &Config) -> Result<PinKey, LambdaStartError> {
    match &config.pin_key_hex {
        None => Err(LambdaStartError::NoPinKey),
        Some(hex) => PinKey::from_hex(hex.expose_secret()).ok_or_else(|| match &config.pin_key_secret_arn {
            Some(arn) => LambdaStartError::Secret {
                var: "SPORTELLO_PIN_KEY_SECRET_ARN",
                arn: arn.clone(),
                reason: "the secret is not 64 hex digits (32 random bytes)".into(),
            },
            None => LambdaStartError::NoPinKey,
        }),
    }
}

/// The AWS settings `config` asks for: its region and endpoint override, the SDK's default
/// credential chain, and the same rustls-on-ring HTTPS client as the store's.
pub async fn sdk_config(config: &Config) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(dynamodb::http_client());
    if let Some(region) = &config.aws_region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &config.aws_endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.timeout_config(dynamodb::sdk_timeouts()).load().await
}

/// Reads the secret string at `arn`, in the secret's own region.
async fn read_secret(sdk: &SdkConfig, var: &'static str, arn: &str) -> Result<SecretString, LambdaStartError> {
    let fail = |reason: String| LambdaStartError::Secret {
        var,
        arn: arn.to_owned(),
        reason,
    };
    let region = secret_arn_region(arn).ok_or_else(|| fail("not a Secrets Manager ARN".into()))?;
    let client = aws_sdk_secretsmanager::Client::from_conf(
        aws_sdk_secretsmanager::config::Builder::from(sdk)
            .region(Region::new(region.to_owned()))
            .build(),
    );
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| fail(format!("GetSecretValue failed: {}", DisplayErrorContext(&e))))?;
    let value = out
        .secret_string()
        .ok_or_else(|| fail("the secret has no string value".into()))?;
    Ok(SecretString::from(value.trim().to_owned()))
}

/// Serves events from the Lambda Runtime API until the execution environment is shut down.
pub async fn run(state: AppState) -> Result<(), lambda_http::Error> {
    let guard = OriginGuard::new(state.config.origin_secret.clone());
    // Outermost last: the certificate is read from the context first, so that the guard knows a
    // request that came through the CNS domain's mutual TLS.
    let app = app(state)
        .layer(axum::middleware::from_fn_with_state(guard, origin_guard::check))
        .layer(axum::middleware::from_fn(client_certificate));
    lambda_http::run(app).await
}

/// API Gateway's mutual TLS (the CNS custom domain) verifies the TLS handshake and hands the
/// card's certificate to the function in the request context, which no client can write; the
/// CNS route reads it as a [`ClientCertificate`] extension, exactly as from the local TLS
/// listener, and the rate limit reads the peer API Gateway saw ([`MutualTlsPeer`]). A header is
/// never believed. A request of that domain reaches the card step and nothing else: that host
/// skips CloudFront and the WAF, so it must not be a second way into the whole API (the
/// template maps the domain to an API with that one route, too).
async fn client_certificate(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mutual_tls = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authentication
            .as_ref()
            .and_then(|a| a.client_cert.as_ref())
            .and_then(|c| c.client_cert_pem.clone())
            .map(|pem| (pem, context.http.source_ip.as_deref().and_then(|ip| ip.parse().ok()))),
        _ => None,
    };
    if let Some((pem, source_ip)) = mutual_tls {
        if request.uri().path() != CNS_LOGIN_PATH {
            return ApiError::NotFound.into_response();
        }
        request.extensions_mut().insert(ClientCertificate(pem.into_bytes()));
        if let Some(ip) = source_ip {
            request.extensions_mut().insert(MutualTlsPeer(ip));
        }
    }
    next.run(request).await
}
