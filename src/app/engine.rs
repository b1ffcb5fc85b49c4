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
use crate::store::{Store, StoreError};

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
