//! The thin Discord adapter: poise commands, buttons and modals, and the round timer.
//!
//! Components carry what they act on in their custom ids (`q:answer:<question row>`,
//! `m:join:<round>`), and everything else lives in the database, so buttons keep working
//! after a restart.

pub mod answer_form;
pub mod commands;
mod components;
pub mod errors;
pub mod in_flight;
pub mod instrument;
pub mod invite;
pub mod judging;
pub mod library;
pub mod outbound;
pub mod render;
pub mod rounds;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;
use tokio::sync::{Notify, watch};

use crate::app::{Clock, SystemClock};
use crate::config::{BotConfig, Sharding};
use crate::domain::bank::{BUILTIN_BANKS, Bank, SHIPPED_BANK_TOML, SHIPPED_BUILTIN};
use crate::store::Store;
pub use errors::{BotError, Error};
pub use library::{Content, Library};

pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Shared by every command and event.
pub struct Data {
    /// Last Answer/Hint click per (member, kind), to stop button spam.
    cooldowns: Cooldowns,
    /// Interactions and timer steps under way, waited for at shutdown.
    pub in_flight: in_flight::InFlight,
    /// "Answered" edits of round questions, coalesced.
    pub edits: rounds::AnsweredEdits,
    /// `/stats` charts: drawn off the async workers, kept per member until they change.
    pub charts: crate::app::coaching::Charts,
    /// Answer forms: whether Discord takes the form that shows the question.
    pub forms: answer_form::AnswerForms,
    /// The optional AI judge (`judge_url` and `judge_model` set); servers opt in.
    pub judge: Option<Arc<crate::app::judge::AiJudge>>,
    /// The use cases' ports and settings (the store, the banks, the clock, serenity outbound,
    /// the timings, the timer's wake, the metrics): the one copy of each.
    pub engine: crate::app::Engine,
}

impl Data {
    /// True when the member may click again; records the click.
    pub fn cooldown_ok(&self, user: u64, kind: &'static str) -> bool {
        self.cooldowns.allow(user, kind, Instant::now())
    }
}

/// The last Answer/Hint click per (member, kind) within the cooldown. Clicks older than the
/// cooldown decide nothing, so they are dropped as new ones come: the map holds the members who
/// clicked within one cooldown, not everyone who ever clicked.
#[derive(Debug)]
pub struct Cooldowns {
    period: std::time::Duration,
    last: Mutex<HashMap<(u64, &'static str), Instant>>,
}

impl Cooldowns {
    pub fn new(period: std::time::Duration) -> Cooldowns {
        Cooldowns {
            period,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// True when `user` may click `kind` at `now` (and the click is recorded); false within the
    /// cooldown of their last one.
    pub fn allow(&self, user: u64, kind: &'static str, now: Instant) -> bool {
        let Ok(mut map) = self.last.lock() else {
            return true;
        };
        // Pruned as it goes: at most the clicks of one cooldown are kept.
        map.retain(|_, at| now.saturating_duration_since(*at) < self.period);
        if map.contains_key(&(user, kind)) {
            return false;
        }
        map.insert((user, kind), now);
        true
    }

    /// How many clicks are remembered.
    pub fn len(&self) -> usize {
        self.last.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A running bot; `stop` shuts it down cleanly.
pub struct BotHandle {
    shard_manager: Arc<serenity::ShardManager>,
    shutdown: watch::Sender<bool>,
    client_task: tokio::task::JoinHandle<Result<(), serenity::Error>>,
    metrics: crate::ops::Metrics,
    in_flight: in_flight::InFlight,
    readiness: crate::ops::Readiness,
}

/// How long shutdown waits for interactions and timer steps under way to finish their writes.
const DRAIN_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

impl BotHandle {
    /// Stop taking interactions, stop the timer, close the gateway, and let what is under way
    /// finish (up to a few seconds) so the database can be closed after it.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.shard_manager.shutdown_all().await;
        let _ = self.client_task.await;
        drain(&self.in_flight).await;
    }

    /// Run until the client ends (a fatal gateway error or a shutdown) or setup fails.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.run_until(std::future::pending()).await
    }

    pub fn shutdown_signal(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    /// Run until the client ends or `signal` fires, then stop cleanly: no more interactions,
    /// the timer stopped, the gateway closed.
    pub async fn run_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let readiness = self.readiness.clone();
        tokio::select! {
            why = readiness.setup_failed() => {
                // Connected but useless: every interaction would hang. Stop, and say why.
                tracing::error!(reason = %why, "setup failed; stopping");
                self.stop().await;
                anyhow::bail!("{why}");
            }
            ended = &mut self.client_task => {
                let _ = self.shutdown.send(true);
                drain(&self.in_flight).await;
                ended
                    .context("the Discord client task failed")?
                    .map_err(explain_client_error)?;
            }
            () = signal => {
                tracing::info!("shutting down");
                self.stop().await;
            }
        }
        Ok(())
    }

    /// What the /metrics and /healthz endpoints read.
    pub fn ops_state(&self, store: Store) -> crate::ops::OpsState {
        let gateway = Arc::new(GatewayShards {
            manager: self.shard_manager.clone(),
            client: self.client_task.abort_handle(),
        });
        crate::ops::OpsState::new(self.metrics.clone(), store, gateway, self.readiness.clone())
    }
}

/// serenity's shard runners, as the ops endpoints see them.
struct GatewayShards {
    manager: Arc<serenity::ShardManager>,
    /// The Discord client's task. After a fatal gateway error serenity leaves its shard's last
    /// stage ("connected") in place, so the task tells whether anything still runs.
    client: tokio::task::AbortHandle,
}

impl crate::ops::Gateway for GatewayShards {
    fn shards(
        &self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<crate::ops::Shard>> + Send + '_>>
    {
        Box::pin(async move {
            if self.client.is_finished() {
                return Vec::new();
            }
            let runners = self.manager.runners.lock().await;
            runners
                .iter()
                .map(|(id, info)| crate::ops::Shard {
                    id: id.0,
                    connected: info.stage == serenity::ConnectionStage::Connected,
                    stage: info.stage.to_string(),
                    latency: info.latency,
                })
                .collect()
        })
    }
}

/// Why the Discord client stopped, with what to do about the errors an operator can fix.
fn explain_client_error(e: serenity::Error) -> anyhow::Error {
    use serenity::{GatewayError, HttpError};
    let unauthorized = match &e {
        serenity::Error::Gateway(GatewayError::InvalidAuthentication) => true,
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => r.status_code.as_u16() == 401,
        _ => false,
    };
    if unauthorized {
        return anyhow::anyhow!(
            "Discord refused the bot token (DISCORD_TOKEN, or discord_token in the config file): it is mistyped or was reset. Open https://discord.com/developers/applications, choose the application, Bot → Reset Token, and set the new token."
        );
    }
    if let serenity::Error::Gateway(
        GatewayError::DisallowedGatewayIntents | GatewayError::InvalidGatewayIntents,
    ) = &e
    {
        return anyhow::anyhow!(
            "Discord refused the gateway intents ({e}); this bot only asks for non-privileged ones, so check that the token belongs to a bot application."
        );
    }
    anyhow::anyhow!(
        "the Discord connection failed: {} (check the network; systemd or the container's restart policy tries again)",
        error_chain(&e)
    )
}

/// An error and its sources as one line, each message once (serenity repeats its inner
/// error's text in its own).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

async fn drain(in_flight: &in_flight::InFlight) {
    if !in_flight.wait_idle(DRAIN_LIMIT).await {
        tracing::warn!(
            still_running = in_flight.count(),
            "shutdown did not wait longer for work under way"
        );
    }
}

/// Load the shipped bank into the store (stored at `now`) and prepare it for scoring.
pub async fn load_content(store: &Store, now: DateTime<Utc>) -> anyhow::Result<Content> {
    let bank = Bank::shipped()?;
    let stored = store
        .store_bank(None, &bank, SHIPPED_BANK_TOML, None, now)
        .await?;
    Ok(Content::new(bank, stored))
}

/// Load every built-in bank other than the shipped one into the store (stored at `now`),
/// ready to score.
pub async fn load_other_builtins(
    store: &Store,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Content>> {
    let mut loaded = Vec::new();
    for builtin in BUILTIN_BANKS.iter().filter(|b| **b != SHIPPED_BUILTIN) {
        let bank = builtin.load()?;
        let stored = store
            .store_bank(None, &bank, builtin.toml, None, now)
            .await?;
        loaded.push(Content::for_bank(bank, stored));
    }
    Ok(loaded)
}

/// Build and start the bot on the wall clock.
pub async fn start(config: BotConfig, store: Store) -> anyhow::Result<BotHandle> {
    start_with_clock(config, store, Arc::new(SystemClock)).await
}

/// Build and start the bot, every command and timed step reading `clock`. The same function
/// serves production (through [`start`]) and the loopback tests (which pass a `ManualClock`).
pub async fn start_with_clock(
    config: BotConfig,
    store: Store,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<BotHandle> {
    let store = store.with_cooling_off(chrono::Duration::days(i64::from(config.cooling_off_days)));
    let started = clock.now();
    let library = Arc::new(Library::with_builtins(
        load_content(&store, started).await?,
        load_other_builtins(&store, started).await?,
    ));
    let mut http = serenity::HttpBuilder::new(config.token.expose());
    if let Some(base) = &config.api_base {
        http = http.proxy(base.clone()).ratelimiter_disabled(true);
    }
    let http = http.build();
    // A wrong token fails here with advice; left to the gateway, serenity would fall back to
    // its default gateway address and could retry for ever.
    let me = http
        .get_current_user()
        .await
        .map_err(explain_client_error)?;
    tracing::info!(bot = %me.name, "token accepted");
    let (shutdown, shutdown_rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let timings = config.timings;
    let sharding = config.sharding;
    let dev_guild = config.dev_guild_id;
    let metrics = crate::ops::Metrics::new();
    let data_metrics = metrics.clone();
    let judge = match &config.judge {
        Some(j) => {
            let client = crate::judge_client::OpenAiClient::new(
                &j.url,
                &j.model,
                j.api_key.clone(),
                j.limits.timeout,
            )
            .context("the AI judge's settings")?;
            tracing::info!(model = %j.model, "AI judge configured; servers turn it on with /server judge");
            Some(Arc::new(crate::app::judge::AiJudge::new(
                Arc::new(client),
                j.limits,
                metrics.clone(),
            )))
        }
        None => None,
    };
    let in_flight = in_flight::InFlight::default();
    let data_in_flight = in_flight.clone();
    let readiness = crate::ops::Readiness::default();
    let setup_readiness = readiness.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |e| Box::pin(errors::on_error(e)),
            event_handler: |fw, event| Box::pin(components::on_event(fw, event)),
            allowed_mentions: Some(render::no_mentions()),
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                let registered = match dev_guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(g))
                            .await
                    }
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                if let Err(e) = registered {
                    let why = registration_refused(dev_guild, &e);
                    setup_readiness.framework_failed(why.clone());
                    return Err(BotError::Other(anyhow::anyhow!(why)));
                }
                let engine = crate::app::Engine {
                    store,
                    library,
                    clock,
                    outbound: Arc::new(outbound::SerenityOutbound {
                        http: ctx.http.clone(),
                    }),
                    timings,
                    wake,
                    metrics: data_metrics,
                };
                let data = Data {
                    cooldowns: Cooldowns::new(timings.button_cooldown),
                    in_flight: data_in_flight,
                    edits: rounds::AnsweredEdits::default(),
                    charts: crate::app::coaching::Charts::default(),
                    forms: answer_form::AnswerForms::default(),
                    judge,
                    engine,
                };
                judging::spawn_resumer(&data, shutdown_rx.clone());
                // Other processes (the other shards) add and abandon work this timer is not
                // told of: it looks at least once a lease.
                let poll = matches!(sharding, Sharding::Range(_)).then_some(timings.step_lease);
                rounds::spawn_timer(&data, shutdown_rx, setup_readiness.clone(), poll);
                setup_readiness.framework_ready();
                tracing::info!("commands registered; ready");
                Ok(data)
            })
        })
        .build();
    let mut client =
        serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::non_privileged())
            .framework(in_flight::Tracked {
                inner: instrument::instrument(&metrics, framework),
                in_flight: in_flight.clone(),
            })
            .await
            .context("cannot build the Discord client")?;
    let shard_manager = client.shard_manager.clone();
    let client_task = tokio::spawn(async move {
        match sharding {
            Sharding::Auto => client.start_autosharded().await,
            Sharding::All { total } => client.start_shards(total).await,
            // Serenity's range is inclusive of its end: `0..1` starts shards 0 and 1.
            Sharding::Range(r) => {
                client
                    .start_shard_range(r.first()..r.last(), r.total())
                    .await
            }
        }
    });
    Ok(BotHandle {
        shard_manager,
        shutdown,
        client_task,
        metrics,
        in_flight,
        readiness,
    })
}

/// Why registering the slash commands failed, with what to do about it.
fn registration_refused(dev_guild: Option<u64>, e: &serenity::Error) -> String {
    match dev_guild {
        Some(g) => format!(
            "Discord refused to register the commands in server {g} (DEV_GUILD_ID): {}. Set DEV_GUILD_ID to the id of a server the bot was invited to (with the applications.commands scope), or leave it unset to register globally",
            error_chain(e)
        ),
        None => format!(
            "Discord refused to register the commands globally: {}. Check that the token belongs to this application",
            error_chain(e)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner failed")]
    struct Inner;

    #[test]
    fn an_error_chain_says_each_message_once() {
        assert_eq!(error_chain(&Outer(Inner)), "outer: inner failed");
        let io = std::io::Error::other(Inner);
        assert_eq!(error_chain(&io), "inner failed");
    }
}
