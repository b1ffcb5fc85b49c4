//! `interview-bot run`: the Discord bot; and `interview-bot config check`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::settings::{BotArgs, Settings, TestFlags};
use crate::config::BotConfig;
use crate::store::Store;

/// The bot's settings. Each can also come from the environment or the `--config` file; flags
/// win over the environment, which wins over the file.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// A TOML file with any of the settings below and the token (see
    /// deploy/config.example.toml). Unknown keys are refused.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The bot's settings: `--dev-guild-id`, `--metrics-addr`, … and their environment
    /// variables (see settings::keys).
    #[command(flatten)]
    pub settings: BotArgs,
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
    /// The hidden test-only flags.
    pub fn test_flags(&self) -> TestFlags {
        TestFlags {
            api_base: self.api_base.clone(),
            second_ms: self.second_ms,
            drop_hour_ms: self.drop_hour_ms,
            lease_ms: self.lease_ms,
        }
    }
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
        judge: settings.judge.config.clone(),
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
