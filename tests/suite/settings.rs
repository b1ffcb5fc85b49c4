//! The settings' layers through the real binary: clap reads the environment given to the
//! child process (never this test process's), takes a flag over it, and `config check` says
//! where each value came from. The rules themselves are unit-tested in src/cli/settings/tests.rs
//! with the environment passed in explicitly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed setup should fail the test loudly

use std::path::Path;
use std::process::{Command, Output};

/// `interview-bot ARGS` in `dir` with exactly `env` (nothing inherited).
fn bot(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn settings_flag_beats_env_beats_file_beats_default_through_clap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bot.toml"),
        "database_url = \"sqlite://file.db\"\n\
         dev_guild_id = 3\n\
         metrics_addr = \"127.0.0.1:9300\"\n\
         lobby_seconds = 30\n\
         drop_grace_minutes = 45\n",
    )
    .unwrap();
    let o = bot(
        dir.path(),
        &[
            "config",
            "check",
            "--config",
            "bot.toml",
            "--dev-guild-id",
            "1",
        ],
        &[
            ("DISCORD_TOKEN", "abcdefghijklmnop"),
            ("DATABASE_URL", "sqlite://env.db"),
            ("DEV_GUILD_ID", "2"),
            ("LOBBY_SECONDS", "20"),
            ("LOG_FORMAT", "json"),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for line in [
        "discord_token = abcd…(16 chars)  (env DISCORD_TOKEN)",
        "dev_guild_id = 1  (flag --dev-guild-id)",
        "database_url = sqlite://env.db  (env DATABASE_URL)",
        "lobby_seconds = 20  (env LOBBY_SECONDS)",
        "log_format = json  (env LOG_FORMAT)",
        "metrics_addr = 127.0.0.1:9300  (file bot.toml line 3)",
        "drop_grace_minutes = 45  (file bot.toml line 5)",
        "button_cooldown_ms = 2000  (default)",
    ] {
        assert!(out.lines().any(|l| l == line), "no `{line}` in\n{out}");
    }
    assert!(!out.contains("abcdefghijklmnop"), "{out}");
    // A global flag after the subcommand beats its variable too.
    let o = bot(
        dir.path(),
        &["config", "check", "--log-format", "text"],
        &[("LOG_FORMAT", "json")],
    );
    let (out, _) = text(&o);
    assert!(
        out.contains("log_format = text  (flag --log-format)"),
        "{out}"
    );
}

#[test]
fn settings_blank_env_values_count_as_unset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bot.toml"),
        "shards = \"0\"\nshard_total = 2\n",
    )
    .unwrap();
    let o = bot(
        dir.path(),
        &["config", "check", "--config", "bot.toml"],
        &[
            ("DISCORD_TOKEN", "x"),
            ("DEV_GUILD_ID", "  "),
            ("SHARDS", "1"),
            ("SHARD_TOTAL", ""),
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(
        out.contains("dev_guild_id = (unset: commands are registered globally)  (default)"),
        "{out}"
    );
    assert!(
        out.contains("shards = 1 (shard 1 of 2)  (env SHARDS)"),
        "{out}"
    );
    assert!(
        out.contains("shard_total = 2  (file bot.toml line 2)"),
        "{out}"
    );
}

#[test]
fn settings_bad_env_values_name_the_variable_without_repeating_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |env: &[(&str, &str)]| {
        let o = bot(dir.path(), &["config", "check"], env);
        assert_eq!(o.status.code(), Some(1));
        text(&o).1
    };
    assert_eq!(
        refused(&[("LOBBY_SECONDS", "0")]),
        "error: env LOBBY_SECONDS: a lobby lasts 1 to 3600 seconds\n"
    );
    let err = refused(&[("DEV_GUILD_ID", "not-a-number-42")]);
    assert_eq!(
        err,
        "error: env DEV_GUILD_ID: expected a server id (a number)\n"
    );
    assert_eq!(
        refused(&[("SHARD_TOTAL", "two")]),
        "error: env SHARD_TOTAL: expected a number of shards\n"
    );
    assert_eq!(
        refused(&[("SHARDS", "0-1")]),
        "error: env SHARDS: shards 0-1 need the shard total as well (--shard-total / SHARD_TOTAL / `shard_total`): every process of the bot must be given the same total\n"
    );
    assert!(
        refused(&[("METRICS_ADDR", "localhost")]).starts_with("error: env METRICS_ADDR: "),
        "METRICS_ADDR"
    );
    // The terminal commands read the common settings from the environment too.
    let o = bot(dir.path(), &["bank", "list"], &[("LOG_FORMAT", "xml")]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o).1,
        "error: env LOG_FORMAT: expected `text` or `json`\n"
    );
}

#[test]
fn settings_refuse_a_token_flag_and_hide_env_values_in_help() {
    let dir = tempfile::tempdir().unwrap();
    let o = bot(
        dir.path(),
        &["config", "check", "--discord-token", "flag-token-value"],
        &[],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(err.starts_with("error: flag --discord-token: "), "{err}");
    assert!(!err.contains("flag-token-value"), "{err}");
    // `--help` names the variable but never shows its value.
    let o = bot(
        dir.path(),
        &["run", "--help"],
        &[("DATABASE_URL", "postgres://bot:hunter2@db/bot")],
    );
    let (out, _) = text(&o);
    assert!(out.contains("[env: DATABASE_URL]"), "{out}");
    assert!(
        !out.contains("hunter2") && !out.contains("--discord-token"),
        "{out}"
    );
}
