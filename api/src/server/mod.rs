//! The local server: the API and the SPA on one socket.

pub mod listener;

use std::sync::Arc;

use tokio::net::TcpListener;

use secrecy::ExposeSecret;

use crate::config::RegistryChoice;
use crate::notifier::NotifyError;
use crate::registry::Registry;
use crate::registry::http::HttpRegistry;
use crate::registry::sqlite::SqliteRegistry;
use crate::secrets::PinKey;
use crate::store::StoreError;
use crate::store::sqlite::SqliteStore;
use crate::{AppState, Config, app, spa};

/// Why the local server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The SQLite store cannot be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    /// The notifier's configuration is wrong.
    #[error("cannot set up delivery: {0}")]
    Notifier(#[from] NotifyError),
    /// The population registry cannot be opened.
    #[error("cannot open the population registry: {0}")]
    Registry(#[from] crate::registry::RegistryError),
    /// The PIN key cannot be read or written.
    #[error("PIN key: {0}")]
    PinKey(String),
    /// The configuration asks for what only the Lambda function does.
    #[error("{0}")]
    NotLocal(&'static str),
}

/// Builds the state of a local run: SQLite under the configured data directory.
pub fn local_state(config: Config) -> Result<(AppState, SqliteStore), StartError> {
    // Quietly running on SQLite with a local key when DynamoDB and Secrets Manager were asked for
    // would hide a deploy mistake; the Lambda entry point (`api::lambda`) is where those live.
    if !matches!(config.store, crate::config::StoreChoice::Sqlite) {
        return Err(StartError::NotLocal(
            "SPORTELLO_STORE=dynamodb is served by the Lambda function (sportello-lambda); the local server runs on SQLite",
        ));
    }
    if config.pin_key_secret_arn.is_some() || config.smtp_url_secret_arn.is_some() || config.origin_secret_arn.is_some()
    {
        return Err(StartError::NotLocal(
            "secrets by ARN are read by the Lambda function; give the local server SPORTELLO_PIN_KEY / SPORTELLO_SMTP_URL (it needs no origin secret: it has one address)",
        ));
    }
    if matches!(config.sms, crate::config::SmsChoice::Sns { .. }) {
        return Err(StartError::NotLocal(
            "SPORTELLO_SMS=sns is served by the Lambda function (sportello-lambda); the local server keeps SMS in the outbox",
        ));
    }
    let store = SqliteStore::open(&config.data_dir)?;
    if !config.dev_mode {
        // Nothing is delivered into the dev sink outside dev mode; what a dev run left there
        // is messages in clear.
        store.purge_dev_sink()?;
    }
    let pin_key = pin_key(&config).map_err(StartError::PinKey)?;
    let registry: Arc<dyn Registry> = match &config.registry {
        RegistryChoice::Embedded => Arc::new(SqliteRegistry::open(&config.data_dir)?),
        RegistryChoice::Http(settings) => Arc::new(HttpRegistry::new(settings.clone())?),
    };
    let state = AppState::new(config, Arc::new(store.clone()), registry, pin_key)?;
    Ok((state, store))
}

/// The configured PIN key; in dev mode without one, a key generated once and kept in the data
/// directory (mode 0600), so that PINs survive a restart of the local server.
fn pin_key(config: &Config) -> Result<PinKey, String> {
    if let Some(hex) = &config.pin_key_hex {
        return PinKey::from_hex(hex.expose_secret()).ok_or_else(|| "SPORTELLO_PIN_KEY is not 64 hex digits".into());
    }
    let path = config.data_dir.join("pin-key.hex");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return PinKey::from_hex(&text).ok_or_else(|| format!("{} is not a key", path.display()));
    }
    let key = PinKey::generate();
    write_private(&path, &key.to_hex()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

/// The whole local router: `/api/*` plus the SPA.
pub fn local_router(state: AppState) -> axum::Router {
    let spa_dir = state.config.spa_dir.clone();
    app(state).merge(spa::router(&spa_dir))
}

/// Serves until the process is asked to stop (Ctrl-C / SIGTERM), finishing requests in flight,
/// with the delivery worker running beside it over the same store.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    crate::delivery::worker::spawn(&state);
    let limits = state.config.connections;
    listener::serve(listener, local_router(state), limits, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}

/// Serves the CNS login on `listener` (TLS, client certificate requested) until the task ends.
pub async fn serve_cns(listener: crate::cns::TlsListener, state: AppState) -> std::io::Result<()> {
    let app = axum::Router::new()
        .nest("/api", crate::routes::cns_card_router())
        .fallback(|| async { crate::ApiError::NotFound })
        .layer(axum::middleware::from_fn(
            crate::http::personal_headers::no_shared_caching,
        ))
        .with_state(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<crate::cns::TlsPeer>(),
    )
    .await
}
