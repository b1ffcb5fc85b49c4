//! `interview-bot run`: the Discord bot; and `interview-bot config check`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::settings::{Flags, Settings};
use crate::config::{BotConfig, ShardIds};
use crate::store::Store;

/// The bot's settings. Each can also come from the environment or the `--config` file; flags
/// win over the environment, which wins over the file.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A TOML file with any of the settings below and the token (see
    /// deploy/config.example.toml). Unknown keys are refused.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Register commands in this server at once (for development); otherwise globally
    /// [env: DEV_GUILD_ID] [file: dev_guild_id].
    #[arg(long, value_name = "ID")]
    pub dev_guild_id: Option<u64>,
    /// Serve Prometheus metrics on /metrics and a health check on /healthz at this address,
    /// e.g. 127.0.0.1:9100 [env: METRICS_ADDR] [file: metrics_addr] [default: off].
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// A daily drop missed (bot down at its time) by less than this is posted late; older
    /// ones are recorded as skipped [env: DROP_GRACE_MINUTES] [file: drop_grace_minutes]
    /// [default: 120].
    #[arg(long, value_name = "MINUTES")]
    pub drop_grace_minutes: Option<u32>,
    /// How long a group or teams round's lobby stays open, 1–3600 [env: LOBBY_SECONDS]
    /// [file: lobby_seconds] [default: 60].
    #[arg(long, value_name = "SECONDS")]
    pub lobby_seconds: Option<u32>,
    /// Minimum time between two Answer or Hint clicks of one member [env: BUTTON_COOLDOWN_MS]
    /// [file: button_cooldown_ms] [default: 2000].
    #[arg(long, value_name = "MS")]
    pub button_cooldown_ms: Option<u64>,
    /// Days after a member saw a question's reference during which their round and drop
    /// answers to it do not count on boards [env: COOLING_OFF_DAYS] [file: cooling_off_days]
    /// [default: 30].
    #[arg(long, value_name = "DAYS")]
    pub cooling_off_days: Option<u32>,
    /// Run only these gateway shards, e.g. 0-1 (inclusive) or 3; needs --shard-total. Run the
    /// other shards in other processes on the same database [env: SHARDS] [file: shards]
    /// [default: every shard in this process].
    #[arg(long, value_name = "FIRST-LAST", value_parser = parse_shard_ids)]
    pub shards: Option<ShardIds>,
    /// How many shards the bot has in all, the same for every process [env: SHARD_TOTAL]
    /// [file: shard_total] [default: as many as Discord recommends].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub shard_total: Option<u32>,
    /// For tests only: send REST and gateway traffic to this base URL (a fake Discord server
    /// on loopback) instead of discord.com.
    #[arg(long, value_name = "URL", hide = true)]
    pub api_base: Option<String>,
    /// For tests only: one round second lasts this many milliseconds (a 30-second question
    /// passes in 30 × this).
    #[arg(long, value_name = "MS", hide = true, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub second_ms: Option<u64>,
    /// For tests only: one hour of a daily drop's answer window lasts this many milliseconds.
    #[arg(long, value_name = "MS", hide = true, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub drop_hour_ms: Option<u64>,
    /// For tests only: a claimed step's lease, in milliseconds (a killed claimer's step is
    /// taken over after it).
    #[arg(long, value_name = "MS", hide = true, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub lease_ms: Option<u64>,
}

impl RunArgs {
    /// These flags on top of the global ones (`common`).
    pub fn flags(&self, common: Flags) -> Flags {
        Flags {
            config: self.config.clone(),
            dev_guild_id: self.dev_guild_id,
            metrics_addr: self.metrics_addr,
            drop_grace_minutes: self.drop_grace_minutes,
            lobby_seconds: self.lobby_seconds,
            button_cooldown_ms: self.button_cooldown_ms,
            cooling_off_days: self.cooling_off_days,
            shards: self.shards,
            shard_total: self.shard_total,
            api_base: self.api_base.clone(),
            second_ms: self.second_ms,
            drop_hour_ms: self.drop_hour_ms,
            lease_ms: self.lease_ms,
            ..common
        }
    }
}

fn parse_shard_ids(s: &str) -> Result<ShardIds, String> {
    s.parse()
}

const NO_TOKEN: &str = "no Discord token: create an application at https://discord.com/developers/applications, add a bot, copy its token, and set DISCORD_TOKEN (or `discord_token` in the --config file). Without a token, try `interview-bot practice`.";

/// `interview-bot config check`: the effective settings and where each came from, token
/// masked; exit 1 without a token.
pub fn check(settings: &Settings) -> anyhow::Result<ExitCode> {
    for line in settings.describe() {
        say!("{line}");
    }
    Ok(if settings.token.value.is_some() {
        ExitCode::SUCCESS
    } else {
        say!("{NO_TOKEN}");
        ExitCode::FAILURE
    })
}

pub fn run(settings: Settings) -> anyhow::Result<ExitCode> {
    let config = BotConfig {
        token: settings.token.value.clone().context(NO_TOKEN)?,
        database_url: settings.database_url.value.clone(),
        dev_guild_id: settings.dev_guild_id.value,
        api_base: settings.api_base.clone(),
        timings: settings.timings(),
        cooling_off_days: settings.cooling_off_days.value,
        sharding: settings.sharding,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(config, settings.metrics_addr.value))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: BotConfig, metrics_addr: Option<SocketAddr>) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    // Bind before connecting to Discord: a taken port is an error at once.
    let listener = match metrics_addr {
        Some(addr) => Some(crate::ops::bind(addr).await?),
        None => None,
    };
    tracing::info!(database = %crate::store::redact_url(&config.database_url), dev_guild = ?config.dev_guild_id, sharding = ?config.sharding, "starting");
    let bot = crate::bot::start(config, store.clone()).await?;
    let ops = listener.map(|l| l.serve(bot.ops_state(store.clone())));
    let result = bot.run_until(shutdown_signal()).await;
    drop(ops);
    store.close().await;
    result?;
    tracing::info!("shutdown complete");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
