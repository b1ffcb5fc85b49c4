//! Every setting of the bot, resolved in one place: a flag beats the environment, which beats
//! the `--config` file, which beats the default. Each value remembers where it came from, so
//! `interview-bot config check` can tell an operator why a setting has the value it has.
//!
//! The environment is passed in (a lookup function) rather than read here, so the precedence
//! rules are tested without touching the process environment.

use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::LogFormat;
use crate::config::{Secret, ShardIds, ShardRange, Sharding, Timings};

/// A setting's names as a flag, an environment variable and a config-file key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub file: &'static str,
    /// None for the token: a flag would show it in the process list.
    pub flag: Option<&'static str>,
    pub env: &'static str,
}

pub const DISCORD_TOKEN: Key = Key {
    file: "discord_token",
    flag: None,
    env: "DISCORD_TOKEN",
};
pub const DATABASE_URL: Key = Key {
    file: "database_url",
    flag: Some("--database-url"),
    env: "DATABASE_URL",
};
pub const DEV_GUILD_ID: Key = Key {
    file: "dev_guild_id",
    flag: Some("--dev-guild-id"),
    env: "DEV_GUILD_ID",
};
pub const LOG_FORMAT: Key = Key {
    file: "log_format",
    flag: Some("--log-format"),
    env: "LOG_FORMAT",
};
pub const LOG_FILTER: Key = Key {
    file: "log_filter",
    flag: Some("--log-filter"),
    env: "RUST_LOG",
};
pub const METRICS_ADDR: Key = Key {
    file: "metrics_addr",
    flag: Some("--metrics-addr"),
    env: "METRICS_ADDR",
};
pub const DROP_GRACE_MINUTES: Key = Key {
    file: "drop_grace_minutes",
    flag: Some("--drop-grace-minutes"),
    env: "DROP_GRACE_MINUTES",
};
pub const LOBBY_SECONDS: Key = Key {
    file: "lobby_seconds",
    flag: Some("--lobby-seconds"),
    env: "LOBBY_SECONDS",
};
pub const BUTTON_COOLDOWN_MS: Key = Key {
    file: "button_cooldown_ms",
    flag: Some("--button-cooldown-ms"),
    env: "BUTTON_COOLDOWN_MS",
};
pub const COOLING_OFF_DAYS: Key = Key {
    file: "cooling_off_days",
    flag: Some("--cooling-off-days"),
    env: "COOLING_OFF_DAYS",
};
pub const SHARDS: Key = Key {
    file: "shards",
    flag: Some("--shards"),
    env: "SHARDS",
};
pub const SHARD_TOTAL: Key = Key {
    file: "shard_total",
    flag: Some("--shard-total"),
    env: "SHARD_TOTAL",
};

/// Every key a config file may hold, in the order `config check` prints them.
pub const ALL_KEYS: [Key; 12] = [
    DISCORD_TOKEN,
    DATABASE_URL,
    DEV_GUILD_ID,
    METRICS_ADDR,
    LOG_FORMAT,
    LOG_FILTER,
    DROP_GRACE_MINUTES,
    LOBBY_SECONDS,
    BUTTON_COOLDOWN_MS,
    COOLING_OFF_DAYS,
    SHARDS,
    SHARD_TOTAL,
];

/// The default log filter when neither `--log-filter`, `RUST_LOG` nor the file sets one.
pub const DEFAULT_LOG_FILTER: &str = "warn";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    File { path: PathBuf, line: usize },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag {flag}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::File { path, line } => write!(f, "file {} line {line}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: line {line}: unknown key `{key}`; known keys: {known}")]
    UnknownKey {
        path: PathBuf,
        line: usize,
        key: String,
        known: String,
    },
    #[error("{path}: line {line}: {message}")]
    FileAt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// A bad value from the environment or the file. The value is not repeated: it may be
    /// secret.
    #[error("{origin}: {reason}")]
    Value { origin: Source, reason: String },
    /// Shard ids without a total, or a range that does not fit the total.
    #[error("{0}")]
    Shards(String),
}

/// What the command line gave (None: not given).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub database_url: Option<String>,
    pub dev_guild_id: Option<u64>,
    pub log_format: Option<LogFormat>,
    pub log_filter: Option<String>,
    pub metrics_addr: Option<SocketAddr>,
    pub drop_grace_minutes: Option<u32>,
    pub lobby_seconds: Option<u32>,
    pub button_cooldown_ms: Option<u64>,
    pub cooling_off_days: Option<u32>,
    pub shards: Option<ShardIds>,
    pub shard_total: Option<u32>,
    /// Test-only (hidden): REST and gateway base of a fake Discord.
    pub api_base: Option<String>,
    /// Test-only (hidden): the length of a round second and of a drop hour, in milliseconds.
    pub second_ms: Option<u64>,
    pub drop_hour_ms: Option<u64>,
    pub lease_ms: Option<u64>,
}

/// The `--config` file as written. Unknown keys are refused (see [`FileSettings::parse`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    discord_token: Option<Spanned<String>>,
    database_url: Option<Spanned<String>>,
    dev_guild_id: Option<Spanned<u64>>,
    metrics_addr: Option<Spanned<String>>,
    log_format: Option<Spanned<String>>,
    log_filter: Option<Spanned<String>>,
    drop_grace_minutes: Option<Spanned<u32>>,
    lobby_seconds: Option<Spanned<u32>>,
    button_cooldown_ms: Option<Spanned<u64>>,
    cooling_off_days: Option<Spanned<u32>>,
    shards: Option<Spanned<String>>,
    shard_total: Option<Spanned<u32>>,
}

/// A parsed config file: each value with its line.
#[derive(Debug)]
pub struct FileSettings {
    path: PathBuf,
    raw: RawFile,
    text: String,
}

impl FileSettings {
    pub fn read(path: &Path) -> Result<FileSettings, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        FileSettings::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<FileSettings, SettingsError> {
        let raw = toml::from_str::<RawFile>(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, &s));
            let message = e.message().trim().to_string();
            let path = path.to_path_buf();
            match (line, unknown_field(&message)) {
                (Some(line), Some(key)) => SettingsError::UnknownKey {
                    path,
                    line,
                    key,
                    known: ALL_KEYS.map(|k| k.file).join(", "),
                },
                (Some(line), None) => SettingsError::FileAt {
                    path,
                    line,
                    message,
                },
                (None, _) => SettingsError::File { path, message },
            }
        })?;
        Ok(FileSettings {
            path: path.to_path_buf(),
            raw,
            text: text.to_string(),
        })
    }

    fn source(&self, span: Range<usize>) -> Source {
        Source::File {
            path: self.path.clone(),
            line: line_of(&self.text, &span),
        }
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, span: &Range<usize>) -> usize {
    let end = span.start.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The key in serde's "unknown field `x`, expected one of …".
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

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
    /// Test-only; flag only.
    pub api_base: Option<String>,
    /// Test-only, flag only: a round second and a drop hour, shortened.
    pub second_ms: Option<u64>,
    pub drop_hour_ms: Option<u64>,
    pub lease_ms: Option<u64>,
}

/// Reads the environment: `env("NAME")`. Blank values count as unset, so an env file with
/// `DEV_GUILD_ID=` behaves like one without the line.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, for production.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn env_value(env: Env<'_>, key: Key) -> Option<String> {
    env(key.env).filter(|v| !v.trim().is_empty())
}

/// Flag over environment over file over default, for one key.
fn pick<T>(
    key: Key,
    flag: Option<T>,
    env: Env<'_>,
    parse_env: impl Fn(&str) -> Result<T, String>,
    file: Option<(&FileSettings, Spanned<T>)>,
    default: T,
) -> Result<Setting<T>, SettingsError> {
    if let (Some(value), Some(name)) = (flag, key.flag) {
        return Ok(Setting {
            value,
            source: Source::Flag(name),
        });
    }
    if let Some(text) = env_value(env, key) {
        let source = Source::Env(key.env);
        return match parse_env(text.trim()) {
            Ok(value) => Ok(Setting { value, source }),
            Err(reason) => Err(SettingsError::Value {
                origin: source,
                reason,
            }),
        };
    }
    if let Some((file, spanned)) = file {
        let source = file.source(spanned.span());
        return Ok(Setting {
            value: spanned.into_inner(),
            source,
        });
    }
    Ok(Setting {
        value: default,
        source: Source::Default,
    })
}

/// A file value checked like an env value would be (e.g. an address), with its line on error.
fn checked<'f, T>(
    file: Option<&'f FileSettings>,
    spanned: Option<&Spanned<String>>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<(&'f FileSettings, Spanned<T>)>, SettingsError> {
    let (Some(file), Some(s)) = (file, spanned) else {
        return Ok(None);
    };
    match parse(s.get_ref().trim()) {
        Ok(v) => Ok(Some((file, Spanned::new(s.span(), v)))),
        Err(reason) => Err(SettingsError::Value {
            origin: file.source(s.span()),
            reason,
        }),
    }
}

fn with_file<T: Clone>(
    file: Option<&FileSettings>,
    get: impl Fn(&RawFile) -> &Option<Spanned<T>>,
) -> Option<(&FileSettings, Spanned<T>)> {
    let file = file?;
    get(&file.raw).clone().map(|v| (file, v))
}

fn parse_number<T: std::str::FromStr>(what: &str) -> impl Fn(&str) -> Result<T, String> {
    move |s: &str| s.parse::<T>().map_err(|_| format!("expected {what}"))
}

pub fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("expected `text` or `json`".to_string()),
    }
}

fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .map_err(|_| format!("`{s}` is not an address like 127.0.0.1:9100 or [::]:9100"))
}

fn as_string(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

/// What every command needs.
#[derive(Debug, Clone)]
pub struct Common {
    pub database_url: Setting<String>,
    pub log_format: Setting<LogFormat>,
    pub log_filter: Setting<String>,
}

/// The database URL, log format and log filter (the terminal commands read no config file).
pub fn common(
    flags: &Flags,
    env: Env<'_>,
    file: Option<&FileSettings>,
) -> Result<Common, SettingsError> {
    let database_url = pick(
        DATABASE_URL,
        flags.database_url.clone(),
        env,
        as_string,
        with_file(file, |r| &r.database_url),
        crate::store::DEFAULT_DATABASE_URL.to_string(),
    )?;
    let log_format = pick(
        LOG_FORMAT,
        flags.log_format,
        env,
        parse_log_format,
        checked(
            file,
            file.and_then(|f| f.raw.log_format.as_ref()),
            parse_log_format,
        )?,
        LogFormat::Text,
    )?;
    let log_filter = pick(
        LOG_FILTER,
        flags.log_filter.clone(),
        env,
        as_string,
        with_file(file, |r| &r.log_filter),
        DEFAULT_LOG_FILTER.to_string(),
    )?;
    Ok(Common {
        database_url,
        log_format,
        log_filter,
    })
}

/// What the shard settings mean together: neither, every shard in this process (as many as
/// Discord recommends); a total alone, every shard of that total; ids and a total, those shards
/// only. Ids without a total, or ids the total does not have, are refused, naming both sources.
fn sharding(
    shards: &Setting<Option<ShardIds>>,
    total: &Setting<Option<u32>>,
) -> Result<Sharding, SettingsError> {
    match (shards.value, total.value) {
        (None, None) => Ok(Sharding::Auto),
        (_, Some(0)) => Err(SettingsError::Value {
            origin: total.source.clone(),
            reason: "the shard total must be 1 or more".into(),
        }),
        (None, Some(total)) => Ok(Sharding::All { total }),
        (Some(ids), None) => Err(SettingsError::Shards(format!(
            "{}: {} the shard total as well ({} / {} / `{}`): every process of the bot must be given the same total",
            shards.source,
            if ids.first == ids.last {
                format!("shard {} needs", ids.first)
            } else {
                format!("shards {ids} need")
            },
            SHARD_TOTAL.flag.unwrap_or_default(),
            SHARD_TOTAL.env,
            SHARD_TOTAL.file
        ))),
        (Some(ids), Some(n)) => ShardRange::new(ids, n).map(Sharding::Range).map_err(|e| {
            SettingsError::Shards(format!("{} with {}: {e}", shards.source, total.source))
        }),
    }
}

impl Settings {
    /// Resolve every setting. `flags.config` names the file, read here.
    pub fn resolve(flags: &Flags, env: Env<'_>) -> Result<Settings, SettingsError> {
        let file = match &flags.config {
            Some(path) => Some(FileSettings::read(path)?),
            None => None,
        };
        Settings::resolve_with(flags, env, file.as_ref())
    }

    /// Resolve every setting against an already parsed file.
    pub fn resolve_with(
        flags: &Flags,
        env: Env<'_>,
        file: Option<&FileSettings>,
    ) -> Result<Settings, SettingsError> {
        let Common {
            database_url,
            log_format,
            log_filter,
        } = common(flags, env, file)?;
        let token = pick(
            DISCORD_TOKEN,
            None,
            env,
            |s| Ok(Some(Secret::new(s))),
            file.and_then(|f| {
                let t = f.raw.discord_token.as_ref()?;
                let trimmed = t.get_ref().trim();
                (!trimmed.is_empty())
                    .then(|| (f, Spanned::new(t.span(), Some(Secret::new(trimmed)))))
            }),
            None,
        )?;
        let dev_guild_id = pick(
            DEV_GUILD_ID,
            flags.dev_guild_id.map(Some),
            env,
            |s| parse_number::<u64>("a server id (a number)")(s).map(Some),
            with_file(file, |r| &r.dev_guild_id).map(|(f, s)| {
                let span = s.span();
                (f, Spanned::new(span, Some(s.into_inner())))
            }),
            None,
        )?;
        let metrics_addr = pick(
            METRICS_ADDR,
            flags.metrics_addr.map(Some),
            env,
            |s| parse_addr(s).map(Some),
            checked(file, file.and_then(|f| f.raw.metrics_addr.as_ref()), |s| {
                parse_addr(s).map(Some)
            })?,
            None,
        )?;
        let drop_grace_minutes = pick(
            DROP_GRACE_MINUTES,
            flags.drop_grace_minutes,
            env,
            parse_number::<u32>("a number of minutes"),
            with_file(file, |r| &r.drop_grace_minutes),
            120,
        )?;
        let lobby_seconds = pick(
            LOBBY_SECONDS,
            flags.lobby_seconds,
            env,
            parse_number::<u32>("a number of seconds"),
            with_file(file, |r| &r.lobby_seconds),
            60,
        )?;
        let button_cooldown_ms = pick(
            BUTTON_COOLDOWN_MS,
            flags.button_cooldown_ms,
            env,
            parse_number::<u64>("a number of milliseconds"),
            with_file(file, |r| &r.button_cooldown_ms),
            2000,
        )?;
        let cooling_off_days = pick(
            COOLING_OFF_DAYS,
            flags.cooling_off_days,
            env,
            parse_number::<u32>("a number of days"),
            with_file(file, |r| &r.cooling_off_days),
            crate::store::DEFAULT_COOLING_OFF_DAYS,
        )?;
        if cooling_off_days.value > 3650 {
            return Err(SettingsError::Value {
                origin: cooling_off_days.source,
                reason: "a cooling-off period lasts 0 to 3650 days".into(),
            });
        }
        if !(1..=3600).contains(&lobby_seconds.value) {
            return Err(SettingsError::Value {
                origin: lobby_seconds.source,
                reason: "a lobby lasts 1 to 3600 seconds".into(),
            });
        }
        let shards = pick(
            SHARDS,
            flags.shards.map(Some),
            env,
            |s| s.parse::<ShardIds>().map(Some),
            checked(file, file.and_then(|f| f.raw.shards.as_ref()), |s| {
                s.parse::<ShardIds>().map(Some)
            })?,
            None,
        )?;
        let shard_total = pick(
            SHARD_TOTAL,
            flags.shard_total.map(Some),
            env,
            |s| parse_number::<u32>("a number of shards")(s).map(Some),
            with_file(file, |r| &r.shard_total).map(|(f, s)| {
                let span = s.span();
                (f, Spanned::new(span, Some(s.into_inner())))
            }),
            None,
        )?;
        let sharding = sharding(&shards, &shard_total)?;
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
            api_base: flags.api_base.clone(),
            second_ms: flags.second_ms,
            drop_hour_ms: flags.drop_hour_ms,
            lease_ms: flags.lease_ms,
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// An environment made of a map.
    fn env_from(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn file(text: &str) -> FileSettings {
        FileSettings::parse(Path::new("bot.toml"), text).unwrap()
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[]), None).unwrap();
        assert_eq!(s.token.value, None);
        assert_eq!(s.database_url.value, crate::store::DEFAULT_DATABASE_URL);
        assert_eq!(s.database_url.source, Source::Default);
        assert_eq!(s.dev_guild_id.value, None);
        assert_eq!(s.metrics_addr.value, None);
        assert_eq!(s.log_filter.value, "warn");
        assert_eq!(s.drop_grace_minutes.value, 120);
        let t = s.timings();
        assert_eq!(t.drop_grace, Duration::from_secs(7200));
        assert_eq!(t.lobby_seconds, 60);
        assert_eq!(t.button_cooldown, Duration::from_secs(2));
        assert_eq!(t.second, Duration::from_secs(1), "production speed");
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let f = file(
            "database_url = \"sqlite://file.db\"\n\
             dev_guild_id = 3\n\
             metrics_addr = \"127.0.0.1:9300\"\n\
             lobby_seconds = 30\n\
             drop_grace_minutes = 45\n",
        );
        let env = env_from(&[
            ("DATABASE_URL", "sqlite://env.db"),
            ("DEV_GUILD_ID", "2"),
            ("LOBBY_SECONDS", "20"),
        ]);
        let flags = Flags {
            dev_guild_id: Some(1),
            ..Flags::default()
        };
        let s = Settings::resolve_with(&flags, &env, Some(&f)).unwrap();
        // flag > env > file
        assert_eq!(s.dev_guild_id.value, Some(1));
        assert_eq!(s.dev_guild_id.source, Source::Flag("--dev-guild-id"));
        // env > file
        assert_eq!(s.database_url.value, "sqlite://env.db");
        assert_eq!(s.database_url.source, Source::Env("DATABASE_URL"));
        assert_eq!(s.lobby_seconds.value, 20);
        // file > default, with the line it is on
        assert_eq!(s.metrics_addr.value, "127.0.0.1:9300".parse().ok());
        assert_eq!(
            s.metrics_addr.source,
            Source::File {
                path: PathBuf::from("bot.toml"),
                line: 3
            }
        );
        assert_eq!(s.drop_grace_minutes.value, 45);
        assert_eq!(s.timings().drop_grace, Duration::from_secs(45 * 60));
        // default
        assert_eq!(s.button_cooldown_ms.value, 2000);
        assert_eq!(s.button_cooldown_ms.source, Source::Default);
    }

    #[test]
    fn the_token_comes_from_env_over_file_and_blank_values_count_as_unset() {
        let f = file("discord_token = \" from-file \"\n");
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[]), Some(&f)).unwrap();
        assert_eq!(
            s.token.value.as_ref().map(Secret::expose),
            Some("from-file")
        );
        let env = env_from(&[("DISCORD_TOKEN", "from-env"), ("DEV_GUILD_ID", "  ")]);
        let s = Settings::resolve_with(&Flags::default(), &env, Some(&f)).unwrap();
        assert_eq!(s.token.value.as_ref().map(Secret::expose), Some("from-env"));
        assert_eq!(s.token.source, Source::Env("DISCORD_TOKEN"));
        assert_eq!(s.dev_guild_id.source, Source::Default, "blank env is unset");
        let blank = file("discord_token = \"\"\n");
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[]), Some(&blank)).unwrap();
        assert_eq!(s.token.value, None);
    }

    #[test]
    fn unknown_keys_are_refused_with_key_and_line() {
        let err = FileSettings::parse(
            Path::new("/etc/bot.toml"),
            "database_url = \"sqlite://x.db\"\n\n# comment\nmetrics_port = 9100\n",
        )
        .unwrap_err();
        match &err {
            SettingsError::UnknownKey { line, key, .. } => {
                assert_eq!((*line, key.as_str()), (4, "metrics_port"));
            }
            other => panic!("expected UnknownKey, got {other:?}"),
        }
        let text = err.to_string();
        assert!(
            text.starts_with(
                "/etc/bot.toml: line 4: unknown key `metrics_port`; known keys: discord_token,"
            ),
            "{text}"
        );
        assert!(text.contains("metrics_addr"), "{text}");
    }

    #[test]
    fn bad_values_name_where_they_came_from_without_repeating_them() {
        let f = file("log_format = \"xml\"\n");
        let err = Settings::resolve_with(&Flags::default(), &env_from(&[]), Some(&f)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file bot.toml line 1: expected `text` or `json`"
        );
        let err = FileSettings::parse(Path::new("bot.toml"), "\ndev_guild_id = \"abc\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bot.toml: line 2: "), "{err}");
        let err = Settings::resolve_with(
            &Flags::default(),
            &env_from(&[("METRICS_ADDR", "localhost")]),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("env METRICS_ADDR: "), "{err}");
        let err = Settings::resolve_with(
            &Flags::default(),
            &env_from(&[("LOBBY_SECONDS", "0")]),
            None,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, "env LOBBY_SECONDS: a lobby lasts 1 to 3600 seconds");
    }

    #[test]
    fn describe_masks_the_token_and_names_every_source() {
        let f = file("lobby_seconds = 90\n");
        let env = env_from(&[("DISCORD_TOKEN", "abcdefghijklmnop")]);
        let flags = Flags {
            metrics_addr: "127.0.0.1:9100".parse().ok(),
            ..Flags::default()
        };
        let lines = Settings::resolve_with(&flags, &env, Some(&f))
            .unwrap()
            .describe();
        let all = lines.join("\n");
        assert!(!all.contains("abcdefghijklmnop"), "{all}");
        assert!(
            all.contains("discord_token = abcd…(16 chars)  (env DISCORD_TOKEN)"),
            "{all}"
        );
        assert!(
            all.contains("metrics_addr = 127.0.0.1:9100  (flag --metrics-addr)"),
            "{all}"
        );
        assert!(
            all.contains("lobby_seconds = 90  (file bot.toml line 1)"),
            "{all}"
        );
        assert!(all.contains("log_filter = warn  (default)"), "{all}");
        assert_eq!(lines.len(), ALL_KEYS.len(), "one line per key");
    }

    #[test]
    fn the_shipped_examples_name_every_key_and_the_toml_one_loads() {
        let toml_example = include_str!("../../deploy/config.example.toml");
        let env_example = include_str!("../../deploy/interview-bot.env.example");
        let f = file(toml_example);
        Settings::resolve_with(&Flags::default(), &env_from(&[]), Some(&f)).unwrap();
        for key in ALL_KEYS {
            let in_toml = toml_example.lines().any(|l| {
                l.trim_start_matches('#')
                    .starts_with(&format!("{} = ", key.file))
            });
            assert!(in_toml, "config.example.toml lacks {}", key.file);
            let in_env = env_example.lines().any(|l| {
                l.trim_start_matches('#')
                    .starts_with(&format!("{}=", key.env))
            });
            assert!(in_env, "interview-bot.env.example lacks {}", key.env);
            if let Some(flag) = key.flag {
                assert!(toml_example.contains(flag), "config.example.toml: {flag}");
            }
        }
    }

    #[test]
    fn shard_ranges_come_from_flag_env_or_file_and_must_fit_the_total() {
        // Neither: every shard here, as many as Discord says.
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[]), None).unwrap();
        assert_eq!(s.sharding, Sharding::Auto);
        // Flags.
        let flags = Flags {
            shards: Some(ShardIds { first: 0, last: 1 }),
            shard_total: Some(4),
            ..Flags::default()
        };
        let s = Settings::resolve_with(&flags, &env_from(&[]), None).unwrap();
        let Sharding::Range(r) = s.sharding else {
            panic!("a range: {:?}", s.sharding)
        };
        assert_eq!((r.first(), r.last(), r.total()), (0, 1, 4));
        let all = s.describe().join("\n");
        assert!(
            all.contains("shards = 0-1 (shards 0 to 1 of 4)  (flag --shards)"),
            "{all}"
        );
        assert!(
            all.contains("shard_total = 4  (flag --shard-total)"),
            "{all}"
        );
        // Env, over the file.
        let f = file("shards = \"0\"\nshard_total = 2\n");
        let env = env_from(&[("SHARDS", "1"), ("SHARD_TOTAL", "")]);
        let s = Settings::resolve_with(&Flags::default(), &env, Some(&f)).unwrap();
        let Sharding::Range(r) = s.sharding else {
            panic!("a range: {:?}", s.sharding)
        };
        assert_eq!((r.first(), r.last(), r.total()), (1, 1, 2));
        assert_eq!(s.shards.source, Source::Env("SHARDS"));
        assert!(
            s.describe()
                .contains(&"shards = 1 (shard 1 of 2)  (env SHARDS)".to_string())
        );
        // A total alone: all of its shards here.
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[("SHARD_TOTAL", "3")]), None)
            .unwrap();
        assert_eq!(s.sharding, Sharding::All { total: 3 });
        // Refused, each saying where the values came from.
        let err = |flags: &Flags, env: &[(&str, &str)], f: Option<&FileSettings>| {
            Settings::resolve_with(flags, &env_from(env), f)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&Flags::default(), &[("SHARDS", "0-1")], None),
            "env SHARDS: shards 0-1 need the shard total as well (--shard-total / SHARD_TOTAL / `shard_total`): every process of the bot must be given the same total"
        );
        assert_eq!(
            err(
                &Flags::default(),
                &[("SHARDS", "2-4"), ("SHARD_TOTAL", "4")],
                None
            ),
            "env SHARDS with env SHARD_TOTAL: shard 4 does not exist with a total of 4: shards are numbered 0 to 3"
        );
        assert_eq!(
            err(&Flags::default(), &[("SHARDS", "3-1")], None),
            "env SHARDS: a shard range goes from low to high, like 1-3"
        );
        assert_eq!(
            err(&Flags::default(), &[("SHARD_TOTAL", "0")], None),
            "env SHARD_TOTAL: the shard total must be 1 or more"
        );
        assert_eq!(
            err(&Flags::default(), &[("SHARD_TOTAL", "two")], None),
            "env SHARD_TOTAL: expected a number of shards"
        );
        let f = file("shard_total = 2\n\nshards = \"x\"\n");
        assert_eq!(
            err(&Flags::default(), &[], Some(&f)),
            "file bot.toml line 3: expected a shard id or an inclusive range of them, like 0-1 or 3"
        );
        let f = file("shard_total = 2\nshards = \"1-2\"\n");
        assert_eq!(
            err(&Flags::default(), &[], Some(&f)),
            "file bot.toml line 2 with file bot.toml line 1: shard 2 does not exist with a total of 2: shards are numbered 0 to 1"
        );
    }

    #[test]
    fn every_key_is_accepted_in_a_file() {
        let text: String = ALL_KEYS
            .iter()
            .map(|k| match k.file {
                "dev_guild_id" | "drop_grace_minutes" | "lobby_seconds" | "button_cooldown_ms"
                | "cooling_off_days" | "shard_total" => {
                    format!("{} = 5\n", k.file)
                }
                "shards" => format!("{} = \"0-1\"\n", k.file),
                "metrics_addr" => format!("{} = \"127.0.0.1:1\"\n", k.file),
                "log_format" => format!("{} = \"json\"\n", k.file),
                _ => format!("{} = \"x\"\n", k.file),
            })
            .collect();
        let f = file(&text);
        let s = Settings::resolve_with(&Flags::default(), &env_from(&[]), Some(&f)).unwrap();
        for line in s.describe() {
            assert!(line.contains("(file bot.toml line"), "{line}");
        }
    }
}
