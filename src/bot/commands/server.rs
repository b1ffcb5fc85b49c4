//! `/server timezone`: the server's timezone decides "today", board periods and streak days.
//! `/server digest`: the opt-in weekly digest.

use chrono::Utc;
use serenity::all::{ChannelId, Permissions};

use super::super::render::escape;
use super::super::{Context, Error, errors::user};
use super::daily::autocomplete_timezone;
use super::{member_has, say, sid};
use crate::app::digest;
use crate::domain::period::local_date;
use crate::domain::schedule::parse_timezone;

/// Server settings (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    subcommands("timezone", "digest"),
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
    let now = Utc::now();
    ctx.data().store.set_server_timezone(guild, tz, now).await?;
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
    let store = &ctx.data().store;
    let now = Utc::now();
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
            ctx.data().wake.notify_one();
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
