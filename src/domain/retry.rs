//! When a failed call to Discord is tried again: a pure policy, so the adapter only sleeps.

use std::time::Duration;

/// How a call failed, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429: wait as long as Discord says (when it says), then try again.
    RateLimited { retry_after: Option<Duration> },
    /// 5xx or a connection that broke: probably passes.
    Transient,
    /// 4xx other than 429 (a missing permission, a deleted channel, a bad body): trying again
    /// only fails again, and repeated 401/403s get the bot's address banned.
    Refused,
}

/// Tries of one call, the first included.
pub const MAX_TRIES: u32 = 5;
const BASE: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(8);

/// How long to wait before try number `tries + 1` after `tries` failed ones, or `None` to
/// give up.
pub fn delay(failure: Failure, tries: u32) -> Option<Duration> {
    if tries >= MAX_TRIES {
        return None;
    }
    let backoff = BASE.saturating_mul(2u32.saturating_pow(tries.saturating_sub(1)));
    match failure {
        Failure::Refused => None,
        Failure::RateLimited {
            retry_after: Some(after),
        } => Some(after.min(CAP)),
        Failure::RateLimited { retry_after: None } | Failure::Transient => Some(backoff.min(CAP)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_never_retried() {
        assert_eq!(delay(Failure::Refused, 1), None);
    }

    #[test]
    fn transient_failures_back_off_and_give_up() {
        assert_eq!(
            delay(Failure::Transient, 1),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            delay(Failure::Transient, 2),
            Some(Duration::from_millis(500))
        );
        assert_eq!(delay(Failure::Transient, 4), Some(Duration::from_secs(2)));
        assert_eq!(delay(Failure::Transient, MAX_TRIES), None);
    }

    #[test]
    fn a_rate_limit_waits_what_discord_says_within_a_cap() {
        let said = |ms| Failure::RateLimited {
            retry_after: Some(Duration::from_millis(ms)),
        };
        assert_eq!(delay(said(120), 1), Some(Duration::from_millis(120)));
        assert_eq!(delay(said(60_000), 1), Some(CAP));
        assert_eq!(delay(said(120), MAX_TRIES), None);
    }
}
