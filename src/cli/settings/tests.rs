//! The layering rules, with the flags and the environment passed in explicitly ([`Given`]),
//! so no test reads or changes the process environment. `tests/suite/settings.rs` runs the
//! binary with a real environment for the same rules through clap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser as _;

use super::*;
use crate::cli::Cli;

/// Flags and environment variables, as clap would give them.
fn given(flags: &[(Key, &str)], env: &[(Key, &str)]) -> Given {
    let mut g = Given::default();
    for (key, text) in env {
        g = g.env(*key, text);
    }
    for (key, text) in flags {
        g = g.flag(*key, text);
    }
    g
}

fn file(text: &str) -> FileLayer {
    FileLayer::parse(Path::new("bot.toml"), text).unwrap()
}

fn resolve(g: &Given, f: Option<&FileLayer>) -> Result<Settings, SettingsError> {
    let defaults = FileLayer::defaults();
    Settings::resolve_with(g, f.unwrap_or(&defaults), &TestFlags::default())
}

#[test]
fn defaults_when_nothing_is_given() {
    let s = resolve(&Given::default(), None).unwrap();
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
    let g = given(
        &[(DEV_GUILD_ID, "1")],
        &[
            (DATABASE_URL, "sqlite://env.db"),
            (DEV_GUILD_ID, "2"),
            (LOBBY_SECONDS, "20"),
        ],
    );
    let s = resolve(&g, Some(&f)).unwrap();
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
fn clap_takes_a_flag_and_says_it_came_from_the_command_line() {
    // Only flags are given here; which of flag and environment wins is clap's, checked with a
    // real environment in tests/suite/settings.rs.
    let cli = Cli::try_parse_from([
        "interview-bot",
        "--log-format",
        "json",
        "config",
        "check",
        "--lobby-seconds",
        "15",
        "--database-url",
        "sqlite://flag.db",
    ])
    .unwrap();
    let crate::cli::Command::Config(crate::cli::ConfigCommand::Check(args)) = cli.command else {
        panic!("config check")
    };
    // Only the flags given are looked at: clap also read this process's environment for the
    // other keys, whatever it holds.
    let g = args.settings.given.clone().or(&cli.settings.given);
    let flag = |key: Key| {
        g.get(key)
            .map(|(text, source)| (text.to_string(), source.clone()))
    };
    assert_eq!(
        flag(LOBBY_SECONDS),
        Some(("15".into(), Source::Flag("--lobby-seconds")))
    );
    assert_eq!(
        flag(LOG_FORMAT),
        Some(("json".into(), Source::Flag("--log-format")))
    );
    assert_eq!(
        flag(DATABASE_URL),
        Some(("sqlite://flag.db".into(), Source::Flag("--database-url")))
    );
    let s = resolve(
        &Given::default()
            .flag(LOBBY_SECONDS, "15")
            .flag(LOG_FORMAT, "json"),
        None,
    )
    .unwrap();
    assert_eq!(s.lobby_seconds.value, 15);
    assert_eq!(s.log_format.value, LogFormat::Json);
}

#[test]
fn every_setting_has_its_flag_and_variable_in_clap() {
    use clap::CommandFactory as _;
    let cmd = Cli::command();
    let check = cmd
        .find_subcommand("config")
        .and_then(|c| c.find_subcommand("check"))
        .unwrap();
    for key in ALL_KEYS {
        let arg = check
            .get_arguments()
            .chain(cmd.get_arguments())
            .find(|a| a.get_id() == key.file)
            .unwrap_or_else(|| panic!("no argument {}", key.file));
        assert_eq!(
            arg.get_env().and_then(|e| e.to_str()),
            Some(key.env),
            "{}",
            key.file
        );
        let long = arg.get_long().map(|l| format!("--{l}"));
        assert_eq!(long.as_deref(), Some(key.flag.unwrap_or(secret_flag(key))));
        assert_eq!(arg.is_hide_set(), key.flag.is_none(), "{}", key.file);
        assert!(arg.is_hide_env_values_set(), "{}", key.file);
    }
}

#[test]
fn the_token_comes_from_env_over_file_and_blank_values_count_as_unset() {
    let f = file("discord_token = \" from-file \"\n");
    let s = resolve(&Given::default(), Some(&f)).unwrap();
    assert_eq!(
        s.token.value.as_ref().map(Secret::expose),
        Some("from-file")
    );
    let g = given(&[], &[(DISCORD_TOKEN, "from-env"), (DEV_GUILD_ID, "  ")]);
    let s = resolve(&g, Some(&f)).unwrap();
    assert_eq!(s.token.value.as_ref().map(Secret::expose), Some("from-env"));
    assert_eq!(s.token.source, Source::Env("DISCORD_TOKEN"));
    assert_eq!(s.dev_guild_id.source, Source::Default, "blank env is unset");
    let blank = file("discord_token = \"\"\n");
    let s = resolve(&Given::default(), Some(&blank)).unwrap();
    assert_eq!(s.token.value, None);
    assert_eq!(s.token.source, Source::Default);
}

#[test]
fn a_token_flag_is_refused_without_repeating_it() {
    let err = resolve(&given(&[(DISCORD_TOKEN, "secret-value")], &[]), None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("flag --discord-token: "), "{err}");
    assert!(
        err.contains("DISCORD_TOKEN") && !err.contains("secret-value"),
        "{err}"
    );
}

#[test]
fn unknown_keys_are_refused_with_key_and_line() {
    let err = FileLayer::parse(
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
    // A table is a key too.
    let err = FileLayer::parse(Path::new("bot.toml"), "lobby_seconds = 5\n[bot]\nx = 1\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("bot.toml: line 2: unknown key `bot`"),
        "{err}"
    );
}

#[test]
fn bad_values_name_where_they_came_from_without_repeating_them() {
    let f = file("log_format = \"xml\"\n");
    let err = resolve(&Given::default(), Some(&f)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "file bot.toml line 1: expected `text` or `json`"
    );
    let err = FileLayer::parse(Path::new("bot.toml"), "\ndev_guild_id = \"abc\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("bot.toml: line 2: "), "{err}");
    assert!(!err.contains("abc"), "{err}");
    assert_eq!(
        err,
        "bot.toml: line 2: expected a server id (a number), found a string"
    );
    let err = FileLayer::parse(Path::new("bot.toml"), "lobby_seconds = -4\n")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "bot.toml: line 1: expected a number of seconds, found a negative number"
    );
    let err = FileLayer::parse(Path::new("bot.toml"), "discord_token = 12345678\n")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "bot.toml: line 1: expected a token, found a number");
    let err = resolve(&given(&[], &[(METRICS_ADDR, "localhost")]), None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("env METRICS_ADDR: "), "{err}");
    let err = resolve(&given(&[], &[(LOBBY_SECONDS, "0")]), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "env LOBBY_SECONDS: a lobby lasts 1 to 3600 seconds");
    let err = resolve(&given(&[(DEV_GUILD_ID, "abc")], &[]), None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "flag --dev-guild-id: expected a server id (a number)");
    // A broken file value is reported even when the environment overrides it.
    let f = file("metrics_addr = \"nowhere\"\n");
    let err = resolve(&given(&[], &[(METRICS_ADDR, "127.0.0.1:1")]), Some(&f))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("file bot.toml line 1: "), "{err}");
}

/// A bad metrics address from each source: the message names that source once, at its start,
/// and says the value at most once (#28).
#[test]
fn a_bad_metrics_address_names_its_source_once_and_not_the_value() {
    let f = file("metrics_addr = \"nonsense\"\n");
    let cases = [
        (
            given(&[], &[(METRICS_ADDR, "nonsense")]),
            None,
            "env METRICS_ADDR: ",
        ),
        (
            given(&[(METRICS_ADDR, "nonsense")], &[]),
            None,
            "flag --metrics-addr: ",
        ),
        (Given::default(), Some(&f), "file bot.toml line 1: "),
    ];
    for (g, f, origin) in cases {
        let err = resolve(&g, f).unwrap_err().to_string();
        assert!(err.starts_with(origin), "{err}");
        for name in ["METRICS_ADDR", "--metrics-addr", "metrics_addr", "bot.toml"] {
            assert!(err.matches(name).count() <= 1, "{name} twice: {err}");
        }
        // The value is never repeated (a value may be a secret put in the wrong place).
        assert!(!err.contains("nonsense"), "the value repeated: {err}");
        assert!(err.contains("an address like 127.0.0.1:9100"), "{err}");
    }
}

#[test]
fn syntax_errors_name_their_line() {
    let err = FileLayer::parse(Path::new("bot.toml"), "lobby_seconds = 5\nshards = \n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("bot.toml: line 2: "), "{err}");
}

#[test]
fn describe_masks_the_token_and_names_every_source() {
    let f = file("lobby_seconds = 90\n");
    let g = given(
        &[(METRICS_ADDR, "127.0.0.1:9100")],
        &[(DISCORD_TOKEN, "abcdefghijklmnop")],
    );
    let lines = resolve(&g, Some(&f)).unwrap().describe();
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
    // A database URL's password is hidden too.
    let g = given(&[], &[(DATABASE_URL, "postgres://bot:hunter2@db/bot")]);
    let all = resolve(&g, None).unwrap().describe().join("\n");
    assert!(
        all.contains("database_url = postgres://bot:***@db/bot  (env DATABASE_URL)"),
        "{all}"
    );
}

#[test]
fn the_shipped_examples_name_every_key_and_the_toml_one_loads() {
    let toml_example = include_str!("../../../deploy/config.example.toml");
    let env_example = include_str!("../../../deploy/interview-bot.env.example");
    let f = file(toml_example);
    resolve(&Given::default(), Some(&f)).unwrap();
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
    let s = resolve(&Given::default(), None).unwrap();
    assert_eq!(s.sharding, Sharding::Auto);
    // Flags.
    let g = given(&[(SHARDS, "0-1"), (SHARD_TOTAL, "4")], &[]);
    let s = resolve(&g, None).unwrap();
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
    let g = given(&[], &[(SHARDS, "1"), (SHARD_TOTAL, "")]);
    let s = resolve(&g, Some(&f)).unwrap();
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
    let s = resolve(&given(&[], &[(SHARD_TOTAL, "3")]), None).unwrap();
    assert_eq!(s.sharding, Sharding::All { total: 3 });
    // Refused, each saying where the values came from.
    let err = |env: &[(Key, &str)], f: Option<&FileLayer>| {
        resolve(&given(&[], env), f).unwrap_err().to_string()
    };
    assert_eq!(
        err(&[(SHARDS, "0-1")], None),
        "env SHARDS: shards 0-1 need the shard total as well (--shard-total / SHARD_TOTAL / `shard_total`): every process of the bot must be given the same total"
    );
    assert_eq!(
        err(&[(SHARDS, "2-4"), (SHARD_TOTAL, "4")], None),
        "env SHARDS with env SHARD_TOTAL: shard 4 does not exist with a total of 4: shards are numbered 0 to 3"
    );
    assert_eq!(
        err(&[(SHARDS, "3-1")], None),
        "env SHARDS: a shard range goes from low to high, like 1-3"
    );
    assert_eq!(
        err(&[(SHARD_TOTAL, "0")], None),
        "env SHARD_TOTAL: the shard total must be 1 or more"
    );
    assert_eq!(
        err(&[(SHARD_TOTAL, "two")], None),
        "env SHARD_TOTAL: expected a number of shards"
    );
    let f = file("shard_total = 2\n\nshards = \"x\"\n");
    assert_eq!(
        err(&[], Some(&f)),
        "file bot.toml line 3: expected a shard id or an inclusive range of them, like 0-1 or 3"
    );
    let f = file("shard_total = 2\nshards = \"1-2\"\n");
    assert_eq!(
        err(&[], Some(&f)),
        "file bot.toml line 2 with file bot.toml line 1: shard 2 does not exist with a total of 2: shards are numbered 0 to 1"
    );
    // The flag's total of 0 is refused the same way (clap no longer range-checks it).
    assert_eq!(
        resolve(&given(&[(SHARD_TOTAL, "0")], &[]), None)
            .unwrap_err()
            .to_string(),
        "flag --shard-total: the shard total must be 1 or more"
    );
}

#[test]
fn every_key_is_accepted_in_a_file() {
    let text: String = ALL_KEYS
        .iter()
        .map(|k| match k.file {
            "dev_guild_id"
            | "drop_grace_minutes"
            | "lobby_seconds"
            | "button_cooldown_ms"
            | "cooling_off_days"
            | "shard_total"
            | "judge_timeout_seconds"
            | "judge_concurrency"
            | "judge_daily_budget" => {
                format!("{} = 5\n", k.file)
            }
            "shards" => format!("{} = \"0-1\"\n", k.file),
            "metrics_addr" => format!("{} = \"127.0.0.1:1\"\n", k.file),
            "judge_url" => format!("{} = \"http://127.0.0.1:11434\"\n", k.file),
            "log_format" => format!("{} = \"json\"\n", k.file),
            _ => format!("{} = \"x\"\n", k.file),
        })
        .collect();
    let f = file(&text);
    let s = resolve(&Given::default(), Some(&f)).unwrap();
    for line in s.describe() {
        assert!(line.contains("(file bot.toml line"), "{line}");
    }
}

#[test]
fn the_ai_judge_is_off_unless_a_url_and_a_model_are_both_given() {
    let s = resolve(&Given::default(), None).unwrap();
    assert!(s.judge.config.is_none());
    assert!(
        s.describe()
            .iter()
            .any(|l| l.starts_with("judge_url = (unset: no AI judge")),
        "{:?}",
        s.describe()
    );
    let g = given(
        &[
            (JUDGE_URL, "http://127.0.0.1:11434"),
            (JUDGE_MODEL, "llama3.1:8b"),
        ],
        &[
            (JUDGE_API_KEY, "sk-secret-value"),
            (JUDGE_DAILY_BUDGET, "5"),
        ],
    );
    let s = resolve(&g, None).unwrap();
    let j = s.judge.config.clone().unwrap();
    assert_eq!(
        (j.url.as_str(), j.model.as_str()),
        ("http://127.0.0.1:11434", "llama3.1:8b")
    );
    assert_eq!(
        j.api_key.as_ref().map(Secret::expose),
        Some("sk-secret-value")
    );
    assert_eq!(j.limits.daily_budget, 5);
    assert_eq!(j.limits.timeout, Duration::from_secs(20));
    assert_eq!(j.limits.concurrency, 2);
    // The key is masked like the token.
    let all = s.describe().join("\n");
    assert!(!all.contains("sk-secret-value"), "{all}");
    assert!(
        all.contains("judge_api_key = sk-s…(15 chars)  (env JUDGE_API_KEY)"),
        "{all}"
    );
    // Half a judge is refused, naming what is missing and where the half came from.
    let e = resolve(&given(&[(JUDGE_URL, "http://127.0.0.1:1")], &[]), None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("--judge-url") && e.contains("JUDGE_MODEL"),
        "{e}"
    );
    let e = resolve(&given(&[], &[(JUDGE_MODEL, "m")]), None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("JUDGE_MODEL") && e.contains("JUDGE_URL"), "{e}");
    let e = resolve(
        &given(&[(JUDGE_URL, "localhost:11434"), (JUDGE_MODEL, "m")], &[]),
        None,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("http://"), "{e}");
    let e = resolve(&given(&[(JUDGE_TIMEOUT_SECONDS, "0")], &[]), None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("1 to 300 seconds"), "{e}");
}

#[test]
fn the_judges_api_key_is_refused_as_a_flag_without_repeating_it() {
    let e = resolve(
        &given(&[(JUDGE_API_KEY, "sk-on-the-command-line")], &[]),
        None,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.starts_with("flag --judge-api-key: "), "{e}");
    assert!(
        e.contains("JUDGE_API_KEY") && !e.contains("sk-on-the-command-line"),
        "{e}"
    );
}
