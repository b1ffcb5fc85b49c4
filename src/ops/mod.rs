//! Operating the bot: Prometheus metrics, and the HTTP endpoints that serve them with a health
//! check (`--metrics-addr`).

pub mod metrics;
mod readiness;
mod server;

pub use metrics::{DropOutcome, Metrics, Outcome};
pub use readiness::{FrameworkStage, Readiness};
pub use server::{Gateway, OpsError, OpsListener, OpsServer, OpsState, Shard, bind};
