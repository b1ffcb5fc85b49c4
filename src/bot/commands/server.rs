//! `/server timezone`: the server's timezone decides "today", board periods and streak days.
//! `/server digest`: the opt-in weekly digest.
//! `/server judge`: whether answers also go to the optional AI judge, and whose score counts.
//! `/server retention`: how much of what is due members should still remember (spaced
//! repetition: a higher target means shorter intervals between reviews).

use serenity::all::{ChannelId, Permissions};

use super::super::render::escape;
use super::super::{Context, Error, errors::user};
use super::daily::autocomplete_timezone;
use super::{member_has, say, sid};
use crate::app::digest;
use crate::domain::judging::JudgeMode;
use crate::domain::period::local_date;
use crate::domain::review::DesiredRetention;
use crate::domain::schedule::parse_timezone;

/// Server settings (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("timezone", "digest", "retention", "judge"),
    subcommand_required
)]
pub async fn server(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set the timezone that decides "today", board periods and streak days.
#[poise::command(slash_command, guild_only)]
async fn timezone(
    ctx: Context<'_>,
    #[description = "IANA timezone, e.g. Europe/London"]
    #[autocomplete = "autocomplete_timezone"]
    #[max_length = 64]
    name: String,
) -> Result<(), Error> {
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "Setting the server's timezone needs the Manage Server permission.",
        ));
    }
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("A timezone belongs to a server."))?;
    let tz = parse_timezone(&name).map_err(|e| user(escape(&e)))?;
    let now = ctx.data().engine.now();
    ctx.data()
        .engine
        .store
        .set_server_timezone(guild, tz, now)
        .await?;
    say(
        ctx,
        format!(
            "This server's timezone is now {}: today here is {}. \"Today\", board periods and daily streaks follow it from now on (answers keep the date they were given on).",
            tz.name(),
            local_date(now, tz).format("%A %-d %B %Y")
        ),
    )
    .await
}

/// A weekly digest on Mondays: top improvers, most missed concepts, the week's hardest question.
#[poise::command(slash_command, guild_only)]
async fn digest(
    ctx: Context<'_>,
    #[description = "Post it in this channel from next week on"] channel: Option<ChannelId>,
    #[description = "True: stop posting it"] off: Option<bool>,
) -> Result<(), Error> {
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "The weekly digest is set with the Manage Server permission.",
        ));
    }
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("A digest belongs to a server."))?;
    let store = &ctx.data().engine.store;
    let now = ctx.data().engine.now();
    let text = match (channel, off.unwrap_or(false)) {
        (Some(_), true) => {
            return Err(user("Give either a channel or off:True, not both."));
        }
        (_, true) => {
            if store.disable_digest(guild).await? {
                "The weekly digest is off. Turn it on again with `/server digest channel:`.".to_string()
            } else {
                "The weekly digest was not on.".to_string()
            }
        }
        (Some(channel), false) => {
            let first =
                digest::enable(store, guild, sid(channel.get()), sid(ctx.author().id.get()), now)
                    .await?;
            // The timer may be asleep until later than the first digest.
            ctx.data().engine.wake.notify_one();
            format!(
                "The weekly digest will be posted in <#{}> every Monday at 09:00 server time, starting <t:{}:F> (the week of {}).",
                channel.get(),
                first.due.timestamp(),
                first.week.format("%-d %B")
            )
        }
        (None, false) => match store.digest_setting(guild).await? {
            Some(s) => {
                let next = crate::domain::digest::next_due(now, store.server_timezone(guild).await?);
                let last = match store.recent_digests(guild, 1).await?.first() {
                    Some(d) => format!(
                        " The last, for the week of {}, was {}{}.",
                        d.week,
                        d.state,
                        d.note
                            .as_deref()
                            .map(|n| format!(": {}", escape(n)))
                            .unwrap_or_default()
                    ),
                    None => String::new(),
                };
                format!(
                    "The weekly digest is posted in <#{}>; the next is due <t:{}:F>.{last} `/server digest off:True` stops it.",
                    s.channel_id,
                    next.due.timestamp()
                )
            }
            None => "The weekly digest is off. `/server digest channel:#channel` turns it on (Mondays 09:00 server time).".to_string(),
        },
    };
    say(ctx, text).await
}

/// Set (or show) the share of due reviews members should still recall, 0.80–0.95.
#[poise::command(slash_command, guild_only)]
async fn retention(
    ctx: Context<'_>,
    #[description = "0.80 to 0.95 (default 0.90): higher means shorter intervals between reviews"]
    #[min = 0.8]
    #[max = 0.95]
    value: Option<f64>,
) -> Result<(), Error> {
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("A retention target belongs to a server."))?;
    let store = &ctx.data().engine.store;
    let Some(value) = value else {
        let current = store.desired_retention(guild).await?;
        return say(ctx, format!(
            "This server's reviews aim for {:.2}: a question comes back when a member's chance of recalling it falls to {:.0}%. Set it with `/server retention value:0.85` (0.80–0.95, Manage Server).",
            current.get(),
            current.get() * 100.0
        ))
        .await;
    };
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "Setting the server's review retention needs the Manage Server permission.",
        ));
    }
    let retention = retention_value(value)?;
    store
        .set_desired_retention(guild, retention, ctx.data().engine.now())
        .await?;
    say(
        ctx,
        format!(
            "Reviews in this server now aim for {:.2}: a question comes back when a member's chance of recalling it falls to {:.0}%. New answers are scheduled with it; reviews already scheduled keep their date until answered.",
            retention.get(),
            retention.get() * 100.0
        ),
    )
    .await
}

/// How this server uses the AI judge.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum JudgeChoice {
    #[name = "off"]
    Off,
    #[name = "second-opinion"]
    SecondOpinion,
    #[name = "primary"]
    Primary,
}

impl From<JudgeChoice> for JudgeMode {
    fn from(c: JudgeChoice) -> JudgeMode {
        match c {
            JudgeChoice::Off => JudgeMode::Off,
            JudgeChoice::SecondOpinion => JudgeMode::SecondOpinion,
            JudgeChoice::Primary => JudgeMode::Primary,
        }
    }
}

/// Send answers to the bot's AI judge for a second opinion, or let its score count.
#[poise::command(slash_command, guild_only)]
async fn judge(
    ctx: Context<'_>,
    #[description = "off, second-opinion (built-in score counts) or primary (AI score counts)"]
    mode: Option<JudgeChoice>,
) -> Result<(), Error> {
    let guild = ctx
        .guild_id()
        .map(|g| sid(g.get()))
        .ok_or_else(|| user("The AI judge is set per server."))?;
    let store = &ctx.data().engine.store;
    let model = ctx
        .data()
        .judge
        .as_ref()
        .map(|j| j.model_name().to_string());
    let Some(mode) = mode.map(JudgeMode::from) else {
        let current = store.judge_mode(guild).await?;
        return say(ctx, judge_status(current, model.as_deref())).await;
    };
    if !member_has(ctx, Permissions::MANAGE_GUILD) {
        return Err(user(
            "Setting the AI judge needs the Manage Server permission.",
        ));
    }
    if mode.sends_answers() && model.is_none() {
        return Err(user(
            "This bot has no AI judge configured: its operator sets `judge_url` and `judge_model` (see docs/configuration.md). The built-in scorer keeps scoring every answer.",
        ));
    }
    store
        .set_judge_mode(guild, mode, ctx.data().engine.now())
        .await?;
    say(ctx, judge_status(mode, model.as_deref())).await
}

/// What `/server judge` says of `mode`.
fn judge_status(mode: JudgeMode, model: Option<&str>) -> String {
    let model = model.map(escape);
    match (mode, model) {
        (JudgeMode::Off, Some(m)) => format!(
            "The AI judge is off here: answers are scored by the built-in scorer only and nothing leaves the bot. `/server judge mode:second-opinion` sends answers to {m} for a second opinion."
        ),
        (JudgeMode::Off, None) => "The AI judge is off, and this bot has none configured: answers are scored by the built-in scorer only.".to_string(),
        (JudgeMode::SecondOpinion, Some(m)) => format!(
            "Second opinion: each answer is also sent to the outside model {m}, whose feedback is shown beside the built-in score. The built-in score counts on the boards. Answer forms say so."
        ),
        (JudgeMode::Primary, Some(m)) => format!(
            "Primary: each answer is also sent to the outside model {m}, and its score counts when it arrives valid (otherwise the built-in one does; the reply says which). Answer forms say so. Moderators see both scores in `/score review`."
        ),
        (_, None) => "This server asked for the AI judge, but this bot has none configured now: the built-in score counts and nothing is sent.".to_string(),
    }
}

/// A typed retention, or what is wrong with it.
fn retention_value(value: f64) -> Result<DesiredRetention, Error> {
    DesiredRetention::new(value).map_err(|_| {
        user(format!(
            "The retention target must be between {:.2} and {:.2} (for example 0.90); {} is not. Higher means more frequent reviews.",
            DesiredRetention::MIN,
            DesiredRetention::MAX,
            if value.is_finite() {
                format!("{value}")
            } else {
                "that".to_string()
            }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_values_outside_080_to_095_are_explained() {
        for bad in [0.0, 0.79, 0.951, 1.0, 90.0, -0.9, f64::NAN, f64::INFINITY] {
            let e = retention_value(bad)
                .err()
                .map(|e| e.for_user())
                .unwrap_or_default();
            assert!(e.contains("between 0.80 and 0.95"), "{bad}: {e}");
        }
        for good in [0.8, 0.85, 0.9, 0.95] {
            assert_eq!(
                retention_value(good).ok().map(DesiredRetention::get),
                Some(good)
            );
        }
    }
}
