//! `/leaderboard` with page buttons, and `/stats`.

use poise::CreateReply;
use serenity::all::{
    ButtonStyle, ComponentInteraction, Context as SerenityContext, CreateActionRow,
    CreateAttachment, CreateButton, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseMessage,
};

use super::super::outbound::with_retries;
use super::super::render::{COLOR, escape, fit_lines, no_mentions, truncate};
use super::super::{Context, Data, Error, errors::user};
use super::{autocomplete_topic, resolve_topic, server_topics, sid};
use crate::app::coaching::{member_coaching, weakness_line};
use crate::domain::period::{Period, window};
use crate::store::BoardQuery;

const PAGE_SIZE: u32 = 10;

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PeriodChoice {
    #[name = "today"]
    Today,
    #[name = "this week"]
    Week,
    #[name = "this month"]
    Month,
    #[name = "last 7 days"]
    Last7,
    #[name = "last 30 days"]
    Last30,
    #[name = "all time"]
    All,
}

impl PeriodChoice {
    fn period(self) -> Period {
        match self {
            PeriodChoice::Today => Period::Today,
            PeriodChoice::Week => Period::Week,
            PeriodChoice::Month => Period::Month,
            PeriodChoice::Last7 => Period::Last7Days,
            PeriodChoice::Last30 => Period::Last30Days,
            PeriodChoice::All => Period::AllTime,
        }
    }

    fn code(self) -> &'static str {
        match self {
            PeriodChoice::Today => "today",
            PeriodChoice::Week => "week",
            PeriodChoice::Month => "month",
            PeriodChoice::Last7 => "7d",
            PeriodChoice::Last30 => "30d",
            PeriodChoice::All => "all",
        }
    }

    fn from_code(code: &str) -> PeriodChoice {
        match code {
            "today" => PeriodChoice::Today,
            "week" => PeriodChoice::Week,
            "month" => PeriodChoice::Month,
            "7d" => PeriodChoice::Last7,
            "30d" => PeriodChoice::Last30,
            _ => PeriodChoice::All,
        }
    }
}

/// One rendered page and the buttons to move between pages.
async fn board_page(
    data: &Data,
    guild: i64,
    period: PeriodChoice,
    (topics, topic): (&[String], Option<String>),
    teams: bool,
    page: u32,
) -> Result<(CreateEmbed, Vec<CreateActionRow>), Error> {
    let tz = data.engine.store.server_timezone(guild).await?;
    let q = BoardQuery {
        guild_id: guild,
        window: window(period.period(), data.engine.now(), tz),
        topic: topic.clone(),
        page,
        page_size: PAGE_SIZE,
    };
    let (lines, pages) = if teams {
        let p = data.engine.store.team_board(&q).await?;
        let lines: Vec<String> = p
            .rows
            .iter()
            .map(|r| {
                format!(
                    "**{}.** {} — {:.1} pts per active member ({}/{} active)",
                    r.rank,
                    escape(&r.name),
                    r.average_points,
                    r.active,
                    r.members
                )
            })
            .collect();
        (lines, p.pages())
    } else {
        let p = data.engine.store.leaderboard(&q).await?;
        let lines: Vec<String> = p
            .rows
            .iter()
            .map(|r| {
                let name = if r.display_name.is_empty() {
                    format!("<@{}>", r.user_id)
                } else {
                    escape(&r.display_name)
                };
                format!(
                    "**{}.** {name} — {} pts ({} question(s))",
                    r.rank, r.points, r.questions
                )
            })
            .collect();
        (lines, p.pages())
    };
    let topic_label = topic
        .as_deref()
        .map(|t| format!(" · {t}"))
        .unwrap_or_default();
    let title = format!(
        "{} leaderboard — {}{topic_label}",
        if teams { "Team" } else { "Member" },
        period.period()
    );
    let body = if lines.is_empty() {
        "Nobody has scored in this window yet.".to_string()
    } else {
        lines.join("\n")
    };
    let embed = CreateEmbed::new()
        .title(truncate(&title, 256))
        .description(truncate(&body, 4096))
        .footer(serenity::all::CreateEmbedFooter::new(format!(
            "Page {} of {}",
            page + 1,
            pages.max(1)
        )))
        .color(COLOR);
    let topic_index = topic
        .as_deref()
        .and_then(|t| topics.iter().position(|x| x == t))
        .map_or_else(|| "-".to_string(), |i| i.to_string());
    let id = |p: u32| format!("lb:{}:{}:{topic_index}:{p}", period.code(), u8::from(teams));
    let buttons = vec![CreateActionRow::Buttons(vec![
        CreateButton::new(id(page.saturating_sub(1)))
            .label("◀ Previous")
            .style(ButtonStyle::Secondary)
            .disabled(page == 0),
        CreateButton::new(id(page + 1))
            .label("Next ▶")
            .style(ButtonStyle::Secondary)
            .disabled(page + 1 >= pages),
    ])];
    Ok((embed, buttons))
}

/// The server's leaderboard: best answer per question counts, practice never does.
#[poise::command(slash_command, guild_only)]
pub async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Which days count (default: this week)"] period: Option<PeriodChoice>,
    #[description = "Only questions of this topic"]
    #[autocomplete = "autocomplete_topic"]
    #[max_length = 100]
    topic: Option<String>,
    #[description = "Rank teams instead of members"] teams: Option<bool>,
) -> Result<(), Error> {
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Leaderboards belong to a server."))?
        .get());
    let topics = server_topics(ctx.data(), guild).await?;
    let topic = resolve_topic(&topics, topic.as_deref())?;
    let (embed, buttons) = board_page(
        ctx.data(),
        guild,
        period.unwrap_or(PeriodChoice::Week),
        (&topics, topic),
        teams.unwrap_or(false),
        0,
    )
    .await?;
    ctx.send(
        CreateReply::default()
            .embed(embed)
            .components(buttons)
            .allowed_mentions(no_mentions()),
    )
    .await?;
    Ok(())
}

/// The Previous/Next buttons: the page is rebuilt and the message updated in place.
pub async fn page_button(
    ctx: &SerenityContext,
    data: &Data,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let parts: Vec<&str> = c.data.custom_id.split(':').collect();
    let [_, period, teams, topic, page] = parts.as_slice() else {
        return Err(user("That button is broken; run /leaderboard again."));
    };
    let guild = sid(c
        .guild_id
        .ok_or_else(|| user("Leaderboards belong to a server."))?
        .get());
    let topics = server_topics(data, guild).await?;
    let topic = topic
        .parse::<usize>()
        .ok()
        .and_then(|i| topics.get(i).cloned());
    let page: u32 = page.parse().unwrap_or(0);
    let (embed, buttons) = board_page(
        data,
        guild,
        PeriodChoice::from_code(period),
        (&topics, topic),
        *teams == "1",
        page,
    )
    .await?;
    c.create_response(
        &ctx.http,
        CreateInteractionResponse::UpdateMessage(
            CreateInteractionResponseMessage::new()
                .embed(embed)
                .components(buttons)
                .allowed_mentions(no_mentions()),
        ),
    )
    .await?;
    Ok(())
}

/// Your statistics (or another member's): scores, concepts to work on, streaks, a progress chart.
#[poise::command(slash_command, guild_only)]
pub async fn stats(
    ctx: Context<'_>,
    #[description = "Whose statistics (default: yours)"] member: Option<serenity::all::User>,
) -> Result<(), Error> {
    let guild = sid(ctx
        .guild_id()
        .ok_or_else(|| user("Statistics belong to a server."))?
        .get());
    let who = member.as_ref().unwrap_or_else(|| ctx.author());
    let coaching = member_coaching(
        &ctx.data().engine.store,
        guild,
        sid(who.id.get()),
        ctx.data().engine.now(),
    )
    .await?;
    let s = &coaching.stats;
    let name = escape(&who.name);
    let mut embed = CreateEmbed::new()
        .title(truncate(&format!("Statistics — {name}"), 256))
        .color(COLOR);
    if s.attempts == 0 {
        embed = embed.description("No answers yet. Try `/question` or join a `/mock` round.");
    } else {
        let rank =
            |r: Option<(i64, i64)>| r.map_or_else(|| "—".into(), |(k, n)| format!("#{k} of {n}"));
        embed = embed
            .field("Answers", s.attempts.to_string(), true)
            .field("Average", format!("{:.0}/100", s.average), true)
            .field("Best", format!("{}/100", s.best), true)
            .field("Rank this week", rank(s.week_rank), true)
            .field("Rank all time", rank(s.all_time_rank), true)
            .field(
                "Daily streak",
                format!("{} day(s) (best {})", s.streak.current, s.streak.best),
                true,
            );
        let topics: Vec<String> = s
            .topics
            .iter()
            .map(|t| {
                format!(
                    "{} — {:.0}/100 ({}×)",
                    escape(&t.topic),
                    t.average,
                    t.attempts
                )
            })
            .collect();
        embed = embed.field("By topic (weakest first)", fit_lines(&topics, 1024), false);
        if !coaching.weak.is_empty() {
            let lines: Vec<String> = coaching.weak.iter().map(weakness_line).collect();
            embed = embed.field(
                "Concepts to work on (missed most, not covered since)",
                fit_lines(&lines, 1024),
                false,
            );
        }
        // Only to the member themself: moderators' reasons are private.
        let own = who.id == ctx.author().id;
        if own && (!s.overrides.is_empty() || s.open_appeals > 0) {
            let mut lines: Vec<String> = s
                .overrides
                .iter()
                .map(|o| {
                    format!(
                        "Answer #{} (`{}`): {} → {}/100{} — {}",
                        o.attempt_id,
                        o.question,
                        o.old_score,
                        o.new_score,
                        if o.answered_appeal {
                            ", your appeal"
                        } else {
                            ""
                        },
                        escape(&truncate(&o.reason, 200))
                    )
                })
                .collect();
            if s.open_appeals > 0 {
                lines.push(format!(
                    "{} appeal(s) waiting for a moderator",
                    s.open_appeals
                ));
            }
            embed = embed.field("Moderator changes", fit_lines(&lines, 1024), false);
        }
    }
    let reply = CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(no_mentions());
    let charts = &ctx.data().charts;
    let (progress, plain_name) = (&coaching.progress, who.name.as_str());
    let with_chart = |embed: CreateEmbed, png: &[u8]| {
        CreateReply::default()
            .embed(embed.image(format!("attachment://{CHART_FILE}")))
            .attachment(CreateAttachment::bytes(png.to_vec(), CHART_FILE))
            .allowed_mentions(no_mentions())
    };
    // A chart drawn since the member's last scored answer comes in the same reply.
    if let Some(png) = charts.cached(guild, sid(who.id.get()), progress, plain_name) {
        ctx.send(with_chart(embed, &png).ephemeral(true)).await?;
        return Ok(());
    }
    // Otherwise the numbers go out at once and the chart is added to the same reply when drawn
    // (off the async workers, a few at a time).
    let sent = ctx.send(reply.embed(embed.clone())).await?;
    match charts
        .chart(guild, sid(who.id.get()), progress, plain_name)
        .await
    {
        Ok(png) => {
            let edit = with_chart(embed, &png);
            if let Err(err) = with_retries("stats chart", || sent.edit(ctx, edit.clone())).await {
                tracing::warn!(error = %err, "cannot add the chart to a /stats reply");
            }
        }
        Err(err) => tracing::warn!(error = %err, "cannot draw the stats chart"),
    }
    Ok(())
}

/// The chart's file name in `/stats` replies.
const CHART_FILE: &str = "progress.png";
