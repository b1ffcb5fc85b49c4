//! From text to typed values: the parsers of each kind of setting, the rule that joins the two
//! layers (clap's flag-or-environment value if there is one, else figment's file-or-default
//! value), and the checks across settings (lobby length, cooling-off period, shards).

use std::net::SocketAddr;

use super::file::FileLayer;
use super::given::Given;
use super::keys::{Key, SHARD_TOTAL};
use super::source::{Setting, SettingsError};
use crate::cli::LogFormat;
use crate::config::{ShardIds, ShardRange, Sharding};

/// A flag's or environment variable's value if either was given, parsed, else the file's or
/// the default (`from_file`, checked the same way). A bad value is reported with its source.
pub(super) fn pick<T>(
    key: Key,
    given: &Given,
    parse: impl Fn(&str) -> Result<T, String>,
    file: &FileLayer,
    from_file: impl FnOnce(&FileLayer) -> Result<T, String>,
) -> Result<Setting<T>, SettingsError> {
    // The file's value is checked even when a flag or variable overrides it: a broken file
    // is reported before it is relied on.
    let file_value = from_file(file).map_err(|reason| SettingsError::Value {
        origin: file.source(key),
        reason,
    })?;
    let Some((text, source)) = given.get(key) else {
        return Ok(Setting {
            value: file_value,
            source: file.source(key),
        });
    };
    match parse(text.trim()) {
        Ok(value) => Ok(Setting {
            value,
            source: source.clone(),
        }),
        Err(reason) => Err(SettingsError::Value {
            origin: source.clone(),
            reason,
        }),
    }
}

/// A number, or "expected <what the key takes>".
pub(super) fn number<T: std::str::FromStr>(key: Key) -> impl Fn(&str) -> Result<T, String> {
    move |s: &str| s.parse::<T>().map_err(|_| format!("expected {}", key.what))
}

pub fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err("expected `text` or `json`".to_string()),
    }
}

pub(super) fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .map_err(|_| "expected an address like 127.0.0.1:9100 or [::]:9100".to_string())
}

pub(super) fn as_string(s: &str) -> Result<String, String> {
    Ok(s.to_string())
}

/// `value` unless it is outside `range`, then `reason` naming its source.
pub(super) fn within<T: PartialOrd + Copy>(
    setting: &Setting<T>,
    range: std::ops::RangeInclusive<T>,
    reason: &str,
) -> Result<(), SettingsError> {
    if range.contains(&setting.value) {
        Ok(())
    } else {
        Err(SettingsError::Value {
            origin: setting.source.clone(),
            reason: reason.to_string(),
        })
    }
}

/// What the shard settings mean together: neither, every shard in this process (as many as
/// Discord recommends); a total alone, every shard of that total; ids and a total, those shards
/// only. Ids without a total, or ids the total does not have, are refused, naming both sources.
pub(super) fn sharding(
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
