//! A small HTTP server for operators: `GET /metrics` (Prometheus text format) and
//! `GET /healthz` (200 "ok" when the gateway is connected and the database answers, else 503
//! with the reasons).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::metrics::{CONTENT_TYPE, Metrics};
use crate::store::Store;

/// How long a scrape or health check waits for the database.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("cannot listen for metrics on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// One gateway shard, as the Discord adapter reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    pub id: u32,
    pub connected: bool,
    /// Its connection stage in words ("connected", "resuming"), for the health check.
    pub stage: String,
    /// The last heartbeat's round trip, once there was one.
    pub latency: Option<Duration>,
}

/// The gateway's shards as the Discord adapter knows them: the port through which the
/// endpoints see the gateway without depending on the adapter.
pub trait Gateway: Send + Sync {
    /// Every running shard, by id; none when the client has stopped.
    fn shards(&self) -> Pin<Box<dyn Future<Output = Vec<Shard>> + Send + '_>>;
}

/// What the endpoints read: the bot's metrics, its database and its gateway shards.
#[derive(Clone)]
pub struct OpsState {
    metrics: Metrics,
    store: Store,
    gateway: Arc<dyn Gateway>,
    readiness: super::Readiness,
}

impl OpsState {
    pub fn new(
        metrics: Metrics,
        store: Store,
        gateway: Arc<dyn Gateway>,
        readiness: super::Readiness,
    ) -> OpsState {
        OpsState {
            metrics,
            store,
            gateway,
            readiness,
        }
    }

    async fn shards(&self) -> Vec<Shard> {
        let mut shards = self.gateway.shards().await;
        shards.sort_by_key(|s| s.id);
        shards
    }

    /// Read what is measured at scrape time: open rounds and the gateway.
    async fn refresh(&self) {
        match tokio::time::timeout(DATABASE_TIMEOUT, self.store.open_rounds()).await {
            Ok(Ok(open)) => self.metrics.set_rounds_open(open),
            Ok(Err(e)) => tracing::warn!(error = %e, "metrics: cannot count open rounds"),
            Err(_) => tracing::warn!("metrics: the database did not answer in time"),
        }
        let shards: Vec<_> = self
            .shards()
            .await
            .into_iter()
            .map(|s| (s.id, s.connected, s.latency))
            .collect();
        self.metrics.set_shards(&shards);
    }

    /// Everything wrong right now; empty when healthy.
    async fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let shards = self.shards().await;
        if shards.is_empty() {
            problems.push("gateway: not connected (no shard running)".to_string());
        }
        for s in shards.iter().filter(|s| !s.connected) {
            problems.push(format!("gateway: shard {} is {}", s.id, s.stage));
        }
        problems.extend(self.readiness.problems());
        match tokio::time::timeout(DATABASE_TIMEOUT, self.store.ping()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => problems.push(format!("database: {e}")),
            Err(_) => problems.push(format!(
                "database: no answer within {} s",
                DATABASE_TIMEOUT.as_secs()
            )),
        }
        problems
    }
}

/// A bound listener: bind before starting the bot so a taken port fails at once.
pub struct OpsListener {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
}

/// Listen on `addr` (port 0 picks a free port; see [`OpsListener::local_addr`]).
pub async fn bind(addr: SocketAddr) -> Result<OpsListener, OpsError> {
    let bind_error = |source| OpsError::Bind { addr, source };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok(OpsListener { listener, addr })
}

impl OpsListener {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve `/metrics` and `/healthz` until [`OpsServer::stop`] (or drop).
    pub fn serve(self, state: OpsState) -> OpsServer {
        let app = axum::Router::new()
            .route("/metrics", get(metrics))
            .route("/healthz", get(healthz))
            .with_state(state);
        let addr = self.addr;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(self.listener, app).await {
                tracing::error!(error = %e, "the metrics server stopped");
            }
        });
        tracing::info!(%addr, "serving /metrics and /healthz");
        OpsServer { addr, task }
    }
}

/// The running server; stops when dropped.
pub struct OpsServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl OpsServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for OpsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn metrics(State(state): State<OpsState>) -> Response {
    state.refresh().await;
    match state.metrics.encode() {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot encode the metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot encode the metrics\n",
            )
                .into_response()
        }
    }
}

async fn healthz(State(state): State<OpsState>) -> Response {
    let problems = state.problems().await;
    let text_plain = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    if problems.is_empty() {
        (StatusCode::OK, text_plain, "ok\n").into_response()
    } else {
        let body = format!("{}\n", problems.join("; "));
        (StatusCode::SERVICE_UNAVAILABLE, text_plain, body).into_response()
    }
}
