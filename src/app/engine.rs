//! What the timed use cases (rounds, drops, the timer's wake) work over: the store, the question
//! banks, a [`Clock`] and the outbound Discord port.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;

use super::library::Library;
use super::outbound::Outbound;
use super::{Clock, OutboundError};
use crate::config::Timings;
use crate::ops::Metrics;
use crate::store::{Leased, Store, StoreError};

/// The ports and settings of the timed steps. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub store: Store,
    pub library: Arc<Library>,
    pub clock: Arc<dyn Clock>,
    pub outbound: Arc<dyn Outbound>,
    pub timings: Timings,
    /// Wakes the timer when a deadline changes.
    pub wake: Arc<Notify>,
    pub metrics: Metrics,
}

impl Engine {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Until when a step claimed at `now` is its claimer's.
    pub fn lease_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::from_std(self.timings.step_lease).unwrap_or(Duration::seconds(30))
    }

    /// When a post Discord refused (a drop, a digest) is tried again after `now`: a quarter of
    /// a drop hour later, so it goes out soon after the permission comes back without a retry
    /// storm meanwhile.
    pub fn refused_post_retry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::from_std(self.timings.drop_hour / 4).unwrap_or(Duration::minutes(15))
    }
}

/// Keeps a claimed step's lease alive while the step runs ([`Engine::heartbeat`]); stops when
/// dropped (the step is over) or when the lease is no longer the one it renews.
pub struct Heartbeat {
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Engine {
    /// Renew the lease `of` a step this caller claimed until `held`, every third of a lease,
    /// to a full lease from the clock's time, until the returned guard is dropped. Each renewal
    /// is conditional on the lease still being the one this caller set (as the claims are), so
    /// a finished step or one taken over after its lease passed is left alone. A step slower
    /// than one lease is then not taken for dead and done again by another process or wake.
    pub fn heartbeat(&self, of: Leased, held: DateTime<Utc>) -> Heartbeat {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let e = self.clone();
        let every = (self.timings.step_lease / 3).max(std::time::Duration::from_millis(10));
        tokio::spawn(async move {
            let mut held = held;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = &mut stopped => return,
                }
                let until = e.lease_from(e.now());
                if until <= held {
                    continue;
                }
                match e.store.renew_lease(of, held, until).await {
                    Ok(true) => held = until,
                    // Done (cleared), or a later claim of the same row set its own lease.
                    Ok(false) => return,
                    Err(err) => {
                        tracing::warn!(lease = ?of, error = %err, "cannot renew a step lease");
                    }
                }
            }
        });
        Heartbeat { _stop: stop }
    }
}

/// What can stop a timed step.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored reference that leads nowhere (a question row that is not stored, a date that
    /// does not parse).
    #[error("stored data is inconsistent: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Outbound(#[from] OutboundError),
}
