//! Typed settings for the Discord bot.

use std::fmt;
use std::time::Duration;

/// A secret that never appears in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first few characters, for `config check`.
    pub fn masked(&self) -> String {
        let shown: String = self.0.chars().take(4).collect();
        format!("{shown}…({} chars)", self.0.chars().count())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A database URL fit to print: the password of `scheme://user:password@host/…` (a
/// PostgreSQL URL) replaced by `***`; URLs without one are shown as they are.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_string(),
    }
}

/// How long things take. Production uses real seconds; tests shrink `second` so a
/// "30-second" question lasts 300 ms and rounds can be driven quickly.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// The length of one "second" in round settings.
    pub second: Duration,
    /// How long a group or teams lobby stays open, in round seconds.
    pub lobby_seconds: u32,
    /// Minimum time between two Answer or Hint clicks of one member.
    pub button_cooldown: Duration,
    /// The length of one "hour" of a daily drop's answer window.
    pub drop_hour: Duration,
    /// A drop missed by less than this (bot down at its time) is posted late; older ones are
    /// recorded as skipped.
    pub drop_grace: Duration,
    /// How long a claimed step is its claimer's before another wake takes it over
    /// ([`crate::domain::timer::STEP_LEASE`]; shorter in kill tests).
    pub step_lease: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            second: Duration::from_secs(1),
            lobby_seconds: 60,
            button_cooldown: Duration::from_secs(2),
            drop_hour: Duration::from_secs(3600),
            drop_grace: Duration::from_secs(2 * 3600),
            step_lease: crate::domain::timer::STEP_LEASE,
        }
    }
}

impl Timings {
    pub fn span(&self, seconds: u32) -> chrono::Duration {
        chrono::Duration::from_std(self.second * seconds).unwrap_or(chrono::Duration::MAX)
    }
}

/// What `interview-bot run` needs.
#[derive(Debug, Clone)]
pub struct BotConfig {
    pub token: Secret,
    pub database_url: String,
    /// Register commands in this server at once (development); otherwise globally.
    pub dev_guild_id: Option<u64>,
    /// Test-only: send REST calls to this base (and disable the ratelimiter, which would
    /// otherwise send them to discord.com anyway).
    pub api_base: Option<String>,
    pub timings: Timings,
    /// How many days after a member saw a question's reference their round and drop answers to
    /// it do not count on boards.
    pub cooling_off_days: u32,
    /// Which gateway shards this process runs.
    pub sharding: Sharding,
    /// The optional AI judge; `None`: no answer leaves the bot.
    pub judge: Option<JudgeConfig>,
}

/// Where the optional AI judge is and how far it may go.
#[derive(Debug, Clone)]
pub struct JudgeConfig {
    /// A base URL serving `/v1/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key: Option<Secret>,
    pub limits: crate::app::judge::JudgeLimits,
}

/// Which gateway shards this process runs. Several processes with different ranges (and the
/// same total) share the bot's servers: Discord sends each server's events to shard
/// `(server id >> 22) % total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharding {
    /// Every shard in this process, as many as Discord recommends (`GET /gateway/bot`).
    #[default]
    Auto,
    /// Every shard of `total` in this process.
    All { total: u32 },
    /// Shards `first..=last` of `total`; other processes run the rest.
    Range(ShardRange),
}

/// Shards `first..=last` of `total` (`first <= last < total`): build with [`ShardRange::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRange {
    first: u32,
    last: u32,
    total: u32,
}

/// Why a shard range does not fit its total.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardRangeError {
    #[error("the shard total must be 1 or more")]
    NoShards,
    #[error(
        "shard {last} does not exist with a total of {total}: shards are numbered 0 to {}",
        total - 1
    )]
    OutOfRange { last: u32, total: u32 },
}

impl ShardRange {
    /// Shards `ids` (first, last, with first <= last) of `total`.
    pub fn new(ids: ShardIds, total: u32) -> Result<ShardRange, ShardRangeError> {
        if total == 0 {
            return Err(ShardRangeError::NoShards);
        }
        if ids.last >= total {
            return Err(ShardRangeError::OutOfRange {
                last: ids.last,
                total,
            });
        }
        Ok(ShardRange {
            first: ids.first,
            last: ids.last,
            total,
        })
    }

    pub fn first(&self) -> u32 {
        self.first
    }

    pub fn last(&self) -> u32 {
        self.last
    }

    pub fn total(&self) -> u32 {
        self.total
    }

    /// Whether this process receives the events of server `guild_id`.
    pub fn has_guild(&self, guild_id: u64) -> bool {
        let shard = (guild_id >> 22) % u64::from(self.total);
        (u64::from(self.first)..=u64::from(self.last)).contains(&shard)
    }
}

impl fmt::Display for ShardRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{} of {}", self.first, self.last, self.total)
    }
}

/// Shard ids as written, `3` or `0-1`, before they are checked against a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardIds {
    pub first: u32,
    pub last: u32,
}

impl std::str::FromStr for ShardIds {
    type Err = String;

    /// `N` (one shard) or `FIRST-LAST` (inclusive, FIRST <= LAST).
    fn from_str(s: &str) -> Result<ShardIds, String> {
        let s = s.trim();
        let number = |t: &str| {
            t.trim().parse::<u32>().map_err(|_| {
                "expected a shard id or an inclusive range of them, like 0-1 or 3".to_string()
            })
        };
        let (first, last) = match s.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(s)?;
                (n, n)
            }
        };
        if first > last {
            return Err(format!(
                "a shard range goes from low to high, like {last}-{first}"
            ));
        }
        Ok(ShardIds { first, last })
    }
}

impl fmt::Display for ShardIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printed_database_url_hides_its_password_only() {
        assert_eq!(
            redact_url("postgres://bot:s3cr%40t@db.internal:5432/interview?sslmode=require"),
            "postgres://bot:***@db.internal:5432/interview?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact_url("sqlite:///var/lib/interview-bot/interview-bot.db"),
            "sqlite:///var/lib/interview-bot/interview-bot.db"
        );
        assert_eq!(redact_url("sqlite://a@b.db"), "sqlite://a@b.db");
        assert_eq!(redact_url("interview-bot.db"), "interview-bot.db");
    }

    #[test]
    fn shard_ids_parse_one_or_a_range_and_refuse_the_rest() {
        let ids = |s: &str| s.parse::<ShardIds>();
        assert_eq!(ids("0-1"), Ok(ShardIds { first: 0, last: 1 }));
        assert_eq!(ids(" 3 "), Ok(ShardIds { first: 3, last: 3 }));
        assert_eq!(ids("2 - 5"), Ok(ShardIds { first: 2, last: 5 }));
        assert_eq!(
            ids("5-2").unwrap_err(),
            "a shard range goes from low to high, like 2-5"
        );
        for bad in ["", "-1", "a-b", "1-", "0-1-2", "1.5"] {
            assert!(ids(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_range_must_fit_its_total_and_owns_the_guilds_of_its_shards() {
        let ids = ShardIds { first: 0, last: 1 };
        let range = ShardRange::new(ids, 4).unwrap();
        assert_eq!(range.to_string(), "0-1 of 4");
        assert_eq!(
            ShardRange::new(ShardIds { first: 0, last: 4 }, 4)
                .unwrap_err()
                .to_string(),
            "shard 4 does not exist with a total of 4: shards are numbered 0 to 3"
        );
        assert_eq!(ShardRange::new(ids, 0), Err(ShardRangeError::NoShards));
        // Discord's rule: shard = (guild id >> 22) % total.
        assert!(range.has_guild(0));
        assert!(range.has_guild(1 << 22));
        assert!(!range.has_guild(2 << 22));
        assert!(range.has_guild(5 << 22));
    }
}
