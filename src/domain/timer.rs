//! The timer's one rule: how long to sleep before the next due step.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How long a claimed step (posting a question, a reveal, a drop) is its claimer's: after
/// that, the claimer is taken for dead and another process or wake takes the step over.
pub const STEP_LEASE: Duration = Duration::from_secs(30);

/// How long to sleep with nothing scheduled at all (any new deadline wakes the timer).
pub const IDLE: Duration = Duration::from_secs(3600);

/// How long the timer sleeps when the next step is due at `next`: not at all when it is
/// already due (the timer's own work can outlast the gap to it), never longer than [`IDLE`].
pub fn sleep_for(next: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    match next {
        None => IDLE,
        Some(n) if n <= now => Duration::ZERO,
        Some(n) => (n - now).to_std().map_or(Duration::ZERO, |d| d.min(IDLE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_step_already_due_means_no_sleep_at_all() {
        let now = t("2026-01-01T00:00:10Z");
        // The timer's own work outlasted the gap: the next deadline passed while it worked.
        assert_eq!(
            sleep_for(Some(t("2026-01-01T00:00:09Z")), now),
            Duration::ZERO
        );
        assert_eq!(sleep_for(Some(now), now), Duration::ZERO);
    }

    #[test]
    fn it_sleeps_until_the_next_step_and_idles_with_none() {
        let now = t("2026-01-01T00:00:10Z");
        assert_eq!(
            sleep_for(Some(t("2026-01-01T00:00:12.5Z")), now),
            Duration::from_millis(2500)
        );
        assert_eq!(sleep_for(None, now), IDLE);
    }
}
