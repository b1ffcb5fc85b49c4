//! The `--config` file layer and the defaults beneath it, merged by figment: the defaults are
//! one provider, the file another, and figment's metadata of each merged value says which of
//! the two it came from. Extraction into [`FileValues`] refuses unknown keys and wrong types
//! with typed errors naming the key, which become messages with the key's line.
//!
//! The file is parsed once, by the `toml` crate, keeping the span of every key for those line
//! numbers; figment receives the parsed table (it needs no TOML parser of its own).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use figment::error::{Actual, Kind};
use figment::providers::Serialized;
use figment::value::{Dict, Map};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

use super::keys::{ALL_KEYS, DEFAULT_LOG_FILTER, Key};
use super::source::{SettingsError, Source};

/// Every key a file may hold, with the defaults under it. Unknown keys are refused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileValues {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discord_token: Option<String>,
    pub database_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_guild_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_addr: Option<String>,
    pub log_format: String,
    pub log_filter: String,
    pub drop_grace_minutes: u32,
    pub lobby_seconds: u32,
    pub button_cooldown_ms: u64,
    pub cooling_off_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_total: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_api_key: Option<String>,
    pub judge_timeout_seconds: u32,
    pub judge_concurrency: u32,
    pub judge_daily_budget: u32,
}

impl Default for FileValues {
    /// The defaults of every setting.
    fn default() -> Self {
        let judge = crate::app::judge::JudgeLimits::default();
        FileValues {
            discord_token: None,
            database_url: crate::store::DEFAULT_DATABASE_URL.to_string(),
            dev_guild_id: None,
            metrics_addr: None,
            log_format: "text".to_string(),
            log_filter: DEFAULT_LOG_FILTER.to_string(),
            drop_grace_minutes: 120,
            lobby_seconds: 60,
            button_cooldown_ms: 2000,
            cooling_off_days: crate::store::DEFAULT_COOLING_OFF_DAYS,
            shards: None,
            shard_total: None,
            judge_url: None,
            judge_model: None,
            judge_api_key: None,
            judge_timeout_seconds: u32::try_from(judge.timeout.as_secs()).unwrap_or(20),
            judge_concurrency: u32::try_from(judge.concurrency).unwrap_or(2),
            judge_daily_budget: judge.daily_budget,
        }
    }
}

/// A parsed config file as a figment provider: its table, and its path as the metadata's
/// source (which is how a merged value is known to come from the file).
struct TomlFile {
    path: PathBuf,
    table: toml::Table,
}

impl Provider for TomlFile {
    fn metadata(&self) -> Metadata {
        Metadata::from("config file", figment::Source::File(self.path.clone()))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Serialized::defaults(&self.table).data()
    }
}

/// The defaults, and over them the `--config` file if one was given.
#[derive(Debug)]
pub struct FileLayer {
    figment: Figment,
    /// The file's path and the line of each of its keys.
    file: Option<(PathBuf, HashMap<String, usize>)>,
    pub(super) values: FileValues,
}

impl FileLayer {
    /// The defaults alone (no `--config`; the terminal commands read no file).
    pub fn defaults() -> FileLayer {
        let figment = Figment::from(Serialized::defaults(FileValues::default()));
        FileLayer {
            figment,
            file: None,
            values: FileValues::default(),
        }
    }

    pub fn read(path: &Path) -> Result<FileLayer, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        FileLayer::parse(path, &text)
    }

    /// The defaults with the file `text` (named `path` in messages) over them.
    pub fn parse(path: &Path, text: &str) -> Result<FileLayer, SettingsError> {
        let syntax = |e: toml::de::Error| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => SettingsError::FileAt {
                    path: path.to_path_buf(),
                    line: line_of(text, &span),
                    message,
                },
                None => SettingsError::File {
                    path: path.to_path_buf(),
                    message,
                },
            }
        };
        let lines: HashMap<String, usize> = toml::de::DeTable::parse(text)
            .map_err(syntax)?
            .get_ref()
            .iter()
            .map(|(key, _)| (key.get_ref().to_string(), line_of(text, &key.span())))
            .collect();
        let table = toml::from_str::<toml::Table>(text).map_err(syntax)?;
        let figment = Figment::from(Serialized::defaults(FileValues::default())).merge(TomlFile {
            path: path.to_path_buf(),
            table,
        });
        let values = figment
            .extract::<FileValues>()
            .map_err(|e| file_error(path, &lines, &e))?;
        Ok(FileLayer {
            figment,
            file: Some((path.to_path_buf(), lines)),
            values,
        })
    }

    /// Whether `key`'s value is the file's (with its line) or the default.
    pub(super) fn source(&self, key: Key) -> Source {
        let from_file = self
            .figment
            .find_metadata(key.file)
            .is_some_and(|m| matches!(m.source, Some(figment::Source::File(_))));
        match &self.file {
            Some((path, lines)) if from_file => Source::File {
                path: path.clone(),
                line: lines.get(key.file).copied().unwrap_or(1),
            },
            _ => Source::Default,
        }
    }
}

/// figment's error as the file's path, the key's line and what was wrong, without the value.
fn file_error(path: &Path, lines: &HashMap<String, usize>, e: &figment::Error) -> SettingsError {
    let key = match &e.kind {
        Kind::UnknownField(key, _) => Some(key.clone()),
        _ => e.path.first().cloned(),
    };
    let line = key.as_ref().and_then(|k| lines.get(k)).copied();
    let path = path.to_path_buf();
    match (&e.kind, line) {
        (Kind::UnknownField(key, _), Some(line)) => SettingsError::UnknownKey {
            path,
            line,
            key: key.clone(),
            known: known_keys(),
        },
        (kind, Some(line)) => SettingsError::FileAt {
            path,
            line,
            message: what_was_wrong(kind, key.as_deref()),
        },
        (kind, None) => SettingsError::File {
            path,
            message: what_was_wrong(kind, key.as_deref()),
        },
    }
}

pub(super) fn known_keys() -> String {
    ALL_KEYS.map(|k| k.file).join(", ")
}

/// "expected a number of seconds, found a string": what the key takes, and the kind (not the
/// text) of what it was given.
fn what_was_wrong(kind: &Kind, key: Option<&str>) -> String {
    let what = |expected: &str| {
        key.and_then(|k| ALL_KEYS.iter().find(|x| x.file == k))
            .map_or_else(|| expected.to_string(), |k| k.what.to_string())
    };
    match kind {
        Kind::InvalidType(actual, expected) => {
            format!("expected {}, found {}", what(expected), kind_of(actual))
        }
        Kind::InvalidValue(Actual::Signed(v), expected) if *v < 0 => {
            format!("expected {}, found a negative number", what(expected))
        }
        Kind::InvalidValue(Actual::Signed(_) | Actual::Unsigned(_), expected) => {
            format!("expected {}, found a number too large", what(expected))
        }
        Kind::InvalidValue(actual, expected) => {
            format!("expected {}, found {}", what(expected), kind_of(actual))
        }
        Kind::UnknownField(key, _) => format!("unknown key `{key}`; known keys: {}", known_keys()),
        other => other.to_string(),
    }
}

fn kind_of(actual: &Actual) -> &'static str {
    match actual {
        Actual::Bool(_) => "true or false",
        Actual::Unsigned(_) | Actual::Signed(_) => "a number",
        Actual::Float(_) => "a decimal number",
        Actual::Char(_) | Actual::Str(_) => "a string",
        Actual::Seq => "an array",
        Actual::Map => "a table",
        _ => "a value of another kind",
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
