//! The flag and environment layers, done by clap: each setting is an argument with
//! `Arg::env`, so clap takes a flag over the environment variable, and
//! [`ArgMatches::value_source`] says which of the two a value came from. The arguments are
//! built from the [`keys`](super::keys) table, so a name is written once.
//!
//! Values arrive as text and are parsed later, in [`values`](super::values), so that a bad
//! one is reported naming its flag or variable without repeating it (clap's own message would
//! print the value, which may be secret).

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

use super::keys::{BOT_KEYS, COMMON_KEYS, JUDGE_KEYS, Key, secret_flag};
use super::source::Source;

/// What clap gave for some settings: per key, the text and whether it came from a flag or the
/// environment. A blank environment value counts as unset, so an env file with `DEV_GUILD_ID=`
/// behaves like one without the line.
#[derive(Debug, Clone, Default)]
pub struct Given {
    values: Vec<(&'static str, String, Source)>,
}

impl Given {
    /// The text and source given for `key`, if any.
    pub fn get(&self, key: Key) -> Option<(&str, &Source)> {
        self.values
            .iter()
            .find(|(k, _, _)| *k == key.file)
            .map(|(_, text, source)| (text.as_str(), source))
    }

    /// `key` as if given by its flag (tests, and callers that build settings by hand).
    pub fn flag(mut self, key: Key, text: &str) -> Given {
        let source = Source::Flag(key.flag.unwrap_or(secret_flag(key)));
        self.set(key, text, source);
        self
    }

    /// `key` as if given by its environment variable: the environment passed in explicitly
    /// (tests), with the same blank-is-unset rule as clap's reading of the real one.
    pub fn env(mut self, key: Key, text: &str) -> Given {
        if !text.trim().is_empty() {
            self.set(key, text, Source::Env(key.env));
        }
        self
    }

    /// These values, and `other`'s for keys these do not have.
    pub fn or(mut self, other: &Given) -> Given {
        for (key, text, source) in &other.values {
            if !self.values.iter().any(|(k, _, _)| k == key) {
                self.values.push((key, text.clone(), source.clone()));
            }
        }
        self
    }

    fn set(&mut self, key: Key, text: &str, source: Source) {
        self.values.retain(|(k, _, _)| *k != key.file);
        self.values.push((key.file, text.to_string(), source));
    }

    /// Read `keys` from clap's matches (keys the command does not have are skipped).
    fn read(matches: &ArgMatches, keys: &[Key]) -> Given {
        let mut given = Given::default();
        for key in keys {
            let Ok(Some(text)) = matches.try_get_one::<String>(key.file) else {
                continue;
            };
            given = match matches.value_source(key.file) {
                Some(ValueSource::CommandLine) => given.flag(*key, text),
                Some(ValueSource::EnvVariable) => given.env(*key, text),
                // No clap defaults are set: the file sits between the environment and the
                // default, so defaults are applied after it (see `file`).
                _ => given,
            };
        }
        given
    }
}

/// One setting as a clap argument: `--flag <VALUE>` with `[env: VAR]`, the value hidden in
/// `--help` (it may be secret).
fn arg(key: Key) -> Arg {
    let arg = Arg::new(key.file)
        .env(key.env)
        .hide_env_values(true)
        .value_name(key.value_name)
        .help(key.help);
    match key.flag {
        Some(flag) => arg.long(flag.trim_start_matches('-')),
        // A secret (the token, the judge's API key): read from the environment or the file;
        // its flag exists only to be refused.
        None => arg
            .long(secret_flag(key).trim_start_matches('-'))
            .hide(true),
    }
}

/// The settings every command takes, as global flags: `--log-format`, `--log-filter`,
/// `--database-url` and their environment variables.
#[derive(Debug, Clone, Default)]
pub struct CommonArgs {
    pub given: Given,
}

/// The bot's settings (`run`, `config check`, `health`, `invite`): the token from
/// `DISCORD_TOKEN`, and each of the others as a flag or its environment variable.
#[derive(Debug, Clone, Default)]
pub struct BotArgs {
    pub given: Given,
}

impl Args for CommonArgs {
    fn augment_args(cmd: Command) -> Command {
        cmd.args(COMMON_KEYS.map(|k| arg(k).global(true)))
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for CommonArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(CommonArgs {
            given: Given::read(matches, &COMMON_KEYS),
        })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for BotArgs {
    fn augment_args(cmd: Command) -> Command {
        cmd.args(BOT_KEYS.map(arg))
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for BotArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(BotArgs {
            given: Given::read(matches, &BOT_KEYS),
        })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// The secret given with its refused flag (`--discord-token`, `--judge-api-key`), if any.
pub(super) fn secret_from_flag(given: &Given, keys: &[Key]) -> Option<Key> {
    keys.iter()
        .copied()
        .filter(|k| k.flag.is_none())
        .find(|k| matches!(given.get(*k), Some((_, Source::Flag(_)))))
}

/// The AI judge's settings alone, for `eval --judge`: each a flag or its environment variable.
#[derive(Debug, Clone, Default)]
pub struct JudgeArgs {
    pub given: Given,
}

impl Args for JudgeArgs {
    fn augment_args(cmd: Command) -> Command {
        cmd.args(JUDGE_KEYS.map(arg))
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for JudgeArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Ok(JudgeArgs {
            given: Given::read(matches, &JUDGE_KEYS),
        })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}
