//! `interview-bot run`: the Discord bot.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::config::{BotConfig, Secret, Timings};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Register commands in this server at once (for development); otherwise globally.
    #[arg(long, env = "DEV_GUILD_ID")]
    pub dev_guild_id: Option<u64>,
    /// A TOML file with `discord_token = "..."` (instead of DISCORD_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    discord_token: Option<String>,
    dev_guild_id: Option<u64>,
    database_url: Option<String>,
}

const NO_TOKEN: &str = "no Discord token: create an application at https://discord.com/developers/applications, add a bot, copy its token, and set DISCORD_TOKEN (or `discord_token` in the --config file). Without a token, try `interview-bot practice`.";

/// Flags over environment over the config file.
fn settings(
    args: &RunArgs,
    database_url: &str,
    database_url_given: bool,
) -> anyhow::Result<(Option<Secret>, BotConfigParts)> {
    let file = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("{} is not a valid config file", path.display()))?,
            )
        }
        None => None,
    };
    let token = std::env::var("DISCORD_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| file.as_ref().and_then(|f| f.discord_token.clone()))
        .map(|t| Secret::new(t.trim()));
    let database_url = match file.as_ref().and_then(|f| f.database_url.clone()) {
        Some(from_file) if !database_url_given => from_file,
        _ => database_url.to_string(),
    };
    Ok((
        token,
        BotConfigParts {
            database_url,
            dev_guild_id: args
                .dev_guild_id
                .or_else(|| file.as_ref().and_then(|f| f.dev_guild_id)),
        },
    ))
}

struct BotConfigParts {
    database_url: String,
    dev_guild_id: Option<u64>,
}

/// `interview-bot config check`: the effective settings, token masked.
pub fn check(
    args: RunArgs,
    database_url: &str,
    database_url_given: bool,
) -> anyhow::Result<ExitCode> {
    let (token, parts) = settings(&args, database_url, database_url_given)?;
    say!("database_url = {}", parts.database_url);
    say!(
        "dev_guild_id = {}",
        parts.dev_guild_id.map_or_else(
            || "(unset: commands are registered globally)".into(),
            |g| g.to_string()
        )
    );
    match &token {
        Some(t) => say!("discord_token = {}", t.masked()),
        None => say!("discord_token = (missing) — {NO_TOKEN}"),
    }
    Ok(if token.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

pub fn run(
    args: RunArgs,
    database_url: &str,
    database_url_given: bool,
) -> anyhow::Result<ExitCode> {
    let (token, parts) = settings(&args, database_url, database_url_given)?;
    let config = BotConfig {
        token: token.context(NO_TOKEN)?,
        database_url: parts.database_url,
        dev_guild_id: parts.dev_guild_id,
        api_base: None,
        timings: Timings::default(),
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(config))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: BotConfig) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url).await?;
    tracing::info!(database = %config.database_url, dev_guild = ?config.dev_guild_id, "starting");
    let bot = crate::bot::start(config, store.clone()).await?;
    let stop = bot.shutdown_signal();
    tokio::select! {
        result = bot.wait() => result?,
        _ = shutdown_signal() => {
            tracing::info!("shutting down");
            let _ = stop.send(true);
        }
    }
    store.close().await;
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
