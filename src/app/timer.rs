//! The timer's wakes: every round step, daily drop step and weekly digest that is due at the
//! clock's time, and when the next one falls due. The task that sleeps between wakes is
//! [`run`] (started by `bot::rounds`).
//!
//! Steps of different rows run concurrently, at most [`MAX_CONCURRENT_STEPS`] at once, and a
//! wake does not wait for them: one slow or rate-limited channel holds up its own step only,
//! never another server's deadline. A row's step is never started twice at once in a process
//! (a wake skips a step still running); across processes the claims and their leases decide,
//! and a running step keeps its lease alive ([`Engine::heartbeat`]).

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use tokio::sync::{Semaphore, watch};

use super::Engine;
use super::outbound::BoxFuture;

/// How many due steps run at once in one process (each mostly waits on Discord).
pub const MAX_CONCURRENT_STEPS: usize = 16;

/// How often the timer looks again while steps are running (their due times are not the next
/// wake while they run; one that fails is retried from its row's state, as at any wake).
pub const RUNNING_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The row a due step works on: one step per row runs at a time in a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Due {
    Round(i64),
    /// A schedule's post of its due drop.
    Schedule(i64),
    /// A drop's reveal, or the take-over of its post or reveal.
    Drop(i64),
    /// A server's weekly digest.
    Digest(i64),
}

/// One due step, ready to run.
struct Job {
    key: Due,
    run: BoxFuture<'static, ()>,
}

/// Makes a guard that lives as long as a running step (the bot counts steps in flight so that
/// shutdown waits for them).
pub type StepGuard = Arc<dyn Fn() -> Box<dyn std::any::Any + Send> + Send + Sync>;

/// The steps running in this process. Cheap to clone.
#[derive(Clone)]
pub struct Steps {
    inner: Arc<Inner>,
}

struct Inner {
    running: Mutex<HashSet<Due>>,
    permits: Arc<Semaphore>,
    count: watch::Sender<usize>,
    guard: Option<StepGuard>,
}

/// Removes a step from [`Steps`] when it ends, also when it panics.
struct Running {
    inner: Arc<Inner>,
    key: Due,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.inner
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
        self.inner.count.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Steps {
    /// At most `limit` steps at once (at least one).
    pub fn new(limit: usize) -> Steps {
        Steps {
            inner: Arc::new(Inner {
                running: Mutex::new(HashSet::new()),
                permits: Arc::new(Semaphore::new(limit.max(1))),
                count: watch::Sender::new(0),
                guard: None,
            }),
        }
    }

    /// Each step holds what `guard` makes while it runs.
    pub fn with_guard(limit: usize, guard: StepGuard) -> Steps {
        Steps {
            inner: Arc::new(Inner {
                running: Mutex::new(HashSet::new()),
                permits: Arc::new(Semaphore::new(limit.max(1))),
                count: watch::Sender::new(0),
                guard: Some(guard),
            }),
        }
    }

    /// Steps started and not yet ended (waiting for a permit or running).
    pub fn running(&self) -> usize {
        *self.inner.count.borrow()
    }

    /// Wait until no step is running.
    pub async fn idle(&self) {
        let mut rx = self.inner.count.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Start `work` as the step of `key` unless that step is running already. True if started.
    fn start(&self, key: Due, work: impl Future<Output = ()> + Send + 'static) -> bool {
        {
            let mut running = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
            if !running.insert(key) {
                return false;
            }
        }
        self.inner.count.send_modify(|n| *n += 1);
        let ended = Running {
            inner: self.inner.clone(),
            key,
        };
        let held = self.inner.guard.as_ref().map(|g| g());
        let permits = self.inner.permits.clone();
        tokio::spawn(async move {
            let _ended = ended;
            let _held = held;
            let Ok(_permit) = permits.acquire_owned().await else {
                return; // closed: never, the semaphore lives as long as the steps
            };
            work.await;
        });
        true
    }
}

/// The steps due at `now`, in the order one wake has always done them: rounds, then daily
/// drops (posts, take-overs, reveals), then digests. `fallback`: when to look again if a read
/// failed (logged).
async fn due_jobs(
    e: &Engine,
    now: DateTime<Utc>,
    resumed: bool,
) -> (Vec<Job>, Option<DateTime<Utc>>) {
    let mut jobs: Vec<Job> = Vec::new();
    let mut fallback: Option<DateTime<Utc>> = None;
    match e.store.due_rounds(now).await {
        Ok((due, _)) => {
            for id in due {
                let e = e.clone();
                jobs.push(Job {
                    key: Due::Round(id),
                    run: Box::pin(async move {
                        // After a restart, deadlines that passed while the bot was down fire now.
                        if let Err(err) = super::rounds::advance(&e, id, resumed).await {
                            tracing::error!(round = id, error = %err, "could not advance a round");
                        }
                    }),
                });
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot read round deadlines");
            fallback = Some(now + Duration::seconds(5));
        }
    }
    // A failed read of drops or digests is looked at again within 30 s.
    let retry = now + Duration::seconds(30);
    match super::drops::due(e, now).await {
        Ok(due) => push_steps(
            &mut jobs,
            e,
            due,
            super::drops::DueDrop::key,
            "a daily drop step failed",
            move |e, step| async move { super::drops::run(&e, step, now).await },
        ),
        Err(err) => {
            tracing::error!(error = %err, "cannot read the due daily drops");
            fallback = Some(fallback.map_or(retry, |f| f.min(retry)));
        }
    }
    match super::digest::due(e, now).await {
        Ok(due) => push_steps(
            &mut jobs,
            e,
            due,
            super::digest::DueDigest::key,
            "a weekly digest step failed",
            move |e, step| async move { super::digest::run(&e, step, now).await },
        ),
        Err(err) => {
            tracing::error!(error = %err, "cannot read the due weekly digests");
            fallback = Some(fallback.map_or(retry, |f| f.min(retry)));
        }
    }
    (jobs, fallback)
}

/// Queue one job per due `step` (keyed by `key`), each running `run` and logging a failure
/// as `failed` (it is retried from its row's state at a later wake).
fn push_steps<S, Fut>(
    jobs: &mut Vec<Job>,
    e: &Engine,
    due: Vec<S>,
    key: fn(&S) -> Due,
    failed: &'static str,
    run: impl Fn(Engine, S) -> Fut,
) where
    Fut: Future<Output = Result<(), super::StepError>> + Send + 'static,
{
    for step in due {
        let key = key(&step);
        let work = run(e.clone(), step);
        jobs.push(Job {
            key,
            run: Box::pin(async move {
                if let Err(err) = work.await {
                    tracing::error!(error = %err, "{failed}");
                }
            }),
        });
    }
}

/// When the next step after `now` is due (from the stored deadlines, schedules and leases).
async fn next_due(e: &Engine, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let rounds = match e.store.due_rounds(now).await {
        Ok((_, next)) => next,
        Err(err) => {
            tracing::error!(error = %err, "cannot read round deadlines");
            Some(now + Duration::seconds(5))
        }
    };
    let daily = match super::drops::next_due(e, now).await {
        Ok(next) => next,
        Err(err) => {
            tracing::error!(error = %err, "cannot read the next daily drop");
            Some(now + Duration::seconds(30))
        }
    };
    let digests = match super::digest::next_due(e, now).await {
        Ok(next) => next,
        Err(err) => {
            tracing::error!(error = %err, "cannot read the next weekly digest");
            Some(now + Duration::seconds(30))
        }
    };
    [rounds, daily, digests].into_iter().flatten().min()
}

/// One wake that does every step due now, one after another, and returns when the next step is
/// due (`None`: nothing scheduled) once they are done. For tests and tools that step the clock
/// themselves; the bot's timer is [`start_due`] under [`run`]. Failures are logged and retried
/// at a later wake, never returned. `resumed`: the first wake after a start (overdue steps say
/// they were resumed).
pub async fn wake(e: &Engine, resumed: bool) -> Option<DateTime<Utc>> {
    let now = e.now();
    let (jobs, fallback) = due_jobs(e, now, resumed).await;
    for job in jobs {
        job.run.await;
    }
    // The steps just done set new deadlines and leases: the next one is read after them.
    [next_due(e, now).await, fallback]
        .into_iter()
        .flatten()
        .min()
}

/// Start every step due now that is not running already, on `steps` (concurrently, bounded),
/// without waiting for them; returns when the timer should look again: the next step due
/// after now, and while steps run at least every [`RUNNING_POLL`].
pub async fn start_due(e: &Engine, steps: &Steps, resumed: bool) -> Option<DateTime<Utc>> {
    let now = e.now();
    let (jobs, fallback) = due_jobs(e, now, resumed).await;
    for job in jobs {
        steps.start(job.key, job.run);
    }
    // Due times not after now belong to steps running now (or just started).
    let next = next_due(e, now).await.filter(|n| *n > now);
    let poll = (steps.running() > 0)
        .then(|| now + Duration::from_std(RUNNING_POLL).unwrap_or(Duration::seconds(1)));
    [next, fallback, poll].into_iter().flatten().min()
}

/// The timer: wake, start what is due, sleep until the next step is due or a deadline changes
/// ([`Engine::wake`]), until `stop` turns true. `poll`: the longest it sleeps (for a process
/// sharing the database with others, whose new deadlines do not wake this one). Steps still
/// running when it stops carry on (their guards say when they end).
pub async fn run(
    e: &Engine,
    steps: &Steps,
    poll: Option<std::time::Duration>,
    mut stop: watch::Receiver<bool>,
) {
    let mut first = true;
    loop {
        if *stop.borrow() {
            return;
        }
        let next = start_due(e, steps, first).await;
        first = false;
        let sleep = crate::domain::timer::sleep_for(next, e.now());
        let sleep = poll.map_or(sleep, |p| sleep.min(p));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = e.wake.notified() => {}
            _ = stop.changed() => return,
        }
    }
}
