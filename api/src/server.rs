//! The local server: the API and the SPA on one socket.

use std::sync::Arc;

use tokio::net::TcpListener;

use crate::store::sqlite::SqliteStore;
use crate::{AppState, Config, app, spa};

/// Builds the state of a local run: SQLite under the configured data directory.
pub fn local_state(config: Config) -> Result<(AppState, SqliteStore), crate::store::StoreError> {
    let store = SqliteStore::open(&config.data_dir)?;
    let state = AppState {
        store: Arc::new(store.clone()),
        config: Arc::new(config),
    };
    Ok((state, store))
}

/// The whole local router: `/api/*` plus the SPA.
pub fn local_router(state: AppState) -> axum::Router {
    let spa_dir = state.config.spa_dir.clone();
    app(state).merge(spa::router(&spa_dir))
}

/// Serves until the process is asked to stop (Ctrl-C / SIGTERM), finishing requests in flight.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, local_router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
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
