//! Where a value came from ([`Source`]), a value with its source ([`Setting`]), and what can go
//! wrong resolving the settings ([`SettingsError`]). Messages name the source of a bad value
//! and never repeat the value: it may be secret.

use std::fmt;
use std::path::PathBuf;

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
    /// A bad value from a flag, the environment or the file. The value is not repeated: it
    /// may be secret.
    #[error("{origin}: {reason}")]
    Value { origin: Source, reason: String },
    /// Shard ids without a total, or a range that does not fit the total.
    #[error("{0}")]
    Shards(String),
    /// `--discord-token` was given: the token would show in the process list.
    #[error(
        "flag {flag}: a secret on the command line shows in the process list; set {env} (or `{file}` in the --config file) instead"
    )]
    TokenFlag {
        flag: &'static str,
        env: &'static str,
        file: &'static str,
    },
}
