//! The timer task in Discord: one task, supervised, that sleeps until the next due step of any
//! round, drop or digest and starts it ([`crate::app::timer::run`]); and the coalesced "Answered" edits of a
//! round's open question. The steps themselves are use cases in [`crate::app::rounds`] and
//! [`crate::app::drops`].

use std::sync::Arc;

use tokio::sync::watch;

use super::Data;
use crate::app::Engine;
use crate::store::RoundState;

/// What the timer and the answered edits need (a cheap clone of parts of [`Data`]).
#[derive(Clone)]
pub struct Driver {
    pub engine: Engine,
    pub in_flight: super::in_flight::InFlight,
    pub edits: AnsweredEdits,
}

/// Coalesces the "Answered" edits of a round's open question: one edit per round at a time;
/// answers arriving meanwhile ask for one more, made after it with the latest list. A burst of
/// answers costs two edits, not one each, and nothing waits for them.
#[derive(Clone, Default)]
pub struct AnsweredEdits {
    pending: Arc<std::sync::Mutex<std::collections::HashMap<i64, bool>>>,
}

impl AnsweredEdits {
    /// True when the caller should start the edit; false when one is under way (it is marked
    /// to run once more).
    fn request(&self, round: i64) -> bool {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&round) {
            Some(again) => {
                *again = true;
                false
            }
            None => {
                map.insert(round, false);
                true
            }
        }
    }

    /// After an edit: true when another was asked for meanwhile.
    fn finish(&self, round: i64) -> bool {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match map.get_mut(&round) {
            Some(again) if *again => {
                *again = false;
                true
            }
            _ => {
                map.remove(&round);
                false
            }
        }
    }
}

/// Refresh the "Answered" line of a round's open question in the background, coalesced.
pub fn refresh_answered(d: &Driver, round_id: i64, position: i64) {
    if !d.edits.request(round_id) {
        return;
    }
    let d = d.clone();
    tokio::spawn(async move {
        let _working = d.in_flight.start();
        loop {
            match d.engine.store.round(round_id).await {
                // Once the question closed, its reveal says who answered.
                Ok(round)
                    if round.state == RoundState::Question && round.current_index == position =>
                {
                    if let Err(e) = crate::app::rounds::show_answered(&d.engine, &round).await {
                        tracing::warn!(round = round_id, error = %e, "cannot update the answered list");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(round = round_id, error = %e, "cannot read a round"),
            }
            if !d.edits.finish(round_id) {
                break;
            }
        }
    });
}

impl Driver {
    pub fn new(data: &Data) -> Driver {
        Driver {
            engine: data.engine.clone(),
            in_flight: data.in_flight.clone(),
            edits: data.edits.clone(),
        }
    }
}

/// Start the timer under a supervisor: if the timer task dies (a panic), it is reported and
/// started again; `/healthz` shows it as not running meanwhile.
///
/// `poll`: the longest it sleeps, for a process that shares the database with others (a shard
/// range): their new deadlines do not wake this timer, and a step whose claimer died is due
/// again only when its lease passes, so this one looks again at least this often.
pub fn spawn_timer(
    data: &Data,
    shutdown: watch::Receiver<bool>,
    readiness: crate::ops::Readiness,
    poll: Option<std::time::Duration>,
) {
    let driver = Driver::new(data);
    let in_flight = driver.in_flight.clone();
    let steps = crate::app::timer::Steps::with_guard(
        crate::app::timer::MAX_CONCURRENT_STEPS,
        Arc::new(move || Box::new(in_flight.start())),
    );
    tokio::spawn(async move {
        loop {
            readiness.set_timer_alive(true);
            let run = tokio::spawn(timer(driver.clone(), steps.clone(), shutdown.clone(), poll));
            let ended = run.await;
            readiness.set_timer_alive(false);
            match ended {
                Ok(()) => return, // shut down
                Err(e) => {
                    readiness.timer_restarted();
                    tracing::error!(error = %e, "the timer died; starting it again");
                    if *shutdown.borrow() {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
    });
}

/// The one task that starts every timed step (rounds' deadlines, daily drops, digests) when it
/// is due; the steps run concurrently, each counted in flight until its writes are done, so
/// shutdown waits for them.
async fn timer(
    driver: Driver,
    steps: crate::app::timer::Steps,
    shutdown: watch::Receiver<bool>,
    poll: Option<std::time::Duration>,
) {
    crate::app::timer::run(&driver.engine, &steps, poll, shutdown).await;
}
