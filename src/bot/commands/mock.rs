//! `/mock start|join|status|stop`: timed rounds in a channel.

use poise::CreateReply;
use serenity::all::{Member, Permissions, UserId};

use super::super::render::{escape, fit_lines, no_mentions};
use super::super::{Context, Data, Error, errors::user};
use super::bank::{autocomplete_bank, chosen_bank};
use super::{DifficultyChoice, autocomplete_topic, member_has, resolve_bank_topic, say, sid};
use crate::app::review;
use crate::app::rounds::{self, Draw, Drawn, JoinError, Joined, StartError, StartRound};
use crate::domain::bank::QuestionFilter;
use crate::domain::round::Mode;
use crate::store::RoundState;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum ModeChoice {
    #[name = "solo"]
    Solo,
    #[name = "group"]
    Group,
    #[name = "teams"]
    Teams,
}

impl From<ModeChoice> for Mode {
    fn from(m: ModeChoice) -> Mode {
        match m {
            ModeChoice::Solo => Mode::Solo,
            ModeChoice::Group => Mode::Group,
            ModeChoice::Teams => Mode::Teams,
        }
    }
}

/// Timed mock interview rounds.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("start", "join", "status", "stop"),
    subcommand_required
)]
pub async fn mock(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a timed round in this channel.
#[allow(clippy::too_many_arguments)] // one per option of the slash command
#[poise::command(slash_command, guild_only)]
async fn start(
    ctx: Context<'_>,
    #[description = "Only questions of this topic"]
    #[autocomplete = "autocomplete_topic"]
    #[max_length = 100]
    topic: Option<String>,
    #[description = "Only questions of this difficulty"] difficulty: Option<DifficultyChoice>,
    #[description = "How many questions (1–20, default 3)"]
    #[min = 1]
    #[max = 20]
    questions: Option<u32>,
    #[description = "Seconds per question (30–1800, default 180)"]
    #[min = 30]
    #[max = 1800]
    seconds: Option<u32>,
    #[description = "solo (just you), group (default) or teams"] mode: Option<ModeChoice>,
    #[description = "Which question bank (default: the built-in one)"]
    #[autocomplete = "autocomplete_bank"]
    #[max_length = 100]
    bank: Option<String>,
    #[description = "Questions picked for what you will learn most from (a solo round)"]
    adaptive: Option<bool>,
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Rounds run in a server channel."))?
        .get());
    let channel = sid(ctx.channel_id().get());
    let me = ctx.author();
    let adaptive = adaptive.unwrap_or(false);
    let mode: Mode = match (mode, adaptive) {
        (None, true) => Mode::Solo,
        (Some(m), true) if Mode::from(m) != Mode::Solo => {
            return Err(user(
                "`adaptive:True` picks the questions for you alone, so it runs a solo round: leave out `mode` or choose `mode:solo`.",
            ));
        }
        (m, _) => m.unwrap_or(ModeChoice::Group).into(),
    };
    let count = questions.unwrap_or(3).clamp(1, 20);
    let seconds = seconds.unwrap_or(180).clamp(30, 1800);
    let content = chosen_bank(data, guild, bank.as_deref()).await?;
    let topic = resolve_bank_topic(&content, topic.as_deref())?;
    let draw = Draw {
        member: review::Member {
            guild_id: guild,
            user_id: sid(me.id.get()),
        },
        filter: QuestionFilter {
            topic: topic.clone(),
            difficulty: difficulty.map(Into::into),
        },
        adaptive,
        count: usize::try_from(count).unwrap_or(3),
        seed: ctx.id(),
    };
    let Drawn { rows, why: chosen } =
        rounds::draw_questions(&data.engine.store, data.engine.now(), &content, &draw).await?;
    let name = ctx
        .author_member()
        .await
        .map_or_else(|| me.name.clone(), |m| m.display_name().to_string());
    if mode != Mode::Solo {
        // Posting the lobby first can outlast Discord's 3 s to answer (a slow or rate-limited
        // channel): acknowledge now, reply when the lobby is out.
        ctx.defer_ephemeral().await?;
    }
    rounds::start_round(
        &data.engine,
        &StartRound {
            guild_id: guild,
            channel_id: channel,
            starter: sid(me.id.get()),
            starter_name: &name,
            mode,
            seconds_per_q: seconds,
            question_rows: &rows,
            topic: topic.as_deref(),
            difficulty: difficulty.map(|d| crate::domain::bank::Difficulty::from(d).as_str()),
        },
    )
    .await
    .map_err(|e| match e {
        StartError::ChannelBusy => user("This channel already has a round going. Use `/mock status`, or `/mock stop` to end it."),
        StartError::CannotPost(_) => user(
            "I can't post in this channel (missing permission?). Give me Send Messages and Embed Links here, or start the round in another channel.",
        ),
        StartError::Store(e) => e.into(),
    })?;
    let text = if adaptive {
        let why: Vec<String> = chosen
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}. {}", i + 1, n.reason))
            .collect();
        format!(
            "Solo round started: {} question(s) chosen for you, {seconds} s each. The first question appears now.\nWhy these:\n{}",
            rows.len(),
            fit_lines(&why, 1500)
        )
    } else if mode == Mode::Solo {
        format!(
            "Solo round started: {} question(s), {seconds} s each. The first question appears now.",
            rows.len()
        )
    } else {
        "Round created. You are in it; others can press Join.".to_string()
    };
    say(ctx, text).await
}

/// Join a round (used by `/mock join` and the Join buttons). Returns what to tell the member.
pub async fn join_round(
    data: &Data,
    round_id: i64,
    user_id: UserId,
    user_name: &str,
    member: Option<&Member>,
    team: Option<String>,
) -> Result<String, Error> {
    let name = member.map_or_else(|| user_name.to_string(), |m| m.display_name().to_string());
    match rounds::join_round(
        &data.engine,
        round_id,
        sid(user_id.get()),
        &name,
        team.as_deref(),
    )
    .await
    {
        Ok(Joined::Joined { team: Some(t) }) => Ok(format!("You joined the round on team {t}.")),
        Ok(Joined::Joined { team: None }) => {
            Ok("You joined the round. Questions appear in this channel.".into())
        }
        Ok(Joined::AlreadyIn) => Ok("You are already in this round.".into()),
        Err(JoinError::Store(e)) => Err(e.into()),
        Err(e) => Err(user(e.to_string())),
    }
}

async fn channel_round(ctx: Context<'_>) -> Result<crate::store::RoundRow, Error> {
    ctx.data()
        .engine
        .store
        .active_round_in_channel(sid(ctx.channel_id().get()))
        .await?
        .ok_or_else(|| user("There is no round in this channel. Start one with `/mock start`."))
}

/// Join the round running in this channel.
#[poise::command(slash_command, guild_only)]
async fn join(ctx: Context<'_>) -> Result<(), Error> {
    let round = channel_round(ctx).await?;
    let member = ctx.author_member().await;
    let text = join_round(
        ctx.data(),
        round.id,
        ctx.author().id,
        &ctx.author().name,
        member.as_deref(),
        None,
    )
    .await?;
    say(ctx, text).await
}

/// Show the round running in this channel.
#[poise::command(slash_command, guild_only)]
async fn status(ctx: Context<'_>) -> Result<(), Error> {
    let round = channel_round(ctx).await?;
    let data = ctx.data();
    let players = data.engine.store.participants(round.id).await?;
    let count = data.engine.store.round_question_count(round.id).await?;
    let names: Vec<String> = players.iter().map(|p| escape(&p.display_name)).collect();
    let when = round.deadline().map_or_else(String::new, |d| {
        format!(", next step <t:{}:R>", d.timestamp())
    });
    let phase = if round.state == RoundState::Lobby {
        "waiting for players".to_string()
    } else {
        format!("question {}/{count}", round.current_index + 1)
    };
    say(
        ctx,
        format!(
            "A {} round: {phase}{when}.\nPlaying: {}",
            round.mode.as_str(),
            if names.is_empty() {
                "nobody".into()
            } else {
                names.join(", ")
            }
        ),
    )
    .await
}

/// Stop the round in this channel (its starter, or a member with Manage Messages).
#[poise::command(slash_command, guild_only)]
async fn stop(ctx: Context<'_>) -> Result<(), Error> {
    let round = channel_round(ctx).await?;
    let is_starter = round.started_by == sid(ctx.author().id.get());
    let can_manage = member_has(ctx, Permissions::MANAGE_MESSAGES);
    if !(is_starter || can_manage) {
        return Err(user(
            "Only the member who started this round, or someone with Manage Messages, can stop it.",
        ));
    }
    if rounds::stop_round(&ctx.data().engine, round.id).await? {
        ctx.send(
            CreateReply::default()
                .content(format!(
                    "Round stopped by {}. Answers given so far still count on the boards.",
                    escape(&ctx.author().name)
                ))
                .allowed_mentions(no_mentions()),
        )
        .await?;
        Ok(())
    } else {
        say(ctx, "That round has already ended.").await
    }
}
