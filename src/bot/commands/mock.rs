//! `/mock start|join|status|stop`: timed rounds in a channel.

use chrono::Utc;
use poise::CreateReply;
use rand::seq::SliceRandom as _;
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, CreateEmbed, CreateMessage, Member,
    Permissions, UserId,
};

use super::super::render::{COLOR, escape, no_mentions};
use super::super::{Context, Data, Error, errors::user};
use super::bank::{autocomplete_bank, chosen_bank};
use super::{DifficultyChoice, autocomplete_topic, member_has, resolve_bank_topic, say, sid};
use crate::domain::bank::QuestionFilter;
use crate::domain::round::{Mode, Phase, TEAM_NAMES};
use crate::store::{NewRound, StoreError};

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
) -> Result<(), Error> {
    let data = ctx.data();
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Rounds run in a server channel."))?
        .get());
    let channel = sid(ctx.channel_id().get());
    let me = ctx.author();
    let now = Utc::now();
    let mode: Mode = mode.unwrap_or(ModeChoice::Group).into();
    let count = questions.unwrap_or(3).clamp(1, 20);
    let seconds = seconds.unwrap_or(180).clamp(30, 1800);
    let content = chosen_bank(data, guild, bank.as_deref()).await?;
    let topic = resolve_bank_topic(&content, topic.as_deref())?;
    let filter = QuestionFilter {
        topic: topic.clone(),
        difficulty: difficulty.map(Into::into),
    };
    let mut pool: Vec<_> = content.bank.filter(&filter).collect();
    pool.shuffle(&mut rand::rng());
    let rows: Vec<i64> = pool
        .iter()
        .filter_map(|q| content.row_of(q))
        .take(usize::try_from(count).unwrap_or(3))
        .collect();
    if rows.is_empty() {
        return Err(user(
            "No question matches those filters. Try fewer filters.",
        ));
    }
    let name = ctx
        .author_member()
        .await
        .map_or_else(|| me.name.clone(), |m| m.display_name().to_string());
    data.store
        .upsert_member(guild, sid(me.id.get()), &name, now)
        .await?;
    let lobby_until = if mode == Mode::Solo {
        now
    } else {
        now + data.timings.span(data.timings.lobby_seconds)
    };
    let round = data
        .store
        .create_round(
            &NewRound {
                guild_id: guild,
                channel_id: channel,
                started_by: sid(me.id.get()),
                mode: mode.as_str(),
                seconds_per_q: seconds,
                question_ids: &rows,
                topic: topic.as_deref(),
                difficulty: difficulty.map(|d| crate::domain::bank::Difficulty::from(d).as_str()),
                lobby_until,
            },
            now,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => user("This channel already has a round going. Use `/mock status`, or `/mock stop` to end it."),
            other => other.into(),
        })?;
    let my_team = (mode == Mode::Teams).then_some(TEAM_NAMES[0]);
    data.store
        .join_round(round, sid(me.id.get()), my_team, now)
        .await?;

    if mode != Mode::Solo {
        let mut buttons: Vec<CreateButton> = if mode == Mode::Teams {
            TEAM_NAMES
                .iter()
                .map(|t| {
                    CreateButton::new(format!("m:join:{round}:{t}"))
                        .label(format!("Join {t}"))
                        .style(ButtonStyle::Primary)
                })
                .collect()
        } else {
            vec![
                CreateButton::new(format!("m:join:{round}"))
                    .label("Join")
                    .style(ButtonStyle::Primary),
            ]
        };
        buttons.truncate(5);
        let embed = CreateEmbed::new()
            .title(format!("Mock round ({mode}) — {} question(s), {seconds} s each", rows.len()))
            .description(format!(
                "Started by {}. Press **Join** to play. The first question appears <t:{}:R>.\nAnswers are private until each reveal.",
                escape(&name),
                lobby_until.timestamp()
            ))
            .color(COLOR);
        let posted = ChannelId::new(ctx.channel_id().get())
            .send_message(
                ctx.http(),
                CreateMessage::new()
                    .embed(embed)
                    .components(vec![CreateActionRow::Buttons(buttons)])
                    .allowed_mentions(no_mentions()),
            )
            .await;
        match posted {
            Ok(m) => data.store.set_round_message(round, sid(m.id.get())).await?,
            Err(e) => {
                tracing::warn!(round, error = %e, "cannot post the lobby; cancelling the round");
                data.store
                    .end_round(round, Phase::Stopped.as_str(), now)
                    .await?;
                return Err(user(
                    "I can't post in this channel (missing permission?). Give me Send Messages and Embed Links here, or start the round in another channel.",
                ));
            }
        }
    }
    data.wake.notify_one();
    let text = if mode == Mode::Solo {
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
    let round = data.store.round(round_id).await?;
    let phase: Phase = round.state.parse().unwrap_or(Phase::Stopped);
    if !phase.is_open() {
        return Err(user(
            "This round has ended. Start a new one with `/mock start`.",
        ));
    }
    let mode: Mode = round.mode.parse().unwrap_or(Mode::Group);
    if mode == Mode::Solo {
        return Err(user(
            "This is a solo round. Start your own with `/mock start`.",
        ));
    }
    let name = member.map_or_else(|| user_name.to_string(), |m| m.display_name().to_string());
    let now = Utc::now();
    data.store
        .upsert_member(round.guild_id, sid(user_id.get()), &name, now)
        .await?;
    let team = if mode == Mode::Teams {
        let chosen = match team {
            Some(t) if TEAM_NAMES.contains(&t.as_str()) => t,
            _ => {
                // No choice made: the smaller side, so teams stay even.
                let members = data.store.participants(round_id).await?;
                let size = |t: &str| {
                    members
                        .iter()
                        .filter(|p| p.team_name.as_deref() == Some(t))
                        .count()
                };
                if size(TEAM_NAMES[1]) < size(TEAM_NAMES[0]) {
                    TEAM_NAMES[1]
                } else {
                    TEAM_NAMES[0]
                }
                .to_string()
            }
        };
        Some(chosen)
    } else {
        None
    };
    if data
        .store
        .join_round(round_id, sid(user_id.get()), team.as_deref(), now)
        .await?
    {
        Ok(match team {
            Some(t) => format!("You joined the round on team {t}."),
            None => "You joined the round. Questions appear in this channel.".into(),
        })
    } else {
        Ok("You are already in this round.".into())
    }
}

async fn channel_round(ctx: Context<'_>) -> Result<crate::store::RoundRow, Error> {
    ctx.data()
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
    let players = data.store.participants(round.id).await?;
    let count = data.store.round_question_count(round.id).await?;
    let names: Vec<String> = players.iter().map(|p| escape(&p.display_name)).collect();
    let when = round.deadline().map_or_else(String::new, |d| {
        format!(", next step <t:{}:R>", d.timestamp())
    });
    let phase = if round.state == "lobby" {
        "waiting for players".to_string()
    } else {
        format!("question {}/{count}", round.current_index + 1)
    };
    say(
        ctx,
        format!(
            "A {} round: {phase}{when}.\nPlaying: {}",
            round.mode,
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
    if ctx
        .data()
        .store
        .end_round(round.id, Phase::Stopped.as_str(), Utc::now())
        .await?
    {
        ctx.data().wake.notify_one();
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
