//! The local Sportello server: the API on SQLite and the built SPA, on one address.
//! Configuration comes from `SPORTELLO_*` environment variables (see `api::config`).

use std::process::ExitCode;

use api::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("sportello: {e}");
            return ExitCode::from(2);
        }
    };
    api::logging::init(api::logging::Destination::Local, config.log_json);
    let addr = config.addr;
    let spa_dir = config.spa_dir.clone();
    let (state, store) = match api::server::local_state(config) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("sportello: {e}");
            return ExitCode::from(1);
        }
    };
    if !spa_dir.join("index.html").exists() {
        eprintln!(
            "sportello: warning: no SPA at {} (build it with scripts/build-spa.sh)",
            spa_dir.display()
        );
    }
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sportello: cannot listen on {addr}: {e}");
            return ExitCode::from(1);
        }
    };
    let data_file = std::fs::canonicalize(store.path()).unwrap_or_else(|_| store.path().to_path_buf());
    println!("Sportello data file (SQLite): {}", data_file.display());
    println!("Sportello is running at http://{addr}/  (Ctrl-C to stop)");
    tracing::info!(%addr, dev_mode = state.config.dev_mode, "listening");
    // CNS smart cards: a second, TLS listener that asks for a client certificate (when configured).
    if let Some(cns_addr) = state.config.cns.addr {
        let tls = match tokio::net::TcpListener::bind(cns_addr).await {
            Ok(l) => api::cns::tls_listener(l, &state.config.cns).map_err(|e| e.to_string()),
            Err(e) => Err(format!("cannot listen on {cns_addr}: {e}")),
        };
        match tls {
            Ok(tls) => {
                println!("CNS login (TLS client certificate) at https://{cns_addr}/api/auth/cns");
                tokio::spawn(api::server::serve_cns(tls, state.clone()));
            }
            Err(e) => {
                eprintln!("sportello: CNS listener: {e}");
                return ExitCode::from(1);
            }
        }
    }
    match api::server::serve(listener, state).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sportello: server error: {e}");
            ExitCode::from(1)
        }
    }
}
