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
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            second: Duration::from_secs(1),
            lobby_seconds: 60,
            button_cooldown: Duration::from_secs(2),
            drop_hour: Duration::from_secs(3600),
            drop_grace: Duration::from_secs(2 * 3600),
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
}
