//! The local server's accept loop: hyper's HTTP/1.1 connections with a deadline on each request's
//! headers (from the connection's first moment: a client that connects and sends nothing is
//! closed too), at most `max_connections` connections at once (beyond, the next waits in the listen
//! queue: the process never runs out of file descriptors), `TCP_NODELAY` (small answers go out at
//! once instead of waiting on Nagle's algorithm), and a graceful shutdown that lets answers in
//! flight finish. `axum::serve` has none of the deadlines or the cap (ADR 0019); the body's and
//! the whole request's deadlines are `http::slow_clients`. HTTP/1.1 only: browsers speak HTTP/2
//! only over TLS, which the local server does not terminate (on AWS, CloudFront does), and the
//! version sniffing of a dual server waits for a first byte with no deadline at all.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::connections::ConnectionLimits;

/// Serves `router` on `listener` until `shutdown` completes, then waits (at most
/// `request_timeout`) for the open connections to finish their answers.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    let mut warned_full = false;
    loop {
        // A free slot first: at the cap, new connections wait in the kernel's queue.
        let slot = if let Ok(slot) = Arc::clone(&connections).try_acquire_owned() {
            warned_full = false;
            slot
        } else {
            if !warned_full {
                tracing::warn!(
                    max = limits.max_connections,
                    "connection cap reached: new connections wait"
                );
                warned_full = true;
            }
            tokio::select! {
                slot = Arc::clone(&connections).acquire_owned() => slot.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: not fatal; a short
                    // pause keeps an EMFILE from spinning the loop.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open at shutdown were closed");
    }
    Ok(())
}
