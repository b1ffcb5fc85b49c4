//! Every setting of the bot, resolved in one place: a flag beats the environment, which beats
//! the `--config` file, which beats the default. Each value remembers where it came from, so
//! `interview-bot config check` can tell an operator why a setting has the value it has.
//!
//! Two layers, each done by a library: clap takes a flag over its environment variable and
//! says which one a value came from ([`given`]); figment merges the file over the defaults and
//! says which of those a value came from ([`file`]). A value clap has wins; otherwise the file
//! or the default does. [`values`] parses text into typed values and checks them, naming the
//! source of a bad one without repeating it; [`describe`] prints them for `config check`.

mod describe;
mod file;
mod given;
mod keys;
mod source;
mod values;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::time::Duration;

pub use file::FileLayer;
pub use given::{BotArgs, CommonArgs, Given, JudgeArgs};
pub use keys::*;
pub use source::{Setting, SettingsError, Source};

use super::LogFormat;
use crate::config::{JudgeConfig, Secret, ShardIds, Sharding, Timings};
use values::{as_string, number, parse_addr, parse_log_format, pick, sharding, within};

/// Everything `interview-bot run` needs, each value with its source.
#[derive(Debug, Clone)]
pub struct Settings {
    pub token: Setting<Option<Secret>>,
    pub database_url: Setting<String>,
    pub dev_guild_id: Setting<Option<u64>>,
    pub metrics_addr: Setting<Option<SocketAddr>>,
    pub log_format: Setting<LogFormat>,
    pub log_filter: Setting<String>,
    pub drop_grace_minutes: Setting<u32>,
    pub lobby_seconds: Setting<u32>,
    pub button_cooldown_ms: Setting<u64>,
    pub cooling_off_days: Setting<u32>,
    /// Shard ids of this process (with `shard_total`); unset: every shard.
    pub shards: Setting<Option<ShardIds>>,
    pub shard_total: Setting<Option<u32>>,
    /// What `shards` and `shard_total` mean together, checked.
    pub sharding: Sharding,
    /// The optional AI judge's settings, and what they mean together.
    pub judge: JudgeSettings,
    /// Test-only; flag only.
    pub api_base: Option<String>,
    /// Test-only, flag only: a round second and a drop hour, shortened.
    pub second_ms: Option<u64>,
    pub drop_hour_ms: Option<u64>,
    pub lease_ms: Option<u64>,
}

/// The test-only flags of `run` (hidden; no environment variable or file key).
#[derive(Debug, Clone, Default)]
pub struct TestFlags {
    pub api_base: Option<String>,
    pub second_ms: Option<u64>,
    pub drop_hour_ms: Option<u64>,
    pub lease_ms: Option<u64>,
}

/// What every command needs.
#[derive(Debug, Clone)]
pub struct Common {
    pub database_url: Setting<String>,
    pub log_format: Setting<LogFormat>,
    pub log_filter: Setting<String>,
}

/// The AI judge's settings, each with its source, and the judge they describe (`None` when
/// `judge_url` is unset: no AI, nothing changes).
#[derive(Debug, Clone)]
pub struct JudgeSettings {
    pub url: Setting<Option<String>>,
    pub model: Setting<Option<String>>,
    pub api_key: Setting<Option<Secret>>,
    pub timeout_seconds: Setting<u32>,
    pub concurrency: Setting<u32>,
    pub daily_budget: Setting<u32>,
    pub config: Option<JudgeConfig>,
}

impl JudgeSettings {
    /// The judge's settings from flags and the environment over `file` (the defaults alone for
    /// `eval`). A URL without a model, a model without a URL or a URL that is not http(s) is
    /// refused naming its source.
    pub fn resolve(given: &Given, file: &FileLayer) -> Result<JudgeSettings, SettingsError> {
        if let Some(key) = given::secret_from_flag(given, &JUDGE_KEYS) {
            return Err(SettingsError::TokenFlag {
                flag: secret_flag(key),
                env: key.env,
                file: key.file,
            });
        }
        let text = |s: &str| Ok(Some(s.to_string()).filter(|s| !s.is_empty()));
        let from_file = |v: &Option<String>| {
            Ok(v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string))
        };
        let url = pick(JUDGE_URL, given, text, file, |f| {
            from_file(&f.values.judge_url)
        })?;
        if let Some(u) = &url.value {
            crate::judge_client::endpoint(u).map_err(|e| SettingsError::Value {
                origin: url.source.clone(),
                reason: e.to_string(),
            })?;
        }
        let model = pick(JUDGE_MODEL, given, text, file, |f| {
            from_file(&f.values.judge_model)
        })?;
        let api_key = pick(
            JUDGE_API_KEY,
            given,
            |s| Ok(Some(Secret::new(s))),
            file,
            |f| Ok(from_file(&f.values.judge_api_key)?.map(Secret::new)),
        )?;
        let timeout_seconds = pick(
            JUDGE_TIMEOUT_SECONDS,
            given,
            number(JUDGE_TIMEOUT_SECONDS),
            file,
            |f| Ok(f.values.judge_timeout_seconds),
        )?;
        within(
            &timeout_seconds,
            1..=300,
            "the judge's timeout is 1 to 300 seconds",
        )?;
        let concurrency = pick(
            JUDGE_CONCURRENCY,
            given,
            number(JUDGE_CONCURRENCY),
            file,
            |f| Ok(f.values.judge_concurrency),
        )?;
        within(
            &concurrency,
            1..=64,
            "the judge takes 1 to 64 requests at once",
        )?;
        let daily_budget = pick(
            JUDGE_DAILY_BUDGET,
            given,
            number(JUDGE_DAILY_BUDGET),
            file,
            |f| Ok(f.values.judge_daily_budget),
        )?;
        let config = match (&url.value, &model.value) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(SettingsError::Value {
                    origin: url.source.clone(),
                    reason: format!(
                        "the AI judge needs a model as well ({} / {} / `{}`)",
                        JUDGE_MODEL.flag.unwrap_or_default(),
                        JUDGE_MODEL.env,
                        JUDGE_MODEL.file
                    ),
                });
            }
            (None, Some(_)) => {
                return Err(SettingsError::Value {
                    origin: model.source.clone(),
                    reason: format!(
                        "a judge model needs the server's URL as well ({} / {} / `{}`)",
                        JUDGE_URL.flag.unwrap_or_default(),
                        JUDGE_URL.env,
                        JUDGE_URL.file
                    ),
                });
            }
            (Some(u), Some(m)) => Some(JudgeConfig {
                url: u.clone(),
                model: m.clone(),
                api_key: api_key.value.clone(),
                limits: crate::app::judge::JudgeLimits {
                    timeout: Duration::from_secs(u64::from(timeout_seconds.value)),
                    concurrency: usize::try_from(concurrency.value).unwrap_or(2),
                    daily_budget: daily_budget.value,
                },
            }),
        };
        Ok(JudgeSettings {
            url,
            model,
            api_key,
            timeout_seconds,
            concurrency,
            daily_budget,
            config,
        })
    }
}

/// The database URL, log format and log filter (the terminal commands read no config file:
/// pass [`FileLayer::defaults`]).
pub fn common(given: &Given, file: &FileLayer) -> Result<Common, SettingsError> {
    Ok(Common {
        database_url: pick(DATABASE_URL, given, as_string, file, |f| {
            Ok(f.values.database_url.clone())
        })?,
        log_format: pick(LOG_FORMAT, given, parse_log_format, file, |f| {
            parse_log_format(f.values.log_format.trim())
        })?,
        log_filter: pick(LOG_FILTER, given, as_string, file, |f| {
            Ok(f.values.log_filter.clone())
        })?,
    })
}

impl Settings {
    /// Resolve every setting: `given` from clap, the file at `config` (read here) if any.
    pub fn resolve(
        given: &Given,
        config: Option<&std::path::Path>,
        test: &TestFlags,
    ) -> Result<Settings, SettingsError> {
        let file = match config {
            Some(path) => FileLayer::read(path)?,
            None => FileLayer::defaults(),
        };
        Settings::resolve_with(given, &file, test)
    }

    /// Resolve every setting against an already parsed file (or the defaults alone).
    pub fn resolve_with(
        given: &Given,
        file: &FileLayer,
        test: &TestFlags,
    ) -> Result<Settings, SettingsError> {
        if let Some(key) = given::secret_from_flag(given, &ALL_KEYS) {
            return Err(SettingsError::TokenFlag {
                flag: secret_flag(key),
                env: key.env,
                file: key.file,
            });
        }
        let Common {
            database_url,
            log_format,
            log_filter,
        } = common(given, file)?;
        let secret = |s: &str| Ok(Some(Secret::new(s)));
        let mut token = pick(DISCORD_TOKEN, given, secret, file, |f| {
            let t = f.values.discord_token.as_deref().map(str::trim);
            Ok(t.filter(|t| !t.is_empty()).map(Secret::new))
        })?;
        if token.value.is_none() {
            // A blank `discord_token = ""` counts as unset.
            token.source = Source::Default;
        }
        let dev_guild_id = pick(
            DEV_GUILD_ID,
            given,
            |s| number(DEV_GUILD_ID)(s).map(Some),
            file,
            |f| Ok(f.values.dev_guild_id),
        )?;
        let metrics_addr = pick(
            METRICS_ADDR,
            given,
            |s| parse_addr(s).map(Some),
            file,
            |f| {
                f.values
                    .metrics_addr
                    .as_deref()
                    .map(|s| parse_addr(s.trim()))
                    .transpose()
            },
        )?;
        let drop_grace_minutes = pick(
            DROP_GRACE_MINUTES,
            given,
            number(DROP_GRACE_MINUTES),
            file,
            |f| Ok(f.values.drop_grace_minutes),
        )?;
        let lobby_seconds = pick(LOBBY_SECONDS, given, number(LOBBY_SECONDS), file, |f| {
            Ok(f.values.lobby_seconds)
        })?;
        let button_cooldown_ms = pick(
            BUTTON_COOLDOWN_MS,
            given,
            number(BUTTON_COOLDOWN_MS),
            file,
            |f| Ok(f.values.button_cooldown_ms),
        )?;
        let cooling_off_days = pick(
            COOLING_OFF_DAYS,
            given,
            number(COOLING_OFF_DAYS),
            file,
            |f| Ok(f.values.cooling_off_days),
        )?;
        within(
            &cooling_off_days,
            0..=3650,
            "a cooling-off period lasts 0 to 3650 days",
        )?;
        within(&lobby_seconds, 1..=3600, "a lobby lasts 1 to 3600 seconds")?;
        let parse_shards = |s: &str| s.parse::<ShardIds>().map(Some);
        let shards = pick(SHARDS, given, parse_shards, file, |f| {
            f.values
                .shards
                .as_deref()
                .map(|s| s.trim().parse::<ShardIds>())
                .transpose()
        })?;
        let shard_total = pick(
            SHARD_TOTAL,
            given,
            |s| number(SHARD_TOTAL)(s).map(Some),
            file,
            |f| Ok(f.values.shard_total),
        )?;
        let sharding = sharding(&shards, &shard_total)?;
        let judge = JudgeSettings::resolve(given, file)?;
        Ok(Settings {
            token,
            database_url,
            dev_guild_id,
            metrics_addr,
            log_format,
            log_filter,
            drop_grace_minutes,
            lobby_seconds,
            button_cooldown_ms,
            cooling_off_days,
            shards,
            shard_total,
            sharding,
            judge,
            api_base: test.api_base.clone(),
            second_ms: test.second_ms,
            drop_hour_ms: test.drop_hour_ms,
            lease_ms: test.lease_ms,
        })
    }

    /// The bot's timings: production speed with these settings (tests may shorten a round
    /// second and a drop hour with the hidden flags).
    pub fn timings(&self) -> Timings {
        let defaults = Timings::default();
        Timings {
            lobby_seconds: self.lobby_seconds.value,
            button_cooldown: Duration::from_millis(self.button_cooldown_ms.value),
            drop_grace: Duration::from_secs(u64::from(self.drop_grace_minutes.value) * 60),
            second: self
                .second_ms
                .map_or(defaults.second, Duration::from_millis),
            drop_hour: self
                .drop_hour_ms
                .map_or(defaults.drop_hour, Duration::from_millis),
            step_lease: self
                .lease_ms
                .map_or(defaults.step_lease, Duration::from_millis),
        }
    }
}
