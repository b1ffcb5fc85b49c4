//! What `/healthz` needs to know besides the gateway and the database: whether the bot's
//! framework finished its setup (commands registered, data ready) and whether the timer runs.
//! The bot sets these; nothing here knows the bot.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::watch;

/// Where the framework's setup stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkStage {
    Starting,
    Ready,
    /// Setup failed; the process should stop (the reason, for the operator).
    Failed(String),
}

struct Inner {
    framework: watch::Sender<FrameworkStage>,
    timer_alive: AtomicBool,
    timer_restarts: AtomicU64,
}

/// Cheap to clone; every clone is the same state.
#[derive(Clone)]
pub struct Readiness {
    inner: Arc<Inner>,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            inner: Arc::new(Inner {
                framework: watch::Sender::new(FrameworkStage::Starting),
                timer_alive: AtomicBool::new(false),
                timer_restarts: AtomicU64::new(0),
            }),
        }
    }
}

impl Readiness {
    pub fn framework_ready(&self) {
        self.inner.framework.send_replace(FrameworkStage::Ready);
    }

    pub fn framework_failed(&self, why: impl Into<String>) {
        self.inner
            .framework
            .send_replace(FrameworkStage::Failed(why.into()));
    }

    pub fn framework(&self) -> FrameworkStage {
        self.inner.framework.borrow().clone()
    }

    /// Resolves with the reason once setup has failed (never, if it does not).
    pub async fn setup_failed(&self) -> String {
        let mut rx = self.inner.framework.subscribe();
        loop {
            if let FrameworkStage::Failed(why) = &*rx.borrow_and_update() {
                return why.clone();
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    pub fn set_timer_alive(&self, alive: bool) {
        self.inner.timer_alive.store(alive, Ordering::SeqCst);
    }

    /// The timer died and is being started again.
    pub fn timer_restarted(&self) {
        self.inner.timer_restarts.fetch_add(1, Ordering::Relaxed);
    }

    pub fn timer_restarts(&self) -> u64 {
        self.inner.timer_restarts.load(Ordering::Relaxed)
    }

    /// What is wrong, in words for `/healthz`; empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.framework() {
            FrameworkStage::Ready => {}
            FrameworkStage::Starting => {
                out.push("framework: starting (commands not registered yet)".to_string());
            }
            FrameworkStage::Failed(why) => out.push(format!("framework: setup failed: {why}")),
        }
        if !self.inner.timer_alive.load(Ordering::SeqCst) {
            out.push("timer: not running".to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn health_needs_a_ready_framework_and_a_live_timer() {
        let r = Readiness::default();
        assert_eq!(r.problems().len(), 2);
        r.framework_ready();
        r.set_timer_alive(true);
        assert!(r.problems().is_empty());
        r.set_timer_alive(false);
        assert_eq!(r.problems(), vec!["timer: not running".to_string()]);
        let waiting = tokio::spawn({
            let r = r.clone();
            async move { r.setup_failed().await }
        });
        r.framework_failed("Unknown Guild");
        assert_eq!(waiting.await.unwrap(), "Unknown Guild");
        assert!(r.problems()[0].contains("setup failed: Unknown Guild"));
    }
}
