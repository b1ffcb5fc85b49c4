//! The names of every setting: its `--config` file key (also its clap argument id), its flag,
//! its environment variable, and the help text `--help` shows for it. One table, so a name is
//! written once.

/// A setting's names as a flag, an environment variable and a config-file key.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// The config-file key, and the id of its clap argument.
    pub file: &'static str,
    /// None for the token: a flag would show it in the process list.
    pub flag: Option<&'static str>,
    pub env: &'static str,
    /// What a value is, for "expected …" messages: "a number of seconds".
    pub what: &'static str,
    /// The placeholder in `--help`: `--lobby-seconds <SECONDS>`.
    pub value_name: &'static str,
    /// The `--help` text, without the `[env: …]` that clap adds.
    pub help: &'static str,
}

pub const DISCORD_TOKEN: Key = Key {
    file: "discord_token",
    flag: None,
    env: "DISCORD_TOKEN",
    what: "a token",
    value_name: "TOKEN",
    help: "",
};
pub const DATABASE_URL: Key = Key {
    file: "database_url",
    flag: Some("--database-url"),
    env: "DATABASE_URL",
    what: "a database URL",
    value_name: "URL",
    help: "The SQLite database, created if missing [default: sqlite://interview-bot.db]",
};
pub const DEV_GUILD_ID: Key = Key {
    file: "dev_guild_id",
    flag: Some("--dev-guild-id"),
    env: "DEV_GUILD_ID",
    what: "a server id (a number)",
    value_name: "ID",
    help: "Register commands in this server at once (for development); otherwise globally \
           [file: dev_guild_id]",
};
pub const LOG_FORMAT: Key = Key {
    file: "log_format",
    flag: Some("--log-format"),
    env: "LOG_FORMAT",
    what: "`text` or `json`",
    value_name: "text|json",
    help: "Log format for diagnostics on stderr [default: text]",
};
pub const LOG_FILTER: Key = Key {
    file: "log_filter",
    flag: Some("--log-filter"),
    env: "RUST_LOG",
    what: "a log filter",
    value_name: "FILTER",
    help: "What to log, in tracing's filter syntax, e.g. interview_bot=info,warn [default: warn]",
};
pub const METRICS_ADDR: Key = Key {
    file: "metrics_addr",
    flag: Some("--metrics-addr"),
    env: "METRICS_ADDR",
    what: "an address like 127.0.0.1:9100",
    value_name: "ADDR",
    help: "Serve Prometheus metrics on /metrics and a health check on /healthz at this address, \
           e.g. 127.0.0.1:9100 [file: metrics_addr] [default: off]",
};
pub const DROP_GRACE_MINUTES: Key = Key {
    file: "drop_grace_minutes",
    flag: Some("--drop-grace-minutes"),
    env: "DROP_GRACE_MINUTES",
    what: "a number of minutes",
    value_name: "MINUTES",
    help: "A daily drop missed (bot down at its time) by less than this is posted late; older \
           ones are recorded as skipped [file: drop_grace_minutes] [default: 120]",
};
pub const LOBBY_SECONDS: Key = Key {
    file: "lobby_seconds",
    flag: Some("--lobby-seconds"),
    env: "LOBBY_SECONDS",
    what: "a number of seconds",
    value_name: "SECONDS",
    help: "How long a group or teams round's lobby stays open, 1–3600 [file: lobby_seconds] \
           [default: 60]",
};
pub const BUTTON_COOLDOWN_MS: Key = Key {
    file: "button_cooldown_ms",
    flag: Some("--button-cooldown-ms"),
    env: "BUTTON_COOLDOWN_MS",
    what: "a number of milliseconds",
    value_name: "MS",
    help: "Minimum time between two Answer or Hint clicks of one member \
           [file: button_cooldown_ms] [default: 2000]",
};
pub const COOLING_OFF_DAYS: Key = Key {
    file: "cooling_off_days",
    flag: Some("--cooling-off-days"),
    env: "COOLING_OFF_DAYS",
    what: "a number of days",
    value_name: "DAYS",
    help: "Days after a member saw a question's reference during which their round and drop \
           answers to it do not count on boards [file: cooling_off_days] [default: 30]",
};
pub const SHARDS: Key = Key {
    file: "shards",
    flag: Some("--shards"),
    env: "SHARDS",
    what: "a shard id or an inclusive range of them, like 0-1 or 3",
    value_name: "FIRST-LAST",
    help: "Run only these gateway shards, e.g. 0-1 (inclusive) or 3; needs --shard-total. Run \
           the other shards in other processes on the same database [file: shards] \
           [default: every shard in this process]",
};
pub const SHARD_TOTAL: Key = Key {
    file: "shard_total",
    flag: Some("--shard-total"),
    env: "SHARD_TOTAL",
    what: "a number of shards",
    value_name: "N",
    help: "How many shards the bot has in all, the same for every process [file: shard_total] \
           [default: as many as Discord recommends]",
};

pub const JUDGE_URL: Key = Key {
    file: "judge_url",
    flag: Some("--judge-url"),
    env: "JUDGE_URL",
    what: "an http:// or https:// URL",
    value_name: "URL",
    help: "An OpenAI-compatible server for the optional AI judge (its /v1/chat/completions), \
           e.g. http://127.0.0.1:11434 for Ollama; needs --judge-model. Servers turn it on with \
           /server judge [file: judge_url] [default: off]",
};
pub const JUDGE_MODEL: Key = Key {
    file: "judge_model",
    flag: Some("--judge-model"),
    env: "JUDGE_MODEL",
    what: "a model name",
    value_name: "MODEL",
    help: "The model the AI judge asks, e.g. llama3.1:8b [file: judge_model]",
};
pub const JUDGE_API_KEY: Key = Key {
    file: "judge_api_key",
    flag: None,
    env: "JUDGE_API_KEY",
    what: "an API key",
    value_name: "KEY",
    help: "",
};
pub const JUDGE_TIMEOUT_SECONDS: Key = Key {
    file: "judge_timeout_seconds",
    flag: Some("--judge-timeout-seconds"),
    env: "JUDGE_TIMEOUT_SECONDS",
    what: "a number of seconds",
    value_name: "SECONDS",
    help: "The longest the AI judge may take for one answer, 1–300; the built-in score stands \
           after it [file: judge_timeout_seconds] [default: 20]",
};
pub const JUDGE_CONCURRENCY: Key = Key {
    file: "judge_concurrency",
    flag: Some("--judge-concurrency"),
    env: "JUDGE_CONCURRENCY",
    what: "a number of requests",
    value_name: "N",
    help: "AI judge requests in flight at once in this process, 1–64 [file: judge_concurrency] \
           [default: 2]",
};
pub const JUDGE_DAILY_BUDGET: Key = Key {
    file: "judge_daily_budget",
    flag: Some("--judge-daily-budget"),
    env: "JUDGE_DAILY_BUDGET",
    what: "a number of answers",
    value_name: "ANSWERS",
    help: "Answers per server and day sent to the AI judge; later ones keep the built-in score \
           [file: judge_daily_budget] [default: 200]",
};

/// The AI judge's settings (`run`, `config check` and `eval --judge`).
pub const JUDGE_KEYS: [Key; 6] = [
    JUDGE_URL,
    JUDGE_MODEL,
    JUDGE_API_KEY,
    JUDGE_TIMEOUT_SECONDS,
    JUDGE_CONCURRENCY,
    JUDGE_DAILY_BUDGET,
];

/// Every key a config file may hold, in the order `config check` prints them.
pub const ALL_KEYS: [Key; 18] = [
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
    JUDGE_URL,
    JUDGE_MODEL,
    JUDGE_API_KEY,
    JUDGE_TIMEOUT_SECONDS,
    JUDGE_CONCURRENCY,
    JUDGE_DAILY_BUDGET,
];

/// The settings every command reads (global flags).
pub const COMMON_KEYS: [Key; 3] = [LOG_FORMAT, LOG_FILTER, DATABASE_URL];

/// The settings only the bot's commands read (`run`, `config check`, `health`, `invite`).
pub const BOT_KEYS: [Key; 15] = [
    DISCORD_TOKEN,
    DEV_GUILD_ID,
    METRICS_ADDR,
    DROP_GRACE_MINUTES,
    LOBBY_SECONDS,
    BUTTON_COOLDOWN_MS,
    COOLING_OFF_DAYS,
    SHARDS,
    SHARD_TOTAL,
    JUDGE_URL,
    JUDGE_MODEL,
    JUDGE_API_KEY,
    JUDGE_TIMEOUT_SECONDS,
    JUDGE_CONCURRENCY,
    JUDGE_DAILY_BUDGET,
];

/// The token's hidden flag: accepted by clap only to be refused with advice (a token on the
/// command line shows in the process list).
pub const TOKEN_FLAG: &str = "--discord-token";
/// The judge's API key's hidden flag, refused the same way.
pub const JUDGE_API_KEY_FLAG: &str = "--judge-api-key";

/// The hidden, refused flag of a secret (a key without a flag).
pub fn secret_flag(key: Key) -> &'static str {
    if key.file == JUDGE_API_KEY.file {
        JUDGE_API_KEY_FLAG
    } else {
        TOKEN_FLAG
    }
}

/// The default log filter when neither `--log-filter`, `RUST_LOG` nor the file sets one.
pub const DEFAULT_LOG_FILTER: &str = "warn";
