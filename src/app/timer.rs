//! One wake of the timer: every round step, daily drop step and weekly digest that is due at the
//! clock's time, and when the next one falls due. The task that sleeps between wakes is `bot::rounds`'s.

use chrono::{DateTime, Duration, Utc};

use super::Engine;

/// Do what is due now; returns when the next step is due (`None`: nothing scheduled). Failures
/// are logged and retried at a later wake, never returned: the timer must keep going.
/// `resumed`: the first wake after a start (overdue steps say they were resumed).
pub async fn wake(e: &Engine, resumed: bool) -> Option<DateTime<Utc>> {
    let now = e.now();
    let next_round = match e.store.due_rounds(now).await {
        Ok((due, next)) if due.is_empty() => next,
        Ok((due, _)) => {
            for id in due {
                // After a restart, deadlines that passed while the bot was down fire now.
                if let Err(err) = super::rounds::advance(e, id, resumed).await {
                    tracing::error!(round = id, error = %err, "could not advance a round");
                }
            }
            // The steps just done set new deadlines and leases: the next one is read after
            // them (read before, a question opened now would wait for an unrelated wake).
            match e.store.due_rounds(now).await {
                Ok((_, next)) => next,
                Err(err) => {
                    tracing::error!(error = %err, "cannot read round deadlines");
                    Some(now + Duration::seconds(5))
                }
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot read round deadlines");
            Some(now + Duration::seconds(5))
        }
    };
    let next_daily = match super::drops::tick(e).await {
        Ok(next) => next,
        Err(err) => {
            tracing::error!(error = %err, "daily drops tick failed");
            Some(now + Duration::seconds(30))
        }
    };
    let next_digest = match super::digest::tick(e).await {
        Ok(next) => next,
        Err(err) => {
            tracing::error!(error = %err, "weekly digest tick failed");
            Some(now + Duration::seconds(30))
        }
    };
    [next_round, next_daily, next_digest]
        .into_iter()
        .flatten()
        .min()
}
