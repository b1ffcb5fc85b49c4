//! Work that must finish before the database closes: interactions being handled and the timer's
//! current step. Shutdown stops new work, then waits (a bounded time) for this count to reach 0.

use std::time::Duration;

use poise::serenity_prelude as serenity;
use tokio::sync::watch;

#[derive(Clone)]
pub struct InFlight(watch::Sender<usize>);

/// Counts one piece of work while it lives.
pub struct Working(watch::Sender<usize>);

impl Drop for Working {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Default for InFlight {
    fn default() -> Self {
        InFlight(watch::Sender::new(0))
    }
}

impl InFlight {
    pub fn start(&self) -> Working {
        self.0.send_modify(|n| *n += 1);
        Working(self.0.clone())
    }

    pub fn count(&self) -> usize {
        *self.0.borrow()
    }

    /// Wait until nothing is in flight, at most `limit`. True when it got there.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let mut rx = self.0.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|n| *n == 0))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

/// A serenity framework that counts the events it dispatches as in flight.
pub struct Tracked<F> {
    pub inner: F,
    pub in_flight: InFlight,
}

#[serenity::async_trait]
impl<F: serenity::Framework> serenity::Framework for Tracked<F> {
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        let _working = self.in_flight.start();
        self.inner.dispatch(ctx, event).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_work_to_finish_and_gives_up_after_the_limit() {
        let in_flight = InFlight::default();
        assert!(in_flight.wait_idle(Duration::ZERO).await, "idle at once");
        let work = in_flight.start();
        assert_eq!(in_flight.count(), 1);
        assert!(!in_flight.wait_idle(Duration::from_millis(20)).await);
        let done = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(work);
        });
        assert!(in_flight.wait_idle(Duration::from_secs(5)).await);
        done.await.unwrap();
        assert_eq!(in_flight.count(), 0);
    }
}
