//! `config check`'s view of the settings: one `key = value  (source)` line per key, secrets
//! masked (the token shows its first characters and length, a database URL hides its
//! password), unset values explained.

use super::Settings;
use super::keys::{
    BUTTON_COOLDOWN_MS, COOLING_OFF_DAYS, DATABASE_URL, DEV_GUILD_ID, DISCORD_TOKEN,
    DROP_GRACE_MINUTES, JUDGE_API_KEY, JUDGE_CONCURRENCY, JUDGE_DAILY_BUDGET, JUDGE_MODEL,
    JUDGE_TIMEOUT_SECONDS, JUDGE_URL, Key, LOBBY_SECONDS, LOG_FILTER, LOG_FORMAT, METRICS_ADDR,
    SHARD_TOTAL, SHARDS,
};
use super::source::Setting;
use crate::cli::LogFormat;
use crate::config::{Secret, Sharding};

impl Settings {
    /// `key = value  (source)` lines for `config check`, the token masked.
    pub fn describe(&self) -> Vec<String> {
        fn line<T>(key: Key, shown: String, s: &Setting<T>) -> String {
            format!("{} = {shown}  ({})", key.file, s.source)
        }
        let mut out = vec![
            line(
                DISCORD_TOKEN,
                self.token
                    .value
                    .as_ref()
                    .map_or_else(|| "(missing)".to_string(), Secret::masked),
                &self.token,
            ),
            line(
                DATABASE_URL,
                crate::store::redact_url(&self.database_url.value),
                &self.database_url,
            ),
            line(
                DEV_GUILD_ID,
                self.dev_guild_id.value.map_or_else(
                    || "(unset: commands are registered globally)".to_string(),
                    |g| g.to_string(),
                ),
                &self.dev_guild_id,
            ),
            line(
                METRICS_ADDR,
                self.metrics_addr.value.map_or_else(
                    || "(unset: no /metrics or /healthz endpoint)".to_string(),
                    |a| a.to_string(),
                ),
                &self.metrics_addr,
            ),
            line(
                LOG_FORMAT,
                match self.log_format.value {
                    LogFormat::Text => "text",
                    LogFormat::Json => "json",
                }
                .to_string(),
                &self.log_format,
            ),
            line(LOG_FILTER, self.log_filter.value.clone(), &self.log_filter),
            line(
                DROP_GRACE_MINUTES,
                self.drop_grace_minutes.value.to_string(),
                &self.drop_grace_minutes,
            ),
            line(
                LOBBY_SECONDS,
                self.lobby_seconds.value.to_string(),
                &self.lobby_seconds,
            ),
            line(
                BUTTON_COOLDOWN_MS,
                self.button_cooldown_ms.value.to_string(),
                &self.button_cooldown_ms,
            ),
            line(
                COOLING_OFF_DAYS,
                self.cooling_off_days.value.to_string(),
                &self.cooling_off_days,
            ),
            line(
                SHARDS,
                match self.sharding {
                    Sharding::Auto => {
                        "(unset: every shard in this process, as many as Discord recommends)"
                            .to_string()
                    }
                    Sharding::All { total } => {
                        format!("(unset: every shard of {total} in this process)")
                    }
                    Sharding::Range(r) if r.first() == r.last() => {
                        format!("{} (shard {} of {})", r.first(), r.first(), r.total())
                    }
                    Sharding::Range(r) => format!(
                        "{}-{} (shards {} to {} of {})",
                        r.first(),
                        r.last(),
                        r.first(),
                        r.last(),
                        r.total()
                    ),
                },
                &self.shards,
            ),
            line(
                SHARD_TOTAL,
                self.shard_total.value.map_or_else(
                    || "(unset: as many as Discord recommends)".to_string(),
                    |t| t.to_string(),
                ),
                &self.shard_total,
            ),
        ];
        let j = &self.judge;
        out.extend([
            line(
                JUDGE_URL,
                j.url.value.as_deref().map_or_else(
                    || "(unset: no AI judge; no answer leaves the bot)".to_string(),
                    crate::store::redact_url,
                ),
                &j.url,
            ),
            line(
                JUDGE_MODEL,
                j.model
                    .value
                    .clone()
                    .unwrap_or_else(|| "(unset)".to_string()),
                &j.model,
            ),
            line(
                JUDGE_API_KEY,
                j.api_key.value.as_ref().map_or_else(
                    || "(unset: no Authorization header)".to_string(),
                    Secret::masked,
                ),
                &j.api_key,
            ),
            line(
                JUDGE_TIMEOUT_SECONDS,
                j.timeout_seconds.value.to_string(),
                &j.timeout_seconds,
            ),
            line(
                JUDGE_CONCURRENCY,
                j.concurrency.value.to_string(),
                &j.concurrency,
            ),
            line(
                JUDGE_DAILY_BUDGET,
                j.daily_budget.value.to_string(),
                &j.daily_budget,
            ),
        ]);
        if let Some(base) = &self.api_base {
            out.push(format!(
                "api_base = {base}  (flag --api-base; for tests only)"
            ));
        }
        if let Some(ms) = self.second_ms {
            out.push(format!(
                "second = {ms} ms  (flag --second-ms; for tests only)"
            ));
        }
        if let Some(ms) = self.drop_hour_ms {
            out.push(format!(
                "drop_hour = {ms} ms  (flag --drop-hour-ms; for tests only)"
            ));
        }
        if let Some(ms) = self.lease_ms {
            out.push(format!(
                "step_lease = {ms} ms  (flag --lease-ms; for tests only)"
            ));
        }
        out
    }
}
